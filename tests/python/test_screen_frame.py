"""Protocol.screen_frame: results keep the input's index and types; per-row screening dates;
declared metadata; unknown columns reported with the nearest item id; results pickle."""

import datetime
import pickle
import warnings

import pandas as pd
import pytest

from conftest import BASE, TODAY, answers


def frame_of(rows, index=None):
    return pd.DataFrame(rows, index=index)


def test_index_types_and_order(prescreen, pack):
    rows = [answers(), answers(drug_past=True, drug_last_dose="2026-08-25"), answers(pregnant="maybe"),
            answers(steel_allergy=True)]
    frame = frame_of(rows, index=pd.Index(["p9", "p3", "p7", "p1"], name="patient"))
    out = pack.screen_frame(frame, today=TODAY)
    assert list(out.index) == ["p9", "p3", "p7", "p1"] and out.index.name == "patient"
    assert list(out["outcome"].astype(str)) == ["eligible", "deferred", "incomplete", "not_eligible"]
    assert out["outcome"].dtype.ordered and list(out["outcome"].cat.categories) == list(prescreen._core.outcomes)
    assert out["outcome"].max() == "eligible" and out["outcome"].min() == "not_eligible"  # strictest first
    assert str(out["today"].dtype).startswith("datetime64") and out["today"].iloc[0] == pd.Timestamp(TODAY)
    assert out.loc["p3", "defer_until"] == pd.Timestamp(pack.screen(rows[1], today=TODAY).defer_until) > pd.Timestamp(TODAY)
    assert out.loc["p3", "findings"] == ["drug_washout"] and out.loc["p9", "findings"] == []
    assert out.loc["p7", "issues"] == ["pregnant:wrong_type"]
    assert "row" not in out.columns


def test_flags_and_arrow(pack):
    import pyarrow as pa

    frame = frame_of([answers(), answers(pregnant=True)])
    out = pack.screen_frame(frame, today=TODAY, flags=True)
    assert list(out["finding:pregnancy"]) == [False, True] and not out["finding:steel"].any()
    assert [c for c in out.columns if c.startswith("finding:")] == [f"finding:{rule['id']}" for rule in pack.rules]
    table = pack.screen_frame_arrow(frame, today=TODAY)
    assert table.schema.field("defer_until").type == pa.date32()
    assert table.column("today").to_pylist() == [datetime.date(2026, 11, 25)] * 2
    assert table.column("outcome").to_pylist() == ["eligible", "deferred"]


def test_today_per_row_from_a_column(pack):
    dates = ["2026-09-01", "2026-11-25", "2026-09-01", None, "2026-02-30"]
    rows = [answers(drug_past=True, drug_last_dose="2026-08-25")] * 5
    frame = frame_of(rows, index=[10, 11, 12, 13, 14]).assign(submitted_on=dates)
    seen = []
    out = pack.screen_frame(frame, today="submitted_on", progress=lambda done, total: seen.append((done, total)))
    for i, d in zip(range(3), dates):
        one = pack.screen(rows[0], today=d)
        assert out["outcome"].iloc[i] == one.outcome and out["defer_until"].iloc[i] == pd.Timestamp(one.defer_until)
        assert out["today"].iloc[i] == pd.Timestamp(d)
    assert list(out["error_code"].iloc[3:]) == ["missing_today", "invalid_today"]
    assert "2026-02-30" in out["error_message"].iloc[4]
    assert seen[-1] == (5, 5)
    # a datetime64 column works the same
    typed = frame.assign(submitted_on=pd.to_datetime(frame["submitted_on"], errors="coerce"))
    again = pack.screen_frame(typed, today="submitted_on")
    assert list(again["outcome"].iloc[:3]) == list(out["outcome"].iloc[:3])


