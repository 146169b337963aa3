"""form(texts=False) and Protocol.texts(): the wording once per locale, the questionnaire state per
keystroke; both from the engine, so they agree with form(texts=True) exactly."""
import json
import pathlib

import pytest

CASES = pathlib.Path(__file__).resolve().parents[2] / "protocols" / "microneedling" / "cases.json"


def test_form_without_texts_is_form_less_its_texts(microneedling):
    for case in json.loads(CASES.read_text())["cases"][:30]:
        full = microneedling.form(case["answers"], today=case["today"]).to_dict()
        state = microneedling.form(case["answers"], today=case["today"], texts=False).to_dict()
        assert "texts" not in state
        del full["texts"]
        assert state == full, case["id"]


def test_texts_hold_what_form_shows(microneedling):
    every = microneedling.texts()
    assert every["locale"] == "en-GB"
    assert set(every["items"]) == {item["id"] for item in microneedling.items}
    assert every["consent"]["acknowledgements"], "the consent document comes whether or not a form is complete"
    for case in json.loads(CASES.read_text())["cases"][:30]:
        shown = microneedling.form(case["answers"], today=case["today"]).to_dict()["texts"]
        for item_id, texts in shown["items"].items():
            assert every["items"][item_id] == texts, item_id
        for page_id, texts in shown["pages"].items():
            assert every["pages"][page_id] == texts, page_id


def test_texts_refuses_a_locale_the_pack_has_no_texts_in(prescreen, microneedling):
    with pytest.raises(prescreen.UsageError) as caught:
        microneedling.texts(locale="cy")
    assert caught.value.diagnostic.code == "unknown_locale"
    assert caught.value.diagnostic.path == "/locale"
    assert '"cy"' in str(caught.value)


def test_texts_argument_types(microneedling):
    with pytest.raises(TypeError, match="texts must be True or False"):
        microneedling.form({}, today="2026-11-25", texts="no")
    with pytest.raises(TypeError, match="locale: expected str"):
        microneedling.texts(locale=1)
