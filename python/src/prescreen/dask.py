"""Screening Dask DataFrames: each partition is screened by Protocol.screen_frame, on whichever
worker holds it, so a cluster gives exactly the results of one process.

    import dask.dataframe as dd
    import prescreen.dask
    results = prescreen.dask.screen(dd.read_parquet("forms/"), protocol, today="submitted_on",
                                    keep=["clinic_branch"])
    results.outcome.value_counts().compute()

The protocol travels to the workers pickled (its JSON text; compiled once per worker process).
Columns are checked here, in the client, before anything is computed (unknown columns warned
with the nearest item id, or an error with ``unknown_columns="error"``; a missing ``keep`` column
is an error).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from ._columns import keep_argument, split_columns

__all__ = ["screen"]


def _screen_partition(partition: Any, protocol: Any, options: dict) -> Any:
    return protocol.screen_frame(partition, unknown_columns="ignore", **options)


def screen(ddf: Any, protocol: Any, *, today: Any, keep: Sequence[str] = (), unknown_columns: str = "warn",
           locale: Optional[str] = None, threads: int = 1, flags: bool = False) -> Any:
    """A Dask DataFrame of results, partition for partition and row for row (the input's index).

    ``today`` is an ISO date, a ``datetime.date`` or the name of a column holding each row's date.
    ``threads`` screening threads per partition (default 1: Dask runs partitions in parallel).
    The other arguments are those of :meth:`prescreen.Protocol.screen_frame`.
    """
    try:
        import dask.dataframe  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("prescreen.dask needs dask: pip install 'prescreen[dask]'") from e
    if not (hasattr(ddf, "map_partitions") and hasattr(ddf, "_meta")):
        raise TypeError(f"ddf: expected a dask DataFrame, got {type(ddf).__name__}")
    keep = keep_argument(keep)
    declared = keep + ([today] if isinstance(today, str) and today in ddf.columns and today not in keep else [])
    split_columns(protocol, list(ddf.columns), declared, unknown_columns, source="ddf")
    options = dict(today=today, keep=keep, locale=locale, threads=threads, flags=flags)
    meta = protocol.screen_frame(ddf._meta, unknown_columns="ignore", **options)
    return ddf.map_partitions(_screen_partition, protocol, options, meta=meta)
