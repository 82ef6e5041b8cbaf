"""torchvision's deform_conv2d against vsr_lit.deform.deform_conv2d at EDVR-M's shapes (CPU).

64 channels, 8 offset groups, 3x3, LR 45x80 and 180x320; forward (no grad) and forward+backward.
Prints times, the speed ratio (torchvision / ours) and peak RSS growth of each, all measured in this run.
Run: .venv/bin/python bench/dcn.py
"""
import gc
import subprocess
import sys
import time

import torch
import torchvision

from vsr_lit.deform import deform_conv2d
from _memory import peak_of

torch.manual_seed(0)
if len(sys.argv) == 4 and sys.argv[1] == "--child":
    name, backward = sys.argv[2], bool(int(sys.argv[3]))
    fn = torchvision.ops.deform_conv2d if name == "torchvision" else deform_conv2d
    args = [torch.randn(1, 64, 180, 320), torch.randn(1, 144, 180, 320) * 2, torch.randn(64, 64, 3, 3) * 0.05,
            torch.zeros(64), torch.rand(1, 72, 180, 320)]
    args = [a.requires_grad_(backward) for a in args]

    def _run(fn, args, backward):
        with torch.set_grad_enabled(backward):
            y = fn(*args[:4], padding=1, mask=args[4])
            if backward:
                y.sum().backward()

    _, mb = peak_of(lambda: _run(fn, args, backward))
    print(f"{mb:.0f}")
    sys.exit(0)


def measure(fn, backward, reps=3):
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
for H, W in [(45, 80), (180, 320)]:
    inputs = [torch.randn(1, 64, H, W), torch.randn(1, 144, H, W) * 2, torch.randn(64, 64, 3, 3) * 0.05,
              torch.zeros(64), torch.rand(1, 72, H, W)]
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
        out = subprocess.run([sys.executable, __file__, "--child", name, str(int(backward))], capture_output=True, text=True)
        print(f"180x320 {'fwd+bwd' if backward else 'forward'} {name:<12} peak memory above inputs: {out.stdout.strip() or out.stderr[-300:]} MB")
