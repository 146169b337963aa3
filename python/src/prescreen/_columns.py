"""Which input columns are answers and which are metadata, for every tabular path (DataFrame,
CSV, Parquet, Dask, the command line), so a typo in a column name is never silently dropped.

* a column named like an item of the pack is an answer (and is screened, even when also kept);
* ``keep=[...]`` declares metadata columns copied to the results; a declared column that the
  input does not have is an error;
* any other column is reported: a warning naming the nearest item id (``pregnat`` → did you mean
  ``pregnant``?), or an error with ``unknown_columns="error"``, or nothing with ``"ignore"``.
"""

from __future__ import annotations

import warnings
from typing import Any, List, Sequence, Tuple

from . import _core

UNKNOWN_COLUMN_POLICIES = ("warn", "error", "ignore")


class UnknownColumnWarning(UserWarning):
    """An input column is neither an item of the pack nor declared with ``keep=``."""


def keep_argument(keep: Any) -> List[str]:
    if keep is None:
        return []
    if isinstance(keep, (str, bytes)):
        raise TypeError(f"keep: expected a list of column names, got {type(keep).__name__} (write keep=[{keep!r}])")
    names = list(keep)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"keep: column names must be str, got {type(name).__name__} ({name!r})")
    return names


def split_columns(protocol: Any, names: Sequence[str], keep: Any = (), unknown_columns: str = "warn",
                  source: str = "input") -> Tuple[List[str], List[str]]:
    """(answer columns, metadata columns) of an input with these column names, in input order."""
    if unknown_columns not in UNKNOWN_COLUMN_POLICIES:
        raise ValueError(f"unknown_columns: expected one of {', '.join(UNKNOWN_COLUMN_POLICIES)}, got {unknown_columns!r}")
    keep = keep_argument(keep)
    names = [str(n) for n in names]
    missing = [k for k in keep if k not in names]
    if missing:
        raise ValueError(f"keep: {source} has no column {', '.join(map(repr, missing))} (its columns: {', '.join(names)})")
    items = {item["id"] for item in protocol.items}
    answers = [n for n in names if n in items]
    unknown = [n for n in names if n not in items and n not in keep]
    if unknown and unknown_columns != "ignore":
        described = []
        for name in unknown:
            near = _core._nearest_item(protocol, name)
            described.append(f"{name!r} (did you mean {near!r}?)" if near else repr(name))
        text = (f"{source}: column{'s' if len(unknown) > 1 else ''} {', '.join(described)} "
                f"{'are' if len(unknown) > 1 else 'is'} not a question of {protocol.id} and not screened; "
                "declare metadata with keep=[...] (or unknown_columns='ignore')")
        if unknown_columns == "error":
            raise ValueError(text)
        warnings.warn(UnknownColumnWarning(text), stacklevel=4)
    return answers, keep
