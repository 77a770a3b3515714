"""Persistence of wijken, their streets, assets and the history of every change.

Assets are versioned records (:mod:`abcd.records`): every change writes its
history row in the same transaction as the change, an edit names the version
it was based on (a stale edit is refused with
:class:`~abcd.errors.ConflictError` and overwrites nothing), and a delete is
soft. Transactions come from :class:`abcd.db.Database`, which the investment
ledger and the accounts share.
"""

from __future__ import annotations

import json
import math
import operator
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, Engine, Select, delete, func, insert, select, update

from abcd import batches, postgis, schema
from abcd._cells import is_missing
from abcd.batches import Batch, NewBatch, Undone
from abcd.db import Database, insert_rows
from abcd.errors import ConflictError, NotFoundError, UnknownWijkError
from abcd.i18n.formats import local_time
from abcd.model import (
    INTERCHANGE_COLUMNS,
    WGS84,
    Asset,
    AssetDraft,
    AssetFields,
    Category,
    Consent,
    Source,
    Status,
)
from abcd.places import TOLERANCE_M, Area, AreaIndex, rd_geometry
from abcd.records import HistoryEntry, declared_fields, field_info, interchange_fields, iso_utc, plain_value, utcnow
from abcd.versioned import RecordKind

AREAS_CHANGED = "areas_changed"  # meta key: set by a migration when every asset must be placed again
KIND_CUSTOM = "custom"  # an area a user added (abcd.wijken); it joins the catalogue from here
# The tables a resident's text can be in; erasure rewrites them (PostgreSQL: VACUUM FULL).
_PERSONAL_TABLES = (
    schema.assets,
    schema.asset_history,
    schema.consents,
    schema.connections,  # a resident's connections go with them (ON DELETE CASCADE)
    schema.connection_history,
    schema.photos,  # a photo is personal data; it goes with its asset
)

ASSETS: RecordKind[Asset] = RecordKind(
    Asset, schema.assets, schema.asset_history, history_key="asset_id", name_of=lambda asset: asset.name
)
"""How assets are stored: the one versioned-record mechanism, for assets."""


@dataclass(frozen=True, slots=True)
class StoredImport:
    """What :meth:`Store.import_many` stored: the assets it created and updated, and its batch id (if recorded)."""

    created: list[Asset]
    updated: list[Asset]
    batch_id: int | None = None


@dataclass(frozen=True, slots=True)
class WijkRecord:
    """A wijk as stored: identity, population and boundary (WGS84)."""

    slug: str
    name: str
    kind: str
    cbs_code: str | None
    population: int | None
    boundary: BaseGeometry
    gemeente: str | None = None


