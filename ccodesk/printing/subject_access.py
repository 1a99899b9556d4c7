"""The answer to a subject access request, printed: a covering summary, then every item held.

`ccodesk.services.subject_access` finds what is held about a person and gathers it into a
`SubjectAccessReport` (printing/subject_access_data.py); `report_pdf` lays it out. Page 1 is
the covering summary (who asked, when, the date the answer is due, what was searched for,
each category found with how many items and why it is held); then every item, category by
category, with why it is held and its fields. Plain data in, PDF bytes out.
"""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Table

from ccodesk.printing.layout import (
    MARGIN,
    PAGE_WIDTH,
    Footer,
    FormMark,
    Look,
    build_pdf,
    escape,
    table_style,
)
from ccodesk.printing.subject_access_data import SubjectAccessReport, day_text

WIDTH = PAGE_WIDTH - 2 * MARGIN - 12  # the frame's width less its padding


def _p(text: str, look: Look, style: str = "body") -> Paragraph:
    return Paragraph(escape(text), look.styles[style])


def _pairs(look: Look, rows: list[tuple[str, str]], widths: tuple[float, float]) -> Table:
    data = [[_p(label, look, "head"), _p(value or "—", look, "cell")] for label, value in rows]
    table = Table(data, colWidths=[widths[0] * WIDTH, widths[1] * WIDTH], hAlign="LEFT")
    table.setStyle(table_style(look, header=False))
    return table


def summary_story(report: SubjectAccessReport, look: Look) -> list[Flowable]:
    """The covering summary: the request, then each category found and why it is held."""
    r = report
    total = sum(c.count for c in r.categories)
    story: list[Flowable] = [
        _p("Subject access request", look, "title"),
        _p(f"What {r.held_by} holds about {r.requester}", look, "h1"),
        _pairs(
            look,
            [
                ("Asked by", r.requester),
                ("Received", day_text(r.received_on)),
                ("Answer due by", day_text(r.due_on)),
                ("Answered", f"{day_text(r.produced_at.date())} at {r.produced_at:%H:%M}"),
                ("Searched for", "; ".join(f"{k}: {v}" for k, v in r.terms if v)),
                ("Officer", r.officer),
                ("Reference", r.reference),
            ],
            (0.25, 0.75),
        ),
        _p("What was found, and why it is held", look, "h2"),
    ]
    if not r.categories:
        story.append(_p("Nothing held names or matches what was searched for.", look))
    else:
        rows: list[list[Flowable]] = [
            [_p(h, look, "head") for h in ("What", "Items", "Why it is held")]
        ]
        for c in r.categories:
            rows.append([_p(c.label, look, "cell"), _p(f"{c.count:,}", look, "cell"),
                         _p(c.why, look, "cell")])  # fmt: skip
        table = Table(rows, colWidths=[0.25 * WIDTH, 0.1 * WIDTH, 0.65 * WIDTH], repeatRows=1)
        table.setStyle(table_style(look))
        story += [table, _p(f"{total:,} items in all, each listed on the pages that follow.", look)]
    for note in r.notes:
        story.append(_p(note, look, "small"))
    return story


def items_story(report: SubjectAccessReport, look: Look) -> list[Flowable]:
    """Every item, category by category: its title, why it is held, its fields."""
    story: list[Flowable] = []
    for category in report.categories:
        items = [i for i in report.items if i.category == category.key]
        heading: list[Flowable] = [_p(f"{category.label} ({category.count:,})", look, "h1")]
        for item in items:
            rows = [("Why it is held", item.why), *item.fields]
            if item.matched:
                rows.append(("Found by", item.matched))
            rows.append(("Record", f"{item.table} {item.record}"))
            # the category's heading stays with its first item
            story.append(
                KeepTogether(
                    [*heading, _p(item.title, look, "h2"), _pairs(look, rows, (0.25, 0.75))]
                )
            )
            heading = []
    return story


def report_pdf(report: SubjectAccessReport, *, large: bool = False) -> bytes:
    """The answer as PDF bytes: the covering summary on its own, then every item."""
    look = Look(large=large)
    title = f"Subject access request: {report.requester}"
    story: list[Flowable] = [
        FormMark(Footer(title, report.reference, qr=False)),
        *summary_story(report, look),
    ]
    if report.items:
        story += [PageBreak(), *items_story(report, look)]
    return build_pdf(story, look, title=title, subject="Subject access request")
