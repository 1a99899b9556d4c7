"""The printed documents: meeting pack, sign-in sheet, equality and feedback forms.

Each builder takes the plain content of `ccodesk.printing.pack_data` and returns a story of
flowables; `*_pdf` functions lay a story out into PDF bytes. The quarterly return, with its
charts, is in `ccodesk.printing.quarterly`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ccodesk.printing.codes import FormKind, form_code
from ccodesk.printing.layout import (
    FONT,
    MARGIN,
    PAGE_WIDTH,
    RULE,
    Footer,
    FormMark,
    Look,
    TickBox,
    build_pdf,
    data_table,
    escape,
)
from ccodesk.printing.pack_data import EngagementSummary, PackContent
from ccodesk.printing.questionnaire import (
    EQUALITY_NOTE,
    EQUALITY_QUESTIONS,
    FEEDBACK_NOTE,
    FEEDBACK_QUESTIONS,
    SIGN_IN_CONSENT,
)
from ccodesk.words import plural

WIDTH = PAGE_WIDTH - 2 * MARGIN


def _p(text: str, look: Look, style: str = "body") -> Paragraph:
    return Paragraph(escape(text), look.styles[style])


def _markup(markup: str, look: Look, style: str = "body") -> Paragraph:
    return Paragraph(markup, look.styles[style])


def _about(engagement: EngagementSummary | None, look: Look) -> list[Flowable]:
    """The line under a form's title: which meeting, or blanks to fill in."""
    if engagement is None:
        return [
            _p("Meeting or event: " + "_" * (30 if look.large else 48), look),
            _p("Date: " + "_" * 14 + "   Place: " + "_" * (14 if look.large else 34), look),
        ]
    return [
        _markup(f"<b>{escape(engagement.title)}</b>", look),
        _p(f"{engagement.when}" + (f" · {engagement.venue}" if engagement.venue else ""), look),
    ]


def _code_of(kind: FormKind, engagement: EngagementSummary | None) -> str:
    return form_code(kind, engagement.id if engagement else None)


def _ticks(labels: list[str], look: Look, columns: int, width: float) -> Table:
    """Answers to tick: a drawn box before each label, `columns` answers a row."""
    gap = look.tick_box + 4 * mm  # the box and the room between it and its label
    label_width = width / columns - gap
    cells: list[Flowable] = []
    for label in labels:
        cells += [TickBox(look.tick_box), _p(label, look, "answer")]
    per_row = 2 * columns
    cells += [""] * (-len(cells) % per_row)  # a short last row
    rows = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
    table = Table(rows, colWidths=[gap, label_width] * columns, hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, look.body),  # the empty cells: not Helvetica
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _sheet_line(sheet: int | None, sheets: int | None, look: Look) -> list[Flowable]:
    """ "Sheet 2 of 3" under the title of a numbered copy (the QR code carries it too)."""
    if not sheet:
        return []
    of = f" of {sheets}" if sheets else ""
    return [_markup(f"<b>Sheet {sheet}{of}</b>", look)]


# -- forms ----------------------------------------------------------------------------------


def equality_form(
    engagement: EngagementSummary | None,
    look: Look,
    sheet: int | None = None,
    sheets: int | None = None,
) -> list[Flowable]:
    """The equality monitoring form: the eight priority groups, each with "prefer not to say"."""
    code = _code_of(FormKind.EQUALITY, engagement)
    story: list[Flowable] = [
        FormMark(Footer(FormKind.EQUALITY.label, code, sheet)),
        _p("Equality monitoring form", look, "title"),
        *_sheet_line(sheet, sheets, look),
        *_about(engagement, look),
        _p(EQUALITY_NOTE, look, "small"),
    ]
    for number, question in enumerate(EQUALITY_QUESTIONS, start=1):
        labels = [o.label for o in question.options]
        # Large print: one answer a line. Standard: the answers side by side.
        columns = 1 if look.large else len(labels)
        answers = _ticks(labels, look, columns, WIDTH - (10 if look.large else 8) * mm)
        story.append(KeepTogether([_p(f"{number}. {question.text}", look, "question"), answers]))
    story.append(Spacer(1, look.body))
    story.append(
        _p("Thank you. Please hand this form to the officer or leave it on the table.", look)
    )
    return story


