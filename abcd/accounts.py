"""Local accounts, password checks with lock-out, and login sessions that survive a reload.

Passwords are hashed with Argon2id (argon2-cffi); only the hash is stored.
After :data:`MAX_FAILED` wrong passwords in a row an account is locked for a
while, doubling with every further failure, up to a day: guessing stays slow
even across server restarts, because the counter lives in the database.

Every attempt is counted as a failure *before* its password is checked, in
one write transaction that locks the counter row, and an attempt that finds
the account locked is refused without a check: however many guesses arrive
at once, at most :data:`MAX_FAILED` in a row are checked. A right password
resets the counter, unless parallel guesses locked the account meanwhile.
At most :data:`ARGON2_AT_ONCE` Argon2 computations run at the same time in a
process (each takes 64 MiB and most of a core); the rest wait their turn.

A name without an account (or without a password) goes the same way: it is
checked against a stand-in hash, counted and locked like an account, in the
table ``login_throttle`` under a salted hash of the name. So the answer, the
lock-out and the time taken are the same for every name and never tell which
names exist, and no typed name is stored. Failures are forgotten
:data:`FORGET_FAILURES` after the last one, for every name alike (which also
lets old throttle rows go).

A login session is a random token kept by the browser in a cookie; the
database keeps only its SHA-256, so a copy of the database cannot be used to
log in.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Table, delete, insert, select, update

from abcd import schema
from abcd.db import insert_if_absent
from abcd.errors import AbcdError, NotFoundError, ValidationError
from abcd.i18n import Term
from abcd.permissions import CLI_USER, Account, AccountFields, Role, User, parse_wijken
from abcd.records import HistoryEntry, from_iso, iso_utc, utcnow
from abcd.store import Store
from abcd.versioned import Messages, RecordKind

MAX_FAILED = 5
BASE_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(days=1)
FORGET_FAILURES = timedelta(days=30)
ARGON2_AT_ONCE = 2
ARGON2_WAIT_S = 30.0
SESSION_DAYS = 30
MIN_PASSWORD = 10
USERNAME_MAX = 200

_hasher = PasswordHasher()  # Argon2id with the library's current defaults
# Process-wide on purpose: the cap is on this process's memory and cores, whoever asks.
_argon2_slots = threading.BoundedSemaphore(ARGON2_AT_ONCE)
_SALT_KEY = "login_throttle_salt"


class LoginError(AbcdError):
    """Wrong name or password, or a locked account (the message does not say which name exists)."""


ACCOUNTS: RecordKind[Account] = RecordKind(
    Account,
    schema.users,
    schema.user_history,
    history_key="username",
    name_of=lambda account: account.username,
    key="username",
    messages=Messages("error.user_not_found", "error.user_not_found", "error.user_not_found", "error.user_exists"),
)
"""How accounts are stored: the one versioned-record mechanism, for accounts."""


def _clean_username(username: str, *, new: bool = False) -> str:
    """A user name as stored: whitespace folded, lower case; refused when blank, too long or unfit.

    A *new* name (and one that logs in) holds printable characters only: no
    control characters (NUL, ESC), no bidirectional controls (U+202E shows
    "nimda" as "admin"), no zero-width or other invisible characters. Looking
    up an existing account refuses only what no database can hold (NUL, lone
    surrogates), so an account named before these rules can still be removed.
    """
    name = " ".join(str(username).split()).lower()
    if not name:
        raise ValidationError("error.blank", field=Term("field.username"))
    if len(name) > USERNAME_MAX:
        raise ValidationError("error.too_long", field=Term("field.username"), length=len(name), max=USERNAME_MAX)
    unfit = next((c for c in name if _unfit(c, new=new)), None)
    if unfit is not None:
        raise ValidationError("error.control_chars", field=Term("field.username"), char=f"U+{ord(unfit):04X}")
    return name


def _unfit(char: str, *, new: bool) -> bool:
    if new:
        return not char.isprintable()
    return char == "\x00" or unicodedata.category(char) == "Cs"


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationError("error.password_short", min=MIN_PASSWORD)


def add_user(
    store: Store,
    username: str,
    *,
    role: Role | str,
    password: str | None,
    wijken: str | frozenset[str] = "",
    by: str = CLI_USER.username,
) -> Account:
    """Create an account; ``password=None`` makes a single-sign-on-only account (its name is the e-mail).

    A removed account of the same name comes back with the new role and password.
    """
    name = _clean_username(username, new=True)
    fields = AccountFields(
        role=_role(role),
        wijken=parse_wijken(wijken),
        password_hash=None if password is None else _hash_new(password),
    )
    now = utcnow()
    with store.db.write() as conn:
        existing = ACCOUNTS.get_many(conn, [name]).get(name)
        if existing is None:
            ACCOUNTS.insert(conn, [ACCOUNTS.new(fields, name, by=by, now=now)], by=by, now=now)
        elif existing.is_deleted:
            restored = ACCOUNTS.set_deleted(conn, name, deleted=False, by=by, now=now, expected_version=None)
            ACCOUNTS.update(conn, restored, fields, by=by, now=now, expected_version=restored.version, extra=_UNLOCKED)
        else:
            raise ValidationError("error.user_exists", value=name)
    return get_account(store, name)


def _hash_new(password: str) -> str:
    _check_password(password)
    with _argon2_slot():
        return _hasher.hash(password)


@contextmanager
def _argon2_slot(*, wait: float | None = None) -> Iterator[None]:
    """One of the :data:`ARGON2_AT_ONCE` Argon2 slots; after ``wait`` seconds a log-in gives up (busy)."""
    if not _argon2_slots.acquire(timeout=wait):
        raise LoginError("error.login_busy")
    try:
        yield
    finally:
        _argon2_slots.release()


# Login counters a password change or a restored account starts again from.
_UNLOCKED = {"failed_attempts": 0, "locked_until": None, "last_failed_at": None}


def _role(value: Role | str) -> Role:
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Role if r is not Role.PUBLIC)
        raise ValidationError("error.choice", field=Term("field.role"), value=value, allowed=allowed) from None


def _live(conn: Connection, name: str) -> Account:
    account = ACCOUNTS.get(conn, name)
    if account.is_deleted:
        raise NotFoundError("error.user_not_found", value=name)
    return account


def get_account(store: Store, username: str) -> Account:
    """The live account ``username``; :class:`NotFoundError` for an unknown or removed one."""
    name = _clean_username(username)
    with store.db.read() as conn:
        return _live(conn, name)


def list_accounts(store: Store) -> list[Account]:
    """Every live account, by name."""
    query = select(schema.users).where(schema.users.c.deleted_at.is_(None)).order_by(schema.users.c.username)
    with store.db.read() as conn:
        return [ACCOUNTS.from_row(r) for r in conn.execute(query).mappings()]


def account_history(store: Store, username: str) -> list[HistoryEntry]:
    """Every change of an account (role, wijken, password reset, removal), oldest first."""
    with store.db.read() as conn:
        return ACCOUNTS.entries(conn, _clean_username(username))


def set_role(
    store: Store,
    username: str,
    role: Role | str,
    *,
    wijken: str | frozenset[str] | None = None,
    by: str = CLI_USER.username,
) -> Account:
    """Change an account's role (and, when given, its wijken); ends its open sessions."""
    name = _clean_username(username)
    new_role = _role(role)
    with store.db.write() as conn:
        current = _live(conn, name)
        if new_role is not Role.COORDINATOR:
            _keep_a_coordinator(conn, name)
        changes = AccountFields(
            role=new_role,
            wijken=current.wijken if wijken is None else parse_wijken(wijken),
            password_hash=current.password_hash,
        )
        ACCOUNTS.update(conn, current, changes, by=by, now=utcnow(), expected_version=current.version)
        conn.execute(delete(schema.sessions).where(schema.sessions.c.username == name))
    return get_account(store, name)


