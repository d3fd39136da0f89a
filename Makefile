# losscli developer tasks. Everything runs inside ./.venv, created on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint format docs bench bench-stream clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the project's metadata changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install losscli with its dev tools

demo: install  ## compute losses of the sample predictions
	$(BIN)/losscli compute --loss huber sample_data/regression.parquet
	$(BIN)/losscli compute -l mse -l mae -l 'huber:delta=0.5' --sample-weight weight \
		--reduction mean_with_sample_weight --format table sample_data/regression.csv
	$(BIN)/losscli compute -l bce -l binary_focal_crossentropy -l hinge --format table sample_data/binary.parquet
	$(BIN)/losscli compute -l sparse_categorical_crossentropy --y-true label --y-pred 'prob_*' \
		--format table sample_data/multiclass.parquet

lint: install  ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

docs: install  ## regenerate the README's table of losses and docs/losses.md from the registry
	$(BIN)/python docs/update_generated.py

test: lint  ## lint, then the whole test suite
	$(BIN)/python -m pytest -q

bench: install  ## micro-benchmarks of the loss kernels; results go to docs/benchmarks.md
	# Elementwise kernels do not use BLAS; unset the OpenBLAS overrides so NumPy runs as shipped.
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python bench/bench_kernels.py

bench-stream: install  ## 50M-row Parquet: time and peak memory of compute vs baselines
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python bench/bench_stream.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
