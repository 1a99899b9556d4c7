"""Printing from the desktop: Save as PDF, Print (the dialog patched, a PDF printer), next week's
packs, and keying returned paper forms through the quick data-entry screen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QComboBox, QDialog, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from ccodesk.printing.codes import FormKind, form_code
from ccodesk.services.engagements import get_engagement
from ccodesk.store import Store
from ccodesk.ui.printing import PrintDialog, print_week_packs
from ccodesk.ui.returns import ReturnedFormsDialog
from tests.test_printing import NAMES, _meeting, held_yesterday, page_count, pdf_text


@pytest.fixture
def meeting(store: Store) -> str:
    return _meeting(store)[0]


def _attendance(store: Store, meeting: str) -> tuple[int, int, dict[str, int]]:
    with store.session() as s:
        a = get_engagement(s, meeting).attendance
        if a is None:
            return 0, 0, {}
        return a.total, a.prefer_not_to_say, {c.group_code: c.count for c in a.counts}


def _pick(combo: QComboBox, label: str) -> None:
    combo.setCurrentIndex(combo.findText(label))


def test_keying_returned_equality_forms_changes_the_counts(
    qtbot: QtBot, store: Store, meeting: str
) -> None:
    held_yesterday(store, meeting)
    dialog = ReturnedFormsDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    keyed: list[str] = []
    dialog.keyed.connect(keyed.append)
    code = form_code(FormKind.EQUALITY, meeting)
    qtbot.keyClicks(dialog.code, code.lower() + "/1")  # as a QR scanner types it…
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)  # …ending with Enter, which adds nothing
    assert _attendance(store, meeting) == (0, 0, {})
    assert dialog.sheet.value() == 1 and dialog.code.text() == code
    assert "Camden PCCG: burglary in Somers Town" in dialog.what.text()
    assert dialog.pages.currentWidget() is dialog.equality
    assert dialog.add_button.isEnabled()

    _pick(dialog.equality.answers["age"], "60 or over")
    _pick(dialog.equality.answers["refugee"], "Yes")
    _pick(dialog.equality.answers["lgbt"], "No")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert "Added" in dialog.message.text() and "Older people" in dialog.message.text()
    assert _attendance(store, meeting) == (1, 0, {"older": 1, "refugees-asylum": 1})
    assert dialog.sheet.value() == 2  # ready for the next sheet of the stack
    assert dialog.equality.answers["age"].currentData() is None

    _pick(dialog.equality.answers["faith"], "Prefer not to say")
    qtbot.keyClick(
        dialog.equality.answers["faith"], Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    assert _attendance(store, meeting) == (2, 1, {"older": 1, "refugees-asylum": 1})
    assert keyed == [meeting, meeting]
    assert "2 × equality monitoring form" in dialog.tally.text()

    # the same numbered sheet again: warned, nothing added until Add is pressed again
    dialog.sheet.setValue(1)
    _pick(dialog.equality.answers["faith"], "Yes")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert "keyed already" in dialog.message.text() and "Ada Officer" in dialog.message.text()
    assert _attendance(store, meeting) == (2, 1, {"older": 1, "refugees-asylum": 1})
    assert dialog.add_button.text() == "&Add anyway"
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert _attendance(store, meeting) == (3, 1, {"older": 1, "refugees-asylum": 1, "faith": 1})


def test_keying_a_blank_feedback_form_and_a_sign_in_sheet(
    qtbot: QtBot, store: Store, meeting: str
) -> None:
    with store.transaction() as s:  # a meeting in the last few weeks, for the blank form
        get_engagement(s, meeting).starts_at = dt.datetime.now() - dt.timedelta(days=3)
    dialog = ReturnedFormsDialog(store)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.code, form_code(FormKind.FEEDBACK, None))
    assert "blank form" in dialog.what.text()
    assert dialog.engagement.isEnabled()
    dialog.engagement.setCurrentIndex(dialog.engagement.findData(meeting))
    assert dialog.pages.currentWidget() is dialog.feedback
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert "nothing is written" in dialog.message.text()
    qtbot.keyClicks(dialog.feedback.answers["concern"], "Cars speed past the school")
    _pick(dialog.feedback.topic, "Burglary")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    with store.session() as s:
        findings = [f for f in get_engagement(s, meeting).findings if "school" in f.text]
        assert [(f.text, f.topic_code, f.theme) for f in findings] == [
            ("Cars speed past the school", "burglary", "Feedback form")
        ]
    dialog.code.clear()
    qtbot.keyClicks(dialog.code, form_code(FormKind.SIGN_IN, meeting))
    assert dialog.pages.currentWidget() is dialog.sign_in
    dialog.sign_in.names.setValue(14)
    dialog.sign_in.consented.setValue(5)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert "5 agreed to be contacted again" in dialog.message.text()
    assert _attendance(store, meeting)[0] == 14


def test_a_mistyped_code_says_so(qtbot: QtBot, store: Store, meeting: str) -> None:
    dialog = ReturnedFormsDialog(store)
    qtbot.addWidget(dialog)
    code = form_code(FormKind.EQUALITY, meeting)
    wrong = code[:-1] + ("2" if code[-1] != "2" else "3")
    qtbot.keyClicks(dialog.code, wrong)
    assert "does not check out" in dialog.what.text()
    assert not dialog.add_button.isEnabled()


def test_save_as_pdf(
    qtbot: QtBot, store: Store, meeting: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "pack"
    asked: list[str] = []

    def save_name(_parent: object, _title: str, start: str, _filter: str) -> tuple[str, str]:
        asked.append(start)
        return str(target), "PDF (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    dialog = PrintDialog(store, meeting, document="pack")
    qtbot.addWidget(dialog)
    assert dialog.for_engagement.isChecked() and "Somers Town" in dialog.for_engagement.text()
    with qtbot.waitSignal(dialog.saved_to, timeout=20000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == [str(target) + ".pdf"]
    assert asked[0].endswith("pack-2027-02-04-camden-pccg-burglary-in-somers-town.pdf")
    text = pdf_text(Path(saved.args[0]))
    assert "Camden PCCG: burglary in Somers Town" in text and NAMES["cso"] in text

    dialog.set_document("equality")
    dialog.for_engagement.setChecked(False)
    dialog.large_print.setChecked(True)
    with qtbot.waitSignal(dialog.saved_to, timeout=20000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    text = pdf_text(Path(str(target) + ".pdf"))
    assert "Meeting or event:" in text and form_code(FormKind.EQUALITY, None) in text


def test_print_goes_through_the_print_dialog(
    qtbot: QtBot, store: Store, meeting: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "printed.pdf"

    def accept(dialog: QPrintDialog) -> int:  # the user picks a printer (here: a PDF file)
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(out))
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    dialog = PrintDialog(store, meeting, document="feedback")
    qtbot.addWidget(dialog)
    dialog.copies.setValue(2)
    with qtbot.waitSignal(dialog.printed, timeout=30000) as printed:
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert printed.args == [2]
    assert page_count(out) == 2
    assert "Sent 2 pages" in dialog.error.text()
    assert "#b00020" not in dialog.error.styleSheet()  # success is not shown as a problem


def test_a_bad_quarter_is_shown_not_raised(qtbot: QtBot, store: Store) -> None:
    dialog = PrintDialog(store, None, document="return")
    qtbot.addWidget(dialog)
    assert not dialog.for_engagement.isEnabled()
    dialog.quarter.setText("2026Q5")
    job = dialog.save_as_pdf()
    qtbot.waitUntil(lambda: job.done and "not a quarter" in dialog.error.text(), timeout=10000)
    dialog.set_document("pack")
    assert not dialog.save_button.isEnabled()  # no engagement chosen


def test_packs_for_a_week_with_progress(
    qtbot: QtBot, store: Store, meeting: str, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    job = print_week_packs(store, parent, week_of=dt.date(2027, 2, 3), folder=tmp_path / "week")
    assert job is not None
    with qtbot.waitSignal(job.signals.succeeded, timeout=30000) as done:
        pass
    assert [p.name[:10] for p in done.args[0].written] == ["2027-02-04"]
    qtbot.waitUntil(lambda: bool(parent.property("last_packs_message")))
    assert "Wrote 1 meeting pack" in parent.property("last_packs_message")
    for box in parent.findChildren(QMessageBox):
        box.close()


def test_main_window_and_editor_offer_printing(qtbot: QtBot, store: Store, meeting: str) -> None:
    from ccodesk.ui.main_window import MainWindow

    window = MainWindow(store)
    qtbot.addWidget(window)
    shortcuts = {a.text(): a.shortcut().toString() for a in window.actions()}
    assert shortcuts["Print forms…"] == "Ctrl+P"
    assert shortcuts["Packs for next week…"] == "Ctrl+Shift+P"
    assert shortcuts["Key in returned forms…"] == "Ctrl+K"
    entry = window.key_in_forms()
    assert isinstance(entry, ReturnedFormsDialog)
    entry.close()
    printing = window.open_print()
    assert isinstance(printing, PrintDialog) and printing.engagement_id is None
    printing.close()
    editor = window.edit_engagement(meeting)
    dialog = editor.open_print("pack")
    assert isinstance(dialog, PrintDialog)
    assert dialog.engagement_id == meeting and dialog.document.currentData() == "pack"
    dialog.close()
    editor.close()
    window.close()