def _keep_a_coordinator(conn: Connection, leaving: str) -> None:
    """Refuse to remove or demote the last coordinator: nobody could manage accounts or erase data any more.

    The coordinators' rows stay locked until the change commits (``FOR
    UPDATE``; SQLite's ``BEGIN IMMEDIATE`` holds the whole database), so two
    coordinators demoting each other at the same moment are decided one after
    the other: the second sees the first's change and is refused.
    """
    coordinators = set(
        conn.execute(
            select(schema.users.c.username)
            .where(schema.users.c.role == Role.COORDINATOR.value, schema.users.c.deleted_at.is_(None))
            .order_by(schema.users.c.username)  # every caller locks in the same order: no deadlock
            .with_for_update()
        ).scalars()
    )
    if coordinators == {leaving}:
        raise ValidationError("error.last_coordinator", value=leaving)


def set_password(store: Store, username: str, password: str, *, by: str = CLI_USER.username) -> None:
    """Give an account a new password: unlocks it and ends its open sessions."""
    name = _clean_username(username)
    new_hash = _hash_new(password)
    with store.db.write() as conn:
        ACCOUNTS.edit(
            conn,
            name,
            lambda current: replace(current, password_hash=new_hash),
            "password",
            by=by,
            now=utcnow(),
            extra=_UNLOCKED,
        )
        conn.execute(delete(schema.sessions).where(schema.sessions.c.username == name))