def feedback_form(
    engagement: EngagementSummary | None,
    look: Look,
    sheet: int | None = None,
    sheets: int | None = None,
) -> list[Flowable]:
    """The feedback form: three open questions, and the topics of the meeting to tick."""
    code = _code_of(FormKind.FEEDBACK, engagement)
    story: list[Flowable] = [
        FormMark(Footer(FormKind.FEEDBACK.label, code, sheet)),
        _p("Feedback form", look, "title"),
        *_sheet_line(sheet, sheets, look),
        *_about(engagement, look),
        _p(FEEDBACK_NOTE, look, "small"),
    ]
    lines = 3 if look.large else 4
    line_height = (13 if look.large else 9) * mm
    for number, (_key, text) in enumerate(FEEDBACK_QUESTIONS, start=1):
        space = Table([[""]] * lines, colWidths=[WIDTH], rowHeights=[line_height] * lines)
        space.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), FONT, look.small),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ]
            )
        )
        story.append(KeepTogether([_p(f"{number}. {text}", look, "question"), space]))
    if engagement is not None and engagement.topics:
        story.append(
            _p(f"{len(FEEDBACK_QUESTIONS) + 1}. Which of these is it about?", look, "question")
        )
        topics = [n for _c, n in engagement.topics]
        story.append(_ticks(topics, look, 1 if look.large else 3, WIDTH))
    story.append(_p("Thank you for your views.", look))
    return story


def sign_in_sheet(
    engagement: EngagementSummary | None,
    look: Look,
    sheet: int | None = None,
    sheets: int | None = None,
    *,
    rows: int | None = None,
) -> list[Flowable]:
    """The attendance sign-in sheet, with a consent box for being contacted again."""
    code = _code_of(FormKind.SIGN_IN, engagement)
    rows = rows or (7 if look.large else 16)  # one page, with the note above the table
    header = ["No.", "Name", "Organisation or area", "E-mail or phone", "Contact me again"]
    widths = [0.07, 0.28, 0.24, 0.27, 0.14] if not look.large else [0.08, 0.3, 0.22, 0.24, 0.16]
    body = [[str(n), "", "", "", TickBox(look.tick_box)] for n in range(1, rows + 1)]
    writing_room = (15 if look.large else 10.5) * mm
    table = data_table(look, header, body, widths, row_height=writing_room)
    table.setStyle(
        TableStyle(
            [("ALIGN", (-1, 1), (-1, -1), "CENTER"), ("VALIGN", (-1, 1), (-1, -1), "MIDDLE")]
        )
    )
    return [
        FormMark(Footer(FormKind.SIGN_IN.label, code, sheet)),
        _p("Attendance sign-in sheet", look, "title"),
        *_sheet_line(sheet, sheets, look),
        *_about(engagement, look),
        _p(SIGN_IN_CONSENT, look, "small"),
        table,
    ]


# -- the meeting pack -----------------------------------------------------------------------


AGENDA_LENGTH = 120  # minutes, for a meeting with no end time


