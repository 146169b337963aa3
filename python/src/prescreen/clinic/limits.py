"""Limits on what one address may send: a token bucket per client address for submissions (the
default lets a clinic's 50 tablets behind one address send 2,000 submissions, retries included) and a
far stricter one for login attempts, plus the largest request body read."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Dict, Tuple

from .errors import ApiError

MAX_BODY_BYTES = 256 * 1024  # a micro-needling submission with a consent record is about 6 KB
MAX_FORM_BYTES = 16 * 1024


@dataclass
class Rate:
    """``burst`` requests at once, refilled at ``per_second``."""
    burst: float
    per_second: float

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """``"BURST/PER_SECOND"``, e.g. ``"4000/20"``."""
        burst, _, rate = text.partition("/")
        try:
            value = cls(float(burst), float(rate or 0))
        except ValueError:
            raise ValueError(f"expected BURST/PER_SECOND such as 4000/20, got {text!r}") from None
        if value.burst < 1 or value.per_second < 0:
            raise ValueError(f"expected a burst of at least 1 and a non-negative rate, got {text!r}")
        return value


SUBMISSIONS = Rate(4000, 20)
LOGINS = Rate(5, 1 / 60)  # 5 attempts at once, then one a minute


class Limiter:
    def __init__(self, rate: Rate, what: str, code: str):
        self.rate = rate
        self.what = what
        self.code = code
        self._buckets: Dict[str, Tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        """Spend one token for ``key``, or raise ApiError 429 with Retry-After."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.rate.burst, now))
            tokens = min(self.rate.burst, tokens + (now - last) * self.rate.per_second)
            if tokens < 1:
                wait = math.ceil((1 - tokens) / self.rate.per_second) if self.rate.per_second > 0 else 3600
                self._buckets[key] = (tokens, now)
                raise ApiError(429, self.code, "", f"too many {self.what} from this address; try again in {wait} s",
                               {"Retry-After": str(wait)})
            self._buckets[key] = (tokens - 1, now)
            if len(self._buckets) > 100_000:  # forget full buckets, so many addresses cannot grow memory
                full = [k for k, (t, l) in self._buckets.items() if t + (now - l) * self.rate.per_second >= self.rate.burst]
                for k in full:
                    del self._buckets[k]
