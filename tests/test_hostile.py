"""Hostile and unlucky files: weights, ONNX files, journals and degraded folders that must be refused cleanly.

Every case builds its files here; each checks the refusal (one line, exit status 2 on the command line) and that
nothing outside the destination and its journal was touched.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from vsr_lit.data import excerpt_root, read_frames, write_frames
from vsr_lit.models import get_model
import vsr_lit.jobs as jobs

BIN = Path(sys.executable).parent


def _cli(*argv):
    "Run the command line; return (exit status, stderr)."
    r = subprocess.run([str(BIN / 'vsr_lit'), *map(str, argv)], capture_output=True, text=True)
    return r.returncode, r.stderr


def _one_line_refusal(rc, err, *words):
    assert rc == 2 and 'Traceback' not in err and len(err.strip().splitlines()) == 1, (rc, err[-1500:])
    for w in words: assert w in err, (w, err)


@pytest.fixture(scope='module')
def clip(tmp_path_factory):
    "Eight real LR frames (two shots), 32x48, as a frame folder."
    d = tmp_path_factory.mktemp('clip')
    frames = np.concatenate([read_frames(excerpt_root() / 'Vid4/BIx4' / c)[:4, 40:72, 40:88] for c in ('calendar', 'city')])
    write_frames(frames, d / 'in')
    return d / 'in'


# ONNX files -------------------------------------------------------------------------------------------------------

def _onnx_file(path: Path, external: str = None, meta: dict = None):
    "A one-node ONNX graph (y = x + w); `w` stored as external data at `external`; vsr_lit metadata `meta`."
    import onnx
    from onnx import helper, TensorProto
    w = helper.make_tensor('w', TensorProto.FLOAT, [1], [0.5])
    if external:
        w.ClearField('float_data'); w.data_location = TensorProto.EXTERNAL
        for k, v in (('location', external), ('offset', '0'), ('length', '4')):
            e = w.external_data.add(); e.key, e.value = k, v
    g = helper.make_graph([helper.make_node('Add', ['lr', 'w'], ['sr'])], 'g',
                          [helper.make_tensor_value_info('lr', TensorProto.FLOAT, [1])],
                          [helper.make_tensor_value_info('sr', TensorProto.FLOAT, [1])], [w])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 19)])
    for k, v in (meta or {}).items():
        p = m.metadata_props.add(); p.key, p.value = k, v
    path.write_bytes(m.SerializeToString())
    return path


META = {'vsr_lit.scale': '4', 'vsr_lit.pad_to': '1', 'vsr_lit.frames': '5', 'vsr_lit.recurrent': '0', 'vsr_lit.model': 'x'}


def test_onnx_external_data_is_refused_before_onnx_runtime_reads_it(tmp_path, clip, monkeypatch):
    from vsr_lit.export import OnnxModel
    (tmp_path / 'secret').mkdir(); (tmp_path / 'secret/key.txt').write_bytes(b'SECRETKEY')
    f = _onnx_file(tmp_path / 'model.onnx', external='secret/key.txt', meta=META)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match='external data'): OnnxModel(f)
    for loc in ('../x', '/etc/passwd'):
        with pytest.raises(ValueError, match='external data'): OnnxModel(_onnx_file(tmp_path / 'm2.onnx', external=loc, meta=META))
    rc, err = _cli('upscale', clip, tmp_path / 'out', '--weights', f, '--quiet')
    _one_line_refusal(rc, err, 'external data')
    assert not (tmp_path / 'out').exists() and not (tmp_path / '.out.journal').exists()


@pytest.mark.parametrize('content, words', [('empty', 'not an ONNX model'), ('random', 'ONNX'),
                                            ('no-meta', "lacks vsr_lit's metadata"), ('scale0', 'bad vsr_lit metadata')])
def test_bad_onnx_files_are_one_line(tmp_path, clip, content, words):
    f = tmp_path / 'm.onnx'
    if content == 'no-meta': _onnx_file(f)
    elif content == 'scale0': _onnx_file(f, meta={**META, 'vsr_lit.scale': '0'})
    else: f.write_bytes(b'' if content == 'empty' else np.random.default_rng(0).bytes(64))
    rc, err = _cli('upscale', clip, tmp_path / 'out', '--weights', f, '--quiet')
    _one_line_refusal(rc, err, words)
    assert not (tmp_path / '.out.journal').exists()


def test_export_refuses_unsupported_opsets_and_folders(tmp_path):
    from vsr_lit.export import export_onnx, onnx_bytes
    with pytest.raises(ValueError, match='opset must be an int from 19'): onnx_bytes(get_model('bicubic'), opset=99)
    (tmp_path / 'd.onnx').mkdir()
    with pytest.raises(ValueError, match='is a folder'): export_onnx(get_model('edvr_m_tiny'), tmp_path / 'd.onnx', overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['d.onnx']                      # nothing partial left


# Weights files ----------------------------------------------------------------------------------------------------

def test_weights_files_that_are_not_weights(tmp_path, clip):
    from vsr_lit.checkpoints import from_checkpoint
    (tmp_path / 'empty.pth').write_bytes(b'')
    (tmp_path / 'noise.pth').write_bytes(os.urandom(256).replace(b'PK', b'pk').lstrip(b'\x80') or b'x')
    with pytest.raises(ValueError, match='is empty'): from_checkpoint(tmp_path / 'empty.pth')
    with pytest.raises(ValueError, match='is not a weights file'): from_checkpoint(tmp_path / 'noise.pth')
    _one_line_refusal(*_cli('inspect', tmp_path / 'noise.pth'), 'not a weights file')


def test_nan_weights_are_refused_naming_the_tensor(tmp_path):
    from vsr_lit.checkpoints import from_checkpoint
    sd = get_model('edvr_m_tiny', pretrained=True).state_dict()
    sd['conv_last.weight'][0, 0, 0, 0] = float('nan')
    torch.save(sd, tmp_path / 'nan.pth')
    with pytest.raises(ValueError, match="'conv_last.weight' holds NaN"): from_checkpoint(tmp_path / 'nan.pth')


def test_settings_are_checked_before_anything_is_built(tmp_path, clip):
    from safetensors.torch import save_file
    from vsr_lit.checkpoints import from_checkpoint
    with pytest.raises(ValueError, match='not a valid value'): get_model('basicvsr_tiny', num_block=10 ** 9)
    m = get_model('basicvsr_tiny', pretrained=True)
    for config, words in (({**m.config, 'num_block': 10 ** 9}, 'not a valid value'), ([], 'must map names to values'),
                          (None, 'must map names to values'), ({'num_feat': 'abc'}, "num_feat='abc'"),
                          ({'bogus': 1}, "no setting 'bogus'")):
        save_file(m.state_dict(), tmp_path / 'w.safetensors',
                  metadata={'format': 'vsr_lit', 'class': 'BasicVSR', 'config': json.dumps(config)})
        with pytest.raises(ValueError, match=words): from_checkpoint(tmp_path / 'w.safetensors')
    save_file(m.state_dict(), tmp_path / 'w.safetensors',                            # another architecture's class
              metadata={'format': 'vsr_lit', 'class': 'EDVR', 'config': json.dumps(m.config)})
    with pytest.raises(ValueError, match="EDVR has no setting"): from_checkpoint(tmp_path / 'w.safetensors')
    _one_line_refusal(*_cli('inspect', tmp_path / 'w.safetensors'), 'EDVR has no setting')
    for pair, words in (('x=y=z', "no setting 'x'"), ('num_feat=abc', "num_feat='abc'")):
        _one_line_refusal(*_cli('upscale', clip, tmp_path / 'o', '--model', 'basicvsr_tiny', '--set', pair, '--quiet'), words)


# Journals ---------------------------------------------------------------------------------------------------------

def _interrupted(model, src, dest, n=4, **kw):
    "A job on `src` interrupted after `n` frames: its journal stays beside `dest`."
    os.environ['VSR_LIT_FAULT'] = f'frames:{n}:interrupt'
    try:
        with pytest.raises(KeyboardInterrupt): jobs.upscale_job(model, src, dest, segment=2, progress=False, **kw)
    finally: del os.environ['VSR_LIT_FAULT']
    return dest.parent / f'.{dest.name}.journal'


def test_a_copied_journal_with_a_merged_marker_deletes_nothing(tmp_path, clip):
    model = get_model('bicubic')
    j = _interrupted(model, clip, tmp_path / 'a')                                   # another job's journal...
    shutil.copytree(j, tmp_path / '.precious.journal'); (tmp_path / '.precious.journal/merged').write_text('')
    (tmp_path / 'precious').mkdir(); (tmp_path / 'precious/notes.txt').write_text('mine')
    other = tmp_path / 'other'; write_frames(read_frames(clip)[::-1].copy(), other)
    with pytest.raises(ValueError, match='cannot resume'):                          # ...next to the user's folder
        jobs.upscale_job(model, other, tmp_path / 'precious', segment=2, progress=False, resume=True)
    assert (tmp_path / 'precious/notes.txt').read_text() == 'mine'
    (tmp_path / '.precious.journal/manifest.json').unlink()                          # a marker and no manifest at all
    with pytest.raises(ValueError, match='no manifest.json'):
        jobs.upscale_job(model, other, tmp_path / 'precious', segment=2, progress=False, resume=True)
    assert (tmp_path / 'precious/notes.txt').read_text() == 'mine'


def test_a_journal_never_follows_a_symlink(tmp_path, clip):
    model = get_model('bicubic')
    j = _interrupted(model, clip, tmp_path / 'out')
    victim = tmp_path / 'home'; (victim / '.git').mkdir(parents=True); (victim / '.profile').write_text('x')
    shutil.rmtree(j / 'frames'); (j / 'frames').symlink_to(victim)
    with pytest.raises(ValueError, match='symbolic link'):
        jobs.upscale_job(model, clip, tmp_path / 'out', segment=2, progress=False, resume=True)
    assert sorted(p.name for p in victim.iterdir()) == ['.git', '.profile']


def test_a_journal_without_manifest_is_not_taken_for_ours(tmp_path, clip):
    j = tmp_path / '.out.journal'; (j / 'frames').mkdir(parents=True); (j / '000000.done').write_text('')
    write_frames(read_frames(clip)[:2], j / 'frames')
    with pytest.raises(FileExistsError, match='holds files but no job'):
        jobs.upscale_job(get_model('bicubic'), clip, tmp_path / 'out', progress=False)
    assert not (tmp_path / 'out').exists()


@pytest.mark.parametrize('change, words', [
    (lambda m: m.update(frames=1000), 'timestamps'), (lambda m: m.update(frames='abc'), "frames 'abc'"),
    (lambda m: m.update(segments=m['segments'][:2]), 'segments do not follow'),
    (lambda m: m.update(segments=[[0, 10 ** 12, 0, 10 ** 12]]), 'segments do not follow'),
    (lambda m: m.update(format='2'), "format '2'"), (lambda m: m['segments'][0].__setitem__(0, -1), 'segments do not follow'),
    (lambda m: m.pop('segments'), 'segments do not follow')])
def test_a_damaged_manifest_is_refused(tmp_path, clip, change, words):
    model = get_model('bicubic')
    j = _interrupted(model, clip, tmp_path / 'out')
    m = json.loads((j / 'manifest.json').read_text()); change(m); (j / 'manifest.json').write_text(json.dumps(m))
    with pytest.raises(ValueError, match=words):
        jobs.upscale_job(model, clip, tmp_path / 'out', segment=2, progress=False, resume=True)
    (j / 'manifest.json').write_text('[]')
    with pytest.raises(ValueError, match='not a manifest'):
        jobs.upscale_job(model, clip, tmp_path / 'out', segment=2, progress=False, resume=True)


@pytest.mark.parametrize('out', ['frames', 'video.mkv'])
def test_a_damaged_segment_is_redone(tmp_path, clip, out, capfd):
    from vsr_lit.data import read_video
    model, read = get_model('bicubic'), (read_frames if out == 'frames' else read_video)
    jobs.upscale_job(model, clip, tmp_path / f'whole_{out}', segment=2, progress=False, lossless=True)
    j = _interrupted(model, clip, tmp_path / out, n=6, lossless=True)
    junk = j / 'frames/00000001.png' if out == 'frames' else j / '000000.mkv'
    junk.write_text('not a png, not a video')                                       # junk in a finished segment
    jobs.upscale_job(model, clip, tmp_path / out, segment=2, progress=False, resume=True, lossless=True)
    assert 'segment 0' in capfd.readouterr().err                                     # named, and redone
    np.testing.assert_array_equal(read(tmp_path / out), read(tmp_path / f'whole_{out}'))
    if out == 'frames': assert not any(p.name.startswith('.') for p in (tmp_path / out).iterdir())   # no temporary file


def test_a_second_run_on_the_same_destination_stops_at_once(tmp_path, clip):
    model = get_model('bicubic')
    j = _interrupted(model, clip, tmp_path / 'out')
    first = jobs.Journal(tmp_path / 'out'); first.lock()                            # a run holds the journal
    with pytest.raises(FileExistsError, match='another run is working'):
        jobs.upscale_job(model, clip, tmp_path / 'out', segment=2, progress=False, resume=True)
    os.close(first._lock_fd)
    jobs.upscale_job(model, clip, tmp_path / 'out', segment=2, progress=False, resume=True)
    assert not j.exists() and len(read_frames(tmp_path / 'out')) == 8


# Degraded folders -------------------------------------------------------------------------------------------------

def test_degrade_refuses_its_input_and_foreign_settings(tmp_path):
    from vsr_lit.degradations import degrade_folder
    gt = tmp_path / 'GT'; write_frames(read_frames(excerpt_root() / 'Vid4/GT/calendar')[:2, :64, :64], gt / 'a')
    with pytest.raises(ValueError, match='is the GT folder'): degrade_folder(gt, gt, 'video', progress=False)
    assert sorted(p.name for p in gt.iterdir()) == ['a']
    degrade_folder(gt, tmp_path / 'LR', 'video', seed=0, progress=False)
    with pytest.raises(FileExistsError, match="preset 'video', seed 0"): degrade_folder(gt, tmp_path / 'LR', 'video', seed=1, progress=False)
    assert degrade_folder(gt, tmp_path / 'LR', 'video', seed=1, progress=False, overwrite=True)['written'] == 1
    for _ in range(2):                                                               # an output inside the input: twice
        r = degrade_folder(gt, gt / 'LR', 'video', seed=0, progress=False)
    assert r['clips'] == 1 and r['skipped'] == 1
    (tmp_path / 'T/b').mkdir(parents=True); (tmp_path / 'T/b/00000000.png').write_text('text')
    _one_line_refusal(*_cli('data', 'degrade', tmp_path / 'T', '--to', tmp_path / 'TL', '--quiet'), 'is not an image')
