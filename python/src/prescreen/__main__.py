"""python -m prescreen — batch screening, reports, pack linting and consent verification."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from typing import Any, Iterable, Iterator, List, Optional, Sequence

from ._cli import chosen_command

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_IO = 3
EXIT_BAD_ROWS = 4

EXIT_CODES = """\
exit codes (the same as the native `prescreen` tool):
  0  success (screen: every row screened; lint: no problems; verify: record valid)
  1  problems found (lint: the pack has errors; verify: the record is invalid or not active at --at;
     screen/report: the protocol does not load)
  2  usage error (unknown option, missing argument, bad --today or --override)
  3  input/output error (a file cannot be read or written)
  4  screen: some rows could not be screened (each has an error row in the output, in its place)
"""


def _fail(code: int, message: str) -> "NoReturn":  # type: ignore[name-defined]
    print(f"prescreen: {message}", file=sys.stderr)
    raise SystemExit(code)


def _no_duplicates(pairs):
    """json.loads hook: a duplicate key is an error, as in the engine's reader."""
    out = {}
    for k, v in pairs:
        if k in out:
            _fail(EXIT_USAGE, f"--override: duplicate key {k!r} in the value")
        out[k] = v
    return out


def _overrides(values: Sequence[str]) -> dict:
    out = {}
    for text in values or []:
        name, sep, value = text.partition("=")
        if not sep or not name:
            _fail(EXIT_USAGE, f"--override {text!r}: expected NAME=VALUE (VALUE is JSON, e.g. isotretinoin_washout=3)")
        if name in out:
            _fail(EXIT_USAGE, f"--override {name} is given twice")
        try:
            out[name] = json.loads(value, object_pairs_hook=_no_duplicates)
        except ValueError:
            out[name] = value  # a bare word is a string parameter
    return out


