"""Every public name of the package: loading, identity, form, screen, consent, verify, status, logic."""

import datetime
import json

import pytest

from conftest import BASE, MICRONEEDLING, REQUEST, SMALL_PACK, TODAY, answers


def test_public_names(prescreen):
    for name in prescreen.__all__:
        assert hasattr(prescreen, name), name
    for name in ["Protocol", "ProtocolError", "verify_consent", "consent_status", "apply_logic"]:
        assert getattr(prescreen, name).__doc__, f"{name} has no docstring"


def test_load_from_file_json_text_bytes_dict(prescreen, pack, pack_text):
    from_text = prescreen.Protocol.from_json(pack_text)
    from_bytes = prescreen.Protocol.from_json(pack_text.encode())
    from_dict = prescreen.Protocol.from_json(json.loads(pack_text))
    from_path = prescreen.Protocol.from_file(str(SMALL_PACK))
    assert pack.digest == from_text.digest == from_bytes.digest == from_dict.digest == from_path.digest
    assert pack == from_dict and hash(pack) == hash(from_dict)
    assert len(pack.digest) == 64 and all(c in "0123456789abcdef" for c in pack.digest)


def test_identity(pack):
    assert pack.id == "small-clinic"
    assert pack.version == "1.2.0"
    assert [i["id"] for i in pack.items][:3] == ["intro", "date_of_birth", "sex"]
    assert [r["id"] for r in pack.rules][0] == "under_age"
    assert "drug_washout" in pack.parameters
    assert pack.document["id"] == "small-clinic"
    assert pack.overrides == {}
    assert "small-clinic" in repr(pack)
    assert json.loads(pack.to_json())["id"] == "small-clinic"


def test_overrides(prescreen, pack):
    shorter = prescreen.Protocol.from_file(SMALL_PACK, overrides={"drug_washout": 3})
    assert shorter.overrides == {"drug_washout": 3}
    assert shorter != pack
    a = answers(drug_past=True, drug_last_dose="2026-08-25")
    assert pack.screen(a, today=TODAY).outcome == "deferred"
    assert shorter.screen(a, today=TODAY).outcome == "eligible"


def test_form(pack):
    state = pack.form({"sex": "male", "pregnant": True}, today=TODAY)
    assert state.visible[0] == "intro"
    assert "pregnant" in state.ignored
    assert state.complete is False
    assert set(state.progress) == {"answered", "required", "answered_required", "percent"}
    assert state.protocol["id"] == "small-clinic"
    assert state.issues == []
    assert "date_of_birth" in state.missing_required
    full = pack.form(BASE, today=TODAY)
    assert full.complete is True and full.progress["percent"] == 100


def test_screen_result_attributes(pack):
    r = pack.screen(answers(drug_past=True, drug_last_dose="2026-08-31"), today=TODAY)
    assert r.ok is True and r.error is None
    assert r.outcome == "deferred"
    assert r.defer_until == datetime.date(2027, 2, 28)
    assert r.today == datetime.date(2026, 11, 25)
    assert r.consent_permitted is False
    assert r.finding_ids == ["drug_washout"]
    f = r.findings[0]
    assert f.rule == "drug_washout" and f.outcome == "deferred"
    assert f.defer_until == datetime.date(2027, 2, 28)
    assert isinstance(f.message, str) and f.message
    assert isinstance(f.clinician_note, str)
    assert f.sources
    assert f.trace["answers"]["drug_last_dose"] == "2026-08-31"
    d = r.to_dict()
    assert d["defer_until"] == "2027-02-28"  # to_dict keeps the C++ JSON (ISO strings)
    assert r["defer_until"] == "2027-02-28"
    assert "outcome" in r and "nope" not in r
    assert json.loads(r.to_json()) == d
    assert json.loads(r.to_json(indent=2)) == d
    assert r.protocol == {"id": "small-clinic", "version": "1.2.0", "digest": pack.digest}
    assert isinstance(r.aftercare, list) and r.course is None
    assert r.missing_required == [] and r.issues == []
    assert "ScreeningResult(" in repr(r)
    assert r == pack.screen(answers(drug_past=True, drug_last_dose="2026-08-31"), today=TODAY)
    assert sorted(r.keys()) == sorted(d.keys())
    with pytest.raises(KeyError):
        r["nope"]
    with pytest.raises(AttributeError):
        r.nope


def test_eligible_with_course(pack):
    r = pack.screen(answers(areas=["hands"]), today=TODAY)
    assert r.outcome == "eligible_with_precautions"
    assert r.course["plan"] == "hands_plan"
    assert r.consent_permitted is True


def test_today_as_date_and_datetime(pack):
    a = answers(drug_past=True, drug_last_dose="2026-08-31")
    as_str = pack.screen(a, today="2026-11-25").to_dict()
    assert pack.screen(a, today=datetime.date(2026, 11, 25)).to_dict() == as_str
    assert pack.screen(a, today=datetime.datetime(2026, 11, 25, 15, 0)).to_dict() == as_str


