# Task runner used by the README and CI.
PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
DEMO := data/demo/manifest.json

.PHONY: setup run test lint bench demo check clean

$(VENV)/.installed: requirements.txt
	$(PY) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.installed

$(DEMO): $(VENV)/.installed dpf/demo.py
	$(VPY) -m dpf demo --out data/demo

demo: $(DEMO)

run: setup demo
	$(VPY) -m streamlit run dashboard.py

lint: setup
	$(VPY) -m ruff check .
	$(VPY) -m ruff format --check .

test: setup demo
	$(VPY) -m pytest -q

check: setup demo
	$(VPY) -m dpf check --data data/demo

bench: setup
	$(VPY) -m dpf bench

clean:
	rm -rf data/demo test-output
