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
        # A not_eligible rule may name the day its reason ends (under the minimum age: the birthday).
        assert r["outcome"] in ("deferred", "not_eligible"), r["id"]
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
        for rule in exp.get("finding_dates", {}):  # a finding's own date: only for a finding that fires
            assert rule in exp["findings"], (c["id"], rule)
        positions = [rule_order.index(f) for f in exp["findings"]]
        assert positions == sorted(set(positions)), f"{c['id']}: findings not in rule order"
        if exp["outcome"] == "eligible":
            assert not exp["findings"], c["id"]
        if exp.get("course_plan") is not None:
            assert exp["course_plan"] in plans, c["id"]
        for key in ("aftercare_includes", "aftercare_excludes"):
            assert set(exp.get(key, [])) <= aftercare, c["id"]
        assert set(exp) <= {"outcome", "defer_until", "findings", "course_plan", "aftercare_includes",
                            "aftercare_excludes", "missing_required", "issues", "finding_dates"}, c["id"]
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
    "other_medicines": ("text", None), "other_conditions": ("text", None), "other_allergies": ("text", None),
}

# shared/protocols/microneedling-data-dictionary-v2.md: new ids (every v1 id above keeps its meaning).
DICTIONARY_V2 = {
    "skin_type": ("choice", ["I", "II", "III", "IV", "V", "VI", "unsure"]),
    "pih_history": ("boolean", None), "melasma": ("boolean", None),
    "vitiligo_lichen_planus": ("choice", ["none", "stable", "active"]),
    "permanent_filler_area": ("choice", ["none", "semi_permanent", "permanent", "unsure"]),
    "semi_permanent_filler_date": ("date", None),
    "threads_implants_area": ("choice", ["none", "absorbable_threads", "permanent_implant", "unsure"]),
    "threads_date": ("date", None), "surgery_area": ("boolean", None), "surgery_area_date": ("date", None),
    "previous_microneedling": ("boolean", None), "previous_microneedling_date": ("date", None),
    "home_device": ("boolean", None), "home_device_last_use": ("date", None),
    "previous_reaction": ("boolean", None), "previous_reaction_detail": ("text", None),
    "herpes_other_area": ("choice", ["none", "history", "active"]),
    "chlorhexidine_allergy": ("boolean", None), "latex_allergy": ("boolean", None),
    "product_ingredient_allergy": ("boolean", None), "product_ingredient_allergy_detail": ("text", None),
    "sarcoidosis_granuloma": ("boolean", None),
    "hair_removal_recent": ("boolean", None), "hair_removal_date": ("date", None),
    "self_tan_recent": ("boolean", None), "self_tan_date": ("date", None),
    "resurfacing_depth": ("choice", ["superficial", "medium_deep_or_ablative", "unsure"]),
    "resurfacing_healed": ("boolean", None),
    "acne_grade": ("choice", ["mild", "moderate_severe", "unsure"]),
    "rosacea_area": ("boolean", None),
}


@pytest.fixture
def microneedling():
    path = ROOT / "microneedling" / "protocol.json"
    assert path.exists(), "the micro-needling pack is missing"
    return load(path)


