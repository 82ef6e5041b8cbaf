"""Execute the course's notebooks in place, in reading order, and keep their outputs (`make outputs`).

The notebooks are committed executed, so that their figures, tables and printed numbers show wherever they
are read. This runs every code cell with the same engine as `nbdev_test` (execnb), in each notebook's own
folder, and writes the outputs back; `nbdev_clean` then strips execution counts and metadata.

- Cells flagged `slow` or `gpu` (`#| slow`, `#| gpu`) are not run: they keep the outputs of their last full
  run (their prose says so). `--slow` runs the `slow` cells too (a full run, as the benchmarks do), so that their
  outputs show what they print. `#| eval: false` cells are not run either.
- Cells flagged `fulldata` run when the full data sets and the reference fixtures are present
  (`vsr_lit.testing.full_data_available()`); without them the notebook is left as it is, with a notice.
- Figures are PNG; a large one that is mostly photograph (a PNG over 150 kB that JPEG at quality 90 halves) is
  stored as JPEG instead, so that notebooks stay small (none over 2 MB).
- It stops at the first error, naming the notebook and the cell, and leaves that notebook unwritten.

Run: .venv/bin/python tools/run_notebooks.py [--slow] [NAME ...]   (default: every notebook of nbs/, in order)
"""
import base64
import io
import os
import re
import sys
import time
from pathlib import Path

from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from IPython.core.displaypub import CapturingDisplayPublisher

_publish = CapturingDisplayPublisher.publish


def _publish_in_place(self, data, metadata=None, source=None, *, transient=None, update=False):
    "A display update replaces the output it updates, as a live notebook shows it, instead of adding a copy."
    display_id = (transient or {}).get("display_id")
    if update and display_id:
        for i, o in enumerate(self.outputs):
            if (o.get("transient") or {}).get("display_id") == display_id:
                self.outputs[i] = dict(data=data, metadata=metadata, transient=transient, update=update)
                return
    _publish(self, data, metadata=metadata, source=source, transient=transient, update=update)


CapturingDisplayPublisher.publish = _publish_in_place   # e.g. a training loop's live plot: its last state is kept

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / "nbs"
NOT_RUN = {"slow", "gpu"}       # `--slow` takes "slow" out


def cell_flags(cell) -> set:
    "The nbdev flags of a code cell: the words of its leading `#|` lines (`#| slow` -> {'slow'})."
    out = set()
    for line in cell.source.splitlines():
        m = re.match(r"#\|\s*(.*)", line)
        if not m:
            break
        out |= set(re.split(r"[\s:]+", m.group(1).strip()))
    return out


def run_notebook(path: Path, full_data: bool) -> bool:
    "Execute one notebook in place; False when it needs the full data and they are missing."
    nb = read_nb(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not full_data and any("fulldata" in cell_flags(c) for c in code):
        return False

    def skip(cell) -> bool:
        if cell.cell_type != "code":
            return True
        f = cell_flags(cell)
        return bool(f & NOT_RUN) or ("eval" in f and "false" in f)

    shell = CaptureShell(path=path.parent, mpl_format="png")
    shell._fname = str(path)
    cwd = os.getcwd()
    os.chdir(path.parent)                   # as nbdev_test does: relative paths are relative to the notebook
    try:
        _run_cells(shell, nb, skip, path)
    finally:
        os.chdir(cwd)
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            _shrink_figure(o)
    write_nb(nb, path)
    return True


def _shrink_figure(output, limit=150_000, quality=90):
    "Store a large photographic PNG figure as JPEG when that halves it."
    data = output.get("data", {})
    png = data.get("image/png")
    if png is None or len(png) * 3 // 4 < limit:
        return
    from PIL import Image
    im = Image.open(io.BytesIO(base64.b64decode(png))).convert("RGB")
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=quality, optimize=True)
    if buf.tell() * 2 < len(png) * 3 // 4:
        del data["image/png"]
        data["image/jpeg"] = base64.b64encode(buf.getvalue()).decode()


def _run_cells(shell, nb, skip, path):
    for cell in nb.cells:
        if skip(cell):
            continue
        cell.outputs = []          # execnb keeps the old outputs of a cell that prints nothing
        shell.cell(cell)
        if shell.exc:
            src = cell.source if len(cell.source) < 600 else cell.source[:600] + " ..."
            raise RuntimeError(f"{path.name}: a cell failed ({type(shell.exc).__name__}: {shell.exc})\n--- cell ---\n{src}")


def main(names):
    from vsr_lit.testing import full_data_available
    if "--slow" in names:
        names = [n for n in names if n != "--slow"]
        NOT_RUN.discard("slow")
    full = full_data_available()
    paths = [NBS / (n if n.endswith(".ipynb") else n + ".ipynb") for n in names] if names else sorted(NBS.glob("*.ipynb"))
    for p in paths:
        if not p.is_file():
            raise SystemExit(f"no notebook {p}")
    for p in paths:
        t0 = time.perf_counter()
        try:
            ran = run_notebook(p, full)
        except RuntimeError as e:
            print(e, file=sys.stderr)
            raise SystemExit(1)
        print(f"{p.name}: {'executed' if ran else 'left as it is (needs the full data sets and fixtures)'} "
              f"({time.perf_counter() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
