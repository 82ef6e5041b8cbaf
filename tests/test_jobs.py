"Long jobs: killed (SIGKILL) and resumed runs give the file an uninterrupted run gives; refusals; full and read-only destinations; torchrun."
import errno
import json
import os
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from vsr_lit.data import excerpt_root, read_frames, write_video
import vsr_lit.jobs as jobs
from vsr_lit.models import get_model

BIN = Path(sys.executable).parent
CLIPS = ('calendar', 'city', 'foliage', 'walk')
ARGS = ['--model', 'edvr_m_tiny', '--segment', '4', '--quiet']


def _film(path: Path) -> Path:
    "The excerpt's four real shots end to end (28 frames, 32x48), h264 with an AAC tone and timestamps at 1/12800 s."
    lq = np.concatenate([read_frames(excerpt_root() / 'Vid4/BIx4' / c)[:, 40:72, 40:88] for c in CLIPS])
    with av.open(str(path), 'w') as out:
        v = out.add_stream('libx264', rate=25); v.width, v.height, v.pix_fmt = 48, 32, 'yuv420p'
        v.codec_context.time_base = Fraction(1, 12800); v.options = {'crf': '10'}
        a = out.add_stream('aac', rate=16000); a.layout = 'mono'
        for i, f in enumerate(lq):
            vf = av.VideoFrame.from_ndarray(f, format='rgb24'); vf.pts, vf.time_base = i * 512, Fraction(1, 12800)
            for p in v.encode(vf): out.mux(p)
        for p in v.encode(): out.mux(p)
        t = np.arange(16000 * 28 // 25) / 16000
        for k in range(0, len(t), 1024):
            af = av.AudioFrame.from_ndarray((0.3 * np.sin(2 * np.pi * 440 * t[None, k:k + 1024])).astype(np.float32), format='fltp', layout='mono')
            af.sample_rate, af.pts = 16000, k
            for p in a.encode(af): out.mux(p)
        for p in a.encode(): out.mux(p)
    return path


def _content(path: Path) -> tuple:
    "Every decoded video frame with its timestamp; every video and audio packet (bytes, pts, dts)."
    with av.open(str(path)) as c:
        frames = [(f.pts, f.to_ndarray(format='rgb24')) for f in c.decode(video=0)]
    with av.open(str(path)) as c:
        packets = [(p.stream.type, bytes(p), p.pts, p.dts) for p in c.demux() if p.size]
    return frames, packets


def _same(a: tuple, b: tuple):
    (fa, pa), (fb, pb) = a, b
    assert len(fa) == len(fb) == 28
    for (ta, xa), (tb, xb) in zip(fa, fb):
        assert ta == tb and np.array_equal(xa, xb)
    assert [p for p in pa if p[0] == 'audio'] == [p for p in pb if p[0] == 'audio'] and any(p[0] == 'audio' for p in pa)
    assert [p for p in pa if p[0] == 'video'] == [p for p in pb if p[0] == 'video']           # the very same packets


def _cli(*argv, env=None, check=True) -> subprocess.CompletedProcess:
    r = subprocess.run([str(BIN / 'vsr_lit'), *map(str, argv)], capture_output=True, text=True, env={**os.environ, **(env or {})})
    if check: assert r.returncode == 0, r.stderr[-2000:]
    return r


@pytest.fixture(scope='module')
def film(tmp_path_factory):
    d = tmp_path_factory.mktemp('film')
    src = _film(d / 'film.mp4')
    _cli('upscale', src, d / 'whole.mp4', *ARGS)
    return src, _content(d / 'whole.mp4')


@pytest.mark.parametrize('point', ['start:0', 'frames:9', 'merge:5'])
def test_killed_and_resumed_equals_uninterrupted(film, tmp_path, point):
    src, whole = film
    out = tmp_path / 'out.mp4'
    r = _cli('upscale', src, out, *ARGS, env={'VSR_LIT_FAULT': point}, check=False)
    assert r.returncode == -9, (r.returncode, r.stderr[-1000:])                      # SIGKILL: nothing ran after it
    assert not out.exists() and (tmp_path / '.out.mp4.journal/manifest.json').is_file()
    again = _cli('upscale', src, out, *ARGS, check=False)                              # a plain run refuses: resume or remove
    assert again.returncode == 2 and '--resume' in again.stderr
    _cli('upscale', src, out, *ARGS, '--resume')
    assert not (tmp_path / '.out.mp4.journal').exists()
    _same(_content(out), whole)


def test_the_cuts_and_segments_of_the_plan(film, tmp_path):
    src, _ = film
    _cli('upscale', src, tmp_path / 'o.mp4', *ARGS, env={'VSR_LIT_FAULT': 'start:0'}, check=False)
    m = json.loads((tmp_path / '.o.mp4.journal/manifest.json').read_text())
    assert m['cuts'] == [7, 14, 21] and m['frames'] == 28 and m['pts'] == [i * 512 for i in range(28)]
    assert [s[:2] for s in m['segments']] == [[0, 4], [4, 7], [7, 11], [11, 14], [14, 18], [18, 21], [21, 25], [25, 28]]


def test_refused_for_another_input_or_weights(film, tmp_path):
    src, _ = film
    mine = tmp_path / 'film.mp4'; shutil.copy(src, mine)
    _cli('upscale', mine, tmp_path / 'o.mp4', *ARGS, env={'VSR_LIT_FAULT': 'frames:5'}, check=False)
    os.utime(mine, ns=(1, 1))                                                       # the input changed (its time)
    r = _cli('upscale', mine, tmp_path / 'o.mp4', *ARGS, '--resume', check=False)
    assert r.returncode == 2 and 'input mtime_ns' in r.stderr
    shutil.copy(src, mine)
    m = json.loads((tmp_path / '.o.mp4.journal/manifest.json').read_text())
    m['input']['mtime_ns'] = mine.stat().st_mtime_ns                                # the same input again
    (tmp_path / '.o.mp4.journal/manifest.json').write_text(json.dumps(m))
    w = tmp_path / 'other.pt'
    import torch
    torch.save({k: v + 0.01 for k, v in get_model('edvr_m_tiny', pretrained=True).state_dict().items()}, w)
    r = _cli('upscale', mine, tmp_path / 'o.mp4', '--model', 'edvr_m_tiny', '--weights', w, '--segment', '4', '--quiet', '--resume', check=False)
    assert r.returncode == 2 and 'model weights' in r.stderr
    _cli('upscale', mine, tmp_path / 'o.mp4', *ARGS, '--resume')                   # as it was: it finishes


def test_full_disk_keeps_the_finished_segments(film, tmp_path, monkeypatch):
    src, whole = film
    model = get_model('edvr_m_tiny', pretrained=True)
    written = []
    real_write = jobs.VideoWriter.write
    def write(self, frame, pts=None):
        if len(written) == 10: raise OSError(errno.ENOSPC, 'No space left on device')
        written.append(pts); real_write(self, frame, pts)
    monkeypatch.setattr(jobs.VideoWriter, 'write', write)
    with pytest.raises(OSError, match='No space left'):
        jobs.upscale_job(model, src, tmp_path / 'o.mp4', segment=4, progress=False)
    j = tmp_path / '.o.mp4.journal'
    assert sorted(p.name for p in j.iterdir()) == ['.lock', '000000.mp4', '000001.mp4', 'manifest.json']   # nothing partial
    monkeypatch.undo()
    jobs.upscale_job(model, src, tmp_path / 'o.mp4', segment=4, progress=False, resume=True)
    _same(_content(tmp_path / 'o.mp4'), whole)


def test_unwritable_destination_is_a_clear_error(film, tmp_path):
    src, _ = film
    if os.geteuid() == 0: dest = Path('/proc/vsr_lit_cannot_write/o.mp4')          # root writes anywhere else
    else:
        (tmp_path / 'ro').mkdir(); os.chmod(tmp_path / 'ro', 0o555); dest = tmp_path / 'ro/o.mp4'
    r = _cli('upscale', src, dest, *ARGS, check=False)
    assert r.returncode == 2 and 'cannot write' in r.stderr and 'Traceback' not in r.stderr


def test_two_processes_equal_one(film, tmp_path):
    src, _ = film
    one = {'OMP_NUM_THREADS': '1'}
    _cli('upscale', src, tmp_path / 'one.mp4', *ARGS, env=one)
    r = subprocess.run([str(BIN / 'torchrun'), '--standalone', '--nproc-per-node', '2', '-m', 'vsr_lit', 'upscale', str(src),
                        str(tmp_path / 'two.mp4'), *ARGS], capture_output=True, text=True, env={**os.environ, **one})
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'frames written to' in r.stdout and 'the last process to finish writes' in r.stdout
    _same(_content(tmp_path / 'two.mp4'), _content(tmp_path / 'one.mp4'))


@pytest.mark.parametrize("name", __import__('vsr_lit.models', fromlist=['shipped_weights']).shipped_weights())
def test_one_engine_plain_and_job_give_the_same_frames(name, tmp_path):
    "A plain upscale is one segment of the engine: a job without cuts, in segments of 4 frames, gives the same frames."
    from vsr_lit.data import write_frames
    from vsr_lit.inference import UpscaleOptions, upscale_video
    write_frames(np.concatenate([read_frames(excerpt_root() / 'Vid4/BIx4' / c)[:5, 40:72, 40:88] for c in CLIPS[:2]]), tmp_path / 'in')
    m, opts = get_model(name, pretrained=True), UpscaleOptions(batch=2, chunk=3, chunk_overlap=1, scene_cuts='off', segment=4)
    upscale_video(m, tmp_path / 'in', tmp_path / 'plain', opts, progress=False)
    jobs.upscale_job(m, tmp_path / 'in', tmp_path / 'job', opts, progress=False)
    st = {}
    jobs.upscale_job(m, tmp_path / 'in', None, opts, progress=False, benchmark=True, stats=st)   # --benchmark: the same job, nothing written
    a, b = read_frames(tmp_path / 'plain'), read_frames(tmp_path / 'job')
    assert a.shape == (10, 128, 192, 3) and np.array_equal(a, b)
    assert st['frames'] == 10 and set(st['stages']) == {'decode', 'model', 'quantise'} and not (tmp_path / '.None.journal').exists()
