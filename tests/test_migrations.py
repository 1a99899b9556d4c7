"""Migrations at open: every committed fixture store (one per schema, built by
tests/fixtures/make_stores.py) upgrades to the newest schema with its data intact."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from ccodesk.errors import StoreTooNew
from ccodesk.models import (
    ActionItem,
    Attendance,
    AuditHead,
    Base,
    BundleLog,
    CalendarLink,
    CentralNote,
    ConsentEvent,
    ConsentEventKind,
    Contact,
    DashboardSnapshot,
    DeletionRecord,
    DeviceState,
    Draft,
    Engagement,
    ExportLog,
    Organisation,
    QuickTimeConsultation,
    QuickTimeConsultee,
    QuickTimeContact,
    RepresentationBaseline,
    RetentionRule,
    SubjectAccessRequest,
    SyncConflict,
    SyncTombstone,
    TrustedKey,
)
from ccodesk.models.refdata import reference_rows
from ccodesk.services.audit import verify
from ccodesk.services.engagements import get_engagement
from ccodesk.services.search import search
from ccodesk.store import SCHEMA_HEAD, Store, checkpoint, current_revision, make_engine, open_store
from ccodesk.store.keys import KeyFileKeys
from ccodesk.store.search_index import INDEXED

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE = FIXTURES / "store-0001"
PASSPHRASE = "fixture passphrase 0001"
SCHEMAS = sorted(p.name.removeprefix("store-") for p in FIXTURES.glob("store-*"))
CENTRAL_SCHEMAS = sorted(p.name.removeprefix("central-") for p in FIXTURES.glob("central-*"))
CENTRAL = "c3a1e5d0-7b2f-4e6a-9d8c-1f0e2d3c0000"
DEVICE = "0f4d6a52-8d0b-4c1e-9a57-3b1f1c2d0001"
# the device's unacknowledged changes in each store (make_stores.py's change_seq)
PENDING = {"0001": 6, "0002": 7, "0003": 8, "0004": 9, "0005": 12, "0006": 13, "0007": 14}
PENDING |= {"0008": 15, "0014": 18, "0015": 18, "0016": 18}
T = TypeVar("T")


@pytest.fixture
def old_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CCODESK_PASSPHRASE", PASSPHRASE)
    target = tmp_path / "store-0001"
    shutil.copytree(FIXTURE, target)
    return target


def test_fixture_is_at_the_first_schema(old_store: Path) -> None:
    from ccodesk.store import make_engine
    from ccodesk.store.keys import KeyFileKeys

    keys = KeyFileKeys(old_store / "keys.enc").load()
    engine = make_engine(old_store / "ccodesk.db", keys.database_key)
    try:
        assert current_revision(engine) == "0001"
    finally:
        engine.dispose()


def test_upgrade_keeps_data_and_backs_up_first(old_store: Path) -> None:
    original = hashlib.sha256((old_store / "ccodesk.db").read_bytes()).hexdigest()
    with open_store(old_store) as store:
        assert current_revision(store.engine) == SCHEMA_HEAD
        with store.session() as s:
            e = get_engagement(s, "eng-0001")
            assert e.title == "Focus group: knife crime and young people"
            assert e.attendance is not None and e.attendance.total == 11
            assert e.attendance.count_for("children-young-people") == 8
            assert e.partners[0].sensitivities[0].topic_code == "lgbt-issues"
            assert e.findings[0].outcomes[0].decision.startswith("Patrol plan")
            assert e.version_vector == {"0f4d6a52-8d0b-4c1e-9a57-3b1f1c2d0001": 3}
            # 0002 indexed the rows the old store already held
            assert [h.id for h in search(s, "routes home")] == ["fin-0001"]
            assert [h.id for h in search(s, "somers")] == ["org-0001"]
            assert [h.id for h in search(s, "knife young", entities=("engagement",))] == [
                "eng-0001"
            ]
            triggers = (
                s.execute(
                    text("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
                )
                .scalars()
                .all()
            )
            assert len(triggers) == 3 * len(INDEXED)  # later revisions keep every FTS trigger
        assert store.pending_changes() == 6
    backups = list((old_store / "backups").glob("*.db"))
    assert len(backups) == 1
    assert "schema-0001" in backups[0].name
    assert hashlib.sha256(backups[0].read_bytes()).hexdigest() == original


def test_second_open_does_not_migrate_or_back_up_again(old_store: Path) -> None:
    open_store(old_store).close()
    open_store(old_store).close()
    assert len(list((old_store / "backups").glob("*.db"))) == 1


def test_failed_migration_leaves_the_backup_and_the_old_schema(
    old_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ccodesk.store.search_index as search_index

    # The revision's first statement succeeds, the second fails: the step must roll back.
    monkeypatch.setattr(
        search_index,
        "create_sql",
        lambda table: [f"CREATE TABLE half_done_{table}(a)", "NOT SQL AT ALL"],
    )
    with pytest.raises(Exception, match="syntax error"):
        open_store(old_store)
    monkeypatch.undo()
    monkeypatch.setenv("CCODESK_PASSPHRASE", PASSPHRASE)
    from ccodesk.store import make_engine
    from ccodesk.store.keys import KeyFileKeys

    engine = make_engine(
        old_store / "ccodesk.db", KeyFileKeys(old_store / "keys.enc").load().database_key
    )
    try:
        assert current_revision(engine) == "0001"
        with engine.connect() as conn:
            assert (
                conn.execute(
                    text("SELECT count(*) FROM sqlite_master WHERE name LIKE 'half_done%'")
                ).scalar()
                == 0
            )
    finally:
        engine.dispose()
    assert len(list((old_store / "backups").glob("*.db"))) == 1
    with open_store(old_store) as store:  # a later open with the real code succeeds
        assert current_revision(store.engine) == SCHEMA_HEAD


def test_migrations_match_the_models(store: Store) -> None:
    """A store built by the migrations has exactly the models' schema (no drift)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from ccodesk.migrations.env_filters import include_object
    from ccodesk.models import Base

    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": include_object, "compare_type": True}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


