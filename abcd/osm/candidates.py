"""OpenStreetMap places as candidate assets: read an extract, keep what the tag table calls an asset, store.

Three steps, each one function:

:func:`read_features`
    The points and (multi)polygons of an ``.osm`` or ``.osm.pbf`` extract,
    read through GDAL's OSM driver (pyogrio; no network), each with its
    ``osm_id`` (``node/1``, ``way/2``, ``relation/3``) and all its tags.
:func:`candidates_from_features`
    Pure: the objects that are assets by :mod:`abcd.osm.tags` and lie in the
    wijk, as drafts with ``source=osm`` and ``status=pending``. A polygon
    becomes a point inside it (``point_on_surface``); a place or initiative
    keeps the polygon as its area when it is at most :data:`MAX_AREA_M2`.
:func:`import_candidates`
    Stores them (``abcd osm import``), never twice: a candidate is found
    again by its ``osm_id``, and updated only while nobody but OpenStreetMap
    imports ever changed it. What a builder edited, approved or deleted is
    left alone; a deleted candidate does not come back. A new candidate that
    looks like an asset already there (:mod:`abcd.duplicates`) is left out.

Who wrote what is in the history: an OpenStreetMap import writes as
``osm:<who ran it>`` (:func:`osm_actor`), so "nobody changed it since the
last import" means every history entry of the candidate is such a write.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select

from abcd import io, limits, schema
from abcd.assets import prepare_drafts
from abcd.batches import NewBatch
from abcd.duplicates import RADIUS_M, find_duplicates
from abcd.errors import ImportFileError, ValidationError
from abcd.i18n import Lang, t
from abcd.model import AREA_CATEGORIES, WGS84, Asset, AssetDraft, Source, Status, validate_asset
from abcd.osm.tags import TagRule, rule_for
from abcd.permissions import CLI_USER, Permission, User, require
from abcd.places import Area, AreaIndex, rd_geometry
from abcd.records import ACTOR_MAX
from abcd.store import ASSETS, Store
from abcd.wijken import Catalogue, Wijk, areas_to_store, ensure_wijk, find_wijk

OSM_FORMATS: Final = (".osm", ".osm.pbf")
"""The extracts :func:`read_features` reads."""
MAX_OSM_FILE_BYTES: Final = 512 * 1024 * 1024
"""Largest extract read by default: a province fits, a country does not (the same as a street file)."""
MAX_AREA_M2: Final = 500_000.0
"""A polygon up to 50 ha stays a place's area (Rotterdam's Het Park is 28 ha); a larger one is only a point."""
LAYERS: Final = ("multipolygons", "points")
"""The layers of GDAL's OSM driver that hold assets: closed ways and multipolygon relations, then nodes."""
OSM_ACTOR_PREFIX: Final = "osm:"
"""How the history names an OpenStreetMap import's writes: ``osm:`` and who ran it."""
NAME_TAGS: Final = ("name", "name:nl", "official_name")
"""The tags an object's name is taken from, first found first."""

_MARGIN_DEG = 0.001  # read a little around the wijk's box: the boundary tolerance and polygons across it
_KIND_ORDER = {"relation": 0, "way": 1, "node": 2}  # polygons before points: of a mapped pair, the one with an area
# One "key"=>"value" pair of GDAL's other_tags (hstore-like; \" and \\ are escaped inside the quotes).
_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*(?:"((?:[^"\\]|\\.)*)"|(NULL))', re.DOTALL)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_NOT_TAGS = frozenset({"osm_id", "osm_way_id", "other_tags", "geometry"})


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def parse_other_tags(text: Any) -> dict[str, str]:
    r"""The tags of GDAL's ``other_tags`` column: ``"key"=>"value"`` pairs, as a dict.

    Quotes and backslashes inside a key or value come escaped (``\"``,
    ``\\``); ``=>`` and commas inside the quotes are text. A pair with a
    ``NULL`` value and anything that is no pair are skipped; an empty or
    missing cell has no tags.

    >>> parse_other_tags('"amenity"=>"cafe","note"=>"a \\"b\\", c=>d"')
    {'amenity': 'cafe', 'note': 'a "b", c=>d'}
    >>> parse_other_tags(None)
    {}
    """
    if not isinstance(text, str) or not text:
        return {}
    return {
        _ESCAPE.sub(r"\1", key): _ESCAPE.sub(r"\1", value)
        for key, value, null in _PAIR.findall(text)
        if key and not null
    }


