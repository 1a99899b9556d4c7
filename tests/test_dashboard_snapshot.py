"""The dashboard's first paint (issue 11): the lines shown last are kept in the encrypted store
and shown at the next start only when they are for today and the store has not changed since;
a snapshot that is stale, garbled, hostile or unreadable is simply not shown, and the live
dashboard always replaces it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlcipher3
from pytestqt.qtbot import QtBot

from ccodesk.models import EngagementKind, EngagementStatus
from ccodesk.services import records
from ccodesk.services.calendar_import import import_ics
from ccodesk.services.dashboard import board_lines, build_dashboard, read_board, store_stamp
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.store import Store, create_store
from ccodesk.store.snapshot import BoardLines, Line, read_snapshot

TODAY = dt.date.today()
CALENDARS = Path(__file__).parent / "fixtures" / "calendars"


def _fill(store: Store) -> None:
    with store.transaction() as s:
        held = save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.PCCG_MEETING,
                title="Camden PCCG: last month",
                starts_at=dt.datetime.combine(TODAY - dt.timedelta(days=30), dt.time(18)),
                status=EngagementStatus.HELD,
            ),
        ).id
        records.add_action(
            s, "Ask the council about bins", engagement_id=held, due_on=TODAY - dt.timedelta(20)
        )


def _snapshot(store: Store, today: dt.date = TODAY) -> BoardLines | None:
    return read_snapshot(store.path, store.database_key(), today)


def _raw(store: Store, sql: str, *params: object) -> None:
    """Write to the store with the SQLCipher driver alone, as an attacker holding the key could."""
    conn = sqlcipher3.connect(str(store.path))
    try:
        conn.execute(f"PRAGMA key = \"x'{store.database_key().hex()}'\"")
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def test_the_lines_shown_are_kept_and_read_back_without_the_orm(store: Store) -> None:
    _fill(store)
    board = read_board(store, TODAY)
    kept = _snapshot(store)
    assert kept == board_lines(board)
    assert any("Ask the council about bins" in line.text for line in kept.overdue)
    assert kept.overdue_title == "Overdue actions (1)"
    with store.session() as s:  # keeping the snapshot changed nothing it is checked against
        before = store_stamp(s)
    read_board(store, TODAY)
    with store.session() as s:
        assert store_stamp(s) == before
    assert _snapshot(store) is not None


def test_a_snapshot_is_not_shown_on_another_day(store: Store) -> None:
    read_board(store, TODAY)
    assert _snapshot(store, TODAY + dt.timedelta(days=1)) is None
    assert _snapshot(store, TODAY - dt.timedelta(days=1)) is None


def test_an_edit_makes_the_snapshot_stale(store: Store) -> None:
    _fill(store)
    read_board(store, TODAY)
    with store.transaction() as s:
        records.add_action(s, "Another overdue action", due_on=TODAY - dt.timedelta(days=2))
    assert _snapshot(store) is None
    read_board(store, TODAY)  # the live figures are kept again
    kept = _snapshot(store)
    assert kept is not None and kept.overdue_title == "Overdue actions (2)"


def test_a_calendar_import_makes_the_snapshot_stale(store: Store) -> None:
    """Core inserts (no ORM events) still move the stamp."""
    read_board(store, TODAY)
    with store.transaction() as s:
        import_ics(
            s,
            (CALENDARS / "outlook-series.ics").read_bytes(),
            horizon=(dt.date(2020, 1, 1), dt.date(2030, 1, 1)),
        )
    assert _snapshot(store) is None


def test_a_bundle_taken_in_makes_the_snapshot_stale(store: Store) -> None:
    read_board(store, TODAY)
    _raw(
        store,
        "INSERT INTO bundle_log (bundle_id, content_hash, kind, device_id, seq, signer,"
        " received_at, applied, already, conflicts, up_to_seq)"
        " VALUES ('b1', 'h', 'reference', 'd', 1, 's', '2026-12-01', 0, 0, 0, 0)",
    )
    assert _snapshot(store) is None


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        json.dumps({"week": "x"}),
        json.dumps({b: [] for b in BoardLines.BOXES}),  # no titles
        json.dumps({**{b: [] for b in BoardLines.BOXES}, "titles": ["a", 3]}),
        json.dumps({**{b: [["x" * 5000, None]] for b in BoardLines.BOXES}, "titles": ["a", "b"]}),
        json.dumps({**{b: [["x", ["a"] * 9]] for b in BoardLines.BOXES}, "titles": ["a", "b"]}),
        json.dumps({**{b: [["x", None]] * 1000 for b in BoardLines.BOXES}, "titles": ["a", "b"]}),
        "[" * 100_000,
    ],
)
def test_a_garbled_or_hostile_snapshot_is_not_shown(store: Store, body: str) -> None:
    read_board(store, TODAY)
    _raw(store, "UPDATE dashboard_snapshot SET body = ?", body)
    assert _snapshot(store) is None


def test_an_unreadable_store_shows_no_snapshot(store: Store, tmp_path: Path) -> None:
    read_board(store, TODAY)
    assert read_snapshot(store.path, bytes(32), TODAY) is None  # the wrong key
    assert read_snapshot(tmp_path / "missing.db", store.database_key(), TODAY) is None
    _raw(store, "DROP TABLE dashboard_snapshot")  # a store from before the table
    assert _snapshot(store) is None
    read_board(store, TODAY)  # keeping it fails quietly: the dashboard is shown all the same


def test_lines_round_trip_and_keep_what_they_open() -> None:
    lines = BoardLines(
        week=[Line("Thu 03 Dec 19:00  Outreach", ("engagement", "e1"))],
        overdue=[Line("Due 01 Nov 2026: bins — PS Dean", ("action", "a1", ""))],
        owed=[Line("Feedback has been given for every engagement held.")],
        unreached=[Line("Disabled people", ("group", "disabled"))],
        overdue_title="Overdue actions (1)",
        reach_title="Priority groups not reached, 01 Oct – 31 Dec 2026",
    )
    assert BoardLines.from_json(lines.to_json()) == lines


def test_subject_access_lines_round_trip_and_a_new_request_makes_the_snapshot_stale(
    store: Store,
) -> None:
    from ccodesk.services.person_match import SearchTerms
    from ccodesk.services.subject_access_log import log_request

    read_board(store, TODAY)
    with store.transaction() as s:
        logged = log_request(s, SearchTerms("Amara Okafor"), TODAY - dt.timedelta(days=35))
    assert _snapshot(store) is None  # logging a request is audited: the stamp moved
    board = read_board(store, TODAY)
    kept = _snapshot(store)
    assert kept == board_lines(board) and kept is not None
    assert [line.target for line in kept.sar] == [("sar", str(logged.id))]
    late = (TODAY - logged.due_on).days  # 35 days after receipt: a month and a few days
    assert "Amara Okafor" in kept.sar[0].text and f"OVERDUE by {late} days" in kept.sar[0].text
    assert BoardLines.from_json(kept.to_json()) == kept


def test_the_window_paints_the_last_dashboard_then_the_live_one(
    qtbot: QtBot, data_dir: Path
) -> None:
    from ccodesk.ui.main_window import MainWindow

    with create_store(data_dir, borough_code="camden", officer_name="Ada Officer") as s:
        _fill(s)
        with s.session() as session:
            live = board_lines(build_dashboard(session, TODAY))

    def start() -> tuple[MainWindow, list[bool]]:
        window = MainWindow(data_dir=data_dir)
        qtbot.addWidget(window)
        painted: list[bool] = []  # at each "dashboard shown": was it the last run's lines?
        window.dashboard_shown.connect(lambda: painted.append(window.first_paint is not None))
        with qtbot.waitSignal(window.store_ready, timeout=20_000):
            window.open_in_background()
        return window, painted

    first, painted = start()  # no snapshot yet: the live dashboard only
    assert painted == [False]
    first.close_store()
    first.close()

    second, painted = start()
    assert painted == [True, False]  # the last run's lines, then the live ones
    assert second.first_paint is None  # gone once the store is open
    shown = [
        second.dashboard.overdue.item(i).text() for i in range(second.dashboard.overdue.count())
    ]
    assert shown == [line.text for line in live.overdue]
    second.close_store()
    second.close()
