"""torchvision's deform_conv2d against vsr_lit.deform.deform_conv2d at EDVR-M's shapes (CPU).

64 channels, 8 offset groups, 3x3, LR 45x80 and 180x320; forward (no grad) and forward+backward.
Prints times, the speed ratio (torchvision / ours) and peak RSS growth of each, all measured in this run.
Run: .venv/bin/python bench/dcn.py   (--quick: 16 channels at 8x12, one repetition: checks that it runs)
"""
import gc
import sys
import time

import torch
import torchvision

from vsr_lit.deform import deform_conv2d
from _memory import peak_of, child_output

torch.manual_seed(0)
QUICK = "--quick" in sys.argv
argv = [a for a in sys.argv[1:] if a != "--quick"]
C, G, SIZES, REPS = (16, 2, [(8, 12)], 1) if QUICK else (64, 8, [(45, 80), (180, 320)], 3)


def dcn_inputs(H, W):
    return [torch.randn(1, C, H, W), torch.randn(1, 2 * G * 9, H, W) * 2, torch.randn(C, C, 3, 3) * 0.05,
            torch.zeros(C), torch.rand(1, G * 9, H, W)]


if len(argv) == 3 and argv[0] == "--child":
    name, backward = argv[1], bool(int(argv[2]))
    fn = torchvision.ops.deform_conv2d if name == "torchvision" else deform_conv2d
    args = [a.requires_grad_(backward) for a in dcn_inputs(*SIZES[-1])]

    def _run(fn, args, backward):
        with torch.set_grad_enabled(backward):
            y = fn(*args[:4], padding=1, mask=args[4])
            if backward:
                y.sum().backward()

    _, mb = peak_of(lambda: _run(fn, args, backward))
    print(f"{mb:.0f}")
    sys.exit(0)


def measure(fn, backward, reps=REPS):
    def once():
        args = [a.detach().requires_grad_(backward) for a in inputs]
        with torch.set_grad_enabled(backward):
            y = fn(args[0], args[1], args[2], args[3], padding=1, mask=args[4])
            if backward:
                y.sum().backward()
    once()
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(reps):
        once()
    return (time.perf_counter() - t0) / reps


impls = {"torchvision": torchvision.ops.deform_conv2d, "vsr_lit": deform_conv2d}
print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, threads {torch.get_num_threads()}")
for H, W in SIZES:
    inputs = dcn_inputs(H, W)
    with torch.no_grad():
        ref = impls["torchvision"](*inputs[:4], padding=1, mask=inputs[4])
        ours = impls["vsr_lit"](*inputs[:4], padding=1, mask=inputs[4])
    print(f"\n{H}x{W}: max |ours - torchvision| = {(ours - ref).abs().max().item():.2e} (output scale {ref.abs().max().item():.2f})")
    for backward in (False, True):
        t = {}
        for name, fn in impls.items():
            t[name] = measure(fn, backward)
        label = "forward+backward" if backward else "forward"
        print(f"  {label:<17} torchvision {t['torchvision'] * 1e3:8.1f} ms   vsr_lit {t['vsr_lit'] * 1e3:8.1f} ms   "
              f"speed-up {t['torchvision'] / t['vsr_lit']:.2f}x")

# peak memory: each implementation in a fresh process; the peak RSS above the baseline after allocating inputs
for backward in (False, True):
    for name in impls:
        mb = child_output(__file__, name, int(backward), quick=QUICK)
        print(f"{SIZES[-1][0]}x{SIZES[-1][1]} {'fwd+bwd' if backward else 'forward'} {name:<12} peak memory above inputs: {mb} MB")
