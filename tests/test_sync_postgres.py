"""The central unit on a real PostgreSQL (Debian's, started by the fixture for these tests)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccodesk.store import Store
from ccodesk.sync.central import Central, init_central, open_central, reference_bundle
from ccodesk.sync.central_merge import merge_bundle
from ccodesk.sync.device import device_recipient
from ccodesk.sync.receive import import_bundle
from ccodesk.sync.records import ENTITIES, read_records
from tests.support.postgres import new_database, postgres_cluster
from tests.test_sync import add_engagement, check_kept_deletions, export, make_borough, rename


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    from tests.support.postgres import _bin_dir

    if _bin_dir() is None:
        pytest.skip(
            "needs PostgreSQL's server binaries (Debian: postgresql; make test installs it)"
        )
    with postgres_cluster() as url:
        yield url


def snapshot(central: Central) -> list[tuple[str, str, bool, str, str]]:
    """Every synced record's content and version vector (not local change numbers)."""
    rows = []
    with central.session() as s:
        for entity in ENTITIES:
            for r in read_records(s, entity, since_seq=0):
                rows.append(
                    (entity, r.id, r.deleted, json.dumps(r.data, sort_keys=True), json.dumps(r.vv))
                )
    return sorted(rows)


@pytest.fixture
def bundles(tmp_path: Path) -> Iterator[tuple[Path, list[Path]]]:
    """A centre on SQLite and bundles from three devices with concurrent edits of one record."""
    home = tmp_path / "centre"
    central = init_central(home, None, "MPA Central Unit")
    devices: list[Store] = [
        make_borough(tmp_path / name, borough, officer, central)
        for name, borough, officer in (
            ("cco", "camden", "Ada"),
            ("blo", "camden", "PS Dean"),
            ("hackney", "hackney", "Bo"),
        )
    ]
    cco, blo, hackney = devices
    from ccodesk.services.demo import load_demo_data

    for seed, store in ((1, cco), (2, hackney)):  # two borough-years of demo data
        load_demo_data(store, scale=1, seed=seed, anchor=dt.date(2026, 11, 22))
    shared = add_engagement(cco, "Joint PCCG")
    seed = export(cco, tmp_path / "seed.ccbundle", recipients=[device_recipient(blo)])
    (tmp_path / "ref2.ccref").write_bytes(reference_bundle(central))
    import_bundle(blo, tmp_path / "ref2.ccref")
    import_bundle(blo, seed)
    rename(cco, shared, "Joint PCCG (CCO)")
    rename(blo, shared, "Joint PCCG (BLO)")
    for i in range(30):
        add_engagement(hackney, f"Hackney outreach {i}")
        add_engagement(blo, f"BLO patrol briefing {i}")
    made = [
        seed,
        export(cco, tmp_path / "cco.ccbundle"),
        export(blo, tmp_path / "blo.ccbundle"),
        export(hackney, tmp_path / "hackney.ccbundle"),
    ]
    for d in devices:
        d.close()
    central.close()
    yield home, made