def read_features(
    path: str | Path,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    max_bytes: int = MAX_OSM_FILE_BYTES,
) -> gpd.GeoDataFrame:
    """The points and (multi)polygons of an OpenStreetMap extract, with their ids and all their tags.

    Parameters
    ----------
    path
        An ``.osm`` (XML) or ``.osm.pbf`` file.
    bbox
        Only objects that touch this box (WGS84: min lon, min lat, max lon,
        max lat); the whole file when ``None``.
    max_bytes
        Larger files are refused before they are read.

    Returns
    -------
    geopandas.GeoDataFrame
        ``osm_id`` (``node/1``, ``way/2``, ``relation/3``), ``tags`` (a dict
        per object: GDAL's columns and its ``other_tags`` together) and the
        geometry in WGS84: polygons (closed ways and multipolygon relations)
        first, then nodes, each by id. Lines (open ways) are not read: a
        street or a fence is no asset.

    Raises
    ------
    ImportFileError
        For another file type, a missing, empty, too large or unreadable file,
        or more objects than :data:`abcd.limits.MAX_STREET_FEATURES`.
    """
    path = Path(path)
    if not path.name.lower().endswith(OSM_FORMATS):
        raise ImportFileError("error.file_format", suffix=path.suffix or path.name, allowed=", ".join(OSM_FORMATS))
    io.check_file(path, max_bytes=max_bytes)
    frames = [_read_layer(path, layer, bbox) for layer in LAYERS]
    ids = [i for f in frames for i in f["osm_id"]]
    tags = [x for f in frames for x in f["tags"]]
    geometry = [g for f in frames for g in f["geometry"]]
    out = gpd.GeoDataFrame({"osm_id": ids, "tags": tags}, geometry=gpd.GeoSeries(geometry, crs=WGS84), crs=WGS84)
    if out.empty:
        return out
    order = sorted(range(len(out)), key=lambda k: _id_order(ids[k]))
    return out.iloc[order].reset_index(drop=True)


def _read_layer(path: Path, layer: str, bbox: tuple[float, float, float, float] | None) -> dict[str, list[Any]]:
    try:
        frame = pyogrio.read_dataframe(path, layer=layer, bbox=bbox, max_features=limits.MAX_STREET_FEATURES + 1)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc).splitlines()[0]) from None
    if len(frame) > limits.MAX_STREET_FEATURES:
        raise ImportFileError(
            "error.too_many_rows", count=f"{limits.MAX_STREET_FEATURES}+", max=limits.MAX_STREET_FEATURES
        )
    geoms = np.asarray(frame.geometry.values)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    frame = frame[keep]
    columns = [c for c in frame.columns if c not in _NOT_TAGS]
    records = frame[columns].to_dict("records") if columns else [{} for _ in range(len(frame))]
    others = frame["other_tags"].tolist() if "other_tags" in frame.columns else [None] * len(frame)
    tags = [
        {**{k: str(v) for k, v in row.items() if not _missing(v)}, **parse_other_tags(other)}
        for row, other in zip(records, others, strict=True)
    ]
    return {"osm_id": _osm_ids(frame, layer), "tags": tags, "geometry": list(frame.geometry.values)}


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def _osm_ids(frame: pd.DataFrame, layer: str) -> list[str]:
    """``node/1`` for a point; ``way/2`` for a closed way and ``relation/3`` for a multipolygon relation."""
    if layer == "points":
        return [f"node/{i}" for i in frame["osm_id"]]
    ways = frame["osm_way_id"] if "osm_way_id" in frame.columns else pd.Series([None] * len(frame), index=frame.index)
    return [
        f"way/{way}" if not _missing(way) else f"relation/{rel}" for rel, way in zip(frame["osm_id"], ways, strict=True)
    ]


