"""Which areas a place lies in: the one rule behind every area view, count and permission.

An asset is a place. The areas it belongs to (a Rotterdam wijk, a CBS wijk, a
CBS buurt, a gemeente, an area a user added) follow from its location, at
every level at once, never from where it was typed in. The rule, per kind of
area: the areas that cover the point; and if none of that kind does, the
nearest one within :data:`TOLERANCE_M` (boundaries are generalised, so a
kerb-side point just outside still counts, but only where no neighbour of the
same kind claims it). :class:`AreaIndex` answers that for many points at once;
the store keeps the answer for fast views (``asset_areas``) and recomputes it
whenever a location or an area changes.

Everything here is pure: boundaries in WGS84 in, area slugs out. Distances are
measured in RD New (EPSG:28992).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from abcd.model import RD_NEW, WGS84

TOLERANCE_M = 15.0
"""How far outside a generalised boundary a point may lie and still count (when no neighbour covers it)."""


@cache
def to_rd() -> Transformer:
    """WGS84 to RD New, built on first use (not at import) and then shared (pyproj transformers are thread-safe)."""
    return Transformer.from_crs(WGS84, RD_NEW, always_xy=True)


Coordinates = Sequence[float] | npt.NDArray[np.float64]


def rd_points(lons: Coordinates, lats: Coordinates) -> npt.NDArray[np.object_]:
    """Points in RD New from WGS84 longitudes and latitudes."""
    x, y = to_rd().transform(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    return shapely.points(np.column_stack([np.atleast_1d(x), np.atleast_1d(y)]))


def rd_geometry(geometry: BaseGeometry) -> BaseGeometry:
    """A WGS84 geometry in RD New metres."""
    return shapely.transform(geometry, lambda xy: np.column_stack(to_rd().transform(xy[:, 0], xy[:, 1])))


@cache
def from_rd() -> Transformer:
    """RD New to WGS84, the inverse of :func:`to_rd`, built on first use and shared."""
    return Transformer.from_crs(RD_NEW, WGS84, always_xy=True)


def wgs84_geometry(geometry: BaseGeometry) -> BaseGeometry:
    """An RD New geometry in WGS84 (the inverse of :func:`rd_geometry`)."""
    return shapely.transform(geometry, lambda xy: np.column_stack(from_rd().transform(xy[:, 0], xy[:, 1])))


@dataclass(frozen=True, slots=True)
class Area:
    """An area a place can lie in: its slug, its kind (areas of one kind do not overlap) and its boundary."""

    slug: str
    kind: str
    boundary: BaseGeometry  # WGS84


class AreaIndex:
    """A spatial index of areas that says, for points, which areas they lie in (see the module docstring).

    >>> from shapely.geometry import box
    >>> index = AreaIndex([Area("west", "wijk", box(4.40, 51.90, 4.45, 51.95)),
    ...                    Area("oost", "wijk", box(4.45, 51.90, 4.50, 51.95)),
    ...                    Area("stad", "gemeente", box(4.40, 51.90, 4.50, 51.95))])
    >>> index.areas_at(4.42, 51.92), index.areas_at(4.3, 51.92)
    (('stad', 'west'), ())
    """

    def __init__(self, areas: Iterable[Area]) -> None:
        self.areas = tuple(areas)
        self._slugs = np.array([a.slug for a in self.areas], dtype=object)
        self._kinds = np.array([a.kind for a in self.areas], dtype=object)
        rd = np.array([rd_geometry(a.boundary) for a in self.areas], dtype=object)
        shapely.prepare(rd)
        self._rd = rd
        self._tree = shapely.STRtree(rd)

    def __len__(self) -> int:
        return len(self.areas)

    def membership(self, lons: Coordinates, lats: Coordinates) -> list[tuple[str, ...]]:
        """For every point, the slugs of the areas it lies in, sorted."""
        count = len(lons)
        if count == 0 or not self.areas:
            return [() for _ in range(count)]
        points = rd_points(lons, lats)
        point_of, area_of = self._tree.query(points, predicate="dwithin", distance=TOLERANCE_M)
        distance = shapely.distance(points[point_of], self._rd[area_of])
        covered = distance <= 0.0
        found: list[set[str]] = [set() for _ in range(count)]
        # Areas that cover the point, and per (point, kind) whether any does.
        claimed = {(int(p), str(k)) for p, k in zip(point_of[covered], self._kinds[area_of[covered]], strict=True)}
        for p, a in zip(point_of[covered], area_of[covered], strict=True):
            found[int(p)].add(str(self._slugs[a]))
        # Elsewhere the nearest area of each kind within the tolerance.
        nearest: dict[tuple[int, str], tuple[float, str]] = {}
        for p, a, d in zip(point_of[~covered], area_of[~covered], distance[~covered], strict=True):
            key = (int(p), str(self._kinds[a]))
            if key in claimed:
                continue
            slug = str(self._slugs[a])
            if key not in nearest or (float(d), slug) < nearest[key]:
                nearest[key] = (float(d), slug)
        for (p, _kind), (_d, slug) in nearest.items():
            found[p].add(slug)
        return [tuple(sorted(slugs)) for slugs in found]

    def areas_at(self, lon: float, lat: float) -> tuple[str, ...]:
        """The slugs of the areas one point lies in, sorted."""
        return self.membership([lon], [lat])[0]


__all__ = ["TOLERANCE_M", "Area", "AreaIndex", "rd_geometry", "rd_points", "to_rd"]
