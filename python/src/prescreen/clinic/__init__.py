"""prescreen.clinic — the clinic's back office (``pip install "prescreen[clinic]"``).

Receives the patient form's submissions, screens them again with the same engine and pack, seals and
signs consent records, stores everything (SQLite or PostgreSQL) with a hash-chained audit log, and
serves the practitioners' review pages. See docs/clinic.md.

    python -m prescreen.clinic serve --data DIR
    frame = prescreen.clinic.read_submissions("DIR")          # or a postgresql:// URL
"""

from __future__ import annotations

from typing import Any


def read_submissions(database_url_or_data_dir: Any, since: Any = None):
    from .analysis import read_submissions as read

    return read(database_url_or_data_dir, since)


def create_app(settings: Any):
    from .app import create_app as create

    return create(settings)


__all__ = ["read_submissions", "create_app"]
