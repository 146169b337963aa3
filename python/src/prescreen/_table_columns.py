"""The batch screener's flat result columns (python/src/_core/table_columns.hpp) as Arrow arrays or
pandas columns: one conversion for screen_frame, screen_parquet and Dask partitions.

The engine gives the list columns as offsets and codes (rule indices, item slots) with the strings
they index once per batch: an Arrow ``list<string>`` column is built in one call, with no Python
object per row; for pandas, the engine's module makes the lists in one pass, sharing the strings.
"""

from __future__ import annotations

from typing import Any, Dict

import numpy as np

from . import _core

#: The outcome categories, strictest first (the engine's order).
OUTCOMES = list(_core.outcomes)

_NO_DATE = np.iinfo(np.int64).min  # the engine's "no date" in its day-number columns (numpy's NaT)

# The list columns: (the engine's offsets/codes entry, the strings the codes index).
_LISTS = {
    "findings": ("findings", "rule_ids"),
    "finding_outcomes": ("findings", "rule_outcomes"),
    "patient_messages": ("findings", "rule_messages"),
    "clinician_notes": ("findings", "rule_notes"),
    "missing_required": ("missing_required", "item_ids"),
    "issues": ("issues", None),  # the labels themselves
}
_PROTOCOL = ("protocol_id", "protocol_version", "protocol_digest")


def _arrow_list(pa: Any, table: Dict[str, Any], column: str) -> Any:
    entry, strings = _LISTS[column]
    offsets, codes = table[entry]
    values = (pa.array(codes, type=pa.string(), from_pandas=True) if strings is None
              else pa.array(table["strings"][strings], type=pa.string()).take(pa.array(codes, type=pa.int32())))
    return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), values)


def _python_lists(table: Dict[str, Any], column: str) -> np.ndarray:
    """An object array of Python lists (sharing the batch's strings), made by the engine's module."""
    entry, strings = _LISTS[column]
    offsets, codes = table[entry]
    if strings is None:  # the labels themselves
        return _core._object_lists(offsets, np.arange(len(codes), dtype=np.int32), codes)
    return _core._object_lists(offsets, codes, table["strings"][strings])


def _protocol_cells(table: Dict[str, Any], column: str) -> np.ndarray:
    """The pack's id, version or digest on screened rows; None on error rows."""
    out = np.empty(len(table["outcome"]), dtype=object)
    out.fill(table["strings"]["protocol"][_PROTOCOL.index(column)])  # (numpy.full is 100x slower for objects)
    out[table["outcome"] < 0] = None
    return out


def arrow_columns(table: Dict[str, Any], pa: Any) -> Dict[str, Any]:
    """{column: pyarrow.Array} for every result-table column but ``row``."""
    out: Dict[str, Any] = {}
    codes = table["outcome"]
    out["outcome"] = pa.DictionaryArray.from_arrays(pa.array(codes, type=pa.int8(), mask=codes < 0),
                                                    pa.array(OUTCOMES, type=pa.string()), ordered=True)
    for name in ("defer_until", "today"):
        days = table[name]
        out[name] = pa.array(days.astype(np.int32), type=pa.date32(), mask=days == _NO_DATE)
    consent = table["consent_permitted"]
    out["consent_permitted"] = pa.array(consent == 1, type=pa.bool_(), mask=consent < 0)
    for name in _LISTS:
        out[name] = _arrow_list(pa, table, name)
    screened = pa.array(np.zeros(len(codes), dtype=np.int32), mask=codes < 0)  # null on error rows
    for name in _PROTOCOL:
        value = table["strings"]["protocol"][_PROTOCOL.index(name)]
        out[name] = pa.array([value], type=pa.string()).take(screened)
    for name in ("error_code", "error_path", "error_message"):
        out[name] = pa.array(table[name], type=pa.string(), from_pandas=True)
    return out


def pandas_columns(table: Dict[str, Any], index: Any) -> Dict[str, Any]:
    """{column: pandas column} for every result-table column but ``row``: outcome an ordered
    categorical, dates datetime64, consent a nullable boolean, lists Python lists."""
    import pandas as pd

    out: Dict[str, Any] = {}
    out["outcome"] = pd.Categorical.from_codes(table["outcome"], categories=OUTCOMES, ordered=True)
    for name in ("defer_until", "today"):
        out[name] = table[name].view("datetime64[D]").astype("datetime64[ns]")
    consent = table["consent_permitted"]
    out["consent_permitted"] = pd.arrays.BooleanArray(consent == 1, consent < 0)
    # Lists are Python lists in object columns, not ArrowDtype: Series.map hands ArrowDtype cells
    # over as numpy arrays and to_parquet of such a frame cannot be read back by pandas.
    for name in _LISTS:
        out[name] = pd.Series(_python_lists(table, name), index=index, dtype=object, copy=False)
    for name in _PROTOCOL:
        out[name] = pd.Series(_protocol_cells(table, name), index=index, dtype=object, copy=False)
    for name in ("error_code", "error_path", "error_message"):
        out[name] = pd.Series(table[name], index=index, dtype=object, copy=False)
    return out


def flag_columns(table: Dict[str, Any]) -> Dict[str, np.ndarray]:
    """{"finding:<rule id>": bool per row} for every rule, in the pack's order, from the findings'
    offsets and rule indices."""
    offsets, rules = table["findings"]
    rows = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    out = {}
    for index, rule in enumerate(table["strings"]["rule_ids"]):
        flag = np.zeros(len(offsets) - 1, dtype=bool)
        flag[rows[rules == index]] = True
        out[f"finding:{rule}"] = flag
    return out


def no_rows(table: Dict[str, Any]) -> Dict[str, Any]:
    """The same columns with no rows (the shape of a result: its pandas metadata)."""
    out: Dict[str, Any] = {}
    for name, values in table.items():
        if isinstance(values, np.ndarray):
            values = values[:0]
        elif isinstance(values, tuple):  # a list column: (offsets, values)
            values = (values[0][:1], values[1][:0])
        out[name] = values
    return out


def merge(parts: Any, n: int) -> Dict[str, Any]:
    """One flat table of `n` rows from parts screened apart (one per screening date): each part is
    (row positions, flat table), its rows going to those positions."""
    parts = list(parts)
    first = parts[0][1]
    out: Dict[str, Any] = {"strings": first["strings"]}
    for name, values in first.items():
        if isinstance(values, np.ndarray):
            merged = np.empty(n, dtype=values.dtype)
            for rows, part in parts:
                merged[rows] = part[name]
            out[name] = merged
    for entry in ("findings", "missing_required", "issues"):
        lengths = np.zeros(n, dtype=np.int64)
        starts = np.zeros(n, dtype=np.int64)  # where each row's codes start in the parts' codes, end to end
        base = 0
        for rows, part in parts:
            offsets, codes = part[entry]
            lengths[rows] = np.diff(offsets)
            starts[rows] = offsets[:-1] + base
            base += len(codes)
        joined = np.concatenate([part[entry][1] for _, part in parts])
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(lengths, out=offsets[1:])
        within = np.arange(offsets[-1]) - np.repeat(offsets[:-1], lengths)
        out[entry] = (offsets, joined[np.repeat(starts, lengths) + within])
    return out
