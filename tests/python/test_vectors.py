"""The shared vectors (tests/vectors/*.json): the same files run in C++, Python and JavaScript.

Each vector's hand-written `checks` (JSON Pointer -> value) must hold, and once the C++ suite has
filled in `expected`, `to_dict()` must equal it exactly (types included: 1 is not 1.0 or True)."""

import copy
import json

import pytest

from conftest import ROOT

VECTORS = sorted((ROOT / "tests" / "vectors").glob("*.json"))
_BY_NAME = {}


def _load_vector(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _pointer_get(doc, pointer):
    if pointer == "":
        return doc
    for token in pointer.lstrip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(doc, list):
            doc = doc[int(token)]
        elif isinstance(doc, dict):
            doc = doc[token]
        else:
            raise KeyError(pointer)
    return doc


def _pointer_set(doc, pointer, value):
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.lstrip("/").split("/")]
    for token in tokens[:-1]:
        doc = doc[int(token)] if isinstance(doc, list) else doc[token]
    if isinstance(doc, list):
        doc[int(tokens[-1])] = value
    else:
        doc[tokens[-1]] = value


def _strict_equal(a, b):
    """JSON equality with JSON types: Python says 1 == 1.0 == True, JSON does not."""
    if type(a) is not type(b):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
            return float(a) == float(b) and (isinstance(a, float) == isinstance(b, float))
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_strict_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_strict_equal(x, y) for x, y in zip(a, b))
    return a == b


def _protocol(prescreen, vector):
    source = vector["protocol"]
    overrides = vector.get("overrides")
    if isinstance(source, str):
        return prescreen.Protocol.from_file(ROOT / source, overrides=overrides)
    return prescreen.Protocol.from_json(source, overrides=overrides)


def _record(prescreen, vector):
    if "record" in vector:
        return copy.deepcopy(vector["record"])
    source = vector["record_from"]
    origin = next(_load_vector(p) for p in VECTORS if _load_vector(p)["name"] == source)
    record = run(prescreen, origin)
    for pointer, value in vector.get("mutate", {}).items():
        _pointer_set(record, pointer, value)
    return record


def run(prescreen, vector):
    """The vector's operation through the Python API, as the C++ JSON (or the error envelope)."""
    op = vector["operation"]
    context = vector.get("context", {})
    today = context.get("today")
    locale = context.get("locale")
    if op == "apply_logic":
        try:
            return prescreen.apply_logic(vector["rule"], vector.get("data", {}), today=today)
        except prescreen.ProtocolError as e:
            return {"error": {"diagnostics": [d.to_dict() for d in e.diagnostics]}}
    try:
        if op == "verify_consent":
            return prescreen.verify_consent(_record(prescreen, vector), seal_key=vector.get("seal_key")).to_dict()
        if op == "consent_status":
            return prescreen.consent_status(_record(prescreen, vector), vector["at"], vector.get("events"),
                                            seal_key=vector.get("seal_key")).to_dict()
    except prescreen.UsageError as e:
        return {"error": e.diagnostic.to_dict()}
    try:
        protocol = _protocol(prescreen, vector)
    except prescreen.ProtocolError as e:
        return {"error": {"diagnostics": [d.to_dict() for d in e.diagnostics]}}
    if op == "load":
        return {"id": protocol.id, "version": protocol.version, "digest": protocol.digest}
    if op == "form":
        return protocol.form(vector["answers"], today=today, locale=locale, texts=context.get("texts", True)).to_dict()
    if op == "texts":
        try:
            return protocol.texts(locale=locale)
        except prescreen.UsageError as e:
            return {"error": e.diagnostic.to_dict()}
    if op == "screen":
        return protocol.screen(vector["answers"], today=today, locale=locale).to_dict()
    if op == "consent":
        r = vector["request"]
        try:
            return protocol.consent(
                vector["answers"], today=today, locale=locale, acknowledged=r.get("acknowledged", []),
                signature=r.get("signature", {}), signed_at=r.get("signed_at", ""),
                information_shown_at=r.get("information_shown_at", ""),
                patient_reference=r.get("patient_reference"), practitioner_override=r.get("practitioner_override"),
                seal_key=r.get("seal_key"), countersignature=r.get("countersignature"),
                procedure=r.get("procedure")).to_dict()
        except prescreen.UsageError as e:
            return {"error": e.diagnostic.to_dict()}
    try:
        if op == "consent_document":
            return protocol.consent_document(vector["answers"], today=today, locale=locale)
        if op == "information_record":
            r = vector["request"]
            return protocol.information_record(
                today=today, locale=locale, acknowledged=r.get("acknowledged", []),
                information_shown_at=r.get("information_shown_at", ""), read_at=r.get("read_at", ""),
                patient_reference=r.get("patient_reference")).to_dict()
    except prescreen.UsageError as e:
        return {"error": e.diagnostic.to_dict()}
    raise AssertionError(f"unknown operation {op}")


def test_vectors_exist():
    assert len(VECTORS) >= 40


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_vector(prescreen, path):
    vector = _load_vector(path)
    actual = run(prescreen, vector)
    for pointer, value in vector.get("checks", {}).items():
        got = _pointer_get(actual, pointer)
        assert _strict_equal(got, value), f"{pointer}: {got!r} != {value!r}"
    if vector.get("expected") is not None:
        assert _strict_equal(actual, vector["expected"]), json.dumps(actual, sort_keys=True)[:2000]
        # and the JSON text of results is the C++ text
        if vector["operation"] in ("form", "screen"):
            protocol = _protocol(prescreen, vector)
            fn = protocol.screen if vector["operation"] == "screen" else protocol.form
            ctx = vector.get("context", {})
            more = {"texts": ctx["texts"]} if "texts" in ctx else {}
            text = fn(vector["answers"], today=ctx.get("today"), locale=ctx.get("locale"), **more).to_json()
            assert json.loads(text) == vector["expected"]


@pytest.mark.parametrize("path", [p for p in VECTORS if _load_vector(p)["operation"] == "screen"],
                         ids=lambda p: p.stem)
def test_vector_batch_equals_single(prescreen, path):
    """screen_many gives the same JSON as screen for every screening vector."""
    vector = _load_vector(path)
    protocol = _protocol(prescreen, vector)
    ctx = vector.get("context", {})
    single = protocol.screen(vector["answers"], today=ctx["today"], locale=ctx.get("locale")).to_dict()
    batch = protocol.screen_many([vector["answers"]] * 3, today=ctx["today"], locale=ctx.get("locale"), threads=2)
    if not isinstance(vector["answers"], dict):
        # In a batch a row that is not an object is an error row (Protocol::screen_batch), not a result.
        assert [r.code for r in batch] == ["not_an_object"] * 3
        return
    assert [r.to_dict() for r in batch] == [single] * 3
