"""Deformable 3-D conv with (h, w) offsets: the 2-D route (one fast deform_conv2d over the three temporal taps)
against the trilinear route (sample_pixels in 3-D + matmul), forward and forward+backward, time and peak memory.

Both compute the same function (checked here); the faster is what vsr_lit uses for offset_mode='hw'.
Run: .venv/bin/python bench/deform_conv3d.py   (--quick: 8 channels, 3x8x8, one repetition)
"""
import sys
import time

import torch

from vsr_lit.backprojection import deform_conv3d
from _memory import peak_of, child_output

QUICK = "--quick" in sys.argv
argv = [a for a in sys.argv[1:] if a != "--quick"]
B, C, T, H, W = (1, 8, 3, 8, 8) if QUICK else (1, 64, 7, 64, 64)
REPS = 1 if QUICK else 3


def inputs():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(B, C, T, H, W, generator=g)
    hw = torch.randn(B, 54, T, H, W, generator=g)
    thw = torch.zeros(B, 27, 3, T, H, W)
    thw[:, :, 1:] = hw.view(B, 27, 2, T, H, W)
    return x, hw, thw.view(B, 81, T, H, W), torch.randn(C, C, 3, 3, 3, generator=g) * 0.02, torch.zeros(C)


def run(route, backward):
    x, hw, thw, w, b = inputs()
    args = [x, hw if route == "2d" else thw, w, b]
    args = [a.requires_grad_(backward) for a in args]
    with torch.set_grad_enabled(backward):
        y = deform_conv3d(*args)
        if backward:
            y.sum().backward()
    return y


if len(argv) == 3 and argv[0] == "--child":      # peak memory of one call in a fresh process
    inputs()
    _, mb = peak_of(lambda: run(argv[1], bool(int(argv[2]))))
    print(f"{mb:.0f}")
    sys.exit(0)

print(f"deform_conv3d, x {B}x{C}x{T}x{H}x{W}, 3x3x3, (h, w) offsets; threads {torch.get_num_threads()}")
with torch.no_grad():
    diff = (run("2d", False) - run("3d", False)).abs().max().item()
print(f"max |2-D route - trilinear route| = {diff:.2e}")
for backward in (False, True):
    t = {}
    for route in ("2d", "3d"):
        run(route, backward)
        t0 = time.perf_counter()
        for _ in range(REPS):
            run(route, backward)
        t[route] = (time.perf_counter() - t0) / REPS
    mem = {r: child_output(__file__, r, int(backward), quick=QUICK)
           for r in ("2d", "3d")}
    print(f"{'fwd+bwd' if backward else 'forward':<8} 2-D route {t['2d'] * 1e3:7.1f} ms ({mem['2d']} MB)   trilinear {t['3d'] * 1e3:7.1f} ms ({mem['3d']} MB)"
          f"   time ratio trilinear/2-D {t['3d'] / t['2d']:.2f}x")
