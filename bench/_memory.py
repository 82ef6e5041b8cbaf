"""Shared by the benchmarks: the peak resident memory of a call.

Linux keeps each process's high-water mark of resident memory (VmHWM in /proc/self/status) and lets a
process reset it (writing 5 to /proc/self/clear_refs), so the peak is exact: no sampling thread can miss
a short spike, and a longer run is not more likely to catch one. Where that is unavailable, RSS is sampled
every millisecond instead.

`child_output` runs a benchmark's `--child` mode in a fresh process (so that a peak is that measurement's own);
with `--quick` (the smoke test of every benchmark that the test suite runs) it runs in this process instead.
"""
import contextlib
import io
import resource
import runpy
import subprocess
import sys
import threading
import time


def rss_mb() -> float:
    "This process's resident memory now, in MB."
    return int(open("/proc/self/statm").read().split()[1]) * resource.getpagesize() / 2**20


def _hwm_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise OSError("no VmHWM")


def _reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_of(fn):
    "Run fn(); return (its result, the peak RSS above the start, in MB)."
    base = rss_mb()
    if _reset_hwm():
        out = fn()
        return out, _hwm_mb() - base
    peak, done = [0.0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.001)

    th = threading.Thread(target=sample)
    th.start()
    try:
        out = fn()
    finally:
        done.set()
        th.join()
    return out, max(peak[0], rss_mb()) - base


def child_output(script, *args, quick=False) -> str:
    "What `script --child *args` prints: in a fresh Python, or in this process when `quick`."
    args = ["--child", *map(str, args)]
    if not quick:
        out = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(out.stderr[-2000:])
        return out.stdout.strip()
    buf, argv = io.StringIO(), sys.argv
    sys.argv = [str(script), *args, "--quick"]
    try:
        with contextlib.redirect_stdout(buf):
            runpy.run_path(str(script), run_name="__main__")
    except SystemExit as e:
        if e.code:
            raise
    finally:
        sys.argv = argv
    return buf.getvalue().strip()
