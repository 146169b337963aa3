#!/usr/bin/env bash
# End-to-end test of the native CLI: exit codes, one output line per input line, bad lines kept.
set -u
cli=$1
root=$2
pack=$root/tests/vectors/packs/small-clinic.json
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$cli" --help | grep -q "exit codes" || fail "--help lists exit codes"
"$cli" lint "$pack" >/dev/null || fail "lint of a good pack exits 0"
echo '{"format": "prescreen-protocol/1", "id": "x"}' > "$tmp/bad.json"
"$cli" lint "$tmp/bad.json" > "$tmp/lint.out"; [ $? -eq 1 ] || fail "lint of a bad pack exits 1"
grep -q "^/version: missing_key" "$tmp/lint.out" || fail "lint prints path: code: message"

printf '%s\n' '{"steel_allergy": true}' '{"sex": ' '' '[1]' '{"pregnant": true, "sex": "female"}' > "$tmp/in.jsonl"
"$cli" screen --protocol "$pack" --today 2026-11-25 "$tmp/in.jsonl" > "$tmp/out.jsonl"; rc=$?
[ $rc -eq 4 ] || fail "screen with bad lines exits 4 (got $rc)"
[ "$(wc -l < "$tmp/out.jsonl")" -eq 5 ] || fail "one output line per input line"
sed -n 1p "$tmp/out.jsonl" | grep -q '"outcome":"not_eligible"' || fail "line 1 screened"
sed -n 2p "$tmp/out.jsonl" | grep -q '"code":"malformed_json"' || fail "line 2 is an error"
sed -n 3p "$tmp/out.jsonl" | grep -q '"code":"malformed_json"' || fail "blank line 3 is an error"
sed -n 4p "$tmp/out.jsonl" | grep -q '"code":"not_an_object"' || fail "line 4 is an error"
sed -n 5p "$tmp/out.jsonl" | grep -q '"outcome":"deferred"' || fail "line 5 screened"
printf '%s\n' '{"steel_allergy": true}' | "$cli" screen --protocol "$pack" --today 2026-11-25 - > /dev/null || fail "stdin, all good exits 0"
"$cli" screen --protocol "$pack" --today 2026-02-30 < /dev/null 2>/dev/null; [ $? -eq 2 ] || fail "bad --today exits 2"
"$cli" screen --protocol "$pack" --today 2026-11-25 --override drug_washout=99 < /dev/null 2>/dev/null; [ $? -eq 1 ] || fail "override out of range exits 1"
"$cli" screen --protocol "$tmp/missing.json" --today 2026-11-25 < /dev/null 2>/dev/null; [ $? -eq 3 ] || fail "missing file exits 3"
"$cli" frobnicate 2>/dev/null; [ $? -eq 2 ] || fail "unknown command exits 2"

[ "$("$cli" logic '{"date_add": ["2026-08-31", 6, "months"]}')" = '"2027-02-28"' ] || fail "logic date_add"
"$cli" logic '{"nope": []}' > /dev/null; [ $? -eq 1 ] || fail "bad rule exits 1"

record=$(ls "$root"/tests/vectors/*-consent-eligible.json)
python3 -c "import json,sys; print(json.dumps(json.load(open('$record'))['expected']))" > "$tmp/record.json"
"$cli" verify "$tmp/record.json" | grep -q '"valid": true' || fail "verify a good record"
sed 's/"eligible"/"refer"/' "$tmp/record.json" > "$tmp/tampered.json"
"$cli" verify "$tmp/tampered.json" | grep -q digest_mismatch || fail "verify reports tampering"
"$cli" verify "$tmp/tampered.json" > /dev/null; [ $? -eq 1 ] || fail "invalid record exits 1"
echo "cli: all checks passed"
