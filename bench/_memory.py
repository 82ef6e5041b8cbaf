"""Shared by the benchmarks: the peak resident memory of a call, sampled from /proc every millisecond."""
import resource
import threading
import time


def rss_mb() -> float:
    "This process's resident memory now, in MB."
    return int(open("/proc/self/statm").read().split()[1]) * resource.getpagesize() / 2**20


def peak_of(fn):
    "Run fn() while sampling the RSS; return (its result, the peak RSS above the start, in MB)."
    base, peak, done = rss_mb(), [0.0], threading.Event()

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
