"""Counts in plain English: "1 time", "2 times", "1,500 organisations"."""

from __future__ import annotations


def plural(count: int, singular: str, many: str | None = None) -> str:
    """`count` and the noun in the right number: plural(1, "time") == "1 time".

    `many` is the plural when it is not the singular plus "s" ("person", "people").
    """
    noun = singular if count == 1 else (many or f"{singular}s")
    return f"{count:,} {noun}"
