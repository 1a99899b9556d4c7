"""Tools for the sync attack tests: a content digest of a store, and bundles re-signed.

An attack test takes a bundle the real export (or the real centre) wrote, changes it the way an
attacker holding a trusted key would, signs it again with that key, and asserts the refusal
line and that the store's digest is what it was.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pyrage
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.models import Base
from ccodesk.sync import bundle


def content_digest(session: Session) -> str:
    """SHA-256 over every row of every table of the store, in primary-key order."""
    digest = hashlib.sha256()
    for table in Base.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        digest.update(f"\n[{table.name}]\n".encode())
        for row in session.execute(select(table).order_by(*order)):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def members_of(data: bytes, identity: pyrage.x25519.Identity | None = None) -> dict[str, bytes]:
    """The members of a bundle file's bytes (decrypted with `identity` when it is an age file)."""
    plain = pyrage.decrypt(data, [identity]) if identity is not None else data
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def resigned(
    members: dict[str, bytes],
    signing_key: Ed25519PrivateKey,
    recipients: list[pyrage.x25519.Recipient] | None,
    *,
    manifest: Callable[[dict[str, Any]], None] | None = None,
    member: tuple[str, Callable[[Any], None]] | None = None,
) -> bytes:
    """The bundle again, its manifest and/or one JSON member edited, signed with `signing_key`.

    `manifest(doc)` edits the manifest in place; `member=(name, edit)` edits a JSON member
    (`receipt.json`, `reference.json`) in place. SHA256SUMS and its signature are made anew
    by the real `bundle.build`, so only the edits differ from an honest bundle.
    """
    doc = json.loads(members["manifest.json"])
    if manifest is not None:
        manifest(doc)
    rest = {n: b for n, b in members.items() if n not in ("manifest.json", bundle.SUMS, bundle.SIG)}
    if member is not None:
        name, edit = member
        value = json.loads(rest[name])
        edit(value)
        rest[name] = json.dumps(value, indent=2).encode()
    return bundle.build(doc, rest, signing_key, recipients)
