"""Run one parsed command with its context: the command line's failure policy."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from ccodesk.cli.context import Context
from ccodesk.errors import KnownError
from ccodesk.terminal import printable


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None, context: Context[Any]) -> int:
    """Parse `argv` and run the chosen command with `context`: a plain line and status 1 for
    what the user can fix, 130 on Ctrl+C (the commands write atomically, so nothing is left
    half-done)."""
    args = parser.parse_args(argv)
    try:
        return int(args.func(args, context))
    except KnownError as exc:
        print(printable(f"{parser.prog}: error: {exc}"), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`… | head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 1
