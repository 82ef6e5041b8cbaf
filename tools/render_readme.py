"""Render nbs/index.ipynb to README.md (quarto, which nbdev_readme needs, is not available here).

Markdown cells are copied; code cells are shown as python blocks unless they carry `#| hide` or `#| echo: false`
(a figure whose code the site hides: the README, a text file, cannot show the figure either). Links to
notebooks (`](00_metrics.ipynb)`) are made relative to the repository root (`](nbs/00_metrics.ipynb)`).
`--check` exits 1 when README.md is out of date.
"""
import json
import re
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
nb = json.loads((root / 'nbs' / 'index.ipynb').read_text(encoding='utf-8'))
parts = ['<!-- generated from nbs/index.ipynb by tools/render_readme.py: edit the notebook, not this file -->']
for cell in nb['cells']:
    src = ''.join(cell['source']).strip()
    if not src or src.startswith(('#| hide', '#| default_exp', '#| echo: false')): continue
    parts.append(src if cell['cell_type'] == 'markdown' else f'```python\n{src}\n```')
text = re.sub(r'\]\(([\w.-]+\.ipynb)\)', r'](nbs/\1)', '\n\n'.join(parts) + '\n')
readme = root / 'README.md'
if '--check' in sys.argv:
    if not readme.exists() or readme.read_text(encoding='utf-8') != text:
        sys.exit('README.md is out of date: run `python tools/render_readme.py`')
else:
    readme.write_text(text, encoding='utf-8')
