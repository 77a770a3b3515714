"""Roles and permissions, local accounts with Argon2 hashes and lock-out, and login sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from abcd import accounts, schema
from abcd.errors import NotFoundError, ValidationError
from abcd.permissions import CLI_USER, PUBLIC_USER, Permission, PermissionDeniedError, Role, User, require
from abcd.records import utcnow
from abcd.store import Store

PASSWORD = "correct horse battery"


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (Role.PUBLIC, {Permission.VIEW_MAP}, {Permission.EDIT_ASSETS, Permission.VIEW_PEOPLE, Permission.VIEW_GAPS}),
        (
            Role.OFFICER,
            {Permission.VIEW_GAPS, Permission.VIEW_INVESTMENTS, Permission.EDIT_INVESTMENTS},
            {Permission.VIEW_PEOPLE, Permission.VIEW_CONTACT, Permission.EDIT_ASSETS, Permission.ERASE},
        ),
        (
            Role.BUILDER,
            {Permission.EDIT_ASSETS, Permission.VIEW_PEOPLE, Permission.VIEW_CONTACT, Permission.IMPORT},
            {Permission.MODERATE, Permission.MANAGE_USERS, Permission.ERASE, Permission.EXPORT_PERSONAL},
        ),
        (Role.COORDINATOR, set(Permission), set()),
    ],
)
def test_role_permissions(role: Role, allowed: set[Permission], refused: set[Permission]) -> None:
    user = User("x", role)
    assert all(user.can(p) for p in allowed)
    assert not any(user.can(p) for p in refused)


def test_wijk_bound_permissions_hold_only_in_the_users_wijken() -> None:
    ans = User("ans", Role.BUILDER, frozenset({"bospolder-tussendijken"}))
    assert ans.can(Permission.EDIT_ASSETS, "bospolder-tussendijken")
    assert not ans.can(Permission.EDIT_ASSETS, "wijk-charlois")
    assert not ans.can(Permission.VIEW_PEOPLE, "wijk-charlois")
    assert ans.can(Permission.VIEW_GAPS, "wijk-charlois")  # not bound to a wijk
    assert CLI_USER.can(Permission.ERASE, "anything")


def test_require_names_role_and_permission_in_both_languages() -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        require(PUBLIC_USER, Permission.ERASE)
    assert "publiek" in str(caught.value) and "persoonsgegevens wissen" in str(caught.value)
    assert "public" in caught.value.message("en") and "erase personal data" in caught.value.message("en")


def test_only_an_argon2_hash_is_stored(store: Store) -> None:
    accounts.add_user(store, "Ans", role="builder", password=PASSWORD, wijken="bospolder-tussendijken")
    with store.engine.connect() as conn:
        stored = conn.execute(select(schema.users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    user = accounts.authenticate(store, "  ANS ", PASSWORD)
    assert user == User("ans", Role.BUILDER, frozenset({"bospolder-tussendijken"}))


def test_wrong_password_and_unknown_name_get_the_same_message(store: Store) -> None:
    accounts.add_user(store, "ans", role="builder", password=PASSWORD)
    with pytest.raises(accounts.LoginError) as wrong:
        accounts.authenticate(store, "ans", "wrong password")
    with pytest.raises(accounts.LoginError) as unknown:
        accounts.authenticate(store, "bob", PASSWORD)
    assert str(wrong.value) == str(unknown.value) == "Naam of wachtwoord klopt niet."


def test_repeated_failures_lock_the_account_even_for_the_right_password(store: Store) -> None:
    accounts.add_user(store, "ans", role="builder", password=PASSWORD)
    now = utcnow()
    for attempt in range(1, accounts.MAX_FAILED + 1):
        with pytest.raises(accounts.LoginError) as caught:
            accounts.authenticate(store, "ans", f"guess {attempt}", now=now)
    assert caught.value.key == "error.login_locked"
    assert accounts.get_account(store, "ans").failed_attempts == accounts.MAX_FAILED
    with pytest.raises(accounts.LoginError, match="geblokkeerd"):
        accounts.authenticate(store, "ans", PASSWORD, now=now + timedelta(seconds=30))
    # After the lock the right password works and resets the counter.
    assert accounts.authenticate(store, "ans", PASSWORD, now=now + timedelta(minutes=2)).username == "ans"
    assert accounts.get_account(store, "ans").failed_attempts == 0


def test_locks_grow_with_further_failures_up_to_a_day() -> None:
    durations = [accounts.lock_duration(n) for n in range(4, 30)]
    assert durations[0] == timedelta(0)
    assert durations == sorted(durations)
    assert max(durations) == accounts.MAX_LOCK


def test_a_session_token_survives_a_reload_and_ends_on_logout(store: Store) -> None:
    accounts.add_user(store, "ans", role="builder", password=PASSWORD)
    user = accounts.authenticate(store, "ans", PASSWORD)
    token = accounts.start_session(store, user)
    with store.engine.connect() as conn:
        hashes = list(conn.execute(select(schema.sessions.c.token_hash)).scalars())
    assert token not in hashes and len(hashes) == 1
    assert accounts.user_from_session(store, token) == user
    assert accounts.user_from_session(store, token, now=utcnow() + timedelta(days=31)) is None
    assert accounts.user_from_session(store, "forged") is None
    accounts.end_session(store, token)
    assert accounts.user_from_session(store, token) is None


def test_changing_a_role_ends_open_sessions(store: Store) -> None:
    accounts.add_user(store, "ans", role="builder", password=PASSWORD)
    token = accounts.start_session(store, accounts.authenticate(store, "ans", PASSWORD))
    accounts.set_role(store, "ans", "officer")
    assert accounts.user_from_session(store, token) is None
    assert accounts.authenticate(store, "ans", PASSWORD).role is Role.OFFICER


def test_account_validation(store: Store) -> None:
    with pytest.raises(ValidationError, match="te kort"):
        accounts.add_user(store, "ans", role="builder", password="short")
    with pytest.raises(ValidationError, match="toegestaan"):
        accounts.add_user(store, "ans", role="king", password=PASSWORD)
    accounts.add_user(store, "ans", role="builder", password=PASSWORD)
    with pytest.raises(ValidationError, match="bestaat al"):
        accounts.add_user(store, "ANS", role="builder", password=PASSWORD)
    accounts.remove_user(store, "ans")
    with pytest.raises(NotFoundError):
        accounts.get_account(store, "ans")


def test_sso_accounts_have_no_password_and_map_to_a_role(store: Store) -> None:
    accounts.add_user(store, "ambtenaar@rotterdam.nl", role="officer", password=None)
    with pytest.raises(accounts.LoginError):
        accounts.authenticate(store, "ambtenaar@rotterdam.nl", "")
    assert accounts.sso_user(store, "Ambtenaar@Rotterdam.nl") == User("ambtenaar@rotterdam.nl", Role.OFFICER)
    assert accounts.sso_user(store, "onbekend@example.org") is None


def test_account_changes_are_versions_with_history_that_never_holds_a_hash(store: Store) -> None:
    accounts.add_user(store, "ans", role="builder", password=PASSWORD, wijken="bospolder-tussendijken", by="beheer")
    accounts.set_role(store, "ans", "officer", wijken="", by="beheer")
    accounts.set_password(store, "ans", "nog een lang wachtwoord", by="beheer")
    accounts.remove_user(store, "ans", by="beheer")
    history = accounts.account_history(store, "ans")
    assert [(e.version, e.action) for e in history] == [(1, "create"), (2, "update"), (3, "password"), (4, "delete")]
    assert [e.changed_fields() for e in history[1:]] == [["role", "wijken"], [], ["deleted"]]
    assert {e.changed_by for e in history} == {"beheer"}
    with store.engine.connect() as conn:
        stored = " ".join(str(v) for row in conn.exec_driver_sql("SELECT * FROM user_history") for v in row)
    assert "argon2" not in stored and "wachtwoord" not in stored


def test_a_removed_account_cannot_log_in_and_comes_back_when_added_again(store: Store) -> None:
    accounts.add_user(store, "ans", role="builder", password=PASSWORD)
    token = accounts.start_session(store, accounts.authenticate(store, "ans", PASSWORD))
    accounts.remove_user(store, "ans")
    assert accounts.user_from_session(store, token) is None
    with pytest.raises(accounts.LoginError):
        accounts.authenticate(store, "ans", PASSWORD)
    assert [a.username for a in accounts.list_accounts(store)] == []
    accounts.add_user(store, "ans", role="officer", password="een ander lang wachtwoord")
    assert accounts.authenticate(store, "ans", "een ander lang wachtwoord").role is Role.OFFICER
    assert [e.action for e in accounts.account_history(store, "ans")][-3:] == ["delete", "restore", "update"]


def test_a_stale_account_edit_is_refused(store: Store) -> None:
    from abcd.accounts import ACCOUNTS
    from abcd.errors import ConflictError
    from abcd.permissions import AccountFields

    accounts.add_user(store, "ans", role="builder", password=PASSWORD)
    before = accounts.get_account(store, "ans")
    accounts.set_role(store, "ans", "officer")
    with pytest.raises(ConflictError), store.db.write() as conn:
        ACCOUNTS.update(
            conn, before, AccountFields(role=Role.COORDINATOR), by="x", now=utcnow(), expected_version=before.version
        )
    assert accounts.get_account(store, "ans").role is Role.OFFICER


def test_failures_are_forgotten_a_while_after_the_last_one_for_every_name(store: Store) -> None:
    accounts.add_user(store, "ans", role="builder", password=PASSWORD)
    now = utcnow()
    later = now + accounts.FORGET_FAILURES + timedelta(seconds=1)
    for name in ("ans", "niemand"):
        for _attempt in range(accounts.MAX_FAILED - 1):
            with pytest.raises(accounts.LoginError):
                accounts.authenticate(store, name, "wrong password", now=now)
        # A month later the earlier failures no longer count: one more wrong guess does not lock.
        with pytest.raises(accounts.LoginError) as caught:
            accounts.authenticate(store, name, "wrong password", now=later)
        assert caught.value.key == "error.login_failed"
    assert accounts.get_account(store, "ans").failed_attempts == 1


def test_a_name_without_an_account_is_kept_only_as_a_salted_hash_and_not_for_ever(store: Store) -> None:
    import hashlib

    typed = "mijn-geheime-wachtwoord-in-het-naamveld"
    now = utcnow()
    with pytest.raises(accounts.LoginError):
        accounts.authenticate(store, typed, "x", now=now)
    with store.engine.connect() as conn:
        rows = conn.execute(select(schema.login_throttle)).mappings().all()
        dump = "\n".join(conn.connection.driver_connection.iterdump())  # type: ignore[union-attr]
    assert typed not in dump and "geheim" not in dump
    assert len(rows) == 1 and rows[0]["failed_attempts"] == 1
    assert rows[0]["name_key"] != hashlib.sha256(typed.encode()).hexdigest()  # salted: no lookup table helps
    # Once forgotten, the row goes at the next attempt of any name.
    with pytest.raises(accounts.LoginError):
        accounts.authenticate(store, "iemand anders", "x", now=now + accounts.FORGET_FAILURES + timedelta(seconds=1))
    with store.engine.connect() as conn:
        assert conn.execute(select(schema.login_throttle.c.failed_attempts)).scalars().all() == [1]


def test_new_user_names_hold_printable_characters_only(store: Store) -> None:
    for name in ("ans\x1b[2J", "ans\x00", "\u202enimda", "an\u200bs", "ans\u2066x"):
        with pytest.raises(ValidationError) as caught:
            accounts.add_user(store, name, role="builder", password=None)
        assert caught.value.key == "error.control_chars"
    assert accounts.list_accounts(store) == []
    accounts.add_user(store, "Zoë de Vries-Öztürk", role="builder", password=None)
    assert [a.username for a in accounts.list_accounts(store)] == ["zoë de vries-öztürk"]


def test_a_login_that_waits_too_long_for_a_password_check_is_told_to_try_again(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts.add_user(store, "ans", role="builder", password=PASSWORD)
    monkeypatch.setattr(accounts, "ARGON2_WAIT_S", 0.05)
    taken = [accounts._argon2_slots.acquire(timeout=5) for _ in range(accounts.ARGON2_AT_ONCE)]  # all checks busy
    try:
        with pytest.raises(accounts.LoginError) as caught:
            accounts.authenticate(store, "ans", PASSWORD)
    finally:
        for _ in taken:
            accounts._argon2_slots.release()
    assert caught.value.key == "error.login_busy"
    assert accounts.authenticate(store, "ans", PASSWORD).username == "ans"  # and then it works
