"""The one way into the database: engines, read and write transactions, and schema migrations.

SQLAlchemy 2 Core over an SQLite file by default, PostgreSQL when
``ABCD_DATABASE_URL`` says so. On SQLite every connection runs in WAL mode
with a busy timeout, and every write opens with ``BEGIN IMMEDIATE``: with
deferred transactions concurrent writers fail with "database is locked" even
with a timeout (measured: 1,514 of 1,600 commits lost), with immediate ones
none were. ``secure_delete`` overwrites deleted text, so an erased record does
not linger in free pages.

Every module that stores something (:mod:`abcd.store`,
:mod:`abcd.investments.ledger`, :mod:`abcd.accounts`) opens its transactions
with :meth:`Database.write` and :meth:`Database.read`; Alembic is imported only
when the schema is checked or upgraded.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import stat
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.pool import NullPool, StaticPool
from sqlalchemy.types import UserDefinedType

from abcd.errors import AbcdError, ConflictError, ValidationError, storage_error

if TYPE_CHECKING:
    from alembic.config import Config

_log = logging.getLogger(__name__)
_SQLITE_BUSY = 5  # the primary result code
SQLITE_BUSY_TIMEOUT_MS = 30_000
VACUUM_LOCK_TIMEOUT_S = 15
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so that the
        # "begin" hook below decides between BEGIN and BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        _enter_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return  # VACUUM and checkpoints must run outside a transaction
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("abcd_write", False) else "BEGIN")


def _enter_wal(cursor: Any) -> None:
    """Switch the file to WAL, waiting (up to the busy timeout) while another connection writes it.

    On a new, still empty file the switch itself writes the first page. When
    another process holds the write lock, SQLite answers "database is locked"
    at once instead of calling its busy handler (waiting from inside a read
    could deadlock), so the wait is ours: two app servers or ``abcd migrate``
    runs opening a fresh file together each get their connection.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) != _SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _refuse_nul(
    _conn: Connection, _cursor: Any, _statement: str, parameters: Any, _context: Any, executemany: bool
) -> None:
    """Refuse text holding NUL before it reaches the driver, whichever field it came from.

    PostgreSQL cannot store NUL in text and its driver raises an error that
    quotes the SQL; SQLite would keep it and cut the text short elsewhere.
    The pages and the CLI check what people type, field by field; this is
    the net under all of them, so no path shows a visitor a driver error.
    """
    rows = parameters if executemany else [parameters]
    # All texts joined and searched once: an import's executemany holds a million values.
    texts = [
        value
        for row in rows or ()
        for value in ((row.values() if isinstance(row, Mapping) else row) or ())
        if isinstance(value, str)
    ]
    if "\x00" in "".join(texts):
        raise ValidationError("error.nul_char")


# SQLite primary result codes and PostgreSQL SQLSTATEs that mean the disk or the file system refused,
# as the operating-system error they amount to.
_SQLITE_STORAGE = {13: errno.ENOSPC, 8: errno.EROFS, 3: errno.EACCES, 10: errno.EIO, 14: errno.EIO}
_POSTGRES_STORAGE = {"53100": errno.ENOSPC, "25006": errno.EROFS, "58030": errno.EIO}


def _storage_failure(context: ExceptionContext) -> None:
    """A full disk, a read-only or unreadable database: one clear :class:`~abcd.errors.StorageError`.

    SQLite says "database or disk is full"; the CLI and the pages say that
    the disk is full and nothing was saved (the transaction rolled back).
    """
    original = context.original_exception
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        number = _SQLITE_STORAGE.get(code & 0xFF)
    else:
        number = _POSTGRES_STORAGE.get(str(getattr(original, "sqlstate", "")))
    if number is not None:
        where = (context.engine.url.database if context.engine is not None else None) or "database"
        raise storage_error(OSError(number, str(original).splitlines()[0], where)) from None


def engine_from_url(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL, a busy timeout and immediate writes; no engine passes on NUL."""
    engine = _engine_from_url(url)
    event.listen(engine, "before_cursor_execute", _refuse_nul)
    event.listen(engine, "handle_error", _storage_failure)
    return engine


def _engine_from_url(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True)
        dialect: Any = engine.dialect
        if dialect.name == "postgresql":
            # This engine's reflection (a schema comparison) knows PostGIS's type; no global registry is touched.
            dialect.ischema_names = {**dialect.ischema_names, "geometry": Geometry}
        return engine
    if url in ("sqlite://", "sqlite:///:memory:"):
        # An in-memory database lives as long as its connection: keep one.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        if parsed.database and not parsed.database.startswith("file:"):
            _private_file(Path(parsed.database))
        # One connection per use: SQLite connections are cheap, and a pool
        # would keep file handles across threads of the Streamlit server.
        engine = create_engine(url, poolclass=NullPool, connect_args={"check_same_thread": False})
    _configure_sqlite(engine)
    return engine


def _private_file(path: Path) -> None:
    """Make the database file readable by its owner only, before SQLite opens it; tighten an existing one.

    It holds residents' names and contacts. SQLite gives its ``-wal`` and
    ``-shm`` files the database file's mode, so they follow. A file that was
    readable by others (made by an older version, or copied) is tightened
    and a warning says so.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))  # an empty file is a new SQLite database
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
            if mode & 0o077:
                file.chmod(mode & 0o700)
                _log.warning("abcd: %s was readable by others (%04o); now %04o", file, mode, mode & 0o700)
        except FileNotFoundError:
            continue
        except PermissionError:
            _log.warning("abcd: %s is readable by others and not ours to change; chmod 600 it", file)


