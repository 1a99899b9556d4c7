"""Finding a person in a store's text (subject access, erasure): what they are searched
for by (`SearchTerms`), how names, e-mail addresses and phone numbers are compared (`fold`,
`phone_digits`, `Matcher`), and the candidate rows of a table whose text may name them
(FTS5 where the table has an index, else a scan for the rarest word, checked in Python).
`services.subject_access` gathers what is held about them with these."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session

from ccodesk.errors import ValidationError

_WORD = re.compile(r"\w+", re.UNICODE)
_LIKE_ESCAPE = "\\"


@dataclass(frozen=True)
class SearchTerms:
    """What a request names the person by (any of them may be empty, not all)."""

    name: str = ""
    email: str = ""
    phone: str = ""

    def checked(self) -> SearchTerms:
        """The terms trimmed; ValidationError when there is nothing to search for."""
        terms = SearchTerms(
            " ".join(self.name.split()), self.email.strip(), " ".join(self.phone.split())
        )
        problems = []
        if not (terms.name or terms.email or terms.phone):
            problems.append("give a name, an e-mail address or a phone number to search for")
        if terms.name and not _WORD.search(terms.name):
            problems.append(f"the name {terms.name!r} has no letters to search for")
        if terms.email and ("@" not in terms.email or len(terms.email) < 3):
            problems.append(f"{terms.email!r} is not an e-mail address")
        if terms.phone and len(phone_digits(terms.phone)) < 6:
            problems.append(f"{terms.phone!r} is not a phone number (too few digits)")
        if problems:
            raise ValidationError(problems)
        return terms

    def labelled(self) -> tuple[tuple[str, str], ...]:
        return (("Name", self.name), ("E-mail", self.email), ("Phone", self.phone))

    def as_list(self) -> list[str]:
        """As the request log keeps them: [name, e-mail, phone]."""
        return [self.name, self.email, self.phone]


# -- matching -------------------------------------------------------------------------------


def fold(value: str) -> str:
    """Lower case without accents, spaces collapsed (how names are compared)."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.split())


def phone_digits(value: str) -> str:
    """A phone number's digits, a UK +44 prefix written as the 0 dialled at home."""
    digits = re.sub(r"\D", "", value)
    if digits.startswith("44") and len(digits) >= 11:
        digits = "0" + digits[2:]
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    return digits


class Matcher:
    """Does a text name the person? Whole-word names, e-mail addresses, phone digits."""

    def __init__(self, names: Iterable[str], emails: Iterable[str], phones: Iterable[str]):
        names = [" ".join(n.split()) for n in names if _WORD.search(n)]
        self.names = sorted({fold(n) for n in names})
        # LIKE compares accents as written (and SQLite's ignores ASCII case only): the
        # patterns take each name as written as well as folded
        self._written = sorted(set(names))
        self.emails = sorted({e.strip().casefold() for e in emails if e.strip()})
        phones = [p for p in phones if len(phone_digits(p)) >= 6]
        self.phones = sorted({phone_digits(p) for p in phones})
        # each number's last group of digits as written ("900123" of "07700 900123"): a word
        # the FTS5 index holds wherever the number is written with that spacing
        self._phone_tails = sorted({_WORD.findall(p)[-1] for p in phones})
        self._name_res = [
            re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, n.split())) + r"(?!\w)")
            for n in self.names
        ]
        self._email_res = [
            re.compile(r"(?<![\w.+-])" + re.escape(e) + r"(?![\w-])") for e in self.emails
        ]
        self._phone_res = [
            # the digits with any spacing, a leading 0 also written +44 (0) or +44
            re.compile(
                r"(?<!\d)(?:\+?44\s*(?:\(0\)\s*)?|0)" + r"[\s\-().]*".join(d[1:]) + r"(?!\d)"
                if d.startswith("0")
                else r"(?<!\d)" + r"[\s\-().]*".join(d) + r"(?!\d)"
            )
            for d in self.phones
        ]

    def what(self, *texts: str | None) -> str:
        """ "name", "e-mail" or "phone": what in `texts` names the person; "" when nothing."""
        joined = "\n".join(t for t in texts if t)
        if not joined:
            return ""
        folded = fold(joined)
        if any(r.search(folded) for r in self._name_res):
            return "name"
        lowered = joined.casefold()
        if any(r.search(lowered) for r in self._email_res):
            return "e-mail"
        if any(r.search(joined) for r in self._phone_res):
            return "phone"
        return ""

    def needles(self) -> list[str]:
        """Words a text naming the person must hold, one at least (case aside): the longest
        word of each name, each e-mail address, each phone number's last three digits (any
        spacing keeps them together)."""
        words = []
        for name in [*self.names, *self._written]:  # its longest word: rare, in every mention
            words.append(max(_WORD.findall(name), key=len))
        words += self.emails
        words += [d[-3:] for d in self.phones]
        unique = {w.lower(): w for w in sorted(words, reverse=True)}
        return sorted(unique.values())

    def fts_query(self) -> str | None:
        """An FTS5 query for rows naming the person (each name or e-mail a phrase, each phone
        number's last group of digits a word); None when there is nothing to ask."""
        phrases = []
        for value in [*self.names, *self.emails]:
            words = _WORD.findall(value)
            if words:
                phrases.append('"' + " ".join(words) + '"')
        phrases += [f'"{d}"' for d in self.phones]
        phrases += [f'"{d[1:]}"' for d in self.phones if d.startswith("0")]
        phrases += [f'"{t}"' for t in self._phone_tails]
        return " OR ".join(phrases) or None


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _spellings(needle: str) -> set[str]:
    """How `needle` may be written in a text: as given, in lower or upper case, or with a
    capital first letter; a long word without its first letter (one needle for "Okafor"
    and "okafor")."""
    if not any(ch.isalpha() for ch in needle):
        return {needle}
    word = needle[1:] if len(needle) > 3 else needle
    return {word, word.lower(), word.upper()} | (
        set() if len(needle) > 3 else {needle.capitalize()}
    )


