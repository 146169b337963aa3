"""The consultation page in the patient's language, against a real uvicorn and SQLite: a patient who
read the pre-visit information in Arabic, Polish or Spanish reads the consent document (the engine's
consent_document in that locale) and the page's patient-facing labels in it at the consultation; the
practitioner can switch the language; the engine's consent() gets the locale shown, so the signed
record names it (inside the digest). What only the practitioner reads stays in English, marked so."""

import html
import json
import os
import re
from pathlib import Path

import pytest

import prescreen
from clinic_support import PACK, PASSWORD, SERVER_NOW, TODAY, answers, csrf, login, start_server, submission
from prescreen.clinic import accounts
from prescreen.clinic.consultation_wording import WORDING, plural_category, wordings

SHOWN = f"{TODAY}T10:20:00Z"
READ = f"{TODAY}T10:26:00Z"
TRANSLATIONS = PACK.parent / "translations"
LOCALES = ["ar", "es", "pl"]


def texts(tag):
    return json.loads((TRANSLATIONS / f"{tag}.json").read_text(encoding="utf-8"))["texts"]


def label(tag, key):
    """A label of the page's wording, as the template writes it (HTML-escaped)."""
    return html.escape(wordings()[tag].texts[key])


@pytest.fixture(scope="module")
def translated():
    """The pack with its translations, as the back office loads it (packs.py)."""
    return prescreen.Protocol.from_file(PACK, translations=[p.read_text(encoding="utf-8") for p in sorted(TRANSLATIONS.glob("*.json"))])


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    s = start_server(tmp_path_factory.mktemp("language") / "data")
    accounts.add_user(s.office.store, "pat", "practitioner", PASSWORD, SERVER_NOW)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def client(office):
    c, _ = login(office)
    yield c
    c.close()


def read_in(protocol, tag):
    """The pre-visit record the patient's page makes after reading the information in ``tag``."""
    document = protocol.consent_document(answers(), today=TODAY, locale=tag)
    ids = [a["id"] for a in document["acknowledgements"] if a["stage"] == "pre_visit"]
    return protocol.information_record(today=TODAY, acknowledged=ids, information_shown_at=SHOWN, read_at=READ,
                                       locale=tag).to_dict()


def send(office, protocol, tag, *, information=True, values=None):
    body = submission(protocol, values, information_record=read_in(protocol, tag) if information else None,
                      contact={"name": "Alex Patient", "phone": "07700 900123"}, locale=tag)
    r = office.post(body)
    assert r.status_code == 201, r.text
    return r.json()["submission_id"]


def to_sign(protocol, page_text, tag, values=None):
    """The form a patient fills in on the page: every required consultation statement, photo_care."""
    document = protocol.consent_document(values or answers(), today="2026-11-27", locale=tag)
    required = [a["id"] for a in document["acknowledgements"] if a["stage"] == "consultation" and a["required"]]
    locale = re.search(r'name="locale" value="([^"]+)"', page_text).group(1)
    return {"csrf_token": csrf(page_text), "locale": locale, "signature_name": "Alex Patient", "cs_role": "nurse",
            "cs_register": "NMC", "cs_number": "12A3456B", "acknowledged": ["photo_care"] + required}


def stored_record(office, sid):
    from prescreen.clinic import actions

    with office.office.store.read() as conn:
        text = actions.load(conn, sid)["consent_record"]
    return json.loads(text) if text else None


