#!/usr/bin/env python3
"""Seed corpora for the libFuzzer targets, from what the repository already has: the shared vectors
(tests/vectors), the protocol packs, the micro-needling cases, the JsonLogic suite and the benchmark
data. Writes OUT/{load,screen,logic,consent,jsonl}/ (default build-fuzz/corpus)."""
import hashlib
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "build-fuzz" / "corpus"


def put(target, text):
    data = text.encode() if isinstance(text, str) else text
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def main():
    packs = list((REPO / "tests" / "vectors" / "packs").glob("*.json")) + list((REPO / "protocols").glob("*/protocol.json"))
    packs.append(REPO / "bench" / "data" / "synthetic-pack.json")
    for pack in packs:
        if pack.exists():
            put("load", pack.read_text())
            put("load", json.dumps(json.loads(pack.read_text()), separators=(",", ":")))
    for vector in sorted((REPO / "tests" / "vectors").glob("*.json")):
        v = json.loads(vector.read_text())
        if "answers" in v:
            put("screen", json.dumps(v["answers"]))
            put("jsonl", json.dumps(v["answers"]) + "\n")
        if "record" in v:
            put("consent", json.dumps(v["record"]))
            put("consent", json.dumps(v["record"], sort_keys=True, separators=(",", ":")))
        if v.get("operation") == "apply_logic":
            put("logic", json.dumps(v.get("rule")) + "\n" + json.dumps(v.get("data", {})))
        if v.get("operation") == "load" and isinstance(v.get("protocol"), (dict, str)):
            put("load", v["protocol"] if isinstance(v["protocol"], str) else json.dumps(v["protocol"]))
    cases = REPO / "protocols" / "microneedling" / "cases.json"
    if cases.exists():
        doc = json.loads(cases.read_text())
        items = doc if isinstance(doc, list) else doc.get("cases", [])
        lines = []
        for case in items[:60]:
            if isinstance(case, dict) and isinstance(case.get("answers"), dict):
                put("screen", json.dumps(case["answers"]))
                lines.append(json.dumps(case["answers"]))
        for i in range(0, len(lines), 5):
            put("jsonl", "\n".join(lines[i:i + 5]) + "\n")
    answers = (REPO / "bench" / "data" / "answers.jsonl").read_text().splitlines()[:20]
    put("jsonl", "\n".join(answers) + "\nnot json\n[1,2]\n{}\n")
    for shared in (REPO.parent / "shared", Path("/work/shared")):
        suite = shared / "conformance" / "jsonlogic" / "tests.json"
        if suite.exists():
            for case in json.loads(suite.read_text()):
                if isinstance(case, list):
                    put("logic", json.dumps(case[0]) + "\n" + json.dumps(case[1]))
            break
    # Domain operations and awkward values the suite does not cover.
    for rule in [{"date_add": ["2026-08-31", 6, "months"]}, {"date_diff": ["2026-01-31", "2026-02-28", "days"]},
                 {"age": ["2008-02-29"]}, {"today": []}, {"substr": ["héllo wörld", 1, 3]},
                 {"reduce": [[1, 2, 3], {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]}]:
        put("logic", json.dumps(rule) + "\n{}")
    for target in ("load", "screen", "logic", "logic_diff", "consent", "jsonl"):
        put(target, "{}")


if __name__ == "__main__":
    main()
