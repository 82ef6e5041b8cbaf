"""The CUDA path, measured in one run on a GPU (skips with one line where there is none).

(1) deformable convolution on CUDA: ours (`vsr_lit.deform.deform_conv2d`) against torchvision's kernel, forward and
    gradients, max difference and speed ratio;
(2) every full-size learned model at 1xTx3x180x320 LR: the CUDA fp32 output against the same weights on the CPU
    (max difference), and frames/s in fp32, bf16 and fp16 autocast (ratios against fp32), with peak GPU memory;
(3) a few AMP training steps of edvr_m at the paper's batch and patch (Learner, fp16 + GradScaler): steps/s, the loss
    falling, and an exact resume (the loss after a reload equals the loss of an uninterrupted run).
Run: python bench/gpu.py [1 2 3]   (python bench/gpu.py --quick: the smallest case of each part)
"""
import sys
import tempfile
import time

import torch

from vsr_lit.deform import deform_conv2d
from vsr_lit.models import get_model
from vsr_lit.deform import set_dcn_impl

QUICK = "--quick" in sys.argv
parts = [a for a in sys.argv[1:] if not a.startswith("--")] or ["1", "2", "3"]
if not torch.cuda.is_available():
    print("no CUDA device: nothing to measure (run this on a machine with an NVIDIA GPU)")
    sys.exit(0)
dev = torch.device("cuda")
print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, capability {torch.cuda.get_device_capability()}, "
      f"bf16 supported: {torch.cuda.is_bf16_supported()}")


def timed(fn, reps=3):
    fn(); torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / reps


if "1" in parts:
    from torchvision.ops import deform_conv2d as tv_deform
    torch.manual_seed(0)
    B, C, H, W, G = (2, 64, 64, 64, 8) if not QUICK else (1, 16, 16, 16, 2)
    x = torch.rand(B, C, H, W, device=dev, requires_grad=True)
    off = (torch.randn(B, 2 * G * 9, H, W, device=dev) * 2).requires_grad_()
    msk = torch.rand(B, G * 9, H, W, device=dev, requires_grad=True)
    w = (torch.randn(C, C, 3, 3, device=dev) * 0.05).requires_grad_()
    res = {}
    x64, off64, msk64, w64 = (t.detach().double().requires_grad_() for t in (x, off, msk, w))
    g64 = [torch.autograd.grad(fn(x64, off64, w64, None, 1, 1, 1, mask=msk64).square().sum(), (x64, off64, msk64, w64))
           for fn in (tv_deform, deform_conv2d)]
    print("(1) float64 on CUDA, relative gradient differences (x, offset, mask, weight): "
          + ", ".join(f"{(a - b).abs().max() / b.abs().max():.1e}" for a, b in zip(*g64)))
    for name, fn in (("torchvision", tv_deform), ("vsr_lit", deform_conv2d)):
        y = fn(x, off, w, None, 1, 1, 1, mask=msk)
        grads = torch.autograd.grad(y.square().sum(), (x, off, msk, w))
        res[name] = (y, grads, timed(lambda: fn(x, off, w, None, 1, 1, 1, mask=msk)))
    (y0, g0, t0), (y1, g1, t1) = res["torchvision"], res["vsr_lit"]
    print(f"(1) DCN {B}x{C}x{H}x{W}, G={G}: max|ours - torchvision| output {(y0 - y1).abs().max():.1e}, "
          f"grads (x, offset, mask, weight) {', '.join(f'{(a - b).abs().max() / b.abs().max():.1e}' for a, b in zip(g1, g0))} (relative); "
          f"torchvision {t1 / t0:.2f}x faster than ours on CUDA")

if "2" in parts:
    names = ["edvr_m_tiny"] if QUICK else ["edvr_m", "edvr_plus", "dksan_x4", "d3drrn", "edvr_l"]
    h, w = (64, 64) if QUICK else (180, 320)
    print(f"(2) full-size models at 1xTx3x{h}x{w} LR (frames/s; ratios against fp32 on this GPU)")
    for name in names:
        torch.manual_seed(0)
        m = get_model(name).eval()
        with torch.no_grad():      # non-zero offsets, as in a trained model
            for n, p in m.named_parameters():
                if "conv_offset" in n: p.normal_(0, 0.01)
        x = torch.rand(1, m.num_frames, 3, h, w)
        with torch.no_grad():
            cpu = m(x[..., :64, :64])
            m = m.to(dev); xd = x.to(dev)
            gpu = m(xd[..., :64, :64])
            ref = m(xd)
            row, base, err = [], None, {}
            for dt in ("fp32", "bf16", "fp16"):
                torch.cuda.reset_peak_memory_stats()
                with torch.autocast("cuda", dtype={"bf16": torch.bfloat16, "fp16": torch.float16}.get(dt), enabled=dt != "fp32"):
                    t = timed(lambda: m(xd))
                    err[dt] = (m(xd).float() - ref).abs().max().item()
                base = base or t
                row.append(f"{dt} {1 / t:6.1f} ({base / t:.2f}x, {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB)")
        print(f"  {name:<10} |cuda fp32 - cpu| {(gpu.cpu() - cpu).abs().max():.1e}; " + "; ".join(row)
              + f"; max|bf16 - fp32| {err['bf16']:.1e}, max|fp16 - fp32| {err['fp16']:.1e}")

if "3" in parts:
    from vsr_lit.train import Learner, MixedPrecision, GradClip, Checkpoint
    from vsr_lit.datasets import SyntheticClipDataset
    name, batch, patch, steps = ("edvr_m_tiny", 2, 32, 6) if QUICK else ("edvr_m", 8, 256, 60)
    ds = SyntheticClipDataset(400, 5, patch, 4)

    def learner(out):
        return Learner(get_model(name), ds, preset="edvr", batch_size=batch, steps=steps, seed=0, device="cuda",
                       cbs=[MixedPrecision(), GradClip(1.0), Checkpoint(out)])
    with tempfile.TemporaryDirectory() as d:
        torch.cuda.reset_peak_memory_stats()
        ln = learner(d + "/a")
        ln.fit(steps // 2)
        torch.cuda.synchronize(); t0 = time.perf_counter()
        ln.fit(steps)
        torch.cuda.synchronize(); dt = (time.perf_counter() - t0) / (steps - steps // 2)
        full = list(ln.losses)
        again = learner(d + "/c").fit(steps).losses        # a second uninterrupted run: is CUDA training deterministic?
        rs = learner(d + "/b")
        rs.fit(steps // 3); rs.save()
        rs2 = learner(d + "/b").load()
        rs2.fit(steps)
        print(f"(3) {name} AMP training, batch {batch}, GT patch {patch}: {1 / dt:.2f} steps/s "
              f"({batch / dt:.1f} windows/s), peak {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB; "
              f"loss first 5 {sum(full[:5]) / 5:.4f} -> last 5 {sum(full[-5:]) / 5:.4f}; "
              f"resumed run equals the uninterrupted one: {rs2.losses == full} (max diff {max(abs(a - b) for a, b in zip(rs2.losses, full)):.1e}); "
              f"two uninterrupted runs: max diff {max(abs(a - b) for a, b in zip(again, full)):.1e}")
