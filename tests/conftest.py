import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Under pytest-xdist the workers share the cores: each computes with its share of them (one thread each for `-n 2` on
# two cores). Two workers of two threads each on two cores ran the tiny models' training 3x slower than one thread each
# (the threads of one process wait on those of the other). Subprocesses (the command line) inherit the setting.
if os.environ.get("PYTEST_XDIST_WORKER") and "OMP_NUM_THREADS" not in os.environ:
    _share = str(max(1, (os.cpu_count() or 1) // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))))
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = _share
    import torch
    torch.set_num_threads(int(_share))


def pytest_report_header(config):
    "The machine class a failure belongs to: CPU capability, native bf16, threads, and what dtype 'auto' resolves to."
    import torch
    from vsr_lit.runtime import bf16_record, cpu_has_native_bf16, resolve_dtype
    forced = {k: os.environ[k] for k in ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA", "OMP_NUM_THREADS", "VSR_LIT_NATIVE_BF16")
              if k in os.environ}
    bf16 = [n for n in bf16_record().get('models', {}) if resolve_dtype('auto', torch.device('cpu'), n) == 'bf16']
    return [f"vsr_lit machine class: torch {torch.__version__}, CPU capability {torch.backends.cpu.get_cpu_capability()}, "
            f"native bf16 {'yes' if cpu_has_native_bf16() else 'no'}, {torch.get_num_threads()} threads, "
            f"dtype 'auto' on the CPU -> bf16 for {', '.join(bf16) or 'no model'}, fp32 for the rest"
            + (f"; forced: {' '.join(f'{k}={v}' for k, v in forced.items())}" if forced else "")]


# The longest tests start first, so that the two workers finish together instead of one idling while the other runs a
# long test that came last (the figures are this suite's slowest on a 2-core AVX2 machine, `--durations=25`).
FIRST = ("test_notebook[15_evaluate]", "test_bench_script_runs_quick[inference.py]", "test_tiny_overfits_one_window[iconvsr_tiny]",
         "test_notebook[16a_scene_cuts]", "test_tiny_overfits_one_window[basicvsrpp_tiny]", "test_notebook[12e_realbasicvsr]",
         "test_notebook[17_cli]", "test_notebook[16_inference]", "test_notebook[16d_export]",
         "test_tiny_overfits_one_window[edvr_l_tiny]", "test_notebook[14_train]", "test_tiny_overfits_one_window[edvr_plus_tiny]")


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(FIRST)}
    items.sort(key=lambda it: rank.get(it.name, len(FIRST)))        # a stable sort: the rest keep their order
