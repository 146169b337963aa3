"""prescreen.dask on a real distributed LocalCluster with two worker processes: exactly the
in-process results, the input's index, the meta Dask was promised; Protocol methods travel with
client.submit."""

import warnings

import pandas as pd
import pytest

import synthetic
from conftest import BASE, SMALL_PACK, TODAY

dd = pytest.importorskip("dask.dataframe")  # dask is in requirements-dev.txt: never skipped in make test
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    path = tmp_path_factory.mktemp("dask") / "export.csv"
    synthetic.write(path, 1500, seed=11)
    return path


def test_dask_gives_the_in_process_results(client, pack, export):
    import prescreen.dask

    frame = pd.read_csv(export, dtype=str)
    frame.index = pd.RangeIndex(1000, 1000 + len(frame))
    expected = pack.screen_frame(frame, today="submitted_on", keep=["clinic_branch"], unknown_columns="ignore")
    ddf = dd.from_pandas(frame, npartitions=4)
    with pytest.warns(UserWarning, match=r"'gp_name'"):
        lazy = prescreen.dask.screen(ddf, pack, today="submitted_on", keep=["clinic_branch"])
    assert list(lazy.columns) == list(expected.columns)
    got = lazy.compute()
    pd.testing.assert_frame_equal(got, expected)
    assert dict(lazy.dtypes) == dict(got.dtypes)  # the meta promised what the partitions give
    assert set(client.has_what()) and len(client.scheduler_info()["workers"]) == 2


def test_dask_read_csv_default_strings(client, pack, export):
    """dask.dataframe.read_csv gives pyarrow strings: the cell reader reads them as pandas' do."""
    import prescreen.dask

    expected = pack.screen_frame(pd.read_csv(export, dtype=str), today=TODAY, unknown_columns="ignore")
    got = prescreen.dask.screen(dd.read_csv(export, dtype=str, blocksize=100_000), pack, today=TODAY,
                                unknown_columns="ignore").compute()
    assert list(got["outcome"].astype(str)) == list(expected["outcome"].astype(str))
    assert list(got["issues"].map(tuple)) == list(expected["issues"].map(tuple))


def test_misuse_is_reported_before_computing(pack, export):
    import prescreen.dask

    ddf = dd.from_pandas(pd.DataFrame([BASE]).assign(pregnat=True), npartitions=1)
    with pytest.raises(ValueError, match="did you mean 'pregnant'"):
        prescreen.dask.screen(ddf, pack, today=TODAY, unknown_columns="error")
    with pytest.raises(ValueError, match="keep: ddf has no column 'clinic'"):
        prescreen.dask.screen(ddf, pack, today=TODAY, keep=["clinic"])
    with pytest.raises(TypeError, match="ddf: expected a dask DataFrame, got DataFrame"):
        prescreen.dask.screen(pd.DataFrame([BASE]), pack, today=TODAY)


def test_protocol_methods_submit(client, pack):
    future = client.submit(pack.screen_many, [BASE, dict(BASE, pregnant=True)], today=TODAY)
    assert [r.outcome for r in future.result(timeout=60)] == ["eligible", "deferred"]
