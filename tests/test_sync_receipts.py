"""Receipts match exports (issue 12, point 6) and are always encrypted to the device.

A device logs every bundle it writes (id, number, change range, file name, content hash) in
the transaction that takes the number, before the file is renamed into place; it takes a
receipt only for a bundle in that log, with the same number, content and range. The centre
parses the sender's age recipient before it merges: a receipt is encrypted to the device or
not written.

Real SQLCipher borough stores, a real central store (SQLite here, PostgreSQL for the centre's
cases), real bundles and receipts from the real export and merge; attacks re-sign what they
changed with the real centre key or a trusted device key.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ccodesk.errors import KnownError
from ccodesk.models import BundleLog, ExportLog, TrustedKey, new_id
from ccodesk.store import Store, open_store
from ccodesk.sync import bundle
from ccodesk.sync.central import Central, init_central
from ccodesk.sync.central_merge import merge_bundle
from ccodesk.sync.device import SyncError, device_identity, device_recipient, sync_status
from ccodesk.sync.export import export_bundle
from ccodesk.sync.keys import parse_recipient
from ccodesk.sync.receive import import_bundle
from tests.support.postgres import new_database
from tests.support.sync_attacks import content_digest, members_of, resigned
from tests.test_sync import add_engagement, make_borough, rename


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    from tests.support.postgres import _bin_dir, postgres_cluster

    if _bin_dir() is None:
        pytest.skip(
            "needs PostgreSQL's server binaries (Debian: postgresql; make test installs it)"
        )
    with postgres_cluster() as url:
        yield url


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    c = init_central(tmp_path / "central", None, "MPA Central Unit")
    yield c
    c.close()


@pytest.fixture
def camden(tmp_path: Path, central: Central) -> Iterator[Store]:
    s = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    yield s
    s.close()


def exports(store: Store) -> list[ExportLog]:
    with store.session() as s:
        return list(s.scalars(select(ExportLog).order_by(ExportLog.seq)))


def digest(store: Store | Central) -> str:
    with store.session() as s:
        return content_digest(s)


def merged_receipt(central: Central, path: Path, receipts: Path) -> Path:
    outcome = merge_bundle(central, path, receipts)
    assert outcome.ok, outcome.message
    assert outcome.receipt is not None
    return outcome.receipt


def forged_receipt(
    central: Central, store: Store, honest: Path, target: Path, **changes: Any
) -> Path:
    """The honest receipt with `changes` in receipt.json, signed again by the real centre key."""
    members = members_of(honest.read_bytes(), device_identity(store))
    recipient = device_identity(store).to_public()
    target.write_bytes(
        resigned(
            members,
            central.signing_key,
            [recipient],
            manifest=lambda doc: doc.update(bundle_id=new_id()),  # a new receipt, as the centre's
            member=("receipt.json", lambda doc: doc.update(changes)),
        )
    )
    return target


# -- the export log ------------------------------------------------------------------------------


def test_each_export_is_logged_with_its_number_range_and_file(
    tmp_path: Path, camden: Store, central: Central
) -> None:
    add_engagement(camden, "Camden PCCG: policing plan")
    first = export_bundle(camden, tmp_path / "camden-1.ccbundle")
    add_engagement(camden, "Camden PCCG: knife crime")
    second = export_bundle(camden, tmp_path / "camden-2.ccbundle")
    logged = exports(camden)
    assert [(e.bundle_id, e.seq, e.file_name) for e in logged] == [
        (first.bundle_id, 1, "camden-1.ccbundle"),
        (second.bundle_id, 2, "camden-2.ccbundle"),
    ]
    # Both cumulative since the last acknowledgement (none yet): (0, through].
    assert [(e.since_seq, e.through_seq) for e in logged] == [
        (0, first.through_seq),
        (0, second.through_seq),
    ]
    assert first.through_seq < second.through_seq
    assert all(e.written_at is not None and e.receipt_at is None for e in logged)
    opened = bundle.open_bundle(
        (tmp_path / "camden-2.ccbundle").read_bytes(), [central.identity], lambda _f, _n: True
    )
    assert opened.content_hash == logged[1].content_hash
    assert opened.manifest["bundle_id"] == second.bundle_id and opened.manifest["seq"] == 2


def test_a_failed_rename_uses_up_the_number(
    tmp_path: Path, camden: Store, central: Central, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is written in full, then renaming it into place fails: the number is spent."""
    add_engagement(camden, "Camden PCCG: policing plan")
    import ccodesk.fileio

    def no_rename(_src: object, _dst: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(ccodesk.fileio.os, "replace", no_rename)
        with pytest.raises(SyncError, match=r"could not be written .* number \(1\) is used up"):
            export_bundle(camden, tmp_path / "lost.ccbundle")
    assert not (tmp_path / "lost.ccbundle").exists()
    (failed,) = exports(camden)
    assert failed.seq == 1 and failed.written_at is None
    again = export_bundle(camden, tmp_path / "camden.ccbundle")
    assert again.seq == 2 and again.bundle_id != failed.bundle_id
    assert sync_status(camden).bundles_exported == 2


def test_two_exports_at_once_never_share_a_number(
    tmp_path: Path, camden: Store, central: Central
) -> None:
    """Another export takes the number while this one signs: this one refuses, writes nothing."""
    add_engagement(camden, "Camden PCCG: policing plan")
    inner: list[int] = []

    def meanwhile(_done: int, _total: int, what: str) -> None:
        if what.startswith("Signing") and not inner:
            inner.append(export_bundle(camden, tmp_path / "inner.ccbundle").seq)

    with pytest.raises(
        SyncError,
        match=r"^Another export took bundle number 1 meanwhile; nothing was written\. "
        r"Export again\.$",
    ):
        export_bundle(camden, tmp_path / "outer.ccbundle", progress=meanwhile)
    assert inner == [1] and not (tmp_path / "outer.ccbundle").exists()
    assert [e.file_name for e in exports(camden)] == ["inner.ccbundle"]
    assert export_bundle(camden, tmp_path / "again.ccbundle").seq == 2


KILLED_EXPORT = """
import os, signal, sys
from pathlib import Path
import ccodesk.fileio
from ccodesk.store import open_store
from ccodesk.sync.export import export_bundle

def killed(src, dst):  # the temp file is complete and synced; the process dies before rename
    print(src, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

ccodesk.fileio.os.replace = killed
with open_store(Path(sys.argv[1])) as store:
    export_bundle(store, Path(sys.argv[2]))
"""


def test_an_export_killed_before_the_rename_never_shares_its_number(
    tmp_path: Path, central: Central
) -> None:
    """A real SIGKILL between writing the file and renaming it: the orphan keeps number 1,
    the next export is number 2, and each one's receipt is matched to its own bundle."""
    store_dir = tmp_path / "camden"
    camden = make_borough(store_dir, "camden", "Ada Officer", central)
    add_engagement(camden, "Camden PCCG: policing plan")
    camden.close()
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_EXPORT, str(store_dir), str(tmp_path / "one.ccbundle")],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,  # a hang guard
    )
    assert killed.returncode == -9, killed.stderr
    orphan_temp = Path(killed.stdout.strip())
    assert orphan_temp.exists() and not (tmp_path / "one.ccbundle").exists()
    orphan = tmp_path / "orphan.ccbundle"
    orphan_temp.rename(orphan)  # someone finds it and sends it after all
    with open_store(store_dir) as camden:
        (logged,) = exports(camden)
        assert logged.seq == 1 and logged.written_at is None
        add_engagement(camden, "Camden PCCG: knife crime")
        second = export_bundle(camden, tmp_path / "two.ccbundle")
        assert second.seq == 2 and second.bundle_id != logged.bundle_id
        # The centre takes both as different bundles (not "altered": different ids and numbers).
        receipts = tmp_path / "receipts"
        orphan_receipt = merged_receipt(central, orphan, receipts)
        second_receipt = merged_receipt(central, tmp_path / "two.ccbundle", receipts)
        import_bundle(camden, orphan_receipt)
        status = sync_status(camden)
        assert status.acked_seq == logged.through_seq < second.through_seq
        import_bundle(camden, second_receipt)
        assert sync_status(camden).awaiting == 0
        by_seq = {e.seq: e for e in exports(camden)}
        assert by_seq[1].bundle_id == logged.bundle_id and by_seq[1].receipt_at is not None
        assert by_seq[2].bundle_id == second.bundle_id and by_seq[2].receipt_at is not None


