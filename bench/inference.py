"""Inference benchmarks, each a ratio measured in this run, on the CPU:

(a) frames per second of each shipped model at 180x320 LR, and relative to bicubic;
(b) peak RSS upscaling a 30-frame against a 300-frame synthetic 180x320 video (streaming: the ratio must stay <= 1.1),
    for h264 (the default output), FFV1 and PNG-folder outputs; peaks are exact (the kernel's high-water mark);
(c) tiled (tile 128, overlap 16) against untiled peak memory at 360x640 LR (bicubic and edvr_m_tiny);
(d) edvr_m at 1x5x3x180x320: eager fp32 against channels_last + bf16 autocast: speed ratio and max output difference;
(e) the EDVR feature cache (each frame's pyramid once, `FeatureCache`) against the windowed forward while streaming
    a 180x320 clip: frames/s of each and the speed-up, for edvr_m_tiny and edvr_m, and the max output difference.
Run: .venv/bin/python bench/inference.py [a b c d]   (--quick: tiny sizes, bicubic and edvr_m_tiny only, one run each)
"""
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from vsr_lit.data import VideoWriter
from vsr_lit.inference import upscale_video, upscale_tiled, stream_windows, FeatureCache
from vsr_lit.models import get_model, shipped_weights
from _memory import peak_of, child_output


def child(which, *args):
    "Measure in a fresh process (peak memory must not include other measurements)."
    return float(child_output(__file__, which, *args, quick=QUICK).splitlines()[-1])


QUICK = "--quick" in sys.argv
argv = [a for a in sys.argv[1:] if a != "--quick"]
LR, BIG, FRAMES, RUNS = ((32, 48), (64, 96), (3, 6, 9), 1) if QUICK else ((180, 320), (360, 640), (30, 300, 1000), 3)
TILE = 32 if QUICK else 128
if len(argv) > 1 and argv[0] == "--child":
    which = argv[1]
    if which == "stream":          # (b) upscale the given synthetic video with bicubic, output kind by name
        src, out_name = Path(argv[2]), argv[3]
        d = Path(tempfile.mkdtemp())
        _, mb = peak_of(lambda: upscale_video(get_model("bicubic"), src, d / out_name, lossless=out_name.endswith(".mkv"), progress=False))
        print(mb)
    elif which == "tile":           # (c) model, tile size (0 = untiled) at 360x640 LR
        name, tile = argv[2], int(argv[3])
        m = get_model(name, pretrained=name != "bicubic").eval()
        x = torch.rand(1, m.num_frames, 3, *BIG)
        with torch.no_grad():
            _, mb = peak_of(lambda: upscale_tiled(m, x, tile, 16) if tile else m(x))
        print(mb)
    sys.exit(0)

parts = argv or ["a", "b", "c", "d", "e"]
torch.manual_seed(0)
if "a" in parts:
    print(f"(a) frames per second at {LR[0]}x{LR[1]} LR (CPU, fp32)")
    fps = {}
    for name in ["bicubic", *(["edvr_m_tiny"] if QUICK else shipped_weights())]:
        m = get_model(name, pretrained=name != "bicubic").eval()
        x = torch.rand(1, m.num_frames, 3, *LR)
        with torch.no_grad():
            m(x)
            t0 = time.perf_counter()
            for _ in range(2):
                m(x)
        fps[name] = 2 / (time.perf_counter() - t0)
        print(f"  {name:<16}{fps[name]:8.2f} frames/s   {fps[name] / fps['bicubic']:.3f}x bicubic's speed")
if "b" in parts:
    # The inputs are written here, frame by frame, so that the measuring process starts clean; each size runs
    # three times in fresh processes (median), and a 1000-frame run shows where the curve goes.
    print(f"(b) peak RSS above start while upscaling a synthetic {LR[0]}x{LR[1]} video x4 with bicubic (median of {RUNS} runs)")
    tmp = Path(tempfile.mkdtemp())
    base = np.random.default_rng(0).integers(0, 256, (*LR, 3), dtype=np.uint8)
    for n in FRAMES:
        with VideoWriter(tmp / f"in{n}.mkv", 25, lossless=True) as w:
            for i in range(n):
                w.write(np.roll(base, i, axis=1))
    for out_name, codec in (("out.mp4", "h264 (default)"), ("out.mkv", "FFV1 lossless"), ("frames", "PNG folder")):
        a, b = (float(np.median([child("stream", tmp / f"in{n}.mkv", out_name) for _ in range(RUNS)])) for n in FRAMES[:2])
        c = child("stream", tmp / f"in{FRAMES[2]}.mkv", out_name)
        print(f"  {codec:<16} {FRAMES[0]} frames {a:5.1f} MB, {FRAMES[1]} frames {b:5.1f} MB: ratio {b / a:.2f}  "
              f"({FRAMES[2]} frames: {c:.1f} MB, {c / a:.2f})")
if "c" in parts:
    for name in ("bicubic", "edvr_m_tiny"):
        u, t = child("tile", name, 0), child("tile", name, TILE)
        print(f"(c) peak memory at {BIG[0]}x{BIG[1]} LR, {name}: untiled {u:.0f} MB, tiled ({TILE}, overlap 16) {t:.0f} MB, "
              f"ratio {t / max(u, 1e-3):.2f}")
if "d" in parts:
    m = get_model("edvr_m_tiny" if QUICK else "edvr_m").eval()
    with torch.no_grad():
        for n, p in m.named_parameters():
            if "conv_offset" in n:
                p.normal_(0, 0.01)
    x = torch.rand(1, 5, 3, *LR)
    def timed(model, autocast):
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            model(x)
            t0 = time.perf_counter()
            y = model(x)
        return y.float(), time.perf_counter() - t0
    y0, t0 = timed(m, False)
    y1, t1 = timed(m.to(memory_format=torch.channels_last), True)
    print(f"(d) {'edvr_m_tiny' if QUICK else 'edvr_m'} 1x5x3x{LR[0]}x{LR[1]}: eager fp32 {t0:.2f} s, channels_last + bf16 {t1:.2f} s: {t0 / t1:.2f}x; "
          f"max |difference| {(y1 - y0).abs().max().item():.3f}")
if "e" in parts:
    n_frames = 6 if QUICK else 10
    clip = [torch.rand(3, *LR) for _ in range(n_frames)]
    for name in (["edvr_m_tiny"] if QUICK else ["edvr_m_tiny", "edvr_m"]):
        m = get_model(name).eval()
        with torch.no_grad():
            for n, p in m.named_parameters():
                if "conv_offset" in n:
                    p.normal_(0, 0.01)
            t0 = time.perf_counter()
            windowed = [m(torch.stack(w)[None]) for _, w in stream_windows(clip, m.num_frames)]
            t_win = time.perf_counter() - t0
            cache = FeatureCache(m)
            t0 = time.perf_counter()
            cached = [cache(torch.stack(w)[None], [i]) for _, w, i in stream_windows(clip, m.num_frames, indices=True)]
            t_cache = time.perf_counter() - t0
        err = max((a - b).abs().max().item() for a, b in zip(windowed, cached))
        print(f"(e) {name} {n_frames} frames at {LR[0]}x{LR[1]}: windowed {n_frames / t_win:.2f} frames/s, feature cache "
              f"{n_frames / t_cache:.2f} frames/s: {t_win / t_cache:.2f}x; max |difference| {err:.1e}")
