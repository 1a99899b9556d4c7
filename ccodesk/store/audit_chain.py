"""The audit trail's hash chain (issue 15): each event carries the hash of the one before it.

``hash = sha256(prev_hash || canonical JSON of the event's fields)``, where the fields are
the event's id, time, device, officer, entity, record id, action, changed fields (as the JSON
text the store holds) and summary. Altering an event changes its hash, so the next event no
longer points at it; deleting one leaves the next pointing at a hash that is not there. The
chain does not stop someone with the key rewriting every later event too; that is what the
head in each bundle's manifest is for (the centre notices a history that no longer extends
what the device sent before; docs/bundle-format.md §3).

Written by the store layer for every new `AuditEvent` in a flush (`link_new`), whoever added
it; read back by `services.audit.verify`.

After the retention schedule purged old events
(`services.retention`), the chain starts at the anchor (`AuditAnchor`: the first event kept
and the hash it links back to); the anchor is as editable as the events, so the centre's
record of each bundle's head remains the check on a history cut short.

An erasure (services/erasure.py) blanks the summary of each event that named the person and
sets its `redacted_at`: that event's hash can no longer be recomputed, so it is checked by its
links (its `prev_hash` is the previous event's hash, the next event points at its stored
hash). Each redaction is itself a new event in the chain (`redaction_event`: action
'redact', record kind 'audit_event', the redacted event's id) whose summary carries the hash
of the redacted event's other fields (`kept_fields_hash`); `verify` refuses a redacted event
that no later 'redact' event names, or whose other fields no longer hash to what it says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from ccodesk.models import AuditEvent

GENESIS = "0" * 64  # the "previous hash" of the first event
# The canonical JSON: no spaces, text as itself. The C encoder is built once: json.dumps
# builds one for every call, which was half of what `audit verify` spent an event.
_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_c_encoder = (
    c_make_encoder(None, None, encode_basestring, None, ":", ",", False, False, True)
    if c_make_encoder is not None
    else None
)


def canonical(fields: list[Any]) -> str:
    """`fields` (ints and text) as canonical JSON: `json.dumps(fields, ensure_ascii=False,
    separators=(",", ":"))`."""
    if _c_encoder is not None:
        return "".join(_c_encoder(fields, 0))
    return _json.encode(fields)


REDACT_ACTION = "redact"
REDACT_ENTITY = "audit_event"
_REDACTION_SUMMARY = "Summary blanked after an erasure; the event's other fields hash to "


def kept_fields_hash(fields: list[Any]) -> str:
    """The hash of an event's fields but its summary (id, time, device, officer, record kind,
    record id, action, changed fields: the first eight of `event_hash`'s, as stored)."""
    kept = [fields[0], at_text(fields[1]), *fields[2:7], changes_text(fields[7])]
    return hashlib.sha256(canonical(kept).encode()).hexdigest()


def redaction_event(
    redacted: AuditEvent, at: dt.datetime, device_id: str, officer: str
) -> AuditEvent:
    """The event that records `redacted`'s summary being blanked (chained like any other)."""
    fields = [
        redacted.id,
        redacted.at,
        redacted.device_id,
        redacted.officer,
        redacted.entity,
        redacted.entity_id,
        redacted.action,
        redacted.changes,
    ]
    return AuditEvent(
        at=at,
        device_id=device_id,
        officer=officer,
        entity=REDACT_ENTITY,
        entity_id=str(redacted.id),
        action=REDACT_ACTION,
        changes=["summary"],
        summary=_REDACTION_SUMMARY + kept_fields_hash(fields),
    )


def redaction_says(summary: str) -> str:
    """The hash a 'redact' event's summary states ("" when it states none)."""
    return (
        summary.removeprefix(_REDACTION_SUMMARY) if summary.startswith(_REDACTION_SUMMARY) else ""
    )


_HEAD = text("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1")
_ANCHOR = text("SELECT first_id, prev_hash FROM audit_anchor WHERE id = 1")


def at_text(value: Any) -> str:
    """An event's time as the store keeps it (SQLAlchemy's SQLite form, microseconds)."""
    if isinstance(value, str):
        return value
    assert isinstance(value, dt.datetime)
    return value.isoformat(sep=" ", timespec="microseconds")


def changes_text(value: Any) -> str:
    """The changed fields as the JSON text the store keeps."""
    return value if isinstance(value, str) else json.dumps(value)


def event_hash(
    prev_hash: str,
    event_id: int,
    at: Any,
    device_id: str,
    officer: str,
    entity: str,
    entity_id: str,
    action: str,
    changes: Any,
    summary: str,
) -> str:
    """The hash of one event, chained to `prev_hash`."""
    fields = [
        event_id,
        at_text(at),
        device_id,
        officer,
        entity,
        entity_id,
        action,
        changes_text(changes),
        summary,
    ]
    return hashlib.sha256((prev_hash + canonical(fields)).encode()).hexdigest()


def anchor(session: Session) -> tuple[int, str]:
    """Where the chain starts: the first event's id less one and the hash it links to (0 and
    GENESIS, or the anchor a retention purge left: `AuditAnchor`)."""
    row = session.execute(_ANCHOR).first()
    if row is None:
        return 0, GENESIS
    return int(row[0]) - 1, str(row[1])


def head(session: Session) -> tuple[int, str]:
    """The latest event's id and hash (for an empty trail: where it starts, `anchor`)."""
    row = session.execute(_HEAD).first()
    if row is None:
        return anchor(session)
    return int(row[0]), str(row[1] or GENESIS)


def link_new(session: Session) -> None:
    """Number and chain the audit events about to be inserted, in the order they were added.

    Called from the store's `before_flush`, after the sync metadata's own events are added.
    The ids are given here rather than by the database so the hash can cover them; a second
    writer racing for the same id fails on the primary key instead of forking the chain.
    """
    events = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not events:
        return
    last_id, last_hash = head(session)
    for event in events:
        last_id += 1
        event.id = last_id
        if event.changes is None:
            event.changes = []
        if event.summary is None:
            event.summary = ""
        event.prev_hash = last_hash
        event.hash = event_hash(
            last_hash,
            last_id,
            event.at,
            event.device_id,
            event.officer,
            event.entity,
            event.entity_id,
            event.action,
            event.changes,
            event.summary,
        )
        last_hash = event.hash
