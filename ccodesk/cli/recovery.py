"""`ccodesk-cli key export-database-key` and `ccodesk-cli export-plain`: recovery by IT.

Both write a file that opens the store's records without ccodesk; both say so, ask first
(unless --yes), write mode 0600 and never over an existing file. docs/user-guide.md,
"Recovering a store (for IT)".
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccodesk.cli.context import Context

if TYPE_CHECKING:
    from ccodesk.store import Store

PLAIN_WARNING = (
    "warning: {path} will hold every record of this store IN CLEAR: names, contact details, "
    "notes and equality monitoring counts (special-category personal data). Anyone who gets "
    "the file can read it all. Keep it on an encrypted disk, give it only to whoever needs "
    "it, and delete it when the recovery is done."
)
KEY_WARNING = (
    "This writes the store's database key to {path}: whoever has the file and a copy of "
    "the store can read every record in it without ccodesk (special-category personal data)."
)


def _confirm(message: str, path: Path, assume_yes: bool) -> None:
    """Say what the file means and ask (KnownError, nothing written, when not confirmed)."""
    from ccodesk.terminal import confirm_file_write

    confirm_file_write(message.format(path=path), path, assume_yes)


def cmd_export_database_key(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.store.recovery import write_key_file

    path = Path(args.output).expanduser()
    with context.open_store(args) as store:
        _confirm(KEY_WARNING, path, args.yes)
        write_key_file(store, path)
    print(
        f"Wrote the database key to {path} (readable by you only). It opens {store.path} "
        "in a SQLCipher 4 shell: see 'Recovering a store' in the user guide."
    )
    return 0


def cmd_export_plain(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.store.recovery import export_plain

    path = Path(args.output).expanduser()
    with context.open_store(args) as store:
        _confirm(PLAIN_WARNING, path, args.yes)
        export_plain(store, path)
    print(f"Wrote an unencrypted copy of the store to {path} (readable by you only).")
    return 0


def add_commands(sub: Any, key_actions: Any) -> None:
    """Add `export-plain` to ccodesk-cli's subcommands and `export-database-key` to the
    actions of its `key` command."""
    p = key_actions.add_parser(
        "export-database-key",
        help="write the store's SQLCipher key to a new file (mode 0600), for IT's recovery",
    )
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--yes", action="store_true", help="write without asking")
    p.set_defaults(func=cmd_export_database_key)

    p = sub.add_parser(
        "export-plain",
        help="write an UNENCRYPTED SQLite copy of the store (mode 0600), for IT's recovery",
    )
    p.add_argument("-o", "--output", required=True, metavar="FILE.db")
    p.add_argument("--yes", action="store_true", help="write without asking")
    p.set_defaults(func=cmd_export_plain)
