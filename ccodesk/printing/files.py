"""Writing printed documents to disk: atomically, with errors in plain words."""

from __future__ import annotations

import re
from pathlib import Path

from ccodesk.errors import KnownError
from ccodesk.failures import os_reason
from ccodesk.fileio import atomic_write_bytes


class CannotWrite(KnownError):
    """A PDF could not be written where the user asked (no such folder, no permission, …)."""


def write_pdf(path: Path, data: bytes) -> Path:
    """Write `data` to `path` atomically: a whole new file or the old one left as it was."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise CannotWrite(f"{path} is a folder; give a file name ending in .pdf")
    if not path.parent.exists():
        raise CannotWrite(f"Cannot write {path}: the folder {path.parent} does not exist.")
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise CannotWrite(f"Cannot write {path}: {os_reason(exc)}.") from exc
    return path


def safe_name(text: str, limit: int = 60) -> str:
    """A file-name-safe slug: "Hackney PCCG: Knife crime" -> "hackney-pccg-knife-crime"."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "document"
