"""Sync: bundles from borough devices, merged by a central unit (issue 4).

Real stores on both sides (SQLCipher boroughs, a SQLite central store), real files, and the
stock tools for the independent checks: `age` decrypts, `ssh-keygen -Y verify` checks the
signature against the centre's allowed_signers file, `sha256sum -c --strict` the hashes.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from ccodesk.cli.borough import main as cli
from ccodesk.errors import KnownError
from ccodesk.models import (
    Contact,
    DeviceState,
    Engagement,
    EngagementKind,
    SyncConflict,
    SyncTombstone,
    new_id,
)
from ccodesk.services.directory import ContactDraft, save_contact
from ccodesk.services.engagements import EngagementDraft, delete_engagement, save_engagement
from ccodesk.store import Store, create_store
from ccodesk.sync import bundle, sshsig
from ccodesk.sync.central import (
    Central,
    gaps,
    init_central,
    open_central,
    reference_bundle,
    trust_add,
    trust_revoke,
)
from ccodesk.sync.central_merge import merge_bundle
from ccodesk.sync.device import SyncError, device_identity, device_recipient, sync_status
from ccodesk.sync.export import export_bundle
from ccodesk.sync.merge import conflicts, dominates, join
from ccodesk.sync.receive import import_bundle
from ccodesk.sync.records import read_records

WHEN = dt.datetime(2026, 11, 26, 19, 0)


def needs(*tools: str) -> pytest.MarkDecorator:
    """Skip, saying which, where a stock tool is missing (`make test` installs them all)."""
    missing = [t for t in tools if shutil.which(t) is None]
    return pytest.mark.skipif(
        bool(missing), reason=f"needs {', '.join(missing)} (Debian: openssh-client, age, unzip)"
    )


# -- helpers -------------------------------------------------------------------------------------


def make_central(path: Path) -> Central:
    return init_central(path, None, "MPA Central Unit")


def make_borough(path: Path, borough: str, officer: str, central: Central | None) -> Store:
    store = create_store(path, borough_code=borough, officer_name=officer)
    if central is not None:
        trust_add(central, borough, officer, store.public_key_openssh())
        ref = path.parent / f"{path.name}-reference.ccref"
        ref.write_bytes(reference_bundle(central))
        import_bundle(store, ref, confirm_centre=lambda _fp: True)
    return store


def add_engagement(store: Store, title: str, **extra: object) -> str:
    with store.transaction() as s:
        return save_engagement(
            s,
            EngagementDraft(kind=EngagementKind.PCCG_MEETING, title=title, starts_at=WHEN, **extra),  # type: ignore[arg-type]
        ).id


def rename(store: Store, engagement_id: str, title: str) -> None:
    with store.transaction() as s:
        s.get(Engagement, engagement_id).title = title  # type: ignore[union-attr]


def export(store: Store, path: Path, **kw: object) -> Path:
    export_bundle(store, path, **kw)  # type: ignore[arg-type]
    return path


def titles(central: Central) -> dict[str, tuple[str, bool]]:
    with central.session() as s:
        return {e.id: (e.title, e.deleted) for e in s.scalars(select(Engagement))}


def decrypt(data: bytes, identity: pyrage.x25519.Identity) -> dict[str, bytes]:
    plain = pyrage.decrypt(data, [identity])
    with zipfile.ZipFile(io.BytesIO(plain)) as z:
        return {n: z.read(n) for n in z.namelist()}


@pytest.fixture
def central(tmp_path: Path) -> Central:
    c = make_central(tmp_path / "central")
    yield c
    c.close()


@pytest.fixture
def camden(tmp_path: Path, central: Central) -> Store:
    s = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    yield s
    s.close()


# -- signatures and keys -------------------------------------------------------------------------


@needs("ssh-keygen")
def test_sshsig_interoperates_with_ssh_keygen(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    message = b"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  manifest.json\n"
    (tmp_path / "msg.sig").write_text(sshsig.sign(key, message, "ccodesk-bundle"))
    public = sshsig.openssh_public_key(key.public_key())
    (tmp_path / "allowed").write_text(f"camden {public}\n")
    verify = [
        "ssh-keygen", "-Y", "verify", "-f", str(tmp_path / "allowed"), "-I", "camden",
        "-n", "ccodesk-bundle", "-s", str(tmp_path / "msg.sig"),
    ]  # fmt: skip
    assert subprocess.run(verify, input=message, capture_output=True).returncode == 0
    assert subprocess.run(verify, input=message + b"x", capture_output=True).returncode != 0
    # ...and ssh-keygen's own signatures verify here, with the right fingerprint.
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "k")],
                   check=True)  # fmt: skip
    (tmp_path / "m").write_bytes(message)
    subprocess.run(["ssh-keygen", "-Y", "sign", "-f", str(tmp_path / "k"), "-n", "ccodesk-bundle",
                    str(tmp_path / "m")], check=True, capture_output=True)  # fmt: skip
    signer = sshsig.signer_of((tmp_path / "m.sig").read_text(), message, "ccodesk-bundle")
    printed = subprocess.run(["ssh-keygen", "-lf", str(tmp_path / "k.pub")], capture_output=True,
                             text=True, check=True).stdout.split()[1]  # fmt: skip
    assert sshsig.fingerprint(signer) == printed
    with pytest.raises(sshsig.SignatureError, match="not 'ccodesk-receipt'"):
        sshsig.signer_of((tmp_path / "m.sig").read_text(), message, "ccodesk-receipt")
    with pytest.raises(sshsig.SignatureError, match="does not match"):
        sshsig.signer_of((tmp_path / "m.sig").read_text(), message + b"!", "ccodesk-bundle")


@needs("age", "unzip", "ssh-keygen", "sha256sum")
def test_bundle_checks_out_with_stock_tools(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    """age -d, unzip, ssh-keygen -Y verify and sha256sum -c: the documented manual check."""
    add_engagement(camden, "Camden PCCG: policing plan")
    path = export(camden, tmp_path / "camden-1.ccbundle")
    key = tmp_path / "centre.key"
    key.write_text(str(central.identity) + "\n")
    out = tmp_path / "out"
    out.mkdir()
    subprocess.run(["age", "-d", "-i", str(key), "-o", str(out / "bundle.zip"), str(path)],
                   check=True)  # fmt: skip
    subprocess.run(["unzip", "-q", "bundle.zip"], cwd=out, check=True)
    signers = tmp_path / "allowed_signers"
    assert cli_central(["trust", "export-allowed-signers", "-o", str(signers)], central) == 0
    principal = signers.read_text().split()[0]
    with (out / "SHA256SUMS").open("rb") as sums:
        verified = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", principal,
             "-n", "ccodesk-bundle", "-s", "SHA256SUMS.sig"],
            stdin=sums, cwd=out, capture_output=True, text=True,
        )  # fmt: skip
    assert verified.returncode == 0, verified.stderr
    checked = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=out,
                             capture_output=True, text=True)  # fmt: skip
    assert checked.returncode == 0 and checked.stdout.count(": OK") == 2
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "changes" and manifest["borough_code"] == "camden"
    assert manifest["seq"] == 1 and manifest["format"] == "ccodesk-bundle/1"
    lines = [json.loads(x) for x in (out / "changes.jsonl").read_text().splitlines()]
    assert any(r["data"].get("title") == "Camden PCCG: policing plan" for r in lines)


def cli_central(argv: list[str], central: Central) -> int:
    from ccodesk.cli.central import main

    return main(["--home", str(central.home), *argv])


@needs("age-keygen")
def test_age_identity_is_stable_and_works_with_the_age_tool(tmp_path: Path, camden: Store) -> None:
    identity = device_identity(camden)
    assert str(identity) == str(device_identity(camden))  # derived, not random
    assert device_recipient(camden).startswith("age1")
    (tmp_path / "id").write_text(str(identity) + "\n")
    public = subprocess.run(["age-keygen", "-y", str(tmp_path / "id")], capture_output=True,
                            text=True, check=True).stdout.strip()  # fmt: skip
    assert public == device_recipient(camden)


# -- the round trip ------------------------------------------------------------------------------


def test_export_merge_receipt_acknowledges(tmp_path: Path, central: Central, camden: Store) -> None:
    first = add_engagement(camden, "Camden PCCG: safer streets", blo_name="PS Dean")
    assert camden.pending_changes() > 0
    path = export(camden, tmp_path / "b1.ccbundle")
    outcome = merge_bundle(central, path, tmp_path / "receipts")
    assert outcome.ok and outcome.result is not None and outcome.result.applied >= 1
    assert titles(central)[first] == ("Camden PCCG: safer streets", False)
    assert outcome.receipt is not None and outcome.receipt.exists()
    summary = import_bundle(camden, outcome.receipt).summary
    assert "Acknowledged" in summary and camden.pending_changes() == 0
    status = sync_status(camden)
    assert status.bundles_exported == 1 and status.awaiting == 0
    assert status.last_receipt_at is not None and status.centre.startswith("MPA Central Unit")
    # Re-importing the receipt and re-merging the bundle change nothing.
    assert "before" in import_bundle(camden, outcome.receipt).summary
    again = merge_bundle(central, path, tmp_path / "receipts")
    assert again.ok and again.message.startswith("merged earlier")
    # A change after the receipt is the only thing in the next bundle.
    rename(camden, first, "Camden PCCG: safer streets (moved)")
    export(camden, tmp_path / "b2.ccbundle")
    members = decrypt((tmp_path / "b2.ccbundle").read_bytes(), central.identity)
    lines = members["changes.jsonl"].decode().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["id"] == first
    assert merge_bundle(central, tmp_path / "b2.ccbundle").ok
    assert titles(central)[first][0] == "Camden PCCG: safer streets (moved)"


def test_lost_bundle_heals_and_gaps_show_it(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    a = add_engagement(camden, "First meeting")
    export(camden, tmp_path / "lost.ccbundle")  # never reaches the centre
    b = add_engagement(camden, "Second meeting")
    assert merge_bundle(central, export(camden, tmp_path / "b2.ccbundle")).ok
    assert {a, b} <= set(titles(central))  # cumulative since the last acknowledgement
    with central.session() as s:
        (gap,) = gaps(s)
    assert gap.borough_code == "camden" and gap.missing == [1] and gap.newest == 2


def test_personal_details_of_unshared_contacts_stay_on_the_device(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    with camden.transaction() as s:
        private = save_contact(s, ContactDraft(name="Zofia Wójcik", email="zofia@example.org")).id
        shared = save_contact(
            s,
            ContactDraft(
                name="Ayşe Yılmaz",
                consent_given=True,
                consent_date=dt.date(2026, 1, 5),
                shareable=True,
            ),
        ).id
    add_engagement(camden, "Outreach: Turkish community centre", target_groups=["faith"])
    export(camden, tmp_path / "b.ccbundle")
    text = decrypt((tmp_path / "b.ccbundle").read_bytes(), central.identity)["changes.jsonl"]
    assert b"Zofia" not in text and b"zofia@example.org" not in text
    assert "Ayşe Yılmaz".encode() in text
    assert merge_bundle(central, tmp_path / "b.ccbundle").ok
    with central.session() as s:
        assert s.get(Contact, shared).name == "Ayşe Yılmaz"  # type: ignore[union-attr]
        assert s.get(Contact, private) is None
        assert s.get(SyncTombstone, ("contact", private)) is not None  # no data, only its id


def check_kept_deletions(central: Central, borough: Store) -> None:
    """A deletion of a record the centre never had is kept (no data), keeps an older copy
    out, is itself updated by a later deletion, and gives way to a newer version."""
    from ccodesk.sync.merge import merge_records
    from ccodesk.sync.records import Record, parse_record

    eid = add_engagement(borough, "Deleted before the centre saw it")
    with borough.session() as s:
        (sent,) = read_records(s, "engagement", ids=[eid])
    live = parse_record(sent.to_json())
    device, n = live.origin, live.vv[live.origin]
    wall = int(live.hlc.split(".", 1)[0])

    def version(counter: int, deleted: bool) -> Record:
        hlc = f"{wall + counter}.000000.{device}"
        if deleted:
            return Record("engagement", eid, device, {device: counter}, hlc, True)
        return Record(
            "engagement", eid, device, {device: counter}, hlc, False, live.data, live.children
        )

    def merge(record: Record) -> tuple[bool, dict[str, int] | None]:
        with central.transaction() as s:
            merge_records(s, [record], bundle_id=new_id())
        with central.session() as s:
            row = s.get(Engagement, eid)
            kept = s.get(SyncTombstone, ("engagement", eid))
            return row is not None, dict(kept.version_vector) if kept else None

    assert merge(version(n + 1, True)) == (False, {device: n + 1})
    assert merge(live) == (False, {device: n + 1})  # the older copy stays out
    assert merge(version(n + 2, True)) == (False, {device: n + 2})  # the deletion moves on
    assert merge(version(n + 3, False)) == (True, None)  # restored: the deletion is gone
    with central.session() as s:
        assert s.get(Engagement, eid).title == "Deleted before the centre saw it"  # type: ignore[union-attr]


def test_kept_deletions(central: Central, camden: Store) -> None:
    check_kept_deletions(central, camden)


# -- refusing what is not right ------------------------------------------------------------------


def _state(central: Central) -> tuple[int, int]:
    with central.session() as s:
        return (
            int(s.scalar(select(func.count()).select_from(Engagement)) or 0),
            int(s.scalar(select(DeviceState.change_seq)) or 0),
        )


def test_rejections_change_nothing(tmp_path: Path, central: Central, camden: Store) -> None:
    add_engagement(camden, "A meeting")
    good = export(camden, tmp_path / "good.ccbundle")
    before = _state(central)
    members = decrypt(good.read_bytes(), central.identity)
    manifest = json.loads(members["manifest.json"])

    def rebuild(name: str, change: dict[str, bytes], key: Ed25519PrivateKey | None = None) -> Path:
        """Re-pack the decrypted members (optionally re-signed) and encrypt to the centre."""
        parts = {**members, **change}
        if key is not None:
            payload = {k: v for k, v in parts.items() if k not in ("manifest.json", "SHA256SUMS",
                                                                   "SHA256SUMS.sig")}  # fmt: skip
            data = bundle.build(json.loads(parts["manifest.json"]), payload, key,
                                [central.identity.to_public()])  # fmt: skip
        else:
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as z:
                for n, v in parts.items():
                    z.writestr(n, v)
            data = pyrage.encrypt(buf.getvalue(), [central.identity.to_public()])
        path = tmp_path / name
        path.write_bytes(data)
        return path

    altered = members["changes.jsonl"].replace(b"A meeting", b"B meeting")
    cases = {
        rebuild("edited.ccbundle", {"changes.jsonl": altered}): "altered",
        rebuild("extra.ccbundle", {"evil.sh": b"rm -rf /"}): "unexpected file",
        rebuild("stranger.ccbundle", {}, Ed25519PrivateKey.generate()): "does not trust",
        rebuild(
            "badrecord.ccbundle",
            {"changes.jsonl": members["changes.jsonl"].replace(b'"title"', b'"titel"')},
            camden.signing_key(),
        ): "fields",
    }
    # Signed by the right key, but for another purpose (a receipt's namespace).
    wrong_purpose = sshsig.sign(camden.signing_key(), members["SHA256SUMS"], "ccodesk-receipt")
    cases[rebuild("namespace.ccbundle", {"SHA256SUMS.sig": wrong_purpose.encode()})] = (
        "not 'ccodesk-bundle'"
    )
    not_for_us = tmp_path / "other.ccbundle"
    not_for_us.write_bytes(
        pyrage.encrypt(b"PK\x03\x04junk", [pyrage.x25519.Identity.generate().to_public()])
    )
    cases[not_for_us] = "could not be decrypted"
    junk = tmp_path / "junk.ccbundle"
    junk.write_bytes(b"hello")
    cases[junk] = "Not a ccodesk bundle"
    for path, why in cases.items():
        outcome = merge_bundle(central, path)
        assert not outcome.ok and why in outcome.message, (path.name, outcome.message)
        assert _state(central) == before
    # The real one merges; then a different bundle reusing its id is refused as tampered.
    assert merge_bundle(central, good).ok
    reused = rebuild("reused.ccbundle", {"changes.jsonl": altered}, camden.signing_key())
    assert json.loads(decrypt(reused.read_bytes(), central.identity)["manifest.json"])[
        "bundle_id"] == manifest["bundle_id"]  # fmt: skip
    outcome = merge_bundle(central, reused)
    assert not outcome.ok and "altered" in outcome.message
    # A revoked key signs nothing new.
    trust_revoke(central, sshsig.fingerprint(camden.public_key_openssh()))
    add_engagement(camden, "Later")
    outcome = merge_bundle(central, export(camden, tmp_path / "late.ccbundle"))
    assert not outcome.ok and "does not trust" in outcome.message


def test_a_bad_line_is_named_by_its_number(camden: Store) -> None:
    from ccodesk.sync.records import encode_line

    add_engagement(camden, "A meeting")
    with camden.session() as s:
        good = encode_line(next(read_records(s, "engagement", since_seq=0))).rstrip(b"\n")

    def read(*lines: bytes) -> list[object]:
        members = {"changes.jsonl": b"\n".join(lines) + b"\n"}
        return bundle.OpenedBundle({"kind": "changes"}, "fp", "hash", members).records()

    assert len(read(good, b"", good)) == 2  # blank lines are allowed
    for bad, message in (
        (b'{"entity": "engagement"}, {"entity": "finding"}', "line 3: Extra data"),
        (b"[1, 2", "line 3: Expecting"),
        (b"  ", "line 3: Expecting value"),
        (good.replace(b'"deleted":false', b'"deleted":"no"'), "line 3: A engagement record's"),
    ):
        with pytest.raises(bundle.BundleRejected, match=message):
            read(good, b"", bad, good)


def test_the_collector_resumes_after_a_merge(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    import gc

    add_engagement(camden, "A meeting")
    good = export(camden, tmp_path / "good.ccbundle")
    bad = tmp_path / "bad.ccbundle"
    bad.write_bytes(good.read_bytes()[:-10])
    assert gc.isenabled()
    assert not merge_bundle(central, bad).ok
    assert gc.isenabled()
    assert merge_bundle(central, good).ok
    assert gc.isenabled()
    gc.disable()  # and stays off for a caller that had it off
    try:
        assert merge_bundle(central, good).ok
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_zip_bomb_and_oversize_members_are_refused(tmp_path: Path, central: Central) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", b"{}")
        z.writestr("changes.jsonl", b"\n" * (50 * 1024 * 1024))
        z.writestr("SHA256SUMS", b"")
        z.writestr("SHA256SUMS.sig", b"")
    path = tmp_path / "bomb.ccbundle"
    path.write_bytes(pyrage.encrypt(buf.getvalue(), [central.identity.to_public()]))
    outcome = merge_bundle(central, path)
    assert not outcome.ok and "ZIP bomb" in outcome.message


def test_export_refuses_without_a_centre_unless_unencrypted(tmp_path: Path) -> None:
    with create_store(tmp_path / "s", borough_code="hackney", officer_name="Bo") as store:
        with pytest.raises(SyncError, match="No central unit"):
            export_bundle(store, tmp_path / "x.ccbundle")
        assert not (tmp_path / "x.ccbundle").exists()
        export_bundle(store, tmp_path / "x.ccbundle", unencrypted=True)
        assert (tmp_path / "x.ccbundle").read_bytes().startswith(b"PK")


def test_reference_bundle_pins_the_centre(tmp_path: Path, central: Central, camden: Store) -> None:
    impostor = make_central(tmp_path / "impostor")
    (tmp_path / "fake.ccref").write_bytes(reference_bundle(impostor))
    with pytest.raises(KnownError, match="a key this store does not trust"):
        import_bundle(camden, tmp_path / "fake.ccref", confirm_centre=lambda _fp: True)
    impostor.close()
    # A new device refuses to pin a key the officer did not confirm.
    with create_store(tmp_path / "new", borough_code="camden", officer_name="Cy") as fresh:
        (tmp_path / "real.ccref").write_bytes(reference_bundle(central))
        with pytest.raises(SyncError, match="not confirmed"):
            import_bundle(fresh, tmp_path / "real.ccref", confirm_centre=lambda _fp: False)
        assert sync_status(fresh).centre is None


# -- the merge engine ----------------------------------------------------------------------------


def test_version_vector_order() -> None:
    assert dominates({"a": 2, "b": 1}, {"a": 1}) and not dominates({"a": 1}, {"a": 1, "b": 1})
    assert join({"a": 2}, {"b": 3, "a": 1}) == {"a": 2, "b": 3}


def test_concurrent_edits_become_a_conflict_and_an_edit_beats_a_delete(
    tmp_path: Path, central: Central
) -> None:
    cco = make_borough(tmp_path / "cco", "camden", "Ada", central)
    blo = make_borough(tmp_path / "blo", "camden", "PS Dean", central)
    shared = add_engagement(cco, "Joint PCCG")
    seed = export(cco, tmp_path / "seed.ccbundle", recipients=[device_recipient(blo)])
    # The BLO needs the CCO's key: the centre's next reference bundle carries it.
    (tmp_path / "ref2.ccref").write_bytes(reference_bundle(central))
    import_bundle(blo, tmp_path / "ref2.ccref")
    assert "applied" in import_bundle(blo, seed).summary
    rename(blo, shared, "Joint PCCG (BLO's title)")
    with cco.transaction() as s:
        delete_engagement(s, shared)
    from_cco = export(cco, tmp_path / "cco.ccbundle")
    from_blo = export(blo, tmp_path / "blo.ccbundle")
    assert merge_bundle(central, seed).ok
    assert merge_bundle(central, from_cco).ok
    outcome = merge_bundle(central, from_blo)
    assert outcome.ok and outcome.result is not None and outcome.result.conflicts == 1
    assert titles(central)[shared] == ("Joint PCCG (BLO's title)", False)  # edit beats delete
    with central.session() as s:
        (conflict,) = conflicts(s)
        assert conflict.winner == "incoming" and conflict.local["deleted"] is True
    # A person resolves it at the centre's command line: keep the deletion; that is a new
    # change that syncs on.
    assert cli_central(["conflicts", "resolve", str(conflict.id), "--keep", "local"], central) == 0
    assert titles(central)[shared][1] is True
    with central.session() as s:
        assert conflicts(s) == []
        assert s.scalar(select(func.count()).select_from(SyncConflict)) == 1
    # Re-merging either bundle now changes nothing.
    assert merge_bundle(central, from_blo).message.startswith("merged earlier")
    cco.close()
    blo.close()


def test_any_order_of_bundles_gives_the_same_state(tmp_path: Path, central: Central) -> None:
    cco = make_borough(tmp_path / "cco", "camden", "Ada", central)
    blo = make_borough(tmp_path / "blo", "camden", "PS Dean", central)
    shared = add_engagement(cco, "Original")
    seed = export(cco, tmp_path / "seed.ccbundle", recipients=[device_recipient(blo)])
    (tmp_path / "ref2.ccref").write_bytes(reference_bundle(central))
    import_bundle(blo, tmp_path / "ref2.ccref")
    import_bundle(blo, seed)
    rename(cco, shared, "CCO edit")
    rename(blo, shared, "BLO edit")
    add_engagement(blo, "Only the BLO's")
    bundles = [seed, export(cco, tmp_path / "c.ccbundle"), export(blo, tmp_path / "b.ccbundle")]
    keys = [cco.public_key_openssh(), blo.public_key_openssh()]
    finals = set()
    for n, order in enumerate(itertools.permutations(bundles)):
        # The same centre (its keys decrypt the bundles), each order on a new, empty database.
        other = open_central(central.home, f"sqlite:///{tmp_path / f'order-{n}.db'}", upgrade=True)
        for officer, key in zip(("Ada", "PS Dean"), keys, strict=True):
            trust_add(other, "camden", officer, key)
        results = [merge_bundle(other, b) for b in order]
        if all(r.ok for r in results):
            with other.session() as s:
                state = tuple(
                    sorted(
                        (r.id, r.deleted, json.dumps(r.data, sort_keys=True), json.dumps(r.vv))
                        for r in read_records(s, "engagement", since_seq=0)
                    )
                )
            finals.add(state)
        else:  # a child before its parent is refused whole and merges once the parent is in
            assert any("earlier bundles" in r.message for r in results if not r.ok)
            for b in order:
                merge_bundle(other, b)
            with other.session() as s:
                finals.add(
                    tuple(
                        sorted(
                            (r.id, r.deleted, json.dumps(r.data, sort_keys=True), json.dumps(r.vv))
                            for r in read_records(s, "engagement", since_seq=0)
                        )
                    )
                )
        other.close()
    assert len(finals) == 1
    cco.close()
    blo.close()


def test_central_cli_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "central"
    from ccodesk.cli.central import main as central_cli

    assert central_cli(["--home", str(home), "init", "--name", "MPA Central"]) == 0
    store_dir = tmp_path / "hackney"
    assert (
        cli(["--data-dir", str(store_dir), "init", "--borough", "Hackney", "--officer", "Bo"]) == 0
    )
    pub = tmp_path / "hackney.pub"
    assert cli(["--data-dir", str(store_dir), "key", "export-public", "-o", str(pub)]) == 0
    assert central_cli(["--home", str(home), "trust", "add", "--borough", "Hackney",
                        "--officer", "Bo", str(pub)]) == 0  # fmt: skip
    ref = tmp_path / "ref.ccref"
    assert central_cli(["--home", str(home), "reference", "export", "-o", str(ref)]) == 0
    assert cli(["--data-dir", str(store_dir), "sync", "import", str(ref)]) == 1  # no --yes, no tty
    assert "was not confirmed" in capsys.readouterr().err
    assert cli(["--data-dir", str(store_dir), "sync", "import", str(ref), "--yes"]) == 0
    assert cli(["--data-dir", str(store_dir), "demo-data", "--seed", "2"]) == 0
    out = tmp_path / "hackney-1.ccbundle"
    assert cli(["--data-dir", str(store_dir), "sync", "export", "-o", str(out)]) == 0
    capsys.readouterr()
    receipts = tmp_path / "receipts"
    junk = tmp_path / "junk.ccbundle"
    junk.write_bytes(b"junk")
    code = central_cli(["--home", str(home), "merge", str(out), str(junk), "--receipts",
                        str(receipts)])  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert code == 1  # one bundle was rejected
    assert lines[0].startswith(f"{out}: merged: ") and "0 conflicts" in lines[0]
    assert lines[1].startswith(f"{junk}: rejected: ")
    (receipt,) = receipts.iterdir()
    assert cli(["--data-dir", str(store_dir), "sync", "import", str(receipt)]) == 0
    assert cli(["--data-dir", str(store_dir), "sync", "status"]) == 0
    assert "Awaiting the centre: 0 changes" in capsys.readouterr().out
    assert central_cli(["--home", str(home), "status"]) == 0
    assert "Bundles merged:  1" in capsys.readouterr().out
    assert central_cli(["--home", str(home), "gaps"]) == 0
    assert "missing: none" in capsys.readouterr().out
    assert central_cli(["--home", str(home), "conflicts", "list"]) == 0
    assert "No conflicts" in capsys.readouterr().out
    # The indicators over what was merged: London-wide, then borough by borough.
    assert central_cli(["--home", str(home), "report", "--period", str(dt.date.today().year)]) == 0
    text = capsys.readouterr().out
    assert "Performance indicators: London" in text and "Performance indicators: Hackney" in text
    book = tmp_path / "london.xlsx"
    assert central_cli(["--home", str(home), "report", "-o", str(book)]) == 0
    assert book.read_bytes().startswith(b"PK") and "London and 1 borough" in capsys.readouterr().out
    assert central_cli(["--home", str(home), "report", "--period", "2026Q5"]) == 1
    assert "2026Q5" in capsys.readouterr().err
    # London-wide baselines are entered at the centre; the London report compares with them.
    assert central_cli(["--home", str(home), "report", "baseline", "set", "older", "11.9",
                        "--source", "Census 2021, London"]) == 0  # fmt: skip
    assert "London-wide baseline for older: 11.9%" in capsys.readouterr().out
    assert central_cli(["--home", str(home), "report", "baseline", "set", "older", "111",
                        "--source", "x"]) == 1  # fmt: skip
    assert "between 0 and 100" in capsys.readouterr().err
    assert central_cli(["--home", str(home), "report", "baseline", "list"]) == 0
    assert re.search(r"older\s+11\.9%\s+\S+\s+Census 2021, London", capsys.readouterr().out)
    assert central_cli(["--home", str(home), "report", "--period", str(dt.date.today().year)]) == 0
    london = capsys.readouterr().out.split("Performance indicators: Hackney")[0]
    assert re.search(r"Share of monitored attendance: Older people .* 11\.9%", london)
    # A second device is set up with the centre's reference bundle in one go.
    second = tmp_path / "hackney-laptop"
    assert cli(["--data-dir", str(second), "init", "--borough", "Hackney", "--officer", "Cy",
                "--centre", str(ref), "--yes"]) == 0  # fmt: skip
    assert "Reference bundle from MPA Central" in capsys.readouterr().out
    assert cli(["--data-dir", str(second), "sync", "export", "-o", str(tmp_path / "c.ccb")]) == 0


# -- hostile input -------------------------------------------------------------------------------


def _plain_bundle(store: Store, path: Path) -> bytes:
    export_bundle(store, path, unencrypted=True)
    return path.read_bytes()


def test_hostile_archives_are_refused(tmp_path: Path, central: Central, camden: Store) -> None:
    add_engagement(camden, "A meeting")
    data = _plain_bundle(camden, tmp_path / "plain.ccbundle")
    members = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = {n: z.read(n) for n in z.namelist()}

    def pack(entries: list[tuple[str, bytes]]) -> Path:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns of the duplicate name made on purpose
            for name, content in entries:
                z.writestr(name, content)
        path = tmp_path / f"hostile-{len(list(tmp_path.iterdir()))}.ccbundle"
        path.write_bytes(buf.getvalue())
        return path

    before = _state(central)
    cases = {
        pack([*members.items(), ("../../etc/cron.d/x", b"x")]): "unexpected file",
        pack([*members.items(), ("changes.jsonl", b"{}")]): "unexpected file",  # twice
        pack([(n, v) for n, v in members.items() if n != "SHA256SUMS.sig"]): "not signed",
    }
    truncated = tmp_path / "truncated.ccbundle"
    truncated.write_bytes(data[: len(data) // 2])
    cases[truncated] = "damaged"
    for path, why in cases.items():
        outcome = merge_bundle(central, path)
        assert not outcome.ok and why in outcome.message, (path.name, outcome.message)
    assert _state(central) == before


def test_officer_must_match_the_trusted_key(tmp_path: Path, central: Central) -> None:
    store = make_borough(tmp_path / "s", "camden", "Ada Officer", central)
    with store.transaction() as s:
        s.scalars(select(DeviceState)).one().officer_name = "Mallory"
    reopened = store  # the manifest takes the officer from the open store
    reopened.officer_name = "Mallory"
    add_engagement(store, "Sneaky")
    outcome = merge_bundle(central, export(store, tmp_path / "b.ccbundle"))
    assert not outcome.ok and "trusted for 'Ada Officer'" in outcome.message
    store.close()


def test_receipt_for_another_device_is_refused(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    other = make_borough(tmp_path / "other", "hackney", "Bo", central)
    add_engagement(other, "Hackney meeting")
    outcome = merge_bundle(central, export(other, tmp_path / "b.ccbundle"), tmp_path / "r")
    assert outcome.ok and outcome.receipt is not None
    before = sync_status(camden)
    # Addressed to the other device's key: this device cannot even decrypt it.
    with pytest.raises(KnownError, match="could not be decrypted"):
        import_bundle(camden, outcome.receipt)
    assert sync_status(camden) == before
    other.close()


def test_thousands_of_mutated_bundles_end_cleanly(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    """Every mutation is refused with a clear error and nothing written, or merges correctly."""
    import random

    add_engagement(camden, "Fuzzed meeting", venue_name="Library")
    with camden.transaction() as s:
        save_contact(s, ContactDraft(name="Private person"))
    data = _plain_bundle(camden, tmp_path / "plain.ccbundle")
    encrypted = export(camden, tmp_path / "enc.ccbundle").read_bytes()
    rng = random.Random(20261123)
    before = _state(central)
    refused = merged = 0
    path = tmp_path / "mutant.ccbundle"
    for i in range(2000):
        source = bytearray(encrypted if i % 10 == 0 else data)
        choice = rng.random()
        if choice < 0.6:
            for _ in range(rng.randint(1, 4)):
                source[rng.randrange(len(source))] ^= 1 << rng.randrange(8)
        elif choice < 0.8:
            del source[rng.randrange(len(source)) :]
        else:
            at = rng.randrange(len(source))
            source[at:at] = rng.randbytes(rng.randint(1, 64))
        path.write_bytes(bytes(source))
        outcome = merge_bundle(central, path)  # never raises: a clean error or a merge
        if outcome.ok:  # the mutation hit bytes nothing reads (e.g. a ZIP header's spare field)
            merged += 1
            before = _state(central)
        else:
            refused += 1
            assert outcome.message and "Traceback" not in outcome.message
            assert _state(central) == before
    assert refused > 1900
    # Whatever merged is exactly the real bundle's content.
    if merged:
        with central.session() as s:
            assert [e.title for e in s.scalars(select(Engagement))] == ["Fuzzed meeting"]


def test_the_format_document_lists_every_record_field() -> None:
    """docs/bundle-format.md is the contract: every kind, field and child table is in it."""
    from ccodesk.sync.records import CHILDREN, DATA_COLUMNS

    doc = (Path(__file__).parent.parent / "docs" / "bundle-format.md").read_text()
    assert "`ccodesk-bundle/1`" in doc and bundle.FORMAT == "ccodesk-bundle/1"
    sections = doc.split("\n### ")[1:]
    by_entity = {s.split("`")[1]: s for s in sections}
    assert set(by_entity) == set(DATA_COLUMNS)
    for entity, columns in DATA_COLUMNS.items():
        for column in columns:
            assert f"| `{column.name}` |" in by_entity[entity], (entity, column.name)
        for table in CHILDREN[entity]:
            assert f"Child rows `{table.name}`" in by_entity[entity]


def test_records_from_an_older_sender_are_read() -> None:
    """A field added later (nullable) may be missing; a required one may not; unknown ones not."""
    from ccodesk.sync.records import RecordError, parse_record

    doc = {
        "entity": "engagement",
        "id": "5d3c8f3e-3f1b-4c39-9d6b-6d3c8f3e3f1b",
        "origin": "7d1e0a52-55a1-4c5e-8b1e-7d1e0a5255a1",
        "vv": {"7d1e0a52-55a1-4c5e-8b1e-7d1e0a5255a1": 3},
        "hlc": "1763856000000.000001.7d1e0a52-55a1-4c5e-8b1e-7d1e0a5255a1",
        "deleted": False,
        "data": {
            "borough_code": None,
            "kind": "focus_group",
            "method_code": "focus-group",
            "title": "Older sender",
            "theme": "",
            "informs": None,
            "informs_detail": "",
            "level": "local",
            "starts_at": "2026-11-26T19:00:00",
            "ends_at": None,
            "status": "planned",
            "venue_name": "",
            "venue_address": "",
            "step_free": False,
            "hearing_loop": False,
            "bsl": False,
            "interpreters": "",
            "childcare": False,
            "daytime": False,
            "cco_name": "",
            "blo_name": "",
            "cso_name": "",
            "notes": "",
            "ics_uid": None,
        },
        "children": {
            "engagement_partner": [],
            "engagement_target_group": [],
            "engagement_topic": [],
            "engagement_attendee": [],
        },
    }
    record = parse_record(doc)  # no community_venue: added in schema 0006
    assert record.data["community_venue"] is None and record.data["title"] == "Older sender"
    del doc["data"]["title"]
    with pytest.raises(RecordError, match="lacks \\['title'\\]"):
        parse_record(doc)
    doc["data"] |= {"title": "x", "future_field": 1}
    with pytest.raises(RecordError, match="unknown here"):
        parse_record(doc)
