"""The London quarterly return: London's indicators and the boroughs compared (plain data in,
PDF bytes out; the cells arrive as text, small counts already withheld)."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.platypus import CondPageBreak, Flowable, Paragraph

from ccodesk.printing.layout import Footer, FormMark, Look, build_pdf, data_table, escape
from ccodesk.words import plural


@dataclass(frozen=True)
class LondonReturnContent:
    period: str  # "2026Q3"
    period_before: str
    heading: str  # "Q3 2026 (1 July to 30 September 2026)"
    summary: list[tuple[str, str]]  # London's figures: (name, what the page says)
    groups: list[tuple[str, str, str, str]]  # priority group, share now, before, baseline
    methods: list[tuple[str, str, str]]  # method, engagements now, before
    headings: list[str]  # "Borough", then the key figures
    boroughs: list[list[str]]  # one row per borough, then London; "now (before)" cells
    boroughs_sending: int


def london_story(data: LondonReturnContent, look: Look) -> list[Flowable]:
    styles = look.styles

    def p(text: str, style: str = "body") -> Paragraph:
        return Paragraph(escape(text), styles[style])

    story: list[Flowable] = [
        FormMark(Footer("London quarterly consultation return", data.period, qr=False)),
        p("London: quarterly consultation return", "title"),
        p(data.heading, "h2"),
        p(
            f"Every borough's merged bundles: {plural(data.boroughs_sending, 'borough')} "
            f"recorded engagements in {data.period} or {data.period_before}. Counts of people "
            "under 10 are shown as <10, and figures that would give them back as suppressed.",
            "small",
        ),
        p("London-wide", "h1"),
        data_table(look, ["Indicator", data.period], [list(r) for r in data.summary], [0.45, 0.55]),
        CondPageBreak(60),
        p("Share of monitored attendance by priority group", "h1"),
        data_table(
            look,
            ["Priority group", data.period, data.period_before, "London baseline"],
            [list(r) for r in data.groups],
            [0.46, 0.18, 0.18, 0.18],
        ),
        CondPageBreak(60),
        p("Engagements held, by method", "h1"),
        data_table(
            look,
            ["Method", data.period, data.period_before],
            [list(r) for r in data.methods],
            [0.6, 0.2, 0.2],
        ),
        CondPageBreak(120),
        p("The boroughs compared", "h1"),
        p(f"Each cell: {data.period} ({data.period_before}).", "small"),
    ]
    if data.boroughs:
        share = 0.82 / (len(data.headings) - 1)
        story.append(
            data_table(
                look,
                data.headings,
                data.boroughs,
                [0.18, *([share] * (len(data.headings) - 1))],
            )
        )
    return story


def london_return_pdf(data: LondonReturnContent) -> bytes:
    """The London quarterly return as PDF bytes."""
    look = Look()
    return build_pdf(
        london_story(data, look),
        look,
        title=f"London quarterly consultation return {data.period}",
        subject="London quarterly consultation return",
    )
