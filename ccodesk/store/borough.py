"""The encrypted local store: files, keys, engine, sessions and migrations at open.

A store is a data directory holding ``store.json`` (ids and how the keys are protected; no
secrets), ``ccodesk.db`` (SQLCipher, raw 256-bit key), ``keys.enc`` when the keys are sealed
with a passphrase instead of the OS keyring, and ``backups/`` (copies taken before migrations).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import URL, Engine, create_engine, event, exc, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from ccodesk.errors import StoreDamaged, StoreError, StoreExists, WrongKey
from ccodesk.failures import translate_store_errors
from ccodesk.models import DeviceState, OfficerRole, new_id
from ccodesk.resource_files import reference_version
from ccodesk.store import schema, stamping
from ccodesk.store.health import unreadable_store
from ccodesk.store.info import (  # noqa: F401  (re-exported: the store's public names)
    BACKUP_DIR,
    DATA_DIR_ENV,
    DB_FILE,
    INFO_FILE,
    StoreInfo,
    default_data_dir,
    store_exists,
)
from ccodesk.store.keys import (  # noqa: F401  (keys_for re-exported)
    KeyFileKeys,
    KeyringKeys,
    PassphrasePrompt,
    Secrets,
    keyring_works,
    keys_for,
)
from ccodesk.store.schema import (  # noqa: F401  (re-exported)
    SCHEMA_HEAD,
    backup_file,
    checkpoint,
    current_revision,
)


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Own the transactions (BEGIN in _on_begin) so DDL in migrations is transactional too.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    # SQLCipher's own log lines (on stderr) are noise to a user: its failures become
    # StoreErrors in plain words (ccodesk.failures).
    cur.execute("PRAGMA cipher_log_level = NONE")
    # Fails here with "file is not a database" when the key is wrong: nothing is written.
    cur.execute("SELECT count(*) FROM sqlite_master")
    for pragma in (
        "foreign_keys = ON",
        "journal_mode = WAL",
        "synchronous = NORMAL",
        "busy_timeout = 10000",
        "temp_store = MEMORY",
        # 64 MB of decrypted pages: FTS queries at 100k engagements stay in memory. With at
        # most four connections (pool below) that bounds the page caches at 256 MB.
        "cache_size = -64000",
    ):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def make_engine(path: Path, database_key: bytes) -> Engine:
    """An engine on the SQLCipher file `path`, keyed with the raw 256-bit key (no KDF)."""
    url = URL.create("sqlite+pysqlcipher", password=f"x'{database_key.hex()}'", database=str(path))
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=2,
        pool_use_lifo=True,  # reuse the warm connection: one page cache, not four
        connect_args={"check_same_thread": False},
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _begin)
    backups = path.parent / BACKUP_DIR
    translate_store_errors(
        engine,
        path,
        backups,
        unreadable=lambda: unreadable_store(path, backups, database_key),
    )
    return engine


WRITE = "ccodesk_write"  # an execution option: this connection's transactions will write


def _begin(conn: Any) -> None:
    # A transaction that writes takes the write lock at BEGIN: a deferred one that reads first
    # cannot wait for the lock when it upgrades, and fails with "database is locked".
    write = conn.get_execution_options().get(WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def writer(engine: Engine) -> Engine:
    """`engine` for transactions that write: they begin with BEGIN IMMEDIATE."""
    return engine.execution_options(**{WRITE: True})


def _check_key(engine: Engine, path: Path) -> None:
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except StoreError:  # wrong key or damaged (see store_health), in plain words
        engine.dispose()
        raise
    except exc.DatabaseError as e:
        engine.dispose()
        if "not a database" in str(e.orig):
            raise WrongKey(
                f"The key does not open {path}: it is encrypted with another key, or it is "
                "not a ccodesk store."
            ) from e
        raise StoreError(f"{path} could not be opened: {e.orig}") from e


def migrate(data_dir: Path, engine: Engine) -> Path | None:
    """Bring the store to SCHEMA_HEAD, after a backup into backups/; refuse a store newer than
    this program. Returns the backup's path when a migration ran."""
    return schema.migrate(
        engine,
        "This store",
        lambda revision: backup_file(
            data_dir / DB_FILE, data_dir / BACKUP_DIR, engine, f"schema-{revision}"
        ),
    )


