# Task runner: the README's two commands (make run, make test) and CI (.ci/run -> make test) use it.
PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
DEMO := data/demo/manifest.json
PORT ?= 8501
PROCS ?= 2
# make serve: HTTPS for HOST on ADDRESS:HTTPS_PORT (127.0.0.1 unless told otherwise), HTTP_PORT redirecting to it;
# CERT/KEY: a given certificate instead of Caddy's internal CA.
ADDRESS ?= 127.0.0.1
HOST ?= localhost
HTTPS_PORT ?= 8443
HTTP_PORT ?= 8080
CERT ?=
KEY ?=

.PHONY: setup browser-deps deck-deps proxy-deps run serve test test-fast typecheck lint bench demo check screenshots clean

$(VENV)/.installed: requirements.txt
	$(PY) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.installed

# Debian's Chromium and CJK fonts for the browser tests and screenshots (Playwright cannot download a browser here).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s fonts-noto-cjk fonts-noto-color-emoji >/dev/null 2>&1; then \
		echo "Installing chromium and fonts-noto-cjk from Debian..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null; \
	fi

# LibreOffice Impress and its Python bridge (the 汇报材料's PDF: python -m dpf brief --format pdf, dpf/exports/deck_pdf_uno.py, and the tests that read it with poppler).
deck-deps:
	@if ! command -v soffice >/dev/null 2>&1 || ! dpkg -s libreoffice-impress-nogui python3-uno poppler-utils fonts-noto-cjk >/dev/null 2>&1; then \
		echo "Installing libreoffice-impress-nogui, python3-uno, poppler-utils and fonts-noto-cjk from Debian..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-impress-nogui python3-uno poppler-utils fonts-noto-cjk >/dev/null; \
	fi

# Caddy from Debian, the reverse proxy in front of several dashboard processes (make serve).
proxy-deps:
	@if ! command -v caddy >/dev/null 2>&1; then \
		echo "Installing caddy from Debian..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy >/dev/null; \
	fi

$(DEMO): $(VENV)/.installed dpf/contract/demo.py
	$(VPY) -m dpf demo --out data/demo

demo: $(DEMO)

run: setup deck-deps demo
	$(VPY) -m streamlit run dashboard.py --server.port $(PORT)

lint: setup
	$(VPY) -m ruff check .
	$(VPY) -m ruff format --check .
	$(VPY) -m mypy

# Several dashboard processes behind Caddy with sticky sessions, on https://$(HOST):$(HTTPS_PORT) (serve/cluster.py),
# and the 定时报告 runner beside them (python -m dpf schedule run).
serve: setup deck-deps proxy-deps demo
	$(VPY) -m serve --procs $(PROCS) --address $(ADDRESS) --host $(HOST) --port $(HTTPS_PORT) --http-port $(HTTP_PORT) \
		--reports $(if $(CERT),--cert $(CERT) --key $(KEY))

test: setup browser-deps deck-deps proxy-deps demo
	$(VPY) -m ruff check .
	$(VPY) -m ruff format --check .
	$(VPY) -m mypy
	$(VPY) -m pytest -q -n 2

# The suite without the browser tests, the soak and the benchmark's own test (no Chromium): the check before a commit.
test-fast: setup deck-deps demo
	$(VPY) -m pytest -q -n 3 -m "not browser and not soak" --ignore=tests/browser --ignore=tests/test_bench.py

# mypy over dpf/ and ui/ ([tool.mypy] in pyproject.toml) alone; `lint` and `test` run it too.
typecheck: setup
	$(VPY) -m mypy

check: setup demo
	$(VPY) -m dpf check --data data/demo

screenshots: setup browser-deps demo
	$(VPY) -m tests.browser.screenshots --out test-output/screenshots --full-page --pdf \
		--size 1440x900 --size 1280x720 --size 390x844
	$(VPY) -m tests.browser.screenshots --out test-output/briefing --briefing --size 1920x1080
	$(VPY) -m tests.browser.screenshots --out test-output/month --query month=2024-06 --full-page --size 1440x900

bench: setup browser-deps deck-deps proxy-deps
	$(VPY) -m bench

clean:
	rm -rf data/demo test-output
