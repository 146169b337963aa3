"""The server's clock: the only place the back office reads the time (tests pass their own)."""

from __future__ import annotations

import datetime
from typing import Callable

Clock = Callable[[], datetime.datetime]


def system_clock() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def timestamp(now: datetime.datetime) -> str:
    """ISO date-time in UTC with a Z, to the microsecond (the engine parses it)."""
    # isoformat: the same text as strftime("%Y-%m-%dT%H:%M:%S.%fZ"), several times faster.
    return now.astimezone(datetime.timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def local_date(now: datetime.datetime) -> str:
    """The clinic's date (the server's local time zone)."""
    return now.astimezone().date().isoformat()
