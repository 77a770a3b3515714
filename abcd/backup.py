"""Backups of the SQLite database, taken while the app runs, and restoring one.

:func:`backup_database` uses SQLite's online backup API
(:meth:`sqlite3.Connection.backup`) in a single step: it reads one snapshot
of the database, so the copy is consistent even while others write (in WAL
mode writers do not wait for it). The copy goes to a temporary file beside
the target, is checked with ``PRAGMA integrity_check`` and only then renamed
over the target, so a failed backup never leaves half a file behind. The file
is a single self-contained database (no ``-wal``), readable only by its owner:
it holds private contact details.

:func:`restore_database` refuses a file that is not an ``abcd`` database
(not SQLite, failing the integrity check, or without a known schema revision),
keeps a consistent copy of the database it replaces as ``<name>.bak``, and
writes the backup into the live file through the same backup API, inside
SQLite's own locking and transaction. It refuses while the app runs: every
app process holds a shared lock on ``<database>.lock`` (:func:`hold_database`)
and a restore needs it exclusively, so writes the app has confirmed are never
overwritten (SQLite's own locks last one transaction and cannot say that a
server is running).

PostgreSQL has its own tools: ``pg_dump`` and ``pg_restore``.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from abcd.db import SQLITE_BUSY_TIMEOUT_MS, known_revisions
from abcd.errors import BackupError
from abcd.store import Store

_SQLITE_HEADER = b"SQLite format 3\x00"
_REQUIRED_TABLES = ("alembic_version", "assets", "asset_history", "wijken")


@dataclass(frozen=True, slots=True)
class DatabaseSummary:
    """What an ``abcd`` database file holds: its schema revision and row counts."""

    revision: str
    assets: int
    history: int


def sqlite_path(url: str) -> Path:
    """The database file of an SQLite ``url``; :class:`BackupError` for PostgreSQL or a memory database.

    >>> sqlite_path("sqlite:///data/abcd.db")
    PosixPath('data/abcd.db')
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise BackupError("error.backup_postgres", backend=parsed.get_backend_name())
    if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file::memory:"):
        raise BackupError("error.backup_memory")
    return Path(parsed.database)


def _url_of(store_or_url: Store | str) -> str:
    if isinstance(store_or_url, Store):
        return store_or_url.engine.url.render_as_string(hide_password=False)
    return store_or_url


def _same_file(a: Path, b: Path) -> bool:
    a, b = a.resolve(), b.resolve()
    return a == b or (a.name in (f"{b.name}-wal", f"{b.name}-shm", f"{b.name}-journal") and a.parent == b.parent)


