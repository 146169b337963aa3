"""What the two command lines share: ``python -m prescreen`` and ``python -m prescreen.clinic``."""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence


def chosen_command(parser: argparse.ArgumentParser, argv: Optional[Sequence[str]]) -> Optional[argparse.Namespace]:
    """The parsed command line when it names a command; when it names none, the help on standard
    error and None (the caller then exits with its usage code, 2)."""
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return None
    return args
