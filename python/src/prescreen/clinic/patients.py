"""Who a submission is from, so that the clinic's records of one patient are read together (the
session-interval check before a further session looks at the patient's earlier sessions under any
submission, not only the one being treated).

The form asks for no account, so the back office identifies a patient as the clinic's own staff
would at the desk: by name and date of birth. The name is the one the patient signed the consent
with (a treatment always relies on a signed consent), else the contact's name; the date of birth is
the answer to the pack's ``date_of_birth`` question. Names are compared without case, accents kept,
with runs of spaces as one space ("  Alex   PATIENT" is "alex patient"). What is stored is a digest
of the two (``submissions.patient_key``), not a second copy of them; a submission with no name or no
date of birth has no key and is only ever compared with itself.

Two different patients with the same name and date of birth would share a key: the consequence is a
refused session naming the other record's date, which the practitioner sees and can judge, never a
session allowed too soon."""

from __future__ import annotations

import unicodedata
from typing import Any, Mapping, Optional

import prescreen

DATE_OF_BIRTH = "date_of_birth"  # the pack's answer id


def normalised_name(name: Any) -> Optional[str]:
    if not isinstance(name, str):
        return None
    text = " ".join(unicodedata.normalize("NFC", name).casefold().split())
    return text or None


def patient_key(answers: Mapping[str, Any], consent_record: Optional[Mapping[str, Any]],
                contact: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The patient's key (64 hex digits), or None without a name and a date of birth."""
    signer = consent_record.get("signer") if isinstance(consent_record, Mapping) else None
    name = normalised_name(signer.get("name") if isinstance(signer, Mapping) else None)
    if name is None and isinstance(contact, Mapping):
        name = normalised_name(contact.get("name"))
    born = answers.get(DATE_OF_BIRTH)
    if name is None or not isinstance(born, str) or not born:
        return None
    return prescreen.sha256_hex(prescreen.canonical_json({"date_of_birth": born, "name": name}))
