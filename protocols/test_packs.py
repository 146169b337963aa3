"""Static checks of every shipped protocol pack (run: .venv/bin/python -m pytest protocols).

The engine's own load is the authority on whether a pack is valid; these tests catch authoring mistakes
early and without a build: schema conformance, dangling references, unreachable questions, rules no
case exercises, a stale clinician README, and drift from the micro-needling data dictionary.
"""
import importlib.util
import itertools
import json
import re
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent
SCHEMA = json.loads((ROOT / "protocol.schema.json").read_text(encoding="utf-8"))
PACK_PATHS = sorted(ROOT.glob("*/protocol.json"))
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
OUTCOMES = ["eligible", "eligible_with_precautions", "refer", "incomplete", "deferred", "not_eligible"]


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def pack_id(path):
    return path.parent.name


@pytest.fixture(params=PACK_PATHS, ids=pack_id)
def pack_path(request):
    return request.param


@pytest.fixture
def pack(pack_path):
    return load(pack_path)


def walk_logic(logic):
    """Yield (operator, argument) for every operation inside a JsonLogic expression."""
    if isinstance(logic, dict):
        for op, arg in logic.items():
            yield op, arg
            yield from walk_logic(arg)
    elif isinstance(logic, list):
        for x in logic:
            yield from walk_logic(x)


def var_names(logic):
    names = set()
    for op, arg in walk_logic(logic):
        if op == "var":
            name = arg[0] if isinstance(arg, list) else arg
            if isinstance(name, str) and name:
                names.add(name.split(".")[0])
    return names


def conditions(pack):
    """Every (JSON pointer, condition, kind) in the pack."""
    for i, it in enumerate(pack["items"]):
        if "enable_when" in it:
            yield f"/items/{i}/enable_when", it["enable_when"], "item"
    for i, r in enumerate(pack["rules"]):
        yield f"/rules/{i}/when", r["when"], "rule"
    for i, a in enumerate(pack.get("aftercare", [])):
        if "when" in a:
            yield f"/aftercare/{i}/when", a["when"], "aftercare"
    for i, p in enumerate(pack.get("course", {}).get("plans", [])):
        if "when" in p:
            yield f"/course/plans/{i}/when", p["when"], "course"


def source_uses(pack):
    """Every (JSON pointer, source id) cited anywhere, including documentation-only `$sources`."""
    def visit(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("sources", "$sources") and isinstance(v, list) and path != "":
                    for j, s in enumerate(v):
                        yield f"{path}/{k}/{j}", s
                else:
                    yield from visit(v, f"{path}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from visit(v, f"{path}/{i}")
    yield from visit(pack, "")


# --- schema ---------------------------------------------------------------------------------------

def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_packs_exist():
    assert PACK_PATHS, "no protocols/*/protocol.json found"


def test_pack_validates_against_schema(pack):
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(pack), key=lambda e: e.json_path)
    assert not errors, "\n".join(f"{e.json_path}: {e.message[:300]}" for e in errors)


MINIMAL = {
    "format": "prescreen-protocol/1", "id": "mini", "version": "1", "title": "Mini", "locales": ["en-GB"],
    "pages": [{"id": "p", "title": "P"}],
    "parameters": {"wait": {"type": "duration", "unit": "days", "default": 5, "min": 1, "max": 10}},
    "items": [{"id": "q", "type": "boolean", "page": "p", "text": "Q?", "required": True},
              {"id": "d", "type": "date", "page": "p", "text": "When?", "not_future": True,
               "enable_when": {"==": [{"var": "q"}, True]}}],
    "rules": [{"id": "r", "when": {"==": [{"var": "q"}, True]}, "outcome": "deferred",
               "defer": {"after": ["d"], "wait": "wait"}, "message": "M", "clinician_note": "N", "sources": ["S1"]}],
    "sources": {"S1": {"title": "T", "url": "https://example.org"}},
}


def schema_errors(doc):
    return list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc))


def mutated(fn):
    doc = json.loads(json.dumps(MINIMAL))
    fn(doc)
    return doc


def test_schema_accepts_minimal_pack_and_dollar_keys():
    assert not schema_errors(MINIMAL)
    assert not schema_errors(mutated(lambda d: d["rules"][0].update({"$comment": "why"})))
    assert not schema_errors(mutated(lambda d: d.update({"title": {"en-GB": "Mini"}})))


