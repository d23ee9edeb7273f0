# Every target bootstraps .venv on first use and reinstalls when pyproject.toml changes. In a git
# checkout it also sets up the notebook filter that keeps outputs out of git (src/turn_east/make/gitfilter.py).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)
JOBS ?= auto

.PHONY: venv test lab handouts exercises workspace update validate bench slides clean

venv: $(STAMP)
	@$(BIN)/python -m turn_east.make.gitfilter install --quiet

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv || true
	@if test -x $(BIN)/uv; then $(BIN)/uv pip install -q --python $(BIN)/python -e '.[test,git]'; \
	 else $(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test,git]'; fi
	@touch $(STAMP)

# The tests also need the [hub] extra (JupyterHub, nbgitpuller) and the [grading] extra (nbgrader, for the
# nbgrader round trip); `make handouts` installs neither. The server and JupyterLab extensions that nbgrader
# and its Notebook 7 dependency bring are switched off in .venv, so `make lab` starts as fast and looks the
# same with or without them (the nbgrader commands do not need them).
EXTRAS_STAMP := $(VENV)/.installed-test-extras
JUPYTER_ETC := $(VENV)/etc/jupyter
OFF_SERVER := {"ServerApp": {"jpserver_extensions": {"notebook": false, \
  "nbgrader.server_extensions.formgrader": false, "nbgrader.server_extensions.validate_assignment": false, \
  "nbgrader.server_extensions.assignment_list": false, "nbgrader.server_extensions.course_list": false}}}
OFF_LAB := {"disabledExtensions": {"@jupyter/nbgrader": true, "@jupyter-notebook/lab-extension": true}}
$(EXTRAS_STAMP): $(STAMP)
	@if test -x $(BIN)/uv; then $(BIN)/uv pip install -q --python $(BIN)/python -e '.[test,git,hub,grading]'; \
	 else $(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test,git,hub,grading]'; fi
	@mkdir -p $(JUPYTER_ETC)/jupyter_server_config.d $(JUPYTER_ETC)/labconfig
	@echo '$(OFF_SERVER)' > $(JUPYTER_ETC)/jupyter_server_config.d/zz-turn-east-grading-off.json
	@echo '$(OFF_LAB)' > $(JUPYTER_ETC)/labconfig/page_config.json
	@touch $(EXTRAS_STAMP)

# Two phases: everything but the browser and hub tests in parallel (nbval executes every notebook), then
# the headless-Chromium tests and the JupyterHub class one at a time, as they are fragile on a loaded machine.
test: venv $(EXTRAS_STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval-lax -p no:cacheprovider -m "not browser and not hub" \
		tests notebooks exercises solutions
	$(BIN)/python -m pytest -p no:cacheprovider -m "browser or hub" tests

validate: venv
	$(BIN)/turn-east validate

# JupyterLab serves the course root (lessons, my-work/ and the maps' bundled outlines are all in reach)
# and opens the course map. The post-save hook keeps a lesson that was only run and saved clean for git.
# JupyterLab refuses to start as root unless told; CI and containers run as root. LAB_OPTIONS adds
# options (tests/test_lab_browser.py sets a port, a token and its own settings folders).
LAB_OPTIONS ?=
lab: venv
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" \
		--ContentsManager.post_save_hook=turn_east.make.gitfilter.refresh_after_save \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_OPTIONS) notebooks/00_course_map.ipynb

handouts: venv
	$(BIN)/turn-east handouts

exercises: venv
	$(BIN)/turn-east exercises

# Exercises into my-work/, lessons into my-work/lessons/ (copies to annotate); never overwrites a file.
workspace: venv
	$(BIN)/turn-east workspace --exercises exercises --dest my-work
	$(BIN)/turn-east workspace --exercises notebooks --dest my-work/lessons

# A course update: first tell git which notebooks hold nothing new but outputs (saved outside `make lab`).
update: venv
	$(BIN)/python -m turn_east.make.gitfilter refresh
	git pull

slides: venv
	$(BIN)/turn-east slides

bench: venv $(EXTRAS_STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf build .pytest_cache
