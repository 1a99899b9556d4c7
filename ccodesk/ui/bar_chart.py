"""A small horizontal grouped bar chart drawn with QPainter (QtCharts is not in Essentials)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    values: Sequence[float | None]  # one per category; None: no figure (drawn as nothing)


class BarChart(QWidget):
    """Categories down the side, one bar per series for each; a legend above.

    The figures are also given as the accessible description, so a screen reader can read
    what the picture shows.
    """

    BAR = 9
    GAP = 7

    def __init__(
        self,
        title: str,
        formatter: Callable[[float], str] = lambda v: f"{v:,.0f}",
        *,
        rows: int = 0,
        bars: int = 1,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(title)
        self.title = title
        self.formatter = formatter
        self.categories: list[str] = []
        self.series: list[Series] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # Sized for the rows expected before any data arrives: a page that grows once its
        # figures come in would need its scroll area laid out again.
        self._rows, self._bars = rows, bars
        self.setFixedHeight(self.sizeHint().height())

    def set_data(self, categories: Sequence[str], series: Sequence[Series]) -> None:
        self.categories = list(categories)
        self.series = [s for s in series if len(s.values) == len(categories)]
        lines = []
        for index, category in enumerate(self.categories):
            figures = ", ".join(f"{s.name} {self._text(s.values[index])}" for s in self.series)
            lines.append(f"{category}: {figures}")
        self.setAccessibleDescription("; ".join(lines))
        self._rows, self._bars = len(self.categories), max(len(self.series), 1)
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def _text(self, value: float | None) -> str:
        return "none" if value is None else self.formatter(value)

    def _row_height(self) -> int:
        return self._bars * self.BAR + self.GAP

    def sizeHint(self) -> QSize:
        legend = QFontMetrics(self.font()).height() + 8
        return QSize(480, legend + self._rows * self._row_height() + 8)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        metrics = QFontMetrics(self.font())
        x = 0.0
        for s in self.series:  # the legend
            painter.fillRect(QRectF(x, 4, 12, 12), QColor(s.colour))
            painter.setPen(text)
            painter.drawText(QRectF(x + 16, 0, 400, 20), Qt.AlignmentFlag.AlignVCenter, s.name)
            x += 16 + metrics.horizontalAdvance(s.name) + 16
        top = metrics.height() + 8
        label_width = min(
            max((metrics.horizontalAdvance(c) for c in self.categories), default=0) + 8,
            self.width() * 0.4,
        )
        value_width = 70
        plot = self.width() - label_width - value_width
        values = [v for s in self.series for v in s.values if v is not None]
        top_value = max(values, default=0.0) or 1.0
        for index, category in enumerate(self.categories):
            y = top + index * self._row_height()
            painter.setPen(text)
            label = metrics.elidedText(category, Qt.TextElideMode.ElideRight, int(label_width - 8))
            painter.drawText(
                QRectF(0, y, label_width - 8, self._row_height() - self.GAP),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                label,
            )
            longest = 0.0
            for number, s in enumerate(self.series):
                value = s.values[index]
                if value is None:
                    continue
                length = max(plot * value / top_value, 1.0 if value else 0.0)
                longest = max(longest, length)
                bar = QRectF(label_width, y + number * self.BAR, length, self.BAR - 1)
                painter.fillRect(bar, QColor(s.colour))
            first = self.series[0].values[index] if self.series else None
            if first is not None:  # the first series' figure, past the longest bar
                painter.setPen(text)
                painter.drawText(
                    QRectF(label_width + longest + 4, y, value_width, self._row_height() - 7),
                    Qt.AlignmentFlag.AlignVCenter,
                    self._text(first),
                )
        painter.end()