@pytest.mark.parametrize("name,change", [
    ("unknown top-level key", lambda d: d.update({"rulez": []})),
    ("unknown rule key (typo)", lambda d: d["rules"][0].update({"outcom": "refer"})),
    ("unknown item key", lambda d: d["items"][0].update({"enableWhen": True})),
    ("bad outcome", lambda d: d["rules"][0].update({"outcome": "maybe"})),
    ("incomplete is not a rule outcome", lambda d: d["rules"][0].update({"outcome": "incomplete"})),
    ("defer on a non-deferred rule", lambda d: d["rules"][0].update({"outcome": "refer"})),
    ("rule without sources", lambda d: d["rules"][0].update({"sources": []})),
    ("bad item type", lambda d: d["items"][0].update({"type": "yesno"})),
    ("choice without options", lambda d: d["items"][0].update({"type": "choice"})),
    ("options on a boolean", lambda d: d["items"][0].update({"options": [{"value": "a", "label": "A"}]})),
    ("not_future on a boolean", lambda d: d["items"][0].update({"not_future": True})),
    ("duration without unit", lambda d: d["parameters"]["wait"].pop("unit")),
    ("non-integer duration", lambda d: d["parameters"]["wait"].update({"default": 2.5})),
    ("bad id", lambda d: d["items"][0].update({"id": "1q"})),
    ("wrong format", lambda d: d.update({"format": "prescreen-protocol/2"})),
    ("missing locales", lambda d: d.pop("locales")),
])
def test_schema_rejects(name, change):
    assert schema_errors(mutated(change)), name


# --- references -----------------------------------------------------------------------------------

def test_ids_unique_and_well_formed(pack):
    for key in ("pages", "items", "rules", "aftercare"):
        ids = [x["id"] for x in pack.get(key, [])]
        assert len(ids) == len(set(ids)), f"duplicate ids in {key}"
        assert all(ID_RE.match(i) for i in ids), key
    plans = [p["id"] for p in pack.get("course", {}).get("plans", [])]
    assert len(plans) == len(set(plans))
    if "consent" in pack:
        for key in ("sections", "acknowledgements"):
            ids = [x["id"] for x in pack["consent"][key]]
            assert len(ids) == len(set(ids)), f"duplicate ids in consent {key}"


def test_every_source_id_resolves(pack):
    sources = pack.get("sources", {})
    dangling = [(path, s) for path, s in source_uses(pack) if s not in sources]
    assert not dangling, dangling


def test_every_source_is_cited(pack):
    used = {s for _, s in source_uses(pack)}
    assert set(pack.get("sources", {})) <= used, sorted(set(pack.get("sources", {})) - used)


def test_every_condition_reference_resolves(pack):
    items = {i["id"] for i in pack["items"]}
    params = set(pack.get("parameters", {}))
    rules = [r["id"] for r in pack["rules"]]
    problems = []
    for path, logic, kind in conditions(pack):
        for name in var_names(logic):
            if name not in items:
                problems.append(f"{path}: unknown item {name!r}")
        for op, arg in walk_logic(logic):
            if op == "param" and (arg[0] if isinstance(arg, list) else arg) not in params:
                problems.append(f"{path}: unknown parameter {arg!r}")
            if op in ("fired", "outcome") and kind in ("item", "rule"):
                problems.append(f"{path}: {op!r} is only allowed in aftercare and course conditions")
            if op == "fired" and (arg[0] if isinstance(arg, list) else arg) not in rules:
                problems.append(f"{path}: unknown rule {arg!r}")
    assert not problems, "\n".join(problems)


def test_defer_references(pack):
    items = {i["id"]: i for i in pack["items"]}
    params = pack.get("parameters", {})
    for r in pack["rules"]:
        if "defer" not in r:
            continue
        assert r["outcome"] == "deferred", r["id"]
        for a in r["defer"]["after"]:
            assert a in items and items[a]["type"] == "date", (r["id"], a)
            assert items[a].get("not_future"), f"{a}: event dates must not be in the future"
        p = params.get(r["defer"]["wait"])
        assert p and p["type"] == "duration", (r["id"], r["defer"]["wait"])


def test_parameters_consistent(pack):
    for name, p in pack.get("parameters", {}).items():
        if "min" in p:
            assert p["min"] <= p["default"], name
        if "max" in p:
            assert p["default"] <= p["max"], name
        if p["type"] in ("integer", "decimal", "duration"):
            assert "min" in p and "max" in p, f"{name}: give the range the sources support"
    consent = pack.get("consent")
    if consent:
        for key in ("validity", "cooling_off"):
            if key in consent:
                assert pack["parameters"][consent[key]]["type"] == "duration", key


def test_every_page_used_and_every_item_on_a_page(pack):
    pages = [p["id"] for p in pack["pages"]]
    used = {i["page"] for i in pack["items"]}
    assert set(pages) == used, {"unused": set(pages) - used, "unknown": used - set(pages)}


