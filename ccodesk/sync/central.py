"""The central unit's store: trusted devices, merging borough bundles, receipts, conflicts.

The central store holds the same tables as a borough's (one merge engine), on SQLite by
default (encrypted with SQLCipher, as a borough's store is) or PostgreSQL
(`postgresql+psycopg://…`). Its keys — the centre's signing key, age identity and SQLite
database key — are kept like a borough's: in the OS keyring, or sealed with a passphrase in
`keys.enc` in the central home directory, whose `central.json` names them. The store itself
opens as a borough's does (`ccodesk.store.central`): a newer schema refused, a copy before
migrating, and only `init` creates one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
import pyrage
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ccodesk.errors import KnownError, NotFound, StoreBusy
from ccodesk.failures import file_boundary, file_problem
from ccodesk.fileio import atomic_write_bytes
from ccodesk.models import (
    AuditEvent,
    AuditHead,
    BundleLog,
    DeviceState,
    SyncConflict,
    Topic,
    TrustedKey,
    new_id,
)
from ccodesk.store import central as store_central
from ccodesk.store import stamping
from ccodesk.store.central import Opening, default_url
from ccodesk.store.keys import KeyFileKeys, KeyringKeys, PassphrasePrompt, Secrets, keyring_works
from ccodesk.sync import audit_heads, bundle, sshsig
from ccodesk.sync.keys import age_identity_from_signing_key, write_identity
from ccodesk.sync.records import ENTITIES, read_records

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout ran out
DESK_WAIT = 2.0  # seconds a desk's save waits on a merge before saying the store is busy
log = logging.getLogger(__name__)

HOME_ENV = "CCODESK_CENTRAL_HOME"
CONFIG = "central.json"


class CentralError(KnownError):
    """The central store cannot do what was asked."""


def default_home() -> Path:
    env = os.environ.get(HOME_ENV)
    return Path(env) if env else platformdirs.user_data_path("ccodesk-central", appauthor=False)


@dataclass
class CentralConfig:
    central_id: str
    name: str
    protection: str

    @classmethod
    def read(cls, home: Path) -> CentralConfig:
        try:
            doc = json.loads((home / CONFIG).read_text())
            return cls(doc["central_id"], doc["name"], doc["protection"])
        except FileNotFoundError as exc:
            raise CentralError(
                f"There is no central unit set up in {home}; run 'ccodesk-central init' first."
            ) from exc
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise CentralError(f"{home / CONFIG} is damaged: {exc}") from exc
        except OSError as exc:
            raise file_problem(exc, home / CONFIG, "read") from exc


def _keys(
    home: Path, config: CentralConfig, prompt: PassphrasePrompt | None
) -> KeyringKeys | KeyFileKeys:
    if config.protection == "keyring":
        return KeyringKeys(f"central:{config.central_id}")
    return KeyFileKeys(home / "keys.enc", prompt)


class Central:
    """An open central store with its keys, its schema brought to this program's."""

    def __init__(
        self,
        home: Path,
        url: str,
        config: CentralConfig,
        secrets: Secrets,
        opening: Opening = Opening.OPEN,
    ) -> None:
        self.home, self.url, self.config = home, url, config
        self._secrets = secrets
        self.engine, self.backup, self.encrypted = store_central.open_engine(
            home, url, opening, secrets.database_key
        )
        self._sessions = sessionmaker(
            self.engine,
            expire_on_commit=False,
            info={"device_id": config.central_id, "officer": config.name},
        )
        event.listen(self._sessions, "before_flush", stamping.before_flush)
        with self._sessions.begin() as s:
            if s.get(DeviceState, 1) is None:
                s.add(
                    DeviceState(
                        id=1,
                        device_id=config.central_id,
                        borough_code=None,
                        officer_name=config.name,
                        officer_role="centre",
                        created_at=dt.datetime.now(),
                        change_seq=0,
                        acked_seq=0,
                        hlc_wall=0,
                        hlc_counter=0,
                    )
                )
            from ccodesk.models.refdata import load_reference_data

            if s.scalar(select(func.count()).select_from(Topic)) == 0:
                load_reference_data(s)

    @property
    def signing_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self._secrets.signing_key)

    def database_key(self) -> bytes:
        """The raw 256-bit SQLCipher key of the centre's SQLite store (`central.db`)."""
        return self._secrets.database_key

    @property
    def identity(self) -> pyrage.x25519.Identity:
        return age_identity_from_signing_key(self._secrets.signing_key)

    def public_key(self) -> str:
        return sshsig.openssh_public_key(
            self.signing_key.public_key(), f"ccodesk-central:{self.config.name}"
        )

    def fingerprint(self) -> str:
        return sshsig.fingerprint(self.signing_key.public_key())

    def recipient(self) -> str:
        return str(self.identity.to_public())

    @contextlib.contextmanager
    def transaction(self, *, wait: float | None = None) -> Iterator[Session]:
        """One unit of work, committed at the end (rolled back on an error).

        `wait`: on PostgreSQL, the seconds to wait for a row another session is writing (a
        merge under way holds the centre's change counter until it commits) before giving up
        with StoreBusy, nothing written — for a person at a desk, whose window must not
        freeze. None waits as long as it takes: merges queue behind one another so.
        """
        try:
            with self._sessions.begin() as session:
                if wait is not None and self.engine.dialect.name == "postgresql":
                    session.execute(text(f"SET LOCAL lock_timeout = {int(wait * 1000)}"))
                yield session
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            raise StoreBusy(
                "The central store is busy: another session is merging bundles or saving the "
                "same record. Nothing was changed; try again in a moment."
            ) from exc

    def session(self) -> Session:
        return self._sessions()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Central:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def init_central(
    home: Path, url: str | None, name: str, prompt: PassphrasePrompt | None = None
) -> Central:
    """Create the central unit's keys and store; refuse if one is already set up here."""
    if (home / CONFIG).exists():
        raise CentralError(f"A central unit is already set up in {home}; it was left as it is.")
    home.mkdir(parents=True, exist_ok=True)
    config = CentralConfig(new_id(), name, "keyring" if keyring_works() else "keyfile")
    secrets = Secrets.generate()
    keys = _keys(home, config, prompt)
    keys.save(secrets)
    try:
        central = Central(home, url or default_url(home), config, secrets, Opening.INIT)
    except BaseException:
        keys.forget()
        raise
    with file_boundary(home / CONFIG):
        atomic_write_bytes(
            home / CONFIG,
            json.dumps(
                {"central_id": config.central_id, "name": name, "protection": config.protection},
                indent=2,
            ).encode(),
        )
    return central


