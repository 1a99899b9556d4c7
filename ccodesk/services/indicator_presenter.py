"""One presenter of the performance indicators, for the exports and the Reports page alike.

Every figure of a report is named, given its unit, compared with the period before and the
baseline, and withheld when it leaves the device here, once: `report_rows` is the tidy row
view that the text table, CSV and XLSX write (`indicator_export`), and `page_view` is the
Reports page's per-field view, worded from those same rows, so the page and an export of the
same period show the same names, values, previous values and withheld markers.

Small counts (`for_export=True`, docs/indicators.md "Small numbers"): a count of people from
1 to 9 becomes "<10"; a count withheld so that no subtraction gives such a count back
(`indicator_suppression.py`), and a share or cost worked out from any withheld count, become
"suppressed", because the count could be recovered from it (a share times its shown
denominator, a total cost divided by the cost per participant).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ccodesk.services import suppression
from ccodesk.services.baselines import Baseline
from ccodesk.services.indicator_figures import (
    AT_VENUES,
    VENUES,
    VENUES_SHARE,
    Figure,
    figures,
)
from ccodesk.services.indicator_results import IndicatorReport, Indicators
from ccodesk.services.indicator_suppression import (
    ATTENDEES,
    BY_KIND,
    BY_METHOD,
    MONITORED,
    REACHED,
    withheld_in_report,
)
from ccodesk.services.indicators import FEEDBACK_DAYS
from ccodesk.words import plural

SMALL = suppression.SMALL  # counts of people below this are suppressed when they leave
SUPPRESSED_COUNT = "<10"
SUPPRESSED_DERIVED = "suppressed"

Value = int | float | str | None


@dataclass(frozen=True)
class ReportRow:
    """One figure: this period's value, the period before's, and the baseline (shares)."""

    area: str
    period: str
    family: str
    measure: str
    group: str  # a kind, method, priority group, access arrangement or organisation; or ""
    unit: str  # count | share | pounds | days
    value: Value
    previous: Value
    baseline: float | None = None  # a share (0–1), for representation only


def _shown(figure: Figure, withheld: Collection[tuple[str, str]] | None) -> Value:
    """The figure as written: `withheld` are the period's withheld counts (None: all shown)."""
    if withheld is None or not any(cell in withheld for cell in figure.guard):
        return figure.value
    if figure.unit == "count" and isinstance(figure.value, int) and 0 < figure.value < SMALL:
        return SUPPRESSED_COUNT
    return SUPPRESSED_DERIVED  # worked out from a withheld count, or withheld to protect one


def report_rows(report: IndicatorReport, *, for_export: bool = False) -> list[ReportRow]:
    """A report as tidy rows (indicator, measure, group, value, previous value, baseline).

    With `for_export`, counts of people from 1 to 9 are shown as "<10", the counts withheld
    to protect them (so no subtraction gives them back) and the shares and costs worked out
    from any withheld count as "suppressed", in this period's and the previous period's
    columns alike (docs/indicators.md, "Small numbers").
    """
    threshold = threshold_label(report.current.fatigue.threshold)
    now: set[tuple[str, str]] | None = None
    before: set[tuple[str, str]] | None = None
    if for_export:
        cells = report.withheld if report.withheld is not None else withheld_in_report(report)
        now = {(m, g) for m, g, label in cells if label == report.period.label}
        before = {(m, g) for m, g, label in cells if label == report.period.previous().label}
    previous = {
        (fig.family, fig.measure, fig.group): fig for fig in figures(report.previous, threshold)
    }
    rows = []
    for fig in figures(report.current, threshold):
        prev = previous.get((fig.family, fig.measure, fig.group))
        baseline = None
        if fig.measure == "Share of monitored attendance":
            found = _baseline_for(report.baselines, report.current, fig.group)
            baseline = None if found is None else found.share_percent / 100
        rows.append(
            ReportRow(
                area=report.area,
                period=report.period.label,
                family=fig.family,
                measure=fig.measure,
                group=fig.group,
                unit=fig.unit,
                value=_shown(fig, now),
                previous=None if prev is None else _shown(prev, before),
                baseline=baseline,
            )
        )
    return rows


def _baseline_for(baselines: dict[str, Baseline], ind: Indicators, name: str) -> Baseline | None:
    code = next((g.code for g in ind.representation.groups if g.name == name), None)
    return baselines.get(code) if code else None


