"""The central window's Follow-up page: London-wide search, each borough's loose ends, and
the centre's own notes on a borough's records (issue 16).

* Search runs over every merged engagement, finding and action: on SQLite the FTS5 indexes
  the stores keep (migrations 0002 and 0015, filled by triggers whoever writes, the merge
  included); on PostgreSQL the GIN indexes on `to_tsvector` expressions of migration 0016,
  queried with the very same expressions (`PG_DOCUMENT`), so the planner uses them. Whatever
  is typed is reduced to its words, so quotes and operators are plain text: a search answers
  with results or a plain message, never an error.
* A borough's loose ends use the borough app's definitions (services/followup.py): a finding
  with no live outcome; an action open or in progress whose due date has passed. A record is
  the borough's of the device that created it (sync/ownership.py).
* The centre's notes on a record, and the record read-only, are services/central_notes.py's.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, exists, func, select, text
from sqlalchemy.orm import Session

from ccodesk.models import (
    ActionItem,
    CentralNote,
    Engagement,
    Finding,
    Outcome,
)
from ccodesk.resource_files import load_json
from ccodesk.services.followup import ACTIVE
from ccodesk.services.search import RANK_WINDOW, highlight
from ccodesk.services.search import _fold as fold
from ccodesk.sync.ownership import device_owners

KINDS = {"engagement": "Engagement", "finding": "Finding", "action_item": "Action"}
UNTRUSTED = "A device not trusted"
MAX_WORDS = 12
MAX_WORD = 60  # characters of one word searched (longer ones are cut)
LIST_LIMIT = 500
# matches ranked per kind on PostgreSQL: the most a search shows (SQLite ranks RANK_WINDOW)
PG_WINDOW = 50

# The text each kind is searched by: the FTS5 columns (store/search_index.py) and, on
# PostgreSQL, the indexed expression (frozen in migration 0016: keep the two equal).
COLUMNS = {
    "engagement": ("title", "theme", "venue_name", "informs_detail", "notes"),
    "finding": ("text", "theme"),
    "action_item": ("description", "owner", "status_note"),
}
PG_DOCUMENT = {
    table: "to_tsvector('english'::regconfig, "
    + " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
    + ")"
    for table, columns in COLUMNS.items()
}
# the date a result is shown with: its engagement's (an action of none: its due date)
_DATED = {
    "engagement": "SELECT {key}, t.id, t.origin_device, {cols}, t.starts_at FROM engagement t",
    "finding": (
        "SELECT {key}, t.id, t.origin_device, {cols}, e.starts_at FROM finding t "
        "JOIN engagement e ON e.id = t.engagement_id"
    ),
    "action_item": (
        "SELECT {key}, t.id, t.origin_device, {cols}, coalesce(e.starts_at, t.due_on) "
        "FROM action_item t LEFT JOIN engagement e ON e.id = t.engagement_id"
    ),
}
_PG_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # to_tsquery's words: letters and digits
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchResult:
    """One record found London-wide: its borough, kind, date, title and a snippet."""

    kind: str  # a key of KINDS
    id: str
    borough_code: str
    borough: str
    when: dt.date | None
    title: str
    snippet: str

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


@dataclass(frozen=True)
class SearchAnswer:
    """What a search found, or (no results) why, in plain words."""

    results: list[SearchResult]
    message: str


def as_date(value: object) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = (
            dt.datetime.fromisoformat(value) if len(value) > 10 else dt.date.fromisoformat(value)
        )
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def short(value: str, length: int = 90) -> str:
    value = " ".join((value or "").split())
    return value if len(value) <= length else value[: length - 1].rstrip() + "…"


@functools.cache
def _boroughs() -> tuple[tuple[str, str], ...]:
    return tuple((str(b["code"]), str(b["name"])) for b in load_json("reference", "boroughs.json"))


def borough_names() -> dict[str, str]:
    """Borough code → name: the shipped reference data the stores' `borough` table is loaded
    from (read once, not asked of the database at every search)."""
    return dict(_boroughs())


# Every word typed is required; the last (the one being typed) as the start of a word, the
# others whole: a prefix of a common word ("crime"*) merges the lists of every word it
# begins, which made a three-word search over 330 borough-years three times slower.


def _fts5_query(user_text: str) -> str | None:
    """An FTS5 query of the words typed (quoted: operators in the text are plain words)."""
    words = [w[:MAX_WORD] for w in _WORD.findall(user_text)[:MAX_WORDS]]
    if not words:
        return None
    return " ".join([f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*'])


def _pg_query(user_text: str) -> str | None:
    """A `to_tsquery` text of the words typed (None: no word). A word with accents also
    matches without them (the `english` configuration keeps them)."""
    words = _PG_WORD.findall(user_text)[:MAX_WORDS]
    terms = []
    for n, word in enumerate(words):
        word = word[:MAX_WORD].lower()
        plain = "".join(_PG_WORD.findall(fold(word)))
        star = ":*" if n == len(words) - 1 else ""
        both = plain and plain != word
        terms.append(f"({word}{star} | {plain}{star})" if both else f"{word}{star}")
    return " & ".join(terms) if terms else None


def _sqlite_ranked(session: Session, table: str, match: str, limit: int) -> dict[int, float]:
    fts = f"{table}_fts"
    # rank only the RANK_WINDOW newest matches (FTS5 walks rowids newest first and stops):
    # a common word stays fast however many rows London holds (services/search.py)
    rows = session.execute(
        text(
            f"SELECT m.rowid, m.rank FROM (SELECT rowid, rank FROM {fts} WHERE {fts} MATCH :q "
            f"ORDER BY rowid DESC LIMIT {RANK_WINDOW}) AS m JOIN {table} AS t ON t.rowid = m.rowid "
            "WHERE t.deleted = 0 ORDER BY m.rank LIMIT :n"
        ),
        {"q": match, "n": limit},
    ).all()
    return {int(rowid): float(rank) for rowid, rank in rows}


Found = list[tuple[float, tuple[str, str, str, list[object], object]]]


def _sqlite_search(session: Session, user_text: str, limit: int) -> Found:
    match = _fts5_query(user_text)
    if match is None:
        return []
    found: Found = []
    for table, columns in COLUMNS.items():
        ranks = _sqlite_ranked(session, table, match, limit)
        if not ranks:
            continue
        cols = ", ".join(f"t.{c}" for c in columns)
        rows = session.execute(
            text(
                _DATED[table].format(key="t.rowid", cols=cols) + " WHERE t.rowid IN :rowids"
            ).bindparams(bindparam("rowids", expanding=True)),
            {"rowids": list(ranks)},
        )
        for rowid, record_id, device, *rest in rows:
            found.append(
                (ranks[int(rowid)], (table, str(record_id), str(device), rest[:-1], rest[-1]))
            )
    return found


def _pg_search(session: Session, user_text: str, limit: int) -> Found:
    query = _pg_query(user_text)
    if query is None:
        return []
    width = max(len(columns) for columns in COLUMNS.values())
    ctes, branches = [], []
    for n, (table, columns) in enumerate(COLUMNS.items()):
        document = PG_DOCUMENT[table]
        # The first PG_WINDOW matches the GIN index gives (no other condition here, or the
        # planner walks another index computing every row's vector), then ranked: the vector
        # is computed again only for those rows, not for every row a common word matches.
        ctes.append(
            f"m{n} AS (SELECT t.id FROM {table} t WHERE {document} @@ "
            f"to_tsquery('english'::regconfig, :q) LIMIT {PG_WINDOW}), "
            f"r{n} AS (SELECT t.id, ts_rank({document}, to_tsquery('english'::regconfig, :q)) "
            f"AS rank FROM {table} t JOIN m{n} ON m{n}.id = t.id WHERE NOT t.deleted "
            f"ORDER BY rank DESC LIMIT :n)"
        )
        cols = ", ".join([f"t.{c}::text" for c in columns] + ["NULL"] * (width - len(columns)))
        branches.append(
            _DATED[table].format(key=f"'{table}', r{n}.rank", cols=cols)
            + f" JOIN r{n} ON r{n}.id = t.id"
        )
    sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(branches)
    # PostgreSQL prices to_tsvector() far below its cost, so for a common word under a LIMIT
    # it would rather read the table computing every row's vector (over 100 ms at 330
    # borough-years) than use the GIN index: this transaction may not scan a table.
    session.execute(text("SET LOCAL enable_seqscan = off"))
    try:
        rows = session.execute(text(sql), {"q": query, "n": limit}).all()
    finally:
        session.execute(text("RESET enable_seqscan"))
    found: Found = []
    for table, rank, record_id, device, *rest in rows:
        texts = rest[: len(COLUMNS[table])]
        found.append((-float(rank), (str(table), str(record_id), str(device), texts, rest[-1])))
    return found


def london_search(session: Session, user_text: str, *, limit: int = 50) -> SearchAnswer:
    """The records of every borough that match `user_text`, best first, at most `limit`.

    Any text is accepted: it is reduced to its first words, all of them required, the last
    as the start of a word (it may be still being typed), the others whole. No word, or
    nothing found, is said in `message`.
    """
    if not _WORD.findall(user_text):
        return SearchAnswer([], "Type a word to search London's engagements, findings and actions.")
    if session.get_bind().dialect.name == "postgresql":
        found = _pg_search(session, user_text, limit)
    else:
        found = _sqlite_search(session, user_text, limit)
    if not found:
        shown = short(user_text, 60)
        return SearchAnswer([], f"Nothing in London's records matches “{shown}”.")
    found.sort(key=lambda pair: pair[0])
    owners = device_owners(session)
    names = borough_names()
    folded = [fold(w) for w in _WORD.findall(user_text)[:MAX_WORDS]]
    results = []
    for _rank, (table, record_id, device, texts, when) in found[:limit]:
        code = owners.get(str(device), "")
        words = [str(t or "") for t in texts]
        results.append(
            SearchResult(
                table,
                str(record_id),
                code,
                names.get(code, code or UNTRUSTED),
                as_date(when),
                short(words[0]),
                highlight(words, folded),
            )
        )
    more = " (the best first; add a word to narrow it)" if len(found) > limit else ""
    return SearchAnswer(results, f"{len(results)} found{more}.")


# -- each borough's loose ends --------------------------------------------------------------


@dataclass(frozen=True)
class BoroughLooseEnds:
    """One borough's findings with no outcome and actions overdue."""

    code: str
    name: str
    findings: int
    overdue: int


