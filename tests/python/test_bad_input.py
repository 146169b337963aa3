"""Bad input of every kind: a clear error naming the argument or path, never a crash or silent drop."""

import datetime
import json

import pytest

from conftest import BASE, SMALL_PACK, TODAY, answers


def test_protocol_error_lists_every_problem(prescreen):
    bad = {
        "format": "prescreen-protocol/1", "id": "bad", "version": "1", "title": "Bad", "locales": ["en-GB"],
        "pages": [{"id": "p", "title": "P"}],
        "items": [
            {"id": "a", "type": "boolean", "page": "p", "text": "A"},
            {"id": "a", "type": "boolean", "page": "p", "text": "Dup"},
        ],
        "rules": [{"id": "r", "when": {"frob": [1]}, "outcome": "refer", "message": "m", "clinician_note": "n",
                   "sources": ["S1"]}],
    }
    with pytest.raises(prescreen.ProtocolError) as e:
        prescreen.Protocol.from_json(bad)
    err = e.value
    assert isinstance(err, ValueError)
    codes = {d.code for d in err.diagnostics}
    assert "duplicate_id" in codes
    assert "unknown_operation" in codes
    dup = next(d for d in err.diagnostics if d.code == "duplicate_id")
    assert dup.path == "/items/1/id"
    assert dup["code"] == "duplicate_id" and dict(dup)["path"] == "/items/1/id"
    # The engine's one error envelope (issue 11): code protocol_error when there are several problems.
    envelope = err.to_dict()["error"]
    assert envelope["code"] == "protocol_error" and envelope["message"] == str(err)
    assert [d["code"] for d in envelope["diagnostics"]] == [d.code for d in err.diagnostics]
    # lint gives the same without raising
    assert [d.code for d in prescreen.Protocol.lint(bad)] == [d.code for d in err.diagnostics]
    assert [d.code for d in prescreen.Protocol.lint(json.dumps(bad))] == [d.code for d in err.diagnostics]


def test_malformed_pack_text(prescreen):
    with pytest.raises(prescreen.ProtocolError) as e:
        prescreen.Protocol.from_json('{"format": ')
    assert e.value.diagnostics[0].code == "malformed_json"
    assert "line 1" in e.value.diagnostics[0].message


def test_missing_pack_file(prescreen, tmp_path):
    with pytest.raises(FileNotFoundError):
        prescreen.Protocol.from_file(tmp_path / "nope.json")


def test_overrides_checked(prescreen):
    with pytest.raises(prescreen.ProtocolError) as e:
        prescreen.Protocol.from_file(SMALL_PACK, overrides={"nope": 1})
    assert e.value.diagnostics[0].code == "override_unknown_parameter"
    with pytest.raises(prescreen.ProtocolError) as e:
        prescreen.Protocol.from_file(SMALL_PACK, overrides={"drug_washout": 99})
    assert e.value.diagnostics[0].code == "override_out_of_range"
    with pytest.raises(TypeError, match="^overrides"):
        prescreen.Protocol.from_file(SMALL_PACK, overrides=[1, 2])


def test_source_argument_types(prescreen):
    with pytest.raises(TypeError, match="^source"):
        prescreen.Protocol.from_json(42)
    with pytest.raises(TypeError, match="path"):
        prescreen.Protocol.from_file(42)


@pytest.mark.parametrize("today, error, match", [
    (None, TypeError, "^today: required"),
    (20261125, TypeError, "^today: expected an ISO date"),
    ("2026-02-30", ValueError, "^today: '2026-02-30' is not a valid ISO calendar date"),
    ("25/11/2026", ValueError, "^today: "),
    ("", ValueError, "^today: "),
])
def test_today_misuse(pack, today, error, match):
    with pytest.raises(error, match=match):
        pack.screen(BASE, today=today)
    with pytest.raises(error, match=match):
        pack.form(BASE, today=today)
    with pytest.raises(error, match=match):
        pack.screen_many([BASE], today=today)


def test_today_is_keyword_only(pack):
    with pytest.raises(TypeError):
        pack.screen(BASE, TODAY)


def test_locale_type(pack):
    with pytest.raises(TypeError, match="^locale"):
        pack.screen(BASE, today=TODAY, locale=3)


@pytest.mark.parametrize("value, error, code, path", [
    (float("nan"), ValueError, "not_finite", "answers['weight_kg']"),
    (float("inf"), ValueError, "not_finite", "answers['weight_kg']"),
    (object(), TypeError, "wrong_type", "answers['weight_kg']"),
    ({1, 2}, TypeError, "wrong_type", "answers['weight_kg']"),
    (b"bytes", TypeError, "wrong_type", "answers['weight_kg']"),
    (10 ** 30, ValueError, "out_of_range", "answers['weight_kg']"),
])
def test_unconvertible_answers_name_the_path(pack, value, error, code, path):
    with pytest.raises(error) as e:
        pack.screen(answers(weight_kg=value), today=TODAY)
    assert str(e.value).startswith(path + ":")


def test_nested_path_in_message(pack):
    with pytest.raises(TypeError, match=r"^answers\['areas'\]\[1\]: "):
        pack.screen(answers(areas=["face", object()]), today=TODAY)
    with pytest.raises(TypeError, match=r"keys must be str"):
        pack.screen({1: True}, today=TODAY)


