"""Inference benchmarks, each a ratio measured in this run, on the CPU:

(a) frames per second of each shipped model and of each recurrent tiny model (10-frame clips) at 180x320 LR, and
    relative to bicubic;
(b) peak RSS upscaling a 30-frame against a 300-frame synthetic 180x320 video (streaming: the ratio must stay <= 1.1),
    for h264 (the default output), FFV1 and PNG-folder outputs; peaks are exact (the kernel's high-water mark);
(c) tiled (tile 128, overlap 16) against untiled peak memory at 360x640 LR (bicubic and edvr_m_tiny);
(d) edvr_m_tiny (edvr_m with --edvr-m) at 1x5x3x180x320 on this CPU: fp32 against channels-last fp32 and against bf16
    autocast (native or emulated, as the CPU has it): speed ratios and max output differences;
(e) the EDVR feature cache (each frame's pyramid once, `FeatureCache`) against the windowed forward while streaming
    a 180x320 clip: frames/s of each and the speed-up, for edvr_m_tiny and edvr_m, and the max output difference;
(f) the bicubic pipeline (`upscale_video`, 21 REDS4 LR frames 320x180 -> 1280x720 h264) against the encoder's floor: a
    plain PyAV decode of the input + h264 encode of the very frames `upscale_video` writes (computed beforehand), same
    encoder settings (the ratio must stay <= 1.5); also against a plain decode + swscale bicubic resize + encode
    (other frames: swscale's bicubic output encodes at a different cost); the pipeline's seconds per stage, the
    start-up of the command line, and peak memory of each (fresh processes);
(g) a recurrent model (basicvsr_tiny) streamed in chunks (chunk 10, overlap 2): peak RSS upscaling a 30-frame against
    a 300-frame synthetic 64x96 video (memory flat in the video's length: the ratio must stay <= 1.1);
(h) long jobs: `vsr_lit upscale` (a resumable job: the scan for cuts, segments, the merge) against the plain streaming
    pipeline (`--benchmark` writes nothing, so the plain one is timed through `upscale_video` to a file) in one process,
    and 2 processes x 1 thread (`torchrun --nproc-per-node 2`) against 1 process x 2 threads, wall time of the command,
    edvr_m_tiny on 60 real frames (REDS4's clip, repeated) at 180x320;
(i) ONNX Runtime against PyTorch: every shipped model exported (`OnnxModel`, recurrent ones for the clip's length) and
    streamed through `upscale_video --benchmark` on 10 real 180x320 frames, frames/s of each backend (the export's
    seconds apart) and the largest difference of their 8-bit frames.
Run: .venv/bin/python bench/inference.py [a b c d e f g h i]   (--quick: tiny sizes, bicubic and edvr_m_tiny only, one run each)
"""
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np
import torch

from vsr_lit.data import VideoWriter, data_root, read_frames, iter_video, write_video
from vsr_lit.inference import upscale_video, stream_windows, to_channels_last, quantise
from vsr_lit.runtime import upscale_tiled, FeatureCache
from vsr_lit.models import get_model, is_recurrent, shipped_weights
from _memory import peak_of, child_output


def child(which, *args, lines=False):
    "Measure in a fresh process (peak memory must not include other measurements)."
    out = child_output(__file__, which, *args, quick=QUICK).splitlines()
    return out if lines else float(out[-1])


