"""Build the course's website into `_docs/` from the committed notebooks, without executing them (`make docs`).

Why Sphinx with MyST-NB and the PyData theme: nbdev's own site generator (Quarto) cannot be installed here,
and this trio renders notebooks *with their saved outputs* (figures, tables, printed numbers), documents each
module's API (generated here from its docstrings and docments), and gives a sidebar, an in-page table of contents and
previous/next links in reading order — all from packages on PyPI. Math is typeset by MathJax 3 (SVG output, so
no web fonts are needed) from the copy that the `sphinx-mathjax-offline` package ships, copied into the site,
so pages render offline, also opened straight from disk.

What it does: copies `nbs/*.ipynb` into a build folder, dropping `#| hide` and `#| default_exp` cells and the
`#| ...` directive lines of the others (the code of `#| echo: false` cells is not shown, only their output; cells of tests are
collapsed behind a toggle, so that the chapter's story reads straight), appends to each module notebook an "API" section (every public name of
the module it exports: its signature, its docstring, and a table of its parameters with the comments that describe
them in the source, nbdev's *docments*; for classes, the methods they define with a docstring of their own), appends
the reading order as a hidden table of contents to the home page (the sidebar numbers chapters as the prose does:
"07", "12a"), then runs `sphinx-build`. Long code lines wrap inside their boxes and wide equations scroll, so
nothing is cut off. Open `_docs/index.html` in a browser.

Run: .venv/bin/python tools/build_docs.py
"""
import importlib
import inspect
import json
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRACKS = [("Foundations", ["00", "00a", "01", "01a", "01b", "02", "02a", "02b", "02c"]), ("D3DRRN", ["03", "04", "05", "06"]),
          ("EDVR and the improved EDVR", ["07", "08", "09"]), ("DKSAN", ["10", "11", "12"]), ("Recurrent", ["12a", "12b", "12c", "12d"]),
          ("Train, evaluate, use", ["13", "14", "14a", "15", "15a", "16", "17"])]
NBS, SRC, OUT = ROOT / "nbs", ROOT / "_docs_src", ROOT / "_docs"

CONF = '''
project = "vsr_lit"
author = "the vsr_lit authors"
extensions = ["myst_nb", "sphinx.ext.mathjax"]
nb_execution_mode = "off"                      # the notebooks are committed executed
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure"]
html_theme = "pydata_sphinx_theme"
html_title = "vsr_lit"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_theme_options = {"show_prev_next": True, "navigation_with_keys": False, "secondary_sidebar_items": ["page-toc"],
                      "navbar_center": [], "footer_start": [], "footer_end": []}
html_context = {"default_mode": "light"}
html_sidebars = {"**": ["globaltoc.html"]}
html_show_sourcelink = False
html_copy_source = False
mathjax_path = "mathjax/tex-svg.js"           # MathJax 3 with SVG output: no web fonts, so it works from file://
mathjax3_config = {"tex": {"inlineMath": [["\\\\(", "\\\\)"]], "displayMath": [["\\\\[", "\\\\]"]]},
                   "svg": {"fontCache": "global"}}
exclude_patterns = ["_build"]
'''

CSS = """
.bd-sidebar-primary h3 { font-size: 1.1rem; margin-top: .5rem; }
.bd-sidebar-primary p.caption { font-weight: 600; margin: 1rem 0 .3rem; }
.bd-sidebar-primary ul { padding-left: 1rem; }
.bd-sidebar-primary li { margin: .2rem 0; }
.bd-sidebar-primary li.current > a { font-weight: 700; color: var(--pst-color-primary); background: var(--pst-color-surface);
                                     border-radius: .25rem; padding: .1rem .3rem; }
div.cell_output img { max-width: 100%; height: auto; }
.bd-page-width { max-width: 96rem; }
.bd-main .bd-content .bd-article-container { max-width: 64rem; }     /* about 110 characters of code on a wide screen */
div.highlight pre, div.cell_input pre, div.cell_output pre { white-space: pre-wrap; overflow-wrap: anywhere; }
mjx-container[display="true"] { overflow-x: auto; overflow-y: hidden; max-width: 100%; }
table.api-params td:first-child { white-space: nowrap; }
"""


def _directive_free(src: str) -> str:
    "A code cell's source without its leading `#| ...` lines."
    lines = src.splitlines()
    while lines and lines[0].startswith("#|"):
        lines.pop(0)
    return "\n".join(lines)


def _display_math_own_paragraph(md: str) -> str:
    "Blank lines around `$$ ... $$` blocks: MyST reads display math only as a paragraph of its own."
    md = re.sub(r"(?<!\n)\n([ \t]*\$\$)(?=[^$\s])", r"\n\n\1", md)
    return re.sub(r"(?<=[^$\s])(\$\$[ \t]*)\n(?!\n)", r"\1\n\n", md)


_CHECK = re.compile(r"^\s*(assert\b|test_\w+\(|test_fail\(|with torch\.no_grad\(\):\s*test_)")


def _is_check(src: str) -> bool:
    "A cell of tests (three or more assertions, or assertions on half of its lines): plumbing, not the story."
    lines = [l for l in _directive_free(src).splitlines() if l.strip() and not l.strip().startswith("#")]
    checks = sum(bool(_CHECK.match(l)) for l in lines)
    return "#| export" not in src and checks > 0 and (checks >= 3 or checks * 2 >= len(lines))


def _md(text: str) -> dict:
    return {"cell_type": "markdown", "id": uuid.uuid5(uuid.NAMESPACE_URL, text).hex[:8], "metadata": {}, "source": text}


