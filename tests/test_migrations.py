"""Migrations at open: the committed schema-0001 store upgrades with its data intact."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from ccodesk.services.engagements import get_engagement
from ccodesk.services.search import search
from ccodesk.store import SCHEMA_HEAD, current_revision, open_store

FIXTURE = Path(__file__).parent / "fixtures" / "store-0001"
PASSPHRASE = "fixture passphrase 0001"


@pytest.fixture
def old_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CCODESK_PASSPHRASE", PASSPHRASE)
    target = tmp_path / "store-0001"
    shutil.copytree(FIXTURE, target)
    return target


def test_fixture_is_at_the_first_schema(old_store: Path) -> None:
    from ccodesk.keystore import KeyFileKeys
    from ccodesk.store import make_engine

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
            assert len(triggers) == 12  # later revisions must not lose the FTS triggers
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
    import ccodesk.search_index as search_index

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
    from ccodesk.keystore import KeyFileKeys
    from ccodesk.store import make_engine

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


def test_migrations_match_the_models(store) -> None:  # type: ignore[no-untyped-def]
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
