"""`ccodesk-cli report …`: performance indicators as a table, CSV or XLSX, and baselines.

Only argparse is imported here; the store, the services and openpyxl load when a command
runs, so the command line starts as fast as before.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccodesk.cli.arguments import date
from ccodesk.cli.context import Context
from ccodesk.terminal import printable_lines

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ccodesk.store import Store

FORMATS = ("text", "csv", "xlsx")


def _format(args: argparse.Namespace, parser: argparse.ArgumentParser) -> str:
    if args.format:
        chosen = str(args.format)
    elif args.output and Path(args.output).suffix.lower() in (".csv", ".xlsx"):
        chosen = Path(args.output).suffix.lower()[1:]
    else:
        chosen = "text"
    if chosen == "xlsx" and not args.output:
        parser.error("--format xlsx needs -o FILE (a workbook is not written to the terminal)")
    return chosen


def cmd_report(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services.periods import Period, PeriodKind

    chosen = _format(args, args.report_parser)
    # the period is checked before the store is opened: a typo fails fast, nothing written
    period = (
        Period.parse(args.period)
        if args.period
        else Period.containing(PeriodKind.QUARTER, dt.date.today())
    )
    from ccodesk.services import indicator_export as export
    from ccodesk.services.indicators import build_report
    from ccodesk.services.reference import borough_name
    from ccodesk.settings import load_settings

    threshold = load_settings().fatigue_threshold
    with context.open_store(args) as store, store.session() as session:
        report = build_report(
            session,
            period,
            area=borough_name(store.borough_code) or "This store",
            borough_code=store.borough_code,
            fatigue_threshold=threshold,
        )
    if chosen == "text" and not args.output:
        sys.stdout.write(printable_lines(export.render_text([report], for_export=args.suppress)))
        return 0
    if chosen == "csv" and not args.output:
        sys.stdout.write(printable_lines(export.csv_text([report])))
        return 0
    path = Path(args.output).expanduser()
    writers = {"xlsx": export.write_xlsx, "csv": export.write_csv, "text": export.write_text}
    writers[chosen](path, [report])
    kind = "a text table" if chosen == "text" else chosen.upper()
    print(
        f"Wrote the {period.long_label} indicators for {report.area} to {path} "
        f"({kind}, counts of people under {export.SMALL} suppressed)."
    )
    return 0


# (args, the context, for writing) → a session and the borough whose baselines these are
# (None: London-wide)
BaselineScope = Callable[
    [argparse.Namespace, Context[Any], bool],
    AbstractContextManager[tuple["Session", "str | None"]],
]


@contextlib.contextmanager
def _borough_scope(
    args: argparse.Namespace, context: Context[Store], write: bool
) -> Iterator[tuple[Any, str | None]]:
    with context.open_store(args) as store, store.transaction() if write else store.session() as s:
        yield s, store.borough_code


def cmd_baseline_set(args: argparse.Namespace, context: Context[Any]) -> int:
    from ccodesk.services.baselines import set_baseline

    with args.baseline_scope(args, context, True) as (session, borough_code):
        saved = set_baseline(
            session,
            borough_code,
            args.group,
            args.percent,
            source=args.source,
            as_of=args.as_of or dt.date.today(),
        )
    what = "London-wide baseline" if borough_code is None else "Baseline"
    print(f"{what} for {args.group}: {args.percent:g}% ({args.source.strip()}).")
    for warning in saved.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def cmd_baseline_list(args: argparse.Namespace, context: Context[Any]) -> int:
    from ccodesk.services.baselines import current_baselines
    from ccodesk.services.reference import priority_groups

    with args.baseline_scope(args, context, False) as (session, borough_code):
        baselines = current_baselines(session, borough_code)
        groups = [(g.code, g.name) for g in priority_groups(session)]
    print(f"{'group':<22} {'share':>7}  {'as of':<10}  source")
    for code, _name in groups:
        b = baselines.get(code)
        if b is None:
            print(f"{code:<22} {'–':>7}  {'':<10}  (none entered)")
        else:
            print(f"{code:<22} {b.share_percent:>6g}%  {b.as_of:%Y-%m-%d}  {b.source}")
    return 0


def _percent(text: str) -> float:
    try:
        return float(text.strip().removesuffix("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage like 12.5") from None


def add_commands(sub: Any) -> None:
    """Add `report` (and `report baseline set|list`) to ccodesk-cli's subcommands."""
    p = sub.add_parser(
        "report",
        help="performance indicators for a month, quarter or year",
        description=(
            "Performance indicators (docs/indicators.md) for a period, against the period "
            "before. CSV and XLSX files suppress counts of people under 10."
        ),
    )
    p.add_argument(
        "--period",
        "--quarter",  # as `print return` once named it
        dest="period",
        metavar="PERIOD",
        help="2026-11 (a month), 2026Q3 (a quarter) or 2026 (a year); default: this quarter",
    )
    p.add_argument("--format", choices=FORMATS, type=str.lower, help="default: from -o, or text")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of the terminal")
    p.add_argument(
        "--suppress",
        action="store_true",
        help="suppress small counts in the text table too (always done for CSV and XLSX)",
    )
    p.set_defaults(func=cmd_report, report_parser=p)
    add_baseline_commands(p, _borough_scope, "the borough's")


def add_baseline_commands(report: Any, scope: BaselineScope, whose: str) -> None:
    """`… report baseline set|list` under a `report` parser; `scope` opens the store."""
    what = report.add_subparsers(dest="report_command", metavar="baseline")
    baseline = what.add_parser(
        "baseline", help=f"each priority group's share of {whose} population"
    )
    b = baseline.add_subparsers(dest="baseline_command", required=True, metavar="set|list")
    s = b.add_parser("set", help="record a group's share (e.g. from the census)")
    s.add_argument("group", help="a priority group code, e.g. older, refugees-asylum")
    s.add_argument("percent", type=_percent, help="its share of the population, 0–100")
    s.add_argument("--source", required=True, help="where the share comes from")
    s.add_argument("--as-of", type=date, metavar="DATE", help="default: today")
    s.set_defaults(func=cmd_baseline_set, baseline_scope=scope)
    b.add_parser("list", help="the baseline in use for each group").set_defaults(
        func=cmd_baseline_list, baseline_scope=scope
    )
