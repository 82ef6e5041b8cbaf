"""Bicubic x4 on the full Vid4 (BI), the standard protocol: per-clip table and the survey's Table 1 entry.

Run: .venv/bin/python bench/vid4_bicubic.py [DATA_ROOT]   (default: vsr_lit.data.data_root(); --quick: calendar's 7
frames in the committed excerpt, which does not reproduce the published number)
"""
import sys
import time

from vsr_lit.data import data_root, excerpt_root
from vsr_lit.datasets import VideoFolderDataset
from vsr_lit.evaluate import evaluate_dataset
from vsr_lit.models import get_model

PUBLISHED = (23.78, 0.6347)  # Recent Advances on Video Super Resolution (survey), Table 1, Bicubic, Vid4 (BI)

QUICK = '--quick' in sys.argv
argv = [a for a in sys.argv[1:] if a != '--quick']
root = (excerpt_root() if QUICK else data_root(argv[0] if argv else None)) / 'Vid4'
ds = VideoFolderDataset(root / 'GT', root / 'BIx4', num_frames=1, clips=['calendar'] if QUICK else None)
t0 = time.perf_counter()
res = evaluate_dataset(get_model('bicubic'), ds)
dt = time.perf_counter() - t0
print(res.table(f'Bicubic x4 on {root} (BI, Y channel, crop 0)'))
print(f'published (survey Table 1): {PUBLISHED[0]:.2f} / {PUBLISHED[1]:.4f}; '
      f'ours {res.psnr:.4f} / {res.ssim:.5f}; difference {res.psnr - PUBLISHED[0]:+.4f} dB / {res.ssim - PUBLISHED[1]:+.5f}')
print(f'{len(ds)} frames in {dt:.1f} s ({len(ds) / dt:.1f} frames/s)')
