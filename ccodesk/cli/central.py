"""`ccodesk-central`: the central consultation unit's command line (no Qt).

ccodesk-central [--home DIR] [--db URL] init --name NAME
ccodesk-central upgrade [--yes]
ccodesk-central trust add --borough B --officer O KEY | list | revoke FINGERPRINT
ccodesk-central trust export-allowed-signers -o FILE
ccodesk-central key export-age-identity -o FILE [--yes]
ccodesk-central merge BUNDLE… [--receipts DIR]
ccodesk-central conflicts list | resolve ID --keep local|incoming
ccodesk-central gaps | status
ccodesk-central report [--period P] [-o FILE] | report baseline set GROUP PERCENT --source S | list
ccodesk-central reference export -o FILE
ccodesk-central privacy sar "NAME" [--email E] [--phone P] [--received DATE] [-o DIR]
ccodesk-central privacy requests [--open]
ccodesk-central followup search WORD… | loose [--borough CODE] | notes KIND ID | note KIND ID TEXT
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccodesk.cli import central_followup, privacy_sar, reports
from ccodesk.cli.context import Context, PassphrasePrompt, confirm_secret_export
from ccodesk.cli.runner import run
from ccodesk.errors import KnownError
from ccodesk.failures import file_boundary
from ccodesk.terminal import printable, printable_lines
from ccodesk.words import plural

if TYPE_CHECKING:
    from ccodesk.sync.central import Central


def _open(args: argparse.Namespace, prompt: PassphrasePrompt) -> Central:
    from ccodesk.sync.central import open_central

    return _told(open_central(_home(args), args.db, prompt))


def _told(central: Central) -> Central:
    """`central`, after saying on stderr that its plain store was just encrypted, if it was."""
    if central.encrypted is not None:
        print(printable(central.encrypted.notice()), file=sys.stderr)
    return central


@contextlib.contextmanager
def _london_scope(
    args: argparse.Namespace, context: Context[Central], write: bool
) -> Iterator[tuple[Any, None]]:
    """The central store's session for London-wide baselines (no borough)."""
    with (
        context.open_store(args) as central,
        central.transaction() if write else central.session() as s,
    ):
        yield s, None


def _home(args: argparse.Namespace) -> Path:
    from ccodesk.sync.central import default_home

    return Path(args.home).expanduser() if args.home else default_home()


def cmd_init(args: argparse.Namespace, context: Context[Central]) -> int:
    from ccodesk.store.keys import judge_keyring
    from ccodesk.sync.central import init_central

    keyring_verdict = judge_keyring()
    if not keyring_verdict.usable:  # said before the passphrase is asked for
        print(keyring_verdict.reason, file=sys.stderr)
    with init_central(_home(args), args.db, args.name, context.prompt) as central:
        print(f"Created the central unit {args.name!r} in {central.home}")
        print(f"Database:      {central.url.split('@')[-1]}")
        keys = "OS keyring" if central.config.protection == "keyring" else "passphrase key file"
        print(f"Keys:          {keys}")
        print(f"Signing key:   {central.public_key()}")
        print(f"Fingerprint:   {central.fingerprint()}")
        print(f"Age recipient: {central.recipient()}")
    return 0


def cmd_upgrade(args: argparse.Namespace, context: Context[Central]) -> int:
    """Migrate the central store to this program's schema (asks first: back it up)."""
    from ccodesk.store.schema import SCHEMA_HEAD
    from ccodesk.sync.central import open_central

    home = _home(args)
    print(
        f"This migrates the central store {_shown_db(args)} to schema {SCHEMA_HEAD} (or sets "
        "up an empty database named with --db for this central unit). A SQLite store is "
        "copied into the backups folder first; back a PostgreSQL database up yourself "
        "first (pg_dump -Fc).",
        file=sys.stderr,
    )
    if not args.yes:
        if not sys.stdin.isatty():
            raise KnownError("Nothing was changed: no terminal to confirm on (pass --yes).")
        if input("Migrate it? [y/N] ").strip().lower() not in ("y", "yes"):
            raise KnownError("Nothing was changed.")
    with _told(open_central(home, args.db, context.prompt, upgrade=True)) as central:
        copy = f" (a copy of it before: {central.backup})" if central.backup else ""
        print(f"The central store {_shown_db(args)} is at schema {SCHEMA_HEAD}{copy}.")
    return 0


def _shown_db(args: argparse.Namespace) -> str:
    """The database the options name, fit to print (no password)."""
    from ccodesk.store.central import default_url, shown_url

    return shown_url(args.db or default_url(_home(args)))


