"""Rewrite the appendix of docs/bundle-format.md (the record kinds) from the models.

    .venv/bin/python scripts/bundle_format_appendix.py

tests/test_sync.py checks that the document lists every kind, field and child table.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Enum, Float, Integer, String, Text  # noqa: E402

from ccodesk.sync.records import CHILD_PARENT_COLUMN, CHILDREN, DATA_COLUMNS, PERSONAL  # noqa: E402

HEADING = "## Appendix: the record kinds (version 1)\n"


def kind(column: object) -> str:
    t = column.type  # type: ignore[attr-defined]
    if isinstance(t, Enum):
        return "one of: " + ", ".join(f"`{e}`" for e in t.enums)
    if isinstance(t, Boolean):
        return "true/false"
    if isinstance(t, Integer | BigInteger):
        return "integer"
    if isinstance(t, Float):
        return "number"
    if isinstance(t, DateTime):
        return "date-time (ISO 8601, local time, no zone)"
    if isinstance(t, Date):
        return "date (ISO 8601)"
    if isinstance(t, String | Text):
        n = getattr(t, "length", None)
        return f"text ≤ {n}" if n else "text"
    if isinstance(t, JSON):
        return "JSON"
    return str(t)


def appendix() -> str:
    out = [HEADING, "\nIn the order a bundle lists them (parents first).\n"]
    for name, columns in DATA_COLUMNS.items():
        out.append(f"\n### `{name}`\n\n| field | value | may be null |\n|---|---|---|\n")
        for c in columns:
            fk = "".join(f" → `{f.column.table.name}.{f.column.name}`" for f in c.foreign_keys)
            out.append(f"| `{c.name}` | {kind(c)}{fk} | {'yes' if c.nullable else 'no'} |\n")
        for t in CHILDREN[name]:
            cols = [c for c in t.columns if c.name != CHILD_PARENT_COLUMN[t.name]]
            desc = ", ".join(
                f"`{c.name}` ({kind(c)}"
                + "".join(f" → `{f.column.table.name}`" for f in c.foreign_keys)
                + ")"
                for c in cols
            )
            out.append(f"\nChild rows `{t.name}`: objects with {desc}.\n")
        if name in PERSONAL:
            fields = ", ".join(f"`{p}`" for p in PERSONAL[name])
            out.append(f"\nPersonal fields (blanked when a deletion is applied): {fields}.\n")
    return "".join(out)


def main() -> None:
    path = ROOT / "docs" / "bundle-format.md"
    text = path.read_text()
    head = text.split(HEADING)[0]
    path.write_text(head + appendix())
    print(f"rewrote the appendix of {path}")


if __name__ == "__main__":
    main()