def open_central(
    home: Path,
    url: str | None,
    prompt: PassphrasePrompt | None = None,
    *,
    upgrade: bool = False,
) -> Central:
    """Open the central unit in `home` (its store at `url`, else `home/central.db`).

    A SQLite store older than this program is migrated after a copy into `home/backups`; a
    PostgreSQL one is refused unless `upgrade` (as `ccodesk-central upgrade`: the
    administrator has dumped it), which also sets up an empty database named by `url` for
    this centre. A newer schema, and a missing or empty `central.db`, are refused untouched.
    """
    config = CentralConfig.read(home)
    secrets = _keys(home, config, prompt).load()
    opening = Opening.UPGRADE if upgrade else Opening.OPEN
    return Central(home, url or default_url(home), config, secrets, opening)


# -- trust ---------------------------------------------------------------------------------------


def trust_add(central: Central, borough: str | None, officer: str, key_text: str) -> TrustedKey:
    """Trust a borough device's signing key (its `ccodesk-cli key export-public` line)."""
    key = sshsig.parse_public_key(key_text)
    fp = sshsig.fingerprint(key)
    parts = key_text.split()
    device_id = None
    if len(parts) >= 3 and parts[2].startswith("ccodesk:"):
        device_id = parts[2].rsplit(":", 1)[-1]
    try:
        return _trust_add(central, borough, officer, key, fp, device_id)
    except IntegrityError as exc:  # the same key added at another desk a moment ago
        raise CentralError(f"{fp} was trusted at the same moment elsewhere; look again.") from exc


