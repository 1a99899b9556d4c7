"""Ownership and bounded clocks (issue 12): what a trusted sender may change.

Every attack is a bundle the real export wrote, its records replaced the way a stolen laptop
or a buggy build would, then signed again with that device's trusted key. Each is merged by
a central unit on SQLite and on the real PostgreSQL test server, and must be refused with
its one line while the store's content digest stays what it was.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ccodesk.cli.borough import main as cli
from ccodesk.errors import KnownError
from ccodesk.models import Organisation, OrganisationType, TrustedKey, new_id
from ccodesk.services.directory import OrganisationDraft, save_organisation
from ccodesk.store import Store
from ccodesk.sync import bundle
from ccodesk.sync.central import Central, init_central, open_central, reference_bundle, trust_add
from ccodesk.sync.central_merge import MergeOutcome, merge_bundle
from ccodesk.sync.device import device_recipient
from ccodesk.sync.export import export_bundle
from ccodesk.sync.keys import parse_recipient
from ccodesk.sync.ownership import SKEW
from ccodesk.sync.receive import import_bundle
from ccodesk.sync.records import ENTITIES, Record, encode_line, read_records
from tests.support.sync_attacks import content_digest, members_of
from tests.test_sync import add_engagement, make_borough, rename

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="module")
def pg_cluster() -> Iterator[str]:
    from tests.support.postgres import _bin_dir, postgres_cluster

    if _bin_dir() is None:
        pytest.skip(
            "needs PostgreSQL's server binaries (Debian: postgresql; make test installs it)"
        )
    with postgres_cluster() as url:
        yield url


def _database(request: pytest.FixtureRequest, backend: str, name: str) -> str | None:
    if backend == "sqlite":
        return None
    from tests.support.postgres import new_database

    cluster: str = request.getfixturevalue("pg_cluster")
    return new_database(cluster, f"{name}_{new_id()[:8]}")


@dataclass
class World:
    """A centre that trusts a Camden and a Hackney laptop, with Hackney's work merged."""

    central: Central
    camden: Store
    hackney: Store
    dir: Path
    hackney_engagement: str
    hackney_organisation: str
    camden_engagement: str
    n: int = 0

    def path(self, stem: str) -> Path:
        self.n += 1
        return self.dir / f"{stem}-{self.n}.ccbundle"

    def digest(self) -> str:
        with self.central.session() as s:
            return content_digest(s)

    def centre_record(self, entity: str, rid: str) -> Record:
        with self.central.session() as s:
            (found,) = read_records(s, entity, ids=[rid])
        return found

    def merge_honest(self, store: Store) -> MergeOutcome:
        path = self.path("honest")
        export_bundle(store, path)
        outcome = merge_bundle(self.central, path)
        assert outcome.ok, outcome.message
        return outcome


def _world(tmp: Path, url: str | None) -> World:
    central = init_central(tmp / "central", url, "MPA Central Unit")
    camden = make_borough(tmp / "camden", "camden", "Ada", central)
    hackney = make_borough(tmp / "hackney", "hackney", "Bo", central)
    with hackney.transaction() as s:
        org = save_organisation(
            s,
            OrganisationDraft(
                "Dalston Residents", OrganisationType.RESIDENTS_ASSOCIATION, phone="020 7000 0001"
            ),
        ).id
    engagement = add_engagement(hackney, "Hackney PCCG")
    for i in range(3):
        add_engagement(hackney, f"Hackney outreach {i}")
    camden_engagement = add_engagement(camden, "Camden PCCG")
    world = World(central, camden, hackney, tmp, engagement, org, camden_engagement)
    world.merge_honest(hackney)
    world.merge_honest(camden)
    return world


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    w = _world(tmp_path, _database(request, request.param, "ownership"))
    yield w
    w.camden.close()
    w.hackney.close()
    w.central.close()


