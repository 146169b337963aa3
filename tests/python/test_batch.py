"""screen_many / iter_screen: lists, generators, JSON lines, DataFrames, mixed good and bad rows."""

import datetime
import math

import pytest

from conftest import BASE, TODAY, answers

VARIANTS = [
    answers(),
    answers(pregnant=True),
    answers(steel_allergy=True),
    answers(drug_past=True, drug_last_dose="2026-08-31"),
    answers(blood_thinner=True),
    answers(cold_sores="history"),
    answers(sex=...),
    answers(areas=["hands"]),
]


def test_order_and_equality_with_screen(pack):
    rows = [VARIANTS[i % len(VARIANTS)] for i in range(10_000)]
    expected = [pack.screen(v, today=TODAY).to_dict() for v in VARIANTS]
    for threads in (1, 2, 4):
        results = pack.screen_many(rows, today=TODAY, threads=threads, chunk_size=777)
        assert len(results) == len(rows)
        for i, r in enumerate(results):
            assert r.to_dict() == expected[i % len(VARIANTS)], i


def test_generators_stream(pack):
    def gen():
        for i in range(5000):
            yield VARIANTS[i % len(VARIANTS)]

    results = pack.screen_many(gen(), today=TODAY, chunk_size=1000)
    assert len(results) == 5000
    assert results[1].outcome == "deferred" and results[2].outcome == "not_eligible"


def test_iter_screen_yields_in_order(pack):
    it = pack.iter_screen((VARIANTS[i % 8] for i in range(100)), today=TODAY, chunk_size=7)
    outcomes = [r.outcome for r in it]
    assert outcomes[:8] == [pack.screen(v, today=TODAY).outcome for v in VARIANTS]
    assert len(outcomes) == 100


def test_empty_input(pack):
    assert pack.screen_many([], today=TODAY) == []
    assert list(pack.iter_screen(iter(()), today=TODAY)) == []


def test_mixed_good_and_bad_rows(prescreen, pack):
    rows = [
        BASE,                                     # 0 good
        '{"sex": ',                               # 1 malformed JSON text -> engine's malformed_json
        answers(weight_kg=float("nan")),          # 2 NaN in a dict -> not_finite
        ["not", "an", "object"],                  # 3 not an object: error row (as screen_batch)
        prescreen.InvalidRow("malformed_csv", "", "line 9: 3 fields, the header has 4", 9),  # 4
        answers(pregnant=True),                   # 5 good
        answers(areas=["face", object()]),        # 6 unconvertible value
        '{"sex": "male"}',                        # 7 JSON text, good
        b'{"sex": "male"}',                       # 8 bytes text
        "",                                       # 9 blank line
        answers(pregnant="yes"),                  # 10 bad answer: issue, not an error
    ]
    results = pack.screen_many(rows, today=TODAY, threads=2, chunk_size=3)
    assert len(results) == len(rows)
    assert [r.ok for r in results] == [True, False, False, False, False, True, False, True, True, False, True]
    assert results[0].outcome == "eligible"
    assert results[1].code == "malformed_json" and results[1].path == ""
    assert results[1].to_dict() == {"error": results[1].error}
    assert results[2].code == "not_finite" and results[2].path == "/weight_kg"
    assert results[2].message.startswith("answers['weight_kg']: NaN")
    assert results[3].code == "not_an_object" and results[3].path == ""
    assert results[4].to_dict() == {"error": {"code": "malformed_csv", "path": "",
                                              "message": "line 9: 3 fields, the header has 4"}}
    assert results[5].outcome == "deferred"
    assert results[6].code == "wrong_type" and results[6].path == "/areas/1"
    assert results[7].to_dict() == pack.screen({"sex": "male"}, today=TODAY).to_dict()
    assert results[8].to_dict() == results[7].to_dict()
    assert results[9].code == "malformed_json"
    assert results[10].outcome == "incomplete" and results[10].issues[0]["code"] == "wrong_type"
    for r in results:
        if not r.ok:
            assert r.outcome is None and isinstance(r, prescreen.RowError)


def test_json_text_rows_equal_dict_rows(pack):
    import json

    texts = [json.dumps(v) for v in VARIANTS]
    assert [r.to_dict() for r in pack.screen_many(texts, today=TODAY)] == \
           [r.to_dict() for r in pack.screen_many(VARIANTS, today=TODAY)]


def test_dataframe_rows(pack):
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    frame = pd.DataFrame({
        "clinic": ["north", "south", "north", "east"],             # metadata: not an item, ignored
        "date_of_birth": ["1990-05-15", "1990-05-15", None, "1990-05-15"],
        "sex": ["female", "female", "female", "male"],
        "areas": ["face", "face;neck", ["hands"], " face ; hands "],
        "pregnant": [False, True, False, False],
        "drug_current": [False, False, False, False],
        "drug_past": [False, False, False, True],
        "drug_last_dose": [None, None, None, pd.Timestamp("2026-08-31")],
        "cream": [False, False, False, False],
        "steel_allergy": [False, False, False, False],
        "blood_thinner": [False, False, False, False],
        "cold_sores": ["never", "never", "never", "history"],
        "sessions_before": [1.0, np.nan, 3.0, np.nan],             # float column (NaN) for an integer item
        "weight_kg": [61.5, np.nan, 70, np.nan],
    })
    results = pack.screen_many(frame, today=TODAY, chunk_size=3)
    expected_rows = [
        answers(sessions_before=1, weight_kg=61.5),
        answers(pregnant=True, areas=["face", "neck"]),
        answers(date_of_birth=..., areas=["hands"], sessions_before=3, weight_kg=70.0),
        answers(sex="male", areas=["face", "hands"], drug_past=True, drug_last_dose="2026-08-31", cold_sores="history"),
    ]
    assert [r.to_dict() for r in results] == [pack.screen(a, today=TODAY).to_dict() for a in expected_rows]
    # integers stay integers (no 1.0 for an integer item)
    assert results[0].to_dict()["issues"] == []


def test_dataframe_nullable_dtypes_and_columns(pack):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([BASE, answers(pregnant=True)]).assign(extra=["x", "y"])
    frame["pregnant"] = frame["pregnant"].astype("boolean")
    frame.loc[1, "sex"] = pd.NA
    frame["sessions_before"] = pd.array([2, None], dtype="Int64")
    results = pack.screen_many(frame, today=TODAY)
    assert results[0].to_dict() == pack.screen(answers(sessions_before=2), today=TODAY).to_dict()
    assert results[1].to_dict() == pack.screen(answers(pregnant=True, sex=...), today=TODAY).to_dict()
    # explicit columns: 'extra' is then an answer the engine reports as unknown
    with_extra = pack.screen_many(frame, today=TODAY, columns=list(frame.columns))
    assert {"code": "unknown_item"}.items() <= with_extra[0].issues[0].items()
    with pytest.raises(ValueError, match="^columns"):
        pack.screen_many(frame, today=TODAY, columns=["nope"])


def test_dataframe_infinite_value_is_an_error_row(pack):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([answers(weight_kg=math.inf), answers(weight_kg=60.0)])
    results = pack.screen_many(frame, today=TODAY)
    assert results[0].ok is False and results[0].code == "not_finite" and results[0].path == "/weight_kg"
    assert results[1].ok


def test_large_batch_counts(pack):
    n = 200_000
    results = pack.screen_many((VARIANTS[i % 8] for i in range(n)), today=TODAY)
    assert len(results) == n
    assert sum(r.outcome == "not_eligible" for r in results) == n // 8
