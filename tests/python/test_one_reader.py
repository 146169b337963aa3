"""One reader: the same export gives the same answers on every path (typed dicts, a DataFrame of
them, pd.read_csv, prescreen.io.read_csv, Parquet, Arrow-backed frames, the command line), because
every tabular path reads cells through the engine's one cell reader (docs/cells.md)."""

import json
import subprocess
import sys
import warnings

import pandas as pd
import pytest

import synthetic
from conftest import SMALL_PACK, TODAY

N = 20_000


def labels(results):
    return [(r.outcome, tuple(f"{i['item']}:{i['code']}" for i in (r.issues if r.ok else []))) for r in results]


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    path = tmp_path_factory.mktemp("one_reader") / "export.csv"
    answers, metas = synthetic.write(path, N)
    return path, answers, metas


@pytest.fixture(scope="module")
def truth(export, pack_module):
    _, answers, _ = export
    return labels(pack_module.screen_many(answers, today=TODAY))


@pytest.fixture(scope="module")
def pack_module():
    import prescreen

    return prescreen.Protocol.from_file(SMALL_PACK)


def test_the_export_has_bad_values_and_they_are_refused(truth):
    bad = sum(1 for _, issues in truth if issues)
    assert 0.02 * N < bad < 0.05 * N
    codes = {i.split(":")[1] for _, issues in truth for i in issues}
    assert {"wrong_type", "not_an_option", "impossible_date"} <= codes
    assert sum(1 for o, _ in truth if o == "incomplete") >= bad


def test_dataframe_of_the_dicts(export, truth, pack_module):
    _, answers, _ = export
    assert labels(pack_module.screen_many(pd.DataFrame(answers), today=TODAY)) == truth


def test_pd_read_csv(export, truth, pack_module):
    path, _, _ = export
    frame = pd.read_csv(path)
    out = pack_module.screen_frame(frame, today=TODAY, keep=synthetic.META)
    assert list(out.index) == list(frame.index)
    assert list(zip(out["outcome"].astype(str), out["issues"].map(tuple))) == truth
    assert labels(pack_module.screen_many(frame, today=TODAY, keep=synthetic.META)) == truth


def test_pd_read_csv_as_text_and_arrow_backed(export, truth, pack_module):
    path, _, _ = export
    for frame in (pd.read_csv(path, dtype=str), pd.read_csv(path, dtype_backend="pyarrow")):
        assert labels(pack_module.screen_many(frame, today=TODAY, keep=synthetic.META)) == truth


def test_prescreen_io_read_csv(export, truth, pack_module):
    from prescreen import io

    path, _, _ = export
    rows = list(io.read_csv(path, pack_module, keep=synthetic.META))
    answers = [a for a, _ in io.split_meta(rows, synthetic.META, pack_module)]
    assert labels(pack_module.screen_many(answers, today=TODAY)) == truth


def test_parquet(export, truth, pack_module, tmp_path):
    path, _, _ = export
    pd.read_csv(path, dtype=str).to_parquet(tmp_path / "export.parquet")
    frame = pd.read_parquet(tmp_path / "export.parquet")
    assert labels(pack_module.screen_many(frame, today=TODAY, keep=synthetic.META)) == truth


def test_command_line(export, truth, tmp_path):
    path, _, _ = export
    out = tmp_path / "results.jsonl"
    run = subprocess.run([sys.executable, "-m", "prescreen", "screen", str(path), "-p", str(SMALL_PACK), "--today", TODAY,
                          "--keep", ",".join(synthetic.META), "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "not a question" not in run.stderr
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["outcome"], tuple(r["issues"])) for r in got] == truth
    assert [r["clinic_branch"] for r in got[:3]] == synthetic.BRANCHES


def test_dask_partitions(export, truth, pack_module):
    dd = pytest.importorskip("dask.dataframe")  # in requirements-dev.txt: never skipped in make test
    import prescreen.dask

    path, _, _ = export
    ddf = dd.read_csv(path, dtype=str, blocksize=300_000)
    assert ddf.npartitions > 1
    out = prescreen.dask.screen(ddf, pack_module, today=TODAY, keep=synthetic.META).compute(scheduler="threads")
    assert list(zip(out["outcome"].astype(str), out["issues"].map(tuple))) == truth


def test_command_line_parquet_in_and_out(export, truth, tmp_path):
    from prescreen import io

    path, _, _ = export
    source = tmp_path / "export.parquet"
    pd.read_csv(path, dtype=str).to_parquet(source, row_group_size=3000)
    out = tmp_path / "results.parquet"
    run = subprocess.run([sys.executable, "-m", "prescreen", "screen", str(source), "-p", str(SMALL_PACK), "--today", TODAY,
                          "--keep", ",".join(synthetic.META), "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    got = io.read_results(out)
    assert list(zip(got["outcome"], got["issues"].map(tuple))) == truth
    assert list(got["clinic_branch"][:3]) == synthetic.BRANCHES
    assert len(list(io.read_parquet_frames(source, batch_rows=5000))) == 4
    import pyarrow.parquet as pq

    schema = pq.read_schema(out)
    assert str(schema.field("defer_until").type) == "date32[day]" and str(schema.field("today").type) == "date32[day]"
