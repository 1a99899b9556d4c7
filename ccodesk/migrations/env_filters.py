"""What schema comparison ignores: the full-text indexes (SQLite's FTS5 tables, PostgreSQL's
GIN expression indexes), which the revisions manage by hand."""

from __future__ import annotations

from typing import Any


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (type_ in ("table", "index") and name is not None and "_fts" in name)
