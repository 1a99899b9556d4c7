"""Erasing a person and recording an objection from the desktop: the contact's link on the
Organisations page opens the editor, "Erase this person…" asks with the counts, the erasure
runs in the background, and a message says it was done."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from ccodesk.models import (
    Contact,
    Engagement,
    EngagementKind,
    Organisation,
    OrganisationType,
    SubjectAccessRequest,
)
from ccodesk.settings import Settings
from ccodesk.store import Store
from ccodesk.ui.directory_editors import ContactEditor
from ccodesk.ui.organisations_page import CONTACT_LINK, OrganisationsPage
from ccodesk.ui.privacy_person import EraseDialog, ObjectionDialog

LEFT = Qt.MouseButton.LeftButton


def _people(store: Store) -> tuple[str, str, str]:
    with store.transaction() as s:
        org = Organisation(name="Dalston Tenants", org_type=OrganisationType.TENANTS_ASSOCIATION)
        s.add(org)
        s.flush()
        me = Contact(name="Xqena Zvorak", email="xqena@example.org", organisation_id=org.id,
                     consent_given=True, consent_date=dt.date(2026, 1, 5))  # fmt: skip
        them = Contact(name="Otis Holm", organisation_id=org.id)
        s.add_all([me, them])
        s.flush()
        e = Engagement(kind=EngagementKind.PCCG_MEETING, title="Dalston PCCG",
                       starts_at=dt.datetime(2026, 11, 2, 18),
                       notes="Xqena Zvorak chaired")  # fmt: skip
        e.attendees.append(me)
        s.add(e)
        return org.id, me.id, them.id


def _editor(qtbot: QtBot, page: OrganisationsPage, contact_id: str) -> ContactEditor:
    page.details.anchorClicked.emit(QUrl(f"{CONTACT_LINK}:{contact_id}"))  # the name's link
    editor = page.findChild(ContactEditor)
    assert isinstance(editor, ContactEditor)
    qtbot.waitExposed(editor)
    return editor


def test_erase_from_the_organisations_page(qtbot: QtBot, store: Store) -> None:
    org_id, me, them = _people(store)
    page = OrganisationsPage(store, Settings())
    qtbot.addWidget(page)
    page.show()
    page.show_details(org_id)
    assert "Xqena Zvorak" in page.details.toPlainText()
    editor = _editor(qtbot, page, me)
    qtbot.mouseClick(editor.person_actions.erase_button, LEFT)  # finds what names them…
    qtbot.waitUntil(lambda: isinstance(editor.person_actions.dialog, EraseDialog))
    dialog = editor.person_actions.dialog
    assert isinstance(dialog, EraseDialog)
    words = " ".join(label.text() for label in dialog.findChildren(type(editor.problems)))
    for line in ("Contact details: 1", "Named attendance at engagements: 1",
                 "Engagements naming them: 1"):  # fmt: skip
        assert line in words
    for shown in (editor, dialog):  # the smallest screen the desktop supports: 1024×700
        assert shown.sizeHint().width() <= 1024 and shown.sizeHint().height() <= 700
    qtbot.keyClicks(dialog.note, "Letter of 1 December")
    with qtbot.waitSignal(editor.person_actions.erased, timeout=60_000):
        qtbot.mouseClick(dialog.erase_button, LEFT)
    message = editor.person_actions.message
    assert isinstance(message, QMessageBox)
    assert message.text().startswith("Xqena Zvorak was erased:")
    assert "next sync export" in message.text()
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert "Xqena Zvorak" not in page.details.toPlainText()
    assert "Otis Holm" in page.details.toPlainText()
    with store.session() as s:
        erased = s.get(Contact, me)
        assert erased is not None and erased.deleted and erased.name == ""
        assert s.query(SubjectAccessRequest).one().requester == "[erased]"
        kept = s.get(Contact, them)
        assert kept is not None and kept.name == "Otis Holm"
    message.close()


def test_cancel_erases_nothing(qtbot: QtBot, store: Store) -> None:
    _org, me, _them = _people(store)
    editor = ContactEditor(store, me)
    qtbot.addWidget(editor)
    editor.person_actions.ask_erase()
    qtbot.waitUntil(lambda: isinstance(editor.person_actions.dialog, EraseDialog))
    dialog = editor.person_actions.dialog
    assert isinstance(dialog, EraseDialog)
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Cancel), LEFT)
    assert not dialog.isVisible()
    with store.session() as s:
        contact = s.get(Contact, me)
        assert contact is not None and contact.name == "Xqena Zvorak" and not contact.deleted


def test_objection_from_the_contact_editor(qtbot: QtBot, store: Store) -> None:
    _org, me, _them = _people(store)
    editor = ContactEditor(store, me)
    qtbot.addWidget(editor)
    assert editor.person_actions.object_button.text() == "Objects to &processing…"
    qtbot.mouseClick(editor.person_actions.object_button, LEFT)
    dialog = editor.person_actions.dialog
    assert isinstance(dialog, ObjectionDialog)
    qtbot.keyClicks(dialog.note, "Letter of 1 December")
    with qtbot.waitSignal(dialog.changed):
        dialog.record()
    assert editor.person_actions.object_button.text() == "&Lift the objection…"
    with store.session() as s:
        contact = s.get(Contact, me)
        assert contact is not None and contact.objected_on == dt.date.today()
        assert not contact.consent_valid_on(dt.date.today())
    QApplication.processEvents()
