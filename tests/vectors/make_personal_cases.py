#!/usr/bin/env python3
"""Writes the shared vectors of personalised, two-step consent (tests/vectors/106-...), inputs and
hand-written `checks`, on tests/vectors/packs/small-clinic-personal.json.

As for make_cases.py: `expected` is the exact C++ JSON, filled in by the C++ suite with
PRESCREEN_UPDATE_VECTORS=1 and reviewed by hand; `checks` are worked out by a person from the pack.
Run: python3 tests/vectors/make_personal_cases.py  (keeps existing `expected` values).
"""
import copy
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FIRST = 106  # after make_cases.py's files
TODAY = "2026-11-25"
E = "eligible"
BASE = {
    "date_of_birth": "1990-05-15", "sex": "female", "areas": ["face"], "pregnant": False,
    "drug_current": False, "drug_past": False, "cream": False, "steel_allergy": False,
    "blood_thinner": False, "cold_sores": "never",
}
OVERRIDE = {"finding": "thinner", "name": "Dr Lee", "role": "doctor", "register": "GMC", "registration_number": "1234567",
            "reason": "Discussed with GP; INR stable.", "patient_informed": True}
REQ = {"acknowledged": ["risk_redness", "risk_infection"], "signature": {"name": "Alex Patient", "role": "patient"},
       "signed_at": "2026-11-25T10:31:00Z", "information_shown_at": "2026-11-25T10:20:00Z", "patient_reference": "P-0001"}

cases = []


def case(name, operation, answers=None, checks=None, protocol=None, **extra):
    c = {"name": name, "protocol": protocol, "operation": operation}
    if answers is not None:
        c["answers"] = answers
    if operation != "load":
        c["context"] = {"today": TODAY, **({"locale": extra.pop("locale")} if "locale" in extra else {})}
    c.update(extra)
    c["checks"] = checks or {}
    cases.append(c)


def a(**changes):
    out = copy.deepcopy(BASE)
    out.update(changes)
    return out


# Personalised, two-step consent (docs/consent.md): an acknowledgement's `when` decides whom it
# concerns; the record names the language the patient read. Hand-worked lists for each patient.
PERSONAL = "tests/vectors/packs/small-clinic-personal.json"
FOR_EVERYONE = ["read_information", "risk_redness", "risk_infection", "photos"]
PREQ = {**REQ, "acknowledged": ["read_information", "risk_redness", "risk_infection"]}
case("consent-document-plain-patient", "consent_document", answers=a(), protocol=PERSONAL,
     checks={"/acknowledgements": None, "/locale": "en-GB", "/outcome": E, "/findings": []}, ids=FOR_EVERYONE,
     sections=["procedure", "risks", "alternatives"])
case("consent-document-cold-sore-history", "consent_document", answers=a(cold_sores="history"), protocol=PERSONAL,
     checks={"/acknowledgements/3/id": "sore_risk", "/acknowledgements/3/required": True, "/acknowledgements/3/stage": "consultation",
             "/acknowledgements/0/stage": "pre_visit", "/findings": ["sore_history"]},
     ids=["read_information", "risk_redness", "risk_infection", "sore_risk", "photos"],
     sections=["procedure", "risks", "your_situation", "alternatives"])
case("consent-document-french", "consent_document", answers=a(cold_sores="history"), protocol=PERSONAL, locale="fr",
     checks={"/locale": "fr-FR", "/acknowledgements/3/text": "Le traitement peut réveiller un herpès labial.",
             "/sections/2/title": "Risques qui vous concernent"})
case("consent-document-unknown-locale", "consent_document", answers=a(), protocol=PERSONAL, locale="de-DE",
     checks={"/error/code": "unknown_locale", "/error/path": "/locale"})
case("consent-personal-plain-patient", "consent", answers=a(), protocol=PERSONAL, request=PREQ,
     checks={"/required_acknowledgements": ["read_information", "risk_redness", "risk_infection"], "/locale": "en-GB"})
case("consent-personal-cold-sore-history-missing", "consent", answers=a(cold_sores="history"), protocol=PERSONAL, request=PREQ,
     checks={"/error/code": "missing_acknowledgement", "/error/path": "/acknowledged", "/error/message": "not acknowledged: sore_risk"})
