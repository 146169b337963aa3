"""screen_many reads plain dict rows (and DataFrame cells) straight into the engine, and its results
keep outcome, deferral and finding ids natively. Both must be invisible: every row gives exactly
what Protocol.screen gives, and the native fields equal the ones in the result's JSON."""

import datetime
import random
import re

import pytest

from conftest import BASE, ROOT, TODAY, answers


def rows_with_everything():
    """Good rows, every kind of bad answer, issues in several items (dict order differs from id
    order), unknown items, and values only the slower json path reads (dates, tuples, subclasses)."""

    class Text(str):
        pass

    rows = [
        BASE,
        answers(pregnant=True),
        answers(drug_past=True, drug_last_dose="2026-08-31"),
        answers(drug_past=True, drug_last_dose=datetime.date(2026, 8, 31)),   # json path: a date object
        answers(steel_allergy=True, blood_thinner=True),
        answers(sex=...),                                                      # missing required
        {"zzz_unknown": 1, "sex": 42, "areas": ["face", "face"], "aaa_unknown": True, "weight_kg": 1000,
         "date_of_birth": "2026-02-30", "notes": "x" * 50},                    # many issues, unsorted keys
        {**BASE, "areas": ("face", "neck")},                                   # tuple
        {**BASE, "areas": ["face", 3, None]},                                  # non-string choices
        {**BASE, "sex": Text("female")},                                       # str subclass: json path
        {**BASE, "sessions_before": 2**70},                                    # int beyond 64 bits
        {**BASE, "sessions_before": True},                                     # bool for an integer item
        {**BASE, "weight_kg": -0.0},
        {**BASE, "notes": "caf\u00e9 \"quoted\" \\ \n tab\t"},
        {**BASE, "notes": "\ud800"},                                           # lone surrogate
        {1: "not a str key", **BASE},
        {},
    ]
    return rows


def test_every_row_equals_screen(pack):
    rows = rows_with_everything()
    for threads in (1, 2):
        results = pack.screen_many(rows, today=TODAY, threads=threads, chunk_size=5)
        assert len(results) == len(rows)
        for row, result in zip(rows, results):
            try:
                expected = pack.screen(row, today=TODAY).to_dict()
            except (TypeError, ValueError):
                assert not result.ok  # the batch gives an error row where screen() raises
                continue
            assert result.to_dict() == expected, row


def test_native_fields_equal_the_json(pack):
    rng = random.Random(7)
    choices = {
        "pregnant": [True, False], "drug_current": [True, False], "drug_past": [True, False],
        "drug_last_dose": ["2026-08-31", "2026-11-01", None], "steel_allergy": [True, False, False, False],
        "blood_thinner": [True, False], "cold_sores": ["never", "history", "active"], "sex": ["female", "male", None],
    }
    rows = [answers(**{k: rng.choice(v) for k, v in choices.items()}) for _ in range(2000)]
    results = pack.screen_many(rows, today=TODAY, threads=2, chunk_size=300)
    outcomes = set()
    for result in results:
        data = result.to_dict()
        outcomes.add(result.outcome)
        assert result.outcome == data["outcome"]
        expected_date = data["defer_until"] and datetime.date.fromisoformat(data["defer_until"])
        assert result.defer_until == (expected_date or None)
        assert result.finding_ids == [f["rule"] for f in data["findings"]]
        assert result.consent_permitted == data["consent_permitted"]
        assert result.today == datetime.date.fromisoformat(TODAY)
    assert {"eligible", "deferred", "not_eligible"} <= outcomes


def test_to_json_is_the_engine_text(pack):
    import json

    result = pack.screen_many([answers(pregnant=True)], today=TODAY)[0]
    assert result.to_json() == pack.screen(answers(pregnant=True), today=TODAY).to_json()
    assert json.loads(result.to_json()) == result.to_dict()


def test_dataframe_list_cells_equal_dict_rows(pack):
    pd = pytest.importorskip("pandas")
    rows = [answers(areas=["face", "neck"]), answers(areas=("hands",)), answers(areas=["face", 2**70]),
            answers(areas=["face", None, 3, 1.5]), answers(areas=[["nested"]]), answers(areas=[])]
    frame = pd.DataFrame({"areas": [r["areas"] for r in rows]})
    for k in BASE:
        if k != "areas":
            frame[k] = [r[k] for r in rows]
    got = pack.screen_many(frame, today=TODAY, chunk_size=4)
    for row, result in zip(rows, got):
        try:
            expected = pack.screen(row, today=TODAY).to_dict()
        except (TypeError, ValueError):
            assert not result.ok
            continue
        assert result.to_dict() == expected, row


def test_dataframe_cells_equal_dict_rows(pack):
    pd = pytest.importorskip("pandas")
    rows = [answers(pregnant=True), BASE, answers(drug_past=True, drug_last_dose="2026-08-31"),
            answers(steel_allergy=True), answers(cold_sores="active")]
    frame = pd.DataFrame([{k: (";".join(v) if isinstance(v, list) else v) for k, v in r.items()} for r in rows])
    from_frame = pack.screen_many(frame, today=TODAY, chunk_size=2)
    assert [r.to_dict() for r in from_frame] == [pack.screen(r, today=TODAY).to_dict() for r in rows]