@dataclass(frozen=True)
class LooseEnd:
    """A finding with no outcome or an overdue action of a borough, for the list."""

    kind: str  # finding | action_item
    id: str
    when: dt.date | None  # the engagement's date (a finding), the due date (an action)
    title: str
    engagement: str
    notes: int

    @property
    def what(self) -> str:
        return "Finding with no outcome" if self.kind == "finding" else "Action overdue"


def _no_outcome() -> object:
    return ~exists().where(Outcome.finding_id == Finding.id, Outcome.deleted.is_(False))


def _devices_of(owners: dict[str, str]) -> dict[str, list[str]]:
    by_borough: dict[str, list[str]] = {}
    for device, code in owners.items():
        by_borough.setdefault(code, []).append(device)
    return by_borough


def loose_ends_by_borough(session: Session, today: dt.date) -> list[BoroughLooseEnds]:
    """Every borough (the 32 and the City) with its counts, by name (noughts included)."""
    owners = device_owners(session)
    findings: dict[str, int] = {}
    for device, n in session.execute(
        select(Finding.origin_device, func.count())
        .join(Engagement, Engagement.id == Finding.engagement_id)
        .where(Finding.deleted.is_(False), Engagement.deleted.is_(False), _no_outcome())  # type: ignore[arg-type]
        .group_by(Finding.origin_device)
    ):
        code = owners.get(str(device), "")
        findings[code] = findings.get(code, 0) + int(n)
    overdue: dict[str, int] = {}
    for device, n in session.execute(
        select(ActionItem.origin_device, func.count())
        .where(
            ActionItem.deleted.is_(False),
            ActionItem.status.in_(ACTIVE),
            ActionItem.due_on < today,
        )
        .group_by(ActionItem.origin_device)
    ):
        code = owners.get(str(device), "")
        overdue[code] = overdue.get(code, 0) + int(n)
    names = borough_names()
    lines = [
        BoroughLooseEnds(code, name, findings.get(code, 0), overdue.get(code, 0))
        for code, name in names.items()
    ]
    return sorted(lines, key=lambda line: line.name)


