# The two commands of the README: `make demo` (the main job) and `make test` (what CI runs).
# Both create .venv when it is missing and install everything they need.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast portability install sync lint readme bench outputs docs clean-venv

$(STAMP): settings.ini setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet torch==2.14.1 torchvision==0.29.1
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -c "from vsr_lit.evaluate import demo; demo('outputs')"

# Notebooks are the source: fail when nbdev_clean / nbdev_export / the README renderer would change a file.
sync: $(STAMP)
	$(MAKE) --no-print-directory lint
	$(BIN)/nbdev_clean
	$(BIN)/nbdev_export
	$(BIN)/python tools/render_readme.py --check
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  if ! git diff --quiet -- nbs vsr_lit README.md || [ -n "$$(git status --porcelain --untracked-files=all -- vsr_lit nbs)" ]; then \
	    git status --short -- nbs vsr_lit README.md; \
	    echo "nbdev_clean/nbdev_export changed the files above: the notebooks and vsr_lit/ disagree. Commit the result of 'make sync'."; \
	    exit 1; fi; \
	else echo "not a git checkout: skipping the notebooks/package agreement check"; fi

# `make test` runs the whole suite, then the portability pass: the numerics-sensitive tests (the notebooks that compute
# with models, kernels and metrics, and the model tests) again as the other class of CPU computes them (AVX2 kernels,
# no native bf16, one thread), so that a result that holds only on this machine's instruction set fails here, not on
# a user's machine. Notebooks of files, video containers, jobs, timing and the command line are not run twice.
PORTABLE := ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 VSR_LIT_NATIVE_BF16=0
NOT_NUMERIC := 01a_prepare or 01b_datasets or 02b_utils or 16a_scene_cuts or 16b_jobs or 16c_roofline or 16d_export \
               or 17_cli or 17a_main or index

test: sync
	$(BIN)/python -m pytest -n 2 --dist worksteal --durations=25 tests
	$(MAKE) --no-print-directory portability

# ruff on the package, tools, tests and benchmarks: syntax errors and undefined names (a name used before any import
# of it fails here, not in a user's run); and no line of the package over 120 characters (tools/line_lengths.py).
lint: $(STAMP)
	$(BIN)/ruff check --select E9,F63,F7,F82 --exclude vsr_lit/_modidx.py vsr_lit tools tests bench
	$(BIN)/python tools/line_lengths.py

# The edit loop: the package tests and the notebooks the current change touches (tools/test_fast.py).
test-fast: $(STAMP)
	$(BIN)/python tools/test_fast.py

# On a machine of that class already (AVX2, no native bf16) the pass would repeat the main suite exactly: it says so
# and skips.
portability: $(STAMP)
	@if $(BIN)/python -c "import sys, torch; from vsr_lit.runtime import cpu_has_native_bf16; \
	  sys.exit(torch.backends.cpu.get_cpu_capability() == 'AVX2' and not cpu_has_native_bf16())"; then \
	  $(PORTABLE) $(BIN)/python -m pytest -n 2 tests/test_notebooks.py tests/test_models.py -k "not ($(NOT_NUMERIC))"; \
	else echo "portability pass: this machine is already of that class (AVX2, no native bf16): the main suite ran it"; fi

readme:
	$(BIN)/python tools/render_readme.py

# Re-execute every notebook in place, in reading order, stopping at the first error; run it before committing
# a notebook change (the notebooks are committed with their outputs). `slow`/`gpu` cells keep their outputs.
outputs: $(STAMP)
	$(BIN)/python tools/run_notebooks.py
	$(BIN)/nbdev_clean

# The course as a website in _docs/ (from the committed notebooks, not executed): open _docs/index.html.
docs: $(STAMP)
	$(BIN)/python tools/build_docs.py

bench: $(STAMP)
	for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean-venv:
	rm -rf $(VENV)
