"""Reading answer sets and writing screening results (one output row per input row, always).

Readers change only the representation of answers: they never decide whether an answer is valid
(the engine does). A row a reader cannot read becomes an :class:`~prescreen.InvalidRow`, which
``screen_many`` turns into a ``RowError`` in its place, so no row is ever lost.

* :func:`read_jsonl` — one JSON object per line. ``raw=True`` yields the line text, which the
  engine parses on its worker threads (fastest; malformed lines get the engine's ``malformed_json``).
* :func:`read_csv` — columns are answer ids; with a protocol, cells are read by the engine's cell
  reader (the same as DataFrame cells: docs/cells.md); ``keep`` declares metadata columns, other
  columns are reported (nearest item id) and left out. Empty cells are unanswered.
* :func:`read_json` — a JSON array of answer objects.
* :func:`result_row`, :func:`results_table`, :func:`results_frame` — the flat result table.
* :func:`write_csv`, :func:`write_jsonl`, :func:`write_parquet` — results to files.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import itertools
import io as _io
import json
import os
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Union

from . import _core
from ._core import ScreeningResult
from ._columns import split_columns
from ._types import InvalidRow

__all__ = [
    "read_jsonl", "read_csv", "read_json", "read_parquet_frames", "read_rows", "split_meta", "result_row", "results_table",
    "results_frame", "read_results", "write_csv", "write_jsonl", "write_parquet", "write_results", "RESULT_COLUMNS",
]

PathLike = Union[str, "os.PathLike[str]"]

#: Columns of the result table, in order (metadata columns kept from the input follow them): the
#: engine's list (prescreen/result_table.hpp).
RESULT_COLUMNS: List[str] = list(_core.result_columns)
_LIST_COLUMNS = tuple(_core.result_list_columns)


def _open_text(path: PathLike):
    if path == "-":
        import sys

        return _io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogateescape")
    return open(path, "r", encoding="utf-8", errors="surrogateescape", newline="")


# --- readers --------------------------------------------------------------------------------------


def read_jsonl(path: PathLike, *, raw: bool = False) -> Iterator[Union[dict, str, InvalidRow]]:
    """Yield one row per line of a JSONL file (``"-"`` = stdin), blank lines included.

    ``raw=True`` yields each line's text for the engine to parse (``screen_many`` accepts it).
    Otherwise lines are parsed here: a dict per line, or an :class:`InvalidRow`
    (``malformed_json``, or ``not_an_object``) in place of a line that is not a JSON object.
    """
    # Lines end at "\n" only (as in the engine and the other runtimes): a bare CR inside a line is
    # JSON white space, and text mode would split there and shift every later result onto the wrong row.
    with _open_binary(path) as f:
        for number, data in enumerate(f, start=1):
            line = data.decode("utf-8", errors="surrogateescape")
            if line.endswith("\n"):
                line = line[:-1]
            if line.endswith("\r"):
                line = line[:-1]
            if raw:
                yield line
                continue
            try:
                value = json.loads(line, parse_constant=_reject_constant, object_pairs_hook=_strict_object)
            except _DuplicateKey as e:
                yield InvalidRow("duplicate_key", e.path, f"line {number}: {e}", number)
                continue
            except (ValueError, RecursionError) as e:
                yield InvalidRow("malformed_json", "", f"line {number}: {e}", number)
                continue
            if not isinstance(value, dict):
                yield InvalidRow("not_an_object", "", f"line {number}: expected a JSON object of answers, got {type(value).__name__}", number)
                continue
            yield value


def _open_binary(path: PathLike):
    if path == "-":
        import sys

        return sys.stdin.buffer
    return open(path, "rb")


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(f"duplicate key {key!r} (the engine refuses duplicate keys)")
        self.path = "/" + key.replace("~", "~0").replace("/", "~1")


def _strict_object(pairs: list) -> dict:
    """json.loads hook: a duplicate key is an error, as in the engine's reader."""
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def read_json(path: PathLike) -> List[Union[dict, InvalidRow]]:
    """A JSON array of answer objects; an element that is not an object becomes an InvalidRow."""
    with _open_text(path) as f:
        try:
            value = json.load(f, parse_constant=_reject_constant, object_pairs_hook=_strict_object)
        except ValueError as e:
            raise ValueError(f"{os.fspath(path)}: not valid JSON: {e}") from None
    if not isinstance(value, list):
        raise ValueError(f"{os.fspath(path)}: expected a JSON array of answer objects, got {type(value).__name__}")
    return [v if isinstance(v, dict) else
            InvalidRow("not_an_object", f"/{i}", f"element {i}: expected a JSON object of answers, got {type(v).__name__}", None)
            for i, v in enumerate(value)]


