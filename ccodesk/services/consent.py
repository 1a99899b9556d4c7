"""Consent that means something (issue 15): a contact's consent history, and the one rule on
whether a person's details may be used.

Each step (given, renewed, withdrawn, objected, objection lifted) is a `ConsentEvent`; the
contact's own columns (`consent_given`, `consent_date`, `consent_scope`, `consent_expires`,
`objected_on`) hold the state the latest step left, written through the ORM so the store
stamps a new synced version of the contact (that version carries a shared contact's tombstone
to the centre when its consent ends: `sync.consent`).

`may_use(contact, day)` is the rule every list, pack, mail-out and export follows: a person's
details (role, e-mail, phone, address, needs, notes) are shown or printed only while their
consent is given, begun, unexpired and they have not objected. Their name stays in the
officer's own lists, greyed, so the consent can be renewed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from ccodesk.errors import NotFound, ValidationError
from ccodesk.models import (
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    Contact,
    DeviceState,
    Organisation,
)
from ccodesk.services.fields import assign_changed, get_live, live_by_id_start

EXPIRING_WITHIN = 30  # days: the dashboard's "expiring" window
SHOWN = 100  # people listed at most in each of the dashboard's consent boxes

# Ways an officer records a step now (the last is only for what the migration carried over).
METHODS = tuple(m for m in ConsentMethod if m != ConsentMethod.BEFORE_HISTORY)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


# -- the one rule ------------------------------------------------------------------------------


def may_use(contact: Contact, day: dt.date) -> bool:
    """True when this person's details may be shown, printed, mailed or exported on `day`."""
    return not contact.deleted and contact.consent_valid_on(day)


def usable_on(day: dt.date) -> ColumnElement[bool]:
    """`may_use` as an SQL condition on `Contact`, for queries over many contacts."""
    return and_(
        Contact.deleted.is_(False),
        Contact.consent_given.is_(True),
        Contact.objected_on.is_(None),
        or_(Contact.consent_date.is_(None), Contact.consent_date <= day),
        or_(Contact.consent_expires.is_(None), Contact.consent_expires >= day),
    )


def withheld_because(contact: Contact, day: dt.date, last: ConsentEventKind | None = None) -> str:
    """Why a person's details are withheld on `day`, in a few words ("" when they are not).

    `last` is the kind of the latest step of their history, when known: it tells a
    withdrawn consent from one never given.
    """
    if contact.deleted:
        return "deleted"
    if contact.objected_on is not None:
        return f"objects to processing since {_day(contact.objected_on)}"
    if not contact.consent_given:
        return "consent withdrawn" if last == ConsentEventKind.WITHDRAWN else "no consent recorded"
    if contact.consent_date is not None and contact.consent_date > day:
        return f"consent starts on {_day(contact.consent_date)}"
    if contact.consent_expires is not None and contact.consent_expires < day:
        return f"consent expired on {_day(contact.consent_expires)}"
    return ""


def latest_kinds(session: Session, contact_ids: list[str]) -> dict[str, ConsentEventKind]:
    """The kind of each contact's latest consent step (contacts with no history left out)."""
    if not contact_ids:
        return {}
    newest = (
        select(ConsentEvent.contact_id, func.max(ConsentEvent.id).label("id"))
        .where(ConsentEvent.contact_id.in_(contact_ids))
        .group_by(ConsentEvent.contact_id)
        .subquery()
    )
    rows = session.execute(
        select(ConsentEvent.contact_id, ConsentEvent.kind).join(
            newest, newest.c.id == ConsentEvent.id
        )
    )
    return {cid: kind for cid, kind in rows}


# -- the history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentLine:
    """One step of a contact's consent history, as the editor lists it."""

    id: int
    kind: ConsentEventKind
    on: dt.date
    scope: str
    expires_on: dt.date | None
    method: ConsentMethod
    officer: str
    note: str
    recorded_at: dt.datetime


