"""Depth-wise deformable-kernel conv (4x4 kernel spaces, 3x3 taps) against a plain depth-wise 3x3 conv of the
same size: forward and forward+backward time and peak memory, measured in one run.
Run: .venv/bin/python bench/deform_kernel.py   (--quick: 8 channels at 8x8, one repetition)
"""
import sys
import time

import torch
import torch.nn.functional as F

from vsr_lit.dkc import DeformKernelConv2d
from _memory import peak_of, child_output

QUICK = "--quick" in sys.argv
argv = [a for a in sys.argv[1:] if a != "--quick"]
B, C, H, W = (1, 8, 8, 8) if QUICK else (1, 128, 64, 64)
REPS = 1 if QUICK else 5


def make(kind):
    torch.manual_seed(0)
    x = torch.randn(B, C, H, W)
    if kind == "dkc":
        m = DeformKernelConv2d(C)
        with torch.no_grad():
            m.offset_conv.weight.normal_(0, 0.01)   # non-zero offsets, as after training
    else:
        m = torch.nn.Conv2d(C, C, 3, 1, 1, groups=C)
    return m, x


def run(kind, backward, m=None, x=None):
    if m is None:
        m, x = make(kind)
    x = x.detach().requires_grad_(backward)
    with torch.set_grad_enabled(backward):
        y = m(x)
        if backward:
            y.sum().backward()


if len(argv) == 3 and argv[0] == "--child":
    m, x = make(argv[1])
    _, mb = peak_of(lambda: run(argv[1], bool(int(argv[2])), m, x))
    print(f"{mb:.0f}")
    sys.exit(0)

print(f"x {B}x{C}x{H}x{W}, depth-wise 3x3; DKC with 4x4 kernel spaces (offset conv included); threads {torch.get_num_threads()}")
for backward in (False, True):
    t, mem = {}, {}
    for kind in ("conv", "dkc"):
        m, x = make(kind)
        run(kind, backward, m, x)
        t0 = time.perf_counter()
        for _ in range(REPS):
            run(kind, backward, m, x)
        t[kind] = (time.perf_counter() - t0) / REPS
        mem[kind] = child_output(__file__, kind, int(backward), quick=QUICK)
    print(f"{'fwd+bwd' if backward else 'forward':<8} plain depth-wise conv {t['conv'] * 1e3:7.2f} ms ({mem['conv']} MB)   "
          f"DKC {t['dkc'] * 1e3:7.2f} ms ({mem['dkc']} MB)   time ratio {t['dkc'] / t['conv']:.1f}x")
