"""The merge engine: one for the central units and for borough devices (ARCHITECTURE.md).

For each incoming record and the store's copy of it:

* the incoming version vector is equal to or older than the stored one → nothing to do;
* it is newer (dominates) → the incoming version replaces the stored one;
* neither dominates → a true conflict: both versions go to `sync_conflict` for review and a
  deterministic provisional winner is applied — a version that is not a deletion beats a
  concurrent deletion, then the later hybrid-clock stamp, then the content hash — with the
  two vectors joined, so the same conflict is not found again.

The winner is a total order over versions and the stored vector is the join of all versions
seen, so the same bundles in any order leave the same records. Deletions of records never
seen are kept in `sync_tombstone`, so an older copy arriving later stays deleted.

Applied rows keep their origin, version vector and clock stamp, but take a local
`change_seq`, so a device passes on what it merged (a BLO's records reach the centre through
the CCO's next bundle) and the local change counter stays monotonic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ccodesk.errors import KnownError, NotFound
from ccodesk.failures import stop_if_cancelled
from ccodesk.models import SyncConflict, SyncTombstone
from ccodesk.store.search_index import INDEXED, optimize_sql
from ccodesk.store.stamping import Allocation
from ccodesk.sync.bulk import among, executemany
from ccodesk.sync.records import (
    CHILD_PARENT_COLUMN,
    CHILDREN,
    ENTITIES,
    ORDER,
    PERSONAL,
    Record,
    parse_record,
    read_records,
    stored_form,
)

NOT_MERGED = "Merge cancelled; nothing was merged."


class MergeRefused(KnownError):
    """A bundle could not be merged; nothing of it was kept."""


@dataclass
class MergeResult:
    applied: int = 0
    already: int = 0
    conflicts: int = 0
    conflict_ids: list[int] = field(default_factory=list)


# What a merge found for one entity, before deciding anything: the bundle's records (every
# line, duplicates included), and the stored versions and kept deletions of their ids.
Seen = tuple[list["Record"], dict[str, "Record"], dict[str, "Record"]]
# Called with them all before anything is written; raises a KnownError to refuse the bundle
# (the ownership and clock rules of `ccodesk.sync.ownership`).
Authorise = Callable[[Session, Mapping[str, Seen]], None]


def dominates(a: dict[str, int], b: dict[str, int]) -> bool:
    """Whether version vector `a` has seen everything `b` has (a ≥ b)."""
    return all(a.get(device, 0) >= counter for device, counter in b.items())


def join(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {d: max(a.get(d, 0), b.get(d, 0)) for d in sorted(set(a) | set(b))}


def rank(record: Record) -> tuple[bool, str, str]:
    """The provisional winner of a conflict is the version with the highest rank."""
    return (not record.deleted, record.hlc, record.digest())


def merge_records(
    session: Session,
    records: Iterable[Record],
    *,
    bundle_id: str,
    authorise: Authorise | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> MergeResult:
    """Merge `records` into the store behind `session` (the caller owns the transaction).

    `authorise` sees every record with the stored versions of their ids before anything is
    written, and refuses the bundle by raising. Callers merging a whole bundle pause the
    garbage collector around parsing and merging both (`records.collector_paused`).
    `cancelled()` true raises `Cancelled`; the caller's transaction then rolls back.
    """
    plan = _read_stored(session, records, cancelled)
    if authorise is not None:  # before anything is written (or even added to the session)
        authorise(session, {p.entity: (p.lines, p.stored, p.tombstones) for p in plan})
    decided = _Decided()
    kept_deletions: set[str] = set()  # ids with a row in sync_tombstone
    for entity_plan in plan:
        kept_deletions.update(entity_plan.tombstones)
        concurrent = _classify(entity_plan, decided)
        if concurrent:
            _resolve(session, entity_plan, concurrent, bundle_id, decided)
    stop_if_cancelled(cancelled, NOT_MERGED)
    if decided.writes or decided.keeps:
        _write_decided(session, decided, kept_deletions)
    session.flush()
    if session.info.pop(_BLANKED, False):
        _forget_blanked_words(session)
    stop_if_cancelled(cancelled, NOT_MERGED)
    return MergeResult(
        applied=len(decided.writes) + len(decided.keeps) - len(decided.conflicts),
        already=decided.already,
        conflicts=len(decided.conflicts),
        conflict_ids=[c.id for c in decided.conflicts],
    )


@dataclass(frozen=True)
class _EntityPlan:
    """One entity's part of a merge: the bundle's lines (duplicates included), the newest
    version of each id among them, and the stored versions and kept deletions of those ids."""

    entity: str
    lines: list[Record]
    incoming: dict[str, Record]
    stored: dict[str, Record]
    tombstones: dict[str, Record]


# a version to write or keep: the record, whether its row exists, the vector it gets
Decision = tuple[Record, bool, dict[str, int]]


@dataclass
class _Decided:
    """What a merge decided, in order: versions written, stored versions that only learn of
    a concurrent one, the conflicts found, and how many versions were already known."""

    writes: list[Decision] = field(default_factory=list)
    keeps: list[Decision] = field(default_factory=list)
    conflicts: list[SyncConflict] = field(default_factory=list)
    already: int = 0


def _read_stored(
    session: Session, records: Iterable[Record], cancelled: Callable[[], bool]
) -> list[_EntityPlan]:
    """The records by entity, parents first, with what the store holds of their ids."""
    by_entity: dict[str, list[Record]] = {}
    for record in records:
        by_entity.setdefault(record.entity, []).append(record)
    plan = []
    for entity in sorted(by_entity, key=ORDER.__getitem__):
        stop_if_cancelled(cancelled, NOT_MERGED)
        incoming = _latest_per_id(by_entity[entity])
        stored = _versions(session, entity, list(incoming))  # metadata only: cheap
        tombstones = _tombstones(session, entity, list(incoming))
        plan.append(_EntityPlan(entity, by_entity[entity], incoming, stored, tombstones))
    return plan


def _classify(plan: _EntityPlan, decided: _Decided) -> list[tuple[Record, bool]]:
    """Decide what the version vectors decide (new, older or newer); return the concurrent
    versions, with whether their row exists, for `_resolve`."""
    concurrent: list[tuple[Record, bool]] = []
    for record in plan.incoming.values():
        current = plan.stored.get(record.id) or plan.tombstones.get(record.id)
        row_exists = record.id in plan.stored
        if current is None:
            decided.writes.append((record, False, record.vv))
        elif dominates(current.vv, record.vv):
            decided.already += 1
        elif dominates(record.vv, current.vv):
            decided.writes.append((record, row_exists, record.vv))
        else:
            concurrent.append((record, row_exists))
    return concurrent


def _resolve(
    session: Session,
    plan: _EntityPlan,
    concurrent: list[tuple[Record, bool]],
    bundle_id: str,
    decided: _Decided,
) -> None:
    """Keep each true conflict for review and apply its provisional winner, with the two
    vectors joined."""
    full = {
        r.id: r
        for r in read_records(
            session, plan.entity, ids=[r.id for r, exists in concurrent if exists]
        )
    }
    for record, row_exists in concurrent:
        current = full.get(record.id) or plan.tombstones[record.id]
        winner = record if rank(record) > rank(current) else current
        conflict = SyncConflict(
            entity=plan.entity,
            record_id=record.id,
            local=stored_form(current),
            incoming=stored_form(record),
            winner="incoming" if winner is record else "local",
            bundle_id=bundle_id,
            found_at=dt.datetime.now(),
            resolved_by="",
        )
        session.add(conflict)
        decided.conflicts.append(conflict)
        if winner is record:
            decided.writes.append((record, row_exists, join(current.vv, record.vv)))
        else:  # the stored version stays; it only learns of the other one
            decided.keeps.append((current, row_exists, join(current.vv, record.vv)))


def _write_decided(session: Session, decided: _Decided, kept_deletions: set[str]) -> None:
    """Write the decided versions under a block of local change numbers, and advance the
    clock past the newest stamp seen."""
    writes, keeps = decided.writes, decided.keeps
    block = Allocation(session, len(writes) + len(keeps))
    try:
        _write_all(session, writes, block.first_seq, kept_deletions)
        for index, (record, row_exists, vector) in enumerate(keeps, start=len(writes)):
            _keep(session, record, row_exists, vector, block.first_seq + index)
    except IntegrityError as exc:
        raise MergeRefused(
            "The bundle refers to records this store does not have (for example an "
            "engagement sent in an earlier bundle): import the earlier bundles first, or "
            "ask the sender for a full export (everything, not only what is new). Nothing "
            "was merged."
        ) from exc
    _advance_clock(session, max(r.hlc for r, _c, _v in writes + keeps))


def _latest_per_id(records: list[Record]) -> dict[str, Record]:
    """One version per record: a bundle naming a record twice keeps the dominant one."""
    chosen: dict[str, Record] = {}
    for record in records:
        other = chosen.get(record.id)
        if (
            other is None
            or (dominates(record.vv, other.vv) and record.vv != other.vv)
            or (not dominates(other.vv, record.vv) and rank(record) > rank(other))
        ):
            chosen[record.id] = record
    return chosen


def _versions(session: Session, entity: str, ids: list[str]) -> dict[str, Record]:
    """The stored version vectors (and clock, deletion flag) of these records, without data."""
    table = ENTITIES[entity]
    columns = (table.c.id, table.c.origin_device, table.c.version_vector, table.c.hlc)
    found: dict[str, Record] = {}
    if ids:
        query = select(*columns, table.c.deleted).where(among(session, table.c.id, ids))
        for rid, origin, vv, hlc, deleted in session.execute(query):
            found[rid] = Record(entity, rid, origin, dict(vv), hlc, bool(deleted))
    return found


def _tombstones(session: Session, entity: str, ids: list[str]) -> dict[str, Record]:
    """Deletions kept for records of `entity` this store never had, among `ids`."""
    table = SyncTombstone.__table__
    found: dict[str, Record] = {}
    any_kept = select(table.c.record_id).where(table.c.entity == entity).limit(1)
    if session.execute(any_kept).first() is None:  # the usual case: none at all
        return found
    columns = (table.c.record_id, table.c.origin_device, table.c.version_vector, table.c.hlc)
    if ids:
        query = select(*columns).where(
            table.c.entity == entity, among(session, table.c.record_id, ids)
        )
        for rid, origin, vv, hlc in session.execute(query):
            found[rid] = Record(entity, rid, origin, dict(vv), hlc, True)
    return found


def _write_all(
    session: Session,
    writes: list[tuple[Record, bool, dict[str, int]]],
    first_seq: int,
    kept_deletions: set[str],
) -> None:
    """Write the winning versions, entity by entity (parents first), in batches.

    New rows go in with one executemany INSERT per entity, changed rows with one executemany
    UPDATE; child rows are replaced in bulk. Deletions, rare, go one by one.
    """
    conn = session.connection()
    index = 0
    while index < len(writes):
        entity = writes[index][0].entity
        group = []
        while index < len(writes) and writes[index][0].entity == entity:
            record, exists, vector = writes[index]
            group.append((record, exists, vector, first_seq + index))
            index += 1
        table = ENTITIES[entity]
        inserts, updates, tombs = [], [], []
        for record, exists, vector, seq in group:
            if record.deleted and not exists:  # never had it: remember the deletion
                tombs.append(
                    {
                        "entity": entity,
                        "record_id": record.id,
                        "origin_device": record.origin,
                        "version_vector": vector,
                        "hlc": record.hlc,
                        "seen_at": dt.datetime.now(),
                    }
                )
                continue
            if record.deleted:
                _write(session, record, exists, vector, seq)
                continue
            row = record.data.copy()
            row["origin_device"] = record.origin
            row["version_vector"] = vector
            row["hlc"] = record.hlc
            row["change_seq"] = seq
            row["deleted"] = False
            if exists:
                row["_id"] = record.id
                updates.append(row)
            else:
                row["id"] = record.id
                inserts.append(row)
        # Kept deletions these versions replace (a record recreated, a deletion updated).
        gone = [str(r["record_id"]) for r in tombs] + [str(r["id"]) for r in inserts]
        gone = [rid for rid in gone if rid in kept_deletions]
        if gone:
            conn.execute(
                delete(SyncTombstone).where(
                    SyncTombstone.entity == entity, among(session, SyncTombstone.record_id, gone)
                )
            )
        if tombs:
            conn.execute(insert(SyncTombstone), tombs)
        executemany(conn, "insert", table, inserts)
        executemany(conn, "update", table, updates)
        live = [(r, exists) for r, exists, _v, _s in group if not r.deleted]
        _replace_children_bulk(session, entity, live)


def _replace_children_bulk(
    session: Session, entity: str, records: list[tuple[Record, bool]]
) -> None:
    conn = session.connection()
    existing = [r.id for r, exists in records if exists]
    for table in CHILDREN[entity]:
        column = CHILD_PARENT_COLUMN[table.name]
        if existing:
            conn.execute(delete(table).where(among(session, table.c[column], existing)))
        rows = [
            {column: r.id, **child} for r, _e in records for child in r.children.get(table.name, [])
        ]
        executemany(conn, "insert", table, rows)


def _write(
    session: Session, record: Record, exists_as_row: bool, vector: dict[str, int], seq: int
) -> None:
    table = ENTITIES[record.entity]
    meta = {
        "origin_device": record.origin,
        "version_vector": vector,
        "hlc": record.hlc,
        "change_seq": seq,
        "deleted": record.deleted,
    }
    if record.deleted:
        if exists_as_row:
            values: dict[str, Any] = dict(meta)
            for column in PERSONAL.get(record.entity, ()):
                values[column] = "" if not table.c[column].nullable else None
                session.info[_BLANKED] = True
            session.execute(update(table).where(table.c.id == record.id).values(values))
            _replace_children(session, record.entity, record.id, {})
        else:
            _remember_tombstone(session, record, vector)
        return
    if exists_as_row:
        session.execute(
            update(table).where(table.c.id == record.id).values({**record.data, **meta})
        )
    else:
        session.execute(
            delete(SyncTombstone).where(
                SyncTombstone.entity == record.entity, SyncTombstone.record_id == record.id
            )
        )
        session.execute(insert(table).values({"id": record.id, **record.data, **meta}))
    _replace_children(session, record.entity, record.id, record.children)


_BLANKED = "ccodesk_personal_blanked"  # session.info: a person's details were blanked
_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table'"


def _forget_blanked_words(session: Session) -> None:
    """A person's details were blanked (an erasure, or consent that ended): on SQLite, merge
    each full-text index's segments so the old words leave the index too, with the text the
    same bundle replaced elsewhere (store/scrub.py says why; PostgreSQL has no such index)."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        return
    present = {str(name) for (name,) in conn.exec_driver_sql(_TABLES)}
    for table in INDEXED:
        if f"{table}_fts" in present:
            conn.exec_driver_sql(optimize_sql(table))