def _own_doc(obj) -> str:
    "The object's own docstring (not one inherited from `nn.Module` or `object`)."
    doc = obj.__dict__.get("__doc__") if inspect.isclass(obj) else getattr(obj, "__doc__", None)
    return inspect.cleandoc(doc) if doc else ""


def _params_table(obj) -> str:
    "A markdown table of the parameters that carry a comment in the source (docments), with their defaults."
    from fastcore.docments import docments
    try:
        d = docments(obj, full=True)
    except Exception:
        return ""
    rows = []
    for name, v in d.items():
        if name in ("self", "cls") or not v["docment"]:
            continue
        default = "" if v["default"] is inspect.Parameter.empty else f"`{v['default']!r}`"
        label = "returns" if name == "return" else f"`{name}`"
        rows.append(f"| {label} | {default} | {v['docment'].replace('|', '&#124;')} |")
    return ("| parameter | default | meaning |\n|---|---|---|\n" + "\n".join(rows)) if rows else ""


def _signature(name: str, obj) -> str:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return name
    params = [p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()]
    return name + str(sig.replace(parameters=params, return_annotation=inspect.Signature.empty))


def api_markdown(module: str) -> str:
    "The API section of a module: each public name with its signature, docstring and documented parameters."
    mod = importlib.import_module(f"vsr_lit.{module}")
    out = [f"## API: `vsr_lit.{module}`", _own_doc(mod)]
    for name in getattr(mod, "__all__", []):
        obj = getattr(mod, name)
        if inspect.isclass(obj) or callable(obj):
            kind = "class" if inspect.isclass(obj) else "def"
            out += [f"```python\n{kind} {_signature(name, obj)}\n```", _own_doc(obj), _params_table(obj)]
            if inspect.isclass(obj):
                for m, f in obj.__dict__.items():
                    f = f.__func__ if isinstance(f, (classmethod, staticmethod)) else f
                    if (m.startswith("_") and m != "__call__") or not inspect.isfunction(f) or not _own_doc(f):
                        continue
                    out += [f"```python\n{name}.{_signature(m, f).replace('(self, ', '(').replace('(self)', '()').replace('(cls, ', '(')}\n```",
                            _own_doc(f), _params_table(f)]
        else:
            text = repr(obj)
            out.append(f"```python\n{name} = {text if len(text) < 200 else text[:200] + ' ...'}\n```")
    return "\n\n".join(x for x in out if x) + "\n"


def prepare(nb_path: Path) -> tuple:
    "The notebook as the site shows it, and the module it exports (or None)."
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    module, cells = None, []
    for c in nb["cells"]:
        src = "".join(c["source"])
        if c["cell_type"] == "code":
            m = re.search(r"^#\|\s*default_exp\s+(\S+)", src, re.M)
            if m:
                module = m.group(1)
            if re.match(r"#\|\s*(hide|default_exp)\b", src):
                continue
            if re.search(r"^#\|\s*echo:\s*false", src, re.M):        # a figure whose code the page does not show
                c = dict(c, metadata=dict(c.get("metadata", {}), tags=["remove-input"]))
            elif _is_check(src):                                         # tests: collapsed, one click away
                c = dict(c, metadata=dict(c.get("metadata", {}), tags=["hide-input"]))
            c = dict(c, source=_directive_free(src))
            if not c["source"].strip():
                continue
        c.setdefault("id", uuid.uuid5(uuid.NAMESPACE_URL, f"{nb_path.name}{len(cells)}").hex[:8])
        if c["cell_type"] == "markdown":
            c = dict(c, source=_display_math_own_paragraph(src))
        cells.append(c)
    if module:
        cells.append(_md(api_markdown(module)))
    nb["cells"] = cells
    return nb, module


def _title(nb_path: Path) -> str:
    "The notebook's title: its first `# ` heading."
    for c in json.loads(nb_path.read_text(encoding="utf-8"))["cells"]:
        m = re.match(r"#\s+(.+)", "".join(c["source"]).strip()) if c["cell_type"] == "markdown" else None
        if m:
            return m.group(1).strip()
    return nb_path.stem


def build(strict: bool = False) -> Path:
    if SRC.exists():
        shutil.rmtree(SRC)
    (SRC / "_static").mkdir(parents=True)
    (SRC / "conf.py").write_text(CONF)
    (SRC / "_static" / "course.css").write_text(CSS)
    import importlib.util
    mj = Path(importlib.util.find_spec("sphinx-mathjax-offline").origin).parent / "static" / "mathjax" / "tex-svg.js"
    (SRC / "_static" / "mathjax").mkdir()
    shutil.copy(mj, SRC / "_static" / "mathjax" / "tex-svg.js")
    names = sorted(p.stem for p in NBS.glob("[0-9]*.ipynb"))
    titles = {n: _title(NBS / f"{n}.ipynb") for n in names}
    for name in names + ["index"]:
        nb, _ = prepare(NBS / f"{name}.ipynb")
        if name == "index":
            for caption, members in TRACKS:
                toc = "\n".join(f"{n.split('_')[0]} · {titles[n]} <{n}>" for n in names if n.split("_")[0] in members)
                nb["cells"].append(_md(f"```{{toctree}}\n:hidden:\n:maxdepth: 1\n:caption: {caption}\n\n{toc}\n```\n"))
        (SRC / f"{name}.ipynb").write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    if OUT.exists():
        shutil.rmtree(OUT)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", "1", str(SRC), str(OUT)]
    if strict:
        cmd.insert(4, "-W")
    subprocess.run(cmd, check=True)
    (OUT / ".nojekyll").touch()
    return OUT


if __name__ == "__main__":
    out = build(strict="--strict" in sys.argv)
    print(f"built {out}: open {out / 'index.html'} in a browser")
