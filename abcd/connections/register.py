"""Connections stored beside the assets, and what a user may do with them.

Connections are versioned records (:mod:`abcd.records`) in the same
transactions as assets: adding one checks, inside the writing transaction,
that both assets are live and that the same tie does not exist yet; removing
one is a soft delete with history. Erasing an asset for good (a resident's
erasure, removing the examples) erases its connections and their history with
it (the database's ``ON DELETE CASCADE``).

A resident's connections are personal data. :func:`link`, :func:`unlink` and
:func:`visible_connections` check the user first: someone who may not see
residents (:data:`~abcd.permissions.Permission.VIEW_PEOPLE`) never gets a
connection with a resident at either end, only counts
(:func:`resident_counts`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection as SqlConnection
from sqlalchemy import or_, select

from abcd import schema
from abcd.connections.model import Connection, ConnectionDraft, ConnectionKind, validate_connection
from abcd.errors import ConflictError, NotFoundError, ValidationError
from abcd.model import Asset, Category, new_asset_id
from abcd.permissions import Permission, User, require
from abcd.records import HistoryEntry, utcnow
from abcd.store import ASSETS, Store
from abcd.versioned import Messages, RecordKind

CONNECTIONS: RecordKind[Connection] = RecordKind(
    Connection,
    schema.connections,
    schema.connection_history,
    history_key="connection_id",
    name_of=lambda item: f"{item.kind.value} {item.from_id[:8]}-{item.to_id[:8]}",
    messages=Messages("error.connection_not_found", "error.connection_deleted", "error.connection_not_deleted"),
)
"""How connections are stored: the one versioned-record mechanism, for connections."""


class Register:
    """The stored connections: add, remove, restore, list and their history.

    >>> Register(Store.open("sqlite://")).list_connections()
    []
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    def add_many(self, drafts: Sequence[ConnectionDraft], *, by: str) -> list[Connection]:
        """Store new connections in ONE transaction: all of them, or none (a tie that exists is refused)."""
        now = utcnow()
        with self.db.write() as conn:
            _check_live(conn, {i for d in drafts for i in (d.from_id, d.to_id)})
            existing = {_tie(c) for c in _live_between(conn, {d.from_id for d in drafts} | {d.to_id for d in drafts})}
            seen: set[tuple[str, str, str]] = set()
            for draft in drafts:
                if _tie(draft) in existing or _tie(draft) in seen:
                    raise ConflictError("error.connection_exists", kind=draft.kind.value)
                seen.add(_tie(draft))
            created = [CONNECTIONS.new(d, d.id or new_asset_id(), by=by, now=now) for d in drafts]
            CONNECTIONS.insert(conn, created, by=by, now=now)
        return created

    def delete(self, connection_id: str, *, by: str) -> Connection:
        """Remove a connection (soft: it stays in history and can be restored)."""
        with self.db.write() as conn:
            return CONNECTIONS.set_deleted(
                conn, connection_id, deleted=True, by=by, now=utcnow(), expected_version=None
            )

    def restore(self, connection_id: str, *, by: str) -> Connection:
        """Undo a removal."""
        with self.db.write() as conn:
            current = CONNECTIONS.get(conn, connection_id)
            if _tie(current) in {_tie(c) for c in _live_between(conn, {current.from_id, current.to_id})}:
                raise ConflictError("error.connection_exists", kind=current.kind.value)
            return CONNECTIONS.set_deleted(
                conn, connection_id, deleted=False, by=by, now=utcnow(), expected_version=None
            )

    def get(self, connection_id: str) -> Connection:
        with self.db.read() as conn:
            return CONNECTIONS.get(conn, connection_id)

    def list_connections(self, asset_ids: Iterable[str] | None = None) -> list[Connection]:
        """Live connections (touching one of ``asset_ids``, when given), oldest first."""
        with self.db.read() as conn:
            if asset_ids is None:
                table = schema.connections
                rows = conn.execute(
                    select(table).where(table.c.deleted_at.is_(None)).order_by(table.c.created_at, table.c.id)
                ).mappings()
                return [CONNECTIONS.from_row(r) for r in rows]
            return _live_between(conn, set(asset_ids))

    def history(self, connection_id: str) -> list[HistoryEntry]:
        with self.db.read() as conn:
            return CONNECTIONS.entries(conn, connection_id)

    def data_version(self) -> str:
        with self.db.read() as conn:
            return CONNECTIONS.data_version(conn)


def _tie(item: ConnectionDraft | Connection) -> tuple[str, str, str]:
    return (item.from_id, item.to_id, item.kind.value)


def _live_between(conn: SqlConnection, ids: set[str]) -> list[Connection]:
    table = schema.connections
    found: dict[str, Connection] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), 400):  # stay under SQLite's bound-parameter limit (two lists per query)
        chunk = wanted[start : start + 400]
        rows = conn.execute(
            select(table).where(table.c.deleted_at.is_(None), or_(table.c.from_id.in_(chunk), table.c.to_id.in_(chunk)))
        ).mappings()
        found.update((r["id"], CONNECTIONS.from_row(r)) for r in rows)
    return sorted(found.values(), key=lambda c: (c.created_at, c.id))


