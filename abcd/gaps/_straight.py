"""Straight-line reach: Euclidean distance in RD New between a street segment and an initiative."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import shapely

from abcd.gaps._common import (
    EPS_M,
    NEAREST_CUTOFF_M,
    FloatArray,
    GeomArray,
    Initiatives,
    IntArray,
    Pairs,
    Pieces,
    expand_ranges,
    first_of_runs,
    flatten,
    near_pairs,
    pieces_of,
    unique_sorted,
)

_PIECE_M: Final = 120.0  # straight pieces longer than this are cut
_CHUNK_M: Final = 120.0  # a street part longer than this is measured in chunks of about this length


@dataclass(frozen=True, slots=True)
class _Chunks:
    """Runs of consecutive pieces of one part, each about ``_CHUNK_M`` long at most, with an anchor on it.

    The anchor is the point halfway along the chunk, so it lies *on* the
    chunk: a point within ``d`` of the anchor is within ``d`` of the chunk.
    ``radius`` is the largest distance from the anchor to the chunk (reached
    at a vertex), so a point further than ``d + radius`` from the anchor is
    not within ``d``. Only pairs in between need an exact distance.
    """

    first: IntArray  # first piece of each chunk
    count: IntArray  # number of pieces
    seg: IntArray  # segment of each chunk
    anchor: FloatArray  # (C, 2)
    radius: FloatArray


def _chunks_of(pieces: Pieces) -> _Chunks:
    """Cut every part into equal stretches of at most ``_CHUNK_M`` (by the pieces' midpoints)."""
    n = pieces.length.size
    per_part = np.maximum(np.ceil(pieces.part_len / _CHUNK_M), 1.0)
    size = pieces.part_len / per_part
    part = pieces.piece_part
    mid = pieces.along + 0.5 * pieces.length
    k = np.minimum(np.floor(mid / np.where(size > 0, size, 1.0)[part]), per_part[part] - 1)
    new = np.ones(n, dtype=bool)
    new[1:] = (part[1:] != part[:-1]) | (k[1:] != k[:-1])
    first = np.flatnonzero(new).astype(np.int64)
    count = np.diff(np.append(first, n)).astype(np.int64)
    last = first + count - 1

    # The anchor: the point halfway along the chunk, on the piece that holds it.
    start = np.cumsum(pieces.length) - pieces.length  # along all pieces, one running total
    halfway = 0.5 * (start[first] + start[last] + pieces.length[last])
    on = np.clip(np.searchsorted(start, halfway, side="right") - 1, first, last)
    length = pieces.length[on]
    t = np.clip((halfway - start[on]) / np.where(length > 0, length, 1.0), 0.0, 1.0)
    anchor = pieces.a[on] + t[:, None] * (pieces.b[on] - pieces.a[on])

    chunk_of = np.cumsum(new) - 1
    own = anchor[chunk_of]
    far = np.maximum(
        np.hypot(*(pieces.a - own).T),
        np.hypot(*(pieces.b - own).T),
    )
    return _Chunks(
        first=first,
        count=count,
        seg=pieces.piece_seg[first],
        anchor=anchor,
        radius=np.maximum.reduceat(far, first) if n else far,
    )


def _anchor_pairs(xy: FloatArray, chunks: _Chunks, limit: float) -> tuple[IntArray, IntArray, FloatArray]:
    """(point, chunk, distance to the anchor) of every pair with ``distance <= limit + radius``.

    Chunks are searched in groups of similar radius (powers of two), so one
    long chunk does not widen the search for all the short ones.
    """
    group = np.ceil(np.log2(np.maximum(chunks.radius, 1.0))).astype(np.int64)
    order = np.argsort(group, kind="stable")
    bounds = np.flatnonzero(first_of_runs(group[order]))
    found_i: list[IntArray] = []
    found_j: list[IntArray] = []
    found_v: list[FloatArray] = []
    for lo, hi in zip(bounds, [*bounds[1:], order.size], strict=True):
        members = order[lo:hi]
        reach = limit + float(chunks.radius[members].max()) + 1e-3
        i, j, v = near_pairs(xy, chunks.anchor[members], reach)
        j = members[j]
        keep = v <= limit + chunks.radius[j] + 1e-9
        found_i.append(i[keep])
        found_j.append(j[keep])
        found_v.append(v[keep])
    if not found_i:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_v)


def _chunk_distance(xy: FloatArray, chunk: IntArray, chunks: _Chunks, pieces: Pieces) -> FloatArray:
    """Exact distance from each point to its chunk: the nearest of the chunk's pieces.

    The hottest loop of the analysis, so the pieces' start and direction come
    as contiguous columns with the inverse squared length precomputed, and
    the minimum is taken over squared distances (one square root per pair).
    """
    count = chunks.count[chunk]
    _, piece = expand_ranges(chunks.first[chunk], count)
    ax, ay, abx, aby, inverse = pieces.columns
    px = np.repeat(xy[:, 0], count) - ax[piece]
    py = np.repeat(xy[:, 1], count) - ay[piece]
    bx, by = abx[piece], aby[piece]
    t = np.clip((px * bx + py * by) * inverse[piece], 0.0, 1.0)
    px -= t * bx
    py -= t * by
    square = px * px + py * py
    starts = np.cumsum(count) - count
    return np.sqrt(np.minimum.reduceat(square, starts)) if square.size else square


