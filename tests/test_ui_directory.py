"""Editing the directory: organisations with sensitivities, contacts with consent."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from ccodesk.models import ConsentEventKind, ConsentMethod, Contact, SensitivityLevel
from ccodesk.services.consent import history
from ccodesk.services.directory import get_organisation
from ccodesk.settings import Settings
from ccodesk.store import Store
from ccodesk.ui.directory_editors import ContactEditor, OrganisationEditor
from ccodesk.ui.organisations_page import OrganisationsPage


def test_new_organisation_with_a_sensitivity(qtbot: QtBot, store: Store) -> None:
    editor = OrganisationEditor(store)
    qtbot.addWidget(editor)
    qtbot.keyClicks(editor.name, "Stamford Hill Synagogue")
    editor.org_type.setCurrentIndex(editor.org_type.findData("faith-group"))
    editor.groups["faith"].setChecked(True)
    qtbot.keyClicks(editor.email, "not an address")
    qtbot.mouseClick(editor.findChild(type(editor.buttons)).buttons()[0], Qt.MouseButton.LeftButton)
    assert "is not an e-mail address" in editor.problems.text()
    editor.email.clear()
    editor.add_sensitivity("lgbt-issues", SensitivityLevel.AVOID, "asked us not to")
    with qtbot.waitSignal(editor.saved) as signal:
        editor.save()
    with store.session() as s:
        org = get_organisation(s, signal.args[0])
        assert org.name == "Stamford Hill Synagogue"
        assert [g.code for g in org.groups_served] == ["faith"]
        assert [(x.topic_code, x.level, x.note) for x in org.sensitivities] == [
            ("lgbt-issues", SensitivityLevel.AVOID, "asked us not to")
        ]
    again = OrganisationEditor(store, signal.args[0])
    qtbot.addWidget(again)
    topic = again.sensitivities.cellWidget(0, 0)
    assert isinstance(topic, QComboBox) and topic.currentData() == "lgbt-issues"
    again.sensitivities.removeRow(0)
    again.save()
    with store.session() as s:
        assert [x.deleted for x in get_organisation(s, signal.args[0]).sensitivities] == [True]


def test_contact_consent(qtbot: QtBot, store: Store) -> None:
    editor = ContactEditor(store)
    qtbot.addWidget(editor)
    qtbot.keyClicks(editor.name, "Miriam Cohen")
    editor.shareable.setChecked(True)
    editor.save()
    assert "only be shared with the centre with their consent" in editor.problems.text()
    assert not editor.renew_button.isEnabled() and not editor.withdraw_button.isEnabled()
    dialog = editor.consent_step(ConsentEventKind.GIVEN)  # a new contact: recorded on saving
    qtbot.keyClicks(dialog.scope, "Contact about consultation")
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    assert not dialog.isVisible()
    assert "recorded when the contact is saved" in editor.consent_state.text()
    with qtbot.waitSignal(editor.saved) as signal:
        editor.save()
    with store.session() as s:
        contact = s.get(Contact, signal.args[0])
        assert contact.consent_given and contact.shareable
        assert contact.consent_date == dt.date.today()
        assert contact.consent_scope == "Contact about consultation"
        (given,) = history(s, contact.id)
        assert (given.kind, given.on, given.method) == (
            ConsentEventKind.GIVEN,
            dt.date.today(),
            ConsentMethod.WRITTEN,
        )


def test_directory_page_buttons(qtbot: QtBot, store: Store) -> None:
    page = OrganisationsPage(store, Settings())
    qtbot.addWidget(page)
    page.show()
    assert page.model.total == 0
    editor = page.edit_organisation(None)
    qtbot.addWidget(editor)
    editor.name.setText("Hackney Somali Forum")
    editor.save()
    assert page.model.total == 1
    assert "Hackney Somali Forum" in page.details.toPlainText()
    page.table.selectRow(0)
    contact = page.add_contact(page.selected_id())
    qtbot.addWidget(contact)
    contact.name.setText("Abdi Warsame")
    contact.role.setText("Chair")
    contact.save()
    # no consent: named, greyed, the role withheld until consent is recorded
    assert "Abdi Warsame (no consent recorded)" in page.details.toPlainText()
    assert "Chair" not in page.details.toPlainText()
    assert [w for w in contact.findChildren(QLineEdit) if w.accessibleName() == "Role"]


def test_organisation_model_passes_qt_model_tester(
    qtmodeltester: ModelTester, demo_store: Store
) -> None:
    from ccodesk.ui.organisations_page import OrganisationModel

    model = OrganisationModel(demo_store, Settings())
    model.page_size = 50
    model.reload()
    qtmodeltester.check(model)
