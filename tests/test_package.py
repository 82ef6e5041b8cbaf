"""Package-level tests: the public API contract, the install, the committed data and the README."""
import importlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent

# the public API: names that users and the notebooks rely on
API = {
    "vsr_lit.metrics": ["rgb_to_y", "mse", "psnr", "ssim"],
    "vsr_lit.resize": ["imresize", "upsample_bicubic", "resize_matrix", "cubic"],
    "vsr_lit.data": ["read_frames", "write_frames", "write_atomic", "read_video", "write_video", "degrade_bi", "degrade_bd"],
    "vsr_lit.datasets": ["window_indices", "VideoFolderDataset", "Vimeo90KDataset", "REDSDataset", "paired_random_crop", "augment",
                         "synthetic_clip", "SyntheticClipDataset", "MixedDataset", "training_set", "validation_set", "CenterCropWindows"],
    "vsr_lit.layers": ["ResidualBlockNoBN", "ChannelAttention", "RCAB", "PixelShuffleUpsampler", "UpsampleHead", "AttentionGate"],
    "vsr_lit.deform": ["sample_pixels", "deform_conv2d", "DCNv2Pack", "set_dcn_impl"],
    "vsr_lit.utils": ["count_params", "conv_macs", "default_device", "load_state_dict_file", "check_state_dict", "load_strict", "load_file_object", "ARCHITECTURES", "architecture", "is_recurrent",
                      "MODELS", "register_model"],
    "vsr_lit.testing": ["deform_conv2d_naive", "deform_conv3d_naive", "deform_kernel_conv2d_naive", "real_window", "overfit_window"],
    "vsr_lit.mfe": ["MFE"],
    "vsr_lit.attention": ["TemporalAttention", "ChannelAttention3d", "SpatialAttention3d", "MultiAttention"],
    "vsr_lit.backprojection": ["DeformConv3d", "UpProjection3d", "DownProjection3d", "ABP", "RecursiveUnit"],
    "vsr_lit.d3drrn": ["D3DRRN"],
    "vsr_lit.pcd_tsa": ["PCDAlignment", "TSAFusion", "PredeblurModule"],
    "vsr_lit.edvr": ["EDVRTrunk", "EDVR"],
    "vsr_lit.edvr_plus": ["ImprovedEDVR", "RigidConvBlock", "FeatureEnhanceBlock", "Temporal3DFusion", "CAReconstructionBlock"],
    "vsr_lit.dkc": ["DeformKernelConv2d", "DKCAlign", "DKSA"],
    "vsr_lit.upscalers": ["CascadeUpscaler", "UpscaleModule"],
    "vsr_lit.dksan": ["DKSAN"],
    "vsr_lit.flow": ["flow_warp", "SpyNet", "load_spynet", "photometric_loss", "smoothness_loss", "fit_flow", "flow_to_rgb"],
    "vsr_lit.flow_pretrain": ["flow_pairs", "warping_error", "pretrain_spynet", "FlowPairs", "UnsupervisedFlow", "TeacherLoss", "WarpingErrorLog"],
    "vsr_lit.basicvsr": ["BasicVSR", "ConvResidualBlocks", "clip_flows"],
    "vsr_lit.iconvsr": ["IconVSR", "EDVRFeatureExtractor"],
    "vsr_lit.basicvsrpp": ["BasicVSRPlusPlus", "SecondOrderDeformableAlignment"],
    "vsr_lit.realbasicvsr": ["RealBasicVSR"],
    "vsr_lit.degradations": ["blur_kernel", "filter_clip", "resize_clip", "gaussian_noise", "poisson_noise", "jpeg_clip", "video_compress", "RealDegradation",
                             "RealDegradedClips", "degrade_folder", "unsharp_mask", "VideoDegradation", "BicubicDegradation",
                             "DegradationMix", "mixed_degradation", "DEGRADATIONS"],
    "vsr_lit.checkpoints": ["from_checkpoint", "read_checkpoint", "save_weights", "describe_checkpoint", "mmagic_to_ours",
                            "MMAGIC_NAMES", "detect_architecture", "WeightsFile"],
    "vsr_lit.models": ["Bicubic", "get_model", "list_models", "is_recurrent", "from_checkpoint"],
    "vsr_lit.train": ["charbonnier_loss", "Learner", "Callback", "ProgressBar", "LivePlot", "GradClip", "EMA", "Validate",
                      "Checkpoint", "MixedPrecision", "Compile", "DDP", "FusionWarmup", "save_checkpoint", "load_checkpoint",
                      "CancelFitException", "CancelStepException"],
    "vsr_lit.evaluate": ["evaluate_dataset"],
    "vsr_lit.runtime": ["upscale_tiled", "FeatureCache", "resolve_dtype", "cpu_has_native_bf16"],
    "vsr_lit.inference": ["upscale_video", "UpscaleOptions", "run_segment", "segment_reads", "stream_windows", "stream_chunks",
                          "FrameSink", "CompiledModel"],
    "vsr_lit.roofline": ["counting_flops", "count_flops", "conv_rate", "conv_peak", "roofline_row", "module_profile"],
    "vsr_lit.export": ["onnx_bytes", "export_onnx", "OnnxModel", "onnx_parity", "onnx_metadata", "ONNX_OPSET"],
    "vsr_lit.scenes": ["thumbnail", "cut_scores", "find_cuts", "shots", "scene_cuts", "read_cut_file"],
    "vsr_lit.jobs": ["upscale_job", "plan_segments", "plan_job", "segment_length", "segment_sink", "Journal", "check_journal",
                     "input_identity", "weights_hash", "scan_source", "merge_segments", "JOURNAL_FORMAT"],
    "vsr_lit.cli": ["main"],
}


