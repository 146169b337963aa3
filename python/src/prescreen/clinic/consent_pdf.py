"""The consent PDF for the clinic's file, rendered with fpdf2 from the same data as the page: the
consent document's sections from the pack, the acknowledgements, the signer, the record's digest,
the seal, the clinic's signature and any countersignature or withdrawal."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from fpdf import FPDF

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("en-GB") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def render(pack: Mapping[str, Any], record: Mapping[str, Any], submission_id: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(f"Consent {submission_id}")
    if (DEJAVU / "DejaVuSans.ttf").exists() and (DEJAVU / "DejaVuSans-Bold.ttf").exists():
        pdf.add_font("body", "", str(DEJAVU / "DejaVuSans.ttf"))
        pdf.add_font("body", "B", str(DEJAVU / "DejaVuSans-Bold.ttf"))
        family, clean = "body", (lambda s: s)
    else:  # the core font holds Latin-1 only
        family, clean = "helvetica", (lambda s: s.replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
                                      .replace("\u201c", '"').replace("\u201d", '"').encode("latin-1", "replace").decode("latin-1"))
    pdf.add_page()

    def heading(text: str, size: int = 13) -> None:
        pdf.set_font(family, "B", size)
        pdf.multi_cell(0, 7, clean(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def para(text: str, size: int = 10) -> None:
        pdf.set_font(family, "", size)
        pdf.multi_cell(0, 5, clean(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    def drawn_signature(pdf, strokes) -> None:
        """The drawn strokes (canvas pixels, as in the record) in a 60 x 20 mm box."""
        points = [p for stroke in strokes for p in stroke]
        width = max(1, max(x for x, _ in points))
        height = max(1, max(y for _, y in points))
        scale = min(60 / width, 20 / height)
        left, top = pdf.get_x(), pdf.get_y()
        for stroke in strokes:
            line = [(left + x * scale, top + y * scale) for x, y in stroke]
            if len(line) > 1:
                pdf.polyline(line)
        pdf.set_y(top + height * scale + 3)

    consent = pack.get("consent", {})
    heading(_text(consent.get("title")) or "Consent to treatment", 16)
    para(f"Fairfield Skin Clinic · submission {submission_id} · consent document {record['document']['version']}")
    signer = record.get("signer", {})
    para(f"Signed by {signer.get('name')} ({signer.get('role')}) at {record.get('signed_at')}. "
         f"Information first shown at {record.get('information_shown_at')}. Valid until {record.get('valid_until')}.")
    if signer.get("strokes"):
        drawn_signature(pdf, signer["strokes"])
    taken = record.get("countersignature")
    if isinstance(taken, dict):
        para(f"Consent taken by {taken.get('name')} ({taken.get('role')}"
             + "".join(f", {taken[k]}" for k in ("register", "registration_number") if taken.get(k)) + ").")
    if record.get("information_record"):
        para(f"Read before the visit: pre-visit record {record['information_record']}.", 8)
    cooling = record.get("cooling_off") or {}
    if cooling.get("offered"):
        para(f"Cooling-off: {cooling.get('amount')} {cooling.get('unit')}; treatment not before {cooling.get('treatment_not_before')}.")
    para(f"Screening on {record['screening'].get('today')}: {record['screening'].get('outcome')}"
         + (f" (findings: {', '.join(record['screening'].get('findings') or [])})" if record['screening'].get('findings') else ""))
    for section in consent.get("sections", []):
        heading(_text(section.get("title")), 12)
        para(_text(section.get("text")))
    heading("Acknowledgements", 12)
    texts = {a.get("id"): _text(a.get("text")) for a in consent.get("acknowledgements", [])}
    for ack in record.get("acknowledgements", []):
        para(f"[x] {texts.get(ack, ack)}")
    heading("Record", 12)
    seal = record.get("seal") or {}
    para(f"Digest (SHA-256): {record.get('digest')}", 8)
    if seal:
        para(f"Seal ({seal.get('algorithm')}): {seal.get('value')}", 8)
        signature = seal.get("signature") or {}
        para(f"Clinic signature (Ed25519, key {signature.get('key_id')}): {signature.get('value')}", 8)
        counter = seal.get("countersignature")
        if counter:
            para(f"Countersigned by {counter.get('name')} ({counter.get('role')}, {counter.get('registration_number')}) "
                 f"at {counter.get('at')}", 10)
    if record.get("withdrawal"):
        para(f"WITHDRAWN at {record['withdrawal'].get('at')}: {record['withdrawal'].get('reason')}", 11)
    para("Verify with: python -m prescreen verify RECORD.json --public-key clinic.pub", 8)
    return bytes(pdf.output())
