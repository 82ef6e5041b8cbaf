import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
