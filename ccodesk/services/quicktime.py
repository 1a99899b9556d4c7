"""Quick-time consultation (issue 6): the five stages, consultees and their warnings.

The model (MPS Diversity Directorate, 2003) in five stages:

1. causal event — what, where, when, scale, the response deadline; never a major critical
   incident (gold groups handle those);
2. scanning — the stakeholders to engage: communities, police departments, other agencies,
   independent advisers;
3. assessment — event profile (with historical context), level (local or pan-London),
   communities, police, other agencies;
4. strategy — community impact assessment, media strategy, cost/benefit, technology, further
   departmental assessment;
5. plan — scope, delivery, terms of reference, feedback to each consultee on the impact their
   advice had or did not have; then the post-event review and its lessons.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ccodesk.errors import NotFound, ValidationError
from ccodesk.models import (
    ConsulteeRole,
    ContactChannel,
    Delivery,
    Level,
    Organisation,
    PriorityGroup,
    QuickTimeConsultation,
    QuickTimeConsultee,
    QuickTimeContact,
    QuickTimeStatus,
    Topic,
    organisation_group,
)
from ccodesk.services.checks import day, moment, sensitive_partners
from ccodesk.services.fatigue import fatigue_warnings
from ccodesk.services.fields import assign_changed
from ccodesk.words import plural

STAGES = (
    "Causal event",
    "Scanning",
    "Assessment",
    "Strategy",
    "Plan",
)
# The fields each stage keeps (beyond the consultees of stage 2).
STAGE_FIELDS: dict[int, tuple[str, ...]] = {
    1: ("title", "location", "event_at", "scale", "topic_code", "deadline"),
    3: ("event_profile", "level", "communities", "police", "other_agencies"),
    4: (
        "impact_assessment",
        "media_strategy",
        "cost_benefit",
        "officer_hours",
        "adviser_compensation_pence",
        "technology",
        "departmental_assessment",
    ),
    5: ("delivery", "terms_of_reference"),
}
CRITICAL_INCIDENT = (
    "A quick-time consultation is not for a major critical incident: the gold group handles "
    "those, with its own advisers. Nothing was created."
)
# Who the plan goes through (stage 5: scope of consultation).
SCOPE = {
    Level.PAN_LONDON: (
        "Pan-London: refer to the central Strategic Relationships Team (DCC4), who contact the "
        "relevant points for each of the eight priority groups."
    ),
    Level.LOCAL: (
        "Local: the borough's own partners, through the Borough Liaison Officers and the "
        "Community Safety Unit."
    ),
}


@dataclass
class CausalEvent:
    """Stage 1, as the officer describes it."""

    title: str
    event_at: dt.datetime
    deadline: dt.datetime
    location: str = ""
    scale: str = ""
    topic_code: str | None = None
    affected_groups: list[str] = field(default_factory=list)
    borough_code: str | None = None
    critical_incident: bool = False


def create(session: Session, event: CausalEvent, *, now: dt.datetime | None = None) -> str:
    """Start a quick-time consultation from its causal event (stage 1); its id."""
    if event.critical_incident:
        raise ValidationError(CRITICAL_INCIDENT)
    problems = _check_event(session, event, now or dt.datetime.now())
    if problems:
        raise ValidationError(problems)
    consultation = QuickTimeConsultation(
        title=event.title.strip(),
        location=event.location.strip(),
        event_at=event.event_at,
        deadline=event.deadline,
        scale=event.scale.strip(),
        topic_code=event.topic_code or None,
        borough_code=event.borough_code,
        stage=1,
        status=QuickTimeStatus.OPEN,
        level=Level.LOCAL,
        officer_hours=0,
        adviser_compensation_pence=0,
    )
    consultation.affected_groups = _groups(session, event.affected_groups)
    session.add(consultation)
    session.flush()
    return consultation.id


def _check_event(session: Session, event: CausalEvent, now: dt.datetime | None) -> list[str]:
    """What is wrong with a causal event; a past deadline only when `now` is given (a new one)."""
    problems = []
    if not event.title.strip():
        problems.append("say what the causal event is")
    if now is not None and event.deadline <= now:
        problems.append("the response deadline has already passed")
    if event.deadline > event.event_at:
        problems.append("responses are needed before the event, not after it")
    if event.topic_code and session.get(Topic, event.topic_code) is None:
        problems.append(f"unknown topic {event.topic_code!r}")
    return problems


def _groups(session: Session, codes: Sequence[str]) -> list[PriorityGroup]:
    groups = list(session.scalars(select(PriorityGroup).where(PriorityGroup.code.in_(codes))))
    unknown = set(codes) - {g.code for g in groups}
    if unknown:
        raise ValidationError(
            f"unknown {'priority group' if len(unknown) == 1 else 'priority groups'}: "
            f"{', '.join(sorted(unknown))}"
        )
    return groups


def get(session: Session, consultation_id: str) -> QuickTimeConsultation:
    """A consultation by id (or a unique start of it), with its consultees and groups."""
    query = (
        select(QuickTimeConsultation)
        .options(
            selectinload(QuickTimeConsultation.consultees).selectinload(
                QuickTimeConsultee.contacts
            ),
            selectinload(QuickTimeConsultation.affected_groups),
        )
        .execution_options(populate_existing=True)  # fresh collections in a long session
    )
    found = session.scalars(query.where(QuickTimeConsultation.id == consultation_id)).first()
    if found is None and 4 <= len(consultation_id) < 36:
        matches = session.scalars(
            query.where(QuickTimeConsultation.id.startswith(consultation_id, autoescape=True))
        ).all()
        if len(matches) > 1:
            raise NotFound(f"{consultation_id!r} matches several consultations; type more.")
        found = matches[0] if matches else None
    if found is None or found.deleted:
        raise NotFound(f"No quick-time consultation has the id {consultation_id!r}.")
    return found


def recently_reviewed(session: Session, limit: int) -> list[QuickTimeConsultation]:
    """The consultations reviewed last, the latest first (at most `limit`)."""
    return list(
        session.scalars(
            select(QuickTimeConsultation)
            .where(
                QuickTimeConsultation.deleted.is_(False),
                QuickTimeConsultation.status == QuickTimeStatus.REVIEWED,
            )
            .order_by(QuickTimeConsultation.reviewed_on.desc())
            .limit(limit)
        )
    )


def list_open(session: Session) -> list[QuickTimeConsultation]:
    """Consultations not yet reviewed or cancelled, the nearest deadline first."""
    return list(
        session.scalars(
            select(QuickTimeConsultation)
            .where(
                QuickTimeConsultation.deleted.is_(False),
                QuickTimeConsultation.status.in_([QuickTimeStatus.OPEN, QuickTimeStatus.PLANNED]),
            )
            .order_by(QuickTimeConsultation.deadline)
        )
    )


def get_consultee(session: Session, consultee_id: str) -> QuickTimeConsultee | None:
    """A consultee of a consultation, or None when it is gone."""
    return session.get(QuickTimeConsultee, consultee_id)


def countdown(deadline: dt.datetime, now: dt.datetime | None = None) -> str:
    """'2 days 3 h left', '45 min left', or 'overdue by 5 h' — shown wherever it appears."""
    left = deadline - (now or dt.datetime.now())
    seconds = int(left.total_seconds())
    overdue = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = f"{days} day{'s' if days != 1 else ''} {hours} h"
    elif hours:
        text = f"{hours} h {minutes} min"
    else:
        text = f"{minutes} min"
    return f"overdue by {text}" if overdue else f"{text} left"


def update_stage(
    session: Session, consultation_id: str, stage: int, values: dict[str, Any]
) -> None:
    """Record what a stage decided (stages 1, 3, 4, 5); the furthest stage reached advances."""
    if stage not in STAGE_FIELDS:
        raise ValidationError(f"stage {stage} has no fields of its own (stages: 1, 3, 4, 5)")
    unknown = set(values) - set(STAGE_FIELDS[stage]) - {"affected_groups"}
    if unknown:
        raise ValidationError(
            f"stage {stage} ({STAGES[stage - 1]}) has no {', '.join(sorted(unknown))}"
        )
    consultation = get(session, consultation_id)
    values = dict(values)
    if "level" in values and not isinstance(values["level"], Level):
        values["level"] = Level.parse(str(values["level"]))
    if values.get("delivery") is not None and not isinstance(values["delivery"], Delivery):
        values["delivery"] = Delivery.parse(str(values["delivery"]))
    for money in ("officer_hours", "adviser_compensation_pence"):
        if money in values and (not isinstance(values[money], int) or values[money] < 0):
            raise ValidationError(f"{money.replace('_', ' ')} must be a whole number, 0 or more")
    groups = values.pop("affected_groups", None)
    if stage == 1:
        event = CausalEvent(
            title=values.get("title", consultation.title),
            event_at=values.get("event_at", consultation.event_at),
            deadline=values.get("deadline", consultation.deadline),
            topic_code=values.get("topic_code", consultation.topic_code),
        )
        problems = _check_event(session, event, None)  # a saved one may be past its deadline
        if problems:
            raise ValidationError(problems)
    assign_changed(consultation, values)
    if groups is not None:
        consultation.affected_groups = _groups(session, groups)
    if stage > consultation.stage:
        consultation.stage = stage
    if (
        stage == 5
        and consultation.delivery is not None
        and consultation.status == QuickTimeStatus.OPEN
    ):
        consultation.status = QuickTimeStatus.PLANNED


# -- stage 2: scanning -------------------------------------------------------------------------


@dataclass(frozen=True)
class Pick:
    """A consultee picked: from the directory (an organisation) or named (a department)."""

    role: ConsulteeRole
    organisation_id: str | None = None
    name: str = ""
    reason: str = ""


def consultee_warnings(
    session: Session,
    consultation: QuickTimeConsultation,
    organisation_ids: Sequence[str],
    *,
    fatigue_threshold: int = 3,
    fatigue_days: int = 90,
) -> list[str]:
    """The warnings while picking consultees, each with its reason.

    - an organisation flagged as sensitive to the consultation's topic (the model's example:
      consulting some faith groups on LGBT issues can cause offence);
    - a priority group the event affects that no picked organisation serves;
    - an organisation consulted too often lately (consultee fatigue).
    """
    warnings: list[str] = []
    ids = [i for i in organisation_ids if i]
    if consultation.topic_code:
        warnings += sensitive_partners(session, ids, [consultation.topic_code])
    served = set(
        session.scalars(
            select(organisation_group.c.group_code).where(
                organisation_group.c.organisation_id.in_(ids)
            )
        )
    )
    for group in consultation.affected_groups:
        if group.code not in served:
            warnings.append(
                f"Nobody picked serves {group.name}, whom this event affects: add an "
                "organisation or adviser for them, or say why not."
            )
    warnings += fatigue_warnings(
        session,
        ids,
        starts_at=consultation.event_at,
        threshold=fatigue_threshold,
        days=fatigue_days,
    )
    return warnings


def pick(session: Session, consultation_id: str, choice: Pick) -> str:
    """Add a consultee (stage 2); its id. Warnings are for `consultee_warnings` to say."""
    consultation = get(session, consultation_id)
    name = choice.name.strip()
    if choice.organisation_id:
        org = session.get(Organisation, choice.organisation_id)
        if org is None or org.deleted:
            raise ValidationError(f"unknown organisation {choice.organisation_id!r}")
        if any(c.organisation_id == org.id and not c.deleted for c in consultation.consultees):
            raise ValidationError(f"{org.name} is already picked")
        name = name or org.name
    if not name:
        raise ValidationError("pick an organisation from the directory, or name the consultee")
    consultee = QuickTimeConsultee(
        organisation_id=choice.organisation_id,
        name=name[:200],
        role=choice.role,
        reason=choice.reason.strip(),
        picked_at=dt.datetime.now(),
    )
    consultation.consultees.append(consultee)
    if consultation.stage < 2:
        consultation.stage = 2
    session.flush()
    return consultee.id


def unpick(session: Session, consultee_id: str) -> None:
    consultee = session.get(QuickTimeConsultee, consultee_id)
    if consultee is None or consultee.deleted:
        raise NotFound(f"No consultee has the id {consultee_id!r}.")
    consultee.deleted = True


def picked_organisations(consultation: QuickTimeConsultation) -> list[str]:
    return [
        c.organisation_id for c in consultation.consultees if c.organisation_id and not c.deleted
    ]


# -- stage 5: delivery, advice, feedback; the review -------------------------------------------


def log_contact(
    session: Session,
    consultee_id: str,
    channel: ContactChannel,
    note: str,
    at: dt.datetime | None = None,
) -> str:
    """An entry of the short-term contact log (e-mail, phone, meeting)."""
    consultee = session.get(QuickTimeConsultee, consultee_id)
    if consultee is None or consultee.deleted:
        raise NotFound(f"No consultee has the id {consultee_id!r}.")
    if not note.strip():
        raise ValidationError("say what was said or sent")
    contact = QuickTimeContact(at=at or dt.datetime.now(), channel=channel, note=note.strip())
    consultee.contacts.append(contact)
    session.flush()
    return contact.id


def record_advice(
    session: Session,
    consultee_id: str,
    *,
    advice: str,
    used: bool | None,
    impact: str = "",
    feedback_given_on: dt.date | None = None,
) -> None:
    """What a consultee advised, whether it had an impact, and the feedback they were given.

    The model insists on feedback on the impact advice had **or did not have**: a decision
    not to use it needs its reason as much as a change needs describing.
    """
    consultee = session.get(QuickTimeConsultee, consultee_id)
    if consultee is None or consultee.deleted:
        raise NotFound(f"No consultee has the id {consultee_id!r}.")
    problems = []
    if not advice.strip():
        problems.append("record the advice given")
    if feedback_given_on is not None and used is None:
        problems.append("say whether the advice had an impact before recording the feedback")
    if used is not None and not impact.strip():
        problems.append(
            "say what the advice changed" if used else "say why the advice was not acted on"
        )
    if problems:
        raise ValidationError(problems)
    assign_changed(
        consultee,
        {
            "advice": advice,
            "advice_used": used,
            "impact": impact,
            "feedback_given_on": feedback_given_on,
        },
    )


def feedback_owed(consultation: QuickTimeConsultation) -> list[QuickTimeConsultee]:
    """Consultees who gave advice but have not been told what it did or did not change."""
    return [
        c
        for c in consultation.consultees
        if not c.deleted and c.advice and c.feedback_given_on is None
    ]


def review(
    session: Session,
    consultation_id: str,
    *,
    review_text: str,
    lessons: str,
    reviewed_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> None:
    """The post-event review: what happened, and lessons for later consultations like it.

    Only after the event, and once every consultee who gave advice has been told what it did
    or did not change (the model's feedback stage comes before the review).
    """
    consultation = get(session, consultation_id)
    problems = review_problems(consultation, reviewed_on, now)
    if not review_text.strip() or not lessons.strip():
        problems.insert(0, "write both the review and the lessons for next time")
    if problems:
        raise ValidationError(problems)
    now = now or clock()
    assign_changed(
        consultation,
        {
            "review": review_text,
            "lessons": lessons,
            "reviewed_on": reviewed_on or now.date(),
            "status": QuickTimeStatus.REVIEWED,
        },
    )
    if consultation.stage < 5:
        consultation.stage = 5


def clock() -> dt.datetime:
    """Now, for the review's rules (one place, so a test can say "after the event")."""
    return dt.datetime.now()


def review_problems(
    consultation: QuickTimeConsultation,
    reviewed_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> list[str]:
    """Why `consultation` cannot be reviewed yet (empty when it can): for the wizard to say
    before the officer writes the review, and for `review` to refuse."""
    now = now or clock()
    on = reviewed_on or now.date()
    problems = []
    if consultation.event_at > now:
        problems.append(
            f"The event is on {moment(consultation.event_at)}: review it once it has happened."
        )
    elif on < consultation.event_at.date():
        problems.append(
            f"The review is dated {day(on)}, before the event ({day(consultation.event_at)})."
        )
    if on > now.date():
        problems.append(f"The review is dated {day(on)}, in the future.")
    owed = feedback_owed(consultation)
    if owed:
        names = ", ".join(c.name for c in owed)
        problems.append(
            f"Feedback is still owed to {plural(len(owed), 'consultee')} ({names}): tell "
            "them what their advice changed, or why it did not, before the review."
        )
    return problems


def similar_lessons(
    session: Session, consultation: QuickTimeConsultation, limit: int = 5
) -> list[tuple[str, dt.date, str]]:
    """Lessons of reviewed consultations of a similar kind (same topic, or same groups)."""
    groups = [g.code for g in consultation.affected_groups]
    query = (
        select(QuickTimeConsultation)
        .where(
            QuickTimeConsultation.deleted.is_(False),
            QuickTimeConsultation.status == QuickTimeStatus.REVIEWED,
            QuickTimeConsultation.id != consultation.id,
            QuickTimeConsultation.lessons != "",
        )
        .order_by(QuickTimeConsultation.reviewed_on.desc())
    )
    conditions = []
    if consultation.topic_code:
        conditions.append(QuickTimeConsultation.topic_code == consultation.topic_code)
    if groups:
        conditions.append(QuickTimeConsultation.affected_groups.any(PriorityGroup.code.in_(groups)))
    if not conditions:
        return []
    found = session.scalars(query.where(or_(*conditions)).limit(limit)).all()
    return [(c.title, c.reviewed_on or c.event_at.date(), c.lessons) for c in found]


def scope(consultation: QuickTimeConsultation) -> str:
    return SCOPE[consultation.level]
