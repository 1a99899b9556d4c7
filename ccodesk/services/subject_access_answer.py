"""Answering a subject access request: the search, a PDF and a JSON file, the log updated.

`answer_request` finds everything held (`subject_access.find_person`), writes the PDF and the
JSON into a folder (atomically; an existing file is refused unless `overwrite`), and marks the
request answered with the count of items found, all in one transaction: if a file cannot be
written the request stays open (or is not logged) and nothing half-written is left.

The JSON is a documented structure (`FORMAT`, `FORMAT_VERSION`; see `answer_json`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ccodesk.errors import KnownError, NotFound
from ccodesk.failures import os_reason
from ccodesk.fileio import atomic_create_bytes, atomic_write_bytes
from ccodesk.models import Borough, SubjectAccessRequest
from ccodesk.printing.files import safe_name
from ccodesk.printing.subject_access import report_pdf
from ccodesk.printing.subject_access_data import SubjectAccessReport
from ccodesk.services.person_match import SearchTerms
from ccodesk.services.subject_access import THIRD_PARTY_NOTE, PersonFound, find_person
from ccodesk.services.subject_access_log import (
    RequestRow,
    audit_change,
    log_request,
    open_request_for,
    row_of,
)

FORMAT = "ccodesk-subject-access"
FORMAT_VERSION = 1


class AnswerNotWritten(KnownError):
    """The answer's files could not be written (they exist, no folder, no room, …)."""


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


def borough_holder(session: Session, borough_code: str | None) -> str:
    """Who holds the data on a borough device, as the answer names it."""
    borough = session.get(Borough, borough_code) if borough_code else None
    where = borough.name if borough is not None else "the borough"
    return f"{where}'s Community Consultation Officer"


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
    open one received on `received_on` if given, or a new one received on `received_on`,
    today by default), the search, the two files, and the log marked answered. Run it in a
    transaction: it commits with it."""
    terms = terms.checked()
    now = now or dt.datetime.now()
    row: RequestRow | None
    if request_id is not None:
        request = session.get(SubjectAccessRequest, request_id)
        if request is None:
            raise NotFound(f"No subject access request number {request_id}.")
        row = row_of(request)
    else:
        row = open_request_for(session, terms, received_on)
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
    audit_change(session, request, "update", ["answered_on", "items_found"])
    session.flush()
    return Answer(row_of(request), report, pdf, body)
