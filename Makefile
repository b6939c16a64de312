# Two commands for a newcomer: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
# CPU wheel by default; a GPU user sets e.g. TORCH_SPEC="torch --index-url https://download.pytorch.org/whl/cu124"
TORCH_SPEC ?= torch==2.13.0

.PHONY: run test setup bench clean-venv

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH_SPEC)
	$(PY) -m pip install -q -e ".[test,folk,grid]"
	touch $@

setup: $(VENV)/.installed

# the model to start with: `make run MODEL=folk` (empty: the saved session's model, else the default s2)
MODEL ?=

run: setup
	$(VENV)/bin/sentgen run $(if $(MODEL),--model $(MODEL))

test: setup
	$(PY) -m pytest tests
	node --test maxpatch/

bench: setup
	$(VENV)/bin/sentgen bench
