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
import math
import numbers
from dataclasses import asdict, dataclass
from typing import Any, Final, Literal, get_args

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from abcd._cells import cell_text
from abcd.gaps._common import (
    BoolArray,
    FloatArray,
    GeomArray,
    Initiatives,
    IntArray,
    Pairs,
    row_labels,
    to_rd,
)
from abcd.gaps._straight import straight_coverage
from abcd.gaps.errors import GapInputError

DEFAULT_DISTANCE_M: Final = 250
"""Default reach of an initiative in metres (a few minutes' walk)."""
MIN_DISTANCE_M: Final = 25
"""Smallest accepted reach; below this GPS noise dominates."""
MAX_DISTANCE_M: Final = 2000
"""Largest accepted reach; beyond this an initiative is no longer "nearby"."""
INITIATIVE_CATEGORY: Final = "initiative"
"""The asset category code of resident initiatives."""

Mode = Literal["straight", "network"]

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


def street_coverage(
    streets: gpd.GeoDataFrame,
    assets: gpd.GeoDataFrame,
    *,
    distance_m: float = DEFAULT_DISTANCE_M,
    mode: Mode = "straight",
    by: str | None = None,
    ids: str | None = None,
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
    by : str, optional
        A column of ``streets`` that groups segments, e.g. ``"wijk"`` when
        many wijken are analysed at once (initiatives across a wijk border
        count on both sides): ``below_average`` then compares a segment with
        the mean of its own group. By default, with the mean of all segments.
    ids : str, optional
        A column of ``assets`` that names each initiative (``"id"``): the
        result then also says *which* initiatives are within reach, in a
        column ``initiative_ids`` (a sorted tuple of those names per
        segment), so an effort plan can say what changed where.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``streets`` (same index, CRS and columns) with the columns
        ``initiatives`` (int), ``nearest_initiative_m`` (float, NaN when no
        initiative is within :data:`NEAREST_CUTOFF_M`), ``needs_support`` (no
        initiative within reach) and ``below_average`` (fewer initiatives than
        the mean over all segments, or over the segment's ``by`` group).
        ``attrs`` records the distance and mode.
        Existing columns with these names are replaced.

    Raises
    ------
    GapInputError
        For a distance outside the accepted range, an unknown mode, a frame
        without CRS, wrong geometry types, unusable ``resident_led`` values or
        a ``by`` column ``streets`` does not have.

    Notes
    -----
    ``needs_support`` is ``initiatives == 0`` and agrees with
    ``nearest_initiative_m <= distance_m`` (both use a 1e-6 m tolerance).
    """
    distance = _check_distance(distance_m)
    if mode not in get_args(Mode):
        raise GapInputError(f"mode must be 'straight' or 'network', got {mode!r}")
    geoms = _street_geometries(streets)
    if by is not None and by not in streets.columns:
        raise GapInputError(f"by={by!r} is not a column of streets")
    if ids is not None and len(assets) and ids not in assets.columns:
        raise GapInputError(f"ids={ids!r} is not a column of assets")
    inits, rows = _counted_initiatives(assets)

    pairs = Pairs(np.zeros(0, np.int64), np.zeros(0, np.int64))
    if len(geoms) == 0 or inits.size == 0:
        counts: IntArray = np.zeros(len(geoms), dtype=np.int64)
        nearest: FloatArray = np.full(len(geoms), np.nan)
    elif mode == "straight":
        counts, nearest, pairs = straight_coverage(geoms, inits, distance)
    else:
        from abcd.gaps._network import network_coverage  # scipy's graph code only when walking

        counts, nearest, pairs = network_coverage(geoms, inits, distance)

    out = streets.copy()
    if ids is not None:
        out["initiative_ids"] = _ids_per_segment(len(geoms), pairs, assets, rows, ids)
    out["initiatives"] = counts
    out["nearest_initiative_m"] = nearest
    out["needs_support"] = counts == 0
    if by is None:
        out["below_average"] = counts < (float(counts.mean()) if counts.size else 0.0)
    else:
        group, _ = pd.factorize(streets[by], use_na_sentinel=False)
        mean = np.bincount(group, weights=counts) / np.maximum(np.bincount(group), 1)
        out["below_average"] = counts < mean[group]
    out.attrs[_ATTR_DISTANCE] = distance
    out.attrs[_ATTR_MODE] = mode
    return out


def street_summary(
    coverage: gpd.GeoDataFrame, *, name_column: str = "name", unnamed: str = "naamloze weg"
) -> pd.DataFrame:
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
    unnamed : str, default "naamloze weg"
        The start of the label of an unnamed segment, in the reader's language
        (the catalogue's ``gaps.unnamed_road``).

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
    # Grouped with numpy on the factorised labels (in order of first appearance, as groupby(sort=False)).
    group, streets = pd.factorize(np.asarray(street_labels(coverage, name_column, unnamed), dtype=object))
    n = len(streets)
    segments = np.bincount(group, minlength=n)
    initiatives = np.zeros(n, dtype=np.int64)
    np.maximum.at(initiatives, group, coverage["initiatives"].to_numpy(dtype=np.int64))
    nearest = np.full(n, np.nan)
    np.fmin.at(nearest, group, coverage["nearest_initiative_m"].to_numpy(dtype=np.float64))
    summary = pd.DataFrame(
        {
            "street": pd.array(streets, dtype=object),
            "segments": segments.astype(np.int64),
            "length_m": np.bincount(group, weights=lengths, minlength=n),
            "length_needs_support_m": np.bincount(group, weights=np.where(needs, lengths, 0.0), minlength=n),
            "initiatives": initiatives,
            "nearest_initiative_m": nearest,
            "needs_support": np.bincount(group, weights=needs, minlength=n) == segments,
        }
    )
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


def wijk_figures_by(coverage: gpd.GeoDataFrame, *, by: str = "wijk") -> pd.DataFrame:
    """The :class:`GapFigures` of every group of segments at once, e.g. every wijk of a country.

    The same numbers as :func:`wijk_figures` on each group's rows (the mean,
    and so ``segments_below_average``, follow ``below_average`` as
    :func:`street_coverage` set it: pass it the same ``by``), in one pass.

    Parameters
    ----------
    coverage : geopandas.GeoDataFrame
        Output of :func:`street_coverage` with a ``by`` column.
    by : str, default "wijk"
        The column that names each segment's group.

    Returns
    -------
    pandas.DataFrame
        One row per group (index: the group, in order of appearance), one
        column per :class:`GapFigures` field.

    Raises
    ------
    GapInputError
        When ``coverage`` lacks the coverage columns, a CRS or the ``by`` column.
    """
    _check_coverage(coverage)
    if by not in coverage.columns:
        raise GapInputError(f"by={by!r} is not a column of coverage")
    group, names = pd.factorize(coverage[by], use_na_sentinel=False)
    lengths = shapely.length(_geometries_rd(coverage, what="coverage"))
    needs = coverage["needs_support"].to_numpy(dtype=bool)
    n = len(names)

    def total(weights: npt.NDArray[Any] | None = None) -> FloatArray:
        return np.bincount(group, weights=weights, minlength=n).astype(np.float64)

    segments = total()
    length = total(lengths)
    needs_length = total(np.where(needs, lengths, 0.0))
    needs_segments = total(needs.astype(np.float64))
    distance = coverage.attrs.get(_ATTR_DISTANCE)
    mode = coverage.attrs.get(_ATTR_MODE)
    return pd.DataFrame(
        {
            "segments": segments.astype(np.int64),
            "length_m": length,
            "share_length_needs_support": np.where(
                length > 0, needs_length / np.where(length > 0, length, 1.0), needs_segments > 0
            ).astype(np.float64),
            "mean_initiatives_per_segment": total(coverage["initiatives"].to_numpy(dtype=np.float64)) / segments,
            "segments_needs_support": needs_segments.astype(np.int64),
            "segments_below_average": total(coverage["below_average"].to_numpy(dtype=np.float64)).astype(np.int64),
            "distance_m": None if distance is None else float(distance),
            "mode": None if mode is None else str(mode),
        },
        index=pd.Index(names, name=by),
    )


def _ids_per_segment(
    n: int, pairs: Pairs, assets: gpd.GeoDataFrame, rows: IntArray, column: str
) -> list[tuple[str, ...]]:
    """The sorted names (``assets[column]``) of the initiatives within reach of each of ``n`` segments."""
    found: list[list[str]] = [[] for _ in range(n)]
    if pairs.segment.size:
        names = assets[column].to_numpy(dtype=object)[rows]
        for segment, initiative in zip(pairs.segment.tolist(), pairs.initiative.tolist(), strict=True):
            found[segment].append(str(names[initiative]))
    return [tuple(sorted(names)) for names in found]


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


def _require_geodataframe(frame: object, what: str) -> gpd.GeoDataFrame:
    """Refuse anything that is not a GeoDataFrame with an active geometry column."""
    if not isinstance(frame, gpd.GeoDataFrame):
        raise GapInputError(f"{what} must be a GeoDataFrame, got {type(frame).__name__}")
    if frame._geometry_column_name not in frame.columns:
        raise GapInputError(f"{what} has no active geometry column")
    return frame


def _geometries_rd(frame: gpd.GeoDataFrame, *, what: str) -> GeomArray:
    """The active geometries of ``frame`` in RD New."""
    return to_rd(np.asarray(frame.geometry.values), frame.crs, what)


def _street_geometries(streets: object) -> GeomArray:
    """Validated street geometries in RD New (lines only, none missing or empty)."""
    frame = _require_geodataframe(streets, "streets")
    geoms = _geometries_rd(frame, what="streets")
    types = shapely.get_type_id(geoms)
    bad = ~np.isin(types, _LINE_TYPES)
    if bad.any():
        raise GapInputError(
            "streets must be LineString or MultiLineString segments; "
            f"rows {row_labels(frame.index, bad)} are {sorted(set(shapely.get_type_id(geoms[bad]).tolist()))} "
            "(shapely type ids; -1 is a missing geometry)"
        )
    empty = shapely.is_empty(geoms)
    if empty.any():
        raise GapInputError(f"streets has empty geometries in rows {row_labels(frame.index, empty)}")
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
            f"area must hold shapely geometries or None; rows {row_labels(frame.index[rows[given]], bad)} do not"
        )
    keep = ~shapely.is_empty(geoms)
    given, geoms = given[keep], geoms[keep]
    bad = ~np.isin(shapely.get_type_id(geoms), _AREA_TYPES)
    if bad.any():
        raise GapInputError(
            f"area must be a Polygon, MultiPolygon, LineString or MultiLineString; "
            f"rows {row_labels(frame.index[rows[given]], bad)} are not"
        )
    geoms = to_rd(geoms, crs, "assets")
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():  # repair instead of failing deep inside GEOS
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    return given, geoms


def _counted_initiatives(assets: object) -> tuple[Initiatives, IntArray]:
    """The resident-led initiatives that count, with their point and area in RD New, and their rows in ``assets``."""
    none = (
        Initiatives(np.zeros((0, 2)), np.zeros(0, bool), np.zeros(0, np.int64), np.zeros(0, object)),
        np.zeros(0, np.int64),
    )
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
        raise GapInputError(f"initiatives must have Point geometry; rows {row_labels(frame.index[rows], wrong)} do not")
    has_point = (types == _POINT_TYPE) & ~shapely.is_empty(points)
    xy = np.full((rows.size, 2), np.nan)
    if has_point.any():
        xy[has_point] = shapely.get_coordinates(to_rd(points[has_point], frame.crs, "assets"))
    area_of, areas = _area_geometries(frame, rows)
    located = has_point.copy()
    located[area_of] = True
    if not located.all():
        raise GapInputError(
            "initiatives need a location (a point or an area); "
            f"rows {row_labels(frame.index[rows], ~located)} have none"
        )
    return Initiatives(xy, has_point, area_of, areas), rows


def _check_coverage(coverage: object) -> None:
    """Make sure a frame came out of :func:`street_coverage` before summarising it."""
    frame = _require_geodataframe(coverage, "coverage")
    missing = [c for c in _COVERAGE_COLUMNS if c not in frame.columns]
    if missing:
        raise GapInputError(f"coverage lacks {missing}; pass the output of street_coverage()")


def street_labels(coverage: gpd.GeoDataFrame, name_column: str = "name", label: str = "naamloze weg") -> list[str]:
    """The street each segment belongs to, as :func:`street_summary` groups them: its name, or for an
    unnamed segment a readable stable label (``label``, the road type and a short id)."""
    n = len(coverage)
    names = _cell_texts(coverage[name_column]) if name_column in coverage else np.full(n, "", dtype=object)
    unnamed = np.flatnonzero(names == "")
    if not unnamed.size:
        return names.tolist()
    road = _cell_texts(coverage["highway"].iloc[unnamed]) if "highway" in coverage else [""] * unnamed.size
    osm = _cell_texts(coverage["osm_id"].iloc[unnamed]) if "osm_id" in coverage else np.full(unnamed.size, "")
    keys = [f"osm:{o}" if o else "" for o in osm.tolist()]
    # Without an OSM id the geometry is the identity: its RD coordinates to the
    # centimetre (+0.0 folds -0.0 into 0.0), so WGS84 and RD input agree.
    no_id = [k for k, key in enumerate(keys) if not key]
    if no_id:
        geoms = to_rd(np.asarray(coverage.geometry.values)[unnamed[no_id]], coverage.crs, "coverage")
        coords, owner = shapely.get_coordinates(geoms, return_index=True)
        rounded = np.round(coords, 2) + 0.0
        bounds = np.searchsorted(owner, np.arange(len(no_id) + 1))
        for m, k in enumerate(no_id):
            keys[k] = f"xy:{rounded[bounds[m] : bounds[m + 1]].tobytes().hex()}"
    digests = {key: hashlib.blake2b(key.encode(), digest_size=8).hexdigest() for key in keys}
    width = 4  # the shortest prefix that keeps different segments apart
    while width < 16 and len({d[:width] for d in digests.values()}) < len(digests):
        width += 1
    for k, i in enumerate(unnamed.tolist()):
        kind = f" ({road[k]})" if road[k] else ""
        names[i] = f"{label}{kind} #{digests[keys[k]][:width]}"
    return names.tolist()


def _cell_texts(values: pd.Series) -> npt.NDArray[np.object_]:
    """:func:`abcd._cells.cell_text` of every cell, computed once per distinct value."""
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells: OSMnx lists
        return np.array([cell_text(v) for v in values.to_numpy(dtype=object)], dtype=object)
    if isinstance(values.dtype, pd.StringDtype):  # text only: strip in one go
        stripped = pd.Series(uniques, dtype=values.dtype).str.strip().to_numpy(dtype=object)
        texts = np.append(stripped, "")
    else:
        texts = np.array([cell_text(u) for u in uniques] + [""], dtype=object)
    return np.asarray(texts[codes], dtype=object)
