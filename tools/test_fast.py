"""The edit loop's tests (`make test-fast`): the package tests, then the notebooks that the current change touches.

A notebook is touched when it, or a module exported from it, differs from the last commit (staged, unstaged or
new). `BASE=<rev>` compares with another revision instead (e.g. `make test-fast BASE=origin/main` for a branch).
Nothing touched: only the package tests run. CI and `make test` still run everything.

Run: .venv/bin/python tools/test_fast.py [--list]
"""
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = re.compile(r"File to edit: \.\./nbs/([\w./-]+\.ipynb)")


def changed_files(base: str) -> list:
    "Paths (relative to the root) that differ from `base`, plus untracked ones."
    out = subprocess.run(["git", "diff", "--name-only", base, "--", "nbs", "vsr_lit"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    out += subprocess.run(["git", "ls-files", "--others", "--exclude-standard", "nbs", "vsr_lit"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout.split()
    return sorted(set(out))


def touched_notebooks(files: list) -> list:
    "The notebooks among `files`, and those that the changed modules were exported from."
    nbs = set()
    for f in files:
        p = ROOT / f
        if f.startswith("nbs/") and f.endswith(".ipynb"):
            nbs.add(p.stem)
        elif f.startswith("vsr_lit/") and f.endswith(".py") and p.exists():
            m = HEADER.search("".join(p.read_text().splitlines(keepends=True)[:4]))
            if m:
                nbs.add(Path(m[1]).stem)
    return sorted(n for n in nbs if (ROOT / "nbs" / f"{n}.ipynb").exists())


def main():
    base = os.environ.get("BASE", "HEAD")
    nbs = touched_notebooks(changed_files(base))
    if "--list" in sys.argv:
        print("\n".join(nbs))
        return 0
    print(f"notebooks touched since {base}: {', '.join(nbs) or 'none'}")
    args = [sys.executable, "-m", "pytest", "-n", "2", "-q", "tests/test_package.py"]
    if nbs:
        args += ["tests/test_notebooks.py", "-k", "test_package or " + " or ".join(nbs)]
    return subprocess.run(args, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
