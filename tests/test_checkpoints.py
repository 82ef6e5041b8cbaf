"""Checkpoints as users have them: MMagic's and BasicSR's reference files, saved to disk, through `from_checkpoint`,
`vsr_lit inspect`, `vsr_lit convert` and `vsr_lit upscale --weights` (no `--model`)."""
import contextlib
import io

import numpy as np
import pytest
import torch

from vsr_lit.checkpoints import from_checkpoint
from vsr_lit.cli import main
from vsr_lit.data import excerpt_root, read_frames, write_frames
from vsr_lit.models import get_model, is_recurrent, shipped_weights
from vsr_lit.testing import fixtures_root

MMAGIC = fixtures_root() / "mmagic_x4.pth"
BASICSR = ["edvr_m_x4.pt", "basicvsr_x4.pt", "iconvsr_x4.pt", "basicvsrpp_x4.pt"]
needs = lambda f: pytest.mark.skipif(not (fixtures_root() / f).exists(), reason=f"reference fixture {f} not available")
# settings the files do not store, as the fixtures were made with them (the defaults otherwise)
SETTINGS = {"realbasicvsr": {"dynamic_refine_thres": 255}, "iconvsr_x4.pt": {"keyframe_stride": 3}}
ARCH = {"edvr": "EDVR", "basicvsr": "BasicVSR", "basicvsrpp": "BasicVSR++", "realbasicvsr": "RealBasicVSR",
        "edvr_m_x4.pt": "EDVR", "basicvsr_x4.pt": "BasicVSR", "iconvsr_x4.pt": "IconVSR", "basicvsrpp_x4.pt": "BasicVSR++"}


def _files(tmp_path, only=None):
    "Every reference checkpoint (or the one named `only`) as a file on disk: (name, path, input, expected output)."
    out = []
    if MMAGIC.exists():
        for name, f in torch.load(MMAGIC, weights_only=True).items():
            if only not in (None, name): continue
            torch.save(f["checkpoint"], tmp_path / f"{name}_mmagic.pth")     # exactly what MMagic saves
            out.append((name, tmp_path / f"{name}_mmagic.pth", f["input"], f["output"]))
    for name in BASICSR:
        if only in (None, name) and (fixtures_root() / name).exists():
            f = torch.load(fixtures_root() / name, weights_only=True)
            torch.save({"params": f["state_dict"]}, tmp_path / name)          # as BasicSR saves a network
            out.append((name, tmp_path / name, f["input"], f["output"]))
    return out


def _run(argv) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(argv) == 0
    return out.getvalue()


@needs("mmagic_x4.pth")
def test_reference_files_load_from_disk_and_match(tmp_path):
    "File in, model out: each output within 1e-4 of MMagic's / BasicSR's, with only the unstored settings given."
    for name, path, x, y in _files(tmp_path):
        model = from_checkpoint(path, **SETTINGS.get(name, {}))
        assert model.checkpoint["architecture"] == ARCH[name], (name, model.checkpoint)
        assert model.checkpoint["format"] == ("MMagic" if "mmagic" in path.name else "BasicSR"), (name, model.checkpoint)
        with torch.no_grad():
            d = (model(x) - y).abs().max().item()
        assert d <= 1e-4, (name, d)


@needs("mmagic_x4.pth")
@pytest.mark.parametrize("which", sorted(ARCH))
def test_inspect_convert_and_upscale_each_file(tmp_path, which):
    "`inspect` names each file's format and architecture; `upscale --weights FILE` (no --model) gives the model's frames; "
    "`convert` to safetensors gives a file that upscales to the same frames."
    files = _files(tmp_path, only=which)
    if not files: pytest.skip(f"the reference fixture of {which} is not available")
    clip = read_frames(excerpt_root() / "Vid4/BIx4/calendar")[:, 40:104, 60:124]      # 7 real LR frames, 64x64
    write_frames(clip, tmp_path / "clip")
    x = torch.from_numpy(clip).permute(0, 3, 1, 2).float()[None] / 255
    for name, path, _, _ in files:
        tag = name.removesuffix(".pt")
        said = _run(["inspect", str(path)])
        assert ARCH[name] in said and ("MMagic" if "mmagic" in path.name else "BasicSR") in said, said
        sets = [a for k, v in SETTINGS.get(name, {}).items() for a in ("--set", f"{k}={v}")]
        _run(["upscale", str(tmp_path / "clip"), str(tmp_path / f"sr_{tag}"), "--weights", str(path), "--quiet", *sets])
        sr = read_frames(tmp_path / f"sr_{tag}").astype(np.int16)
        assert sr.shape == (7, 256, 256, 3), (name, sr.shape)
        model = from_checkpoint(path, **SETTINGS.get(name, {}))
        with torch.no_grad():
            ref = model(x)[0] if is_recurrent(model) else model(x[:, 1:6])          # window models: frame 3's full window
        ref = (ref.clamp(0, 1) * 255).round().permute(0, 2, 3, 1).numpy().astype(np.int16)
        got = sr if is_recurrent(model) else sr[3:4]
        assert np.abs(got - ref).max() <= 1, (name, np.abs(got - ref).max())        # 8-bit rounding of ~1e-6 differences
        _run(["convert", str(path), str(tmp_path / f"{tag}.safetensors"), *sets])
        _run(["upscale", str(tmp_path / "clip"), str(tmp_path / f"st_{tag}"), "--weights", str(tmp_path / f"{tag}.safetensors"), "--quiet"])
        assert np.array_equal(read_frames(tmp_path / f"st_{tag}"), sr.astype(np.uint8)), name


def test_shipped_weights_are_safetensors_with_their_configuration():
    "Every shipped model loads from its .safetensors file alone, as the registered model with the shipped weights."
    from vsr_lit.models import WEIGHTS_DIR
    assert shipped_weights() and not list(WEIGHTS_DIR.glob("*.pt"))
    for name in shipped_weights():
        model = from_checkpoint(WEIGHTS_DIR / f"{name}.safetensors")
        assert model.checkpoint["format"] == "vsr_lit" and model.registry_name == name
        ref = get_model(name, pretrained=True).state_dict()
        assert all(torch.equal(ref[k], v) for k, v in model.state_dict().items()), name


@pytest.mark.skipif("realbasicvsr_tiny" not in shipped_weights(), reason="realbasicvsr_tiny's weights are not shipped")
def test_upscale_realbasicvsr_tiny_on_a_video(tmp_path):
    "`vsr_lit upscale --model realbasicvsr_tiny` on a compressed video, in chunks as the other recurrent models: every frame, ×4."
    from vsr_lit.data import read_video, write_video
    shot = read_frames(excerpt_root() / "Train/bike-packing")[:, :64, :96]
    write_video(shot, tmp_path / "in.mp4", crf=35)
    _run(["upscale", str(tmp_path / "in.mp4"), str(tmp_path / "out.mp4"), "--model", "realbasicvsr_tiny", "--chunk", "4",
          "--chunk-overlap", "2", "--quiet"])
    out = read_video(tmp_path / "out.mp4")
    assert out.shape == (7, 256, 384, 3), out.shape
    whole = get_model("realbasicvsr_tiny", pretrained=True).eval()
    with torch.no_grad():
        ref = whole(torch.from_numpy(read_video(tmp_path / "in.mp4")).permute(0, 3, 1, 2).float()[None] / 255)[0]
    ref = (ref.clamp(0, 1) * 255).round().permute(0, 2, 3, 1).numpy()
    assert np.abs(out.astype(float) - ref).mean() < 3, np.abs(out.astype(float) - ref).mean()   # h264 output vs the whole-clip run
