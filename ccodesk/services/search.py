"""Full-text search over engagements, findings, organisations and contacts (SQLite FTS5)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, column, literal_column, select, table, text
from sqlalchemy.orm import Session

from ccodesk.models import Contact, Engagement, Finding, Organisation
from ccodesk.services import consent
from ccodesk.store.search_index import SEARCHABLE

_WORD = re.compile(r"\w+", re.UNICODE)
# How many of the newest matches of each kind are ranked by relevance (see `search`).
RANK_WINDOW = 500


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


# entity -> (table, title column, date column)
_SOURCES: dict[str, tuple[type, str, str | None]] = {
    "engagement": (Engagement, "title", "starts_at"),
    "finding": (Finding, "text", None),
    "organisation": (Organisation, "name", None),
    "contact": (Contact, "name", None),
}


def _fold(word: str) -> str:
    """Lower case without accents, as the FTS5 tokenizer (remove_diacritics) sees words."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def highlight(texts: list[str], words: list[str], width: int = 14) -> str:
    """A snippet of the first text that matches: `width` words around it, matches in [ ]."""
    for text_value in texts:
        tokens = (text_value or "").split()
        hits = [
            i
            for i, tok in enumerate(tokens)
            if any(_fold(w).startswith(p) for w in _WORD.findall(tok) for p in words)
        ]
        if not hits:
            continue
        start = max(0, hits[0] - width // 3)
        window = tokens[start : start + width]
        marked = [f"[{tok}]" if start + i in hits else tok for i, tok in enumerate(window)]
        prefix = "… " if start > 0 else ""
        suffix = " …" if start + width < len(tokens) else ""
        return prefix + " ".join(marked) + suffix
    return ""


def search(
    session: Session,
    user_text: str,
    *,
    limit: int = 20,
    entities: tuple[str, ...] = (),
    day: dt.date | None = None,
) -> list[SearchHit]:
    """The best matches for `user_text`, best first, across the searchable records.

    A contact whose details may not be used on `day` (today by default; see
    `services.consent.may_use`) is found by name, with its details left out of the snippet.
    """
    match = fts_query(user_text)
    if match is None:
        return []
    ranked: list[tuple[float, SearchHit]] = []
    words = [_fold(w) for w in _WORD.findall(user_text)[:12]]
    for entity, (model, title_col, date_col) in _SOURCES.items():
        if entities and entity not in entities:
            continue
        base = _table_name(model)
        name = f"{base}_fts"
        # bm25 costs about 1 µs per matching row; ranking only the RANK_WINDOW newest matches
        # (FTS5 walks rowids newest first and stops) keeps a common word fast at any size.
        best = session.execute(
            text(
                f"SELECT m.rowid, m.rank FROM (SELECT rowid, rank FROM {name} "
                f"WHERE {name} MATCH :q ORDER BY rowid DESC LIMIT {RANK_WINDOW}) AS m "
                f"JOIN {base} AS t ON t.rowid = m.rowid WHERE t.deleted = 0 "
                "ORDER BY m.rank LIMIT :n"
            ),
            {"q": match, "n": limit},
        ).all()
        if not best:
            continue
        rank_of = {rowid: rank for rowid, rank in best}
        # FTS5 cannot seek a MATCH to a list of rowids (snippet() would re-run the whole
        # query), so the few winning rows are read from the table and highlighted here.
        columns = SEARCHABLE[base]
        date_sql = date_col or "NULL"
        rows = session.execute(
            text(
                f"SELECT rowid, id, {', '.join(columns)}, {date_sql} FROM {base} "
                "WHERE rowid IN :rowids"
            ).bindparams(bindparam("rowids", expanding=True)),
            {"rowids": list(rank_of)},
        )
        for rowid, record_id, *texts, when in rows:
            if isinstance(when, str):
                when = dt.datetime.fromisoformat(when)
            title = texts[columns.index(title_col)]
            short = title if len(title) <= 90 else title[:89] + "…"
            hit = SearchHit(entity, record_id, short, highlight(texts, words), when)
            ranked.append((rank_of[rowid], hit))
    ranked.sort(key=lambda pair: pair[0])
    hits = [hit for _, hit in ranked[:limit]]
    return _withhold(session, hits, day or dt.date.today())


def _withhold(session: Session, hits: list[SearchHit], day: dt.date) -> list[SearchHit]:
    """Hits with the snippet of each contact whose details may not be used replaced by why."""
    ids = [h.id for h in hits if h.entity == "contact"]
    if not ids:
        return hits
    people = {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(ids)))}
    last = consent.latest_kinds(session, ids)
    out = []
    for hit in hits:
        person = people.get(hit.id) if hit.entity == "contact" else None
        if person is not None and not consent.may_use(person, day):
            why = consent.withheld_because(person, day, last.get(hit.id))
            hit = SearchHit(hit.entity, hit.id, hit.title, f"(details withheld: {why})", hit.when)
        out.append(hit)
    return out