def history(session: Session, contact_id: str) -> list[ConsentLine]:
    """A contact's consent history, oldest first (in the order it was recorded)."""
    rows = session.scalars(
        select(ConsentEvent).where(ConsentEvent.contact_id == contact_id).order_by(ConsentEvent.id)
    )
    return [
        ConsentLine(
            e.id, e.kind, e.on, e.scope, e.expires_on, e.method, e.officer, e.note, e.recorded_at
        )
        for e in rows
    ]


@dataclass(frozen=True)
class ConsentStep:
    """A step the officer records: what happened, on which day, and how it was recorded."""

    kind: ConsentEventKind
    on: dt.date
    method: ConsentMethod
    scope: str = ""
    expires_on: dt.date | None = None
    note: str = ""


def _officer(session: Session) -> str:
    state = session.scalars(select(DeviceState)).first()
    return state.officer_name if state else ""


def check_step(
    contact: Contact, step: ConsentStep, day: dt.date, last: ConsentEvent | None
) -> list[str]:
    """What is wrong with recording `step` for `contact` on `day`, in plain words."""
    kind, problems = step.kind, []
    if step.on > day:
        problems.append(f"{_day(step.on)} is in the future (today is {_day(day)})")
    if last is not None and step.on < last.on:
        problems.append(
            f"the last step of this person's consent history is dated {_day(last.on)}; "
            "a new step cannot be dated before it"
        )
    if step.method == ConsentMethod.BEFORE_HISTORY:
        problems.append("say how this was recorded (signed form, e-mail, verbally or online)")
    if kind in (ConsentEventKind.GIVEN, ConsentEventKind.RENEWED):
        if step.expires_on is not None and step.expires_on < step.on:
            what = "given" if kind == ConsentEventKind.GIVEN else "renewed"
            problems.append(
                f"consent cannot expire ({_day(step.expires_on)}) before it was {what} "
                f"({_day(step.on)})"
            )
        if contact.objected_on is not None:
            problems.append(
                f"this person objects to processing (since {_day(contact.objected_on)}): "
                "record the objection lifted first"
            )
    elif step.expires_on is not None:
        problems.append(f"{kind.label.lower()} has no expiry date")
    if kind == ConsentEventKind.GIVEN and not step.scope.strip():
        problems.append("say what the consent covers (its scope)")
    if kind == ConsentEventKind.RENEWED and not contact.consent_given:
        if last is not None and last.kind == ConsentEventKind.WITHDRAWN:
            problems.append(
                f"consent was withdrawn on {_day(last.on)}: a withdrawn consent cannot be "
                "renewed; record consent given anew"
            )
        else:
            problems.append("there is no consent to renew: record consent given")
    if (
        kind == ConsentEventKind.RENEWED
        and contact.consent_given
        and contact.consent_date is not None
        and step.on < contact.consent_date
    ):
        problems.append(
            f"a renewal cannot be dated before the consent it renews ({_day(contact.consent_date)})"
        )
    if kind == ConsentEventKind.WITHDRAWN and not contact.consent_given:
        problems.append("there is no consent to withdraw")
    if kind == ConsentEventKind.OBJECTED and contact.objected_on is not None:
        problems.append(f"this person already objects (since {_day(contact.objected_on)})")
    if kind == ConsentEventKind.OBJECTION_LIFTED and contact.objected_on is None:
        problems.append("this person has no objection to lift")
    return problems


def _state_after(contact: Contact, step: ConsentStep) -> dict[str, Any]:
    """The contact's consent columns once `step` is recorded."""
    kind = step.kind
    if kind in (ConsentEventKind.GIVEN, ConsentEventKind.RENEWED):
        return {
            "consent_given": True,
            "consent_date": step.on,
            "consent_scope": step.scope.strip() or contact.consent_scope,
            "consent_expires": step.expires_on,
        }
    if kind == ConsentEventKind.WITHDRAWN:
        # sharing needs consent (directory.validate_contact): withdrawn, it ends too
        return {
            "consent_given": False,
            "consent_date": None,
            "consent_scope": "",
            "consent_expires": None,
            "shareable": False,
        }
    if kind == ConsentEventKind.OBJECTED:
        # nothing of theirs may be sent: unshared, the centre's copy goes (a tombstone); once
        # the objection is lifted the officer shares them again if they agree
        return {"objected_on": step.on, "shareable": False}
    return {"objected_on": None}