def test_rules_read_only_questions(pack):
    items = {i["id"]: i for i in pack["items"]}
    for path, logic, _ in conditions(pack):
        for name in var_names(logic):
            assert items[name]["type"] != "display", f"{path}: display item {name} has no answer"


# --- reachability ---------------------------------------------------------------------------------

def _truthy(v):
    return not (v is None or v is False or v == "" or v == [] or (isinstance(v, (int, float))
                                                                  and not isinstance(v, bool) and v == 0))


def _eval(logic, answers):
    """Just enough JsonLogic for enable_when conditions (the engine is the authority)."""
    if not isinstance(logic, dict):
        return logic
    (op, args), = logic.items()
    if op == "var":
        return answers.get(args[0] if isinstance(args, list) else args)
    args = args if isinstance(args, list) else [args]
    if op == "and":
        v = True
        for a in args:
            v = _eval(a, answers)
            if not _truthy(v):
                return v
        return v
    if op == "or":
        v = False
        for a in args:
            v = _eval(a, answers)
            if _truthy(v):
                return v
        return v
    vals = [_eval(a, answers) for a in args]
    if op in ("==", "==="):
        return type(vals[0]) is type(vals[1]) and vals[0] == vals[1]
    if op in ("!=", "!=="):
        return not (type(vals[0]) is type(vals[1]) and vals[0] == vals[1])
    if op == "!":
        return not _truthy(vals[0])
    if op == "!!":
        return _truthy(vals[0])
    if op == "in":
        return isinstance(vals[1], (list, str)) and vals[0] in vals[1]
    raise NotImplementedError(f"reachability check does not know {op!r}: extend _eval")


def _candidates(item):
    t = item["type"]
    if t == "boolean":
        return [None, True, False]
    if t == "choice":
        return [None] + [o["value"] for o in item["options"]]
    if t == "multi-choice":
        return [None] + [[o["value"]] for o in item["options"]]
    if t == "date":
        return [None, "2000-01-01"]
    if t in ("integer", "decimal"):
        return [None, item.get("min", 0), item.get("max", 1)]
    if t == "text":
        return [None, "x"]
    return [None]


def test_every_item_reachable(pack):
    """Each item's enable_when reads only earlier items that are themselves reachable, and some
    combination of their answers (each answer visible, as the engine requires) makes it visible."""
    order = {it["id"]: n for n, it in enumerate(pack["items"])}
    by_id = {it["id"]: it for it in pack["items"]}
    reachable = set()
    for it in pack["items"]:
        cond = it.get("enable_when")
        if cond is None:
            reachable.add(it["id"])
            continue
        deps = sorted(var_names(cond))
        for d in deps:
            assert order[d] < order[it["id"]], f"{it['id']} depends on later item {d}"
            assert d in reachable, f"{it['id']} depends on unreachable {d}"
        found = False
        for combo in itertools.product(*[_candidates(by_id[d]) for d in deps]):
            if _truthy(_eval(cond, dict(zip(deps, combo)))):
                found = True
                break
        assert found, f"{it['id']}: no answers make it visible"
        reachable.add(it["id"])


# --- cases ----------------------------------------------------------------------------------------

def cases_for(pack_path):
    path = pack_path.parent / "cases.json"
    return load(path)["cases"] if path.exists() else None


def test_cases_well_formed_and_fire_every_rule(pack_path, pack):
    cases = cases_for(pack_path)
    assert cases is not None, f"{pack_path.parent.name}: every shipped pack has patient cases (cases.json)"
    assert len(cases) >= 60
    items = {i["id"]: i for i in pack["items"]}
    rule_order = [r["id"] for r in pack["rules"]]
    params = pack.get("parameters", {})
    plans = {p["id"] for p in pack.get("course", {}).get("plans", [])}
    aftercare = {a["id"] for a in pack.get("aftercare", [])}
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    fired = set()
    for c in cases:
        assert set(c) <= {"id", "description", "today", "answers", "overrides", "expected"}, c["id"]
        assert re.match(r"^\d{4}-\d{2}-\d{2}$", c["today"]), c["id"]
        unknown = set(c["answers"]) - set(items)
        assert not unknown, (c["id"], unknown)
        for name, value in c.get("overrides", {}).items():
            p = params[name]
            assert p.get("min", value) <= value <= p.get("max", value), (c["id"], name)
        exp = c["expected"]
        assert exp["outcome"] in OUTCOMES, c["id"]
        if exp["defer_until"] is not None:
            assert exp["outcome"] == "deferred", c["id"]
        positions = [rule_order.index(f) for f in exp["findings"]]
        assert positions == sorted(set(positions)), f"{c['id']}: findings not in rule order"
        if exp["outcome"] == "eligible":
            assert not exp["findings"], c["id"]
        if exp.get("course_plan") is not None:
            assert exp["course_plan"] in plans, c["id"]
        for key in ("aftercare_includes", "aftercare_excludes"):
            assert set(exp.get(key, [])) <= aftercare, c["id"]
        assert set(exp) <= {"outcome", "defer_until", "findings", "course_plan", "aftercare_includes",
                            "aftercare_excludes", "missing_required", "issues"}, c["id"]
        missing = exp.get("missing_required", [])
        assert all(items[m].get("required") for m in missing), c["id"]
        assert [list(items).index(m) for m in missing] == sorted(list(items).index(m) for m in missing), c["id"]
        if exp["outcome"] == "incomplete":
            assert missing or exp.get("issues") or "missing_required" not in exp, c["id"]
        fired.update(exp["findings"])
    never = [r for r in rule_order if r not in fired]
    assert not never, f"rules no case fires: {never}"


