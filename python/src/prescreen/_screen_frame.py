"""Protocol.screen_frame: a DataFrame of answers in, a DataFrame of results out, row for row.

The result keeps the input's index, so it joins back to the input; ``outcome`` is an ordered
categorical in the engine's order (strictest first), ``defer_until``/``today`` are dates
(datetime64), ``findings`` is a list of rule ids. ``today`` is one date or, per row, a column (the
date each form was submitted): rows are screened in one batch per distinct date.
"""

from __future__ import annotations

import datetime
from typing import Any, Callable, Dict, List, Optional, Sequence

from ._columns import keep_argument
from ._frame import frame_columns, is_dataframe
from ._types import InvalidRow



def _columns() -> Any:
    """prescreen._table_columns, imported when a frame is first screened: it needs numpy, whose
    import was half of ``import prescreen``'s time (the CLI and the back office start without it)."""
    from . import _table_columns

    return _table_columns


def _today_per_row(frame: Any, today: Any) -> Optional[List[Optional[str]]]:
    """ISO date text per row when ``today`` names a column (or is a Series); None for one date."""
    import pandas as pd

    if isinstance(today, str) and today in frame.columns:
        series = frame[today]
    elif isinstance(today, pd.Series):
        if len(today) != len(frame.index):
            raise ValueError(f"today: the Series has {len(today)} rows, the frame {len(frame.index)}")
        series = today
    else:
        return None
    if getattr(series.dtype, "kind", "O") == "M":
        text = series.dt.strftime("%Y-%m-%d")
        return [None if v is None or v != v else v for v in text.astype(object).to_list()]
    out: List[Optional[str]] = []
    for v in series.astype(object).to_list():
        if v is None or v is pd.NaT or (isinstance(v, float) and v != v) or v is pd.NA:
            out.append(None)
        elif isinstance(v, datetime.date):
            out.append(v.isoformat()[:10])
        else:
            out.append(str(v).strip())
    return out


def _table(protocol: Any, columns, rows, today: str, locale, threads, chunk_size, done: Callable[[int], None]):
    """The result columns (prescreen/table_columns.hpp) of the frame's rows at positions `rows`
    (None: all), screened on `today`."""
    ids, arrays, n, codes = columns
    if rows is not None:  # the rows' cells: coded columns pick their codes, the others their cells
        picked_arrays, picked_codes = [], []
        for array, coded in zip(arrays, codes):
            picked_arrays.append(array if coded is not None else array[rows])
            picked_codes.append(coded[rows] if coded is not None else None)
        arrays, codes, n = picked_arrays, picked_codes, len(rows)
    batch = protocol._frame_batch(ids, arrays, n, today=today, locale=locale, threads=threads,
                                  chunk_size=chunk_size, codes=codes)
    finished = [0]

    def progress(rows_done: int) -> None:
        done(rows_done - finished[0])
        finished[0] = rows_done

    return batch.table(progress)


def _failed_table(protocol: Any, error: InvalidRow, count: int) -> Dict[str, Any]:
    """The result columns of `count` rows that all fail with `error` (no screening date)."""
    return protocol._batch([error] * count, today="2000-01-01").table()


def _table_by_date(protocol: Any, columns, dates: List[Optional[str]], locale, threads, chunk_size, done):
    """One batch per distinct screening date; rows without a valid date get their error in place."""
    import numpy as np

    n = columns[2]
    groups: Dict[Optional[str], List[int]] = {}
    for i, d in enumerate(dates):
        groups.setdefault(d, []).append(i)
    parts = []
    for date, rows in groups.items():
        error = None
        if date is None:
            error = InvalidRow("missing_today", "", "today: this row has no screening date", None)
        else:
            try:
                protocol._frame_batch([], [], 0, today=date)  # the engine checks the date
            except (TypeError, ValueError) as e:
                error = InvalidRow("invalid_today", "", str(e), None)
        index = np.asarray(rows, dtype=np.intp)
        if error is not None:
            part = _failed_table(protocol, error, len(rows))
            done(len(rows))
        else:
            part = _table(protocol, columns, index, date, locale, threads, chunk_size, done)
        parts.append((index, part))
    if not parts:
        return _table(protocol, columns, None, "2000-01-01", locale, threads, chunk_size, done)
    return _columns().merge(parts, n)