def _id_order(osm_id: str) -> tuple[int, int]:
    kind, _, number = osm_id.partition("/")
    return _KIND_ORDER.get(kind, len(_KIND_ORDER)), int(number) if number.isdigit() else 0


# --------------------------------------------------------------------------
# Candidates (pure)
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidates:
    """The drafts an extract proposes for a wijk, and what was left out before storing (and why)."""

    drafts: tuple[AssetDraft, ...]
    read: int  # objects read around the wijk
    not_assets: int  # no row of the tag table
    unnamed: int  # an organisation without a name
    unusable: int  # a name or a shape that validation refuses
    outside: int  # assets near the wijk, not in it


def candidates_from_features(
    features: gpd.GeoDataFrame,
    wijk: Wijk,
    *,
    catalogue: Mapping[str, Wijk],
    lang: Lang = "nl",
) -> Candidates:
    """The objects of ``features`` (:func:`read_features`) that are assets and lie in ``wijk``, as drafts.

    Each draft has ``source=osm``, ``status=pending``, its ``osm_id``, the
    category of its row in :data:`abcd.osm.tags.TAG_TABLE` and a description
    naming the tag (``OpenStreetMap: leisure=playground``). An object lies in
    the wijk when its point does, by the rule every asset is placed by
    (:mod:`abcd.places`, the boundary tolerance included). An object without
    a name gets its row's descriptive name in ``lang`` (Dutch: a wijk's data
    is in its own language, whatever language the command speaks), or is
    left out when its row has none.

    >>> from shapely.geometry import Point, box
    >>> area = Wijk("w", "W", "custom", None, None, box(4.40, 51.90, 4.45, 51.95))
    >>> frame = gpd.GeoDataFrame({"osm_id": ["node/1", "node/2"],
    ...     "tags": [{"leisure": "playground"}, {"amenity": "bench"}]},
    ...     geometry=[Point(4.42, 51.92), Point(4.42, 51.93)], crs=WGS84)
    >>> found = candidates_from_features(frame, area, catalogue={"w": area})
    >>> [(d.name, d.category.value, d.osm_id, d.status.value) for d in found.drafts], found.not_assets
    ([('Speeltuin', 'place', 'node/1', 'pending')], 1)
    """
    not_assets = unnamed = unusable = 0
    raws: list[dict[str, Any]] = []
    for osm_id, tags, geometry in zip(features["osm_id"], features["tags"], features.geometry, strict=True):
        rule = rule_for(tags)
        if rule is None:
            not_assets += 1
            continue
        name = _name(tags, rule, lang)
        if name is None:
            unnamed += 1
            continue
        raws.append(_raw(osm_id, tags, geometry, rule, name, wijk.slug))
    inside = _in_wijk(raws, wijk, catalogue)
    drafts: list[AssetDraft] = []
    for raw, here in zip(raws, inside, strict=True):
        if not here:
            continue
        draft = _validated(raw)
        if draft is None:
            unusable += 1
            continue
        drafts.append(draft)
    return Candidates(
        drafts=tuple(drafts),
        read=len(features),
        not_assets=not_assets,
        unnamed=unnamed,
        unusable=unusable,
        outside=len(raws) - sum(inside),
    )


def _name(tags: Mapping[str, str], rule: TagRule, lang: Lang) -> str | None:
    for key in NAME_TAGS:
        value = " ".join(str(tags.get(key) or "").split())
        if value:
            return value
    return t(rule.unnamed, lang) if rule.unnamed else None


def _raw(
    osm_id: str, tags: Mapping[str, str], geometry: BaseGeometry, rule: TagRule, name: str, wijk: str
) -> dict[str, Any]:
    """The raw values of a candidate, as a form or a file row gives them to :func:`validate_asset`."""
    point = geometry if geometry.geom_type == "Point" else geometry.point_on_surface()
    area = _area(geometry) if rule.category in AREA_CATEGORIES else None
    return {
        "name": name,
        "category": rule.category.value,
        "description": f"OpenStreetMap: {rule.key}={tags.get(rule.key, rule.value)}",
        "lon": round(point.x, 7),
        "lat": round(point.y, 7),
        "wijk": wijk,
        "source": Source.OSM.value,
        "osm_id": osm_id,
        "area": area,
    }


