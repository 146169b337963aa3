# prescreen — the two commands a newcomer needs:
#   make demo   builds everything and serves the patient pre-consultation form
#   make test   runs every test suite in every runtime (C++, protocol packs, Python, WebAssembly, browser)
# Everything else here is a step of those two.

SHELL := /bin/bash
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
WASM_BUILD ?= build-wasm
VENV := .venv
PY := $(VENV)/bin/python
# Debian's emscripten needs Debian's node-acorn, which Node 20 does not search (TOOLCHAIN.md, trap 1).
export NODE_PATH := /usr/share/nodejs
DEMO_PORT ?= 8080

.PHONY: all setup build wasm test test-cpp test-protocols test-python test-js test-web demo bench fuzz sanitize clean

all: build

setup:
	@scripts/setup.sh

# The benchmark is compiled here too (not run), so a change to the engine's private API cannot break it unseen.
build:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DPRESCREEN_BUILD_TESTS=ON -DPRESCREEN_BUILD_CLI=ON -DPRESCREEN_BUILD_BENCH=ON
	cmake --build $(BUILD) -j $(JOBS)

# The WebAssembly package: wasm/dist/prescreen.{js,wasm} from the same CMake graph.
wasm:
	emcmake cmake -S . -B $(WASM_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build $(WASM_BUILD) -j $(JOBS)

test: setup build wasm
	$(MAKE) test-cpp test-protocols test-python test-js test-web

test-cpp:
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-protocols:
	$(PY) -m pytest -q protocols

test-python:
	$(PY) -m pytest -q tests/python

test-js:
	node --test tests/js/

test-web:
	node --test tests/web/

demo: setup build wasm
	@scripts/serve-demo.sh $(DEMO_PORT)

bench: setup build wasm
	@scripts/bench.sh

# libFuzzer targets (clang-14, ASan + UBSan), each for FUZZ_SECONDS (default 120): fuzz/run.sh.
fuzz:
	@fuzz/run.sh

# The whole C++ suite under AddressSanitizer + UndefinedBehaviorSanitizer (the install test is left
# out: its consumer is built without the sanitizer runtime).
sanitize:
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPRESCREEN_SANITIZE=ON -DPRESCREEN_BUILD_TESTS=ON -DPRESCREEN_BUILD_CLI=ON
	cmake --build build-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan --output-on-failure -j $(JOBS) -E install_and_consume

clean:
	rm -rf $(BUILD) $(WASM_BUILD) wasm/dist
