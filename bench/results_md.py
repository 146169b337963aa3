"""bench/RESULTS.md: replace one "## Title" section with a new table, keeping every other section."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def replace_section(title: str, lines: list) -> None:
    """Write `lines` as the body of section "## title" (appended at the end when there is none)."""
    text = RESULTS.read_text(encoding="utf-8")
    heading = f"## {title}"
    section = heading + "\n\n" + "\n".join(lines) + "\n"
    if heading in text:
        start = text.index(heading)
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + section + (text[end:] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")