def cmd_trust_add(args: argparse.Namespace, context: Context[Central]) -> int:
    from ccodesk.services.central_trust import check_key, read_key_file
    from ccodesk.sync.central import trust_add

    key = args.key
    if os.path.exists(key):
        key = read_key_file(Path(key))
    preview = check_key(key)  # the desktop's Trust page reads a key the same way
    with context.open_store(args) as central:
        row = trust_add(central, args.borough, args.officer, preview.text)
        print(
            printable(
                f"Trusted {row.fingerprint} for {row.borough_code or 'no borough'}, {row.officer}."
            )
        )
    return 0


def cmd_trust_list(args: argparse.Namespace, context: Context[Central]) -> int:
    from ccodesk.sync.central import trust_list

    with context.open_store(args) as central:
        rows = trust_list(central)
    if not rows:
        print("No keys are trusted yet: add a borough device with 'trust add'.")
    for row in rows:
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "trusted"
        print(
            printable(f"{row.fingerprint}  {row.borough_code or '-':<22} {row.officer:<24} {state}")
        )
    return 0


def cmd_trust_revoke(args: argparse.Namespace, context: Context[Central]) -> int:
    from ccodesk.sync.central import trust_revoke

    with context.open_store(args) as central:
        row = trust_revoke(central, args.fingerprint, args.reason)
    print(printable(f"Revoked {row.fingerprint} ({row.borough_code}, {row.officer})."))
    return 0


def cmd_allowed_signers(args: argparse.Namespace, context: Context[Central]) -> int:
    from ccodesk.fileio import atomic_write_bytes
    from ccodesk.sync.central import allowed_signers

    with context.open_store(args) as central:
        text = allowed_signers(central)
    with file_boundary(args.output):
        atomic_write_bytes(Path(args.output), text.encode())

    print(f"Wrote {plural(len(text.splitlines()), 'signer')} to {args.output}.")
    return 0


def cmd_key_export_age_identity(args: argparse.Namespace, context: Context[Central]) -> int:
    """Write the centre's secret age identity, for `age -d -i FILE` (asks first)."""
    from ccodesk.sync.central import write_age_identity

    path = Path(args.output).expanduser()
    with context.open_store(args) as central:
        confirm_secret_export(f"the secret age identity of {central.config.name}", path, args.yes)
        write_age_identity(central, path)
    print(f"Wrote the central unit's age identity to {path} (readable by you only).")
    return 0


def cmd_merge(args: argparse.Namespace, context: Context[Central]) -> int:
    """Merge each bundle in turn: one line each, and a bad one never stops the others."""
    from ccodesk.services.central_inbox import merge_one

    rejected = 0
    receipts = Path(args.receipts) if args.receipts else None
    with context.open_store(args) as central:
        for name in args.bundles:
            line = merge_one(central, Path(name), receipts, name=name)
            print(line.text)
            rejected += not line.complete
    return 1 if rejected else 0


def cmd_conflicts_list(args: argparse.Namespace, context: Context[Central]) -> int:
    from ccodesk.sync.merge import conflicts

    with context.open_store(args) as central, central.session() as s:
        found = conflicts(s, include_resolved=args.all)
        if not found:
            print("No conflicts to review.")
        for c in found:
            state = f"resolved: kept {c.resolution}" if c.resolved_at else f"winner {c.winner}"
            print(
                printable(
                    f"{c.id:>5}  {c.entity:<16} {c.record_id}  found {c.found_at:%Y-%m-%d}  {state}"
                )
            )
            for side in ("local", "incoming"):
                version = getattr(c, side)
                title = version.get("data", {}).get("title") or version.get("data", {}).get("name")
                what = "deleted" if version.get("deleted") else (title or "edited")
                print(printable(f"       {side:<9} {str(version.get('hlc', ''))[:13]}  {what}"))
    return 0


def cmd_conflicts_resolve(args: argparse.Namespace, context: Context[Central]) -> int:
    from ccodesk.sync.merge import resolve_conflict

    with context.open_store(args) as central, central.transaction() as s:
        conflict = resolve_conflict(s, args.id, args.keep, central.config.name)
        print(f"Conflict {conflict.id}: kept the {args.keep} version of {conflict.entity}.")
    return 0


def cmd_gaps(args: argparse.Namespace, context: Context[Central]) -> int:
    from ccodesk.sync.central import gaps

    with context.open_store(args) as central, central.session() as s:
        found = gaps(s)
    if not found:
        print("No bundles merged yet.")
    missing_any = False
    for gap in found:
        missing = ", ".join(map(str, gap.missing)) if gap.missing else "none"
        if gap.unlisted:
            missing += f" and {gap.unlisted:,} more"
        missing_any = missing_any or bool(gap.missing)
        print(
            printable(
                f"{gap.borough_code or '-':<22} {gap.device_id}  up to {gap.newest}  "
                f"missing: {missing}"
            )
        )
    return 0