def _last_event(session: Session, contact_id: str) -> ConsentEvent | None:
    return session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.contact_id == contact_id)
        .order_by(ConsentEvent.id.desc())
        .limit(1)
    ).first()


def record_consent(
    session: Session,
    contact_id: str,
    step: ConsentStep,
    *,
    day: dt.date,
    officer: str | None = None,
) -> int:
    """Record one step of a contact's consent and bring its consent columns up to date.

    `day` is today (the officer's calendar); a step dated after it is refused. Returns the
    new event's id. Bad input: a ValidationError listing every problem, nothing written.
    """
    contact = get_live(session, Contact, contact_id, "contact")
    last = _last_event(session, contact_id)
    problems = check_step(contact, step, day, last)
    if problems:
        raise ValidationError(problems)
    state = _state_after(contact, step)
    event = ConsentEvent(
        contact_id=contact.id,
        kind=step.kind,
        on=step.on,
        scope=str(state.get("consent_scope", "")),
        expires_on=step.expires_on,
        method=step.method,
        recorded_at=dt.datetime.now().replace(microsecond=0),
        officer=(officer if officer is not None else _officer(session)).strip(),
        note=step.note.strip(),
    )
    session.add(event)
    assign_changed(contact, state)  # through the ORM: a new synced version of the contact
    session.flush()
    return event.id


# -- what the contact form changes -------------------------------------------------------------


@dataclass(frozen=True)
class ConsentState:
    """The consent columns of a contact, compared before and after a save."""

    given: bool
    on: dt.date | None
    scope: str
    expires_on: dt.date | None

    @classmethod
    def of(cls, contact: Contact) -> ConsentState:
        return cls(
            bool(contact.consent_given),
            contact.consent_date,
            contact.consent_scope or "",
            contact.consent_expires,
        )


def step_for_change(
    before: ConsentState | None,
    after: ConsentState,
    *,
    method: ConsentMethod,
    note: str,
    day: dt.date,
) -> ConsentStep | None:
    """The history step that a save of the contact's consent columns amounts to (None when
    consent did not change): given, renewed (the date moved on), or withdrawn (today)."""
    if before == after or (before is None and not after.given):
        return None
    if not after.given:
        if before is None or not before.given:
            return None
        return ConsentStep(ConsentEventKind.WITHDRAWN, day, method, note=note)
    kind = ConsentEventKind.GIVEN
    if (
        before is not None
        and before.given
        and before.on is not None
        and after.on is not None
        and after.on > before.on
    ):
        kind = ConsentEventKind.RENEWED
    return ConsentStep(
        kind, after.on or day, method, scope=after.scope, expires_on=after.expires_on, note=note
    )


def write_step(session: Session, contact_id: str, step: ConsentStep) -> None:
    """Add `step` to a contact's history as it is, the columns already saved (save_contact)."""
    session.add(
        ConsentEvent(
            contact_id=contact_id,
            kind=step.kind,
            on=step.on,
            scope=step.scope.strip(),
            expires_on=step.expires_on,
            method=step.method,
            recorded_at=dt.datetime.now().replace(microsecond=0),
            officer=_officer(session),
            note=step.note.strip(),
        )
    )


# -- consents running out: the dashboard -------------------------------------------------------


@dataclass(frozen=True)
class ConsentDue:
    """A person whose consent expires soon, or has expired."""

    contact_id: str
    name: str
    organisation: str
    expires_on: dt.date


def _running_out() -> Any:
    return (
        select(Contact.id, Contact.name, Organisation.name, Contact.consent_expires)
        .outerjoin(Organisation, Organisation.id == Contact.organisation_id)
        .where(
            Contact.deleted.is_(False),
            Contact.objected_on.is_(None),
            Contact.consent_given.is_(True),
        )
    )


