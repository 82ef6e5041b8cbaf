"""bf16 autocast against fp32 for every shipped model, on this machine: time and Vid4 PSNR.

Each model upscales the first FRAMES frames of each Vid4 clip (BIx4 -> GT, Y channel, crop 0, the average of the
clip averages) through `upscale_video` (the whole pipeline, PNG-folder output), once in fp32 and once in bf16 autocast.
Printed per model: seconds per frame of each, the time ratio bf16/fp32, the PSNR of each and its change, and the
largest change of an 8-bit output value. `dtype='auto'` picks bf16 only where this is measured to be both faster
and harmless (see notebook 16).

Run: .venv/bin/python bench/dtype.py [--frames 5] [--models a,b] [--record]
  --record writes the table into vsr_lit/weights/results.json ('bf16_autocast'), which `resolve_dtype` reads.
  --quick: edvr_m_tiny on 3 frames of one clip (the test suite's smoke run; never records).
"""
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from vsr_lit.data import data_root, read_frames, write_frames
from vsr_lit.inference import upscale_video
from vsr_lit.runtime import cpu_has_native_bf16
from vsr_lit.metrics import psnr
from vsr_lit.models import get_model, shipped_weights, WEIGHTS_DIR

QUICK = "--quick" in sys.argv
args = sys.argv[1:]
FRAMES = int(args[args.index("--frames") + 1]) if "--frames" in args else (3 if QUICK else 5)
CLIPS = ["calendar"] if QUICK else ["calendar", "city", "foliage", "walk"]
MODELS = (args[args.index("--models") + 1].split(",") if "--models" in args
          else ["edvr_m_tiny"] if QUICK else shipped_weights())
RECORD = "--record" in args and not QUICK


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def run(name: str, dtype: str, clips: dict, tmp: Path) -> tuple:
    "Seconds per frame, {clip: SR frames} of `name` in `dtype` over every clip."
    model = get_model(name, pretrained=name != "bicubic").eval()
    out, seconds, n = {}, 0.0, 0
    for clip, (lr, _) in clips.items():
        stats = {}
        n += upscale_video(model, tmp / "lr" / clip, tmp / f"{name}_{dtype}_{clip}", dtype=dtype, progress=False, stats=stats)
        seconds += stats["seconds"]
        out[clip] = read_frames(tmp / f"{name}_{dtype}_{clip}")
    return seconds / n, out


def mean_psnr(sr: dict, clips: dict) -> float:
    "The average of the clip averages (Y, crop 0), as the project reports Vid4."
    return float(np.mean([np.mean(psnr(sr[c], gt, 0, True)) for c, (_, gt) in clips.items()]))


root = data_root() / "Vid4"
clips = {c: (read_frames(root / "BIx4" / c)[:FRAMES], read_frames(root / "GT" / c)[:FRAMES]) for c in CLIPS}
print(f"{cpu_name()} | torch {torch.__version__}, capability {torch.backends.cpu.get_cpu_capability()}, "
      f"native bf16 {cpu_has_native_bf16()}, {torch.get_num_threads()} threads | {FRAMES} frames x {len(CLIPS)} Vid4 clips")
print(f"{'model':<16}{'fp32 s/fr':>10}{'bf16 s/fr':>10}{'bf16/fp32':>10}{'PSNR fp32':>11}{'PSNR bf16':>11}{'change':>9}{'max 8-bit':>10}")
rows = {}
with tempfile.TemporaryDirectory() as d:
    tmp = Path(d)
    for c, (lr, _) in clips.items():
        write_frames(lr, tmp / "lr" / c)
    for name in MODELS:
        t32, sr32 = run(name, "fp32", clips, tmp)
        t16, sr16 = run(name, "bf16", clips, tmp)
        p32, p16 = mean_psnr(sr32, clips), mean_psnr(sr16, clips)
        most = max(int(np.abs(sr32[c].astype(int) - sr16[c].astype(int)).max()) for c in clips)
        rows[name] = dict(seconds_fp32=round(t32, 4), seconds_bf16=round(t16, 4), time_ratio=round(t16 / t32, 3),
                          psnr_fp32=round(p32, 4), psnr_bf16=round(p16, 4), psnr_change=round(p16 - p32, 4), max_8bit_change=most)
        print(f"{name:<16}{t32:>10.3f}{t16:>10.3f}{t16 / t32:>9.2f}x{p32:>11.3f}{p16:>11.3f}{p16 - p32:>+9.3f}{most:>10}", flush=True)

if RECORD:
    f = WEIGHTS_DIR / "results.json"
    res = json.loads(f.read_text())
    res["bf16_autocast"] = dict(
        protocol=f"Vid4 BIx4, the first {FRAMES} frames of each clip, Y, crop 0, average of clip averages; "
                 "upscale_video fp32 against dtype='bf16' (CPU autocast); bench/dtype.py --record",
        machine=dict(cpu=cpu_name(), capability=torch.backends.cpu.get_cpu_capability(), native_bf16=cpu_has_native_bf16(),
                     threads=torch.get_num_threads(), torch=torch.__version__, date=time.strftime("%Y-%m-%d")),
        models=rows)
    f.write_text(json.dumps(res, indent=1) + "\n")
    print(f"recorded in {f}")
