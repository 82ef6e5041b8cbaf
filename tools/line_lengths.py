"""Lines of the package longer than 120 characters (ruff's E501), which `make lint` refuses.

Two kinds of line are nbdev's, not ours, and pass: a module's first line (its notebook's one-line description, copied
as the module docstring) and the first line of `__all__` (nbdev wraps the names at 120 characters, then puts
`__all__ = ` in front).
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUFF = Path(sys.executable).parent / "ruff"
r = subprocess.run([str(RUFF), "check", "--select", "E501", "--line-length", "120", "--exclude", "vsr_lit/_modidx.py",
                    "--output-format", "json", "vsr_lit"], cwd=ROOT, capture_output=True, text=True)
found = json.loads(r.stdout or "[]")
long = []
for v in found:
    row, text = v["location"]["row"], Path(v["filename"]).read_text().split("\n")[v["location"]["row"] - 1]
    if (row == 1 and text.startswith('"""')) or text.startswith("__all__ = ["): continue
    long.append(f"{Path(v['filename']).relative_to(ROOT)}:{row}: {len(text)} characters")
if long:
    print("lines over 120 characters (edit the notebook cell, then nbdev_export):\n  " + "\n  ".join(long))
    sys.exit(1)
print(f"line lengths: every line of vsr_lit/ within 120 characters ({len(found)} lines written by nbdev pass)")