def _count() -> Any:
    return (
        select(func.count())
        .select_from(Contact)
        .where(
            Contact.deleted.is_(False),
            Contact.objected_on.is_(None),
            Contact.consent_given.is_(True),
        )
    )


def _due(rows: Any) -> list[ConsentDue]:
    return [ConsentDue(i, n, o or "", e) for i, n, o, e in rows]


def expiring(
    session: Session, day: dt.date, within: int = EXPIRING_WITHIN, *, limit: int = SHOWN
) -> list[ConsentDue]:
    """Live contacts, not objecting, whose consent expires in [day, day + within]: soonest
    first."""
    last = day + dt.timedelta(days=within)
    window = and_(Contact.consent_expires >= day, Contact.consent_expires <= last)
    query = _running_out().where(window)
    order = (Contact.consent_expires, Contact.name, Contact.id)
    return _due(session.execute(query.order_by(*order).limit(limit)))


def count_expiring(session: Session, day: dt.date, within: int = EXPIRING_WITHIN) -> int:
    last = day + dt.timedelta(days=within)
    query = _count().where(Contact.consent_expires >= day, Contact.consent_expires <= last)
    return int(session.execute(query).scalar_one())


def expired(session: Session, day: dt.date, *, limit: int = SHOWN) -> list[ConsentDue]:
    """Live contacts, not objecting, whose consent expired before `day`: the most recently
    expired first (the likeliest to renew)."""
    query = _running_out().where(Contact.consent_expires < day)
    return _due(
        session.execute(
            query.order_by(Contact.consent_expires.desc(), Contact.name, Contact.id).limit(limit)
        )
    )


def count_expired(session: Session, day: dt.date) -> int:
    return int(session.execute(_count().where(Contact.consent_expires < day)).scalar_one())


@dataclass(frozen=True)
class RunningOut:
    """The Dashboard's two consent boxes: the people shown in each, and how many in all."""

    expiring: list[ConsentDue]
    expiring_total: int
    expired: list[ConsentDue]
    expired_total: int


def running_out(
    session: Session, day: dt.date, within: int = EXPIRING_WITHIN, *, limit: int = SHOWN
) -> RunningOut:
    """`expiring` and `expired` (in their order) with their counts, in two passes, not four.

    With no index on `consent_expires` each of those queries scans every contact. Here the
    first scan counts the consents ending by `day + within` per day: that gives both totals,
    and the days the lines shown reach (the soonest `limit` expiring, the latest `limit`
    expired); the second reads only the people of those days.
    """
    last = day + dt.timedelta(days=within)
    ending = and_(
        Contact.deleted.is_(False),
        Contact.objected_on.is_(None),
        Contact.consent_given.is_(True),
        Contact.consent_expires <= last,
    )
    per_day = session.execute(
        select(Contact.consent_expires, func.count())
        .where(ending)
        .group_by(Contact.consent_expires)
        .order_by(Contact.consent_expires)
    ).all()
    soon_days = [(d, n) for d, n in per_day if d is not None and d >= day]
    over_days = [(d, n) for d, n in reversed(per_day) if d is not None and d < day]
    reach_soon, reach_over = _reach(soon_days, limit), _reach(over_days, limit)
    wanted = []
    if reach_soon is not None:
        wanted.append(Contact.consent_expires.between(day, reach_soon))
    if reach_over is not None:
        wanted.append(Contact.consent_expires.between(reach_over, day - dt.timedelta(days=1)))
    people: list[ConsentDue] = []
    if wanted:
        people = _due(session.execute(_running_out().where(ending, or_(*wanted))))
    soon = sorted(
        (p for p in people if p.expires_on >= day),
        key=lambda p: (p.expires_on, p.name, p.contact_id),
    )
    over = sorted((p for p in people if p.expires_on < day), key=lambda p: (p.name, p.contact_id))
    over.sort(key=lambda p: p.expires_on, reverse=True)  # latest first, by name within a day
    return RunningOut(
        soon[:limit], sum(n for _d, n in soon_days), over[:limit], sum(n for _d, n in over_days)
    )


