"""EDVR-M forward at 1x5x3x180x320 on the CPU with each deformable-conv implementation.

Measured in one run: torchvision's op and ours, each in the default memory layout and in channels_last
(a model-level setting that speeds up oneDNN's convolutions for both); prints times, the whole-model
ratios and the max output difference against the reference (torchvision, default layout).
Run: .venv/bin/python bench/edvr_speed.py [H W]   (--quick: edvr_m_tiny at 32x32, one repetition)
"""
import sys
import time

import torch

from vsr_lit.models import get_model
from vsr_lit.deform import set_dcn_impl

QUICK = "--quick" in sys.argv
argv = [a for a in sys.argv[1:] if a != "--quick"]
H, W = (int(argv[0]), int(argv[1])) if len(argv) == 2 else (32, 32) if QUICK else (180, 320)
NAME, REPS = ("edvr_m_tiny", 1) if QUICK else ("edvr_m", 2)
torch.manual_seed(0)
model = get_model(NAME).eval()
with torch.no_grad():  # non-zero offsets, as in a trained model
    for name, p in model.named_parameters():
        if "conv_offset" in name:
            p.normal_(0, 0.01)
x = torch.rand(1, 5, 3, H, W)
times, outs = {}, {}
print(f"{NAME}, input 1x5x3x{H}x{W}, threads {torch.get_num_threads()}")
for layout in ("default", "channels_last"):
    fmt = torch.channels_last if layout == "channels_last" else torch.contiguous_format
    model = model.to(memory_format=fmt)
    for impl in ("torchvision", "vsr_lit"):
        set_dcn_impl(model, impl)
        with torch.no_grad():
            model(x)  # warm-up
            t0 = time.perf_counter()
            for _ in range(REPS):
                outs[impl, layout] = model(x)
            times[impl, layout] = (time.perf_counter() - t0) / REPS
        print(f"  {impl:<12} {layout:<14} {times[impl, layout]:7.2f} s per forward")
ref = outs["torchvision", "default"]
for layout in ("default", "channels_last"):
    print(f"{layout:<14} same layout for both: ours {times['torchvision', layout] / times['vsr_lit', layout]:.2f}x faster")
print(f"reference (torchvision, default layout) vs ours (channels_last): "
      f"{times['torchvision', 'default'] / times['vsr_lit', 'channels_last']:.2f}x faster")
print("max |output - reference|: " + ", ".join(f"{i}/{l} {(o - ref).abs().max().item():.1e}" for (i, l), o in outs.items()))