case("consent-personal-cold-sore-history", "consent", answers=a(cold_sores="history"), protocol=PERSONAL,
     request={**PREQ, "acknowledged": PREQ["acknowledged"] + ["sore_risk"]},
     checks={"/required_acknowledgements": ["read_information", "risk_redness", "risk_infection", "sore_risk"],
             "/screening/findings": ["sore_history"]})
case("consent-personal-locale-french", "consent", answers=a(), protocol=PERSONAL, request=PREQ, locale="fr",
     checks={"/locale": "fr-FR"})
case("consent-personal-unknown-locale", "consent", answers=a(), protocol=PERSONAL, request=PREQ, locale="de-DE",
     checks={"/error/code": "unknown_locale", "/error/path": "/locale"})
case("consent-personal-override-needs-its-acknowledgement", "consent", answers=a(blood_thinner=True), protocol=PERSONAL,
     request={**PREQ, "practitioner_override": OVERRIDE},
     checks={"/error/code": "missing_acknowledgement", "/error/message": "not acknowledged: override_explained"})
case("consent-personal-override", "consent", answers=a(blood_thinner=True), protocol=PERSONAL,
     request={**PREQ, "acknowledged": PREQ["acknowledged"] + ["override_explained"], "practitioner_override": OVERRIDE},
     checks={"/screening/outcome": "refer", "/required_acknowledgements/3": "override_explained", "/overrides/0/finding": "thinner"})
INFO = {"acknowledged": ["read_information"], "information_shown_at": "2026-11-20T18:00:00Z", "read_at": "2026-11-20T18:12:00Z",
        "patient_reference": "P-0001"}
case("information-record-french", "information_record", protocol=PERSONAL, request=INFO, locale="fr-FR",
     checks={"/record_type": "prescreen.consent-information/1", "/required_acknowledgements": ["read_information"], "/locale": "fr-FR"})
case("information-record-refuses-consultation-acknowledgement", "information_record", protocol=PERSONAL,
     request={**INFO, "acknowledged": ["read_information", "sore_risk"]},
     checks={"/error/code": "acknowledgement_not_pre_visit", "/error/path": "/acknowledged/1"})
with open(os.path.join(HERE, "packs", "small-clinic-personal.json")) as f:
    _bad = json.load(f)
_bad["consent"]["acknowledgements"][0]["when"] = {"fired": "sore_history"}
case("load-refuses-pre-visit-acknowledgement-with-when", "load", protocol=_bad,
     checks={"/error/diagnostics/0/code": "invalid_value", "/error/diagnostics/0/path": "/consent/acknowledgements/0/when"})

# The device and products named: numbered after 122 (120-122 are the form/texts cases written
# meanwhile), so every earlier file keeps its number.
LATER = len(cases)
case("consent-personal-procedure-named", "consent", answers=a(), protocol=PERSONAL,
     request={**PREQ, "procedure": {"device_model": "Dermapen 4", "device_cartridge_lot": "LOT 24-117", "needle_depth_range": "0.5-1.5 mm"}},
     checks={"/procedure/device_model": "Dermapen 4", "/procedure/topical_products": None})
case("consent-personal-procedure-unknown-field", "consent", answers=a(), protocol=PERSONAL,
     request={**PREQ, "procedure": {"device": "Dermapen 4"}},
     checks={"/error/code": "unknown_field", "/error/path": "/procedure/device"})

# The hand-worked lists: ids and sections in document order (the exact length is held by `expected`
# and asserted in tests/cpp/test_consent_personal.cpp).
for c in cases:
    ids, sections = c.pop("ids", None), c.pop("sections", None)
    if ids is not None:
        c["checks"].pop("/acknowledgements", None)
        c["checks"].update({f"/acknowledgements/{i}/id": x for i, x in enumerate(ids)})
    if sections is not None:
        c["checks"].update({f"/sections/{i}/id": x for i, x in enumerate(sections)})

for i, c in enumerate(cases):
    i = FIRST + i if i < LATER else 123 + i - LATER
    path = os.path.join(HERE, f"{i:03d}-{c['name']}.json")
    if os.path.exists(path):
        with open(path) as f:
            old = json.load(f)
        if "expected" in old:
            c["expected"] = old["expected"]
    c.setdefault("expected", None)
    with open(path, "w") as f:
        json.dump(c, f, indent=2, ensure_ascii=False, sort_keys=True)
        f.write("\n")
print(f"{len(cases)} cases")
