"""``python -m prescreen verify RECORD --public-key clinic.pub``: the engine's verification of a
consent record with the clinic's Ed25519 signatures checked too (no secret needed)."""

from __future__ import annotations

from typing import Any, Callable, Dict, List


class SignedVerification:
    """The engine's ConsentVerification plus signature problems, with the same to_dict/valid shape."""

    def __init__(self, valid: bool, problems: List[Dict[str, Any]]):
        self.valid = valid
        self.problems = problems

    def to_dict(self) -> Dict[str, Any]:
        return {"valid": self.valid, "problems": self.problems}


def with_signatures(verification: Any, record: Any, public_key_path: str, fail: Callable[[int, str], Any]) -> SignedVerification:
    from .keys import load_public_key
    from .sealing import verify_signatures

    try:
        with open(public_key_path, "rb") as f:
            key = load_public_key(f.read())
    except OSError as e:
        fail(3, f"cannot read {public_key_path}: {e.strerror or e}")
    except ValueError as e:
        fail(2, f"--public-key {public_key_path}: {e}")
    problems = list(verification.problems) + verify_signatures(record, key)
    return SignedVerification(not problems, problems)
