"""`ccodesk-cli quicktime …`: a quick-time consultation from the command line, stage by stage."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccodesk.cli.context import Context
from ccodesk.errors import NotFound, ValidationError

if TYPE_CHECKING:
    from ccodesk.store import Store


def _when(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date and time like 2026-11-25T18:00"
        ) from None


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-25") from None


def _settings() -> Any:
    from ccodesk.settings import load_settings

    return load_settings()


def _print_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        print(f"warning: {warning}")


def cmd_new(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services import quicktime as qt

    with context.open_store(args) as store, store.transaction() as s:
        new_id = qt.create(
            s,
            qt.CausalEvent(
                title=args.what,
                event_at=args.when,
                deadline=args.deadline,
                location=args.where,
                scale=args.scale,
                topic_code=args.topic,
                affected_groups=args.affects,
                borough_code=store.borough_code,
                critical_incident=args.critical_incident,
            ),
        )
    print(f"Quick-time consultation {new_id[:8]}: {args.what}")
    print(f"Responses needed by {args.deadline:%a %d %b %Y %H:%M} ({qt.countdown(args.deadline)}).")
    print("Next: pick the consultees (ccodesk-cli quicktime pick …).")
    return 0


def cmd_list(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services import quicktime as qt

    with context.open_store(args) as store, store.session() as s:
        found = qt.list_open(s)
        if not found:
            print("No quick-time consultations in progress.")
        for c in found:
            stage = qt.STAGES[c.stage - 1]
            print(
                f"{c.id[:8]}  {c.title[:50]:<50}  stage {c.stage} ({stage})  "
                f"due {c.deadline:%d %b %H:%M}: {qt.countdown(c.deadline)}"
            )
    return 0


def cmd_show(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services import quicktime as qt

    settings = _settings()
    with context.open_store(args) as store, store.session() as s:
        c = qt.get(s, args.id)
        print(f"{c.title}  [{c.status.label}; stage {c.stage} of 5: {qt.STAGES[c.stage - 1]}]")
        print(
            f"  When and where: {c.event_at:%a %d %b %Y %H:%M}, {c.location or 'place not given'}"
        )
        print(f"  Deadline: {c.deadline:%a %d %b %Y %H:%M} ({qt.countdown(c.deadline)})")
        if c.scale:
            print(f"  Scale: {c.scale}")
        groups = ", ".join(g.name for g in c.affected_groups) or "none named"
        print(f"  Affects: {groups}; topic: {c.topic_code or 'none'}")
        print(f"  Level: {c.level.label}. Scope: {qt.scope(c)}")
        for label, value in (
            ("Event profile", c.event_profile),
            ("Communities", c.communities),
            ("Police", c.police),
            ("Other agencies", c.other_agencies),
            ("Community impact", c.impact_assessment),
            ("Media", c.media_strategy),
            ("Cost/benefit", c.cost_benefit),
            ("Technology", c.technology),
            ("Departmental assessment", c.departmental_assessment),
            ("Terms of reference", c.terms_of_reference),
        ):
            if value:
                print(f"  {label}: {value}")
        if c.officer_hours or c.adviser_compensation_pence:
            print(
                f"  Costs: {c.officer_hours} officer hours, "
                f"£{c.adviser_compensation_pence / 100:,.2f} adviser compensation"
            )
        if c.delivery:
            print(f"  Delivery: {c.delivery.label}")
        live = [x for x in c.consultees if not x.deleted]
        print(f"  Consultees ({len(live)}):")
        for x in live:
            effect = {None: "", True: "advice acted on", False: "advice NOT acted on"}
            told = f", told {x.feedback_given_on:%d %b}" if x.feedback_given_on else ""
            print(f"    {x.id[:8]}  {x.name} ({x.role.label}) {effect[x.advice_used]}{told}")
            if x.impact:
                print(f"              {x.impact}")
            for contact in x.contacts:
                print(f"{'':14}{contact.at:%d %b %H:%M} {contact.channel.label}: {contact.note}")
        _print_warnings(
            qt.consultee_warnings(
                s,
                c,
                qt.picked_organisations(c),
                fatigue_threshold=settings.fatigue_threshold,
                fatigue_days=settings.fatigue_window_days,
            )
        )
        for x in qt.feedback_owed(c):
            print(f"warning: {x.name} gave advice but has not been told what it changed or not.")
        for title, when, lessons in qt.similar_lessons(s, c):
            print(f"  Lesson from '{title}' ({when:%b %Y}): {lessons}")
        if c.review:
            print(f"  Review ({c.reviewed_on:%d %b %Y}): {c.review}")
            print(f"  Lessons: {c.lessons}")
    return 0


def cmd_pick(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.models import ConsulteeRole
    from ccodesk.services import quicktime as qt
    from ccodesk.services.directory import organisation_named

    settings = _settings()
    with context.open_store(args) as store, store.transaction() as s:
        org = organisation_named(s, args.org) if args.org else None
        consultee = qt.pick(
            s,
            args.id,
            qt.Pick(
                ConsulteeRole.parse(args.role),
                organisation_id=org,
                name=args.name or "",
                reason=args.reason,
            ),
        )
        c = qt.get(s, args.id)
        picked = next(x for x in c.consultees if x.id == consultee)
        print(f"Picked {picked.name} ({picked.role.label}) as consultee {consultee[:8]}.")
        _print_warnings(
            qt.consultee_warnings(
                s,
                c,
                qt.picked_organisations(c),
                fatigue_threshold=settings.fatigue_threshold,
                fatigue_days=settings.fatigue_window_days,
            )
        )
    return 0


def _assignment(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not FIELD=VALUE")
    key, value = text.split("=", 1)
    return key.strip().replace("-", "_"), value


def cmd_set(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services import quicktime as qt

    values: dict[str, Any] = {}
    for key, value in args.values:
        if key in ("event_at", "deadline"):
            values[key] = _when(value)
        elif key in ("officer_hours",):
            values[key] = _whole(key, value)
        elif key == "adviser_compensation":
            values["adviser_compensation_pence"] = round(_number(key, value) * 100)
        elif key == "affected_groups":
            values[key] = [v.strip() for v in value.split(",") if v.strip()]
        else:
            values[key] = value
    with context.open_store(args) as store, store.transaction() as s:
        qt.update_stage(s, args.id, args.stage, values)
    print(f"Stage {args.stage} ({qt.STAGES[args.stage - 1]}) saved.")
    return 0


def _whole(key: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValidationError(f"{key.replace('_', ' ')} must be a whole number") from None


def _number(key: str, value: str) -> float:
    try:
        return float(value.lstrip("£"))
    except ValueError:
        raise ValidationError(f"{key.replace('_', ' ')} must be a number") from None


def _consultee(s: Any, consultation_id: str, text: str) -> str:
    from ccodesk.services import quicktime as qt

    c = qt.get(s, consultation_id)
    live = [x for x in c.consultees if not x.deleted]
    found = [x for x in live if x.id.startswith(text) or x.name.casefold() == text.casefold()]
    if len(found) != 1:
        names = ", ".join(x.name for x in live) or "none yet"
        raise NotFound(f"No single consultee is {text!r} (consultees: {names}).")
    return found[0].id


def cmd_contact(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.models import ContactChannel
    from ccodesk.services import quicktime as qt

    with context.open_store(args) as store, store.transaction() as s:
        consultee = _consultee(s, args.id, args.consultee)
        qt.log_contact(s, consultee, ContactChannel.parse(args.channel), args.note, args.at)
    print("Contact logged.")
    return 0


def cmd_advice(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services import quicktime as qt

    with context.open_store(args) as store, store.transaction() as s:
        consultee = _consultee(s, args.id, args.consultee)
        qt.record_advice(
            s,
            consultee,
            advice=args.advice,
            used=args.used,
            impact=args.impact,
            feedback_given_on=args.feedback_on,
        )
    print("Advice and its impact recorded.")
    return 0


def cmd_review(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services import quicktime as qt

    with context.open_store(args) as store, store.transaction() as s:
        qt.review(s, args.id, review_text=args.review, lessons=args.lessons)
    print("Reviewed: the lessons will be shown to later consultations of a similar kind.")
    return 0


def cmd_print(args: argparse.Namespace, context: Context[Store]) -> int:
    try:
        from ccodesk.services.quicktime_record import quicktime_pdf
    except ImportError:
        print("ccodesk-cli: error: printing quick-time records is not available", file=sys.stderr)
        return 1
    from ccodesk.printing.files import write_pdf

    with context.open_store(args) as store, store.session() as s:
        data = quicktime_pdf(s, args.id)
    written = write_pdf(Path(args.output), data)
    print(f"Wrote {written}.")
    return 0


def add_commands(sub: Any) -> None:
    """Add `quicktime` to the CLI's subcommands."""
    qt = sub.add_parser("quicktime", help="quick-time consultation: five stages in a few days")
    a = qt.add_subparsers(dest="quicktime_command", required=True, metavar="ACTION")
    p = a.add_parser("new", help="stage 1: the causal event")
    p.add_argument("--what", required=True)
    p.add_argument("--when", required=True, type=_when, help="when the event happens")
    p.add_argument("--deadline", required=True, type=_when, help="responses needed by")
    p.add_argument("--where", default="")
    p.add_argument("--scale", default="")
    p.add_argument("--topic", help="a topic code, e.g. lgbt (for the sensitivity warnings)")
    p.add_argument("--affects", action="append", default=[], metavar="GROUP",
                   help="a priority group the event affects (repeatable)")  # fmt: skip
    p.add_argument("--critical-incident", action="store_true",
                   help="say it is a major critical incident (it is then refused)")  # fmt: skip
    p.set_defaults(func=cmd_new)
    p = a.add_parser("list", help="consultations in progress, with their countdown")
    p.set_defaults(func=cmd_list)
    p = a.add_parser("show", help="everything a consultation decided, with its warnings")
    p.add_argument("id")
    p.set_defaults(func=cmd_show)
    p = a.add_parser("pick", help="stage 2: pick a consultee")
    p.add_argument("id")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--org", help="an organisation's id or name from the directory")
    who.add_argument("--name", help="a consultee not in the directory, e.g. 'Traffic OCU'")
    p.add_argument("--role", required=True, help="community, police, agency or adviser")
    p.add_argument("--reason", default="")
    p.set_defaults(func=cmd_pick)
    p = a.add_parser("set", help="stages 1, 3, 4, 5: record what the stage decided")
    p.add_argument("id")
    p.add_argument("--stage", type=int, required=True, choices=[1, 3, 4, 5])
    p.add_argument("values", nargs="+", type=_assignment, metavar="FIELD=VALUE")
    p.set_defaults(func=cmd_set)
    p = a.add_parser("contact", help="stage 5: log an e-mail, call or meeting with a consultee")
    p.add_argument("id")
    p.add_argument("consultee", help="the consultee's id or name")
    p.add_argument("--channel", required=True, help="email, phone, meeting or visit")
    p.add_argument("--note", required=True)
    p.add_argument("--at", type=_when, default=None)
    p.set_defaults(func=cmd_contact)
    p = a.add_parser("advice", help="stage 5: a consultee's advice and the feedback they got")
    p.add_argument("id")
    p.add_argument("consultee")
    p.add_argument("--advice", required=True)
    used = p.add_mutually_exclusive_group()
    used.add_argument("--used", dest="used", action="store_true", default=None)
    used.add_argument("--not-used", dest="used", action="store_false")
    p.add_argument("--impact", default="", help="what it changed, or why it was not acted on")
    p.add_argument("--feedback-on", type=_day, help="the day the consultee was told")
    p.set_defaults(func=cmd_advice)
    p = a.add_parser("review", help="after the event: the review and lessons for next time")
    p.add_argument("id")
    p.add_argument("--review", required=True)
    p.add_argument("--lessons", required=True)
    p.set_defaults(func=cmd_review)
    p = a.add_parser("print", help="the one-page record as a PDF")
    p.add_argument("id")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_print)
