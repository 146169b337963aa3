#!/usr/bin/env python3
"""Generate the synthetic benchmark workload, deterministically (same bytes on every run).

bench/data/synthetic-pack.json  a prescreen protocol pack: 40 items (8 behind enable_when), 30 rules
bench/data/rules.json           the same 30 rule conditions as plain JsonLogic (what the peers evaluate)
bench/data/answers.jsonl        answer sets, one JSON object per line (only visible items answered)
bench/data/zen-decision.json    the 30 conditions as a GoRules ZEN decision graph (one expression node)

The pack uses no waiting periods and no parameters inside rules, so a peer that evaluates the 30
plain JsonLogic conditions over an answer set fires exactly the rules prescreen fires: the screening
result can be compared rule by rule.
"""
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "data"
COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000

OUTCOMES = ["not_eligible", "deferred", "refer", "eligible_with_precautions"]  # strictest first
SKIN_TYPES = ["I", "II", "III", "IV", "V", "VI"]
MEDICATIONS = ["none", "anticoagulant", "steroid", "retinoid", "antibiotic", "minoxidil"]
AREAS = ["face", "neck", "chest", "hands", "scalp", "body"]


def var(name):
    return {"var": name}


def is_true(name):
    return {"==": [var(name), True]}


# (id, type, page, extra) in questionnaire order. 40 items.
ITEMS = [
    ("age", "integer", "about", {"required": True, "min": 0, "max": 120}),
    ("sex", "choice", "about", {"required": True, "options": ["female", "male", "other"]}),
    ("pregnant", "boolean", "about", {"enable_when": {"!=": [var("sex"), "male"]}}),
    ("breastfeeding", "boolean", "about", {"enable_when": {"!=": [var("sex"), "male"]}}),
    ("skin_type", "choice", "skin", {"required": True, "options": SKIN_TYPES}),
    ("treatment_area", "multi-choice", "skin", {"required": True, "options": AREAS}),
    ("active_acne", "boolean", "skin", {"required": True}),
    ("acne_severity", "choice", "skin", {"options": ["mild", "moderate", "severe"], "enable_when": is_true("active_acne")}),
    ("cold_sore_active", "boolean", "skin", {"required": True}),
    ("cold_sore_history", "boolean", "skin", {"required": True}),
    ("open_wound", "boolean", "skin", {"required": True}),
    ("rosacea_flare", "boolean", "skin", {"required": True}),
    ("eczema_area", "boolean", "skin", {"required": True}),
    ("psoriasis_area", "boolean", "skin", {"required": True}),
    ("sunburn_current", "boolean", "skin", {"required": True}),
    ("tan_recent", "boolean", "skin", {"required": True}),
    ("vitiligo_active", "boolean", "skin", {"required": True}),
    ("medications", "multi-choice", "medicines", {"required": True, "options": MEDICATIONS}),
    ("isotretinoin_current", "boolean", "medicines", {"required": True}),
    ("isotretinoin_past", "boolean", "medicines", {"required": True}),
    ("weeks_since_isotretinoin", "integer", "medicines", {"min": 0, "max": 5000, "enable_when": is_true("isotretinoin_past")}),
    ("isotretinoin_last_dose", "date", "medicines", {"not_future": True, "enable_when": is_true("isotretinoin_past")}),
    ("topical_retinoid", "boolean", "medicines", {"required": True}),
    ("diabetes", "boolean", "history", {"required": True}),
    ("diabetes_controlled", "boolean", "history", {"enable_when": is_true("diabetes")}),
    ("hba1c", "decimal", "history", {"min": 3, "max": 20, "enable_when": is_true("diabetes")}),
    ("bleeding_disorder", "boolean", "history", {"required": True}),
    ("immunosuppressed", "boolean", "history", {"required": True}),
    ("chemo_current", "boolean", "history", {"required": True}),
    ("keloid_history", "boolean", "history", {"required": True}),
    ("autoimmune", "boolean", "history", {"required": True}),
    ("scleroderma", "boolean", "history", {"required": True}),
    ("heart_condition", "boolean", "history", {"required": True}),
    ("filler_recent", "boolean", "recent", {"required": True}),
    ("weeks_since_filler", "integer", "recent", {"min": 0, "max": 520, "enable_when": is_true("filler_recent")}),
    ("botox_recent", "boolean", "recent", {"required": True}),
    ("days_since_botox", "integer", "recent", {"min": 0, "max": 3650, "enable_when": is_true("botox_recent")}),
    ("laser_recent", "boolean", "recent", {"required": True}),
    ("peel_recent", "boolean", "recent", {"required": True}),
    ("notes", "text", "recent", {"max_length": 500}),
]
assert len(ITEMS) == 40, len(ITEMS)

