"""Where the store's secrets live: the OS keyring, or a passphrase-protected key file.

Two secrets belong to a store: the random SQLCipher database key and the device's Ed25519
signing key. They are kept in the OS keyring (service ``ccodesk``), honouring
``PYTHON_KEYRING_BACKEND``. Where no keyring backend is fit for secrets (see `judge_backend`:
not a plain file, not one keyring ranks as not recommended), they are sealed together in
``keys.enc`` with AES-256-GCM under a key derived from a passphrase by scrypt; the passphrase
comes from ``CCODESK_PASSPHRASE`` or a prompt. A plaintext key never touches the disk.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ccodesk.errors import KeyUnavailable, StoreError, WrongKey
from ccodesk.fileio import atomic_write_bytes
from ccodesk.store.info import INFO_FILE, PASSPHRASE_ENV, StoreInfo

SERVICE = "ccodesk"
KEY_FILE = "keys.enc"
MIN_PASSPHRASE = 8
# scrypt cost: about 50 ms on a laptop, 32 MiB of memory per guess.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
# What a key file may ask for: its parameters are read before anything is authenticated, so a
# damaged or hostile file must not make us spend hours or all the memory (N = 2^40).
MAX_SCRYPT_N, MAX_SCRYPT_R, MAX_SCRYPT_P = 2**20, 32, 16
MAX_SCRYPT_MEMORY = 1 << 30  # 128 * N * r bytes
MAX_KEY_FILE = 64 * 1024

PassphrasePrompt = Callable[[bool], str]


@dataclass(frozen=True)
class Secrets:
    """The store's two secrets: the 32-byte database key and the Ed25519 private key."""

    database_key: bytes
    signing_key: bytes

    @classmethod
    def generate(cls) -> Secrets:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            NoEncryption,
            PrivateFormat,
        )

        signing = Ed25519PrivateKey.generate().private_bytes(
            Encoding.Raw, PrivateFormat.Raw, NoEncryption()
        )
        return cls(database_key=secrets.token_bytes(32), signing_key=signing)

    def to_json(self) -> bytes:
        return json.dumps(
            {"database": self.database_key.hex(), "signing": self.signing_key.hex()}
        ).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Secrets:
        """The secrets in `data`; ValueError when it is not what `to_json` wrote."""
        try:
            obj = json.loads(data)
            database, signing = bytes.fromhex(obj["database"]), bytes.fromhex(obj["signing"])
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise ValueError(f"not a pair of keys ({type(exc).__name__})") from exc
        if len(database) != 32 or len(signing) != 32:
            raise ValueError("a key of the wrong length")
        return cls(database, signing)


# Backends that keep secrets in an ordinary file anyone with the disk can read. Matched on the
# class and its bases, so a subclass that raises its priority is still refused. (keyrings.alt's
# other file backends rank themselves below 1, "not recommended", and are refused for that.)
PLAINTEXT_BACKENDS = frozenset({"keyrings.alt.file.PlaintextKeyring"})
# Backends that keep nothing at all.
EMPTY_BACKENDS = ("keyring.backends.fail.", "keyring.backends.null.")

PASSPHRASE_INSTEAD = "so ccodesk will protect the key with a passphrase instead."
NO_KEYRING = f"This computer has no keyring ccodesk can use, {PASSPHRASE_INSTEAD}"
PLAIN_FILE = f"This computer's keyring keeps secrets in a plain file, {PASSPHRASE_INSTEAD}"
NOT_RECOMMENDED = (
    f"This computer's keyring is one its makers do not recommend for secrets, {PASSPHRASE_INSTEAD}"
)