def signed_by(
    world: World,
    store: Store,
    lines: list[Record | dict[str, Any]],
    *,
    to_centre: bool = True,
    manifest: Callable[[dict[str, Any]], None] | None = None,
) -> Path:
    """A bundle the real export of `store` wrote, its records replaced by `lines`, re-signed
    with `store`'s trusted key."""
    honest = world.path("export")
    export_bundle(store, honest, unencrypted=True)
    members = members_of(honest.read_bytes())
    doc = json.loads(members["manifest.json"])
    if manifest is not None:
        manifest(doc)
    changes = b"".join(
        encode_line(r) if isinstance(r, Record) else json.dumps(r).encode() + b"\n" for r in lines
    )
    recipients = [parse_recipient(world.central.recipient())] if to_centre else None
    data = bundle.build(doc, {"changes.jsonl": changes}, store.signing_key(), recipients)
    crafted = world.path("crafted")
    crafted.write_bytes(data)
    return crafted


def refused(world: World, path: Path, *expected: str) -> str:
    before = world.digest()
    outcome = merge_bundle(world.central, path)
    assert not outcome.ok, outcome.message
    assert "\n" not in outcome.message
    for part in expected:
        assert part in outcome.message, outcome.message
    assert world.digest() == before
    return outcome.message


def hlc_at(when: dt.datetime, device: str) -> str:
    return f"{int(when.timestamp() * 1000):013d}.000001.{device}"


# -- attacks 1.*, at the centre, on SQLite and PostgreSQL ----------------------------------------


