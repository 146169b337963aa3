"""Protocol.screen_parquet: a CSV or Parquet file in, a Parquet result table out, in bounded memory.

The input is read a batch of rows at a time (pyarrow's CSV reader with every cell as text, or the
Parquet file's record batches) and stays in Arrow: each answer column is dictionary-encoded, its
distinct cells read once by the engine's one cell reader (the same as every other path:
docs/cells.md), and the batch screened by the compiled batch screener; the engine's result
columns become Arrow columns and are written as one row group. Memory holds one batch, whatever
the file's size, and no Python object is made per cell or per result field.

Nothing is lost or reordered: a CSV row with the wrong number of fields gets a ``malformed_csv``
error row in its place (``row`` is the data row's position, counted from 0, as in every result
table). The columns are those of ``prescreen.io.write_parquet``: ``outcome`` an ordered
dictionary (pandas reads an ordered categorical), dates as dates, lists as lists of strings, kept
metadata columns as text.
"""

from __future__ import annotations

import collections
import csv
import os
from typing import Any, Callable, Deque, Dict, Iterator, List, Optional, Sequence, Tuple

from . import _core
from ._columns import keep_argument, split_columns
from ._types import InvalidRow


class StreamSummary(tuple):
    """(rows, bad_rows): rows written, and how many of them are error rows."""

    __slots__ = ()

    def __new__(cls, rows: int, bad_rows: int):
        return super().__new__(cls, (rows, bad_rows))

    @property
    def rows(self) -> int:
        return self[0]

    @property
    def bad_rows(self) -> int:
        return self[1]

    def __repr__(self) -> str:
        return f"StreamSummary(rows={self[0]}, bad_rows={self[1]})"


# --- reading --------------------------------------------------------------------------------------


def _csv_header(path: str, delimiter: str) -> List[str]:
    with open(path, "r", encoding="utf-8-sig", newline="") as f:
        try:
            return [h.strip() for h in next(csv.reader(f, delimiter=delimiter))]
        except StopIteration:
            return []
        except csv.Error as e:
            raise ValueError(f"{path}: cannot read the CSV header: {e}") from None


def _csv_tables(path: str, delimiter: str, header: List[str], rows_per_group: int,
                bad: Deque[Tuple[int, InvalidRow]]) -> Iterator[Any]:
    """Arrow tables of ``rows_per_group`` rows (the last may be shorter), every cell text (an empty
    cell is null: unanswered). Rows with the wrong number of fields go to ``bad`` as (data row
    index, InvalidRow), as prescreen.io.read_csv reports them."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    def invalid(row) -> str:
        # row.number counts the header as row 1 and skips blank lines, as the csv module's reader
        # does (a blank line is not a row): the data row index is number - 2.
        bad.append((row.number - 2, InvalidRow(
            "malformed_csv", "", f"row {row.number} (the header is row 1): {row.actual_columns} fields, "
            f"the header has {row.expected_columns}", row.number)))
        return "skip"

    # 1 MB blocks: the streaming reader reads ahead, and with 4 MB blocks held about 120 MB of them
    # (measured: peak RSS for a million rows 366 MB, against 290 MB with 1 MB blocks).
    reader = pcsv.open_csv(
        path,
        read_options=pcsv.ReadOptions(use_threads=False, column_names=header, skip_rows=1, block_size=1 << 20),
        parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, invalid_row_handler=invalid),
        convert_options=pcsv.ConvertOptions(column_types={name: pa.string() for name in header},
                                            strings_can_be_null=True, null_values=[""]))
    pending = None  # rows read and not yet given out (fewer than rows_per_group)
    for batch in reader:
        table = pa.Table.from_batches([batch])
        if pending is not None:
            table = pa.concat_tables([pending, table])
        while table.num_rows >= rows_per_group:
            yield table.slice(0, rows_per_group)
            table = table.slice(rows_per_group)
        pending = table
    if pending is not None and pending.num_rows:
        yield pending


def _parquet_tables(path: str, rows_per_group: int) -> Iterator[Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as f:
        for batch in f.iter_batches(batch_size=rows_per_group):
            yield pa.Table.from_batches([batch])


def _answer_columns(protocol: Any, table: Any, items: Sequence[str], types: Dict[str, Any]) -> tuple:
    """(ids, arrays, rows, codes) of the batch screener (as prescreen._frame.frame_columns gives
    them) from an Arrow table: text columns dictionary-encoded, each distinct text read once."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from ._frame import _answer_array

    ids, arrays, codes = [], [], []
    for name in items:
        column = table.column(name)
        ids.append(name)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            encoded = column.combine_chunks().dictionary_encode()
            values = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
            read = np.empty(len(values), dtype=object)
            _core._read_cell_column(protocol, name, values, read)
            arrays.append(read)
            codes.append(pc.fill_null(encoded.indices, -1).to_numpy().astype(np.int64))  # -1: unanswered
        else:  # typed Parquet columns (booleans, numbers, timestamps): as a DataFrame's cells
            array, coded = _answer_array(protocol, name, types.get(name), column.to_pandas())
            arrays.append(array)
            codes.append(coded)
    return ids, arrays, table.num_rows, codes