# --- the clinician README -------------------------------------------------------------------------

def _generator(pack_path):
    path = pack_path.parent / "generate_readme.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"generate_readme_{pack_id(pack_path)}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_is_fresh(pack_path, pack):
    gen = _generator(pack_path)
    assert gen is not None, f"{pack_path.parent.name}: every shipped pack has a README generator"
    readme = pack_path.parent / "README.md"
    assert readme.exists(), "README.md missing: run generate_readme.py"
    assert readme.read_text(encoding="utf-8") == gen.generate(pack), \
        f"{readme} is stale: run python3 {pack_path.parent / 'generate_readme.py'}"


def test_readme_lists_every_rule_parameter_and_source(pack_path, pack):
    readme = pack_path.parent / "README.md"
    assert readme.exists(), f"{pack_path.parent.name}: every shipped pack has a clinician summary README.md"
    text = readme.read_text(encoding="utf-8")
    for r in pack["rules"]:
        assert f"`{r['id']}`" in text
    for name in pack.get("parameters", {}):
        assert f"`{name}`" in text
    for sid, s in pack.get("sources", {}).items():
        assert f"**{sid}**" in text and (not s.get("url") or s["url"] in text)


# --- micro-needling specifics ---------------------------------------------------------------------

DICTIONARY = {
    "date_of_birth": ("date", None),
    "sex": ("choice", ["female", "male", "intersex", "prefer_not_to_say"]),
    "clinic": ("choice", None),
    "treatment_areas": ("multi-choice", ["face", "neck", "decolletage", "hands", "arms", "abdomen", "thighs",
                                         "buttocks", "back", "scalp", "other"]),
    "indication": ("choice", ["fine_lines", "acne_scars", "texture", "enlarged_pores", "stretch_marks",
                              "surgical_scars", "pigmentation", "other"]),
    "pregnant": ("boolean", None), "breastfeeding": ("boolean", None),
    "isotretinoin_current": ("boolean", None), "isotretinoin_past": ("boolean", None),
    "isotretinoin_last_dose": ("date", None),
    "topical_retinoid": ("boolean", None), "topical_retinoid_last_use": ("date", None),
    "active_cold_sore": ("boolean", None), "cold_sore_history": ("boolean", None),
    "active_infection": ("boolean", None), "active_acne": ("boolean", None),
    "rosacea": ("choice", ["none", "history_clear", "active"]),
    "eczema_psoriasis": ("choice", ["none", "history_clear", "active"]),
    "keloid_tendency": ("boolean", None), "anticoagulant": ("boolean", None), "bleeding_disorder": ("boolean", None),
    "sunburn_recent": ("boolean", None), "sunburn_date": ("date", None),
    "injectables_recent": ("boolean", None), "botulinum_toxin_date": ("date", None),
    "dermal_filler_date": ("date", None),
    "resurfacing_recent": ("boolean", None), "resurfacing_date": ("date", None),
    "radiotherapy_area": ("boolean", None), "chemotherapy_current": ("boolean", None),
    "immunosuppressed": ("boolean", None),
    "diabetes": ("choice", ["none", "controlled", "uncontrolled"]),
    "stainless_steel_allergy": ("boolean", None), "metal_allergy_other": ("boolean", None),
    "anaesthetic_allergy": ("boolean", None), "skin_cancer_area": ("boolean", None),
    "suspicious_lesion": ("boolean", None), "topical_steroid_area": ("boolean", None),
    "autoimmune_skin": ("boolean", None), "recent_scar": ("boolean", None), "cardiac_device": ("boolean", None),
}


