# losscli developer tasks. Everything runs inside ./.venv, created on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the project's metadata changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install losscli with its dev tools

demo: install  ## list the losses, then evaluate the sample predictions
	$(BIN)/losscli list
	$(BIN)/python sample_data/demo.py

lint: install  ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint  ## lint, then the whole test suite
	$(BIN)/python -m pytest -q

bench: install  ## micro-benchmarks of the loss kernels; results go to docs/benchmarks.md
	# Elementwise kernels do not use BLAS; unset the OpenBLAS overrides so NumPy runs as shipped.
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python bench/bench_kernels.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
