"""Copy the model weights of a training checkpoint into the package (vsr_lit/weights/NAME.safetensors, float32, with
the model's class and configuration in the file's metadata).

Usage: python tools/ship_weights.py NAME RUN_DIR   (RUN_DIR/last.pt written by `vsr_lit train`)

The run's log (RUN_DIR/log.json: every step's loss and the validation PSNR) ships beside the weights as
vsr_lit/weights/NAME_log.json, so that the course can draw the curves of the run that produced them.
"""
import shutil
import sys
from pathlib import Path

import torch

from vsr_lit.checkpoints import save_weights
from vsr_lit.models import get_model
from vsr_lit.train import load_checkpoint

name, run = sys.argv[1], Path(sys.argv[2])
model = get_model(name)
state = load_checkpoint(run / "last.pt", model, restore_rng=False)
dest = Path(__file__).resolve().parent.parent / "vsr_lit" / "weights" / f"{name}.safetensors"
save_weights(model.float(), dest)
print(f"{name}: step {state['step']} -> {dest} ({dest.stat().st_size / 1e6:.2f} MB)")
if (run / "log.json").is_file():
    shutil.copyfile(run / "log.json", dest.with_name(f"{name}_log.json"))
    print(f"log -> {dest.with_name(f'{name}_log.json')}")