@pytest.mark.parametrize("module", sorted(API))
def test_public_api(module):
    mod = importlib.import_module(module)
    missing = [n for n in API[module] if not hasattr(mod, n)]
    assert not missing, f"{module} lacks {missing}"
    assert set(API[module]) <= set(mod.__all__), f"{module}.__all__ lacks {set(API[module]) - set(mod.__all__)}"


def test_naive_references_are_not_in_the_model_modules():
    "The slow references live in vsr_lit.testing only."
    for module in ("vsr_lit.deform", "vsr_lit.pcd_tsa", "vsr_lit.backprojection", "vsr_lit.dkc"):
        leaked = [n for n in importlib.import_module(module).__all__ if n.endswith("_naive")]
        assert not leaked, f"{module} exports {leaked}"


def test_module_docstrings_are_sentences():
    "Each module's docstring (the notebook's summary line) is a complete sentence."
    for f in sorted((ROOT / "vsr_lit").glob("*.py")):
        if f.name.startswith("_"):
            continue
        doc = importlib.import_module(f"vsr_lit.{f.stem}").__doc__ or ""
        assert doc.rstrip().endswith((".", ")", "`")), f"{f.name}: docstring ends mid-sentence: ...{doc[-60:]!r}"


def test_exported_modules_are_generated():
    for f in (ROOT / "vsr_lit").glob("*.py"):
        if f.name in ("__init__.py", "_modidx.py"):
            continue
        assert "AUTOGENERATED" in "".join(f.read_text().splitlines()[:3]), f"{f} was not exported by nbdev"