def _note_counts(session: Session, ids: Iterable[str]) -> dict[str, int]:
    chosen = list(ids)
    if not chosen:
        return {}
    counts: dict[str, int] = {}
    for start in range(0, len(chosen), 500):
        for record_id, n in session.execute(
            select(CentralNote.record_id, func.count())
            .where(CentralNote.record_id.in_(chosen[start : start + 500]))
            .group_by(CentralNote.record_id)
        ):
            counts[str(record_id)] = int(n)
    return counts


def borough_loose_ends(
    session: Session, code: str, today: dt.date, *, limit: int = LIST_LIMIT
) -> list[LooseEnd]:
    """A borough's overdue actions (longest overdue first), then its findings with no outcome
    (oldest engagement first); at most `limit` of each."""
    devices = _devices_of(device_owners(session)).get(code, [])
    if not devices:
        return []
    actions = session.execute(
        select(ActionItem.id, ActionItem.due_on, ActionItem.description, Engagement.title)
        .outerjoin(Engagement, Engagement.id == ActionItem.engagement_id)
        .where(
            ActionItem.origin_device.in_(devices),
            ActionItem.deleted.is_(False),
            ActionItem.status.in_(ACTIVE),
            ActionItem.due_on < today,
        )
        .order_by(ActionItem.due_on, ActionItem.description, ActionItem.id)
        .limit(limit)
    ).all()
    findings = session.execute(
        select(Finding.id, Engagement.starts_at, Finding.text, Engagement.title)
        .join(Engagement, Engagement.id == Finding.engagement_id)
        .where(
            Finding.origin_device.in_(devices),
            Finding.deleted.is_(False),
            Engagement.deleted.is_(False),
            _no_outcome(),  # type: ignore[arg-type]
        )
        .order_by(Engagement.starts_at, Finding.text, Finding.id)
        .limit(limit)
    ).all()
    notes = _note_counts(session, [r[0] for r in actions] + [r[0] for r in findings])
    out = [
        LooseEnd("action_item", i, due, short(d), t or "", notes.get(i, 0))
        for i, due, d, t in actions
    ]
    out += [
        LooseEnd("finding", i, as_date(when), short(d), t or "", notes.get(i, 0))
        for i, when, d, t in findings
    ]
    return out