def _contains_any(session: Session, columns: Sequence[Any], needles: list[str]) -> Any:
    """SQL: any of `columns` holds any of `needles` (case aside; see `_spellings`).

    On SQLite `instr` for each way a needle may be written: it is several times quicker than
    LIKE (which ignores case but matches a pattern character by character), and this scans
    whole tables; on PostgreSQL ILIKE."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    tests = []
    for column in columns:
        for needle in needles:
            if sqlite:
                tests += [func.instr(column, word) > 0 for word in sorted(_spellings(needle))]
            else:
                tests.append(column.ilike(f"%{_escape_like(needle)}%", escape=_LIKE_ESCAPE))
    return or_(*tests) if tests else text("0 = 1")


def _has_fts(session: Session, table: str) -> bool:
    if session.get_bind().dialect.name != "sqlite":
        return False
    cache: dict[str, bool] = session.info.setdefault("ccodesk_fts_tables", {})
    if table not in cache:
        cache[table] = (
            session.execute(
                text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"),
                {"n": f"{table}_fts"},
            ).first()
            is not None
        )
    return cache[table]


def texts_naming(
    session: Session,
    model: Any,
    columns: Sequence[InstrumentedAttribute[Any]],
    matcher: Matcher,
    *,
    fts: bool = True,
) -> dict[Any, str]:
    """The live rows of `model` whose `columns` name the person: {id: how they are named}.

    One narrow statement on the one table (the FTS5 index where it covers the table, else a
    LIKE scan), checked in Python; the caller then loads the few rows found with what it
    joins them to. (A join in the same statement lets SQLite walk the joined table first,
    which costs seconds at 100,000 engagements.)"""
    table = model.__tablename__
    match = matcher.fts_query()
    # deleted rows are left out here, not in SQL: "deleted = 0" would tempt SQLite to walk an
    # index led by `deleted` (every live row) instead of the few rows the index lookup found
    gone = model.deleted if hasattr(model, "deleted") else literal(False)
    query = select(model.id, gone, *columns)
    if fts and match is not None and _has_fts(session, table):
        query = query.where(
            text(
                f"{table}.rowid IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :match)"
            ).bindparams(match=match)
        )
    else:
        query = query.where(_contains_any(session, columns, matcher.needles()))
    found = {}
    for row_id, deleted, *texts in session.execute(query):
        how = "" if deleted else matcher.what(*texts)
        if how:
            found[row_id] = how
    return found


def rows_named(session: Session, ids: dict[Any, str], query: Any) -> list[Any]:
    """The rows of `query` (which loads the rows `ids` names), none when `ids` is empty:
    SQLite plans a join restricted to an empty list by walking the whole joined table."""
    return list(session.execute(query)) if ids else []
