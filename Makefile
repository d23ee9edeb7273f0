# Every target bootstraps .venv on first use and reinstalls when pyproject.toml changes.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)
JOBS ?= auto

.PHONY: venv test lab handouts exercises workspace validate bench slides clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv || true
	@if test -x $(BIN)/uv; then $(BIN)/uv pip install -q --python $(BIN)/python -e '.[test]'; \
	 else $(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'; fi
	@touch $(STAMP)

# The hub tests need JupyterHub and nbgitpuller, the [hub] extra; `make handouts` does not install them.
HUB_STAMP := $(VENV)/.installed-hub
$(HUB_STAMP): $(STAMP)
	@if test -x $(BIN)/uv; then $(BIN)/uv pip install -q --python $(BIN)/python -e '.[test,hub]'; \
	 else $(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test,hub]'; fi
	@touch $(HUB_STAMP)

# Two phases: everything but the browser and hub tests in parallel (nbval executes every notebook), then
# the headless-Chromium tests and the JupyterHub class one at a time, as they are fragile on a loaded machine.
test: venv $(HUB_STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval-lax -p no:cacheprovider -m "not browser and not hub" \
		tests notebooks exercises solutions
	$(BIN)/python -m pytest -p no:cacheprovider -m "browser or hub" tests

validate: venv
	$(BIN)/turn-east validate

# JupyterLab refuses to start as root unless told; CI and containers run as root.
lab: venv
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_course_map.ipynb

handouts: venv
	$(BIN)/turn-east handouts

exercises: venv
	$(BIN)/turn-east exercises

workspace: venv
	$(BIN)/turn-east workspace

slides: venv
	$(BIN)/python -m turn_east.slides

bench: venv $(HUB_STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf build .pytest_cache
