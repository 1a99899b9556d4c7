"""Finding a person's name, e-mail and phone in free text, and putting "[erased]" in their place
(for services/erasure.py).

The name matches as whole words, any case, with any run of spaces between its words; the
e-mail matches whole, any case; the phone matches by its digits, whatever spaces, hyphens or
brackets stand between them (a phone of fewer than six digits is not looked for: it would
match too much). Queries narrow the rows with LIKE first (`likes`), then this module checks
each candidate in Python.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

ERASED = "[erased]"
_ASCII_RUN = re.compile(r"[A-Za-z0-9@.'-]{3,}")


@dataclass(frozen=True)
class Person:
    """What names a person in text."""

    name: str
    email: str = ""
    phone: str = ""

    def terms(self) -> list[str]:
        """The non-empty name, e-mail and phone, as typed."""
        return [t for t in (self.name.strip(), self.email.strip(), self.phone.strip()) if t]

    def pattern(self) -> re.Pattern[str]:
        """One pattern for the name, the e-mail and the phone."""
        parts = []
        words = self.name.split()
        if words:
            parts.append(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)")
        if self.email.strip():
            parts.append(re.escape(self.email.strip()))
        digits = _digits(self.phone)
        if len(digits) >= 6:
            parts.append(r"(?<!\d)" + r"[\s().-]*".join(digits) + r"(?!\d)")
        if not parts:
            return re.compile(r"(?!)")  # matches nothing
        return re.compile("|".join(parts), re.IGNORECASE)

    def likes(self) -> list[str]:
        """LIKE patterns (escape '\\') that every text naming the person matches one of.

        SQLite's LIKE ignores case for ASCII letters only, so each pattern is an ASCII run of
        the term; a name with no such run is matched as typed.
        """
        found = []
        name = self.name.strip()
        if name:
            runs = sorted(
                (m.group() for w in name.split() for m in _ASCII_RUN.finditer(w)),
                key=len,
                reverse=True,
            )
            found.append(runs[0] if runs else max(name.split(), key=len))
        if self.email.strip():
            found.append(self.email.strip())
        digits = _digits(self.phone)
        if len(digits) >= 6:
            found.append(digits[-3:])
        return [f"%{_escape_like(t)}%" for t in found]


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def names(pattern: re.Pattern[str], value: Any) -> bool:
    """Whether `value` (text, or JSON of lists, objects and text) holds a match."""
    if isinstance(value, str):
        return pattern.search(value) is not None
    if isinstance(value, dict | list):
        return pattern.search(json.dumps(value, ensure_ascii=False)) is not None
    return False


def replaced(pattern: re.Pattern[str], value: Any) -> Any:
    """`value` with each match put as "[erased]", through lists and objects (keys too)."""
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [replaced(pattern, v) for v in value]
    if isinstance(value, dict):
        return {replaced(pattern, k): replaced(pattern, v) for k, v in value.items()}
    return value
