"""The bundle container (docs/bundle-format.md): an age-encrypted ZIP, signed with SSHSIG.

    manifest.json      what the bundle is: format, kind, sender, sequence numbers, counts
    changes.jsonl      records, one JSON object a line (kinds "changes" and "reference")
    reference.json     trusted keys and reference data (kind "reference")
    receipt.json       what a merge did with a bundle (kind "receipt")
    SHA256SUMS         `sha256sum` lines for every other member but the signature
    SHA256SUMS.sig     SSHSIG over SHA256SUMS (namespace ccodesk-bundle, or ccodesk-receipt)

Opening is strictly in this order, and nothing is parsed before it is authenticated:
decrypt → size and member checks on the ZIP directory (nothing inflated yet) → SHA256SUMS and
its signature, the only members read before the signer is known to be trusted → every other
member inflated one at a time, hashed while it streams, with its cap → only then JSON, read by
`strict` (nesting, sizes, ranges, shapes; docs/bundle-format.md "Strict parsing").
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

from ccodesk.failures import os_reason
from ccodesk.sync import sshsig, strict
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
MAX_ENTRIES = 8
MAX_DIRECTORY = 64 * 1024  # the ZIP's central directory (8 short entries are under 1 KiB)
CHUNK = 1024 * 1024  # members are inflated and hashed this much at a time
_SUM_LINE = re.compile(r"^([0-9a-f]{64})  ([A-Za-z0-9_.]+)$")


class BundleRejected(strict.StrictError):
    """A bundle failed a check; it was not merged and changed nothing."""


def _json_line(number: int, line: bytes) -> Any:
    try:
        return strict.load_line(line, f"changes.jsonl line {number}")
    except strict.StrictError as exc:
        raise BundleRejected(str(exc)) from exc


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number ccodesk reads")


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
            joined = (b"[" + b",".join(lines) + b"]").decode("utf-8") if lines else "[]"
            docs = json.loads(joined, parse_constant=_no_constants)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            docs = None
        if docs is None or len(docs) != len(lines):
            docs = [_json_line(number, line) for number, line in numbered]
        escapes = strict.has_escapes(data)  # else no string can hold a NUL or lone surrogate
        records = []
        for (number, line), doc in zip(numbered, docs, strict=True):
            try:
                if escapes and strict.has_escapes(line):
                    strict.check_tree(doc, f"changes.jsonl line {number}")
            except strict.StrictError as exc:
                raise BundleRejected(str(exc)) from exc
            try:
                records.append(parse_record(doc))
            except RecordError as exc:
                raise BundleRejected(f"changes.jsonl line {number}: {exc}") from exc
        return records

    def json_member(self, name: str) -> dict[str, Any]:
        if name not in self.members:
            raise BundleRejected(f"{name} is missing or not JSON.")
        try:
            doc = strict.loads(self.members[name], name)
        except strict.StrictError as exc:
            raise BundleRejected(str(exc)) from exc
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
    return build_hashed(manifest, members, signing_key, recipients)[0]


def build_hashed(
    manifest: dict[str, Any],
    members: dict[str, bytes],
    signing_key: Ed25519PrivateKey,
    recipients: list[pyrage.x25519.Recipient] | None,
) -> tuple[bytes, str]:
    """The bundle file's bytes and its content hash (the SHA-256 of its SHA256SUMS)."""
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
    content_hash = hashlib.sha256(sums).hexdigest()
    if recipients is None:
        return plain, content_hash
    return bytes(pyrage.encrypt(plain, recipients)), content_hash


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
        with path.open("rb") as handle:  # capped: a device or a pipe has no size to stat
            data = handle.read(MAX_FILE + 1)
        if len(data) > MAX_FILE:
            raise BundleRejected(f"{path} is larger than any bundle ccodesk writes.")
        return data
    except FileNotFoundError as exc:
        raise BundleRejected(f"{path} does not exist.") from exc
    except IsADirectoryError as exc:
        raise BundleRejected(f"{path} is a directory, not a bundle file.") from exc
    except OSError as exc:
        raise BundleRejected(f"{path} cannot be read: {os_reason(exc)}.") from exc


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
    archive, infos = _directory(plain)
    sums = _inflate(archive, infos[SUMS])
    namespace = _namespace_for(sums)
    key = sshsig.signer_of(_inflate(archive, infos[SIG]), sums, namespace)
    signer = sshsig.fingerprint(key)
    if not trusted(signer, namespace):
        raise BundleRejected(f"The bundle is signed by {signer}, a key this store does not trust.")
    # Authenticated: only now is anything else inflated, each member hashed as it streams.
    listed = {
        name: _inflate(archive, infos[name], digest)
        for name, digest in _listed(sums, set(infos)).items()
    }
    opened = OpenedBundle(
        manifest={}, signer=signer, content_hash=hashlib.sha256(sums).hexdigest(), members=listed
    )
    manifest = opened.json_member("manifest.json")
    _check_manifest(manifest, set(listed), namespace)
    opened.manifest = manifest
    if manifest["kind"] == "receipt":
        _check_receipt(opened.json_member("receipt.json"))
    elif manifest["kind"] == "reference":
        _check_reference(opened.json_member("reference.json"))
    return opened


