"""Internals shared by the two ways of measuring reach: initiatives in RD New and array helpers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, Final, NamedTuple, cast

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS

from abcd.gaps.errors import GapInputError

if TYPE_CHECKING:
    from scipy.spatial import cKDTree

RD_NEW_EPSG: Final = 28992
"""Amersfoort / RD New: the metric CRS all distances are measured in."""
NEAREST_CUTOFF_M: Final = 2000
"""``nearest_initiative_m`` is only looked up this far; further away it is NaN."""
SNAP_TOLERANCE_M: Final = 0.5
"""Street end points closer than this are treated as one junction in network mode."""

# Distances are compared as ``distance <= distance_m + EPS_M`` so that an
# initiative exactly at the limit counts in both modes regardless of how the
# floating point sums were ordered.
EPS_M: Final = 1e-6
# Pieces this much further than the nearest one still count as equally near
# when an initiative is snapped onto the network (ties are kept, not broken).
TIE_M: Final = 1e-9
_CANDIDATES_PER_BATCH: Final = 2_000_000  # near_pairs measures this many at once (~100 MB of temporaries)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
GeomArray = npt.NDArray[np.object_]


@dataclass(frozen=True, slots=True)
class Initiatives:
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


class Pairs(NamedTuple):
    """The (segment, initiative) pairs within reach, each once: what the counts count, kept to say *which*."""

    segment: IntArray
    initiative: IntArray


def row_labels(index: pd.Index, mask: BoolArray, limit: int = 5) -> str:
    """Name the first offending rows, so an error message says where to look."""
    bad = list(index[mask][:limit])
    more = int(mask.sum()) - len(bad)
    return ", ".join(map(repr, bad)) + (f" and {more} more" if more > 0 else "")


@cache
def _rd_crs() -> CRS:
    """RD New, built on first use rather than at import."""
    return CRS.from_epsg(RD_NEW_EPSG)


def to_rd(geoms: GeomArray, crs: Any, what: str) -> GeomArray:
    """Geometries in RD New metres; free when they already are, an error without a CRS."""
    if crs is None:
        raise GapInputError(f"{what} has no CRS; set it (EPSG:4326 or EPSG:28992) before the gap analysis")
    crs = CRS.from_user_input(crs)
    if crs == _rd_crs():  # the common case costs nothing
        return geoms
    series = gpd.GeoSeries(geoms, crs=crs).to_crs(RD_NEW_EPSG)
    return cast(GeomArray, np.asarray(series.values))


def first_of_runs(sorted_keys: npt.NDArray[Any]) -> BoolArray:
    """Mask of the first element of every run of equal values in a sorted array."""
    first = np.empty(sorted_keys.size, dtype=bool)
    if sorted_keys.size:
        first[0] = True
        np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=first[1:])
    return first


def unique_sorted(keys: IntArray) -> IntArray:
    """Sorted unique values; avoids numpy 2's hash-based ``np.unique`` (10x slower on int64)."""
    ordered = np.sort(keys)
    return ordered[first_of_runs(ordered)]


def min_per_key(keys: IntArray, values: FloatArray) -> tuple[IntArray, FloatArray]:
    """Sorted unique keys with the smallest value seen for each."""
    if keys.size == 0:
        return keys, values
    order = np.argsort(keys)
    keys, values = keys[order], values[order]
    starts = np.flatnonzero(first_of_runs(keys))
    return keys[starts], np.minimum.reduceat(values, starts)


def expand_ranges(starts: IntArray, counts: IntArray) -> tuple[IntArray, IntArray]:
    """For ranges ``[start, start+count)`` return (owner of each item, item)."""
    owner = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    offsets = np.cumsum(counts) - counts
    items = np.arange(owner.size, dtype=np.int64) - offsets[owner] + starts[owner]
    return owner, items