def test_keep_and_unknown_columns(prescreen, pack):
    frame = frame_of([answers()]).assign(pregnat=True, clinic_branch="leeds")
    with pytest.warns(prescreen.UnknownColumnWarning, match=r"'pregnat' \(did you mean 'pregnant'\?\).*'clinic_branch'"):
        pack.screen_frame(frame, today=TODAY)
    with pytest.raises(ValueError, match="did you mean 'pregnant'"):
        pack.screen_frame(frame, today=TODAY, keep=["clinic_branch"], unknown_columns="error")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = pack.screen_frame(frame, today=TODAY, keep=["clinic_branch", "pregnat"])
        assert list(out["clinic_branch"]) == ["leeds"]
        pack.screen_many(frame, today=TODAY, unknown_columns="ignore")
    with pytest.raises(ValueError, match="keep: frame has no column 'clinc'"):
        pack.screen_frame(frame, today=TODAY, keep=["clinc"])
    with pytest.raises(TypeError, match=r"keep: expected a list of column names, got str \(write keep=\['clinic_branch'\]\)"):
        pack.screen_frame(frame, today=TODAY, keep="clinic_branch")
    with pytest.raises(ValueError, match="unknown_columns: expected one of warn, error, ignore"):
        pack.screen_frame(frame, today=TODAY, unknown_columns="loud")
    # a kept column that is an item is still screened
    kept = pack.screen_frame(frame_of([answers(pregnant=True)]), today=TODAY, keep=["pregnant"])
    assert kept["outcome"].iloc[0] == "deferred" and bool(kept["pregnant"].iloc[0]) is True


def test_results_and_methods_pickle(prescreen, pack):
    results = pack.screen_many([answers(pregnant=True), answers(pregnant="maybe")], today=TODAY)
    results.append(pack.screen_many(["{"], today=TODAY)[0])
    copies = pickle.loads(pickle.dumps(results))
    assert [type(c).__name__ for c in copies] == ["ScreeningResult", "ScreeningResult", "RowError"]
    assert [c.to_dict() for c in copies] == [r.to_dict() for r in results]
    assert copies[0].defer_until == results[0].defer_until and copies[0].finding_ids == ["pregnancy"]
    method = pickle.loads(pickle.dumps(pack.screen_many))
    assert [r.outcome for r in method([BASE], today=TODAY)] == ["eligible"]
    frame_method = pickle.loads(pickle.dumps(pack.screen_frame))
    assert list(frame_method(frame_of([BASE]), today=TODAY)["outcome"]) == ["eligible"]
    assert pickle.loads(pickle.dumps(pack.screen_frame(frame_of([BASE]), today=TODAY))).equals(
        pack.screen_frame(frame_of([BASE]), today=TODAY))


def test_text_columns_are_read_once_per_distinct_value_with_the_same_answers(prescreen, pack):
    # A text column is coded (each distinct text read once by the engine's cell reader); an object
    # column mixing 1, 1.0 and True is not (they compare equal in Python but are different answers).
    import numpy as np

    texts = ["yes", "No", None, "maybe", "yes", "TRUE", None]
    mixed = [1, 1.0, True, "2", None, 3.5, 0]
    frame = pd.DataFrame({"pregnant": pd.array(texts, dtype="string"), "sessions_before": pd.Series(mixed, dtype=object)})

    def cell(item, value):  # one cell through the engine's cell reader, on its own
        out = np.empty(1, dtype=object)
        prescreen._core._read_cell_column(pack, item, np.array([value], dtype=object), out)
        return out[0]

    rows = [{k: v for k, v in (("pregnant", cell("pregnant", t)), ("sessions_before", cell("sessions_before", m)))
             if v is not None} for t, m in zip(texts, mixed)]
    by_frame = pack.screen_frame(frame, today=TODAY)
    by_dicts = pack.screen_many(rows, today=TODAY)
    assert [str(o) for o in by_frame["outcome"]] == [r.outcome for r in by_dicts]
    assert list(by_frame["issues"]) == [prescreen.io.result_row(r, i)["issues"] for i, r in enumerate(by_dicts)]
    assert "sessions_before:wrong_type" in by_frame["issues"][2]  # True is not a number of sessions


