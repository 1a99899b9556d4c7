"""Run one parsed command with its context: the command line's failure policy."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from ccodesk.cli.context import Context


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None, context: Context[Any]) -> int:
    """Parse `argv` and run the chosen command with `context` under the failure policy
    (`ccodesk.failures.run_command`: a plain line and status 1 for what the user can fix, 130
    on Cancel or Ctrl+C, one line and the log's path for a bug)."""
    from ccodesk.failures import run_command

    args = parser.parse_args(argv)
    return run_command(parser.prog, lambda: args.func(args, context), parser.prog)
