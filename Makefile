# Every target bootstraps .venv on first use and reinstalls when pyproject.toml changes. In a git
# checkout it also sets up the notebook filter that keeps outputs out of git (src/turn_east/make/gitfilter.py).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)
JOBS ?= auto

.PHONY: venv test lab handouts decks site exercises workspace update validate refresh bench slides clean

venv: $(STAMP)
	@$(BIN)/python -m turn_east.make.gitfilter install --quiet

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv || true
	@if test -x $(BIN)/uv; then $(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -e '.[test,git]'; \
	 else $(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test,git]'; fi
	@$(BIN)/python -m compileall -q src
	@touch $(STAMP)

# Installs compile bytecode up front (uv does not by default): every kernel, test process and tool then starts
# without compiling pandas, plotly and Jupyter, also where PYTHONDONTWRITEBYTECODE is set.

# `make test` also needs the extras whose tests are present: [hub] (JupyterHub, nbgitpuller), [grading]
# (nbgrader, for the round trip), [slides] (reveal.js) and [site] (Sphinx); `make handouts` installs none of
# them. A student release (`turn-east release`) ships none of those tests, so it installs none of them.
# The server and JupyterLab extensions that nbgrader and its Notebook 7 dependency bring are switched off in
# .venv, so `make lab` starts as fast and looks the same with or without them (the nbgrader commands do not
# need them).
comma := ,
TEST_EXTRAS := test,git$(if $(wildcard tests/test_hub_*.py),$(comma)hub)$(if $(wildcard tests/test_nbgrader.py),$(comma)grading)$\
	$(if $(wildcard tests/test_decks.py),$(comma)slides)$(if $(wildcard tests/test_site*.py),$(comma)site)
EXTRAS_STAMP := $(VENV)/.installed-test-extras
JUPYTER_ETC := $(VENV)/etc/jupyter
OFF_SERVER := {"ServerApp": {"jpserver_extensions": {"notebook": false, \
  "nbgrader.server_extensions.formgrader": false, "nbgrader.server_extensions.validate_assignment": false, \
  "nbgrader.server_extensions.assignment_list": false, "nbgrader.server_extensions.course_list": false}}}
OFF_LAB := {"disabledExtensions": {"@jupyter/nbgrader": true, "@jupyter-notebook/lab-extension": true}}
$(EXTRAS_STAMP): $(STAMP)
	@if test -x $(BIN)/uv; then $(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -e '.[$(TEST_EXTRAS)]'; \
	 else $(BIN)/python -m pip install -q --disable-pip-version-check -e '.[$(TEST_EXTRAS)]'; fi
	@mkdir -p $(JUPYTER_ETC)/jupyter_server_config.d $(JUPYTER_ETC)/labconfig
	@echo '$(OFF_SERVER)' > $(JUPYTER_ETC)/jupyter_server_config.d/zz-turn-east-grading-off.json
	@echo '$(OFF_LAB)' > $(JUPYTER_ETC)/labconfig/page_config.json
	@touch $(EXTRAS_STAMP)

# Slide decks need reveal.js, which the [slides] extra brings (inside sphinx-revealjs); `make handouts` does not.
SLIDES_STAMP := $(VENV)/.installed-slides
$(SLIDES_STAMP): $(STAMP)
	@if test -x $(BIN)/uv; then $(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -e '.[test,git,slides]'; \
	 else $(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test,git,slides]'; fi
	@touch $(SLIDES_STAMP)

# The website needs Sphinx, myst-nb and the book theme, the [site] extra; `make handouts` does not install them.
SITE_STAMP := $(VENV)/.installed-site
$(SITE_STAMP): $(STAMP)
	@if test -x $(BIN)/uv; then $(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -e '.[test,git,site]'; \
	 else $(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test,git,site]'; fi
	@touch $(SITE_STAMP)

# Two phases: everything but the browser and hub tests in parallel (nbval executes every notebook), then
# the headless-Chromium tests and the JupyterHub class one at a time, as they are fragile on a loaded machine.
# The same Makefile serves a student release (`turn-east release`), which has no solutions/, no hub tests
# (so no [hub] extra) and no browser tests: folders that are not there are left out, and the second phase
# finding no test (pytest's exit status 5) is not a failure.
TEST_PATHS := $(wildcard tests notebooks exercises solutions)
test: venv $(EXTRAS_STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval-lax -p no:cacheprovider -m "not browser and not hub" \
		$(TEST_PATHS)
	$(BIN)/python -m pytest -p no:cacheprovider -m "browser or hub" tests || test $$? -eq 5

validate: venv
	$(BIN)/turn-east validate

# After an edit of the data: rewrite the numbers in lesson prose and the checked outputs it made stale, only in
# the notebooks it affects (`turn-east refresh --help`; `make refresh CHECK=1` lists them and changes nothing).
refresh: venv
	$(BIN)/turn-east refresh $(if $(CHECK),--check)

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

# A slide deck per lesson in build/slides/, from the handouts' executed leader copies (rendered first when missing).
decks: venv $(SLIDES_STAMP)
	$(BIN)/turn-east decks

# The course website in build/site/, from the handouts' executions (reused when current). REPO, HUB, BRANCH
# and BINDER override [tool.turn-east.site] of pyproject.toml; AUDIENCE=leader builds build/site-leader/.
SITE_OPTIONS = $(if $(REPO),--repo "$(REPO)") $(if $(HUB),--hub "$(HUB)") $(if $(BRANCH),--branch "$(BRANCH)") \
	$(if $(BINDER),--binder "$(BINDER)") $(if $(AUDIENCE),--audience "$(AUDIENCE)")
site: venv $(SITE_STAMP)
	$(BIN)/turn-east site $(SITE_OPTIONS)

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

bench: venv $(EXTRAS_STAMP) $(SLIDES_STAMP) $(SITE_STAMP)
	@for b in $(wildcard benchmarks/*.py); do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf build .pytest_cache
