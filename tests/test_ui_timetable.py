"""The timetable page: month cells with titles, a week time grid, opening and planning by
mouse and keyboard, context menus, laptop fit, .ics round trip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import vobject
from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QAccessible, QColor, QHelpEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QToolTip
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from ccodesk.errors import ValidationError
from ccodesk.models import EngagementKind, EngagementStatus, TimetableKind
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.services.timetable import CalendarItem, TimetableDraft, save_timetable_entry
from ccodesk.store import Store
from ccodesk.ui.calendar_view import ENGAGEMENT_COLOUR, JOINT_COLOUR, WINDOW_COLOUR, CalendarView
from ccodesk.ui.timetable_page import TimetablePage
from tests.support.fit import LAPTOPS, PAGE_ROOM, assert_page_fits

TODAY = dt.date(2026, 11, 18)  # a Wednesday
BUSY_DAY = dt.date(2026, 11, 25)
IDS: dict[str, str] = {}
# the offscreen platform cannot raise a tooltip or a pop-up menu, and says so
POPUPS = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing"
)


def _engagement(s: Session, title: str, starts: dt.datetime, **fields: Any) -> str:
    kind = fields.pop("kind", EngagementKind.THEMED_SESSION)
    saved = save_engagement(s, EngagementDraft(kind=kind, title=title, starts_at=starts, **fields))
    IDS[title] = saved.id
    return saved.id


@pytest.fixture
def page(qtbot: QtBot, store: Store) -> TimetablePage:
    with store.transaction() as s:
        _engagement(
            s,
            "Joint PCCG planning",
            dt.datetime(2026, 11, 19, 18, 0),
            ends_at=dt.datetime(2026, 11, 19, 20, 0),
            kind=EngagementKind.PCCG_MEETING,
            blo_name="PS Dean",
            venue_name="Tottenham Green Leisure Centre",
        )
        _engagement(
            s,
            "Residents' walkabout overlapping the PCCG",
            dt.datetime(2026, 11, 19, 19, 0),
            ends_at=dt.datetime(2026, 11, 19, 21, 0),
        )
        _engagement(
            s,
            "Focus group: night-time economy",
            dt.datetime(2026, 11, 30, 19, 0),
            kind=EngagementKind.FOCUS_GROUP,
        )
        _engagement(
            s, "December outreach", dt.datetime(2026, 12, 2, 11, 0), kind=EngagementKind.OUTREACH
        )
        for hour in range(9, 17):
            _engagement(s, f"Drop-in session {hour}", dt.datetime(2026, 11, 25, hour, 0))
        save_timetable_entry(
            s,
            TimetableDraft(
                "Draft policing plan published for comment",
                TimetableKind.MILESTONE,
                dt.date(2026, 11, 20),
            ),
        )
        save_timetable_entry(
            s,
            TimetableDraft(
                "Police and Crime Plan consultation",
                TimetableKind.CONSULTATION_WINDOW,
                dt.date(2026, 11, 9),
                dt.date(2026, 11, 13),
            ),
        )
    widget = TimetablePage(store, today=TODAY)
    qtbot.addWidget(widget)
    widget.resize(*PAGE_ROOM[(1366, 768)])
    with qtbot.waitSignal(widget.period_loaded):
        widget.show()
    return widget


def _entries(view: CalendarView, day: dt.date) -> list[tuple[CalendarItem, object]]:
    return [(item, rect) for item, rect in view.entry_rects() if item.day == day]


def _rect_of(view: CalendarView, title: str) -> QRect:
    return next(rect for item, rect in view.entry_rects() if item.title == title)


def _pixel(view: CalendarView, point: QPoint) -> QColor:
    return view.viewport().grab().toImage().pixelColor(point)


def _switch(qtbot: QtBot, page: TimetablePage, button: QAbstractButton) -> None:
    with qtbot.waitSignal(page.period_loaded):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_month_cells_show_titles_in_the_joint_colour(page: TimetablePage) -> None:
    view = page.month_view
    assert page.period.text() == "November 2026"
    face = QAccessible.queryAccessibleInterface(view)
    assert face.role() == QAccessible.Role.Table
    assert face.text(QAccessible.Text.Name) == "Month calendar"
    assert "Wednesday 18 November 2026" in face.text(QAccessible.Text.Description)
    thursday = _entries(view, dt.date(2026, 11, 19))
    assert [item.label() for item, _r in thursday] == [
        "18:00 Joint PCCG planning (joint)",
        "19:00 Residents' walkabout overlapping the PCCG",
    ]
    cell = view.cell_rect(dt.date(2026, 11, 19))
    joint_rect = thursday[0][1]
    assert cell.contains(joint_rect)
    # painted in the joint colour, the other in the ordinary one (a pixel of each box's top row)
    assert _pixel(view, QPoint(joint_rect.right() - 4, joint_rect.top() + 1)) == JOINT_COLOUR
    other = thursday[1][1]
    assert _pixel(view, QPoint(other.right() - 4, other.top() + 1)) == ENGAGEMENT_COLOUR
    # the milestone on its day, the consultation window on every day it is open
    assert [i.title for i, _r in _entries(view, dt.date(2026, 11, 20))] == [
        "Draft policing plan published for comment"
    ]
    window_days = sorted({i.day for i, _r in view.entry_rects() if i.window is not None})
    assert window_days == [dt.date(2026, 11, d) for d in range(9, 14)]
    opens = _rect_of(view, "Police and Crime Plan consultation opens")
    assert _pixel(view, QPoint(opens.right() - 4, opens.top())) == WINDOW_COLOUR
    # the window's title runs on over its band's untitled days (9-12 Nov), never cut to a cell
    titles = {(item.day, text): run for item, run, text in view.window_titles()}
    run = titles[(dt.date(2026, 11, 9), "Police and Crime Plan consultation opens")]
    assert run.left() == opens.left()
    assert run.right() == view.cell_rect(dt.date(2026, 11, 12)).right()
    assert (dt.date(2026, 11, 13), "Police and Crime Plan consultation closes") in titles
    # the legend says what the colours mean
    assert "Joint meeting with the BLO or CSO" in page.legend.text()
    assert JOINT_COLOUR.name() in page.legend.text()


@POPUPS
def test_a_tooltip_shows_the_whole_title_venue_and_time(qtbot: QtBot, page: TimetablePage) -> None:
    view = page.month_view
    rect = _rect_of(view, "Joint PCCG planning")
    event = QHelpEvent(
        QEvent.Type.ToolTip, rect.center(), view.viewport().mapToGlobal(rect.center())
    )
    QApplication.sendEvent(view.viewport(), event)
    text = QToolTip.text()
    assert "Joint PCCG planning" in text
    assert "Thursday 19 November 2026, 18:00–20:00" in text
    assert "Tottenham Green Leisure Centre" in text
    assert "Joint meeting with the BLO (PS Dean)" in text
    QToolTip.hideText()


@POPUPS
def test_a_full_day_shows_plus_n_more_and_clicking_lists_the_day(
    qtbot: QtBot, page: TimetablePage
) -> None:
    view = page.month_view
    shown = _entries(view, BUSY_DAY)
    hidden, more = view.more_rects()[BUSY_DAY]
    assert 0 < len(shown) < 8 and hidden == 8 - len(shown)
    assert view.cell_rect(BUSY_DAY).contains(more)
    # what the cell paints, line by line: the first titles, then "+N more"
    assert shown[0][0].label() == "09:00 Drop-in session 9"
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=more.center())
    menu = page.menu
    assert menu is not None and menu.isVisible()
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts[0] == "Wednesday 25 November 2026"
    assert [t for t in texts if t.startswith("1")][-1] == "16:00 Drop-in session 16"
    assert sum("Drop-in session" in t for t in texts) == 8
    last = next(a for a in menu.actions() if a.text() == "16:00 Drop-in session 16")
    with qtbot.waitSignal(page.engagement_activated) as opened:
        last.trigger()
    assert opened.args == [IDS["Drop-in session 16"]]


def test_double_click_and_enter_open_an_entry(qtbot: QtBot, page: TimetablePage) -> None:
    view = page.month_view
    rect = _rect_of(view, "Focus group: night-time economy")
    with qtbot.waitSignal(page.engagement_activated) as opened:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [IDS["Focus group: night-time economy"]]
    # a click selects the entry; Enter opens it
    rect = _rect_of(view, "Joint PCCG planning")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.selected_item() is not None and view.selected_item().title == "Joint PCCG planning"
    with qtbot.waitSignal(page.engagement_activated) as opened:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert opened.args == [IDS["Joint PCCG planning"]]


def test_an_empty_day_plans_an_engagement_by_double_click_and_enter(
    qtbot: QtBot, page: TimetablePage
) -> None:
    view = page.month_view
    cell = view.cell_rect(dt.date(2026, 11, 24))
    with qtbot.waitSignal(page.new_requested) as asked:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell.center())
    assert asked.args == [dt.datetime(2026, 11, 24, 18, 0)]
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell.center())
    assert view.selected_day == dt.date(2026, 11, 24) and view.selected_item() is None
    with qtbot.waitSignal(page.new_requested) as asked:
        qtbot.keyClick(view, Qt.Key.Key_Enter)
    assert asked.args == [dt.datetime(2026, 11, 24, 18, 0)]
    assert "nothing planned" in view.accessibleDescription()


@POPUPS
def test_keyboard_moves_between_days_entries_and_months(qtbot: QtBot, page: TimetablePage) -> None:
    view = page.month_view
    page.setFocus()  # what the window does when it shows the page: the calendar has the keys
    assert view.hasFocus()
    assert view.selected_day == TODAY
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.selected_day == dt.date(2026, 11, 19)
    assert view.selected_item().title == "Joint PCCG planning"  # the day's first entry
    assert "18:00 Joint PCCG planning (joint), 1 of 2" in view.accessibleDescription()
    qtbot.keyClick(view, Qt.Key.Key_Tab)  # the day's next entry
    assert view.selected_item().title == "Residents' walkabout overlapping the PCCG"
    with qtbot.waitSignal(page.engagement_activated) as opened:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert opened.args == [IDS["Residents' walkabout overlapping the PCCG"]]
    qtbot.keyClick(view, Qt.Key.Key_Backtab)
    assert view.selected_item().title == "Joint PCCG planning"
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.selected_day == dt.date(2026, 11, 26)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.selected_day == TODAY
    # past the month's end: December is shown and its entries loaded
    page.go_to(dt.date(2026, 11, 30))
    qtbot.waitSignal(page.period_loaded).wait()
    view.setFocus()
    with qtbot.waitSignal(page.period_loaded):
        qtbot.keyClick(view, Qt.Key.Key_Right, delay=0)
    assert page.period.text() == "December 2026"
    assert view.selected_day == dt.date(2026, 12, 1)
    assert "December outreach" in [i.title for i in page.items]
    with qtbot.waitSignal(page.period_loaded):
        qtbot.keyClick(view, Qt.Key.Key_PageDown)
    assert page.period.text() == "January 2027"
    with qtbot.waitSignal(page.period_loaded):
        qtbot.keyClick(view, Qt.Key.Key_PageUp)
    with qtbot.waitSignal(page.period_loaded):
        qtbot.keyClick(view, Qt.Key.Key_PageUp)
    assert page.period.text() == "November 2026"
    page.go_to(dt.date(2027, 3, 3))
    qtbot.waitSignal(page.period_loaded).wait()
    with qtbot.waitSignal(page.period_loaded):
        qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert page.period.text() == "November 2026" and view.selected_day == TODAY


@POPUPS
def test_tab_leaves_the_calendar_after_the_days_last_entry(
    qtbot: QtBot, page: TimetablePage
) -> None:
    view = page.month_view
    view.setFocus()
    view.select_day(dt.date(2026, 11, 20))  # one entry: the milestone
    assert view.hasFocus()
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert not view.hasFocus()


@POPUPS
def test_context_menus_on_an_entry_and_on_an_empty_day(qtbot: QtBot, page: TimetablePage) -> None:
    view = page.month_view
    rect = _rect_of(view, "Joint PCCG planning")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(view, Qt.Key.Key_Menu)
    texts = [a.text() for a in page.menu_actions() if a.text()]
    assert texts[:2] == ["&Open", "&Print meeting pack…"]
    assert "E&xport this month to calendar (.ics)…" in texts
    opening = page.menu_actions()[0]
    with qtbot.waitSignal(page.engagement_activated) as opened:
        opening.trigger()
    assert opened.args == [IDS["Joint PCCG planning"]]
    # an empty day: plan an engagement there
    qtbot.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=view.cell_rect(dt.date(2026, 11, 17)).center(),
    )
    qtbot.keyClick(view, Qt.Key.Key_Menu)
    plan = page.menu_actions()[0]
    assert plan.text() == "Plan an &engagement here (Tue 17 Nov)…"
    with qtbot.waitSignal(page.new_requested) as asked:
        plan.trigger()
    assert asked.args == [dt.datetime(2026, 11, 17, 18, 0)]


@POPUPS
def test_print_meeting_pack_from_the_context_menu(qtbot: QtBot, page: TimetablePage) -> None:
    dialog = page.print_pack(IDS["Joint PCCG planning"])
    qtbot.addWidget(dialog)
    assert dialog.document.currentData() == "pack"
    assert "Joint PCCG planning" in dialog.for_engagement.text()
    dialog.close()


def test_week_view_is_a_time_grid(qtbot: QtBot, page: TimetablePage) -> None:
    _switch(qtbot, page, page.week_button)
    view = page.week_view
    assert page.period.text() == "Week of 16 November 2026"
    assert view.accessibleName() == "Week calendar"
    # 07:00 to 22:00 shown first
    header = view._header_height()
    assert view.y_of(7 * 60) == header
    assert view.y_of(22 * 60) <= view.viewport().height()
    hour = view.hour_height()
    joint = _rect_of(view, "Joint PCCG planning")
    other = _rect_of(view, "Residents' walkabout overlapping the PCCG")
    # placed by start and end: 18:00–20:00 and 19:00–21:00
    assert abs(joint.top() - view.y_of(18 * 60)) <= 2 and abs(joint.height() - 2 * hour) <= 3
    assert abs(other.top() - view.y_of(19 * 60)) <= 2
    # overlapping ones side by side, inside Thursday's column
    assert not joint.intersects(other) and joint.right() < other.left()
    thursday = view._column(3)
    assert thursday[0] <= joint.left() and other.right() <= thursday[1]
    assert _pixel(view, QPoint(joint.center().x(), joint.bottom() - 3)) == JOINT_COLOUR
    # the milestone sits in the all-day strip under the day names
    milestone = _rect_of(view, "Draft policing plan published for comment")
    assert milestone.bottom() < header
    # double-click a block opens it; an empty hour plans one then
    with qtbot.waitSignal(page.engagement_activated) as opened:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=joint.center())
    assert opened.args == [IDS["Joint PCCG planning"]]
    left, right = view._column(1)
    at_ten = QPoint((left + right) // 2, view.y_of(10 * 60 + 10))
    with qtbot.waitSignal(page.new_requested) as asked:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at_ten)
    assert asked.args == [dt.datetime(2026, 11, 17, 10, 0)]


def test_week_keyboard_moves_by_hour_and_day(qtbot: QtBot, page: TimetablePage) -> None:
    _switch(qtbot, page, page.week_button)
    view = page.week_view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right)  # Thursday: its first entry
    assert view.selected_item().title == "Joint PCCG planning"
    qtbot.keyClick(view, Qt.Key.Key_Down)  # 19:00: the walkabout
    assert view.selected_item().title == "Residents' walkabout overlapping the PCCG"
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Down)  # 22:00: nothing
    assert view.selected_item() is None and view.selected_hour == 22
    with qtbot.waitSignal(page.new_requested) as asked:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert asked.args == [dt.datetime(2026, 11, 19, 22, 0)]
    with qtbot.waitSignal(page.period_loaded):
        qtbot.keyClick(view, Qt.Key.Key_PageDown)
    assert page.period.text() == "Week of 23 November 2026"
    assert len([i for i, _r in view.entry_rects() if i.day == BUSY_DAY]) == 8


def test_the_page_fits_both_laptops_in_month_and_week(qtbot: QtBot, page: TimetablePage) -> None:
    for width, height in LAPTOPS:
        assert_page_fits(page, width, height)
    _switch(qtbot, page, page.week_button)
    for width, height in LAPTOPS:
        assert_page_fits(page, width, height)
        # at the smaller screen the working day still fits without scrolling
        assert page.week_view.y_of(22 * 60) <= page.week_view.viewport().height()
    _switch(qtbot, page, page.month_button)
    page.resize(*PAGE_ROOM[(1024, 700)])
    view = page.month_view
    # a busy day still shows titles (not just a mark) and "+N more" in its cell
    assert len(_entries(view, BUSY_DAY)) >= 2 and BUSY_DAY in view.more_rects()


def test_cancelled_engagements_are_shown_struck_through_in_grey(qtbot: QtBot, store: Store) -> None:
    with store.transaction() as s:
        _engagement(
            s, "Called off", dt.datetime(2026, 11, 3, 18, 0), status=EngagementStatus.CANCELLED
        )
    page = TimetablePage(store, today=TODAY)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.period_loaded):
        page.show()
    item = next(i for i, _r in page.month_view.entry_rects() if i.title == "Called off")
    assert item.cancelled and item.label() == "18:00 Called off (cancelled)"


def test_ics_export_and_import_round_trip(page: TimetablePage, tmp_path: Path) -> None:
    path = tmp_path / "november.ics"
    assert page.export_to(path) == 11
    calendar = vobject.readOne(path.read_text())
    summaries = sorted(e.summary.value for e in calendar.vevent_list)
    assert "Joint PCCG planning" in summaries and "December outreach" not in summaries
    assert page.import_from(path) == "0 added, 0 updated, 11 unchanged"
    bad = tmp_path / "bad.ics"
    bad.write_text("this is not a calendar")
    with pytest.raises(ValidationError, match="not an iCalendar"):
        page.import_from(bad)


def test_export_and_import_run_in_the_background(
    qtbot: QtBot, page: TimetablePage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Off the UI thread, with the services' own progress in the dialog; Cancel stops the
    import at its next report and nothing is written (and no error is shown)."""
    from ccodesk.models import Engagement
    from ccodesk.ui.timetable_page import read_ics, write_ics

    path = tmp_path / "bg.ics"
    start, end = page.period_range()
    job = page._in_background(
        "Exporting the calendar",
        lambda _progress: write_ics(page.store, start, end, path),
        lambda _r: None,
        start=False,
    )
    with qtbot.waitSignal(job.signals.succeeded, timeout=10_000) as done:
        job.start()
    assert done.args == [11] and path.exists()
    job = page._in_background(
        "Importing the calendar",
        lambda progress: read_ics(page.store, path, progress=progress),
        lambda _r: None,
        start=False,
    )
    seen: list[str] = []
    job.signals.progress.connect(lambda _d, _t, what: seen.append(what))
    with qtbot.waitSignal(job.signals.succeeded, timeout=10_000) as done:
        job.start()
    assert done.args == ["0 added, 0 updated, 11 unchanged"]
    assert {"Reading the calendar", "Comparing with the store", "Compared"} <= set(seen)
    assert page._progress.labelText() in seen

    source = Path(__file__).parent / "fixtures" / "calendars" / "outlook-series.ics"
    with page.store.session() as s:
        before = s.query(Engagement).count()
    job = page._in_background(
        "Importing the calendar",
        lambda progress: read_ics(page.store, source, progress=progress),
        lambda _r: None,
        start=False,
    )
    warned: list[object] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warned.append(a))
    job.cancel()  # as the progress dialog's Cancel does
    with qtbot.waitSignal(job.signals.failed, timeout=10_000):
        job.start()
    qtbot.wait(50)
    assert warned == []
    with page.store.session() as s:
        assert s.query(Engagement).count() == before