QUICK = "--quick" in sys.argv
argv = [a for a in sys.argv[1:] if a not in ("--quick", "--edvr-m")]
LR, BIG, FRAMES, RUNS = ((32, 48), (64, 96), (3, 6, 9), 1) if QUICK else ((180, 320), (360, 640), (30, 300, 1000), 3)
TILE = 32 if QUICK else 128
CHUNK, REC_FRAMES = ((2, 1), (3, 9)) if QUICK else ((10, 2), (30, 300))   # (g): chunk, overlap; video lengths
RECURRENT = ["basicvsr_tiny"] if QUICK else ["basicvsr_tiny", "iconvsr_tiny", "basicvsrpp_tiny"]
if len(argv) > 1 and argv[0] == "--child":
    which = argv[1]
    if which == "stream":          # (b) upscale the given synthetic video with bicubic, output kind by name
        src, out_name = Path(argv[2]), argv[3]
        d = Path(tempfile.mkdtemp())
        _, mb = peak_of(lambda: upscale_video(get_model("bicubic"), src, d / out_name, lossless=out_name.endswith(".mkv"), progress=False))
        print(mb)
    elif which == "chunks":        # (g) upscale the given synthetic video with basicvsr_tiny in chunks, to a PNG folder
        src, d = Path(argv[2]), Path(tempfile.mkdtemp())
        torch.manual_seed(0)
        _, mb = peak_of(lambda: upscale_video(get_model("basicvsr_tiny"), src, d / "frames", chunk=CHUNK[0], chunk_overlap=CHUNK[1], progress=False))
        print(mb)
    elif which in ("plain", "floor", "pipeline"):  # (f) seconds, peak MB: decode + resize + encode, decode + encode of our frames, upscale_video
        src, out = Path(argv[2]), Path(tempfile.mkdtemp()) / "out.mp4"
        def encode_x4(frame_of):   # decode src, encode frame_of(decoded frame, i, stream) as h264 at 4x the size
            with av.open(str(src)) as c, av.open(str(out), "w") as o:
                s = c.streams.video[0]
                v = o.add_stream("libx264", rate=s.average_rate)
                v.width, v.height, v.pix_fmt = 4 * s.codec_context.width, 4 * s.codec_context.height, "yuv420p"
                v.options = {"crf": "18", "rc-lookahead": "10"}
                for i, f in enumerate(c.decode(s)):
                    for p in v.encode(frame_of(f, i, v)):
                        o.mux(p)
                for p in v.encode():
                    o.mux(p)
        plain = lambda: encode_x4(lambda f, i, v: f.reformat(width=v.width, height=v.height, format="yuv420p", interpolation="BICUBIC"))
        if which == "floor":       # the frames upscale_video writes, made before the clock starts
            m = get_model("bicubic")
            with torch.no_grad():
                sr = [quantise(m(torch.from_numpy(f).permute(2, 0, 1)[None, None].float().div(255)))[0] for f in iter_video(src)]
        floor = lambda: encode_x4(lambda f, i, v: av.VideoFrame.from_ndarray(sr[i], format="rgb24"))
        st = {}
        fn = {"plain": plain, "floor": floor}.get(which) or (lambda: upscale_video(get_model("bicubic"), src, out, progress=False, stats=st))
        t0 = time.perf_counter()
        _, mb = peak_of(fn)
        print(" ".join(f"{k} {v:.3f}" for k, v in st.get("stages", {}).items()))
        print(time.perf_counter() - t0, mb)
    elif which == "steps":  # (f) where the pipeline's memory goes: peak RSS above start after each step, one frame then all
        src, steps, out = Path(argv[2]), [], Path(tempfile.mkdtemp()) / "out.mp4"
        from vsr_lit.inference import upscale_batch
        m, dev = get_model("bicubic"), torch.device("cpu")
        frames = iter_video(src)
        def step(name, fn):
            r, mb = peak_of(fn)
            steps.append(f"{name} +{mb:.0f}")
            return r
        f0 = step("decode first frame", lambda: next(frames))
        sr = step("model + quantise, first frame (torch's kernels and buffers)", lambda: upscale_batch(m, [[f0]], dev, "fp32"))
        w = VideoWriter(out, 25)
        step("open the h264 encoder, encode the first frame", lambda: w.write(sr[0]))
        def rest():
            for f in frames:
                w.write(upscale_batch(m, [[f]], dev, "fp32")[0])
            w.close()
        step("all other frames (x264 lookahead and threads fill up)", rest)
        print("; ".join(steps))
        print(0)
    elif which == "plainvideo":    # (h) the streaming pipeline to a file, edvr_m_tiny
        from vsr_lit.models import get_model as gm
        t0 = time.perf_counter(); upscale_video(gm("edvr_m_tiny", pretrained=True), Path(argv[2]), Path(argv[3]), progress=False)
        print(time.perf_counter() - t0)
    elif which == "tile":           # (c) model, tile size (0 = untiled) at 360x640 LR
        name, tile = argv[2], int(argv[3])
        m = get_model(name, pretrained=name != "bicubic").eval()
        x = torch.rand(1, m.num_frames, 3, *BIG)
        with torch.no_grad():
            _, mb = peak_of(lambda: upscale_tiled(m, x, tile, 16) if tile else m(x))
        print(mb)
    sys.exit(0)

parts = argv or ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
torch.manual_seed(0)
if "a" in parts:
    print(f"(a) frames per second at {LR[0]}x{LR[1]} LR (CPU, fp32)")
    fps = {}
    for name in ["bicubic", *(["edvr_m_tiny"] if QUICK else shipped_weights()), *RECURRENT]:
        m = get_model(name, pretrained=name in shipped_weights()).eval()
        rec = is_recurrent(m)              # a recurrent model: one pass over a 10-frame clip
        x = torch.rand(1, 10 if rec else m.num_frames, 3, *LR)
        with torch.no_grad():
            m(x)
            t0 = time.perf_counter()
            for _ in range(2):
                m(x)
        fps[name] = 2 * (10 if rec else 1) / (time.perf_counter() - t0)
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
        r = lambda v: f"{v / a:.2f}" if a > 0.05 else "n/a (the shorter run grew by ~0 MB)"   # RSS can stay flat
        print(f"  {codec:<16} {FRAMES[0]} frames {a:5.1f} MB, {FRAMES[1]} frames {b:5.1f} MB: ratio {r(b)}  "
              f"({FRAMES[2]} frames: {c:.1f} MB, {r(c)})")
