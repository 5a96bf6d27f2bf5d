# Two commands do everything on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/kb migrate --content content  # a sync that first brings a store left by an older kb up to this layout
	$(BIN)/kb check --content content || true
	$(BIN)/kb serve --content content --host $${KB_HOST:-127.0.0.1} --port $${KB_PORT:-8000}

test: $(STAMP)
	$(BIN)/ruff check kbsync site_plugins api tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 -q -m "not slow" $(PYTEST_ARGS)  # .ci/run adds the slow ones (-m slow)

lint: $(STAMP)
	$(BIN)/ruff check kbsync site_plugins api tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/site.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/watch.py

clean:
	rm -rf .kb site bench/out
