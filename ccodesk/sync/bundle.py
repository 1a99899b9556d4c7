"""The bundle container (docs/bundle-format.md): an age-encrypted ZIP, signed with SSHSIG.

    manifest.json      what the bundle is: format, kind, sender, sequence numbers, counts
    changes.jsonl      records, one JSON object a line (kinds "changes" and "reference")
    reference.json     trusted keys and reference data (kind "reference")
    receipt.json       what a merge did with a bundle (kind "receipt")
    SHA256SUMS         `sha256sum` lines for every other member but the signature
    SHA256SUMS.sig     SSHSIG over SHA256SUMS (namespace ccodesk-bundle, or ccodesk-receipt)

Opening is strictly in this order, and nothing is parsed before it is authenticated:
decrypt → size and member checks on the ZIP directory → signature over SHA256SUMS by a trusted
key → every member's hash → only then JSON.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ccodesk.errors import KnownError
from ccodesk.sync import sshsig
from ccodesk.sync.records import (
    Record,
    RecordError,
    encode_line,
    parse_record,
)

FORMAT = "ccodesk-bundle/1"
NAMESPACES = {
    "changes": "ccodesk-bundle",
    "reference": "ccodesk-bundle",
    "receipt": "ccodesk-receipt",
}
MEMBERS = {
    "changes": {"manifest.json", "changes.jsonl"},
    "reference": {"manifest.json", "changes.jsonl", "reference.json"},
    "receipt": {"manifest.json", "receipt.json"},
}
SUMS, SIG = "SHA256SUMS", "SHA256SUMS.sig"
# Size caps, in layers: the encrypted file, the ZIP directory, each member, each line.
MAX_FILE = 512 * 1024 * 1024
MAX_MEMBER = {
    "manifest.json": 64 * 1024,
    "receipt.json": 64 * 1024,
    "reference.json": 16 * 1024 * 1024,
    "changes.jsonl": 2 * 1024 * 1024 * 1024,
    SUMS: 4096,
    SIG: sshsig.MAX_ARMOURED,
}
MAX_LINE = 4 * 1024 * 1024
MAX_RATIO = 200  # uncompressed ÷ compressed, per member (a ZIP bomb has thousands)
_SUM_LINE = re.compile(r"^([0-9a-f]{64})  ([A-Za-z0-9_.]+)$")


class BundleRejected(KnownError):
    """A bundle failed a check; it was not merged and changed nothing."""


def _json_line(number: int, line: bytes) -> Any:
    try:
        return json.loads(line)
    except ValueError as exc:
        raise BundleRejected(f"changes.jsonl line {number}: {exc}") from exc


@dataclass
class OpenedBundle:
    """An authenticated bundle: its manifest, signer, content hash and members."""

    manifest: dict[str, Any]
    signer: str  # fingerprint of the key that signed it
    content_hash: str  # SHA-256 of SHA256SUMS: identifies the content
    members: dict[str, bytes]

    @property
    def kind(self) -> str:
        return str(self.manifest["kind"])

    def records(self) -> list[Record]:
        """The records of changes.jsonl, each validated (BundleRejected on the first bad one).

        The lines are decoded with one `json.loads` of them all (a per-line call costs as
        much again in the json module's Python wrapper). A line that does not decode is then
        found and named by decoding the lines one by one.
        """
        data = self.members.get("changes.jsonl", b"")
        numbered = [(n, line) for n, line in enumerate(data.split(b"\n"), start=1) if line]
        lines = [line for _n, line in numbered]
        for number, line in numbered:
            if len(line) > MAX_LINE:
                raise BundleRejected(f"changes.jsonl line {number} is too long.")
        try:
            docs = json.loads(b"[" + b",".join(lines) + b"]") if lines else []
        except ValueError:
            docs = None
        if docs is None or len(docs) != len(lines):
            docs = [_json_line(number, line) for number, line in numbered]
        records = []
        for (number, _line), doc in zip(numbered, docs, strict=True):
            try:
                records.append(parse_record(doc))
            except RecordError as exc:
                raise BundleRejected(f"changes.jsonl line {number}: {exc}") from exc
        return records

    def json_member(self, name: str) -> dict[str, Any]:
        try:
            doc = json.loads(self.members[name])
        except (KeyError, ValueError) as exc:
            raise BundleRejected(f"{name} is missing or not JSON.") from exc
        if not isinstance(doc, dict):
            raise BundleRejected(f"{name} is not a JSON object.")
        return doc


def build(
    manifest: dict[str, Any],
    members: dict[str, bytes],
    signing_key: Ed25519PrivateKey,
    recipients: list[pyrage.x25519.Recipient] | None,
) -> bytes:
    """The bundle file's bytes (encrypted unless `recipients` is None)."""
    kind = manifest["kind"]
    everything = {"manifest.json": _json(manifest), **members}
    if set(everything) != MEMBERS[kind]:
        raise ValueError(f"a {kind} bundle holds {sorted(MEMBERS[kind])}")
    sums = "".join(
        f"{hashlib.sha256(everything[name]).hexdigest()}  {name}\n" for name in sorted(everything)
    ).encode()
    signature = sshsig.sign(signing_key, sums, NAMESPACES[kind]).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(everything):
            archive.writestr(_entry(name), everything[name])
        archive.writestr(_entry(SUMS), sums)
        archive.writestr(_entry(SIG), signature)
    plain = buffer.getvalue()
    if recipients is None:
        return plain
    return bytes(pyrage.encrypt(plain, recipients))


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # reproducible
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _json(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False).encode() + b"\n"


def read_file(path: Path) -> bytes:
    """A bundle file's bytes; refused before reading when larger than any bundle can be."""
    try:
        if path.stat().st_size > MAX_FILE:
            raise BundleRejected(f"{path} is larger than any bundle ccodesk writes.")
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise BundleRejected(f"{path} does not exist.") from exc
    except IsADirectoryError as exc:
        raise BundleRejected(f"{path} is a directory, not a bundle file.") from exc
    except OSError as exc:
        raise BundleRejected(f"{path} cannot be read: {exc.strerror or exc}.") from exc


def open_bundle(
    data: bytes,
    identities: list[pyrage.x25519.Identity],
    trusted: Callable[[str, str], bool],
) -> OpenedBundle:
    """Authenticate and unpack a bundle file's bytes.

    `identities` decrypt it (none: only an unencrypted bundle is accepted); `trusted(fingerprint,
    namespace)` says whether the signing key may sign for that purpose.
    """
    if len(data) > MAX_FILE:
        raise BundleRejected("The file is larger than any bundle ccodesk writes.")
    if data.startswith(b"age-encryption.org/"):
        if not identities:
            raise BundleRejected("The bundle is encrypted and this store has no key for it.")
        try:
            plain = pyrage.decrypt(data, identities)
        except Exception as exc:  # pyrage.DecryptError and friends
            raise BundleRejected(
                "The bundle could not be decrypted: it is not addressed to this store's key, "
                "or it was damaged."
            ) from exc
    elif data.startswith(b"PK\x03\x04"):
        plain = data
    else:
        raise BundleRejected("Not a ccodesk bundle (neither an age file nor a ZIP).")
    members = _read_zip(plain)
    sums = members[SUMS]
    namespace = _namespace_for(sums)
    key = sshsig.signer_of(members[SIG], sums, namespace)
    signer = sshsig.fingerprint(key)
    if not trusted(signer, namespace):
        raise BundleRejected(f"The bundle is signed by {signer}, a key this store does not trust.")
    listed = _check_sums(sums, members)
    opened = OpenedBundle(
        manifest={}, signer=signer, content_hash=hashlib.sha256(sums).hexdigest(), members=listed
    )
    manifest = opened.json_member("manifest.json")
    _check_manifest(manifest, set(listed), namespace)
    opened.manifest = manifest
    return opened


def _read_zip(plain: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(plain))
    except Exception as exc:  # zipfile raises many kinds on hostile input; all mean "damaged"
        raise BundleRejected("The bundle's archive is damaged.") from exc
    infos = archive.infolist()
    if len(infos) > 8:
        raise BundleRejected("The bundle holds more files than any bundle ccodesk writes.")
    allowed = set(MAX_MEMBER)
    members: dict[str, bytes] = {}
    for info in infos:
        name = info.filename
        if name not in allowed or name in members:
            raise BundleRejected(f"The bundle holds an unexpected file {name[:60]!r}.")
        if info.flag_bits & 0x1:
            raise BundleRejected(
                "The bundle's archive uses ZIP encryption, which ccodesk never does."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BundleRejected("The bundle's archive uses an unexpected compression.")
        if info.file_size > MAX_MEMBER[name]:
            raise BundleRejected(f"{name} is larger than ccodesk allows.")
        if info.file_size > MAX_RATIO * max(info.compress_size, 1024):
            raise BundleRejected(f"{name} is compressed suspiciously well (a ZIP bomb?).")
        try:
            with archive.open(info) as handle:
                content = handle.read(MAX_MEMBER[name] + 1)
        except Exception as exc:  # BadZipFile, zlib.error, EOFError, … on a damaged member
            raise BundleRejected(f"{name} in the bundle is damaged.") from exc
        if len(content) != info.file_size:
            raise BundleRejected(f"{name} is not the size the archive says.")
        members[name] = content
    for needed in (SUMS, SIG):
        if needed not in members:
            raise BundleRejected(f"The bundle has no {needed}: it is not signed.")
    return members


def _namespace_for(sums: bytes) -> str:
    names = {line.rsplit(" ", 1)[-1] for line in sums.decode("ascii", "replace").splitlines()}
    return NAMESPACES["receipt"] if "receipt.json" in names else NAMESPACES["changes"]


def _check_sums(sums: bytes, members: dict[str, bytes]) -> dict[str, bytes]:
    try:
        lines = sums.decode("ascii").splitlines()
    except UnicodeDecodeError as exc:
        raise BundleRejected("SHA256SUMS is not text.") from exc
    listed: dict[str, bytes] = {}
    for line in lines:
        match = _SUM_LINE.match(line)
        if match is None:
            raise BundleRejected("SHA256SUMS has a malformed line.")
        digest, name = match.groups()
        if name in listed or name in (SUMS, SIG) or name not in members:
            raise BundleRejected(f"SHA256SUMS lists {name!r}, which is not in the bundle as such.")
        if hashlib.sha256(members[name]).hexdigest() != digest:
            raise BundleRejected(f"{name} does not match its signed hash: the bundle was altered.")
        listed[name] = members[name]
    unlisted = set(members) - set(listed) - {SUMS, SIG}
    if unlisted:
        raise BundleRejected(
            f"The bundle holds files its signature does not cover: {sorted(unlisted)}."
        )
    return listed


def _check_manifest(manifest: dict[str, Any], names: set[str], namespace: str) -> None:
    if manifest.get("format") != FORMAT:
        raise BundleRejected(
            f"The bundle's format is {str(manifest.get('format'))[:40]!r}; this ccodesk reads "
            f"{FORMAT!r}. Update ccodesk, or ask the sender to."
        )
    kind = manifest.get("kind")
    if kind not in MEMBERS or NAMESPACES[kind] != namespace:
        raise BundleRejected("The bundle's kind is unknown or does not match its signature.")
    if names != MEMBERS[kind]:
        raise BundleRejected(f"A {kind} bundle must hold exactly {sorted(MEMBERS[kind])}.")
    required = {"bundle_id": str, "device_id": str, "seq": int, "created": str}
    for key, kind_of in required.items():
        if not isinstance(manifest.get(key), kind_of):
            raise BundleRejected(f"The manifest's {key} is missing or malformed.")


def changes_member(records: list[Record]) -> bytes:
    return b"".join(encode_line(r) for r in records)