def test_micro_needling_vignettes_equal_screen_in_every_form(microneedling):
    """Batch results keep the engine's record and write their JSON on demand: text, dict, fields
    and the result table must all be what a single screen() gives, with 1, 2 and 3 threads (the
    calling thread is one of them) and chunk sizes that split the batch unevenly."""
    import json

    from prescreen import io

    cases = json.loads((ROOT / "protocols" / "microneedling" / "cases.json").read_text())["cases"]
    rows = [c["answers"] for c in cases if not c.get("overrides")]
    singles = [microneedling.screen(r, today=TODAY) for r in rows]
    for threads, chunk_size in ((1, 1024), (2, 7), (3, 1)):
        batch = microneedling.screen_many(rows, today=TODAY, threads=threads, chunk_size=chunk_size)
        assert [r.to_json() for r in batch] == [s.to_json() for s in singles]
        assert [r.issues for r in batch] == [s.issues for s in singles]
        assert [r.aftercare for r in batch] == [s.aftercare for s in singles]
        assert [io.result_row(r, i) for i, r in enumerate(batch)] == [io.result_row(s, i) for i, s in enumerate(singles)]
    assert any(s.issues for s in singles) and any(s.findings for s in singles)  # the vignettes cover both


def test_table_fields_come_from_the_record(microneedling):
    import json

    from prescreen import io

    row = {"active_cold_sore": True, "unknown_question": 1}
    batch = microneedling.screen_many([row], today=TODAY)[0]
    single = microneedling.screen(row, today=TODAY)
    fields = batch._table_fields()
    assert single._table_fields() == fields  # screen() results keep a record too
    assert fields["outcome"] == single.outcome
    assert fields["findings"] == single.finding_ids
    assert fields["patient_messages"] == [f.message for f in single.findings]
    assert fields["clinician_notes"] == [f.clinician_note for f in single.findings]
    assert fields["issues"] == ["unknown_question:unknown_item"]
    assert fields["protocol_digest"] == microneedling.digest
    assert io.result_row(batch, 3) == io.result_row(single, 3)
    # A JSON line only the engine's full parser reads (a \u escape) now goes the same one path to a
    # record (issue 11: no result is held as JSON text any more), and its table row is the same.
    line = json.dumps(row, ensure_ascii=True).replace('"active_cold_sore"', '"active_cold_s\\u006fre"')
    from_text = microneedling.screen_many([line], today=TODAY)[0]
    assert from_text._table_fields() == fields
    assert io.result_row(from_text, 3) == io.result_row(single, 3)
    frame = io.results_frame([batch, from_text, single, microneedling.screen_many(["{broken"], today=TODAY)[0]])
    assert frame["findings"].tolist()[:3] == [single.finding_ids] * 3
    assert [c if isinstance(c, str) else None for c in frame["error_code"]] == [None, None, None, "malformed_json"]


def test_many_distinct_key_objects_and_unknown_ids(pack):
    """Row keys are cached by object (up to a limit): rows whose keys are new objects every time
    (as json.loads makes them), and unknown ids among them, must still be read by their text."""
    import json

    rows = [json.loads(json.dumps({**BASE, f"extra_{i}": i, "pregnant": i % 2 == 0})) for i in range(3000)]
    results = pack.screen_many(rows, today=TODAY, threads=2, chunk_size=256)
    for i, (row, result) in enumerate(zip(rows, results)):
        assert result.to_dict() == pack.screen(row, today=TODAY).to_dict()
        assert [issue["item"] for issue in result.issues] == [f"extra_{i}"]


def test_results_outlive_their_rows(pack):
    """Entries view the row keys' text; once screened, results must not depend on the rows."""
    import gc

    def rows():
        for i in range(2000):
            yield {**{f"unknown_{i % 700}": True}, **answers(pregnant=i % 3 == 0)}

    results = pack.screen_many(rows(), today=TODAY, threads=2, chunk_size=100)
    gc.collect()
    expected = {flag: pack.screen(answers(pregnant=flag), today=TODAY).outcome for flag in (True, False)}
    assert expected[True] != expected[False]
    for i, result in enumerate(results):
        assert result.issues[0]["item"] == f"unknown_{i % 700}"
        assert result.outcome == expected[i % 3 == 0]


@pytest.mark.parametrize("call", ["screen", "form"])
def test_plain_dicts_are_read_like_the_json_path(pack, call):
    """screen() and form() read a plain dict straight into the engine; any other mapping (here an
    OrderedDict) is converted to JSON first. Both must give the same result, errors included."""
    from collections import OrderedDict

    method = getattr(pack, call)
    for row in rows_with_everything():
        try:
            expected = method(OrderedDict(row), today=TODAY).to_dict()
        except (TypeError, ValueError) as e:
            with pytest.raises(type(e), match=re.escape(str(e))):
                method(row, today=TODAY)
            continue
        assert method(row, today=TODAY).to_dict() == expected, row