def test_bad_answers_never_raise(pack):
    # Wrong types, unknown ids, impossible dates: issues + incomplete, no exception.
    r = pack.screen(answers(pregnant="yes", date_of_birth="2026-02-30", favourite_colour="blue"), today=TODAY)
    assert r.outcome == "incomplete"
    codes = {(i["code"], i["path"]) for i in r.issues}
    assert ("wrong_type", "/pregnant") in codes
    assert ("impossible_date", "/date_of_birth") in codes
    assert ("unknown_item", "/favourite_colour") in codes


def test_answers_not_an_object_is_the_engines_call(pack):
    r = pack.screen(["not", "an", "object"], today=TODAY)
    assert r.outcome == "incomplete" and r.issues[0]["code"] == "not_an_object"


def test_deep_nesting_is_refused(pack):
    deep = []
    for _ in range(400):
        deep = [deep]
    with pytest.raises(ValueError, match="nested more than"):
        pack.screen({"notes": deep}, today=TODAY)


def test_lone_surrogate(pack):
    with pytest.raises(ValueError, match="Unicode"):
        pack.screen(answers(notes="\ud800"), today=TODAY)


def test_consent_argument_types(pack):
    base = dict(today=TODAY, signature={"name": "A", "role": "patient"}, signed_at="2026-11-25T10:31:00Z",
                information_shown_at="2026-11-25T10:20:00Z")
    with pytest.raises(TypeError, match="^acknowledged"):
        pack.consent(BASE, acknowledged="risk_redness", **base)
    with pytest.raises(TypeError, match=r"^acknowledged\[0\]"):
        pack.consent(BASE, acknowledged=[1], **base)
    with pytest.raises(TypeError, match="^signature"):
        pack.consent(BASE, acknowledged=[], **{**base, "signature": "Alex"})
    with pytest.raises(TypeError, match="^signed_at"):
        pack.consent(BASE, acknowledged=[], **{**base, "signed_at": 12})


def test_verify_and_status_argument_errors(prescreen):
    # Text that is not JSON is an invalid record with the reader's code, not an exception.
    v = prescreen.verify_consent("{nope")
    assert not v.valid and v.problems[0]["code"] == "malformed_json"
    v = prescreen.verify_consent({"hello": "world"})
    assert not v.valid and v.problems[0]["code"] == "not_a_record"
    with pytest.raises(TypeError, match="^at"):
        prescreen.consent_status({}, None)
    assert prescreen.consent_status({"hello": "world"}, "2026-11-25").status == "invalid"


def test_threads_and_chunk_size_checked(pack):
    with pytest.raises(ValueError, match="^threads"):
        pack.screen_many([BASE], today=TODAY, threads=0)
    with pytest.raises(TypeError, match="^threads"):
        pack.screen_many([BASE], today=TODAY, threads="2")
    with pytest.raises(ValueError, match="^chunk_size"):
        pack.screen_many([BASE], today=TODAY, chunk_size=0)


def test_rows_argument_checked(pack):
    with pytest.raises(TypeError, match="^rows"):
        pack.screen_many(42, today=TODAY)
    with pytest.raises(TypeError, match="^rows"):
        pack.screen_many(BASE, today=TODAY)
    with pytest.raises(TypeError, match="^columns"):
        pack.screen_many([BASE], today=TODAY, columns=["sex"])


def test_generator_exception_propagates(pack):
    def rows():
        yield BASE
        raise RuntimeError("source failed")

    with pytest.raises(RuntimeError, match="source failed"):
        pack.screen_many(rows(), today=TODAY)


def test_parse_json_is_the_engines_strict_reader(prescreen):
    # One reader policy everywhere (issue 12): what the CLI and JavaScript refuse, Python refuses too.
    assert prescreen.parse_json(b'{"a": [1, 2.5, "x\\u00e9"], "b": null}') == {"a": [1, 2.5, "xé"], "b": None}
    for text, code, path in [('{"signer": "Mallory", "signer": "Alex"}', "duplicate_key", "/signer"),
                             ('{"a": NaN}', "malformed_json", ""), ('{"a": "\\ud800"}', "malformed_json", ""),
                             (b'{"a": "\xff"}', "malformed_json", ""), ("[" * 300 + "]" * 300, "nesting_too_deep", None),
                             ('{"a": 1} x', "malformed_json", "")]:
        with pytest.raises(prescreen.UsageError) as e:
            prescreen.parse_json(text)
        assert e.value.code == code, text
        if path is not None:
            assert e.value.path == path, text
    # The canonical text of JSON text, without Python objects in between: the same as of the value.
    text = '{"b": 1.0, "a": {"d": [true, null], "c": "é"}}'
    assert prescreen.canonical_json_text(text) == prescreen.canonical_json(json.loads(text)) == '{"a":{"c":"é","d":[true,null]},"b":1}'
    with pytest.raises(prescreen.UsageError) as e:
        prescreen.canonical_json_text('{"a": 1, "a": 2}')
    assert e.value.code == "duplicate_key"
