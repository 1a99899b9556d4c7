"""The subject access request log, and answering a request with a PDF and a JSON file.

A request is logged when it is received (`log_request`): its due date is one calendar month
later, the same day of the month or the month's last day when it has fewer days (31 Jan ->
28 Feb, or 29 in a leap year; UK GDPR article 12(3), as the ICO counts it). Answering it
(`answer_request`) finds everything held (`subject_access.find_person`), writes the PDF and the
JSON into a folder (atomically; an existing file is refused unless `overwrite`), and marks the
request answered with the count of items found, all in one transaction: if a file cannot be
written the request stays open and nothing half-written is left.

The JSON is a documented structure (`FORMAT`, `FORMAT_VERSION`; see `answer_json`).
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.errors import KnownError, NotFound, ValidationError
from ccodesk.failures import os_reason
from ccodesk.fileio import atomic_create_bytes, atomic_write_bytes
from ccodesk.models import AuditEvent, SubjectAccessRequest
from ccodesk.printing.files import safe_name
from ccodesk.printing.subject_access import SubjectAccessReport, report_pdf
from ccodesk.services.subject_access import (
    THIRD_PARTY_NOTE,
    PersonFound,
    SearchTerms,
    find_person,
    fold,
)

FORMAT = "ccodesk-subject-access"
FORMAT_VERSION = 1


class AnswerNotWritten(KnownError):
    """The answer's files could not be written (they exist, no folder, no room, …)."""


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
        """ "answered 3 Dec 2026", "overdue (due 3 Dec 2026)", "open, due in 5 days", …"""
        if self.answered_on is not None:
            return f"answered {self.answered_on:%d %b %Y}"
        days = (self.due_on - today).days
        if days < 0:
            return f"OVERDUE by {days * -1} day{'s' if days != -1 else ''}"
        if days == 0:
            return "open, due today"
        return f"open, due in {days} day{'s' if days != 1 else ''}"


def _row(r: SubjectAccessRequest) -> RequestRow:
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


def _audit(
    session: Session, request: SubjectAccessRequest, action: str, changes: list[str]
) -> None:
    """Note the log's change in the audit trail (no names: the request row holds those)."""
    if "device_id" not in session.info:  # the central store keeps no audit trail of its own
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
    _audit(session, request, "create", ["received_on", "due_on"])
    return _row(request)


def open_request_for(session: Session, terms: SearchTerms) -> RequestRow | None:
    """The oldest unanswered access request from the person these terms name, if any."""
    terms = terms.checked()
    who = fold(terms.name or terms.email or terms.phone)
    for r in session.scalars(
        select(SubjectAccessRequest)
        .where(SubjectAccessRequest.kind == "access", SubjectAccessRequest.answered_on.is_(None))
        .order_by(SubjectAccessRequest.received_on, SubjectAccessRequest.id)
    ):
        if fold(r.requester) == who:
            return _row(r)
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
    return [_row(r) for r in session.scalars(query)]


def requests_due(session: Session, today: dt.date) -> list[RequestRow]:
    """Unanswered requests due within a month of `today`, or overdue; soonest due first."""
    return [r for r in list_requests(session, open_only=True) if r.due_on <= due_date(today)]


def build_report(
    found: PersonFound,
    request: RequestRow,
    *,
    held_by: str,
    produced_at: dt.datetime,
    officer: str = "",
) -> SubjectAccessReport:
    """The answer's content, as the PDF and the JSON give it."""
    return SubjectAccessReport(
        requester=request.requester,
        terms=found.terms.labelled(),
        received_on=request.received_on,
        due_on=request.due_on,
        produced_at=produced_at,
        held_by=held_by,
        officer=officer or request.officer,
        reference=f"SAR {request.id}",
        categories=found.categories,
        items=found.items,
        notes=(THIRD_PARTY_NOTE,),
    )


