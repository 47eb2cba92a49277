# Two entry points: `make demo` and `make test`. Both set everything up first and are idempotent.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 1
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export CDK_DISABLE_CLI_TELEMETRY := true
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONDONTWRITEBYTECODE := 1

SOURCES := app.py cdk.json governance.yaml $(shell find constructs lambdas policies -name '*.py' -o -name '*.yaml' -o -name '*.json' 2>/dev/null | grep -v __pycache__)

.PHONY: setup demo test synth lint-code clean browser

setup: $(VENV)/.stamp node_modules/.stamp

$(VENV)/.stamp: requirements.txt requirements-dev.txt pyproject.toml setup.py
	@echo "==> python venv ($(VENV)) and pinned dependencies"
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@

node_modules/.stamp: package.json package-lock.json $(VENV)/.stamp
	@echo "==> node tools (aws-cdk CLI, iam-simulate oracle) with $$(node --version)"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

cdk.out/.stamp: $(VENV)/.stamp node_modules/.stamp $(SOURCES)
	@echo "==> cdk synth"
	@rm -rf cdk.out
	@cdk synth --no-notices --quiet > /dev/null
	@touch $@

synth: cdk.out/.stamp

demo: setup synth
	@$(PY) -m modelgov.policies.cli demo cdk.out --spec governance.yaml

# Headless Chromium for the HTML report test (Debian packages), installed only when missing.
browser:
	@command -v chromium >/dev/null || { echo "==> installing chromium (Debian)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	  || (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null); }

lint-code: setup
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/mypy

test: setup synth browser lint-code
	@$(PY) -m pytest -n 2 -q

clean:
	rm -rf $(VENV) node_modules cdk.out build *.egg-info
