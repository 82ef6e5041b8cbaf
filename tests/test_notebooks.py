"""One test per notebook, run through nbdev's own runner so that `tst_flags` are honoured.

Cells flagged `slow` or `gpu` are skipped unless named in VSR_LIT_TEST_FLAGS (e.g. VSR_LIT_TEST_FLAGS=slow).
Cells flagged `fulldata` need the reference fixtures and the full data sets: they run whenever those are
present (`vsr_lit.testing.full_data_available`); otherwise the notebook runs without them and the test is
reported as skipped, naming what was not run.
"""
import os
from configparser import ConfigParser
from pathlib import Path

import pytest
import nbdev.test as nbt

from vsr_lit.testing import full_data_available

ROOT = Path(__file__).resolve().parent.parent
cfg = ConfigParser(delimiters=["="])
cfg.read(ROOT / "settings.ini")
SKIP_FLAGS = cfg["DEFAULT"].get("tst_flags", "").split()
FORCE_FLAGS = os.environ.get("VSR_LIT_TEST_FLAGS", "").split()
FULL = full_data_available()
NOTEBOOKS = sorted((ROOT / "nbs").glob("*.ipynb"))


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook(nb):
    force = FORCE_FLAGS + (["fulldata"] if FULL else [])
    ok, secs = nbt.test_nb(nb, skip_flags=SKIP_FLAGS, force_flags=force, showerr=True)
    assert ok, f"{nb.name} failed (see the traceback above)"
    if not FULL and "#| fulldata" in nb.read_text():
        pytest.skip(f"{nb.name} passed without its fulldata cells: the reference fixtures or full data sets are missing "
                    "(set VSR_LIT_FIXTURES and VSR_LIT_DATA)")