@pytest.fixture
def microneedling():
    path = ROOT / "microneedling" / "protocol.json"
    assert path.exists(), "the micro-needling pack is missing"
    return load(path)


def test_microneedling_follows_data_dictionary(microneedling):
    items = {i["id"]: i for i in microneedling["items"]}
    for item_id, (typ, values) in DICTIONARY.items():
        assert item_id in items, item_id
        assert items[item_id]["type"] == typ, item_id
        if values is not None:
            assert [o["value"] for o in items[item_id]["options"]] == values, item_id


def test_microneedling_clinics(microneedling):
    clinic = next(i for i in microneedling["items"] if i["id"] == "clinic")
    assert [(o["value"], o["label"]) for o in clinic["options"]] == [
        ("margaret_street", "Margaret Street, London"),
        ("new_kings_road", "New Kings Road, London"),
        ("kensington_church_street", "Kensington Church Street, London"),
        ("wilson_street_glasgow", "Wilson Street, Glasgow"),
    ]
    assert not clinic.get("required")


def test_microneedling_reference_policy(microneedling):
    p = microneedling["parameters"]
    expected = {
        "isotretinoin_washout": ("months", 6, 0, 12), "topical_retinoid_washout": ("days", 5, 1, 10),
        "sunburn_washout": ("days", 14, 1, 14), "toxin_filler_washout": ("days", 14, 14, 365),
        "peel_laser_washout": ("days", 14, 14, 28),
    }
    assert microneedling["policy"] == "mn-ref-v1"
    for name, (unit, default, lo, hi) in expected.items():
        assert (p[name]["type"], p[name]["unit"], p[name]["default"], p[name]["min"], p[name]["max"]) == \
            ("duration", unit, default, lo, hi), name
    assert (p["min_age"]["type"], p["min_age"]["default"]) == ("integer", 18)
    assert (p["device_age_caution_below"]["type"], p["device_age_caution_below"]["default"]) == ("integer", 22)


def test_microneedling_common_hazards_always_asked(microneedling):
    """The hazards home users most often miss are always visible questions."""
    items = {i["id"]: i for i in microneedling["items"]}
    for item_id in ("active_cold_sore", "cold_sore_history", "active_acne", "topical_retinoid",
                    "topical_steroid_area", "rosacea", "keloid_tendency"):
        assert "enable_when" not in items[item_id] and items[item_id].get("required"), item_id


def test_microneedling_dates_not_in_future(microneedling):
    for it in microneedling["items"]:
        if it["type"] == "date":
            assert it.get("not_future"), it["id"]
    dob = next(i for i in microneedling["items"] if i["id"] == "date_of_birth")
    assert dob.get("required") and dob.get("min_date")


def test_microneedling_messages_never_advise_stopping_medicine(microneedling):
    stop = re.compile(r"\b(stop|discontinue|come off|skip)\b[^.]*\b(medicine|tablet|warfarin|apixaban|"
                      r"anticoagulant|blood[- ]thinn|aspirin|clopidogrel)", re.I)
    negated = re.compile(r"\b(do not|don't|never)\s+(stop|discontinue)", re.I)
    for r in microneedling["rules"]:
        msg = r["message"]
        for sentence in re.split(r"(?<=[.!?])\s+", msg):
            if stop.search(sentence):
                assert negated.search(sentence), f"{r['id']}: {sentence}"
    anticoag = next(r for r in microneedling["rules"] if r["id"] == "anticoagulant")
    assert "as prescribed" in anticoag["message"] and anticoag["outcome"] == "refer"


def test_microneedling_rule_outcomes_match_category(microneedling):
    by_category = {"absolute": "not_eligible", "temporary": "deferred", "relative": "refer",
                   "precaution": "eligible_with_precautions"}
    for r in microneedling["rules"]:
        assert by_category[r["category"]] == r["outcome"], r["id"]


def test_microneedling_consent_material_risks(microneedling):
    consent = microneedling["consent"]
    sections = {s["id"]: s for s in consent["sections"]}
    kinds = {s["kind"] for s in consent["sections"]}
    assert {"procedure", "benefits", "risks", "alternatives", "aftercare", "cooling_off", "withdrawal"} <= kinds
    risks = [a for a in consent["acknowledgements"] if a.get("material_risk")]
    assert len(risks) >= 8
    for a in consent["acknowledgements"]:
        assert a["section"] in sections, a["id"]
        assert a.get("required"), a["id"]
    assert "no treatment" in sections["alternatives"]["text"].lower() or \
        "not to have any treatment" in sections["alternatives"]["text"].lower()
