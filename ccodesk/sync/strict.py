"""Strict, bounded reading of what a signed bundle carries (docs/bundle-format.md, "Strict
parsing").

A signature says who wrote a bundle, not that its contents are sane: a stolen laptop or a buggy
build signs whatever it is given. Everything read from a bundle therefore goes through here
first: JSON with its nesting and sizes capped, integers within their column's range and sign
(a `bool` is not an integer), strings that are valid UTF-8 without NULs or lone surrogates,
ids in their declared shape, age recipients parsed before use. Each violation is one readable
line naming the member and field (`StrictError`, a `KnownError`; `bundle.BundleRejected`
derives from it).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from ccodesk.errors import KnownError

MAX_DEPTH = 8  # nesting of objects and arrays in manifest.json, receipt.json, reference.json
MAX_STRING = 100_000  # characters in any one string, where its column gives no tighter limit
MAX_ITEMS = 100_000  # entries of any one object or array (reference.json's key and topic lists)
SQL_BIGINT = 2**63 - 1  # the largest value of a BIGINT column (PostgreSQL, SQLite)
SQL_INT = 2**31 - 1  # the largest value of an INTEGER column on PostgreSQL
MAX_SEQ_JUMP = 10_000  # a device's bundle number may run at most this far past its last one

_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")  # NUL; a surrogate never paired into a character
_ESCAPE = re.compile(rb"\\u")  # only an escape can put NUL or a lone surrogate in a JSON string


class StrictError(KnownError):
    """A value in a bundle breaks the format's rules (type, range, shape, size)."""


# -- JSON ------------------------------------------------------------------------------------


