"""The central unit's merge of one bundle: authenticate it against the trust list, merge it
in one transaction, and sign a receipt for the device that sent it (`ccodesk-central merge`).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyrage
from sqlalchemy import func, select

from ccodesk.errors import FileProblem, KnownError
from ccodesk.failures import file_boundary, stop_if_cancelled
from ccodesk.fileio import atomic_write_bytes
from ccodesk.models import BundleLog, DeviceState, TrustedKey, new_id
from ccodesk.sync import audit_heads, bundle, ownership, strict
from ccodesk.sync.central import Central
from ccodesk.sync.keys import parse_recipient
from ccodesk.sync.merge import NOT_MERGED, MergeResult, merge_records
from ccodesk.sync.records import collector_paused
from ccodesk.words import plural

log = logging.getLogger(__name__)

AGE_HEADER = b"age-encryption.org/v1\n"
MAX_RECIPIENT = 100  # an X25519 recipient is 62 characters


@dataclass
class MergeOutcome:
    path: Path
    ok: bool
    message: str
    receipt: Path | None = None
    result: MergeResult | None = None
    complete: bool = True  # False: merged, but its receipt could not be written


def merge_bundle(
    central: Central,
    path: Path,
    receipts: Path | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> MergeOutcome:
    """Decrypt, authenticate and merge one bundle in one transaction; write a signed receipt.

    `cancelled()` true raises `Cancelled` (not a rejection: nothing was merged, no receipt).
    """
    try:
        return _merge(central, path, receipts, cancelled)
    except KnownError as exc:
        log.info("rejected %s: %s", path, exc)
        return MergeOutcome(path, False, str(exc))


@collector_paused()
def _merge(
    central: Central, path: Path, receipts: Path | None, cancelled: Callable[[], bool]
) -> MergeOutcome:
    data = bundle.read_file(path)
    with central.session() as s:
        trusted_rows = {
            k.fingerprint: k
            for k in s.scalars(
                select(TrustedKey).where(
                    TrustedKey.role == "device", TrustedKey.revoked_at.is_(None)
                )
            )
        }
    opened = bundle.open_bundle(
        data, [central.identity], lambda fp, ns: ns == "ccodesk-bundle" and fp in trusted_rows
    )
    if opened.kind != "changes":
        raise bundle.BundleRejected(f"A {opened.kind} bundle cannot be merged by a central unit.")
    manifest = opened.manifest
    signer = trusted_rows[opened.signer]
    if signer.device_id and signer.device_id != manifest["device_id"]:
        raise bundle.BundleRejected("The bundle names another device than the key that signed it.")
    officer = str(manifest.get("officer", ""))
    if (
        signer.officer
        and " ".join(officer.split()).casefold() != " ".join(signer.officer.split()).casefold()
    ):
        raise bundle.BundleRejected(
            f"The bundle says it is from {officer!r}, but its key is trusted for "
            f"{signer.officer!r}."
        )
    if signer.borough_code and manifest.get("borough_code") != signer.borough_code:
        raise bundle.BundleRejected(
            f"The bundle says it is from {manifest.get('borough_code')}, but its key is trusted "
            f"for {signer.borough_code}."
        )
    recipient = _device_recipient(manifest)  # before anything is merged: no receipt, no merge
    if signer.age_recipient and signer.age_recipient != manifest["age_recipient"]:
        raise bundle.BundleRejected(
            f"The bundle asks for its receipt to be encrypted to {manifest['age_recipient']}, "
            f"but this device's receipts go to {signer.age_recipient} (a device's receipt key "
            "never changes); nothing was merged."
        )
    records = opened.records()
    with central.transaction() as s:
        # One merge at a time: the device_state row is the lock (PostgreSQL; SQLite's
        # BEGIN IMMEDIATE already serialises writers).
        s.execute(select(DeviceState).where(DeviceState.id == 1).with_for_update()).one()
        previous = s.get(BundleLog, manifest["bundle_id"])
        if previous is not None:
            if previous.content_hash != opened.content_hash:
                raise bundle.BundleRejected(
                    "A different bundle with this id was merged before: this one was altered."
                )
            receipt = base64.b64decode(previous.receipt or "")
            written = _write_receipt(receipts, manifest, receipt)
            unsent = (
                "; no receipt written: the one stored is not encrypted to the device"
                if receipts is not None and written is None
                else ""
            )
            return MergeOutcome(
                path,
                True,
                f"merged earlier ({previous.received_at:%Y-%m-%d %H:%M}): "
                f"{previous.applied:,} applied, {previous.already:,} already had, "
                f"{plural(previous.conflicts, 'conflict')}{unsent}",
                written,
            )
        last_seq = s.scalar(
            select(func.max(BundleLog.seq)).where(BundleLog.device_id == manifest["device_id"])
        )
        strict.seq_after(manifest["seq"], last_seq, "manifest.json")  # keeps `gaps` finite
        pinned = s.get(TrustedKey, signer.id)
        if pinned is None or pinned.revoked_at is not None:
            raise bundle.BundleRejected(
                f"The key {opened.signer} was revoked while the bundle was merged."
            )
        # First seen, then kept: the device a key signs for, and where its receipts go.
        pinned.device_id = pinned.device_id or manifest["device_id"]
        pinned.age_recipient = pinned.age_recipient or manifest["age_recipient"]
        change_seq = s.scalar(select(DeviceState.change_seq).where(DeviceState.id == 1))
        allowed = ownership.rules(
            s,
            manifest,
            sender_owner=signer.borough_code or "",
            receiver=central.config.central_id,
            receiver_owner=ownership.CENTRE,
            receiver_seq=int(change_seq or 0),
            sender_bound=int(manifest.get("through_seq", 0)),
        )
        result = merge_records(
            s,
            records,
            bundle_id=manifest["bundle_id"],
            authorise=allowed.authorise(),
            cancelled=cancelled,
        )
        receipt = _receipt(central, manifest, opened, result, recipient)
        rewritten = audit_heads.check_and_keep(s, manifest, dt.datetime.now())
        s.add(
            BundleLog(
                bundle_id=manifest["bundle_id"],
                content_hash=opened.content_hash,
                kind="changes",
                device_id=manifest["device_id"],
                borough_code=manifest.get("borough_code"),
                seq=manifest["seq"],
                signer=opened.signer,
                received_at=dt.datetime.now(),
                applied=result.applied,
                already=result.already,
                conflicts=result.conflicts,
                up_to_seq=int(manifest.get("through_seq", 0)),
                receipt=base64.b64encode(receipt).decode(),
            )
        )
        stop_if_cancelled(cancelled, NOT_MERGED)  # the last moment before the commit
    said = (
        f"merged: {result.applied:,} applied, {result.already:,} already had, "
        f"{plural(result.conflicts, 'conflict')}"
        + (f"; AUDIT TRAIL REWRITTEN on this device: {rewritten}" if rewritten else "")
    )
    try:
        written = _write_receipt(receipts, manifest, receipt)
    except FileProblem as exc:  # the merge stands; merging again writes the stored receipt
        return MergeOutcome(
            path,
            True,
            f"{said}; but no receipt was written: {exc} Merge the bundle again to write it.",
            None,
            result,
            complete=False,
        )
    return MergeOutcome(path, True, said, written, result)


def _device_recipient(manifest: dict[str, object]) -> pyrage.x25519.Recipient:
    """The sender's age recipient, parsed, or BundleRejected: a receipt is never unencrypted."""
    text = manifest.get("age_recipient")
    if isinstance(text, str) and len(text) <= MAX_RECIPIENT:
        with contextlib.suppress(KnownError):
            return parse_recipient(text)
    shown = "".join(c if c.isprintable() else "?" for c in str(text)[:40])
    raise bundle.BundleRejected(
        f"The manifest's age_recipient {shown!r} is not an age recipient (age1…), so no receipt "
        "could be encrypted to the device; nothing was merged."
    )


