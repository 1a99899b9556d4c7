"""`ccodesk-cli sync …` and `ccodesk-cli key …`: the borough side of sync on the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccodesk.cli.context import Context, confirm_centre, confirm_secret_export
from ccodesk.terminal import printable
from ccodesk.words import plural

if TYPE_CHECKING:
    from ccodesk.store import Store


def cmd_export(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.sync.device import SyncError, centre_key
    from ccodesk.sync.export import export_bundle

    with context.open_store(args) as store:
        with store.session() as session:
            known = centre_key(session) is not None
        if not known and not args.unencrypted:  # the service's message, with this CLI's way
            raise SyncError(
                "No central unit is configured yet: import its reference bundle first "
                "(ccodesk-cli sync import FILE), or pass --unencrypted to write a bundle "
                "anyone can read."
            )
        if args.unencrypted:
            print("warning: --unencrypted: anyone who gets this file can read it.", file=sys.stderr)
        result = export_bundle(
            store,
            Path(args.output),
            full=args.full,
            recipients=args.recipient,
            unencrypted=args.unencrypted,
            progress=context.progress("export"),
        )
    where = (
        f"encrypted to {len(result.encrypted_to)} recipient"
        f"{'s' if len(result.encrypted_to) != 1 else ''}"
        if result.encrypted_to
        else "NOT encrypted"
    )
    print(
        f"Wrote bundle {result.seq} to {result.path}: {plural(result.records, 'record')} "
        f"(changes up to {result.through_seq:,}), signed, {where}."
    )
    return 0


def cmd_import(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.sync.receive import import_bundle

    with context.open_store(args) as store:
        result = import_bundle(store, Path(args.file), confirm_centre=confirm_centre(args.yes))
    print(printable(result.summary))
    return 0


def cmd_status(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.sync.device import sync_status

    with context.open_store(args) as store:
        status = sync_status(store)
    never = "never"
    centre = status.centre or "not configured (import its reference bundle)"
    print(printable(f"Central unit:       {centre}"))
    print(
        f"Last export:        {status.last_export_at:%Y-%m-%d %H:%M}"
        if status.last_export_at
        else f"Last export:        {never}"
    )
    print(f"Bundles exported:   {status.bundles_exported}")
    print(
        f"Last receipt:       {status.last_receipt_at:%Y-%m-%d %H:%M}"
        if status.last_receipt_at
        else f"Last receipt:       {never}"
    )
    print(f"Acknowledged up to: change {status.acked_seq:,} of {status.change_seq:,}")
    print(f"Awaiting the centre: {status.awaiting:,} change{'s' if status.awaiting != 1 else ''}")
    print(f"Open conflicts:     {status.open_conflicts}")
    return 0


def cmd_key_show(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.sync.device import centre_key, device_keys

    with context.open_store(args) as store:
        keys = device_keys(store)
        print(f"Device:          {store.device_id}")
        print(f"Signing key:     {keys.public_key}")
        print(f"Fingerprint:     {keys.fingerprint}")
        print(f"Age recipient:   {keys.age_recipient}")
        with store.session() as session:
            centre = centre_key(session)
            print(f"Centre (pinned): {centre.fingerprint if centre else 'none yet'}")
    return 0


def cmd_key_export(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.sync.device import write_public_key

    with context.open_store(args) as store:
        if args.output:
            write_public_key(store, Path(args.output))
            print(f"Wrote this device's public key to {args.output}.", file=sys.stderr)
        else:
            sys.stdout.write(store.public_key_openssh() + "\n")
    return 0


def cmd_key_export_age_identity(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.sync.device import device_identity
    from ccodesk.sync.keys import write_identity

    path = Path(args.output).expanduser()
    with context.open_store(args) as store:
        confirm_secret_export("this device's secret age identity", path, args.yes)
        write_identity(path, device_identity(store), f"{store.officer_name}'s device")
    print(f"Wrote this device's age identity to {path} (readable by you only).")
    return 0


def add_commands(sub: Any) -> Any:
    """Add `sync` and `key` to the CLI's subcommands; returns `key`'s actions, for more."""
    sync = sub.add_parser("sync", help="exchange signed, encrypted bundles with the centre")
    actions = sync.add_subparsers(dest="sync_command", required=True, metavar="ACTION")
    p = actions.add_parser("export", help="write every change the centre has not acknowledged")
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--full", action="store_true", help="everything, not only unacknowledged")
    p.add_argument(
        "--recipient",
        action="append",
        default=[],
        metavar="AGE_RECIPIENT",
        help="also encrypt to this age recipient (a colleague's device, a recovery key)",
    )
    p.add_argument(
        "--unencrypted", action="store_true", help="write without encryption (not recommended)"
    )
    p.set_defaults(func=cmd_export)
    p = actions.add_parser("import", help="import a receipt, reference or colleague's bundle")
    p.add_argument("file")
    p.add_argument("--yes", action="store_true", help="confirm a new centre key without asking")
    p.set_defaults(func=cmd_import)
    p = actions.add_parser("status", help="last export, last receipt, changes awaiting the centre")
    p.set_defaults(func=cmd_status)

    key = sub.add_parser("key", help="this device's keys")
    kactions = key.add_subparsers(dest="key_command", required=True, metavar="ACTION")
    p = kactions.add_parser("show", help="the signing key, fingerprint and age recipient")
    p.set_defaults(func=cmd_key_show)
    p = kactions.add_parser("export-public", help="the public key line for the centre's trust list")
    p.add_argument("-o", "--output", metavar="FILE")
    p.set_defaults(func=cmd_key_export)
    p = kactions.add_parser(
        "export-age-identity",
        help="write the secret age identity to a new file (mode 0600), for age -d -i",
    )
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--yes", action="store_true", help="write without asking")
    p.set_defaults(func=cmd_key_export_age_identity)
    return kactions
