"""The central unit's store at open: its engine, and its schema brought to this program's.

The same steps as a borough's store (`ccodesk.store.schema`): a newer schema refused
untouched, a SQLite store copied into `<home>/backups/` before it is migrated, each step in a
transaction. Only `init` creates a central store, so a missing or empty `central.db` is
refused; a PostgreSQL database cannot be copied as a file, so an older one is migrated only
when its administrator asks (`ccodesk-central upgrade`, after `pg_dump`). The centre's keys
and what it does with the store are `ccodesk.sync.central`'s.

A SQLite store is encrypted with SQLCipher under the centre's database key, as a borough's is;
one written plain by an older ccodesk is encrypted in place when opened
(`ccodesk.store.encrypting`). A PostgreSQL database's encryption at rest is its server's.
"""

from __future__ import annotations

import enum
from pathlib import Path

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from ccodesk.errors import DatabaseLoginRefused, StoreDamaged, StoreError, StoreNeedsUpgrade
from ccodesk.failures import translate_store_errors
from ccodesk.store.encrypting import Encrypted, encrypt_in_place, is_plain
from ccodesk.store.health import unreadable_store
from ccodesk.store.schema import (
    SCHEMA_HEAD,
    backup_file,
    current_revision,
    migrate,
    refuse_newer,
)

DB_FILE = "central.db"
BACKUP_DIR = "backups"  # copies of central.db taken before migrations


def default_url(home: Path) -> str:
    """The central store in `home`: its own SQLite file (encrypted: see `make_engine`)."""
    return f"sqlite:///{home / DB_FILE}"


# Each connection to a central SQLite store, once SQLCipher has its key. A central unit's store
# grows to millions of rows over the years; a 64 MiB page cache (SQLite's default is 2 MiB)
# keeps the indexes a merge writes into in memory: merging 33 borough-years took a fifth less
# time with it.
SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA busy_timeout = 30000",
    "PRAGMA cache_size = -65536",
)


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL, or SQLite in memory)."""
    from sqlalchemy.engine import make_url

    database = make_url(url).database if url.startswith("sqlite") else None
    return Path(database) if database and database != ":memory:" else None


def sqlcipher_url(url: str, database_key: bytes) -> URL:
    """The SQLite `url` opened with SQLCipher, keyed with the raw 256-bit key (no KDF), as a
    borough's store is (`ccodesk.store.borough.make_engine`)."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="sqlite+pysqlcipher", password=_key(database_key))


def _key(database_key: bytes) -> str:
    return f"x'{database_key.hex()}'"


def make_engine(url: str, backups: Path, database_key: bytes) -> Engine:
    """An engine on the central store at `url` (SQLite or PostgreSQL), its errors translated.

    A SQLite store is encrypted with SQLCipher under the centre's database key (kept in the OS
    keyring or the passphrase key file, with its other keys). A PostgreSQL database's
    encryption at rest is its server's.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            sqlcipher_url(url, database_key),
            poolclass=QueuePool,  # pysqlcipher's own default keeps one connection per thread
            connect_args={"timeout": 30, "check_same_thread": False},
        )

        def on_connect(dbapi_conn: object, _record: object) -> None:
            dbapi_conn.isolation_level = None  # type: ignore[attr-defined]
            cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
            # SQLCipher's own log lines (on stderr) are noise: its failures become plain words.
            cur.execute("PRAGMA cipher_log_level = NONE")
            # Fails here with "file is not a database" when the key is wrong: nothing written.
            cur.execute("SELECT count(*) FROM sqlite_master")
            for pragma in SQLITE_PRAGMAS:
                cur.execute(pragma)
            cur.close()

        event.listen(engine, "connect", on_connect)
        # BEGIN IMMEDIATE: merges take the write lock up front, so concurrent ones serialise.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        if engine.url.database:
            path = Path(engine.url.database)
            translate_store_errors(
                engine,
                path,
                backups,
                unreadable=lambda: unreadable_store(path, backups, database_key, central=True),
            )
        return engine
    if url.startswith("postgresql"):
        from sqlalchemy.engine import make_url

        # No JIT compilation (PostgreSQL 12+ turns it on for queries it costs as large):
        # compiling a report's query took longer than running it, about 0.1 s a query on the
        # London page at 330 borough-years (docs/benchmarks.md). A URL's own options win.
        own = "options" in make_url(url).query
        return create_engine(
            url, pool_pre_ping=True, connect_args={} if own else {"options": "-c jit=off"}
        )
    raise StoreError(
        f"Unsupported database URL {url.split(':', 1)[0]!r}: use sqlite or postgresql."
    )


def shown_url(url: str) -> str:
    """`url` fit to print: no password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


class Opening(enum.Enum):
    """What opening a central store may do to its schema (see `bring_to_head`)."""

    OPEN = "open"  # every command: migrate SQLite after a backup, refuse an older PostgreSQL
    UPGRADE = "upgrade"  # `ccodesk-central upgrade`: migrate PostgreSQL too, set up an empty one
    INIT = "init"  # `ccodesk-central init`: set up a new, empty store


