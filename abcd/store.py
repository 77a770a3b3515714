"""Persistence of wijken, their streets, assets and the history of every change.

SQLAlchemy 2 Core over an SQLite file by default, PostgreSQL when
``ABCD_DATABASE_URL`` says so. On SQLite every connection runs in WAL mode
with a busy timeout, and every write opens with ``BEGIN IMMEDIATE``: with
deferred transactions concurrent writers fail with "database is locked" even
with a timeout (measured: 1,514 of 1,600 commits lost), with immediate ones
none were. ``secure_delete`` overwrites deleted text, so an erased record does
not linger in free pages.

Every change writes its history row in the same transaction as the change,
and an edit names the version it was based on: a stale edit is refused
(:class:`~abcd.errors.ConflictError`) and overwrites nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, Engine, create_engine, delete, event, func, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from abcd import schema
from abcd.errors import ConflictError, NotFoundError, UnknownWijkError
from abcd.model import (
    WGS84,
    Asset,
    AssetDraft,
    Category,
    Consent,
    MeetingPlaceRole,
    Source,
    Status,
    new_asset_id,
)

SQLITE_BUSY_TIMEOUT_MS = 30_000
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Fields recorded in history, in this order.
_TRACKED = (
    "name",
    "category",
    "description",
    "lon",
    "lat",
    "area",
    "wijk",
    "resident_led",
    "meeting_place_role",
    "contact",
    "source",
    "status",
    "buurt",
    "linked_asset_id",
)


def utcnow() -> datetime:
    """The current time in UTC, to the microsecond."""
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """A moment as stored: ISO-8601 in UTC to the microsecond (sorts and round-trips exactly)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(text: str | None) -> datetime | None:
    """The inverse of :func:`iso_utc`; ``None`` stays ``None``."""
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True, slots=True)
class WijkRecord:
    """A wijk as stored: identity, population and boundary (WGS84)."""

    slug: str
    name: str
    kind: str
    cbs_code: str | None
    population: int | None
    boundary: BaseGeometry


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One change of an asset: who did what when, with old and new values."""

    asset_id: str
    version: int
    action: str
    changed_by: str
    changed_at: datetime
    old: dict[str, Any] | None
    new: dict[str, Any] | None

    def changed_fields(self) -> list[str]:
        """Fields whose value differs between old and new."""
        old, new = self.old or {}, self.new or {}
        return [k for k in (*_TRACKED, "deleted") if old.get(k) != new.get(k)]


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so that the
        # "begin" hook below decides between BEGIN and BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
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


def engine_from_url(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL, a busy timeout and immediate writes."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # One connection per use: SQLite connections are cheap, and a pool
        # would keep file handles across threads of the Streamlit server.
        engine = create_engine(url, poolclass=NullPool, connect_args={"check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest schema revision shipped with this version of ``abcd``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database, ``None`` for an empty one."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_schema(engine: Engine) -> str:
    """Create or upgrade the schema to the newest revision; returns that revision.

    Migrations only ever add or transform, so a user's data survives every upgrade.
    """
    with engine.connect().execution_options(abcd_write=True) as conn:
        command.upgrade(_alembic_config(conn), "head")
        conn.commit()
    revision = current_revision(engine)
    assert revision is not None
    return revision


class Store:
    """Assets, wijken and history in one database.

    >>> store = Store.open("sqlite://")
    >>> store.count_assets()
    0
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Store:
        """Open the database at ``url``, creating or upgrading its schema."""
        if url in ("sqlite://", "sqlite:///:memory:"):
            # An in-memory database lives as long as its connection: keep one.
            from sqlalchemy.pool import StaticPool

            engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
            _configure_sqlite(engine)
        else:
            engine = engine_from_url(url)
        if upgrade:
            upgrade_schema(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(abcd_write=True) as conn, conn.begin():
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # -------------------------------------------------------------------- meta
    def get_meta(self, key: str) -> str | None:
        """A small persistent setting (for example, whether examples were loaded once)."""
        with self._read() as conn:
            return conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == key)).scalar_one_or_none()

    def set_meta(self, key: str, value: str) -> None:
        with self._write() as conn:
            conn.execute(delete(schema.meta).where(schema.meta.c.key == key))
            conn.execute(insert(schema.meta).values(key=key, value=value))

    # ------------------------------------------------------------------ wijken
    def save_wijk(self, wijk: WijkRecord, street_frame: gpd.GeoDataFrame | None = None) -> None:
        """Insert or replace a wijk and, when given, all its streets, in one transaction."""
        row = {
            "slug": wijk.slug,
            "name": wijk.name,
            "kind": wijk.kind,
            "cbs_code": wijk.cbs_code,
            "population": wijk.population,
            "boundary_wkb": shapely.to_wkb(wijk.boundary),
            "loaded_at": iso_utc(utcnow()),
        }
        with self._write() as conn:
            exists = conn.execute(select(schema.wijken.c.slug).where(schema.wijken.c.slug == wijk.slug)).first()
            if exists:
                conn.execute(update(schema.wijken).where(schema.wijken.c.slug == wijk.slug).values(**row))
            else:
                conn.execute(insert(schema.wijken).values(**row))
            if street_frame is not None:
                conn.execute(delete(schema.streets).where(schema.streets.c.wijk == wijk.slug))
                frame = street_frame.to_crs(WGS84)
                rows = [
                    {
                        "wijk": wijk.slug,
                        "name": _opt_text(name),
                        "highway": _opt_text(highway),
                        "osm_id": _opt_text(osm_id),
                        "geometry_wkb": wkb,
                    }
                    for name, highway, osm_id, wkb in zip(
                        _column(frame, "name"),
                        _column(frame, "highway"),
                        _column(frame, "osm_id"),
                        shapely.to_wkb(frame.geometry.values),
                        strict=True,
                    )
                ]
                if rows:
                    conn.execute(insert(schema.streets), rows)

    def get_wijk(self, slug: str) -> WijkRecord:
        """The stored wijk ``slug``; :class:`UnknownWijkError` when it was never loaded."""
        with self._read() as conn:
            row = conn.execute(select(schema.wijken).where(schema.wijken.c.slug == slug)).mappings().first()
        if row is None:
            raise UnknownWijkError("error.unknown_wijk", value=slug, known=", ".join(self.wijk_slugs()) or "-")
        return WijkRecord(
            slug=row["slug"],
            name=row["name"],
            kind=row["kind"],
            cbs_code=row["cbs_code"],
            population=row["population"],
            boundary=shapely.from_wkb(row["boundary_wkb"]),
        )

    def has_wijk(self, slug: str) -> bool:
        with self._read() as conn:
            return conn.execute(select(schema.wijken.c.slug).where(schema.wijken.c.slug == slug)).first() is not None

    def wijk_slugs(self) -> list[str]:
        """Slugs of the wijken loaded in this database."""
        with self._read() as conn:
            return list(conn.execute(select(schema.wijken.c.slug).order_by(schema.wijken.c.slug)).scalars())

    def streets(self, slug: str) -> gpd.GeoDataFrame:
        """The street segments stored for wijk ``slug`` (WGS84; ``name`` may be null)."""
        with self._read() as conn:
            rows = (
                conn.execute(select(schema.streets).where(schema.streets.c.wijk == slug).order_by(schema.streets.c.id))
                .mappings()
                .all()
            )
        geometry = shapely.from_wkb([r["geometry_wkb"] for r in rows]) if rows else []
        return gpd.GeoDataFrame(
            {
                "name": [r["name"] for r in rows],
                "highway": [r["highway"] for r in rows],
                "osm_id": [r["osm_id"] for r in rows],
            },
            geometry=gpd.GeoSeries(geometry, crs=WGS84),
            crs=WGS84,
        )

    # ------------------------------------------------------------------ assets
    def add(self, draft: AssetDraft, *, by: str) -> Asset:
        """Store a new asset; its history starts with a ``create`` row."""
        return self.add_many([draft], by=by)[0]

    def add_many(self, drafts: Sequence[AssetDraft], *, by: str) -> list[Asset]:
        """Store many assets in ONE transaction: all of them land, or none do."""
        now = utcnow()
        with self._write() as conn:
            self._check_wijken(conn, {d.wijk for d in drafts})
            created = _insert_new(conn, drafts, by=by, now=now)
        return created

    def upsert_many(self, drafts: Sequence[AssetDraft], *, by: str) -> tuple[list[Asset], list[Asset]]:
        """Create new assets and update those whose id exists, all in ONE transaction.

        Used by imports: a re-imported export updates its assets instead of
        duplicating them, and one failure rolls the whole file back. Rows for
        soft-deleted assets and rows that change nothing are left alone.
        Returns ``(created, updated)``.
        """
        now = utcnow()
        new_drafts: list[AssetDraft] = []
        updated: list[Asset] = []
        with self._write() as conn:
            self._check_wijken(conn, {d.wijk for d in drafts})
            ids = [d.id for d in drafts if d.id]
            existing = (
                {
                    a.id: a
                    for a in (
                        _asset_from_row(r)
                        for r in conn.execute(select(schema.assets).where(schema.assets.c.id.in_(ids))).mappings()
                    )
                }
                if ids
                else {}
            )
            for draft in drafts:
                current = existing.get(draft.id or "")
                if current is None:
                    new_drafts.append(draft)
                    continue
                if current.is_deleted:
                    # Someone deleted it on purpose; an old file must not bring it
                    # back. Restoring is a deliberate act on the list page.
                    continue
                new = _asset_from_draft(draft, current.id, version=current.version + 1, by=by, now=now, created=current)
                if _snapshot(new) == _snapshot(current):
                    continue  # unchanged: no new version, no history noise
                self._swap(conn, current, new, current.version)
                _write_history(conn, new, "update", old=current, by=by, now=now)
                updated.append(new)
            created = _insert_new(conn, new_drafts, by=by, now=now)
        return created, updated

    def update(self, asset_id: str, draft: AssetDraft, *, by: str, expected_version: int) -> Asset:
        """Replace an asset's fields with ``draft``, if nobody changed it since ``expected_version``."""
        now = utcnow()
        with self._write() as conn:
            current = self._get(conn, asset_id)
            if current.is_deleted:
                raise NotFoundError("error.deleted", value=asset_id)
            self._check_wijken(conn, {draft.wijk})
            new = _asset_from_draft(draft, asset_id, version=current.version + 1, by=by, now=now, created=current)
            self._swap(conn, current, new, expected_version)
            _save_consent(conn, asset_id, draft.consent, now=now)
            _write_history(conn, new, "update", old=current, by=by, now=now)
        return new

    def delete(self, asset_id: str, *, by: str, expected_version: int | None = None) -> Asset:
        """Soft-delete an asset; it disappears from lists and maps and can be restored."""
        return self._set_deleted(asset_id, deleted=True, by=by, expected_version=expected_version)

    def restore(self, asset_id: str, *, by: str, expected_version: int | None = None) -> Asset:
        """Undo a soft delete."""
        return self._set_deleted(asset_id, deleted=False, by=by, expected_version=expected_version)

    def _set_deleted(self, asset_id: str, *, deleted: bool, by: str, expected_version: int | None) -> Asset:
        now = utcnow()
        with self._write() as conn:
            current = self._get(conn, asset_id)
            if current.is_deleted == deleted:
                raise NotFoundError("error.deleted" if deleted else "error.not_deleted", value=asset_id)
            new = replace(
                current,
                version=current.version + 1,
                updated_by=by,
                updated_at=now,
                deleted_at=now if deleted else None,
                deleted_by=by if deleted else None,
            )
            self._swap(conn, current, new, current.version if expected_version is None else expected_version)
            _write_history(conn, new, "delete" if deleted else "restore", old=current, by=by, now=now)
        return new

    def _swap(self, conn: Connection, current: Asset, new: Asset, expected_version: int) -> None:
        # The version check and the write are one statement, so two editors
        # of the same version cannot both win.
        result = conn.execute(
            update(schema.assets)
            .where(schema.assets.c.id == current.id, schema.assets.c.version == expected_version)
            .values(**_row_from_asset(new))
        )
        if result.rowcount != 1:
            raise ConflictError("error.conflict", name=current.name, stored=current.version, given=expected_version)

    def assets_by_id(self, ids: Sequence[str]) -> dict[str, Asset]:
        """The stored assets (deleted ones too) among ``ids``, by id."""
        wanted = sorted({str(i) for i in ids})
        found: dict[str, Asset] = {}
        with self._read() as conn:
            for start in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
                chunk = wanted[start : start + 500]
                rows = conn.execute(select(schema.assets).where(schema.assets.c.id.in_(chunk))).mappings()
                found.update((r["id"], _asset_from_row(r)) for r in rows)
        return found

    def get(self, asset_id: str) -> Asset:
        """The asset ``asset_id``, deleted or not; :class:`NotFoundError` if unknown."""
        with self._read() as conn:
            return self._get(conn, asset_id)

    def _get(self, conn: Connection, asset_id: str) -> Asset:
        row = conn.execute(select(schema.assets).where(schema.assets.c.id == str(asset_id))).mappings().first()
        if row is None:
            raise NotFoundError("error.not_found", value=asset_id)
        return _asset_from_row(row)

    def _check_wijken(self, conn: Connection, slugs: Iterable[str]) -> None:
        wanted = set(slugs)
        if not wanted:
            return
        known = set(conn.execute(select(schema.wijken.c.slug).where(schema.wijken.c.slug.in_(wanted))).scalars())
        missing = sorted(wanted - known)
        if missing:
            raise UnknownWijkError("error.unknown_wijk", value=missing[0], known=", ".join(sorted(known)) or "-")

    def list_assets(
        self,
        *,
        wijk: str | None = None,
        category: Category | str | None = None,
        include_deleted: bool = False,
        deleted_only: bool = False,
    ) -> list[Asset]:
        """Assets, optionally of one wijk and one category, sorted by name."""
        query = select(schema.assets)
        if wijk is not None:
            query = query.where(schema.assets.c.wijk == wijk)
        if category is not None:
            query = query.where(schema.assets.c.category == str(Category(category)))
        if deleted_only:
            query = query.where(schema.assets.c.deleted_at.is_not(None))
        elif not include_deleted:
            query = query.where(schema.assets.c.deleted_at.is_(None))
        query = query.order_by(func.lower(schema.assets.c.name), schema.assets.c.id)
        with self._read() as conn:
            return [_asset_from_row(r) for r in conn.execute(query).mappings()]

    def count_assets(self, *, wijk: str | None = None, source: Source | None = None) -> int:
        """How many live (not deleted) assets there are."""
        query = select(func.count()).select_from(schema.assets).where(schema.assets.c.deleted_at.is_(None))
        if wijk is not None:
            query = query.where(schema.assets.c.wijk == wijk)
        if source is not None:
            query = query.where(schema.assets.c.source == source.value)
        with self._read() as conn:
            return int(conn.execute(query).scalar_one())

    def data_version(self, wijk: str | None = None) -> str:
        """A token that changes whenever an asset (of ``wijk``) is added, changed or removed.

        Caches key on it, so a page re-reads assets only after a change.
        """
        query = select(func.count(), func.max(schema.assets.c.updated_at)).select_from(schema.assets)
        if wijk is not None:
            query = query.where(schema.assets.c.wijk == wijk)
        with self._read() as conn:
            count, latest = conn.execute(query).one()
        return f"{count}:{latest}"

    def assets_frame(self, *, wijk: str | None = None, include_private: bool = False) -> gpd.GeoDataFrame:
        """Live assets as a GeoDataFrame (WGS84 points; the ``area`` column holds areas or None)."""
        return assets_to_frame(self.list_assets(wijk=wijk), include_private=include_private)

    def history(self, asset_id: str) -> list[HistoryEntry]:
        """Every change of ``asset_id``, oldest first."""
        query = (
            select(schema.asset_history)
            .where(schema.asset_history.c.asset_id == asset_id)
            .order_by(schema.asset_history.c.version, schema.asset_history.c.id)
        )
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            HistoryEntry(
                asset_id=r["asset_id"],
                version=r["version"],
                action=r["action"],
                changed_by=r["changed_by"],
                changed_at=datetime.fromisoformat(r["changed_at"]),
                old=json.loads(r["old_values"]) if r["old_values"] else None,
                new=json.loads(r["new_values"]) if r["new_values"] else None,
            )
            for r in rows
        ]

    def consent(self, asset_id: str) -> Consent | None:
        """The consent recorded for a person, or ``None``."""
        with self._read() as conn:
            row = conn.execute(select(schema.consents).where(schema.consents.c.asset_id == asset_id)).mappings().first()
        if row is None:
            return None
        from datetime import date

        return Consent(
            date=date.fromisoformat(row["consent_date"]),
            recorded_by=row["recorded_by"],
            purpose=row["purpose"],
            text_version=row["text_version"],
            under_16=bool(row["under_16"]),
            parent_consent=bool(row["parent_consent"]),
        )

    def requires_approval(self, slug: str) -> bool:
        """Whether new assets in wijk ``slug`` wait for a coordinator's approval."""
        with self._read() as conn:
            value = conn.execute(
                select(schema.wijken.c.requires_approval).where(schema.wijken.c.slug == slug)
            ).scalar_one_or_none()
        return bool(value)

    def set_requires_approval(self, slug: str, required: bool) -> None:
        with self._write() as conn:
            result = conn.execute(
                update(schema.wijken).where(schema.wijken.c.slug == slug).values(requires_approval=required)
            )
            if result.rowcount != 1:
                raise UnknownWijkError("error.unknown_wijk", value=slug, known="-")

    def approve(self, asset_id: str, *, by: str, expected_version: int | None = None) -> Asset:
        """Publish a pending asset."""
        now = utcnow()
        with self._write() as conn:
            current = self._get(conn, asset_id)
            if current.status is Status.APPROVED:
                return current
            new = replace(current, status=Status.APPROVED, version=current.version + 1, updated_by=by, updated_at=now)
            self._swap(conn, current, new, current.version if expected_version is None else expected_version)
            _write_history(conn, new, "approve", old=current, by=by, now=now)
        return new

    def erase(self, asset_id: str, *, by: str) -> None:
        """Erase an asset and every personal trace of it (AVG/GDPR right to erasure).

        The row and its consent go; history rows keep only the pseudonymous id,
        the action, who changed it and when; one ``erase`` row records that
        erasure happened. On SQLite the write-ahead log is checkpointed and the
        file vacuumed, so the text is not left in free pages or the WAL.
        """
        now = utcnow()
        with self._write() as conn:
            self._get(conn, asset_id)  # NotFoundError for an unknown id
            conn.execute(delete(schema.consents).where(schema.consents.c.asset_id == asset_id))
            conn.execute(delete(schema.assets).where(schema.assets.c.id == asset_id))
            conn.execute(
                update(schema.asset_history)
                .where(schema.asset_history.c.asset_id == asset_id)
                .values(old_values=None, new_values=None)
            )
            last = conn.execute(
                select(func.max(schema.asset_history.c.version)).where(schema.asset_history.c.asset_id == asset_id)
            ).scalar_one()
            conn.execute(
                insert(schema.asset_history).values(
                    asset_id=asset_id,
                    version=(last or 0) + 1,
                    action="erase",
                    changed_by=by,
                    changed_at=iso_utc(now),
                    old_values=None,
                    new_values=None,
                )
            )
        self.compact()

    def move_person(self, asset_id: str, *, lon: float, lat: float, buurt: str) -> None:
        """Put a resident at ``(lon, lat)`` in ``buurt`` and scrub any earlier point from their history.

        For residents stored before people were kept at buurt level: their old
        point may be a home, so it leaves the row and every history entry.
        """
        with self._write() as conn:
            conn.execute(
                update(schema.assets).where(schema.assets.c.id == asset_id).values(lon=lon, lat=lat, buurt=buurt)
            )
            rows = conn.execute(
                select(
                    schema.asset_history.c.id, schema.asset_history.c.old_values, schema.asset_history.c.new_values
                ).where(schema.asset_history.c.asset_id == asset_id)
            ).all()
            for row_id, old, new in rows:
                conn.execute(
                    update(schema.asset_history)
                    .where(schema.asset_history.c.id == row_id)
                    .values(old_values=_moved(old, lon, lat, buurt), new_values=_moved(new, lon, lat, buurt))
                )
        self.compact()

    def compact(self) -> None:
        """Rewrite the SQLite file so deleted text is gone from free pages and the WAL."""
        if not self.is_sqlite:
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

    def purge_examples(self) -> int:
        """Remove every example asset and its history for good; returns how many.

        Example data is invented, so it is erased rather than soft-deleted:
        nothing of it should linger in a neighbourhood's real record.
        """
        with self._write() as conn:
            ids = list(
                conn.execute(select(schema.assets.c.id).where(schema.assets.c.source == Source.EXAMPLE.value)).scalars()
            )
            if ids:
                conn.execute(delete(schema.asset_history).where(schema.asset_history.c.asset_id.in_(ids)))
                conn.execute(delete(schema.assets).where(schema.assets.c.id.in_(ids)))
        return len(ids)


