"""Who may change what: ownership of synced records and bounded clocks (docs/bundle-format.md,
"Ownership and clocks").

A signature says which trusted device sent a bundle; these rules decide what that device may
change. They run inside `merge_records`, after the stored versions of the bundle's records
are read (one query per entity) and before anything is written:

* every synced record belongs to the owner of the device that created it (its stored
  `origin_device`, never what a bundle claims): a borough, or the centre;
* a record that would change the store (not dominated by the stored version) is accepted only
  from a device of its owner; a new record's claimed origin must be a device of the sender's
  own owner, and an existing record's origin cannot be rewritten;
* its version vector may count changes only of devices of that owner, each no further than
  that device can have published: the sender's own counter up to its manifest's
  `through_seq`, the receiver's own up to its `change_seq`, any other up to the highest
  `through_seq` the receiver logged from it or the sender says it took in from it
  (`relayed`, for a BLO's records passed on by the CCO);
* its clock stamp no later than the bundle's `created` time plus `SKEW`, and `created` no
  later than the receiver's clock plus `SKEW`;
* a record may refer only to records of its own owner or of the centre.

One refused record refuses the whole bundle, with one line naming it and the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccodesk.models import BundleLog, TrustedKey
from ccodesk.sync.bulk import among
from ccodesk.sync.merge import Authorise, MergeRefused, Seen, dominates
from ccodesk.sync.records import CHILD_PARENT_COLUMN, CHILDREN, ENTITIES, Record

CENTRE = "the centre"  # the owner of reference data and the corporate timetable
SKEW = dt.timedelta(hours=24)  # how far a clock may run ahead of the bundle, or of the receiver
MAX_RELAYED = 1000  # devices a manifest's `relayed` may name
MAX_COUNTER = 2**62


class OwnershipRefused(MergeRefused):
    """A bundle tried to change what its sender may not (or with clocks it cannot have)."""


def _references() -> dict[str, list[tuple[str | None, str, str]]]:
    """Per entity: (child table or None for the row itself, column, referred entity)."""
    found: dict[str, list[tuple[str | None, str, str]]] = {name: [] for name in ENTITIES}
    for name, table in ENTITIES.items():
        places: list[tuple[str | None, Any]] = [(None, table)]
        places += [(child.name, child) for child in CHILDREN[name]]
        for child_name, where in places:
            for column in where.columns:
                if child_name is not None and column.name == CHILD_PARENT_COLUMN[child_name]:
                    continue
                for fk in column.foreign_keys:
                    target = fk.column.table.name
                    if target in ENTITIES and column.name not in ("id",):
                        found[name].append((child_name, column.name, target))
    return found


REFERENCES = _references()


@dataclass(frozen=True)
class Rules:
    """What the receiver knows when it judges one bundle."""

    sender: str  # the sending device's id (the manifest's, matched to the signing key)
    sender_owner: str  # its borough code, or CENTRE
    owners: Mapping[str, str]  # device id → borough code or CENTRE, for every known device
    published: Mapping[str, int]  # device id → the highest change number it can have published
    sender_bound: int | None  # the sender's own counters' bound (its through_seq); None: none
    created: dt.datetime  # the bundle's creation time (aware, UTC)

    def authorise(self) -> Authorise:
        def check(session: Session, seen: Mapping[str, Seen]) -> None:
            _check(session, self, seen)

        return check


def _label(owner: str | None) -> str:
    if owner is None:
        return "an unknown device"
    return CENTRE if owner == CENTRE else (owner or "no borough")


def created_at(manifest: Mapping[str, Any], now: dt.datetime | None = None) -> dt.datetime:
    """The manifest's `created`, checked against the receiver's clock (OwnershipRefused)."""
    value = manifest.get("created")
    try:
        created = dt.datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise OwnershipRefused("The manifest's creation time is not a date and time.") from exc
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    if created > now + SKEW:
        raise OwnershipRefused(
            f"The bundle says it was written at {created:%Y-%m-%d %H:%M} UTC, more than "
            f"{_hours(SKEW)} hours after this computer's clock ({now:%Y-%m-%d %H:%M} UTC); "
            "nothing was merged. Check the sender's clock."
        )
    return created


def _hours(span: dt.timedelta) -> int:
    return int(span.total_seconds() // 3600)


def device_owners(session: Session) -> dict[str, str]:
    """Every device id the trust list knows → its borough (revoked keys included: what a
    device wrote before its key was revoked is still its borough's)."""
    owners: dict[str, str] = {}
    rows = session.execute(
        select(
            TrustedKey.device_id, TrustedKey.role, TrustedKey.borough_code, TrustedKey.revoked_at
        ).where(TrustedKey.device_id.is_not(None))
    ).all()
    # Unrevoked keys last, so they decide where a device id was trusted twice.
    for device, role, borough, _revoked in sorted(rows, key=lambda r: r[3] is None):
        owners[str(device)] = CENTRE if role == "centre" else (borough or "")
    return owners


def published_by_device(session: Session) -> dict[str, int]:
    """Device id → the highest `through_seq` of the changes bundles this store took from it."""
    query = (
        select(BundleLog.device_id, func.max(BundleLog.up_to_seq))
        .where(BundleLog.kind == "changes")
        .group_by(BundleLog.device_id)
    )
    return {str(d): int(n or 0) for d, n in session.execute(query)}


def relayed_claims(
    manifest: Mapping[str, Any], owners: Mapping[str, str], sender: str, sender_owner: str
) -> dict[str, int]:
    """The manifest's `relayed` map, checked: only the sender's own owner's other devices."""
    claims = manifest.get("relayed", {})
    if claims is None:
        return {}
    if not isinstance(claims, dict) or len(claims) > MAX_RELAYED:
        raise OwnershipRefused("The manifest's 'relayed' is not a short map of devices.")
    checked: dict[str, int] = {}
    for device, counter in claims.items():
        if type(counter) is not int or not 0 <= counter <= MAX_COUNTER:
            raise OwnershipRefused("The manifest's 'relayed' holds a counter out of range.")
        owner = owners.get(device) if isinstance(device, str) else None
        if owner != sender_owner or device == sender:
            raise OwnershipRefused(
                f"The manifest says it passes on changes of device {_short(device)}, which is "
                f"not another device of {_label(sender_owner)}; nothing was merged."
            )
        checked[device] = counter
    return checked


def _short(value: object) -> str:
    text = value if isinstance(value, str) else type(value).__name__
    return repr("".join(c if c.isprintable() else "?" for c in text[:40]))


def rules(
    session: Session,
    manifest: Mapping[str, Any],
    *,
    sender_owner: str,
    receiver: str,
    receiver_owner: str,
    receiver_seq: int,
    sender_bound: int | None,
) -> Rules:
    """The rules for one bundle from what the store behind `session` knows."""
    sender = str(manifest["device_id"])
    owners = device_owners(session)
    owners[receiver] = receiver_owner
    if owners.get(sender, sender_owner) != sender_owner or (
        sender == receiver and receiver_owner != sender_owner
    ):
        raise OwnershipRefused(
            f"The bundle says it comes from device {sender}, a device of "
            f"{_label(owners[sender])}, but it is signed by a key of {_label(sender_owner)}; "
            "nothing was merged."
        )
    owners[sender] = sender_owner
    published = published_by_device(session)
    for device, counter in relayed_claims(manifest, owners, sender, sender_owner).items():
        published[device] = max(published.get(device, 0), counter)
    published[receiver] = receiver_seq
    return Rules(
        sender=sender,
        sender_owner=sender_owner,
        owners=owners,
        published=published,
        sender_bound=sender_bound,
        created=created_at(manifest),
    )


def _refuse(record: Record, reason: str) -> OwnershipRefused:
    return OwnershipRefused(
        f"Refused {record.entity} {record.id}: {reason}. Nothing of the bundle was merged."
    )


def _check(session: Session, rules: Rules, seen: Mapping[str, Seen]) -> None:
    owners, published = rules.owners, rules.published
    latest_ms = int((rules.created + SKEW).timestamp() * 1000)
    sender_label = _label(rules.sender_owner)
    owner_of: dict[tuple[str, str], str | None] = {}  # records of this bundle → their owner
    changing: list[tuple[Record, str]] = []
    for entity, (records, stored, tombstones) in seen.items():
        for record in records:
            current = stored.get(record.id) or tombstones.get(record.id)
            owner = owners.get(current.origin if current is not None else record.origin)
            owner_of[(entity, record.id)] = owner
            if current is not None and dominates(current.vv, record.vv):
                continue  # a copy this store has already: changes nothing, whoever passes it on
            if current is None:
                if owner is None:
                    raise _refuse(record, "its origin is a device this store does not know")
                if owner != rules.sender_owner:
                    raise _refuse(
                        record,
                        f"it claims to be created by a device of {_label(owner)}, but a device "
                        f"of {sender_label} sent it",
                    )
            else:
                if owner is None:
                    raise _refuse(record, "it belongs to a device this store does not know")
                if owner != rules.sender_owner:
                    raise _refuse(
                        record,
                        f"it belongs to {_label(owner)}; a device of {sender_label} may not "
                        "change or delete it",
                    )
                if record.origin != current.origin:
                    raise _refuse(record, "the bundle gives it another origin than it has")
            for device, counter in record.vv.items():
                if owners.get(device) != owner:
                    raise _refuse(
                        record,
                        f"its version vector counts changes of device {device}, which is not a "
                        f"device of {_label(owner)}",
                    )
                bound = rules.sender_bound if device == rules.sender else published.get(device, 0)
                if bound is not None and counter > bound:
                    raise _refuse(
                        record,
                        f"its version vector counts change {_number(counter)} of device "
                        f"{device}, beyond the last that device can have published "
                        f"({bound:,}; import that device's earlier bundles first)",
                    )
            wall = int(record.hlc[:13])
            if wall > latest_ms:
                stamp = dt.datetime.fromtimestamp(min(wall, 253402300799999) / 1000, dt.UTC)
                raise _refuse(
                    record,
                    f"its clock stamp ({stamp:%Y-%m-%d %H:%M} UTC) is more than "
                    f"{_hours(SKEW)} hours after the bundle was written "
                    f"({rules.created:%Y-%m-%d %H:%M} UTC)",
                )
            if not record.deleted and owner != CENTRE and "borough_code" in record.data:
                _check_borough_field(record, owner)
            if not record.deleted and REFERENCES[entity]:
                changing.append((record, owner))
    _check_references(session, changing, owner_of, owners)


def _check_borough_field(record: Record, owner: str | None) -> None:
    """A borough's record names no other borough (a baseline, an engagement counted for it);
    London-wide baselines (no borough) are the centre's."""
    value = record.data["borough_code"]
    if value == owner or (value is None and record.entity != "representation_baseline"):
        return
    shown = "London-wide (no borough)" if value is None else _short(value)
    raise _refuse(record, f"its borough_code is {shown}, but it belongs to {_label(owner)}")


def _number(counter: int) -> str:
    return f"{counter:,}" if counter < 10**15 else f"a number of {len(str(counter))} digits"


def _check_references(
    session: Session,
    changing: list[tuple[Record, str]],
    owner_of: dict[tuple[str, str], str | None],
    owners: Mapping[str, str],
) -> None:
    """A record may refer only to records of its own owner or of the centre."""
    wanted: dict[str, set[str]] = {}
    links: list[tuple[Record, str, str, str]] = []  # record, its owner, target entity, id
    for record, owner in changing:
        for child, column, target in REFERENCES[record.entity]:
            if child is None:
                values = [record.data.get(column)]
            else:
                values = [row.get(column) for row in record.children.get(child, [])]
            for value in values:
                if isinstance(value, str):
                    links.append((record, owner, target, value))
                    if (target, value) not in owner_of:
                        wanted.setdefault(target, set()).add(value)
    for target, ids in wanted.items():
        table = ENTITIES[target]
        query = select(table.c.id, table.c.origin_device).where(
            among(session, table.c.id, sorted(ids))
        )
        for rid, origin in session.execute(query):
            owner_of[(target, rid)] = owners.get(origin)
    for record, owner, target, rid in links:
        if (target, rid) not in owner_of:
            continue  # not in the store at all: the merge refuses it as a missing parent
        theirs = owner_of[(target, rid)]
        if owner == CENTRE or theirs in (owner, CENTRE):
            continue
        raise _refuse(
            record,
            f"it refers to {target} {rid}, which belongs to {_label(theirs)}, not to "
            f"{_label(owner)}",
        )


def relayed_for_export(session: Session, own_device: str, own_owner: str) -> dict[str, int]:
    """What a device says it took in from its colleagues (the `relayed` of its manifest):
    per other device of its own borough, the highest `through_seq` it imported from it."""
    owners = device_owners(session)
    found = published_by_device(session)
    return {
        d: n
        for d, n in sorted(found.items())
        if n > 0 and d != own_device and owners.get(d) == own_owner
    }