@dataclass(frozen=True)
class KeyringVerdict:
    """Whether the store's key may be kept in the configured keyring, and if not, why."""

    usable: bool
    backend: str  # module.Class of the backend judged
    reason: str = ""  # one plain sentence for the officer when not usable


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def judge_backend(backend: object) -> KeyringVerdict:
    """Is `backend` a keyring fit for the store's key?

    Refused: the `fail` and `null` backends; backends that keep secrets in a plain file
    (`PLAINTEXT_BACKENDS`, by class or base class); backends the keyring library ranks as not
    recommended (priority below 1); a chainer whose first member (where it writes) is refused.
    """
    cls = type(backend)
    backend_class: Any = cls  # `priority` is a class property of keyring's backends
    name = _qualified(cls)
    if name.startswith(EMPTY_BACKENDS):
        return KeyringVerdict(False, name, NO_KEYRING)
    if any(_qualified(base) == "keyring.backends.chainer.ChainerBackend" for base in cls.__mro__):
        try:
            members = list(backend.backends)  # type: ignore[attr-defined]
        except Exception:  # a member that cannot even be listed is no keyring
            members = []
        if not members:
            return KeyringVerdict(False, name, NO_KEYRING)
        first = judge_backend(members[0])  # the chainer writes to its first member
        return KeyringVerdict(first.usable, f"{name}({first.backend})", first.reason)
    if any(_qualified(base) in PLAINTEXT_BACKENDS for base in cls.__mro__):
        return KeyringVerdict(False, name, PLAIN_FILE)
    try:
        priority = float(backend_class.priority)
    except Exception:  # keyring backends raise from `priority` when they cannot work here
        return KeyringVerdict(False, name, NO_KEYRING)
    if priority < 1:
        return KeyringVerdict(False, name, NOT_RECOMMENDED)
    return KeyringVerdict(True, name)


def judge_keyring() -> KeyringVerdict:
    """The verdict on the keyring backend `keyring` would use now (see `judge_backend`)."""
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken backend configuration is the same as none
        return KeyringVerdict(False, "(none)", NO_KEYRING)
    return judge_backend(backend)


def keyring_works() -> bool:
    """True when the configured keyring is fit for the store's key (see `judge_backend`)."""
    return judge_keyring().usable


def passphrase_from_env_or_prompt(prompt: PassphrasePrompt | None, *, confirm: bool) -> str:
    """The passphrase from CCODESK_PASSPHRASE, else from `prompt`; KeyUnavailable if neither."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value is None and prompt is not None:
        value = prompt(confirm)
    if value is None:
        raise KeyUnavailable(
            "This store's keys are protected by a passphrase: type it when asked, or set "
            f"{PASSPHRASE_ENV} for unattended use."
        )
    return value


class KeyringKeys:
    """Secrets in the OS keyring, one entry per store."""

    protection = "keyring"

    def __init__(self, store_id: str) -> None:
        self.username = f"store:{store_id}"

    def save(self, value: Secrets) -> None:
        try:
            keyring.set_password(SERVICE, self.username, value.to_json().decode())
        except keyring.errors.KeyringError as exc:
            raise KeyUnavailable(f"The system keyring refused to store the key: {exc}") from exc

    def load(self) -> Secrets:
        try:
            stored = keyring.get_password(SERVICE, self.username)
        except keyring.errors.KeyringError as exc:
            raise KeyUnavailable(f"The system keyring could not be read: {exc}") from exc
        if stored is None:
            raise KeyUnavailable(
                "The key for this store is not in this computer's keyring. It may belong to "
                "another user account or machine; restore the keyring entry or a key file."
            )
        try:
            return Secrets.from_json(stored.encode())
        except ValueError as exc:
            raise KeyUnavailable(
                f"The key for this store in this computer's keyring is damaged ({exc}); "
                "restore it from IT's recovery key file."
            ) from exc

    def forget(self) -> None:
        with contextlib.suppress(keyring.errors.KeyringError):
            keyring.delete_password(SERVICE, self.username)


class KeyFileKeys:
    """Secrets sealed in a key file with a passphrase (scrypt + AES-256-GCM)."""

    protection = "keyfile"

    def __init__(self, path: Path, prompt: PassphrasePrompt | None = None) -> None:
        self.path = path
        self.prompt = prompt

    @staticmethod
    def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode())

    def save(self, value: Secrets) -> None:
        passphrase = passphrase_from_env_or_prompt(self.prompt, confirm=True)
        if len(passphrase) < MIN_PASSPHRASE:
            raise StoreError(f"The passphrase must be at least {MIN_PASSPHRASE} characters.")
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        key = self._derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        sealed = AESGCM(key).encrypt(nonce, value.to_json(), b"ccodesk-keys-v1")
        doc = {
            "format": "ccodesk-keys-v1",
            "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P},
            "salt": base64.b64encode(salt).decode(),
            "nonce": base64.b64encode(nonce).decode(),
            "ciphertext": base64.b64encode(sealed).decode(),
        }
        from ccodesk.failures import file_boundary

        with file_boundary(self.path):
            atomic_write_bytes(self.path, json.dumps(doc, indent=2).encode(), mode=0o600)

    def load(self) -> Secrets:
        sealed = self._read()
        passphrase = passphrase_from_env_or_prompt(self.prompt, confirm=False)
        key = self._derive(passphrase, sealed.salt, sealed.n, sealed.r, sealed.p)
        try:
            plain = AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, b"ccodesk-keys-v1")
        except InvalidTag as exc:
            raise WrongKey("Wrong passphrase: the key file could not be unlocked.") from exc
        try:
            return Secrets.from_json(plain)
        except ValueError as exc:  # authenticated, yet not keys: written by something else
            raise self._damaged(str(exc)) from exc

    def _damaged(self, why: str) -> StoreError:
        return StoreError(
            f"The key file {self.path} is damaged ({why}), so the store cannot be unlocked. "
            "Restore it from a copy, or ask IT for the recovery key file."
        )

    def _read(self) -> _Sealed:
        """The key file's fields, checked before any work is spent on them."""
        try:
            with self.path.open("rb") as handle:
                raw = handle.read(MAX_KEY_FILE + 1)
        except FileNotFoundError as exc:
            raise KeyUnavailable(f"The key file {self.path} is missing.") from exc
        except OSError as exc:
            from ccodesk.failures import file_problem

            raise file_problem(exc, self.path, "read") from exc
        if len(raw) > MAX_KEY_FILE:
            raise self._damaged("it is far larger than a key file")
        try:
            doc = json.loads(raw)
            kdf = doc["kdf"]
            if doc.get("format") not in (None, "ccodesk-keys-v1") or kdf["name"] != "scrypt":
                raise ValueError("an unknown format")
            sealed = _Sealed(
                n=_whole(kdf["n"]),
                r=_whole(kdf["r"]),
                p=_whole(kdf["p"]),
                salt=base64.b64decode(doc["salt"], validate=True),
                nonce=base64.b64decode(doc["nonce"], validate=True),
                ciphertext=base64.b64decode(doc["ciphertext"], validate=True),
            )
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            raise self._damaged(_why(exc)) from exc
        problem = sealed.problem()
        if problem:
            raise self._damaged(problem)
        return sealed

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)


