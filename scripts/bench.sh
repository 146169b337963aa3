#!/usr/bin/env bash
# `make bench`: prescreen side by side with its peers, one command, one run (bench/run.py prints the
# tables and updates bench/RESULTS.md). Builds what it needs; peers that cannot run are skipped with a
# printed reason, never silently.
#   BENCH_SECONDS  minimum CPU seconds per measured figure (default 1)
#   BENCH_ANSWERS  answer sets used for timing the screening workload (default 1000; all are checked)
#   JOBS           parallel build jobs (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${JOBS:-2}"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"

echo "== building the native benchmark (build-bench)"
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DPRESCREEN_BUILD_BENCH=ON \
      -DPRESCREEN_BUILD_TESTS=OFF -DPRESCREEN_BUILD_CLI=OFF >/dev/null
cmake --build build-bench -j "$JOBS" --target bench_screen

[ -f bench/data/answers.jsonl ] || python3 bench/make_data.py

echo "== building the datalogic-rs peer (cargo --release)"
if command -v cargo >/dev/null; then
  (cd bench/peers/rust && cargo build --release --quiet -j "$JOBS") || echo "datalogic-rs peer did not build: it will be skipped"
else
  echo "cargo not found: the datalogic-rs peer will be skipped (apt-get install cargo, or rustup)"
fi

echo "== Python peers (bench/.venv, separate from the project .venv)"
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
fi
bench/.venv/bin/python -m pip install --quiet --disable-pip-version-check \
  "zen-engine==2.1.3" "panzi-json-logic==1.0.1" || echo "PyPI peers did not install: they will be skipped"

if [ ! -d node_modules/json-logic-js ] || [ ! -d node_modules/@gorules/zen-engine ]; then
  echo "== npm peers missing: npm install"
  npm install --no-save --no-audit --no-fund
fi

echo "== running"
python3 bench/run.py