def _area(geometry: BaseGeometry) -> BaseGeometry | None:
    """The polygon a place keeps as its area: valid, at most :data:`MAX_AREA_M2` and not too detailed."""
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    if shapely.get_num_coordinates(geometry) > limits.MAX_GEOMETRY_VERTICES:
        return None
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
        if geometry.geom_type not in ("Polygon", "MultiPolygon"):
            return None
    if geometry.geom_type == "MultiPolygon" and len(geometry.geoms) == 1:
        geometry = geometry.geoms[0]
    if not 0 < rd_geometry(geometry).area <= MAX_AREA_M2:
        return None
    return geometry


def _in_wijk(raws: Sequence[Mapping[str, Any]], wijk: Wijk, catalogue: Mapping[str, Wijk]) -> list[bool]:
    """Whether each candidate's point lies in ``wijk`` by the rule assets are placed by (:mod:`abcd.places`)."""
    if not raws:
        return []
    if isinstance(catalogue, Catalogue):
        index = catalogue.index
    else:  # a plain mapping (tests, notebooks): its areas and the wijk
        index = AreaIndex(Area(w.slug, w.kind, w.boundary) for w in {**catalogue, wijk.slug: wijk}.values())
    found = index.membership([r["lon"] for r in raws], [r["lat"] for r in raws])
    return [wijk.slug in slugs for slugs in found]


def _validated(raw: dict[str, Any]) -> AssetDraft | None:
    """The pending draft of ``raw``; without its area when only that is refused; ``None`` when unusable."""
    for values in (raw, {**raw, "area": None}) if raw["area"] is not None else (raw,):
        try:
            return replace(validate_asset(values, default_source=Source.OSM), status=Status.PENDING)
        except ValidationError:
            continue
    return None


# --------------------------------------------------------------------------
# Storing
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OsmImportResult:
    """What ``abcd osm import`` did in one wijk."""

    wijk: str  # the wijk's name
    created: int  # new candidates
    updated: int  # candidates brought up to date with OpenStreetMap
    unchanged: int  # candidates OpenStreetMap says nothing new about
    left_alone: int  # candidates a builder edited, approved or deleted
    duplicates: int  # new candidates left out: they look like an asset already there
    unnamed: int  # organisations without a name, left out
    unusable: int  # objects whose name or shape validation refuses
    read: int  # objects read around the wijk
    batch: int | None = None  # the import's batch id (abcd.batches)


def osm_actor(by: str) -> str:
    """How the history names a write of an OpenStreetMap import run by ``by``.

    >>> osm_actor("cli:ans")
    'osm:cli:ans'
    """
    return f"{OSM_ACTOR_PREFIX}{by}"[:ACTOR_MAX]


