"""Keying in returned paper forms: the answers go to the engagement their code names.

- An **equality monitoring form** adds one to the count of each priority group its answers
  place the person in; a form with no "yes" and a "prefer not to say" (or nothing ticked at
  all) counts under "prefer not to say".
- A **feedback form**'s written answers become findings of the engagement.
- A **sign-in sheet** counts the names on it.

The attendance total becomes the largest of: the total already recorded, the names on the
sign-in sheets keyed, and the equality forms keyed (the same people sign in and fill in a
form, so adding them up would count them twice). "Not asked" shrinks where forms show that
people were asked after all.

Every keyed sheet is written to the audit trail (entity "paper_form"), which is how a sheet
keyed a second time is noticed: printed copies are numbered, so "sheet 7 of EK4Q-7MX2" is
one piece of paper. The changes go through `ccodesk.services.records`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.errors import NotFound, ValidationError
from ccodesk.models import AuditEvent, Engagement, EngagementStatus
from ccodesk.printing.codes import FormKind, ParsedCode, parse_code
from ccodesk.printing.pack_data import EngagementSummary
from ccodesk.printing.questionnaire import EQUALITY_QUESTIONS, PREFER_NOT_TO_SAY
from ccodesk.services import records
from ccodesk.services.engagements import get_engagement
from ccodesk.services.pack_content import summarise
from ccodesk.services.quarterly_return import priority_group_names

LEDGER = "paper_form"  # AuditEvent.entity of a keyed sheet


@dataclass(frozen=True)
class FormTarget:
    """What a code names: the form's kind and its engagement (None for a blank form)."""

    parsed: ParsedCode
    engagement: EngagementSummary | None
    # When the code's engagement part fits more than one engagement (rare): choose one.
    candidates: list[EngagementSummary] = field(default_factory=list)

    @property
    def kind(self) -> FormKind:
        return self.parsed.kind


def resolve_code(session: Session, text: str) -> FormTarget:
    """The form a typed or scanned code names; ValidationError or NotFound otherwise."""
    parsed = parse_code(text)
    if parsed.kind == FormKind.PACK:
        raise ValidationError(
            f"{parsed.code} is the code of a meeting pack's cover; key in the code at the foot "
            "of the form itself"
        )
    if parsed.id_prefix is None:
        return FormTarget(parsed, None)
    found = session.scalars(
        select(Engagement.id)
        .where(Engagement.id.startswith(parsed.id_prefix), Engagement.deleted.is_(False))
        .limit(5)
    ).all()
    if not found:
        raise NotFound(
            f"No engagement in this store has the form code {parsed.code}: was the form "
            "printed from another store, or has the engagement been deleted?"
        )
    summaries = [summarise(get_engagement(session, i)) for i in found]
    if len(summaries) == 1:
        return FormTarget(parsed, summaries[0])
    return FormTarget(parsed, None, summaries)


def engagements_between(
    session: Session, start: dt.datetime, end: dt.datetime, *, limit: int = 300
) -> list[tuple[str, dt.datetime, str]]:
    """(id, starts at, title) of the engagements not cancelled in [start, end), the latest
    first: those a blank form may belong to."""
    rows = session.execute(
        select(Engagement.id, Engagement.starts_at, Engagement.title)
        .where(
            Engagement.deleted.is_(False),
            Engagement.status != EngagementStatus.CANCELLED,
            Engagement.starts_at >= start,
            Engagement.starts_at < end,
        )
        .order_by(Engagement.starts_at.desc())
        .limit(limit)
    )
    return [(i, when, title) for i, when, title in rows]


@dataclass(frozen=True)
class Keyed:
    """What keying one sheet did, in words for the officer."""

    engagement_id: str
    kind: FormKind
    sheet: int | None
    summary: str
    warnings: list[str]


@dataclass(frozen=True)
class Earlier:
    """A sheet keyed before: when and by whom."""

    at: dt.datetime
    officer: str


def _ledger(session: Session, engagement_id: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity == LEDGER, AuditEvent.entity_id == engagement_id
            )
        )
    )


def keyed_before(
    session: Session, engagement_id: str, code: str, sheet: int | None
) -> Earlier | None:
    """When this numbered sheet was keyed already (None: never, or the sheet has no number)."""
    if not sheet:
        return None
    for event in _ledger(session, engagement_id):
        if event.changes[1:3] == [code, str(sheet)]:
            return Earlier(event.at, event.officer)
    return None


def _tally(session: Session, engagement_id: str) -> tuple[int, int]:
    """Equality forms and sign-in names keyed so far for an engagement."""
    forms = names = 0
    for event in _ledger(session, engagement_id):
        if event.changes[0] == FormKind.EQUALITY.value:
            forms += 1
        elif event.changes[0] == FormKind.SIGN_IN.value:
            names += int(event.changes[3])
    return forms, names


def _note(
    session: Session,
    engagement_id: str,
    kind: FormKind,
    code: str,
    sheet: int | None,
    count: int,
    summary: str,
) -> None:
    session.add(
        AuditEvent(
            at=dt.datetime.now(),
            device_id=session.info.get("device_id", ""),
            officer=session.info.get("officer", ""),
            entity=LEDGER,
            entity_id=engagement_id,
            action="keyed",
            changes=[kind.value, code, str(sheet or ""), str(count)],
            summary=summary,
        )
    )