def _keep(
    session: Session, record: Record, exists_as_row: bool, vector: dict[str, int], seq: int
) -> None:
    """The stored version won a conflict: keep its content, join the version vectors."""
    if not exists_as_row:
        _remember_tombstone(session, record, vector)
        return
    table = ENTITIES[record.entity]
    session.execute(
        update(table).where(table.c.id == record.id).values(version_vector=vector, change_seq=seq)
    )


def _remember_tombstone(session: Session, record: Record, vector: dict[str, int]) -> None:
    existing = session.get(SyncTombstone, (record.entity, record.id))
    if existing is None:
        session.add(
            SyncTombstone(
                entity=record.entity,
                record_id=record.id,
                origin_device=record.origin,
                version_vector=vector,
                hlc=record.hlc,
                seen_at=dt.datetime.now(),
            )
        )
    else:
        existing.version_vector = vector
        existing.hlc = record.hlc
    session.flush()


def _replace_children(
    session: Session, entity: str, record_id: str, children: dict[str, list[dict[str, Any]]]
) -> None:
    for table in CHILDREN[entity]:
        column = CHILD_PARENT_COLUMN[table.name]
        session.execute(delete(table).where(table.c[column] == record_id))
        rows = children.get(table.name, [])
        if rows:
            session.execute(insert(table), [{column: record_id, **row} for row in rows])