def _trust_add(
    central: Central,
    borough: str | None,
    officer: str,
    key: Ed25519PublicKey,
    fp: str,
    device_id: str | None,
) -> TrustedKey:
    from ccodesk.resource_files import resolve_borough

    with central.transaction() as s:
        code = resolve_borough(borough) if borough else None
        row = s.scalars(
            select(TrustedKey).where(TrustedKey.fingerprint == fp).with_for_update()
        ).first()
        if row is not None:
            if row.revoked_at is None:
                raise CentralError(
                    f"{fp} is already trusted (for {row.borough_code}, {row.officer})."
                )
            row.revoked_at = None
            row.borough_code, row.officer = code, officer
            return row
        row = TrustedKey(
            fingerprint=fp,
            public_key=sshsig.openssh_public_key(key, f"{code or 'central'}:{officer}"),
            role="device",
            borough_code=code,
            officer=officer,
            device_id=device_id,
            added_at=dt.datetime.now(),
        )
        s.add(row)
        return row


def trust_list(central: Central) -> list[TrustedKey]:
    with central.session() as s:
        return list(
            s.scalars(select(TrustedKey).order_by(TrustedKey.borough_code, TrustedKey.added_at))
        )


def trust_revoke(central: Central, fingerprint: str, reason: str = "") -> TrustedKey:
    """Stop trusting a key (kept, with the date, so old receipts are still explained); the
    reason goes into the centre's audit trail."""
    with central.transaction() as s:
        row = s.scalars(
            select(TrustedKey).where(TrustedKey.fingerprint == fingerprint).with_for_update()
        ).first()
        if row is None:
            raise NotFound(f"No trusted key has the fingerprint {fingerprint}.")
        if row.revoked_at is not None:
            raise CentralError(f"{fingerprint} was revoked already, on {row.revoked_at:%d %b %Y}.")
        row.revoked_at = dt.datetime.now()
        why = f": {reason.strip()}" if reason.strip() else ""
        s.add(
            AuditEvent(
                at=row.revoked_at,
                device_id=central.config.central_id,
                officer=central.config.name,
                entity="trusted_key",
                entity_id=str(row.id),
                action="revoke",
                changes=["revoked_at"],
                summary=f"Revoked {fingerprint} ({row.borough_code or '-'}, {row.officer}){why}",
            )
        )
        return row


def allowed_signers(central: Central) -> str:
    """An OpenSSH allowed_signers file: `ssh-keygen -Y verify -f FILE -I PRINCIPAL …`."""
    lines = []
    for key in trust_list(central):
        if key.revoked_at is None:
            principal = f"{key.borough_code or 'central'}-{key.fingerprint[7:19]}"
            ktype, blob = key.public_key.split()[:2]
            lines.append(f'{principal} namespaces="ccodesk-bundle" {ktype} {blob}')
    # The centre itself, last: receipts (ccodesk-receipt) and reference bundles (ccodesk-bundle)
    # then verify with ssh-keygen too. `ssh-keygen -Y find-principals` names the line.
    ktype, blob = central.public_key().split()[:2]
    lines.append(f'{centre_principal(central)} namespaces="{CENTRE_NAMESPACES}" {ktype} {blob}')
    return "\n".join(lines) + "\n"


CENTRE_NAMESPACES = "ccodesk-receipt,ccodesk-bundle"


def centre_principal(central: Central) -> str:
    """The centre's principal in allowed_signers (devices' are BOROUGH-FINGERPRINT)."""
    return f"centre-{central.fingerprint()[7:19]}"


def write_age_identity(central: Central, path: Path) -> Path:
    """Write the centre's secret age identity to a new file (mode 0600), for `age -d -i`."""
    return write_identity(path, central.identity, f"the central unit {central.config.name}")


# -- conflicts, gaps, status ---------------------------------------------------------------------


MAX_LISTED_GAPS = 1000  # missing numbers listed per device; the rest are counted


@dataclass
class Gap:
    device_id: str
    borough_code: str | None
    missing: list[int]  # the first MAX_LISTED_GAPS of them
    newest: int
    unlisted: int = 0  # missing numbers beyond those listed