if "c" in parts:
    for name in ("bicubic", "edvr_m_tiny"):
        u, t = child("tile", name, 0), child("tile", name, TILE)
        print(f"(c) peak memory at {BIG[0]}x{BIG[1]} LR, {name}: untiled {u:.0f} MB, tiled ({TILE}, overlap 16) {t:.0f} MB, "
              f"ratio {t / max(u, 1e-3):.2f}")
if "d" in parts:
    name = "edvr_m_tiny" if QUICK or "--edvr-m" not in sys.argv else "edvr_m"   # edvr_m in bf16 takes minutes on an AVX2 CPU
    m = get_model(name).eval()
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
    y2, t2 = timed(m, True)
    y1, t1 = timed(to_channels_last(m), False)
    print(f"(d) {name} 1x5x3x{LR[0]}x{LR[1]} on this CPU: fp32 {t0:.2f} s; channels-last fp32 {t1:.2f} s: {t0 / t1:.2f}x the speed "
          f"(max |difference| {(y1 - y0).abs().max().item():.1e}); bf16 autocast {t2:.2f} s: {t2 / t0:.2f}x the time "
          f"(max |difference| {(y2 - y0).abs().max().item():.1e})")
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
if "f" in parts:
    tmp = Path(tempfile.mkdtemp())
    reds = data_root() / "REDS4/BIx4/000" if data_root() is not None else None
    if reds is not None and reds.exists():
        frames, what = read_frames(reds), "REDS4 LR frames (clip 000)"
    else:
        rng = np.random.default_rng(0)
        base = torch.nn.functional.interpolate(torch.rand(1, 3, LR[0] // 8, LR[1] // 8), size=LR, mode="bicubic")[0]
        frames = np.stack([np.roll((base.clamp(0, 1) * 255).byte().permute(1, 2, 0).numpy(), 2 * i, 1) for i in range(21)])
        what = "synthetic smooth frames"
    if QUICK:
        frames = frames[:3, :32, :48]
    with VideoWriter(tmp / "in.mkv", 25, lossless=True) as w:
        for f in frames:
            w.write(f)
    n, (h, w_) = len(frames), frames.shape[1:3]
    runs = {k: [] for k in ("plain", "floor", "pipeline")}
    for _ in range(RUNS):                   # interleaved, so that a slow spell of the machine hits all three
        for k in runs:
            runs[k].append(child(k, tmp / "in.mkv", lines=True))
    med = {k: (np.median([float(r[-1].split()[0]) for r in v]), np.median([float(r[-1].split()[1]) for r in v])) for k, v in runs.items()}
    (tp, mp), (tf, mf), (tq, mq) = med["plain"], med["floor"], med["pipeline"]
    print(f"(f) {n} {what}, {w_}x{h} -> {4 * w_}x{4 * h} h264 crf 18 (median of {RUNS} fresh processes each):")
    print(f"    plain PyAV decode + encode of the frames upscale_video writes: {n / tf:.2f} frames/s, peak +{mf:.0f} MB")
    print(f"    plain PyAV decode + swscale bicubic + encode:                  {n / tp:.2f} frames/s, peak +{mp:.0f} MB")
    print(f"    vsr_lit upscale_video (bicubic):                               {n / tq:.2f} frames/s, peak +{mq:.0f} MB: "
          f"{tq / tf:.2f}x the time of decode + encode of the same frames ({tq / tp:.2f}x the swscale pipeline's); "
          f"stages (s): {runs['pipeline'][len(runs['pipeline']) // 2][0]}")
    print(f"    memory, step by step (MB, each above the RSS before it): {child('steps', tmp / 'in.mkv', lines=True)[0]}")
    if not QUICK:
        import subprocess
        code = "import vsr_lit.cli; from vsr_lit.models import get_model; get_model('bicubic')"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        start = time.perf_counter() - t0
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "vsr_lit.cli", "upscale", str(tmp / "in.mkv"), str(tmp / "cli.mp4"), "--model", "bicubic", "--quiet"],
                       check=True, capture_output=True)
        wall = time.perf_counter() - t0
        print(f"    the command line: {wall:.2f} s wall for the {n} frames, of which start-up (Python, torch, vsr_lit imports) {start:.2f} s")