def _read_file(path: str) -> bytes:
    """The file's bytes; one that cannot be read is an input/output error (exit 3)."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        _fail(EXIT_IO, f"cannot read {path}: {e.strerror or e}")


def _load(path: str, overrides: dict):
    import prescreen

    try:
        return prescreen.Protocol.from_file(path, overrides=overrides)
    except OSError as e:
        _fail(EXIT_IO, f"cannot read {path}: {e.strerror or e}")
    except prescreen.ProtocolError as e:
        lines = "\n".join(f"  {d.path or '/'}: {d.code}: {d.message}" for d in e.diagnostics)
        _fail(EXIT_PROBLEMS, f"{path}: the protocol does not load:\n{lines}")


class _Progress:
    """A one-line progress counter on stderr (only when asked or stderr is a terminal)."""

    def __init__(self, enabled: bool, total: Optional[int] = None):
        self.enabled = enabled
        self.total = total
        self.count = 0
        self.started = time.monotonic()
        self.last = 0.0

    def update(self, n: int) -> None:
        self.count += n
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        self._draw(now)

    def _draw(self, now: float) -> None:
        rate = self.count / max(now - self.started, 1e-9)
        if self.total:
            width = 30
            filled = int(width * self.count / self.total)
            bar = "#" * filled + "-" * (width - filled)
            text = f"\r[{bar}] {self.count}/{self.total} rows  {rate:,.0f}/s"
        else:
            text = f"\r{self.count:,} rows  {rate:,.0f}/s"
        sys.stderr.write(text)
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw(time.monotonic())
            sys.stderr.write("\n")
            sys.stderr.flush()


def _counted(chunks: Iterable[list], progress: _Progress) -> Iterator[Any]:
    for chunk in chunks:
        progress.update(len(chunk))
        yield from chunk


def cmd_screen(args: argparse.Namespace) -> int:
    import prescreen
    from prescreen import io as pio

    protocol = _load(args.protocol, _overrides(args.override))
    today = args.today or datetime.date.today().isoformat()
    if not args.today:
        print(f"prescreen: no --today given: screening as of {today}", file=sys.stderr)
    try:
        protocol.screen({}, today=today)  # validates --today before any input is read
    except (TypeError, ValueError) as e:
        _fail(EXIT_USAGE, f"--today: {e}")
    keep = [c for c in (args.keep or "").split(",") if c]
    name = args.input.lower()
    parquet = name.endswith((".parquet", ".pq"))
    output = args.output or "-"
    fmt = args.format or ("jsonl" if output == "-" else None)
    if (fmt == "parquet" or (fmt is None and output.lower().endswith((".parquet", ".pq")))) and not args.full \
            and name.endswith((".csv", ".tsv", ".parquet", ".pq")):
        return _screen_to_parquet(protocol, args, today, keep, output)
    try:
        if parquet:
            rows = pio.read_parquet_frames(args.input)  # row groups, one DataFrame at a time
        elif (name.endswith((".jsonl", ".ndjson")) or args.input == "-") and not keep:
            rows: Iterable[Any] = pio.read_jsonl(args.input, raw=True)  # the engine parses each line
        else:
            rows = pio.read_rows(args.input, protocol, keep=keep, unknown_columns=args.unknown_columns)
    except ValueError as e:
        _fail(EXIT_USAGE, str(e))
    except OSError as e:
        _fail(EXIT_IO, f"cannot read {args.input}: {e.strerror or e}")
    metas: List[dict] = []
    if parquet:
        pass  # frames: their keep columns are taken batch by batch below
    elif keep:
        def answers_only(source):
            for answers, meta in pio.split_meta(source, keep, protocol):
                metas.append(meta)
                yield answers
        rows = answers_only(rows)

    show = args.progress if args.progress is not None else sys.stderr.isatty()
    progress = _Progress(show)
    bad = 0

    def results() -> Iterator[Any]:
        nonlocal bad
        from prescreen import _chunks

        if parquet:
            def chunks():
                for frame in rows:
                    if keep:
                        missing = [k for k in keep if k not in frame.columns]
                        if missing:
                            raise ValueError(f"keep: {args.input} has no column {', '.join(map(repr, missing))}")
                        metas.extend(frame[keep].to_dict("records"))
                    yield from _chunks(protocol, frame, today, args.locale, args.threads, 1024, None, keep,
                                       args.unknown_columns)
            source = chunks()
        else:
            source = _chunks(protocol, rows, today, args.locale, args.threads, 1024, None)
        for r in _counted(source, progress):
            if not r.ok:
                bad += 1
            yield r

    if output == "-" and fmt != "jsonl":
        _fail(EXIT_USAGE, "--format: only jsonl can be written to stdout (give --output FILE)")
    try:
        if output == "-":
            out = sys.stdout
            for i, r in enumerate(results()):
                if args.full:
                    out.write(r.to_json())
                else:
                    out.write(json.dumps(pio.result_row(r, i, metas[i] if keep else None), ensure_ascii=False,
                                         separators=(",", ":")))
                out.write("\n")
            out.flush()
        else:
            pio.write_results(results(), output, _lazy(metas) if keep else None, format=fmt, full=args.full)
    except (OSError, ValueError) as e:
        _fail_screening(e, args.input, f"cannot write {output}")
    finally:
        progress.close()
    return _screened(bad, progress.count)


def _screen_to_parquet(protocol: Any, args: argparse.Namespace, today: str, keep: List[str], output: str) -> int:
    """A table file to Parquet: read, screened and written a row group at a time (Protocol.screen_parquet)."""
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    progress = _Progress(show)
    try:
        summary = protocol.screen_parquet(args.input, output, today=today, keep=keep,
                                          unknown_columns=args.unknown_columns, locale=args.locale, threads=args.threads,
                                          progress=lambda rows: progress.update(rows - progress.count))
    except (OSError, ValueError) as e:
        _fail_screening(e, args.input, f"cannot read {args.input} or write {output}")
    finally:
        progress.close()
    return _screened(summary.bad_rows, summary.rows)


def _fail_screening(error: Exception, source: str, cannot: str) -> None:
    """Exit for what stopped a screening run: a file not found (the one named, else the input),
    another I/O error (`cannot` says which files), or a usage error."""
    if isinstance(error, FileNotFoundError):
        _fail(EXIT_IO, f"cannot read {error.filename or source}: {error.strerror}")
    if isinstance(error, OSError):
        _fail(EXIT_IO, f"{cannot}: {error.strerror or error}")
    _fail(EXIT_USAGE, str(error))


def _screened(bad: int, rows: int) -> int:
    """The exit code of a screening run, saying on stderr how many rows could not be screened."""
    if bad:
        print(f"prescreen: {bad} of {rows} rows could not be screened (error rows in the output)", file=sys.stderr)
        return EXIT_BAD_ROWS
    return EXIT_OK


def _lazy(metas: List[dict]) -> Iterator[dict]:
    # metadata is appended while results are produced, so read it by index as results arrive
    i = 0
    while True:
        if i < len(metas):
            yield metas[i]
            i += 1
        else:
            yield {}


def cmd_report(args: argparse.Namespace) -> int:
    from prescreen import io as pio
    from prescreen import report

    try:
        frame = pio.read_results(args.results)
    except (FileNotFoundError, PermissionError) as e:
        _fail(EXIT_IO, f"cannot read {args.results}: {e.strerror or e}")
    except ValueError as e:
        _fail(EXIT_PROBLEMS, str(e))
    try:
        protocol = _load(args.protocol, {}) if args.protocol else None
        report.html_report(frame, args.output, title=args.title, clinic=args.clinic_column, protocol=protocol,
                           date=args.date_column)
    except ValueError as e:
        _fail(EXIT_USAGE, str(e))
    except OSError as e:
        _fail(EXIT_IO, f"cannot write {args.output}: {e.strerror or e}")
    print(f"prescreen: wrote {args.output} ({len(frame)} rows)", file=sys.stderr)
    return EXIT_OK


def cmd_lint(args: argparse.Namespace) -> int:
    import prescreen

    text = _read_file(args.pack)
    diagnostics = prescreen.Protocol.lint(text, overrides=_overrides(args.override))
    if args.json:
        print(json.dumps([d.to_dict() for d in diagnostics], ensure_ascii=False, indent=2))
    else:
        for d in diagnostics:
            print(f"{d.path or '/'}: {d.code}: {d.message}")
        if not diagnostics:
            print(f"{args.pack}: ok")
    return EXIT_PROBLEMS if diagnostics else EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    import prescreen

    text = _read_file(args.record)
    key = None
    if args.seal_key_file:
        key = _read_file(args.seal_key_file).rstrip(b"\r\n")
        source = f"--seal-key-file {args.seal_key_file}"
    elif args.seal_key_env:
        key = os.environ.get(args.seal_key_env)
        if key is None:
            _fail(EXIT_USAGE, f"--seal-key-env: {args.seal_key_env} is not set")
        source = f"--seal-key-env {args.seal_key_env}"
    events = [_read_file(path) for path in args.event or []]
    # The record goes to the engine as text: its one strict reader refuses duplicate keys, NaN,
    # lone surrogates and excess depth, and such a record is invalid with a code and a path.
    try:
        verification = prescreen.verify_consent(text, seal_key=key)
        if args.public_key:  # the clinic's Ed25519 signatures (prescreen[clinic])
            from prescreen.clinic.verify import with_signatures

            verification = with_signatures(verification, json.loads(text), args.public_key, _fail)
        out = {"verification": verification.to_dict()}
        ok = verification.valid
        if args.at:
            status = prescreen.consent_status(text, args.at, events, seal_key=key)
            out["status"] = status.to_dict()
            ok = ok and status.status == "active"
    except prescreen.UsageError as e:
        where = source if e.code == "empty_seal_key" else ("--at" if e.path == "/at" else args.record)
        _fail(EXIT_USAGE, f"{where}: {e.code}: {e}")
    print(json.dumps(out if args.at else verification.to_dict(), ensure_ascii=False, indent=None if args.compact else 2))
    return EXIT_OK if ok else EXIT_PROBLEMS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m prescreen",
        description="prescreen: batch screening against a protocol pack, reports for clinic managers, "
                    "pack linting and consent-record verification. Every decision is made by the C++ engine.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("screen", help="screen answer sets (JSONL, CSV or JSON array) and write one result row per input row",
                       description="Screen every row of INPUT (.jsonl/.ndjson, .csv, .tsv, .json; '-' = JSONL on stdin). "
                                   "Writes one row per input row, in order: outcome, defer_until, finding ids, patient "
                                   "and clinician messages, protocol version and digest; a row that cannot be screened "
                                   "gets an error row in its place.",
                       epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("input", help="answers file (.jsonl, .ndjson, .csv, .tsv, .json) or - for JSONL on stdin")
    s.add_argument("-p", "--protocol", required=True, help="protocol pack (JSON)")
    s.add_argument("-o", "--output", help="output file (.csv, .jsonl, .parquet); default: JSONL on stdout")
    s.add_argument("--format", choices=["csv", "jsonl", "parquet"], help="output format (default: from the extension)")
    s.add_argument("--full", action="store_true", help="JSONL: write each exact engine result instead of the flat row")
    s.add_argument("--today", help="screening date YYYY-MM-DD (default: today's local date)")
    s.add_argument("--locale", help="message locale (default: the pack's first locale)")
    s.add_argument("--override", action="append", metavar="NAME=VALUE", help="parameter override (VALUE is JSON); repeatable")
    s.add_argument("--threads", type=int, help="screening threads, the calling one included (default: all cores)")
    s.add_argument("--keep", metavar="COLUMNS", help="comma-separated input columns copied to the output (e.g. patient_reference); a kept item is still screened")
    s.add_argument("--unknown-columns", choices=("warn", "error", "ignore"), default="warn",
                   help="CSV columns that are neither items nor --keep: warn naming the nearest item (default), error, or ignore")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--progress", dest="progress", action="store_true", default=None, help="show a progress bar on stderr")
    g.add_argument("--no-progress", dest="progress", action="store_false", help="never show the progress bar")
    s.set_defaults(func=cmd_screen)

    r = sub.add_parser("report", help="HTML report (charts and tables) from a result file",
                       description="Read a result table written by `screen` (.csv, .jsonl, .parquet) and write a "
                                   "self-contained HTML report a clinic manager can open offline.",
                       epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("results", help="result file from `screen`")
    r.add_argument("-o", "--output", required=True, help="HTML file to write")
    r.add_argument("--title", default="Pre-screening report")
    r.add_argument("--clinic-column", default=None, help="column naming the clinic (default: clinic, when present)")
    r.add_argument("--date-column", default=None,
                   help="column grouped by month (default: submitted_on when present, else the screening date)")
    r.add_argument("-p", "--protocol", help="the protocol pack, for readable names (rule titles, clinic labels)")
    r.set_defaults(func=cmd_report)

    l = sub.add_parser("lint", help="check a protocol pack and print every problem",
                       description="Load PACK as the engine does and print every problem as PATH: CODE: MESSAGE.",
                       epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    l.add_argument("pack")
    l.add_argument("--override", action="append", metavar="NAME=VALUE", help="parameter override (VALUE is JSON)")
    l.add_argument("--json", action="store_true", help="print the diagnostics as a JSON array")
    l.set_defaults(func=cmd_lint)

    v = sub.add_parser("verify", help="verify a consent record (digest, acknowledgements, seal)",
                       description="Recompute a consent record's digest (and seal, given the key) and report every problem.",
                       epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    v.add_argument("record", help="consent record (JSON)")
    k = v.add_mutually_exclusive_group()
    k.add_argument("--seal-key-file", help="file holding the back office's seal key")
    k.add_argument("--seal-key-env", metavar="VAR", help="environment variable holding the seal key")
    v.add_argument("--public-key", metavar="PEM", help="the clinic's public key (clinic.pub): check its Ed25519 signatures too")
    v.add_argument("--at", help="also give the record's status at this date or date-time (exit 1 unless active)")
    v.add_argument("--event", action="append", metavar="EVENT.json",
                   help="a withdrawal or supersession event of the record (repeatable; used with --at)")
    v.add_argument("--compact", action="store_true", help="print JSON on one line")
    v.set_defaults(func=cmd_verify)
    return parser


def _version() -> str:
    try:
        import prescreen

        return f"prescreen {prescreen.__version__} (engine {prescreen.engine_version})"
    except ImportError:  # pragma: no cover
        return "prescreen (engine not built)"


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = chosen_command(build_parser(), argv)
    if args is None:
        return EXIT_USAGE
    if getattr(args, "threads", None) is not None and args.threads < 1:
        _fail(EXIT_USAGE, "--threads must be at least 1")
    try:
        return args.func(args)
    except BrokenPipeError:  # e.g. `| head`
        try:
            sys.stdout.close()
        except Exception:
            pass
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