class Store:
    """Assets, wijken and history in one database.

    >>> store = Store.open("sqlite://")
    >>> store.count_assets()
    0
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        # The areas of this database as a spatial index, with the token it was built at.
        self._places: tuple[str, AreaIndex] | None = None
        self._postgis: bool | None = None  # found out at the first spatial question

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Store:
        """Open the database at ``url``, creating or upgrading its schema.

        An upgrade that changed how assets belong to areas (``meta.areas_changed``)
        is finished here: every asset is placed in its areas again.
        """
        store = cls(Database.open(url, upgrade=upgrade))
        if upgrade and store.get_meta(AREAS_CHANGED):
            store.place_all()
        return store

    @classmethod
    def open_checked(cls, url: str) -> Store:
        """Open ``url`` for the app or a command: upgrade an SQLite schema, only check a PostgreSQL one.

        Several app servers share one PostgreSQL database and may start at the
        same time: ``abcd migrate`` upgrades it, once, and they refuse a
        schema they do not work with (:func:`abcd.db.check_schema`). An SQLite
        file serves one machine and is upgraded as before, under its write lock
        (:func:`abcd.db.upgrades_on_open`).
        """
        from abcd.db import check_schema, upgrades_on_open

        if upgrades_on_open(url):
            return cls.open(url)
        store = cls.open(url, upgrade=False)
        try:
            check_schema(store.engine)
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        self.db.close()

    @property
    def engine(self) -> Engine:
        return self.db.engine

    @property
    def is_sqlite(self) -> bool:
        return self.db.is_sqlite

    @property
    def in_postgis(self) -> bool:
        """Whether PostGIS answers the spatial questions (:mod:`abcd.postgis`): PostgreSQL with its geometry columns."""
        if self._postgis is None:
            if self.is_sqlite:
                self._postgis = False
            else:
                with self.db.read() as conn:
                    self._postgis = postgis.has_geometry(conn)
        return self._postgis

    # -------------------------------------------------------------------- meta
    def get_meta(self, key: str) -> str | None:
        """A small persistent setting (for example, whether examples were loaded once)."""
        with self.db.read() as conn:
            return conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == key)).scalar_one_or_none()

    def set_meta(self, key: str, value: str) -> None:
        with self.db.write() as conn:
            conn.execute(delete(schema.meta).where(schema.meta.c.key == key))
            conn.execute(insert(schema.meta).values(key=key, value=value))

    # ------------------------------------------------------------------ wijken
    def save_wijk(self, wijk: WijkRecord, street_frame: gpd.GeoDataFrame | None = None) -> None:
        """Insert or replace a wijk and, when given, all its streets, in one transaction.

        The assets around it are placed again (a new or changed boundary changes
        which areas they lie in).
        """
        self.save_areas([wijk])
        if street_frame is None:
            return
        with self.db.write() as conn:
            conn.execute(delete(schema.streets).where(schema.streets.c.wijk == wijk.slug))
            frame = street_frame.to_crs(WGS84)
            in_wijk = frame["in_wijk"].astype(bool).tolist() if "in_wijk" in frame.columns else [True] * len(frame)
            rows = [
                {
                    "wijk": wijk.slug,
                    "name": _opt_text(name),
                    "highway": _opt_text(highway),
                    "osm_id": _opt_text(osm_id),
                    "geometry_wkb": wkb,
                    "in_wijk": own,
                }
                for name, highway, osm_id, wkb, own in zip(
                    _column(frame, "name"),
                    _column(frame, "highway"),
                    _column(frame, "osm_id"),
                    shapely.to_wkb(frame.geometry.values),
                    in_wijk,
                    strict=True,
                )
            ]
            if rows:
                conn.execute(insert(schema.streets), rows)
            conn.execute(
                update(schema.wijken)
                .where(schema.wijken.c.slug == wijk.slug)
                .values(streets_loaded_at=iso_utc(utcnow()))
            )

    def save_areas(self, areas: Sequence[WijkRecord]) -> int:
        """Insert or update areas (boundary, name, population), not their streets; returns how many changed.

        Areas whose stored boundary and figures are the same are left alone;
        the assets around the ones that changed are placed again, in the
        same transaction.
        """
        with self.db.write() as conn:
            return self._save_areas(conn, areas)

    def _save_areas(self, conn: Connection, areas: Sequence[WijkRecord]) -> int:
        now = iso_utc(utcnow())
        wanted = {a.slug: a for a in areas}
        slugs = list(wanted)
        stored = {
            r["slug"]: r
            for start in range(0, len(slugs), 500)
            for r in conn.execute(
                select(schema.wijken).where(schema.wijken.c.slug.in_(slugs[start : start + 500]))
            ).mappings()
        }
        changed: list[WijkRecord] = []
        for area in wanted.values():
            values = {
                "name": area.name,
                "kind": area.kind,
                "cbs_code": area.cbs_code,
                "population": area.population,
                "boundary_wkb": shapely.to_wkb(area.boundary),
                "gemeente": area.gemeente,
            }
            row = stored.get(area.slug)
            if row is not None and all(row[k] == v for k, v in values.items()):
                continue
            if row is None:
                conn.execute(insert(schema.wijken).values(slug=area.slug, loaded_at=now, **values))
            else:
                conn.execute(
                    update(schema.wijken).where(schema.wijken.c.slug == area.slug).values(loaded_at=now, **values)
                )
            changed.append(area)
        if changed:
            self._place_around(conn, [a.boundary for a in changed])
        return len(changed)

    def get_wijk(self, slug: str) -> WijkRecord:
        """The stored wijk ``slug``; :class:`UnknownWijkError` when it was never loaded."""
        with self.db.read() as conn:
            row = conn.execute(select(schema.wijken).where(schema.wijken.c.slug == slug)).mappings().first()
        if row is None:
            raise UnknownWijkError("error.unknown_wijk", value=slug, known=", ".join(self.wijk_slugs()) or "-")
        return _wijk_from_row(row)

    def known_areas(self, slugs: Iterable[str]) -> set[str]:
        """Which of ``slugs`` this database knows (boundary stored, with or without streets)."""
        wanted = sorted(set(slugs))
        found: set[str] = set()
        with self.db.read() as conn:
            for start in range(0, len(wanted), 500):
                query = select(schema.wijken.c.slug).where(schema.wijken.c.slug.in_(wanted[start : start + 500]))
                found.update(conn.execute(query).scalars())
        return found

    def custom_token(self) -> str:
        """A token that changes when a user adds or changes an area of their own (for caches)."""
        query = select(func.count(), func.max(schema.wijken.c.loaded_at)).where(schema.wijken.c.kind == KIND_CUSTOM)
        with self.db.read() as conn:
            count, latest = conn.execute(query).one()
        return f"{count}:{latest}"

    def custom_areas(self) -> list[WijkRecord]:
        """The areas users added with their own boundary (``abcd wijken add --boundary``)."""
        with self.db.read() as conn:
            rows = conn.execute(select(schema.wijken).where(schema.wijken.c.kind == KIND_CUSTOM)).mappings().all()
        return [_wijk_from_row(r) for r in rows]

    def has_wijk(self, slug: str) -> bool:
        """Whether wijk ``slug`` is onboarded: its boundary and its streets are stored."""
        with self.db.read() as conn:
            row = conn.execute(select(schema.wijken.c.streets_loaded_at).where(schema.wijken.c.slug == slug)).first()
        return row is not None and row[0] is not None

    def wijk_slugs(self) -> list[str]:
        """Slugs of the wijken onboarded in this database (boundary and streets)."""
        with self.db.read() as conn:
            return list(
                conn.execute(
                    select(schema.wijken.c.slug)
                    .where(schema.wijken.c.streets_loaded_at.is_not(None))
                    .order_by(schema.wijken.c.slug)
                ).scalars()
            )

    def streets(self, slug: str, *, reach: bool = False) -> gpd.GeoDataFrame:
        """The street segments of wijk ``slug`` (WGS84; ``name`` may be null).

        With ``reach`` also the segments within walking reach around it, and a
        column ``in_wijk`` that tells them apart (for walks across the border).
        """
        query = select(schema.streets).where(schema.streets.c.wijk == slug)
        if not reach:
            query = query.where(schema.streets.c.in_wijk.is_(True))
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(schema.streets.c.id)).mappings().all()
        geometry = shapely.from_wkb([r["geometry_wkb"] for r in rows]) if rows else []
        return gpd.GeoDataFrame(
            {
                "name": [r["name"] for r in rows],
                "highway": [r["highway"] for r in rows],
                "osm_id": [r["osm_id"] for r in rows],
                **({"in_wijk": [bool(r["in_wijk"]) for r in rows]} if reach else {}),
            },
            geometry=gpd.GeoSeries(geometry, crs=WGS84),
            crs=WGS84,
        )

    def street_segments(self, wijk: str | None = None) -> gpd.GeoDataFrame:
        """Every wijk's own street segments (or ``wijk``'s), with ``id``, ``wijk`` and ``name`` (WGS84), by id."""
        c = schema.streets.c
        query = select(c.id, c.wijk, c.name, c.geometry_wkb).where(c.in_wijk.is_(True))
        if wijk is not None:
            query = query.where(c.wijk == wijk)
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(c.id)).all()
        return gpd.GeoDataFrame(
            {"id": [r[0] for r in rows], "wijk": [r[1] for r in rows], "name": [r[2] for r in rows]},
            geometry=gpd.GeoSeries(shapely.from_wkb([r[3] for r in rows]) if rows else [], crs=WGS84),
            crs=WGS84,
        )

    # ------------------------------------------------------------------ places
    def _place_index(self, conn: Connection) -> AreaIndex:
        """The areas of this database as a spatial index, rebuilt only when an area changed."""
        count, latest = conn.execute(select(func.count(), func.max(schema.wijken.c.loaded_at))).one()
        token = f"{count}:{latest}"
        cached = self._places
        if cached is not None and cached[0] == token:
            return cached[1]
        rows = conn.execute(select(schema.wijken.c.slug, schema.wijken.c.kind, schema.wijken.c.boundary_wkb)).all()
        index = AreaIndex(Area(slug, kind, shapely.from_wkb(wkb)) for slug, kind, wkb in rows)
        self._places = (token, index)
        return index

    def _place(self, conn: Connection, assets: Sequence[Asset]) -> None:
        """Write the areas each of ``assets`` lies in (replacing what was there), in the caller's transaction."""
        if not assets:
            return
        if self.in_postgis:  # PostGIS answers with its index; no process holds every boundary
            postgis.place(conn, [a.id for a in assets])
            return
        index = self._place_index(conn)
        ids = [a.id for a in assets]
        for start in range(0, len(ids), 500):
            conn.execute(delete(schema.asset_areas).where(schema.asset_areas.c.asset_id.in_(ids[start : start + 500])))
        found = index.membership([a.lon for a in assets], [a.lat for a in assets])
        # In key order (ids, then the sorted slugs): the key's index grows at its end, not at random places.
        rows = [(ids[k], slug) for k in sorted(range(len(ids)), key=ids.__getitem__) for slug in found[k]]
        insert_rows(conn, schema.asset_areas, ("asset_id", "wijk"), rows)  # an import places thousands

    def _place_around(self, conn: Connection, boundaries: Sequence[BaseGeometry]) -> None:
        """Place again every asset near ``boundaries`` (their box plus the tolerance)."""
        margin = 2 * TOLERANCE_M / 111_000  # degrees; generous in longitude too
        minx, miny, maxx, maxy = shapely.total_bounds(shapely.GeometryCollection(list(boundaries)))
        c = schema.assets.c
        query = select(schema.assets).where(
            c.lon.between(minx - 2 * margin, maxx + 2 * margin), c.lat.between(miny - margin, maxy + margin)
        )
        self._place(conn, [ASSETS.from_row(r) for r in conn.execute(query).mappings()])

    def place_all(self) -> list[Asset]:
        """Place every asset in its areas again (after an upgrade or a change of areas); returns the homeless.

        The live assets that lie in no known area are returned, so the command
        line can name them.
        """
        with self.db.write() as conn:
            assets = [ASSETS.from_row(r) for r in conn.execute(select(schema.assets)).mappings()]
            self._place(conn, assets)
            placed = set(conn.execute(select(schema.asset_areas.c.asset_id).distinct()).scalars())
            conn.execute(delete(schema.meta).where(schema.meta.c.key == AREAS_CHANGED))
        return [a for a in assets if a.id not in placed and not a.is_deleted]

    def areas_at(self, lon: float, lat: float) -> tuple[str, ...]:
        """The areas of this database a point lies in (:mod:`abcd.places`), for an asset not stored yet."""
        with self.db.read() as conn:
            return postgis.areas_at(conn, lon, lat) if self.in_postgis else self._place_index(conn).areas_at(lon, lat)

    def moderated_areas(self) -> frozenset[str]:
        """The areas where new assets wait for a coordinator's approval."""
        with self.db.read() as conn:
            query = select(schema.wijken.c.slug).where(schema.wijken.c.requires_approval.is_(True))
            return frozenset(conn.execute(query).scalars())

    def areas_of(self, asset_ids: Iterable[str]) -> dict[str, frozenset[str]]:
        """The areas each asset lies in (every asset asked for is a key; an unknown one has none)."""
        wanted = sorted({str(i) for i in asset_ids})
        found: dict[str, set[str]] = {i: set() for i in wanted}
        with self.db.read() as conn:
            for start in range(0, len(wanted), 500):
                query = select(schema.asset_areas).where(schema.asset_areas.c.asset_id.in_(wanted[start : start + 500]))
                for asset_id, slug in conn.execute(query).all():
                    found[asset_id].add(slug)
        return {k: frozenset(v) for k, v in found.items()}

    # ------------------------------------------------------------------ assets
    def add(self, draft: AssetDraft, *, by: str, areas: Sequence[WijkRecord] = ()) -> Asset:
        """Store a new asset; its history starts with a ``create`` row."""
        return self.add_many([draft], by=by, areas=areas)[0]

    def add_many(self, drafts: Sequence[AssetDraft], *, by: str, areas: Sequence[WijkRecord] = ()) -> list[Asset]:
        """Store many assets in ONE transaction: all of them land, or none do.

        ``areas`` the assets lie in that this database does not know yet are
        stored first, in the same transaction (:func:`abcd.wijken.areas_to_store`).
        """
        with self.db.write() as conn:
            self._save_areas(conn, areas)
            created = _insert_new(conn, drafts, by=by, now=utcnow())
            self._place(conn, created)
        return created

    def upsert_many(
        self,
        drafts: Sequence[AssetDraft],
        *,
        by: str,
        expected_versions: Mapping[str, int] | None = None,
        areas: Sequence[WijkRecord] = (),
    ) -> tuple[list[Asset], list[Asset]]:
        """Create new assets and update those whose id exists, all in ONE transaction (see :meth:`import_many`).

        Returns ``(created, updated)``.
        """
        stored = self.import_many(drafts, by=by, expected_versions=expected_versions, areas=areas)
        return stored.created, stored.updated

    def import_many(
        self,
        drafts: Sequence[AssetDraft],
        *,
        by: str,
        expected_versions: Mapping[str, int] | None = None,
        areas: Sequence[WijkRecord] = (),
        batch: NewBatch | None = None,
    ) -> StoredImport:
        """Create new assets and update those whose id exists, all in ONE transaction.

        Used by imports: a re-imported export updates its assets instead of
        duplicating them, and one failure rolls the whole file back. An asset
        in ``expected_versions`` is only updated if it is still at that
        version (else :class:`~abcd.errors.ConflictError`, and nothing is
        stored); others are updated as they are now. Rows for soft-deleted
        assets and rows that change nothing are left alone. With ``batch``
        the import is recorded as one (:mod:`abcd.batches`) in the same
        transaction, so it can be undone.
        """
        now = utcnow()
        expected = expected_versions or {}
        new_drafts: list[AssetDraft] = []
        updated: list[Asset] = []
        with self.db.write() as conn:
            self._save_areas(conn, areas)
            existing = ASSETS.get_many(conn, [d.id for d in drafts if d.id])
            for draft in drafts:
                current = existing.get(draft.id or "")
                if current is None:
                    new_drafts.append(draft)
                    continue
                if current.is_deleted:
                    # Someone deleted it on purpose; an old file must not bring it
                    # back. Restoring is a deliberate act on the list page.
                    continue
                version = expected.get(current.id, current.version)
                if version != current.version:
                    raise ConflictError("error.conflict", name=current.name, stored=current.version, given=version)
                draft = _keep_confirmed(draft, current)
                if ASSETS.snapshot(ASSETS.with_fields(current, draft)) == ASSETS.snapshot(current):
                    continue  # unchanged: no new version, no history noise
                updated.append(ASSETS.update(conn, current, draft, by=by, now=now, expected_version=version))
            created = _insert_new(conn, new_drafts, by=by, now=now)
            self._place(conn, [*created, *updated])
            batch_id = batches.record(conn, batch, created, updated, by=by, now=now) if batch is not None else None
        return StoredImport(created, updated, batch_id)

    def import_batches(self, *, limit: int | None = None) -> list[Batch]:
        """The stored imports, newest first (:mod:`abcd.batches`)."""
        with self.db.read() as conn:
            return batches.list_batches(conn, limit=limit)

    def import_batch(self, batch_id: int) -> Batch:
        """The import ``batch_id``; :class:`~abcd.errors.NotFoundError` for an unknown one."""
        with self.db.read() as conn:
            return batches.get_batch(conn, batch_id)

    def import_batch_assets(self, batch_id: int) -> list[tuple[str, str, int]]:
        """The assets import ``batch_id`` added or changed: ``(asset_id, action, version)``."""
        with self.db.read() as conn:
            return batches.items_of(conn, batch_id)

    def last_import_versions(self, asset_ids: Iterable[str]) -> dict[str, int]:
        """The version the latest live import left each asset at, where one did (:func:`abcd.batches.last_versions`)."""
        with self.db.read() as conn:
            return batches.last_versions(conn, asset_ids)

    def undo_import(self, batch_id: int, *, by: str) -> Undone:
        """Undo import ``batch_id`` in ONE transaction: remove what it added, put back what it changed.

        Refused as a whole (:func:`abcd.batches.check_undo`) when the batch is
        undone already or one of its assets changed since. Removing is a soft delete and putting
        back writes the values from before the import as a new version: both
        are in the history, and the areas follow the restored locations.
        """
        with self.db.write() as conn:
            batch = batches.get_batch(conn, batch_id)
            items = batches.items_of(conn, batch_id)
            current = ASSETS.get_many(conn, [asset_id for asset_id, _, _ in items])
            batches.check_undo(batch, items, current)
            now = utcnow()
            removed: list[Asset] = []
            restored: list[Asset] = []
            for asset_id, action, version in items:
                asset = current.get(asset_id)
                if asset is None or asset.is_deleted:
                    continue
                if action == "create":
                    removed.append(
                        ASSETS.set_deleted(conn, asset_id, deleted=True, by=by, now=now, expected_version=version)
                    )
                    continue
                before = next(e for e in ASSETS.entries(conn, asset_id) if e.version == version)
                old = ASSETS.from_snapshot(asset, before.old or {})
                new = replace(old, version=asset.version + 1, updated_by=by, updated_at=now)
                restored.append(ASSETS.change(conn, asset, new, "update", by=by, now=now, expected_version=version))
            self._place(conn, restored)
            batches.mark_undone(conn, batch_id, by=by, now=now)
        return Undone(replace(batch, undone_by=by, undone_at=now), removed=len(removed), restored=len(restored))

    def update(
        self,
        asset_id: str,
        draft: AssetDraft,
        *,
        by: str,
        expected_version: int,
        areas: Sequence[WijkRecord] = (),
    ) -> Asset:
        """Replace an asset's fields with ``draft``, if nobody changed it since ``expected_version``."""
        now = utcnow()
        with self.db.write() as conn:
            self._save_areas(conn, areas)
            current = ASSETS.get(conn, asset_id)
            if current.is_deleted:
                raise NotFoundError("error.deleted", value=asset_id)
            new = ASSETS.update(
                conn, current, _keep_confirmed(draft, current), by=by, now=now, expected_version=expected_version
            )
            self._place(conn, [new])
            _save_consent(conn, asset_id, draft.consent, now=now)
        return new

    def delete(self, asset_id: str, *, by: str, expected_version: int | None = None) -> Asset:
        """Soft-delete an asset; it disappears from lists and maps and can be restored."""
        with self.db.write() as conn:
            return ASSETS.set_deleted(
                conn, asset_id, deleted=True, by=by, now=utcnow(), expected_version=expected_version
            )

    def restore(self, asset_id: str, *, by: str, expected_version: int | None = None) -> Asset:
        """Undo a soft delete."""
        with self.db.write() as conn:
            return ASSETS.set_deleted(
                conn, asset_id, deleted=False, by=by, now=utcnow(), expected_version=expected_version
            )

    def assets_by_id(self, ids: Sequence[str]) -> dict[str, Asset]:
        """The stored assets (deleted ones too) among ``ids``, by id."""
        with self.db.read() as conn:
            return ASSETS.get_many(conn, ids)

    def get(self, asset_id: str) -> Asset:
        """The asset ``asset_id``, deleted or not; :class:`NotFoundError` if unknown."""
        with self.db.read() as conn:
            return ASSETS.get(conn, asset_id)

    def list_assets(
        self,
        *,
        wijk: str | None = None,  # only the assets that lie in this area
        category: Category | str | None = None,
        include_deleted: bool = False,
        deleted_only: bool = False,
    ) -> list[Asset]:
        """Assets, optionally of one area (those whose location lies in it) and one category, sorted by name."""
        query = select(schema.assets)
        if wijk is not None:
            query = query.where(schema.assets.c.id.in_(_members(wijk)))
        if category is not None:
            query = query.where(schema.assets.c.category == str(Category(category)))
        if deleted_only:
            query = query.where(schema.assets.c.deleted_at.is_not(None))
        elif not include_deleted:
            query = query.where(schema.assets.c.deleted_at.is_(None))
        query = query.order_by(func.lower(schema.assets.c.name), schema.assets.c.id)
        with self.db.read() as conn:
            return [ASSETS.from_row(r) for r in conn.execute(query).mappings()]

    def assets_near(
        self, bounds: tuple[float, float, float, float], *, margin_m: float, category: Category | str | None = None
    ) -> list[Asset]:
        """Live assets within ``margin_m`` of the box ``bounds`` (WGS84), and every one with an area or line.

        For questions that ignore borders ("which initiatives reach these
        streets?"): an asset counts for the streets near it wherever it lies.
        Assets with an area of activity are all included, since the area may
        reach farther than the point; callers measure the real distances.
        """
        c = schema.assets.c
        if not self.in_postgis:
            minx, miny, maxx, maxy = bounds
            dlat = margin_m / 110_574
            dlon = margin_m / (111_320 * math.cos(math.radians(max(abs(miny), abs(maxy)))))
            near = c.lon.between(minx - dlon, maxx + dlon) & c.lat.between(miny - dlat, maxy + dlat)
            query = select(schema.assets).where(near | c.area_wkb.is_not(None), c.deleted_at.is_(None))
        else:  # by the GiST indexes of point and area: only the assets near the box are read
            query = select(schema.assets).where(postgis.near_box(bounds, margin_m), c.deleted_at.is_(None))
        if category is not None:
            query = query.where(c.category == str(Category(category)))
        with self.db.read() as conn:
            return [ASSETS.from_row(r) for r in conn.execute(query.order_by(c.id)).mappings()]

    def assets_near_street(
        self, wijk: str, street: str, distance_m: float, *, categories: Sequence[str] = ()
    ) -> list[tuple[Asset, float]]:
        """Live assets within ``distance_m`` of the street named ``street`` in ``wijk``, with metres, nearest first.

        Measured from the street's nearest segment to the asset's point, or
        to its area of activity when that is nearer (straight lines in RD
        New). On PostGIS the database finds them by its indexes.
        """
        c = schema.streets.c
        query = select(c.id, c.geometry_wkb).where(c.wijk == wijk, c.name == street, c.in_wijk.is_(True))
        with self.db.read() as conn:
            rows = conn.execute(query).all()
            if not rows:
                return []
            if self.in_postgis:
                ranked = postgis.assets_near_street(conn, [r[0] for r in rows], distance_m, categories=categories)
                near = ASSETS.get_many(conn, [i for i, _ in ranked])
                return [(near[i], metres) for i, metres in ranked]
        street_line = shapely.union_all(shapely.from_wkb([r[1] for r in rows]))
        line = rd_geometry(street_line)
        nearby = self.assets_near(street_line.bounds, margin_m=distance_m)
        found: list[tuple[Asset, float]] = []
        for asset in (a for a in nearby if not categories or a.category.value in categories):
            metres = line.distance(rd_geometry(asset.point))
            if asset.area is not None:
                metres = min(metres, line.distance(rd_geometry(asset.area)))
            if metres <= distance_m:
                found.append((asset, float(metres)))
        return sorted(found, key=lambda pair: (pair[1], pair[0].id))

    def street_counts(
        self, distance_m: float, *, wijk: str | None = None, active_since: date | None = None
    ) -> pd.DataFrame:
        """The counted initiatives within ``distance_m`` of every segment of every wijk's own streets (or ``wijk``'s).

        Columns ``id``, ``wijk``, ``name``, ``length_m``, ``initiatives``, by
        segment id: the straight-line count of :func:`abcd.gaps.street_coverage`
        for a whole city or country at once. On PostGIS the database counts and
        only the figures reach the process; elsewhere the process reads the
        streets and the initiatives near them (:func:`abcd.gapmap.street_counts_here`).
        """
        if self.in_postgis:
            with self.db.read() as conn:
                return postgis.street_counts(conn, distance_m, wijk=wijk, active_since=active_since)
        from abcd.gapmap import street_counts_here

        return street_counts_here(self, distance_m, wijk=wijk, active_since=active_since)

    def wijk_gap_figures(self, distance_m: float, *, active_since: date | None = None) -> pd.DataFrame:
        """Per wijk, the gap figures of :meth:`street_counts` (:func:`abcd.gapmap.wijk_figures_of`): a whole
        country's overview. On PostGIS summed in the database, so the process receives one row per wijk."""
        if self.in_postgis:
            with self.db.read() as conn:
                return postgis.wijk_figures(conn, distance_m, active_since=active_since)
        from abcd.gapmap import wijk_figures_of

        return wijk_figures_of(self.street_counts(distance_m, active_since=active_since))

    def count_assets(self, *, wijk: str | None = None, source: Source | None = None) -> int:
        """How many live (not deleted) assets there are."""
        query = select(func.count()).select_from(schema.assets).where(schema.assets.c.deleted_at.is_(None))
        if wijk is not None:
            query = query.where(schema.assets.c.id.in_(_members(wijk)))
        if source is not None:
            query = query.where(schema.assets.c.source == source.value)
        with self.db.read() as conn:
            return int(conn.execute(query).scalar_one())

    def data_version(self, wijk: str | None = None) -> str:
        """A token that changes whenever an asset (of ``wijk``) is added, changed or removed.

        Caches key on it, so a page re-reads assets only after a change.
        """
        with self.db.read() as conn:
            return ASSETS.data_version(conn, *([schema.assets.c.id.in_(_members(wijk))] if wijk is not None else []))

    def assets_frame(self, *, wijk: str | None = None, include_private: bool = False) -> gpd.GeoDataFrame:
        """Live assets as a GeoDataFrame (WGS84 points; the ``area`` column holds areas or None)."""
        return assets_to_frame(self.list_assets(wijk=wijk), include_private=include_private)

    def history(self, asset_id: str) -> list[HistoryEntry]:
        """Every change of ``asset_id``, oldest first."""
        with self.db.read() as conn:
            return ASSETS.entries(conn, asset_id)

    def consent(self, asset_id: str) -> Consent | None:
        """The consent recorded for a person, or ``None``."""
        with self.db.read() as conn:
            row = conn.execute(select(schema.consents).where(schema.consents.c.asset_id == asset_id)).mappings().first()
        if row is None:
            return None

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
        with self.db.read() as conn:
            value = conn.execute(
                select(schema.wijken.c.requires_approval).where(schema.wijken.c.slug == slug)
            ).scalar_one_or_none()
        return bool(value)

    def set_requires_approval(self, slug: str, required: bool) -> None:
        with self.db.write() as conn:
            result = conn.execute(
                update(schema.wijken).where(schema.wijken.c.slug == slug).values(requires_approval=required)
            )
            if result.rowcount != 1:
                raise UnknownWijkError("error.unknown_wijk", value=slug, known="-")

    def approve(self, asset_id: str, *, by: str, expected_version: int | None = None) -> Asset:
        """Publish a pending asset."""
        now = utcnow()
        with self.db.write() as conn:
            current = ASSETS.get(conn, asset_id)
            if current.status is Status.APPROVED:
                return current
            new = replace(current, status=Status.APPROVED, version=current.version + 1, updated_by=by, updated_at=now)
            expected = current.version if expected_version is None else expected_version
            return ASSETS.change(conn, current, new, "approve", by=by, now=now, expected_version=expected)

    def confirm(self, asset_id: str, *, by: str, on: date | None = None) -> Asset:
        """Record that a builder saw the asset still there ("nog actief") today, or ``on``; in its history.

        Confirming twice on one day writes nothing the second time.
        """
        now = utcnow()
        day = on or local_time(now).date()
        with self.db.write() as conn:
            current = ASSETS.get(conn, asset_id)
            if current.is_deleted:
                raise NotFoundError("error.deleted", value=asset_id)
            if current.last_confirmed is not None and current.last_confirmed >= day:
                return current
            new = replace(current, last_confirmed=day, version=current.version + 1, updated_by=by, updated_at=now)
            return ASSETS.change(conn, current, new, "confirm", by=by, now=now, expected_version=current.version)

    def erase(self, asset_id: str, *, by: str) -> None:
        """Erase an asset and every personal trace of it (AVG/GDPR right to erasure).

        The row, its consent and its photos go; history rows keep only the pseudonymous id,
        the action, who changed it and when; one ``erase`` row records that
        erasure happened. On SQLite the write-ahead log is checkpointed and the
        file vacuumed, so the text is not left in free pages or the WAL; on
        PostgreSQL the touched tables are rewritten (``VACUUM FULL``), so no old
        row version keeps it in their files (see :meth:`abcd.db.Database.compact`).
        """
        with self.db.write() as conn:
            ASSETS.get(conn, asset_id)  # NotFoundError for an unknown id
            conn.execute(delete(schema.consents).where(schema.consents.c.asset_id == asset_id))
            conn.execute(delete(schema.photos).where(schema.photos.c.asset_id == asset_id))  # not only by cascade
            conn.execute(delete(schema.assets).where(schema.assets.c.id == asset_id))
            ASSETS.forget_values(conn, asset_id, by=by, now=utcnow())
        self.db.compact(_PERSONAL_TABLES)

    def move_person(self, asset_id: str, *, lon: float, lat: float, buurt: str) -> None:
        """Put a resident at ``(lon, lat)`` in ``buurt`` and scrub any earlier point from their history.

        For residents stored before people were kept at buurt level: their old
        point may be a home, so it leaves the row and every history entry.
        """
        with self.db.write() as conn:
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
            self._place(conn, [ASSETS.get(conn, asset_id)])
        self.db.compact(_PERSONAL_TABLES)

    def compact(self) -> None:
        """Rewrite the database so deleted text is gone from its files (SQLite: free pages and the WAL too)."""
        self.db.compact(schema.metadata.sorted_tables)

    def purge_examples(self) -> int:
        """Remove every example asset and its history for good; returns how many.

        Example data is invented, so it is erased rather than soft-deleted:
        nothing of it should linger in a neighbourhood's real record.
        """
        with self.db.write() as conn:
            ids = list(
                conn.execute(select(schema.assets.c.id).where(schema.assets.c.source == Source.EXAMPLE.value)).scalars()
            )
            if ids:
                conn.execute(delete(schema.asset_history).where(schema.asset_history.c.asset_id.in_(ids)))
                conn.execute(delete(schema.assets).where(schema.assets.c.id.in_(ids)))
        return len(ids)


