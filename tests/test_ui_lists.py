"""The Engagements and Organisations lists and the quick-time list: they fit a laptop, Enter and
double-click open their items, context menus act on a row, headers sort in SQL."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QContextMenuEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QMenu, QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from ccodesk.models import Engagement, EngagementKind, Organisation, OrganisationType
from ccodesk.services import quicktime as qt
from ccodesk.services.directory import ContactDraft, save_contact
from ccodesk.services.engagements import (
    EngagementDraft,
    EngagementFilter,
    EngagementOrder,
    list_engagements,
    save_engagement,
)
from ccodesk.settings import Settings
from ccodesk.store import Store
from ccodesk.ui.directory_editors import ContactEditor, OrganisationEditor
from ccodesk.ui.engagements_page import EngagementModel, EngagementsPage
from ccodesk.ui.organisations_page import OrganisationModel, OrganisationsPage
from ccodesk.ui.paged_model import whole_text_tip
from ccodesk.ui.quicktime import QuickTimeDialog, QuickTimeWizard
from tests.support.fit import LAPTOPS, assert_page_fits

TITLE, DATE, KIND, VENUE, ATTENDED = 2, 0, 1, 4, 5
# the offscreen platform cannot raise a pop-up menu or let it grab the keyboard, and says so
POPUPS = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing"
)


@pytest.fixture
def engagements(qtbot: QtBot, demo_store: Store) -> EngagementsPage:
    page = EngagementsPage(demo_store)
    qtbot.addWidget(page)
    page.resize(1140, 598)
    page.show()
    assert page.loaded and page.model.total == 300
    return page


@pytest.fixture
def organisations(qtbot: QtBot, demo_store: Store) -> OrganisationsPage:
    page = OrganisationsPage(demo_store, Settings())
    qtbot.addWidget(page)
    page.resize(1140, 598)
    page.show()
    assert page.loaded and page.model.total > 50
    return page


def _click_row(qtbot: QtBot, table: QTableView, row: int, *, double: bool = False) -> None:
    table.scrollTo(table.model().index(row, 0))
    pos = table.visualRect(table.model().index(row, 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    if double:
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def _click_header(qtbot: QtBot, table: QTableView, column: int) -> None:
    header = table.horizontalHeader()
    pos = QPoint(header.sectionViewportPosition(column) + 10, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def _right_click_menu(table: QTableView, row: int) -> QMenu:
    """Right-click a row (the event a right mouse button sends) and return the menu shown."""
    pos = table.visualRect(table.model().index(row, 0)).center()
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, pos, table.viewport().mapToGlobal(pos)
    )
    QApplication.sendEvent(table.viewport(), event)
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu) and menu.isVisible()
    return menu


def _action(menu: QMenu, text: str) -> QAction:
    (action,) = [a for a in menu.actions() if a.text().replace("&", "") == text]
    return action


def _titles(page: EngagementsPage) -> list[str]:
    return [page.model.row_object(i).title for i in range(page.model.rowCount())]


def _load_all(qtbot: QtBot, page: EngagementsPage) -> None:
    while page.model.canFetchMore():
        before = page.model.rowCount()
        page.table.scrollToBottom()
        qtbot.waitUntil(lambda: page.model.rowCount() > before)  # noqa: B023


# --- fit ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
def test_engagements_page_fits_a_laptop(
    qtbot: QtBot, demo_store: Store, width: int, height: int
) -> None:
    page = EngagementsPage(demo_store)
    qtbot.addWidget(page)
    assert_page_fits(page, width, height)
    # every filter is on the page (wrapped onto a second line at 1024 wide), none cut off
    assert page.filter_panel.isVisible()
    room = page.rect()
    for widget in (page.kind, page.status, page.group, page.date_to, page.clear_button):
        corner = widget.mapTo(page, QPoint(widget.width(), widget.height()))
        assert room.contains(corner), type(widget).__name__
    page.filters_button.click()  # folded: still fits, the table takes the room
    assert_page_fits(page, width, height)


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
def test_organisations_page_fits_a_laptop(
    qtbot: QtBot, demo_store: Store, width: int, height: int
) -> None:
    page = OrganisationsPage(demo_store, Settings())
    qtbot.addWidget(page)
    assert_page_fits(page, width, height)
    # the details beside the list are whole on the page, with room to read
    corner = page.details.mapTo(page, QPoint(page.details.width(), page.details.height()))
    assert page.rect().contains(corner)
    assert page.details.width() >= 200


# --- Engagements: open, menu, filters ----------------------------------------------------


def test_enter_and_double_click_open_an_engagement(
    qtbot: QtBot, engagements: EngagementsPage
) -> None:
    page = engagements
    _click_row(qtbot, page.table, 3)
    expected = page.model.row_object(3).id
    with qtbot.waitSignal(page.engagement_activated) as opened:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened.args == [expected]
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    with qtbot.waitSignal(page.engagement_activated) as opened:
        qtbot.keyClick(page.table, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert opened.args == [page.model.row_object(4).id]
    with qtbot.waitSignal(page.engagement_activated) as opened:
        _click_row(qtbot, page.table, 7, double=True)
    assert opened.args == [page.model.row_object(7).id]


@POPUPS
def test_engagement_context_menu(qtbot: QtBot, engagements: EngagementsPage) -> None:
    page = engagements
    row = page.model.row_object(5)
    menu = _right_click_menu(page.table, 5)
    assert page.current_id() == row.id  # the row right-clicked is the one acted on
    assert [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()] == [
        "Open",
        "Print meeting pack…",
        "Print forms…",
        "Copy title",
    ]
    assert menu.defaultAction() is _action(menu, "Open")
    with qtbot.waitSignal(page.print_requested) as printing:
        _action(menu, "Print meeting pack…").trigger()
    assert printing.args == [row.id, "pack"]
    menu.close()
    menu = _right_click_menu(page.table, 5)
    with qtbot.waitSignal(page.engagement_activated) as opened:
        _action(menu, "Open").trigger()
    assert opened.args == [row.id]
    menu.close()
    menu = _right_click_menu(page.table, 5)
    _action(menu, "Copy title").trigger()
    assert QGuiApplication.clipboard().text() == row.title
    menu.close()


def test_filters_fold_and_unfold_keeping_their_state(
    qtbot: QtBot, engagements: EngagementsPage
) -> None:
    page = engagements
    assert page.filters_button.text().replace("&", "") == "Filters"
    page.kind.setCurrentIndex(page.kind.findData(EngagementKind.FOCUS_GROUP.value))
    page.use_from.setChecked(True)
    page.date_from.setDate(page.date_from.date().addYears(-5))
    focus_groups = page.model.total
    assert 0 < focus_groups < 300
    assert page.filters_button.text().replace("&", "") == "Filters (2)"
    qtbot.mouseClick(page.filters_button, Qt.MouseButton.LeftButton)
    assert not page.filter_panel.isVisible() and not page.kind.isVisible()
    assert page.model.total == focus_groups  # folded filters still apply, and say so
    assert page.filters_button.text().replace("&", "") == "Filters (2)"
    qtbot.mouseClick(page.filters_button, Qt.MouseButton.LeftButton)
    assert page.kind.isVisible()
    assert page.kind.currentData() == EngagementKind.FOCUS_GROUP.value
    assert page.use_from.isChecked() and page.date_from.isEnabled()
    qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
    assert page.model.total == 300 and page.active_filters() == 0
    assert page.filters_button.text().replace("&", "") == "Filters"
    assert not page.clear_button.isEnabled() and not page.date_from.isEnabled()


def test_long_text_is_shown_whole_in_a_tooltip(qtbot: QtBot, engagements: EngagementsPage) -> None:
    model = engagements.model
    row = model.row_object(0)
    tip = model.data(model.index(0, TITLE), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("<p>") and row.title.replace("'", "&#x27;") in tip
    assert whole_text_tip("Hall <B>\nSide door") == "<p>Hall &lt;B&gt;<br>Side door</p>"
    assert whole_text_tip("  ") is None


# --- sorting -----------------------------------------------------------------------------


def test_header_click_sorts_the_engagements_in_sql_both_ways_and_pages(
    qtbot: QtBot, engagements: EngagementsPage
) -> None:
    page = engagements
    page.model.page_size = 50
    page.apply_filters()
    with page.model.store.session() as s:
        live = [e for e in s.query(Engagement).all() if not e.deleted]
        by_title = sorted(live, key=lambda e: (e.title, e.starts_at, e.id))
    assert page.model.rowCount() == 50
    _click_header(qtbot, page.table, TITLE)
    header = page.table.horizontalHeader()
    assert header.sortIndicatorSection() == TITLE
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    assert page.model.rowCount() == 50  # the first page again, sorted over every engagement
    assert _titles(page)[0] == by_title[0].title
    assert page.model.row_object(0).id == by_title[0].id
    _load_all(qtbot, page)  # paging keeps the order: no row twice, none missing
    assert [page.model.row_object(i).id for i in range(300)] == [e.id for e in by_title]
    _click_header(qtbot, page.table, TITLE)
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert page.model.row_object(0).id == by_title[-1].id
    _load_all(qtbot, page)
    assert [page.model.row_object(i).id for i in range(300)] == [e.id for e in by_title][::-1]
    # filters and sorting together
    page.kind.setCurrentIndex(page.kind.findData(EngagementKind.FOCUS_GROUP.value))
    titles = _titles(page)
    assert titles == sorted(titles, reverse=True)
    assert all(page.model.row_object(i).kind == EngagementKind.FOCUS_GROUP for i in range(5))
    _click_header(qtbot, page.table, DATE)
    dates = [page.model.row_object(i).starts_at for i in range(page.model.rowCount())]
    assert dates == sorted(dates)


@pytest.mark.parametrize("kind", [None, EngagementKind.FOCUS_GROUP])
def test_sorting_by_attendance_pages_through_recorded_then_blank(
    demo_store: Store, kind: EngagementKind | None
) -> None:
    """Blanks (no attendance recorded) come last either way; pages meet without a gap."""
    criteria = EngagementFilter(kinds=[kind] if kind else [])
    with demo_store.session() as s:
        every = list_engagements(s, criteria, limit=1000)
        recorded = sum(r.attendance is not None for r in every)
        assert 0 < recorded < len(every)
        for descending in (False, True):
            sign = -1 if descending else 1
            expected = sorted(
                (r for r in every if r.attendance is not None),
                key=lambda r: (r.attendance, r.starts_at, r.id),
                reverse=descending,
            ) + sorted(
                (r for r in every if r.attendance is None),
                key=lambda r: (r.starts_at, r.id),
                reverse=descending,
            )
            order = EngagementFilter(
                kinds=criteria.kinds, order=EngagementOrder.ATTENDED, descending=descending
            )
            for size in (7, recorded, 50):  # `recorded`: a page ends exactly at the blanks
                pages = [
                    list_engagements(s, order, offset=offset, limit=size)
                    for offset in range(0, len(every) + size, size)
                ]
                assert [r.id for p in pages for r in p] == [r.id for r in expected], (size, sign)


def test_every_engagement_column_sorts(qtbot: QtBot, engagements: EngagementsPage) -> None:
    page = engagements
    keys = {
        KIND: lambda r: r.kind.value,
        3: lambda r: r.status.value,
        VENUE: lambda r: r.venue_name,
    }
    for column, key in keys.items():
        _click_header(qtbot, page.table, column)
        assert page.table.horizontalHeader().sortIndicatorSection() == column
        _load_all(qtbot, page)
        rows = [page.model.row_object(i) for i in range(page.model.rowCount())]
        assert [(key(r), r.starts_at) for r in rows] == sorted((key(r), r.starts_at) for r in rows)


def test_organisations_sort_by_header_and_serves_does_not(
    qtbot: QtBot, organisations: OrganisationsPage
) -> None:
    page = organisations
    model = page.model
    names = [model.row_object(i).name for i in range(model.rowCount())]
    assert names == sorted(names)
    with page.store.session() as s:
        names = [o.name for o in s.query(Organisation).all() if not o.deleted]
    header = page.table.horizontalHeader()
    _click_header(qtbot, page.table, 0)  # Name again: Z to A
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert model.row_object(0).name == max(names)
    _click_header(qtbot, page.table, 1)  # Type
    types = [model.row_object(i).org_type.value for i in range(model.rowCount())]
    assert types == sorted(types)
    assert model.row_object(0).org_type == min(OrganisationType, key=lambda t: t.value)
    _click_header(qtbot, page.table, 4)  # Contacts: fewest first
    fewest = [model.row_object(i).contacts for i in range(model.rowCount())]
    assert fewest == sorted(fewest)
    _click_header(qtbot, page.table, 4)  # most contacts first
    most = [model.row_object(i).contacts for i in range(model.rowCount())]
    assert most == sorted(most, reverse=True) and most[0] > fewest[0]
    first = model.row_object(0).id
    _click_header(qtbot, page.table, 2)  # Serves: a list, not sortable; nothing moves
    assert header.sortIndicatorSection() == 4
    assert model.row_object(0).id == first


def test_models_pass_the_qt_model_tester_sorted(
    qtmodeltester: ModelTester, demo_store: Store
) -> None:
    engagements = EngagementModel(demo_store, page_size=40)
    engagements.reload()
    engagements.sort(TITLE, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(engagements)
    organisations = OrganisationModel(demo_store, Settings())
    organisations.page_size = 50
    organisations.reload()
    organisations.sort(5, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(organisations)


# --- Organisations & contacts: open, menu ------------------------------------------------


def _editors(page: OrganisationsPage, kind: type) -> list:  # type: ignore[type-arg]
    return [w for w in page.findChildren(kind) if w.isVisible()]


def test_enter_and_double_click_open_an_organisation(
    qtbot: QtBot, organisations: OrganisationsPage
) -> None:
    page = organisations
    _click_row(qtbot, page.table, 2)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    (editor,) = _editors(page, OrganisationEditor)
    assert editor.organisation_id == page.model.row_object(2).id
    editor.reject()
    _click_row(qtbot, page.table, 4, double=True)
    (editor,) = _editors(page, OrganisationEditor)
    assert editor.organisation_id == page.model.row_object(4).id
    editor.reject()


@POPUPS
def test_organisation_context_menu(qtbot: QtBot, organisations: OrganisationsPage) -> None:
    page = organisations
    row = page.model.row_object(1)
    menu = _right_click_menu(page.table, 1)
    assert page.selected_id() == row.id
    _action(menu, "Edit…").trigger()
    (editor,) = _editors(page, OrganisationEditor)
    assert editor.organisation_id == row.id
    editor.reject()
    menu = _right_click_menu(page.table, 1)
    _action(menu, "Add contact…").trigger()
    (contact,) = _editors(page, ContactEditor)
    assert contact.organisation_id == row.id and contact.contact_id is None
    contact.reject()
    menu = _right_click_menu(page.table, 1)
    _action(menu, "Copy name").trigger()
    assert QGuiApplication.clipboard().text() == row.name


def test_a_contact_in_the_details_opens_by_keyboard(
    qtbot: QtBot, organisations: OrganisationsPage
) -> None:
    page = organisations
    org_id = page.model.row_object(0).id
    with page.store.transaction() as s:
        draft = ContactDraft(
            name="Abdi Warsame",
            organisation_id=org_id,
            consent_given=True,
            consent_date=dt.date.today(),
            consent_scope="Contact about consultation",
        )
        contact_id = save_contact(s, draft).id
    _click_row(qtbot, page.table, 0)
    assert "Abdi Warsame" in page.details.toPlainText()
    page.details.setFocus()
    for _ in range(10):  # Tab from link to link: the contacts' names
        qtbot.keyClick(page.details, Qt.Key.Key_Tab)
        if page.details.textCursor().selectedText() == "Abdi Warsame":
            break
    assert page.details.textCursor().selectedText() == "Abdi Warsame"
    qtbot.keyClick(page.details, Qt.Key.Key_Return)
    (editor,) = _editors(page, ContactEditor)
    assert editor.contact_id == contact_id and editor.name.text() == "Abdi Warsame"
    editor.role.setText("Chair")
    editor.save()
    assert "Abdi Warsame, Chair" in page.details.toPlainText()


# --- Quick-time list ---------------------------------------------------------------------


@POPUPS
def test_enter_and_double_click_continue_a_quick_time_consultation(
    qtbot: QtBot, store: Store
) -> None:
    soon = dt.datetime.now().replace(second=0, microsecond=0)
    with store.transaction() as s:
        for title, days in (("Football derby dispersal order", 1), ("Carnival road closures", 3)):
            qt.create(
                s,
                qt.CausalEvent(
                    title, soon + dt.timedelta(days=days + 2), soon + dt.timedelta(days=days)
                ),
            )
    dialog = QuickTimeDialog(store, Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.table.setFocus()
    second = dialog.table.topLevelItem(1)
    dialog.table.setCurrentItem(second)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    wizards = [w for w in dialog.findChildren(QuickTimeWizard) if w.isVisible()]
    assert [w.causal_event.what.text() for w in wizards] == ["Carnival road closures"]
    assert dialog.isVisible()  # Enter did not also press a button of the dialog
    wizards[0].reject()
    rect = dialog.table.visualItemRect(dialog.table.topLevelItem(0))
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wizards = [w for w in dialog.findChildren(QuickTimeWizard) if w.isVisible()]
    assert [w.causal_event.what.text() for w in wizards] == ["Football derby dispersal order"]
    wizards[0].reject()
    # the context menu continues the line right-clicked
    second = dialog.table.topLevelItem(1)  # the list was read again as the wizard closed
    rect = dialog.table.visualItemRect(second)
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse,
        rect.center(),
        dialog.table.viewport().mapToGlobal(rect.center()),
    )
    QApplication.sendEvent(dialog.table.viewport(), event)
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu)
    assert dialog.table.currentItem() is second
    assert menu.defaultAction().text().replace("&", "") == "Continue…"
    menu.defaultAction().trigger()
    wizards = [w for w in dialog.findChildren(QuickTimeWizard) if w.isVisible()]
    assert [w.causal_event.what.text() for w in wizards] == ["Carnival road closures"]
    wizards[0].reject()


def test_a_new_engagement_takes_its_place_in_the_sorted_list(demo_store: Store) -> None:
    with demo_store.transaction() as s:
        saved = save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.OUTREACH, title="AAA first", starts_at=dt.datetime(2026, 1, 1)
            ),
        )
        first = list_engagements(s, EngagementFilter(order=EngagementOrder.TITLE), limit=1)
        assert first[0].id == saved.id