def _directory(plain: bytes) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]]:
    """The archive's directory, checked entry by entry; nothing is inflated here."""
    buffer = io.BytesIO(plain)
    try:
        # The end record first: a directory of a million entries would cost memory to list.
        end = zipfile._EndRecData(buffer)  # type: ignore[attr-defined]
        if end is None:
            raise zipfile.BadZipFile("no end of central directory")
        if end[zipfile._ECD_ENTRIES_TOTAL] > MAX_ENTRIES:  # type: ignore[attr-defined]
            raise BundleRejected("The bundle holds more files than any bundle ccodesk writes.")
        if end[zipfile._ECD_SIZE] > MAX_DIRECTORY:  # type: ignore[attr-defined]
            raise BundleRejected("The bundle's archive directory is larger than ccodesk writes.")
        archive = zipfile.ZipFile(buffer)
    except BundleRejected:
        raise
    except Exception as exc:  # zipfile raises many kinds on hostile input; all mean "damaged"
        raise BundleRejected("The bundle's archive is damaged.") from exc
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise BundleRejected("The bundle holds more files than any bundle ccodesk writes.")
    infos: dict[str, zipfile.ZipInfo] = {}
    for info in entries:
        name = info.filename
        if name not in MAX_MEMBER or name in infos:
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
        infos[name] = info
    for needed in (SUMS, SIG):
        if needed not in infos:
            raise BundleRejected(f"The bundle has no {needed}: it is not signed.")
    return archive, infos


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, digest: str | None = None) -> bytes:
    """One member, inflated a chunk at a time up to its declared size (and its cap) and, when
    its signed `digest` is given, hashed as it streams.

    A member larger than one chunk is first only hashed, keeping nothing, and inflated again
    to be kept once it has matched: a trusted key that lies about a member costs the time to
    inflate what the member claims to be, never the memory to hold it. (The archive is in
    memory and does not change between the two passes; honest bundles pay a second inflate,
    a few milliseconds for a borough-year.)
    """
    if digest is not None and info.file_size > CHUNK:
        _stream(archive, info, digest, keep=False)
        digest = None
    return _stream(archive, info, digest, keep=True)


def _stream(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, digest: str | None, *, keep: bool
) -> bytes:
    name = info.filename
    chunks: list[bytes] = []
    hasher = hashlib.sha256()
    size = 0
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(min(CHUNK, info.file_size - size + 1)):
                size += len(chunk)
                if size > info.file_size:
                    break
                if digest is not None:
                    hasher.update(chunk)
                if keep:
                    chunks.append(chunk)
    except Exception as exc:  # BadZipFile, zlib.error, EOFError, … on a damaged member
        raise BundleRejected(f"{name} in the bundle is damaged.") from exc
    if size != info.file_size:
        raise BundleRejected(f"{name} is not the size the archive says.")
    if digest is not None and hasher.hexdigest() != digest:
        raise BundleRejected(f"{name} does not match its signed hash: the bundle was altered.")
    return b"".join(chunks)


def _namespace_for(sums: bytes) -> str:
    names = {line.rsplit(" ", 1)[-1] for line in sums.decode("ascii", "replace").splitlines()}
    return NAMESPACES["receipt"] if "receipt.json" in names else NAMESPACES["changes"]


def _listed(sums: bytes, names: set[str]) -> dict[str, str]:
    """The signed SHA256SUMS as {member: digest}; it must list exactly the other members."""
    try:
        lines = sums.decode("ascii").splitlines()
    except UnicodeDecodeError as exc:
        raise BundleRejected("SHA256SUMS is not text.") from exc
    listed: dict[str, str] = {}
    for line in lines:
        match = _SUM_LINE.match(line)
        if match is None:
            raise BundleRejected("SHA256SUMS has a malformed line.")
        digest, name = match.groups()
        if name in listed or name in (SUMS, SIG) or name not in names:
            raise BundleRejected(f"SHA256SUMS lists {name!r}, which is not in the bundle as such.")
        listed[name] = digest
    unlisted = names - set(listed) - {SUMS, SIG}
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
    if not isinstance(kind, str) or kind not in MEMBERS or NAMESPACES[kind] != namespace:
        raise BundleRejected("The bundle's kind is unknown or does not match its signature.")
    if names != MEMBERS[kind]:
        raise BundleRejected(f"A {kind} bundle must hold exactly {sorted(MEMBERS[kind])}.")
    try:
        _check_manifest_fields(manifest, kind)
    except strict.StrictError as exc:
        raise BundleRejected(str(exc)) from exc