def loads(data: bytes, where: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """JSON from `data`, refused (StrictError naming `where`) when nested deeper than
    `max_depth`, not UTF-8, not JSON, or holding a string with a NUL or a lone surrogate or
    longer than MAX_STRING.

    The parser's own recursion guard stops absurd nesting (a RecursionError raised cleanly in
    the C scanner, refused here); the decoded value is then measured without recursion.
    """
    try:
        doc = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise StrictError(f"{where} is not valid UTF-8 text.") from exc
    except RecursionError as exc:
        raise StrictError(f"{where} is nested more than {max_depth} levels deep.") from exc
    except ValueError as exc:
        raise StrictError(f"{where} is not valid JSON: {str(exc)[:80]}") from exc
    check_tree(doc, where, escapes=_ESCAPE.search(data) is not None, max_depth=max_depth)
    return doc


def load_line(line: bytes, where: str) -> Any:
    """One line of changes.jsonl as JSON (the record's fixed shape is checked field by field
    afterwards, so its depth is not measured here; json's own recursion guard is a refusal)."""
    try:
        doc = json.loads(line.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise StrictError(f"{where}: not valid UTF-8 text.") from exc
    except RecursionError as exc:
        raise StrictError(f"{where}: nested too deeply for a record.") from exc
    except ValueError as exc:
        raise StrictError(f"{where}: {exc}") from exc
    return doc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number ccodesk reads")


def has_escapes(data: bytes) -> bool:
    """Whether JSON text has any \\u escape (else it cannot hold NULs or lone surrogates)."""
    return _ESCAPE.search(data) is not None


def check_tree(doc: Any, where: str, *, escapes: bool = True, max_depth: int | None = None) -> None:
    """Refuse a decoded JSON value nested deeper than `max_depth` or holding a bad string
    (NUL, lone surrogate, too long) or an object or array of more than MAX_ITEMS entries.
    Iterative: no recursion to exhaust."""
    stack = [(doc, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            check_text(value, where, escapes=escapes)
            continue
        if not isinstance(value, dict | list):
            continue
        if max_depth is not None and depth >= max_depth:
            raise StrictError(f"{where} is nested more than {max_depth} levels deep.")
        if len(value) > MAX_ITEMS:
            raise StrictError(f"{where} holds an object or list of too many entries.")
        if isinstance(value, dict):
            for key in value:
                check_text(key, where, escapes=escapes)
            stack.extend((item, depth + 1) for item in value.values())
        else:
            stack.extend((item, depth + 1) for item in value)


def check_text(value: str, where: str, *, limit: int = MAX_STRING, escapes: bool = True) -> str:
    if len(value) > limit:
        raise StrictError(f"{where} holds text longer than {limit} characters.")
    if escapes and _BAD_CHAR.search(value):
        raise StrictError(
            f"{where} holds text with a NUL or a lone surrogate (not valid Unicode text)."
        )
    return value


# -- fields ------------------------------------------------------------------------------------


def integer(
    doc: dict[str, Any], name: str, where: str, *, low: int = 0, high: int = SQL_BIGINT
) -> int:
    """`doc[name]` as an integer in [low, high]; true/false, floats and strings are refused."""
    value = doc.get(name)
    if type(value) is not int:
        raise StrictError(f"{where}: {name} must be a whole number, not {_shown(value)}.")
    if not low <= value <= high:
        raise StrictError(f"{where}: {name} {_shown(value)} is outside {low}…{high}.")
    return value


def text(
    doc: dict[str, Any], name: str, where: str, *, limit: int, optional: bool = False
) -> str | None:
    """`doc[name]` as a string of at most `limit` characters (or None where `optional`)."""
    value = doc.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise StrictError(f"{where}: {name} must be text, not {_shown(value)}.")
    return check_text(value, f"{where}: {name}", limit=limit)


def uuid(doc: dict[str, Any], name: str, where: str, *, optional: bool = False) -> str | None:
    """`doc[name]` as a lowercase hyphenated UUID (a record, device or bundle id)."""
    value = doc.get(name)
    if value is None and optional:
        return None
    if not (isinstance(value, str) and _ID.fullmatch(value)):
        raise StrictError(f"{where}: {name} {_shown(value)} is not an id (a lowercase UUID).")
    return value


def sha256_hex(doc: dict[str, Any], name: str, where: str) -> str:
    value = doc.get(name)
    if not (isinstance(value, str) and _HEX64.fullmatch(value)):
        raise StrictError(f"{where}: {name} is not a SHA-256 in hex.")
    return value


def boolean(doc: dict[str, Any], name: str, where: str) -> bool:
    value = doc.get(name)
    if not isinstance(value, bool):
        raise StrictError(f"{where}: {name} must be true or false, not {_shown(value)}.")
    return value


def timestamp(doc: dict[str, Any], name: str, where: str) -> dt.datetime:
    """`doc[name]` as an ISO 8601 date and time (at most 40 characters)."""
    value = text(doc, name, where, limit=40)
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise StrictError(f"{where}: {name} {_shown(value)} is not a date and time.") from exc


def age_recipient(
    doc: dict[str, Any], name: str, where: str, *, optional: bool = False
) -> str | None:
    """`doc[name]` as an age X25519 recipient, parsed (so nothing is ever encrypted to junk)."""
    from ccodesk.sync.keys import RecipientError, parse_recipient

    value = text(doc, name, where, limit=100, optional=optional)
    if value is None:
        return None
    try:
        parse_recipient(value)
    except RecipientError as exc:
        raise StrictError(
            f"{where}: {name} {_shown(value)} is not an age recipient (age1…)."
        ) from exc
    return value


def seq_after(seq: int, last: int | None, where: str) -> None:
    """Refuse a bundle number that runs absurdly far past the sender's last known one."""
    if seq > (last or 0) + MAX_SEQ_JUMP:
        raise StrictError(
            f"{where}: seq {seq} is more than {MAX_SEQ_JUMP} past the sender's last bundle "
            f"({last or 0}); no device exports that many bundles unseen."
        )


def _shown(value: Any) -> str:
    """A value as a short, printable repr for a refusal line."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        digits = str(value) if abs(value) < 10**30 else f"a {len(str(abs(value)))}-digit number"
        return digits
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return repr(value[:40]) + ("…" if len(value) > 40 else "")
    return type(value).__name__.replace("dict", "an object").replace("list", "a list")