def test_import_shows_a_preview_and_writes_only_on_import(
    qtbot: QtBot, page: TimetablePage, tmp_path: Path
) -> None:
    """An Outlook series: the preview lists every occurrence, with the kind to give them;
    Cancel writes nothing, Import writes them with the kind chosen in the table."""
    from pathlib import Path as P

    from PySide6.QtCore import Qt

    from ccodesk.models import Engagement, EngagementKind
    from ccodesk.ui.calendar_import_dialog import KIND_COLUMN

    source = P(__file__).parent / "fixtures" / "calendars" / "outlook-series.ics"
    with page.store.session() as s:
        before = s.query(Engagement).count()
    themed = _count_kind(page.store, EngagementKind.THEMED_SESSION)
    for answer in ("cancel", "import"):
        page.import_preview = None
        page.preview_import(source)
        qtbot.waitUntil(lambda: page.import_preview is not None, timeout=20_000)
        dialog = page.import_preview
        qtbot.waitUntil(dialog.isVisible)
        model = dialog.model
        assert "5 events" in dialog.summary.text() and "5 to add" in dialog.summary.text()
        assert model.rowCount() == 5
        assert model.index(1, 1).data() == "Kentish Town ward panel (moved) (series)"
        assert dialog.width() <= 1366 and dialog.height() <= 768
        if answer == "cancel":
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Cancel
            assert not dialog.isVisible()
            with page.store.session() as s:
                assert s.query(Engagement).count() == before
            continue
        index = model.index(0, KIND_COLUMN)
        assert model.flags(index) & Qt.ItemFlag.ItemIsEditable
        model.setData(index, EngagementKind.THEMED_SESSION.value)
        assert model.index(4, KIND_COLUMN).data() == "Themed session"  # the whole series
        with qtbot.waitSignal(page.status_changed, timeout=20_000):  # the status bar's count
            qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page._job.done, timeout=20_000)
        qtbot.waitUntil(lambda: page.import_message is not None, timeout=20_000)
        message = page.import_message.text()
        assert message == "Imported outlook-series.ics: 5 added, 0 updated, 0 unchanged"
        page.import_message.accept()
        assert _count_kind(page.store, EngagementKind.THEMED_SESSION) == themed + 5
    with page.store.session() as s:
        assert s.query(Engagement).count() == before + 5


def _count_kind(store: Store, kind: EngagementKind) -> int:
    from ccodesk.models import Engagement

    with store.session() as s:
        return s.query(Engagement).filter(Engagement.kind == kind).count()