def _check_manifest_fields(manifest: dict[str, Any], kind: str) -> None:
    """Every field a reader uses, in its declared shape and range (docs "Strict parsing")."""
    where = "manifest.json"
    strict.uuid(manifest, "bundle_id", where)
    strict.uuid(manifest, "device_id", where)
    strict.integer(manifest, "seq", where, low=1)
    strict.timestamp(manifest, "created", where)
    if kind == "changes":
        strict.text(manifest, "borough_code", where, limit=40, optional=True)
        strict.text(manifest, "officer", where, limit=120)
        since = strict.integer(manifest, "since_seq", where)
        strict.integer(manifest, "through_seq", where, low=since)
        strict.boolean(manifest, "full", where)
        strict.text(manifest, "public_key", where, limit=1000, optional=True)
        try:
            strict.age_recipient(manifest, "age_recipient", where)
        except strict.StrictError as exc:
            raise strict.StrictError(
                f"{str(exc).rstrip('.')}, so no receipt could be encrypted to the device; "
                "nothing was merged."
            ) from exc
    if kind == "changes" and "audit" in manifest:
        _check_audit(manifest["audit"], f"{where}: audit")
    if kind in ("changes", "reference") and "counts" in manifest:
        counts = manifest["counts"]
        if not isinstance(counts, dict):
            raise strict.StrictError(f"{where}: counts must be an object.")
        for name in counts:
            strict.check_text(name, f"{where}: counts", limit=40)
            strict.integer(counts, name, f"{where}: counts")


MAX_AUDIT_EARLIER = 64  # entries of a manifest's audit.earlier (audit_heads.MAX_EARLIER)


def _check_audit(audit: Any, where: str) -> None:
    """A changes manifest's audit trail head (§3): the last event's id and hash, and the hashes
    the trail now holds at earlier heads (null: that event is gone)."""
    if not isinstance(audit, dict):
        raise strict.StrictError(f"{where} must be an object.")
    strict.integer(audit, "head_id", where)
    strict.sha256_hex(audit, "head_hash", where)
    earlier = audit.get("earlier", [])
    if not isinstance(earlier, list):
        raise strict.StrictError(f"{where}: earlier must be a list.")
    if len(earlier) > MAX_AUDIT_EARLIER:
        raise strict.StrictError(
            f"{where}: earlier lists {len(earlier)} heads, more than {MAX_AUDIT_EARLIER}."
        )
    for number, entry in enumerate(earlier, start=1):
        place = f"{where}: earlier entry {number}"
        if not isinstance(entry, dict):
            raise strict.StrictError(f"{place} must be an object.")
        strict.integer(entry, "id", place, low=1)
        if entry.get("hash") is not None:
            strict.sha256_hex(entry, "hash", place)
        elif "hash" not in entry:
            raise strict.StrictError(f"{place} has no hash (null when the event is gone).")


def _check_receipt(doc: dict[str, Any]) -> None:
    """receipt.json's fields in their shapes and ranges (before anything acts on them)."""
    where = "receipt.json"
    try:
        strict.uuid(doc, "bundle_id", where)
        strict.sha256_hex(doc, "content_hash", where)
        strict.uuid(doc, "device_id", where)
        strict.text(doc, "borough_code", where, limit=40, optional=True)
        strict.integer(doc, "seq", where, low=1)
        strict.integer(doc, "through_seq", where)
        for count in ("applied", "already", "conflicts"):
            strict.integer(doc, count, where, high=strict.SQL_INT)
        strict.timestamp(doc, "merged_at", where)
    except strict.StrictError as exc:
        raise BundleRejected(str(exc)) from exc


def _check_reference(doc: dict[str, Any]) -> None:
    """reference.json's centre, keys and topics in their shapes (recipients parsed)."""
    where = "reference.json"
    try:
        centre = doc.get("centre")
        if not isinstance(centre, dict):
            raise strict.StrictError(f"{where} does not name its centre.")
        strict.text(centre, "name", f"{where}: centre", limit=200)
        strict.text(centre, "public_key", f"{where}: centre", limit=1000)
        strict.age_recipient(centre, "age_recipient", f"{where}: centre")
        for list_name in ("trusted_keys", "topics"):
            if not isinstance(doc.get(list_name, []), list):
                raise strict.StrictError(f"{where}: {list_name} must be a list.")
        for number, entry in enumerate(doc.get("trusted_keys", []), start=1):
            at = f"{where}: trusted key {number}"
            if not isinstance(entry, dict):
                raise strict.StrictError(f"{at} is not an object.")
            strict.text(entry, "public_key", at, limit=1000)
            strict.text(entry, "borough_code", at, limit=40, optional=True)
            strict.text(entry, "officer", at, limit=120, optional=True)
            strict.uuid(entry, "device_id", at, optional=True)
            strict.age_recipient(entry, "age_recipient", at, optional=True)
        for number, topic in enumerate(doc.get("topics", []), start=1):
            at = f"{where}: topic {number}"
            if not isinstance(topic, dict):
                raise strict.StrictError(f"{at} is not an object.")
            strict.text(topic, "code", at, limit=40)
            strict.text(topic, "name", at, limit=80, optional=True)
            sensitive = topic.get("sensitive_for", [])
            if not isinstance(sensitive, list) or not all(
                isinstance(x, str) and len(x) <= 40 for x in sensitive
            ):
                raise strict.StrictError(f"{at}: sensitive_for must be a list of codes.")
    except strict.StrictError as exc:
        raise BundleRejected(str(exc)) from exc


def changes_member(records: list[Record]) -> bytes:
    return b"".join(encode_line(r) for r in records)
