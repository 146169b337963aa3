"""prescreen — consent-and-screening engine for aesthetic-clinic pre-consultation.

Every decision (visibility, validation, rules, dates, digests) is made by the compiled C++ core;
this package converts Python objects to and from it::

    import prescreen
    p = prescreen.Protocol.from_file("protocols/microneedling/protocol.json")
    r = p.screen({"pregnant": False, ...}, today="2026-11-25")
    r.outcome, r.defer_until, r.to_dict()
    results = p.screen_many(rows, today="2026-11-25")       # GIL released, threads, order kept

Errors: :class:`ProtocolError` (a ``ValueError``) with ``.diagnostics`` for a bad pack;
``TypeError``/``ValueError`` naming the argument for misuse; :class:`UsageError` (a ``ValueError``)
with ``.code`` for what the engine refuses (e.g. ``consent_not_permitted``). Bad answers never raise:
they come back as issues (``form``) and make ``screen`` ``incomplete``; in a batch a row that cannot
be screened at all gives a :class:`RowError` in its place.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, List, Optional, Sequence, Union

from . import _core
from ._core import (
    ConsentRecord,
    ConsentStatus,
    ConsentVerification,
    Finding,
    FormState,
    Protocol,
    Result,
    RowError,
    ScreeningResult,
    apply_logic,
    canonical_json,
    canonical_json_text,
    parse_json,
    consent_status,
    sha256_hex,
    supersede_consent,
    verify_consent,
    verify_consent_event,
    withdraw_consent,
)
from ._frame import frame_columns as _frame_columns
from ._frame import is_dataframe as _is_dataframe
from ._types import Diagnostic, InvalidRow, ProtocolError, UsageError
from . import _results  # noqa: F401  (every result's generic reading and named fields)
from ._columns import UnknownColumnWarning
from . import _consent
from . import _protocol  # noqa: F401  (from_file, equality, repr, pickling)
from . import _screen_frame
from . import _stream

__version__ = "0.1.0"
engine_version: str = _core.engine_version

__all__ = [
    "Protocol", "Result", "FormState", "ScreeningResult", "Finding", "RowError", "ConsentRecord",
    "ConsentVerification", "ConsentStatus", "Diagnostic", "ProtocolError", "UsageError", "InvalidRow", "UnknownColumnWarning",
    "verify_consent", "consent_status", "withdraw_consent", "supersede_consent", "verify_consent_event", "apply_logic", "canonical_json", "canonical_json_text", "parse_json", "sha256_hex", "__version__",
    "engine_version",
]


def _chunks(protocol: Protocol, rows: Any, today: Any, locale: Optional[str], threads: Optional[int],
            chunk_size: int, columns: Optional[Sequence[str]], keep: Sequence[str] = (),
            unknown_columns: str = "warn") -> Iterator[list]:
    if _is_dataframe(rows):
        ids, arrays, n, codes = _frame_columns(protocol, rows, columns, keep, unknown_columns)
        batch = protocol._frame_batch(ids, arrays, n, today=today, locale=locale,
                                      threads=threads, chunk_size=chunk_size, codes=codes)
    else:
        if columns is not None or keep:
            raise TypeError(f"{'columns' if columns is not None else 'keep'}: only used with a pandas DataFrame")
        if isinstance(rows, (str, bytes)) or isinstance(rows, dict):
            raise TypeError(f"rows: expected an iterable of answer mappings (or JSON lines), got {type(rows).__name__}")
        try:
            iter(rows)
        except TypeError:
            raise TypeError(f"rows: expected an iterable of answer mappings, got {type(rows).__name__}") from None
        batch = protocol._batch(rows, today=today, locale=locale, threads=threads, chunk_size=chunk_size)
    while True:
        chunk = batch.next_chunk()
        if chunk is None:
            return
        yield chunk


def _screen_many(self: Protocol, rows: Any, *, today: Any, threads: Optional[int] = None,
                 locale: Optional[str] = None, chunk_size: int = 1024,
                 columns: Optional[Sequence[str]] = None, keep: Sequence[str] = (),
                 unknown_columns: str = "warn") -> List[Union[ScreeningResult, RowError]]:
    """Screen many answer sets in parallel; one result per row, in input order.

    ``rows``: a list or any iterable (generators stream) of answer mappings, JSON text lines
    (``str``/``bytes``, parsed by the engine), :class:`InvalidRow` markers from the readers, or a
    pandas DataFrame (one row per patient; columns named like items are answers, read by the
    engine's cell reader as ``io.read_csv`` reads a file (docs/cells.md); NaN/None/NaT are
    unanswered; ``keep`` declares metadata columns, any other column is reported as
    ``unknown_columns`` says; ``columns`` picks the answer columns explicitly). For a DataFrame
    of results with the input's index, use :meth:`screen_frame`. Rows are read under the GIL in chunks of ``chunk_size``; screening runs on
    ``threads`` threads (default: all cores; the calling thread is one of them) with the GIL
    released. A row that cannot be screened gives a :class:`RowError` in its place; the batch never
    raises for a bad row.

    Results keep the engine's screening record (a few hundred bytes each): ``outcome``,
    ``defer_until``, ``finding_ids``, ``consent_permitted`` and ``today`` are read from it directly;
    the JSON is written from it on first access to anything else (``to_json()``, ``to_dict()``),
    exactly as :meth:`screen` gives it.
    """
    out: List[Any] = []
    for chunk in _chunks(self, rows, today, locale, threads, chunk_size, columns, keep, unknown_columns):
        out.extend(chunk)
    return out


def _iter_screen(self: Protocol, rows: Any, *, today: Any, threads: Optional[int] = None,
                 locale: Optional[str] = None, chunk_size: int = 1024,
                 columns: Optional[Sequence[str]] = None, keep: Sequence[str] = (),
                 unknown_columns: str = "warn") -> Iterator[Union[ScreeningResult, RowError]]:
    """Like :meth:`screen_many` but yields results as chunks finish (bounded memory for huge inputs)."""
    for chunk in _chunks(self, rows, today, locale, threads, chunk_size, columns, keep, unknown_columns):
        yield from chunk


# Methods written in Python, named as the attributes they are, so bound methods pickle (a bound
# method pickles as getattr(protocol, name)): pool.map(partial(p.screen_many, ...)), client.submit.
for _name, _method in (("screen_many", _screen_many), ("iter_screen", _iter_screen),
                       ("screen_frame", _screen_frame.screen_frame),
                       ("screen_frame_arrow", _screen_frame.screen_frame_arrow),
                       ("screen_parquet", _stream.screen_parquet),
                       ("consent", _consent.consent), ("information_record", _consent.information_record)):
    _method.__name__, _method.__qualname__ = _name, f"Protocol.{_name}"
    setattr(Protocol, _name, _method)


def _screening_repr(self: ScreeningResult) -> str:
    return (f"ScreeningResult(outcome={self.outcome!r}, defer_until={self.defer_until}, "
            f"findings={self.finding_ids!r}, today={self.today})")


def _row_error_repr(self: RowError) -> str:
    return f"RowError(code={self.code!r}, path={self.path!r}, message={self.message!r})"


# What a person needs when a result is printed: the outcome and its date, not 4 KB of JSON.
ScreeningResult.__repr__ = _screening_repr  # type: ignore[method-assign]
RowError.__repr__ = _row_error_repr  # type: ignore[method-assign]
