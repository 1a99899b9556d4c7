"""The quarterly consultation return, with its charts drawn in the PDF (reportlab graphics)."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer

from ccodesk.printing.layout import (
    FONT,
    MARGIN,
    PAGE_WIDTH,
    Footer,
    FormMark,
    Look,
    build_pdf,
    data_table,
    escape,
)
from ccodesk.printing.return_data import ATTENDEES, IN_GROUP, GroupLine, ReturnContent

WIDTH = PAGE_WIDTH - 2 * MARGIN
# Dark and light bars that stay apart in black-and-white print.
DARK, LIGHT = colors.HexColor("#1f3b73"), colors.HexColor("#9db4de")
PIE_COLOURS = [
    colors.HexColor(c)
    for c in (
        "#1f3b73",
        "#4f7cc4",
        "#9db4de",
        "#d9822b",
        "#f2c18d",
        "#5a5a5a",
        "#bdbdbd",
        "#2e7d32",
    )
]


def money(pence: int) -> str:
    return f"£{pence / 100:,.2f}"


def _change(now: int, before: int) -> str:
    if before == 0:
        return "new" if now else "—"
    delta = (now - before) / before
    return f"{delta:+.0%}"


def _bars(
    labels: list[str], series: Sequence[Sequence[int | None]], names: list[str], look: Look
) -> Drawing:
    """A horizontal bar chart, one bar per series for each label, with a legend."""
    row = 16 if len(series) > 1 else 11
    height = max(60.0, row * len(labels) + 40)
    drawing = Drawing(WIDTH, height)
    drawing.initialFontName = FONT
    chart = HorizontalBarChart()
    chart.x, chart.y = 195, 28
    chart.width, chart.height = WIDTH - 215, height - 40
    chart.data = [list(reversed(s)) for s in series]
    chart.categoryAxis.categoryNames = list(reversed(labels))
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.valueMin = 0
    top = max([v for s in series for v in s if v is not None] + [1])  # None: not drawn
    chart.valueAxis.valueMax = top * 1.1
    chart.valueAxis.valueStep = max(1, _nice_step(top))
    chart.barSpacing = 1
    chart.groupSpacing = 4
    for index, colour in enumerate((DARK, LIGHT)[: len(series)]):
        chart.bars[index].fillColor = colour
        chart.bars[index].strokeColor = colors.black
        chart.bars[index].strokeWidth = 0.3
    drawing.add(chart)
    if len(series) > 1:
        legend = Legend()
        legend.fontName = FONT
        legend.fontSize = 8
        legend.x, legend.y = 195, 10
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.deltax = 120
        legend.colorNamePairs = list(zip((DARK, LIGHT), names, strict=False))
        drawing.add(legend)
    return drawing


def _nice_step(top: float) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top / step <= 6:
            return step
    return int(top / 5)


def _pie(labels: list[str], values: list[int]) -> Drawing:
    drawing = Drawing(WIDTH, 150)
    drawing.initialFontName = FONT
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 20, 10, 130, 130
    pie.data = values or [1]
    pie.labels = None
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 0.5
    for index in range(len(pie.data)):
        pie.slices[index].fillColor = PIE_COLOURS[index % len(PIE_COLOURS)]
    drawing.add(pie)
    legend = Legend()
    legend.fontName = FONT
    legend.fontSize = 8
    legend.x, legend.y = 190, 135
    legend.alignment = "right"
    legend.columnMaximum = 9
    total = sum(values) or 1
    legend.colorNamePairs = [
        (PIE_COLOURS[i % len(PIE_COLOURS)], f"{label}  {money(v)} ({v / total:.0%})")
        for i, (label, v) in enumerate(zip(labels, values, strict=True))
    ]
    drawing.add(legend)
    return drawing


def return_story(data: ReturnContent, look: Look) -> list[Flowable]:
    """The return: summary, methods, participation, representation, findings, feedback, costs."""
    story: list[Flowable] = []
    for section in (
        _summary,
        _methods,
        _representation,
        _decisions,
        _feedback,
        _costs,
        _deletions,
    ):
        story += section(data, look)
    return story


def _p(look: Look, text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(text), look.styles[style])


def _summary(data: ReturnContent, look: Look) -> list[Flowable]:
    q, before, people = data.quarter, data.quarter_before, data.people
    summary = [
        ["Engagements held", f"{data.held:,}", f"{data.held_before:,}"],
        [
            "People taking part",
            people(data.attendees, ATTENDEES),
            people(data.attendees_before, ATTENDEES, before=True),
        ],
        ["Findings recorded", f"{data.findings:,}", ""],
        ["Findings that changed a decision", f"{len(data.changed):,}", ""],
        ["Feedback given (\u201cyou said, we did\u201d)", f"{len(data.feedback):,}", ""],
        ["Cash costs", money(data.cash_pence), ""],
        ["Officer time (opportunity cost)", money(data.officer_pence), ""],
    ]
    return [
        FormMark(Footer(f"Quarterly consultation return: {data.borough}", q, qr=False)),
        _p(look, f"{data.borough}: consultation return", "title"),
        _p(look, data.heading, "h2"),
        data_table(look, ["", q, before], summary, [0.6, 0.2, 0.2]),
    ]


def _methods(data: ReturnContent, look: Look) -> list[Flowable]:
    """Engagements held by method, with those taking part (small counts withheld)."""
    people = data.people
    story: list[Flowable] = [_p(look, "Engagements held, by method", "h1")]
    if not data.methods:
        return [*story, _p(look, "No engagement was recorded as held this quarter.")]
    rows = []
    for m in data.methods:
        cell = data.method_measure(m.method)
        rows.append(
            [
                m.method,
                f"{m.held:,}",
                people(m.attendees, *cell),
                "suppressed" if data.is_withheld(*cell) else f"{m.attendees / m.held:,.1f}",
            ]
        )
    average = data.attendees / data.held if data.held else 0
    per_engagement = "suppressed" if data.is_withheld(ATTENDEES) else f"{average:,.1f}"
    rows.append(
        ["All methods", f"{data.held:,}", people(data.attendees, ATTENDEES), per_engagement]
    )
    return [
        *story,
        data_table(
            look, ["Method", "Held", "Took part", "Per engagement"], rows, [0.52, 0.16, 0.16, 0.16]
        ),
        Spacer(1, 4 * mm),
        _bars([m.method for m in data.methods], [[m.held for m in data.methods]], ["Held"], look),
    ]


def _representation(data: ReturnContent, look: Look) -> list[Flowable]:
    """The eight priority groups against the quarter before, a withheld count never drawn."""
    q, before, people = data.quarter, data.quarter_before, data.people
    unsaid, unasked = data.unmonitored()

    def hidden(g: GroupLine) -> bool:
        now = data.is_withheld(IN_GROUP, g.group)
        return now or data.is_withheld(IN_GROUP, g.group, before=True)

    rows = [
        [
            g.group,
            people(g.this_quarter, IN_GROUP, g.group),
            people(g.quarter_before, IN_GROUP, g.group, before=True),
            "suppressed" if hidden(g) else _change(g.this_quarter, g.quarter_before),
        ]
        for g in data.groups
    ]
    drawn = [  # a withheld count is not drawn either
        [None if data.is_withheld(IN_GROUP, g.group) else g.this_quarter for g in data.groups],
        [
            None if data.is_withheld(IN_GROUP, g.group, before=True) else g.quarter_before
            for g in data.groups
        ],
    ]
    return [
        CondPageBreak(120 * mm),
        _p(look, "Representation of the eight priority groups", "h1"),
        _p(
            look,
            "People counted by equality monitoring at the engagements held, against the quarter "
            f"before. {unsaid} preferred not to say; {unasked} were not asked.",
            "small",
        ),
        data_table(look, ["Priority group", q, before, "Change"], rows, [0.52, 0.16, 0.16, 0.16]),
        Spacer(1, 4 * mm),
        KeepTogether(_bars([g.group for g in data.groups], drawn, [q, before], look)),
    ]


def _decisions(data: ReturnContent, look: Look) -> list[Flowable]:
    """Findings that changed a decision, and how the quarter's findings were used so far."""
    story: list[Flowable] = [
        CondPageBreak(60 * mm),
        _p(look, "Findings that changed a decision", "h1"),
    ]
    if data.outcomes:
        used = "; ".join(f"{label}: {n:,}" for label, n in sorted(data.outcomes.items()))
        story.append(_p(look, f"How this quarter's findings were used so far: {used}.", "small"))
    if not data.changed:
        return [*story, _p(look, "No finding changed a decision this quarter.")]
    rows = [[f"{c.held_on:%d %b %Y}", c.engagement, c.finding, c.decision] for c in data.changed]
    headings = ["Held", "Engagement", "You said", "Decision changed"]
    return [*story, data_table(look, headings, rows, [0.13, 0.25, 0.31, 0.31])]


