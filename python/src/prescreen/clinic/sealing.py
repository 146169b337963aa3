"""Sealing consent records: the engine's HMAC-SHA-256 seal with the back office's secret, plus an
Ed25519 signature anyone holding the clinic's public key can check.

The browser's record is never sealed as it came: the engine makes the record again from the submitted
answers and the record's own acknowledgements, signer and times (``Protocol.consent(..., seal_key=)``),
and the two digests must be equal. So a sealed record is exactly what the engine gives for those
answers, and the seal is the engine's own.

Signatures live inside ``seal`` (which, like ``withdrawal``, is outside the record's digest), so the
sealed record still verifies with ``verify_consent`` in C++, Python and JavaScript::

    "seal": {"algorithm": "HMAC-SHA-256", "value": "<hex>",
             "signature": {"algorithm": "Ed25519", "key_id": "<16 hex>", "value": "<base64>"},
             "countersignature": {"name", "role", "registration_number", "at",
                                  "signature": {"algorithm": "Ed25519", "key_id", "value"}}}

The record's signature covers ``"prescreen consent record\\n" + digest`` (the digest covers the record);
a countersignature covers ``"prescreen countersignature\\n"`` + the canonical JSON of the record's digest
and the countersignature's fields.
"""

from __future__ import annotations

import base64
import copy
import functools
from typing import Any, Dict, List, Mapping, Optional

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

import prescreen

from .errors import ApiError, pointer
from .keys import Keys, key_id

RECORD_CONTEXT = "prescreen consent record\n"
COUNTERSIGNATURE_CONTEXT = "prescreen countersignature\n"
RECEIPT_CONTEXT = "prescreen receipt\n"
INFORMATION_TYPE = "prescreen.consent-information/1"


@functools.lru_cache(maxsize=16)
def _signer_id(key: Ed25519PrivateKey) -> str:
    """The key id of a signing key's public half (worked out once per key, not per signature)."""
    return key_id(key.public_key())


def sign(key: Ed25519PrivateKey, context: str, message: str) -> Dict[str, str]:
    value = key.sign((context + message).encode("utf-8"))
    return {"algorithm": "Ed25519", "key_id": _signer_id(key), "value": base64.b64encode(value).decode()}


def check(key: Ed25519PublicKey, context: str, message: str, signature: Any) -> Optional[str]:
    """None when ``signature`` is a valid Ed25519 signature of context+message by ``key``, else why not."""
    if not isinstance(signature, Mapping) or signature.get("algorithm") != "Ed25519" or not isinstance(signature.get("value"), str):
        return "missing"
    try:
        key.verify(base64.b64decode(signature["value"], validate=True), (context + message).encode("utf-8"))
    except (InvalidSignature, ValueError):
        return "mismatch"
    return None


def _require_verified(record: Mapping[str, Any], base: str, code: str, what: str) -> None:
    """ApiError 422 `code` at the first problem's path under `base` when the engine does not verify `record`."""
    check_result = prescreen.verify_consent(dict(record))
    if not check_result.valid:
        problem = check_result.problems[0]
        raise ApiError(422, code, base + problem.get("path", ""),
                       f"{what} does not verify: {problem.get('message') or problem.get('code')}")


def _given_overrides(record: Mapping[str, Any]) -> Any:
    """The overrides as they were given to consent(): a record keeps them under "overrides" with the
    outcome and date each replaced, which the engine adds itself (v1 records: "practitioner_override")."""
    kept = record.get("overrides")
    if not kept:
        return record.get("practitioner_override")
    return [{k: v for k, v in o.items() if k not in ("original_outcome", "original_defer_until")} for o in kept]


def seal_record(protocol: prescreen.Protocol, answers: Mapping[str, Any], record: Mapping[str, Any],
                keys: Keys) -> Dict[str, Any]:
    """The browser's record made again by the engine, sealed and signed; ApiError when it does not match."""
    base = "/consent_record"
    _require_verified(record, base, "consent_invalid", "the consent record")
    signer = record.get("signer") or {}
    try:
        remade = protocol.consent(
            dict(answers), today=record["screening"]["today"], acknowledged=list(record["acknowledgements"]),
            signature={"name": signer.get("name"), "role": signer.get("role", "patient")},
            signed_at=record["signed_at"], information_shown_at=record.get("information_shown_at") or "",
            patient_reference=record.get("patient_reference") or None,
            practitioner_override=_given_overrides(record),
            procedure=record.get("procedure"),
            countersignature=record.get("countersignature"),  # a pack may demand it (signature.countersign)
            **({"locale": record["locale"]} if "locale" in record else {}),  # the language read is in the digest
            seal_key=keys.seal_key).to_dict()
    except (ValueError, TypeError) as e:
        code = getattr(e, "code", None) or "consent_mismatch"
        raise ApiError(422, "consent_mismatch" if code != "consent_not_permitted" else code, base,
                       f"the consent record cannot be made from these answers: {e}") from None
    if remade["digest"] != record["digest"]:
        differing = [k for k in remade if k not in ("digest", "seal") and remade.get(k) != record.get(k)]
        where = pointer("consent_record", differing[0]) if differing else base + "/digest"
        raise ApiError(422, "consent_mismatch", where,
                       "the consent record does not belong to these answers and this pack "
                       f"(it differs in {', '.join(differing) or 'its digest'})")
    remade["seal"]["signature"] = sign(keys.signing_key, RECORD_CONTEXT, remade["digest"])
    return remade


