# Two commands matter: `make demo` and `make test`. Both install what they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WEB_STAMP := src/trilith/web/static/.built

.PHONY: install demo test lint typecheck pytest web web-test browser-deps system-deps clean

install: $(STAMP) web

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,warehouses,local-ai]'
	touch $(STAMP)

# The UI is built when its sources exist (web/); the server serves src/trilith/web/static/.
# It is rebuilt only when a source changed, and node_modules follows package-lock.json.
WEB_SOURCES := $(shell find web/src web/index.html web/package.json web/package-lock.json \
	web/tsconfig.json web/vite.config.ts -type f 2>/dev/null)
WEB_DEPS := web/node_modules/.package-lock.json

web: $(if $(wildcard web/package.json),$(WEB_STAMP))

$(WEB_DEPS): web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $(WEB_DEPS)

$(WEB_STAMP): $(WEB_DEPS) $(WEB_SOURCES)
	cd web && npm run build
	touch $(WEB_STAMP)

web-test: $(if $(wildcard web/package.json),$(WEB_DEPS))
	@if [ -f web/package.json ]; then cd web && npm test; fi

# Debian's chromium for the browser tests (tests/e2e); Playwright never downloads one.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

# Debian's Tesseract for OCR of images and scanned PDF pages (trilith.ai.ocr), and
# docker-compose, which checks deploy/docker-compose.yml (tests/ops/test_deploy.py).
system-deps:
	@command -v tesseract >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq tesseract-ocr; }
	@command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq docker-compose; }

demo: install
	$(BIN)/trilith demo

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

test: install lint typecheck browser-deps system-deps pytest web-test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache src/trilith/web/static