def _connect_source(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise BackupError("error.backup_no_database", path=str(path))
    conn = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    return conn


@contextmanager
def _temporary_beside(target: Path) -> Iterator[Path]:
    """A fresh temporary path in ``target``'s folder (same file system, so a rename is atomic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}-", suffix=".tmp", dir=target.parent)
    os.close(handle)  # mkstemp made it readable by its owner only; SQLite keeps that mode
    tmp = Path(name)
    try:
        yield tmp
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            with suppress(FileNotFoundError):
                leftover.unlink()


def _copy(source: sqlite3.Connection, tmp: Path, *, restoring: str | None = None) -> None:
    """Copy ``source`` into the new file ``tmp`` in one backup step, as a self-contained file.

    A copy that fails the integrity check is ``error.backup_failed``; when
    ``restoring`` (the backup file's name), ``error.restore_corrupt``: then it
    is the backup that is broken.
    """
    with closing(sqlite3.connect(tmp)) as dest:
        # One step (pages=-1) reads a single snapshot; in steps, every write by
        # another connection would restart the copy.
        source.backup(dest, pages=-1)
        dest.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
        problems = [row[0] for row in dest.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            if restoring is not None:
                raise BackupError("error.restore_corrupt", path=restoring, reason="; ".join(problems[:3]))
            raise BackupError("error.backup_failed", reason="; ".join(problems[:3]))
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    with suppress(OSError):  # not every file system can sync a directory
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def backup_database(store_or_url: Store | str, target: Path) -> Path:
    """Write a consistent copy of the SQLite database to ``target`` while others may write; returns it.

    An existing ``target`` is replaced only once the new copy is complete and
    has passed ``PRAGMA integrity_check``. A PostgreSQL database raises
    :class:`~abcd.errors.BackupError` that points to ``pg_dump``.
    """
    live = sqlite_path(_url_of(store_or_url))
    target = Path(target)
    if _same_file(target, live):
        raise BackupError("error.backup_same_file", path=str(target))
    try:
        with _temporary_beside(target) as tmp, closing(_connect_source(live)) as source:
            _copy(source, tmp)
            os.replace(tmp, target)
    except sqlite3.Error as exc:
        raise BackupError("error.backup_failed", reason=str(exc)) from None
    except OSError as exc:
        raise BackupError("error.backup_failed", reason=exc.strerror or str(exc)) from None
    _fsync_dir(target.parent)
    return target


class DatabaseHold:
    """A running app's shared lock on its database's lock file; released by :meth:`close` or when collected."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the file releases the lock
            self._fd = None

    def __del__(self) -> None:
        self.close()


def lock_path(live: Path) -> Path:
    """The lock file beside the SQLite database ``live``: held shared by the app, exclusively by a restore."""
    return live.with_name(f"{live.name}.lock")


def _open_lock(live: Path) -> int:
    live.parent.mkdir(parents=True, exist_ok=True)
    return os.open(lock_path(live), os.O_RDWR | os.O_CREAT, 0o600)


def hold_database(url: str) -> DatabaseHold | None:
    """Hold the SQLite database at ``url`` as a running app: ``abcd restore`` refuses until it is released.

    Waits while a restore is under way, so the app never opens a half-restored
    file. ``None`` for PostgreSQL or a memory database (nothing to restore).
    """
    try:
        live = sqlite_path(url)
    except BackupError:
        return None
    fd = _open_lock(live)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
    except OSError:
        os.close(fd)
        raise
    return DatabaseHold(fd)


@contextmanager
def _no_app_running(live: Path) -> Iterator[None]:
    """Hold ``live``'s lock file exclusively; refuse at once while an app process holds it."""
    fd = _open_lock(live)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError("error.restore_in_use", path=str(live)) from None
        yield
    finally:
        os.close(fd)


def describe_database(path: Path) -> DatabaseSummary:
    """Check that ``path`` is a sound ``abcd`` database and say what it holds.

    Refuses (:class:`~abcd.errors.BackupError`) a file that is not SQLite,
    fails ``PRAGMA integrity_check``, lacks the ``abcd`` tables or carries a
    schema revision this version does not know (a newer ``abcd`` wrote it).
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError("error.file_missing", path=str(path))
    with open(path, "rb") as handle:
        if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
            raise BackupError("error.restore_not_sqlite", path=path.name)
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupError("error.restore_corrupt", path=path.name, reason="; ".join(problems[:3]))
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = [t for t in _REQUIRED_TABLES if t not in tables]
            if missing:
                raise BackupError("error.restore_no_schema", path=path.name, missing=", ".join(missing))
            revisions = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
            assets = int(conn.execute("SELECT count(*) FROM assets").fetchone()[0])
            history = int(conn.execute("SELECT count(*) FROM asset_history").fetchone()[0])
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # a scribbled schema is not even text
        raise BackupError("error.restore_corrupt", path=path.name, reason=str(exc)) from None
    if len(revisions) != 1:
        raise BackupError("error.restore_no_schema", path=path.name, missing="alembic_version")
    if revisions[0] not in known_revisions():
        raise BackupError("error.restore_unknown_revision", path=path.name, revision=revisions[0])
    return DatabaseSummary(revision=revisions[0], assets=assets, history=history)


def _bak_path(live: Path) -> Path:
    plain = live.with_name(f"{live.name}.bak")
    if not plain.exists():
        return plain
    # Never overwrite an earlier .bak: it may be the only copy of older data.
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return live.with_name(f"{live.name}.{stamp}.bak")


def _replace_live(tmp: Path, live: Path, url: str) -> Path | None:
    """Write the checked copy ``tmp`` into ``live``, keeping the old database as a ``.bak``; returns that."""
    if not live.exists():
        os.replace(tmp, live)
        _fsync_dir(live.parent)
        return None
    kept = backup_database(url, _bak_path(live))
    with closing(sqlite3.connect(tmp)) as backup, closing(_connect_source(live)) as dest:
        backup.backup(dest, pages=-1)
        problems = [row[0] for row in dest.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError("error.backup_failed", reason="; ".join(problems[:3]))
        dest.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return kept


def restore_database(source: Path, url: str) -> Path | None:
    """Replace the SQLite database at ``url`` with the backup ``source``.

    Stop the app first: while an app process holds the database
    (:func:`hold_database`) this raises :class:`~abcd.errors.BackupError` and
    changes nothing. The backup is copied and checked
    (:func:`describe_database`) before anything is touched; the database it
    replaces is kept as ``<name>.bak`` (or ``<name>.<time>.bak`` when that
    exists) and its path returned, ``None`` when there was no database yet.
    The copy into the live file runs in one SQLite transaction: interrupted,
    it leaves the old database as it was. An older schema is upgraded the next
    time the database is opened.
    """
    live = sqlite_path(url)
    source = Path(source)
    if not source.is_file():
        raise BackupError("error.file_missing", path=str(source))
    if _same_file(source, live):
        raise BackupError("error.backup_same_file", path=str(source))
    try:
        with _temporary_beside(live) as tmp:
            # Check the copy we are going to use, not the file that could still change.
            with open(source, "rb") as handle:
                if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
                    raise BackupError("error.restore_not_sqlite", path=source.name)
            with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as original:
                _copy(original, tmp, restoring=source.name)
            describe_database(tmp)
            with _no_app_running(live):
                return _replace_live(tmp, live, url)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # a scribbled schema is not even text
        raise BackupError("error.restore_corrupt", path=source.name, reason=str(exc)) from None
    except OSError as exc:
        raise BackupError("error.backup_failed", reason=exc.strerror or str(exc)) from None


__all__ = [
    "DatabaseHold",
    "DatabaseSummary",
    "backup_database",
    "describe_database",
    "hold_database",
    "known_revisions",
    "lock_path",
    "restore_database",
    "sqlite_path",
]
