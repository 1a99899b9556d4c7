"""The look of every printed page: A4, an embedded Unicode font, and a footer on every page.

The footer carries the page number ("Page 2 of 7"), the form code of the sheet and a QR
code holding it, so a returned sheet is keyed against the right engagement. A section marks
where its code starts with a `FormMark` flowable; the footers are drawn when the document is
saved, once the page count is known.

Sizes are chosen for a pen and a scanner: tick boxes are drawn squares of at least 5 mm
(7 mm in large print); a QR module is 0.86 mm (1.05 mm in large print), two and a half
pixels in a 75 dpi scan, with the standard four-module quiet zone of white around it; and a
table's header words are never broken.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from ccodesk.printing.codes import sheet_label
from ccodesk.resource_files import read_bytes

FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
INK = colors.black  # text is always black on white: high contrast, photocopies well
RULE = colors.HexColor("#333333")
SHADE = colors.HexColor("#e6e6e6")
MARGIN = 16 * mm
PAGE_WIDTH, PAGE_HEIGHT = A4
LANGUAGE = "en-GB"  # the PDF catalog's /Lang: screen readers pick British English
QR_MODULES = 21  # a version 1 symbol: a code and a sheet number up to 9999 at level Q
QR_QUIET = 4  # modules of white all round, as the standard asks
CELL_PADDING = 6.0  # reportlab's default left and right padding of a table cell, points


@functools.cache
def register_fonts() -> None:
    """Register DejaVu Sans (shipped in resources/fonts) so every PDF embeds it."""
    for name, file in ((FONT, "DejaVuSans.ttf"), (BOLD, "DejaVuSans-Bold.ttf")):
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(read_bytes("fonts", file))))
    # No oblique face is shipped: <i> prints upright rather than falling back to Helvetica.
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


@dataclass(frozen=True)
class Look:
    """Sizes for standard or large print (large: at least 16 pt everywhere)."""

    large: bool = False

    @property
    def body(self) -> float:
        return 16.0 if self.large else 10.0

    @property
    def small(self) -> float:
        return 16.0 if self.large else 8.5

    @property
    def footer_height(self) -> float:
        return float((26 if self.large else 18) * mm)

    @property
    def qr_size(self) -> float:
        """The QR symbol's side, without its quiet zone: 0.86 mm (1.05 mm) a module."""
        return float((22 if self.large else 18) * mm)

    @property
    def tick_box(self) -> float:
        """The side of a tick box: room for a tick made with a pen."""
        return float((7.5 if self.large else 5.5) * mm)

    @functools.cached_property
    def styles(self) -> dict[str, ParagraphStyle]:
        register_fonts()
        body = self.body
        base = ParagraphStyle(
            "body",
            fontName=FONT,
            fontSize=body,
            leading=body * 1.3,
            textColor=INK,
            spaceAfter=body * 0.5,
        )

        def style(name: str, **kw: Any) -> ParagraphStyle:
            return ParagraphStyle(name, parent=base, **kw)

        return {
            "body": base,
            "small": style("small", fontSize=self.small, leading=self.small * 1.25),
            "cell": style("cell", fontSize=self.small, leading=self.small * 1.25, spaceAfter=0),
            "answer": style("answer", spaceAfter=0),  # beside a tick box
            "head": style(
                "head", fontName=BOLD, fontSize=self.small, leading=self.small * 1.25, spaceAfter=0
            ),
            "title": style(
                "title", fontName=BOLD, fontSize=body * 2.0, leading=body * 2.4, spaceAfter=body
            ),
            "h1": style(
                "h1",
                fontName=BOLD,
                fontSize=body * 1.5,
                leading=body * 1.9,
                spaceBefore=body * 0.6,
                spaceAfter=body * 0.5,
            ),
            "h2": style(
                "h2",
                fontName=BOLD,
                fontSize=body * 1.2,
                leading=body * 1.5,
                spaceBefore=body * 0.6,
                spaceAfter=body * 0.3,
            ),
            "question": style("question", fontName=BOLD, spaceBefore=body * 0.6, keepWithNext=1),
            "centre": style("centre", alignment=TA_CENTER),
        }


