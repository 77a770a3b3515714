"""Local accounts, password checks with lock-out, and login sessions that survive a reload.

Passwords are hashed with Argon2id (argon2-cffi); only the hash is stored.
After :data:`MAX_FAILED` wrong passwords in a row an account is locked for a
while, doubling with every further failure, up to a day: guessing stays slow
even across server restarts, because the counter lives in the database.

A login session is a random token kept by the browser in a cookie; the
database keeps only its SHA-256, so a copy of the database cannot be used to
log in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from typing import NoReturn

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, delete, insert, select, update

from abcd import schema
from abcd.errors import AbcdError, NotFoundError, ValidationError
from abcd.i18n import Term
from abcd.permissions import CLI_USER, Account, AccountFields, Role, User, parse_wijken
from abcd.records import HistoryEntry, utcnow
from abcd.store import Store
from abcd.versioned import Messages, RecordKind

MAX_FAILED = 5
BASE_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(days=1)
SESSION_DAYS = 30
MIN_PASSWORD = 10
USERNAME_MAX = 200

_hasher = PasswordHasher()  # Argon2id with the library's current defaults


class LoginError(AbcdError):
    """Wrong name or password, or a locked account (the message does not say which name exists)."""


ACCOUNTS: RecordKind[Account] = RecordKind(
    Account,
    schema.users,
    schema.user_history,
    history_key="username",
    name_of=lambda account: account.username,
    key="username",
    messages=Messages("error.user_not_found", "error.user_not_found", "error.user_not_found"),
)
"""How accounts are stored: the one versioned-record mechanism, for accounts."""


def _clean_username(username: str) -> str:
    name = " ".join(str(username).split()).lower()
    if not name:
        raise ValidationError("error.blank", field=Term("field.username"))
    if len(name) > USERNAME_MAX:
        raise ValidationError("error.too_long", field=Term("field.username"), length=len(name), max=USERNAME_MAX)
    return name


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
    name = _clean_username(username)
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
    return _hasher.hash(password)


# Login counters a password change or a restored account starts again from.
_UNLOCKED = {"failed_attempts": 0, "locked_until": None}


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
    """Refuse to remove or demote the last coordinator: nobody could manage accounts or erase data any more."""
    coordinators = set(
        conn.execute(
            select(schema.users.c.username).where(
                schema.users.c.role == Role.COORDINATOR.value, schema.users.c.deleted_at.is_(None)
            )
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

    The same message for an unknown name and a wrong password; a locked
    account is refused even with the right password until the lock ends.
    """
    now = now or utcnow()
    try:
        name = _clean_username(username)
    except ValidationError:
        raise LoginError("error.login_failed") from None
    with store.db.read() as conn:
        row = (
            conn.execute(
                select(schema.users).where(schema.users.c.username == name, schema.users.c.deleted_at.is_(None))
            )
            .mappings()
            .first()
        )
    if row is None or row["password_hash"] is None:
        _hasher.hash(password)  # spend the same time as a real check
        raise LoginError("error.login_failed")
    locked_until = datetime.fromisoformat(row["locked_until"]) if row["locked_until"] else None
    if locked_until and locked_until > now:
        minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
        raise LoginError("error.login_locked", n=minutes)
    # The slow Argon2 check runs outside any write transaction, so a stream of
    # guesses never holds the database's write lock.
    try:
        _hasher.verify(row["password_hash"], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        _count_failure(store, name, now)
    values: dict[str, object] = {"failed_attempts": 0, "locked_until": None, "last_login_at": now.isoformat()}
    if _hasher.check_needs_rehash(row["password_hash"]):
        values["password_hash"] = _hasher.hash(password)
    with store.db.write() as conn:
        conn.execute(update(schema.users).where(schema.users.c.username == name).values(**values))
    return User(name, Role(row["role"]), parse_wijken(row["wijken"]))


def _count_failure(store: Store, name: str, now: datetime) -> NoReturn:
    """Add one failure in the database itself (parallel guesses each count) and lock when due; always raises."""
    with store.db.write() as conn:
        conn.execute(
            update(schema.users)
            .where(schema.users.c.username == name)
            .values(failed_attempts=schema.users.c.failed_attempts + 1)
        )
        failed = int(
            conn.execute(select(schema.users.c.failed_attempts).where(schema.users.c.username == name)).scalar_one()
        )
        lock = lock_duration(failed)
        if lock:
            until = (now + lock).isoformat()
            conn.execute(update(schema.users).where(schema.users.c.username == name).values(locked_until=until))
    if lock:
        raise LoginError("error.login_locked", n=max(1, int(lock.total_seconds() // 60)))
    raise LoginError("error.login_failed")


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