def test_read_in_arabic_the_consultation_is_in_arabic_right_to_left_and_the_record_says_so(office, client, translated):
    sid = send(office, translated, "ar")
    page = client.get(f"/review/submissions/{sid}/consent")
    assert page.status_code == 200, page.text
    ar = texts("ar")
    assert '<div class="consultation" id="consultation" lang="ar" dir="rtl">' in page.text
    assert f'<h1 id="consultation-title">{html.escape(ar["/consent/title"])}</h1>' in page.text
    for section in ("procedure", "risks", "alternatives", "photographs"):
        assert html.escape(ar[f"/consent/sections/{section}/title"]) in page.text, section
    assert html.escape(ar["/consent/acknowledgements/risk_infection/text"]) in page.text
    # The pre_visit statements, confirmed before the visit, in Arabic with the Arabic note.
    assert html.escape(ar["/consent/acknowledgements/read_information/text"]) in page.text
    for key in ("read_each_section", "confirmed_before_visit", "confirm_each", "photographs_choose", "cooling_heading",
                "signature_legend", "signature_name", "signature_hint", "pad_label", "clear_drawing", "sign_button"):
        assert label("ar", key) in page.text, key
    # The pack's cooling-off (1 day) in Arabic words, not "1 days".
    assert label("ar", "cooling_period").replace("{period}", "يوم واحد") in page.text
    # No English left in what the patient reads; the practitioner's parts are English, marked so.
    for english in ("Please confirm each statement", "Your full name", "Sign the consent", "Time to think it over",
                    "Draw your signature", "I understand that"):
        assert english not in page.text, english
    assert '<fieldset class="stack" id="practitioner" lang="en-GB" dir="ltr">' in page.text
    assert re.search(r'<p class="hint" id="consultation-for" lang="en-GB" dir="ltr">For <bdi>Alex Patient</bdi>', page.text)
    # The practitioner's language switch: each language by its own name, Arabic current.
    links = re.findall(r'<a href="\?lang=([^"]+)" lang="[^"]+" hreflang="[^"]+" dir="(ltr|rtl)"( aria-current="true")?[^>]*>([^<]+)</a>', page.text)
    assert [(tag, d, bool(current), name) for tag, d, current, name in links] == [
        ("en-GB", "ltr", False, "English"), ("ar", "rtl", True, "العربية"), ("es", "ltr", False, "español"), ("pl", "ltr", False, "polski")]
    assert 'name="locale" value="ar"' in page.text

    r = client.post(f"/review/submissions/{sid}/consent", data=to_sign(translated, page.text, "ar"))
    assert r.status_code == 303, r.text[-2000:]
    record = stored_record(office, sid)
    assert record["locale"] == "ar"
    assert prescreen.verify_consent(record, seal_key=office.office.keys.seal_key).valid
    # Changing the recorded language breaks the digest: it is part of what was signed.
    assert not prescreen.verify_consent(dict(record, locale="en-GB"), seal_key=office.office.keys.seal_key).valid
    done = client.get(f"/review/submissions/{sid}/consent")
    assert f'<h1 id="signed-title">{label("ar", "signed_title")}</h1>' in done.text
    assert 'lang="ar" dir="rtl"' in done.text and '<dl class="facts" lang="en-GB" dir="ltr">' in done.text
    # The consent PDF in the language signed in (its language tag and title in Arabic, the text shaped
    # right to left by HarfBuzz; the pages were looked at rendered in Chromium), the clinic's part in English.
    pdf = client.get(f"/review/submissions/{sid}/consent.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert b"/Lang (ar)" in pdf.content
    title = texts("ar")["/consent/title"]
    assert b"/Title <feff" + title.encode("utf-16-be").hex().encode() + b">" in pdf.content
    if os.environ.get("PRESCREEN_PDF_OUT"):  # a folder to keep the PDF in, to look at it
        (Path(os.environ["PRESCREEN_PDF_OUT"]) / "consent-ar.pdf").write_bytes(pdf.content)


def test_the_practitioner_switches_the_language_and_the_record_carries_the_one_shown(office, client, translated):
    sid = send(office, translated, "pl")
    page = client.get(f"/review/submissions/{sid}/consent")
    assert 'lang="pl" dir="ltr"' in page.text and label("pl", "sign_button") in page.text
    assert html.escape(texts("pl")["/consent/acknowledgements/risk_scarring/text"]) in page.text

    english = client.get(f"/review/submissions/{sid}/consent?lang=en-GB")
    assert 'id="consultation" lang="en-GB" dir="ltr"' in english.text
    assert "Sign the consent" in english.text and "I understand that, rarely, micro-needling can cause scarring" in english.text
    assert 'name="locale" value="en-GB"' in english.text
    assert re.search(r'id="language-note">The patient read the information in <span lang="pl">polski</span>; '
                     r'this consent is shown in <span lang="en-GB">English</span>', english.text)
    # A language neither the pack nor the page has falls back on the patient's.
    assert 'name="locale" value="pl"' in client.get(f"/review/submissions/{sid}/consent?lang=fr").text

    r = client.post(f"/review/submissions/{sid}/consent", data=to_sign(translated, english.text, "en-GB"))
    assert r.status_code == 303, r.text[-2000:]
    record = stored_record(office, sid)
    assert record["locale"] == "en-GB"
    assert prescreen.verify_consent(record, seal_key=office.office.keys.seal_key).valid


def test_a_refusal_is_shown_in_the_language_of_the_page_with_the_statements_to_confirm(office, client, translated):
    sid = send(office, translated, "es")
    page = client.get(f"/review/submissions/{sid}/consent")
    fields = to_sign(translated, page.text, "es")
    fields["acknowledged"].remove("risk_infection")
    r = client.post(f"/review/submissions/{sid}/consent", data=fields)
    assert r.status_code == 422
    es = texts("es")
    assert 'id="consultation" lang="es" dir="ltr"' in r.text
    assert f'<h2 id="error-title">{label("es", "not_signed")}</h2>' in r.text
    assert re.search(rf'<ul id="refusal-statements"><li><a href="#ack-risk_infection">{re.escape(html.escape(es["/consent/acknowledgements/risk_infection/text"]))}</a>', r.text)
    # The engine's own message and code, for the practitioner, in English.
    assert re.search(r'<div lang="en-GB" dir="ltr" class="hint">\s*<p id="refusal-message">[^<]*risk_infection', r.text)
    assert 'id="refusal-code">missing_acknowledgement<' in r.text
    assert 'name="locale" value="es"' in r.text and 'value="Alex Patient"' in r.text
    assert stored_record(office, sid) is None
    # A locale field that is not offered is not used: the page's own (the patient's) is.
    fields = to_sign(translated, page.text, "es")
    fields["locale"] = "xx-not-a-language"
    assert client.post(f"/review/submissions/{sid}/consent", data=fields).status_code == 303
    assert stored_record(office, sid)["locale"] == "es"


def test_without_a_pre_visit_record_the_forms_language_is_used(office, client, translated):
    sid = send(office, translated, "ar", information=False)
    page = client.get(f"/review/submissions/{sid}/consent")
    assert 'id="consultation" lang="ar" dir="rtl"' in page.text
    # No statement confirmed before the visit: the pre_visit ones are asked now, in Arabic.
    assert 'name="acknowledged" value="read_information"' in page.text
    assert html.escape(texts("ar")["/consent/acknowledgements/read_information/text"]) in page.text


def test_every_wording_file_has_the_keys_and_placeholders_of_english():
    english = wordings()["en-GB"].texts
    assert sorted(wordings()) == ["ar", "en-GB", "es", "pl"]
    plural = re.compile(r"_(zero|one|two|few|many|other)$")
    placeholders = lambda text: sorted(re.findall(r"\{(\w+)\}", text))  # noqa: E731
    for tag in LOCALES:
        local = wordings()[tag].texts
        for key, text in english.items():
            if plural.search(key):
                assert f"{plural.sub('', key)}_other" in local, (tag, key)
                continue
            assert key in local, (tag, key)
            assert placeholders(local[key]) == placeholders(text), (tag, key)
        assert all(key in english or plural.search(key) for key in local), tag
        assert json.loads((WORDING / f"{tag}.json").read_text(encoding="utf-8"))["direction"] == ("rtl" if tag == "ar" else "ltr")


@pytest.mark.parametrize("tag, cases", [
    ("ar", {0: "zero", 1: "one", 2: "two", 3: "few", 10: "few", 11: "many", 99: "many", 100: "other", 103: "few"}),
    ("pl", {1: "one", 2: "few", 4: "few", 5: "many", 12: "many", 22: "few", 25: "many", 0: "many"}),
    ("es", {1: "one", 0: "other", 2: "other"}),
    ("en-GB", {1: "one", 0: "other", 14: "other"}),
])
def test_plural_categories_are_cldrs(tag, cases):
    # The categories Intl.PluralRules gives in Chromium for these whole numbers (CLDR).
    assert {n: plural_category(tag, n) for n in cases} == cases
    assert wordings()[tag].period(14, "days")


def test_wording_files_ship_with_the_package():
    assert Path(WORDING).parent.name == "clinic" and (WORDING / "en-GB.json").is_file()


def test_a_back_office_without_the_translation_shows_english_and_says_what_the_patient_read(tmp_path, translated):
    # The same pack served without its translations folder: the Arabic record is kept unsealed, and
    # the consultation (in English, the only language this server has the texts in) says so.
    folder = tmp_path / "protocols" / "microneedling"
    folder.mkdir(parents=True)
    (folder / "protocol.json").write_text(PACK.read_text(encoding="utf-8"), encoding="utf-8")
    office = start_server(tmp_path / "data", protocols_dir=tmp_path / "protocols")
    try:
        accounts.add_user(office.office.store, "pat", "practitioner", PASSWORD, SERVER_NOW)
        sid = send(office, translated, "ar")
        client, _ = login(office)
        page = client.get(f"/review/submissions/{sid}/consent")
        assert page.status_code == 200, page.text
        assert 'id="consultation" lang="en-GB" dir="ltr"' in page.text and "Sign the consent" in page.text
        assert 'id="consent-languages"' not in page.text  # one language only: nothing to switch
        assert re.search(r'Read before the visit in <span lang="ar">العربية</span>', page.text)
        assert re.search(r'id="language-note">The patient read the information in <span lang="ar">العربية</span>', page.text)
        fields = to_sign(translated, page.text, "en-GB")
        fields["acknowledged"] += ["read_information", "answers_accurate"]  # asked again: the record is unsealed
        r = client.post(f"/review/submissions/{sid}/consent", data=fields)
        assert r.status_code == 303, r.text[-2000:]
        assert stored_record(office, sid)["locale"] == "en-GB"
        client.close()
    finally:
        office.stop()