def test_merge_on_postgres_matches_sqlite(
    pg_url: str, bundles: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    home, made = bundles
    # the same centre's keys on two new databases ('ccodesk-central --db URL upgrade')
    on_sqlite = open_central(home, f"sqlite:///{tmp_path / 'check.db'}", upgrade=True)
    on_pg = open_central(home, new_database(pg_url, "same_as_sqlite"), upgrade=True)
    for central in (on_sqlite, on_pg):
        from ccodesk.sync.central import trust_add

        for store_dir, borough, officer in (("cco", "camden", "Ada"), ("blo", "camden", "PS Dean"),
                                             ("hackney", "hackney", "Bo")):  # fmt: skip
            key = _public_key(tmp_path / store_dir)
            trust_add(central, borough, officer, key)
        results = [merge_bundle(central, b) for b in made]
        assert all(r.ok for r in results), [r.message for r in results]
        assert sum(r.result.conflicts for r in results if r.result) == 1
    assert snapshot(on_pg) == snapshot(on_sqlite)
    assert len(snapshot(on_pg)) > 9000
    on_sqlite.close()
    on_pg.close()


def test_kept_deletions_on_postgres(pg_url: str, tmp_path: Path) -> None:
    central = init_central(tmp_path / "centre", new_database(pg_url, "kept_deletions"), "Centre")
    camden = make_borough(tmp_path / "camden", "camden", "Ada", central)
    check_kept_deletions(central, camden)
    camden.close()
    central.close()


def _public_key(store_dir: Path) -> str:
    from ccodesk.store import open_store

    with open_store(store_dir) as store:
        return store.public_key_openssh()


def test_concurrent_merges_leave_the_serial_state(
    pg_url: str, bundles: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    home, made = bundles
    serial_url = new_database(pg_url, "serial")
    parallel_url = new_database(pg_url, "parallel")
    keys = [
        ("camden", "Ada", _public_key(tmp_path / "cco")),
        ("camden", "PS Dean", _public_key(tmp_path / "blo")),
        ("hackney", "Bo", _public_key(tmp_path / "hackney")),
    ]
    for url in (serial_url, parallel_url):
        with open_central(home, url, upgrade=True) as central:  # new databases
            from ccodesk.sync.central import trust_add

            for borough, officer, key in keys:
                trust_add(central, borough, officer, key)
    command = [sys.executable, "-m", "ccodesk.cli.central", "--home", str(home)]
    for bundle_path in made:
        done = subprocess.run([*command, "--db", serial_url, "merge", str(bundle_path)],
                              capture_output=True, text=True, env=os.environ.copy())  # fmt: skip
        assert done.returncode == 0, done.stderr + done.stdout
    # All four at once, twice each (a bundle e-mailed twice), in parallel processes.
    running = [
        subprocess.Popen(
            [*command, "--db", parallel_url, "merge", str(b)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for b in made + made
    ]
    outputs = [p.communicate(timeout=120) for p in running]
    assert all(p.returncode == 0 for p in running), outputs
    with open_central(home, serial_url) as serial, open_central(home, parallel_url) as parallel:
        assert snapshot(parallel) == snapshot(serial)
        from sqlalchemy import func, select

        from ccodesk.models import BundleLog, SyncConflict

        with parallel.session() as s:
            assert s.scalar(select(func.count()).select_from(BundleLog)) == 4
            assert s.scalar(select(func.count()).select_from(SyncConflict)) == 1


def _at_revision(url: str, revision: str) -> None:
    """Bring the PostgreSQL database at `url` to `revision` (migrations only, as an older
    ccodesk left it)."""
    from sqlalchemy import create_engine

    from ccodesk.migrations import upgrade

    engine = create_engine(url)
    try:
        upgrade(engine, revision=revision)
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    from sqlalchemy import create_engine

    from ccodesk.store.schema import current_revision

    engine = create_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def test_an_older_postgres_schema_is_refused_until_upgrade(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ccodesk.cli.central import main
    from ccodesk.errors import StoreNeedsUpgrade
    from ccodesk.store.schema import SCHEMA_HEAD

    home = tmp_path / "centre"
    init_central(home, None, "Centre").close()
    url = new_database(pg_url, "older")
    _at_revision(url, "0012")
    with pytest.raises(
        StoreNeedsUpgrade, match=rf"schema 0012, older than this ccodesk's {SCHEMA_HEAD}"
    ):
        open_central(home, url)
    assert _revision(url) == "0012"  # nothing was changed
    assert main(["--home", str(home), "--db", url, "status"]) == 1
    err = capsys.readouterr().err
    assert "pg_dump" in err and "'ccodesk-central upgrade'" in err and "Traceback" not in err
    assert _revision(url) == "0012"
    assert main(["--home", str(home), "--db", url, "upgrade", "--yes"]) == 0
    assert f"is at schema {SCHEMA_HEAD}." in capsys.readouterr().out
    assert _revision(url) == SCHEMA_HEAD
    with open_central(home, url) as central:
        assert central.backup is None  # a PostgreSQL database is the administrator's to dump
        with central.session() as s:
            from sqlalchemy import select

            from ccodesk.models import DeviceState

            assert s.scalars(select(DeviceState.device_id)).one() == central.config.central_id
    assert not (home / "backups").exists()


def test_a_newer_postgres_schema_is_refused(pg_url: str, tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text

    from ccodesk.cli.central import main
    from ccodesk.errors import StoreTooNew

    home = tmp_path / "centre"
    url = new_database(pg_url, "newer")
    init_central(home, url, "Centre").close()  # a new, empty database: set up by init
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    for upgrade in (False, True):
        with pytest.raises(StoreTooNew, match="schema 9999, newer than this ccodesk"):
            open_central(home, url, upgrade=upgrade)
    assert main(["--home", str(home), "--db", url, "upgrade", "--yes"]) == 1
    assert _revision(url) == "9999"


def test_an_empty_postgres_database_is_not_set_up_by_opening(pg_url: str, tmp_path: Path) -> None:
    from ccodesk.errors import StoreDamaged

    home = tmp_path / "centre"
    init_central(home, None, "Centre").close()
    url = new_database(pg_url, "empty")
    with pytest.raises(StoreDamaged, match=r"holds no ccodesk tables.*upgrade'"):
        open_central(home, url)
    assert _revision(url) is None


def test_the_central_store_runs_its_queries_without_jit(pg_url: str) -> None:
    # compiling a report's query took longer than running it (docs/benchmarks.md, London page)
    from sqlalchemy import text

    from ccodesk.store.central import make_engine

    url = new_database(pg_url, "nojit")
    for given, expected in ((url, "off"), (f"{url}?options=-c%20jit%3Don", "on")):
        engine = make_engine(given, Path("unused"), b"")  # no key: PostgreSQL
        try:
            with engine.connect() as conn:
                assert conn.execute(text("SHOW jit")).scalar() == expected
        finally:
            engine.dispose()