class Database:
    """An engine and the transactions everything in ``abcd`` is stored in.

    >>> db = Database.open("sqlite://")
    >>> with db.write() as conn:
    ...     _ = conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    >>> with db.read() as conn:
    ...     conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one()
    0
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, upgrade: bool = False) -> Database:
        """Connect to ``url``; with ``upgrade`` create or upgrade the schema first."""
        db = cls(engine_from_url(url))
        if upgrade:
            upgrade_schema(db.engine)
        return db

    def close(self) -> None:
        self.engine.dispose()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction (``BEGIN IMMEDIATE`` on SQLite): all of it commits, or none."""
        with self.engine.connect().execution_options(abcd_write=True) as conn, conn.begin():
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def compact(self, tables: Sequence[Table] = ()) -> None:
        """Rewrite the stored data so that deleted text is gone from the files.

        SQLite: checkpoint, ``VACUUM`` and checkpoint again, so nothing is left
        in free pages or the WAL (``tables`` does not matter: the whole file is
        rewritten). PostgreSQL: ``VACUUM FULL`` of ``tables``, which writes them
        anew and truncates their old files; old row versions in WAL segments,
        archived WAL, base backups and replicas are out of its reach until they
        are recycled or replaced.
        """
        if not self.is_sqlite:
            self._vacuum_full(tables)
            return
        with self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql("VACUUM")
            for _attempt in range(10):
                busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
                if busy is None or not busy[0]:
                    break
                time.sleep(0.2)
        if busy is not None and busy[0]:
            # A reader still held an old snapshot: the WAL could not be emptied
            # yet. Its frames are overwritten by later writes and removed when
            # the last connection closes; say so rather than pretend.
            raise ConflictError("error.erase_busy", name="-", stored="-", given="-")

    def _vacuum_full(self, tables: Sequence[Table]) -> None:
        from sqlalchemy.exc import OperationalError

        if not tables:
            return
        preparer = self.engine.dialect.identifier_preparer
        names = ", ".join(preparer.format_table(t) for t in tables)
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # VACUUM FULL waits for every open transaction on its tables; rather
            # than hang a page, give up after a while and say it is pending.
            conn.exec_driver_sql(f"SET lock_timeout = '{VACUUM_LOCK_TIMEOUT_S}s'")
            try:
                conn.exec_driver_sql(f"VACUUM FULL {names}")
            except OperationalError as exc:
                if getattr(exc.orig, "sqlstate", None) != "55P03":  # lock_not_available
                    raise
                raise ConflictError("error.erase_busy", name="-", stored="-", given="-") from None


def insert_if_absent(conn: Connection, table: Table, values: Mapping[str, Any]) -> None:
    """Insert a row unless one with its primary key exists, also when another transaction adds it at the same time."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        conn.execute(postgresql.insert(table).values(**values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects import sqlite

        conn.execute(sqlite.insert(table).values(**values).on_conflict_do_nothing())


def insert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (tuples of values in ``columns``' order) into ``table`` with one ``executemany``.

    For imports of thousands of rows: the values go to the driver as they
    are, without SQLAlchemy's per-row parameter processing (measured: most of
    an insert's time), so they must already be what the driver stores (text,
    numbers, ``bool``, ``bytes``, ``None``: what :mod:`abcd.records`' codecs
    give). The statement follows the driver's parameter style (``?`` for
    SQLite, ``%s`` for psycopg); the engine's events still run (NUL is
    refused, a full disk is a :class:`~abcd.errors.StorageError`).

    >>> from sqlalchemy import Column, MetaData, String
    >>> table = Table("t", MetaData(), Column("key", String), Column("value", String))
    >>> db = Database.open("sqlite://")
    >>> with db.write() as conn:
    ...     table.create(conn)
    ...     insert_rows(conn, table, ["key", "value"], [("a", "1"), ("b", None)])
    >>> with db.read() as conn:
    ...     conn.exec_driver_sql("SELECT key, value FROM t ORDER BY key").all()
    [('a', '1'), ('b', None)]
    """
    if not rows:
        return
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    style = dialect.paramstyle
    if style == "named":
        marks = [f":{name}" for name in columns]
    elif style == "numeric":
        marks = [f":{k}" for k in range(1, len(columns) + 1)]
    elif style == "numeric_dollar":
        marks = [f"${k}" for k in range(1, len(columns) + 1)]
    elif style == "qmark":
        marks = ["?"] * len(columns)
    else:  # format, pyformat: psycopg takes %s with positional values
        marks = ["%s"] * len(columns)
    statement = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
        f"({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(marks)})"
    )
    if style == "named":
        conn.exec_driver_sql(statement, [dict(zip(columns, row, strict=True)) for row in rows])
    elif isinstance(rows, list) and isinstance(rows[0], tuple):
        conn.exec_driver_sql(statement, rows)
    else:
        conn.exec_driver_sql(statement, [tuple(row) for row in rows])


