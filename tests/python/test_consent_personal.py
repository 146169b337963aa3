"""Personalised, two-step consent through Python (docs/consent.md; CONTRAINDICATIONS-v2 §6): the
acknowledgements that apply to this patient (`when`), their stage, and the language the patient read."""

import json

import pytest

from conftest import ROOT, TODAY

PERSONAL = ROOT / "tests" / "vectors" / "packs" / "small-clinic-personal.json"
CASES = json.loads((ROOT / "protocols" / "microneedling" / "cases.json").read_text(encoding="utf-8"))["cases"]
CLEAN = CASES[0]["answers"]  # a healthy 35-year-old: nothing to flag
SIGNING = {"signature": {"name": "Alex Patient", "role": "patient"}, "signed_at": "2026-11-25T10:31:00Z",
           "information_shown_at": "2026-11-25T10:20:00Z",
           "countersignature": {"name": "Sam Lee", "role": "nurse", "register": "NMC", "registration_number": "12A3456B"}}


def mn(**changes):
    return {**CLEAN, **changes}


def ids(document):
    return [a["id"] for a in document["acknowledgements"]]


def required(document):
    return [a["id"] for a in document["acknowledgements"] if a["required"]]


@pytest.fixture(scope="module")
def personal(prescreen):
    return prescreen.Protocol.from_file(PERSONAL)


def test_keloid_patient_and_plain_patient_meet_different_acknowledgements(microneedling):
    plain = microneedling.consent_document(mn(), today=TODAY)
    keloid = microneedling.consent_document(mn(keloid_tendency=True), today=TODAY)
    assert plain["outcome"] == "eligible" and keloid["outcome"] == "refer"
    extra = [i for i in ids(keloid) if i not in ids(plain)]
    assert extra == ["finding_keloid", "finding_override"]
    assert [i for i in ids(plain) if i.startswith("finding_")] == []
    assert [a["stage"] for a in plain["acknowledgements"][:3]] == ["pre_visit", "pre_visit", "consultation"]
    assert {a["id"]: a["required"] for a in plain["acknowledgements"]}["photo_marketing"] is False
    assert "your_situation" not in [s["id"] for s in plain["sections"]]
    assert "your_situation" in [s["id"] for s in keloid["sections"]]


def test_signing_requires_the_finding_specific_acknowledgement_that_applies(prescreen, microneedling):
    herpes = mn(cold_sore_history=True)
    doc = microneedling.consent_document(herpes, today=TODAY)
    assert "finding_herpes" in required(doc)
    without = [i for i in required(doc) if i != "finding_herpes"]
    with pytest.raises(prescreen.UsageError) as e:
        microneedling.consent(herpes, today=TODAY, acknowledged=without, **SIGNING)
    assert (e.value.code, e.value.path) == ("missing_acknowledgement", "/acknowledged")
    assert "finding_herpes" in str(e.value)
    record = microneedling.consent(herpes, today=TODAY, acknowledged=required(doc), **SIGNING).to_dict()
    assert record["required_acknowledgements"] == required(doc)
    assert record["locale"] == "en-GB"
    assert prescreen.verify_consent(record).valid


def test_small_pack_lists_by_patient(personal):
    plain = personal.consent_document({**_small(), "cold_sores": "never"}, today=TODAY)
    sore = personal.consent_document({**_small(), "cold_sores": "history"}, today=TODAY)
    assert ids(plain) == ["read_information", "risk_redness", "risk_infection", "photos"]
    assert ids(sore) == ["read_information", "risk_redness", "risk_infection", "sore_risk", "photos"]
    assert [s["id"] for s in plain["sections"]] == ["procedure", "risks", "alternatives"]


def test_locale_is_recorded_and_checked(prescreen, personal):
    request = dict(acknowledged=["read_information", "risk_redness", "risk_infection"], **{
        k: v for k, v in SIGNING.items() if k != "countersignature"})
    record = personal.consent(_small(), today=TODAY, locale="fr", **request).to_dict()
    assert record["locale"] == "fr-FR"
    with pytest.raises(prescreen.UsageError) as e:
        personal.consent(_small(), today=TODAY, locale="de-DE", **request)
    assert (e.value.code, e.value.path) == ("unknown_locale", "/locale")
    with pytest.raises(prescreen.UsageError) as e:
        personal.consent_document(_small(), today=TODAY, locale="de-DE")
    assert (e.value.code, e.value.path) == ("unknown_locale", "/locale")
    french = personal.consent_document({**_small(), "cold_sores": "history"}, today=TODAY, locale="fr-FR")
    assert french["acknowledgements"][3]["text"] == "Le traitement peut réveiller un herpès labial."
    info = personal.information_record(today=TODAY, locale="fr-FR", acknowledged=["read_information"],
                                       information_shown_at="2026-11-20T18:00:00Z", read_at="2026-11-20T18:12:00Z")
    assert info.to_dict()["locale"] == "fr-FR"
    with pytest.raises(prescreen.UsageError) as e:
        personal.information_record(today=TODAY, locale="xx", acknowledged=["read_information"],
                                    information_shown_at="2026-11-20T18:00:00Z", read_at="2026-11-20T18:12:00Z")
    assert (e.value.code, e.value.path) == ("unknown_locale", "/locale")