def remove_user(store: Store, username: str, *, by: str = CLI_USER.username) -> None:
    """Remove an account: it can no longer log in and its sessions end; its history stays."""
    name = _clean_username(username)
    with store.db.write() as conn:
        _live(conn, name)
        _keep_a_coordinator(conn, name)
        conn.execute(delete(schema.sessions).where(schema.sessions.c.username == name))
        ACCOUNTS.set_deleted(conn, name, deleted=True, by=by, now=utcnow(), expected_version=None)


def lock_duration(failed_attempts: int) -> timedelta:
    """How long an account stays locked after ``failed_attempts`` failures in a row.

    >>> lock_duration(4), lock_duration(5), lock_duration(7)
    (datetime.timedelta(0), datetime.timedelta(seconds=60), datetime.timedelta(seconds=240))
    """
    if failed_attempts < MAX_FAILED:
        return timedelta(0)
    return min(BASE_LOCK * 2 ** (failed_attempts - MAX_FAILED), MAX_LOCK)


def authenticate(store: Store, username: str, password: str, *, now: datetime | None = None) -> User:
    """The user for a correct name and password; :class:`LoginError` otherwise.

    The same message, lock-out and work for an unknown name as for a wrong
    password; a locked account is refused even with the right password until
    the lock ends. The attempt is counted before the password is checked (see
    the module's description).
    """
    now = now or utcnow()
    try:
        name = _clean_username(username, new=True)  # only a printable name can log in
    except ValidationError:
        raise LoginError("error.login_failed") from None  # nothing unfit reaches the database
    with store.db.write() as conn:
        attempt = _count_attempt(conn, name, now)
    if attempt.locked_out is not None:
        raise attempt.locked_out  # no password check while locked: the same for every name
    # The slow Argon2 check runs outside any write transaction, so a stream of
    # guesses never holds the database's write lock.
    with _argon2_slot(wait=ARGON2_WAIT_S):
        stand_in = _stand_in_hash()  # made once per process, on the first attempt, whatever the name
        right = _verify(attempt.password_hash or stand_in, password)
    if not right or attempt.password_hash is None:
        raise attempt.refusal()
    return _log_in(store, name, attempt, password, now)


