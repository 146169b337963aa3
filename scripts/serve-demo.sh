#!/usr/bin/env bash
# `make demo`: the clinic's back office (prescreen.clinic) on 127.0.0.1 with its SQLite store in
# data/demo/, serving the patient pre-consultation form (with "Send to the clinic"), the API and the
# practitioners' review pages. Port as first argument (DEMO_PORT in the Makefile).
# The page needs the WebAssembly build (wasm/dist/, from `make wasm`) and the protocol packs.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-8080}"
if [ ! -f wasm/dist/prescreen.wasm ]; then
  echo "serve-demo: wasm/dist/prescreen.wasm is missing; run 'make wasm' first" >&2
  exit 1
fi
data="${DEMO_DATA:-data/demo}"
mkdir -p "$data"
# A practitioner account for trying the review pages (created once; the password is printed here only).
if [ ! -f "$data/.demo-user" ]; then
  echo "demo-practitioner-$(date +%s)" > "$data/.demo-user.tmp"
  if .venv/bin/python -m prescreen.clinic add-user practitioner --role practitioner --password-stdin --data "$data" \
       < "$data/.demo-user.tmp" 2>/dev/null; then
    mv "$data/.demo-user.tmp" "$data/.demo-user"
  else
    rm -f "$data/.demo-user.tmp"
  fi
fi
[ -f "$data/.demo-user" ] && echo "prescreen demo: review pages login: practitioner / $(cat "$data/.demo-user")"
echo "prescreen demo: deterministic date for testing: http://127.0.0.1:${port}/?today=2026-11-25"
exec .venv/bin/python -m prescreen.clinic serve --data "$data" --host 127.0.0.1 --port "$port"
