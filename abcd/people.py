"""People in public views: counts per buurt, never names, descriptions, contact or points.

A *person* asset (category ``person``) is a resident's talent: personal data.
Public views of a wijk (the Presentatie page, the PDF report, the poster) show
people in one way only: how many person assets lie in each CBS buurt, with
counts under :data:`MIN_SHOWN` shown as ``"<5"``. This module is that rule, in
two pure functions:

- :func:`public_assets` removes person rows and private columns from an asset
  frame, so nothing downstream can show them by mistake;
- :func:`people_by_buurt` counts person assets per buurt.

Display only the ``shown`` column of :func:`people_by_buurt`; ``count`` is the
exact number, for code that needs to know whether there are any at all.

>>> import geopandas as gpd
>>> from shapely.geometry import Point, box
>>> assets = gpd.GeoDataFrame(
...     {"name": ["Ans kan naaien", "Naaiclub"], "category": ["person", "association"],
...      "contact": ["06-1", None]},
...     geometry=[Point(0.5, 0.5), Point(0.6, 0.6)], crs="EPSG:4326")
>>> list(public_assets(assets).columns), list(public_assets(assets)["name"])
(['name', 'category', 'geometry'], ['Naaiclub'])
>>> buurten = gpd.GeoDataFrame({"name": ["Noord", "Zuid"]}, geometry=[box(0, 0, 1, 1), box(0, -1, 1, 0)],
...                            crs="EPSG:4326")
>>> people_by_buurt(assets, buurten).to_dict("records")
[{'buurt': 'Noord', 'count': 1, 'shown': '<5'}, {'buurt': 'Zuid', 'count': 0, 'shown': '<5'}]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from abcd.model import RD_NEW, WGS84, Category

if TYPE_CHECKING:
    from abcd.wijken import Wijk

MIN_SHOWN = 5
"""Counts below this are shown as ``"<5"``: a small number can point to one person."""

PRIVATE_COLUMNS = ("contact", "created_by", "updated_by", "deleted_by")
"""Columns that name or reach a person; :func:`public_assets` drops them when present."""

PEOPLE_COLUMNS = ("buurt", "count", "shown")


def shown_count(count: int, *, min_count: int = MIN_SHOWN) -> str:
    """A count as public views show it: the number, or ``"<5"`` when it is small.

    >>> shown_count(12), shown_count(4), shown_count(0)
    ('12', '<5', '<5')
    """
    if count < 0:
        msg = f"A count cannot be negative; got {count}"
        raise ValueError(msg)
    return str(count) if count >= min_count else f"<{min_count}"


def _is_person(assets: pd.DataFrame) -> pd.Series:
    if "category" not in assets.columns:
        msg = f"The asset frame has no 'category' column; it has {list(assets.columns)}"
        raise ValueError(msg)
    return assets["category"].astype(str) == Category.PERSON.value


def public_assets(assets: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``assets`` without person rows and without the private columns (:data:`PRIVATE_COLUMNS`).

    The index of the remaining rows is kept, so results line up with the input.
    """
    keep = assets.loc[~_is_person(assets)]
    return keep.drop(columns=[c for c in PRIVATE_COLUMNS if c in keep.columns])


def _buurt_frame(buurten: Sequence[Wijk] | gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if isinstance(buurten, gpd.GeoDataFrame):
        if "name" not in buurten.columns:
            msg = f"The buurt frame needs a 'name' column; it has {list(buurten.columns)}"
            raise ValueError(msg)
        frame = gpd.GeoDataFrame({"name": list(buurten["name"])}, geometry=list(buurten.geometry), crs=buurten.crs)
        return frame.set_crs(WGS84) if frame.crs is None else frame
    return gpd.GeoDataFrame({"name": [b.name for b in buurten]}, geometry=[b.boundary for b in buurten], crs=WGS84)


def people_by_buurt(
    assets: gpd.GeoDataFrame, buurten: Sequence[Wijk] | gpd.GeoDataFrame, *, min_count: int = MIN_SHOWN
) -> pd.DataFrame:
    """How many person assets lie in each buurt, in the order of ``buurten``.

    Parameters
    ----------
    assets
        Asset points with a ``category`` column; only ``person`` rows count.
    buurten
        CBS buurten: catalogue :class:`~abcd.wijken.Wijk` objects, or a
        GeoDataFrame with a ``name`` column and boundaries.
    min_count
        Counts below this are shown as ``"<{min_count}"``.

    Returns
    -------
    pandas.DataFrame
        One row per buurt (also buurten without people) with columns
        ``buurt`` (name), ``count`` (exact) and ``shown`` (what to display).
        A point is counted in the buurt whose boundary contains it; the CBS
        boundaries are generalised, so a point just outside every buurt (a
        kerbside point the wijk accepts) counts in the nearest one.
    """
    frame = _buurt_frame(buurten)
    counts = [0] * len(frame)
    people = assets.loc[_is_person(assets)]
    if len(people) and len(frame):
        points = people.geometry.set_crs(WGS84) if people.crs is None else people.geometry
        points = points.to_crs(RD_NEW)
        areas = frame.geometry.to_crs(RD_NEW)
        tree_hits = areas.sindex.query(points.values, predicate="within")
        first: dict[int, int] = {}
        for point_i, area_i in zip(tree_hits[0], tree_hits[1], strict=True):
            first.setdefault(int(point_i), int(area_i))
        for point_i, point in enumerate(points.values):
            if point is None or point.is_empty:
                continue
            area_i = first.get(point_i)
            if area_i is None:
                area_i = int(areas.distance(point).to_numpy().argmin())
            counts[area_i] += 1
    return pd.DataFrame(
        {
            "buurt": list(frame["name"]),
            "count": counts,
            "shown": [shown_count(c, min_count=min_count) for c in counts],
        },
        columns=list(PEOPLE_COLUMNS),
    )


__all__ = ["MIN_SHOWN", "PRIVATE_COLUMNS", "people_by_buurt", "public_assets", "shown_count"]