def _feedback(data: ReturnContent, look: Look) -> list[Flowable]:
    """Feedback given ("you said, we did"), by channel."""
    story: list[Flowable] = [CondPageBreak(60 * mm), _p(look, "Feedback given", "h1")]
    if not data.feedback:
        return [*story, _p(look, "No feedback was given to those consulted this quarter.")]
    channels: dict[str, int] = {}
    for f in data.feedback:
        channels[f.channel] = channels.get(f.channel, 0) + 1
    by_channel = "; ".join(f"{c}: {n}" for c, n in sorted(channels.items()))
    rows = [[f"{f.given_on:%d %b %Y}", f.channel, f.engagement, f.text] for f in data.feedback]
    headings = ["Given", "Channel", "Engagement", "What we said"]
    return [
        *story,
        _p(look, f"By channel: {by_channel}."),
        data_table(look, headings, rows, [0.13, 0.14, 0.28, 0.45]),
    ]


def _costs(data: ReturnContent, look: Look) -> list[Flowable]:
    """Cash costs and officer time, the cost per engagement, and a pie of them."""
    rows = [[label, money(pence)] for label, pence in data.costs]
    rows += [
        [f"Officer time: {role} ({minutes / 60:,.1f} h)", money(pence)]
        for role, minutes, pence in data.officer_time
    ]
    rows.append(["Total", money(data.cash_pence + data.officer_pence)])
    story: list[Flowable] = [
        CondPageBreak(110 * mm),
        _p(look, "Costs, including officer time", "h1"),
        data_table(look, ["Cost", "Amount"], rows, [0.7, 0.3]),
    ]
    if data.held:
        per = (data.cash_pence + data.officer_pence) / data.held
        story.append(_p(look, f"Cost per engagement held: {money(round(per))}.", "small"))
    labels = [label for label, _ in data.costs] + ["Officer time"]
    values = [pence for _, pence in data.costs] + [data.officer_pence]
    if sum(values):
        story.append(_pie(labels, values))
    return story


def _deletions(data: ReturnContent, look: Look) -> list[Flowable]:
    """What the retention schedule deleted this quarter (no personal details)."""
    story: list[Flowable] = [
        CondPageBreak(50 * mm),
        _p(look, "Data protection: deletions this quarter", "h1"),
    ]
    if data.deletions:
        rows = [
            [f"{d.done_on:%d %b %Y}", d.category, f"{d.count:,}", d.rule] for d in data.deletions
        ]
        story.append(
            data_table(look, ["Date", "Category", "Count", "Rule"], rows, [0.14, 0.22, 0.1, 0.54])
        )
        story.append(
            _p(
                look,
                "Deleted under the retention schedule or on a person's request; the records "
                "hold no personal details.",
                "small",
            )
        )
    else:
        story.append(_p(look, "Nothing was deleted under the retention schedule this quarter."))
    return story


def return_pdf(data: ReturnContent) -> bytes:
    """The quarterly consultation return as PDF bytes."""
    look = Look()
    return build_pdf(
        return_story(data, look),
        look,
        title=f"Quarterly consultation return {data.quarter}: {data.borough}",
        subject="Quarterly consultation return",
    )
