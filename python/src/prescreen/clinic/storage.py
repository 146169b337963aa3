"""Opening the store: SQLite under a data directory by default, PostgreSQL (psycopg 3) for a clinic
group, one SQLAlchemy Core code path for both; the schema comes from Alembic's migrations.

SQLite runs in WAL mode with ``synchronous=FULL`` (an acknowledged submission survives a power cut)
and every write transaction starts with ``BEGIN IMMEDIATE``, so writers queue for the lock instead of
failing half-way. On PostgreSQL writers serialise on the audit chain's head row (``FOR UPDATE``).
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Any, Dict, Iterator, Mapping, Optional, Sequence, Tuple

from sqlalchemy import Table, create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from .errors import ApiError

DATABASE_FILE = "prescreen.sqlite3"
MIGRATIONS = Path(__file__).with_name("migrations")


def database_url(data_dir: Optional[os.PathLike] = None, url: Optional[str] = None) -> str:
    """The store's URL: an explicit URL, else $PRESCREEN_DATABASE_URL, else SQLite in ``data_dir``."""
    url = url or os.environ.get("PRESCREEN_DATABASE_URL")
    if url:
        # psycopg 3 is the PostgreSQL driver (a bare postgresql:// would ask for psycopg2).
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    if data_dir is None:
        raise ValueError("a data directory (--data DIR) or a database URL is needed")
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(data_dir).resolve() / DATABASE_FILE}"


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, pool_size=8, max_overflow=8, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        # SQLAlchemy issues BEGIN itself (below); the driver's own implicit transactions are off.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.info.get("write") else "BEGIN")

    return engine


class Store:
    """The database: ``with store.write() as conn`` for one atomic write, ``store.read()`` to query."""

    def __init__(self, url: str):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine = _sqlite_engine(url) if self.is_sqlite else create_engine(url, pool_size=10, max_overflow=10,
                                                                               pool_pre_ping=True)
        # One writer at a time in this process: the audit chain is a sequence, and SQLite has one writer anyway.
        self._write_lock = threading.Lock()

    @classmethod
    def open(cls, data_dir: Optional[os.PathLike] = None, url: Optional[str] = None, *, migrate: bool = True) -> "Store":
        store = cls(database_url(data_dir, url))
        if migrate:
            store.migrate()
        return store

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (idempotent)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self._write_lock, self.engine.connect() as conn:
            conn.info["write"] = True
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            conn.commit()

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back (nothing written) on error.
        A busy, locked, full or unreachable database becomes an ApiError (503/507) for the sender."""
        with self._write_lock:
            try:
                with self.engine.connect() as conn:
                    conn.info["write"] = True
                    try:
                        with conn.begin():
                            yield conn
                    finally:
                        conn.info.pop("write", None)
            except (OperationalError, DBAPIError) as e:
                raise store_error(e) from e

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except (OperationalError, DBAPIError) as e:
            raise store_error(e) from e

    def close(self) -> None:
        self.engine.dispose()


_INSERTS: Dict[Tuple[str, str, Tuple[str, ...]], Tuple[str, Optional[Tuple[str, ...]]]] = {}


def insert_many(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT rows that all have the same columns as one executemany, handed straight to the driver:
    for the group commit's batches SQLAlchemy's own per-row parameter handling cost more than the
    database's insert (bench/clinic_submissions.py). The SQL is SQLAlchemy's, compiled once per
    table, columns and dialect, so SQLite and PostgreSQL each get their own."""
    if not rows:
        return
    columns = tuple(rows[0])
    cache_key = (conn.dialect.name, table.name, columns)
    if cache_key not in _INSERTS:
        compiled = table.insert().compile(dialect=conn.dialect, column_keys=list(columns))
        _INSERTS[cache_key] = (compiled.string, tuple(compiled.positiontup or ()) if compiled.positional else None)
    sql, order = _INSERTS[cache_key]
    conn.exec_driver_sql(sql, [tuple(row[c] for c in order) for row in rows] if order else [dict(row) for row in rows])


def store_error(e: Exception) -> ApiError:
    text = str(getattr(e, "orig", e)).lower()
    if "disk is full" in text or "no space left" in text or "disk full" in text:
        return ApiError(507, "store_full", "", "the clinic's store is full; nothing was saved, please try again later")
    if "locked" in text or "busy" in text:
        return ApiError(503, "store_busy", "", "the clinic's store is busy; nothing was saved, please try again",
                        {"Retry-After": "1"})
    if "unique" in text or "duplicate key" in text:
        return ApiError(409, "conflict", "", "this was saved at the same moment by another request; please retry")
    return ApiError(503, "store_unavailable", "", "the clinic's store cannot be reached; nothing was saved, please try again",
                    {"Retry-After": "2"})