class Store:
    """An open store: the engine, a session factory, and who this device is."""

    def __init__(self, data_dir: Path, engine: Engine, info: StoreInfo, keys: Secrets) -> None:
        self.data_dir = data_dir
        self.engine = engine
        self._writer = writer(engine)
        self.info = info
        self._secrets = keys
        with Session(engine) as s:
            device = s.scalars(select(DeviceState)).one_or_none()
            if device is None:
                raise StoreError(f"{data_dir / DB_FILE} has no device record; it is damaged.")
            self.device_id = device.device_id
            self.borough_code = device.borough_code
            self.officer_name = device.officer_name
            self.officer_role = device.officer_role
        self._sessions = sessionmaker(
            engine,
            expire_on_commit=False,
            info={"device_id": self.device_id, "officer": self.officer_name},
        )
        event.listen(self._sessions, "before_flush", stamping.before_flush)

    @property
    def path(self) -> Path:
        return self.data_dir / DB_FILE

    def session(self) -> Session:
        """A new short-lived session (one per unit of work; never shared across threads)."""
        return self._sessions()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside a transaction: committed on success, rolled back on any error.

        The transaction holds the store's write lock from its start (BEGIN IMMEDIATE), so a
        read-then-write never fails because another writer came first; it waits for them.
        """
        with self._sessions(bind=self._writer) as session, session.begin():
            yield session

    def database_key(self) -> bytes:
        """The raw 256-bit SQLCipher key (for IT's recovery, `ccodesk.store.recovery`)."""
        return self._secrets.database_key

    def signing_key(self) -> Ed25519PrivateKey:
        """This device's Ed25519 private key."""
        return Ed25519PrivateKey.from_private_bytes(self._secrets.signing_key)

    def public_key_openssh(self) -> str:
        """This device's public key in OpenSSH format, with a comment naming the device."""
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        raw = self.signing_key().public_key().public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH)
        return f"{raw.decode()} ccodesk:{self.borough_code or 'central'}:{self.device_id}"

    def pending_changes(self) -> int:
        """How many local changes the centre has not yet acknowledged."""
        with Session(self.engine) as s:
            device = s.scalars(select(DeviceState)).one()
            return device.change_seq - device.acked_seq

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _refresh_reference(engine: Engine) -> None:
    from ccodesk.models.refdata import load_reference_data

    version = reference_version()
    with Session(engine) as s:  # a read first: opening must not wait for another writer
        if s.scalars(select(DeviceState.reference_version)).one() == version:
            return
    with Session(writer(engine)) as s, s.begin():
        device = s.scalars(select(DeviceState)).one()
        if device.reference_version != version:
            load_reference_data(s)
            device.reference_version = version


def open_store(
    data_dir: Path | None = None,
    *,
    prompt: PassphrasePrompt | None = None,
    secrets: Secrets | None = None,
) -> Store:
    """Open the store in `data_dir`, migrating it first (after a backup) when it is older.
    `secrets`: the store's keys when the caller has already loaded them."""
    data_dir = data_dir or default_data_dir()
    info = StoreInfo.read(data_dir)
    path = data_dir / DB_FILE
    if not path.exists():
        raise StoreError(f"{path} is missing; restore it from {data_dir / BACKUP_DIR}.")
    if path.stat().st_size == 0:  # opening it would write a new, empty database into it
        raise StoreDamaged(
            f"The store {path} is empty: it holds no ccodesk data. Restore the newest copy "
            f"from {data_dir / BACKUP_DIR}."
        )
    secrets = secrets or keys_for(data_dir, info, prompt).load()
    engine = make_engine(path, secrets.database_key)
    try:
        _check_key(engine, path)
        if current_revision(engine) is None:  # every store is created with its schema
            raise StoreDamaged(
                f"The store {path} holds no ccodesk data: it is empty or damaged. Restore the "
                f"newest copy from {data_dir / BACKUP_DIR}."
            )
        migrate(data_dir, engine)
        _refresh_reference(engine)
        return Store(data_dir, engine, info, secrets)
    except BaseException:
        engine.dispose()
        raise


def create_store(
    data_dir: Path | None = None,
    *,
    borough_code: str | None,
    officer_name: str,
    officer_role: OfficerRole = OfficerRole.CCO,
    prompt: PassphrasePrompt | None = None,
    use_keyring: bool | None = None,
) -> Store:
    """Create a new, empty store with fresh keys; refuse to touch an existing one."""
    data_dir = data_dir or default_data_dir()
    path = data_dir / DB_FILE
    if (data_dir / INFO_FILE).exists() or path.exists():
        raise StoreExists(f"A ccodesk store already exists in {data_dir}; it was left as it is.")
    data_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        data_dir.chmod(0o700)
    if use_keyring is None:
        use_keyring = keyring_works()
    info = StoreInfo(
        store_id=new_id(),
        device_id=new_id(),
        protection="keyring" if use_keyring else "keyfile",
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    secrets = Secrets.generate()
    keys = keys_for(data_dir, info, prompt)
    keys.save(secrets)
    engine = make_engine(path, secrets.database_key)
    try:
        migrate(data_dir, engine)
        with Session(engine) as s, s.begin():
            s.add(
                DeviceState(
                    id=1,
                    device_id=info.device_id,
                    borough_code=borough_code,
                    officer_name=officer_name,
                    officer_role=officer_role.value,
                    created_at=dt.datetime.now(),
                    change_seq=0,
                    acked_seq=0,
                    hlc_wall=0,
                    hlc_counter=0,
                )
            )
        _refresh_reference(engine)
        info.write(data_dir)
        return Store(data_dir, engine, info, secrets)
    except BaseException:
        engine.dispose()
        keys.forget()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        raise