def near_pairs(xy: FloatArray, targets: FloatArray, reach: float) -> tuple[IntArray, IntArray, FloatArray]:
    """(point, target, distance) of every pair of points closer than ``reach``, in numpy alone.

    A fixed-radius search on a grid of square cells of ``reach / 2``: a
    point's partners lie in the 5 x 5 cells around its own. Targets are
    sorted by (column, row) of their cell, so each of the five columns is one
    run found by binary search. About twice as many candidates as pairs are
    measured; that costs less than loading a KD-tree library at start-up.
    Points are taken in batches of at most ``_CANDIDATES_PER_BATCH`` candidates, so memory stays bounded.
    """
    if xy.shape[0] == 0 or targets.shape[0] == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    size = reach / 2.0
    origin = np.minimum(xy.min(axis=0), targets.min(axis=0)) - 3 * size
    target_cell = np.floor((targets - origin) / size).astype(np.int64)
    point_cell = np.floor((xy - origin) / size).astype(np.int64)
    rows = int(max(target_cell[:, 1].max(), point_cell[:, 1].max())) + 5  # room for the +-2 neighbours
    target_key = target_cell[:, 0] * rows + target_cell[:, 1]
    order = np.argsort(target_key, kind="stable")
    sorted_key = target_key[order]
    sorted_x, sorted_y = targets[order, 0], targets[order, 1]
    point_key = point_cell[:, 0] * rows + point_cell[:, 1]
    columns = np.arange(-2, 3) * rows

    centre = point_key[:, None] + columns
    lo = np.searchsorted(sorted_key, centre - 2, side="left")
    hi = np.searchsorted(sorted_key, centre + 2, side="right")
    per_point = (hi - lo).sum(axis=1)
    # Batches of at most _CANDIDATES_PER_BATCH candidates (a dense city centre has many per point).
    cut = np.searchsorted(
        np.cumsum(per_point), np.arange(1, 1 + per_point.sum() // _CANDIDATES_PER_BATCH) * _CANDIDATES_PER_BATCH
    )
    bounds = np.unique(np.concatenate([[0], cut, [xy.shape[0]]]))
    found_i: list[IntArray] = []
    found_j: list[IntArray] = []
    found_d: list[FloatArray] = []
    for start, stop in itertools.pairwise(bounds.tolist()):
        run, item = expand_ranges(lo[start:stop].ravel(), (hi[start:stop] - lo[start:stop]).ravel())
        dx = np.repeat(xy[start:stop, 0], per_point[start:stop]) - sorted_x[item]
        dy = np.repeat(xy[start:stop, 1], per_point[start:stop]) - sorted_y[item]
        square = dx * dx + dy * dy
        keep = np.flatnonzero(square <= reach * reach)
        found_i.append(start + run[keep] // columns.size)
        found_j.append(order[item[keep]])
        found_d.append(np.sqrt(square[keep]))
    return np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_d)


def flatten(lists: npt.NDArray[np.object_]) -> tuple[IntArray, IntArray]:
    """(owner, value) for an object array of int lists, as KD-tree ball queries return."""
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    values = np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int64, count=int(counts.sum()))
    return np.repeat(np.arange(len(lists), dtype=np.int64), counts), values


def point_piece_distance(p: FloatArray, a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Distance from points to straight pieces, row by row, and where (0..1) the nearest point lies."""
    abx, aby = b[:, 0] - a[:, 0], b[:, 1] - a[:, 1]
    apx, apy = p[:, 0] - a[:, 0], p[:, 1] - a[:, 1]
    den = abx * abx + aby * aby
    t = np.clip((apx * abx + apy * aby) / np.where(den > 0, den, 1.0), 0.0, 1.0)
    return np.hypot(apx - t * abx, apy - t * aby), t


@dataclass(frozen=True)
class Pieces:
    """Street lines as single parts, cut into straight pieces (with a KD-tree on their midpoints when asked).

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
    half: float  # the largest half length of a piece

    @property
    def piece_seg(self) -> IntArray:
        return self.part_seg[self.piece_part]

    @cached_property
    def columns(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        """(start x, start y, direction x, direction y, 1 / squared length or 0) of every piece, contiguous."""
        ab = self.b - self.a
        den = ab[:, 0] * ab[:, 0] + ab[:, 1] * ab[:, 1]
        inverse = np.divide(1.0, den, out=np.zeros_like(den), where=den > 0)
        return (
            np.ascontiguousarray(self.a[:, 0]),
            np.ascontiguousarray(self.a[:, 1]),
            np.ascontiguousarray(ab[:, 0]),
            np.ascontiguousarray(ab[:, 1]),
            inverse,
        )

    @cached_property
    def mid_tree(self) -> cKDTree:
        """A KD-tree on the pieces' midpoints, built on first use.

        Straight-line counting of points needs no KD-tree (see :func:`near_pairs`),
        and importing ``scipy.spatial`` alone costs about half a second of a
        command's start-up, so scipy is loaded only here and in network mode.
        """
        from scipy.spatial import cKDTree

        return cKDTree((self.a + self.b) * 0.5, balanced_tree=False, compact_nodes=False)


def pieces_of(geoms: GeomArray, max_len: float) -> Pieces:
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
    return Pieces(
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
        half=0.5 * float(length.max(initial=0.0)),
    )


def _subdivide(
    a: FloatArray, b: FloatArray, owner: IntArray, max_len: float
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Cut straight pieces longer than ``max_len`` into equal sub-pieces (order kept)."""
    n = np.maximum(np.ceil(np.hypot(b[:, 0] - a[:, 0], b[:, 1] - a[:, 1]) / max_len), 1).astype(np.int64)
    if np.all(n == 1):
        return a, b, owner
    src, _ = expand_ranges(np.zeros(n.size, dtype=np.int64), n)
    k = (np.arange(src.size, dtype=np.int64) - (np.cumsum(n) - n)[src]).astype(np.float64)
    step = ((b - a) / n[:, None])[src]
    start = a[src] + k[:, None] * step
    end = a[src] + (k + 1)[:, None] * step
    last = k == n[src] - 1
    end[last] = b[src[last]]  # keep the original end point exact
    return start, end, owner[src]
