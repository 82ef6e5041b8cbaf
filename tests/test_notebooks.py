"""One test per notebook, run through nbdev's own runner so that `tst_flags` are honoured.

Cells flagged `slow` or `gpu` are skipped unless named in VSR_LIT_TEST_FLAGS (e.g. VSR_LIT_TEST_FLAGS=slow).
"""
import os
from configparser import ConfigParser
from pathlib import Path

import pytest
import nbdev.test as nbt

ROOT = Path(__file__).resolve().parent.parent
cfg = ConfigParser(delimiters=["="])
cfg.read(ROOT / "settings.ini")
SKIP_FLAGS = cfg["DEFAULT"].get("tst_flags", "").split()
FORCE_FLAGS = os.environ.get("VSR_LIT_TEST_FLAGS", "").split()
NOTEBOOKS = sorted((ROOT / "nbs").glob("*.ipynb"))


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook(nb):
    ok, secs = nbt.test_nb(nb, skip_flags=SKIP_FLAGS, force_flags=FORCE_FLAGS, showerr=True)
    assert ok, f"{nb.name} failed (see the traceback above)"