# --- writing --------------------------------------------------------------------------------------


def _schema(pa: Any, keep: Sequence[str]) -> Any:
    from .io import RESULT_COLUMNS, result_parquet_type

    fields = [pa.field(name, result_parquet_type(pa, name)) for name in RESULT_COLUMNS]
    fields += [pa.field(name, pa.string()) for name in keep if name not in RESULT_COLUMNS]
    return pa.schema(fields)


def _arrow_results(pa: Any, schema: Any, columns: Dict[str, Any], rows: Any, meta: Dict[str, Any]) -> Any:
    """The engine's flat result columns as an Arrow table of the result schema; `rows` the `row`
    column, `meta` the kept columns."""
    from . import _table_columns  # numpy: imported when a file is first screened

    results = _table_columns.arrow_columns(columns, pa)
    out = []
    for field in schema:
        if field.name == "row":
            out.append(pa.array(rows, type=pa.int64()))
        else:
            out.append(meta[field.name] if field.name in meta else results[field.name])
    return pa.Table.from_arrays(out, schema=schema)


def _metadata(pa: Any, table: Any, keep: Sequence[str]) -> Dict[str, Any]:
    """The kept columns of an input batch as text (null stays null), as write_parquet writes them."""
    out = {}
    for name in keep:
        column = table.column(name)
        out[name] = column if pa.types.is_string(column.type) else column.cast(pa.string())
    return out


def _error_rows(protocol: Any, pa: Any, schema: Any, placed: List[Tuple[int, InvalidRow]], keep: Sequence[str]) -> Any:
    from ._screen_frame import _failed_table

    parts = []
    for index, error in placed:
        meta = {name: pa.nulls(1, type=pa.string()) for name in keep}
        parts.append(_arrow_results(pa, schema, _failed_table(protocol, error, 1), [index], meta))
    return pa.concat_tables(parts)


def _take_errors(bad: Deque[Tuple[int, InvalidRow]], first: int, n: int, last: bool) -> List[Tuple[int, InvalidRow]]:
    """The malformed rows that fall among `n` rows read from data row `first` on (each one placed
    pushes the rest one row on); after the last rows read, all that are left."""
    placed: List[Tuple[int, InvalidRow]] = []
    while bad and (last or bad[0][0] < first + n + len(placed)):
        placed.append(bad.popleft())  # a deque: a file of mostly malformed rows stays linear
    return placed


# --- the whole file -------------------------------------------------------------------------------