def test_a_foreign_vector_counter_and_a_new_title_are_refused(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    target = world.centre_record("engagement", world.hackney_engagement)
    forged = copy.deepcopy(target)
    forged.vv[world.camden.device_id] = 1
    forged.data["title"] = "Rewritten by Camden"
    path = signed_by(world, world.camden, [forged])
    with caplog.at_level(logging.INFO, logger="ccodesk.sync.central_merge"):
        message = refused(
            world,
            path,
            f"Refused engagement {world.hackney_engagement}: it belongs to hackney; a device of "
            "camden may not change or delete it.",
            "Nothing of the bundle was merged.",
        )
    assert f"rejected {path}: {message}" in caplog.text  # logged as every refusal is
    assert world.centre_record("engagement", world.hackney_engagement).data["title"] == (
        "Hackney PCCG"
    )


def test_a_foreign_deletion_is_refused(world: World) -> None:
    target = world.centre_record("engagement", world.hackney_engagement)
    forged = Record(
        "engagement",
        target.id,
        target.origin,
        {**target.vv, world.camden.device_id: 1},
        target.hlc,
        True,
    )
    refused(
        world,
        signed_by(world, world.camden, [forged]),
        f"Refused engagement {target.id}: it belongs to hackney",
    )
    assert world.centre_record("engagement", target.id).deleted is False


def test_an_inflated_counter_is_refused_and_the_owners_later_edit_still_merges(
    world: World,
) -> None:
    target = world.centre_record("engagement", world.hackney_engagement)
    hackney = world.hackney.device_id
    # Camden's key, Hackney's record: refused on ownership whatever the counter.
    forged = copy.deepcopy(target)
    forged.vv = {hackney: 10**30}
    forged.data["title"] = "Frozen"
    message = refused(world, signed_by(world, world.camden, [forged]))
    assert message.startswith(f"Refused engagement {target.id}") or "version vector" in message
    # Hackney's own key (a buggy build): its counter may not run past its manifest.
    inflated = copy.deepcopy(target)
    inflated.vv = {hackney: target.vv[hackney] + 10**6}
    inflated.data["title"] = "Frozen by a buggy build"
    refused(
        world,
        signed_by(world, world.hackney, [inflated]),
        f"Refused engagement {target.id}: its version vector counts change",
        f"of device {hackney}, beyond the last that device can have published",
    )
    rename(world.hackney, target.id, "Hackney PCCG (moved to the library)")
    outcome = world.merge_honest(world.hackney)
    assert outcome.result is not None and outcome.result.applied >= 1
    assert world.centre_record("engagement", target.id).data["title"] == (
        "Hackney PCCG (moved to the library)"
    )


def test_a_clock_stamp_in_2286_is_refused(world: World) -> None:
    target = world.centre_record("engagement", world.hackney_engagement)
    far = dt.datetime(2286, 11, 20, tzinfo=dt.UTC)
    concurrent = copy.deepcopy(target)
    concurrent.vv = {world.camden.device_id: 1}
    concurrent.hlc = hlc_at(far, world.camden.device_id)
    concurrent.data["title"] = "Wins every conflict"
    refused(
        world,
        signed_by(world, world.camden, [concurrent]),
        f"Refused engagement {target.id}: it belongs to hackney",
    )
    # From the owner's own key, the stamp alone is refused.
    ahead = copy.deepcopy(target)
    ahead.vv = {world.hackney.device_id: target.vv[world.hackney.device_id] + 1}  # ≤ through_seq
    ahead.hlc = hlc_at(far, world.hackney.device_id)
    ahead.data["title"] = "Wins every conflict"
    refused(
        world,
        signed_by(world, world.hackney, [ahead]),
        f"Refused engagement {target.id}: its clock stamp (2286-11-20 00:00 UTC) is more than "
        "24 hours after the bundle was written",
    )
    rename(world.hackney, target.id, "Hackney PCCG, real edit")
    world.merge_honest(world.hackney)
    assert world.centre_record("engagement", target.id).data["title"] == "Hackney PCCG, real edit"


def test_a_bundle_written_in_the_future_is_refused(world: World) -> None:
    later = dt.datetime.now(dt.UTC) + SKEW + dt.timedelta(hours=1)
    record = world.centre_record("engagement", world.camden_engagement)
    record.data["title"] = "From tomorrow"
    refused(
        world,
        signed_by(
            world,
            world.camden,
            [record],
            manifest=lambda m: m.update(created=later.isoformat(timespec="seconds")),
        ),
        "more than 24 hours after this computer's clock",
    )


def test_new_records_claiming_another_boroughs_device_are_refused(world: World) -> None:
    template = world.centre_record("engagement", world.hackney_engagement)
    hackney = world.hackney.device_id
    spoofed = []
    for i in range(5):
        fake = copy.deepcopy(template)
        fake.id = new_id()
        fake.data["title"] = f"Hackney meeting that never happened {i}"
        fake.data["status"] = "held"
        spoofed.append(fake)
    refused(
        world,
        signed_by(world, world.camden, spoofed),
        f"Refused engagement {spoofed[0].id}: it claims to be created by a device of hackney, "
        "but a device of camden sent it.",
    )
    with world.central.session() as s:
        held = [r for r in read_records(s, "engagement", since_seq=0) if r.origin == hackney]
    assert len(held) == 4  # Hackney's own four, not nine


def test_another_boroughs_organisation_cannot_be_renamed(world: World) -> None:
    target = world.centre_record("organisation", world.hackney_organisation)
    forged = copy.deepcopy(target)
    forged.vv[world.camden.device_id] = 1
    forged.data["name"] = "Dalston Residents (closed)"
    forged.data["phone"] = "020 7946 0999"
    refused(
        world,
        signed_by(world, world.camden, [forged]),
        f"Refused organisation {target.id}: it belongs to hackney",
    )
    with world.central.session() as s:
        org = s.get(Organisation, target.id)
        assert org is not None and (org.name, org.phone) == ("Dalston Residents", "020 7000 0001")


def test_a_record_may_not_hang_off_another_boroughs_record(world: World) -> None:
    """A Camden cost or attendance on Hackney's engagement would change Hackney's figures."""
    camden = world.camden.device_id
    cost = {
        "entity": "cost_item",
        "id": new_id(),
        "origin": camden,
        "vv": {camden: 1},
        "hlc": hlc_at(dt.datetime.now(dt.UTC), camden),
        "deleted": False,
        "data": {
            "engagement_id": world.hackney_engagement,
            "category": "venue",
            "description": "hall hire",
            "amount_pence": 5_000_000,
        },
        "children": {},
    }
    refused(
        world,
        signed_by(world, world.camden, [cost]),
        f"Refused cost_item {cost['id']}: it refers to engagement {world.hackney_engagement}, "
        "which belongs to hackney, not to camden",
    )


@pytest.mark.parametrize("borough", ["hackney", None])
def test_a_borough_cannot_set_another_boroughs_or_londons_baseline(
    world: World, borough: str | None
) -> None:
    camden = world.camden.device_id
    baseline = {
        "entity": "representation_baseline",
        "id": new_id(),
        "origin": camden,
        "vv": {camden: 1},
        "hlc": hlc_at(dt.datetime.now(dt.UTC), camden),
        "deleted": False,
        "data": {
            "borough_code": borough,
            "group_code": "disabled",
            "share_percent": 90.0,
            "source": "made up",
            "as_of": "2026-11-01",
        },
        "children": {},
    }
    shown = "London-wide (no borough)" if borough is None else "'hackney'"
    refused(
        world,
        signed_by(world, world.camden, [baseline]),
        f"Refused representation_baseline {baseline['id']}: its borough_code is {shown}, but it "
        "belongs to camden",
    )


def test_an_origin_cannot_be_rewritten(world: World) -> None:
    own = world.centre_record("engagement", world.camden_engagement)
    moved = copy.deepcopy(own)
    moved.origin = world.hackney.device_id
    moved.vv = {world.camden.device_id: own.vv[world.camden.device_id] + 1}
    rename(world.camden, own.id, "Camden PCCG, edited")  # a counter the manifest covers
    refused(
        world,
        signed_by(world, world.camden, [moved]),
        f"Refused engagement {own.id}: the bundle gives it another origin than it has",
    )


def test_relayed_claims_only_for_the_senders_own_colleagues(world: World) -> None:
    """`relayed` may vouch only for other devices of the sender's borough."""
    target = world.centre_record("engagement", world.hackney_engagement)
    hackney = world.hackney.device_id
    forged = copy.deepcopy(target)
    forged.vv = {hackney: 10**9}
    refused(
        world,
        signed_by(
            world, world.camden, [forged], manifest=lambda m: m.update(relayed={hackney: 10**9})
        ),
        f"The manifest says it passes on changes of device '{hackney}', which is not another "
        "device of camden; nothing was merged.",
    )


def test_a_refused_record_refuses_its_whole_bundle(world: World) -> None:
    """An honest Camden record beside a forged Hackney one: neither is merged."""
    add_engagement(world.camden, "Camden outreach")
    honest = world.path("export")
    export_bundle(world.camden, honest, unencrypted=True)
    members = members_of(honest.read_bytes())
    forged = world.centre_record("engagement", world.hackney_engagement)
    forged.vv[world.camden.device_id] = 1
    forged.data["title"] = "Hidden among honest records"
    doc = json.loads(members["manifest.json"])
    changes = members["changes.jsonl"] + encode_line(forged)
    path = world.path("mixed")
    path.write_bytes(
        bundle.build(
            doc,
            {"changes.jsonl": changes},
            world.camden.signing_key(),
            [parse_recipient(world.central.recipient())],
        )
    )
    refused(world, path, f"Refused engagement {forged.id}")
    # The same honest changes, sent honestly, merge.
    outcome = world.merge_honest(world.camden)
    assert outcome.result is not None and outcome.result.applied >= 1


# -- on a borough device --------------------------------------------------------------------------


def test_reference_bundles_give_a_device_only_its_own_boroughs_colleagues(world: World) -> None:
    blo = make_borough(world.dir / "blo", "camden", "PS Dean", world.central)
    data = reference_bundle(world.central)
    ref = json.loads(members_of(data)["reference.json"])  # every key, marked with its borough
    assert sorted(k["borough_code"] for k in ref["trusted_keys"]) == [
        "camden",
        "camden",
        "hackney",
    ]
    path = world.dir / "now.ccref"
    path.write_bytes(data)
    import_bundle(world.camden, path)
    with world.camden.session() as s:
        kept = {
            (k.borough_code, k.device_id)
            for k in s.scalars(select(TrustedKey).where(TrustedKey.role == "device"))
            if k.revoked_at is None
        }
    assert kept == {("camden", blo.device_id)}  # the colleague; never Hackney's laptop
    blo.close()


def _cli_import(store: Store, path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = cli(["--data-dir", str(store.data_dir), "sync", "import", str(path)])
    captured = capsys.readouterr()
    return code, (captured.err + captured.out).strip()


@pytest.mark.parametrize("old_store_kept_the_key", [False, True])
def test_a_device_refuses_another_boroughs_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old_store_kept_the_key: bool
) -> None:
    world = _world(tmp_path, None)
    own = read_camden(world)
    now = tmp_path / "now.ccref"  # lists Hackney's key (marked hackney) since Hackney joined
    now.write_bytes(reference_bundle(world.central))
    import_bundle(world.camden, now)
    with world.camden.session() as s:
        before = content_digest(s)
    # A Hackney device's unencrypted bundle that deletes a Camden engagement.
    deletion = Record("engagement", own.id, own.origin, {world.hackney.device_id: 1}, own.hlc, True)
    path = signed_by(world, world.hackney, [deletion], to_centre=False)
    if old_store_kept_the_key:  # a store that took every borough's keys before issue 12
        with world.camden.transaction() as s:
            s.add(
                TrustedKey(
                    fingerprint=_fingerprint(world.hackney),
                    public_key=world.hackney.public_key_openssh(),
                    role="device",
                    borough_code="hackney",
                    officer="Bo",
                    device_id=world.hackney.device_id,
                    added_at=dt.datetime.now(),
                )
            )
            before = None
        with world.camden.session() as s:
            before = content_digest(s)
    world.camden.close()
    code, said = _cli_import(world.camden, path, capsys)
    assert code != 0
    assert len(said.splitlines()) == 1, said
    if old_store_kept_the_key:
        assert (
            "a device of hackney: this device takes colleague bundles only from devices of "
            "camden; nothing was imported" in said
        ), said
    else:
        assert "a key this store does not trust" in said, said
    from ccodesk.store import open_store

    with open_store(world.camden.data_dir) as again, again.session() as s:
        assert content_digest(s) == before
    world.hackney.close()
    world.central.close()


def read_camden(world: World) -> Record:
    with world.camden.session() as s:
        (found,) = read_records(s, "engagement", ids=[world.camden_engagement])
    return found


def _fingerprint(store: Store) -> str:
    from ccodesk.sync import sshsig

    return sshsig.fingerprint(store.public_key_openssh())


def test_a_reference_bundle_may_carry_only_the_centres_records(tmp_path: Path) -> None:
    world = _world(tmp_path, None)
    own = read_camden(world)
    # The centre's own key signing a change to a Camden engagement: refused on the device.
    forged = copy.deepcopy(own)
    forged.vv[world.central.config.central_id] = 1
    forged.data["title"] = "Renamed by the centre"
    honest = reference_bundle(world.central)
    members = members_of(honest)
    doc = json.loads(members["manifest.json"])
    path = tmp_path / "forged.ccref"
    path.write_bytes(
        bundle.build(
            doc,
            {"reference.json": members["reference.json"], "changes.jsonl": encode_line(forged)},
            world.central.signing_key,
            None,
        )
    )
    with world.camden.session() as s:
        before = content_digest(s)
    with pytest.raises(KnownError) as refusal:
        import_bundle(world.camden, path)
    assert str(refusal.value).startswith(f"Refused engagement {own.id}: it belongs to camden")
    with world.camden.session() as s:
        assert content_digest(s) == before
    for store in (world.camden, world.hackney):
        store.close()
    world.central.close()


def test_the_blo_relay_within_a_borough_still_works(tmp_path: Path) -> None:
    """A BLO's records reach the centre only through the CCO's bundle (the `relayed` claim)."""
    central = init_central(tmp_path / "central", None, "MPA Central Unit")
    cco = make_borough(tmp_path / "cco", "camden", "Ada", central)
    blo = make_borough(tmp_path / "blo", "camden", "PS Dean", central)
    (tmp_path / "ref2.ccref").write_bytes(reference_bundle(central))
    import_bundle(cco, tmp_path / "ref2.ccref")
    import_bundle(blo, tmp_path / "ref2.ccref")
    briefing = add_engagement(blo, "BLO patrol briefing")
    to_cco = tmp_path / "blo.ccbundle"
    export_bundle(blo, to_cco, recipients=[device_recipient(cco)])
    assert "1 applied" in import_bundle(cco, to_cco).summary
    from_cco = tmp_path / "cco.ccbundle"
    export_bundle(cco, from_cco)
    outcome = merge_bundle(central, from_cco)
    assert outcome.ok, outcome.message
    with central.session() as s:
        (merged,) = read_records(s, "engagement", ids=[briefing])
    assert merged.origin == blo.device_id and merged.data["title"] == "BLO patrol briefing"
    for store in (cco, blo):
        store.close()
    central.close()


# -- properties ------------------------------------------------------------------------------------


def owned_by(central: Central, devices: set[str]) -> list[tuple[str, str, bool, str, str, str]]:
    rows = []
    with central.session() as s:
        for entity in ENTITIES:
            for r in read_records(s, entity, since_seq=0):
                if r.origin in devices:
                    rows.append(
                        (entity, r.id, r.deleted, json.dumps(r.data, sort_keys=True, default=str),
                         json.dumps(r.vv, sort_keys=True), r.hlc)
                    )  # fmt: skip
    return sorted(rows)


@pytest.fixture
def property_world(tmp_path: Path) -> Iterator[World]:
    """Built once per test (the keyring is per test), shared by all its examples."""
    w = _world(tmp_path, None)
    yield w
    w.camden.close()
    w.hackney.close()
    w.central.close()


ATTACKS = ("title", "delete", "inflate", "future", "spoof", "org", "honest")


def _attack(world: World, kind: str, target: Record, org: Record) -> Record | dict[str, Any]:
    camden = world.camden.device_id
    forged = copy.deepcopy(target)
    if kind == "title":
        forged.vv[camden] = 1
        forged.data["title"] = "Camden's title"
    elif kind == "delete":
        forged = Record(target.entity, target.id, target.origin, {**target.vv, camden: 1},
                        target.hlc, True)  # fmt: skip
    elif kind == "inflate":
        forged.vv = {d: 10**18 for d in target.vv}
    elif kind == "future":
        forged.vv = {camden: 1}
        forged.hlc = hlc_at(dt.datetime(2286, 1, 1, tzinfo=dt.UTC), camden)
    elif kind == "spoof":
        forged.id = new_id()
    elif kind == "org":
        forged = copy.deepcopy(org)
        forged.vv[camden] = 1
        forged.data["phone"] = "999"
    else:  # an honest Camden record, which may ride beside the forgeries
        forged = copy.deepcopy(world.centre_record("engagement", world.camden_engagement))
        forged.id = new_id()
        forged.data["title"] = "Camden, honest"
        forged.hlc = hlc_at(dt.datetime.now(dt.UTC), camden)
    return forged


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.lists(st.sampled_from(ATTACKS), min_size=1, max_size=4), min_size=1, max_size=3))
def test_no_bundles_from_camden_change_what_hackney_owns(
    property_world: World, sequence: list[list[str]]
) -> None:
    world = property_world
    hackney_devices = {world.hackney.device_id}
    before = owned_by(world.central, hackney_devices)
    target = world.centre_record("engagement", world.hackney_engagement)
    org = world.centre_record("organisation", world.hackney_organisation)
    for kinds in sequence:
        lines = [_attack(world, kind, target, org) for kind in kinds]
        outcome = merge_bundle(world.central, signed_by(world, world.camden, lines))
        assert outcome.ok == all(k == "honest" for k in kinds), outcome.message
        assert owned_by(world.central, hackney_devices) == before


