"""A person's objection to processing (UK GDPR article 21; DPA 2018 Schedule 1 paragraph 8(3)
for equality monitoring): their details are kept for the legal minimum but not used or sent.

Both record a step of the consent history through `services.consent.record_consent` (the one
place consent changes) and an entry in the subject access log (kind "objection").
`object_to_processing` sets `Contact.objected_on`, so `consent_valid_on` is False and the
contact counts as without consent wherever consent is checked; it also unshares them, so
sync/consent.py sends a tombstone in place of their details and the centre's copy goes too.
`lift_objection` clears it; sharing them again is the officer's choice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ccodesk.errors import KnownError
from ccodesk.models import (
    ConsentEventKind,
    ConsentMethod,
    Contact,
    SubjectAccessRequest,
)
from ccodesk.services.consent import ConsentStep, record_consent
from ccodesk.services.fields import get_live


def object_to_processing(
    session: Session,
    contact_id: str,
    on: dt.date,
    note: str = "",
    *,
    officer: str = "",
    method: ConsentMethod = ConsentMethod.WRITTEN,
) -> Contact:
    """Record that the person objected on `on`: their details stop being used or sent (and
    the contact is no longer shared; sharing again is the officer's choice once lifted)."""
    contact = get_live(session, Contact, contact_id, "contact")
    if contact.objected_on is not None:
        raise KnownError(
            f"{contact.name} already objects to processing (since "
            f"{contact.objected_on:%d %B %Y}); nothing was changed."
        )
    step = ConsentStep(ConsentEventKind.OBJECTED, on, method, note=note)
    record_consent(session, contact_id, step, day=dt.date.today(), officer=officer)
    session.add(
        SubjectAccessRequest(
            kind="objection",
            received_on=on,
            due_on=on + dt.timedelta(days=30),
            requester=contact.name,
            terms=[],
            answered_on=dt.date.today(),
            officer=officer,
            note=note,
        )
    )
    session.flush()
    return contact


def lift_objection(
    session: Session,
    contact_id: str,
    on: dt.date,
    note: str = "",
    *,
    officer: str = "",
    method: ConsentMethod = ConsentMethod.WRITTEN,
) -> Contact:
    """Record that the person withdrew their objection on `on` (their consent, if any and
    still valid, applies again)."""
    contact = get_live(session, Contact, contact_id, "contact")
    if contact.objected_on is None:
        raise KnownError(f"{contact.name} does not object to processing; nothing was changed.")
    step = ConsentStep(ConsentEventKind.OBJECTION_LIFTED, on, method, note=note)
    record_consent(session, contact_id, step, day=dt.date.today(), officer=officer)
    return contact
