# Two commands matter: `make demo` and `make test`. Both install what they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WEB_STAMP := src/trilith/web/static/.built

.PHONY: install demo test lint typecheck pytest web web-test browser-deps clean

install: $(STAMP) web

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,warehouses]'
	touch $(STAMP)

# The UI is built when its sources exist (web/); the server serves src/trilith/web/static/.
web:
	@if [ -f web/package.json ]; then \
		cd web && (test -d node_modules || npm ci --no-audit --no-fund) && npm run build; \
	fi

web-test:
	@if [ -f web/package.json ]; then cd web && npm test; fi

browser-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

demo: install
	$(BIN)/trilith demo

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

test: install lint typecheck browser-deps pytest web-test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache src/trilith/web/static
