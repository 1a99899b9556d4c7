"""`ccodesk-cli privacy erase|object`: erase a person, or record their objection to processing
(issue 15; docs/data-protection.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import TYPE_CHECKING, Any

from ccodesk.cli.arguments import date
from ccodesk.cli.context import Context
from ccodesk.errors import KnownError
from ccodesk.terminal import printable
from ccodesk.words import plural

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ccodesk.store import Store


def _contact_id(session: Session, args: argparse.Namespace) -> str:
    """The contact named by --contact (an id, or its start) or by NAME; an ambiguous or
    unknown name is a KnownError listing what it could mean."""
    from ccodesk.models import Contact
    from ccodesk.services.erasure import people_named
    from ccodesk.services.fields import live_by_id_start

    if args.contact:
        found = session.get(Contact, args.contact) or live_by_id_start(
            session, Contact, args.contact
        )
        if found is None:
            raise KnownError(f"No contact has the id {args.contact!r}.")
        return found.id
    if not args.name:
        raise KnownError('Name the person ("NAME") or give --contact ID.')
    matches = people_named(session, args.name)
    if not matches:
        raise KnownError(f"No contact is called {args.name!r}; nothing was changed.")
    if len(matches) > 1:
        lines = [
            f"  {m.id}  {printable(m.name)}"
            + (f" <{printable(m.email)}>" if m.email else "")
            + (f", {printable(m.organisation)}" if m.organisation else "")
            + (" (deleted)" if m.deleted else "")
            for m in matches
        ]
        raise KnownError(
            f"{plural(len(matches), 'contact')} match {args.name!r}; nothing was changed. "
            "Choose one with --contact ID:\n" + "\n".join(lines)
        )
    return matches[0].id


def cmd_erase(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services.erasure import already_erased, erase_and_scrub, erasure_preview

    with context.open_store(args) as store:
        with store.session() as s:
            contact_id = _contact_id(s, args)
            finishing = already_erased(s, contact_id)
        if finishing:  # a rewrite that failed before (a full disk): finish it
            erase_and_scrub(store, contact_id, progress=context.progress("Rewriting the store"))
            print("That contact was already erased; the store is now rewritten without them.")
            return 0
        with store.session() as s:
            preview = erasure_preview(s, contact_id)
        print(f"Erasing {printable(preview.name)} removes, on this device and at the centre:")
        for words, count in preview.lines():
            print(f"  {words}: {count}")
        print(
            "Aggregate attendance counts stay. A deletion record (no personal data) and a line "
            "in the subject access log are kept. This cannot be undone."
        )
        if not args.yes:
            if not sys.stdin.isatty():
                raise KnownError("Nothing was erased: no terminal to confirm on (pass --yes).")
            if input("Erase this person? [y/N] ").strip().lower() not in ("y", "yes"):
                raise KnownError("Nothing was erased.")
        result = erase_and_scrub(
            store, preview.contact_id, args.note, progress=context.progress("Erasing")
        )
    seconds = result.scrub.total if result.scrub else 0.0
    print(
        f"Erased: {plural(sum(result.counts.values()), 'item')}"
        + (
            f", {plural(result.redacted_events, 'audit summary', 'audit summaries')} blanked"
            if result.redacted_events
            else ""
        )
        + f"; the store was rewritten without the old text ({seconds:.1f} s). "
        "The next sync export takes the erasure to the centre."
    )
    if result.backups:
        print(result.backups_note())
    return 0


def cmd_object(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services.objection import lift_objection, object_to_processing

    on = args.on or dt.date.today()
    with context.open_store(args) as store, store.transaction() as s:
        contact_id = _contact_id(s, args)
        if args.lift:
            contact = lift_objection(s, contact_id, on, args.note, officer=store.officer_name)
            print(
                f"{printable(contact.name)} no longer objects to processing (from {on:%d %B %Y})."
            )
        else:
            contact = object_to_processing(s, contact_id, on, args.note, officer=store.officer_name)
            print(
                f"{printable(contact.name)} objects to processing from {on:%d %B %Y}: their "
                "details are kept but not used or sent; the next sync export withdraws them "
                "from the centre."
            )
    return 0


def _who(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", metavar="NAME", help="the person's name, as recorded")
    p.add_argument("--contact", metavar="ID", help="the contact's id (or its first characters)")
    p.add_argument("--note", default="", help="a note for the log (no personal details needed)")


def add_actions(actions: Any) -> None:
    """Register `privacy erase` and `privacy object` on the `privacy` group's parser."""
    p = actions.add_parser(
        "erase",
        help="erase a person's details everywhere on this device and, through sync, the centre",
    )
    _who(p)
    p.add_argument("--yes", action="store_true", help="erase without asking")
    p.set_defaults(func=cmd_erase)
    p = actions.add_parser(
        "object", help="record that a person objects to processing (or --lift the objection)"
    )
    _who(p)
    p.add_argument("--lift", action="store_true", help="the person withdraws the objection")
    p.add_argument("--on", type=date, help="the day of the objection (default: today)")
    p.set_defaults(func=cmd_object)
