"""The central unit's follow-up (issue 16): London-wide search over every merged engagement,
finding and action (FTS5 on SQLite, PostgreSQL's full-text search with its GIN indexes),
each borough's findings with no outcome and overdue actions, and the centre's own notes —
which never leave the centre in any bundle — on SQLite and the real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import io
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from ccodesk.errors import NotFound, ValidationError
from ccodesk.models import ActionItem, ActionStatus, CentralNote, Finding, Outcome, OutcomeResult
from ccodesk.services.central_followup import (
    borough_loose_ends,
    london_search,
    loose_ends_by_borough,
)
from ccodesk.services.central_notes import add_note, edit_note, notes_on, record_view
from ccodesk.store import Store, open_store
from ccodesk.sync.central import Central, init_central, reference_bundle
from ccodesk.sync.central_merge import merge_bundle
from ccodesk.sync.records import CHILDREN, ENTITIES
from tests.test_sync import add_engagement, decrypt, export, make_borough, rename
from tests.test_ui_central import pg_url  # noqa: F401  (the PostgreSQL fixture)

TODAY = dt.date(2026, 12, 6)
HOSTILE = [
    '"',
    "'",
    '"unsafe',
    "bus AND",
    "NEAR(bus routes, 2)",
    "bus* OR -routes",
    "title:bus",
    "^bus",
    "(",
    ")) OR 1=1 --",
    "a & b | !c <-> d:*",
    "\\",
    "\x00bus",
    "; DROP TABLE finding; --",
    "routes " * 5000,
    "x" * 20_000,
    "ünsafe çafé",
    "_",
    "   ",
    "**",
    "😀 bus",
]


def _findings(store: Store, engagement_id: str, borough: str) -> dict[str, str]:
    """A finding with no outcome, one with, an overdue action, one done and one not yet due."""
    with store.transaction() as s:
        loose = Finding(
            engagement_id=engagement_id,
            text=f"Young people in {borough} feel unsafe on the bus routes home",
            theme="Safety",
        )
        used = Finding(engagement_id=engagement_id, text="More patrols near the market")
        s.add_all([loose, used])
        s.flush()
        s.add(
            Outcome(
                finding_id=used.id, result=OutcomeResult.CHANGED_DECISION, decision="Patrol plan"
            )
        )
        overdue = ActionItem(
            engagement_id=engagement_id,
            finding_id=loose.id,
            description=f"Write to TfL about lighting at the {borough} bus stops",
            owner="Ada Officer",
            due_on=dt.date(2026, 11, 30),
            status=ActionStatus.OPEN,
        )
        s.add_all(
            [
                overdue,
                ActionItem(
                    engagement_id=engagement_id,
                    description="Report back to the PCCG",
                    due_on=dt.date(2026, 11, 1),
                    status=ActionStatus.DONE,
                    completed_on=dt.date(2026, 11, 2),
                ),
                ActionItem(
                    engagement_id=engagement_id,
                    description="Plan the spring walkabout",
                    due_on=dt.date(2027, 3, 1),
                    status=ActionStatus.IN_PROGRESS,
                ),
            ]
        )
        s.flush()
        return {"finding": loose.id, "action": overdue.id}


def merged_london(tmp_path: Path, central: Central) -> dict[str, dict[str, str]]:
    """Camden's and Hackney's records merged into `central`: ids by borough."""
    ids = {}
    for code, officer, title in (
        ("camden", "Ada Officer", "Camden PCCG: knife crime"),
        ("hackney", "Bo Officer", "Hackney outreach at the estate"),
    ):
        store = make_borough(tmp_path / code, code, officer, central)
        try:
            engagement = add_engagement(store, title, venue_name=f"{code.title()} Town Hall")
            ids[code] = {"engagement": engagement, **_findings(store, engagement, code.title())}
            bundle = export(store, tmp_path / f"{code}.ccbundle")
        finally:
            store.close()
        assert merge_bundle(central, bundle).ok
    return ids


@pytest.fixture(params=["sqlite", "postgresql"])
def central(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Central]:
    url = None
    if request.param == "postgresql":
        from tests.support.postgres import new_database

        base = request.getfixturevalue("pg_url")
        url = new_database(base, f"followup_{abs(hash(request.node.name)) % 10**9}")
    c = init_central(tmp_path / "centre", url, "MPA Central Unit")
    yield c
    c.close()


def test_london_search_finds_every_kind_in_every_borough(tmp_path: Path, central: Central) -> None:
    ids = merged_london(tmp_path, central)
    with central.session() as s:
        answer = london_search(s, "bus")
        found = {(r.kind, r.borough) for r in answer.results}
        assert found == {
            ("finding", "Camden"),
            ("finding", "Hackney"),
            ("action_item", "Camden"),
            ("action_item", "Hackney"),
        }
        assert answer.message == "4 found."
        hit = next(r for r in answer.results if r.id == ids["camden"]["finding"])
        assert hit.when == dt.date(2026, 11, 26) and hit.kind_label == "Finding"
        assert "[bus]" in hit.snippet and hit.title.startswith("Young people in Camden")
        # several words: all required, each the start of a word; accents folded
        (only,) = london_search(s, "hackney ligh").results
        assert only.kind == "action_item" and only.borough_code == "hackney"
        (town_hall,) = london_search(s, "Cámden town").results
        assert town_hall.kind == "engagement" and town_hall.title == "Camden PCCG: knife crime"
        nothing = london_search(s, "zebra")
        assert (
            nothing.results == []
            and nothing.message == "Nothing in London's records matches “zebra”."
        )
        assert london_search(s, "  ").message.startswith("Type a word")


def test_hostile_search_text_gives_results_or_a_plain_message(
    tmp_path: Path, central: Central
) -> None:
    merged_london(tmp_path, central)
    with central.session() as s:
        for typed in HOSTILE:
            answer = london_search(s, typed)
            assert answer.message, typed
            assert len(answer.message) < 200, typed
        assert {r.kind for r in london_search(s, '"bus" (routes*').results} == {"finding"}
        assert len(london_search(s, "routes " * 5000).results) == 2


def test_the_central_sqlite_store_indexes_what_a_merge_brings(tmp_path: Path) -> None:
    central = init_central(tmp_path / "centre", None, "MPA Central Unit")
    try:
        merged_london(tmp_path, central)
        with central.session() as s:
            for table, word, n in (("engagement", "outreach", 1), ("finding", "unsafe", 2),
                                   ("action_item", "tfl", 2)):  # fmt: skip
                sql = f"SELECT count(*) FROM {table}_fts WHERE {table}_fts MATCH :w"
                assert s.execute(text(sql), {"w": word}).scalar_one() == n, table
    finally:
        central.close()


def test_postgresql_search_uses_the_gin_indexes(tmp_path: Path, pg_url: str) -> None:  # noqa: F811
    from ccodesk.services.central_followup import PG_DOCUMENT
    from tests.support.postgres import new_database

    central = init_central(tmp_path / "centre", new_database(pg_url, "followup_gin"), "Centre")
    try:
        merged_london(tmp_path, central)
        with central.session() as s:
            s.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: else a scan wins
            for table, document in PG_DOCUMENT.items():
                plan = "\n".join(
                    s.execute(
                        text(
                            f"EXPLAIN SELECT id FROM {table} WHERE {document} @@ "
                            "to_tsquery('english'::regconfig, 'bus:*')"
                        )
                    ).scalars()
                )
                assert f"ix_{table}_fts_pg" in plan, plan
    finally:
        central.close()


def test_loose_ends_per_borough_use_the_borough_apps_definitions(
    tmp_path: Path, central: Central
) -> None:
    ids = merged_london(tmp_path, central)
    with central.session() as s:
        lines = {line.code: line for line in loose_ends_by_borough(s, TODAY)}
        assert len(lines) == 33  # the 32 boroughs and the City, noughts included
        assert (lines["camden"].findings, lines["camden"].overdue) == (1, 1)
        assert (lines["hackney"].findings, lines["hackney"].overdue) == (1, 1)
        assert (lines["barnet"].findings, lines["barnet"].overdue) == (0, 0)
        # on the day it fell due it is not yet overdue (services/followup.py: due_on < today)
        on_the_day = {line.code: line for line in loose_ends_by_borough(s, dt.date(2026, 11, 30))}
        assert on_the_day["camden"].overdue == 0
        listed = borough_loose_ends(s, "camden", TODAY)
        assert [(e.kind, e.id) for e in listed] == [
            ("action_item", ids["camden"]["action"]),
            ("finding", ids["camden"]["finding"]),
        ]
        assert listed[0].what == "Action overdue" and listed[0].when == dt.date(2026, 11, 30)
        assert listed[1].engagement == "Camden PCCG: knife crime" and listed[1].notes == 0
        assert borough_loose_ends(s, "barnet", TODAY) == []


def test_notes_are_added_edited_and_a_stale_edit_refused(tmp_path: Path, central: Central) -> None:
    ids = merged_london(tmp_path, central)
    finding = ids["camden"]["finding"]
    with central.transaction() as s:
        note = add_note(s, "finding", finding, " Raised with Camden's CCO on 3 Dec ", "Priya Shah")
    assert note.text == "Raised with Camden's CCO on 3 Dec" and note.version == 1
    with central.session() as s:
        view = record_view(s, "finding", finding)
        assert view.borough == "Camden" and view.kind_label == "Finding"
        assert ("Outcome", "None yet") in view.fields
        assert [n.text for n in view.notes] == ["Raised with Camden's CCO on 3 Dec"]
        assert borough_loose_ends(s, "camden", TODAY)[1].notes == 1
        assert s.get(CentralNote, note.id).borough_code == "camden"  # type: ignore[union-attr]
    with central.transaction() as s:
        changed = edit_note(s, note.id, "Raised on 3 Dec; reply due 10 Dec", "Tom Reid", seen=1)
    assert changed.version == 2 and changed.changed_by == "Tom Reid"
    assert "changed by Tom Reid" in changed.byline()
    stale = pytest.raises(ValidationError, match="changed by Tom Reid in another session")
    with stale, central.transaction() as s:
        edit_note(s, note.id, "My older edit", "Priya Shah", seen=1)
    with central.session() as s:
        assert [n.text for n in notes_on(s, "finding", finding)] == [
            "Raised on 3 Dec; reply due 10 Dec"
        ]
    for bad, why in ((("", "Priya"), "the note is empty"), (("x", " "), "say who wrote"),
                     (("x" * 4001, "Priya"), "longer than 4,000")):  # fmt: skip
        with pytest.raises(ValidationError, match=why), central.transaction() as s:
            add_note(s, "finding", finding, *bad)
    with pytest.raises(NotFound), central.transaction() as s:
        add_note(s, "finding", "no-such-finding", "A note", "Priya")
    with pytest.raises(NotFound), central.transaction() as s:
        add_note(s, "borough", finding, "A note", "Priya")
    with central.session() as s:
        assert len(notes_on(s, "finding", finding)) == 1  # nothing half-written


def test_two_sessions_editing_one_note_at_once_the_second_is_refused(
    tmp_path: Path, central: Central
) -> None:
    ids = merged_london(tmp_path, central)
    with central.transaction() as s:
        note = add_note(s, "action_item", ids["hackney"]["action"], "Chased TfL", "Priya Shah")
    first = central.session()
    first.begin()
    edit_note(first, note.id, "Chased TfL twice", "Priya Shah", seen=note.version)
    refused: list[BaseException] = []

    def second_desk() -> None:
        try:
            with central.transaction() as s:  # waits for the first desk's lock, then sees it
                edit_note(s, note.id, "TfL replied", "Tom Reid", seen=note.version)
        except BaseException as exc:  # handed to the test thread
            refused.append(exc)

    other = threading.Thread(target=second_desk)
    other.start()
    other.join(0.5)  # the second desk now waits on the first's row lock (or has not begun)
    first.commit()
    first.close()
    other.join(30)
    assert not other.is_alive()
    assert len(refused) == 1 and isinstance(refused[0], ValidationError)
    assert "changed by Priya Shah in another session" in str(refused[0])
    with central.session() as s:
        (kept,) = notes_on(s, "action_item", ids["hackney"]["action"])
    assert (kept.text, kept.version) == ("Chased TfL twice", 2)


def test_notes_never_leave_the_centre(tmp_path: Path) -> None:
    """Not a synced entity nor a synced record's child; absent from the reference bundle; a
    note in a borough store's (unused) table is not exported either."""
    assert "central_note" not in ENTITIES
    assert all(t.name != "central_note" for tables in CHILDREN.values() for t in tables)
    central = init_central(tmp_path / "centre", None, "MPA Central Unit")
    try:
        ids = merged_london(tmp_path, central)
        secret = "Raised with the CCO: do not send"
        with central.transaction() as s:
            add_note(s, "finding", ids["camden"]["finding"], secret, "Priya Shah")
            add_note(s, "engagement", ids["camden"]["engagement"], secret, "Priya Shah")
        plain = reference_bundle(central)
        with zipfile.ZipFile(io.BytesIO(plain)) as z:
            members = b"".join(z.read(n) for n in z.namelist())
        assert secret.encode() not in members and b"central_note" not in members
        assert b"Young people" not in members  # the borough's records stay home too
        camden = open_store(tmp_path / "camden")
        try:
            with camden.transaction() as s:
                s.add(
                    CentralNote(
                        id="n1",
                        record_kind="engagement",
                        record_id=ids["camden"]["engagement"],
                        text=secret,
                        officer="x",
                        written_at=dt.datetime(2026, 12, 1),
                        changed_by="",
                        version=1,
                    )
                )
            rename(camden, ids["camden"]["engagement"], "Camden PCCG: knife crime (renamed)")
            export(camden, tmp_path / "again.ccbundle")
        finally:
            camden.close()
        members_again = decrypt((tmp_path / "again.ccbundle").read_bytes(), central.identity)
        sent = b"".join(members_again.values())
        assert b"(renamed)" in sent and secret.encode() not in sent
        assert b"central_note" not in sent
    finally:
        central.close()