# (id, outcome, condition). 30 rules using ==, !=, <, <=, >, >=, !, and, or, in (string in list, list membership).
RULES = [
    ("pregnant", "deferred", is_true("pregnant")),
    ("breastfeeding", "deferred", is_true("breastfeeding")),
    ("acne_inflamed", "deferred", {"and": [is_true("active_acne"), {"in": [var("acne_severity"), ["moderate", "severe"]]}]}),
    ("cold_sore_active", "deferred", is_true("cold_sore_active")),
    ("cold_sore_history_face", "eligible_with_precautions", {"and": [is_true("cold_sore_history"), {"in": ["face", var("treatment_area")]}]}),
    ("open_wound", "deferred", is_true("open_wound")),
    ("rosacea_flare", "deferred", is_true("rosacea_flare")),
    ("dermatitis_area", "deferred", {"or": [is_true("eczema_area"), is_true("psoriasis_area")]}),
    ("keloid_history", "refer", is_true("keloid_history")),
    ("diabetes_uncontrolled", "refer", {"and": [is_true("diabetes"), {"!": var("diabetes_controlled")}]}),
    ("diabetes_hba1c_high", "refer", {"and": [is_true("diabetes"), {">": [var("hba1c"), 8.5]}]}),
    ("bleeding_disorder", "refer", is_true("bleeding_disorder")),
    ("anticoagulant", "eligible_with_precautions", {"in": ["anticoagulant", var("medications")]}),
    ("oral_steroid_body", "eligible_with_precautions", {"and": [{"in": ["steroid", var("medications")]}, {"in": ["body", var("treatment_area")]}]}),
    ("immunosuppressed", "refer", is_true("immunosuppressed")),
    ("chemotherapy", "not_eligible", is_true("chemo_current")),
    ("isotretinoin_current", "deferred", is_true("isotretinoin_current")),
    ("isotretinoin_recent", "deferred", {"and": [is_true("isotretinoin_past"), {"<": [var("weeks_since_isotretinoin"), 26]}]}),
    ("retinoid", "eligible_with_precautions", {"or": [{"in": ["retinoid", var("medications")]}, is_true("topical_retinoid")]}),
    ("sunburn", "deferred", is_true("sunburn_current")),
    ("tan_dark_skin", "eligible_with_precautions", {"and": [is_true("tan_recent"), {"in": [var("skin_type"), ["IV", "V", "VI"]]}]}),
    ("filler_recent", "deferred", {"and": [is_true("filler_recent"), {"<": [var("weeks_since_filler"), 2]}]}),
    ("botox_recent", "deferred", {"and": [is_true("botox_recent"), {"<=": [0, var("days_since_botox"), 13]}]}),
    ("resurfacing_recent", "deferred", {"or": [is_true("laser_recent"), is_true("peel_recent")]}),
    ("autoimmune", "refer", is_true("autoimmune")),
    ("scleroderma", "not_eligible", is_true("scleroderma")),
    ("vitiligo_active", "not_eligible", is_true("vitiligo_active")),
    ("under_age", "not_eligible", {"<": [var("age"), 18]}),
    ("older_heart", "refer", {"and": [{">=": [var("age"), 70]}, is_true("heart_condition")]}),
    ("minoxidil_scalp", "eligible_with_precautions", {"and": [{"in": ["minoxidil", var("medications")]}, {"in": ["scalp", var("treatment_area")]}, {"!=": [var("sex"), "female"]}]}),
]
assert len(RULES) == 30, len(RULES)


def make_pack():
    items = []
    for item_id, item_type, page, extra in ITEMS:
        item = {"id": item_id, "type": item_type, "page": page, "text": f"Question about {item_id.replace('_', ' ')}?"}
        for key, value in extra.items():
            if key == "options":
                item["options"] = [{"value": v, "label": v.replace("_", " ")} for v in value]
            else:
                item[key] = value
        items.append(item)
    rules = [
        {"id": rule_id, "when": when, "outcome": outcome, "message": f"Message for {rule_id}.",
         "clinician_note": f"Note for {rule_id}.", "sources": ["S1"]}
        for rule_id, outcome, when in RULES
    ]
    return {
        "$comment": "Synthetic benchmark pack generated by bench/make_data.py; not clinical content.",
        "format": "prescreen-protocol/1",
        "id": "bench_synthetic",
        "version": "1.0.0",
        "title": "Synthetic 40-item, 30-rule benchmark pack",
        "locales": ["en-GB"],
        "pages": [{"id": p, "title": p.title()} for p in ["about", "skin", "medicines", "history", "recent"]],
        "items": items,
        "rules": rules,
        "sources": {"S1": {"title": "Synthetic source for benchmarks"}},
    }