def test_microneedling_follows_data_dictionary(microneedling):
    items = {i["id"]: i for i in microneedling["items"]}
    for item_id, (typ, values) in {**DICTIONARY, **DICTIONARY_V2}.items():
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
    expected = {  # mn-ref-v1 §3, kept by mn-ref-v2; then mn-ref-v2 §9
        "isotretinoin_washout": ("months", 6, 0, 12), "topical_retinoid_washout": ("days", 5, 1, 10),
        "sunburn_washout": ("days", 14, 1, 14), "toxin_filler_washout": ("days", 14, 14, 365),
        "peel_laser_washout": ("days", 14, 14, 28),
        "deep_resurfacing_washout": ("months", 3, 1, 6), "surgery_area_washout": ("months", 3, 2, 12),
        "semi_permanent_filler_washout": ("months", 6, 1, 12), "threads_washout": ("days", 28, 28, 70),
        "session_interval": ("days", 28, 14, 42), "home_device_washout": ("days", 7, 1, 28),
        "hair_removal_washout": ("days", 7, 3, 14), "self_tan_washout": ("days", 14, 7, 14),
    }
    assert microneedling["policy"] == "mn-ref-v2" and microneedling["version"] == "2.0.0"
    for name, (unit, default, lo, hi) in expected.items():
        assert (p[name]["type"], p[name]["unit"], p[name]["default"], p[name]["min"], p[name]["max"]) == \
            ("duration", unit, default, lo, hi), name
    # A duration in years, so the under-age finding carries the birthday it clears on (same rule as age).
    assert (p["min_age"]["type"], p["min_age"]["unit"], p["min_age"]["default"]) == ("duration", "years", 18)
    under = next(r for r in microneedling["rules"] if r["id"] == "under_min_age")
    assert under["defer"] == {"after": ["date_of_birth"], "wait": "min_age"} and under["outcome"] == "not_eligible"
    # mn-ref-v2 §7: the device-age caution is off by default (= min_age), range 18-22.
    assert (p["device_age_caution_below"]["type"], p["device_age_caution_below"]["default"],
            p["device_age_caution_below"]["min"], p["device_age_caution_below"]["max"]) == ("integer", 18, 18, 22)


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
    rules = {r["id"] for r in microneedling["rules"]}
    for a in consent["acknowledgements"]:
        assert a["section"] in sections, a["id"]
        assert a.get("stage") in ("pre_visit", "consultation"), a["id"]
        # Required unless a free choice (photographs); a finding-specific one applies (`when`) only to
        # the patients it concerns, and then is required (CONTRAINDICATIONS-v2 §6).
        assert bool(a.get("required")) != (a["section"] == "photographs"), a["id"]
        # ... or, about an override (`with_override`), only when a practitioner override is given.
        assert ("when" in a or a.get("with_override") is True) == (a["section"] == "your_situation"), a["id"]
        assert "$when" not in a and "$step" not in a, a["id"]
        for op, arg in walk_logic(a.get("when", {})):
            if op == "fired":
                assert arg in rules, (a["id"], arg)
    acks = {a["id"]: a for a in consent["acknowledgements"]}
    # Two steps (CONTRAINDICATIONS-v2 §6, CONSENT.md §9): nothing before the visit says questions were answered.
    for a in acks.values():
        if a["stage"] == "pre_visit":
            assert not re.search(r"questions? (were|was|have been) answered", a["text"], re.I), a["id"]
    assert acks["questions_answered"]["stage"] == "consultation"
    assert [a for a in acks if acks[a]["stage"] == "pre_visit"] == ["read_information", "answers_accurate"]
    # mn-ref-v2 §6: each new material risk recorded on its own; photographs three separate choices; voluntariness.
    for a in ("risk_tram_track", "risk_granuloma_products", "risk_milia", "risk_flare_koebner",
              "risk_prolonged_redness", "risk_numbing_toxicity"):
        assert acks[a].get("material_risk") and acks[a].get("required"), a
    assert [acks[a]["section"] for a in ("photo_care", "photo_teaching", "photo_marketing")] == ["photographs"] * 3
    assert acks["voluntary"].get("required")
    for finding in ("pih_risk_skin_type", "koebner_stable", "threads_area", "hsv_history", "herpes_other_history",
                    "anticoagulant", "keloid_tendency", "chlorhexidine_allergy"):
        assert any(("fired", finding) in list(walk_logic(a.get("when", {}))) for a in acks.values()), finding
    assert "Dermapen 4" in sections["procedure"]["text"]
    assert "no treatment" in sections["alternatives"]["text"].lower() or \
        "not to have any treatment" in sections["alternatives"]["text"].lower()


# --- mn-ref-v2 ------------------------------------------------------------------------------------

NEVER_OVERRIDABLE = {  # CONTRAINDICATIONS-v2.md §5
    "under_min_age", "skin_cancer_area", "stainless_steel_allergy", "pregnancy", "breastfeeding", "isotretinoin_current",
    "hsv_active", "herpes_other_active", "active_infection", "eczema_psoriasis_active", "rosacea_active", "koebner_active",
    "resurfacing_not_healed",
}
CONSULTED = {"anticoagulant", "bleeding_disorder", "immunosuppressed", "chemotherapy_current", "radiotherapy_area",
             "diabetes_uncontrolled", "melasma_area", "koebner_stable"}
HEALTHCARE_REGISTERS = {"GMC", "NMC", "GDC", "GPhC", "HCPC", "other_statutory"}


def test_microneedling_override_policy(microneedling):
    """Every rule says whether and by whom it may be overridden (CONTRAINDICATIONS-v2.md §5)."""
    for r in microneedling["rules"]:
        policy = r.get("override")
        assert policy is not None, f"{r['id']}: no override policy"
        dated = "defer" in r
        if r["outcome"] == "not_eligible" or (r["outcome"] == "deferred" and not dated):
            assert policy == {"allowed": False}, r["id"]
            continue
        if r["outcome"] == "eligible_with_precautions":
            assert policy == {"allowed": False, "acknowledge": True}, r["id"]
            continue
        assert policy["allowed"] is True, r["id"]
        # Never a non-healthcare practitioner or a voluntary register.
        assert set(policy["by"]) == HEALTHCARE_REGISTERS, r["id"]
        if dated:
            assert policy.get("not_before") == "parameter_min", r["id"]
            assert "deferred" in policy["to"], r["id"]
        else:
            assert set(policy["to"]) == {"eligible", "eligible_with_precautions"}, r["id"]
        assert bool(policy.get("consulted")) == (r["id"] in CONSULTED), r["id"]
    ids = {r["id"] for r in microneedling["rules"]}
    assert NEVER_OVERRIDABLE <= ids
    for rid in NEVER_OVERRIDABLE:
        assert next(r for r in microneedling["rules"] if r["id"] == rid)["override"] == {"allowed": False}, rid


