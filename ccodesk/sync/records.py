"""Synced records as bundle lines: read from a store, validated, written to a store.

One line of `changes.jsonl` is one synced row with the child rows that belong to it:

    {"entity": "engagement", "id": "…", "origin": "…", "vv": {"dev": 7}, "hlc": "…",
     "deleted": false, "data": {"title": "…", …}, "children": {"engagement_topic": [...]}}

Everything is done through SQLAlchemy Core over the model tables, so the central unit's
PostgreSQL store and a borough's SQLCipher store run the same code. Incoming lines are
checked against the tables' columns (names, types, lengths, enum values) before anything is
written; nothing from a bundle is ever spliced into SQL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import gc
import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ccodesk.errors import KnownError
from ccodesk.models import SYNCED_MODELS, Base
from ccodesk.sync.strict import SQL_BIGINT, SQL_INT

META = ("id", "origin_device", "version_vector", "hlc", "change_seq", "deleted")
ENTITIES: dict[str, Table] = {m.__tablename__: m.__table__ for m in SYNCED_MODELS}  # type: ignore[attr-defined]
ORDER = {name: i for i, name in enumerate(ENTITIES)}  # parents before children

# Columns holding a person's details: never sent for a contact not marked shareable, and
# blanked when a deletion of such a record is received.
PERSONAL: dict[str, tuple[str, ...]] = {
    "contact": (
        "name",
        "role",
        "email",
        "phone",
        "address",
        "accessibility_needs",
        "notes",
        "consent_scope",
    ),
}


def _children() -> dict[str, list[Table]]:
    """Plain tables owned by a synced row: their first column refers to its table."""
    owned: dict[str, list[Table]] = {name: [] for name in ENTITIES}
    for table in Base.metadata.sorted_tables:
        if table.name in ENTITIES:
            continue
        first = next(iter(table.columns))
        for fk in first.foreign_keys:
            if fk.column.table.name in ENTITIES:
                owned[fk.column.table.name].append(table)
    return owned


CHILDREN = _children()
CHILD_PARENT_COLUMN = {t.name: next(iter(t.columns)).name for ts in CHILDREN.values() for t in ts}
DATA_COLUMNS = {name: [c for c in t.columns if c.name not in META] for name, t in ENTITIES.items()}

# \Z, not $ (which also matches before a final newline), and [0-9], not \d (which matches any
# script's digits): an id ending in a newline passed, 37 characters for a 36-character column.
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_HLC = re.compile(r"^[0-9]{13}\.[0-9]{6}\.[0-9a-f-]{36}\Z")
MAX_VECTOR = 10_000  # devices in one version vector
MAX_TEXT = 100_000  # characters in one Text field


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a bundle is built, or parsed and merged.

    Records and rows hold no reference cycles, yet tens of thousands of new dicts set off
    the collector again and again, and each full pass walks every object of the process: in
    a process holding a few million objects (the desktop app, a benchmark) that had doubled
    the time of a merge. A bundle is capped in size, so what piles up meanwhile is bounded;
    the collector resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class RecordError(KnownError):
    """A line of a bundle does not describe a valid record."""


@dataclass
class Record:
    """One synced row as it travels: sync metadata, column values and owned child rows."""

    entity: str
    id: str
    origin: str
    vv: dict[str, int]
    hlc: str
    deleted: bool
    data: dict[str, Any] = field(default_factory=dict)
    children: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "id": self.id,
            "origin": self.origin,
            "vv": self.vv,
            "hlc": self.hlc,
            "deleted": self.deleted,
            "data": self.data,
            "children": self.children,
        }

    def digest(self) -> str:
        """A hash of the content (not the metadata): the last tie-break between versions."""
        form = stored_form(self)
        body = json.dumps(
            [self.deleted, form["data"], form["children"]], sort_keys=True, separators=(",", ":")
        )
        return hashlib.sha256(body.encode()).hexdigest()


# -- values --------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _decode(table: str, column: Any, value: Any) -> Any:
    """Check one incoming value against its column; return what the table stores."""
    where = f"{table}.{column.name}"
    if value is None:
        if not column.nullable:
            raise RecordError(f"{where} may not be empty.")
        return None
    kind = column.type
    if isinstance(kind, Enum):
        allowed = set(kind.enums)
        if not isinstance(value, str) or value not in allowed:
            raise RecordError(f"{where}: {value!r} is not one of the known values.")
        enum_class = kind.enum_class
        return enum_class(value) if enum_class is not None else value
    if isinstance(kind, Boolean):
        if not isinstance(value, bool):
            raise RecordError(f"{where} must be true or false.")
        return value
    if isinstance(kind, Integer | BigInteger):
        if not isinstance(value, int) or isinstance(value, bool):
            raise RecordError(f"{where} must be a whole number.")
        if not 0 <= value <= _int_max(kind):
            raise RecordError(f"{where} must be a whole number from 0 to {_int_max(kind)}.")
        return value
    if isinstance(kind, Float):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise RecordError(f"{where} must be a number.")
        if not math.isfinite(value) or abs(value) > 1e15:
            raise RecordError(f"{where} must be a finite number.")
        return float(value)
    if isinstance(kind, DateTime):
        try:
            moment = dt.datetime.fromisoformat(_short(value, 40))
        except (TypeError, ValueError) as exc:
            raise RecordError(f"{where} must be a date and time.") from exc
        if moment.tzinfo is not None:
            raise RecordError(f"{where} must be a local date and time, without a time zone.")
        return moment
    if isinstance(kind, Date):
        try:
            return dt.date.fromisoformat(_short(value, 10))
        except (TypeError, ValueError) as exc:
            raise RecordError(f"{where} must be a date.") from exc
    if isinstance(kind, String | Text):
        if not isinstance(value, str):
            raise RecordError(f"{where} must be text.")
        limit = getattr(kind, "length", None) or MAX_TEXT
        if len(value) > limit:
            raise RecordError(f"{where} is longer than {limit} characters.")
        return value
    if isinstance(kind, JSON):
        return value
    raise RecordError(f"{where} has a type bundles cannot carry.")  # pragma: no cover


Decoder = Any  # Callable[[Any], Any], raising RecordError


def _short(value: Any, limit: int) -> Any:
    """`value` when it is text of at most `limit` characters (a date's longest form)."""
    if isinstance(value, str) and len(value) > limit:
        raise ValueError("too long for a date")
    return value


def _int_max(kind: Any) -> int:
    """The largest value an integer column holds on every backend (PostgreSQL's INTEGER is
    32-bit); synced integers are counts, minutes and pence, never negative."""
    return SQL_BIGINT if isinstance(kind, BigInteger) else SQL_INT


def _decoder(table: str, column: Any) -> Decoder:
    """A fast checker for one column's values (built once per column, used for every line).

    The common case — a value of the right type — is one type test; anything else goes
    through `_decode` for the precise error message.
    """
    kind = column.type

    def slow(value: Any) -> Any:
        return _decode(table, column, value)

    if isinstance(kind, Enum):
        members = {v: (kind.enum_class(v) if kind.enum_class else v) for v in kind.enums}

        def enum_value(value: Any) -> Any:
            found = members.get(value) if type(value) is str else None
            return found if found is not None else slow(value)

        return enum_value
    if isinstance(kind, String | Text) and not isinstance(kind, Enum):
        limit = getattr(kind, "length", None) or MAX_TEXT

        def text_value(value: Any) -> Any:
            if type(value) is str and len(value) <= limit:
                return value
            return slow(value)

        return text_value
    if isinstance(kind, Boolean):
        return lambda value: value if type(value) is bool else slow(value)
    if isinstance(kind, Integer | BigInteger):
        high = _int_max(kind)
        return lambda value: value if type(value) is int and 0 <= value <= high else slow(value)
    return slow  # dates, numbers, JSON: rarer; the general path


_DECODERS: dict[str, dict[str, Decoder]] = {}
# Fields a sender may leave out (an older ccodesk, from before they were added): the nullable.
_OPTIONAL = {e: {c.name for c in columns if c.nullable} for e, columns in DATA_COLUMNS.items()}


def _decoders(entity: str) -> dict[str, Decoder]:
    found = _DECODERS.get(entity)
    if found is None:
        found = {c.name: _decoder(entity, c) for c in DATA_COLUMNS[entity]}
        _DECODERS[entity] = found
    return found


_SEEN_DEVICES: set[str] = set()  # device ids already checked (a bundle repeats a few)
_FIELDS = frozenset({"entity", "id", "origin", "vv", "hlc", "deleted", "data", "children"})


def _device(value: Any) -> bool:
    if type(value) is not str:  # (a list or object is not even hashable)
        return False
    if value in _SEEN_DEVICES:
        return True
    if isinstance(value, str) and _ID.match(value):
        if len(_SEEN_DEVICES) < 100_000:
            _SEEN_DEVICES.add(value)
        return True
    return False


def _child_decoders(entity: str) -> list[tuple[str, dict[str, Decoder]]]:
    found = _CHILD_DECODERS.get(entity)
    if found is None:
        found = [
            (
                t.name,
                {
                    c.name: _decoder(t.name, c)
                    for c in t.columns
                    if c.name != CHILD_PARENT_COLUMN[t.name]
                },
            )
            for t in CHILDREN[entity]
        ]
        _CHILD_DECODERS[entity] = found
    return found


_CHILD_DECODERS: dict[str, list[tuple[str, dict[str, Decoder]]]] = {}
_CHILD_NAMES = {entity: frozenset(t.name for t in tables) for entity, tables in CHILDREN.items()}


def _check_vector(vv: Any) -> dict[str, int]:
    if not isinstance(vv, dict) or not vv or len(vv) > MAX_VECTOR:
        raise RecordError("A record's version vector is missing or malformed.")
    for device, counter in vv.items():
        if device not in _SEEN_DEVICES and not _device(device):
            raise RecordError("A version vector names a device that is not a device id.")
        if type(counter) is not int or not 1 <= counter <= SQL_BIGINT:  # (not a bool either)
            raise RecordError("A version vector holds a counter that is not a positive number.")
    return dict(vv)


def parse_record(doc: Any) -> Record:
    """A validated Record from one decoded JSON line (RecordError if anything is off)."""
    if not isinstance(doc, dict):
        raise RecordError("A line of changes.jsonl is not a JSON object.")
    if doc.keys() != _FIELDS:
        raise RecordError(f"A record has fields {sorted(set(doc) ^ _FIELDS)} out of place.")
    entity = doc["entity"]
    if type(entity) is not str or entity not in ENTITIES:
        raise RecordError(f"Unknown kind of record {str(entity)[:40]!r}.")
    if not (isinstance(doc["id"], str) and _ID.match(doc["id"])):
        raise RecordError(f"A {entity} record has a malformed id.")
    if not _device(doc["origin"]):
        raise RecordError(f"A {entity} record has a malformed origin.")
    if not (isinstance(doc["hlc"], str) and _HLC.match(doc["hlc"])):
        raise RecordError(f"A {entity} record has a malformed clock stamp.")
    if not isinstance(doc["deleted"], bool):
        raise RecordError(f"A {entity} record's 'deleted' is not true or false.")
    vv = _check_vector(doc["vv"])
    data, children = doc["data"], doc["children"]
    if not isinstance(data, dict) or not isinstance(children, dict):
        raise RecordError(f"A {entity} record's data or children are not objects.")
    if doc["deleted"]:
        if data or children:
            raise RecordError(f"A deleted {entity} record carries data; deletions carry none.")
        return Record(entity, doc["id"], doc["origin"], vv, doc["hlc"], True)
    decoders = _decoders(entity)
    if data.keys() != decoders.keys():
        unknown = set(data) - set(decoders)
        if unknown:  # a newer sender: this program must be updated to read it
            raise RecordError(f"A {entity} record has fields {sorted(unknown)} unknown here.")
        missing = set(decoders) - set(data)
        required = sorted(m for m in missing if m not in _OPTIONAL[entity])
        if required:
            raise RecordError(f"A {entity} record lacks {required}.")
        data = {**dict.fromkeys(missing), **data}  # an older sender: fields added since
    checked_data = {name: decode(data[name]) for name, decode in decoders.items()}
    owned = _child_decoders(entity)
    if children.keys() != _CHILD_NAMES[entity]:
        raise RecordError(f"A {entity} record's child rows are not the expected ones.")
    checked_children = {}
    for name, child_decoders in owned:
        rows = children[name]
        if not isinstance(rows, list) or len(rows) > 10_000:
            raise RecordError(f"A {entity} record's {name} rows are malformed.")
        checked = []
        for row in rows:
            if not isinstance(row, dict) or row.keys() != child_decoders.keys():
                raise RecordError(f"A {entity} record has a malformed {name} row.")
            checked.append({k: decode(row[k]) for k, decode in child_decoders.items()})
        checked_children[name] = checked
    return Record(
        entity, doc["id"], doc["origin"], vv, doc["hlc"], False, checked_data, checked_children
    )


# -- reading a store -------------------------------------------------------------------------


def _chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def read_records(
    conn: Connection | Session,
    entity: str,
    *,
    since_seq: int | None = None,
    ids: Sequence[str] | None = None,
) -> Iterator[Record]:
    """The rows of `entity` changed after `since_seq` (or those with `ids`), as Records."""
    table = ENTITIES[entity]
    query = select(table)
    if ids is not None:
        batches: Iterable[Sequence[str] | None] = _chunks(list(ids))
    else:
        batches = [None]
    for batch in batches:
        q = query
        if batch is not None:
            q = q.where(table.c.id.in_(batch))
        if since_seq is not None:
            q = q.where(table.c.change_seq > since_seq).order_by(table.c.change_seq)
        rows = [dict(r._mapping) for r in conn.execute(q)]
        yield from _with_children(conn, entity, rows)


def _with_children(
    conn: Connection | Session, entity: str, rows: list[dict[str, Any]]
) -> Iterator[Record]:
    ids = [r["id"] for r in rows if not r["deleted"]]
    owned: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for table in CHILDREN[entity]:
        parent_column = CHILD_PARENT_COLUMN[table.name]
        by_parent: dict[str, list[dict[str, Any]]] = {}
        for batch in _chunks(ids):
            query = select(table).where(table.c[parent_column].in_(batch))
            for child in conn.execute(query):
                values = dict(child._mapping)
                parent = values.pop(parent_column)
                by_parent.setdefault(parent, []).append({k: _encode(v) for k, v in values.items()})
        owned[table.name] = by_parent
    for row in rows:
        record = Record(
            entity=entity,
            id=row["id"],
            origin=row["origin_device"],
            vv=dict(row["version_vector"]),
            hlc=row["hlc"],
            deleted=bool(row["deleted"]),
        )
        if not record.deleted:
            record.data = {c.name: _encode(row[c.name]) for c in DATA_COLUMNS[entity]}
            record.children = {
                name: sorted(
                    by_parent.get(record.id, []), key=lambda r: json.dumps(r, sort_keys=True)
                )
                for name, by_parent in owned.items()
            }
        yield record


def as_tombstone(record: Record) -> Record:
    """The same record as a deletion: metadata only, no data."""
    return Record(record.entity, record.id, record.origin, record.vv, record.hlc, True)


def encode_line(record: Record) -> bytes:
    return json.dumps(record.to_json(), separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def stored_form(record: Record) -> dict[str, Any]:
    """A record's JSON form for the conflict table (values encoded, as in a bundle)."""
    doc = record.to_json()
    doc["data"] = {k: _encode(v) for k, v in record.data.items()}
    doc["children"] = {
        name: sorted(
            ({k: _encode(v) for k, v in row.items()} for row in rows),
            key=lambda r: json.dumps(r, sort_keys=True),
        )
        for name, rows in record.children.items()
    }
    return doc
