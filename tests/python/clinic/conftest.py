"""Fixtures for the back office's tests: a real uvicorn on 127.0.0.1 (in a thread, or as a separate
process for the crash tests), and the store on SQLite or on a real PostgreSQL server started for the
test session (a throwaway cluster made with initdb/pg_ctl in a temporary folder)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from clinic_support import PostgresCluster, start_server  # noqa: E402


@pytest.fixture(scope="session")
def protocol():
    import prescreen
    from clinic_support import PACK

    return prescreen.Protocol.from_file(PACK)


@pytest.fixture(scope="session")
def postgres():
    cluster = PostgresCluster()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """(data directory, database URL or None): every storage test runs on both databases."""
    if request.param == "sqlite":
        return tmp_path / "data", None
    return tmp_path / "data", request.getfixturevalue("postgres").new_database()


@pytest.fixture
def server(database):
    data_dir, url = database
    s = start_server(data_dir, url)
    yield s
    s.stop()


@pytest.fixture
def sqlite_server(tmp_path):
    s = start_server(tmp_path / "data")
    yield s
    s.stop()
