"""The one-page record of a quick-time consultation: the five stages, consultees, the review.

`ccodesk.services.quicktime_record` reads a consultation into a `QuickTimeRecord`; `record_pdf`
lays it out on one A4 page (shrunk to fit if it runs long: it is a record to file, not a form
to fill in). The footer names the consultation by the start of its id, which
`ccodesk-cli quicktime show` accepts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reportlab.platypus import Flowable, KeepInFrame, Paragraph, Table

from ccodesk.printing.layout import (
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    Footer,
    FormMark,
    Look,
    build_pdf,
    escape,
    table_style,
)

FRAME_PADDING = 6  # reportlab's default, each side of the page's frame
WIDTH = PAGE_WIDTH - 2 * MARGIN - 2 * FRAME_PADDING
MAX_SHRINK = 3.0  # beyond a third of the size, the shrinking (of KeepInFrame) goes on by height
IMPACT = {True: "Had an impact", False: "Did not have an impact", None: "Impact not yet known"}


@dataclass(frozen=True)
class ConsulteeLine:
    """One consultee as the record prints it."""

    name: str
    role: str
    reason: str = ""
    advice: str = ""
    advice_used: bool | None = None
    impact: str = ""  # what the advice changed, or why it was not acted on
    feedback_given_on: dt.date | None = None
    contacts: list[str] = field(default_factory=list)  # "Tue 03 Mar 10:15 Phone: note"


@dataclass(frozen=True)
class QuickTimeRecord:
    """Everything the one-page record shows, as plain data."""

    id: str
    title: str
    event_at: dt.datetime
    deadline: dt.datetime
    countdown: str
    status: str
    stage: int
    location: str = ""
    scale: str = ""
    topic: str = ""
    affected: list[str] = field(default_factory=list)
    borough: str = ""
    event_profile: str = ""
    level: str = ""
    communities: str = ""
    police: str = ""
    other_agencies: str = ""
    impact_assessment: str = ""
    media_strategy: str = ""
    cost_benefit: str = ""
    officer_hours: int = 0
    adviser_compensation_pence: int = 0
    technology: str = ""
    departmental_assessment: str = ""
    scope: str = ""
    delivery: str = ""
    terms_of_reference: str = ""
    consultees: list[ConsulteeLine] = field(default_factory=list)
    review: str = ""
    lessons: str = ""
    reviewed_on: dt.date | None = None
    printed_at: dt.datetime | None = None

    @property
    def reference(self) -> str:
        return f"QT {self.id[:8]}"


def _p(text: str, look: Look, style: str = "small") -> Paragraph:
    return Paragraph(escape(text), look.styles[style])


def _fields(look: Look, width: float, rows: list[tuple[str, str]], *, blank: str = "—") -> Table:
    """A two-column table of label and value, the label in bold."""
    data = [
        [_p(label, look, "head"), _p(value.strip() or blank, look, "cell")] for label, value in rows
    ]
    table = Table(data, colWidths=[0.24 * width, 0.76 * width], hAlign="LEFT")
    table.setStyle(table_style(look, header=False))
    return table


def _pounds(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def _consultees(record: QuickTimeRecord, look: Look, width: float) -> Flowable:
    if not record.consultees:
        return _p("No consultees picked yet.", look)
    header = ["Consultee", "Advice", "Impact, and the feedback given", "Contacts"]
    rows: list[list[Flowable]] = [[_p(h, look, "head") for h in header]]
    for x in record.consultees:
        who = f"{x.name}\n{x.role}" + (f"\n{x.reason}" if x.reason else "")
        effect = IMPACT[x.advice_used] + (f": {x.impact}" if x.impact else "")
        told = (
            f"Told on {x.feedback_given_on:%d %b %Y}."
            if x.feedback_given_on
            else ("Feedback owed." if x.advice else "")
        )
        rows.append(
            [
                _p(who, look, "cell"),
                _p(x.advice or "—", look, "cell"),
                _p(f"{effect}\n{told}".strip() if x.advice else "—", look, "cell"),
                _p("\n".join(x.contacts) or "—", look, "cell"),
            ]
        )
    widths = [w * width for w in (0.22, 0.28, 0.28, 0.22)]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(table_style(look))
    return table


def record_story(record: QuickTimeRecord, look: Look, width: float = WIDTH) -> list[Flowable]:
    """The record's content, `width` points wide: heading, the five stages, the review."""
    r = record
    when = f"{r.event_at:%a %d %b %Y %H:%M}" + (f", {r.location}" if r.location else "")
    deadline = f"{r.deadline:%a %d %b %Y %H:%M}: {r.countdown}"
    if r.printed_at:
        deadline += f" when printed ({r.printed_at:%d %b %Y %H:%M})"
    content: list[Flowable] = [
        _p("Quick-time consultation" + (f" · {r.borough}" if r.borough else ""), look, "h2"),
        _p(r.title, look, "h1"),
        _p(
            f"{r.status} · stage {r.stage} of 5 reached · responses needed by {deadline}",
            look,
            "body",
        ),
        _p("1. Causal event", look, "h2"),
        _fields(
            look,
            width,
            [
                ("When and where", when),
                ("Scale", r.scale),
                ("Topic", r.topic),
                ("Affects", ", ".join(r.affected)),
            ],
        ),
        _p(f"2. Scanning, and 5. feedback to consultees ({len(r.consultees)})", look, "h2"),
        _consultees(r, look, width),
        _p("3. Assessment", look, "h2"),
        _fields(
            look,
            width,
            [
                ("Event profile", r.event_profile),
                ("Level", r.level),
                ("Communities", r.communities),
                ("Police", r.police),
                ("Other agencies", r.other_agencies),
            ],
        ),
        _p("4. Strategy", look, "h2"),
        _fields(
            look,
            width,
            [
                ("Community impact", r.impact_assessment),
                ("Media strategy", r.media_strategy),
                (
                    "Cost / benefit",
                    f"{r.officer_hours} officer hours; adviser compensation "
                    f"{_pounds(r.adviser_compensation_pence)}"
                    + (f". {r.cost_benefit}" if r.cost_benefit.strip() else ""),
                ),
                ("Technology", r.technology),
                ("Further assessment", r.departmental_assessment),
            ],
        ),
        _p("5. Plan", look, "h2"),
        _fields(
            look,
            width,
            [
                ("Scope", r.scope),
                ("Delivery", r.delivery),
                ("Terms of reference", r.terms_of_reference),
            ],
        ),
        _p("After the event", look, "h2"),
        _fields(
            look,
            width,
            [
                (
                    "Review" + (f" ({r.reviewed_on:%d %b %Y})" if r.reviewed_on else ""),
                    r.review,
                ),
                ("Lessons for next time", r.lessons),
            ],
            blank="Not reviewed yet.",
        ),
    ]
    return content


def _height(story: list[Flowable], width: float) -> float:
    """How tall `story` is when laid out `width` points wide (spaces counted in full)."""
    return float(sum(f.wrap(width, 1e6)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in story))


def record_pdf(record: QuickTimeRecord) -> bytes:
    """The one-page record as PDF bytes (long content is shrunk to keep it on one page).

    The content is laid out wider than the page, just enough for it to fit in height once
    scaled down to the page's width: shrunk, it still fills the width.
    """
    look = Look()
    height = PAGE_HEIGHT - 2 * MARGIN - look.footer_height - 2 * FRAME_PADDING - 1
    scale = 1.0
    while (
        scale < MAX_SHRINK
        and _height(record_story(record, look, WIDTH * scale), WIDTH * scale) > height * scale
    ):
        scale += 0.02
    story: list[Flowable] = [
        FormMark(Footer(f"Quick-time consultation: {record.title}", record.reference, qr=False)),
        KeepInFrame(
            WIDTH, height, record_story(record, look, WIDTH * scale), mode="shrink", fakeWidth=False
        ),
    ]
    return build_pdf(
        story, look, title=f"Quick-time consultation: {record.title}", subject="Quick-time record"
    )
