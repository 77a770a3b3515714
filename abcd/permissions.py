"""Roles, permissions and the accounts that hold them, checked in the library, not only in the pages.

Four roles (Dutch practice in brackets):

- ``public`` (no login): the read-only map without personal data;
- ``officer`` (gemeente): the gap map, investments, people as counts only;
- ``builder`` (buurtwerker, opbouwwerker): adds and edits assets and sees
  people's gifts in the wijken assigned to them, and records walks there (the
  tracks are seen by builders and coordinators only);
- ``coordinator``: everything, including moderation, accounts and erasure.

Every use case calls :func:`require` before it acts, so hiding a button is
never the only protection. The command line acts as the local administrator
(:data:`CLI_USER`, a coordinator). An :class:`Account` is the stored, versioned
record of a login (:mod:`abcd.accounts` checks passwords and keeps sessions).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from abcd.errors import AbcdError
from abcd.i18n import Term
from abcd.records import Versioned, declared, record


class Role(StrEnum):
    PUBLIC = "public"
    OFFICER = "officer"
    BUILDER = "builder"
    COORDINATOR = "coordinator"


class Permission(StrEnum):
    VIEW_MAP = "view_map"
    VIEW_PEOPLE = "view_people"  # names and gifts of residents (category person)
    VIEW_CONTACT = "view_contact"
    VIEW_PENDING = "view_pending"  # assets awaiting approval
    EDIT_ASSETS = "edit_assets"
    VIEW_GAPS = "view_gaps"
    VIEW_INVESTMENTS = "view_investments"
    EDIT_INVESTMENTS = "edit_investments"
    IMPORT = "import"
    EXPORT_PERSONAL = "export_personal"
    MODERATE = "moderate"
    MANAGE_USERS = "manage_users"
    ERASE = "erase"
    MANAGE_THEMES = "manage_themes"  # declare a wijk's own initiative themes
    SAVE_PLANS = "save_plans"  # record an effort plan (abcd.effort)
    RECORD_WALKS = "record_walks"  # record or import one's own walk (abcd.walks)
    VIEW_WALKS = "view_walks"  # see walkers' tracks (personal data); per-street dates need only VIEW_GAPS


_PUBLIC = {Permission.VIEW_MAP}
_OFFICER = _PUBLIC | {
    Permission.VIEW_GAPS,
    Permission.VIEW_INVESTMENTS,
    Permission.EDIT_INVESTMENTS,
    Permission.SAVE_PLANS,
}
_BUILDER = _PUBLIC | {
    Permission.VIEW_PEOPLE,
    Permission.VIEW_CONTACT,
    Permission.VIEW_PENDING,
    Permission.EDIT_ASSETS,
    Permission.VIEW_GAPS,
    Permission.VIEW_INVESTMENTS,
    Permission.IMPORT,
    Permission.RECORD_WALKS,
    Permission.VIEW_WALKS,
}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PUBLIC: frozenset(_PUBLIC),
    Role.OFFICER: frozenset(_OFFICER),
    Role.BUILDER: frozenset(_BUILDER),
    Role.COORDINATOR: frozenset(Permission),
}
# Permissions that only hold inside the user's own wijken (when they have a list).
_WIJK_BOUND = frozenset(
    {
        Permission.VIEW_PEOPLE,
        Permission.VIEW_CONTACT,
        Permission.VIEW_PENDING,
        Permission.EDIT_ASSETS,
        Permission.IMPORT,
        Permission.RECORD_WALKS,
        Permission.VIEW_WALKS,
    }
)


class PermissionDeniedError(AbcdError):
    """The user's role does not allow this action."""


@dataclass(frozen=True, slots=True)
class User:
    """Who is acting: a name for the history, a role, and optionally the wijken they work in."""

    username: str
    role: Role
    wijken: frozenset[str] = field(default_factory=frozenset)  # empty: every wijk

    def can(self, permission: Permission, wijk: str | None = None) -> bool:
        """Whether this user may do ``permission`` (in ``wijk``, for wijk-bound permissions)."""
        return self.can_in(permission, () if wijk is None else (wijk,), anywhere=wijk is None)

    def can_in(self, permission: Permission, areas: Iterable[str], *, anywhere: bool = False) -> bool:
        """Whether this user may do ``permission`` to something that lies in ``areas``.

        A user limited to some wijken may act on what lies in one of them
        (an asset belongs to every area its location lies in, so a builder of
        Bospolder-Tussendijken may edit what lies in BoTu, seen from any level).
        ``anywhere`` asks about the permission as such, not about one place.
        """
        if permission not in ROLE_PERMISSIONS[self.role]:
            return False
        if permission in _WIJK_BOUND and self.wijken and self.role is not Role.COORDINATOR and not anywhere:
            return not self.wijken.isdisjoint(areas)
        return True

    @property
    def is_anonymous(self) -> bool:
        return self.role is Role.PUBLIC


PUBLIC_USER = User("publiek", Role.PUBLIC)
CLI_USER = User("cli", Role.COORDINATOR)


def require(user: User, permission: Permission, *, wijk: str | None = None, areas: Iterable[str] | None = None) -> None:
    """Raise :class:`PermissionDeniedError` unless ``user`` may do ``permission`` (in ``wijk``, or in ``areas``).

    >>> require(User("ans", Role.BUILDER), Permission.EDIT_ASSETS)
    >>> require(PUBLIC_USER, Permission.EDIT_ASSETS)
    Traceback (most recent call last):
    ...
    abcd.permissions.PermissionDeniedError: Je hebt hiervoor geen rechten (rol: publiek; nodig: assets bewerken).
    """
    allowed = user.can(permission, wijk) if areas is None else user.can_in(permission, areas)
    if not allowed:
        raise PermissionDeniedError(
            "error.forbidden",
            role=Term(f"role_name.{user.role.value}"),
            permission=Term(f"permission.{permission.value}"),
        )


def parse_wijken(value: str | Iterable[str] | None) -> frozenset[str]:
    """Wijk slugs from a comma-separated text or a collection; blanks dropped."""
    if value is None:
        return frozenset()
    items = value.split(",") if isinstance(value, str) else value
    return frozenset(s.strip() for s in items if s and s.strip())


@record
class AccountFields:
    """What an account holds, declared once (see :mod:`abcd.records`).

    The password hash and the login counters are kept out of the history:
    a hash is a credential, and counters change with every failed guess.
    """

    role: Role = declared(max_length=20)
    wijken: frozenset[str] = declared(default=frozenset(), long_text=True)  # empty: every wijk
    password_hash: str | None = declared(default=None, max_length=300, history=False, interchange=False, repr=False)
    failed_attempts: int = declared(default=0, history=False, writable=False, interchange=False)
    locked_until: datetime | None = declared(default=None, history=False, writable=False, interchange=False)
    last_login_at: datetime | None = declared(default=None, history=False, writable=False, interchange=False)


@record
class Account(Versioned, AccountFields):
    """A stored account: who may log in, with which role, in which wijken."""

    username: str

    @property
    def sso_only(self) -> bool:
        """Logs in through single sign-on only (no password of its own)."""
        return self.password_hash is None

    def user(self) -> User:
        return User(self.username, self.role, self.wijken)
