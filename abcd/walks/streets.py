"""Which streets a walk went along: pure, GeoDataFrames and lines in, street names out.

The rule
--------
A street *segment* (the piece between two junctions, as the store keeps
them) is walked when the track ran along it, within :data:`WALKED_WITHIN_M`
(25 m, GPS error and the width of a Dutch street with its pavements), for
at least half of its length and for at least :data:`MIN_ALONG_M` (30 m) of
it, or for 90% of it when it is shorter than that.

"Along" is measured by projecting the track onto the segment: every stretch
of the track (cut every 5 m) whose two ends both lie within 25 m of the
segment covers the part of the segment between the points nearest to them.
The part of the segment covered this way must meet the lengths above. So
*crossing* a street at a junction, or walking past the end of a side street,
covers next to nothing of it (the track's points all project onto the
junction end), while walking it on either pavement covers all of it. A
parallel street 60 m away is never within reach. One limit: a short piece of
a side street that leaves at a sharp angle can be covered by walking past it.

A *street* is walked when one of its segments is. Streets are keyed the way
the gap table names them (:func:`abcd.gaps.street_labels`): by name, and an
unnamed segment by a stable label of its own (in Dutch, whatever the reader's
language, so the key stays the same: :data:`UNNAMED`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from abcd.freshness import months_before
from abcd.gaps import street_labels
from abcd.model import RD_NEW
from abcd.places import rd_geometry

WALKED_WITHIN_M: Final = 25.0
"""How far from a street the track may run and still be walking it."""
MIN_ALONG_M: Final = 30.0
"""How much of a segment the track must run along (90% of a shorter one)."""
MIN_SHARE: Final = 0.5
"""And at least this share of the segment."""
UNNAMED: Final = "naamloze weg"
"""The label of unnamed segments in stored street keys (the gap table's default)."""
_STEP_M: Final = 5.0  # the track is cut into stretches this long before it is projected
_SHORT_SHARE: Final = 0.9

BoolArray = npt.NDArray[np.bool_]


def street_keys(streets: gpd.GeoDataFrame) -> list[str]:
    """The street each segment belongs to, as stored with a walk (the gap table's labels, :data:`UNNAMED`)."""
    return street_labels(streets, "name", UNNAMED)


def walked_segments(streets: gpd.GeoDataFrame, track: BaseGeometry) -> BoolArray:
    """Which segments of ``streets`` (any CRS) the ``track`` (WGS84) walked, by the rule of the module docstring.

    >>> from shapely import LineString
    >>> streets = gpd.GeoDataFrame(
    ...     {"name": ["Along", "Across", "Parallel, 60 m away"]},
    ...     geometry=[LineString([(4.44, 51.91), (4.443, 51.91)]), LineString([(4.4415, 51.91), (4.4415, 51.9107)]),
    ...               LineString([(4.44, 51.91054), (4.443, 51.91054)])],
    ...     crs=4326,
    ... )
    >>> walked_segments(streets, LineString([(4.4399, 51.91007), (4.4431, 51.91007)])).tolist()
    [True, False, False]
    """
    n = len(streets)
    walked = np.zeros(n, dtype=bool)
    if n == 0 or track is None or track.is_empty:
        return walked
    segments = np.asarray(streets.to_crs(RD_NEW).geometry.values if streets.crs is not None else streets.geometry)
    covered = _covered(segments, rd_geometry(track))
    lengths = shapely.length(segments)
    needed = np.maximum(MIN_SHARE * lengths, np.minimum(MIN_ALONG_M, _SHORT_SHARE * lengths))
    walked[:] = (covered > 0) & (covered + 1e-6 >= needed)
    return walked


def walked_streets(streets: gpd.GeoDataFrame, track: BaseGeometry) -> list[str]:
    """The streets (keys, sorted) of which ``track`` walked at least one segment."""
    keys = np.asarray(street_keys(streets), dtype=object)
    return sorted(set(keys[walked_segments(streets, track)].tolist()))


def _covered(segments: npt.NDArray[np.object_], track_rd: BaseGeometry) -> npt.NDArray[np.float64]:
    """Metres of each segment the track ran along (projected stretches within reach, overlaps counted once)."""
    covered = np.zeros(segments.size)
    parts = shapely.get_parts(shapely.segmentize(track_rd, _STEP_M))
    coords, part = shapely.get_coordinates(parts, return_index=True)
    if coords.shape[0] < 2:
        return covered
    points = shapely.points(coords)
    # Every (segment, track point) within reach, found with one tree query.
    seg, point = shapely.STRtree(points).query(segments, predicate="dwithin", distance=WALKED_WITHIN_M)
    if seg.size == 0:
        return covered
    along = shapely.line_locate_point(segments[seg], points[point])
    # A stretch counts when both its ends are within reach of the same segment (and in the same part).
    key = seg.astype(np.int64) * (coords.shape[0] + 1) + point
    order = np.argsort(key)
    key, seg, point, along = key[order], seg[order], point[order], along[order]
    position = np.searchsorted(key, key + 1)
    found = position < key.size
    nxt = np.where(found, position, 0)
    pair = found & (key[nxt] == key + 1) & (part[np.minimum(point + 1, part.size - 1)] == part[point])
    if not pair.any():
        return covered
    owners = seg[pair]
    lo = np.minimum(along[pair], along[nxt[pair]])
    hi = np.maximum(along[pair], along[nxt[pair]])
    for s in np.unique(owners).tolist():
        mine = owners == s
        covered[s] = _union_length(lo[mine], hi[mine])
    return covered


def _union_length(lo: npt.NDArray[np.float64], hi: npt.NDArray[np.float64]) -> float:
    """The length covered by the intervals ``[lo, hi]`` together (overlaps once).

    >>> _union_length(np.array([0.0, 5.0, 20.0]), np.array([10.0, 12.0, 25.0]))
    17.0
    """
    order = np.argsort(lo)
    total = 0.0
    start = end = None
    for a, b in zip(lo[order].tolist(), hi[order].tolist(), strict=True):
        if start is None or end is None or a > end:
            total += 0.0 if start is None or end is None else end - start
            start, end = a, b
        else:
            end = max(end, b)
    return total + (0.0 if start is None or end is None else end - start)


def last_walked_by_label(
    coverage: gpd.GeoDataFrame, dates: Mapping[str, date], *, unnamed: str = UNNAMED
) -> dict[str, date]:
    """Per street label of ``coverage`` (unnamed ones labelled ``unnamed``, as the reader's table does), its date.

    ``dates`` are keyed by :func:`street_keys`; this maps them onto the
    labels a gap table in any language shows.
    """
    if not dates or len(coverage) == 0:
        return {}
    keys = street_keys(coverage)
    labels = keys if unnamed == UNNAMED else street_labels(coverage, "name", unnamed)
    return {label: dates[key] for key, label in zip(keys, labels, strict=True) if key in dates}


def with_last_walked(coverage: gpd.GeoDataFrame, dates: Mapping[str, date]) -> gpd.GeoDataFrame:
    """``coverage`` (or any street frame) with a column ``last_walked``: its street's date, ``None`` when never.

    The frame's ``attrs`` (the gap run) are kept.
    """
    out = coverage.copy()
    keys = street_keys(coverage) if len(coverage) else []
    out["last_walked"] = pd.Series([dates.get(k) for k in keys], index=coverage.index, dtype=object)
    out.attrs.update(coverage.attrs)
    return out


def walked_class(last: date | None, today: date) -> str:
    """How long ago a street was walked, in the Gatenkaart's four classes.

    ``recent`` (less than a month), ``months_1_3``, ``months_3_12``, and
    ``older`` (more than a year, or never).

    >>> [walked_class(d, date(2026, 6, 15)) for d in (date(2026, 6, 1), date(2026, 4, 1), None)]
    ['recent', 'months_1_3', 'older']
    """
    if last is None:
        return "older"
    if last > months_before(today, 1):
        return "recent"
    if last > months_before(today, 3):
        return "months_1_3"
    return "months_3_12" if last > months_before(today, 12) else "older"


WALKED_CLASSES: Final = ("recent", "months_1_3", "months_3_12", "older")
"""The classes of :func:`walked_class`, most recent first."""


__all__ = [
    "MIN_ALONG_M",
    "MIN_SHARE",
    "UNNAMED",
    "WALKED_CLASSES",
    "WALKED_WITHIN_M",
    "last_walked_by_label",
    "street_keys",
    "walked_class",
    "walked_segments",
    "walked_streets",
    "with_last_walked",
]