# ---------------------------------------------------------------------- rows
def _opt_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _column(frame: pd.DataFrame, name: str) -> list[Any]:
    return list(frame[name]) if name in frame.columns else [None] * len(frame)


def _asset_from_draft(
    draft: AssetDraft, asset_id: str, *, version: int, by: str, now: datetime, created: Asset | None = None
) -> Asset:
    return Asset(
        id=asset_id,
        name=draft.name,
        category=draft.category,
        lon=draft.lon,
        lat=draft.lat,
        wijk=draft.wijk,
        description=draft.description,
        resident_led=draft.resident_led,
        meeting_place_role=draft.meeting_place_role,
        contact=draft.contact,
        source=draft.source,
        area=draft.area,
        version=version,
        created_by=created.created_by if created else by,
        created_at=created.created_at if created else now,
        updated_by=by,
        updated_at=now,
        status=draft.status,
        buurt=draft.buurt,
        linked_asset_id=draft.linked_asset_id,
    )


def _row_from_asset(asset: Asset) -> dict[str, Any]:
    return {
        "id": asset.id,
        "name": asset.name,
        "category": asset.category.value,
        "description": asset.description,
        "lon": asset.lon,
        "lat": asset.lat,
        "area_wkb": shapely.to_wkb(asset.area) if asset.area is not None else None,
        "wijk": asset.wijk,
        "resident_led": asset.resident_led,
        "meeting_place_role": asset.meeting_place_role.value if asset.meeting_place_role else None,
        "contact": asset.contact,
        "source": asset.source.value,
        "version": asset.version,
        "created_by": asset.created_by,
        "created_at": iso_utc(asset.created_at),
        "updated_by": asset.updated_by,
        "updated_at": iso_utc(asset.updated_at),
        "deleted_at": iso_utc(asset.deleted_at) if asset.deleted_at else None,
        "deleted_by": asset.deleted_by,
        "status": asset.status.value,
        "buurt": asset.buurt,
        "linked_asset_id": asset.linked_asset_id,
    }