def screen_parquet(self: Any, source: Any, output: Any, *, today: Any, keep: Sequence[str] = (),
                   unknown_columns: str = "warn", locale: Optional[str] = None, threads: Optional[int] = None,
                   rows_per_group: int = 32_768, progress: Optional[Callable[[int], None]] = None) -> StreamSummary:
    """Screen a CSV/TSV or Parquet file into a Parquet result table, a row group at a time.

    ``today``: the screening date, or the name of a column holding each row's date (see
    :meth:`screen_frame`). ``keep``: metadata columns copied to the results (as text). Columns
    that are neither items nor kept are reported once (``unknown_columns``). ``progress(rows)``
    is called after each row group with the rows written so far. Returns ``(rows, bad_rows)``.
    """
    try:
        import numpy as np
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("screen_parquet needs pyarrow: pip install 'prescreen[parquet]'") from e
    from ._screen_frame import _table, _table_by_date, _today_per_row
    from .io import RESULT_COLUMNS

    keep = keep_argument(keep)
    for k in keep:
        if k in RESULT_COLUMNS:
            raise ValueError(f"keep: {k!r} is a result column name; rename the input column")
    if not isinstance(rows_per_group, int) or rows_per_group < 1:
        raise ValueError(f"rows_per_group: expected a positive number of rows, got {rows_per_group!r}")
    source, output = os.fspath(source), os.fspath(output)
    name = source.lower()
    bad: Deque[Tuple[int, InvalidRow]] = collections.deque()
    if name.endswith((".parquet", ".pq")):
        columns = [str(c) for c in pq.ParquetFile(source).schema_arrow.names]
        tables = _parquet_tables(source, rows_per_group)
    elif name.endswith((".csv", ".tsv")):
        delimiter = "\t" if name.endswith(".tsv") else ","
        columns = _csv_header(source, delimiter)
        if len(set(columns)) != len(columns):
            twice = sorted({c for c in columns if columns.count(c) > 1})
            raise ValueError(f"{source}: the header names {', '.join(map(repr, twice))} more than once")
        tables = _csv_tables(source, delimiter, columns, rows_per_group, bad) if columns else iter(())
    else:
        raise ValueError(f"{source}: unknown input format for screen_parquet (use .csv, .tsv or .parquet)")
    by_column = isinstance(today, str) and today in columns
    declared = keep + ([today] if by_column and today not in keep else [])
    items, _ = split_columns(self, columns, declared, unknown_columns, source=source)  # reported once, here
    types = {item["id"]: item.get("type") for item in self.items}
    if not by_column:
        self._frame_batch([], [], 0, today=today, locale=locale)  # a bad date or locale fails before any work
    schema = _schema(pa, keep)
    written = errors = 0

    def ignore(_: int) -> None:
        pass

    with pq.ParquetWriter(output, schema) as writer:
        for table in tables:
            answers = _answer_columns(self, table, items, types)
            if by_column:
                dates = _today_per_row(table.select([today]).to_pandas(), today)
                result = _table_by_date(self, answers, dates, locale, threads, 1024, ignore)
            else:
                result = _table(self, answers, None, today, locale, threads, 1024, ignore)
            placed = _take_errors(bad, written, table.num_rows, last=False)
            rows = np.arange(written, written + table.num_rows + len(placed), dtype=np.int64)
            if placed:
                rows = np.delete(rows, [index - written for index, _ in placed])
            arrow = _arrow_results(pa, schema, result, rows, _metadata(pa, table, keep))
            if placed:
                arrow = pa.concat_tables([arrow, _error_rows(self, pa, schema, placed, keep)]).sort_by("row")
            writer.write_table(arrow)
            written += arrow.num_rows
            errors += arrow.num_rows - arrow.column("error_code").null_count
            if progress is not None:
                progress(written)
        placed = _take_errors(bad, written, 0, last=True)  # malformed rows after the last row read
        if placed:
            writer.write_table(_error_rows(self, pa, schema, placed, keep))
            written += len(placed)
            errors += len(placed)
            if progress is not None:
                progress(written)
    return StreamSummary(written, errors)