def format_value(value: Value, unit: str) -> str:
    """A value as a person reads it: 1,234 · 12.3% · £1,234.56 · 4.5 days · – for none."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if unit == "share":
        return f"{100 * value:.1f}%"
    if unit == "pounds":
        return f"£{value:,.2f}"
    if unit == "days":
        return f"{value:g}"
    return f"{value:,}"


def threshold_label(threshold: int) -> str:
    """How the fatigue figures name the threshold: "more than 3 times"."""
    return f"more than {plural(threshold, 'time')}"


# -- the Reports page's view: each field worded from the rows above ---------------------------

# what the page says that no single row names: the groups that no engagement reached
UNREACHED = "Groups not reached"

Layout = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


def page_layout(threshold: int) -> Layout:
    """The page's boxes: each family's fields as (key, label), in order.

    A field's label is the name of the row whose value it leads with (UNREACHED apart), so
    the page names each figure as the exports do.
    """
    return (
        (
            "Participation",
            (
                ("held", "Engagements held"),
                ("attendees", ATTENDEES),
                ("outreach", "Hard-to-reach outreach engagements"),
            ),
        ),
        ("Representation", (("monitored", MONITORED), ("unreached", UNREACHED))),
        (
            "Effective use of information",
            (
                ("findings", "Findings from engagements held"),
                ("with_outcome", "Findings with an outcome"),
                ("changed", "Findings that changed a decision"),
            ),
        ),
        (
            "Feedback",
            (
                ("within", f"Engagements with feedback within {FEEDBACK_DAYS} days"),
                ("median", "Median days to first feedback"),
            ),
        ),
        (
            "Inclusivity",
            (
                ("methods", "Methods used"),
                ("venues", VENUES),
                ("access", "Engagements with access arrangement"),
            ),
        ),
        (
            "Cost",
            (
                ("cost_total", "Total cost"),
                ("per_engagement", "Cost per engagement"),
                ("per_participant", "Cost per participant"),
            ),
        ),
        (
            "Consultee fatigue",
            (("tired", f"Organisations consulted {threshold_label(threshold)}"),),
        ),
    )


@dataclass(frozen=True)
class PageField:
    key: str
    label: str
    text: str


@dataclass(frozen=True)
class Bars:
    """A bar chart's figures: per category, this period's, the previous and the baseline."""

    categories: tuple[str, ...]
    now: tuple[float | None, ...]
    before: tuple[float | None, ...]
    baseline: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class PageView:
    """What the Reports page shows of a report, worded from `report_rows`."""

    fields: tuple[PageField, ...]  # in the order of `page_layout`
    methods_used: tuple[str, ...]
    tired: tuple[str, ...]  # "Name: 5 times", most consulted first
    attendees_by: tuple[str, ...]  # "Attendees by kind, Name: 12 (previous: <10)"
    by_method: Bars  # engagements by method
    group_shares: Bars  # share of monitored attendance by priority group, against the baseline

    def text(self, key: str) -> str:
        return next(f.text for f in self.fields if f.key == key)


class _Rows:
    """A report's rows by (measure, group), as the page reads them."""

    def __init__(self, rows: Sequence[ReportRow]) -> None:
        self.rows = rows
        self.by_name = {(row.measure, row.group): row for row in rows}

    def now(self, measure: str, group: str = "") -> str:
        row = self.by_name[(measure, group)]
        return format_value(row.value, row.unit)

    def was(self, measure: str, group: str = "") -> str:
        row = self.by_name[(measure, group)]
        return format_value(row.previous, row.unit)

    def against_previous(self, measure: str) -> str:
        return f"{self.now(measure)} (previous: {self.was(measure)})"

    def groups(self, measure: str) -> list[ReportRow]:
        return [row for row in self.rows if row.measure == measure and row.group]


def page_view(report: IndicatorReport, *, for_export: bool = False) -> PageView:
    """The Reports page's fields, lists and charts of a report, from its rows.

    With `for_export`, small counts are withheld exactly as the exports withhold them.
    """
    rows = _Rows(report_rows(report, for_export=for_export))
    threshold = report.current.fatigue.threshold
    texts = {
        **_participation_texts(rows),
        **_information_texts(rows),
        **_feedback_texts(rows),
        **_inclusivity_texts(rows),
        **_cost_texts(rows),
        "tired": _fatigue_text(rows, threshold),
    }
    by_method = rows.groups("Engagements by method")
    shares = rows.groups("Share of monitored attendance")
    return PageView(
        fields=tuple(
            PageField(key, label, texts[key])
            for _family, fields in page_layout(threshold)
            for key, label in fields
        ),
        methods_used=tuple(row.group for row in by_method if row.value != 0),
        tired=tuple(
            f"{row.group}: {plural(row.value, 'time')}"
            for row in rows.groups("Consultations of the organisation")
            if isinstance(row.value, int)
        ),
        attendees_by=tuple(
            f"{row.measure}, {row.group}: {rows.now(row.measure, row.group)} "
            f"(previous: {rows.was(row.measure, row.group)})"
            for measure in (BY_KIND, BY_METHOD)
            for row in rows.groups(measure)
        ),
        by_method=_bars(by_method),
        group_shares=_bars(shares, baseline=True),
    )


