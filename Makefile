# rewardkit: `make demo` and `make test` work on a fresh machine (they install what they need).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: demo test system-deps lint bench clean

$(STAMP): pyproject.toml
	@# Debian/Ubuntu ship venv's ensurepip in a separate package (python3-venv).
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  echo "installing Debian package: python3-venv"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv >/dev/null; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

# Debian packages the sandboxed verifiers use: bubblewrap (code sandbox), g++ and node (languages).
system-deps:
	@missing=""; \
	command -v bwrap >/dev/null 2>&1 || missing="$$missing bubblewrap"; \
	command -v g++ >/dev/null 2>&1 || missing="$$missing g++"; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

# Scores the three example sets with the built-in specs; scored rows go to out/, each summary
# (rows by status, mean reward per term) to stderr.
demo: $(STAMP) system-deps
	@mkdir -p out
	@echo "== math: examples/math/samples.jsonl, spec math -> out/math.jsonl"
	$(VENV)/bin/rewardkit score examples/math/samples.jsonl -o out/math.jsonl --spec math
	@echo "== code: examples/code/problems.jsonl, spec code -> out/code.jsonl"
	$(VENV)/bin/rewardkit score examples/code/problems.jsonl -o out/code.jsonl --spec code
	@echo "== sql: examples/sql/samples.jsonl, spec examples/sql/spec.toml -> out/sql.jsonl"
	$(VENV)/bin/rewardkit score examples/sql/samples.jsonl -o out/sql.jsonl --spec examples/sql/spec.toml

test: $(STAMP) system-deps
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks examples
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) benchmarks/engine.py

clean:
	rm -rf $(VENV) out .pytest_cache
