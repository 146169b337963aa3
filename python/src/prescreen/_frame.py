"""pandas DataFrame -> column arrays for the compiled batch screener (one row per patient)."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple


def is_dataframe(obj: Any) -> bool:
    t = type(obj)
    return t.__name__ == "DataFrame" and t.__module__.split(".")[0] == "pandas"


def frame_columns(protocol: Any, frame: Any, columns: Optional[Sequence[str]] = None) -> Tuple[list, list, list, list, int]:
    """Columns that hold answers, as numpy arrays the C++ side reads without per-cell Python calls.

    ``columns=None`` uses every column named like a protocol item (others, e.g. ``clinic``, are
    metadata and ignored). NaN, None, pandas.NA and NaT are unanswered. A ``str`` cell of a
    multi-choice item is ``;``-separated. Whole floats in integer items become integers.
    """
    types = {item["id"]: item.get("type") for item in protocol.items}
    names = [str(c) for c in frame.columns]
    if columns is None:
        chosen = [c for c in frame.columns if str(c) in types]
    else:
        if isinstance(columns, (str, bytes)):
            raise TypeError("columns: expected a list of column names, got str")
        chosen = list(columns)
        missing = [c for c in chosen if c not in frame.columns]
        if missing:
            raise ValueError(f"columns: not in the DataFrame: {missing!r} (it has {names!r})")
    ids: List[str] = []
    arrays: List[Any] = []
    multi: List[bool] = []
    integer: List[bool] = []
    for c in chosen:
        series = frame[c]
        if getattr(series, "ndim", 1) != 1:
            raise ValueError(f"columns: {c!r} appears more than once in the DataFrame")
        kind = getattr(series.dtype, "kind", "O")
        numpy_dtype = type(series.dtype).__module__.startswith("numpy")
        if numpy_dtype and kind in "fiub":
            array = series.to_numpy()
        elif kind == "M":
            text = series.dt.strftime("%Y-%m-%d")
            array = text.astype(object).where(series.notna(), None).to_numpy()
        else:
            array = series.astype(object).to_numpy()
        ids.append(str(c))
        arrays.append(array)
        multi.append(types.get(str(c)) == "multi-choice")
        integer.append(types.get(str(c)) == "integer")
    return ids, arrays, multi, integer, len(frame.index)
