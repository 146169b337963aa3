"""The consent PDF, rendered with fpdf2, in the language the patient signed in (the record's
``locale``): the consent document's sections and the statements confirmed are the engine's
``consent_document`` in that language, the PDF's own labels come from the consultation wording
(``wording/<locale>.json``, ``pdf_*``), dates are written in words, and a right-to-left language is
shaped and laid out right to left (HarfBuzz, through fpdf2's text shaping). What only the clinic reads
(the record's digest, the seal, the clinic's signatures, how to verify) stays in English, left to
right, under its own heading."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from fpdf import FPDF

from .consultation_wording import Wording

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def render(document: Mapping[str, Any], record: Mapping[str, Any], submission_id: str, words: Wording,
           clinic: str) -> bytes:
    """The PDF of a signed consent: ``document`` is the engine's consent_document in ``words.locale``."""
    rtl = words.direction == "rtl"
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(str(document.get("title") or f"Consent {submission_id}"))
    pdf.set_lang(words.locale)
    if (DEJAVU / "DejaVuSans.ttf").exists() and (DEJAVU / "DejaVuSans-Bold.ttf").exists():
        pdf.add_font("body", "", str(DEJAVU / "DejaVuSans.ttf"))
        pdf.add_font("body", "B", str(DEJAVU / "DejaVuSans-Bold.ttf"))
        family, clean = "body", (lambda s: s)
    else:  # the core font holds Latin-1 only
        family, clean = "helvetica", (lambda s: s.replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
                                      .replace("\u201c", '"').replace("\u201d", '"').encode("latin-1", "replace").decode("latin-1"))
    pdf.add_page()

    def patient_side() -> None:
        if rtl:
            pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ara")

    def clinic_side() -> None:
        if rtl:
            pdf.set_text_shaping(use_shaping_engine=True, direction="ltr")

    align = "R" if rtl else "L"

    def heading(text: str, size: int = 13, side: str = "") -> None:
        pdf.set_font(family, "B", size)
        pdf.multi_cell(0, 7, clean(text), new_x="LMARGIN", new_y="NEXT", align=side or align)
        pdf.ln(1)

    def para(text: str, size: int = 10, side: str = "") -> None:
        pdf.set_font(family, "", size)
        pdf.multi_cell(0, 5, clean(text), new_x="LMARGIN", new_y="NEXT", align=side or align)
        pdf.ln(2)

    def drawn_signature(strokes) -> None:
        """The drawn strokes (canvas pixels, as in the record) in a 60 x 20 mm box."""
        points = [p for stroke in strokes for p in stroke]
        width = max(1, max(x for x, _ in points))
        height = max(1, max(y for _, y in points))
        scale = min(60 / width, 20 / height)
        left = pdf.w - pdf.r_margin - width * scale if rtl else pdf.get_x()
        top = pdf.get_y()
        for stroke in strokes:
            line = [(left + x * scale, top + y * scale) for x, y in stroke]
            if len(line) > 1:
                pdf.polyline(line)
        pdf.set_y(top + height * scale + 3)

    patient_side()
    heading(str(document.get("title") or words.say("pdf_title")), 16)
    para(words.say("pdf_reference", clinic=clinic, reference=submission_id))
    signer = record.get("signer", {})
    para(words.say("pdf_signed", name=signer.get("name", ""), when=words.when(record.get("signed_at"))))
    if signer.get("strokes"):
        drawn_signature(signer["strokes"])
    taken = record.get("countersignature")
    if isinstance(taken, dict):
        para(words.say("pdf_taken_by", name=taken.get("name", ""),
                       role=", ".join(str(taken[k]) for k in ("role", "register", "registration_number") if taken.get(k))))
    if record.get("information_record"):
        para(words.say("pdf_read_before", when=words.when(record.get("information_shown_at"))))
    cooling = record.get("cooling_off") or {}
    if cooling.get("offered"):
        para(words.say("pdf_cooling", period=words.period(int(cooling.get("amount") or 0), str(cooling.get("unit") or "days")),
                       date=words.date(cooling.get("treatment_not_before"))))
    para(words.say("pdf_valid_until", date=words.date(record.get("valid_until"))))
    if record.get("withdrawal"):
        para(words.say("pdf_withdrawn", when=words.when(record["withdrawal"].get("at")),
                       reason=record["withdrawal"].get("reason", "")), 11)
    for section in document.get("sections", []):
        heading(str(section.get("title", "")), 12)
        para(str(section.get("text", "")))
    heading(words.say("pdf_statements"), 12)
    texts = {a.get("id"): a.get("text") for a in document.get("acknowledgements", [])}
    for ack in record.get("acknowledgements", []):
        para(f"\u2713 {texts.get(ack) or ack}")

    clinic_side()
    heading("For the clinic (English)", 12, "L")
    screening = record.get("screening") or {}
    para(f"Submission {submission_id}; consent document {record.get('document', {}).get('version')}; language {words.locale}. "
         f"Signed at {record.get('signed_at')}; information first shown at {record.get('information_shown_at')}; "
         f"valid until {record.get('valid_until')}.", 8, "L")
    para(f"Screening on {screening.get('today')}: {screening.get('outcome')}"
         + (f" (findings: {', '.join(screening.get('findings') or [])})" if screening.get("findings") else ""), 8, "L")
    if record.get("information_record"):
        para(f"Pre-visit record {record['information_record']}.", 8, "L")
    seal = record.get("seal") or {}
    para(f"Digest (SHA-256): {record.get('digest')}", 8, "L")
    if seal:
        para(f"Seal ({seal.get('algorithm')}): {seal.get('value')}", 8, "L")
        signature = seal.get("signature") or {}
        para(f"Clinic signature (Ed25519, key {signature.get('key_id')}): {signature.get('value')}", 8, "L")
        counter = seal.get("countersignature")
        if counter:
            para(f"Countersigned by {counter.get('name')} ({counter.get('role')}, {counter.get('registration_number')}) "
                 f"at {counter.get('at')}", 8, "L")
    para("Verify with: python -m prescreen verify RECORD.json --public-key clinic.pub", 8, "L")
    return bytes(pdf.output())
