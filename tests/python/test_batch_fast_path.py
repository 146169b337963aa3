"""screen_many reads plain dict rows (and DataFrame cells) straight into the engine, and its results
keep outcome, deferral and finding ids natively. Both must be invisible: every row gives exactly
what Protocol.screen gives, and the native fields equal the ones in the result's JSON."""

import datetime
import random

import pytest

from conftest import BASE, TODAY, answers


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
