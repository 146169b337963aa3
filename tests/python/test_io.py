"""Readers (JSONL, CSV, JSON array) and writers (CSV, JSONL, Parquet): one output row per input row."""

import csv
import json

import pytest

from conftest import BASE, TODAY, answers

# The engine's outcomes, strictest first: the categories of every result table's outcome column.
OUTCOMES = ["not_eligible", "deferred", "incomplete", "refer", "eligible_with_precautions", "eligible"]


def _write_jsonl(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_read_jsonl_parsed_and_raw(prescreen, tmp_path):
    from prescreen import io

    path = _write_jsonl(tmp_path / "a.jsonl", [json.dumps(BASE), "{bad", "", "[1]", json.dumps(answers(pregnant=True))])
    rows = list(io.read_jsonl(path))
    assert rows[0] == BASE
    assert isinstance(rows[1], prescreen.InvalidRow) and rows[1].code == "malformed_json" and rows[1].line == 2
    assert rows[2].code == "malformed_json"  # a blank line is a row (as in the native CLI)
    assert rows[3].code == "not_an_object"
    assert len(rows) == 5
    raw = list(io.read_jsonl(path, raw=True))
    assert raw[1] == "{bad" and len(raw) == 5


def test_read_csv_typed(pack, tmp_path):
    from prescreen import io

    path = tmp_path / "a.csv"
    path.write_text(
        "patient_reference,date_of_birth,sex,areas,pregnant,drug_current,drug_past,cream,steel_allergy,"
        "blood_thinner,cold_sores,sessions_before,weight_kg\n"
        "P1,1990-05-15,female,face;neck,no,false,FALSE,0,n,No,never,2,61.5\n"
        "P2,1990-05-15,female,face,yes,false,false,false,false,false,never,,\n"
        "P3,1990-05-15,female,face,maybe,false,false,false,false,false,never,two,heavy\n"
        "P4,too,few\n",
        encoding="utf-8")
    with pytest.warns(UserWarning, match="'patient_reference' is not a question of small-clinic"):
        assert "patient_reference" not in next(io.read_csv(path, pack))  # undeclared: reported, left out
    rows = list(io.read_csv(path, pack, keep=["patient_reference"]))
    assert rows[0]["patient_reference"] == "P1"
    assert rows[0]["areas"] == ["face", "neck"]
    assert rows[0]["pregnant"] is False and rows[0]["steel_allergy"] is False
    assert rows[0]["sessions_before"] == 2 and rows[0]["weight_kg"] == 61.5
    assert "sessions_before" not in rows[1]  # empty cell = unanswered
    assert rows[2]["pregnant"] == "maybe" and rows[2]["sessions_before"] == "two"  # left for the engine
    assert rows[3].code == "malformed_csv"
    # screening them: metadata split off, the bad row kept in place
    pairs = list(io.split_meta(rows, ["patient_reference"], pack))
    results = pack.screen_many([a for a, _ in pairs], today=TODAY)
    assert [r.outcome for r in results] == ["eligible", "deferred", "incomplete", None]
    assert results[2].issues[0]["code"] == "wrong_type"


def test_read_json_array(prescreen, tmp_path):
    from prescreen import io

    path = tmp_path / "a.json"
    path.write_text(json.dumps([BASE, 3]), encoding="utf-8")
    rows = io.read_json(path)
    assert rows[0] == BASE and rows[1].code == "not_an_object" and rows[1].path == "/1"
    (tmp_path / "b.json").write_text('{"not": "a list"}')
    with pytest.raises(ValueError, match="expected a JSON array"):
        io.read_json(tmp_path / "b.json")
    (tmp_path / "c.json").write_text('[{')
    with pytest.raises(ValueError, match="not valid JSON"):
        io.read_json(tmp_path / "c.json")
    with pytest.raises(ValueError, match="unknown input format"):
        io.read_rows(tmp_path / "a.xlsx")


def _results(pack):
    rows = [BASE, answers(drug_past=True, drug_last_dose="2026-08-31"), "{bad", answers(cold_sores="history")]
    return pack.screen_many(rows, today=TODAY)


def test_result_row(pack):
    from prescreen import io

    results = _results(pack)
    row = io.result_row(results[1], 1, {"clinic": "north"})
    assert row["outcome"] == "deferred" and row["defer_until"] == "2027-02-28"
    assert row["findings"] == ["drug_washout"] and row["finding_outcomes"] == ["deferred"]
    assert row["patient_messages"] and row["clinician_notes"]
    assert row["protocol_version"] == "1.2.0" and row["protocol_digest"] == pack.digest
    assert row["clinic"] == "north"
    err = io.result_row(results[2], 2)
    assert err["outcome"] is None and err["error_code"] == "malformed_json"
    assert list(err)[: len(io.RESULT_COLUMNS)] == io.RESULT_COLUMNS


def test_write_csv_jsonl_parquet(pack, tmp_path):
    from prescreen import io

    results = _results(pack)
    meta = [{"clinic": c} for c in ["north", "south", "north", "east"]]
    assert io.write_results(results, tmp_path / "r.csv", meta) == 4
    with open(tmp_path / "r.csv", newline="", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert [r["outcome"] for r in table] == ["eligible", "deferred", "", "eligible_with_precautions"]
    assert table[1]["defer_until"] == "2027-02-28" and table[1]["findings"] == "drug_washout"
    assert table[2]["error_code"] == "malformed_json" and table[3]["clinic"] == "east"

    assert io.write_results(results, tmp_path / "r.jsonl", meta) == 4
    lines = [json.loads(l) for l in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert lines[1]["findings"] == ["drug_washout"] and lines[0]["clinic"] == "north"

    assert io.write_jsonl(results, tmp_path / "full.jsonl", full=True) == 4
    full = [json.loads(l) for l in (tmp_path / "full.jsonl").read_text().splitlines()]
    assert full == [r.to_dict() for r in results]

    pytest.importorskip("pyarrow")
    assert io.write_results(results, tmp_path / "r.parquet", meta) == 4
    for name in ("r.csv", "r.jsonl", "r.parquet"):
        frame = io.read_results(tmp_path / name)
        assert list(frame["outcome"].astype(object).fillna("error")) == ["eligible", "deferred", "error", "eligible_with_precautions"], name
        assert frame["outcome"].cat.ordered and list(frame["outcome"].cat.categories) == OUTCOMES, name
        assert list(frame["findings"][1]) == ["drug_washout"], name
        assert str(frame["defer_until"][1].date()) == "2027-02-28", name
    with pytest.raises(ValueError, match="^format"):
        io.write_results(results, tmp_path / "r.xlsx")


def test_results_frame(pack):
    pd = pytest.importorskip("pandas")
    from prescreen import io

    frame = io.results_frame(_results(pack), [{"clinic": "a"}] * 4)
    assert len(frame) == 4 and frame["clinic"].tolist() == ["a"] * 4
    assert pd.api.types.is_datetime64_any_dtype(frame["defer_until"])


def test_table_pairs_results_and_meta_like_zip(pack, tmp_path):
    """The result table is built column by column; metadata still pairs with results as zip() does,
    so an endless metadata iterator (the CLI fills its metadata while rows are read) is fine."""
    import itertools

    pytest.importorskip("pandas")
    from prescreen import io

    results = _results(pack)
    frame = io.results_frame(results, itertools.repeat({"clinic": "x", "outcome": "not a result field"}))
    assert frame["clinic"].tolist() == ["x"] * len(results)
    assert frame["outcome"].tolist()[0] == results[0].outcome  # metadata never replaces a result column
    assert len(io.results_frame(results, [{"clinic": "a"}])) == 1
    pytest.importorskip("pyarrow")
    assert io.write_parquet(results, tmp_path / "r.parquet", itertools.repeat({"clinic": 7})) == len(results)
    assert io.read_results(tmp_path / "r.parquet")["clinic"].tolist() == ["7"] * len(results)


def test_write_parquet_streams_row_groups(pack, tmp_path):
    import pyarrow.parquet as pq

    from prescreen import io

    rows = [answers(), answers(pregnant=True), "{", answers(pregnant="maybe"), answers()]
    metas = iter([{"clinic": c} for c in "abcde"])
    path = tmp_path / "r.parquet"
    assert io.write_parquet(pack.iter_screen(rows, today=TODAY), path, metas, rows_per_group=2) == 5
    assert pq.ParquetFile(path).metadata.num_row_groups == 3
    back = io.read_results(path)
    assert list(back["row"]) == [0, 1, 2, 3, 4] and list(back["clinic"]) == list("abcde")
    assert list(back["outcome"].astype(object).fillna("-")) == ["eligible", "deferred", "-", "incomplete", "eligible"]
    assert back["error_code"][2] == "malformed_json" and str(back["today"].dtype).startswith("datetime64")