def test_import_from_elsewhere(tmp_path):
    "The installed package works outside the repository (no reliance on the cwd)."
    code = ("import numpy as np, torch; from vsr_lit.metrics import psnr; from vsr_lit.resize import imresize; "
            "from vsr_lit.models import get_model; x = torch.rand(1, 3, 3, 8, 8); "
            "print(get_model('bicubic')(x).shape)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "torch.Size([1, 3, 32, 32])" in out.stdout


def test_data_excerpt():
    "The committed excerpt: 7 frames of each Vid4 clip (GT and BIx4), under 25 MB, matching pairs."
    from vsr_lit.data import read_frames
    data = ROOT / "data"
    size = sum(p.stat().st_size for p in data.rglob("*") if p.is_file())
    assert size < 25e6, f"data/ is {size / 1e6:.1f} MB"
    for clip in ["calendar", "city", "foliage", "walk"]:
        gt, lr = read_frames(data / "Vid4/GT" / clip), read_frames(data / "Vid4/BIx4" / clip)
        assert len(gt) == len(lr) == 7 and gt.shape[1] == 4 * lr.shape[1]
    assert (data / "README.md").exists()


def test_demo_runs(tmp_path):
    from vsr_lit.evaluate import demo
    res = demo(tmp_path)
    assert set(res["bicubic"].clips) == {"calendar", "city", "foliage", "walk"}
    assert (tmp_path / "vid4_calendar_crops.png").exists()


def test_readme_is_rendered_from_index():
    out = subprocess.run([sys.executable, str(ROOT / "tools/render_readme.py"), "--check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


_RUN_QUICK = """
import runpy, sys
sys.path.insert(0, 'bench')
sys.argv = [sys.argv[1], '--quick']
runpy.run_path(sys.argv[0], run_name='__main__')
"""
BENCH = sorted(p.name for p in (ROOT / "bench").glob("[!_]*.py"))


@pytest.mark.parametrize("name", BENCH)
def test_bench_script_runs_quick(name):
    "Every benchmark runs its smallest case (`--quick`) to the end and prints its results (one process each)."
    out = subprocess.run([sys.executable, "-c", _RUN_QUICK, f"bench/{name}"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    assert out.stdout.strip(), f"bench/{name} --quick printed nothing"
    expected = {"inference.py": "ratio", "dcn.py": "max |ours - torchvision|"}.get(name)
    assert expected is None or expected in out.stdout, out.stdout[-2000:]


def test_console_script_help():
    "The installed `vsr_lit` command answers --help for each subcommand."
    import shutil
    exe = shutil.which("vsr_lit") or str(Path(sys.executable).parent / "vsr_lit")
    for sub in ([], ["train"], ["eval"], ["models"], ["upscale"]):
        out = subprocess.run([exe, *sub, "--help"], capture_output=True, text=True)
        assert out.returncode == 0 and "usage: vsr_lit" in out.stdout, out.stderr


def test_upscale_ctrl_c_leaves_the_destination_untouched(tmp_path):
    "A real SIGINT to `vsr_lit upscale --overwrite`: exit status 130, the earlier output byte for byte, the work kept for --resume."
    import shutil
    import signal
    import time
    from vsr_lit.data import write_video
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (72, 128, 3), dtype=np.uint8)
    write_video(np.stack([np.roll(base, i, axis=1) for i in range(300)]), tmp_path / "in.mkv", fps=25, lossless=True)
    out = tmp_path / "out.mp4"
    write_video(base[None].repeat(2, 0), out, fps=25)                  # an earlier result that must survive
    before = out.read_bytes()
    exe = shutil.which("vsr_lit") or str(Path(sys.executable).parent / "vsr_lit")
    proc = subprocess.Popen([exe, "upscale", str(tmp_path / "in.mkv"), str(out), "--model", "edvr_m_tiny", "--quiet", "--overwrite"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    journal = tmp_path / ".out.mp4.journal"
    while not (journal / "manifest.json").exists() and proc.poll() is None:   # the job's plan is written after the scan
        time.sleep(0.05)
    assert proc.poll() is None, "upscale finished before it could be interrupted: " + proc.stderr.read()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "--resume" in err, err
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.mp4.journal", "in.mkv", "out.mp4"]
    assert not [p for p in journal.iterdir() if p.name.startswith(".") and p.name != ".lock"]   # no partial segment left


def test_console_script_exit_status(tmp_path):
    "Successful commands exit 0 and print nothing on stderr but progress; errors exit 2 with one line."
    import shutil
    exe = shutil.which("vsr_lit") or str(Path(sys.executable).parent / "vsr_lit")
    ok = subprocess.run([exe, "models"], capture_output=True, text=True)
    assert ok.returncode == 0 and "edvr_m_tiny" in ok.stdout, ok.stderr
    ev = subprocess.run([exe, "eval", "--model", "bicubic", "--data", str(ROOT / "data" / "Vid4"), "--quiet",
                         "--csv", str(tmp_path / "r.csv")], capture_output=True, text=True)
    assert ev.returncode == 0 and "average" in ev.stdout and "EvalResult" not in ev.stderr, ev.stderr
    assert (tmp_path / "r.csv").read_text().splitlines()[-1].startswith("average,28,")
    bad = subprocess.run([exe, "upscale", str(tmp_path / "missing.mp4"), str(tmp_path / "o.mp4"), "--model", "bicubic"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "does not exist" in bad.stderr and "Traceback" not in bad.stderr, bad.stderr
