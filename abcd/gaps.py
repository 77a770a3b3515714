"""Gap analysis: which streets have no resident-led initiative within reach.

Rotterdam works "from the average": normal effort everywhere and *more* effort
where residents have no initiative of their own. This module answers, street
segment by street segment, whether a resident-led initiative is within reach,
so officers can see where residents may need support and where there is room
for new initiatives. The wording is deliberately asset-based: a segment
"needs support", it is never a "problem street".

Everything here is pure: GeoDataFrames in, (Geo)DataFrames out, no I/O.
All metric work happens in RD New (EPSG:28992); inputs may be in WGS84 or RD.

Two ways of measuring "within reach":

``"straight"``
    Euclidean distance in RD New between a street segment and the initiative
    (its point, or its area/line when it has one: whichever is closer).
``"network"``
    Walking distance along the street lines themselves. The initiative is
    snapped to the nearest point of the network (the snap offset counts), an
    area or line is "on" every segment it touches. Because every walk is at
    least as long as the straight line, every segment covered on foot is also
    covered in a straight line.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import numbers
from dataclasses import asdict, dataclass
from typing import Any, Final, Literal, cast, get_args

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

__all__ = [
    "DEFAULT_DISTANCE_M",
    "INITIATIVE_CATEGORY",
    "MAX_DISTANCE_M",
    "MIN_DISTANCE_M",
    "NEAREST_CUTOFF_M",
    "RD_NEW_EPSG",
    "SNAP_TOLERANCE_M",
    "GapFigures",
    "GapInputError",
    "Mode",
    "street_coverage",
    "street_summary",
    "wijk_figures",
]

DEFAULT_DISTANCE_M: Final = 250
"""Default reach of an initiative in metres (a few minutes' walk)."""
MIN_DISTANCE_M: Final = 25
"""Smallest accepted reach; below this GPS noise dominates."""
MAX_DISTANCE_M: Final = 2000
"""Largest accepted reach; beyond this an initiative is no longer "nearby"."""
NEAREST_CUTOFF_M: Final = 2000
"""``nearest_initiative_m`` is only looked up this far; further away it is NaN."""
RD_NEW_EPSG: Final = 28992
"""Amersfoort / RD New: the metric CRS all distances are measured in."""
SNAP_TOLERANCE_M: Final = 0.5
"""Street end points closer than this are treated as one junction in network mode."""
INITIATIVE_CATEGORY: Final = "initiative"
"""The asset category code of resident initiatives."""

Mode = Literal["straight", "network"]

# Distances are compared as ``distance <= distance_m + _EPS_M`` so that an
# initiative exactly at the limit counts in both modes regardless of how the
# floating point sums were ordered.
_EPS_M: Final = 1e-6
# Pieces this much further than the nearest one still count as equally near
# when an initiative is snapped onto the network (ties are kept, not broken).
_TIE_M: Final = 1e-9
_RD_CRS: Final = CRS.from_epsg(RD_NEW_EPSG)
_LINE_TYPES: Final = (1, 5)  # shapely type ids: LineString, MultiLineString
_AREA_TYPES: Final = (1, 3, 5, 6)  # LineString, Polygon, MultiLineString, MultiPolygon
_POINT_TYPE: Final = 0
_ATTR_DISTANCE: Final = "gaps_distance_m"
_ATTR_MODE: Final = "gaps_mode"
_COVERAGE_COLUMNS: Final = ("initiatives", "nearest_initiative_m", "needs_support", "below_average")
_SUMMARY_COLUMNS: Final = (
    "street",
    "segments",
    "length_m",
    "length_needs_support_m",
    "initiatives",
    "nearest_initiative_m",
    "needs_support",
    "share_needs_support",
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
GeomArray = npt.NDArray[np.object_]


class GapInputError(ValueError):
    """Bad input to the gap analysis; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class GapFigures:
    """Headline figures of a wijk's coverage, for the dashboard and reports.

    Attributes
    ----------
    segments : int
        Number of street segments analysed.
    length_m : float
        Total street length in metres.
    share_length_needs_support : float
        Share (0..1) of the street length without a resident initiative in reach.
    mean_initiatives_per_segment : float
        Mean number of initiatives within reach per segment: "the average" the
        municipality works from.
    segments_needs_support : int
        Segments without any initiative within reach.
    segments_below_average : int
        Segments with fewer initiatives in reach than the mean.
    distance_m : float or None
        The reach used, when the coverage frame still carries it.
    mode : str or None
        ``"straight"`` or ``"network"``, when the coverage frame still carries it.
    """

    segments: int
    length_m: float
    share_length_needs_support: float
    mean_initiatives_per_segment: float
    segments_needs_support: int
    segments_below_average: int
    distance_m: float | None = None
    mode: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the figures as a plain dict, e.g. for JSON or a metrics row."""
        return asdict(self)


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def street_coverage(
    streets: gpd.GeoDataFrame,
    assets: gpd.GeoDataFrame,
    *,
    distance_m: float = DEFAULT_DISTANCE_M,
    mode: Mode = "straight",
) -> gpd.GeoDataFrame:
    """Count the resident-led initiatives within reach of every street segment.

    This is the core of the gap analysis: segments with no initiative within
    ``distance_m`` are where residents may need support, and where there is
    room for new initiatives.

    Parameters
    ----------
    streets : geopandas.GeoDataFrame
        Street segments (LineString or MultiLineString), e.g. OSM edges between
        junctions, in WGS84 or RD New. Index and columns are kept.
    assets : geopandas.GeoDataFrame
        Assets with Point geometry and a ``category`` column. Only rows with
        ``category == "initiative"`` and ``resident_led`` true count; a missing
        ``resident_led`` (column or value) counts as resident-led. An optional
        ``area`` column may hold a Polygon/LineString (same CRS as the frame)
        the initiative is active in. An empty frame is fine: then every
        segment needs support.
    distance_m : float, default 250
        Reach in metres, between :data:`MIN_DISTANCE_M` and :data:`MAX_DISTANCE_M`.
    mode : {"straight", "network"}, default "straight"
        Straight-line distance, or walking distance along the street lines.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``streets`` (same index, CRS and columns) with the columns
        ``initiatives`` (int), ``nearest_initiative_m`` (float, NaN when no
        initiative is within :data:`NEAREST_CUTOFF_M`), ``needs_support`` (no
        initiative within reach) and ``below_average`` (fewer initiatives than
        the mean over all segments). ``attrs`` records the distance and mode.
        Existing columns with these names are replaced.

    Raises
    ------
    GapInputError
        For a distance outside the accepted range, an unknown mode, a frame
        without CRS, wrong geometry types or unusable ``resident_led`` values.

    Notes
    -----
    ``needs_support`` is ``initiatives == 0`` and agrees with
    ``nearest_initiative_m <= distance_m`` (both use a 1e-6 m tolerance).
    """
    distance = _check_distance(distance_m)
    if mode not in get_args(Mode):
        raise GapInputError(f"mode must be 'straight' or 'network', got {mode!r}")
    geoms = _street_geometries(streets)
    inits = _counted_initiatives(assets)

    if len(geoms) == 0 or inits.size == 0:
        counts: IntArray = np.zeros(len(geoms), dtype=np.int64)
        nearest: FloatArray = np.full(len(geoms), np.nan)
    elif mode == "straight":
        counts, nearest = _straight_coverage(geoms, inits, distance)
    else:
        counts, nearest = _network_coverage(geoms, inits, distance)

    out = streets.copy()
    out["initiatives"] = counts
    out["nearest_initiative_m"] = nearest
    out["needs_support"] = counts == 0
    mean = float(counts.mean()) if counts.size else 0.0
    out["below_average"] = counts < mean
    out.attrs[_ATTR_DISTANCE] = distance
    out.attrs[_ATTR_MODE] = mode
    return out


def street_summary(coverage: gpd.GeoDataFrame, *, name_column: str = "name") -> pd.DataFrame:
    """Roll segment coverage up to streets, the unit officers talk about.

    Segments are grouped by street name. Unnamed segments (null/empty name, or
    no name column at all) get a readable fallback label such as
    ``"naamloze weg (residential) #a1b2"``: the road type from ``highway`` when
    present, plus a short stable id from ``osm_id`` (or, without it, from the
    geometry). Segments of one OSM way share an id and so form one street.

    Parameters
    ----------
    coverage : geopandas.GeoDataFrame
        Output of :func:`street_coverage`.
    name_column : str, default "name"
        Column with the street name. OSMnx-style list values are joined with
        ``" / "``.

    Returns
    -------
    pandas.DataFrame
        One row per street with ``street``, ``segments``, ``length_m``,
        ``length_needs_support_m``, ``initiatives`` (the *maximum* over the
        street's segments: how many initiatives its best-served part has in
        reach; per-segment counts cannot be summed without double counting),
        ``nearest_initiative_m`` (minimum), ``needs_support`` (every segment
        needs support) and ``share_needs_support`` (0..1, by length). Ranked
        with the most length needing support first, then by street name.

    Raises
    ------
    GapInputError
        When ``coverage`` lacks the coverage columns or a CRS.
    """
    _check_coverage(coverage)
    lengths = shapely.length(_geometries_rd(coverage, what="coverage"))
    needs = coverage["needs_support"].to_numpy(dtype=bool)
    frame = pd.DataFrame(
        {
            "street": _street_labels(coverage, name_column),
            "segments": 1,
            "length_m": lengths,
            "length_needs_support_m": np.where(needs, lengths, 0.0),
            "initiatives": coverage["initiatives"].to_numpy(dtype=np.int64),
            "nearest_initiative_m": coverage["nearest_initiative_m"].to_numpy(dtype=np.float64),
            "needs_support": needs,
        }
    )
    summary = frame.groupby("street", sort=False).agg(
        segments=("segments", "sum"),
        length_m=("length_m", "sum"),
        length_needs_support_m=("length_needs_support_m", "sum"),
        initiatives=("initiatives", "max"),
        nearest_initiative_m=("nearest_initiative_m", "min"),
        needs_support=("needs_support", "all"),
    )
    summary = summary.reset_index()
    total = summary["length_m"].to_numpy(dtype=np.float64)
    share_by_length = summary["length_needs_support_m"].to_numpy(dtype=np.float64) / np.where(total > 0, total, 1.0)
    # A street of zero length has no length to share: fall back to all-or-nothing.
    summary["share_needs_support"] = np.where(
        total > 0, share_by_length, summary["needs_support"].to_numpy(dtype=np.float64)
    )
    summary = summary.sort_values(
        ["length_needs_support_m", "street"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)
    summary["segments"] = summary["segments"].astype(np.int64)
    summary["initiatives"] = summary["initiatives"].astype(np.int64)
    summary["needs_support"] = summary["needs_support"].astype(bool)
    return summary.loc[:, list(_SUMMARY_COLUMNS)]


def wijk_figures(coverage: gpd.GeoDataFrame) -> GapFigures:
    """Summarise a wijk's coverage in a handful of headline numbers.

    These are the figures that tell whether the wijk as a whole is served
    around "the average", and how much street length has room for new
    initiatives.

    Parameters
    ----------
    coverage : geopandas.GeoDataFrame
        Output of :func:`street_coverage`.

    Returns
    -------
    GapFigures
        Frozen figures; ``.as_dict()`` gives a plain dict. For an empty
        coverage all figures are 0.

    Raises
    ------
    GapInputError
        When ``coverage`` lacks the coverage columns or a CRS.
    """
    _check_coverage(coverage)
    lengths = shapely.length(_geometries_rd(coverage, what="coverage"))
    needs = coverage["needs_support"].to_numpy(dtype=bool)
    counts = coverage["initiatives"].to_numpy(dtype=np.float64)
    total = float(lengths.sum())
    distance = coverage.attrs.get(_ATTR_DISTANCE)
    mode = coverage.attrs.get(_ATTR_MODE)
    return GapFigures(
        segments=len(coverage),
        length_m=total,
        share_length_needs_support=float(lengths[needs].sum() / total) if total > 0 else float(needs.any()),
        mean_initiatives_per_segment=float(counts.mean()) if counts.size else 0.0,
        segments_needs_support=int(needs.sum()),
        segments_below_average=int(coverage["below_average"].to_numpy(dtype=bool).sum()),
        distance_m=None if distance is None else float(distance),
        mode=None if mode is None else str(mode),
    )


# --------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Initiatives:
    """Counted initiatives in RD New; one entry per initiative, areas on the side."""

    xy: FloatArray  # (K, 2) point coordinates, NaN where the initiative has no point
    has_point: BoolArray  # (K,)
    area_of: IntArray  # (A,) initiative id of each area
    areas: GeomArray  # (A,) area/line geometries

    @property
    def size(self) -> int:
        return int(self.has_point.size)

    def geometries(self) -> tuple[GeomArray, IntArray]:
        """Every location geometry (points, then areas) with its initiative id."""
        pid = np.flatnonzero(self.has_point).astype(np.int64)
        points = shapely.points(self.xy[pid])
        return np.concatenate([points, self.areas]), np.concatenate([pid, self.area_of])


def _check_distance(distance_m: object) -> float:
    """Validate the reach: bools and strings are refused, not silently converted."""
    if isinstance(distance_m, bool) or not isinstance(distance_m, numbers.Real):
        raise GapInputError(f"distance_m must be a number of metres, got {distance_m!r}")
    distance = float(distance_m)
    if not (math.isfinite(distance) and MIN_DISTANCE_M <= distance <= MAX_DISTANCE_M):
        raise GapInputError(
            f"distance_m must be between {MIN_DISTANCE_M} and {MAX_DISTANCE_M} metres, got {distance_m!r}"
        )
    return distance


def _labels(index: pd.Index, mask: BoolArray, limit: int = 5) -> str:
    """Name the first offending rows, so an error message says where to look."""
    bad = list(index[mask][:limit])
    more = int(mask.sum()) - len(bad)
    return ", ".join(map(repr, bad)) + (f" and {more} more" if more > 0 else "")


def _require_geodataframe(frame: object, what: str) -> gpd.GeoDataFrame:
    """Refuse anything that is not a GeoDataFrame with an active geometry column."""
    if not isinstance(frame, gpd.GeoDataFrame):
        raise GapInputError(f"{what} must be a GeoDataFrame, got {type(frame).__name__}")
    if frame._geometry_column_name not in frame.columns:
        raise GapInputError(f"{what} has no active geometry column")
    return frame


def _to_rd(geoms: GeomArray, crs: Any, what: str) -> GeomArray:
    """Geometries in RD New metres; free when they already are, an error without a CRS."""
    if crs is None:
        raise GapInputError(f"{what} has no CRS; set it (EPSG:4326 or EPSG:28992) before the gap analysis")
    crs = CRS.from_user_input(crs)
    if crs == _RD_CRS:  # the common case costs nothing
        return geoms
    series = gpd.GeoSeries(geoms, crs=crs).to_crs(RD_NEW_EPSG)
    return cast(GeomArray, np.asarray(series.values))


def _geometries_rd(frame: gpd.GeoDataFrame, *, what: str) -> GeomArray:
    """The active geometries of ``frame`` in RD New."""
    return _to_rd(np.asarray(frame.geometry.values), frame.crs, what)


def _street_geometries(streets: object) -> GeomArray:
    """Validated street geometries in RD New (lines only, none missing or empty)."""
    frame = _require_geodataframe(streets, "streets")
    geoms = _geometries_rd(frame, what="streets")
    types = shapely.get_type_id(geoms)
    bad = ~np.isin(types, _LINE_TYPES)
    if bad.any():
        raise GapInputError(
            "streets must be LineString or MultiLineString segments; "
            f"rows {_labels(frame.index, bad)} are {sorted(set(shapely.get_type_id(geoms[bad]).tolist()))} "
            "(shapely type ids; -1 is a missing geometry)"
        )
    empty = shapely.is_empty(geoms)
    if empty.any():
        raise GapInputError(f"streets has empty geometries in rows {_labels(frame.index, empty)}")
    return geoms


def _resident_led(values: pd.Series) -> BoolArray:
    """Parse ``resident_led``; empty means resident-led, anything but a boolean is an error."""
    raw = values.to_numpy(dtype=object)
    missing = pd.isna(raw).astype(bool)
    present = raw[~missing]
    for value in pd.unique(present):
        if isinstance(value, str) or value not in (True, False):
            raise GapInputError(f"resident_led must be true, false or empty, got {value!r}")
    led = np.ones(raw.size, dtype=bool)
    led[~missing] = present.astype(bool)
    return led


def _area_geometries(frame: gpd.GeoDataFrame, rows: IntArray) -> tuple[IntArray, GeomArray]:
    """Return (position among ``rows``, RD geometry) of the rows that have an area."""
    if "area" not in frame.columns or rows.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    column = frame["area"]
    crs = column.crs if isinstance(column, gpd.GeoSeries) and column.crs is not None else frame.crs
    raw = column.to_numpy(dtype=object)[rows]
    missing = np.asarray(pd.isna(raw), dtype=bool)
    given = np.flatnonzero(~missing).astype(np.int64)
    geoms = raw[given]
    if geoms.size and not shapely.is_geometry(geoms).all():
        bad = ~shapely.is_geometry(geoms)
        raise GapInputError(
            f"area must hold shapely geometries or None; rows {_labels(frame.index[rows[given]], bad)} do not"
        )
    keep = ~shapely.is_empty(geoms)
    given, geoms = given[keep], geoms[keep]
    bad = ~np.isin(shapely.get_type_id(geoms), _AREA_TYPES)
    if bad.any():
        raise GapInputError(
            f"area must be a Polygon, MultiPolygon, LineString or MultiLineString; "
            f"rows {_labels(frame.index[rows[given]], bad)} are not"
        )
    geoms = _to_rd(geoms, crs, "assets")
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():  # repair instead of failing deep inside GEOS
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    return given, geoms


def _counted_initiatives(assets: object) -> _Initiatives:
    """The resident-led initiatives that count, with their point and area in RD New."""
    none = _Initiatives(np.zeros((0, 2)), np.zeros(0, bool), np.zeros(0, np.int64), np.zeros(0, object))
    if isinstance(assets, gpd.GeoDataFrame) and len(assets) == 0:
        return none  # no rows: no CRS or columns needed either
    frame = _require_geodataframe(assets, "assets")
    if frame.crs is None:
        raise GapInputError("assets has no CRS; set it (EPSG:4326 or EPSG:28992) before the gap analysis")
    if "category" not in frame.columns:
        raise GapInputError("assets needs a 'category' column")
    counted = frame["category"].eq(INITIATIVE_CATEGORY).fillna(False).to_numpy(dtype=bool)
    if "resident_led" in frame.columns:
        counted = counted & _resident_led(frame["resident_led"])
    rows = np.flatnonzero(counted).astype(np.int64)
    if rows.size == 0:
        return none

    points = np.asarray(frame.geometry.values)[rows]
    types = shapely.get_type_id(points)
    wrong = (types != _POINT_TYPE) & (types != -1)
    if wrong.any():
        raise GapInputError(f"initiatives must have Point geometry; rows {_labels(frame.index[rows], wrong)} do not")
    has_point = (types == _POINT_TYPE) & ~shapely.is_empty(points)
    xy = np.full((rows.size, 2), np.nan)
    if has_point.any():
        xy[has_point] = shapely.get_coordinates(_to_rd(points[has_point], frame.crs, "assets"))
    area_of, areas = _area_geometries(frame, rows)
    located = has_point.copy()
    located[area_of] = True
    if not located.all():
        raise GapInputError(
            f"initiatives need a location (a point or an area); rows {_labels(frame.index[rows], ~located)} have none"
        )
    return _Initiatives(xy, has_point, area_of, areas)


def _check_coverage(coverage: object) -> None:
    """Make sure a frame came out of :func:`street_coverage` before summarising it."""
    frame = _require_geodataframe(coverage, "coverage")
    missing = [c for c in _COVERAGE_COLUMNS if c not in frame.columns]
    if missing:
        raise GapInputError(f"coverage lacks {missing}; pass the output of street_coverage()")


# --------------------------------------------------------------------------
# Shared array helpers
# --------------------------------------------------------------------------


def _first_of_runs(sorted_keys: npt.NDArray[Any]) -> BoolArray:
    """Mask of the first element of every run of equal values in a sorted array."""
    first = np.empty(sorted_keys.size, dtype=bool)
    if sorted_keys.size:
        first[0] = True
        np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=first[1:])
    return first


def _unique_sorted(keys: IntArray) -> IntArray:
    """Sorted unique values; avoids numpy 2's hash-based ``np.unique`` (10x slower on int64)."""
    ordered = np.sort(keys)
    return ordered[_first_of_runs(ordered)]


def _min_per_key(keys: IntArray, values: FloatArray) -> tuple[IntArray, FloatArray]:
    """Sorted unique keys with the smallest value seen for each."""
    if keys.size == 0:
        return keys, values
    order = np.argsort(keys)
    keys, values = keys[order], values[order]
    starts = np.flatnonzero(_first_of_runs(keys))
    return keys[starts], np.minimum.reduceat(values, starts)


def _expand_ranges(starts: IntArray, counts: IntArray) -> tuple[IntArray, IntArray]:
    """For ranges ``[start, start+count)`` return (owner of each item, item)."""
    owner = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    offsets = np.cumsum(counts) - counts
    items = np.arange(owner.size, dtype=np.int64) - offsets[owner] + starts[owner]
    return owner, items


def _flatten(lists: npt.NDArray[np.object_]) -> tuple[IntArray, IntArray]:
    """(owner, value) for an object array of int lists, as KD-tree ball queries return."""
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    values = np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int64, count=int(counts.sum()))
    return np.repeat(np.arange(len(lists), dtype=np.int64), counts), values


def _point_piece_distance(p: FloatArray, a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Distance from points to straight pieces, row by row, and where (0..1) the nearest point lies."""
    abx, aby = b[:, 0] - a[:, 0], b[:, 1] - a[:, 1]
    apx, apy = p[:, 0] - a[:, 0], p[:, 1] - a[:, 1]
    den = abx * abx + aby * aby
    t = np.clip((apx * abx + apy * aby) / np.where(den > 0, den, 1.0), 0.0, 1.0)
    return np.hypot(apx - t * abx, apy - t * aby), t


@dataclass(frozen=True, slots=True)
class _Pieces:
    """Street lines as single parts, cut into straight pieces with a KD-tree on their midpoints.

    Pure numpy on the pieces is what makes the hot paths fast: no shapely
    geometry objects are created and no GEOS call is made per pair.
    """

    n_seg: int
    parts: GeomArray  # single LineStrings
    part_seg: IntArray  # segment of each part
    part_len: FloatArray
    part_start: FloatArray  # (P, 2) first coordinate of each part
    part_end: FloatArray  # (P, 2) last coordinate
    a: FloatArray  # (Q, 2) piece start
    b: FloatArray  # (Q, 2) piece end
    length: FloatArray  # (Q,)
    piece_part: IntArray  # (Q,) part of each piece, ascending
    along: FloatArray  # (Q,) distance along the part where the piece starts
    mid_tree: cKDTree
    half: float  # the largest half length of a piece

    @property
    def piece_seg(self) -> IntArray:
        return self.part_seg[self.piece_part]


def _pieces(geoms: GeomArray, max_len: float) -> _Pieces:
    """Cut segments into straight pieces no longer than ``max_len`` metres."""
    if np.all(shapely.get_type_id(geoms) == 1):
        parts, part_seg = geoms, np.arange(geoms.size, dtype=np.int64)
    else:
        parts, part_seg = shapely.get_parts(geoms, return_index=True)
        keep = ~shapely.is_empty(parts)
        parts, part_seg = parts[keep], part_seg[keep].astype(np.int64)
    coords, coord_part = shapely.get_coordinates(parts, return_index=True)
    coord_part = coord_part.astype(np.int64)
    n_parts = parts.size
    same = coord_part[1:] == coord_part[:-1]
    a, b, piece_part = _subdivide(coords[:-1][same], coords[1:][same], coord_part[:-1][same], max_len)
    length = np.hypot(b[:, 0] - a[:, 0], b[:, 1] - a[:, 1])
    before = np.cumsum(length) - length
    first_piece = np.searchsorted(piece_part, np.arange(n_parts))
    ends = np.searchsorted(coord_part, np.arange(n_parts), side="right") - 1
    return _Pieces(
        n_seg=geoms.size,
        parts=parts,
        part_seg=part_seg,
        part_len=np.bincount(piece_part, weights=length, minlength=n_parts).astype(np.float64),
        part_start=coords[np.searchsorted(coord_part, np.arange(n_parts))],
        part_end=coords[ends],
        a=a,
        b=b,
        length=length,
        piece_part=piece_part,
        along=before - before[first_piece][piece_part],
        mid_tree=cKDTree((a + b) * 0.5, balanced_tree=False, compact_nodes=False),
        half=0.5 * float(length.max(initial=0.0)),
    )


def _subdivide(
    a: FloatArray, b: FloatArray, owner: IntArray, max_len: float
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Cut straight pieces longer than ``max_len`` into equal sub-pieces (order kept)."""
    n = np.maximum(np.ceil(np.hypot(b[:, 0] - a[:, 0], b[:, 1] - a[:, 1]) / max_len), 1).astype(np.int64)
    if np.all(n == 1):
        return a, b, owner
    src, _ = _expand_ranges(np.zeros(n.size, dtype=np.int64), n)
    k = (np.arange(src.size, dtype=np.int64) - (np.cumsum(n) - n)[src]).astype(np.float64)
    step = ((b - a) / n[:, None])[src]
    start = a[src] + k[:, None] * step
    end = a[src] + (k + 1)[:, None] * step
    last = k == n[src] - 1
    end[last] = b[src[last]]  # keep the original end point exact
    return start, end, owner[src]


# --------------------------------------------------------------------------
# Straight-line coverage
# --------------------------------------------------------------------------


def _straight_coverage(geoms: GeomArray, inits: _Initiatives, distance: float) -> tuple[IntArray, FloatArray]:
    """Counts and nearest distances by Euclidean distance in RD New.

    Why not ``STRtree.query(predicate="dwithin")`` + ``query_nearest`` on all
    segments: at national scale (1M segments) that is ~14 s, dominated by GEOS
    per-pair calls. Instead the streets are cut into straight pieces of at
    most ``max(distance, 100)`` m, one KD-tree pair query between initiative
    points and piece midpoints (radius ``distance`` + half the longest piece,
    so no piece within ``distance`` can be missed) gives candidates, and the
    exact point-to-piece distance is computed in numpy. Areas/lines (few) use
    exact GEOS distances. Only segments with nothing in reach, usually a small
    minority, go to shapely's ``STRtree.query_nearest`` for their nearest
    initiative up to :data:`NEAREST_CUTOFF_M`.
    """
    n_seg = geoms.size
    limit = distance + _EPS_M
    pieces = _pieces(geoms, max(distance, 100.0))
    piece_seg = pieces.piece_seg
    radius = limit + pieces.half + 1e-3

    seg_parts: list[IntArray] = []
    init_parts: list[IntArray] = []
    dist_parts: list[FloatArray] = []
    pid = np.flatnonzero(inits.has_point).astype(np.int64)
    if pid.size:
        pxy = inits.xy[pid]
        found = cKDTree(pxy).sparse_distance_matrix(pieces.mid_tree, radius, output_type="ndarray")
        ip, jp = found["i"].astype(np.int64), found["j"].astype(np.int64)
        d, _ = _point_piece_distance(pxy[ip], pieces.a[jp], pieces.b[jp])
        ok = d <= limit
        seg_parts.append(piece_seg[jp[ok]])
        init_parts.append(pid[ip[ok]])
        dist_parts.append(d[ok])
    if inits.areas.size:
        s, i, d = _straight_area_pairs(geoms, inits, pieces, radius, limit)
        seg_parts.append(s)
        init_parts.append(i)
        dist_parts.append(d)

    seg = np.concatenate(seg_parts)
    dist = np.concatenate(dist_parts)
    if piece_seg.size != n_seg or inits.areas.size:
        # A segment made of several pieces (or an initiative with a point and an
        # area) can pair with the same initiative more than once.
        keys, dist = _min_per_key(seg * inits.size + np.concatenate(init_parts), dist)
        seg = keys // inits.size
    counts = np.bincount(seg, minlength=n_seg).astype(np.int64)
    nearest = np.full(n_seg, np.inf)
    np.minimum.at(nearest, seg, dist)

    # Nothing within reach: look further with exact GEOS distances. (No
    # max_distance: in shapely 2 it makes query_nearest 3x slower here.)
    lonely = np.flatnonzero(counts == 0)
    if lonely.size:
        targets, _ = inits.geometries()
        (q, _t), d = shapely.STRtree(targets).query_nearest(geoms[lonely], return_distance=True, all_matches=False)
        nearest[lonely[q]] = d
    nearest[~(nearest <= NEAREST_CUTOFF_M)] = np.nan
    return counts, nearest


def _straight_area_pairs(
    geoms: GeomArray, inits: _Initiatives, pieces: _Pieces, radius: float, limit: float
) -> tuple[IntArray, IntArray, FloatArray]:
    """(segment, initiative, distance) for areas within reach, via exact GEOS distances."""
    bounds = shapely.bounds(inits.areas)
    centre = (bounds[:, :2] + bounds[:, 2:]) * 0.5
    reach = 0.5 * np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]) + radius
    area, piece = _flatten(pieces.mid_tree.query_ball_point(centre, reach, return_sorted=False))
    keys = _unique_sorted(area * geoms.size + pieces.piece_seg[piece])
    area, seg = keys // geoms.size, keys % geoms.size
    d = shapely.distance(geoms[seg], inits.areas[area])
    ok = d <= limit
    return seg[ok], inits.area_of[area[ok]], d[ok]


