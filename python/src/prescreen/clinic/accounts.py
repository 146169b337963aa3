"""Practitioner accounts and sessions. Passwords are hashed with Argon2id (argon2-cffi); a session is a
random token in an HttpOnly, SameSite=Strict cookie, stored only as its SHA-256, with its own CSRF
token that every form of the review pages must send back.

Roles: ``practitioner`` (review, override, countersign), ``manager`` (reports, and what a practitioner
reads), ``admin`` (users and keys, and everything else)."""

from __future__ import annotations

import datetime
import re
import secrets
from dataclasses import dataclass
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

import prescreen

from . import audit
from .clock import timestamp
from .schema import sessions, users
from .storage import Store

ROLES = ("practitioner", "manager", "admin")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9._@-]{1,100}$")
MIN_PASSWORD = 10
_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the timing the same as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def can(self, action: str) -> bool:
        allowed = {"review": ("practitioner", "admin", "manager"), "act": ("practitioner", "admin"),
                   "admin": ("admin",), "report": ("manager", "admin")}
        return self.role in allowed[action]


@dataclass(frozen=True)
class Session:
    token: str
    csrf_token: str
    user: User


def add_user(store: Store, name: str, role: str, password: str, now: datetime.datetime) -> None:
    if not NAME_PATTERN.match(name):
        raise ValueError("NAME: 1 to 100 letters, digits or . _ @ -")
    if role not in ROLES:
        raise ValueError(f"--role: one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
    with store.write() as conn:
        if conn.execute(select(users.c.name).where(users.c.name == name)).first():
            raise ValueError(f"a user named {name!r} already exists")
        conn.execute(users.insert().values(name=name, role=role, password_hash=_hasher.hash(password),
                                           created_at=timestamp(now), disabled=0))
        audit.append(conn, at=timestamp(now), event="user_added", actor="command line", details={"name": name, "role": role})


def check_password(store: Store, name: str, password: str) -> Optional[User]:
    with store.read() as conn:
        row = conn.execute(select(users).where(users.c.name == name)).first()
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row.disabled:
        return None
    return User(row.name, row.role)


def start_session(store: Store, user: User, now: datetime.datetime, hours: float) -> Session:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = timestamp(now + datetime.timedelta(hours=hours))
    with store.write() as conn:
        conn.execute(delete(sessions).where(sessions.c.expires_at < timestamp(now)))
        conn.execute(sessions.insert().values(token_digest=prescreen.sha256_hex(token), user_name=user.name,
                                              csrf_token=csrf, expires_at=expires))
    return Session(token, csrf, user)


def find_session(store: Store, token: Optional[str], now: datetime.datetime) -> Optional[Session]:
    if not token or len(token) > 100:
        return None
    with store.read() as conn:
        row = conn.execute(select(sessions.c.csrf_token, sessions.c.expires_at, users.c.name, users.c.role, users.c.disabled)
                           .join(users, users.c.name == sessions.c.user_name)
                           .where(sessions.c.token_digest == prescreen.sha256_hex(token))).first()
    if row is None or row.disabled or row.expires_at < timestamp(now):
        return None
    return Session(token, row.csrf_token, User(row.name, row.role))


def end_session(store: Store, token: str) -> None:
    with store.write() as conn:
        conn.execute(delete(sessions).where(sessions.c.token_digest == prescreen.sha256_hex(token)))
