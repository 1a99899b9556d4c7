"""Which contacts' personal details may leave this device, and withdrawing those that may no
longer (docs/bundle-format.md, "Contacts and consent").

A contact's details (`records.PERSONAL`) leave only while it is marked shareable **and** its
consent is given and not expired (`Contact.consent_valid_on`); otherwise an export sends a
tombstone in its place, so the centre keeps nothing of the person.

Consent also lapses with no edit: the day after `consent_expires`, nothing about the row has
changed, so a cumulative export would not send it again, and a tombstone with the same
version vector would be "already had" at the centre. So before each export `refresh_consent`
stamps a new local version of every shareable contact whose consent started or ended since
its stored version was stamped: that version is then in the bundle, as a tombstone (consent
ended, and the centre deletes its copy) or with its details (consent dated ahead has begun).
An objection to processing (`Contact.objected_on`) counts as consent ending on that day.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from ccodesk.models import Contact


def today() -> dt.date:
    """The day consent is judged on (the device's calendar)."""
    return dt.date.today()


def sendable_contacts(session: Session, day: dt.date) -> set[str]:
    """Ids of the live contacts whose personal details may leave the device on `day`."""
    rows = session.execute(
        select(
            Contact.id, Contact.consent_given, Contact.consent_date, Contact.consent_expires
        ).where(
            Contact.shareable.is_(True),
            Contact.deleted.is_(False),
            Contact.objected_on.is_(None),  # an objection stops their details being sent
        )
    )
    return {cid for cid, given, since, expires in rows if _valid(given, since, expires, day)}


def _valid(given: bool, since: dt.date | None, expires: dt.date | None, day: dt.date) -> bool:
    # the rule of Contact.consent_valid_on, on plain columns
    if not given:
        return False
    if since is not None and since > day:
        return False
    return expires is None or expires >= day


def _stamped_on(hlc: str) -> dt.date | None:
    """The day (this device's calendar, as `today`) of a clock stamp `wall_ms.counter.device`."""
    try:
        wall_ms = int(hlc.split(".", 1)[0])
        return dt.datetime.fromtimestamp(wall_ms / 1000).date()
    except (ValueError, OverflowError, OSError):
        return None


def refresh_consent(session: Session, day: dt.date) -> int:
    """Stamp a new version of each shareable contact whose consent began or ended since its
    stored version; and unshare those marked shareable with no consent at all, or who object
    to processing.

    A contact marked shareable without consent can only come from an older ccodesk (the
    editor refuses it), which sent its details: unsharing it is the edit the editor would
    insist on, and its tombstone withdraws the details at the centre. Returns how many
    contacts changed.
    """
    changed = 0
    for contact in session.scalars(
        select(Contact).where(Contact.shareable.is_(True), Contact.deleted.is_(False))
    ):
        if not contact.consent_given or contact.objected_on is not None:
            # no consent, or the person objects (`services.consent` unshares them when the
            # objection is recorded; one written any other way is caught here): unsharing
            # stamps a version, and its tombstone withdraws the details at the centre
            contact.shareable = False
            changed += 1
            continue
        stamped = _stamped_on(contact.hlc) or dt.date.min
        # an objection: from that day their details must not be sent (a tombstone goes)
        turns = [contact.consent_date, contact.objected_on]
        if contact.consent_expires is not None and contact.consent_expires < dt.date.max:
            turns.append(contact.consent_expires + dt.timedelta(days=1))
        if any(turn is not None and stamped < turn <= day for turn in turns):
            # nothing the officer typed changed: a new version so the bundle carries it
            flag_modified(contact, "consent_expires")
            changed += 1
    if changed:
        session.flush()
    return changed