if "g" in parts:
    print(f"(g) peak RSS above start while upscaling a synthetic {REC_FRAMES[0]}- and {REC_FRAMES[1]}-frame 64x96 video with basicvsr_tiny "
          f"in chunks of {CHUNK[0]} (overlap {CHUNK[1]}), to PNG frames (median of {RUNS} runs)")
    tmp = Path(tempfile.mkdtemp())
    base = np.random.default_rng(1).integers(0, 256, (64, 96, 3), dtype=np.uint8)
    mb = {}
    for n in REC_FRAMES:
        with VideoWriter(tmp / f"rec{n}.mkv", 25, lossless=True) as w:
            for i in range(n):
                w.write(np.roll(base, i, axis=1))
        mb[n] = float(np.median([child("chunks", tmp / f"rec{n}.mkv") for _ in range(RUNS)]))   # fresh processes
    a, b = (mb[n] for n in REC_FRAMES)
    print(f"  {REC_FRAMES[0]} frames {a:.1f} MB, {REC_FRAMES[1]} frames {b:.1f} MB: ratio "
          + (f"{b / a:.2f}" if a > 0.05 else "n/a (the shorter run grew by ~0 MB)"))
if "h" in parts:
    import os, subprocess
    n, size = (12, (64, 96)) if QUICK else (60, (180, 320))
    print(f"(h) long jobs: edvr_m_tiny on {n} real frames at {size[0]}x{size[1]} (wall seconds of each command, best of {RUNS})")
    tmp = Path(tempfile.mkdtemp())
    reds = read_frames(data_root() / "REDS4/BIx4/000")[:, :size[0], :size[1]]
    write_video(np.concatenate([reds] * (n // len(reds) + 1))[:n], tmp / "in.mp4", crf=12)
    bin_ = Path(sys.executable).parent
    def wall(cmd, threads):
        best = float("inf")
        for r in range(RUNS):
            out = tmp / f"o{r}.mp4"; t0 = time.perf_counter()
            subprocess.run([*cmd, str(tmp / "in.mp4"), str(out), "--model", "edvr_m_tiny", "--quiet", "--overwrite"], check=True,
                           capture_output=True, env={**os.environ, "OMP_NUM_THREADS": str(threads)})
            best = min(best, time.perf_counter() - t0)
        return best
    job2 = wall([str(bin_ / "vsr_lit"), "upscale"], 2)
    ranks = wall([str(bin_ / "torchrun"), "--standalone", "--nproc-per-node", "2", "-m", "vsr_lit", "upscale"], 1)
    plain = min(float(child("plainvideo", tmp / "in.mp4", tmp / f"p{r}.mp4")) for r in range(RUNS))
    print(f"  the job (1 process, 2 threads) {job2:.1f} s; 2 processes x 1 thread {ranks:.1f} s: ratio (2x1 / 1x2) {ranks / job2:.2f}")
    print(f"  the streaming pipeline alone (in-process, no start-up) {plain:.1f} s: the job with start-up, scan and merge / pipeline {job2 / plain:.2f}")
if "i" in parts:
    from vsr_lit.export import OnnxModel
    import onnxruntime
    n, size = (3, (32, 48)) if QUICK else (10, (180, 320))
    names = ["edvr_m_tiny"] if QUICK else shipped_weights()                  # --quick: one export (each takes ~50 s)
    print(f"(i) ONNX Runtime {onnxruntime.__version__} against PyTorch {torch.__version__}: upscale_video --benchmark, "
          f"{n} real frames at {size[0]}x{size[1]}, fp32, {torch.get_num_threads()} threads")
    tmp = Path(tempfile.mkdtemp())
    reds = read_frames(data_root() / "REDS4/BIx4/000")[:n, :size[0], :size[1]]
    write_video(reds, tmp / "in.mp4", crf=0)
    for name in names:
        m = get_model(name, pretrained=True).eval()
        fps, outs = {}, {}
        ort_m = OnnxModel(m, frames=n if is_recurrent(m) else None)
        for backend, model in (("torch", m), ("onnxruntime", ort_m)):
            st = {}
            upscale_video(model, tmp / "in.mp4", benchmark=True, progress=False, dtype="fp32", stats=st)   # warm-up
            upscale_video(model, tmp / "in.mp4", benchmark=True, progress=False, dtype="fp32", stats=st)
            fps[backend] = st["fps"]
            upscale_video(model, tmp / "in.mp4", tmp / f"{backend}", progress=False, dtype="fp32", overwrite=True)
            outs[backend] = read_frames(tmp / f"{backend}").astype(int)
        diff = np.abs(outs["torch"] - outs["onnxruntime"]).max()
        print(f"  {name:<19} PyTorch {fps['torch']:5.2f} frames/s, ONNX Runtime {fps['onnxruntime']:5.2f} "
              f"(ratio {fps['onnxruntime'] / fps['torch']:.2f}); export {sum(ort_m.export_seconds):.0f} s; "
              f"8-bit frames differ by at most {diff} level")
