"""The partner picker at 15,000 organisations: search as you type on any word, results that
tell two of a name apart, picking and removing by mouse and keyboard, in the engagement editor
and the quick-time wizard; and demo data without indistinguishable duplicates."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from ccodesk.models import Organisation, OrganisationType, SensitivityLevel
from ccodesk.services.directory import (
    OrganisationDraft,
    partner_matches,
    save_organisation,
    search_partners,
)
from ccodesk.store import Store
from ccodesk.ui.engagement_editor import EngagementEditor
from ccodesk.ui.partner_picker import DETAIL_ROLE, ID_ROLE, PICKED_ROLE, PartnerPicker
from tests.support.fit import LAPTOPS, assert_fits
from tests.support.temp_keyring import TempFileKeyring

BIG = 15_000
# Two organisations of one name, told apart only by where they are.
TWINS = (
    OrganisationDraft(
        "Hope Street Chapel",
        OrganisationType.FAITH_GROUP,
        address="14 Eversholt Street, Somers Town",
        postcode="NW1 1BN",
        groups_served=["faith"],
    ),
    OrganisationDraft(
        "Hope Street Chapel",
        OrganisationType.FAITH_GROUP,
        address="2 Elsworthy Road, Primrose Hill",
        postcode="NW3 3DJ",
        groups_served=["faith", "older"],
        sensitivities=[("lgbt-issues", SensitivityLevel.AVOID, "")],
    ),
)


@pytest.fixture(scope="module")
def big_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """15,000 organisations in one Camden store (bulk demo rows), built once per module."""
    from ccodesk.services.demo import load_demo_data
    from ccodesk.store import create_store

    base = tmp_path_factory.mktemp("picker-15000")
    keyring_file = base / "keyring.json"
    previous = keyring.get_keyring()
    keyring.set_keyring(TempFileKeyring(keyring_file))
    try:
        with create_store(base / "store", borough_code="camden", officer_name="Ada Officer") as s:
            load_demo_data(
                s,
                scale=1,
                seed=5,
                anchor=dt.date(2026, 11, 22),
                organisations_per_year=BIG,
                engagements_per_year=0,
            )
            with s.transaction() as session:
                for draft in TWINS:
                    save_organisation(session, draft)
    finally:
        keyring.set_keyring(previous)
    return base / "store", keyring_file


@pytest.fixture
def big_store(big_template: tuple[Path, Path], tmp_path: Path) -> Iterator[Store]:
    from ccodesk.store import open_store

    source, keyring_file = big_template
    target = tmp_path / "big"
    shutil.copytree(source, target)
    (tmp_path / "keyring.json").write_text(keyring_file.read_text())
    keyring.set_keyring(TempFileKeyring(tmp_path / "keyring.json"))
    with open_store(target) as s:
        yield s


def _picker(qtbot: QtBot, store: Store) -> PartnerPicker:
    from ccodesk.ui.partner_picker import StoreDirectory

    picker = PartnerPicker(StoreDirectory(store))
    qtbot.addWidget(picker)
    picker.resize(640, 420)
    picker.show()
    return picker


def _names(picker: PartnerPicker) -> list[str]:
    return [picker.found.item(i).text() for i in range(picker.found.count())]


def _type(qtbot: QtBot, picker: PartnerPicker, text: str) -> None:
    """Type into the search box as the officer would, and wait for the search to run."""
    picker.search.clear()
    qtbot.waitUntil(lambda: not picker._timer.isActive())
    qtbot.keyClicks(picker.search, text)
    assert picker._timer.isActive()  # debounced: nothing searched per keystroke
    qtbot.waitUntil(lambda: not picker._timer.isActive())


def _focus(qtbot: QtBot, widget: QWidget) -> None:
    window = widget.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


# the search ------------------------------------------------------------------------------------


def test_search_matches_every_word_as_a_prefix_at_15000(big_store: Store) -> None:
    with big_store.session() as s:
        assert s.query(Organisation).count() == BIG + 2
        # The second and third words, each a prefix: not only the first word of the name.
        found = search_partners(s, "town boy")
        assert found.matches and all(
            "Town" in m.name and "Boy" in m.name for m in found.matches[:5]
        )
        # Type and group served are searched too: "advisory lgbt" finds the LGBT advisory
        # group by its name; "faith older" the church serving both, whose name has neither.
        advisory = search_partners(s, "lgbt advis")
        assert advisory.matches[0].name.startswith("Camden LGBT Advisory Group")
        twins = search_partners(s, "hope chapel faith older primrose")
        assert [(m.name, m.place) for m in twins.matches] == [
            ("Hope Street Chapel", "2 Elsworthy Road, Primrose Hill, NW3 3DJ")
        ]
        # Bounded: a single letter gives the first 50, those whose name starts with it first.
        broad = search_partners(s, "k")
        assert len(broad.matches) == 50 and broad.more
        assert all(m.name.lower().startswith("k") for m in broad.matches)
        assert search_partners(s, "zzqx").matches == []
        # Quotes, stars and brackets typed by the officer are plain text, not FTS5 syntax.
        quoted = search_partners(s, 'hope* "street (chapel')
        assert [m.name for m in quoted.matches].count("Hope Street Chapel") == 2


def test_search_ranks_names_starting_with_the_text_first(store: Store) -> None:
    with store.transaction() as s:
        for name in ("Kentish Town Youth Club", "Camden Youth Forum", "Youth Offending Team"):
            save_organisation(s, OrganisationDraft(name, OrganisationType.YOUTH_GROUP))
        save_organisation(
            s,
            OrganisationDraft(
                "Leighton Road Club", OrganisationType.OTHER, address="Youthful House, NW5"
            ),
        )
        gone = save_organisation(s, OrganisationDraft("Youth Gone", OrganisationType.OTHER)).id
        s.get(Organisation, gone).deleted = True  # type: ignore[union-attr]
    with store.session() as s:
        names = [m.name for m in search_partners(s, "youth").matches]
    # Starting with the word, then holding it in the name, then found elsewhere (address);
    # never a deleted one.
    assert names == [
        "Youth Offending Team",
        "Camden Youth Forum",
        "Kentish Town Youth Club",
        "Leighton Road Club",
    ]


def test_two_of_a_name_show_different_second_lines(qtbot: QtBot, big_store: Store) -> None:
    picker = _picker(qtbot, big_store)
    _type(qtbot, picker, "hope street chapel")
    rows = [
        (picker.found.item(i).text(), picker.found.item(i).data(DETAIL_ROLE))
        for i in range(picker.found.count())
        if picker.found.item(i).text() == "Hope Street Chapel"
    ]
    assert len(rows) == 2
    assert rows[0][1] != rows[1][1]
    assert {detail for _, detail in rows} == {
        "Faith group · 14 Eversholt Street, Somers Town, NW1 1BN · serves faith groups",
        "Faith group · 2 Elsworthy Road, Primrose Hill, NW3 3DJ · serves older people, "
        "faith groups",
    }
    # The whole line is in the tooltip (the list may elide it).
    tips = [picker.found.item(i).toolTip() for i in range(picker.found.count())]
    assert any("Primrose Hill" in tip for tip in tips)


def test_type_ahead_on_a_second_word_in_the_widget(qtbot: QtBot, big_store: Store) -> None:
    picker = _picker(qtbot, big_store)
    _type(qtbot, picker, "advisory")
    assert picker.found.count() == 50
    assert "The first 50 found" in picker.count.text()
    _type(qtbot, picker, "lgbt adv")
    assert _names(picker)[0].startswith("Camden LGBT Advisory Group")
    assert picker.count.text().endswith("none picked")


# picking and removing ----------------------------------------------------------------------------


def test_pick_by_keyboard_and_remove_by_click_and_key(qtbot: QtBot, big_store: Store) -> None:
    picker = _picker(qtbot, big_store)
    changes: list[list[str]] = []
    picker.changed.connect(lambda: changes.append(picker.partner_ids()))
    _focus(qtbot, picker.search)
    _type(qtbot, picker, "hope street chapel")
    qtbot.keyClick(picker.search, Qt.Key.Key_Down)  # into the results
    assert picker.found.hasFocus() and picker.found.currentRow() == 0
    first = picker.current_id()
    qtbot.keyClick(picker.found, Qt.Key.Key_Return)  # Enter picks
    qtbot.keyClick(picker.found, Qt.Key.Key_Down)
    second = picker.current_id()
    qtbot.keyClick(picker.found, Qt.Key.Key_Space)  # and so does Space
    assert picker.partner_ids() == [first, second] and len(changes) == 2
    assert picker.found.item(0).data(PICKED_ROLE) and picker.found.item(1).data(PICKED_ROLE)
    assert "2 picked" in picker.count.text()
    chips = picker.chip_buttons()
    assert [c.accessibleName() for c in chips] == [
        f"Remove {picker.found.item(0).text()}",
        f"Remove {picker.found.item(1).text()}",
    ]
    assert all(c.isVisible() for c in chips)

    # Enter on a picked result takes it out again; typing in the list goes on searching.
    qtbot.keyClick(picker.found, Qt.Key.Key_Return)
    assert picker.partner_ids() == [first]
    qtbot.keyClick(picker.found, Qt.Key.Key_Space)
    assert picker.partner_ids() == [first, second]
    qtbot.keyClicks(picker.found, "x")
    assert picker.search.hasFocus() and picker.search.text() == "hope street chapelx"

    # A click on a chip removes it.
    qtbot.mouseClick(picker.chip_buttons()[0], Qt.MouseButton.LeftButton)
    assert picker.partner_ids() == [second]
    # Delete on a focused chip removes it; focus goes back to the search box.
    chip = picker.chip_buttons()[0]
    _focus(qtbot, chip)
    qtbot.keyClick(chip, Qt.Key.Key_Delete)
    assert picker.partner_ids() == [] and picker.search.hasFocus()
    assert changes[-1] == [] and "none picked" in picker.count.text()


def test_backspace_removes_chips_and_enter_never_reaches_the_dialog(
    qtbot: QtBot, big_store: Store
) -> None:
    picker = _picker(qtbot, big_store)
    _focus(qtbot, picker.search)
    qtbot.keyClicks(picker.search, "camden mind")
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)  # picks the top result, typed just now
    assert [m.name for m in picker._picked] == ["Camden Mind"]
    _type(qtbot, picker, "lgbt adv")
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert len(picker.partner_ids()) == 2
    chip = picker.chip_buttons()[1]
    _focus(qtbot, chip)
    qtbot.keyClick(chip, Qt.Key.Key_Backspace)
    assert [m.name for m in picker._picked] == ["Camden Mind"]
    _focus(qtbot, picker.search)
    picker.search.clear()
    qtbot.keyClick(picker.search, Qt.Key.Key_Backspace)  # empty box: the last chip goes
    assert picker.partner_ids() == []


def test_set_partner_ids_shows_chips_quietly(qtbot: QtBot, big_store: Store) -> None:
    picker = _picker(qtbot, big_store)
    with big_store.session() as s:
        ids = list(s.scalars(select(Organisation.id).order_by(Organisation.name).limit(12)))
        names = [m.name for m in partner_matches(s, ids)]
    changes: list[None] = []
    picker.changed.connect(lambda: changes.append(None))
    picker.set_partner_ids(ids)
    assert picker.partner_ids() == ids and changes == []
    assert [c.accessibleName() for c in picker.chip_buttons()] == [f"Remove {n}" for n in names]
    # Twelve chips scroll within a few lines: the picker does not grow tall.
    assert picker.chip_area.height() <= 4 * picker.chip_buttons()[0].sizeHint().height()


# in the engagement editor and the quick-time wizard -------------------------------------------


def _editor(qtbot: QtBot, store: Store) -> EngagementEditor:
    from ccodesk.ui.engagement_editor import EngagementEditor

    editor = EngagementEditor(store, restore_draft=False)
    qtbot.addWidget(editor)
    editor.show()
    return editor


def test_editor_partners_by_search_with_warnings_and_undo(qtbot: QtBot, big_store: Store) -> None:
    editor = _editor(qtbot, big_store)
    form = editor.form
    form.setCurrentIndex(2)  # People & groups
    lgbt = next(
        i
        for i in range(form.topics.count())
        if form.topics.item(i).data(Qt.ItemDataRole.UserRole) == "lgbt-issues"
    )
    form.topics.item(lgbt).setCheckState(Qt.CheckState.Checked)
    picker = form.partners
    _focus(qtbot, picker.search)
    _type(qtbot, picker, "hope chapel primrose")
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert editor.isVisible()  # Enter picked; it did not press Save
    (picked,) = picker.partner_ids()
    assert form.state()["partner_ids"] == [picked]
    assert "Hope Street Chapel must not be consulted on LGBT issues" in editor.warnings.text()
    editor.undo_stack.undo()
    assert picker.partner_ids() == [] and picker.chip_buttons() == []
    assert "must not be consulted" not in editor.warnings.text()
    editor.undo_stack.redo()
    assert picker.partner_ids() == [picked]


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
def test_editor_with_many_partners_fits_a_laptop(
    qtbot: QtBot, big_store: Store, width: int, height: int
) -> None:
    editor = _editor(qtbot, big_store)
    editor.form.setCurrentIndex(2)
    with big_store.session() as s:
        ids = list(s.scalars(select(Organisation.id).order_by(Organisation.name).limit(15)))
    editor.form.partners.set_partner_ids(ids)
    _type(qtbot, editor.form.partners, "kentish town")
    assert_fits(editor, width, height)


def test_quick_time_wizard_uses_the_same_picker(qtbot: QtBot, big_store: Store) -> None:
    from ccodesk.services import quicktime as qt
    from ccodesk.ui.quicktime import SCANNING, QuickTimeWizard

    now = dt.datetime.now().replace(second=0, microsecond=0)
    with big_store.transaction() as s:
        cid = qt.create(
            s,
            qt.CausalEvent("Pride weekend", now + dt.timedelta(days=2), now + dt.timedelta(days=1)),
        )
    wizard = QuickTimeWizard(big_store, consultation_id=cid)
    qtbot.addWidget(wizard)
    wizard.show()
    while wizard.currentId() != SCANNING:
        wizard.next()
    scan = wizard.scanning
    assert isinstance(scan.picker, PartnerPicker) and not scan.picker.chip_area.isVisible()
    _focus(qtbot, scan.search)
    _type(qtbot, scan.picker, "hope street chapel")
    twins = [
        scan.found.item(i).data(DETAIL_ROLE)
        for i in range(scan.found.count())
        if scan.found.item(i).text() == "Hope Street Chapel"
    ]
    assert len(set(twins)) == 2  # the 13 identical rows of old cannot happen
    qtbot.keyClick(scan.search, Qt.Key.Key_Down)
    qtbot.keyClick(scan.found, Qt.Key.Key_Down)
    chosen = scan.found.currentItem().data(ID_ROLE)
    qtbot.keyClick(scan.found, Qt.Key.Key_Return)  # picks it as a consultee
    assert scan.picked.count() == 1
    with big_store.session() as s:
        (consultee,) = [x for x in qt.get(s, cid).consultees if not x.deleted]
        assert consultee.organisation_id == chosen
    for width, height in LAPTOPS:
        assert_fits(wizard, width, height)


# demo data ---------------------------------------------------------------------------------------


def _lines(store: Store) -> list[tuple[str, str]]:
    with store.session() as s:
        ids = list(s.scalars(select(Organisation.id).where(Organisation.deleted.is_(False))))
        return [(m.name, m.detail) for m in partner_matches(s, ids)]


def test_demo_data_has_no_indistinguishable_organisations(demo_store: Store) -> None:
    lines = _lines(demo_store)
    assert len(lines) == 1500
    names = Counter(name for name, _ in lines)
    assert names.most_common(1)[0][1] == 1  # no two of one borough share a name
    assert len(set(lines)) == len(lines)
    # A borough-wide body that appears again is a branch, told apart by its area.
    assert any(name.startswith("Hackney Mind (") for name in names)


def test_15000_demo_organisations_are_all_told_apart(big_store: Store) -> None:
    lines = _lines(big_store)
    demo = [line for line in lines if line[0] != "Hope Street Chapel"]
    assert len(demo) == BIG and len({name for name, _ in demo}) == BIG
    assert len(set(lines)) == len(lines)  # the twins too differ by their second line


def test_picker_accessible_names(qtbot: QtBot, store: Store) -> None:
    picker = _picker(qtbot, store)
    assert picker.search.accessibleName() == "Search partner organisations"
    assert picker.found.accessibleName() == "Organisations found"
    assert picker.count.text() == "None found: try fewer letters or other words · none picked"
