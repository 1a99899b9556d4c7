"""The timetable page: month and week views, planning by double-click, .ics round trip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import vobject
from PySide6.QtCore import QDate, Qt

from ccodesk.models import EngagementKind, TimetableKind
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.services.timetable import TimetableDraft, save_timetable_entry
from ccodesk.ui.timetable_page import JOINT_COLOUR, TimetablePage

TODAY = dt.date(2026, 11, 18)  # a Wednesday


@pytest.fixture
def page(qtbot, store):  # type: ignore[no-untyped-def]
    with store.transaction() as s:
        save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.PCCG_MEETING,
                title="Joint PCCG planning",
                starts_at=dt.datetime(2026, 11, 19, 18, 0),
                blo_name="PS Dean",
            ),
        )
        save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.FOCUS_GROUP,
                title="Focus group: night-time economy",
                starts_at=dt.datetime(2026, 11, 30, 19, 0),
            ),
        )
        save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.OUTREACH,
                title="December outreach",
                starts_at=dt.datetime(2026, 12, 2, 11, 0),
            ),
        )
        save_timetable_entry(
            s,
            TimetableDraft(
                "Draft policing plan published for comment",
                TimetableKind.MILESTONE,
                dt.date(2026, 11, 20),
            ),
        )
    widget = TimetablePage(store, today=TODAY)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_month_view_marks_days(page) -> None:  # type: ignore[no-untyped-def]
    assert page.period.text() == "November 2026"
    assert [i.title for i in page.items] == [
        "Joint PCCG planning",
        "Draft policing plan published for comment",
        "Focus group: night-time economy",
    ]
    joint = page.calendar.dateTextFormat(QDate(2026, 11, 19))
    assert joint.background().color() == JOINT_COLOUR
    assert "18:00 Joint PCCG planning (joint)" in joint.toolTip()
    assert page.calendar.dateTextFormat(QDate(2026, 11, 20)).fontUnderline()
    page.calendar.setSelectedDate(QDate(2026, 11, 19))
    assert page.day_list.item(0).text() == "18:00 Joint PCCG planning (joint)"


def test_navigation_and_week_view(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(page.next, Qt.MouseButton.LeftButton)
    assert page.period.text() == "December 2026"
    assert [i.title for i in page.items] == ["December outreach"]
    qtbot.mouseClick(page.today_button, Qt.MouseButton.LeftButton)
    page.go_to(TODAY)
    qtbot.mouseClick(page.week_button, Qt.MouseButton.LeftButton)
    assert page.period.text() == "Week of 16 November 2026"
    days = [page.week.topLevelItem(i) for i in range(page.week.topLevelItemCount())]
    assert [d.text(0) for d in days][3] == "Thursday 19 November"
    assert days[3].child(0).text(0) == "18:00 Joint PCCG planning (joint)"
    qtbot.mouseClick(page.previous, Qt.MouseButton.LeftButton)
    assert page.period.text() == "Week of 09 November 2026"


def test_double_click_a_day_plans_an_engagement(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(page.new_requested) as signal:
        page.calendar.activated.emit(QDate(2026, 11, 25))
    assert signal.args == [dt.datetime(2026, 11, 25, 18, 0)]


def test_ics_export_and_import_round_trip(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "november.ics"
    assert page.export_to(path) == 2
    calendar = vobject.readOne(path.read_text())
    assert sorted(e.summary.value for e in calendar.vevent_list) == [
        "Focus group: night-time economy",
        "Joint PCCG planning",
    ]
    assert page.import_from(path) == "0 added, 2 updated"
    bad = tmp_path / "bad.ics"
    bad.write_text("this is not a calendar")
    with pytest.raises(Exception, match="not an iCalendar"):
        page.import_from(bad)


def test_export_and_import_run_in_the_background(qtbot, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ccodesk.ui.timetable_page import read_ics, write_ics

    path = tmp_path / "bg.ics"
    start, end = page.period_range()
    job = page._in_background(
        "Exporting the calendar",
        lambda: write_ics(page.store, start, end, path),
        lambda _r: None,
        start=False,
    )
    with qtbot.waitSignal(job.signals.succeeded, timeout=10_000) as done:
        job.start()
    assert done.args == [2] and path.exists()
    job = page._in_background(
        "Importing the calendar", lambda: read_ics(page.store, path), lambda _r: None, start=False
    )
    with qtbot.waitSignal(job.signals.succeeded, timeout=10_000) as done:
        job.start()
    assert done.args == ["0 added, 2 updated"]