def gaps(session: Session) -> list[Gap]:
    """Bundle sequence numbers never received, per device (a lost e-mail, a skipped stick).

    Found by walking each device's numbers in order, so the work is bounded by the bundles
    merged, never by how large a number a bundle claimed.
    """
    rows = session.execute(
        select(BundleLog.device_id, BundleLog.borough_code, BundleLog.seq).where(
            BundleLog.kind == "changes"
        )
    ).all()
    seen: dict[str, tuple[str | None, set[int]]] = {}
    for device, borough, seq in rows:
        seen.setdefault(device, (borough, set()))[1].add(int(seq))
    found = []
    for device, (borough, numbers) in sorted(seen.items(), key=lambda kv: (kv[1][0] or "", kv[0])):
        missing: list[int] = []
        unlisted = 0
        previous = 0
        for number in sorted(numbers):
            if number > previous + 1:
                room = max(0, MAX_LISTED_GAPS - len(missing))
                run = range(previous + 1, number)
                missing.extend(run[:room])
                unlisted += max(0, len(run) - room)
            previous = number
        found.append(Gap(device, borough, missing, previous, unlisted))
    return found


@dataclass
class CentralStatus:
    boroughs: int
    devices: int
    bundles: int
    records: int
    open_conflicts: int
    last_merge: dt.datetime | None
    rewritten_trails: list[AuditHead] = field(default_factory=list)  # issue 15


def central_status(session: Session) -> CentralStatus:
    records = sum(
        int(session.scalar(select(func.count()).select_from(t)) or 0) for t in ENTITIES.values()
    )
    return CentralStatus(
        boroughs=int(
            session.scalar(select(func.count(func.distinct(BundleLog.borough_code)))) or 0
        ),
        devices=int(session.scalar(select(func.count(func.distinct(BundleLog.device_id)))) or 0),
        bundles=int(session.scalar(select(func.count()).select_from(BundleLog)) or 0),
        records=records,
        open_conflicts=int(
            session.scalar(
                select(func.count())
                .select_from(SyncConflict)
                .where(SyncConflict.resolved_at.is_(None))
            )
            or 0
        ),
        last_merge=session.scalar(select(func.max(BundleLog.received_at))),
        rewritten_trails=audit_heads.rewritten_trails(session),
    )


# -- reference bundle ----------------------------------------------------------------------------


def reference_bundle(central: Central, *, recipients: list[str] | None = None) -> bytes:
    """The signed reference bundle: the centre's keys, trusted devices, topics, the corporate
    consultation timetable (timetable entries authored centrally)."""
    from ccodesk.sync.keys import parse_recipient

    with central.transaction() as s:
        device = s.get(DeviceState, 1)
        assert device is not None
        device.bundle_seq += 1
        seq = device.bundle_seq
        keys = [
            {
                "public_key": k.public_key,
                "borough_code": k.borough_code,
                "officer": k.officer,
                "device_id": k.device_id,
                "age_recipient": k.age_recipient,
            }
            for k in s.scalars(
                select(TrustedKey).where(
                    TrustedKey.role == "device", TrustedKey.revoked_at.is_(None)
                )
            )
        ]
        topics = [
            {"code": t.code, "name": t.name, "sensitive_for": list(t.sensitive_for or [])}
            for t in s.scalars(select(Topic).order_by(Topic.code))
        ]
        timetable = [
            r
            for r in read_records(s, "timetable_entry", since_seq=0)
            if r.origin == central.config.central_id
        ]
    reference = {
        "centre": {
            "name": central.config.name,
            "public_key": central.public_key(),
            "age_recipient": central.recipient(),
        },
        "trusted_keys": keys,
        "topics": topics,
    }
    manifest = {
        "format": bundle.FORMAT,
        "kind": "reference",
        "bundle_id": new_id(),
        "device_id": central.config.central_id,
        "seq": seq,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "counts": {
            "trusted_keys": len(keys),
            "topics": len(topics),
            "timetable_entry": len(timetable),
        },
    }
    targets = [parse_recipient(r) for r in recipients or []]
    return bundle.build(
        manifest,
        {
            "reference.json": json.dumps(reference, indent=2, ensure_ascii=False).encode(),
            "changes.jsonl": bundle.changes_member(timetable),
        },
        central.signing_key,
        targets or None,
    )
