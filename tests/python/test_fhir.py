"""prescreen.fhir: every resource validates with fhir.resources (the R4B models: PyPI's fhir.resources 8
serves R5 by default and R4B 4.3.0, whose Questionnaire, QuestionnaireResponse, Consent, Provenance
and RiskAssessment have R4's elements), and the FHIR vectors (tests/vectors/fhir) give the same JSON
from Python and from the native CLI as from the C++ suite."""

import datetime
import json
import os
import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.provenance import Provenance
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.riskassessment import RiskAssessment

import prescreen
from prescreen import fhir
from conftest import BASE, MICRONEEDLING, REQUEST, ROOT, SMALL_PACK, TODAY, answers

MODELS = {"Questionnaire": Questionnaire, "QuestionnaireResponse": QuestionnaireResponse, "Consent": Consent,
          "Provenance": Provenance, "RiskAssessment": RiskAssessment}
# Required bindings fhir.resources does not check: the codes R4 allows.
STATUS = {"Questionnaire": {"draft", "active", "retired", "unknown"},
          "QuestionnaireResponse": {"in-progress", "completed", "amended", "entered-in-error", "stopped"},
          "Consent": {"draft", "proposed", "active", "rejected", "inactive", "entered-in-error"},
          "RiskAssessment": {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
                             "entered-in-error", "unknown"}}
ITEM_TYPES = {"group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string", "text",
              "url", "choice", "open-choice", "attachment", "reference", "quantity"}
SAMPLES = Path(os.environ.get("PRESCREEN_SHARED_DIR", ROOT.parent / "shared")) / "fhir-samples"
if not SAMPLES.is_dir():
    SAMPLES = Path("/work/shared/fhir-samples")
VECTORS = sorted((ROOT / "tests" / "vectors" / "fhir").glob("*.json"))
CLI = Path(os.environ.get("PRESCREEN_CLI", ROOT / "build" / "prescreen"))


def validate(resource):
    """Validate against the R4(B) model and the required code bindings; return the resource."""
    kind = resource["resourceType"]
    MODELS[kind].model_validate(resource)
    if kind in STATUS:
        assert resource["status"] in STATUS[kind]

    def items(list_):
        for it in list_:
            yield it
            yield from items(it.get("item", []))
            for a in it.get("answer", []):
                yield from items(a.get("item", []))

    for it in items(resource.get("item", [])):
        if kind == "Questionnaire":
            assert it["type"] in ITEM_TYPES
            for c in it.get("enableWhen", []):
                assert c["operator"] in {"exists", "=", "!=", ">", "<", ">=", "<="}
            if len(it.get("enableWhen", [])) > 1:
                assert it["enableBehavior"] in {"all", "any"}
        else:
            assert not (it.get("answer") and it.get("item"))  # qrs-1
    return resource


@pytest.fixture(scope="module")
def small():
    return prescreen.Protocol.from_file(SMALL_PACK)


@pytest.fixture(scope="module")
def micro():
    return prescreen.Protocol.from_file(MICRONEEDLING)


def test_questionnaires_validate(small, micro):
    for p in (small, micro):
        for locale in p.document["locales"]:
            q = validate(fhir.questionnaire(p, locale=locale))
            assert q["url"] == f"urn:prescreen:protocol:{p.id}"
            assert q["language"] == locale
            assert {"system": "urn:prescreen:protocol-digest", "value": p.digest} in q["identifier"]


def test_a_locale_without_texts_is_refused(small):
    assert fhir.questionnaire(small, locale="fr")["language"] == "fr-FR"  # by language, as form() chooses
    with pytest.raises(prescreen.UsageError) as caught:
        fhir.questionnaire(small, locale="cy")
    assert (caught.value.diagnostic.code, caught.value.diagnostic.path) == ("unknown_locale", "/locale")


def test_response_validates_and_holds_only_enabled_answers(small):
    given = answers(sex="male", pregnant=True)  # pregnant is hidden for male
    qr = validate(fhir.questionnaire_response(small, given, today=datetime.date(2026, 11, 25)))
    assert qr["authored"] == TODAY and qr["status"] == "completed"
    assert "pregnant" not in json.dumps(qr)
    back = fhir.answers_from_response(small, qr)
    assert back["issues"] == []
    assert back["answers"] == {k: v for k, v in given.items() if k != "pregnant"}


def test_response_of_each_vector_answer_set_validates(small):
    n = 0
    for path in sorted((ROOT / "tests" / "vectors").glob("*.json")):
        v = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(v.get("answers"), dict) or v.get("protocol") != "tests/vectors/packs/small-clinic.json":
            continue
        validate(fhir.questionnaire_response(small, v["answers"], today=v.get("context", {}).get("today", TODAY)))
        n += 1
    assert n >= 40