def _advance_clock(session: Session, newest_hlc: str) -> None:
    """Hybrid logical clock: this device's next stamps come after what it has merged."""
    wall = int(newest_hlc.split(".", 1)[0])
    session.execute(
        text(
            "UPDATE device_state SET hlc_wall = :w, hlc_counter = 0 WHERE id = 1 AND hlc_wall < :w"
        ),
        {"w": wall},
    )


# -- review ------------------------------------------------------------------------------------


def conflicts(central_or_session: Session, *, include_resolved: bool = False) -> list[SyncConflict]:
    query = select(SyncConflict).order_by(SyncConflict.id)
    if not include_resolved:
        query = query.where(SyncConflict.resolved_at.is_(None))
    return list(central_or_session.scalars(query))


def get_conflict(session: Session, conflict_id: int) -> SyncConflict | None:
    """One conflict by its number, or None."""
    return session.get(SyncConflict, conflict_id)


def resolve_conflict(session: Session, conflict_id: int, keep: str, who: str) -> SyncConflict:
    """Keep the local or the incoming version of a conflict, as a new edit that syncs on."""
    if keep not in ("local", "incoming"):
        raise MergeRefused("Keep 'local' or 'incoming'.")
    # Locked on PostgreSQL (SQLite has one writer anyway): two people deciding the same
    # conflict at once are served in turn, and the second is told the first's decision.
    conflict = session.get(SyncConflict, conflict_id, with_for_update=True)
    if conflict is None:
        raise NotFound(f"There is no conflict {conflict_id}.")
    if conflict.resolved_at is not None:
        by = f" by {conflict.resolved_by}" if conflict.resolved_by else ""
        raise MergeRefused(
            f"Conflict {conflict_id} was resolved already{by} on "
            f"{conflict.resolved_at:%d %b %Y at %H:%M} (they kept the {conflict.resolution} "
            "version); nothing was changed."
        )
    chosen = parse_record(conflict.local if keep == "local" else conflict.incoming)
    current = next(read_records(session, chosen.entity, ids=[chosen.id]), None)
    vector = join(chosen.vv, current.vv) if current is not None else chosen.vv
    block = Allocation(session, 1)
    meta = block.stamp(0, vector)
    version = Record(  # keeps its origin: the record still belongs to whoever created it
        chosen.entity,
        chosen.id,
        current.origin if current is not None else chosen.origin,
        meta["version_vector"],
        meta["hlc"],
        chosen.deleted,
        chosen.data,
        chosen.children,
    )
    assert dominates(version.vv, vector)
    _write(session, version, current is not None, version.vv, meta["change_seq"])
    conflict.resolved_at = dt.datetime.now()
    conflict.resolution = keep
    conflict.resolved_by = who
    return conflict
