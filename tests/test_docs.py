"""The course as readers see it: the committed notebooks carry their outputs, and the rendered site works in a
real browser (headless Chromium driven by Playwright).

The browser test builds the site (`tools/build_docs.py`, as `make docs` does), opens the home page and every
notebook page from disk, and checks what a reader would trip over: a page that fails to load, an image that
does not decode, a link to a page that does not exist, math left as raw TeX, errors in the console. It saves
screenshots of the home page and of one notebook page to `_docs/screenshots/`.
"""
import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "nbs").glob("*.ipynb"))
MAX_NB_BYTES, MAX_ALL_BYTES = 2_000_000, 15_000_000

_DRAWS = re.compile(r"\b(plt\.|imshow\(|\.plot\(|\.bar\(|\.hist\(|subplots\(|show_images?\()")
_PRINTS = re.compile(r"^\s*print\(|^\s*display\(|\.table\(\)", re.M)
_UNRUN = {"slow", "gpu"}


def _flags(src: str) -> set:
    out = set()
    for line in src.splitlines():
        if not line.startswith("#|"):
            break
        out |= set(re.split(r"[\s:]+", line[2:].strip()))
    return out


def _has_image(cell) -> bool:
    return any("image/png" in o.get("data", {}) or "image/jpeg" in o.get("data", {}) for o in cell.get("outputs", []))


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_committed_with_outputs(nb):
    "A cell that draws carries its figure; a cell that prints carries its text (`make outputs` writes them)."
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    problems = []
    for i, c in enumerate(cells):
        if c["cell_type"] != "code":
            continue
        src = "".join(c["source"])
        flags = _flags(src)
        if "hide" in flags or "export" in flags or "exports" in flags or ("eval" in flags and "false" in flags):
            continue
        if flags & _UNRUN and not c.get("outputs"):
            continue                       # slow/gpu cells keep the outputs of their last full run, if any
        if _DRAWS.search(src) and not _has_image(c):
            problems.append(f"cell {i} draws a figure but carries no image output")
        elif _PRINTS.search(src) and not c.get("outputs"):
            problems.append(f"cell {i} prints but carries no output")
        if any(o.get("output_type") == "error" for o in c.get("outputs", [])):
            problems.append(f"cell {i} carries an error output")
    assert not problems, f"{nb.name}: " + "; ".join(problems) + " — run `make outputs` and commit the notebooks"


def test_notebook_sizes():
    "Outputs stay small: no notebook over 2 MB, all of nbs/ under 15 MB."
    sizes = {p.name: p.stat().st_size for p in NOTEBOOKS}
    big = {k: v for k, v in sizes.items() if v > MAX_NB_BYTES}
    assert not big, f"notebooks over {MAX_NB_BYTES / 1e6:.0f} MB: {big}"
    assert sum(sizes.values()) < MAX_ALL_BYTES, f"nbs/ holds {sum(sizes.values()) / 1e6:.1f} MB of notebooks"


def test_outputs_hold_no_local_paths():
    "Saved outputs do not show this machine's absolute paths or user names."
    home = str(Path.home())
    for nb in NOTEBOOKS:
        outputs = [o for c in json.loads(nb.read_text(encoding="utf-8"))["cells"] for o in c.get("outputs", [])]
        text = "".join("".join(o.get("text", [])) + "".join(o.get("traceback", [])) +
                       "".join("".join(v) for k, v in o.get("data", {}).items() if k.startswith("text/")) for o in outputs)
        for needle in {str(ROOT), home} - {"/"}:
            assert needle not in text, f"{nb.name}: an output shows the local path {needle}"


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


@pytest.fixture(scope="module")
def site():
    sys.path.insert(0, str(ROOT / "tools"))
    from build_docs import build
    return build()


def test_site_in_a_browser(site):
    "Home page and every notebook page: loads, images decode, internal links resolve, math typeset, no console errors."
    browser_path = _chromium()
    if browser_path is None:
        how = "install it with `apt-get install -y chromium` (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium in CI: {how}")
        pytest.skip(f"no Chromium: {how} to run the browser test")
    from playwright.sync_api import sync_playwright

    pages = [site / "index.html"] + [site / f"{p.stem}.html" for p in NOTEBOOKS if p.stem != "index"]
    missing = [p.name for p in pages if not p.is_file()]
    assert not missing, f"pages not built: {missing}"
    shots = site / "screenshots"
    shots.mkdir(exist_ok=True)
    problems = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--allow-file-access-from-files"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(0)           # no wall-clock limits: a slow machine waits, it does not fail
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("requestfailed", lambda r: errors.append(f"failed to load {r.url}"))
        for html in pages:
            errors.clear()
            resp = page.goto(html.as_uri(), wait_until="load")
            if resp is not None and not resp.ok:
                problems.append(f"{html.name}: load status {resp.status}")
            if page.query_selector("script[src*='mathjax']"):        # wait until MathJax has typeset the page
                page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
                page.evaluate("() => MathJax.startup.promise")
            bad_imgs = page.eval_on_selector_all(
                "img", "els => els.filter(e => !(e.complete && e.naturalWidth > 0)).map(e => e.getAttribute('src'))")
            if bad_imgs:
                problems.append(f"{html.name}: images that do not decode: {bad_imgs[:5]}")
            links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
            for href in links:
                if re.match(r"^(https?:|mailto:|#|javascript:)", href):
                    continue
                target = (html.parent / href.split("#")[0].split("?")[0]).resolve()
                if href.split("#")[0] and not target.exists():
                    problems.append(f"{html.name}: link to {href} does not resolve")
            raw = page.evaluate("""() => {
                const c = document.querySelector('article') || document.body;
                const clone = c.cloneNode(true);
                clone.querySelectorAll('pre, code, script, .highlight, mjx-container').forEach(e => e.remove());
                const t = clone.innerText;
                return ['$$', '\\\\(', '\\\\[', '\\\\frac', '\\\\mathrm'].filter(s => t.includes(s)); }""")
            if raw:
                problems.append(f"{html.name}: raw TeX left in the text: {raw}")
            has_math = "\\(" in html.read_text(encoding="utf-8") or "\\[" in html.read_text(encoding="utf-8")
            if has_math and page.evaluate("() => document.querySelectorAll('mjx-container').length") == 0:
                problems.append(f"{html.name}: has math but MathJax typeset none of it")
            if errors:
                problems.append(f"{html.name}: console errors: {errors[:3]}")
            if html.name in ("index.html", "08_edvr.html"):
                page.screenshot(path=str(shots / html.name.replace(".html", ".png")), full_page=False)
        browser.close()
    assert not problems, "\n".join(problems)
    assert (shots / "index.png").is_file() and (shots / "08_edvr.png").is_file()