def import_candidates(
    store: Store,
    path: str | Path,
    *,
    wijk: str,
    catalogue: Mapping[str, Wijk],
    wijken_dir: Path,
    by: str,
    user: User = CLI_USER,
    max_bytes: int = MAX_OSM_FILE_BYTES,
) -> OsmImportResult:
    """Propose the assets of an OpenStreetMap extract in ``wijk`` as candidates awaiting approval.

    New objects become pending ``source=osm`` assets. An object proposed
    before (the same ``osm_id``) updates its candidate only while that is
    pending and nobody but OpenStreetMap imports changed it
    (:func:`untouched`); an edited, approved or deleted one is left alone.
    A new object that looks like a live asset (within 50 m, a similar name)
    or like an earlier object of the same extract is left out and counted.
    Everything is stored in one transaction, as one import batch (:meth:`Store.import_many`);
    ``by`` is who ran the import, written as :func:`osm_actor`.
    """
    require(user, Permission.IMPORT, wijk=find_wijk(catalogue, wijk).slug)
    home = ensure_wijk(store, catalogue, wijk, wijken_dir)
    minx, miny, maxx, maxy = home.boundary.bounds
    box = (minx - _MARGIN_DEG, miny - _MARGIN_DEG, maxx + _MARGIN_DEG, maxy + _MARGIN_DEG)
    found = candidates_from_features(read_features(path, bbox=box, max_bytes=max_bytes), home, catalogue=catalogue)
    stored = stored_by_osm_id(store, [d.osm_id for d in found.drafts if d.osm_id])
    free = untouched(store, [a.id for group in stored.values() for a in group])
    new: list[AssetDraft] = []
    updates: list[AssetDraft] = []
    expected: dict[str, int] = {}
    left_alone = 0
    for draft in found.drafts:
        group = stored.get(draft.osm_id or "", [])
        if not group:
            new.append(draft)
            continue
        current = group[0]
        if len(group) > 1 or current.is_deleted or not current.is_pending or current.id not in free:
            left_alone += 1
            continue
        updates.append(replace(draft, id=current.id))
        expected[current.id] = current.version
    kept = _without_duplicates(store, new)
    drafts = [*updates, *kept]
    prepared = [replace(d, status=Status.PENDING) for d in prepare_drafts(store, catalogue, drafts, user=user)]
    areas = areas_to_store(store, catalogue, [d.lon for d in prepared], [d.lat for d in prepared])
    written = store.import_many(
        prepared,
        by=osm_actor(by),
        expected_versions=expected,
        areas=areas,
        batch=NewBatch("osm", Path(path).name, found.read),  # undone with ``abcd imports undo`` (abcd.batches)
    )
    created, updated = written.created, written.updated
    return OsmImportResult(
        wijk=home.name,
        created=len(created),
        updated=len(updated),
        unchanged=len(updates) - len(updated),
        left_alone=left_alone,
        duplicates=len(new) - len(kept),
        unnamed=found.unnamed,
        unusable=found.unusable,
        read=found.read,
        batch=written.batch_id,
    )


def _without_duplicates(store: Store, drafts: Sequence[AssetDraft]) -> list[AssetDraft]:
    """``drafts`` without those that look like a live asset, or like an earlier draft (:mod:`abcd.duplicates`)."""
    if not drafts:
        return []
    lons, lats = [d.lon for d in drafts], [d.lat for d in drafts]
    near = store.assets_near((min(lons), min(lats), max(lons), max(lats)), margin_m=RADIUS_M * 1.5)
    suspected = {s.draft for s in find_duplicates(drafts, near)}
    return [d for k, d in enumerate(drafts) if k not in suspected]


def stored_by_osm_id(store: Store, osm_ids: Iterable[str]) -> dict[str, list[Asset]]:
    """The stored assets (deleted ones too) that came from each of ``osm_ids``, oldest first."""
    wanted = sorted(set(osm_ids))
    found: dict[str, list[Asset]] = {}
    column = schema.assets.c.osm_id
    with store.db.read() as conn:
        for start in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
            query = (
                select(schema.assets)
                .where(column.in_(wanted[start : start + 500]))
                .order_by(schema.assets.c.created_at, schema.assets.c.id)
            )
            for row in conn.execute(query).mappings():
                asset = ASSETS.from_row(row)
                found.setdefault(str(asset.osm_id), []).append(asset)
    return found


def untouched(store: Store, asset_ids: Iterable[str]) -> frozenset[str]:
    """Those of ``asset_ids`` that nobody but OpenStreetMap imports ever changed (their whole history)."""
    wanted = sorted(set(asset_ids))
    touched: set[str] = set()
    seen: set[str] = set()
    history = schema.asset_history
    with store.db.read() as conn:
        for start in range(0, len(wanted), 500):
            query = select(history.c.asset_id, history.c.changed_by).where(
                history.c.asset_id.in_(wanted[start : start + 500])
            )
            for asset_id, changed_by in conn.execute(query):
                seen.add(asset_id)
                if not str(changed_by).startswith(OSM_ACTOR_PREFIX):
                    touched.add(asset_id)
    return frozenset(seen - touched)


__all__ = [
    "LAYERS",
    "MAX_AREA_M2",
    "MAX_OSM_FILE_BYTES",
    "OSM_ACTOR_PREFIX",
    "OSM_FORMATS",
    "Candidates",
    "OsmImportResult",
    "candidates_from_features",
    "import_candidates",
    "osm_actor",
    "parse_other_tags",
    "read_features",
    "stored_by_osm_id",
    "untouched",
]
