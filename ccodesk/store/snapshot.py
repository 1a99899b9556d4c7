"""The dashboard's first paint at start-up (issue 11), without the ORM.

Opening the store means importing SQLAlchemy and the models (about half a second) before any
query can run. The dashboard the officer saw last is kept inside the encrypted store as its
lines (`BoardLines`, in `dashboard_snapshot`), and the next start reads it with the SQLCipher
driver alone as soon as the key is in hand, while SQLAlchemy is still being imported. It is
shown only when it is for today and the store has not changed since it was taken (`STAMP_SQL`:
this device's change counter and clock, the bundles taken in, the audit trail); the live
figures replace it as soon as the store is open. A snapshot that cannot be read, for whatever
reason, is simply not shown.

Only the standard library and the SQLCipher driver here: this module is imported before the
window has the store.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("ccodesk.store.snapshot")

# Anything that can change what the dashboard shows moves one of these: a local edit (the
# change counter and the clock), a bundle taken in (the bundle log), an audited write.
STAMP_SQL = (
    "SELECT (SELECT change_seq || ':' || hlc_wall || ':' || hlc_counter FROM device_state"
    " WHERE id = 1)"
    " || ':' || (SELECT count(*) || '.' || coalesce(max(rowid), 0) FROM bundle_log)"
    " || ':' || (SELECT coalesce(max(id), 0) FROM audit_event)"
)
MAX_LINES = 200  # a box's lines kept (the dashboard shows at most 100 of a kind)


@dataclass(frozen=True)
class Line:
    text: str
    target: tuple[str, ...] | None = None  # what the line opens; None: a message, not an item


@dataclass(frozen=True)
class BoardLines:
    """What the dashboard shows, in words: its boxes' lines and their titles."""

    week: list[Line] = field(default_factory=list)
    overdue: list[Line] = field(default_factory=list)
    owed: list[Line] = field(default_factory=list)
    unreached: list[Line] = field(default_factory=list)
    overdue_title: str = "Overdue actions"
    reach_title: str = "Priority groups not reached"
    # consents running out (issue 15)
    expiring: list[Line] = field(default_factory=list)
    expired: list[Line] = field(default_factory=list)
    expiring_title: str = "Consents expiring in the next 30 days"
    expired_title: str = "Consents expired"

    BOXES = ("week", "overdue", "owed", "unreached", "expiring", "expired")

    def to_json(self) -> str:
        out: dict[str, Any] = {
            name: [[line.text, list(line.target) if line.target else None] for line in lines]
            for name, lines in self.boxes().items()
        }
        out["titles"] = [self.overdue_title, self.reach_title]
        out["consent_titles"] = [self.expiring_title, self.expired_title]
        return json.dumps(out, ensure_ascii=False)

    def boxes(self) -> dict[str, list[Line]]:
        return {name: getattr(self, name)[:MAX_LINES] for name in self.BOXES}

    @classmethod
    def from_json(cls, text: str) -> BoardLines:
        """Parsed strictly: anything but what `to_json` writes raises ValueError."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        boxes: dict[str, list[Line]] = {}
        for name in cls.BOXES:
            lines = data.get(name)
            if not isinstance(lines, list) or len(lines) > MAX_LINES:
                raise ValueError(f"{name}: not a list of lines")
            boxes[name] = [_line(item) for item in lines]
        titles = _titles(data, "titles")
        consent_titles = _titles(data, "consent_titles")
        return cls(
            **boxes,
            overdue_title=titles[0],
            reach_title=titles[1],
            expiring_title=consent_titles[0],
            expired_title=consent_titles[1],
        )


def _titles(data: dict[str, Any], key: str) -> list[str]:
    titles = data.get(key)
    if not (isinstance(titles, list) and len(titles) == 2 and all(_text(t) for t in titles)):
        raise ValueError(key)
    return titles


def _text(value: object) -> bool:
    return isinstance(value, str) and len(value) <= 2000


def _line(item: object) -> Line:
    if not (isinstance(item, list) and len(item) == 2 and _text(item[0])):
        raise ValueError("a line")
    target = item[1]
    if target is None:
        return Line(item[0])
    if not (isinstance(target, list) and 2 <= len(target) <= 3 and all(_text(t) for t in target)):
        raise ValueError("a line's target")
    return Line(item[0], tuple(target))


def read_snapshot(path: Path, database_key: bytes, today: dt.date) -> BoardLines | None:
    """The dashboard's lines kept in the store at `path`, if they are for `today` and the
    store has not changed since; otherwise (or on any error) None."""
    try:
        import sqlcipher3  # the driver under SQLAlchemy's pysqlcipher dialect

        conn = sqlcipher3.connect(str(path), check_same_thread=False)
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")  # a damaged store: no log noise
            conn.execute(f"PRAGMA key = \"x'{database_key.hex()}'\"")
            conn.execute("PRAGMA query_only = ON")
            row = conn.execute(
                "SELECT day, stamp, body FROM dashboard_snapshot WHERE id = 1"
            ).fetchone()
            if row is None or row[0] != today.isoformat():
                return None
            if row[1] != conn.execute(STAMP_SQL).fetchone()[0]:
                return None
            return BoardLines.from_json(row[2])
        finally:
            conn.close()
    except Exception as exc:  # a cache: whatever went wrong, the live figures follow
        log.info("no dashboard snapshot shown: %s", exc)
        return None