def _asset_from_row(row: Any) -> Asset:
    created_at = from_iso(row["created_at"])
    updated_at = from_iso(row["updated_at"])
    assert created_at is not None and updated_at is not None
    return Asset(
        id=row["id"],
        name=row["name"],
        category=Category(row["category"]),
        lon=float(row["lon"]),
        lat=float(row["lat"]),
        wijk=row["wijk"],
        description=row["description"] or "",
        resident_led=None if row["resident_led"] is None else bool(row["resident_led"]),
        meeting_place_role=MeetingPlaceRole(row["meeting_place_role"]) if row["meeting_place_role"] else None,
        contact=row["contact"],
        source=Source(row["source"]),
        area=shapely.from_wkb(row["area_wkb"]) if row["area_wkb"] is not None else None,
        version=int(row["version"]),
        created_by=row["created_by"],
        created_at=created_at,
        updated_by=row["updated_by"],
        updated_at=updated_at,
        deleted_at=from_iso(row["deleted_at"]),
        deleted_by=row["deleted_by"],
        status=Status(row["status"]),
        buurt=row["buurt"],
        linked_asset_id=row["linked_asset_id"],
    )


def _moved(values: str | None, lon: float, lat: float, buurt: str) -> str | None:
    if not values:
        return values
    data = json.loads(values)
    data.update(lon=lon, lat=lat, buurt=buurt)
    return json.dumps(data, ensure_ascii=False)