@pytest.fixture
def honest_bundles(tmp_path: Path) -> Iterator[tuple[Path, list[Path]]]:
    """Bundles from a CCO, a BLO (relaying the CCO's records) and Hackney, with concurrent
    edits of one record."""
    tmp = tmp_path
    central = init_central(tmp / "central", None, "MPA Central Unit")
    cco = make_borough(tmp / "cco", "camden", "Ada", central)
    blo = make_borough(tmp / "blo", "camden", "PS Dean", central)
    hackney = make_borough(tmp / "hackney", "hackney", "Bo", central)
    shared = add_engagement(cco, "Joint PCCG")
    seed = tmp / "seed.ccbundle"
    export_bundle(cco, seed, recipients=[device_recipient(blo)])
    (tmp / "ref2.ccref").write_bytes(reference_bundle(central))
    import_bundle(blo, tmp / "ref2.ccref")
    import_bundle(blo, seed)
    rename(cco, shared, "CCO edit")
    rename(blo, shared, "BLO edit")
    add_engagement(blo, "Only the BLO's")
    add_engagement(hackney, "Hackney's")
    made = [seed]
    for name, store in (("cco", cco), ("blo", blo), ("hackney", hackney)):
        path = tmp / f"{name}.ccbundle"
        export_bundle(store, path)
        made.append(path)
    keys = [("camden", "Ada", cco), ("camden", "PS Dean", blo), ("hackney", "Bo", hackney)]
    public = [(b, o, s.public_key_openssh()) for b, o, s in keys]
    for store in (cco, blo, hackney):
        store.close()
    central.close()
    tmp_keys = tmp / "keys.json"
    tmp_keys.write_text(json.dumps(public))
    yield tmp / "central", made


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=st.permutations(range(4)))
def test_honest_bundles_in_any_order_converge(
    honest_bundles: tuple[Path, list[Path]], order: list[int]
) -> None:
    home, made = honest_bundles
    public = json.loads((home.parent / "keys.json").read_text())
    states = []
    serial = _SERIAL.get(home)
    if serial is not None:  # the serial order's state, merged once per test
        states.append(serial)
    for sequence in ([] if serial is not None else [list(range(4))]) + [order]:
        url = f"sqlite:///{home.parent / f'order-{new_id()}.db'}"
        with open_central(home, url, upgrade=True) as other:  # a new database
            for borough, officer, key in public:
                trust_add(other, borough, officer, key)
            pending = [made[i] for i in sequence]
            for _round in range(len(pending)):  # a child before its parent waits a round
                outcomes = [merge_bundle(other, b) for b in pending]
                for o in outcomes:  # honest bundles: never an ownership or bound refusal
                    assert o.ok or o.message.startswith("The bundle refers to records"), o.message
                pending = [o.path for o in outcomes if not o.ok]
                if not pending:
                    break
            assert not pending
            states.append(owned_by(other, _all_devices(other)))
    _SERIAL[home] = states[0]
    assert states[0] == states[1]


_SERIAL: dict[Path, list[tuple[str, str, bool, str, str, str]]] = {}


def _all_devices(central: Central) -> set[str]:
    with central.session() as s:
        return {str(d) for d in s.scalars(select(TrustedKey.device_id)) if d}
