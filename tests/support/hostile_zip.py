"""Hostile bundles that are cheap to build: a member that inflates to gigabytes, written as
raw deflate blocks repeated, so neither the test nor the benchmark has to compress (or even
hold) what the member would inflate to.

A fresh raw-deflate stream flushed with Z_FULL_FLUSH is a run of non-final blocks ending on a
byte boundary with no back-reference before it; N copies of it followed by an empty final
block are one valid deflate stream of N times the chunk. Each chunk begins with random bytes
so the member stays under the reader's 200:1 ratio cap, like the issue's 8.7 MB bundle
inflating to 1.5 GiB.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zipfile
import zlib
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ccodesk.sync import sshsig

MiB = 1024 * 1024


def _deflated_chunk(random_bytes: int) -> tuple[bytes, bytes]:
    """(chunk, its raw deflate blocks): 1 MiB whose first `random_bytes` are random."""
    chunk = os.urandom(random_bytes) + bytes(MiB - random_bytes)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return chunk, compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)


def _zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A ZIP of (name, member bytes as stored, method, crc, inflated size) entries."""
    out = bytearray()
    directory = bytearray()
    for name, data, method, crc, size in entries:
        offset = len(out)
        encoded = name.encode()
        out += struct.pack(
            zipfile.structFileHeader, zipfile.stringFileHeader, 20, 0, 0, method, 0, 0x21,
            crc, len(data), size, len(encoded), 0,
        )  # fmt: skip
        out += encoded + data
        directory += struct.pack(
            zipfile.structCentralDir, zipfile.stringCentralDir, 20, 3, 20, 0, 0, method, 0,
            0x21, crc, len(data), size, len(encoded), 0, 0, 0, 0, 0o644 << 16, offset,
        )  # fmt: skip
        directory += encoded
    start = len(out)
    out += directory
    out += struct.pack(
        zipfile.structEndArchive, zipfile.stringEndArchive, 0, 0, len(entries), len(entries),
        len(directory), start, 0,
    )  # fmt: skip
    return bytes(out)


def inflating_bundle(
    path: Path, inflated: int, signing_key: Ed25519PrivateKey, *, random_bytes: int = 4500
) -> Path:
    """Write an unencrypted changes bundle to `path` whose changes.jsonl inflates to
    `inflated` bytes (a whole number of MiB), signed by `signing_key`; its SHA256SUMS is
    well formed but does not hash the big member (the signer is meant to be refused first)."""
    chunk, blocks = _deflated_chunk(random_bytes)
    count = inflated // MiB
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block
    big = blocks * count + final
    manifest = json.dumps({"format": "ccodesk-bundle/1", "kind": "changes"}).encode()
    sums = (
        f"{hashlib.sha256(b'').hexdigest()}  changes.jsonl\n"
        f"{hashlib.sha256(manifest).hexdigest()}  manifest.json\n"
    ).encode()
    signature = sshsig.sign(signing_key, sums, "ccodesk-bundle").encode()
    small = [
        ("manifest.json", manifest),
        ("SHA256SUMS", sums),
        ("SHA256SUMS.sig", signature),
    ]
    entries = [("changes.jsonl", big, zipfile.ZIP_DEFLATED, crc, count * MiB)]
    entries += [(n, d, zipfile.ZIP_STORED, zlib.crc32(d), len(d)) for n, d in small]
    path.write_bytes(_zip(entries))
    return path