def test_imported_samples_export_again_and_validate():
    files = sorted(SAMPLES.glob("*.json")) + sorted((ROOT / "tests" / "fhir").glob("*.json"))
    samples = [p for p in files if json.loads(p.read_text())["resourceType"] == "Questionnaire"]
    assert len(samples) == 5
    for path in samples:
        pack = fhir.import_questionnaire(path.read_text())
        p = prescreen.Protocol.from_json(pack)
        original = json.loads(path.read_text())
        q = fhir.questionnaire(p)
        try:
            Questionnaire.model_validate(original)
            validate(q)
        except ValidationError as e:
            # The sample itself breaks R4 (lforms-phq9: variable names "q1_value" are not ids); the export
            # carries the sample's extensions unchanged and must add no problem of its own.
            def problems(error):
                return {(d["type"], json.dumps(d["input"], sort_keys=True)) for d in error.errors()}
            with pytest.raises(ValidationError) as exported:
                Questionnaire.model_validate(q)
            assert problems(exported.value) <= problems(e)
        assert q.get("url") == original.get("url", f"urn:prescreen:protocol:{p.id}")
        validate(fhir.questionnaire_response(p, {}, today=TODAY))


def test_consent_provenance_and_risk_assessment_validate(small):
    record = small.consent(BASE, today=TODAY, **{k: v for k, v in REQUEST.items()}, seal_key="k")
    c = validate(fhir.consent(record))
    assert c["status"] == "active" and c["patient"]["identifier"]["value"] == "P-0001"
    prov = validate(fhir.provenance(record))
    assert prov["target"][0]["identifier"]["value"] == c["identifier"][0]["value"]
    result = small.screen(answers(drug_current=True), today=TODAY)
    ra = validate(fhir.risk_assessment(result, subject={"reference": "Patient/p1"}))
    assert ra["subject"] == {"reference": "Patient/p1"}
    assert [pr["outcome"]["coding"][0]["code"] for pr in ra["prediction"]] == result.finding_ids


def test_bad_input_raises_protocol_error_with_paths():
    with pytest.raises(prescreen.ProtocolError) as e:
        fhir.import_questionnaire({"resourceType": "Patient"})
    assert e.value.diagnostics[0].code == "fhir_not_a_questionnaire"
    assert e.value.diagnostics[0].path == "/resourceType"
    with pytest.raises(prescreen.ProtocolError) as e:
        fhir.consent({"record_type": "nope"})
    assert e.value.diagnostics[0].code == "not_a_record"
    with pytest.raises(TypeError, match="answers"):
        fhir.questionnaire_response(prescreen.Protocol.from_file(SMALL_PACK), {"x": object()}, today=TODAY)


def run_vector(v):
    op = v["operation"]
    try:
        if op == "fhir_questionnaire":
            return fhir.questionnaire(prescreen.Protocol.from_file(ROOT / v["protocol"]), locale=v.get("locale"))
        if op == "fhir_questionnaire_response":
            return fhir.questionnaire_response(prescreen.Protocol.from_file(ROOT / v["protocol"]), v["answers"],
                                               today=v["context"]["today"], locale=v.get("locale"))
        if op == "fhir_answers_from_response":
            return fhir.answers_from_response(prescreen.Protocol.from_file(ROOT / v["protocol"]), v["response"])
        if op == "fhir_import_questionnaire":
            return fhir.import_questionnaire(v["resource"])
        if op == "fhir_consent":
            return fhir.consent(v["record"])
        if op == "fhir_provenance":
            return fhir.provenance(v["record"])
        if op == "fhir_risk_assessment":
            return fhir.risk_assessment(v["result"])
    except prescreen.ProtocolError as e:
        return {"error": {"diagnostics": [d.to_dict() if hasattr(d, "to_dict") else dict(d) for d in e.diagnostics]}}
    raise AssertionError(f"unknown operation {op}")


def run_cli(v, tmp_path):
    """The same vector through the native CLI (prescreen fhir ...)."""
    op = v["operation"]
    data = tmp_path / "input.json"
    pack = ROOT / v.get("protocol", "")
    args = {"fhir_questionnaire": ["questionnaire", pack],
            "fhir_questionnaire_response": ["response", "--protocol", pack, "--today",
                                            v.get("context", {}).get("today", ""), data],
            "fhir_answers_from_response": ["answers", "--protocol", pack, data],
            "fhir_import_questionnaire": ["import", data],
            "fhir_consent": ["consent", data], "fhir_provenance": ["consent", data],
            "fhir_risk_assessment": ["risk", data]}[op]
    if v.get("locale"):
        args += ["--locale", v["locale"]]
    payload = v.get("answers", v.get("response", v.get("resource", v.get("record", v.get("result")))))
    data.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([str(CLI), "fhir", *map(str, args)], capture_output=True, text=True, timeout=60)
    if run.returncode == 1:
        return {"error": {"diagnostics": json.loads(run.stderr.splitlines()[-1])["error"]["diagnostics"]}}
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    if op == "fhir_consent":
        return out["entry"][0]["resource"]
    if op == "fhir_provenance":
        return out["entry"][1]["resource"]
    return out


def test_there_are_fhir_vectors():
    assert len(VECTORS) >= 12


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_fhir_vector_python_and_cli(path, tmp_path):
    v = json.loads(path.read_text(encoding="utf-8"))
    assert v["expected"] is not None, "run the C++ suite with PRESCREEN_UPDATE_VECTORS=1 first"
    actual = run_vector(v)
    assert actual == v["expected"]
    if "resourceType" in actual:
        validate(actual)
    assert CLI.exists(), f"the native CLI {CLI} is built by `make build` (or set PRESCREEN_CLI)"
    assert run_cli(v, tmp_path) == v["expected"]
