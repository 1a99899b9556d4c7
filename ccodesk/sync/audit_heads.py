"""The audit trail's head in a changes bundle, and the centre's check that a device's trail
still extends what it sent before (issue 15; docs/bundle-format.md §3 and §12).

A device writes its trail's head (the last event's id and hash) into each bundle's manifest,
with the hash its trail holds *now* at the heads of its recent earlier bundles. The centre
keeps the head each device last sent; when a later bundle shows that event with another hash,
or gone, or the trail ending before it, the device's history was rewritten after it was sent:
the merge line says so and `ccodesk-central status` lists the device until looked at. The
records are still merged: a rewritten audit trail is a matter for the data protection officer,
not a reason to lose a borough's work.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.models import AuditEvent, AuditHead, ExportLog
from ccodesk.store import audit_chain

MAX_EARLIER = 64  # earlier heads a manifest carries (a bundle lost in the post costs nothing)


def manifest_field(session: Session) -> dict[str, Any]:
    """The manifest's `audit` object for a bundle written now."""
    head_id, head_hash = audit_chain.head(session)
    # heads before the anchor were purged under the retention schedule, not rewritten: they
    # are left out (the centre then cannot tell, rather than told "gone")
    first_kept = audit_chain.anchor(session)[0] + 1
    ids = list(
        session.scalars(
            select(ExportLog.audit_head_id)
            .where(ExportLog.audit_head_id.is_not(None), ExportLog.audit_head_id >= first_kept)
            .group_by(ExportLog.audit_head_id)
            .order_by(ExportLog.audit_head_id.desc())
            .limit(MAX_EARLIER)
        )
    )
    rows = session.execute(select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.id.in_(ids)))
    found = {int(i): str(h) for i, h in rows}
    return {
        "head_id": head_id,
        "head_hash": head_hash,
        "earlier": [{"id": i, "hash": found.get(i)} for i in ids if i is not None],
    }


def _rewritten(kept: AuditHead, audit: dict[str, Any]) -> str | None:
    """What shows the trail no longer extends `kept` (None: it does, or cannot be told)."""
    head_id, head_hash = int(audit["head_id"]), str(audit["head_hash"])
    sent = f"bundle {kept.bundle_seq} reported"
    if head_id < kept.head_id:
        return f"the trail now ends at event {head_id}, before event {kept.head_id} that {sent}"
    if head_id == kept.head_id:
        if head_hash != kept.head_hash:
            return f"event {head_id} now has another hash than {sent}"
        return None
    for entry in audit.get("earlier", []):
        if entry["id"] == kept.head_id:
            if entry["hash"] is None:
                return f"event {kept.head_id}, which {sent} as its last, is gone"
            if entry["hash"] != kept.head_hash:
                return f"event {kept.head_id} now has another hash than {sent}"
    return None


def check_and_keep(session: Session, manifest: dict[str, Any], now: dt.datetime) -> str | None:
    """Compare a merged bundle's audit head with the device's last one, then keep the newer.

    Returns what shows a rewritten history, or None. A bundle older than the one whose head is
    kept (a lost e-mail arriving late) is not compared.
    """
    audit = manifest.get("audit")
    if not isinstance(audit, dict):
        return None
    device, seq = str(manifest["device_id"]), int(manifest["seq"])
    kept = session.get(AuditHead, device)
    if kept is None:
        session.add(
            AuditHead(
                device_id=device,
                borough_code=manifest.get("borough_code"),
                bundle_seq=seq,
                head_id=int(audit["head_id"]),
                head_hash=str(audit["head_hash"]),
                seen_at=now,
                rewritten="",
            )
        )
        return None
    if seq < kept.bundle_seq:
        return None
    problem = _rewritten(kept, audit)
    if problem is not None and kept.rewritten_at is None:
        kept.rewritten_at = now
        kept.rewritten = f"{problem} (seen in bundle {seq})"
    kept.bundle_seq = seq
    kept.head_id = int(audit["head_id"])
    kept.head_hash = str(audit["head_hash"])
    kept.seen_at = now
    return problem


def rewritten_trails(session: Session) -> list[AuditHead]:
    """The devices whose audit trail was seen rewritten, by borough."""
    return list(
        session.scalars(
            select(AuditHead)
            .where(AuditHead.rewritten_at.is_not(None))
            .order_by(AuditHead.borough_code, AuditHead.device_id)
        )
    )