def _save_attendance(
    session: Session,
    engagement: Engagement,
    *,
    counts: dict[str, int],
    prefer_not_to_say: int,
    forms: int,
    names: int,
) -> list[str]:
    """Record the new counts, with the total and "not asked" made consistent (see above)."""
    attendance = engagement.attendance
    not_asked = attendance.not_asked if attendance else 0
    total = max(
        attendance.total if attendance else 0, forms, names, *counts.values(), prefer_not_to_say
    )
    not_asked = max(0, min(not_asked, total - forms, total - prefer_not_to_say))
    saved = records.record_attendance(
        session,
        engagement.id,
        total=total,
        group_counts=counts,
        prefer_not_to_say=prefer_not_to_say,
        not_asked=not_asked,
        attendee_ids=[c.id for c in engagement.attendees],
        notes=attendance.notes if attendance else "",
    )
    return saved.warnings


def key_equality_form(
    session: Session,
    engagement_id: str,
    answers: Mapping[str, str | None],
    *,
    code: str,
    sheet: int | None = None,
) -> Keyed:
    """Add one returned equality monitoring form to the engagement's monitoring counts."""
    engagement = get_engagement(session, engagement_id)
    problems = []
    groups: list[str] = []
    declined = False
    for question in EQUALITY_QUESTIONS:
        value = answers.get(question.key)
        if not value:
            continue
        try:
            option = question.option(value)
        except StopIteration:
            problems.append(f"{value!r} is not an answer to {question.text!r}")
            continue
        if option.group_code:
            groups.append(option.group_code)
        declined = declined or option.value == PREFER_NOT_TO_SAY
    unknown = set(answers) - {q.key for q in EQUALITY_QUESTIONS}
    problems += [f"the form has no question {key!r}" for key in sorted(unknown)]
    if problems:
        raise ValidationError(problems)
    if not any(answers.values()):
        declined = True  # handed back with nothing ticked
    attendance = engagement.attendance
    counts = {c.group_code: c.count for c in attendance.counts} if attendance else {}
    for group in groups:
        counts[group] = counts.get(group, 0) + 1
    unsaid = attendance.prefer_not_to_say if attendance else 0
    counted_as_unsaid = declined and not groups
    if counted_as_unsaid:
        unsaid += 1
    forms, names = _tally(session, engagement.id)
    warnings = _save_attendance(
        session, engagement, counts=counts, prefer_not_to_say=unsaid, forms=forms + 1, names=names
    )
    names_of = priority_group_names(session)
    if groups:
        what = "counted for " + ", ".join(names_of.get(g, g.replace("-", " ")) for g in groups)
    elif counted_as_unsaid:
        what = "counted as \u201cprefer not to say\u201d"
    else:
        what = "counted in the total (no priority group)"
    summary = f"Equality monitoring form{_sheet(sheet)}: {what}"
    _note(session, engagement.id, FormKind.EQUALITY, code, sheet, 1, summary)
    session.flush()
    return Keyed(engagement.id, FormKind.EQUALITY, sheet, summary, warnings)


def key_feedback_form(
    session: Session,
    engagement_id: str,
    answers: Mapping[str, str],
    *,
    code: str,
    sheet: int | None = None,
    topic_code: str | None = None,
    raised_by: Sequence[str] = (),
) -> Keyed:
    """Add a returned feedback form's written answers to the engagement's findings."""
    engagement = get_engagement(session, engagement_id)
    concern = (answers.get("concern") or "").strip()
    suggestion = (answers.get("suggestion") or "").strip()
    other = (answers.get("other") or "").strip()
    texts = []
    if concern or suggestion:
        texts.append(
            "\n".join(
                part for part in (concern, f"Suggested: {suggestion}" if suggestion else "") if part
            )
        )
    if other:
        texts.append(other)
    if not texts:
        raise ValidationError(
            "nothing is written on this feedback form, so there is nothing to add"
        )
    for text in texts:
        records.add_finding(
            session,
            engagement.id,
            text,
            theme="Feedback form",
            topic_code=topic_code,
            raised_by=raised_by,
        )
    summary = (
        f"Feedback form{_sheet(sheet)}: {len(texts)} finding{'s' if len(texts) != 1 else ''} added"
    )
    _note(session, engagement.id, FormKind.FEEDBACK, code, sheet, 1, summary)
    session.flush()
    return Keyed(engagement.id, FormKind.FEEDBACK, sheet, summary, [])


def key_sign_in_sheet(
    session: Session,
    engagement_id: str,
    names: int,
    *,
    code: str,
    sheet: int | None = None,
    consented: int = 0,
) -> Keyed:
    """Count the names on a returned sign-in sheet towards the attendance total."""
    problems = []
    if names < 1:
        problems.append("count at least one name on the sheet")
    if not 0 <= consented <= names:
        problems.append("more people agreed to be contacted than signed the sheet")
    if problems:
        raise ValidationError(problems)
    engagement = get_engagement(session, engagement_id)
    attendance = engagement.attendance
    forms, signed = _tally(session, engagement.id)
    warnings = _save_attendance(
        session,
        engagement,
        counts={c.group_code: c.count for c in attendance.counts} if attendance else {},
        prefer_not_to_say=attendance.prefer_not_to_say if attendance else 0,
        forms=forms,
        names=signed + names,
    )
    summary = f"Sign-in sheet{_sheet(sheet)}: {names} name{'s' if names != 1 else ''}"
    if consented:
        summary += (
            f"; {consented} agreed to be contacted again (add them under Organisations & "
            "contacts, with their consent)"
        )
    _note(session, engagement.id, FormKind.SIGN_IN, code, sheet, names, summary)
    session.flush()
    return Keyed(engagement.id, FormKind.SIGN_IN, sheet, summary, warnings)


def _sheet(sheet: int | None) -> str:
    return f" (sheet {sheet})" if sheet else ""