def test_the_command_line_searches_lists_and_notes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_sync import cli_central

    central = init_central(tmp_path / "centre", None, "MPA Central Unit")
    try:
        ids = merged_london(tmp_path, central)
        capsys.readouterr()
        assert cli_central(["followup", "search", "bus", "rou"], central) == 0
        out = capsys.readouterr().out.splitlines()
        assert out[-1] == "2 found." and {line.split()[0] for line in out[:-1]} == {
            "Camden",
            "Hackney",
        }
        assert cli_central(["followup", "loose", "--on", "2026-12-06"], central) == 0
        camden = next(line for line in capsys.readouterr().out.splitlines() if "Camden" in line)
        assert camden.split()[1:] == ["1", "1"]
        assert cli_central(["followup", "loose", "--borough", "camden", "--on", "2026-12-06"],
                           central) == 0  # fmt: skip
        listed = capsys.readouterr().out
        assert ids["camden"]["action"] in listed and ids["camden"]["finding"] in listed
        finding = ids["camden"]["finding"]
        note = ["followup", "note", "finding", finding, "Raised on 3 Dec", "--officer", "Priya"]
        assert cli_central(note, central) == 0
        assert "never sent to the borough" in capsys.readouterr().out
        assert cli_central(["followup", "notes", "finding", finding], central) == 0
        assert "  Raised on 3 Dec  (Priya, " in capsys.readouterr().out
        assert cli_central(["followup", "loose", "--on", "6 Dec"], central) == 1
        assert "'6 Dec' is not a date" in capsys.readouterr().err
    finally:
        central.close()


def test_the_search_repeats_the_index_expressions_of_migration_0016() -> None:
    """PostgreSQL uses an expression index only for the very same expression."""
    import importlib.util

    from ccodesk.services.central_followup import PG_DOCUMENT

    path = Path(__file__).parent.parent / "ccodesk/migrations/versions/0016_central_followup.py"
    spec = importlib.util.spec_from_file_location("revision_0016", path)
    assert spec is not None and spec.loader is not None
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    assert revision.PG_INDEXES == PG_DOCUMENT
