"""Imports as batches: every import has an id, can be listed, and can be undone.

An import that turned out wrong (the wrong file, the wrong column mapping, a
KoboToolbox export of a test form) must be reversible without hand work. The
batch is written in the same transaction as the assets it adds and changes
(:meth:`abcd.store.Store.upsert_many` with ``batch=``), so it names exactly
those assets and the version each was left at. Undoing soft-deletes what the
batch added and puts back, as a new version, what it changed; both stay in
the history. An asset someone changed after the import is not touched: the
undo is refused as a whole and names those assets, because undoing would lose
their work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, RowMapping, insert, select, update

from abcd import schema
from abcd.db import insert_rows
from abcd.errors import AbcdError, ConflictError, NotFoundError, first_shown
from abcd.model import Asset
from abcd.records import iso_utc

KINDS = ("file", "kobo", "odk", "osm")
"""What an import read: an asset file, a KoboToolbox or ODK export, an OpenStreetMap extract."""

_LATER_SHOWN = 10  # assets named in a refused undo; the count says how many there are


@dataclass(frozen=True, slots=True)
class NewBatch:
    """What the caller of an import knows about it before storing: its kind, the file's name, its rows."""

    kind: str
    source: str
    rows: int

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            msg = f"unknown import kind {self.kind!r}"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class Batch:
    """One stored import."""

    id: int
    kind: str
    source: str
    rows: int
    created: int
    updated: int
    imported_by: str
    imported_at: datetime
    undone_by: str | None = None
    undone_at: datetime | None = None

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


@dataclass(frozen=True, slots=True)
class Undone:
    """What undoing a batch did: the assets it removed (added by the batch) and put back (changed by it)."""

    batch: Batch
    removed: int
    restored: int


def record(
    conn: Connection, batch: NewBatch, created: Sequence[Asset], updated: Sequence[Asset], *, by: str, now: datetime
) -> int:
    """Store ``batch`` with the assets the import added and changed; returns its id (in the caller's transaction)."""
    values = {
        "kind": batch.kind,
        "source": batch.source[:300],
        "rows": batch.rows,
        "created": len(created),
        "updated": len(updated),
        "imported_by": by,
        "imported_at": iso_utc(now),
    }
    inserted = insert(schema.import_batches).values(**values).returning(schema.import_batches.c.id)
    batch_id = int(conn.execute(inserted).scalar_one())
    items = [
        *((batch_id, a.id, "create", a.version) for a in created),
        *((batch_id, a.id, "update", a.version) for a in updated),
    ]
    insert_rows(conn, schema.import_batch_assets, ["batch_id", "asset_id", "action", "version"], items)  # bulk
    return batch_id


def last_versions(conn: Connection, asset_ids: Iterable[str]) -> dict[str, int]:
    """The version the latest live (not undone) import left each of ``asset_ids`` at, where one did.

    A re-imported KoboToolbox or ODK export carries no version; it may update
    an asset only while the asset is still as an import left it.
    """
    wanted = sorted(set(asset_ids))
    items, batches = schema.import_batch_assets, schema.import_batches
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
        query = (
            select(items.c.asset_id, items.c.version)
            .join(batches, batches.c.id == items.c.batch_id)
            .where(items.c.asset_id.in_(wanted[start : start + 500]), batches.c.undone_at.is_(None))
            .order_by(items.c.batch_id)
        )
        found.update((asset_id, version) for asset_id, version in conn.execute(query))  # the latest batch wins
    return found


def list_batches(conn: Connection, *, limit: int | None = None) -> list[Batch]:
    """The stored imports, newest first."""
    query = select(schema.import_batches).order_by(schema.import_batches.c.id.desc()).limit(limit)
    return [_batch(row) for row in conn.execute(query).mappings()]


def get_batch(conn: Connection, batch_id: int) -> Batch:
    """The import ``batch_id``; :class:`NotFoundError` for an unknown id."""
    row = conn.execute(select(schema.import_batches).where(schema.import_batches.c.id == batch_id)).mappings().first()
    if row is None:
        raise NotFoundError("error.batch_not_found", value=batch_id)
    return _batch(row)


def parse_batch_id(text: str) -> int:
    """A batch id as a user types it (``12`` or ``#12``); :class:`NotFoundError` for anything else."""
    cleaned = str(text).strip().lstrip("#")
    if not cleaned.isdigit():
        raise NotFoundError("error.batch_not_found", value=text)
    return int(cleaned)


def items_of(conn: Connection, batch_id: int) -> list[tuple[str, str, int]]:
    """The assets of a batch: ``(asset_id, action, version)``, ``action`` being ``create`` or ``update``."""
    items = schema.import_batch_assets
    query = select(items.c.asset_id, items.c.action, items.c.version).where(items.c.batch_id == batch_id)
    return [(str(a), str(action), int(v)) for a, action, v in conn.execute(query)]


def check_undo(batch: Batch, items: Sequence[tuple[str, str, int]], current: Mapping[str, Asset]) -> None:
    """Refuse to undo ``batch`` when it is undone already or an asset of it changed since (naming them).

    An asset the batch added that someone deleted since is not a change that
    would be lost: there is nothing left to undo for it.
    """
    if batch.is_undone:
        raise AbcdError("error.batch_undone", id=batch.id)
    later = [
        current[asset_id]
        for asset_id, action, version in items
        if asset_id in current
        and current[asset_id].version != version
        and not (action == "create" and current[asset_id].is_deleted)
    ]
    if later:
        shown = first_shown([f"{a.name} ({a.updated_by})" for a in later], _LATER_SHOWN)
        raise ConflictError("error.batch_changed_since", n=len(later), id=batch.id, names=", ".join(shown))


def mark_undone(conn: Connection, batch_id: int, *, by: str, now: datetime) -> None:
    """Record that ``batch_id`` was undone, by whom and when (in the caller's transaction)."""
    conn.execute(
        update(schema.import_batches)
        .where(schema.import_batches.c.id == batch_id)
        .values(undone_by=by, undone_at=iso_utc(now))
    )


def _batch(row: RowMapping) -> Batch:
    undone_at = row["undone_at"]
    return Batch(
        id=int(row["id"]),
        kind=row["kind"],
        source=row["source"],
        rows=int(row["rows"]),
        created=int(row["created"]),
        updated=int(row["updated"]),
        imported_by=row["imported_by"],
        imported_at=datetime.fromisoformat(row["imported_at"]),
        undone_by=row["undone_by"],
        undone_at=None if undone_at is None else datetime.fromisoformat(undone_at),
    )