def _check_live(conn: SqlConnection, ids: set[str]) -> None:
    """Both ends of every new connection are live assets (checked in the writing transaction)."""
    live = {key for key, asset in ASSETS.get_many(conn, ids).items() if not asset.is_deleted}
    missing = sorted(ids - live)
    if missing:
        raise ValidationError("error.linked_not_found", value=missing[0])


# ---------------------------------------------------------------- use cases
def _require_on(store: Store, user: User, assets: Sequence[Asset], permission: Permission) -> None:
    """``user`` may do ``permission`` where each asset lies; a resident at either end needs the right to see people."""
    areas = store.areas_of([a.id for a in assets])
    for asset in assets:
        require(user, permission, areas=sorted(areas[asset.id]))
        if asset.is_person:
            require(user, Permission.VIEW_PEOPLE, areas=sorted(areas[asset.id]))


def link(store: Store, raw: Mapping[str, Any], *, user: User) -> Connection:
    """Connect two live assets (``from_id``, ``to_id``, ``kind``, ``note``); builders in the wijken of both ends."""
    require(user, Permission.EDIT_ASSETS)
    ends = _live_assets(store, [raw.get("from_id"), raw.get("to_id")])
    draft = validate_connection(raw, {a.id: a.category for a in ends.values()})
    _require_on(store, user, [ends[draft.from_id], ends[draft.to_id]], Permission.EDIT_ASSETS)
    (created,) = Register(store).add_many([draft], by=user.username)
    return created


def unlink(store: Store, connection_id: str, *, user: User) -> Connection:
    """Remove a connection (soft, with history); the same rights as adding it."""
    register = Register(store)
    current = register.get(connection_id)
    ends = store.assets_by_id([current.from_id, current.to_id])
    _require_on(store, user, list(ends.values()), Permission.EDIT_ASSETS)
    return register.delete(connection_id, by=user.username)


def _live_assets(store: Store, ids: Iterable[Any]) -> dict[str, Asset]:
    wanted = sorted({str(i).strip() for i in ids if i is not None and str(i).strip()})
    return {k: a for k, a in store.assets_by_id(wanted).items() if not a.is_deleted}


def visible_connections(store: Store, assets: Sequence[Asset], *, user: User) -> list[Connection]:
    """The live connections between ``assets`` (those a page shows) that ``user`` may see.

    Both ends must be among ``assets`` (a view never points at something it
    does not show), and without the right to see people in the wijk no
    connection with a resident at either end is returned.
    """
    shown = {a.id: a for a in assets if not a.is_deleted}
    found = Register(store).list_connections(shown)
    out = [c for c in found if c.from_id in shown and c.to_id in shown]
    people = {i for i, a in shown.items() if a.is_person}
    if people and not _sees_people(store, user, people):
        out = [c for c in out if c.from_id not in people and c.to_id not in people]
    return out


def _sees_people(store: Store, user: User, people: set[str]) -> bool:
    areas = store.areas_of(people)
    return all(any(user.can(Permission.VIEW_PEOPLE, a) for a in areas[p]) for p in people)


def resident_counts(store: Store, assets: Sequence[Asset]) -> dict[str, Counter[ConnectionKind]]:
    """Per asset, how many residents are connected to it, by kind: what public and officer views may show.

    The residents themselves (who, where) never leave this function.
    """
    shown = {a.id for a in assets if not a.is_deleted}
    people = {a.id for a in store.list_assets(category=Category.PERSON)}
    counts: dict[str, Counter[ConnectionKind]] = {}
    for c in Register(store).list_connections(people):
        if c.from_id in people and c.to_id in shown and c.to_id not in people:
            counts.setdefault(c.to_id, Counter())[c.kind] += 1
        elif c.to_id in people and c.from_id in shown and c.from_id not in people:
            counts.setdefault(c.from_id, Counter())[c.kind] += 1
    return counts


def connections_frame(connections: Sequence[Connection]) -> pd.DataFrame:
    """Connections as a frame (``id``, ``from_id``, ``to_id``, ``kind``, ``note``) for the network and the map."""
    return pd.DataFrame(
        {
            "id": [c.id for c in connections],
            "from_id": [c.from_id for c in connections],
            "to_id": [c.to_id for c in connections],
            "kind": [c.kind.value for c in connections],
            "note": [c.note for c in connections],
        }
    )


def find_connection(store: Store, from_id: str, to_id: str, kind: str | None = None) -> Connection:
    """The live connection from ``from_id`` to ``to_id`` (of ``kind``); the one a user means by naming the ends."""
    found = [
        c
        for c in Register(store).list_connections({from_id, to_id})
        if {c.from_id, c.to_id} == {from_id, to_id} and (kind is None or c.kind.value == kind)
    ]
    if len(found) != 1:
        key = "error.connection_not_found" if not found else "error.connection_ambiguous"
        raise NotFoundError(key, value=f"{from_id} {to_id}")
    return found[0]


__all__ = [
    "CONNECTIONS",
    "Register",
    "connections_frame",
    "find_connection",
    "link",
    "resident_counts",
    "unlink",
    "visible_connections",
]