def _receipt(
    central: Central,
    manifest: dict[str, object],
    opened: bundle.OpenedBundle,
    result: MergeResult,
    recipient: pyrage.x25519.Recipient,
) -> bytes:
    doc = {
        "bundle_id": manifest["bundle_id"],
        "content_hash": opened.content_hash,
        "device_id": manifest["device_id"],
        "borough_code": manifest.get("borough_code"),
        "seq": manifest["seq"],
        "through_seq": manifest.get("through_seq", 0),
        "applied": result.applied,
        "already": result.already,
        "conflicts": result.conflicts,
        "merged_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    receipt_manifest = {
        "format": bundle.FORMAT,
        "kind": "receipt",
        "bundle_id": new_id(),
        "device_id": central.config.central_id,
        "seq": int(manifest["seq"]),  # type: ignore[call-overload]
        "created": doc["merged_at"],
    }
    return bundle.build(
        receipt_manifest,
        {"receipt.json": json.dumps(doc, indent=2).encode()},
        central.signing_key,
        [recipient],
    )


def _write_receipt(
    directory: Path | None, manifest: dict[str, object], receipt: bytes
) -> Path | None:
    if directory is None or not receipt:
        return None
    if not receipt.startswith(AGE_HEADER):  # stored by an older ccodesk: never hand it out
        log.warning("receipt for %s not written: it is not encrypted", manifest["bundle_id"])
        return None
    borough = manifest.get("borough_code") or "device"
    name = f"receipt-{borough}-{manifest['seq']}-{str(manifest['bundle_id'])[:8]}.ccreceipt"
    with file_boundary(directory / name):
        directory.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(directory / name, receipt)
    return directory / name
