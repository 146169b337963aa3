"""pandas DataFrame -> column arrays for the compiled batch screener (one row per patient).

Cells go through the engine's cell reader (the same as ``io.read_csv``: docs/cells.md), so a
frame from ``pd.read_csv`` gives the same answers as the file read by ``prescreen.io.read_csv``.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

from . import _core
from ._columns import split_columns


def is_dataframe(obj: Any) -> bool:
    t = type(obj)
    return t.__name__ == "DataFrame" and t.__module__.split(".")[0] == "pandas"


def _is_text_column(series: Any) -> bool:
    """Text cells only (a pandas string dtype, or object cells that are all str): safe to code by
    value, since no two distinct texts compare equal (unlike 1, 1.0 and True in an object column)."""
    import pandas as pd

    if isinstance(series.dtype, pd.StringDtype):
        return True
    return getattr(series.dtype, "kind", "") == "O" and pd.api.types.infer_dtype(series, skipna=True) == "string"


def _answer_array(protocol: Any, item: str, kind_of_item: Optional[str], series: Any):
    """One column as (numpy array, codes or None) for the C++ side to read without per-cell Python
    calls. Text columns are coded (pandas.factorize): each distinct text goes through the engine's
    cell reader once and rows index the read values, so a yes/no column costs a few reads."""
    import numpy as np
    import pandas as pd

    kind = getattr(series.dtype, "kind", "O")
    numpy_dtype = type(series.dtype).__module__.startswith("numpy")
    if numpy_dtype and kind in "fiub" and not (kind in "fiu" and kind_of_item == "boolean"):
        return series.to_numpy(), None  # numbers and yes/no as they are (a 1/0 column of a yes/no item is read below)
    if kind == "M":
        text = series.dt.strftime("%Y-%m-%d")
        return text.astype(object).where(series.notna(), None).to_numpy(), None
    if _is_text_column(series):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)  # missing cells: -1, unanswered
        values = np.asarray(uniques, dtype=object)
        out = np.empty(len(values), dtype=object)
        _core._read_cell_column(protocol, item, values, out)
        return out, codes.astype(np.int64, copy=False)
    values = series.astype(object).to_numpy()
    out = np.empty(len(values), dtype=object)
    _core._read_cell_column(protocol, item, values, out)
    return out, None


def frame_columns(protocol: Any, frame: Any, columns: Optional[Sequence[str]] = None, keep: Sequence[str] = (),
                  unknown_columns: str = "warn") -> Tuple[list, list, int, list]:
    """The answer columns of a frame: ids, arrays, row count, and per column its codes (None: the
    array holds a cell per row). Item columns' cells are read by the engine's cell reader here.

    ``columns=None`` uses every column named like an item; ``keep`` columns are metadata; any other
    column is reported as ``unknown_columns`` says (columns.py). NaN, None, pandas.NA and NaT are
    unanswered.
    """
    types = {item["id"]: item.get("type") for item in protocol.items}
    names = [str(c) for c in frame.columns]
    if columns is None:
        chosen, _ = split_columns(protocol, names, keep, unknown_columns, source="frame")
    else:
        if isinstance(columns, (str, bytes)):
            raise TypeError("columns: expected a list of column names, got str")
        chosen = list(columns)
        missing = [c for c in chosen if c not in frame.columns]
        if missing:
            raise ValueError(f"columns: not in the DataFrame: {missing!r} (it has {names!r})")
    ids: List[str] = []
    arrays: List[Any] = []
    codes: List[Any] = []
    for c in chosen:
        series = frame[c]
        if getattr(series, "ndim", 1) != 1:
            raise ValueError(f"columns: {c!r} appears more than once in the DataFrame")
        kind_of_item = types.get(str(c))
        ids.append(str(c))
        array, coded = (_answer_array(protocol, str(c), kind_of_item, series) if kind_of_item
                        else (series.astype(object).to_numpy(), None))
        arrays.append(array)
        codes.append(coded)
    return ids, arrays, len(frame.index), _side_by_side(codes, len(frame.index))


def _side_by_side(codes: List[Any], rows: int) -> List[Any]:
    """The coded columns' codes as columns of one row-major array: the engine reads a row at a time,
    and a row's codes then share a cache line or two rather than one line per column."""
    import numpy as np

    coded = [i for i, c in enumerate(codes) if c is not None]
    if len(coded) < 2:
        return codes
    matrix = np.empty((rows, len(coded)), dtype=np.int64)
    out = list(codes)
    for j, i in enumerate(coded):
        matrix[:, j] = codes[i]
        out[i] = matrix[:, j]
    return out
