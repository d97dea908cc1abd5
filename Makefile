# Set-up commands for a fresh clone. Every target creates the virtual
# environment from requirements.txt first when it is missing or out of date.
#
#   make run     execute the four notebooks headless against a fresh local MTurk
#   make test    unit and API tests, two runs of the series compared, nbval
#   make lab     open the notebooks in JupyterLab
#   make update  re-execute the notebooks and save their outputs in notebooks/
#   make bench   run the benchmarks under bench/

# The interpreter that creates the virtual environment (3.10 or newer). Named
# here because a bare shell may find a different python3 than your login shell.
PYTHON ?= python3
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
BUILD_DIR := build

.PHONY: run test lab update bench clean

$(VENV)/installed.stamp: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed; run make with PYTHON=/path/to/python3.x")'
	test -x $(VENV_PYTHON) || $(PYTHON) -m venv $(VENV)
	$(VENV_PYTHON) -m pip install --quiet --upgrade pip
	$(VENV_PYTHON) -m pip install --quiet -r requirements.txt
	touch $@

run: $(VENV)/installed.stamp
	$(VENV_PYTHON) tools/series.py run --build-dir $(BUILD_DIR)

test: $(VENV)/installed.stamp
	$(VENV_PYTHON) -m pytest tests
	$(VENV_PYTHON) tools/series.py repeat --build-dir $(BUILD_DIR)
	$(VENV_PYTHON) tools/series.py test

lab: $(VENV)/installed.stamp
	$(VENV)/bin/jupyter lab notebooks

update: $(VENV)/installed.stamp
	$(VENV_PYTHON) tools/series.py update --build-dir $(BUILD_DIR)

bench: $(VENV)/installed.stamp
	$(VENV_PYTHON) bench/run.py

clean:
	rm -rf $(BUILD_DIR) .mturk_local