def test_list_columns_are_plain_lists_the_collector_does_not_walk(prescreen, pack):
    # One Python list per row and column, left untracked (lists of str cannot be in a cycle): after
    # a 200,000-row frame the cycle collector would otherwise walk 1.2 million of them.
    import gc

    import numpy as np

    out = pack.screen_frame(frame_of([answers(pregnant=True), answers(pregnant="maybe"), answers()]), today=TODAY)
    for column in ("findings", "finding_outcomes", "patient_messages", "clinician_notes", "missing_required", "issues"):
        cells = list(out[column])
        assert out[column].dtype == object and all(type(c) is list for c in cells), column
        assert not any(gc.is_tracked(c) for c in cells), column
        assert len({id(c) for c in cells}) == 3, column  # one list per row, never shared
    assert out["findings"].iloc[0] == ["pregnancy"] and out["finding_outcomes"].iloc[0] == ["deferred"]
    assert out["issues"].iloc[1] == ["pregnant:wrong_type"] and out["findings"].iloc[2] == []
    mine = out["findings"].iloc[2]
    mine.append("note")  # still an ordinary list, one per row
    assert out["findings"].iloc[2] == ["note"] and out["findings"].iloc[0] == ["pregnancy"]
    with pytest.raises(TypeError, match="names: expected str"):
        prescreen._core._object_lists(np.array([0, 1], dtype=np.int32), np.array([0], dtype=np.int32), [["a list"]])


def test_kept_text_columns_have_one_dtype_whatever_the_input_string_dtype(pack):
    # pd.read_csv gives str, Dask's conversion string[pyarrow] (NA), a frame may hold string[python]:
    # the kept column is the same (so Dask partitions equal the in-process result), values and NaN.
    base = frame_of([answers(), answers(), answers()]).assign(clinic=["a", None, "c"])
    outs = [pack.screen_frame(base.astype({"clinic": dtype}), today=TODAY, keep=["clinic"])["clinic"]
            for dtype in ("str", "string[pyarrow]", "string[python]", object)]
    for kept in outs[1:]:
        pd.testing.assert_series_equal(kept, outs[0])
    assert outs[0].iloc[0] == "a" and pd.isna(outs[0].iloc[1])
    empty = pack.screen_frame(base.iloc[:0].astype({"clinic": "string[pyarrow]"}), today=TODAY, keep=["clinic"])
    assert empty["clinic"].dtype == outs[0].dtype  # a Dask meta promises what partitions give


def test_arrow_table_is_screen_frame_built_from_the_engine_columns(pack):
    # Built without a pandas frame of results: the same values as screen_frame, one schema whatever
    # the rows hold (no null-typed columns when no row has an error or an issue), and to_pandas()
    # gives screen_frame's index and dtypes back.
    import pyarrow as pa

    rows = [answers(), answers(pregnant=True), answers(pregnant="maybe")]
    frame = frame_of(rows, index=pd.Index([7, 3, 5], name="patient")).assign(
        clinic=pd.array(["a", None, "c"], dtype="string[pyarrow]"), submitted_on=[TODAY, TODAY, None])
    options = dict(today="submitted_on", keep=["clinic"], flags=True)
    table = pack.screen_frame_arrow(frame, **options)
    out = pack.screen_frame(frame, **options)
    assert table.column_names == list(out.columns) + ["patient"]
    assert table.column("patient").to_pylist() == [7, 3, 5]
    for name in out.columns:
        expected = [None if not isinstance(v, list) and pd.isna(v) else v for v in out[name]]
        got = table.column(name).to_pylist()
        if name in ("defer_until", "today"):
            expected = [None if v is None else v.date() for v in expected]
        assert got == expected, name
    assert table.column("error_code").to_pylist() == [None, None, "missing_today"]
    assert table.column("finding:pregnancy").to_pylist() == [False, True, False]
    clean = pack.screen_frame_arrow(frame_of([answers()]), today=TODAY)
    assert clean.schema.field("error_code").type == pa.string() and clean.schema.field("issues").type == pa.list_(pa.string())
    assert clean.schema.field("outcome").type == pa.dictionary(pa.int8(), pa.string(), ordered=True)
    back = table.to_pandas()
    assert back.index.name == "patient" and list(back.index) == [7, 3, 5]
    for name in ("outcome", "consent_permitted", "clinic", "finding:pregnancy"):
        assert back[name].dtype == out[name].dtype, name
    assert back["findings"].map(list).tolist() == out["findings"].tolist()