def answer_json(report: SubjectAccessReport) -> bytes:
    """The answer, machine-readable (UTF-8 JSON, format version 1):

    {"format": "ccodesk-subject-access", "format_version": 1,
     "produced_at": ISO date-time, "held_by": text,
     "request": {"reference", "requester", "received_on", "due_on" (ISO dates), "officer",
                 "searched_for": {"name", "email", "phone"}},
     "categories": [{"key", "label", "why", "count"}],
     "items": [{"category" (a categories key), "table", "record", "title", "why",
                "found_by", "fields": {label: text, …} (in the order the PDF shows them)}],
     "notes": [text]}
    """
    body: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "produced_at": report.produced_at.isoformat(timespec="seconds"),
        "held_by": report.held_by,
        "request": {
            "reference": report.reference,
            "requester": report.requester,
            "received_on": report.received_on.isoformat(),
            "due_on": report.due_on.isoformat(),
            "officer": report.officer,
            "searched_for": {
                key: value
                for key, (_label, value) in zip(
                    ("name", "email", "phone"), report.terms, strict=True
                )
            },
        },
        "categories": [
            {"key": c.key, "label": c.label, "why": c.why, "count": c.count}
            for c in report.categories
        ],
        "items": [
            {
                "category": i.category,
                "table": i.table,
                "record": i.record,
                "title": i.title,
                "why": i.why,
                "found_by": i.matched,
                "fields": dict(i.fields),
            }
            for i in report.items
        ],
        "notes": list(report.notes),
    }
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode()


@dataclass(frozen=True)
class Answer:
    """A request answered: the log's row, the report and the files written."""

    request: RequestRow
    report: SubjectAccessReport
    pdf: Path
    json: Path


def answer_paths(folder: Path, requester: str) -> tuple[Path, Path]:
    """Where the answer goes: NAME-sar.pdf and NAME-sar.json in `folder`."""
    stem = f"{safe_name(requester)}-sar"
    return folder / f"{stem}.pdf", folder / f"{stem}.json"


def write_answer(
    report: SubjectAccessReport, folder: Path, *, overwrite: bool = False
) -> tuple[Path, Path]:
    """Write the PDF and the JSON into `folder`, both or neither; AnswerNotWritten if not."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise AnswerNotWritten(f"Nothing was written: {folder} is not a folder.")
    pdf_path, json_path = answer_paths(folder, report.requester)
    if not overwrite:
        there = [p.name for p in (pdf_path, json_path) if p.exists()]
        if there:
            raise AnswerNotWritten(
                f"Nothing was written: {' and '.join(there)} already in {folder} "
                "(choose another folder, or allow replacing them)."
            )
    pdf, body = report_pdf(report), answer_json(report)
    write = atomic_write_bytes if overwrite else atomic_create_bytes
    written: list[Path] = []
    try:
        for path, data in ((pdf_path, pdf), (json_path, body)):
            write(path, data)
            written.append(path)
    except OSError as exc:
        if not overwrite:  # both or neither: the first, new, file goes again
            for path in written:
                with contextlib.suppress(OSError):
                    path.unlink()
        reason = "it already exists" if isinstance(exc, FileExistsError) else os_reason(exc)
        raise AnswerNotWritten(f"Nothing was written to {folder}: {reason}.") from exc
    return pdf_path, json_path


def answer_request(
    session: Session,
    terms: SearchTerms,
    folder: Path,
    *,
    received_on: dt.date | None = None,
    request_id: int | None = None,
    held_by: str,
    officer: str = "",
    overwrite: bool = False,
    now: dt.datetime | None = None,
) -> Answer:
    """Answer a request in one go: the open request (`request_id`, or the person's oldest
    open one, or a new one received on `received_on`, today by default), the search, the two
    files, and the log marked answered. Run it in a transaction: it commits with it."""
    terms = terms.checked()
    now = now or dt.datetime.now()
    row: RequestRow | None
    if request_id is not None:
        request = session.get(SubjectAccessRequest, request_id)
        if request is None:
            raise NotFound(f"No subject access request number {request_id}.")
        row = _row(request)
    else:
        row = None if received_on is not None else open_request_for(session, terms)
        if row is None:
            row = log_request(session, terms, received_on or now.date(), officer=officer)
        request = session.get_one(SubjectAccessRequest, row.id)
    found = find_person(session, terms.name, terms.email, terms.phone)
    report = build_report(found, row, held_by=held_by, produced_at=now, officer=officer)
    pdf, body = write_answer(report, folder, overwrite=overwrite)
    request.terms = terms.as_list()
    request.answered_on = now.date()
    request.items_found = len(found.items)
    if officer and not request.officer:
        request.officer = officer
    _audit(session, request, "update", ["answered_on", "items_found"])
    session.flush()
    return Answer(_row(request), report, pdf, body)
