# The two commands a user needs: `make run` and `make test`. Both set everything up from nothing.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test bench bench-torch test-torch screenshots validate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/tutor $(ARGS)

test: $(STAMP)
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q -n auto --dist worksteal $(PYTEST_ARGS)

validate: $(STAMP)
	$(VENV)/bin/tutor validate

bench: $(STAMP)
	$(PY) bench/engine.py $(ARGS)

# The same benchmark against PyTorch, from a venv of its own outside the repo (torch is never a
# dependency of the app): make bench-torch ARGS="--repeats 5"
BENCH_VENV ?= ../bench-venv
bench-torch:
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -c "import torch, threadpoolctl" 2>/dev/null || \
		$(BENCH_VENV)/bin/pip install --quiet numpy threadpoolctl torch==2.13.0
	$(BENCH_VENV)/bin/python bench/engine.py $(ARGS)

# The comparisons with PyTorch that `make test` skips (torch is not in .venv): the engine's layers vs
# torch.nn, outputs and gradients in float64 (tests/nn/test_torch_equality.py: LSTM, RNN, LayerNorm,
# MultiHeadAttention, TransformerBlock, Conv2d, MaxPool2d) and the optimizers vs torch.optim. Run in
# the bench venv with this repo on PYTHONPATH: nothing of the repo is installed there, only pytest.
test-torch:
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -c "import torch, threadpoolctl" 2>/dev/null || \
		$(BENCH_VENV)/bin/pip install --quiet numpy threadpoolctl torch==2.13.0
	$(BENCH_VENV)/bin/python -c "import pytest" 2>/dev/null || $(BENCH_VENV)/bin/pip install --quiet pytest
	PYTHONPATH=. $(BENCH_VENV)/bin/python -m pytest -q -p no:cacheprovider -W ignore::pytest.PytestConfigWarning \
		tests/nn/test_torch_equality.py tests/nn/test_optim.py::test_against_torch_optim $(PYTEST_ARGS)

screenshots: $(STAMP)
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) build dist *.egg-info
