"""Consent in the desktop (issue 15): the Dashboard lists consents expiring and expired, and
renews one from the keyboard, a double-click or the context menu, the line leaving at once;
the contact form shows the consent history and records steps through a small dialog; both fit
a 1024×700 laptop."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QListWidget, QListWidgetItem
from pytestqt.qtbot import QtBot

from ccodesk.models import ConsentEventKind, ConsentMethod, Contact, OrganisationType
from ccodesk.services import consent
from ccodesk.services.consent import ConsentStep, record_consent
from ccodesk.services.directory import (
    ContactDraft,
    OrganisationDraft,
    save_contact,
    save_organisation,
)
from ccodesk.store import Store
from ccodesk.ui.consent_dialog import ConsentDialog
from ccodesk.ui.dashboard_page import ITEM_ROLE, DashboardPage
from ccodesk.ui.directory_editors import ContactEditor
from tests.support.fit import LAPTOPS, assert_fits

TODAY = dt.date.today()  # the dialogs date a step today at the latest


def _person(store: Store, name: str, expires: dt.date, org: str | None = None) -> str:
    with store.transaction() as s:
        return save_contact(
            s,
            ContactDraft(
                name=name,
                organisation_id=org,
                role="Chair",
                email="someone@example.org",
                consent_given=True,
                consent_date=expires - dt.timedelta(days=365),
                consent_scope="Contact about consultation",
                consent_expires=expires,
            ),
        ).id


@pytest.fixture
def people(store: Store) -> dict[str, str]:
    with store.transaction() as s:
        org = save_organisation(
            s, OrganisationDraft("Hackney Somali Forum", OrganisationType.COMMUNITY_GROUP)
        ).id
    return {
        "soon": _person(store, "Amina Yusuf", TODAY + dt.timedelta(days=5), org),
        "later": _person(store, "Bilal Khan", TODAY + dt.timedelta(days=20)),
        "over": _person(store, "Carys Jones", TODAY - dt.timedelta(days=3)),
        "far": _person(store, "Dev Patel", TODAY + dt.timedelta(days=200)),
    }


@pytest.fixture
def page(qtbot: QtBot, store: Store, people: dict[str, str]) -> DashboardPage:
    widget = DashboardPage(store, today=TODAY)
    qtbot.addWidget(widget)
    widget.resize(1140, 598)
    with qtbot.waitSignal(widget.board_shown, timeout=10_000):
        widget.show()
    return widget


def _lines(items: QListWidget) -> list[str]:
    return [items.item(i).text() for i in range(items.count())]


def _line(items: QListWidget, text: str) -> QListWidgetItem:
    for i in range(items.count()):
        if text in items.item(i).text():
            return items.item(i)
    raise AssertionError(f"no line {text!r} in {_lines(items)}")


def _ok(qtbot: QtBot, dialog: ConsentDialog) -> None:
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )


def _kinds(store: Store, cid: str) -> list[ConsentEventKind]:
    with store.session() as s:
        return [h.kind for h in consent.history(s, cid)]


def test_the_dashboard_lists_consents_expiring_and_expired(
    page: DashboardPage, people: dict[str, str]
) -> None:
    soon = TODAY + dt.timedelta(days=5)
    assert page.expiring_box.title() == "Consents expiring in the next 30 days (2)"
    assert page.expired_box.title() == "Consents expired (1)"
    assert _lines(page.expiring) == [
        f"Amina Yusuf (Hackney Somali Forum) — expires {soon:%d %b %Y}",
        f"Bilal Khan — expires {TODAY + dt.timedelta(days=20):%d %b %Y}",
    ]
    assert _lines(page.expired) == [
        f"Carys Jones — expired {TODAY - dt.timedelta(days=3):%d %b %Y}"
    ]
    assert page.expiring.item(0).data(ITEM_ROLE) == ("consent", people["soon"])
    assert not any("Dev Patel" in line for line in _lines(page.expiring) + _lines(page.expired))


def test_enter_on_an_expiring_consent_renews_it_and_the_line_goes(
    qtbot: QtBot, page: DashboardPage, store: Store, people: dict[str, str]
) -> None:
    shown: list[bool] = []
    page.board_shown.connect(lambda: shown.append(True))
    item = _line(page.expiring, "Amina Yusuf")
    page.expiring.setCurrentItem(item)
    page.expiring.setFocus()
    qtbot.keyClick(page.expiring, Qt.Key.Key_Return)
    dialog = page.consent_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "Renew consent: Amina Yusuf"
    # it starts from today, the same scope, the same length as before
    assert dialog.chosen().on == TODAY
    assert dialog.chosen().scope == "Contact about consultation"
    assert dialog.chosen().expires_on == TODAY + dt.timedelta(days=365)
    dialog.method.setCurrentIndex(dialog.method.findData(ConsentMethod.EMAIL.value))
    qtbot.keyClicks(dialog.note, "Replied to the renewal letter")
    _ok(qtbot, dialog)
    assert not dialog.isVisible()
    # gone at once, the count with it, before the board is queried again
    assert shown == [True]
    assert not any("Amina Yusuf" in line for line in _lines(page.expiring))
    assert page.expiring_box.title() == "Consents expiring in the next 30 days (1)"
    with store.session() as s:
        (_given, renewed) = consent.history(s, people["soon"])
        contact = s.get(Contact, people["soon"])
        assert contact is not None and contact.consent_expires == TODAY + dt.timedelta(days=365)
    assert (renewed.kind, renewed.on, renewed.method, renewed.note, renewed.officer) == (
        ConsentEventKind.RENEWED,
        TODAY,
        ConsentMethod.EMAIL,
        "Replied to the renewal letter",
        "Ada Officer",
    )
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=10_000)  # the fresh board agrees
    assert not any("Amina Yusuf" in line for line in _lines(page.expiring))
    assert page.expiring_box.title() == "Consents expiring in the next 30 days (1)"


def test_renew_from_the_context_menu_of_an_expired_consent(
    qtbot: QtBot, page: DashboardPage, store: Store, people: dict[str, str]
) -> None:
    item = _line(page.expired, "Carys Jones")
    menu = page.item_menu(item)
    assert menu is not None
    assert [a.text() for a in menu.actions() if a.text()] == [
        "&Renew consent…",
        "Open &contact…",
    ]
    next(a for a in menu.actions() if a.text() == "&Renew consent…").trigger()
    dialog = page.consent_dialog
    assert dialog is not None and dialog.isVisible()
    # a bad date keeps the dialog open with the reason; nothing is written
    dialog.expires.edit.setDate(dialog.on.date().addDays(-1))
    _ok(qtbot, dialog)
    assert dialog.isVisible()
    assert "before it was renewed" in dialog.problems.text()
    assert _kinds(store, people["over"]) == [ConsentEventKind.GIVEN]
    dialog.expires.edit.setDate(dialog.on.date().addYears(2))
    _ok(qtbot, dialog)
    assert not dialog.isVisible()
    assert _lines(page.expired) == ["No consent has expired."]
    assert page.expired_box.title() == "Consents expired (0)"
    assert _kinds(store, people["over"]) == [ConsentEventKind.GIVEN, ConsentEventKind.RENEWED]


def test_a_double_click_opens_the_renew_dialog_and_cancel_records_nothing(
    qtbot: QtBot, page: DashboardPage, store: Store, people: dict[str, str]
) -> None:
    item = _line(page.expiring, "Bilal Khan")
    pos = page.expiring.visualItemRect(item).center()
    qtbot.mouseClick(page.expiring.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(page.expiring.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    dialog = page.consent_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "Renew consent: Bilal Khan"
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton
    )
    assert not dialog.isVisible()
    assert _kinds(store, people["later"]) == [ConsentEventKind.GIVEN]
    assert any("Bilal Khan" in line for line in _lines(page.expiring))


def test_the_contact_form_shows_the_history_and_records_each_step(
    qtbot: QtBot, store: Store, people: dict[str, str]
) -> None:
    cid = people["over"]
    editor = ContactEditor(store, cid)
    qtbot.addWidget(editor)
    editor.show()
    expired_on = TODAY - dt.timedelta(days=3)
    assert editor.consent_state.text().startswith(
        f"Consent expired on {expired_on.day} {expired_on:%b %Y}: details withheld"
    )
    assert editor.history.rowCount() == 1
    assert editor.history.item(0, 1).text() == "Consent given"
    assert editor.history.item(0, 4).text() == "Signed form"
    assert editor.renew_button.isEnabled() and editor.withdraw_button.isEnabled()

    qtbot.mouseClick(editor.renew_button, Qt.MouseButton.LeftButton)
    renew = editor.consent_dialog
    assert renew is not None and renew.isVisible()
    _ok(qtbot, renew)
    assert editor.history.rowCount() == 2
    assert editor.history.item(1, 1).text() == "Consent renewed"
    assert editor.consent_state.text().startswith("Consent valid until")

    qtbot.mouseClick(editor.withdraw_button, Qt.MouseButton.LeftButton)
    withdraw = editor.consent_dialog
    assert withdraw is not None and withdraw is not renew
    assert not withdraw.scope.isVisibleTo(withdraw)  # no scope nor expiry to a withdrawal
    qtbot.keyClicks(withdraw.note, "Asked by phone to be left alone")
    _ok(qtbot, withdraw)
    assert editor.consent_state.text().startswith("Consent withdrawn")
    assert not editor.renew_button.isEnabled() and not editor.withdraw_button.isEnabled()
    assert editor.record_button.isEnabled()
    # the rest of the form saves without touching consent
    editor.role.setText("Former chair")
    with qtbot.waitSignal(editor.saved):
        editor.save()
    with store.session() as s:
        contact = s.get(Contact, cid)
        assert contact is not None and contact.role == "Former chair"
        assert not contact.consent_given
        assert [h.kind for h in consent.history(s, cid)] == [
            ConsentEventKind.GIVEN,
            ConsentEventKind.RENEWED,
            ConsentEventKind.WITHDRAWN,
        ]


def test_the_form_reflects_a_step_recorded_elsewhere(
    qtbot: QtBot, store: Store, people: dict[str, str]
) -> None:
    """A save from a form opened before a renewal (on the Dashboard) does not undo it."""
    cid = people["soon"]
    editor = ContactEditor(store, cid)
    qtbot.addWidget(editor)
    with store.transaction() as s:
        record_consent(
            s,
            cid,
            ConsentStep(
                ConsentEventKind.RENEWED,
                TODAY,
                ConsentMethod.ONLINE,
                "",
                TODAY.replace(year=TODAY.year + 2),
            ),
            day=TODAY,
        )
    editor.save()
    with store.session() as s:
        contact = s.get(Contact, cid)
        assert contact is not None and contact.consent_expires == TODAY.replace(year=TODAY.year + 2)


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
def test_the_contact_form_and_the_consent_dialog_fit_a_laptop(
    qtbot: QtBot, store: Store, people: dict[str, str], width: int, height: int
) -> None:
    cid = people["soon"]
    with store.transaction() as s:
        for n in range(12):  # a long history scrolls inside its table
            record_consent(
                s, cid, ConsentStep(ConsentEventKind.RENEWED, TODAY, ConsentMethod.WRITTEN,
                                    f"Scope {n}", TODAY + dt.timedelta(days=400)),
                day=TODAY,
            )  # fmt: skip
    editor = ContactEditor(store, cid)
    qtbot.addWidget(editor)
    editor.show()
    assert_fits(editor, width, height)
    for kind in (ConsentEventKind.GIVEN, ConsentEventKind.RENEWED, ConsentEventKind.WITHDRAWN):
        dialog = editor.consent_step(kind)
        assert_fits(dialog, width, height)
        dialog.reject()
