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


def rd_xy(lons: Coordinates, lats: Coordinates) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """RD New x and y (metres) from WGS84 longitudes and latitudes, as two arrays."""
    x, y = to_rd().transform(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    return np.atleast_1d(np.asarray(x, dtype=float)), np.atleast_1d(np.asarray(y, dtype=float))


def rd_points(lons: Coordinates, lats: Coordinates) -> npt.NDArray[np.object_]:
    """Points in RD New from WGS84 longitudes and latitudes."""
    return shapely.points(*rd_xy(lons, lats))


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
        self._kind_names = sorted({a.kind for a in self.areas})
        self._kind_codes = np.array([self._kind_names.index(a.kind) for a in self.areas], dtype=np.int64)
        # Each area's slug as its place in the slugs' sort order: slugs are listed and tie-broken by it.
        self._slug_rank = np.unique(self._slugs.astype(str), return_inverse=True)[1].astype(np.int64)
        rd = np.array([rd_geometry(a.boundary) for a in self.areas], dtype=object)
        shapely.prepare(rd)
        self._rd = rd
        # The areas' boxes grown by the tolerance (and a micrometre, against rounding): a point in one is a
        # candidate for that area; the exact test follows in membership.
        grow = TOLERANCE_M + 1e-6
        reach = shapely.bounds(rd) + np.array([-grow, -grow, grow, grow])
        self._tree = shapely.STRtree(shapely.box(*reach.T))

    def __len__(self) -> int:
        return len(self.areas)

    def membership(self, lons: Coordinates, lats: Coordinates) -> list[tuple[str, ...]]:
        """For every point, the slugs of the areas it lies in, sorted.

        One pass for all points: the areas whose box comes within the
        tolerance are candidates; the covering ones are found with the
        prepared boundaries, and distances are measured only for a point and
        a kind that no area covers (points near a boundary), where the nearest
        area of that kind within the tolerance counts (ties: the first slug).
        """
        count = len(lons)
        if count == 0 or not self.areas:
            return [() for _ in range(count)]
        x, y = rd_xy(lons, lats)
        reach = TOLERANCE_M
        point_of, area_of = self._tree.query(shapely.points(x, y))
        covered = shapely.intersects_xy(self._rd[area_of], x[point_of], y[point_of])
        # Per (point, kind): does an area of that kind cover the point?
        kinds = len(self._kind_names)
        pair_kind = point_of * kinds + self._kind_codes[area_of]
        claimed = np.zeros(count * kinds, dtype=np.bool_)
        claimed[pair_kind[covered]] = True
        # Elsewhere the nearest area of each kind within the tolerance (by distance, then slug).
        open_ = np.flatnonzero(~claimed[pair_kind])
        points = shapely.points(x[point_of[open_]], y[point_of[open_]])
        near = shapely.dwithin(self._rd[area_of[open_]], points, reach)
        open_, points = open_[near], points[near]
        distance = shapely.distance(points, self._rd[area_of[open_]])
        order = np.lexsort((self._slug_rank[area_of[open_]], distance, pair_kind[open_]))
        ranked = open_[order]
        first = np.ones(len(ranked), dtype=np.bool_)
        first[1:] = pair_kind[ranked][1:] != pair_kind[ranked][:-1]
        chosen = np.concatenate([np.flatnonzero(covered), ranked[first]])
        # Every point's slugs, sorted: pairs ordered by point, then slug.
        chosen = chosen[np.lexsort((self._slug_rank[area_of[chosen]], point_of[chosen]))]
        rank = self._slug_rank[area_of[chosen]]
        once = np.ones(len(chosen), dtype=np.bool_)  # a slug twice in the index still counts once
        once[1:] = (rank[1:] != rank[:-1]) | (point_of[chosen][1:] != point_of[chosen][:-1])
        chosen = chosen[once]
        slugs = self._slugs[area_of[chosen]].tolist()
        bounds = np.searchsorted(point_of[chosen], np.arange(count + 1)).tolist()
        return [tuple(slugs[bounds[k] : bounds[k + 1]]) for k in range(count)]

    def areas_at(self, lon: float, lat: float) -> tuple[str, ...]:
        """The slugs of the areas one point lies in, sorted."""
        return self.membership([lon], [lat])[0]


__all__ = ["TOLERANCE_M", "Area", "AreaIndex", "rd_geometry", "rd_points", "rd_xy", "to_rd"]
