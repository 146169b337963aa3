#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine: Debian packages (as root), the project's Python
# virtual environment (.venv) and the npm packages for JavaScript tooling. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian package -> a file that proves it is installed.
declare -A need=(
  [cmake]=/usr/bin/cmake [ninja-build]=/usr/bin/ninja [g++]=/usr/bin/g++
  [nlohmann-json3-dev]=/usr/include/nlohmann/json.hpp [catch2]=/usr/include/catch2/catch.hpp
  [emscripten]=/usr/bin/emcc [chromium]=/usr/bin/chromium
  [clang-14]=/usr/bin/clang++-14 [libclang-rt-14-dev]=/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
  [python3-venv]=/usr/lib/python3.11/venv [python3-dev]=/usr/include/python3.11/Python.h
  [nodejs]=/usr/bin/node [npm]=/usr/bin/npm
)
missing=()
for pkg in "${!need[@]}"; do
  [ -e "${need[$pkg]}" ] && continue
  # python3-venv/-dev are only needed when the python3 on PATH is Debian's.
  if [[ $pkg == python3-* ]] && ! [[ "$(command -v python3)" == /usr/bin/python3 ]]; then continue; fi
  if [[ $pkg == nodejs || $pkg == npm ]] && command -v "${pkg/nodejs/node}" >/dev/null; then continue; fi
  missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# Python: the project virtual environment with the package installed (editable) and test tools.
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.prescreen-setup
deps_hash=$(cat python/pyproject.toml requirements-dev.txt 2>/dev/null | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$deps_hash" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements-dev.txt
  echo "$deps_hash" > "$stamp"
fi
if [ -f python/pyproject.toml ]; then
  # Rebuilt whenever the engine changes: scikit-build-core's editable mode rebuilds on import.
  .venv/bin/python -m pip install -q --no-build-isolation -e "./python[all]" 2>&1 | grep -v '^\s*$' || true
fi

# JavaScript tooling (Playwright driver, axe-core, peers for benchmarks): versions pinned in package-lock.json.
if [ -f package.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
echo "setup: ok"
