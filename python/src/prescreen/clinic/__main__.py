"""python -m prescreen.clinic — the clinic's back office.

  serve --data DIR [--host 127.0.0.1] [--port N] [--database URL]   serve the form, the API and the review pages
  add-user NAME --role ROLE --password-stdin [--data DIR]           create a practitioner, manager or admin account
  verify-store --data DIR [--database URL]                          exit 0 only when the audit chain holds
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Optional, Sequence

from .._cli import chosen_command

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _settings(args: argparse.Namespace, **kw):
    from .settings import Settings

    return Settings.from_environment(args.data, database_url=args.database, **kw)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app
    from .limits import Rate

    kw = {}
    if args.protocols:
        kw["protocols_dir"] = args.protocols
    if args.submission_limit:
        kw["submission_rate"] = Rate.parse(args.submission_limit)
    settings = _settings(args, **kw)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    options = dict(host=args.host, port=args.port, log_level=args.log_level, access_log=False,
                   limit_concurrency=args.max_connections, timeout_keep_alive=30)
    if args.workers > 1:
        # Several processes (Python runs one thread at a time per process): each opens the same store;
        # SQLite's write lock (BEGIN IMMEDIATE) or PostgreSQL's row lock keeps one audit chain.
        import os

        from .app import store_settings

        store_settings(settings)  # migrations and keys made once, before the workers start
        os.environ["PRESCREEN_CLINIC_SETTINGS"] = json.dumps({
            "data_dir": str(settings.data_dir), "database_url": settings.database_url,
            "protocols_dir": str(settings.protocols_dir) if settings.protocols_dir else None,
            "submission_rate": args.submission_limit})
        print(f"prescreen back office: http://{shown}:{args.port}/  (review pages: http://{shown}:{args.port}/review/; "
              f"data in {settings.data_dir}; {args.workers} worker processes)", flush=True)
        uvicorn.run("prescreen.clinic.app:app_from_environment", factory=True, workers=args.workers, **options)
        return EXIT_OK
    app = create_app(settings)
    print(f"prescreen back office: http://{shown}:{args.port}/  (review pages: http://{shown}:{args.port}/review/; "
          f"data in {settings.data_dir})", flush=True)
    uvicorn.run(app, **options)
    return EXIT_OK


def cmd_add_user(args: argparse.Namespace) -> int:
    from .accounts import add_user
    from .clock import system_clock
    from .storage import Store

    if not args.password_stdin:
        print("add-user: give the password on standard input with --password-stdin", file=sys.stderr)
        return EXIT_USAGE
    password = sys.stdin.readline().rstrip("\r\n")
    store = Store.open(args.data, args.database)
    try:
        add_user(store, args.name, args.role, password, system_clock())
    except ValueError as e:
        print(f"add-user: {e}", file=sys.stderr)
        return EXIT_USAGE
    print(f"add-user: {args.name} ({args.role}) added", file=sys.stderr)
    return EXIT_OK


def cmd_verify_store(args: argparse.Namespace) -> int:
    from .integrity import verify_store
    from .storage import Store

    report = verify_store(Store.open(args.data, args.database))
    print(json.dumps(report, indent=2))
    return EXIT_OK if report["valid"] else EXIT_PROBLEMS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m prescreen.clinic", description=__doc__.split("\n\n")[0],
                                     epilog="exit codes: 0 ok; 1 problems found (verify-store); 2 usage error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def storage_options(p: argparse.ArgumentParser, data_required: bool) -> None:
        p.add_argument("--data", required=data_required, default="data",
                       help="data directory: the SQLite store, the keys, older packs (default: ./data)")
        p.add_argument("--database", metavar="URL",
                       help="database URL (default: $PRESCREEN_DATABASE_URL, else SQLite in --data), e.g. postgresql://host/db")

    s = sub.add_parser("serve", help="serve the patient form, the API and the review pages")
    storage_options(s, True)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--protocols", help="folder of served packs (default: the checkout's protocols/)")
    s.add_argument("--submission-limit", metavar="BURST/PER_SECOND", help="submissions one address may send (default 4000/20)")
    s.add_argument("--max-connections", type=int, default=1000, help="concurrent connections before 503 (default 1000)")
    s.add_argument("--workers", type=int, default=1, help="server processes (default 1; the flood limit is per process)")
    s.add_argument("--log-level", default="warning")
    s.set_defaults(func=cmd_serve)

    a = sub.add_parser("add-user", help="create an account for the review pages")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=["practitioner", "manager", "admin"])
    a.add_argument("--password-stdin", action="store_true", help="read the password from the first line of standard input")
    storage_options(a, False)
    a.set_defaults(func=cmd_add_user)

    v = sub.add_parser("verify-store", help="check the audit chain and every stored submission against it")
    storage_options(v, True)
    v.set_defaults(func=cmd_verify_store)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = chosen_command(build_parser(), argv)
    return EXIT_USAGE if args is None else args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