def table_style(look: Look, *, header: bool = True, grid: bool = True) -> TableStyle:
    """Tables: the header row shaded and bold (repeated on every page), rules between rows."""
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, look.small),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if grid:
        commands.append(("GRID", (0, 0), (-1, -1), 0.5, RULE))
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), SHADE), ("FONT", (0, 0), (-1, 0), BOLD)]
    return TableStyle(commands)


def header_fit(
    header: list[str], widths: list[float], size: float, *, smallest: float
) -> tuple[list[float], float]:
    """Column widths (points) and a font size at which every header word fits whole.

    Headers wrap only at spaces: a column narrower than its longest header word takes the
    room from columns with some to spare; only if the page is too narrow for all the
    header words does the header's font shrink (never below `smallest`).
    """

    def needs(at: float) -> list[float]:
        return [
            max((pdfmetrics.stringWidth(w, BOLD, at) for w in h.split()), default=0.0)
            + 2 * CELL_PADDING
            + 0.5  # rounding: a word exactly as wide as its cell would still be split
            for h in header
        ]

    total = sum(widths)
    need = needs(size)
    while sum(need) > total and size > smallest:
        size = max(smallest, size - 0.5)
        need = needs(size)
    short = sum(max(0.0, n - w) for n, w in zip(need, widths, strict=True))
    if not short:
        return list(widths), size
    spare = [max(0.0, w - n) for n, w in zip(need, widths, strict=True)]
    share = min(1.0, short / sum(spare)) if sum(spare) else 0.0
    fitted = [max(n, w - s * share) for n, w, s in zip(need, widths, spare, strict=True)]
    return fitted, size


def data_table(
    look: Look,
    header: list[str] | None,
    rows: list[list[Any]],
    widths: list[float],
    *,
    row_height: float | None = None,
) -> Table:
    """A table that splits over pages with its header row repeated; cells wrap.

    `widths` are fractions of the text width; header words are never broken (see
    `header_fit`), so a column may be widened at the expense of the others.
    """
    styles = look.styles

    def cell(value: Any, style: ParagraphStyle) -> Any:
        if isinstance(value, Flowable):
            return value
        return Paragraph(escape(str(value)), style)

    total = PAGE_WIDTH - 2 * MARGIN
    points = [w * total for w in widths]
    data = []
    if header:
        # Large print never goes below 16 pt; standard print may shrink a header to 7 pt.
        points, size = header_fit(
            header, points, look.small, smallest=look.small if look.large else 7.0
        )
        head = ParagraphStyle("head-fitted", parent=styles["head"], fontSize=size)
        head.leading = size * 1.25
        data.append([cell(h, head) for h in header])
    data += [[cell(v, styles["cell"]) for v in row] for row in rows]
    heights = None
    if row_height is not None:
        heights = ([None] if header else []) + [row_height] * len(rows)
    table = Table(
        data,
        colWidths=points,
        rowHeights=heights,
        repeatRows=1 if header else 0,
    )
    table.setStyle(table_style(look, header=bool(header)))
    return table