def make_answers(rng):
    """One answer set: every visible item answered except the optional text. Booleans are rare yes."""
    a = {}
    a["age"] = rng.choice([16, 17] + list(range(18, 80)))
    a["sex"] = rng.choices(["female", "male", "other"], [70, 25, 5])[0]
    if a["sex"] != "male":
        a["pregnant"] = rng.random() < 0.03
        a["breastfeeding"] = rng.random() < 0.03
    a["skin_type"] = rng.choice(SKIN_TYPES)
    a["treatment_area"] = sorted(rng.sample(AREAS, rng.randint(1, 3)), key=AREAS.index)
    a["active_acne"] = rng.random() < 0.15
    if a["active_acne"]:
        a["acne_severity"] = rng.choice(["mild", "moderate", "severe"])
    for name in ["cold_sore_active", "cold_sore_history", "open_wound", "rosacea_flare", "eczema_area",
                 "psoriasis_area", "sunburn_current", "tan_recent", "vitiligo_active"]:
        a[name] = rng.random() < 0.04
    meds = [m for m in MEDICATIONS[1:] if rng.random() < 0.06]
    a["medications"] = meds or ["none"]
    a["isotretinoin_current"] = rng.random() < 0.02
    a["isotretinoin_past"] = rng.random() < 0.05
    if a["isotretinoin_past"]:
        weeks = rng.randint(1, 200)
        a["weeks_since_isotretinoin"] = weeks
        a["isotretinoin_last_dose"] = f"{2025 - weeks // 52:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    a["topical_retinoid"] = rng.random() < 0.08
    a["diabetes"] = rng.random() < 0.06
    if a["diabetes"]:
        a["diabetes_controlled"] = rng.random() < 0.7
        a["hba1c"] = round(rng.uniform(5.0, 11.0), 1)
    for name in ["bleeding_disorder", "immunosuppressed", "chemo_current", "keloid_history", "autoimmune",
                 "scleroderma", "heart_condition"]:
        a[name] = rng.random() < 0.02
    a["filler_recent"] = rng.random() < 0.05
    if a["filler_recent"]:
        a["weeks_since_filler"] = rng.randint(0, 20)
    a["botox_recent"] = rng.random() < 0.06
    if a["botox_recent"]:
        a["days_since_botox"] = rng.randint(0, 60)
    a["laser_recent"] = rng.random() < 0.03
    a["peel_recent"] = rng.random() < 0.03
    if rng.random() < 0.2:
        a["notes"] = rng.choice(["Nervous about needles.", "Prefers afternoon appointments.", "Had micro-needling before."])
    return a


def zen_expression(logic):
    """JsonLogic (the subset RULES uses) -> ZEN expression language. Guards come first in every
    `and`, and ZEN's `and` short-circuits, so comparisons never meet null (ZEN errors on null < 1
    where JsonLogic would coerce)."""
    if isinstance(logic, bool):
        return "true" if logic else "false"
    if isinstance(logic, (int, float)):
        return repr(logic)
    if isinstance(logic, str):
        return "'" + logic.replace("'", "\\'") + "'"
    if isinstance(logic, list):
        return "[" + ", ".join(zen_expression(x) for x in logic) + "]"
    (op, args), = logic.items()
    if op == "var":
        return args
    if not isinstance(args, list):
        args = [args]
    e = [zen_expression(a) for a in args]
    if op in ("==", "!=", "<", ">", ">=") or (op == "<=" and len(e) == 2):
        return f"({e[0]} {op} {e[1]})"
    if op == "<=":  # between: a <= x <= b
        return f"({e[0]} <= {e[1]} and {e[1]} <= {e[2]})"
    if op in ("and", "or"):
        return "(" + f" {op} ".join(e) + ")"
    if op == "!":
        return f"(not {e[0]})"
    if op == "in":
        return f"({e[0]} in {e[1]})"
    raise ValueError(f"no ZEN translation for {op}")


def make_zen_decision():
    return {
        "nodes": [
            {"id": "input", "type": "inputNode", "name": "answers", "position": {"x": 0, "y": 0}},
            {"id": "rules", "type": "expressionNode", "name": "rules", "position": {"x": 200, "y": 0},
             "content": {"expressions": [{"id": f"e{i}", "key": rule_id, "value": zen_expression(when)}
                                         for i, (rule_id, _, when) in enumerate(RULES)]}},
            {"id": "output", "type": "outputNode", "name": "fired", "position": {"x": 400, "y": 0}},
        ],
        "edges": [
            {"id": "in-rules", "sourceId": "input", "targetId": "rules", "type": "edge"},
            {"id": "rules-out", "sourceId": "rules", "targetId": "output", "type": "edge"},
        ],
    }


def main():
    OUT.mkdir(exist_ok=True)
    pack = make_pack()
    (OUT / "synthetic-pack.json").write_text(json.dumps(pack, indent=1) + "\n")
    rules = {
        "$comment": "The 30 conditions of synthetic-pack.json as plain JsonLogic, for the peers. "
                    "Result of a screening: the ids of the rules whose condition is truthy, and the strictest "
                    "of their outcomes in outcome_order (eligible when none fires).",
        "outcome_order": OUTCOMES,
        "rules": [{"id": r, "outcome": o, "when": w} for r, o, w in RULES],
    }
    (OUT / "rules.json").write_text(json.dumps(rules, indent=1) + "\n")
    (OUT / "zen-decision.json").write_text(json.dumps(make_zen_decision(), indent=1) + "\n")
    rng = random.Random(20261125)
    with open(OUT / "answers.jsonl", "w") as f:
        for _ in range(COUNT):
            f.write(json.dumps(make_answers(rng), separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