# ---------------------------------------------------------------------- rows
def _opt_text(value: Any) -> str | None:
    if is_missing(value):
        return None
    text = str(value).strip()
    return text or None


def _column(frame: pd.DataFrame, name: str) -> list[Any]:
    return list(frame[name]) if name in frame.columns else [None] * len(frame)


def _members(wijk: str) -> Select[tuple[str]]:
    """The ids of the assets that lie in area ``wijk``."""
    return select(schema.asset_areas.c.asset_id).where(schema.asset_areas.c.wijk == wijk)


def _wijk_from_row(row: Any) -> WijkRecord:
    return WijkRecord(
        slug=row["slug"],
        name=row["name"],
        kind=row["kind"],
        cbs_code=row["cbs_code"],
        population=row["population"],
        boundary=shapely.from_wkb(row["boundary_wkb"]),
        gemeente=row["gemeente"],
    )


def _moved(values: str | None, lon: float, lat: float, buurt: str) -> str | None:
    if not values:
        return values
    data = json.loads(values)
    data.update(lon=lon, lat=lat, buurt=buurt)
    return json.dumps(data, ensure_ascii=False)


# The fields a new asset takes from its draft (RecordKind.new), last_confirmed apart.
_WRITABLE = tuple(f.name for f in declared_fields(Asset) if field_info(f).writable and f.name != "last_confirmed")
_writable_of = operator.attrgetter(*_WRITABLE)


