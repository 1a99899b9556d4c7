"""A device's age identity, derived from its signing key (one secret to keep, not two).

The X25519 secret is HKDF-SHA256(Ed25519 seed, info="ccodesk age identity v1"), written in
age's Bech32 form (`AGE-SECRET-KEY-1…`) for pyrage. Whoever holds the signing key (the OS
keyring or the passphrase-protected key file) can therefore decrypt what is addressed to the
device, and nobody else.
"""

from __future__ import annotations

from pathlib import Path

import pyrage
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ccodesk.errors import KnownError
from ccodesk.failures import os_reason
from ccodesk.fileio import atomic_create_bytes

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_INFO = b"ccodesk age identity v1"


class RecipientError(KnownError):
    """An age recipient given by the user is not valid."""


def _polymod(values: list[int]) -> int:
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= generator[i] if (top >> i) & 1 else 0
    return check


def _bech32(hrp: str, data: bytes) -> str:
    """BIP-173 Bech32 (as age uses it, without the 90-character limit)."""
    acc = bits = 0
    five: list[int] = []
    for byte in data:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            five.append((acc >> bits) & 31)
    if bits:
        five.append((acc << (5 - bits)) & 31)
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    polymod = _polymod(expanded + five + [0] * 6) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[d] for d in five + checksum)


def age_identity_from_signing_key(seed: bytes) -> pyrage.x25519.Identity:
    """The device's age identity, derived from its 32-byte Ed25519 seed."""
    secret = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(seed)
    return pyrage.x25519.Identity.from_str(_bech32("age-secret-key-", secret).upper())


def parse_recipient(text: str) -> pyrage.x25519.Recipient:
    """An age X25519 recipient (`age1…`), or a clear error."""
    try:
        return pyrage.x25519.Recipient.from_str(text.strip())
    except Exception as exc:  # pyrage raises its own RecipientError or ValueError
        raise RecipientError(f"{text.strip()!r} is not an age recipient (age1…): {exc}") from exc


class IdentityFileError(KnownError):
    """An age identity file cannot be written (it exists already, or the disk refused)."""


def write_identity(path: Path, identity: pyrage.x25519.Identity, owner: str) -> Path:
    """Write a secret age identity to a new file `path` (mode 0600), for `age -d -i FILE`.

    Whoever holds the file can decrypt what is addressed to `owner`, so an existing file is
    never overwritten, and the file has its mode before any byte of the secret is in it. The
    layout is age-keygen's: comment lines, then the `AGE-SECRET-KEY-1…` line.
    """
    text = (
        f"# ccodesk: the age identity of {' '.join(owner.split())}. Keep it secret.\n"
        f"# public key: {identity.to_public()}\n"
        f"{identity}\n"
    )
    try:
        atomic_create_bytes(path, text.encode(), mode=0o600)
    except FileExistsError as exc:
        raise IdentityFileError(f"{path} already exists; it was left as it is.") from exc
    except OSError as exc:
        raise IdentityFileError(
            f"The identity could not be written to {path}: {os_reason(exc)}."
        ) from exc
    return path
