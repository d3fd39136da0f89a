# losscli developer tasks. Everything runs inside ./.venv, created on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test fuzz lint format docs bench bench-quick bench-env bench-kernels bench-stream clean

# The peers benchmark: peers live in their own venv (not project dependencies).
BENCH_VENV  := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
LOSSCLI     ?= $(BIN)/losscli
BENCH_ARGS  ?=
# Elementwise kernels do not use BLAS; unset the OpenBLAS overrides so NumPy runs as shipped.
NO_OPENBLAS := env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE

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

# The fuzzers and registry properties with 100x their CI examples (docs/reliability.md).
fuzz: install  ## the long fuzz campaign: about 20 minutes on 2 cores
	HYPOTHESIS_PROFILE=campaign $(BIN)/python -m pytest -q -p no:cacheprovider \
		--hypothesis-show-statistics tests/fuzz tests/losses/test_registry_properties.py

$(BENCH_STAMP): bench/requirements-peers.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r bench/requirements-peers.txt
	touch $(BENCH_STAMP)

bench-env: $(BENCH_STAMP)  ## create .venv-bench with the pinned peers (polars, DuckDB, pandas, ...)

# LOSSCLI=path/to/losscli times another build; BENCH_ARGS='--only csv --repeats 3' and so on.
bench: install bench-env  ## losscli vs its peers, whole processes (~6 min); docs/benchmarks.md
	$(NO_OPENBLAS) $(BENCH_VENV)/bin/python bench/bench_peers.py --losscli $(LOSSCLI) $(BENCH_ARGS)

bench-quick: install bench-env  ## the same on 5M/1M-row files, 3 repeats (under 2 minutes)
	$(NO_OPENBLAS) $(BENCH_VENV)/bin/python bench/bench_peers.py --quick --losscli $(LOSSCLI) $(BENCH_ARGS)

bench-kernels: install  ## micro-benchmarks of the loss kernels; results go to docs/benchmarks.md
	$(NO_OPENBLAS) $(BIN)/python bench/bench_kernels.py

bench-stream: install  ## 50M-row Parquet: time and peak memory of compute vs baselines
	$(NO_OPENBLAS) $(BIN)/python bench/bench_stream.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache .ruff_cache .hypothesis
