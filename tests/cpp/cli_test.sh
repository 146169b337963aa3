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
mn="$root/protocols/microneedling"
"$cli" lint "$mn/protocol.json" --translation "$mn/translations/ar.json" >/dev/null || fail "lint with a complete translation exits 0"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); del d['texts']['/items/pregnant/text']; json.dump(d, open(sys.argv[2], 'w'))" \
  "$mn/translations/ar.json" "$tmp/ar-missing.json"
"$cli" lint "$mn/protocol.json" --translation "$tmp/ar-missing.json" > "$tmp/tr.out"; [ $? -eq 1 ] || fail "lint with an incomplete translation exits 1"
grep -q "/text/ar: missing_translation: .*/items/pregnant/text" "$tmp/tr.out" || fail "lint names the missing translation"
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

# Keys fail closed (issue 12): an empty or blank key is a usage error, never "no seal check".
sealed=$(ls "$root"/tests/vectors/*-consent-sealed.json)
python3 -c "import json,sys; print(json.dumps(json.load(open('$sealed'))['expected']))" > "$tmp/sealed.json"
"$cli" verify "$tmp/sealed.json" --seal-key back-office-key > /dev/null || fail "sealed record with its key exits 0"
"$cli" verify "$tmp/record.json" --seal-key back-office-key | grep -q seal_missing || fail "unsealed record with a key is invalid"
"$cli" verify "$tmp/record.json" --seal-key "" > /dev/null 2>&1; [ $? -eq 2 ] || fail "--seal-key '' exits 2"
"$cli" verify "$tmp/record.json" --seal-key "  " > /dev/null 2>&1; [ $? -eq 2 ] || fail "blank --seal-key exits 2"
printf '\n' > "$tmp/empty.key"
"$cli" verify "$tmp/record.json" --seal-key-file "$tmp/empty.key" > /dev/null 2>&1; [ $? -eq 2 ] || fail "key file holding a newline exits 2"
PS_EMPTY= "$cli" verify "$tmp/record.json" --seal-key-env PS_EMPTY > /dev/null 2>&1; [ $? -eq 2 ] || fail "--seal-key-env naming an empty variable exits 2"
"$cli" verify "$tmp/record.json" --seal-key-env PS_NOT_SET_ANYWHERE > /dev/null 2>&1; [ $? -eq 2 ] || fail "--seal-key-env naming an unset variable exits 2"
printf 'back-office-key\n' > "$tmp/good.key"
"$cli" verify "$tmp/sealed.json" --seal-key-file "$tmp/good.key" > /dev/null || fail "key file with a trailing newline works"

# The wording once, the questionnaire state per keystroke (texts / form --no-texts).
echo '{"sex": "female"}' > "$tmp/female.json"
"$cli" form --protocol "$pack" --today 2026-11-25 --no-texts "$tmp/female.json" > "$tmp/state.json" || fail "form --no-texts exits 0"
python3 -c "import json,sys; s=json.load(open(sys.argv[1])); assert 'texts' not in s and s['missing_required'][0] == 'date_of_birth', s" "$tmp/state.json" || fail "form --no-texts gives the state alone"
"$cli" texts --protocol "$pack" --locale fr > "$tmp/texts.json" || fail "texts exits 0"
python3 -c "import json,sys; t=json.load(open(sys.argv[1])); assert t['locale'] == 'fr-FR' and t['items']['drug_last_dose']['text'] == 'Last dose' and t['consent']['version'], t['locale']" "$tmp/texts.json" || fail "texts gives every item's text and the consent document"
"$cli" texts --protocol "$pack" --locale cy > /dev/null 2> "$tmp/texts.err"; [ $? -eq 2 ] || fail "texts in a locale without texts exits 2"
grep -q 'unknown_locale: .*"cy"' "$tmp/texts.err" || fail "texts names unknown_locale"

# One strict reader: duplicate keys are an error in verify, form and logic, as in screen.
python3 -c "import json; r=json.load(open('$tmp/sealed.json')); print('{\"signer\": {\"name\": \"Someone Else\", \"role\": \"patient\"}, ' + json.dumps(r)[1:])" > "$tmp/forged.json"
"$cli" verify "$tmp/forged.json" --seal-key back-office-key > "$tmp/forged.out"; [ $? -eq 1 ] || fail "duplicate-key forgery exits 1"
grep -q duplicate_key "$tmp/forged.out" || fail "duplicate-key forgery reports duplicate_key"
echo '{"sex": "male", "sex": "female"}' > "$tmp/dup-answers.json"
"$cli" form --protocol "$pack" --today 2026-11-25 "$tmp/dup-answers.json" > /dev/null 2> "$tmp/form.err"; [ $? -eq 2 ] || fail "form with duplicate keys exits 2"
grep -q duplicate_key "$tmp/form.err" || fail "form names duplicate_key"
"$cli" logic '{"var": "a"}' '{"a": 1, "a": 2}' > /dev/null 2>&1; [ $? -eq 2 ] || fail "logic data with duplicate keys exits 2"
"$cli" logic '{"==": [1, 1], "==": [1, 2]}' > /dev/null 2>&1; [ $? -eq 2 ] || fail "logic rule with duplicate keys exits 2"
"$cli" lint "$pack" --override min_age=18 --override min_age=21 > /dev/null 2>&1; [ $? -eq 2 ] || fail "a repeated --override exits 2"

# Limits before memory (issue 12 item 9): a 300 MB line is skipped as it is read, not held; its row
# is the limit's error and the next line is still screened, in order. Peak memory stays small.
python3 - "$cli" "$pack" <<'PY' || fail "an over-long line is refused without being held"
import json, resource, subprocess, sys
cli, pack = sys.argv[1], sys.argv[2]
proc = subprocess.Popen([cli, "screen", "--protocol", pack, "--today", "2026-11-25"],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
import threading
out = []
reader = threading.Thread(target=lambda: out.append(proc.stdout.read()))
reader.start()
chunk = b" " * (1 << 20)
proc.stdin.write(b'{"pregnant": true,' )
for _ in range(300):
    proc.stdin.write(chunk)
proc.stdin.write(b'"x": 1}\n{}\n')
proc.stdin.close()
reader.join()
proc.wait()
rows = [json.loads(line) for line in out[0].splitlines()]
assert len(rows) == 2, len(rows)
assert rows[0]["error"]["code"] == "document_too_large", rows[0]
assert "outcome" in rows[1], rows[1]
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
assert peak_mb < 100, f"peak {peak_mb:.0f} MB"
PY


# Lines at the answers limit (1 MiB): exactly the limit, the limit + 1 ending in the CR of a CRLF
# (kept), the limit + 1 (too long), CRLF and a last line without its newline; from a file and a pipe.
python3 - "$cli" "$pack" "$tmp" <<'PY' || fail "lines at the answers limit are read as the limit says"
import json, subprocess, sys
cli, pack, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
limit = 1024 * 1024
def padded(n):  # a JSON object of exactly n bytes
    head = b'{"pregnant": true'
    return head + b" " * (n - len(head) - 1) + b"}"
data = (padded(limit) + b"\n" + padded(limit) + b"\r\n" + padded(limit + 1) + b"\n" +
        b'{"steel_allergy": true}\r\n' + b"\n" + b"{}")
with open(f"{tmp}/limit.jsonl", "wb") as f:
    f.write(data)
for how in ("file", "pipe"):
    args = [cli, "screen", "--protocol", pack, "--today", "2026-11-25"]
    if how == "file":
        out = subprocess.run(args + [f"{tmp}/limit.jsonl"], capture_output=True).stdout
    else:
        out = subprocess.run(args, input=data, capture_output=True).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    codes = [r["error"]["code"] if "error" in r else r["outcome"] for r in rows]
    assert codes == ["deferred", "deferred", "document_too_large", "not_eligible", "malformed_json",
                     "incomplete"], (how, codes)
PY

echo "cli: all checks passed"