def test_microneedling_v2_changed_rules(microneedling):
    rules = {r["id"]: r for r in microneedling["rules"]}
    assert rules["bleeding_disorder"]["outcome"] == "refer"               # §7 (v1: not_eligible)
    assert "active_acne" not in rules and "resurfacing_recent" not in rules  # split by grade / depth
    assert rules["acne_mild_active"]["outcome"] == "eligible_with_precautions"
    assert rules["acne_severe_active"]["outcome"] == "refer"
    assert rules["resurfacing_deep_recent"]["defer"]["wait"] == "deep_resurfacing_washout"
    assert rules["resurfacing_superficial_recent"]["defer"]["wait"] == "peel_laser_washout"
    items = {i["id"]: i for i in microneedling["items"]}
    assert "6 months" in items["resurfacing_recent"]["text"]              # §3: the look-back covers the range maximum
    # §2.9: any non-empty free text fires the review.
    assert {"other_medicines", "other_conditions", "other_allergies"} <= var_names(rules["free_text_review"]["when"])


def test_microneedling_messages_fit_their_situation(microneedling):
    rules = {r["id"]: r for r in microneedling["rules"]}
    for r in rules.values():
        msg = r["message"]
        # §4: a patient is never told "you can have treatment from" a date, only when each reason clears.
        assert "treatment from the date" not in msg, r["id"]
        if "defer" in r:
            assert "clears on the date shown" in msg, r["id"]
        elif r["outcome"] == "deferred":
            assert "date shown" not in msg, r["id"]
    assert "cleared up" not in rules["pregnancy"]["message"] and "pregnancy" in rules["pregnancy"]["message"]
    under = rules["under_min_age"]["message"]
    default_age = microneedling["parameters"]["min_age"]["default"]
    assert f"age of {default_age}" in under and f"{default_age}th birthday" in under and "policy" in under
    assert "birthday: this reason clears on the date shown" in under  # its own date: the day they may come back
    assert "not safe" not in under.lower() and "unsafe" not in under.lower()


# Words that tell someone to stop, pause or skip something; and what makes it about a prescribed medicine.
STOP_WORDS = re.compile(r"\b(stop|stopping|pause|pausing|discontinue|come off|skip|do not use|don't use|avoid|leave off)\b", re.I)
PRESCRIBED = re.compile(r"\b(prescri\w*|medicines?|medications?|tablets?|capsules?|tretinoin|adapalene|isotretinoin|"
                        r"benzoyl peroxide|retinoids?|anticoagulants?|blood[- ]thinn\w*|warfarin|antivirals?|steroids?)\b", re.I)
CAVEAT = re.compile(r"(ask (your|the) prescriber|do not stop (or change )?(a|any|it|them|your)|keep taking|"
                    r"as (your )?(doctor |prescriber )?prescribed|unless your prescriber)", re.I)


def pack_texts(pack):
    """(JSON pointer, text) for every text a patient can read: items, rules, aftercare, course, consent."""
    loc = pack["locales"][0]

    def t(v):
        return v.get(loc, "") if isinstance(v, dict) else (v or "")

    for i, it in enumerate(pack["items"]):
        yield f"/items/{i}/text", t(it["text"])
        if "help" in it:
            yield f"/items/{i}/help", t(it["help"])
    for i, r in enumerate(pack["rules"]):
        yield f"/rules/{i}/message", t(r["message"])
    for i, a in enumerate(pack.get("aftercare", [])):
        yield f"/aftercare/{i}/text", t(a["text"])
    for i, c in enumerate(pack.get("course", {}).get("plans", [])):
        yield f"/course/plans/{i}/text", t(c["text"])
    consent = pack.get("consent", {})
    for i, s in enumerate(consent.get("sections", [])):
        yield f"/consent/sections/{i}/text", t(s["text"])
    for i, a in enumerate(consent.get("acknowledgements", [])):
        yield f"/consent/acknowledgements/{i}/text", t(a["text"])


