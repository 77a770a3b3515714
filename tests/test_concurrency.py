"""Parallel users on SQLite and PostgreSQL: log-in guesses, the last coordinator, the same new ids imported twice.

Every test runs on a fresh SQLite file and on a throw-away PostgreSQL server
(``tests/postgres_support.py``). Threads start together at a barrier; where a
test needs the worst interleaving it waits for a condition in the database,
never for a fixed time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from abcd import accounts, schema
from abcd.errors import ConflictError, ValidationError
from abcd.permissions import Role, User
from abcd.records import utcnow
from abcd.store import Store
from abcd.versioned import RecordKind
from abcd.wijken import Wijk
from tests.helpers import make_draft
from tests.postgres_support import temporary_postgres

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with temporary_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path, botu: Wijk) -> Iterator[Store]:
    """An empty store with BoTu, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        store = Store.open(f"sqlite:///{tmp_path}/abcd.db")
    else:
        store = Store.open(request.getfixturevalue("pg_url"))
        with store.engine.begin() as conn:  # a clean slate per test, schema kept
            tables = ", ".join(table.name for table in schema.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {tables} CASCADE"))
    store.save_wijk(botu.record())
    yield store
    store.close()


def in_parallel(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(0..n-1)`` in ``n`` threads started together; each result or the exception it raised."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    return results


def wait_until(condition: Callable[[], bool], *, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


class Argon2Checks:
    """Counts Argon2 verifications and the most that ran at the same time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls = 0
        self.running = 0
        self.most = 0
        self.before: Callable[[str], None] | None = None


@pytest.fixture
def argon2_checks(monkeypatch: pytest.MonkeyPatch) -> Argon2Checks:
    checks = Argon2Checks()
    original = PasswordHasher.verify

    def verify(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        with checks.lock:
            checks.calls += 1
            checks.running += 1
            checks.most = max(checks.most, checks.running)
        try:
            if checks.before is not None:
                checks.before(str(password))
            return original(self, hash, password)
        finally:
            with checks.lock:
                checks.running -= 1

    monkeypatch.setattr(PasswordHasher, "verify", verify)
    return checks


def failures(store: Store, username: str) -> int:
    return accounts.get_account(store, username).failed_attempts


# ------------------------------------------------------------------ log-in
def test_12_parallel_logins_with_one_right_password_stay_locked(any_store: Store, argon2_checks: Argon2Checks) -> None:
    """11 wrong guesses and the right password at once: at most MAX_FAILED are checked, and nobody gets in."""
    accounts.add_user(any_store, "ans", role="builder", password=PASSWORD)
    right = 7

    def checked_last(password: str) -> None:
        # The worst case the review measured: the right password's check ends after every guess arrived.
        if password == PASSWORD:
            wait_until(lambda: failures(any_store, "ans") >= accounts.MAX_FAILED)

    argon2_checks.before = checked_last
    results = in_parallel(
        12, lambda i: accounts.authenticate(any_store, "ans", PASSWORD if i == right else f"guess {i}")
    )
    assert [r for r in results if isinstance(r, User)] == []
    assert all(isinstance(r, accounts.LoginError) for r in results), results
    account = accounts.get_account(any_store, "ans")
    assert account.failed_attempts == 12  # every attempt counted
    assert argon2_checks.calls == accounts.MAX_FAILED  # no more checked than the limit
    assert account.locked_until is not None and account.locked_until > utcnow()
    assert argon2_checks.most <= accounts.ARGON2_AT_ONCE
    # The guesses beyond the limit were refused as locked without a password check.
    assert sum(r.key == "error.login_locked" for r in results) >= 12 - accounts.MAX_FAILED


def test_32_parallel_guesses_get_at_most_max_failed_password_checks(
    any_store: Store, argon2_checks: Argon2Checks
) -> None:
    accounts.add_user(any_store, "ans", role="builder", password=PASSWORD)
    results = in_parallel(32, lambda i: accounts.authenticate(any_store, "ans", f"guess {i}"))
    assert all(isinstance(r, accounts.LoginError) for r in results), results
    assert argon2_checks.calls == accounts.MAX_FAILED
    assert failures(any_store, "ans") == 32
    assert argon2_checks.most <= accounts.ARGON2_AT_ONCE


def test_the_right_password_still_logs_in_on_the_last_allowed_attempt(any_store: Store) -> None:
    accounts.add_user(any_store, "ans", role="builder", password=PASSWORD)
    now = utcnow()
    for attempt in range(accounts.MAX_FAILED - 1):
        with pytest.raises(accounts.LoginError):
            accounts.authenticate(any_store, "ans", f"guess {attempt}", now=now)
    assert accounts.authenticate(any_store, "ans", PASSWORD, now=now).username == "ans"
    assert failures(any_store, "ans") == 0


def _trail(store: Store, checks: Argon2Checks, name: str) -> list[tuple[str, str, int]]:
    """What each of a series of wrong guesses for ``name`` answers, and how many password checks it cost."""
    start = utcnow()
    moments = [start + timedelta(seconds=s) for s in (0, 1, 2, 3, 4, 30, 65, 66, 100, 190)]
    seen = []
    for moment in moments:
        before = checks.calls
        with pytest.raises(accounts.LoginError) as caught:
            accounts.authenticate(store, name, "a wrong guess", now=moment)
        seen.append((caught.value.key, caught.value.message("nl"), checks.calls - before))
    return seen


def test_an_unknown_name_answers_exactly_like_an_existing_one(any_store: Store, argon2_checks: Argon2Checks) -> None:
    """Same messages, same lock-out (minutes included) and one password check per allowed attempt for every name."""
    accounts.add_user(any_store, "ans", role="builder", password=PASSWORD)
    accounts.add_user(any_store, "oud", role="builder", password=PASSWORD)
    accounts.remove_user(any_store, "oud")
    accounts.add_user(any_store, "ambtenaar@rotterdam.nl", role="officer", password=None)
    existing = _trail(any_store, argon2_checks, "ans")
    assert [key for key, _, _ in existing] == ["error.login_failed"] * 4 + ["error.login_locked"] * 6
    assert [cost for _, _, cost in existing] == [1, 1, 1, 1, 1, 0, 1, 0, 0, 0]
    for name in ("onbekend", "oud", "ambtenaar@rotterdam.nl", "ONBEKEND-2 "):
        assert _trail(any_store, argon2_checks, name) == existing, name
    # No account row was made up for a name that has none.
    assert [a.username for a in accounts.list_accounts(any_store)] == ["ambtenaar@rotterdam.nl", "ans"]


def test_parallel_guesses_for_an_unknown_name_are_limited_too(any_store: Store, argon2_checks: Argon2Checks) -> None:
    results = in_parallel(12, lambda i: accounts.authenticate(any_store, "niemand", f"guess {i}"))
    assert all(isinstance(r, accounts.LoginError) for r in results), results
    assert argon2_checks.calls == accounts.MAX_FAILED
    assert sum(r.key == "error.login_locked" for r in results) == 12 - accounts.MAX_FAILED + 1


@pytest.mark.parametrize("name", ["ans\x00", "\x00", "ans\x1b[31m", "\u202eans", "a\x7fb"])
def test_control_characters_in_a_login_name_are_refused_before_any_query(any_store: Store, name: str) -> None:
    accounts.add_user(any_store, "ans", role="builder", password=PASSWORD)
    with pytest.raises(accounts.LoginError) as caught:
        accounts.authenticate(any_store, name, PASSWORD)
    assert caught.value.key == "error.login_failed"


# --------------------------------------------------------- last coordinator
def test_two_coordinators_demoting_each_other_leave_one(any_store: Store) -> None:
    names = ("anna", "bert")
    for name in names:
        accounts.add_user(any_store, name, role="coordinator", password=None)
    for _round in range(20):
        results = in_parallel(2, lambda i: accounts.set_role(any_store, names[1 - i], "builder", by=names[i]))
        coordinators = [a.username for a in accounts.list_accounts(any_store) if a.role is Role.COORDINATOR]
        assert len(coordinators) == 1, (coordinators, results)
        refused = [r for r in results if isinstance(r, Exception)]
        assert len(refused) == 1 and isinstance(refused[0], ValidationError), results
        assert refused[0].key == "error.last_coordinator"
        demoted = next(n for n in names if n not in coordinators)
        accounts.set_role(any_store, demoted, "coordinator")


def test_two_coordinators_removing_each_other_leave_one(any_store: Store) -> None:
    names = ("anna", "bert")
    for _round in range(5):
        live = {a.username for a in accounts.list_accounts(any_store)}
        for name in names:
            if name not in live:
                accounts.add_user(any_store, name, role="coordinator", password=None)  # back, as coordinator
        results = in_parallel(2, lambda i: accounts.remove_user(any_store, names[1 - i], by=names[i]))
        coordinators = [a.username for a in accounts.list_accounts(any_store) if a.role is Role.COORDINATOR]
        assert len(coordinators) == 1, (coordinators, results)


# ------------------------------------------------------------ duplicate ids
def test_two_parallel_imports_of_the_same_new_ids_end_clearly(
    any_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both imports read "new" before either writes (the race); one lands, the other says why it stored nothing."""
    drafts = [make_draft(name=f"Plek {n}", id=f"00000000-0000-4000-8000-00000000000{n}") for n in range(3)]
    if any_store.engine.dialect.name == "postgresql":
        # Both transactions have looked the ids up before either inserts them.
        both_read = threading.Barrier(2)
        waited: set[int] = set()
        original = RecordKind.get_many

        def get_many(self: RecordKind[Any], conn: Any, keys: Any) -> Any:
            found = original(self, conn, keys)
            if self.table is schema.assets and threading.get_ident() not in waited:
                waited.add(threading.get_ident())  # the look-up before writing, not a later one
                both_read.wait(timeout=30)
            return found

        monkeypatch.setattr(RecordKind, "get_many", get_many)
    results = in_parallel(2, lambda i: any_store.upsert_many(drafts, by=f"import {i}"))
    assert any_store.count_assets() == 3
    landed = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert [len(created) for created, _ in landed].count(3) == 1, results
    for exc in refused:
        assert isinstance(exc, ConflictError), repr(exc)
        assert exc.key == "error.id_taken" and "Import again" in exc.message("en")
    if any_store.engine.dialect.name == "postgresql":
        assert len(refused) == 1


def test_two_parallel_additions_of_the_same_account_end_clearly(any_store: Store) -> None:
    for name in (f"nieuw-{n}" for n in range(5)):
        results = in_parallel(
            2, lambda _i, name=name: accounts.add_user(any_store, name, role="builder", password=None)
        )
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1 and getattr(errors[0], "key", None) == "error.user_exists", results