def _insert_new(conn: Connection, drafts: Sequence[AssetDraft], *, by: str, now: datetime) -> list[Asset]:
    """Insert new assets and their ``create`` history rows, in two bulk statements (imports of thousands)."""
    created = [_asset_from_draft(d, d.id or new_asset_id(), version=1, by=by, now=now) for d in drafts]
    if not created:
        return created
    conn.execute(insert(schema.assets), [_row_from_asset(a) for a in created])
    for draft, asset in zip(drafts, created, strict=True):
        _save_consent(conn, asset.id, draft.consent, now=now)
    conn.execute(insert(schema.asset_history), [_history_row(a, "create", old=None, by=by, now=now) for a in created])
    return created


def _save_consent(conn: Connection, asset_id: str, consent: Consent | None, *, now: datetime) -> None:
    if consent is None:
        return
    conn.execute(delete(schema.consents).where(schema.consents.c.asset_id == asset_id))
    conn.execute(
        insert(schema.consents).values(
            asset_id=asset_id,
            consent_date=consent.date.isoformat(),
            recorded_by=consent.recorded_by,
            purpose=consent.purpose,
            text_version=consent.text_version,
            under_16=consent.under_16,
            parent_consent=consent.parent_consent,
            recorded_at=iso_utc(now),
        )
    )


