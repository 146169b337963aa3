"""Shared fixtures for the prescreen Python suite."""

import copy
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
SMALL_PACK = ROOT / "tests" / "vectors" / "packs" / "small-clinic.json"
MICRONEEDLING = ROOT / "protocols" / "microneedling" / "protocol.json"
TODAY = "2026-11-25"

# A complete, eligible answer set for the small test pack (tests/vectors/packs/small-clinic.json).
BASE = {
    "date_of_birth": "1990-05-15", "sex": "female", "areas": ["face"], "pregnant": False,
    "drug_current": False, "drug_past": False, "cream": False, "steel_allergy": False,
    "blood_thinner": False, "cold_sores": "never",
}
REQUEST = {
    "acknowledged": ["risk_redness", "risk_infection"],
    "signature": {"name": "Alex Patient", "role": "patient"},
    "signed_at": "2026-11-25T10:31:00Z",
    "information_shown_at": "2026-11-25T10:20:00Z",
    "patient_reference": "P-0001",
}


def answers(**changes):
    """BASE with changes; a value of ... removes the item."""
    out = copy.deepcopy(BASE)
    for k, v in changes.items():
        if v is ...:
            out.pop(k, None)
        else:
            out[k] = v
    return out


@pytest.fixture(scope="session")
def prescreen():
    import prescreen as module

    return module


@pytest.fixture(scope="session")
def pack(prescreen):
    return prescreen.Protocol.from_file(SMALL_PACK)


@pytest.fixture(scope="session")
def pack_text():
    return SMALL_PACK.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def microneedling(prescreen):
    assert MICRONEEDLING.exists(), "protocols/microneedling/protocol.json is missing"
    return prescreen.Protocol.from_file(MICRONEEDLING)