def _agenda(engagement: EngagementSummary) -> list[tuple[str, int, str]]:
    """The standard running order of a PCCG-style meeting, timed across its length.

    Each item has a start time and a length in minutes; the lengths add up to the meeting's
    length exactly, and every item has at least one slot of its own. Slots are five minutes
    when the meeting is a multiple of five minutes long and has room for one an item, and
    single minutes otherwise.
    """
    items = [
        (4, "Welcome, introductions and apologies"),
        (4, "Purpose of the meeting and the decision it informs"),
        (10, "Action log from previous meetings"),
        (8, "You said, we did: what was done with your views"),
        (
            40,
            f"Main item: {engagement.theme or engagement.title}"
            + (f" ({', '.join(n for _c, n in engagement.topics)})" if engagement.topics else ""),
        ),
        (24, "Questions and views from the floor"),
        (6, "Any other business"),
        (4, "Feedback and equality monitoring forms; date of the next meeting"),
    ]
    start = engagement.starts_at
    length = AGENDA_LENGTH
    if engagement.ends_at is not None:
        length = round((engagement.ends_at - start).total_seconds() / 60)
    length = max(length, len(items))  # a minute an item at the very least
    unit = 5 if length % 5 == 0 and length // 5 >= len(items) else 1
    slots = _share(length // unit, [w for w, _ in items])
    agenda, at = [], 0
    for count, (_w, text) in zip(slots, items, strict=True):
        when = start + dt.timedelta(minutes=at)
        agenda.append((when.strftime("%H:%M"), count * unit, text))
        at += count * unit
    return agenda


def _share(total: int, weights: list[int]) -> list[int]:
    """`total` slots shared out in proportion to `weights`, at least one each (total >= n)."""
    whole = sum(weights)
    quota = [total * w / whole for w in weights]
    shares = [max(1, int(q)) for q in quota]
    while sum(shares) < total:  # to the item furthest below its quota
        shares[max(range(len(shares)), key=lambda i: quota[i] - shares[i])] += 1
    while sum(shares) > total:  # from the item furthest above its quota, keeping one each
        spare = [i for i in range(len(shares)) if shares[i] > 1]
        shares[min(spare, key=lambda i: quota[i] - shares[i])] -= 1
    return shares


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cover(pack: PackContent, look: Look) -> list[Flowable]:
    e = pack.engagement
    organisers = [
        ["Community Consultation Officer", e.cco_name or "to be confirmed"],
        ["Borough Liaison Officer", e.blo_name or "—"],
        ["Community Safety Officer", e.cso_name or "—"],
    ]
    details = [
        ["When", e.when],
        ["Where", e.venue or "to be confirmed"],
        ["Access", _sentence(", ".join(e.access)) if e.access else "Ask the officer"],
    ]
    if e.borough:
        details.insert(0, ["Borough", e.borough])
    story: list[Flowable] = [
        FormMark(Footer(f"Meeting pack: {e.title}", _code_of(FormKind.PACK, e))),
        _p(e.kind, look, "h2"),
        _p(e.title, look, "title"),
        data_table(look, None, details, [0.25, 0.75]),
        _p("Organisers", look, "h2"),
        data_table(look, ["Role", "Name"], organisers, [0.4, 0.6]),
    ]
    if e.partners:
        story += [_p("Partners", look, "h2"), _p("; ".join(e.partners), look)]
    story += _attendees(pack, look)
    story.append(Spacer(1, look.body))
    story.append(
        _p(
            "Please sign in on the attendance sheet, and fill in the equality monitoring and "
            "feedback forms at the back of this pack before you leave. Tell the officer about "
            "any access need: large-print forms are available.",
            look,
        )
    )
    return story


def _attendees(pack: PackContent, look: Look) -> list[Flowable]:
    """The named attendees whose consent lets the pack name them, and how many it leaves out."""
    if not pack.attendees and not pack.attendees_withheld:
        return []
    story: list[Flowable] = [_p("Named attendees", look, "h2")]
    if pack.attendees:
        rows = [[a.name, a.role, a.organisation] for a in pack.attendees]
        story.append(data_table(look, ["Name", "Role", "Organisation"], rows, [0.35, 0.25, 0.4]))
    if pack.attendees_withheld:
        n = pack.attendees_withheld
        story.append(
            _p(
                f"{plural(n, 'more named attendee')} not listed: no valid consent to be named.",
                look,
                "small",
            )
        )
    return story


def _purpose(pack: PackContent, look: Look) -> list[Flowable]:
    e = pack.engagement
    story: list[Flowable] = [CondPageBreak(60 * mm), _p("Purpose of the meeting", look, "h1")]
    if e.informs:
        detail = f": {e.informs_detail}" if e.informs_detail else ""
        story.append(_markup(f"<b>The decision it informs:</b> {escape(e.informs + detail)}", look))
    else:
        story.append(_p("The decision it informs is to be confirmed by the officer.", look))
    if e.theme:
        story.append(_markup(f"<b>Theme:</b> {escape(e.theme)}", look))
    if e.topics:
        topics = ", ".join(n for _c, n in e.topics)
        story.append(_markup(f"<b>Topics:</b> {escape(topics)}", look))
    if e.target_groups:
        groups = ", ".join(e.target_groups)
        story.append(_markup(f"<b>We especially want to hear from:</b> {escape(groups)}", look))
    if e.notes.strip():
        story.append(_p(e.notes.strip(), look))
    return story


def pack_story(pack: PackContent, look: Look, forms: int = 1) -> list[Flowable]:
    """The meeting pack: cover, agenda, purpose, action log, you said we did, then the forms."""
    e = pack.engagement
    story = _cover(pack, look)
    story += [PageBreak(), _p("Agenda", look, "h1")]
    agenda = [[when, f"{minutes} min", text] for when, minutes, text in _agenda(e)]
    story.append(data_table(look, ["Time", "Length", "Item"], agenda, [0.12, 0.12, 0.76]))
    story += _purpose(pack, look)
    story += [CondPageBreak(50 * mm), _p("Action log from previous meetings", look, "h1")]
    if pack.previous:
        first, last = pack.previous[-1][0], pack.previous[0][0]
        span = f"{first:%d %b %Y}" + (f" to {last:%d %b %Y}" if last != first else "")
        story.append(
            _p(
                f"Actions agreed at the {len(pack.previous)} previous meeting"
                f"{'s' if len(pack.previous) != 1 else ''} of this group ({span}).",
                look,
            )
        )
    if pack.actions:
        rows = [
            [
                f"{a.meeting:%d %b %Y}",
                a.what,
                a.owner,
                f"{a.due_on:%d %b %Y}" if a.due_on else "",
                a.where_it_stands,
            ]
            for a in pack.actions
        ]
        story.append(
            data_table(
                look,
                ["Meeting", "Action", "Owner", "Due", "Status"],
                rows,
                [0.14, 0.44, 0.16, 0.13, 0.13],
            )
        )
    else:
        story.append(_p("No actions from earlier meetings of this group.", look))
    story += [CondPageBreak(50 * mm), _p("You said, we did", look, "h1")]
    if pack.you_said:
        rows = [[f"{y.meeting:%d %b %Y}", y.you_said, y.we_did] for y in pack.you_said]
        story.append(data_table(look, ["Meeting", "You said", "We did"], rows, [0.14, 0.43, 0.43]))
    else:
        story.append(_p("Nothing to report back yet from earlier meetings of this group.", look))
    sheets = forms if forms > 1 else None
    for build in (sign_in_sheet, equality_form, feedback_form):
        for copy in range(1, forms + 1):
            story += [PageBreak(), *build(e, look, copy if sheets else None, sheets)]
    return story


def pack_pdf(pack: PackContent, *, large_print: bool = False, forms: int = 1) -> bytes:
    """The meeting pack of one engagement as PDF bytes."""
    look = Look(large_print)
    e = pack.engagement
    return build_pdf(
        pack_story(pack, look, forms),
        look,
        title=f"Meeting pack: {e.title}",
        subject=f"{e.kind}, {e.when}",
    )


def form_pdf(
    kind: FormKind,
    engagement: EngagementSummary | None,
    *,
    large_print: bool = False,
    copies: int = 1,
) -> bytes:
    """A feedback form, equality monitoring form or sign-in sheet (blank or for a meeting).

    With several copies, each is numbered ("Sheet 3 of 5" on the page, and the QR code holds
    "EK4Q-7MX2/3") so a sheet keyed twice is noticed.
    """
    look = Look(large_print)
    builders = {
        FormKind.EQUALITY: equality_form,
        FormKind.FEEDBACK: feedback_form,
        FormKind.SIGN_IN: sign_in_sheet,
    }
    if kind not in builders:
        raise ValueError(f"{kind.label} is not a single form")
    sheets = copies if copies > 1 else None
    story: list[Flowable] = []
    for copy in range(1, copies + 1):
        if copy > 1:
            story.append(PageBreak())
        story += builders[kind](engagement, look, copy if sheets else None, sheets)
    title = kind.label + (f": {engagement.title}" if engagement else " (blank)")
    return build_pdf(story, look, title=title, subject=kind.label)


FORM_KINDS: Sequence[FormKind] = (FormKind.FEEDBACK, FormKind.EQUALITY, FormKind.SIGN_IN)