# ------------------------------------------------------------- migrations
def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the shipped migrations, optionally bound to ``connection``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def known_revisions() -> frozenset[str]:
    """Every schema revision this version of ``abcd`` ships."""
    from alembic.script import ScriptDirectory

    return frozenset(script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions())


def head_revision() -> str:
    """The newest schema revision shipped with this version of ``abcd``."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database, ``None`` for an empty one."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _sqlite_foreign_keys(conn: Connection, *, on: bool) -> None:
    # On the driver connection, outside any transaction (the PRAGMA is a no-op inside one).
    raw = conn.connection.dbapi_connection
    assert raw is not None
    raw.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")


# The key of the PostgreSQL advisory lock every schema upgrade takes ("abcdmigr" as a number).
SCHEMA_LOCK_KEY = int.from_bytes(b"abcdmigr", "big")


@dataclass(frozen=True, slots=True)
class Migration:
    """What :func:`migrate_schema` found and left: the revision before (``None``: an empty database) and after."""

    before: str | None
    after: str

    @property
    def upgraded(self) -> bool:
        return self.before != self.after


def _known(revision: str | None) -> str | None:
    """``revision`` if this version of ``abcd`` ships it (or the database is empty); else a clear refusal."""
    if revision is not None and revision not in known_revisions():
        raise AbcdError("error.schema_unknown", revision=revision, head=head_revision())
    return revision


def migrate_schema(engine: Engine) -> Migration:
    """Create or upgrade the schema to the newest revision, under a lock, so that it happens once.

    Several processes may start at the same time (app servers, ``abcd
    migrate``): the upgrade runs in one transaction that first takes a lock,
    PostgreSQL's advisory lock :data:`SCHEMA_LOCK_KEY` or SQLite's write lock
    (``BEGIN IMMEDIATE``). Whoever comes second waits, then reads the revision
    the first one committed and has nothing left to do. A database at a
    revision this version does not know (a newer ``abcd`` upgraded it) is
    refused with :class:`~abcd.errors.AbcdError` ``error.schema_unknown``
    and left alone.

    Migrations only ever add or transform, so a user's data survives every
    upgrade. On SQLite foreign keys are off while they run: a migration that
    has to copy a table (SQLite's way of dropping a column) must not cascade
    the copy's ``DROP TABLE`` into the rows that point at it. A foreign-key
    check afterwards proves nothing was left dangling.

    >>> engine = engine_from_url("sqlite://")
    >>> migrate_schema(engine).upgraded, migrate_schema(engine).upgraded
    (True, False)
    """
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    sqlite = engine.dialect.name == "sqlite"
    head = head_revision()
    with engine.connect() as conn:
        if sqlite:
            _sqlite_foreign_keys(conn, on=False)
        try:
            conn.execution_options(abcd_write=True)  # BEGIN IMMEDIATE on SQLite: the write lock, from the start
            if not sqlite:
                # Read committed (also where the server defaults to stricter): the revision read after
                # the lock is the one the process that held it committed.
                conn.execution_options(isolation_level="READ COMMITTED")
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
            before = _known(MigrationContext.configure(conn).get_current_revision())
            if before != head:
                command.upgrade(alembic_config(conn), "head")
            conn.commit()  # ... and the transaction's end releases the lock
            if sqlite:
                dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                conn.commit()
                if dangling:
                    msg = f"the schema upgrade left rows pointing at nothing: {dangling[:5]}"
                    raise RuntimeError(msg)
        finally:
            if sqlite:
                conn.rollback()
                _sqlite_foreign_keys(conn, on=True)  # an in-memory database keeps this one connection
    return Migration(before, head)


def upgrade_schema(engine: Engine) -> str:
    """Create or upgrade the schema to the newest revision (:func:`migrate_schema`); returns that revision."""
    return migrate_schema(engine).after


def upgrades_on_open(url: str) -> bool:
    """Whether the app and the commands may upgrade the schema of ``url`` themselves: SQLite only.

    An SQLite file serves one machine, and ``make run`` upgrades it before the
    app starts anyway; under its write lock two processes never both migrate.
    A PostgreSQL database serves several app servers that may start together,
    some still running the previous version: there ``abcd migrate`` (or
    ``abcd init``) upgrades, once, and every other process only checks
    (:func:`check_schema`).

    >>> upgrades_on_open("sqlite:///data/abcd.db"), upgrades_on_open("postgresql+psycopg://abcd@db/abcd")
    (True, False)
    """
    return make_url(url).get_backend_name() == "sqlite"


def check_schema(engine: Engine) -> str:
    """The database's revision when it is the one this version of ``abcd`` works with; else a clear refusal.

    An empty database asks for ``abcd init``, an older one for ``abcd
    migrate``, and one a newer ``abcd`` upgraded for this one to be updated
    (:class:`~abcd.errors.AbcdError`, in the user's language). Nothing is written.

    >>> engine = engine_from_url("sqlite://")
    >>> check_schema(engine)
    Traceback (most recent call last):
    ...
    abcd.errors.AbcdError: De database is nog leeg. Maak haar eerst aan met: abcd init
    >>> upgrade_schema(engine) == check_schema(engine) == head_revision()
    True
    """
    revision, head = _known(current_revision(engine)), head_revision()
    if revision is None:
        raise AbcdError("error.schema_empty")
    if revision != head:
        raise AbcdError("error.schema_behind", revision=revision, head=head)
    return revision


# ------------------------------------------------------------- PostGIS
def require_postgis(conn: Connection, *, extension: str = "postgis") -> None:
    """Make sure the PostGIS extension is on in the database of ``conn``; refuse clearly when it cannot be.

    Run by the migration that adds the geometry columns, in its transaction.
    Not installed on the server, or not ours to switch on (``CREATE
    EXTENSION`` needs a superuser or the database's owner with the right
    privileges): an :class:`~abcd.errors.AbcdError` that says what to do, and
    the upgrade is rolled back. ``extension`` is for tests.
    """
    from sqlalchemy.exc import DBAPIError

    if conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = :name"), {"name": extension}).first():
        return
    if not conn.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = :name"), {"name": extension}).first():
        raise AbcdError("error.postgis_missing", extension=extension)
    try:
        conn.exec_driver_sql(f'CREATE EXTENSION IF NOT EXISTS "{extension}"')
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "42501":  # insufficient_privilege
            raise
        raise AbcdError("error.postgis_denied", extension=extension) from None


class Geometry(UserDefinedType[Any]):
    """A PostGIS ``geometry`` column, as a PostgreSQL engine of :func:`engine_from_url` reflects it.

    The app never reads or writes these columns: PostgreSQL generates them
    from ``lon``/``lat`` and the WKB columns (migrations ``0013_postgis_geometry``
    and ``0014_rd_geometry``), for QGIS, GDAL and spatial SQL. The type lets
    a schema comparison recognise them (:func:`portable_schema_object`).
    """

    cache_ok = True

    def __init__(self, kind: str = "Geometry", srid: str | int = 0) -> None:
        # Reflection hands over the type modifiers as text: geometry(Point,4326) is ("Point", "4326").
        self.kind = kind
        self.srid = int(srid)

    def get_col_spec(self, **_kw: Any) -> str:
        return f"geometry({self.kind}, {self.srid})"


def portable_schema_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's ``include_object``: whether a schema comparison looks at ``obj``.

    :mod:`abcd.schema` declares what every database has. On PostgreSQL the
    database has more: PostGIS's ``spatial_ref_sys`` table and the geometry
    columns the migrations generate from the portable ones, with their GiST
    indexes. A comparison leaves those out; ``tests/test_postgis.py`` checks them.
    """
    if not reflected or compare_to is not None:
        return True
    if type_ == "table":
        return name != "spatial_ref_sys"
    if type_ == "column":
        return not isinstance(obj.type, Geometry)
    if type_ == "index":
        columns = list(getattr(obj, "columns", ()))
        return not (columns and all(isinstance(c.type, Geometry) for c in columns))
    return True


__all__ = [
    "SCHEMA_LOCK_KEY",
    "SQLITE_BUSY_TIMEOUT_MS",
    "Database",
    "Geometry",
    "Migration",
    "alembic_config",
    "check_schema",
    "current_revision",
    "engine_from_url",
    "head_revision",
    "insert_if_absent",
    "insert_rows",
    "known_revisions",
    "migrate_schema",
    "portable_schema_object",
    "require_postgis",
    "upgrade_schema",
    "upgrades_on_open",
]
