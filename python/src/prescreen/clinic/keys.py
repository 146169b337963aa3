"""The back office's keys, kept in ``DATA/keys/`` (created on first start, owner-only):

* ``seal.key`` — the secret for the engine's HMAC-SHA-256 seal (what `prescreen verify --seal-key-file` takes);
* ``clinic-ed25519.pem`` — the Ed25519 private key that signs consent records, receipts and countersignatures.

The public half is written to ``DATA/clinic.pub`` and served at ``GET /api/public-key``, so anyone can
verify a record without the secret. Several servers sharing one PostgreSQL store share this folder.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

import prescreen


@dataclass(frozen=True)
class Keys:
    seal_key: bytes
    signing_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.signing_key.public_key()

    @property
    def public_pem(self) -> str:
        return public_pem(self.public_key)

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(key: Ed25519PublicKey) -> str:
    """A short name for a public key: the first 16 hex digits of SHA-256 of its 32 raw bytes."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return prescreen.sha256_hex(raw)[:16]


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def load_or_create(data_dir: os.PathLike) -> Keys:
    folder = Path(data_dir) / "keys"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    seal_path, signing_path = folder / "seal.key", folder / "clinic-ed25519.pem"
    if not seal_path.exists():
        try:
            _write_private(seal_path, secrets.token_hex(32).encode() + b"\n")
        except FileExistsError:  # another server process made it first
            pass
    if not signing_path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption())
        try:
            _write_private(signing_path, pem)
        except FileExistsError:
            pass
    seal_key = seal_path.read_bytes().rstrip(b"\r\n")
    signing_key = serialization.load_pem_private_key(signing_path.read_bytes(), password=None)
    if not isinstance(signing_key, Ed25519PrivateKey):
        raise ValueError(f"{signing_path}: not an Ed25519 private key")
    keys = Keys(seal_key, signing_key)
    pub = Path(data_dir) / "clinic.pub"
    if not pub.exists() or pub.read_text() != keys.public_pem:
        pub.write_text(keys.public_pem)
    return keys
