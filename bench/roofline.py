"""The roofline of every shipped model on this machine, each figure measured in this run (CPU):

- this machine's dense-conv peak: the best GFLOP/s of a large 3x3 convolution (a few sizes, both layouts), fp32 and bf16,
  and the fp32 rate at the tiny models' widths (16, 32 channels);
- for bicubic and every shipped model, 10 real 180x320 frames upscaled x4 end to end (`upscale_video --benchmark`:
  decode, model, quantise): the work per output frame (GFLOP counted by `vsr_lit.roofline`), frames/s, GFLOP/s and
  the fraction of the fp32 peak, and the module that takes most of the model's time with its own rate;
- levers on edvr_m_tiny, each a speed ratio against the default (fp32, channels-last, all threads, eager): 1 thread,
  the contiguous layout, a batch of 2 windows, bf16 autocast, torch.compile (after compiling; the compile time apart),
  ONNX Runtime;
- edvr_m (the full EDVR-M) against BasicSR's EDVR-M as it runs on a CPU (torchvision's deform_conv2d, contiguous
  layout): one 5x180x320 window each, the speed ratio and the max output difference (--no-edvr-m skips it: minutes).
Run: .venv/bin/python bench/roofline.py [--quick] [--no-edvr-m]   (--quick: 3 frames at 32x48, two models, no levers)
"""
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from vsr_lit.data import data_root, excerpt_root, read_frames, write_video
from vsr_lit.deform import set_dcn_impl
from vsr_lit.inference import upscale_video, to_channels_last
from vsr_lit.models import get_model, is_recurrent, shipped_weights
from vsr_lit.roofline import PEAK_SHAPES, conv_peak, conv_rate, module_profile, roofline_row

QUICK = "--quick" in sys.argv
n, size = (3, (32, 48)) if QUICK else (10, (180, 320))
torch.manual_seed(0)
tmp = Path(tempfile.mkdtemp())
reds = data_root() / "REDS4/BIx4/000" if data_root() is not None else None
frames = read_frames(reds) if reds is not None and reds.is_dir() else read_frames(excerpt_root() / "Train/bike-packing")
frames = np.concatenate([frames, frames[::-1]])[:n, :size[0], :size[1]]
write_video(frames, tmp / "lr.mp4", crf=0)
src = tmp / "lr.mp4"

shapes = ((16, *size),) if QUICK else PEAK_SHAPES                                   # --quick: one small shape
peak32, peak16 = conv_peak(torch.float32, shapes), conv_peak(torch.bfloat16, shapes)
print(f"{torch.get_num_threads()} threads; dense 3x3 conv peak: fp32 {peak32['gflops']:.0f} GFLOP/s "
      f"({peak32['shape'][0]} ch at {peak32['shape'][1]}x{peak32['shape'][2]}, {'channels-last' if peak32['channels_last'] else 'contiguous'}), "
      f"bf16 {peak16['gflops']:.0f} GFLOP/s ({peak16['gflops'] / peak32['gflops']:.2f}x fp32)")
if not QUICK:
    print("fp32 rate at narrow widths (180x320, channels-last): "
          + ", ".join(f"{c} ch {conv_rate(c, 180, 320):.0f} GFLOP/s ({conv_rate(c, 180, 320) / peak32['gflops']:.2f} of peak)"
                      for c in (16, 32)))

names = ["bicubic", "edvr_m_tiny", "basicvsr_tiny"] if QUICK else ["bicubic"] + shipped_weights()
print(f"\n{n} frames {size[0]}x{size[1]} -> x4, end to end, fp32")
print(f"{'model':<19}{'GFLOP/frame':>12}{'frames/s':>10}{'GFLOP/s':>9}{'of peak':>9}   the module that takes most of the model's time")
table = {}
for name in names:
    m = get_model(name, pretrained=name != "bicubic").eval()
    r = table[name] = roofline_row(m, src, peak32["gflops"], dtype="fp32")
    held = ""
    if name != "bicubic":
        p = module_profile(to_channels_last(m), torch.rand(1, n if is_recurrent(m) else m.num_frames, 3, *size))
        k, (s, g) = max(p.items(), key=lambda kv: kv[1][0])
        held = f"{k}: {100 * s / sum(v[0] for v in p.values()):.0f}% of the time at {g / s:.0f} GFLOP/s"
    print(f"{name:<19}{r['gflop']:>12.1f}{r['fps']:>10.2f}{r['gflops']:>9.1f}{100 * r['fraction']:>8.1f}%   {held}")

if not QUICK:
    from vsr_lit.export import OnnxModel
    fresh = lambda: get_model("edvr_m_tiny", pretrained=True).eval()
    base = table["edvr_m_tiny"]["fps"]
    lever, threads = {}, torch.get_num_threads()
    torch.set_num_threads(1); lever["1 thread"] = roofline_row(fresh(), src, peak32["gflops"], dtype="fp32")["fps"] / base
    torch.set_num_threads(threads)
    lever["contiguous layout"] = roofline_row(fresh(), src, peak32["gflops"], dtype="fp32", channels_last=False)["fps"] / base
    lever["batch of 2 windows"] = roofline_row(fresh(), src, peak32["gflops"], dtype="fp32", batch=2)["fps"] / base
    lever["bf16 autocast"] = roofline_row(fresh(), src, peak32["gflops"], dtype="bf16")["fps"] / base
    st = {}
    upscale_video(fresh(), src, benchmark=True, progress=False, compile=True, dtype="fp32", stats=st)
    lever["torch.compile (after compiling)"] = (st["frames"] - 1) / (st["seconds"] - st["compile_seconds"]) / base
    lever["ONNX Runtime"] = roofline_row(OnnxModel(fresh()), src, peak32["gflops"])["fps"] / base
    print(f"\nlevers on edvr_m_tiny (speed against the default, {base:.2f} frames/s):")
    for k, v in lever.items(): print(f"  {k:<34}{v:6.2f}x")
    print(f"  (compiling took {st['compile_seconds']:.0f} s, in the first batch)")

if not QUICK and "--no-edvr-m" not in sys.argv:
    x = torch.rand(1, 5, 3, 180, 320)
    ref_model = set_dcn_impl(get_model("edvr_m").eval(), "torchvision")          # BasicSR's EDVR-M on a CPU
    with torch.no_grad():
        for name, p in ref_model.named_parameters():
            if "conv_offset" in name: p.normal_(0, 0.01)                          # offsets as in a trained model
    ours = get_model("edvr_m").eval(); ours.load_state_dict(ref_model.state_dict()); set_dcn_impl(ours, "auto"); to_channels_last(ours)
    def best(m, reps=2):
        with torch.no_grad():
            m(x); t = float("inf")
            for _ in range(reps):
                t0 = time.perf_counter(); y = m(x); t = min(t, time.perf_counter() - t0)
        return t, y
    (t_ref, y_ref), (t_ours, y_ours) = best(ref_model), best(ours)
    fl = __import__("vsr_lit.roofline", fromlist=["count_flops"]).count_flops(ours, x)["total"]
    print(f"\nedvr_m, one 5x180x320 window ({fl:.0f} GFLOP): BasicSR-style (torchvision DCN, contiguous) {t_ref:.2f} s, "
          f"ours (channels-last) {t_ours:.2f} s: {t_ref / t_ours:.2f}x faster; {fl / t_ours:.0f} GFLOP/s = "
          f"{fl / t_ours / peak32['gflops'] * 100:.0f}% of the fp32 peak; max |difference| {(y_ref - y_ours).abs().max():.1e}")
