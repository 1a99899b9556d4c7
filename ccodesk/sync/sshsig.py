"""SSHSIG signatures with Ed25519 keys: what `ssh-keygen -Y sign` writes and `-Y verify` checks.

The format is OpenSSH's PROTOCOL.sshsig: the signed data is

    "SSHSIG" | string(namespace) | string("") | string("sha512") | string(SHA-512(message))

and the signature file is the armoured blob

    "SSHSIG" | uint32(1) | string(public key) | string(namespace) | string("") |
    string("sha512") | string(signature)

where string() is a uint32 big-endian length and the bytes. Anyone can check a bundle with
stock OpenSSH (see docs/bundle-format.md); tests check these signatures with ssh-keygen.
"""

from __future__ import annotations

import base64
import hashlib
import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_ssh_public_key,
)

from ccodesk.errors import KnownError

MAGIC = b"SSHSIG"
VERSION = 1
HASH = "sha512"
BEGIN = "-----BEGIN SSH SIGNATURE-----"
END = "-----END SSH SIGNATURE-----"
MAX_ARMOURED = 4096


class SignatureError(KnownError):
    """A signature is malformed, for another purpose, or not made by a trusted key."""


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _read_string(blob: bytes, offset: int) -> tuple[bytes, int]:
    if offset + 4 > len(blob):
        raise SignatureError("The signature is truncated.")
    (length,) = struct.unpack(">I", blob[offset : offset + 4])
    end = offset + 4 + length
    if end > len(blob):
        raise SignatureError("The signature is truncated.")
    return blob[offset + 4 : end], end


def public_key_blob(key: Ed25519PublicKey) -> bytes:
    """The SSH wire encoding of an Ed25519 public key."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return _string(b"ssh-ed25519") + _string(raw)


def openssh_public_key(key: Ed25519PublicKey, comment: str = "") -> str:
    """`ssh-ed25519 AAAA… comment`, as in an authorized_keys or allowed_signers file."""
    text = "ssh-ed25519 " + base64.b64encode(public_key_blob(key)).decode()
    return f"{text} {comment}".strip()


def fingerprint(public_key: str | Ed25519PublicKey) -> str:
    """`SHA256:…`, the fingerprint `ssh-keygen -l` shows for the key."""
    key = parse_public_key(public_key) if isinstance(public_key, str) else public_key
    digest = hashlib.sha256(public_key_blob(key)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def parse_public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 key from its OpenSSH text form; a clear error for anything else."""
    parts = text.strip().split()
    if len(parts) < 2 or parts[0] != "ssh-ed25519":
        raise SignatureError("Not an Ed25519 OpenSSH public key (expected 'ssh-ed25519 AAAA…').")
    try:
        key = load_ssh_public_key(f"{parts[0]} {parts[1]}".encode())
    except ValueError as exc:
        raise SignatureError(f"The public key cannot be read: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SignatureError("Only Ed25519 keys are used by ccodesk.")
    return key


def _signed_data(message: bytes, namespace: str) -> bytes:
    return (
        MAGIC
        + _string(namespace.encode())
        + _string(b"")
        + _string(HASH.encode())
        + _string(hashlib.sha512(message).digest())
    )


def sign(private_key: Ed25519PrivateKey, message: bytes, namespace: str) -> str:
    """An armoured SSHSIG signature of `message` for `namespace`."""
    signature = private_key.sign(_signed_data(message, namespace))
    blob = (
        MAGIC
        + struct.pack(">I", VERSION)
        + _string(public_key_blob(private_key.public_key()))
        + _string(namespace.encode())
        + _string(b"")
        + _string(HASH.encode())
        + _string(_string(b"ssh-ed25519") + _string(signature))
    )
    body = base64.b64encode(blob).decode()
    lines = [body[i : i + 70] for i in range(0, len(body), 70)]
    return "\n".join([BEGIN, *lines, END]) + "\n"


def signer_of(armoured: str | bytes, message: bytes, namespace: str) -> Ed25519PublicKey:
    """Check an armoured signature of `message` for `namespace`; return the key that made it.

    The caller decides whether that key is trusted (compare `fingerprint(key)`).
    """
    if isinstance(armoured, bytes):
        if len(armoured) > MAX_ARMOURED:
            raise SignatureError("The signature file is too large.")
        try:
            armoured = armoured.decode("ascii")
        except UnicodeDecodeError as exc:
            raise SignatureError("The signature file is not text.") from exc
    lines = [line.strip() for line in armoured.strip().splitlines()]
    if len(lines) < 3 or lines[0] != BEGIN or lines[-1] != END:
        raise SignatureError("Not an SSH signature (no BEGIN/END SSH SIGNATURE lines).")
    try:
        blob = base64.b64decode("".join(lines[1:-1]), validate=True)
    except ValueError as exc:
        raise SignatureError("The signature is not valid base64.") from exc
    if not blob.startswith(MAGIC) or len(blob) < 10:
        raise SignatureError("Not an SSHSIG signature.")
    (version,) = struct.unpack(">I", blob[6:10])
    if version != VERSION:
        raise SignatureError(f"Unsupported SSHSIG version {version}.")
    offset = 10
    key_blob, offset = _read_string(blob, offset)
    signed_namespace, offset = _read_string(blob, offset)
    _reserved, offset = _read_string(blob, offset)
    hash_name, offset = _read_string(blob, offset)
    sig_blob, offset = _read_string(blob, offset)
    if offset != len(blob):
        raise SignatureError("The signature has trailing data.")
    if signed_namespace.decode(errors="replace") != namespace:
        raise SignatureError(
            f"The signature is for {signed_namespace.decode(errors='replace')!r}, "
            f"not {namespace!r}."
        )
    if hash_name not in (b"sha512", b"sha256"):
        raise SignatureError("Unsupported signature hash.")
    key_type, rest = _read_string(key_blob, 0)
    raw_key, end = _read_string(key_blob, rest)
    if key_type != b"ssh-ed25519" or end != len(key_blob) or len(raw_key) != 32:
        raise SignatureError("Only Ed25519 signatures are accepted.")
    sig_type, rest = _read_string(sig_blob, 0)
    raw_sig, end = _read_string(sig_blob, rest)
    if sig_type != b"ssh-ed25519" or end != len(sig_blob):
        raise SignatureError("The signature is not an Ed25519 signature.")
    key = Ed25519PublicKey.from_public_bytes(raw_key)
    digest = hashlib.new(hash_name.decode(), message).digest()
    data = MAGIC + _string(namespace.encode()) + _string(b"") + _string(hash_name) + _string(digest)
    try:
        key.verify(raw_sig, data)
    except InvalidSignature as exc:
        raise SignatureError("The signature does not match the signed file.") from exc
    return key
