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

# table -> free text that may name a person, indexed so that a subject access request finds
# them without reading every row (issue 15, services/subject_access.py); not part of the
# search box's results. Migration 0015.
PERSON_TEXT: dict[str, tuple[str, ...]] = {
    "action_item": ("description", "owner", "status_note"),
    "feedback_given": ("text",),
    "attendance": ("notes",),
    "audit_event": ("summary",),
    "quick_time_consultee": ("name", "reason", "advice", "impact"),
    "quick_time_contact": ("note",),
}

# every FTS5 index a borough store keeps: what purges and erasures must tidy
INDEXED: dict[str, tuple[str, ...]] = SEARCHABLE | PERSON_TEXT

TOKENIZER = "unicode61 remove_diacritics 2"


def create_sql(table: str) -> list[str]:
    """The statements that create the FTS table of `table` and its three triggers."""
    cols = INDEXED[table]
    fts = f"{table}_fts"
    # prefix indexes serve the search box's words-as-you-type; a person is found by whole words
    prefix = ", prefix='2 3'" if table in SEARCHABLE else ""
    col_list = ", ".join(cols)
    new_vals = ", ".join(f"new.{c}" for c in cols)
    old_vals = ", ".join(f"old.{c}" for c in cols)
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({col_list}, content='{table}', "
        f"content_rowid='rowid', tokenize='{TOKENIZER}'{prefix})",
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