# --------------------------------------------------------------------------
# Network coverage
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Network:
    """Walking graph built from the street lines; nodes are snapped end points of parts."""

    n_nodes: int
    n_seg: int
    part_seg: IntArray  # segment of each part
    u: IntArray  # start node of each part
    v: IntArray  # end node of each part
    indptr: IntArray  # symmetric CSR adjacency (no self loops, shortest of parallel edges)
    indices: IntArray
    weights: FloatArray
    inc_ptr: IntArray  # node -> incident segments (CSR)
    inc_seg: IntArray


def _build_network(pieces: _Pieces) -> _Network:
    """Build the walking graph: snapped part end points as nodes, parts as edges (length in m)."""
    n_parts = pieces.parts.size
    n_seg = pieces.n_seg
    node, n_nodes = _snap_nodes(np.concatenate([pieces.part_start, pieces.part_end]), SNAP_TOLERANCE_M)
    u, v = node[:n_parts], node[n_parts:]

    edge = u != v
    lo, hi = np.minimum(u[edge], v[edge]), np.maximum(u[edge], v[edge])
    keys, w = _min_per_key(lo * n_nodes + hi, pieces.part_len[edge])
    lo, hi = keys // n_nodes, keys % n_nodes
    adj = sparse.csr_array(
        (np.concatenate([w, w]), (np.concatenate([lo, hi]), np.concatenate([hi, lo]))), shape=(n_nodes, n_nodes)
    )
    seg = np.concatenate([pieces.part_seg, pieces.part_seg])
    inc_keys = _unique_sorted(np.concatenate([u, v]) * n_seg + seg)
    inc_node = inc_keys // n_seg
    return _Network(
        n_nodes=n_nodes,
        n_seg=n_seg,
        part_seg=pieces.part_seg,
        u=u,
        v=v,
        indptr=adj.indptr.astype(np.int64),
        indices=adj.indices.astype(np.int64),
        weights=adj.data.astype(np.float64),
        inc_ptr=np.searchsorted(inc_node, np.arange(n_nodes + 1)).astype(np.int64),
        inc_seg=inc_keys % n_seg,
    )