def _number(value: Value) -> float | None:
    return value if isinstance(value, int | float) else None  # withheld: no bar


def _bars(rows: Sequence[ReportRow], *, baseline: bool = False) -> Bars:
    return Bars(
        categories=tuple(row.group for row in rows),
        now=tuple(_number(row.value) for row in rows),
        before=tuple(_number(row.previous) for row in rows),
        baseline=tuple(row.baseline for row in rows) if baseline else (),
    )


def _participation_texts(rows: _Rows) -> dict[str, str]:
    """Participation, and who was reached (representation)."""
    share = "Share that were hard-to-reach outreach"
    unreached = [row.group for row in rows.groups(REACHED) if row.value == 0]
    return {
        "held": rows.against_previous("Engagements held"),
        "attendees": rows.against_previous(ATTENDEES),
        "outreach": (
            f"{rows.now('Hard-to-reach outreach engagements')} = {rows.now(share)} of those "
            f"held (previous: {rows.was(share)})"
        ),
        "monitored": f"{rows.now(MONITORED)} of {rows.now(ATTENDEES)}",
        "unreached": ", ".join(unreached) if unreached else "none: every group reached",
    }


def _information_texts(rows: _Rows) -> dict[str, str]:
    outcome = "Share of findings with an outcome"
    changed = "Share of those with an outcome that changed a decision"
    return {
        "findings": rows.now("Findings from engagements held"),
        "with_outcome": (
            f"{rows.now('Findings with an outcome')} = {rows.now(outcome)} "
            f"(previous: {rows.was(outcome)})"
        ),
        "changed": (
            f"{rows.now('Findings that changed a decision')} = {rows.now(changed)} "
            f"(previous: {rows.was(changed)})"
        ),
    }


def _feedback_texts(rows: _Rows) -> dict[str, str]:
    share = f"Share with feedback within {FEEDBACK_DAYS} days"
    return {
        "within": (
            f"{rows.now(f'Engagements with feedback within {FEEDBACK_DAYS} days')} of "
            f"{rows.now('Engagements held')} held = {rows.now(share)} "
            f"(previous: {rows.was(share)})"
        ),
        "median": (
            f"{rows.now('Median days to first feedback')} "
            f"({rows.now('Engagements with feedback so far')} engagements have had feedback "
            "so far)"
        ),
    }


def _inclusivity_texts(rows: _Rows) -> dict[str, str]:
    by_method = rows.groups("Engagements by method")
    unused = [row.group for row in by_method if row.value == 0]
    access = [
        f"{row.group} {format_value(row.value, row.unit)}"
        for row in rows.groups("Engagements with access arrangement")
    ]
    return {
        "methods": f"{rows.now('Methods used')} of {len(by_method)}"
        + (f" (not used: {'; '.join(unused)})" if unused else " (every method)"),
        "venues": (
            f"{rows.now(VENUES)} venues, {rows.now(AT_VENUES)} engagements = "
            f"{rows.now(VENUES_SHARE)} of those held"
        ),
        "access": ", ".join(access[:3]) + ",\n" + ", ".join(access[3:]),
    }


def _cost_texts(rows: _Rows) -> dict[str, str]:
    return {
        "cost_total": (
            f"{rows.now('Total cost')} = {rows.now('Direct costs')} + {rows.now('Officer time')}"
        ),
        "per_engagement": rows.against_previous("Cost per engagement"),
        "per_participant": rows.against_previous("Cost per participant"),
    }


def _fatigue_text(rows: _Rows, threshold: int) -> str:
    consulted = rows.by_name[("Organisations consulted", "")].value
    whole = plural(consulted, "organisation") if isinstance(consulted, int) else consulted
    label = threshold_label(threshold)
    return f"{rows.now(f'Organisations consulted {label}')} of {whole} consulted {label}"