def _snapshot(asset: Asset) -> dict[str, Any]:
    return {
        "name": asset.name,
        "category": asset.category.value,
        "description": asset.description,
        "lon": asset.lon,
        "lat": asset.lat,
        "area": asset.area.wkt if asset.area is not None else None,
        "wijk": asset.wijk,
        "resident_led": asset.resident_led,
        "meeting_place_role": asset.meeting_place_role.value if asset.meeting_place_role else None,
        "contact": asset.contact,
        "source": asset.source.value,
        "status": asset.status.value,
        "buurt": asset.buurt,
        "linked_asset_id": asset.linked_asset_id,
        "deleted": asset.is_deleted,
    }


def _history_row(asset: Asset, action: str, *, old: Asset | None, by: str, now: datetime) -> dict[str, Any]:
    return {
        "asset_id": asset.id,
        "version": asset.version,
        "action": action,
        "changed_by": by,
        "changed_at": iso_utc(now),
        "old_values": json.dumps(_snapshot(old), ensure_ascii=False) if old else None,
        "new_values": json.dumps(_snapshot(asset), ensure_ascii=False),
    }


def _write_history(conn: Connection, asset: Asset, action: str, *, old: Asset | None, by: str, now: datetime) -> None:
    conn.execute(insert(schema.asset_history).values(**_history_row(asset, action, old=old, by=by, now=now)))


def assets_to_frame(items: Sequence[Asset], *, include_private: bool = False) -> gpd.GeoDataFrame:
    """Assets as a GeoDataFrame with the interchange columns (WGS84 points).

    ``contact`` is private and only included on request.
    """
    data: dict[str, list[Any]] = {
        "id": [a.id for a in items],
        "name": [a.name for a in items],
        "category": [a.category.value for a in items],
        "description": [a.description for a in items],
        "wijk": [a.wijk for a in items],
        "resident_led": [a.resident_led for a in items],
        "meeting_place_role": [a.meeting_place_role.value if a.meeting_place_role else None for a in items],
        "source": [a.source.value for a in items],
        "version": [a.version for a in items],
        "created_at": [iso_utc(a.created_at) for a in items],
        "updated_at": [iso_utc(a.updated_at) for a in items],
        "area": [a.area for a in items],
    }
    if include_private:
        data["contact"] = [a.contact for a in items]
    frame = pd.DataFrame(data)
    frame["resident_led"] = frame["resident_led"].astype(object)
    geometry = gpd.points_from_xy([a.lon for a in items], [a.lat for a in items], crs=WGS84)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)
