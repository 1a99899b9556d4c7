"""What schema comparison ignores: FTS5 tables, which the revisions manage by hand."""

from __future__ import annotations

from typing import Any


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (type_ == "table" and name is not None and "_fts" in name)