# -- receipts only for exports -------------------------------------------------------------------


@pytest.fixture
def honest(tmp_path: Path, central: Central, camden: Store) -> Path:
    """An honest receipt for Camden's bundle 1, then more changes left to send."""
    add_engagement(camden, "Camden PCCG: policing plan")
    path = tmp_path / "camden-1.ccbundle"
    export_bundle(camden, path)
    receipt = merged_receipt(central, path, tmp_path / "receipts")
    add_engagement(camden, "Camden PCCG: knife crime")  # pending, never exported
    return receipt


def test_the_honest_receipt_acknowledges_and_twice_is_harmless(camden: Store, honest: Path) -> None:
    (logged,) = exports(camden)
    summary = import_bundle(camden, honest).summary
    assert summary.startswith("Receipt for bundle 1:")
    status = sync_status(camden)
    assert status.acked_seq == logged.through_seq and status.awaiting > 0
    before = digest(camden)
    assert import_bundle(camden, honest).summary == (
        "This receipt was imported before; nothing changed."
    )
    assert digest(camden) == before
    assert exports(camden)[0].receipt_at is not None


REFUSALS = [
    # Well-formed, signed by the real centre, but not about a bundle this device wrote as such.
    pytest.param(
        {"through_seq": 10**9},
        r"^This receipt acknowledges changes up to 1,000,000,000, but bundle 1 carried changes "
        r"up to [\d,]+ only; nothing was changed\.$",
        id="through_seq-1e9",
    ),
    pytest.param(
        {"bundle_id": "0f4d6a52-8d0b-4c1e-9a57-3b1f1c2d9999"},
        r"^This receipt is for bundle '0f4d6a52-8d0b-4c1e-9a57-3b1f1c2d9999', which this device "
        r"never exported; nothing was changed\.$",
        id="unknown-bundle",
    ),
    pytest.param(
        {"bundle_id": "0f4d6a52-8d0b-4c1e-9a57-3b1f1c2d9999", "seq": 2**63 - 1},
        r"^This receipt is for bundle '0f4d6a52-8d0b-4c1e-9a57-3b1f1c2d9999', which this device "
        r"never exported; nothing was changed\.$",
        id="unknown-bundle-huge-seq",
    ),
    pytest.param(
        {"seq": 2},
        r"^This receipt calls bundle [0-9a-f]{8} number '2', but this device exported it as "
        r"number 1; nothing was changed\.$",
        id="other-seq",
    ),
    pytest.param(
        {"content_hash": "0" * 64},
        r"^This receipt is for other content than bundle 1 this device exported; nothing was "
        r"changed\.$",
        id="other-content",
    ),
    # Malformed: refused by the strict parser of receipt.json or, failing it, by the match
    # (either way the line names the field).
    pytest.param({"through_seq": -1}, r"through_seq", id="through_seq-negative"),
    pytest.param({"through_seq": "abc"}, r"through_seq", id="through_seq-text"),
    pytest.param({"through_seq": 1.5e300}, r"through_seq", id="through_seq-float"),
    pytest.param({"through_seq": True}, r"through_seq", id="through_seq-bool"),
    pytest.param({"bundle_id": "x" * 10_000}, r"bundle_id|bundle 'x{40}'", id="long-bundle-id"),
    pytest.param({"bundle_id": None}, r"bundle_id|bundle 'NoneType'", id="no-bundle-id"),
    pytest.param({"seq": True}, r"\bseq\b|number 'bool'", id="seq-bool"),
]


