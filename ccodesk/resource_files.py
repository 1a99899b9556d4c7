"""Access to the files under resources/ (shipped as the `ccodesk.resources` package)."""

from __future__ import annotations

import difflib
import functools
import json
from importlib import resources
from typing import Any

from ccodesk.errors import ValidationError

REFERENCE_FILES = (
    "boroughs.json",
    "priority_groups.json",
    "consultation_methods.json",
    "consultation_matrix.json",
    "topics.json",
)


def read_bytes(*parts: str) -> bytes:
    """The bytes of a resource file, e.g. read_bytes("reference", "boroughs.json")."""
    node = resources.files("ccodesk.resources")
    for part in parts:
        node = node.joinpath(part)
    return node.read_bytes()


@functools.cache
def load_json(*parts: str) -> Any:
    """A resource JSON file, parsed (cached: resources never change while running)."""
    return json.loads(read_bytes(*parts))


@functools.cache
def reference_version() -> str:
    """A digest of the shipped reference data, to tell when a store needs refreshing."""
    import hashlib  # only when reference data is checked, not at every start

    digest = hashlib.sha256()
    for name in REFERENCE_FILES:
        digest.update(read_bytes("reference", name))
    return digest.hexdigest()[:16]


def borough_name(code: str | None) -> str:
    """The display name of a borough code ("" for none)."""
    if not code:
        return ""
    for b in load_json("reference", "boroughs.json"):
        if b["code"] == code:
            return str(b["name"])
    return code


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").replace("&", "and").split())


def resolve_borough(name: str) -> str:
    """The code of the borough a user named ("Camden", "city of london", "camden")."""
    boroughs = load_json("reference", "boroughs.json")
    wanted = _norm(name)
    for b in boroughs:
        if wanted in (_norm(b["code"]), _norm(b["name"]), _norm(b["name"]).removeprefix("the ")):
            return str(b["code"])
    names = [b["name"] for b in boroughs]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(close)}?" if close else " Use a London borough's name."
    raise ValidationError(f"Unknown borough {name!r}.{hint}")