def straight_coverage(geoms: GeomArray, inits: Initiatives, distance: float) -> tuple[IntArray, FloatArray, Pairs]:
    """Counts, nearest distances and the (segment, initiative) pairs within reach, by Euclidean distance in RD New.

    Why not ``STRtree.query(predicate="dwithin")`` + ``query_nearest`` on all
    segments: that is a GEOS call per pair (14 s at national scale), and an
    exact distance for every pair is more than the count needs. Instead the
    streets are cut into chunks of at most ``_CHUNK_M`` with an anchor point
    on each (see :class:`_Chunks`); one KD-tree pair query between initiative
    points and anchors gives the candidates. A pair whose anchor is within
    reach is within reach (most pairs); only pairs in the band between
    ``distance`` and ``distance + radius``, and pairs that could be a
    segment's nearest (their lower bound ``anchor distance - radius`` is
    below the segment's best anchor distance), get an exact point-to-piece
    distance, in numpy. A segment of one chunk meets each initiative once, so
    only segments of several chunks need de-duplicating. Areas and lines of
    activity (few) use exact GEOS distances. Segments with nothing in reach
    get their nearest initiative, up to :data:`NEAREST_CUTOFF_M`, from
    shapely's ``STRtree.query_nearest``.
    """
    n_seg = geoms.size
    limit = distance + EPS_M
    pieces = pieces_of(geoms, _PIECE_M)
    chunks = _chunks_of(pieces)
    nearest = np.full(n_seg, np.inf)

    k = inits.size
    unique_keys: list[IntArray] = []  # segment * k + initiative, each pair once
    repeated_keys: list[IntArray] = []  # pairs that may come more than once
    pid = np.flatnonzero(inits.has_point).astype(np.int64)
    if pid.size:
        pxy = inits.xy[pid]
        i, j, v = _anchor_pairs(pxy, chunks, limit)
        seg = chunks.seg[j]
        best_anchor = np.full(n_seg, np.inf)
        np.minimum.at(best_anchor, seg, v)
        within = v <= limit
        exact = np.flatnonzero(~within | (v - chunks.radius[j] <= best_anchor[seg]))
        d = _chunk_distance(pxy[i[exact]], j[exact], chunks, pieces)
        within[exact] = d <= limit
        np.minimum.at(nearest, seg[exact], d)
        # A segment of one chunk meets each initiative at most once.
        multi = (np.bincount(chunks.seg, minlength=n_seg) > 1)[seg]
        unique_keys.append(seg[within & ~multi] * k + pid[i[within & ~multi]])
        repeated_keys.append(seg[within & multi] * k + pid[i[within & multi]])
    if inits.areas.size:
        s, a, d = _straight_area_pairs(geoms, inits, pieces, limit)
        np.minimum.at(nearest, s, d)
        # An initiative with a point and an area counts once per segment.
        repeated_keys += [*unique_keys, s * k + a]
        unique_keys = []
    keys = [*unique_keys, unique_sorted(np.concatenate(repeated_keys))] if repeated_keys else unique_keys
    pairs = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    counts = np.bincount(pairs // k, minlength=n_seg).astype(np.int64)

    # Nothing within reach: look further with exact GEOS distances. (No
    # max_distance: in shapely 2 it makes query_nearest 3x slower here.)
    lonely = np.flatnonzero(counts == 0)
    nearest[lonely] = np.inf
    if lonely.size:
        targets, _ = inits.geometries()
        (q, _t), d = shapely.STRtree(targets).query_nearest(geoms[lonely], return_distance=True, all_matches=False)
        nearest[lonely[q]] = d
    nearest[~(nearest <= NEAREST_CUTOFF_M)] = np.nan
    return counts, nearest, Pairs(pairs // k, pairs % k)


def _straight_area_pairs(
    geoms: GeomArray, inits: Initiatives, pieces: Pieces, limit: float
) -> tuple[IntArray, IntArray, FloatArray]:
    """(segment, initiative, distance) for areas within reach, via exact GEOS distances."""
    radius = limit + pieces.half + 1e-3
    bounds = shapely.bounds(inits.areas)
    centre = (bounds[:, :2] + bounds[:, 2:]) * 0.5
    reach = 0.5 * np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]) + radius
    area, piece = flatten(pieces.mid_tree.query_ball_point(centre, reach, return_sorted=False))
    keys = unique_sorted(area * geoms.size + pieces.piece_seg[piece])
    area, seg = keys // geoms.size, keys % geoms.size
    d = shapely.distance(geoms[seg], inits.areas[area])
    ok = d <= limit
    return seg[ok], inits.area_of[area[ok]], d[ok]