class TickBox(Flowable):  # type: ignore[misc]
    """An empty square to tick with a pen, drawn as a path (not a font's glyph)."""

    def __init__(self, size: float) -> None:
        super().__init__()
        self.size = size
        self.width = self.height = size

    def wrap(self, _aw: float, _ah: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.setStrokeColor(INK)
        self.canv.setLineWidth(1)
        self.canv.rect(0, 0, self.size, self.size, stroke=1, fill=0)
        self.canv.restoreState()


def escape(text: str) -> str:
    """Text for a Paragraph: its markup characters escaped, line breaks kept."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
    )


@dataclass(frozen=True)
class Footer:
    """What one page's footer says."""

    document: str
    code: str = ""  # the form code, or a reference for documents that are not forms
    sheet: int | None = None
    qr: bool = True


class FormMark(Flowable):  # type: ignore[misc]
    """Marks where a section starts: from this page on, the footer names its form code."""

    def __init__(self, footer: Footer) -> None:
        super().__init__()
        self.footer = footer
        self.width = self.height = 0

    def wrap(self, _aw: float, _ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv._ccodesk_footer = self.footer


def qr_drawing(value: str, size: float) -> Drawing:
    """A QR code holding `value`, `size` points square with its four-module quiet zone.

    Level Q (a quarter of the symbol can be lost to a smudge or a fold) still fits a code
    and a four-digit sheet number in the smallest symbol, 21 modules.
    """
    widget = QrCodeWidget(value, barLevel="Q", barBorder=QR_QUIET)
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.initialFontName = FONT  # renderPDF would otherwise set (unembedded) Helvetica
    drawing.add(widget)
    return drawing


class FooterCanvas(Canvas):  # type: ignore[misc]
    """Keeps each page until the end, then draws every footer with the page count."""

    look: Look = Look()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._ccodesk_footer: Footer = Footer("")

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        count = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, count)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, count: int) -> None:
        footer: Footer = self._ccodesk_footer
        look = self.look
        size = look.small
        qr = footer.qr and bool(footer.code)
        rule = MARGIN - 6 * mm + look.footer_height  # the line above the footer
        # The QR symbol's right edge is the margin's and its top is level with the rule,
        # which stops short of its quiet zone; the quiet zone reaches into the margins,
        # white too. Its bottom stays 8 mm (10 mm) from the page's edge.
        qr_size = look.qr_size
        quiet = qr_size * QR_QUIET / QR_MODULES
        qr_x, qr_y = PAGE_WIDTH - MARGIN - qr_size, rule - qr_size
        y = qr_y + qr_size / 2 - size / 3  # the text's baseline, level with the code's middle
        right = qr_x - quiet - 1 * mm if qr else PAGE_WIDTH - MARGIN
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, rule, right if qr else PAGE_WIDTH - MARGIN, rule)
        self.setFillColor(INK)
        self.setFont(BOLD, size)
        page = f"Page {number} of {count}"
        self.drawString(MARGIN, y, page)
        self.setFont(FONT, size)
        label = ""
        if footer.code:
            label = f"Form {footer.code}" if qr else footer.code
            if footer.sheet:
                label += f" · sheet {footer.sheet}"
            self.setFont(BOLD, size)
            self.drawRightString(right, y, label)
            self.setFont(FONT, size)
        if not look.large:  # in large print the page and the code fill the line
            left = MARGIN + self.stringWidth(page, BOLD, size) + 6 * mm
            room = (
                right - left - self.stringWidth(label, BOLD, size) - 6 * mm
                if footer.code
                else right - left
            )
            text = _fit(footer.document, FONT, size, room)
            self.drawString(left, y, text)
        if qr:
            value = sheet_label(footer.code, footer.sheet)
            drawing = qr_drawing(value, qr_size + 2 * quiet)  # the quiet zone is drawn white
            renderPDF.draw(drawing, self, qr_x - quiet, qr_y - quiet)
        self.restoreState()


def _fit(text: str, font: str, size: float, width: float) -> str:
    """`text`, shortened with an ellipsis to fit `width` points."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…" if text else ""


def build_pdf(story: list[Flowable], look: Look, *, title: str, subject: str) -> bytes:
    """Lay out `story` on A4 pages with footers; the PDF's bytes.

    Every PDF says what it is (title, subject, author) and its language (en-GB), for
    screen readers and for finding it among files.
    """
    register_fonts()
    buffer = io.BytesIO()
    bottom = MARGIN + look.footer_height
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=bottom,
        title=title,
        author="ccodesk",
        subject=subject,
        lang=LANGUAGE,
        creator="ccodesk (reportlab)",
        invariant=True,
        initialFontName=FONT,  # not Helvetica, which would be left unembedded
        initialFontSize=look.body,
    )
    frame = Frame(MARGIN, bottom, PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - MARGIN - bottom, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    canvas_class = type("_Canvas", (FooterCanvas,), {"look": look})
    doc.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()