def _new_ids(count: int) -> list[str]:
    """``count`` fresh asset ids, as :func:`~abcd.model.new_asset_id` makes them (random UUIDs), made at once."""
    raw = np.frombuffer(os.urandom(16 * count), dtype=np.uint8).reshape(count, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    text = raw.tobytes().hex()
    return [
        "-".join(
            (text[k : k + 8], text[k + 8 : k + 12], text[k + 12 : k + 16], text[k + 16 : k + 20], text[k + 20 : k + 32])
        )
        for k in range(0, 32 * count, 32)
    ]


def _insert_new(conn: Connection, drafts: Sequence[AssetDraft], *, by: str, now: datetime) -> list[Asset]:
    """Insert new assets, their consents and their ``create`` history rows (imports of thousands: in bulk)."""
    today = local_time(now).date()
    ids = iter(_new_ids(sum(1 for d in drafts if not d.id)))
    created = [
        Asset(
            **dict(zip(_WRITABLE, _writable_of(d), strict=True)),
            last_confirmed=d.last_confirmed or today,
            id=d.id or next(ids),
            version=1,
            created_by=by,
            created_at=now,
            updated_by=by,
            updated_at=now,
        )
        for d in drafts
    ]  # ASSETS.new of each draft with last_confirmed set, without a copy of the draft (imports make thousands)
    ASSETS.insert(conn, created, by=by, now=now)
    for draft, asset in zip(drafts, created, strict=True):
        _save_consent(conn, asset.id, draft.consent, now=now)
    return created


def _keep_confirmed(draft: AssetDraft, current: Asset) -> AssetDraft:
    """An edit that says nothing about ``last_confirmed`` keeps the stored date (it never clears it)."""
    if draft.last_confirmed is None or (current.last_confirmed and draft.last_confirmed < current.last_confirmed):
        return replace(draft, last_confirmed=current.last_confirmed)
    return draft


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


def assets_to_frame(items: Sequence[Asset], *, include_private: bool = False) -> gpd.GeoDataFrame:
    """Assets as a GeoDataFrame with the interchange columns (WGS84 points, ``area`` beside them).

    The columns follow the asset's declared fields (:data:`abcd.model.INTERCHANGE_COLUMNS`);
    private ones (``contact``) are only included on request, at the end.
    """
    private = [name for name in interchange_fields(AssetFields, private=True) if name not in INTERCHANGE_COLUMNS]
    names = [*INTERCHANGE_COLUMNS, "area", *(private if include_private else [])]
    frame = pd.DataFrame({name: [plain_value(getattr(a, name)) for a in items] for name in names})
    frame["resident_led"] = frame["resident_led"].astype(object)
    geometry = gpd.points_from_xy([a.lon for a in items], [a.lat for a in items], crs=WGS84)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)
