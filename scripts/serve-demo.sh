#!/usr/bin/env bash
# Serve the patient pre-consultation form on 127.0.0.1 (called by `make demo`, port as first argument).
# The page needs the WebAssembly build (wasm/dist/, from `make wasm`) and the protocol packs.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-8080}"
if [ ! -f wasm/dist/prescreen.wasm ]; then
  echo "serve-demo: wasm/dist/prescreen.wasm is missing; run 'make wasm' first" >&2
  exit 1
fi
exec node web-demo/serve.mjs --port "$port" --host 127.0.0.1