def _reach(days: list[tuple[dt.date, int]], limit: int) -> dt.date | None:
    """The last of `days` (in the order given) needed for `limit` people (None: no day)."""
    seen, reached = 0, None
    for when, count in days:
        if seen >= limit:
            break
        seen, reached = seen + count, when
    return reached


def renewal_defaults(session: Session, contact_id: str, day: dt.date) -> ConsentStep:
    """What the Renew dialog starts from: today, the same scope, the same length as before
    (a year when the consent had no end)."""
    contact = get_live(session, Contact, contact_id, "contact")
    length = dt.timedelta(days=365)
    if contact.consent_date and contact.consent_expires:
        length = max(contact.consent_expires - contact.consent_date, dt.timedelta(days=1))
    return ConsentStep(
        ConsentEventKind.RENEWED,
        day,
        ConsentMethod.WRITTEN,
        scope=contact.consent_scope,
        expires_on=day + length,
    )


def check_new_contact_step(step: ConsentStep, day: dt.date) -> list[str]:
    """What is wrong with `step` as the first step of a contact not saved yet."""
    return check_step(Contact(consent_given=False), step, day, None)


@dataclass(frozen=True)
class ConsentSummary:
    """A contact's consent as the contact form shows it: where it stands, and how it got there."""

    name: str
    given: bool
    objected: bool
    usable: bool  # `may_use` today
    state: str  # "Valid until 3 Mar 2027: contact about consultation", "Expired on …", …
    history: list[ConsentLine]
    renewal: ConsentStep  # what the Renew dialog starts from


def describe_state(contact: Contact, day: dt.date, last: ConsentEventKind | None) -> str:
    """Where a contact's consent stands on `day`, in a sentence."""
    why = withheld_because(contact, day, last)
    if why:
        return why[:1].upper() + why[1:] + ": details withheld from lists, packs and exports"
    scope = f" ({contact.consent_scope})" if contact.consent_scope else ""
    if contact.consent_expires is None:
        return f"Consent valid, with no end date{scope}"
    return f"Consent valid until {_day(contact.consent_expires)}{scope}"


def summary(session: Session, contact_id: str, day: dt.date) -> ConsentSummary:
    """Where a contact's consent stands on `day`, its history, and the renewal to suggest."""
    contact = get_live(session, Contact, contact_id, "contact")
    lines = history(session, contact_id)
    last = lines[-1].kind if lines else None
    return ConsentSummary(
        name=contact.name,
        given=bool(contact.consent_given),
        objected=contact.objected_on is not None,
        usable=may_use(contact, day),
        state=describe_state(contact, day, last),
        history=lines,
        renewal=renewal_defaults(session, contact_id, day),
    )


def contact_named(session: Session, text: str) -> tuple[str, str]:
    """The (id, name) of the live contact with this id (or a unique start of one), or whose
    name is (or, when only one does, contains) `text`; NotFound, in plain words, otherwise."""
    found = live_by_id_start(session, Contact, text.strip())
    if found is not None:
        return found.id, found.name
    matches = session.execute(
        select(Contact.id, Contact.name)
        .where(Contact.deleted.is_(False), Contact.name.ilike(f"%{text.strip()}%"))
        .order_by(Contact.name)
        .limit(6)
    ).all()
    exact = [(i, n) for i, n in matches if n.casefold() == text.strip().casefold()]
    if len(exact) == 1 or len(matches) == 1:
        i, n = (exact or matches)[0]
        return str(i), str(n)
    if not matches:
        raise NotFound(f"No contact is called {text!r}.")
    names = "; ".join(n for _i, n in matches[:5])
    raise NotFound(f"{text!r} matches several contacts ({names}); give the id or the full name.")
