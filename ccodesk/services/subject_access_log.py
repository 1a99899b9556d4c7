"""The subject access request log: requests received, when each is due, when answered.

A request is logged when it is received (`log_request`): its due date is one calendar month
later, the same day of the month or the month's last day when it has fewer days (31 Jan ->
28 Feb, or 29 in a leap year; UK GDPR article 12(3), as the ICO counts it). It is answered
by `subject_access_answer.answer_request`. The dashboard lists the open ones
(`requests_due`); this module loads no PDF machinery, so the dashboard stays light.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.errors import ValidationError
from ccodesk.models import AuditEvent, SubjectAccessRequest
from ccodesk.services.person_match import SearchTerms, fold
from ccodesk.words import plural


def due_date(received: dt.date) -> dt.date:
    """One calendar month after `received`: the same day of the month, or the last day of a
    shorter month (31 Jan -> 28 or 29 Feb; 31 Mar -> 30 Apr)."""
    year, month = (received.year + 1, 1) if received.month == 12 else (
        received.year, received.month + 1
    )  # fmt: skip
    return dt.date(year, month, min(received.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class RequestRow:
    """One line of the request log."""

    id: int
    kind: str
    received_on: dt.date
    due_on: dt.date
    requester: str
    terms: tuple[str, ...]
    answered_on: dt.date | None
    items_found: int | None
    officer: str

    def state(self, today: dt.date) -> str:
        """ "answered 03 Dec 2026", "OVERDUE by 2 days", "due today", "due in 5 days"."""
        if self.answered_on is not None:
            return f"answered {self.answered_on:%d %b %Y}"
        days = (self.due_on - today).days
        if days < 0:
            return f"OVERDUE by {plural(-days, 'day')}"
        return "due today" if days == 0 else f"due in {plural(days, 'day')}"


def row_of(r: SubjectAccessRequest) -> RequestRow:
    return RequestRow(
        r.id,
        r.kind,
        r.received_on,
        r.due_on,
        r.requester,
        tuple(t for t in (r.terms or []) if isinstance(t, str)),
        r.answered_on,
        r.items_found,
        r.officer,
    )


def audit_change(
    session: Session, request: SubjectAccessRequest, action: str, changes: list[str]
) -> None:
    """Note the log's change in the audit trail (no names: the request row holds those)."""
    if "device_id" not in session.info:  # not a store's session (a bare engine's): no trail
        return
    session.add(
        AuditEvent(
            at=dt.datetime.now(),
            device_id=session.info["device_id"],
            officer=session.info.get("officer", ""),
            entity="subject_access_request",
            entity_id=str(request.id),
            action=action,
            changes=changes,
        )
    )


def log_request(
    session: Session, terms: SearchTerms, received_on: dt.date, *, officer: str = ""
) -> RequestRow:
    """Log a subject access request received on `received_on` (open, due a month later)."""
    terms = terms.checked()
    if received_on > dt.date.today() + dt.timedelta(days=1):
        raise ValidationError(f"the request cannot be received in the future ({received_on})")
    request = SubjectAccessRequest(
        kind="access",
        received_on=received_on,
        due_on=due_date(received_on),
        requester=terms.name or terms.email or terms.phone,
        terms=terms.as_list(),
        officer=officer,
        note="",
        extra={},
    )
    session.add(request)
    session.flush()
    audit_change(session, request, "create", ["received_on", "due_on"])
    return row_of(request)


def open_request_for(
    session: Session, terms: SearchTerms, received_on: dt.date | None = None
) -> RequestRow | None:
    """The oldest unanswered access request from the person these terms name (received on
    `received_on`, when given), if any."""
    terms = terms.checked()
    who = fold(terms.name or terms.email or terms.phone)
    query = select(SubjectAccessRequest).where(
        SubjectAccessRequest.kind == "access", SubjectAccessRequest.answered_on.is_(None)
    )
    if received_on is not None:
        query = query.where(SubjectAccessRequest.received_on == received_on)
    for r in session.scalars(
        query.order_by(SubjectAccessRequest.received_on, SubjectAccessRequest.id)
    ):
        if fold(r.requester) == who:
            return row_of(r)
    return None


def list_requests(session: Session, *, open_only: bool = False) -> list[RequestRow]:
    """The log, newest received first (`open_only`: the unanswered, soonest due first)."""
    query = select(SubjectAccessRequest)
    if open_only:
        query = query.where(SubjectAccessRequest.answered_on.is_(None)).order_by(
            SubjectAccessRequest.due_on, SubjectAccessRequest.id
        )
    else:
        query = query.order_by(
            SubjectAccessRequest.received_on.desc(), SubjectAccessRequest.id.desc()
        )
    return [row_of(r) for r in session.scalars(query)]


def requests_due(session: Session, today: dt.date) -> list[RequestRow]:
    """Unanswered requests due within a month of `today`, or overdue; soonest due first."""
    return [r for r in list_requests(session, open_only=True) if r.due_on <= due_date(today)]