def screen_frame(self: Any, frame: Any, *, today: Any, keep: Sequence[str] = (), unknown_columns: str = "warn",
                 locale: Optional[str] = None, threads: Optional[int] = None, chunk_size: int = 1024,
                 progress: Optional[Callable[[int, int], None]] = None, flags: bool = False):
    """Screen every row of a pandas DataFrame; a DataFrame of results with the input's index.

    ``today``: the screening date (ISO text or ``datetime.date``) or the name of a column (or a
    Series) holding each row's date; a row without a valid date gets ``error_code``
    ``missing_today``/``invalid_today``. ``keep``: input columns copied to the result (an item
    kept is still screened). Columns that are neither items nor kept are reported
    (``unknown_columns``: ``"warn"``, ``"error"``, ``"ignore"``). ``progress(rows_done, rows)`` is
    called as chunks finish. ``flags=True`` adds one boolean column per rule (``finding:<rule id>``).
    """
    from .io import _gc_paused

    if not is_dataframe(frame):
        raise TypeError(f"frame: expected a pandas DataFrame, got {type(frame).__name__}")
    with _gc_paused():  # a million small acyclic results: collections would walk them all, again and again
        return _screen_frame(self, frame, today, keep, unknown_columns, locale, threads, chunk_size, progress, flags)


def _screened(self, frame, today, keep, unknown_columns, locale, threads, chunk_size, progress):
    """The engine's result columns (prescreen._table_columns) of every row of `frame`, and `keep`."""
    if not is_dataframe(frame):
        raise TypeError(f"frame: expected a pandas DataFrame, got {type(frame).__name__}")
    keep = keep_argument(keep)
    per_row = _today_per_row(frame, today)
    declared = keep + ([today] if per_row is not None and isinstance(today, str) and today not in keep else [])
    columns = frame_columns(self, frame, None, declared, unknown_columns)
    total = columns[2]
    finished = [0]

    def done(count: int) -> None:
        finished[0] += count
        if progress is not None:
            progress(finished[0], total)

    if per_row is None:
        return _table(self, columns, None, today, locale, threads, chunk_size, done), keep
    return _table_by_date(self, columns, per_row, locale, threads, chunk_size, done), keep


def _kept_names(keep: Sequence[str], results: Any) -> None:
    for k in keep:
        if k in results:
            raise ValueError(f"keep: {k!r} is a result column name; rename the input column")


def _screen_frame(self, frame, today, keep, unknown_columns, locale, threads, chunk_size, progress, flags):
    table, keep = _screened(self, frame, today, keep, unknown_columns, locale, threads, chunk_size, progress)
    return _pandas_result(table, frame, keep, flags)


def _pandas_result(table: Dict[str, Any], frame: Any, keep: List[str], flags: bool):
    out = _result_frame(table, frame.index)
    if flags:
        for name, column in _columns().flag_columns(table).items():
            out[name] = column
    _kept_names(keep, out.columns)
    for k in keep:
        out[k] = _kept(frame[k])
    return out


def _kept(series: Any) -> Any:
    """A kept column's values as a result column: text columns of any pandas string dtype in the dtype
    pandas gives text (so a Dask partition's kept column is the in-process one), converted without a
    Python object per cell; other columns' values as they are (copied)."""
    import pandas as pd

    if isinstance(series.dtype, pd.StringDtype):
        return series.astype(pd.Series(["text"]).dtype).array
    return series.to_numpy(copy=True)


def _result_frame(table: Dict[str, Any], index: Any):
    """The result DataFrame from the engine's result columns: one schema whatever the rows (Dask's
    meta), outcome an ordered categorical, dates datetime64, consent a nullable boolean, lists
    Python lists."""
    import pandas as pd

    return pd.DataFrame(_columns().pandas_columns(table, index), index=index, copy=False)


def screen_frame_arrow(self: Any, frame: Any, *, today: Any, keep: Sequence[str] = (), unknown_columns: str = "warn",
                       locale: Optional[str] = None, threads: Optional[int] = None, chunk_size: int = 1024,
                       progress: Optional[Callable[[int, int], None]] = None, flags: bool = False):
    """:meth:`screen_frame` as a ``pyarrow.Table`` (dates as date32, lists as list<string>, the
    input's index as a column), built from the engine's columns without a pandas frame of results
    (no Python list per row)."""
    import pandas as pd
    import pyarrow as pa

    table, keep = _screened(self, frame, today, keep, unknown_columns, locale, threads, chunk_size, progress)
    columns = _columns().arrow_columns(table, pa)
    if flags:
        columns.update((name, pa.array(column)) for name, column in _columns().flag_columns(table).items())
    _kept_names(keep, columns)
    # The kept columns and the index as pandas would convert them (their pandas metadata included).
    rest = pa.Table.from_pandas(pd.DataFrame({k: _kept(frame[k]) for k in keep}, index=frame.index), preserve_index=True)
    out = pa.table(columns)
    for name, column in zip(rest.column_names, rest.columns):
        out = out.append_column(rest.schema.field(name), column)
    # pandas metadata of screen_frame's result (to_pandas() gives its dtypes and index), from no rows
    shape = _pandas_result(_columns().no_rows(table), frame.iloc[:0], keep, flags)
    return out.replace_schema_metadata(pa.Schema.from_pandas(shape, preserve_index=True).metadata)