@pytest.mark.parametrize(("changes", "refusal"), REFUSALS)
def test_a_receipt_signed_by_the_centre_is_refused_unless_it_matches_an_export(
    tmp_path: Path,
    central: Central,
    camden: Store,
    honest: Path,
    changes: dict[str, Any],
    refusal: str,
) -> None:
    forged = forged_receipt(central, camden, honest, tmp_path / "forged.ccreceipt", **changes)
    before, status = digest(camden), sync_status(camden)
    with pytest.raises(KnownError, match=refusal):
        import_bundle(camden, forged)
    assert digest(camden) == before and sync_status(camden) == status
    assert status.acked_seq == 0  # nothing acknowledged
    # The honest receipt still works afterwards.
    import_bundle(camden, honest)
    assert sync_status(camden).acked_seq == exports(camden)[0].through_seq


def test_a_receipt_for_a_bundle_exported_before_the_log_is_refused_with_why(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    """A bundle exported by a ccodesk before schema 0010 (no log row; its number is taken)."""
    add_engagement(camden, "Camden PCCG: policing plan")
    path = tmp_path / "camden-1.ccbundle"
    export_bundle(camden, path)
    receipt = merged_receipt(central, path, tmp_path / "receipts")
    with camden.transaction() as s:  # as the 0010 migration leaves a device that had exported
        s.delete(s.get(ExportLog, exports(camden)[0].bundle_id))
    before, status = digest(camden), sync_status(camden)
    with pytest.raises(
        SyncError,
        match=r"^This receipt is for bundle 1, written before this device kept a log of its "
        r"exports, so it cannot be matched; nothing was changed\. The next export carries "
        r"those changes again\.$",
    ):
        import_bundle(camden, receipt)
    assert digest(camden) == before and sync_status(camden) == status
    # ...and the next export does carry them, and its receipt is taken.
    export_bundle(camden, tmp_path / "camden-2.ccbundle")
    import_bundle(camden, merged_receipt(central, tmp_path / "camden-2.ccbundle", tmp_path / "r"))
    assert sync_status(camden).awaiting == 0


def test_an_older_receipt_after_a_newer_one_acknowledges_nothing_less(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    engagement = add_engagement(camden, "Camden PCCG: policing plan")
    receipts = tmp_path / "receipts"
    export_bundle(camden, tmp_path / "b1.ccbundle")
    rename(camden, engagement, "Camden PCCG: policing plan (moved)")
    export_bundle(camden, tmp_path / "b2.ccbundle")
    first = merged_receipt(central, tmp_path / "b1.ccbundle", receipts)
    second = merged_receipt(central, tmp_path / "b2.ccbundle", receipts)
    import_bundle(camden, second)
    assert sync_status(camden).awaiting == 0
    import_bundle(camden, first)
    status = sync_status(camden)
    assert status.awaiting == 0 and status.acked_seq == exports(camden)[1].through_seq


# -- the centre: receipts encrypted to the device, or none -------------------------------------


def _bundle_with_recipient(
    tmp_path: Path, central: Central, camden: Store, recipient: object
) -> Path:
    """Camden's real bundle with its manifest's age_recipient replaced, re-signed by Camden."""
    add_engagement(camden, "Camden PCCG: policing plan")
    honest = tmp_path / "honest.ccbundle"
    export_bundle(camden, honest)
    members = members_of(honest.read_bytes(), central.identity)

    def edit(manifest: dict[str, Any]) -> None:
        if recipient is None:
            del manifest["age_recipient"]
        else:
            manifest["age_recipient"] = recipient

    crafted = tmp_path / "crafted.ccbundle"
    crafted.write_bytes(
        resigned(
            members, camden.signing_key(), [parse_recipient(central.recipient())], manifest=edit
        )
    )
    return crafted


BAD_RECIPIENTS = [
    pytest.param("garbage", r"age_recipient 'garbage'.* is not an age recipient", id="garbage"),
    pytest.param(
        "age1" + "q" * 58,
        r"age_recipient 'age1q{36}'.* is not an age recipient",
        id="bad-checksum",
    ),
    pytest.param(None, r"age_recipient", id="missing"),
    pytest.param(12345, r"age_recipient", id="number"),
    pytest.param("\x1b[31mage1\x00", r"age_recipient|NUL", id="escapes"),
    pytest.param("age1" * 3000, r"age_recipient", id="long"),
]


def check_refused_recipient(
    tmp_path: Path, central: Central, camden: Store, recipient: object, shown: str
) -> None:
    crafted = _bundle_with_recipient(tmp_path, central, camden, recipient)
    receipts = tmp_path / "receipts"
    before = digest(central)
    outcome = merge_bundle(central, crafted, receipts)
    assert not outcome.ok and outcome.receipt is None
    assert re.search(shown, outcome.message), outcome.message
    assert "\n" not in outcome.message and "\x1b" not in outcome.message
    assert digest(central) == before
    assert not receipts.exists() or not any(receipts.iterdir())


@pytest.mark.parametrize(("recipient", "shown"), BAD_RECIPIENTS)
def test_a_bundle_whose_receipt_cannot_be_encrypted_is_not_merged(
    tmp_path: Path, central: Central, camden: Store, recipient: object, shown: str
) -> None:
    check_refused_recipient(tmp_path, central, camden, recipient, shown)


def test_every_receipt_written_is_encrypted_to_the_sender(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    add_engagement(camden, "Camden PCCG: policing plan")
    export_bundle(camden, tmp_path / "b.ccbundle")
    receipt = merged_receipt(central, tmp_path / "b.ccbundle", tmp_path / "receipts")
    data = receipt.read_bytes()
    assert data.startswith(b"age-encryption.org/v1\n")
    assert "receipt.json" in members_of(data, device_identity(camden))


def test_a_device_s_receipt_key_is_pinned_at_its_first_merge(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    """A trusted key cannot redirect later receipts (or the reference bundle's entry for the
    device) to a recipient of its choosing: the first merged bundle's recipient is kept."""
    import pyrage

    add_engagement(camden, "Camden PCCG: policing plan")
    merged_receipt(central, export_bundle(camden, tmp_path / "b1.ccbundle").path, tmp_path / "r")
    with central.session() as s:
        (key,) = s.scalars(select(TrustedKey).where(TrustedKey.role == "device"))
        assert key.age_recipient == device_recipient(camden)
    other = str(pyrage.x25519.Identity.generate().to_public())
    add_engagement(camden, "Camden PCCG: knife crime")
    crafted = _bundle_with_recipient(tmp_path, central, camden, other)
    before = digest(central)
    outcome = merge_bundle(central, crafted, tmp_path / "r2")
    assert not outcome.ok and outcome.receipt is None
    assert outcome.message == (
        f"The bundle asks for its receipt to be encrypted to {other}, but this device's "
        f"receipts go to {device_recipient(camden)} (a device's receipt key never changes); "
        "nothing was merged."
    )
    assert digest(central) == before
    # The device's own next bundle still merges.
    merged_receipt(central, export_bundle(camden, tmp_path / "b3.ccbundle").path, tmp_path / "r")


def test_a_stored_unencrypted_receipt_is_not_handed_out_again(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    """A receipt an older centre stored unencrypted: merging the bundle again writes none."""
    import base64

    add_engagement(camden, "Camden PCCG: policing plan")
    path = tmp_path / "b.ccbundle"
    export_bundle(camden, path)
    receipt = merged_receipt(central, path, tmp_path / "first")
    plain = resigned(members_of(receipt.read_bytes(), device_identity(camden)),
                     central.signing_key, None)  # fmt: skip
    with central.transaction() as s:
        (row,) = s.scalars(select(BundleLog))
        row.receipt = base64.b64encode(plain).decode()
    outcome = merge_bundle(central, path, tmp_path / "again")
    assert outcome.ok and outcome.receipt is None
    assert outcome.message.endswith(
        "; no receipt written: the one stored is not encrypted to the device"
    )
    assert not (tmp_path / "again").exists() or not any((tmp_path / "again").iterdir())


def test_garbage_age_recipient_is_refused_on_postgres(pg_url: str, tmp_path: Path) -> None:
    central = init_central(
        tmp_path / "centre", new_database(pg_url, "receipt_recipient"), "MPA Central Unit"
    )
    camden = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    try:
        check_refused_recipient(tmp_path, central, camden, "garbage", BAD_RECIPIENTS[0].values[1])
        # The honest bundle still merges there, and its receipt is taken by the device.
        add_engagement(camden, "Camden PCCG: knife crime")
        export_bundle(camden, tmp_path / "next.ccbundle")
        receipt = merged_receipt(central, tmp_path / "next.ccbundle", tmp_path / "receipts")
        import_bundle(camden, receipt)
        assert sync_status(camden).awaiting == 0
        forged = forged_receipt(
            central, camden, receipt, tmp_path / "forged.ccreceipt", through_seq=10**9
        )
        with pytest.raises(KnownError, match="acknowledges changes up to 1,000,000,000"):
            import_bundle(camden, forged)
    finally:
        camden.close()
        central.close()


# -- the stock-tool proof: the keys age and ssh-keygen need ------------------------------------


def needs(*tools: str) -> pytest.MarkDecorator:
    missing = [t for t in tools if shutil.which(t) is None]
    return pytest.mark.skipif(
        bool(missing), reason=f"needs {', '.join(missing)} (Debian: openssh-client, age, unzip)"
    )


def central_cli(central: Central, *argv: str) -> int:
    from ccodesk.cli.central import main

    return main(["--home", str(central.home), *argv])


def test_the_centre_age_identity_is_written_only_when_confirmed_and_never_over_a_file(
    tmp_path: Path,
    central: Central,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = tmp_path / "centre.key"
    # No terminal to ask on, and no --yes: nothing is written.
    assert central_cli(central, "key", "export-age-identity", "-o", str(key)) == 1
    err = capsys.readouterr().err
    assert "whoever has the file can read every bundle" in err
    assert err.rstrip().endswith("Nothing was written: no terminal to confirm on (pass --yes).")
    assert not key.exists()
    # Asked on a terminal: "n" writes nothing, "y" writes it.
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    answers = iter(["n", "y"])
    monkeypatch.setattr("builtins.input", lambda _prompt: next(answers))
    assert central_cli(central, "key", "export-age-identity", "-o", str(key)) == 1
    assert capsys.readouterr().err.rstrip().endswith("Nothing was written.")
    assert not key.exists()
    assert central_cli(central, "key", "export-age-identity", "-o", str(key)) == 0
    assert "readable by you only" in capsys.readouterr().out
    assert key.stat().st_mode & 0o777 == 0o600
    lines = key.read_text().splitlines()
    assert lines[-1] == str(central.identity) and lines[-1].startswith("AGE-SECRET-KEY-1")
    assert f"# public key: {central.recipient()}" in lines
    assert not list(tmp_path.glob(".centre.key.*"))  # no temp file left beside it
    # Never over an existing file, even with --yes.
    written = key.read_bytes()
    assert central_cli(central, "key", "export-age-identity", "-o", str(key), "--yes") == 1
    assert capsys.readouterr().err.rstrip().endswith(f"{key} already exists; it was left as it is.")
    assert key.read_bytes() == written


def test_allowed_signers_has_the_centre_for_receipts_and_reference_bundles(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    signers = tmp_path / "allowed_signers"
    assert central_cli(central, "trust", "export-allowed-signers", "-o", str(signers)) == 0
    lines = signers.read_text().splitlines()
    assert len(lines) == 2
    device, centre = (line.split(" ", 2) for line in lines)
    assert device[0].startswith("camden-") and device[1] == 'namespaces="ccodesk-bundle"'
    assert centre[0].startswith("centre-")
    assert centre[1] == 'namespaces="ccodesk-receipt,ccodesk-bundle"'
    assert centre[2] == " ".join(central.public_key().split()[:2])


def _verify(signers: Path, principal: str, namespace: str, folder: Path) -> bool:
    with (folder / "SHA256SUMS").open("rb") as sums:
        done = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", principal,
             "-n", namespace, "-s", str(folder / "SHA256SUMS.sig")],
            stdin=sums, capture_output=True, text=True,
        )  # fmt: skip
    return done.returncode == 0


def _unpacked(data: bytes, folder: Path) -> Path:
    folder.mkdir()
    for name, content in members_of(data).items():
        (folder / name).write_bytes(content)
    return folder


@needs("age", "ssh-keygen")
def test_receipts_and_reference_bundles_verify_with_stock_tools_and_keys_only_for_their_purpose(
    tmp_path: Path, central: Central, camden: Store
) -> None:
    from ccodesk.cli.borough import main as cli
    from ccodesk.sync.central import reference_bundle

    add_engagement(camden, "Camden PCCG: policing plan")
    export_bundle(camden, tmp_path / "b.ccbundle")
    receipt = merged_receipt(central, tmp_path / "b.ccbundle", tmp_path / "receipts")
    camden_key = tmp_path / "camden.key"
    assert cli(["--data-dir", str(camden.data_dir), "key", "export-age-identity",
                "-o", str(camden_key), "--yes"]) == 0  # fmt: skip
    assert camden_key.stat().st_mode & 0o777 == 0o600
    plain = subprocess.run(["age", "-d", "-i", str(camden_key), str(receipt)],
                           capture_output=True, check=True).stdout  # fmt: skip
    signers = tmp_path / "allowed_signers"
    assert central_cli(central, "trust", "export-allowed-signers", "-o", str(signers)) == 0
    device, centre = (line.split()[0] for line in signers.read_text().splitlines())
    got = _unpacked(plain, tmp_path / "receipt")
    reference = _unpacked(reference_bundle(central), tmp_path / "reference")
    sent = _unpacked(
        pyrage_decrypt((tmp_path / "b.ccbundle").read_bytes(), central), tmp_path / "bundle"
    )
    assert _verify(signers, centre, "ccodesk-receipt", got)
    assert _verify(signers, centre, "ccodesk-bundle", reference)
    assert _verify(signers, device, "ccodesk-bundle", sent)
    # Each key only for what it may sign, and only under its own name.
    assert not _verify(signers, centre, "ccodesk-bundle", got)  # a receipt is not a bundle
    assert not _verify(signers, device, "ccodesk-receipt", got)
    assert not _verify(signers, centre, "ccodesk-bundle", sent)


def pyrage_decrypt(data: bytes, central: Central) -> bytes:
    import pyrage

    return bytes(pyrage.decrypt(data, [central.identity]))


def test_an_identity_file_on_a_stick_without_hard_links(
    tmp_path: Path, central: Central, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FAT has no hard links: the file is created exclusively instead, still never over one."""
    import errno

    import ccodesk.fileio
    from ccodesk.sync.central import write_age_identity

    def no_links(_src: object, _dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(ccodesk.fileio.os, "link", no_links)
    key = tmp_path / "stick" / "centre.key"
    write_age_identity(central, key)
    assert key.stat().st_mode & 0o777 == 0o600
    assert key.read_text().splitlines()[-1] == str(central.identity)
    assert [p.name for p in key.parent.iterdir()] == ["centre.key"]  # no temp file left
    key.write_text("someone else's file\n")
    with pytest.raises(KnownError, match=r"centre\.key already exists; it was left as it is\.$"):
        write_age_identity(central, key)
    assert key.read_text() == "someone else's file\n"