def test_pre_visit_refuses_consultation_acknowledgements(prescreen, microneedling):
    with pytest.raises(prescreen.UsageError) as e:
        microneedling.information_record(today=TODAY, acknowledged=["read_information", "answers_accurate",
                                                                    "questions_answered"],
                                         information_shown_at="2026-11-20T18:00:00Z", read_at="2026-11-20T18:12:00Z")
    assert (e.value.code, e.value.path) == ("acknowledgement_not_pre_visit", "/acknowledged/2")


def _small():
    return {"date_of_birth": "1990-05-15", "sex": "female", "areas": ["face"], "pregnant": False,
            "drug_current": False, "drug_past": False, "cream": False, "steel_allergy": False,
            "blood_thinner": False, "cold_sores": "never"}


def test_procedure_is_recorded(prescreen, microneedling):
    doc = microneedling.consent_document(mn(), today=TODAY)
    procedure = {"device_model": "Dermapen 4", "needle_depth_range": "0.5-1.5 mm", "topical_products": "Hyaluronic serum"}
    record = microneedling.consent(mn(), today=TODAY, acknowledged=required(doc), procedure=procedure, **SIGNING).to_dict()
    assert record["procedure"] == {**procedure, "device_cartridge_lot": None}
    assert prescreen.verify_consent(record).valid
    with pytest.raises(prescreen.UsageError) as e:
        microneedling.consent(mn(), today=TODAY, acknowledged=required(doc), procedure={"lot": "x"}, **SIGNING)
    assert (e.value.code, e.value.path) == ("unknown_field", "/procedure/lot")


def test_the_pack_demands_the_practitioners_countersignature(prescreen, microneedling):
    """mn-ref-v2 signs consent at the consultation, countersigned by the practitioner taking it
    (signature.countersign): without it, or with an incomplete one, the engine refuses."""
    doc = microneedling.consent_document(mn(), today=TODAY)
    unsigned = {k: v for k, v in SIGNING.items() if k != "countersignature"}
    with pytest.raises(prescreen.UsageError) as e:
        microneedling.consent(mn(), today=TODAY, acknowledged=required(doc), **unsigned)
    assert (e.value.code, e.value.path) == ("missing_countersignature", "/countersignature")
    with pytest.raises(prescreen.UsageError) as e:
        microneedling.consent(mn(), today=TODAY, acknowledged=required(doc), countersignature={"name": "Sam Lee"}, **unsigned)
    assert (e.value.code, e.value.path) == ("override_incomplete", "/countersignature/role")
    record = microneedling.consent(mn(), today=TODAY, acknowledged=required(doc), **SIGNING).to_dict()
    assert record["countersignature"] == SIGNING["countersignature"]
    # The pre-visit record is the patient's alone: no countersignature there.
    pre_visit = [a["id"] for a in doc["acknowledgements"] if a["stage"] == "pre_visit"]
    info = microneedling.information_record(today=TODAY, acknowledged=pre_visit, information_shown_at="2026-11-24T18:00:00Z",
                                            read_at="2026-11-24T18:05:00Z").to_dict()
    assert "countersignature" not in info and prescreen.verify_consent(info).valid


SORE_OVERRIDE = {"finding": "sore_history", "name": "Dr Lee", "role": "doctor", "register": "GMC",
                 "registration_number": "1234567", "reason": "Antiviral prescribed.", "patient_informed": True}


def _with_override_pack(prescreen, **ack):
    """The small clinic's override_explained as `with_override` (its precaution sore_history may be overridden)."""
    pack = json.loads(PERSONAL.read_text(encoding="utf-8"))
    for a in pack["consent"]["acknowledgements"]:
        if a["id"] == "override_explained":
            a.pop("when")
            a.update({"with_override": True, **ack})
    return prescreen.Protocol.from_json(json.dumps(pack))


def test_override_acknowledgement_is_required_when_an_override_is_given(prescreen):
    pack = _with_override_pack(prescreen)
    sore = {**_small(), "cold_sores": "history"}
    assert "override_explained" not in ids(pack.consent_document({**_small(), "cold_sores": "never"}, today=TODAY))
    document = pack.consent_document(sore, today=TODAY)
    assert document["outcome"] == "eligible_with_precautions" and "override_explained" in ids(document)
    ticked = ["read_information", "risk_redness", "risk_infection", "sore_risk"]
    plain = pack.consent(sore, today=TODAY, acknowledged=ticked, **SIGNING).to_dict()
    assert "override_explained" not in plain["required_acknowledgements"]  # no override given
    with pytest.raises(prescreen.UsageError) as e:
        pack.consent(sore, today=TODAY, acknowledged=ticked, practitioner_override=SORE_OVERRIDE, **SIGNING)
    assert (e.value.code, e.value.path, e.value.diagnostic.message) == (
        "missing_acknowledgement", "/acknowledged", "not acknowledged: override_explained")
    record = pack.consent(sore, today=TODAY, acknowledged=ticked + ["override_explained"],
                          practitioner_override=SORE_OVERRIDE, **SIGNING).to_dict()
    assert record["required_acknowledgements"][-1] == "override_explained"
    assert record["overrides"][0]["finding"] == "sore_history"
    with pytest.raises(prescreen.ProtocolError) as e:
        _with_override_pack(prescreen, stage="pre_visit")
    assert [(d["code"], d["path"]) for d in e.value.diagnostics] == [
        ("invalid_value", "/consent/acknowledgements/4/with_override")]
