"""`ccodesk-cli privacy …`: data protection from the command line (issue 15).

See docs/data-protection.md.

The group only; each part of it registers its own actions (`add_actions(actions)`): the
retention schedule (due, purge), subject access (sar) and a person's erasure and objection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ccodesk.cli import privacy_consent, privacy_person, privacy_retention, privacy_sar

# each part's `add_actions`, in the order `privacy --help` lists them
PARTS: tuple[Callable[[Any], None], ...] = (
    privacy_retention.add_actions,
    privacy_consent.add_actions,
    privacy_sar.add_actions,
    privacy_person.add_actions,
)


def add_commands(sub: Any) -> None:
    """Register `privacy …` on the `ccodesk-cli` subcommand parser `sub`."""
    privacy = sub.add_parser(
        "privacy",
        help="data protection: what the retention schedule makes due, subject access, erasure",
    )
    actions = privacy.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    for add_actions in PARTS:
        add_actions(actions)
