"""Python loads a pack's translations as every other runtime does (docs/languages.md)."""
import json
import pathlib

import pytest

import prescreen

PACK = pathlib.Path(__file__).resolve().parents[2] / "protocols" / "microneedling"


def test_from_file_and_from_json_merge_translations_and_keep_the_digest():
    arabic = (PACK / "translations" / "ar.json").read_text(encoding="utf-8")
    plain = prescreen.Protocol.from_file(PACK / "protocol.json")
    for p in (prescreen.Protocol.from_file(PACK / "protocol.json", translations=[arabic]),
              prescreen.Protocol.from_json((PACK / "protocol.json").read_text(), translations=[json.loads(arabic)])):
        assert p.digest == plain.digest
        wanted = json.loads(arabic)["texts"]["/items/date_of_birth/text"]
        assert p.texts(locale="ar")["items"]["date_of_birth"]["text"] == wanted
    with pytest.raises(prescreen.UsageError):
        plain.texts(locale="ar")  # not loaded: refused, not English


def test_an_incomplete_translation_fails_with_the_missing_text():
    arabic = json.loads((PACK / "translations" / "ar.json").read_text(encoding="utf-8"))
    del arabic["texts"]["/items/pregnant/text"]
    with pytest.raises(prescreen.ProtocolError) as caught:
        prescreen.Protocol.from_file(PACK / "protocol.json", translations=[arabic])
    assert any(d.code == "missing_translation" and "/items/pregnant/text" in d.message for d in caught.value.diagnostics)


def test_translations_argument_types():
    with pytest.raises(TypeError, match="translations: expected a list"):
        prescreen.Protocol.from_file(PACK / "protocol.json", translations="{}")
    with pytest.raises(ValueError, match=r"translations\[0\]"):
        prescreen.Protocol.from_file(PACK / "protocol.json", translations=["{not json"])