def cmd_status(args: argparse.Namespace, context: Context[Central]) -> int:
    import datetime as dt

    from ccodesk.resource_files import borough_name
    from ccodesk.services.deletion_records import deletions_by_borough
    from ccodesk.services.periods import Period, PeriodKind
    from ccodesk.sync.central import central_status

    period = (
        Period.parse(args.period)
        if args.period
        else Period.containing(PeriodKind.QUARTER, dt.date.today())
    )
    with context.open_store(args) as central, central.session() as s:
        st = central_status(s)
        deletions = deletions_by_borough(s, period.start, period.end - dt.timedelta(days=1))
        print(f"Central unit:    {central.config.name} ({central.fingerprint()})")
        print(f"Database:        {central.url.split('@')[-1]}")
    print(f"Boroughs:        {st.boroughs}")
    print(f"Devices:         {st.devices}")
    print(f"Bundles merged:  {st.bundles}")
    print(f"Records:         {st.records:,}")
    print(f"Open conflicts:  {st.open_conflicts}")
    print(
        f"Last merge:      {st.last_merge:%Y-%m-%d %H:%M}"
        if st.last_merge
        else "Last merge:      never"
    )
    for trail in st.rewritten_trails:  # issue 15: a device's history changed after it was sent
        print(
            printable(
                f"AUDIT TRAIL REWRITTEN: {trail.borough_code or '-'} {trail.device_id} "
                f"(first seen {trail.rewritten_at:%Y-%m-%d %H:%M}): {trail.rewritten}"
            )
        )
    # issue 15: what each borough's retention schedule and erasures deleted in the period
    if not deletions:
        print(f"Deletions {period.label}: none reported")
    else:
        print(f"Deletions {period.label} (deletion records from the boroughs):")
        for d in deletions:
            print(
                printable(
                    f"  {borough_name(d.borough) or d.borough or '-'}: {d.label}, "
                    f"{d.count:,} ({plural(d.records, 'record')}, last {d.last:%Y-%m-%d})"
                )
            )
    return 0


def cmd_report(args: argparse.Namespace, context: Context[Central]) -> int:
    """The indicators London-wide and borough by borough, over every merged bundle."""
    import datetime as dt

    from ccodesk.services.periods import Period, PeriodKind

    period = (
        Period.parse(args.period)
        if args.period
        else Period.containing(PeriodKind.QUARTER, dt.date.today())
    )
    chosen = args.format or (
        Path(args.output).suffix.lower()[1:]
        if args.output and Path(args.output).suffix.lower() in (".csv", ".xlsx")
        else "text"
    )
    if chosen == "xlsx" and not args.output:
        raise KnownError("--format xlsx needs -o FILE (a workbook is not written to the terminal)")
    from ccodesk.services import indicator_export as export
    from ccodesk.services.indicators import central_report
    from ccodesk.services.reference import resolve_borough

    boroughs = [resolve_borough(b) for b in args.borough] or None
    with context.open_store(args) as central, central.session() as session:
        report = central_report(
            session, period, fatigue_threshold=args.fatigue_threshold, boroughs=boroughs
        )
    reports = ([] if boroughs else [report.london]) + list(report.boroughs.values())
    if not args.output:
        text = (
            export.render_text(reports, for_export=True)
            if chosen == "text"
            else export.csv_text(reports)
        )
        sys.stdout.write(printable_lines(text))  # organisation names come from bundles
        return 0
    writers = {"xlsx": export.write_xlsx, "csv": export.write_csv, "text": export.write_text}
    writers[chosen](Path(args.output).expanduser(), reports)
    print(
        f"Wrote the {period.long_label} indicators for London and "
        f"{plural(len(report.boroughs), 'borough')} to {args.output} "
        f"(counts of people under {export.SMALL} suppressed)."
    )
    return 0


def cmd_reference_export(args: argparse.Namespace, context: Context[Central]) -> int:
    from ccodesk.fileio import atomic_write_bytes
    from ccodesk.sync.central import reference_bundle

    with context.open_store(args) as central:
        data = reference_bundle(central)
    with file_boundary(args.output):
        atomic_write_bytes(Path(args.output), data)
    print(f"Wrote the reference bundle to {args.output} (signed by {central.fingerprint()}).")
    return 0