@dataclass(frozen=True)
class _Sealed:
    """A key file's fields: scrypt's parameters, the salt, and the sealed secrets."""

    n: int
    r: int
    p: int
    salt: bytes
    nonce: bytes
    ciphertext: bytes

    def problem(self) -> str:
        """Why these fields cannot be a key file ccodesk wrote, or "" when they can."""
        if self.n < 2 or self.n & (self.n - 1) or self.n > MAX_SCRYPT_N:
            return f"scrypt's N = {self.n} is too large or not a power of two"
        if not 1 <= self.r <= MAX_SCRYPT_R or not 1 <= self.p <= MAX_SCRYPT_P:
            return f"scrypt's r = {self.r}, p = {self.p} are out of bounds"
        if 128 * self.n * self.r > MAX_SCRYPT_MEMORY:
            return "scrypt's parameters would need more than 1 GiB of memory"
        if len(self.salt) < 16 or len(self.nonce) != 12 or len(self.ciphertext) < 17:
            return "the salt, nonce or sealed keys have the wrong length"
        return ""


def _whole(value: object) -> int:
    if type(value) is not int:  # not bool, not 1e400, not "32768"
        raise ValueError(f"{value!r} is not a whole number")
    return value


def _why(exc: BaseException) -> str:
    """Why a key file could not be read, in words (not Python's)."""
    import binascii

    if isinstance(exc, KeyError):
        return f"{exc} is missing"
    if isinstance(exc, RecursionError):
        return "it is nested too deeply"
    if isinstance(exc, json.JSONDecodeError | UnicodeDecodeError):
        return "it is not the text a key file holds"
    if isinstance(exc, binascii.Error):
        return "its salt, nonce or sealed keys are not base64"
    if isinstance(exc, TypeError | AttributeError):
        return "its fields are not laid out as in a key file"
    return str(exc) or type(exc).__name__


def keys_for(
    data_dir: Path, info: StoreInfo, prompt: PassphrasePrompt | None
) -> KeyringKeys | KeyFileKeys:
    """The key holder a store's info names."""
    if info.protection == "keyring":
        return KeyringKeys(info.store_id)
    if info.protection == "keyfile":
        return KeyFileKeys(data_dir / KEY_FILE, prompt)
    raise StoreError(f"Unknown key protection {info.protection!r} in {data_dir / INFO_FILE}.")
