"""A borough device's bundles in: the centre's receipts and reference bundles, a colleague's
changes (`ccodesk-cli sync import`, the desktop's Sync page)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccodesk.failures import stop_if_cancelled
from ccodesk.models import (
    BundleLog,
    DeviceState,
    ExportLog,
    Topic,
    TrustedKey,
)
from ccodesk.store import Store
from ccodesk.sync import bundle, sshsig, strict
from ccodesk.sync.device import SyncError, centre_key, device_identity
from ccodesk.sync.keys import parse_recipient
from ccodesk.sync.merge import MergeResult, merge_records
from ccodesk.sync.ownership import CENTRE, OwnershipRefused, Rules
from ccodesk.sync.ownership import rules as ownership_rules
from ccodesk.sync.records import collector_paused
from ccodesk.words import plural

log = logging.getLogger(__name__)

NOT_IMPORTED = "Import cancelled; nothing was changed."


# -- import ------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    kind: str
    summary: str
    merge: MergeResult | None = None


@dataclass(frozen=True)
class BundlePreview:
    """An authenticated bundle before anything is imported: what it is and who signed it."""

    kind: str  # "receipt", "reference" or "changes"
    signer: str  # the signing key's fingerprint
    sender: str  # the central unit's or officer's name, as the bundle gives it
    needs_confirmation: bool  # a centre seen for the first time: its fingerprint must be confirmed


def preview_bundle(store: Store, path: Path) -> BundlePreview:
    """Open and authenticate `path` without importing it (BundleRejected as import would)."""
    opened, pinned = _open(store, path)
    sender = str(opened.manifest.get("officer") or "")
    if opened.kind == "reference":
        reference = opened.json_member("reference.json")
        centre = reference.get("centre")
        if isinstance(centre, dict):
            sender = str(centre.get("name") or "the central unit")[:120]
    return BundlePreview(
        opened.kind, opened.signer, sender, opened.kind == "reference" and pinned is None
    )


def import_bundle(
    store: Store,
    path: Path,
    *,
    confirm_centre: Callable[[str], bool] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> ImportResult:
    """Import a receipt, a reference bundle or a colleague's bundle addressed to this device.

    `confirm_centre(fingerprint)` is asked before a centre key is pinned for the first time.
    `cancelled()` true stops the import with `Cancelled`, nothing changed (rolled back).
    """
    opened, pinned = _open(store, path)
    stop_if_cancelled(cancelled, NOT_IMPORTED)
    if opened.kind == "receipt":
        return _import_receipt(store, opened)
    if opened.kind == "reference":
        return _import_reference(store, opened, pinned, confirm_centre, cancelled)
    return _import_changes(store, opened, cancelled)


def _open(store: Store, path: Path) -> tuple[bundle.OpenedBundle, TrustedKey | None]:
    """Read, decrypt and authenticate a bundle; also the pinned centre key, if any."""
    data = bundle.read_file(path)
    with store.session() as session:
        pinned = centre_key(session)
        devices = {
            k.fingerprint: k.borough_code
            for k in session.scalars(
                select(TrustedKey).where(
                    TrustedKey.role == "device", TrustedKey.revoked_at.is_(None)
                )
            )
        }
    first_centre: list[str] = []

    def trusted(fingerprint: str, namespace: str) -> bool:
        if pinned is not None and fingerprint == pinned.fingerprint:
            return True
        if namespace == "ccodesk-bundle" and fingerprint in devices:
            if devices[fingerprint] != store.borough_code:  # ownership: colleagues only
                raise OwnershipRefused(
                    f"The bundle is signed by {fingerprint}, a device of "
                    f"{devices[fingerprint] or 'no borough'}: this device takes colleague "
                    f"bundles only from devices of {store.borough_code or 'no borough'}; "
                    "nothing was imported."
                )
            return True
        if pinned is None and namespace == "ccodesk-bundle":
            first_centre.append(fingerprint)  # checked against reference.json below
            return True
        return False

    opened = bundle.open_bundle(data, [device_identity(store)], trusted)
    if first_centre and opened.kind != "reference":
        raise bundle.BundleRejected(
            f"The bundle is signed by {opened.signer}, a key this store does not trust."
        )
    return opened, pinned


def _logged(session: Session, opened: bundle.OpenedBundle) -> BundleLog | None:
    entry = session.get(BundleLog, opened.manifest["bundle_id"])
    if entry is not None and entry.content_hash != opened.content_hash:
        raise bundle.BundleRejected(
            "A different bundle with this bundle's id was imported before: this one was altered."
        )
    return entry


def _log(session: Session, opened: bundle.OpenedBundle, result: MergeResult | None) -> None:
    m = opened.manifest
    session.add(
        BundleLog(
            bundle_id=m["bundle_id"],
            content_hash=opened.content_hash,
            kind=opened.kind,
            device_id=m["device_id"],
            borough_code=m.get("borough_code"),
            seq=m["seq"],
            signer=opened.signer,
            received_at=dt.datetime.now(),
            applied=result.applied if result else 0,
            already=result.already if result else 0,
            conflicts=result.conflicts if result else 0,
            up_to_seq=int(m.get("through_seq", 0) or 0),
        )
    )


def _import_receipt(store: Store, opened: bundle.OpenedBundle) -> ImportResult:
    receipt = opened.json_member("receipt.json")
    if receipt.get("device_id") != store.device_id:
        raise SyncError("This receipt is for another device's bundle; nothing was changed.")
    through = receipt.get("through_seq")
    if type(through) is not int or through < 0:  # bool is an int; 1.5e300 is not
        raise bundle.BundleRejected("The receipt's through_seq is malformed.")
    with store.transaction() as session:
        if _logged(session, opened) is not None:
            return ImportResult("receipt", "This receipt was imported before; nothing changed.")
        exported = _exported_for(session, receipt, through)
        device = session.scalars(select(DeviceState)).one()
        before = device.acked_seq
        device.acked_seq = max(device.acked_seq, min(through, device.change_seq))
        device.last_receipt_at = dt.datetime.now()
        if exported.receipt_at is None:
            exported.receipt_at = device.last_receipt_at
        _log(session, opened, None)
        pending = device.change_seq - device.acked_seq
    return ImportResult(
        "receipt",
        f"Receipt for bundle {receipt.get('seq')}: the centre merged "
        f"{plural(_count(receipt.get('applied')), 'change')} "
        f"({plural(_count(receipt.get('conflicts')), 'conflict')}). Acknowledged up to change "
        f"{max(before, through):,}; {plural(pending, 'change')} still to send.",
    )


def _count(value: object) -> int:
    """A count a receipt reports, for display only: anything but a whole number shows as 0."""
    return value if type(value) is int and 0 <= value < 2**63 else 0


def _exported_for(session: Session, receipt: dict[str, Any], through: int) -> ExportLog:
    """The export a receipt answers (same id, number and content), or SyncError.

    A receipt is taken only for a bundle this device wrote, and acknowledges no more than that
    bundle carried: a centre's signature alone cannot acknowledge changes never sent to it.
    """
    bundle_id, seq = receipt.get("bundle_id"), receipt.get("seq")
    entry = (
        session.get(ExportLog, bundle_id)
        if isinstance(bundle_id, str) and len(bundle_id) <= 36
        else None
    )
    if entry is None:
        taken = int(session.scalar(select(DeviceState.bundle_seq)) or 0)
        if (
            type(seq) is int
            and 0 < seq <= taken  # a number this device took, so within the column's range
            and session.scalar(select(ExportLog.bundle_id).where(ExportLog.seq == seq)) is None
        ):
            raise SyncError(  # exported by a ccodesk that kept no export log (schema < 0010)
                f"This receipt is for bundle {seq}, written before this device kept a log of "
                "its exports, so it cannot be matched; nothing was changed. The next export "
                "carries those changes again."
            )
        raise SyncError(
            f"This receipt is for bundle {_shown(bundle_id)}, which this device never exported; "
            "nothing was changed."
        )
    if type(seq) is not int or seq != entry.seq:
        raise SyncError(
            f"This receipt calls bundle {entry.bundle_id[:8]} number {_shown(seq)}, but this "
            f"device exported it as number {entry.seq}; nothing was changed."
        )
    if receipt.get("content_hash") != entry.content_hash:
        raise SyncError(
            f"This receipt is for other content than bundle {entry.seq} this device exported; "
            "nothing was changed."
        )
    if through != entry.through_seq:
        raise SyncError(
            f"This receipt acknowledges changes up to {through:,}, but bundle {entry.seq} "
            f"carried changes up to {entry.through_seq:,} only; nothing was changed."
        )
    return entry


def _shown(value: object) -> str:
    """A value from a receipt, short and printable, for a refusal line."""
    if isinstance(value, str):
        text = value
    elif type(value) is int:
        text = str(value) if abs(value) < 10**40 else "a number of over 40 digits"
    else:
        text = type(value).__name__
    return repr("".join(c if c.isprintable() else "?" for c in text[:40]))


def _import_reference(
    store: Store,
    opened: bundle.OpenedBundle,
    pinned: TrustedKey | None,
    confirm_centre: Callable[[str], bool] | None,
    cancelled: Callable[[], bool],
) -> ImportResult:
    reference = opened.json_member("reference.json")
    centre = reference.get("centre")
    if not isinstance(centre, dict) or not isinstance(centre.get("public_key"), str):
        raise bundle.BundleRejected("reference.json does not name its centre.")
    declared = sshsig.fingerprint(centre["public_key"])
    if declared != opened.signer:
        raise bundle.BundleRejected("The reference bundle is not signed by the centre it names.")
    if pinned is not None and pinned.fingerprint != opened.signer:
        raise bundle.BundleRejected(
            f"This reference bundle is signed by {opened.signer}, not by the centre this store "
            f"trusts ({pinned.fingerprint}); nothing was changed."
        )
    if pinned is None and (confirm_centre is None or not confirm_centre(opened.signer)):
        raise SyncError(f"The centre's key {opened.signer} was not confirmed; nothing was changed.")
    recipient = centre.get("age_recipient")
    if not isinstance(recipient, str):
        raise bundle.BundleRejected("reference.json does not give the centre's age recipient.")
    parse_recipient(recipient)
    keys = reference.get("trusted_keys", [])
    topics = reference.get("topics", [])
    if not isinstance(keys, list) or not isinstance(topics, list):
        raise bundle.BundleRejected("reference.json is malformed.")
    records = opened.records()
    with store.transaction() as session:
        if _logged(session, opened) is not None:
            return ImportResult("reference", "This reference bundle was imported before.")
        now = dt.datetime.now()
        if pinned is None:
            session.add(
                TrustedKey(
                    fingerprint=opened.signer,
                    public_key=centre["public_key"],
                    role="centre",
                    borough_code=None,
                    officer=str(centre.get("name", "Central unit"))[:120],
                    device_id=opened.manifest["device_id"],
                    age_recipient=recipient,
                    added_at=now,
                )
            )
        else:
            pinned_row = session.get(TrustedKey, pinned.id)
            assert pinned_row is not None
            if pinned_row.device_id not in (None, opened.manifest["device_id"]):
                raise bundle.BundleRejected(
                    "The reference bundle names another central unit than the one this store "
                    "trusts; nothing was changed."
                )
            pinned_row.device_id = opened.manifest["device_id"]
            pinned_row.age_recipient = recipient
        added = _replace_device_keys(session, keys, store, now)
        for topic in topics:
            _upsert_topic(session, topic)
        device = session.scalars(select(DeviceState)).one()
        from_centre = ownership_rules(  # the centre's own records only: ownership.py
            session,
            opened.manifest,
            sender_owner=CENTRE,
            receiver=store.device_id,
            receiver_owner=store.borough_code or "",
            receiver_seq=device.change_seq,
            sender_bound=None,
        )
        merge = merge_records(
            session,
            records,
            bundle_id=opened.manifest["bundle_id"],
            authorise=from_centre.authorise(),
            cancelled=cancelled,
        )
        _log(session, opened, merge)
        stop_if_cancelled(cancelled, NOT_IMPORTED)  # the last moment before the commit
    RECORDS = "timetable entries and other records"
    return ImportResult(
        "reference",
        f"Reference bundle from {centre.get('name', 'the centre')} ({opened.signer}): "
        f"{plural(added, 'trusted colleague key')}, {plural(len(topics), 'topic')}, "
        f"{plural(merge.applied, 'timetable entry or other record', RECORDS)}.",
        merge,
    )


def _replace_device_keys(session: Session, keys: list[Any], store: Store, now: dt.datetime) -> int:
    existing = {
        k.fingerprint: k
        for k in session.scalars(select(TrustedKey).where(TrustedKey.role == "device"))
    }
    seen = set()
    for entry in keys:
        if not isinstance(entry, dict) or not isinstance(entry.get("public_key"), str):
            raise bundle.BundleRejected("reference.json lists a malformed key.")
        fp = sshsig.fingerprint(entry["public_key"])
        if entry.get("device_id") == store.device_id:
            continue  # this device itself
        if entry.get("borough_code") != store.borough_code:
            continue  # another borough's device: never a colleague here (ownership.py)
        seen.add(fp)
        row = existing.get(fp)
        if row is None:
            session.add(
                TrustedKey(
                    fingerprint=fp,
                    public_key=entry["public_key"],
                    role="device",
                    borough_code=entry.get("borough_code"),
                    officer=str(entry.get("officer", ""))[:120],
                    device_id=entry.get("device_id"),
                    age_recipient=entry.get("age_recipient"),
                    added_at=now,
                )
            )
        else:
            row.revoked_at = None
    for fp, row in existing.items():
        if fp not in seen and row.revoked_at is None:
            row.revoked_at = now  # the centre no longer trusts it
    return len(seen)


def _upsert_topic(session: Session, topic: Any) -> None:
    if not isinstance(topic, dict) or not isinstance(topic.get("code"), str):
        raise bundle.BundleRejected("reference.json lists a malformed topic.")
    row = session.get(Topic, topic["code"][:40])
    name = str(topic.get("name", topic["code"]))[:80]
    sensitive = [str(s)[:40] for s in topic.get("sensitive_for", []) if isinstance(s, str)]
    if row is None:
        session.add(Topic(code=topic["code"][:40], name=name, sensitive_for=sensitive))
    else:
        row.name = name
        row.sensitive_for = sensitive


@collector_paused()
def _import_changes(
    store: Store, opened: bundle.OpenedBundle, cancelled: Callable[[], bool]
) -> ImportResult:
    manifest = opened.manifest
    if manifest["device_id"] == store.device_id:
        raise SyncError("This is one of this device's own bundles; there is nothing to import.")
    records = opened.records()
    with store.transaction() as session:
        if _logged(session, opened) is not None:
            return ImportResult("changes", "This bundle was imported before; nothing changed.")
        _check_seq(session, manifest)
        merge = merge_records(
            session,
            records,
            bundle_id=manifest["bundle_id"],
            authorise=_colleague_rules(session, store, opened).authorise(),
            cancelled=cancelled,
        )
        _log(session, opened, merge)
        stop_if_cancelled(cancelled, NOT_IMPORTED)  # the last moment before the commit
    who = manifest.get("officer") or manifest["device_id"]
    return ImportResult(
        "changes",
        f"Bundle {manifest['seq']} from {who}: {merge.applied:,} applied, {merge.already:,} "
        f"already had, {plural(merge.conflicts, 'conflict')}.",
        merge,
    )


def _check_seq(session: Session, manifest: dict[str, Any]) -> None:
    """A colleague's bundle number within reach of the last one taken from it (as at the centre)."""
    last = session.scalar(
        select(func.max(BundleLog.seq)).where(BundleLog.device_id == manifest["device_id"])
    )
    try:
        strict.seq_after(manifest["seq"], last, "manifest.json")
    except strict.StrictError as exc:
        raise bundle.BundleRejected(str(exc)) from exc


def _colleague_rules(session: Session, store: Store, opened: bundle.OpenedBundle) -> Rules:
    """What a colleague's bundle may change here: its own borough's records (ownership.py)."""
    manifest = opened.manifest
    signer = session.scalars(
        select(TrustedKey).where(TrustedKey.fingerprint == opened.signer)
    ).first()
    if signer is None or signer.borough_code != store.borough_code:  # checked in _open too
        raise OwnershipRefused("The bundle is not signed by a colleague of this borough.")
    if signer.device_id and signer.device_id != manifest["device_id"]:
        raise bundle.BundleRejected("The bundle names another device than the key that signed it.")
    device = session.scalars(select(DeviceState)).one()
    return ownership_rules(
        session,
        manifest,
        sender_owner=store.borough_code or "",
        receiver=store.device_id,
        receiver_owner=store.borough_code or "",
        receiver_seq=device.change_seq,
        sender_bound=int(manifest.get("through_seq", 0)),
    )