@dataclass(frozen=True, slots=True)
class _Attempt:
    """A log-in attempt, already counted as a failure: what to check the password against, and the answer if wrong."""

    failed: int  # failures in a row, this attempt included
    password_hash: str | None  # None: no account with a password of that name
    lock: timedelta  # the lock this attempt started (zero: none)
    locked_out: LoginError | None = None  # refused without a check: the name was locked already

    def refusal(self) -> LoginError:
        if self.locked_out is not None:
            return self.locked_out
        if self.lock:
            return LoginError("error.login_locked", n=max(1, int(self.lock.total_seconds() // 60)))
        return LoginError("error.login_failed")


def _count_attempt(conn: Connection, name: str, now: datetime) -> _Attempt:
    """Count an attempt as a failure before its password is checked; refuse it at once while the name is locked.

    The counter row stays locked until the transaction ends (``FOR UPDATE`` on
    PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` holds the whole database), so
    parallel attempts are counted one after the other. An attempt refused
    while locked counts too (it does not extend the lock, but the next lock
    grows with it): the counter is the number of attempts, and a right password
    among a burst of guesses beyond the limit finds it higher than its own.
    """
    users = schema.users
    row = (
        conn.execute(
            select(users.c.password_hash, users.c.failed_attempts, users.c.locked_until, users.c.last_failed_at)
            .where(users.c.username == name, users.c.deleted_at.is_(None), users.c.password_hash.is_not(None))
            .with_for_update()
        )
        .mappings()
        .first()
    )
    table: Table = users
    where = users.c.username == name
    if row is None:
        table = schema.login_throttle
        key = _name_key(conn, name)
        where = table.c.name_key == key
        # Rows whose failures are forgotten anyway go; then one row for this name's key.
        conn.execute(delete(table).where(table.c.last_failed_at < iso_utc(now - FORGET_FAILURES)))
        insert_if_absent(conn, table, {"name_key": key, "failed_attempts": 0})
        row = (
            conn.execute(
                select(table.c.failed_attempts, table.c.locked_until, table.c.last_failed_at)
                .where(where)
                .with_for_update()
            )
            .mappings()
            .one()
        )
    last = from_iso(row["last_failed_at"])
    failed = 1 + (row["failed_attempts"] if last is None or now - last <= FORGET_FAILURES else 0)
    values: dict[str, object] = {"failed_attempts": failed, "last_failed_at": iso_utc(now)}
    locked_until = from_iso(row["locked_until"])
    if locked_until is not None and locked_until > now:
        conn.execute(update(table).where(where).values(**values))
        return _Attempt(failed, None, timedelta(0), locked_out=_locked(locked_until, now))
    lock = lock_duration(failed)
    conn.execute(update(table).where(where).values(**values, locked_until=iso_utc(now + lock) if lock else None))
    return _Attempt(failed, row.get("password_hash"), lock)


def _locked(locked_until: datetime, now: datetime) -> LoginError:
    return LoginError("error.login_locked", n=max(1, int((locked_until - now).total_seconds() // 60) + 1))


def _name_key(conn: Connection, name: str) -> str:
    """The throttle key of a name: HMAC-SHA-256 with this database's own random salt (made on first use)."""
    query = select(schema.meta.c.value).where(schema.meta.c.key == _SALT_KEY)
    salt = conn.execute(query).scalar_one_or_none()
    if salt is None:
        insert_if_absent(conn, schema.meta, {"key": _SALT_KEY, "value": secrets.token_hex(32)})
        salt = conn.execute(query).scalar_one()
    return hmac.new(bytes.fromhex(salt), name.encode(), hashlib.sha256).hexdigest()


@functools.cache
def _stand_in_hash() -> str:
    """The hash a name without a password is checked against: a random password, with the same Argon2 settings."""
    return _hasher.hash(secrets.token_urlsafe(16))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _log_in(store: Store, name: str, attempt: _Attempt, password: str, now: datetime) -> User:
    """After a right password: reset the counter, unless guesses that came in meanwhile locked the account."""
    assert attempt.password_hash is not None
    new_hash = None
    if _hasher.check_needs_rehash(attempt.password_hash):
        with _argon2_slot(wait=ARGON2_WAIT_S):
            new_hash = _hasher.hash(password)
    users = schema.users
    with store.db.write() as conn:
        row = (
            conn.execute(select(users).where(users.c.username == name, users.c.deleted_at.is_(None)).with_for_update())
            .mappings()
            .first()
        )
        if row is None or row["password_hash"] != attempt.password_hash:
            raise LoginError("error.login_failed")  # removed, or given a new password, while this was checked
        locked_until = from_iso(row["locked_until"])
        if locked_until is not None and locked_until > now and row["failed_attempts"] != attempt.failed:
            raise _locked(locked_until, now)  # guesses after this attempt reached the limit: they lock it out too
        values: dict[str, object] = {**_UNLOCKED, "last_login_at": iso_utc(now)}
        if new_hash is not None:
            values["password_hash"] = new_hash
        conn.execute(update(users).where(users.c.username == name).values(**values))
    return User(name, Role(row["role"]), parse_wijken(row["wijken"]))


def sso_user(store: Store, email: str) -> User | None:
    """The role of someone who logged in through single sign-on, by their e-mail; ``None`` if unknown."""
    try:
        return get_account(store, email).user()
    except (NotFoundError, ValidationError):
        return None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(store: Store, user: User, *, now: datetime | None = None) -> str:
    """A new login token for the browser's cookie (valid :data:`SESSION_DAYS` days)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with store.db.write() as conn:
        conn.execute(delete(schema.sessions).where(schema.sessions.c.expires_at < now.isoformat()))
        conn.execute(
            insert(schema.sessions).values(
                token_hash=_token_hash(token),
                username=user.username,
                created_at=now.isoformat(),
                expires_at=(now + timedelta(days=SESSION_DAYS)).isoformat(),
            )
        )
    return token


def user_from_session(store: Store, token: str | None, *, now: datetime | None = None) -> User | None:
    """The user a cookie token belongs to, if the session is still valid."""
    if not token or len(token) > 200:
        return None
    now = now or utcnow()
    query = (
        select(schema.users)
        .join(schema.sessions, schema.sessions.c.username == schema.users.c.username)
        .where(
            schema.sessions.c.token_hash == _token_hash(token),
            schema.sessions.c.expires_at > now.isoformat(),
            schema.users.c.deleted_at.is_(None),
        )
    )
    with store.db.read() as conn:
        row = conn.execute(query).mappings().first()
    return None if row is None else User(row["username"], Role(row["role"]), parse_wijken(row["wijken"]))


def end_session(store: Store, token: str | None) -> None:
    if not token:
        return
    with store.db.write() as conn:
        conn.execute(delete(schema.sessions).where(schema.sessions.c.token_hash == _token_hash(token)))
