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
  # The back office's storage tests start a throwaway PostgreSQL cluster (initdb/pg_ctl).
  [postgresql]=/usr/lib/postgresql
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
deps_hash=$(cat requirements-dev.txt 2>/dev/null | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$deps_hash" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements-dev.txt
  echo "$deps_hash" > "$stamp"
fi
if [ -f python/pyproject.toml ]; then
  # The package `prescreen` (pybind11 module + Python layer), editable: Python files are used in place;
  # the compiled module is rebuilt (incrementally, in build-python/) when anything it is built from
  # changes: the engine, the bindings, the CMake files or the package's file list.
  build_stamp=.venv/.prescreen-python-build
  build_hash=$( { cat python/pyproject.toml CMakeLists.txt python/CMakeLists.txt cmake/* 2>/dev/null
                  find engine python/src -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) -print0 | sort -z | xargs -0 cat
                  find python/src/prescreen -type f | sort; } | sha256sum | cut -c1-16)
  if [ ! -f "$build_stamp" ] || [ "$(cat "$build_stamp")" != "$build_hash" ] \
     || ! .venv/bin/python -c 'import prescreen._core' 2>/dev/null; then
    echo "setup: building the Python package (prescreen) ..."
    rm -f "$build_stamp"
    log=$(mktemp)
    if ! CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)}" \
         .venv/bin/python -m pip install --no-build-isolation -e "./python[all]" >"$log" 2>&1; then
      echo "setup: FAILED to build/install the Python package; the build output follows" >&2
      tail -n 60 "$log" >&2
      rm -f "$log"
      exit 1
    fi
    rm -f "$log"
    if ! .venv/bin/python -c 'import prescreen, prescreen._core' ; then
      echo "setup: FAILED: the Python package was installed but does not import" >&2
      exit 1
    fi
    echo "$build_hash" > "$build_stamp"
  fi
fi

# JavaScript tooling (Playwright driver, axe-core, peers for benchmarks): versions pinned in package-lock.json.
if [ -f package.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    # Not `npm ci`: npm 11 refuses this lock file because @gorules/zen-engine's optional
    # per-platform binaries (other operating systems) are absent from it. `install --no-save`
    # follows the lock file and leaves it untouched.
    npm install --no-save --no-audit --no-fund --loglevel=error
  fi
fi
echo "setup: ok"
