"""bench/RESULTS.md: write a benchmark's latest figures into its section, keeping every other section
and the section's own prose (notes, earlier runs kept for comparison)."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def replace_section(title: str, lines: list) -> None:
    """Write `lines` as the generated block of section "## title": between its markers
    (<!-- generated: title --> ... <!-- end generated -->), the rest of the section left as it is.
    A section without the markers gets the block under its heading; a missing section is appended."""
    text = RESULTS.read_text(encoding="utf-8")
    heading, begin, end = f"## {title}", f"<!-- generated: {title} -->", "<!-- end generated -->"
    block = begin + "\n" + "\n".join(lines) + "\n" + end
    if begin in text:
        start = text.index(begin)
        stop = text.index(end, start) + len(end)
        text = text[:start] + block + text[stop:]
    elif heading in text:
        at = text.index(heading) + len(heading)
        text = text[:at] + "\n\n" + block + text[at:]
    else:
        text = text.rstrip("\n") + "\n\n" + heading + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")
