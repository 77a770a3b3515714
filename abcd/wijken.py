"""The neighbourhoods ``abcd`` knows: boundaries, population and streets from open data.

The catalogue is built from the shipped CBS 2024 files in ``data/wijken``:

- ``bospolder-tussendijken``: Rotterdam's own wijk, the union of the CBS
  buurten Bospolder and Tussendijken (14,950 residents), the default;
- every CBS *wijk* of Rotterdam, slug ``wijk-<name>`` (``wijk-delfshaven``);
- every CBS *buurt* of Rotterdam with a boundary, slug ``<name>`` (``bospolder``).

CBS codes (``WK059903``, ``BU05990321``) are accepted wherever a slug is.
A wijk is *onboarded* into the store (boundary, population, streets) the first
time it is used; streets come from the city-wide OpenStreetMap file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from abcd.errors import OutsideWijkError, UnknownWijkError
from abcd.model import RD_NEW, WGS84
from abcd.store import Store, WijkRecord

BOTU_SLUG = "bospolder-tussendijken"
BOUNDARY_TOLERANCE_M = 15.0  # the CBS boundaries are generalised; a kerb-side point still counts
STREETS_FILE = "rotterdam_streets_osm.geojson"

KIND_GEBIED = "gebied"  # Rotterdam's own wijk (gebiedsindeling)
KIND_CBS_WIJK = "cbs_wijk"
KIND_CBS_BUURT = "cbs_buurt"


@dataclass(frozen=True, slots=True)
class Wijk:
    """A selectable neighbourhood from the open-data catalogue."""

    slug: str
    name: str
    kind: str
    code: str | None
    population: int | None
    boundary: BaseGeometry  # WGS84
    parent: str | None = None  # the CBS wijk a buurt belongs to

    def record(self) -> WijkRecord:
        return WijkRecord(
            slug=self.slug,
            name=self.name,
            kind=self.kind,
            cbs_code=self.code,
            population=self.population,
            boundary=self.boundary,
        )

    def label(self) -> str:
        """Name with its level, for pickers: ``Bospolder (buurt, Delfshaven)``."""
        if self.kind == KIND_CBS_BUURT:
            return f"{self.name} (buurt, {self.parent})" if self.parent else f"{self.name} (buurt)"
        if self.kind == KIND_CBS_WIJK:
            return f"{self.name} (CBS-wijk)"
        return self.name


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens.

    >>> slugify("Bospolder-Tussendijken")
    'bospolder-tussendijken'
    >>> slugify("Kralingen-Oost / Kralingse Bos")
    'kralingen-oost-kralingse-bos'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _population(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)  # type: ignore[call-overload]


@lru_cache(maxsize=4)
def wijk_catalogue(wijken_dir: Path) -> dict[str, Wijk]:
    """Every selectable wijk, keyed by slug, BoTu first.

    Read once per data folder: the files are small and never change while
    the app runs.
    """
    catalogue: dict[str, Wijk] = {}
    botu = gpd.read_file(wijken_dir / "botu_wijk.geojson").to_crs(WGS84)
    row = botu.iloc[0]
    catalogue[BOTU_SLUG] = Wijk(
        slug=BOTU_SLUG,
        name=str(row["gebiedsnaam"]),
        kind=KIND_GEBIED,
        code=None,
        population=_population(row["aantal_inwoners"]),
        boundary=row.geometry,
        parent=str(row["cbs_wijknaam"]),
    )
    cbs_wijken = gpd.read_file(wijken_dir / "rotterdam_wijken_cbs2024.geojson").to_crs(WGS84)
    for row in cbs_wijken.sort_values("wijknaam").itertuples():
        slug = f"wijk-{slugify(str(row.wijknaam))}"
        catalogue[slug] = Wijk(
            slug=slug,
            name=str(row.wijknaam),
            kind=KIND_CBS_WIJK,
            code=str(row.wijkcode),
            population=_population(row.aantal_inwoners),
            boundary=row.geometry,
        )
    buurten = gpd.read_file(wijken_dir / "rotterdam_buurten_cbs2024.geojson").to_crs(WGS84)
    for row in buurten.sort_values("buurtnaam").itertuples():
        slug = slugify(str(row.buurtnaam))
        if slug in catalogue:  # no clash today; keep slugs unique if CBS adds one
            slug = f"{slug}-{str(row.buurtcode).lower()}"
        catalogue[slug] = Wijk(
            slug=slug,
            name=str(row.buurtnaam),
            kind=KIND_CBS_BUURT,
            code=str(row.buurtcode),
            population=_population(row.aantal_inwoners),
            boundary=row.geometry,
            parent=str(row.wijknaam),
        )
    return catalogue


def find_wijk(catalogue: dict[str, Wijk], key: str) -> Wijk:
    """The wijk with slug, CBS code or exact name ``key`` (case-insensitive)."""
    wanted = key.strip().lower()
    if wanted in catalogue:
        return catalogue[wanted]
    for wijk in catalogue.values():
        if (wijk.code and wijk.code.lower() == wanted) or wijk.name.lower() == wanted:
            return wijk
    if slugify(key) in catalogue:
        return catalogue[slugify(key)]
    close = [s for s in catalogue if wanted[:4] and wanted[:4] in s][:5] or list(catalogue)[:5]
    raise UnknownWijkError("error.unknown_wijk", value=key, known=", ".join(close))


@cache
def _to_rd() -> Transformer:
    """WGS84 to RD New, built on first use (not at import) and then shared (pyproj transformers are thread-safe)."""
    return Transformer.from_crs(WGS84, RD_NEW, always_xy=True)


@lru_cache(maxsize=256)
def _rd(geometry: BaseGeometry) -> BaseGeometry:
    """A boundary in RD New, prepared for fast distance tests; cached (imports test every row)."""
    projected = shapely.transform(geometry, lambda xy: np.column_stack(_to_rd().transform(xy[:, 0], xy[:, 1])))
    shapely.prepare(projected)
    return projected


def contains(wijk: Wijk | WijkRecord, lon: float, lat: float, *, tolerance_m: float = BOUNDARY_TOLERANCE_M) -> bool:
    """Whether the point lies in the wijk, allowing ``tolerance_m`` for generalised boundaries."""
    x, y = _to_rd().transform(lon, lat)
    return bool(shapely.dwithin(_rd(wijk.boundary), shapely.Point(x, y), tolerance_m))


def wijken_at(catalogue: dict[str, Wijk], lon: float, lat: float) -> list[Wijk]:
    """Catalogue wijken whose boundary contains the point, smallest area first."""
    point = shapely.Point(lon, lat)
    hits = [w for w in catalogue.values() if w.boundary.covers(point)]
    return sorted(hits, key=lambda w: w.boundary.area)


def check_in_wijk(catalogue: dict[str, Wijk], wijk: Wijk | WijkRecord, lon: float, lat: float) -> None:
    """Refuse a point outside ``wijk``, naming the wijk it does lie in (the pages offer to move it there).

    A Rotterdam-level wijk (like BoTu) is matched by another one of the same
    kind first, then by the CBS buurt, which always exists inside the city.
    """
    if contains(wijk, lon, lat):
        return
    hits = [w for w in wijken_at(catalogue, lon, lat) if w.slug != wijk.slug]
    if not hits:
        raise OutsideWijkError("error.outside_all", wijk=wijk.name)
    same_kind = [w for w in hits if w.kind == wijk.kind]
    actual = (same_kind or hits)[0]
    raise OutsideWijkError("error.outside_wijk_in", wijk=wijk.name, actual=actual.name, actual_slug=actual.slug)


def streets_in(wijk: Wijk, wijken_dir: Path) -> gpd.GeoDataFrame:
    """OSM street segments that touch the wijk (whole segments, so boundary streets count too)."""
    city = _city_streets(wijken_dir)
    hits = city.sindex.query(wijk.boundary, predicate="intersects")
    return city.iloc[sorted(hits)].reset_index(drop=True)


@lru_cache(maxsize=2)
def _city_streets(wijken_dir: Path) -> gpd.GeoDataFrame:
    frame = gpd.read_file(wijken_dir / STREETS_FILE, columns=["name", "highway", "osm_id"], use_arrow=True)
    return frame.set_crs(WGS84, allow_override=True)


def onboard_wijk(store: Store, wijk: Wijk, wijken_dir: Path) -> int:
    """Store a wijk's boundary, population and streets; returns the number of street segments.

    Safe to repeat: the wijk's streets are replaced, its assets are untouched.
    """
    streets = streets_in(wijk, wijken_dir)
    store.save_wijk(wijk.record(), streets)
    return len(streets)


def ensure_wijk(store: Store, catalogue: dict[str, Wijk], key: str, wijken_dir: Path) -> Wijk:
    """The wijk ``key``, onboarded into the store if it is not there yet."""
    wijk = find_wijk(catalogue, key)
    if not store.has_wijk(wijk.slug):
        onboard_wijk(store, wijk, wijken_dir)
    return wijk