def stop_without_caveat(text):
    """Sentences (or, for a caveat in the next sentence, paragraphs) telling a patient to stop or pause something
    that may be a prescribed medicine, with no prescriber caveat in the same text."""
    if CAVEAT.search(text):
        return []
    return [s for s in re.split(r"(?<=[.!?:])\s+", text) if STOP_WORDS.search(s) and PRESCRIBED.search(s)]


@pytest.mark.parametrize("text,flagged", [
    ("Do not use retinoids or benzoyl peroxide on the area for 5 days.", True),
    ("Stop your tablets a week before.", True),
    ("Pause your tretinoin cream for 5 days.", True),
    ("Do not use retinoids for 5 days. If a doctor prescribed it, ask your prescriber before pausing it.", False),
    ("Keep taking your medicine exactly as prescribed: do not stop or change it.", False),
    ("Avoid the sun for 72 hours.", False),
])
def test_prescriber_caveat_check_itself(text, flagged):
    assert bool(stop_without_caveat(text)) == flagged


def test_no_text_advises_stopping_a_prescribed_medicine_without_the_caveat(pack):
    """mn-ref-v2 §8 and DESIGN: no text anywhere in the pack tells a patient to stop or pause a prescribed
    medicine without 'ask your prescriber' (or 'keep taking it as prescribed')."""
    problems = [(path, s) for path, text in pack_texts(pack) for s in stop_without_caveat(text)]
    assert not problems, "\n".join(f"{p}: {s}" for p, s in problems)


def test_microneedling_warning_signs_route_by_urgency(microneedling):
    warnings = " ".join(a["text"] for a in microneedling["aftercare"] if a["phase"] == "warning_signs")
    assert "999" in warnings and "NHS 111" in warnings and "tongue" in warnings and "breathing" in warnings
    phases = {a["phase"] for a in microneedling["aftercare"]}
    assert {"pre_treatment", "home_care", "warning_signs"} <= phases


def test_microneedling_course_text_matches_its_numbers(microneedling):
    words = {1: "1", 2: "2", 3: "3", 4: "4"}
    interval = microneedling["parameters"]["session_interval"]["default"]
    for plan in microneedling["course"]["plans"]:
        assert words[plan["sessions"]] in plan["text"], plan["id"]
        assert f"{plan['interval_weeks']} weeks apart" in plan["text"], plan["id"]
        assert plan["interval_weeks"] * 7 >= interval, plan["id"]   # never closer than session_interval
    assert f"{microneedling['course']['follow_up']['weeks']} weeks after your last session" in \
        microneedling["course"]["follow_up"]["text"]


CLINIC = ROOT / "clinic.json"


def mn_translations():
    return load(ROOT / "microneedling" / "protocol.json").get("translations", {})


def test_translation_files_name_the_pack_and_their_locale():
    """Each declared translation has its file beside the pack (the engine checks it is complete: tests/cpp)."""
    pack = load(ROOT / "microneedling" / "protocol.json")
    for tag in (k for k in mn_translations() if not k.startswith("$")):
        doc = load(ROOT / "microneedling" / "translations" / f"{tag}.json")
        assert (doc["format"], doc["protocol"], doc["locale"]) == ("prescreen-translation/1", pack["id"], tag)
        assert all(isinstance(v, str) and v.strip() for v in doc["texts"].values()), tag


def test_clinic_file():
    """Clinic identity lives in protocols/clinic.json, never in the page; branches match the pack's choice item."""
    clinic = load(CLINIC)
    assert set(clinic) <= {"$comment", "name", "regulator", "privacy_notice_url", "device", "urgent", "branches", "translations"}
    # The device prefilled in the back office's consent Procedure block (issue 13: Dermapen 4).
    assert clinic.get("device") is None or (isinstance(clinic["device"], str) and clinic["device"].strip())
    # The clinic's own wording in each language the pack is translated into (web-demo/clinic.js).
    declared = {k for k in mn_translations() if not k.startswith("$")}
    assert {k for k in clinic.get("translations", {}) if not k.startswith("$")} == declared
    for tag in declared:
        local = clinic["translations"][tag]
        assert len(local["urgent"]) == len(clinic["urgent"]), tag
        days = {line["days"] for b in clinic["branches"] for line in b["opening_hours"]}
        assert days <= set(local["days"]), tag
    mn = load(ROOT / "microneedling" / "protocol.json")
    options = [o["value"] for o in next(i for i in mn["items"] if i["id"] == "clinic")["options"]]
    assert [b["id"] for b in clinic["branches"]] == options
    for b in clinic["branches"]:
        assert set(b) <= {"$comment", "id", "name", "address", "postcode", "phone", "opening_hours"}, b["id"]
        assert re.match(r"^0\d{2,3} \d{3,4} \d{4}$", b["phone"]), b["id"]
    assert {"999", "NHS 111"} <= {u["number"] for u in clinic["urgent"]}