def test_answers_with_dates_and_tuples(pack):
    a = answers(date_of_birth=datetime.date(1990, 5, 15), areas=("face",))
    assert pack.screen(a, today=TODAY).to_dict() == pack.screen(BASE, today=TODAY).to_dict()


def test_numpy_scalars_convert(pack):
    np = pytest.importorskip("numpy")
    a = answers(pregnant=np.bool_(False), sessions_before=np.int64(3), weight_kg=np.float64(61.5),
                areas=np.array(["face"]))
    plain = answers(sessions_before=3, weight_kg=61.5)
    assert pack.screen(a, today=TODAY).to_dict() == pack.screen(plain, today=TODAY).to_dict()


def test_locale(pack):
    r = pack.screen(answers(date_of_birth="2010-01-01"), today=TODAY, locale="fr-FR")
    assert r.findings[0].message == "Nous ne pouvons pas vous traiter avant 18 ans."


def _consent(pack, a=None, **changes):
    request = {**REQUEST, **changes}
    return pack.consent(a or BASE, today=TODAY, **request)


def test_consent_verify_and_status(prescreen, pack):
    record = _consent(pack)
    assert isinstance(record, prescreen.ConsentRecord)
    d = record.to_dict()
    assert d["record_type"] == "prescreen.consent/2"  # v2: events, covered seal (issue 12)
    assert record.digest == d["digest"]
    assert record.valid_until == datetime.date(2027, 11, 25)
    assert record.signed_at == "2026-11-25T10:31:00Z"
    for form in (record, d, record.to_json()):
        v = prescreen.verify_consent(form)
        assert v.valid is True and bool(v) and v.problems == []
    s = prescreen.consent_status(d, "2027-06-01")
    assert s.status == "active" and s.valid_until == datetime.date(2027, 11, 25)
    assert prescreen.consent_status(record, datetime.date(2027, 6, 1)).status == "active"
    assert prescreen.consent_status(d, "2028-01-01").status == "expired"
    tampered = dict(d, screening={**d["screening"], "outcome": "refer"})
    v = prescreen.verify_consent(tampered)
    assert not v and v.problems[0]["code"] == "digest_mismatch"


def test_consent_seal(prescreen, pack):
    record = _consent(pack, seal_key="back-office-key").to_dict()
    assert prescreen.verify_consent(record, seal_key="back-office-key").valid
    assert prescreen.verify_consent(record, seal_key=b"back-office-key").valid
    wrong = prescreen.verify_consent(record, seal_key="other")
    assert not wrong.valid and wrong.problems[0]["code"] == "seal_mismatch"


def test_consent_refused(prescreen, pack):
    with pytest.raises(prescreen.UsageError) as e:
        _consent(pack, answers(blood_thinner=True))
    assert e.value.code == "consent_not_permitted"
    assert isinstance(e.value, ValueError)
    assert e.value.diagnostics[0].code == "consent_not_permitted"


def test_consent_practitioner_override(pack):
    # CONTRAINDICATIONS-v2 §5: the finding, the practitioner's register and number (issue 13).
    override = {"finding": "thinner", "name": "Dr Who", "role": "doctor", "register": "GMC",
                "registration_number": "1234567", "reason": "spoke to GP", "patient_informed": True}
    record = _consent(pack, answers(blood_thinner=True), practitioner_override=override)
    assert record.to_dict()["overrides"][0]["name"] == "Dr Who"
    assert record.to_dict()["overrides"][0]["registration_number"] == "1234567"


def test_apply_logic(prescreen):
    assert prescreen.apply_logic({"+": [1, 2]}) == 3
    assert prescreen.apply_logic({"var": "a"}, {"a": [1, 2]}) == [1, 2]
    assert prescreen.apply_logic({"date_add": ["2026-08-31", 6, "months"]}) == "2027-02-28"
    assert prescreen.apply_logic({"==": [{"var": "x"}, None]}, {}) is True
    with pytest.raises(prescreen.ProtocolError) as e:
        prescreen.apply_logic({"frobnicate": [1]})
    assert e.value.diagnostics[0].code == "unknown_operation"


def test_canonical_json_and_sha256(prescreen):
    assert prescreen.canonical_json({"b": 1, "a": [True, None, "x"]}) == '{"a":[true,null,"x"],"b":1}'
    assert prescreen.sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert prescreen.sha256_hex(b"abc") == prescreen.sha256_hex("abc")


def test_version(prescreen):
    assert prescreen.__version__ == "0.1.0"
    assert prescreen.engine_version


def test_microneedling_pack_loads(microneedling):
    assert microneedling.id == "microneedling"
    ids = [i["id"] for i in microneedling.items]
    assert "isotretinoin_last_dose" in ids
