"""The centre's trusted devices as the desktop's Trust page shows them, and the key a person
adds: pasted, or the file `ccodesk-cli key export-public -o FILE` writes — read and checked
here for both the page and `ccodesk-central trust add`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ccodesk.errors import KnownError
from ccodesk.failures import file_boundary
from ccodesk.fileio import atomic_write_bytes
from ccodesk.resource_files import borough_name, load_json
from ccodesk.sync import sshsig
from ccodesk.sync.central import Central, allowed_signers, reference_bundle, trust_list

MAX_KEY_FILE = 64 * 1024  # an exported key is one short line; anything larger is not one


class KeyRefused(KnownError):
    """The text or file is not a borough device's public key."""


@dataclass(frozen=True)
class KeyPreview:
    """A public key read and checked, before it is trusted: what to read back by phone."""

    text: str  # the key line as given ("ssh-ed25519 AAAA… ccodesk:camden:DEVICE")
    fingerprint: str
    device_id: str | None  # from the comment ccodesk writes, if there is one
    borough: str | None  # likewise


@dataclass(frozen=True)
class TrustRow:
    """One trusted (or revoked) device, plain data for the page's table."""

    fingerprint: str
    borough_code: str | None
    borough: str  # the borough's name, or "" for none
    officer: str
    device_id: str | None
    added_at: dt.datetime
    revoked_at: dt.datetime | None


def boroughs() -> list[tuple[str, str]]:
    """The 33 boroughs (the 32 and the City) as (code, name), by name."""
    rows = [(str(b["code"]), str(b["name"])) for b in load_json("reference", "boroughs.json")]
    return sorted(rows, key=lambda r: r[1])


def read_key_file(path: Path) -> str:
    """The text of a public key file (as exported by a borough device), or KeyRefused."""
    with file_boundary(path, "read"):
        size = path.stat().st_size
        if size > MAX_KEY_FILE:
            raise KeyRefused(
                f"{path} is not a public key file: it is {size:,} bytes, and a key is one line."
            )
        return path.read_text(errors="replace").strip()  # not text: refused as a key below


def check_key(text: str) -> KeyPreview:
    """Read a pasted or loaded public key line; one plain KeyRefused for anything else."""
    text = text.replace("\ufeff", "").strip()  # a key saved by Windows Notepad starts with one
    if not text:
        raise KeyRefused("No key was given: paste the device's public key or load its file.")
    if "PRIVATE KEY" in text:
        raise KeyRefused(
            "That is a private key, which must never leave the device it belongs to; it was "
            "not kept. Ask the officer for the public key instead (on the Sync page of their "
            "device), and have the device's keys replaced if the private key was sent anywhere."
        )
    first = text.split()[0]
    if first.startswith(("ssh-", "ecdsa-", "sk-")) and first != "ssh-ed25519":
        raise KeyRefused(
            f"That is a {first[:30]} key; ccodesk devices sign with Ed25519 keys "
            "('ssh-ed25519 AAAA…'), as the Sync page of a borough device shows."
        )
    if len(text.splitlines()) > 1:
        raise KeyRefused("That is more than one line: a device's public key is a single line.")
    try:
        key = sshsig.parse_public_key(text)
    except KnownError as exc:
        raise KeyRefused(str(exc)) from exc
    parts = text.split()
    device_id = borough = None
    if len(parts) >= 3 and parts[2].startswith("ccodesk:"):
        fields = parts[2].split(":")
        device_id = fields[-1]
        borough = fields[1] if len(fields) == 3 and fields[1] != "central" else None
    return KeyPreview(text, sshsig.fingerprint(key), device_id, borough)


def trust_rows(central: Central) -> list[TrustRow]:
    """Every device key the centre holds, revoked ones too."""
    return [
        TrustRow(
            k.fingerprint,
            k.borough_code,
            borough_name(k.borough_code) or k.borough_code or "",
            k.officer,
            k.device_id,
            k.added_at,
            k.revoked_at,
        )
        for k in trust_list(central)
        if k.role == "device"
    ]


def write_new_file(path: Path, data: bytes, *, overwrite: bool) -> Path:
    """Write `data` to `path` atomically; an existing file only when `overwrite`."""
    if path.exists() and not overwrite:
        raise KnownError(f"{path} already exists; nothing was written.")
    with file_boundary(path):
        atomic_write_bytes(path, data)
    return path


def export_allowed_signers(central: Central, path: Path, *, overwrite: bool = False) -> int:
    """Write the allowed_signers file (`trust export-allowed-signers`); how many signers."""
    text = allowed_signers(central)
    write_new_file(path, text.encode(), overwrite=overwrite)
    return len(text.splitlines())


def export_reference_bundle(central: Central, path: Path, *, overwrite: bool = False) -> Path:
    """Write the signed reference bundle (`reference export`) for the boroughs to import."""
    if path.exists() and not overwrite:  # before the bundle number is used up
        raise KnownError(f"{path} already exists; nothing was written.")
    return write_new_file(path, reference_bundle(central), overwrite=True)
