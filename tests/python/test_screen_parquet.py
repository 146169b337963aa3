"""Protocol.screen_parquet and `python -m prescreen screen ... -o out.parquet`: a CSV or Parquet file
screened into a Parquet result table a row group at a time, with the same results, row for row,
as reading the file with prescreen.io.read_csv and screening it with screen_many."""

import subprocess
import sys

import pytest

import synthetic
from conftest import SMALL_PACK, TODAY

pd = pytest.importorskip("pandas")
pq = pytest.importorskip("pyarrow.parquet")

OUTCOMES = ["not_eligible", "deferred", "incomplete", "refer", "eligible_with_precautions", "eligible"]
HEADER = ",".join(synthetic.COLUMNS)


def _by_read_csv(pack, path):
    """What every other path gives: the csv module's rows, the engine's cell reader, screen_many."""
    from prescreen import io

    pairs = list(io.split_meta(io.read_csv(path, pack, keep=synthetic.META), synthetic.META, pack))
    results = pack.screen_many([answers for answers, _ in pairs], today=TODAY)
    return io.results_frame(results, [meta for _, meta in pairs])


def _same(got, want):
    """Row for row: outcome, date, findings, issues, error code and the kept metadata."""
    assert list(got["row"]) == list(range(len(want)))
    assert list(got["outcome"].astype(object).fillna("-")) == list(want["outcome"].fillna("-"))
    def days(column):
        return [str(d.date()) if d == d else "-" for d in pd.to_datetime(column)]

    assert days(got["defer_until"]) == days(want["defer_until"])
    assert [list(f) for f in got["findings"]] == [list(f) for f in want["findings"]]
    assert [list(i) for i in got["issues"]] == [list(i) for i in want["issues"]]
    assert list(got["error_code"].fillna("-")) == list(want["error_code"].fillna("-"))
    for k in synthetic.META:
        assert list(got[k].astype(object).fillna("-")) == list(want[k].astype(object).fillna("-")), k


@pytest.fixture(scope="module")
def awkward_csv(tmp_path_factory):
    """A real export with what files hold: a BOM, CRLF line ends, a quoted newline, blank lines and
    rows with too few or too many fields (first data row, middle, a row-group boundary, last)."""
    folder = tmp_path_factory.mktemp("stream")
    clean = folder / "clean.csv"
    synthetic.write(clean, 300)
    lines = clean.read_text(encoding="utf-8").splitlines()
    data = lines[1:]
    data[0] = "1990-01-01,female"  # too few fields, first data row
    data[10] = data[10] + ",extra"  # too many
    data[49] = "x,y,z"  # the last row of the first group of 50
    data[50] = data[50].replace("Dr Patel", '"Dr\nPatel"').replace("Dr Jones", '"Dr\nJones"')
    data.insert(120, "")  # blank lines are not rows
    data[-1] = "only,three,fields"
    path = folder / "awkward.csv"
    path.write_bytes(("\ufeff" + "\r\n".join([HEADER] + data) + "\r\n").encode("utf-8"))
    return path


def test_csv_streamed_gives_what_read_csv_gives(pack, awkward_csv, tmp_path):
    want = _by_read_csv(pack, awkward_csv)
    assert list(want["error_code"].dropna().unique()) == ["malformed_csv"]
    assert sorted(want.index[want["error_code"].notna()]) == [0, 10, 49, 299]
    out = tmp_path / "r.parquet"
    summary = pack.screen_parquet(awkward_csv, out, today=TODAY, keep=synthetic.META, rows_per_group=50)
    assert (summary.rows, summary.bad_rows) == (300, 4)
    assert pq.ParquetFile(out).metadata.num_row_groups >= 6  # bounded: one group of ~50 rows at a time
    got = pd.read_parquet(out)
    _same(got, want)
    assert got["error_message"][10] == "row 12 (the header is row 1): 18 fields, the header has 17"


def test_result_types(pack, awkward_csv, tmp_path):
    out = tmp_path / "r.parquet"
    pack.screen_parquet(awkward_csv, out, today=TODAY, keep=synthetic.META)
    schema = pq.read_schema(out)
    assert str(schema.field("outcome").type) == "dictionary<values=string, indices=int8, ordered=1>"
    assert str(schema.field("defer_until").type) == "date32[day]" and str(schema.field("today").type) == "date32[day]"
    assert str(schema.field("findings").type) in ("list<item: string>", "list<element: string>")
    assert str(schema.field("gp_name").type) == "string"
    got = pd.read_parquet(out)
    assert got["outcome"].cat.ordered and list(got["outcome"].cat.categories) == OUTCOMES


def test_parquet_in_parquet_out_equals_screen_frame(pack, tmp_path):
    csv = tmp_path / "export.csv"
    synthetic.write(csv, 500)
    frame = pd.read_csv(csv, dtype=str)
    source = tmp_path / "export.parquet"
    frame.to_parquet(source, row_group_size=128)
    out = tmp_path / "r.parquet"
    summary = pack.screen_parquet(source, out, today="submitted_on", keep=synthetic.META, rows_per_group=128)
    assert (summary.rows, summary.bad_rows) == (500, 0)
    from prescreen import io

    got = io.read_results(out)
    want = pack.screen_frame(frame, today="submitted_on", keep=synthetic.META)
    assert list(got["outcome"]) == list(want["outcome"])
    assert list(got["today"]) == list(want["today"])  # each row screened on its own submission date
    assert [list(f) for f in got["findings"]] == [list(f) for f in want["findings"]]


def test_misuse_is_loud(pack, tmp_path):
    csv = tmp_path / "export.csv"
    synthetic.write(csv, 5)
    with pytest.raises(ValueError, match="keep: .* has no column 'branch'"):
        pack.screen_parquet(csv, tmp_path / "r.parquet", today=TODAY, keep=["branch"])
    with pytest.raises(ValueError, match="unknown input format"):
        pack.screen_parquet(tmp_path / "x.xlsx", tmp_path / "r.parquet", today=TODAY)
    twice = tmp_path / "twice.csv"
    twice.write_text("sex,sex\nfemale,male\n", encoding="utf-8")
    with pytest.raises(ValueError, match="the header names 'sex' more than once"):
        pack.screen_parquet(twice, tmp_path / "r.parquet", today=TODAY)
    with pytest.warns(UserWarning, match="'clinic_branch'"):
        pack.screen_parquet(csv, tmp_path / "r.parquet", today=TODAY, keep=["gp_name", "submitted_on"])


def test_cli_csv_to_parquet(pack, awkward_csv, tmp_path):
    out = tmp_path / "cli.parquet"
    run = subprocess.run([sys.executable, "-m", "prescreen", "screen", str(awkward_csv), "-p", str(SMALL_PACK),
                          "--today", TODAY, "--keep", ",".join(synthetic.META), "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 4, run.stderr  # some rows could not be screened: each has its error row
    assert "4 of 300 rows could not be screened" in run.stderr
    from prescreen import io

    _same(io.read_results(out), _by_read_csv(pack, awkward_csv))
    bad = subprocess.run([sys.executable, "-m", "prescreen", "screen", str(awkward_csv), "-p", str(SMALL_PACK),
                          "--today", TODAY, "--keep", "branch", "-o", str(out)], capture_output=True, text=True)
    assert bad.returncode == 2 and "keep: " in bad.stderr and "'branch'" in bad.stderr