def _snap_nodes(xy: FloatArray, tolerance: float) -> tuple[IntArray, int]:
    """Node id per end point: identical points first, then chains within ``tolerance``."""
    inverse, ux, uy = _group_equal_points(xy)
    tree = cKDTree(np.column_stack([ux, uy]), balanced_tree=False, compact_nodes=False)
    pairs = tree.query_pairs(tolerance, output_type="ndarray")
    if len(pairs) == 0:
        return inverse, int(ux.size)
    link = sparse.coo_array((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(ux.size, ux.size))
    n, label = connected_components(link, directed=False)
    return label.astype(np.int64)[inverse], int(n)


def _group_equal_points(xy: FloatArray) -> tuple[IntArray, FloatArray, FloatArray]:
    """Group bit-identical points: (group of each point, x and y of each group).

    Sorting a 64-bit hash of both coordinates is ~10x faster than
    ``np.unique`` on complex numbers or a lexsort; a hash collision is
    detected and then the slow exact path is taken.
    """
    x = np.ascontiguousarray(xy[:, 0]) + 0.0  # +0.0 turns -0.0 into 0.0
    y = np.ascontiguousarray(xy[:, 1]) + 0.0
    with np.errstate(over="ignore"):
        h = x.view(np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ y.view(np.uint64)
    order = np.argsort(h)
    first = _first_of_runs(h[order])
    group = np.cumsum(first) - 1
    rep = order[first]
    if np.array_equal(x[order], x[rep][group]) and np.array_equal(y[order], y[rep][group]):
        inverse = np.empty(xy.shape[0], dtype=np.int64)
        inverse[order] = group
        return inverse, x[rep], y[rep]
    uniq, inv = np.unique(x + 1j * y, return_inverse=True)  # pragma: no cover - needs a 64-bit hash collision
    return inv.reshape(-1).astype(np.int64), uniq.real.copy(), uniq.imag.copy()


@dataclass(frozen=True, slots=True)
class _Sources:
    """Where the initiatives enter the network."""

    node_init: IntArray  # (initiative, node, walking distance to that node)
    node: IntArray
    node_dist: FloatArray
    seg_init: IntArray  # (initiative, segment, distance to that segment itself)
    seg: IntArray
    seg_dist: FloatArray


def _snap_points(pieces: _Pieces, xy: FloatArray) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Nearest piece(s) of each point: (point, piece, offset, position along the piece's part).

    Exact: the nearest piece is at most ``d0`` away (``d0``: distance to the
    nearest piece midpoint), so its midpoint lies within ``d0 + half``; all
    pieces there are measured exactly. Every piece within ``_TIE_M`` of the
    minimum is kept, so ties (a point equally far from two streets) are
    deterministic: both are entries.
    """
    d0, _ = pieces.mid_tree.query(xy, k=1)
    near = np.flatnonzero(d0 - pieces.half <= NEAREST_CUTOFF_M)
    qi, pj = _flatten(pieces.mid_tree.query_ball_point(xy[near], d0[near] + pieces.half + 1e-3, return_sorted=False))
    qi = near[qi]
    d, t = _point_piece_distance(xy[qi], pieces.a[pj], pieces.b[pj])
    best = np.full(xy.shape[0], np.inf)
    np.minimum.at(best, qi, d)
    keep = (d <= best[qi] + _TIE_M) & (d <= NEAREST_CUTOFF_M)
    qi, pj, d, t = qi[keep], pj[keep], d[keep], t[keep]
    return qi, pj, d, pieces.along[pj] + t * pieces.length[pj]


def _network_sources(net: _Network, pieces: _Pieces, inits: _Initiatives) -> _Sources:
    """Snap initiatives onto the network.

    A point enters at its projection on the nearest part(s); the offset
    counts, and from there the walk continues along the part to both its
    ends. An area is at distance 0 of every part it touches (within 1e-9 m),
    and the ends of such a part are as far as the walk along it to the
    nearest point inside the area. An area that touches no street enters its nearest part(s) like
    a point does, at the ends of the stretch nearest to it (see
    :func:`_nearest_stretch`), with that distance as offset.
    """
    node_init: list[IntArray] = []
    node: list[IntArray] = []
    node_dist: list[FloatArray] = []
    seg_init: list[IntArray] = []
    seg: list[IntArray] = []
    seg_dist: list[FloatArray] = []

    def add(init: IntArray, part: IntArray, offset: FloatArray, to_u: FloatArray, to_v: FloatArray) -> None:
        node_init.extend([init, init])
        node.extend([net.u[part], net.v[part]])
        node_dist.extend([offset + np.maximum(to_u, 0.0), offset + np.maximum(to_v, 0.0)])
        seg_init.append(init)
        seg.append(pieces.part_seg[part])
        seg_dist.append(offset)

    pid = np.flatnonzero(inits.has_point).astype(np.int64)
    if pid.size:
        qi, pj, offset, at = _snap_points(pieces, inits.xy[pid])
        part = pieces.piece_part[pj]
        add(pid[qi], part, offset, at, pieces.part_len[part] - at)

    if inits.areas.size:
        tree = shapely.STRtree(pieces.parts)
        # "Touching" allows the same 1e-9 m as ties between points do, so that
        # an area a rounding error away from a street does not flip the result.
        ai, part = tree.query(inits.areas, predicate="dwithin", distance=_TIE_M)
        ai, part = ai.astype(np.int64), part.astype(np.int64)
        inside = shapely.intersection(pieces.parts[part], inits.areas[ai])
        xy, which = shapely.get_coordinates(inside, return_index=True)
        at = shapely.line_locate_point(pieces.parts[part[which]], shapely.points(xy))
        to_u = np.full(part.size, np.inf)
        to_v = np.full(part.size, np.inf)
        np.minimum.at(to_u, which, at)
        np.minimum.at(to_v, which, pieces.part_len[part[which]] - at)
        offset = np.zeros(part.size)
        grazing = np.flatnonzero(~np.isfinite(to_u))  # within the tolerance but no common point
        if grazing.size:
            g_area, g_part = inits.areas[ai[grazing]], pieces.parts[part[grazing]]
            offset[grazing] = shapely.distance(g_area, g_part)
            t_lo, t_hi = _nearest_stretch(g_area, g_part, offset[grazing])
            to_u[grazing], to_v[grazing] = t_lo, pieces.part_len[part[grazing]] - t_hi
        add(inits.area_of[ai], part, offset, to_u, to_v)

        lonely = np.setdiff1d(np.arange(inits.areas.size), ai)
        if lonely.size:
            (qi, _), best = tree.query_nearest(inits.areas[lonely], return_distance=True, all_matches=False)
            keep = best <= NEAREST_CUTOFF_M
            qi, best = lonely[qi[keep]], best[keep]
            # Every part within _TIE_M of the nearest is an entry (``all_matches``
            # only finds bit-identical distances, so ties would depend on rounding).
            li, part = tree.query(inits.areas[qi], predicate="dwithin", distance=best + _TIE_M)
            area, part = qi[li], part.astype(np.int64)
            offset = shapely.distance(inits.areas[area], pieces.parts[part])
            t_lo, t_hi = _nearest_stretch(inits.areas[area], pieces.parts[part], offset)
            add(inits.area_of[area], part, offset, t_lo, pieces.part_len[part] - t_hi)

    def cat(arrays: list[npt.NDArray[Any]], dtype: type) -> npt.NDArray[Any]:
        return np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype=dtype)

    nd = cat(node_dist, np.float64)
    ok = np.isfinite(nd)
    return _Sources(
        node_init=cat(node_init, np.int64)[ok],
        node=cat(node, np.int64)[ok],
        node_dist=nd[ok],
        seg_init=cat(seg_init, np.int64),
        seg=cat(seg, np.int64),
        seg_dist=cat(seg_dist, np.float64),
    )


def _nearest_stretch(areas: GeomArray, parts: GeomArray, offset: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Where along each part the points nearest to the area start and end.

    An area running parallel to a street is equally near along a whole
    stretch of it; GEOS returns an arbitrary point of that stretch. Entering
    at the stretch's ends makes the walk to either end of the part the
    shortest possible and independent of GEOS internals. The stretch is
    bounded by projections of area vertices and by vertices of the part,
    so those (plus GEOS's nearest point) are the only candidates.
    """
    line = shapely.shortest_line(areas, parts)
    nearest_xy = shapely.get_coordinates(line).reshape(-1, 2, 2)[:, 1]
    area_xy, area_of = shapely.get_coordinates(areas, return_index=True)
    part_xy, part_of = shapely.get_coordinates(parts, return_index=True)
    owner = np.concatenate([np.arange(parts.size), area_of, part_of])
    cand = shapely.points(np.concatenate([nearest_xy, area_xy, part_xy]))
    against = np.concatenate([parts[area_of], areas[part_of]])  # area vertices vs part, part vertices vs area
    dist = np.concatenate([offset, shapely.distance(cand[parts.size :], against)])
    at = shapely.line_locate_point(parts[owner], cand)
    at = np.where(dist <= offset[owner] + _TIE_M, at, np.nan)
    t_lo = np.full(parts.size, np.inf)
    t_hi = np.full(parts.size, -np.inf)
    np.fmin.at(t_lo, owner, at)
    np.fmax.at(t_hi, owner, at)
    return t_lo, t_hi


def _network_coverage(geoms: GeomArray, inits: _Initiatives, distance: float) -> tuple[IntArray, FloatArray]:
    """Counts and nearest distances by walking distance along the street lines."""
    # Long pieces are cut only to keep the snapping balls small (see _snap_points).
    pieces = _pieces(geoms, 200.0)
    net = _build_network(pieces)
    src = _network_sources(net, pieces, inits)
    nearest = _network_nearest(net, src)
    counts = _network_counts(net, src, distance + _EPS_M)
    return counts, nearest


def _network_nearest(net: _Network, src: _Sources) -> FloatArray:
    """Nearest initiative per segment in ONE multi-source Dijkstra pass.

    A virtual super-source (node ``n``) gets an edge to every entry node,
    weighted with the walk from the initiative to that node; one bounded
    Dijkstra from it gives, per node, the distance to the nearest initiative.
    """
    n = net.n_nodes
    nodes, first_dist = _min_per_key(src.node, src.node_dist)
    # Every path from the super-source uses exactly one of its edges, so adding
    # 1 m to each and subtracting it afterwards changes no shortest path; it
    # keeps an initiative right on a junction (offset 0) from being an explicit
    # zero in the sparse matrix, which sparse code may treat as "no edge".
    graph = sparse.csr_array(
        (
            np.concatenate([net.weights, first_dist + 1.0]),
            np.concatenate([net.indices, nodes]),
            np.concatenate([net.indptr, [net.indptr[-1] + nodes.size]]),
        ),
        shape=(n + 1, n + 1),
    )
    node_dist = dijkstra(graph, directed=True, indices=n, limit=NEAREST_CUTOFF_M + 1.0 + _EPS_M)[:n] - 1.0
    nearest = np.full(net.n_seg, np.inf)
    np.minimum.at(nearest, net.part_seg, np.minimum(node_dist[net.u], node_dist[net.v]))
    np.minimum.at(nearest, src.seg, src.seg_dist)
    nearest[~(nearest <= NEAREST_CUTOFF_M + _EPS_M)] = np.nan
    return nearest


def _network_counts(net: _Network, src: _Sources, limit: float) -> IntArray:
    """Number of distinct initiatives within ``limit`` walking metres per segment.

    Choice of method: a bounded Dijkstra per initiative through
    ``scipy.sparse.csgraph.dijkstra(indices=..., limit=...)`` is exact but
    returns a dense (initiatives x nodes) matrix (25k x 250k = 50 GB), and even
    chunked its O(K*N) initialisation dominates. Instead all bounded searches
    run *together*: labels are (initiative, node) pairs and every round relaxes
    the edges of the labels that improved in the previous round, in numpy,
    pruning anything beyond ``limit`` (label-correcting Bellman-Ford). This is
    exact, and costs time proportional to the total reach of all initiatives
    (a few dozen nodes each at 250 m) times the number of rounds (the most
    edges on a shortest path within ``limit``), not to K*N.
    """
    keys, _ = _bounded_labels(net, src.node_init * net.n_nodes + src.node, src.node_dist, limit)
    node = keys % net.n_nodes
    init = keys // net.n_nodes
    owner, item = _expand_ranges(net.inc_ptr[node], net.inc_ptr[node + 1] - net.inc_ptr[node])
    direct = src.seg_dist <= limit
    pair = _unique_sorted(
        np.concatenate(
            [init[owner] * net.n_seg + net.inc_seg[item], src.seg_init[direct] * net.n_seg + src.seg[direct]]
        )
    )
    return np.bincount(pair % net.n_seg, minlength=net.n_seg).astype(np.int64)


def _bounded_labels(net: _Network, keys: IntArray, dist: FloatArray, limit: float) -> tuple[IntArray, FloatArray]:
    """All (initiative * n_nodes + node) labels with a walking distance <= ``limit``."""
    n = net.n_nodes
    ok = dist <= limit
    best_k, best_d = _min_per_key(keys[ok], dist[ok])
    best_d = best_d.copy()
    front_k, front_d = best_k, best_d.copy()
    while front_k.size:
        node = front_k % n
        start = net.indptr[node]
        owner, item = _expand_ranges(start, net.indptr[node + 1] - start)
        new_d = front_d[owner] + net.weights[item]
        ok = new_d <= limit
        owner, item, new_d = owner[ok], item[ok], new_d[ok]
        new_k, new_d = _min_per_key(front_k[owner] - node[owner] + net.indices[item], new_d)
        pos = np.searchsorted(best_k, new_k)
        known = pos < best_k.size
        known[known] = best_k[pos[known]] == new_k[known]
        better = ~known
        better[known] = new_d[known] < best_d[pos[known]]
        update = known & better
        best_d[pos[update]] = new_d[update]
        fresh = ~known
        best_k = np.insert(best_k, pos[fresh], new_k[fresh])
        best_d = np.insert(best_d, pos[fresh], new_d[fresh])
        front_k, front_d = new_k[better], new_d[better]
    return best_k, best_d


# --------------------------------------------------------------------------
# Street labels
# --------------------------------------------------------------------------


def _text(value: object) -> str:
    """Normalise a name/highway cell: None/NaN/"" -> "", lists (OSMnx) -> "a / b"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list | tuple | np.ndarray):
        seen = dict.fromkeys(t for t in (_text(v) for v in value) if t)
        return " / ".join(seen)
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


def _street_labels(coverage: gpd.GeoDataFrame, name_column: str) -> list[str]:
    """Street name per segment, or a readable stable label for unnamed ones."""
    n = len(coverage)
    names = [_text(v) for v in coverage[name_column].to_numpy(dtype=object)] if name_column in coverage else [""] * n
    unnamed = [i for i, name in enumerate(names) if not name]
    if not unnamed:
        return names
    road = (
        [_text(v) for v in coverage["highway"].to_numpy(dtype=object)[unnamed]]
        if "highway" in coverage
        else [""] * len(unnamed)
    )
    osm = [_text(v) for v in coverage["osm_id"].to_numpy(dtype=object)[unnamed]] if "osm_id" in coverage else None
    # Without an OSM id the geometry is the identity: its RD coordinates to the
    # centimetre (+0.0 folds -0.0 into 0.0), so WGS84 and RD input agree.
    geoms = _to_rd(np.asarray(coverage.geometry.values)[unnamed], coverage.crs, "coverage")
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    rounded = np.round(coords, 2) + 0.0
    bounds = np.searchsorted(owner, np.arange(len(unnamed) + 1))
    shape = [rounded[bounds[k] : bounds[k + 1]].tobytes().hex() for k in range(len(unnamed))]
    keys = [f"osm:{osm[k]}" if osm and osm[k] else f"xy:{shape[k]}" for k in range(len(unnamed))]
    digests = {key: hashlib.blake2b(key.encode(), digest_size=8).hexdigest() for key in keys}
    width = 4  # the shortest prefix that keeps different segments apart
    while width < 16 and len({d[:width] for d in digests.values()}) < len(digests):
        width += 1
    for k, i in enumerate(unnamed):
        kind = f" ({road[k]})" if road[k] else ""
        names[i] = f"naamloze weg{kind} #{digests[keys[k]][:width]}"
    return names
