# Two commands a user needs: `make run` and `make test`. Both create the venv themselves.
PYTHON ?= $(shell command -v python3.12 || command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install bench regression-update clean dashboard

$(STAMP): pyproject.toml tools/xapi-validator/package-lock.json
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.12 is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 12) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m sim.dashboard.assets
	$(BIN)/python -m sim.compile
	npm ci --prefix tools/xapi-validator --no-audit --no-fund --silent
	touch $(STAMP)

install: $(STAMP)

## run the shipped default scenario (results/baseline/<timestamp>/)
run: $(STAMP)
	$(BIN)/lesim run scenarios/baseline.yaml $(if $(OUT),--out $(OUT))

## run the whole test suite (browser tests need Chromium: apt-get install chromium)
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2

## serve the dashboard on http://127.0.0.1:8765
dashboard: $(STAMP)
	$(BIN)/lesim dashboard

## speed benchmark (README figures)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_model.py

## deliberately re-record the fixed-seed regression baseline after an intended model change
regression-update: $(STAMP)
	$(BIN)/python -m tests.regression --update

clean:
	rm -rf $(VENV) .pytest_cache