def read_csv(path: PathLike, protocol: Any = None, *, keep: Sequence[str] = (), unknown_columns: str = "warn",
             delimiter: str = ",", encoding: str = "utf-8-sig") -> Iterator[Union[dict, InvalidRow]]:
    """Yield one dict per CSV data row (header = answer ids and metadata columns).

    With ``protocol``, cells of its items are read by the engine's cell reader (the same one a
    DataFrame's cells go through: ``yes``/``no``/``true``/``1``..., numbers, dates, ``;``-separated
    choices, spaces trimmed; see ``docs/cells.md``); ``keep`` columns are metadata (text), and any
    other column is reported (``unknown_columns``: ``"warn"`` naming the nearest item id,
    ``"error"``, ``"ignore"``) and left out. Without ``protocol`` every column is kept as text.
    Empty cells are left out (unanswered). A row with the wrong number of fields becomes an
    :class:`InvalidRow` (``malformed_csv``).
    """
    handle = _open_text(path) if path == "-" else open(path, "r", encoding=encoding, newline="")
    with handle as f:
        reader = csv.reader(f, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise ValueError(f"{os.fspath(path)}: cannot read the CSV header: {e}") from None
        header = [h.strip() for h in header]
        if protocol is not None:
            answers, meta = split_columns(protocol, header, keep, unknown_columns, source=os.fspath(path))
            wanted = set(answers) | set(meta)
            row_of = _core._CellRow(protocol, [h if h in wanted else None for h in header])
        else:
            row_of = None
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield InvalidRow("malformed_csv", "", f"line {line}: {e}", line)
                continue
            if not cells:
                continue  # csv yields [] only for a completely empty line: not a row
            if len(cells) != len(header):
                yield InvalidRow("malformed_csv", "", f"line {reader.line_num}: {len(cells)} fields, the header has {len(header)}", reader.line_num)
                continue
            if row_of is not None:
                yield row_of(cells)
            else:
                yield {name: cell for name, cell in zip(header, cells) if cell != ""}


def read_parquet_frames(path: PathLike, batch_rows: int = 65_536) -> Iterator[Any]:
    """A Parquet file as pandas DataFrames of at most ``batch_rows`` rows, read one record batch at a
    time (memory bounded by a batch, whatever the file's size). Screen each with ``screen_many`` or
    ``Protocol.screen_frame``: their cells go through the engine's cell reader."""
    try:
        import pyarrow.parquet as pq
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("reading Parquet needs pyarrow: pip install 'prescreen[parquet]'") from e
    with pq.ParquetFile(path) as f:
        for batch in f.iter_batches(batch_size=batch_rows):
            yield batch.to_pandas()


def read_rows(path: PathLike, protocol: Any = None, *, raw_jsonl: bool = False, keep: Sequence[str] = (),
              unknown_columns: str = "warn") -> Iterable[Union[dict, str, InvalidRow]]:
    """Pick the reader by file extension: .jsonl/.ndjson, .csv/.tsv, .json."""
    name = os.fspath(path).lower()
    if name.endswith((".jsonl", ".ndjson")) or name == "-":
        return read_jsonl(path, raw=raw_jsonl)
    if name.endswith(".csv"):
        return read_csv(path, protocol, keep=keep, unknown_columns=unknown_columns)
    if name.endswith(".tsv"):
        return read_csv(path, protocol, keep=keep, unknown_columns=unknown_columns, delimiter="\t")
    if name.endswith(".json"):
        return read_json(path)
    raise ValueError(f"{os.fspath(path)}: unknown input format (use .jsonl, .ndjson, .csv, .tsv or .json)")


def split_meta(rows: Iterable[Any], keep: Sequence[str], protocol: Any = None) -> Iterator[tuple]:
    """Split each dict row into (answers, metadata) where metadata holds the ``keep`` columns.

    A kept column that is an item of ``protocol`` stays an answer too (keeping a column never
    changes what is screened). Non-dict rows (JSON text, InvalidRow) pass through with empty metadata."""
    keep = list(keep)
    items = {item["id"] for item in protocol.items} if protocol is not None else set()
    drop = [k for k in keep if k not in items]
    for row in rows:
        if isinstance(row, dict) and keep:
            meta = {k: row.get(k) for k in keep}
            yield {k: v for k, v in row.items() if k not in drop}, meta
        else:
            yield row, {k: None for k in keep}


# --- the result table -----------------------------------------------------------------------------


def result_row(result: Any, row: int, meta: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """One flat row for a result (ScreeningResult or RowError): lists stay lists."""
    out: Dict[str, Any] = {c: None for c in RESULT_COLUMNS}
    out["row"] = row
    # Batch results give their fields from the engine's record, without writing their JSON.
    fields = result._table_fields() if isinstance(result, ScreeningResult) else None
    if fields is not None:
        out.update(fields)
    else:
        out.update(_fields_of(result.to_dict() if hasattr(result, "to_dict") else dict(result)))
    if meta:
        for k, v in meta.items():
            if k not in out:
                out[k] = v
    return out


def _fields_of(data: Mapping[str, Any]) -> Dict[str, Any]:
    """The result-table fields of a result's JSON (results read back from files), by the engine."""
    return _core._table_fields_of(dict(data))


def results_table(results: Iterable[Any], meta: Optional[Iterable[Mapping[str, Any]]] = None) -> Iterator[Dict[str, Any]]:
    """Flat rows (see :data:`RESULT_COLUMNS`) for results, with optional per-row metadata."""
    if meta is None:
        for i, r in enumerate(results):
            yield result_row(r, i)
    else:
        for i, (r, m) in enumerate(zip(results, meta)):
            yield result_row(r, i, m)


@contextlib.contextmanager
def _gc_paused():
    """Python's cycle collector off while a table of small acyclic lists is built: with a million
    rows alive, every collection it triggers would walk them all (measured: half the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _table_columns(results: Iterable[Any], meta: Optional[Iterable[Mapping[str, Any]]]) -> Dict[str, List[Any]]:
    """The result table column by column (RESULT_COLUMNS, then metadata keys in order of first
    appearance): screening results give their fields straight from their records."""
    results = list(results)
    metas: List[Mapping[str, Any]] = []
    if meta is not None:  # paired as zip() pairs them (meta may be endless, or filled as results are made)
        metas = [m for _, m in zip(results, meta)]
        results = results[:len(metas)]
    with _gc_paused():
        columns, others = _core._result_columns(results)
    for i in others:
        result = results[i]
        for column, value in _fields_of(result.to_dict() if hasattr(result, "to_dict") else dict(result)).items():
            columns.setdefault(column, [None] * len(results))[i] = value
    columns["row"] = list(range(len(results)))
    table = {c: columns.get(c) or [None] * len(results) for c in RESULT_COLUMNS}
    for m in metas:
        for key in m:
            if key not in table:
                table[key] = [other.get(key) for other in metas]
    return table


def results_frame(results: Iterable[Any], meta: Optional[Iterable[Mapping[str, Any]]] = None):
    """The result table as a pandas DataFrame (``defer_until``/``today`` as datetime64).

    Built column by column from the results' records, so a million rows cost seconds."""
    import pandas as pd

    frame = pd.DataFrame(_table_columns(results, meta))
    for column in ("defer_until", "today"):
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d", errors="coerce")
    return frame


def _csv_cell(column: str, value: Any) -> Any:
    if isinstance(value, list):
        # ids (findings, missing_required, issues) are ';'-separated; messages one per line.
        sep = "\n" if column in ("patient_messages", "clinician_notes") else ";"
        return sep.join("" if v is None else str(v) for v in value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _rows_with_header(rows: Iterable[Dict[str, Any]]):
    rows = iter(rows)
    first = next(rows, None)
    header = list(first.keys()) if first is not None else list(RESULT_COLUMNS)
    return header, first, rows


def write_csv(results: Iterable[Any], path: PathLike, meta: Optional[Iterable[Mapping[str, Any]]] = None) -> int:
    """Write the result table as CSV (lists: ids ``;``-separated, messages one per line). Returns rows written."""
    header, first, rest = _rows_with_header(results_table(results, meta))
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        if first is not None:
            for row in _chain(first, rest):
                writer.writerow([_csv_cell(c, row.get(c)) for c in header])
                count += 1
    return count


def _chain(first, rest):
    yield first
    yield from rest


def write_jsonl(results: Iterable[Any], path: PathLike, meta: Optional[Iterable[Mapping[str, Any]]] = None,
                *, full: bool = False) -> int:
    """Write one JSON line per result: the flat table row, or with ``full=True`` the exact C++ result JSON."""
    count = 0
    with open(path, "w", encoding="utf-8") as f:
        if full:
            for r in results:
                f.write(r.to_json())
                f.write("\n")
                count += 1
        else:
            for row in results_table(results, meta):
                f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
                f.write("\n")
                count += 1
    return count


def write_parquet(results: Iterable[Any], path: PathLike, meta: Optional[Iterable[Mapping[str, Any]]] = None,
                  *, rows_per_group: int = 65_536) -> int:
    """Write the result table as Parquet (needs the ``parquet`` extra: pyarrow). Lists are list
    columns, ``defer_until``/``today`` are dates."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("write_parquet needs pyarrow: pip install 'prescreen[parquet]'") from e
    # Row groups of `rows_per_group` results, each written as soon as it is screened: memory holds
    # one group, whatever the number of rows.
    results = iter(results)
    metas = iter(meta) if meta is not None else None
    writer, schema, written = None, None, 0
    try:
        while True:
            chunk = list(itertools.islice(results, rows_per_group))
            if not chunk and writer is not None:
                break
            table = _table_columns(chunk, metas)
            table["row"] = [written + i for i in range(len(chunk))]
            if schema is None:
                schema = _parquet_schema(pa, table)
                writer = pq.ParquetWriter(path, _dated(pa, schema))
            for c in schema.names:
                if c not in table:
                    table[c] = [None] * len(chunk)
                elif c not in _LIST_COLUMNS and c not in ("row", "consent_permitted") and schema.field(c).type == pa.string():
                    table[c] = [v if v is None or isinstance(v, str) else str(v) for v in table[c]]
            arrow = pa.Table.from_pydict({c: table[c] for c in schema.names}, schema=schema)
            for column in ("defer_until", "today"):  # the engine's ISO dates as Parquet dates
                i = arrow.schema.get_field_index(column)
                arrow = arrow.set_column(i, pa.field(column, pa.date32()), arrow.column(column).cast(pa.date32()))
            i = arrow.schema.get_field_index("outcome")
            arrow = arrow.set_column(i, pa.field("outcome", result_parquet_type(pa, "outcome")),
                                     outcome_array(pa, table["outcome"]))
            writer.write_table(arrow)
            written += len(chunk)
            if len(chunk) < rows_per_group:
                break
    finally:
        if writer is not None:
            writer.close()
    return written


def _dated(pa, schema):
    return pa.schema([pa.field(f.name, result_parquet_type(pa, f.name)) if f.name in ("defer_until", "today", "outcome")
                      else f for f in schema])


def result_parquet_type(pa, column: str):
    """The Arrow type of a result-table column in Parquet, for every writer (write_parquet,
    Protocol.screen_parquet): outcome an ordered dictionary in the engine's order (pandas reads an
    ordered categorical), dates as dates, lists of strings; metadata columns are text."""
    if column == "row":
        return pa.int64()
    if column == "outcome":
        return pa.dictionary(pa.int8(), pa.string(), ordered=True)
    if column in ("defer_until", "today"):
        return pa.date32()
    if column == "consent_permitted":
        return pa.bool_()
    if column in _LIST_COLUMNS:
        return pa.list_(pa.string())
    return pa.string()


def outcome_array(pa, outcomes: Sequence[Optional[str]]):
    """Outcome texts as the ordered dictionary column (every outcome in the dictionary, so row
    groups share one; null for an error row)."""
    from ._table_columns import OUTCOMES

    code = {name: i for i, name in enumerate(OUTCOMES)}
    indices = pa.array([None if o is None else code[o] for o in outcomes], type=pa.int8())
    return pa.DictionaryArray.from_arrays(indices, pa.array(OUTCOMES, type=pa.string()), ordered=True)


def _parquet_schema(pa, table: Dict[str, List[Any]]):
    known = {
        "row": pa.int64(), "outcome": pa.string(), "defer_until": pa.string(), "consent_permitted": pa.bool_(),
        "today": pa.string(), "protocol_id": pa.string(), "protocol_version": pa.string(),
        "protocol_digest": pa.string(), "error_code": pa.string(), "error_path": pa.string(),
        "error_message": pa.string(),
    }
    fields = []
    for c, values in table.items():
        if c in known:
            fields.append(pa.field(c, known[c]))
        elif c in _LIST_COLUMNS:
            fields.append(pa.field(c, pa.list_(pa.string())))
        else:
            # metadata: strings (None stays null) so mixed input types never fail the write
            fields.append(pa.field(c, pa.string()))
            table[c] = [v if v is None or isinstance(v, str) else str(v) for v in values]
    return pa.schema(fields)


def write_results(results: Iterable[Any], path: PathLike, meta: Optional[Iterable[Mapping[str, Any]]] = None,
                  *, format: Optional[str] = None, full: bool = False) -> int:
    """Write results choosing the format from ``format`` or the extension (.csv, .jsonl, .parquet)."""
    name = os.fspath(path).lower()
    fmt = format or ("csv" if name.endswith(".csv") else "parquet" if name.endswith((".parquet", ".pq"))
                     else "jsonl" if name.endswith((".jsonl", ".ndjson")) else None)
    if fmt == "csv":
        return write_csv(results, path, meta)
    if fmt == "jsonl":
        return write_jsonl(results, path, meta, full=full)
    if fmt == "parquet":
        return write_parquet(results, path, meta)
    raise ValueError(f"format: unknown output format for {os.fspath(path)!r} (use csv, jsonl or parquet)")


def read_results(path: PathLike):
    """Read a result table written by :func:`write_results` (CSV, JSONL or Parquet) as a DataFrame,
    with list columns restored and ``defer_until``/``today`` as datetime64."""
    import pandas as pd

    name = os.fspath(path).lower()
    if name.endswith((".parquet", ".pq")):
        frame = pd.read_parquet(path)
        for c in _LIST_COLUMNS:
            if c in frame:
                frame[c] = frame[c].map(lambda v: [] if v is None else list(v))
    elif name.endswith((".jsonl", ".ndjson")):
        frame = pd.read_json(path, lines=True, dtype=False)
    elif name.endswith(".csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for c in _LIST_COLUMNS:
            if c in frame:
                sep = "\n" if c in ("patient_messages", "clinician_notes") else ";"
                frame[c] = frame[c].map(lambda v, sep=sep: [p for p in v.split(sep)] if v else [])
        if "row" in frame:
            frame["row"] = pd.to_numeric(frame["row"], errors="coerce")
        if "consent_permitted" in frame:
            frame["consent_permitted"] = frame["consent_permitted"].map({"true": True, "false": False, "": None})
        frame = frame.replace({"": None})
    else:
        raise ValueError(f"{os.fspath(path)}: unknown result format (use .csv, .jsonl or .parquet)")
    missing = [c for c in ("outcome", "findings") if c not in frame.columns]
    if missing:
        raise ValueError(f"{os.fspath(path)}: not a prescreen result table (no {', '.join(missing)} column)")
    for column in ("defer_until", "today"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d", errors="coerce")
    frame["outcome"] = _outcome_categorical(pd, frame["outcome"], path)
    return frame


def _outcome_categorical(pd, outcomes, path: PathLike):
    """The outcome column as the ordered categorical of screen_frame (the engine's order, strictest
    first) whatever file it was read from; a value that is not an outcome is an error, not a NaN."""
    from ._table_columns import OUTCOMES as order

    if isinstance(outcomes.dtype, pd.CategoricalDtype) and list(outcomes.cat.categories) == order:
        return outcomes
    values = outcomes.astype(object)
    strange = sorted({str(v) for v in values if v is not None and v == v and v not in order})
    if strange:
        raise ValueError(f"{os.fspath(path)}: the outcome column holds {', '.join(map(repr, strange[:5]))}, "
                         f"which are not outcomes ({', '.join(order)})")
    return pd.Categorical(values.where(values.notna(), None), categories=order, ordered=True)