def cmd_privacy_sar(args: argparse.Namespace, context: Context[Central]) -> int:
    """A subject access request at the centre: the shared contacts it holds, the records
    naming them (engagements, findings, actions, …), its own log of requests."""
    import datetime as dt

    with context.open_store(args) as central, central.transaction() as s:
        return privacy_sar.answer(
            args,
            s,
            held_by=f"the central consultation unit ({central.config.name})",
            officer=central.config.name,
            today=dt.date.today(),
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ccodesk-central", description="The central consultation unit: merge borough bundles."
    )
    parser.add_argument("--home", metavar="DIR", help="the central unit's directory (keys, config)")
    parser.add_argument(
        "--db",
        metavar="URL",
        default=os.environ.get("CCODESK_CENTRAL_DB"),
        help="database URL: a SQLite file by default, or postgresql+psycopg://…",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("init", help="create the central store and the centre's keys")
    p.add_argument("--name", default="Central consultation unit")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser(
        "upgrade",
        help="migrate the central store to this program's schema (back a PostgreSQL one up first)",
    )
    p.add_argument("--yes", action="store_true", help="migrate without asking")
    p.set_defaults(func=cmd_upgrade)

    trust = sub.add_parser("trust", help="the borough devices whose bundles are accepted")
    t = trust.add_subparsers(dest="trust_command", required=True, metavar="ACTION")
    p = t.add_parser("add", help="trust a device's public key (a line or a file)")
    p.add_argument("--borough", required=True)
    p.add_argument("--officer", required=True)
    p.add_argument("key")
    p.set_defaults(func=cmd_trust_add)
    p = t.add_parser("list")
    p.set_defaults(func=cmd_trust_list)
    p = t.add_parser("revoke")
    p.add_argument("fingerprint")
    p.add_argument("--reason", default="", help="why (kept in the audit trail)")
    p.set_defaults(func=cmd_trust_revoke)
    p = t.add_parser("export-allowed-signers", help="an OpenSSH allowed_signers file")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_allowed_signers)

    key = sub.add_parser("key", help="the central unit's own keys")
    k = key.add_subparsers(dest="key_command", required=True, metavar="ACTION")
    p = k.add_parser(
        "export-age-identity",
        help="write the secret age identity to a new file (mode 0600), for age -d -i",
    )
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--yes", action="store_true", help="write without asking")
    p.set_defaults(func=cmd_key_export_age_identity)

    p = sub.add_parser("merge", help="merge bundles, each in one transaction, and write receipts")
    p.add_argument("bundles", nargs="+", metavar="BUNDLE")
    p.add_argument("--receipts", metavar="DIR", help="write signed receipts here")
    p.set_defaults(func=cmd_merge)

    conflicts = sub.add_parser("conflicts", help="concurrent edits kept for review")
    c = conflicts.add_subparsers(dest="conflicts_command", required=True, metavar="ACTION")
    p = c.add_parser("list")
    p.add_argument("--all", action="store_true", help="resolved ones too")
    p.set_defaults(func=cmd_conflicts_list)
    p = c.add_parser("resolve")
    p.add_argument("id", type=int)
    p.add_argument("--keep", required=True, choices=["local", "incoming"])
    p.set_defaults(func=cmd_conflicts_resolve)

    p = sub.add_parser("gaps", help="bundle numbers never received, per device")
    p.set_defaults(func=cmd_gaps)
    p = sub.add_parser("status", help="what the centre holds, and each borough's deletions")
    p.add_argument(
        "--period", help="the deletions of 2026-11, 2026Q3 or 2026 (default: this quarter)"
    )
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("report", help="the indicators London-wide and borough by borough")
    p.add_argument(
        "--period",
        "--quarter",  # as `print return` once named it
        dest="period",
        help="2026-11, 2026Q3 or 2026 (default: this quarter)",
    )
    p.add_argument("--format", choices=["text", "csv", "xlsx"], type=str.lower)
    p.add_argument("-o", "--output", metavar="FILE")
    p.add_argument("--borough", action="append", default=[], help="only these (repeatable)")
    p.add_argument("--fatigue-threshold", type=int, default=3, metavar="N")
    p.set_defaults(func=cmd_report)
    reports.add_baseline_commands(p, _london_scope, "London's")

    reference = sub.add_parser("reference", help="the signed reference bundle for boroughs")
    r = reference.add_subparsers(dest="reference_command", required=True, metavar="ACTION")
    p = r.add_parser("export")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_reference_export)

    privacy = sub.add_parser("privacy", help="data protection at the centre: subject access")
    actions = privacy.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    privacy_sar.add_actions(actions, sar=cmd_privacy_sar)
    central_followup.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser(), argv, Context(_open))


if __name__ == "__main__":
    sys.exit(main())
