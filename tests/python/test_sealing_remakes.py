"""The back office makes a browser's consent record again before sealing it (clinic/sealing.py):
a record with a practitioner's override and the procedure must come out with the same digest,
and one whose override was altered must not."""

import pytest

from conftest import ROOT, TODAY

pytest.importorskip("cryptography")

PERSONAL = ROOT / "tests" / "vectors" / "packs" / "small-clinic-personal.json"
SORE_OVERRIDE = {"finding": "sore_history", "name": "Dr Lee", "role": "doctor", "register": "GMC",
                 "registration_number": "1234567", "reason": "Antiviral prescribed.", "patient_informed": True}
SORE = {"date_of_birth": "1990-05-15", "sex": "female", "areas": ["face"], "pregnant": False, "drug_current": False,
        "drug_past": False, "cream": False, "steel_allergy": False, "blood_thinner": False, "cold_sores": "history"}


def _record(prescreen, pack, keys):
    document = pack.consent_document(SORE, today=TODAY)
    ticked = [a["id"] for a in document["acknowledgements"] if a["required"]]
    return pack.consent(
        SORE, today=TODAY, acknowledged=ticked, signature={"name": "Alex Patient", "role": "patient"},
        signed_at="2026-11-25T10:31:00Z", information_shown_at="2026-11-25T10:20:00Z",
        countersignature={"name": "Sam Lee", "role": "nurse", "register": "NMC", "registration_number": "12A3456B"},
        practitioner_override=SORE_OVERRIDE, procedure={"device_model": "Dermapen 4", "needle_depth_range": "0.5 mm"},
        seal_key=keys.seal_key).to_dict()


def test_a_record_with_an_override_and_a_procedure_is_made_again_and_sealed(prescreen, tmp_path):
    from prescreen.clinic import keys as clinic_keys
    from prescreen.clinic import sealing
    from prescreen.clinic.errors import ApiError

    keys = clinic_keys.load_or_create(tmp_path)
    pack = prescreen.Protocol.from_file(PERSONAL)
    record = _record(prescreen, pack, keys)
    assert record["overrides"][0]["original_outcome"] == "eligible_with_precautions"
    sealed = sealing.seal_record(pack, SORE, record, keys)
    assert sealed["digest"] == record["digest"] and sealed["overrides"] == record["overrides"]
    assert sealed["procedure"]["device_model"] == "Dermapen 4" and sealed["seal"]["signature"]

    altered = {**record, "overrides": [{**record["overrides"][0], "reason": "no reason"}]}
    with pytest.raises(ApiError) as e:
        sealing.seal_record(pack, SORE, altered, keys)
    assert e.value.code in ("consent_invalid", "consent_mismatch")