def check_file(home: Path, url: str, opening: Opening) -> None:
    """Refuse, before SQLite would create it, a central store file that is missing or empty
    (a lost or truncated store would otherwise come back as a new, empty one)."""
    path = _sqlite_file(url)
    if path is None or opening is Opening.INIT:
        return
    own = path == home / DB_FILE
    if opening is Opening.UPGRADE and not own:
        return  # a new database named with --db, set up for this centre on request
    problem = (
        "is missing"
        if not path.exists()
        else "is empty: it holds no ccodesk data"
        if path.stat().st_size == 0
        else None
    )
    if problem is None:
        return
    restore = (
        f"Restore the newest copy from {home / BACKUP_DIR}"
        if (home / BACKUP_DIR).is_dir()
        else "Restore it from a backup"
    )
    new = (
        "only 'ccodesk-central init' creates a central store"
        if own
        else f"or set up this central unit's store there with 'ccodesk-central --db "
        f"{shown_url(url)} upgrade'"
    )
    raise StoreDamaged(f"The central store {path} {problem}. {restore}; {new}.")


def bring_to_head(
    engine: Engine, home: Path, url: str, opening: Opening, copied: Path | None = None
) -> Path | None:
    """Check the central store's schema and migrate it; the backup's path when one was made.

    A newer schema is refused untouched. A SQLite store is copied into `home/backups` before it
    is migrated, as a borough's is. A PostgreSQL database cannot be copied as a file, so an
    older one is refused unless the administrator asked (`ccodesk-central upgrade`, after
    `pg_dump`). A database with no tables is set up only by `init` (or `upgrade`, for this
    centre's keys on a new database). `copied`: a copy of the store as it was, taken just
    before (when it was encrypted), so no second one is taken.
    """
    shown = shown_url(url)
    what = f"The central store {shown}"
    revision = current_revision(engine)
    refuse_newer(revision, what)
    if revision is None and opening is Opening.OPEN:
        raise StoreDamaged(
            f"{what} holds no ccodesk tables. Set up a new central unit with 'ccodesk-central "
            f"init', or this centre's store on this new database with 'ccodesk-central --db "
            f"{shown} upgrade'."
        )
    path = _sqlite_file(url)
    if revision not in (None, SCHEMA_HEAD) and path is None and opening is not Opening.UPGRADE:
        raise StoreNeedsUpgrade(
            f"{what} uses schema {revision}, older than this ccodesk's {SCHEMA_HEAD}. "
            "ccodesk cannot copy a PostgreSQL database itself, so it migrates one only when "
            "asked: back the database up first (pg_dump -Fc), then run 'ccodesk-central "
            "upgrade'. Nothing was changed."
        )
    if path is None:
        return migrate(engine, what, None)
    return migrate(
        engine,
        what,
        lambda rev: copied or backup_file(path, home / BACKUP_DIR, engine, f"schema-{rev}"),
    )


def open_engine(
    home: Path, url: str, opening: Opening, database_key: bytes
) -> tuple[Engine, Path | None, Encrypted | None]:
    """The engine on the central store at `url`, its schema at this program's; the path of
    the backup taken before migrating, if one was; and what was done if the store was a plain
    SQLite file (made before ccodesk encrypted the central store), now encrypted."""
    from sqlalchemy.exc import OperationalError

    check_file(home, url, opening)
    path = _sqlite_file(url)
    encrypted = None
    if path is not None and is_plain(path):
        what = f"The central store {shown_url(url)}"
        encrypted = encrypt_in_place(path, home / BACKUP_DIR, database_key, what)
    engine = make_engine(url, home / BACKUP_DIR, database_key)
    copied = encrypted.backup if encrypted else None
    try:
        return engine, bring_to_head(engine, home, url, opening, copied), encrypted
    except OperationalError as exc:
        engine.dispose()
        if _sqlite_file(url) is not None or url.startswith("sqlite"):
            raise
        # A server that refuses the connection (down, wrong password, no such database):
        # the server's own first line, never the password.
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        refused = getattr(exc.orig, "sqlstate", None) == "28P01"  # invalid_password
        raise (DatabaseLoginRefused if refused else StoreError)(
            f"Could not connect to the central database {shown_url(url)}: {reason}"
        ) from exc
    except BaseException:
        engine.dispose()
        raise


# -- a PostgreSQL password, for the desktop ------------------------------------------------------
#
# The password of a central database never travels on a command line (other users see it in
# the process list) nor in a file in clear: it is kept in the OS keyring under the URL without
# it, or typed when asked.

KEYRING_SERVICE = "ccodesk-central"


def without_password(url: str) -> str:
    """`url` with no password in it, not even masked: which database, fit to show."""
    from sqlalchemy.engine import make_url

    return make_url(url)._replace(password=None).render_as_string(hide_password=False)


def refuse_password_in_url(url: str) -> None:
    """A URL that holds a password is refused, with what to do instead."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"{url!r} is not a database URL.") from exc
    if parsed.password is not None:
        raise StoreError(
            "The database address holds a password: give it without one (for example "
            f"{without_password(url)}). ccodesk takes the password from this "
            "computer's keyring, or asks for it."
        )


def needs_password(url: str) -> bool:
    """Whether `url` is a database server's (SQLite files have no password)."""
    return url.startswith("postgresql")


def keyring_password(url: str) -> str | None:
    """The password kept in the OS keyring for `url` (given without one), if any."""
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, url)
    except KeyringError:
        return None


def with_password(url: str, password: str | None) -> str:
    """`url` with `password` in it, for the engine only (never shown, logged or written)."""
    if not password:
        return url
    from sqlalchemy.engine import make_url

    return make_url(url).set(password=password).render_as_string(hide_password=False)


def store_file(url: str) -> Path | None:
    """The file of a central SQLite store's URL, for showing where it is (None: PostgreSQL)."""
    return _sqlite_file(url)
