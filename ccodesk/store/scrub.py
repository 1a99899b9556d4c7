"""Making deleted text unrecoverable from the store's file (after an erasure, issue 15).

A row updated or deleted leaves its old text behind in three places until something rewrites
them: the FTS5 indexes (an external-content index records a deletion as a "delete" entry in a
new segment; the old segment, with the erased words, stays until segments are merged), the
WAL file (the old and new page images until a checkpoint), and free pages of the database
file. So, in this order and outside any transaction:

1. each index's 'optimize' merges its segments into one, dropping the deleted entries;
2. a checkpoint folds the WAL in and truncates it;
3. VACUUM writes the database anew, without free pages (`secure_delete` zeroes what is freed
   on the way);
4. each index is rebuilt from its table, since VACUUM may renumber the rowids it keys on
   (store/search_index.py), and a last checkpoint truncates the WAL again.

`secure_delete` alone (zeroing what a transaction deletes) is not enough, and VACUUM is not
optional: when a b-tree page split long before the erasure, SQLite left stale copies of the
moved rows in the pages' unused space, which no later deletion touches (found by
tests/test_erasure.py, which decrypts every page of the file and looks for the person).

The file stays encrypted throughout (SQLCipher); this is about what a holder of the key could
read back. Takes seconds on a large store: the desktop runs it in the background.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from ccodesk.store.search_index import INDEXED, optimize_sql, rebuild_sql

Progress = Callable[[int, int, str], None]


@dataclass
class ScrubTimes:
    """Seconds each step took (reported to the user and in benchmarks)."""

    steps: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.steps.values())


def _no_progress(_done: int, _total: int, _what: str) -> None:
    return None


def search_tables(cursor: object) -> list[str]:
    """The tables of INDEXED whose FTS index exists in this store (a SQLite store only)."""
    rows = cursor.execute(  # type: ignore[attr-defined]
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_fts' ESCAPE '\\'"
    ).fetchall()
    present = {str(r[0]) for r in rows}
    return [t for t in INDEXED if f"{t}_fts" in present]


def scrub(engine: Engine, progress: Progress = _no_progress) -> ScrubTimes:
    """Optimise the FTS indexes, checkpoint, VACUUM and rebuild them (see the module's note).

    Not cancellable once started: each step is whole (VACUUM and a rebuild are atomic)."""
    times = ScrubTimes()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        tables = search_tables(cur)
        steps = len(tables) * 2 + 3
        done = 0

        def step(name: str, what: str, statements: list[str]) -> None:
            nonlocal done
            progress(done, steps, what)
            start = time.perf_counter()
            for sql in statements:
                cur.execute(sql)
            times.steps[name] = times.steps.get(name, 0.0) + time.perf_counter() - start
            done += 1

        cur.execute("PRAGMA secure_delete = ON")
        for table in tables:
            step("optimise", "Tidying the search index…", [optimize_sql(table)])
        step("checkpoint", "Folding in the write-ahead log…", ["PRAGMA wal_checkpoint(TRUNCATE)"])
        step("vacuum", "Rewriting the store without the deleted pages…", ["VACUUM"])
        for table in tables:
            step("rebuild", "Rebuilding the search index…", [rebuild_sql(table)])
        step("checkpoint", "Folding in the write-ahead log…", ["PRAGMA wal_checkpoint(TRUNCATE)"])
        cur.execute("PRAGMA secure_delete = OFF")
        cur.close()
        progress(steps, steps, "Done")
    finally:
        raw.close()
    return times