def seal_information(protocol: prescreen.Protocol, record: Mapping[str, Any], keys: Keys, today: str) -> Dict[str, Any]:
    """The browser's pre-visit record (two-step consent) made again by the engine from its own
    statements, times and locale, sealed; ApiError when it does not verify or the digests differ. So
    the consultation's consent() can require it sealed with this back office's key.

    A record read in a language whose texts this server does not load (no translation of that
    language beside the pack, packs.py) cannot be made again here: it is kept as it came, verified
    but not sealed, and the consultation then asks its statements again (one-step consent)."""
    base = "/information_record"
    _require_verified(record, base, "information_invalid", "the pre-visit record")
    if record.get("record_type") != INFORMATION_TYPE:
        raise ApiError(422, "information_invalid", base + "/record_type", f"the pre-visit record must be a {INFORMATION_TYPE} record")
    if record["protocol"].get("digest") != protocol.digest:
        raise ApiError(422, "information_mismatch", base + "/protocol/digest",
                       "the pre-visit record was made with another pack than pack_digest")
    language = {"locale": record["locale"]} if "locale" in record else {}  # recorded inside the digest
    try:
        remade = protocol.information_record(
            today=today, acknowledged=list(record["acknowledgements"]), information_shown_at=record["information_shown_at"],
            read_at=record["read_at"], patient_reference=record.get("patient_reference") or None,
            seal_key=keys.seal_key, **language).to_dict()
    except (ValueError, TypeError) as e:
        if getattr(e, "code", None) == "unknown_locale":
            return dict(record)
        raise ApiError(422, "information_mismatch", base, f"the pre-visit record cannot be made again: {e}") from None
    if remade["digest"] != record["digest"]:
        raise ApiError(422, "information_mismatch", base + "/digest", "the pre-visit record does not match this pack's consent document")
    return remade


def countersign(record: Mapping[str, Any], keys: Keys, *, name: str, role: str, registration_number: str,
                at: str) -> Dict[str, Any]:
    """The sealed record with the practitioner's countersignature added to its seal (digest unchanged)."""
    sealed = copy.deepcopy(dict(record))
    fields = {"name": name, "role": role, "registration_number": registration_number, "at": at}
    message = prescreen.canonical_json({"digest": sealed["digest"], **fields})
    sealed["seal"]["countersignature"] = {**fields, "signature": sign(keys.signing_key, COUNTERSIGNATURE_CONTEXT, message)}
    return sealed


def verify_signatures(record: Any, public_key: Ed25519PublicKey) -> List[Dict[str, str]]:
    """Problems with a sealed record's Ed25519 signatures ([] when every signature holds)."""
    if not isinstance(record, Mapping) or not isinstance(record.get("digest"), str):
        return [{"code": "not_a_record", "path": "", "message": "not a consent record"}]
    seal = record.get("seal") if isinstance(record.get("seal"), Mapping) else {}
    problems: List[Dict[str, str]] = []
    why = check(public_key, RECORD_CONTEXT, record["digest"], seal.get("signature"))
    if why == "missing":
        problems.append({"code": "signature_missing", "path": "/seal/signature", "message": "the record is not signed by the clinic"})
    elif why:
        problems.append({"code": "signature_mismatch", "path": "/seal/signature/value",
                         "message": "the clinic's signature does not match: another key, or a changed record"})
    counter = seal.get("countersignature")
    if counter is not None:
        fields = {k: counter.get(k) for k in ("name", "role", "registration_number", "at")} if isinstance(counter, Mapping) else {}
        message = prescreen.canonical_json({"digest": record["digest"], **fields})
        why = check(public_key, COUNTERSIGNATURE_CONTEXT, message, counter.get("signature") if isinstance(counter, Mapping) else None)
        if why:
            problems.append({"code": "countersignature_mismatch", "path": "/seal/countersignature",
                             "message": "the practitioner's countersignature does not match the record"})
    return problems
