"""The neighbourhoods ``abcd`` knows: boundaries, population and streets from open data.

The catalogue is built from the shipped files in ``data/wijken``:

- ``bospolder-tussendijken``: Rotterdam's own wijk, the union of the CBS
  buurten Bospolder and Tussendijken (14,950 residents), the default;
- every CBS *wijk* of Rotterdam (2024), slug ``wijk-<name>`` (``wijk-delfshaven``);
- every CBS *buurt* of Rotterdam (2024) with a boundary, slug ``<name>`` (``bospolder``);
- every other CBS wijk of the Netherlands (2022), slug ``<gemeente>-<name>``
  (``amsterdam-overtoomse-veld``): where both years exist (Rotterdam), the newer wins;
- every gemeente (2022), slug ``gemeente-<name>`` (``gemeente-delft``).

CBS codes (``WK059903``, ``BU05990321``, ``GM0503``) are accepted wherever a
slug is, and so is a name, with its gemeente where the name alone is not
unique (``Centrum, Groningen``). Areas a user adds (``abcd wijken add``) live
in the database and join the catalogue there (:func:`full_catalogue`).
A wijk is *onboarded* into the store (boundary, population, streets) the first
time it is used; its streets come from the shipped OpenStreetMap files
(:func:`walking_streets`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from abcd.errors import ImportFileError, OutsideWijkError, UnknownWijkError, ValidationError
from abcd.i18n import Term
from abcd.model import NL_BOUNDS, WGS84
from abcd.places import TOLERANCE_M, Area, AreaIndex, rd_geometry, rd_points, wgs84_geometry
from abcd.store import KIND_CUSTOM, Store, WijkRecord
from abcd.streets import (
    ORIGIN_PATHS,
    ORIGIN_STREETS,
    walkable,
    walking_network,
)

BOTU_SLUG = "bospolder-tussendijken"
BOUNDARY_TOLERANCE_M = TOLERANCE_M  # the CBS boundaries are generalised; a kerb-side point still counts
STREETS_FILE = "rotterdam_streets_osm.geojson"
FOOTPATHS_FILE = "delfshaven_roads_osm_unnamed.geojson"

KIND_GEBIED = "gebied"  # Rotterdam's own wijk (gebiedsindeling)
KIND_CBS_WIJK = "cbs_wijk"
KIND_CBS_BUURT = "cbs_buurt"
KIND_GEMEENTE = "gemeente"
NATIONAL_WIJKEN_FILE = "nl_wijken_cbs2022.geojson"
GEMEENTEN_FILE = "nl_gemeenten_cbs2022.geojson"
ROTTERDAM_CODE = "GM0599"  # its 2024 wijken and buurten replace the national 2022 ones
ROTTERDAM_YEAR = 2024  # of the Rotterdam files' CBS figures
NATIONAL_YEAR = 2022  # of the national wijken and gemeenten


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
    gemeente: str | None = None
    figures_year: int | None = None  # of the CBS figures (population); None for an area a user added

    def record(self) -> WijkRecord:
        return WijkRecord(
            slug=self.slug,
            name=self.name,
            kind=self.kind,
            cbs_code=self.code,
            population=self.population,
            boundary=self.boundary,
            gemeente=self.gemeente,
        )

    @classmethod
    def from_record(cls, record: WijkRecord) -> Wijk:
        """A wijk as the store keeps it (for the areas users added)."""
        return cls(
            slug=record.slug,
            name=record.name,
            kind=record.kind,
            code=record.cbs_code,
            population=record.population,
            boundary=record.boundary,
            gemeente=record.gemeente,
        )

    def label(self) -> str:
        """Name with its level, for pickers: ``Bospolder (buurt, Delfshaven)``, ``Centrum (Groningen)``."""
        if self.kind == KIND_CBS_BUURT:
            return f"{self.name} (buurt, {self.parent})" if self.parent else f"{self.name} (buurt)"
        if self.kind == KIND_CBS_WIJK:
            return f"{self.name} (CBS-wijk, {self.gemeente})" if self.gemeente else f"{self.name} (CBS-wijk)"
        if self.kind == KIND_GEMEENTE:
            return f"{self.name} (gemeente)"
        return f"{self.name} ({self.gemeente})" if self.gemeente and self.kind == KIND_CUSTOM else self.name


class Catalogue(dict[str, Wijk]):
    """The known wijken by slug (a ``dict``), with a spatial index to find the ones a point lies in."""

    @cached_property
    def index(self) -> AreaIndex:
        """Every wijk as an :class:`~abcd.places.AreaIndex` (built on first use)."""
        return AreaIndex(Area(w.slug, w.kind, w.boundary) for w in self.values())

    def areas_at(self, lon: float, lat: float) -> list[Wijk]:
        """The wijken a point lies in (:mod:`abcd.places`), smallest first."""
        return sorted((self[s] for s in self.index.areas_at(lon, lat)), key=lambda w: w.boundary.area)


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
def wijk_catalogue(wijken_dir: Path) -> Catalogue:
    """Every selectable wijk, keyed by slug, BoTu first.

    Read once per data folder: the files are small and never change while
    the app runs.
    """
    catalogue = Catalogue()
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
        gemeente="Rotterdam",
        figures_year=ROTTERDAM_YEAR,
    )
    cbs_wijken = gpd.read_file(wijken_dir / "rotterdam_wijken_cbs2024.geojson").to_crs(WGS84)
    _add_areas(
        catalogue,
        cbs_wijken.sort_values("wijknaam"),
        kind=KIND_CBS_WIJK,
        slug=lambda row: f"wijk-{slugify(str(row.wijknaam))}",
        name="wijknaam",
        code="wijkcode",
        year=ROTTERDAM_YEAR,
        gemeente="Rotterdam",
    )
    buurten = gpd.read_file(wijken_dir / "rotterdam_buurten_cbs2024.geojson").to_crs(WGS84)
    _add_areas(
        catalogue,
        buurten.sort_values("buurtnaam"),
        kind=KIND_CBS_BUURT,
        slug=lambda row: slugify(str(row.buurtnaam)),
        name="buurtnaam",
        code="buurtcode",
        year=ROTTERDAM_YEAR,
        gemeente="Rotterdam",
        parent="wijknaam",
    )
    national = gpd.read_file(wijken_dir / NATIONAL_WIJKEN_FILE, use_arrow=True).to_crs(WGS84)
    _add_areas(
        catalogue,
        national[national["gemeentecode"] != ROTTERDAM_CODE].sort_values(["gemeentenaam", "wijknaam"]),
        kind=KIND_CBS_WIJK,
        slug=lambda row: slugify(f"{row.gemeentenaam} {row.wijknaam}"),
        name="wijknaam",
        code="wijkcode",
        year=NATIONAL_YEAR,
    )
    gemeenten = gpd.read_file(wijken_dir / GEMEENTEN_FILE, use_arrow=True).to_crs(WGS84)
    _add_areas(
        catalogue,
        gemeenten.sort_values("gemeentenaam"),
        kind=KIND_GEMEENTE,
        slug=lambda row: f"gemeente-{slugify(str(row.gemeentenaam))}",
        name="gemeentenaam",
        code="gemeentecode",
        year=NATIONAL_YEAR,
    )
    return catalogue


def _add_areas(
    catalogue: Catalogue,
    layer: gpd.GeoDataFrame,
    *,
    kind: str,
    slug: Callable[[Any], str],
    name: str,
    code: str,
    year: int,
    gemeente: str | None = None,
    parent: str | None = None,
) -> None:
    """Add one shipped layer's areas (columns named by ``name``, ``code``, ``parent``; ``aantal_inwoners``).

    Without ``gemeente`` it is read from ``gemeentenaam``. A slug already taken
    gets the CBS code appended, so every area stays selectable (no clash today).
    """
    for row in layer.itertuples():
        key = slug(row)
        if key in catalogue:
            key = f"{key}-{str(getattr(row, code)).lower()}"
        catalogue[key] = Wijk(
            slug=key,
            name=str(getattr(row, name)),
            kind=kind,
            code=str(getattr(row, code)),
            population=_population(row.aantal_inwoners),
            boundary=row.geometry,
            parent=str(getattr(row, parent)) if parent else None,
            gemeente=gemeente or str(row.gemeentenaam),
            figures_year=year,
        )


def find_wijk(catalogue: Mapping[str, Wijk], key: str) -> Wijk:
    """The wijk with slug, CBS code or name ``key`` (case-insensitive).

    A name that several gemeenten use ("Centrum") needs its gemeente:
    ``Centrum, Groningen`` or ``Centrum (Groningen)``; the error lists them.
    """
    wanted = " ".join(key.split()).lower()
    if wanted in catalogue:
        return catalogue[wanted]
    for wijk in catalogue.values():
        if wijk.code and wijk.code.lower() == wanted:
            return wijk
    name, gemeente = _name_and_gemeente(wanted)
    named = [w for w in catalogue.values() if w.name.lower() == name]
    if gemeente is not None:
        named = [w for w in named if (w.gemeente or "").lower() == gemeente]
    if len(named) > 1:
        # A gemeente with one wijk of the same name ("Delft" is both): the name means the wijk.
        wijken = [w for w in named if w.kind != KIND_GEMEENTE]
        named = wijken if len(wijken) == 1 else named
    if len(named) == 1:
        return named[0]
    if named:
        raise UnknownWijkError("error.ambiguous_wijk", value=key, known="; ".join(w.label() for w in named[:12]))
    if slugify(key) in catalogue:
        return catalogue[slugify(key)]
    close = [s for s in catalogue if wanted[:4] and wanted[:4] in s][:5] or list(catalogue)[:5]
    raise UnknownWijkError("error.unknown_wijk", value=key, known=", ".join(close))


def _name_and_gemeente(text: str) -> tuple[str, str | None]:
    """``"centrum, groningen"`` and ``"centrum (groningen)"`` into name and gemeente."""
    if text.endswith(")") and "(" in text:
        name, _, rest = text[:-1].rpartition("(")
        return name.strip(), rest.strip()
    if "," in text:
        name, _, gemeente = text.rpartition(",")
        return name.strip(), gemeente.strip()
    return text, None


@lru_cache(maxsize=256)
def _rd(geometry: BaseGeometry) -> BaseGeometry:
    """A boundary in RD New, prepared for fast distance tests; cached (imports test every row)."""
    projected = rd_geometry(geometry)
    shapely.prepare(projected)
    return projected


def contains(wijk: Wijk | WijkRecord, lon: float, lat: float, *, tolerance_m: float = TOLERANCE_M) -> bool:
    """Whether the point lies in the wijk, allowing ``tolerance_m`` for generalised boundaries."""
    (point,) = rd_points([lon], [lat])
    return bool(shapely.dwithin(_rd(wijk.boundary), point, tolerance_m))


def wijken_at(catalogue: Mapping[str, Wijk], lon: float, lat: float) -> list[Wijk]:
    """Catalogue wijken whose boundary contains the point, smallest area first."""
    if isinstance(catalogue, Catalogue):
        return catalogue.areas_at(lon, lat)
    point = shapely.Point(lon, lat)
    hits = [w for w in catalogue.values() if w.boundary.covers(point)]
    return sorted(hits, key=lambda w: w.boundary.area)


def check_in_wijk(catalogue: Mapping[str, Wijk], wijk: Wijk | WijkRecord, lon: float, lat: float) -> None:
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


REACH_M = 2000.0
"""How far around a wijk its streets are kept: a walk may cross the border (``abcd.gaps.MAX_DISTANCE_M``)."""


def streets_in(wijk: Wijk, wijken_dir: Path, *, reach_m: float = 0.0) -> gpd.GeoDataFrame:
    """The walking network's street segments that touch the wijk (whole segments, so boundary streets count too).

    With ``reach_m`` also every line within that distance around it, footpaths
    included, marked ``in_wijk=False`` (the wijk's own streets are ``True``).
    """
    return streets_touching(walking_streets(wijken_dir), wijk.boundary, reach_m=reach_m)


def streets_touching(streets: gpd.GeoDataFrame, boundary: BaseGeometry, *, reach_m: float = 0.0) -> gpd.GeoDataFrame:
    """The segments of ``streets`` (WGS84) that touch ``boundary``, or with ``reach_m`` also come within it.

    Lines of a footpath layer (``origin`` :data:`~abcd.streets.ORIGIN_PATHS`, :func:`abcd.streets.walking_network`)
    are walked on but are not streets of the wijk: they are never its own.
    """
    own = streets.sindex.query(boundary, predicate="intersects")
    if "origin" in streets.columns:
        own = own[(streets["origin"].to_numpy()[own] != ORIGIN_PATHS)]
    if reach_m <= 0:
        return streets.iloc[sorted(own)].reset_index(drop=True)
    ring = wgs84_geometry(rd_geometry(boundary).buffer(reach_m))
    near = sorted(streets.sindex.query(ring, predicate="intersects"))
    out = streets.iloc[near].reset_index(drop=True)
    out["in_wijk"] = np.isin(near, own)
    return out


@lru_cache(maxsize=2)
def walking_streets(wijken_dir: Path) -> gpd.GeoDataFrame:
    """The shipped streets as one network to walk on (WGS84, with ``origin``), built once per process.

    Rotterdam's named streets are OSM's drive network: it lacks footways,
    paths and pedestrian streets. Where the shipped footpath file reaches
    (Delfshaven and 250 m around it, so BoTu), the two are joined by
    :func:`abcd.streets.walking_network`: a footpath within 3 m of a named
    street is that street, and a loose end within 5 m of a line is joined to
    it. Both are cut to what a pedestrian may use (:func:`abcd.streets.walkable`).
    Takes about a second for the whole city.
    """
    named = gpd.read_file(wijken_dir / STREETS_FILE, columns=["name", "highway", "osm_id"], use_arrow=True)
    named = named.set_crs(WGS84, allow_override=True)
    footpaths = wijken_dir / FOOTPATHS_FILE
    if not footpaths.exists():
        return walkable(named).assign(origin=ORIGIN_STREETS).reset_index(drop=True)
    return walking_network(named, gpd.read_file(footpaths, use_arrow=True))


def gemeenten(catalogue: Mapping[str, Wijk]) -> list[str]:
    """The gemeenten the catalogue has wijken in, alphabetically (for the first of the two pickers)."""
    return sorted({w.gemeente for w in catalogue.values() if w.gemeente}, key=str.casefold)


_PICKER_ORDER = {KIND_GEBIED: 0, KIND_CUSTOM: 1, KIND_CBS_WIJK: 2, KIND_CBS_BUURT: 3, KIND_GEMEENTE: 4}


def wijken_in(catalogue: Mapping[str, Wijk], gemeente: str) -> list[Wijk]:
    """The wijken of ``gemeente`` in the order a picker shows them: own wijken, CBS wijken, buurten, the gemeente.

    >>> from pathlib import Path
    >>> [w.slug for w in wijken_in(wijk_catalogue(Path("data/wijken")), "Rotterdam")][:2]
    ['bospolder-tussendijken', 'wijk-botlek-europoort-maasvlakte']
    """
    own = [w for w in catalogue.values() if w.gemeente == gemeente]
    return sorted(own, key=lambda w: (_PICKER_ORDER.get(w.kind, 1), w.name.casefold()))


def full_catalogue(store: Store, wijken_dir: Path) -> Catalogue:
    """The shipped catalogue plus the areas users added to this database (``abcd wijken add``)."""
    shipped = wijk_catalogue(wijken_dir)
    custom = store.custom_areas()
    if not custom:
        return shipped
    catalogue = Catalogue(shipped)
    for record in custom:
        catalogue[record.slug] = Wijk.from_record(record)
    return catalogue


def areas_to_store(
    store: Store,
    catalogue: Mapping[str, Wijk],
    lons: Sequence[float],
    lats: Sequence[float],
    *,
    memberships: Sequence[tuple[str, ...]] | None = None,
) -> list[WijkRecord]:
    """The catalogue areas the points lie in that the store does not know yet.

    Written together with the assets at those points (``Store.add(..., areas=)``),
    so each asset belongs to all of its areas at once (a wijk, its CBS wijk and
    buurt, its gemeente); a view of any other area onboards that area first
    (:func:`ensure_wijk`), which places the assets in it too. ``memberships``
    are the points' areas by ``catalogue.index`` when the caller has them already.
    """
    if not isinstance(catalogue, Catalogue) or not len(lons):
        return []
    found = catalogue.index.membership(lons, lats) if memberships is None else memberships
    wanted = {slug for slugs in set(found) for slug in slugs}
    return [catalogue[s].record() for s in sorted(wanted - store.known_areas(wanted))]


def areas_at(store: Store, catalogue: Mapping[str, Wijk], lon: float, lat: float) -> tuple[str, ...]:
    """The areas a point lies in: by the whole catalogue when there is one, else by what the store knows."""
    if isinstance(catalogue, Catalogue):
        return catalogue.index.areas_at(lon, lat)
    return store.areas_at(lon, lat)


def onboard_wijk(store: Store, wijk: Wijk, wijken_dir: Path) -> int:
    """Store a wijk's boundary, population and streets; returns the number of street segments.

    Safe to repeat: the wijk's streets are replaced, its assets are untouched.
    """
    streets = streets_in(wijk, wijken_dir, reach_m=REACH_M)
    store.save_wijk(wijk.record(), streets)
    return int(streets["in_wijk"].sum()) if "in_wijk" in streets.columns else len(streets)


BOUNDARY_FORMATS = (".geojson", ".json", ".gpkg", ".shp")


def read_boundary(path: Path) -> BaseGeometry:
    """The area of a polygon file (GeoJSON, GeoPackage, shapefile; any CRS) as one WGS84 geometry.

    All polygons in the file together make the area. A file without a CRS is
    read as WGS84 when its numbers are degrees, and refused otherwise.
    """
    from abcd import io, limits

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in BOUNDARY_FORMATS:
        raise ImportFileError("error.file_format", suffix=suffix or path.name, allowed=", ".join(BOUNDARY_FORMATS))
    io.check_file(path)
    if suffix == ".shp":  # a flat format: no nesting to fear, but every geometry is still measured
        frame = gpd.read_file(path, engine="pyogrio")
        for geometry in frame.geometry:
            limits.check_geometry(geometry)
    else:
        frame = io.read_layer(path)
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise ImportFileError("error.no_crs")
        frame = frame.set_crs(WGS84)
    polygons = [g for g in frame.to_crs(WGS84).geometry if g is not None and g.geom_type in ("Polygon", "MultiPolygon")]
    if not polygons:
        kinds = ", ".join(sorted(set(frame.geometry.geom_type.dropna()))) or "-"
        raise ImportFileError("error.geometry_type", field="geometry", expected="Polygon", value=kinds)
    area = shapely.make_valid(shapely.union_all(polygons))
    minx, miny, maxx, maxy = area.bounds
    if not (NL_BOUNDS[0] <= minx and maxx <= NL_BOUNDS[2] and NL_BOUNDS[1] <= miny and maxy <= NL_BOUNDS[3]):
        raise ImportFileError("error.boundary_not_in_nl", path=path.name)
    return area


def add_area(
    store: Store,
    catalogue: Catalogue,
    key: str,
    *,
    boundary: BaseGeometry | None = None,
    name: str | None = None,
    population: int | None = None,
    streets: gpd.GeoDataFrame | None = None,
    wijken_dir: Path,
) -> Wijk:
    """Onboard a wijk: one of the catalogue (``key`` a code, name or slug), or a new area with its own ``boundary``.

    A new area needs a ``name`` (else ``key`` is its name) and a
    ``population``; it lies in the gemeente around its centre. ``streets``
    (WGS84 lines) replace what the shipped street file has for it; the ones
    touching the area are its own, those within :data:`REACH_M` around it
    are kept for walks across the border. Returns the wijk; its slug is
    what the other commands take.
    """
    if boundary is None:
        wijk = find_wijk(catalogue, key)
    else:
        label = " ".join((name or key).split())
        slug = slugify(label)
        if not slug:
            raise ValidationError("error.blank", field=Term("field.name"))
        shipped = slug in catalogue and catalogue[slug].kind != KIND_CUSTOM
        if shipped:
            raise ValidationError("error.area_exists", value=slug)
        if population is None:
            raise ValidationError("error.population_missing", name=label)
        if population < 0:
            raise ValidationError("error.negative", field=Term("field.population"), value=population)
        centre = boundary.point_on_surface()
        around = [w for w in catalogue.areas_at(centre.x, centre.y) if w.kind == KIND_GEMEENTE]
        wijk = Wijk(
            slug=slug,
            name=label,
            kind=KIND_CUSTOM,
            code=None,
            population=population,
            boundary=boundary,
            gemeente=around[0].name if around else None,
        )
    if streets is None:
        lines = streets_in(wijk, wijken_dir, reach_m=REACH_M)
    else:
        lines = streets_touching(streets.to_crs(WGS84), wijk.boundary, reach_m=REACH_M)
    store.save_wijk(wijk.record(), lines)
    return wijk


def ensure_area(store: Store, catalogue: Mapping[str, Wijk], key: str) -> Wijk:
    """The wijk ``key``, its boundary stored if it was not (which places the assets in it); no streets."""
    wijk = find_wijk(catalogue, key)
    if not store.known_areas([wijk.slug]):
        store.save_areas([wijk.record()])
    return wijk


def ensure_wijk(store: Store, catalogue: Mapping[str, Wijk], key: str, wijken_dir: Path) -> Wijk:
    """The wijk ``key``, onboarded into the store if it is not there yet."""
    wijk = find_wijk(catalogue, key)
    if not store.has_wijk(wijk.slug):
        onboard_wijk(store, wijk, wijken_dir)
    return wijk
