# eenzaamheid-data — run `make help` for the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=
# Byte-compile the package before running it: pip does not for an editable install, and where
# PYTHONDONTWRITEBYTECODE is set (as on our CI machines) every process would compile it again.
COMPILE = @$(BIN)/python -m compileall -q src

.DEFAULT_GOAL := help
.PHONY: help install demo test test-live browser bench notebooks strip-notebooks clean-cache clean

help: ## show this list
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-16s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the package with its test tools

demo: $(STAMP) ## build the demo report from the shipped fictitious data (no network needed)
	$(COMPILE)
	$(BIN)/eenzaamheid demo --output-dir reports/demo

browser: ## install Debian's headless Chromium where possible (for the report tests and PDFs)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium with apt-get (once)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "note: could not install chromium; browser tests will be skipped"; \
	  else echo "note: chromium not found and cannot be installed here; browser tests will be skipped"; fi; }

test: $(STAMP) browser ## install what is needed and run the tests (offline: local replicas only)
	$(COMPILE)
	@$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; exit $$rc

test-live: $(STAMP) ## check the real CBS/PDOK services (needs internet)
	EENZAAMHEID_LIVE=required $(BIN)/python -m pytest -m live -p no:cacheprovider tests/test_live.py

bench: $(STAMP) ## run the benchmarks in bench/ and print the figures
	$(COMPILE)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

notebooks: $(STAMP) ## open JupyterLab on the notebooks (installs it on first use)
	$(BIN)/python -m pip install --quiet -e ".[notebooks]"
	$(BIN)/jupyter lab notebooks/

strip-notebooks: $(STAMP) ## remove outputs from the notebooks before committing
	$(BIN)/python -m eenzaamheid_data.testing.notebooks strip notebooks/*.ipynb

clean-cache: ## empty data/raw and data/processed (the cache)
	find data/raw data/processed -mindepth 1 ! -name .gitkeep -delete

clean: ## remove the virtual environment and generated reports
	rm -rf $(VENV) reports/demo
