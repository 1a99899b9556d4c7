"""Full-text search over engagements, findings, organisations and contacts (SQLite FTS5)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, column, literal_column, select, table, text
from sqlalchemy.orm import Session

from ccodesk.models import Contact, Engagement, Finding, Organisation

_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(user_text: str) -> str | None:
    """An FTS5 query matching every word typed, each as a prefix (search-as-you-type).

    Words are quoted, so FTS5 syntax in the input (AND, NEAR, quotes, *) is plain text.
    Returns None when the text has no word to search for.
    """
    words = _WORD.findall(user_text)
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words[:12])


def _table_name(model: type) -> str:
    return str(model.__tablename__)  # type: ignore[attr-defined]


def _fts(model: type) -> Any:
    name = f"{_table_name(model)}_fts"
    return table(name, column("rowid"), column(name))


def fts_filter(query: Select, model: type, user_text: str) -> Select:  # type: ignore[type-arg]
    """Restrict `query` to rows of `model` whose indexed text matches `user_text`."""
    match = fts_query(user_text)
    if match is None:
        return query
    fts = _fts(model)
    name = f"{_table_name(model)}_fts"
    rowids = select(fts.c.rowid).where(literal_column(name).op("MATCH")(match))
    return query.where(literal_column(f"{_table_name(model)}.rowid").in_(rowids))


@dataclass(frozen=True)
class SearchHit:
    """One search result: what it is, its id, a title and a snippet around the match."""

    entity: str
    id: str
    title: str
    snippet: str
    when: dt.datetime | None


# entity -> (table, title column, snippet column index in its FTS table, date column)
_SOURCES: dict[str, tuple[type, str, int, str | None]] = {
    "engagement": (Engagement, "title", -1, "starts_at"),
    "finding": (Finding, "text", 0, None),
    "organisation": (Organisation, "name", -1, None),
    "contact": (Contact, "name", -1, None),
}


def search(
    session: Session, user_text: str, *, limit: int = 20, entities: tuple[str, ...] = ()
) -> list[SearchHit]:
    """The best matches for `user_text`, best first, across the searchable records."""
    match = fts_query(user_text)
    if match is None:
        return []
    ranked: list[tuple[float, SearchHit]] = []
    for entity, (model, title_col, snip_col, date_col) in _SOURCES.items():
        if entities and entity not in entities:
            continue
        base = _table_name(model)
        name = f"{base}_fts"
        date_sql = f"t.{date_col}" if date_col else "NULL"
        sql = text(
            f"SELECT t.id, t.{title_col}, snippet({name}, {snip_col}, '[', ']', '…', 12), "
            f"{date_sql}, f.rank FROM {name} AS f JOIN {base} AS t ON t.rowid = f.rowid "
            f"WHERE {name} MATCH :q AND t.deleted = 0 ORDER BY f.rank LIMIT :n"
        )
        for row in session.execute(sql, {"q": match, "n": limit}):
            when = row[3]
            if isinstance(when, str):
                when = dt.datetime.fromisoformat(when)
            title = row[1] if len(row[1]) <= 90 else row[1][:89] + "…"
            ranked.append((row[4], SearchHit(entity, row[0], title, row[2], when)))
    ranked.sort(key=lambda pair: pair[0])
    return [hit for _, hit in ranked[:limit]]
