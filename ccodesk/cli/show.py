"""Plain-text descriptions of records, for `ccodesk-cli show`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ccodesk.errors import NotFound
from ccodesk.models import Contact, Engagement, Finding, Organisation
from ccodesk.services import consent as consent_rule
from ccodesk.services.engagements import engagement_warnings, get_engagement
from ccodesk.services.fields import live_by_id_start
from ccodesk.services.reference import borough_name, priority_groups

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def _money(pence: int) -> str:
    return f"£{pence / 100:,.2f}"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def describe_engagement(session: Session, engagement: Engagement) -> str:
    e = engagement
    when = f"{e.starts_at:%A %d %B %Y, %H:%M}"
    if e.ends_at:
        when += (
            f"–{e.ends_at:%H:%M}"
            if e.ends_at.date() == e.starts_at.date()
            else (f" to {e.ends_at:%d %B %Y %H:%M}")
        )
    lines = [
        e.title,
        "=" * min(len(e.title), 88),
        f"Id:            {e.id}",
        f"Kind:          {e.kind.label} ({e.level.label.lower()})",
        f"Status:        {e.status.label}",
        f"When:          {when}",
    ]
    if e.borough_code:
        lines.append(f"Borough:       {borough_name(e.borough_code)}")
    if e.theme:
        lines.append(f"Theme:         {e.theme}")
    if e.informs:
        lines.append(
            f"Informs:       {e.informs.label}"
            + (f" — {e.informs_detail}" if e.informs_detail else "")
        )
    venue = ", ".join(p for p in (e.venue_name, e.venue_address.replace("\n", ", ")) if p)
    lines.append(f"Venue:         {venue or 'not set'}")
    access = e.access_labels
    lines.append(f"Access:        {', '.join(access) or 'none recorded'}")
    organisers = [
        f"{role} {name}"
        for role, name in (("CCO", e.cco_name), ("BLO", e.blo_name), ("CSO", e.cso_name))
        if name
    ]
    lines.append(
        f"Organisers:    {'; '.join(organisers) or 'not set'}"
        + ("  [joint meeting]" if e.is_joint else "")
    )
    if e.partners:
        lines.append(f"Partners:      {'; '.join(o.name for o in e.partners)}")
    lines.append(f"Target groups: {', '.join(g.name for g in e.target_groups) or 'none'}")
    if e.topics:
        lines.append(f"Topics:        {', '.join(t.name for t in e.topics)}")
    if e.attendance:
        a = e.attendance
        groups = priority_groups(session)
        lines += [
            "",
            f"Attendance: {a.total}"
            f"  (prefer not to say {a.prefer_not_to_say}, not asked {a.not_asked})",
        ]
        lines += [f"  {g.name:<34} {a.count_for(g.code):>4}" for g in groups]
    live = [f for f in e.findings if not f.deleted]
    if live:
        lines += ["", f"Findings ({len(live)}):"]
        for f in live:
            lines.append(f"  - {f.text}  [{f.id[:8]}]")
            for o in f.outcomes:
                detail = o.decision or o.explanation
                lines.append(f"      → {o.result.label}: {detail}")
    actions = [a for a in e.actions if not a.deleted]
    if actions:
        lines += ["", "Actions:"]
        for act in actions:
            due = f"due {act.due_on:%d %b %Y}" if act.due_on else "no due date"
            lines.append(
                f"  [{act.status.label}] {act.description} — {act.owner or 'no owner'}, {due}"
            )
    if e.feedback:
        lines += ["", "Feedback given (you said, we did):"]
        for fb in e.feedback:
            lines.append(f"  {fb.given_on:%d %b %Y} by {fb.channel.label.lower()}: {fb.text}")
    cash = sum(c.amount_pence for c in e.costs if not c.deleted)
    time_cost = sum(t.cost_pence for t in e.officer_time if not t.deleted)
    hours = sum(t.minutes for t in e.officer_time if not t.deleted) / 60
    if e.costs or e.officer_time:
        lines += [
            "",
            f"Costs: {_money(cash)} cash + {_money(time_cost)} officer time "
            f"({hours:.1f} h) = {_money(cash + time_cost)}",
        ]
        for c in e.costs:
            lines.append(f"  {c.category.label:<22} {_money(c.amount_pence):>10}  {c.description}")
    warnings = engagement_warnings(session, e)
    if warnings:
        lines += ["", "Warnings:"] + [f"  ! {w}" for w in warnings]
    if e.notes:
        lines += ["", "Notes:", e.notes]
    return "\n".join(lines)


def describe_organisation(org: Organisation, day: dt.date | None = None) -> str:
    lines = [
        org.name,
        "=" * min(len(org.name), 88),
        f"Id:      {org.id}",
        f"Type:    {org.org_type.label}",
    ]
    if org.borough_code:
        lines.append(f"Borough: {borough_name(org.borough_code)}")
    lines += _filled(
        9,
        ("Address", org.address),
        ("Postcode", org.postcode),
        ("Phone", org.phone),
        ("E-mail", org.email),
        ("Web", org.website),
    )
    lines.append(f"Serves:  {', '.join(g.name for g in org.groups_served) or 'not recorded'}")
    live = [s for s in org.sensitivities if not s.deleted]
    if live:
        lines.append("Sensitivities:")
        lines += [
            f"  {s.level.label}: {s.topic.name}" + (f" — {s.note}" if s.note else "") for s in live
        ]
    contacts = [c for c in org.contacts if not c.deleted]
    if contacts:
        today = day or dt.date.today()
        lines.append(
            "Contacts: "
            + "; ".join(
                f"{c.name} ({c.role})"
                if c.role and consent_rule.may_use(c, today)
                else c.name + ("" if consent_rule.may_use(c, today) else " (details withheld)")
                for c in contacts
            )
        )
    return "\n".join(lines)


def _filled(width: int, *fields: tuple[str, str | None]) -> list[str]:
    """ "Label:  value" lines, the values aligned at `width`, for the fields that have one."""
    return [f"{label + ':':<{width}}{value}" for label, value in fields if value]


def describe_contact(
    contact: Contact,
    history: list[consent_rule.ConsentLine] | None = None,
    day: dt.date | None = None,
) -> str:
    """A contact; their details only while `consent.may_use` allows, and their consent history."""
    c = contact
    today = day or dt.date.today()
    consent = "not given"
    if c.consent_given:
        consent = f"given {c.consent_date:%d %b %Y}" if c.consent_date else "given"
        if c.consent_expires:
            consent += f", expires {c.consent_expires:%d %b %Y}"
        if c.consent_scope:
            consent += f" ({c.consent_scope})"
    lines = [c.name, "=" * min(len(c.name), 88), f"Id:        {c.id}"]
    if c.organisation:
        lines.append(f"Of:        {c.organisation.name}")
    if consent_rule.may_use(c, today):
        lines += _filled(
            11,
            ("Role", c.role),
            ("E-mail", c.email),
            ("Phone", c.phone),
            ("Prefers", c.preferred_channel),
            ("Access", c.accessibility_needs),
        )
    else:
        last = history[-1].kind if history else None
        why = consent_rule.withheld_because(c, today, last)
        lines.append(f"Details:   withheld ({why}) until consent is recorded again")
    lines.append(f"Consent:   {consent}")
    lines.append(f"Shared:    {_yes(c.shareable)} (details stay on this device unless shared)")
    if history:
        lines.append("Consent history:")
        lines += [
            f"  {h.on:%d %b %Y}  {h.kind.label}"
            + (f", expires {h.expires_on:%d %b %Y}" if h.expires_on else "")
            + f" ({h.method.label.lower()}"
            + (f", {h.officer}" if h.officer else "")
            + ")"
            for h in history
        ]
    return "\n".join(lines)


def describe(session: Session, record_id: str) -> str:
    """A description of the engagement, organisation, contact or finding with this id."""
    try:
        return describe_engagement(session, get_engagement(session, record_id))
    except NotFound as exc:
        if "several" in str(exc):
            raise
    for model in (Organisation, Contact, Finding):
        found = live_by_id_start(session, model, record_id)
        if found is not None:
            if isinstance(found, Organisation):
                return describe_organisation(found)
            if isinstance(found, Contact):
                return describe_contact(found, consent_rule.history(session, found.id))
            assert isinstance(found, Finding)
            return describe_engagement(session, get_engagement(session, found.engagement_id))
    raise NotFound(f"No record has the id {record_id!r}.")
