#!/usr/bin/env bash
# `make fuzz`: build the libFuzzer targets with clang-14 (ASan + UBSan) and run each for FUZZ_SECONDS
# (default 120) from seed corpora made from the vectors and packs. Crashes land in
# build-fuzz/findings/<target>/; copy a minimised one into tests/cpp/regressions/ (see README there).
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS="${FUZZ_SECONDS:-120}"
FUZZ_TARGETS="${FUZZ_TARGETS:-load screen logic logic_diff consent jsonl}"
JOBS="${JOBS:-2}"
CXX_FUZZ="${CXX_FUZZ:-clang++-14}"
command -v "$CXX_FUZZ" >/dev/null || { echo "fuzz: $CXX_FUZZ not found (apt-get install clang-14 libclang-rt-14-dev)"; exit 2; }

cmake -S fuzz -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER="$CXX_FUZZ" >/dev/null
cmake --build build-fuzz -j "$JOBS"
python3 fuzz/make_corpus.py build-fuzz/corpus

status=0
for target in $FUZZ_TARGETS; do
  mkdir -p "build-fuzz/findings/$target" "build-fuzz/corpus/$target"
  echo "== fuzz_$target for ${FUZZ_SECONDS}s"
  # -rss_limit_mb / -timeout: a hang or a memory blow-up is a finding too. -max_len lets inputs grow
  # past the seeds (packs are tens of KB).
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "build-fuzz/fuzz_$target" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -dict=fuzz/json.dict -print_final_stats=1 \
      -artifact_prefix="build-fuzz/findings/$target/" "build-fuzz/corpus/$target" 2>"build-fuzz/fuzz_$target.log"; then
    echo "fuzz_$target FOUND A PROBLEM: see build-fuzz/fuzz_$target.log and build-fuzz/findings/$target/"
    grep -E "ERROR|SUMMARY|runtime error|deadly|uncaught|terminate" "build-fuzz/fuzz_$target.log" | head -5 || true
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "build-fuzz/fuzz_$target.log" | tr '\n' ' '; echo
  fi
done
exit $status
