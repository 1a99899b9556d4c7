"""The SQLite FTS5 full-text indexes: which columns of which tables are searchable.

The indexes are external-content FTS5 tables kept in step by triggers, so every writer (ORM,
bulk insert, merge) updates them without knowing they exist. They key on the base table's
rowid; anything that may renumber rowids (VACUUM) must be followed by `rebuild_sql`. A
row updated or deleted leaves its old words in the index until `optimize_sql` (store/scrub.py).
"""

from __future__ import annotations

# table -> the text columns indexed for search, most important first.
SEARCHABLE: dict[str, tuple[str, ...]] = {
    "engagement": ("title", "theme", "venue_name", "informs_detail", "notes"),
    "finding": ("text", "theme"),
    "organisation": ("name", "address", "postcode", "notes"),
    "contact": ("name", "role", "email", "notes"),
}

TOKENIZER = "unicode61 remove_diacritics 2"


def create_sql(table: str) -> list[str]:
    """The statements that create the FTS table of `table` and its three triggers."""
    cols = SEARCHABLE[table]
    fts = f"{table}_fts"
    col_list = ", ".join(cols)
    new_vals = ", ".join(f"new.{c}" for c in cols)
    old_vals = ", ".join(f"old.{c}" for c in cols)
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({col_list}, content='{table}', "
        f"content_rowid='rowid', tokenize='{TOKENIZER}', prefix='2 3')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {col_list}) VALUES (new.rowid, {new_vals}); END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {col_list}) VALUES ('delete', old.rowid, {old_vals}); "
        "END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {col_list} ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {col_list}) VALUES ('delete', old.rowid, {old_vals}); "
        f"INSERT INTO {fts}(rowid, {col_list}) VALUES (new.rowid, {new_vals}); END",
    ]


def drop_sql(table: str) -> list[str]:
    fts = f"{table}_fts"
    return [f"DROP TRIGGER IF EXISTS {fts}_{s}" for s in ("ai", "ad", "au")] + [
        f"DROP TABLE IF EXISTS {fts}"
    ]


def rebuild_sql(table: str) -> str:
    """Rebuild one index from its table (after a bulk change or VACUUM)."""
    return f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')"


def optimize_sql(table: str) -> str:
    """Merge one index's segments into one, dropping the entries of deleted or changed text
    and the words they held (after a purge blanked names or notes, or an erasure:
    store/scrub.py); otherwise they are kept until segments merge."""
    return f"INSERT INTO {table}_fts({table}_fts) VALUES ('optimize')"
