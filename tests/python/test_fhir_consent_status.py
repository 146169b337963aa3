"""prescreen.fhir.consent with the record's events: the Consent's status is consent_status's (the
engine's), and the resource validates as R4 (fhir.resources R4B models, as tests/python/test_fhir.py)."""

import pytest
from fhir.resources.R4B.consent import Consent

import prescreen
from prescreen import fhir
from conftest import BASE, REQUEST, SMALL_PACK, TODAY

KEY = "back-office-key"
STATUS_URL = "urn:prescreen:fhir:consent-status"


def prescreen_status(resource):
    return next(e["valueCode"] for e in resource["extension"] if e["url"] == STATUS_URL)


@pytest.fixture(scope="module")
def record():
    pack = prescreen.Protocol.from_file(SMALL_PACK)
    return pack.consent(BASE, today=TODAY, **REQUEST, seal_key=KEY).to_dict()


def test_withdrawn_consent_is_inactive_from_the_withdrawal(record):
    withdrawal = prescreen.withdraw_consent(record, at="2026-12-01T09:00:00Z", recorded_by={"name": "Sam", "role": "reception"},
                                            reason="changed my mind", seal_key=KEY)
    before = fhir.consent(record, at="2026-11-30", events=[withdrawal], seal_key=KEY)
    after = fhir.consent(record, at="2026-12-02", events=[withdrawal], seal_key=KEY)
    for resource in (before, after):
        Consent.model_validate(resource)
    assert (before["status"], prescreen_status(before)) == ("active", "active")
    assert (after["status"], prescreen_status(after)) == ("inactive", "withdrawn")
    assert after["provision"]["period"] == {"start": "2026-11-25T10:31:00Z", "end": "2026-12-01T09:00:00Z"}
    # Without at=, the record alone: nothing proves a withdrawal.
    assert fhir.consent(record)["status"] == "active"


def test_refused_event_and_bad_arguments_are_errors(record):
    unsealed = prescreen.withdraw_consent(record, at="2026-12-01T09:00:00Z", recorded_by={"name": "Sam", "role": "reception"})
    with pytest.raises(prescreen.ProtocolError) as e:
        fhir.consent(record, at="2026-12-02", events=[unsealed], seal_key=KEY)
    assert [(d.code, d.path) for d in e.value.diagnostics] == [("seal_missing", "/events/0/seal")]
    with pytest.raises(TypeError, match="need at="):
        fhir.consent(record, events=[unsealed])
    with pytest.raises(ValueError) as bad_time:
        fhir.consent(record, at="soon", events=[])
    assert getattr(bad_time.value, "code", None) == "invalid_timestamp"
