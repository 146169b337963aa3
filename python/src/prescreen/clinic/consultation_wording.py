"""The consultation page in the patient's language.

The consent document on the page (sections, statements) is the engine's ``consent_document`` in the
locale chosen here, and ``consent()`` is called with the same locale, so the signed record names the
language the patient read. The page's own patient-facing labels ("Your signature", "Sign the
consent", ...) come from ``wording/<locale>.json`` beside this file; what only the practitioner reads
stays in English. The language is the patient's pre-visit record's (else the language the form was
filled in), unless the practitioner switches it (``?lang=``); only languages the pack has texts in
and this page has wording for are offered."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

DEFAULT = "en-GB"
WORDING = Path(__file__).parent / "wording"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def plural_category(locale: str, n: int) -> str:
    """CLDR's plural category of a whole number in the languages the page has wording for (the
    browser's Intl.PluralRules gives the same for these); anything else counts as English."""
    language = locale.split("-")[0]
    if language == "ar":
        if n == 0:
            return "zero"
        if n in (1, 2):
            return ("one", "two")[n - 1]
        if 3 <= n % 100 <= 10:
            return "few"
        if 11 <= n % 100 <= 99:
            return "many"
        return "other"
    if language == "pl":
        if n == 1:
            return "one"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return "few"
        return "many"
    return "one" if n == 1 else "other"


@dataclass(frozen=True)
class Wording:
    """One language's labels: ``say(key, **values)``; ``period(amount, unit)`` ("1 day", "يومان")."""
    locale: str
    texts: Mapping[str, str]

    @property
    def direction(self) -> str:
        return self.texts.get("direction", "ltr")

    @property
    def name(self) -> str:
        return self.texts.get("language_name", self.locale)

    def say(self, key: str, **values: Any) -> str:
        text = self.texts.get(key)
        if text is None:
            raise KeyError(f"the consultation page has no wording {key!r} in {self.locale}")
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)

    def count(self, stem: str, n: int) -> str:
        """``stem_<plural category>`` (else ``stem_other``) with ``{count}``: "3 statements to confirm"."""
        category = plural_category(self.locale, n)
        key = f"{stem}_{category}" if f"{stem}_{category}" in self.texts else f"{stem}_other"
        return self.say(key, count=n)

    def date(self, iso: Optional[str]) -> str:
        """An ISO date in words, the language's way ("28 December 2026", "28 ديسمبر 2026"): the month
        names and the order from the wording file."""
        if not iso:
            return ""
        year, month, day = str(iso)[:10].split("-")
        return self.say("date_words", day=int(day), month=self.texts["months"].split()[int(month) - 1], year=year)

    def when(self, iso: Any) -> str:
        """A record's date-time in words, the language's way ("25 November 2026, 09:05 UTC"); a
        date alone in words; "" for none."""
        text = str(iso or "")
        if len(text) < 16:
            return self.date(text) if text else ""
        return self.say("date_time_words", date=self.date(text[:10]), time=text[11:16])

    def period(self, amount: int, unit: str) -> str:
        return self.count(f"unit_{str(unit).rstrip('s')}", amount)


@lru_cache(maxsize=None)
def wordings() -> Dict[str, Wording]:
    """Every language the consultation page has wording for, by locale tag."""
    found = {}
    for path in sorted(WORDING.glob("*.json")):
        texts = json.loads(path.read_text(encoding="utf-8"))
        found[path.stem] = Wording(path.stem, {k: v for k, v in texts.items() if not k.startswith("$")})
    return found


def pack_locales(document: Mapping[str, Any]) -> List[str]:
    """The languages a pack has texts in: its own first (en-GB for these packs), then its translations
    in the order of their tags (as the patient's page lists them)."""
    own = document.get("locales") or [DEFAULT]
    translated = sorted(k for k in (document.get("translations") or {}) if not str(k).startswith("$"))
    return list(dict.fromkeys([*own, *translated]))


def offered(document: Mapping[str, Any], loaded: Optional[List[str]] = None) -> List[Wording]:
    """The languages the practitioner can switch to: the pack has texts in them (and the back office
    loaded them: ``loaded``), and this page has wording for them."""
    available = wordings()
    tags = [t for t in pack_locales(document) if loaded is None or t in loaded]
    return [available[t] for t in tags if t in available]


def choose(asked: Optional[str], patient: Optional[str], choices: List[Wording]) -> Wording:
    """The language to show: the practitioner's choice, else the patient's (exact tag, else its
    language), else English."""
    by_tag = {w.locale: w for w in choices}
    for tag in (asked, patient):
        if not tag:
            continue
        if tag in by_tag:
            return by_tag[tag]
        same_language = [w for w in choices if w.locale.split("-")[0] == tag.split("-")[0]]
        if same_language:
            return same_language[0]
    return by_tag.get(DEFAULT) or wordings()[DEFAULT]


def language_name(tag: Optional[str]) -> str:
    """A language's own name ("العربية") when the page has wording for it, else its tag."""
    if not tag:
        return ""
    known = wordings()
    match = known.get(tag) or next((w for w in known.values() if w.locale.split("-")[0] == tag.split("-")[0]), None)
    return match.name if match else tag