# Every committed fixture store, one per schema


def test_there_is_a_borough_and_a_central_fixture_store_for_every_schema() -> None:
    from alembic.script import ScriptDirectory

    from ccodesk.migrations import alembic_config

    known = {r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    assert set(SCHEMAS) == known  # a new revision comes with its store (make_stores.py)
    assert set(CENTRAL_SCHEMAS) == known  # and its central store (make_central_stores.py)


def _copy_fixture(schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CCODESK_PASSPHRASE", f"fixture passphrase {schema}")
    target = tmp_path / f"store-{schema}"
    shutil.copytree(FIXTURES / f"store-{schema}", target)
    return target


def _raw_engine(data_dir: Path) -> Engine:
    return make_engine(
        data_dir / "ccodesk.db", KeyFileKeys(data_dir / "keys.enc").load().database_key
    )


def _row_counts(data_dir: Path) -> tuple[str | None, dict[str, int]]:
    """The store's schema revision and the number of rows in each of the models' tables."""
    return _counts(_raw_engine(data_dir))


def _counts(engine: Engine) -> tuple[str | None, dict[str, int]]:
    try:
        with engine.connect() as conn:
            present = set(
                conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
                .scalars()
                .all()
            )
            counts = {
                name: int(conn.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar_one())
                for name in Base.metadata.tables
                if name in present
            }
        return current_revision(engine), counts
    finally:
        engine.dispose()


def _row(s: Session, model: type[T], key: object) -> T:
    row = s.get(model, key)
    assert row is not None, (model, key)
    return row


def _check_content(s: Session, schema: str) -> None:
    """The rows make_stores.py wrote under `schema` and every schema before it."""
    e = get_engagement(s, "eng-0001")
    assert e.title == "Focus group: knife crime and young people"
    assert e.attendance is not None and e.attendance.count_for("children-young-people") == 8
    assert e.findings[0].outcomes[0].decision.startswith("Patrol plan")
    assert e.version_vector == {DEVICE: 3}
    assert [h.id for h in search(s, "routes home")] == ["fin-0001"]
    if schema >= "0002":
        org = s.get(Organisation, "org-0002")
        assert org is not None and org.postcode == "NW1 9UY"
        assert [g.code for g in org.groups_served] == ["older"]
        assert [h.id for h in search(s, "maiden lane")] == ["org-0002"]
    if schema >= "0003":
        draft = s.get(Draft, "engagement:eng-0001")
        assert draft is not None and draft.content["base_version"]["engagement"] == {DEVICE: 3}
        assert _row(s, Engagement, "eng-0003").ics_uid == "pccg-winter-2026@camden.example"
    if schema >= "0004":
        assert s.scalars(select(TrustedKey.officer)).all() == ["Central Consultation Unit"]
        assert _row(s, RepresentationBaseline, "rb-0004").share_percent == 7.5
        assert _row(s, BundleLog, "bun-0004").applied == 3
        assert s.scalars(select(SyncConflict.winner)).all() == ["incoming"]
        assert s.get(SyncTombstone, ("contact", "con-gone-0004")) is not None
    if schema >= "0005":
        qtc = s.get(QuickTimeConsultation, "qtc-0005")
        assert qtc is not None and qtc.officer_hours == 6
        assert [g.code for g in qtc.affected_groups] == ["children-young-people"]
        assert _row(s, QuickTimeConsultee, "qtp-0005").advice_used is True
        assert _row(s, QuickTimeContact, "qtx-0005").note == "Agreed to host"
    if schema >= "0006":
        assert _row(s, Engagement, "eng-0006").community_venue is True
    if schema >= "0007":
        assert _row(s, ActionItem, "act-0007").due_on == dt.date(2026, 12, 1)
    if schema >= "0008":
        note = _row(s, ActionItem, "act-0008").status_note
        assert note == (
            "Superseded; raised with Grace Okafor"  # rewritten at 0015
            if schema >= "0015"
            else "Superseded by the borough plan"
        )
    if schema >= "0009":
        assert _row(s, Attendance, "att-0009").total == 23
    if schema >= "0010":
        assert _row(s, ExportLog, "exp-0010").through_seq == 16
    if schema >= "0011":
        assert _row(s, CalendarLink, "eng-0003").organiser_name == "Camden PCCG"
    if schema >= "0012":
        assert _row(s, DashboardSnapshot, 1).day == "2026-11-30"
    if schema >= "0013":
        assert _row(s, ExportLog, "exp-0010").audit_head_id == 1
        assert _row(s, AuditHead, DEVICE).head_id == 1
    if schema >= "0014":
        grace = _row(s, Contact, "con-0014")
        assert grace.objected_on == dt.date(2026, 11, 30)
        assert not grace.consent_valid_on(dt.date(2026, 12, 1))
        kinds = s.scalars(
            select(ConsentEvent.kind)
            .where(ConsentEvent.contact_id == "con-0014")
            .order_by(ConsentEvent.id)
        ).all()
        assert kinds == [ConsentEventKind.GIVEN, ConsentEventKind.OBJECTED]
        assert s.get(RetentionRule, "drafts").keep_for == 14  # type: ignore[union-attr]
        assert _row(s, DeletionRecord, "del-0014").count == 3
        assert s.get(SubjectAccessRequest, 1).due_on == dt.date(2026, 12, 20)  # type: ignore[union-attr]
    if schema >= "0008":  # indexed by 0015's rebuild, or (0015 on) by its triggers
        found = s.execute(
            text("SELECT count(*) FROM action_item_fts WHERE action_item_fts MATCH 'superseded'")
        ).scalar_one()
        assert found == 1
    if schema >= "0016":
        note = _row(s, CentralNote, "note-0016")
        assert (note.record_id, note.version, note.changed_by) == ("fin-0001", 2, "Tom Reid")
    if schema >= "0015":
        okafor = "SELECT count(*) FROM action_item_fts WHERE action_item_fts MATCH 'okafor'"
        assert s.execute(text(okafor)).scalar_one() == 1
    # whatever the schema, the trail is chained after the upgrade (0013 chains older events)
    check = verify(s)
    assert check.broken is None and check.events == (1 if schema >= "0013" else 0)


@pytest.mark.parametrize("schema", SCHEMAS)
def test_each_schema_upgrades_with_its_data_intact(
    schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = _copy_fixture(schema, tmp_path, monkeypatch)
    revision, before = _row_counts(data_dir)
    assert revision == schema
    original = hashlib.sha256((data_dir / "ccodesk.db").read_bytes()).hexdigest()
    with open_store(data_dir) as store:
        assert current_revision(store.engine) == SCHEMA_HEAD
        with store.session() as s:
            _check_content(s, schema)
            device = s.scalars(select(DeviceState)).one()
            assert device.device_id == DEVICE
        assert store.pending_changes() == PENDING.get(schema, 16)
    _, after = _row_counts(data_dir)
    reference = {model.__tablename__ for model in reference_rows()}  # type: ignore[attr-defined]
    for table, count in before.items():
        if table in reference:
            assert after[table] >= count, table  # reference data is refreshed, never removed
        else:
            assert after[table] == count, table
    backups = sorted((data_dir / "backups").glob("*.db"))
    if schema == SCHEMA_HEAD:
        assert backups == []  # nothing to migrate, nothing copied
    else:
        assert [b.name.endswith(f"-schema-{schema}.db") for b in backups] == [True]
        assert hashlib.sha256(backups[0].read_bytes()).hexdigest() == original


@pytest.mark.parametrize("schema", SCHEMAS)
def test_each_schema_refuses_a_newer_one_untouched(
    schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = _copy_fixture(schema, tmp_path, monkeypatch)
    engine = _raw_engine(data_dir)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        checkpoint(engine)
    finally:
        engine.dispose()
    before = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()}
    with pytest.raises(StoreTooNew, match="schema 9999, newer than this ccodesk"):
        open_store(data_dir)
    assert {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()} == before
    assert not (data_dir / "backups").exists()


def _copy_central(schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The central fixture store of `schema` in a new home, in WAL mode as ccodesk keeps it
    (make_central_stores.py wrote it in rollback mode; the switch rewrites the header). Up to
    0015 it is plain SQLite, as ccodesk wrote central stores then."""
    import sqlite3

    from ccodesk.store.encrypting import is_plain

    monkeypatch.setenv("CCODESK_PASSPHRASE", f"fixture passphrase {schema}")
    home = tmp_path / f"central-{schema}"
    shutil.copytree(FIXTURES / f"central-{schema}", home)
    if not is_plain(home / "central.db"):  # encrypted (0016 on): ccodesk sets WAL on opening
        return home
    conn = sqlite3.connect(home / "central.db")
    try:
        assert conn.execute("PRAGMA journal_mode = WAL").fetchone() == ("wal",)
    finally:
        conn.close()  # the last connection: the WAL is folded in and removed
    assert sorted(p.name for p in home.iterdir()) == ["central.db", "central.json", "keys.enc"]
    return home


def _central_engine(home: Path, db: Path | None = None) -> Engine:
    """An engine on the encrypted central store in `home` (or its copy `db`), keyed with the
    centre's database key (the fixtures' key files open with CCODESK_PASSPHRASE)."""
    from ccodesk.store.central import make_engine as central_engine
    from ccodesk.store.keys import KeyFileKeys

    key = KeyFileKeys(home / "keys.enc").load().database_key
    return central_engine(f"sqlite:///{db or home / 'central.db'}", home / "backups", key)


def _fixture_engine(home: Path) -> Engine:
    """An engine on the central fixture store in `home`, plain (up to 0015) or encrypted."""
    from sqlalchemy import create_engine

    from ccodesk.store.encrypting import is_plain

    if is_plain(home / "central.db"):
        return create_engine(f"sqlite:///{home / 'central.db'}")
    return _central_engine(home)


@pytest.mark.parametrize("schema", CENTRAL_SCHEMAS)
def test_each_central_schema_upgrades_with_its_data_intact(
    schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A central store of every released schema opens encrypted, migrated, its data intact;
    the one copy taken first holds the store as it was, encrypted too. Up to 0015 the store was
    plain SQLite, as ccodesk made them before it encrypted the central store: it is encrypted
    first, and the copy taken then is the one before migrating."""
    from ccodesk.store.encrypting import HEADER, is_plain
    from ccodesk.sync.central import open_central

    home = _copy_central(schema, tmp_path, monkeypatch)
    plain = is_plain(home / "central.db")
    assert plain == (schema <= "0015")
    revision, before = _counts(_fixture_engine(home))
    assert revision == schema
    with open_central(home, None) as central:
        assert (central.encrypted is not None) == plain
        assert central.encrypted is None or central.encrypted.revision == schema
        assert current_revision(central.engine) == SCHEMA_HEAD
        with central.session() as s:
            _check_content(s, schema)
            assert s.scalars(select(DeviceState.device_id)).one() == CENTRAL
    assert not (home / "central.db").read_bytes().startswith(HEADER)
    _, after = _counts(_central_engine(home))
    reference = {model.__tablename__ for model in reference_rows()}  # type: ignore[attr-defined]
    for table, count in before.items():
        assert (after[table] >= count) if table in reference else (after[table] == count), table
    # one copy, taken before encrypting (and so before migrating): the store as it was
    if not plain and schema == SCHEMA_HEAD:
        assert not (home / "backups").exists()  # nothing to migrate, nothing copied
        return
    (backup,) = sorted((home / "backups").glob("*.db"))
    assert backup.name.startswith("central-")
    done = "before-encryption-schema" if plain else "schema"
    assert backup.name.endswith(f"-{done}-{schema}.db")
    assert not backup.read_bytes().startswith(HEADER)
    assert _counts(_central_engine(home, backup)) == (schema, before)
    assert sorted(p.name for p in home.iterdir() if not p.name.startswith("central.db-")) == [
        "backups",
        "central.db",
        "central.json",
        "keys.enc",
    ]  # no temporary file left


@pytest.mark.parametrize("schema", CENTRAL_SCHEMAS)
def test_each_central_schema_refuses_a_newer_one_untouched(
    schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ccodesk.sync.central import open_central

    home = _copy_central(schema, tmp_path, monkeypatch)
    engine = _fixture_engine(home)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        checkpoint(engine)
    finally:
        engine.dispose()
    before = {p.name: p.read_bytes() for p in home.iterdir() if p.is_file()}
    with pytest.raises(StoreTooNew, match=f"schema 9999, newer than this ccodesk.*{SCHEMA_HEAD}"):
        open_central(home, None)
    assert {p.name: p.read_bytes() for p in home.iterdir() if p.is_file()} == before
    assert not (home / "backups").exists()


def test_0014_makes_each_contacts_consent_the_first_event_of_its_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A contact with consent in a 0013 store gets one 'given' event (recorded before history);
    one without consent, or deleted, gets none."""
    data_dir = _copy_fixture("0013", tmp_path, monkeypatch)
    engine = _raw_engine(data_dir)
    columns = (
        "id, origin_device, version_vector, hlc, change_seq, deleted, organisation_id, name, "
        "role, email, phone, address, preferred_channel, accessibility_needs, consent_given, "
        "consent_date, consent_scope, consent_expires, shareable, notes"
    )
    rows = [
        ("con-a", 0, 1, "'2026-02-01'", "'2027-02-01'"),
        ("con-b", 0, 0, "NULL", "NULL"),
        ("con-c", 1, 1, "'2026-03-01'", "NULL"),
        ("con-d", 0, 1, "NULL", "NULL"),
    ]
    try:
        with engine.begin() as conn:
            for cid, deleted, given, since, expires in rows:
                conn.exec_driver_sql(
                    f"INSERT INTO contact ({columns}) VALUES ('{cid}', '{DEVICE}', '{{}}', "
                    f"'1795000000000.000099.{DEVICE}', 99, {deleted}, NULL, 'Person {cid}', "
                    f"'', '', '', '', '', '', {given}, {since}, 'PCCG', {expires}, 0, '')"
                )
    finally:
        engine.dispose()
    with open_store(data_dir) as store, store.session() as s:
        events = s.scalars(select(ConsentEvent).order_by(ConsentEvent.contact_id)).all()
        assert [(e.contact_id, e.kind, e.on, e.expires_on, e.method) for e in events] == [
            ("con-a", "given", dt.date(2026, 2, 1), dt.date(2027, 2, 1), "before_history"),
            ("con-d", "given", dt.date.today(), None, "before_history"),
        ]
        assert {e.scope for e in events} == {"PCCG"}
