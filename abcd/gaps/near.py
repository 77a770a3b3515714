"""What is near a gap street: the nearest initiatives and meeting places, and whom a builder could approach.

A gap (a street without a resident initiative within reach) means more
effort there. That effort starts from what the neighbourhood already has:
:func:`near_street` lists, for one street, the nearest resident initiatives
and meeting places with their distance, and the associations, institutions,
places and businesses close enough for a community builder to approach.
Everything is pure: frames in, plain data out. Distances are straight lines
in RD New from the nearest part of the street to the asset's point.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from abcd._cells import cell_text
from abcd.gaps._common import to_rd
from abcd.gaps.coverage import _check_coverage, street_labels, street_summary
from abcd.gaps.errors import GapInputError

APPROACH_CATEGORIES: Final = ("association", "institution", "place", "business")
"""Who a builder could approach near a gap: clubs, institutions, places and businesses (never residents)."""
MEETING_PLACE: Final = "meeting_place"
APPROACH_M: Final = 500.0
"""How far around a street the assets to approach are looked for (a few minutes' walk)."""
NEAREST: Final = 3
"""How many of the nearest initiatives and meeting places are named."""
APPROACH_MAX: Final = 6
"""How many assets to approach are named at most, nearest first."""
_ASSET_COLUMNS: Final = ("id", "name", "category")


@dataclass(frozen=True, slots=True)
class Nearby:
    """One asset near a street, and how far from it."""

    id: str
    name: str
    category: str
    distance_m: float
    example: bool = False


@dataclass(frozen=True, slots=True)
class NearStreet:
    """What is near one street: the nearest initiatives and meeting places, and whom to approach."""

    street: str
    initiatives: tuple[Nearby, ...]
    meeting_places: tuple[Nearby, ...]
    approach: tuple[Nearby, ...]
    approach_m: float


def gap_streets(coverage: gpd.GeoDataFrame, *, name_column: str = "name", unnamed: str = "naamloze weg") -> list[str]:
    """The streets with a gap (some length with no initiative in reach), the most length first.

    The labels and the order are :func:`~abcd.gaps.street_summary`'s, so a
    page can offer them next to its table.
    """
    summary = street_summary(coverage, name_column=name_column, unnamed=unnamed)
    return [str(s) for s in summary.loc[summary["length_needs_support_m"] > 0, "street"]]


def near_street(
    coverage: gpd.GeoDataFrame,
    street: str,
    *,
    initiatives: gpd.GeoDataFrame,
    assets: gpd.GeoDataFrame,
    name_column: str = "name",
    unnamed: str = "naamloze weg",
    nearest: int = NEAREST,
    approach_m: float = APPROACH_M,
    approach_max: int = APPROACH_MAX,
) -> NearStreet:
    """What is near ``street`` (a label of :func:`gap_streets`), nearest first.

    Parameters
    ----------
    coverage
        :func:`~abcd.gaps.street_coverage` output; the street is the union of
        its segments with this label.
    initiatives
        The resident initiatives the coverage counted (columns ``id``,
        ``name``, ``category``; a CRS): the ``nearest`` of them are named.
    assets
        Other public assets around the wijk: the ``nearest`` meeting places,
        and up to ``approach_max`` assets of :data:`APPROACH_CATEGORIES` within
        ``approach_m`` metres. A ``source`` column marks examples.

    Raises
    ------
    GapInputError
        When ``street`` is not a street of ``coverage``, or a frame lacks a
        column or a CRS.

    >>> from shapely import LineString, Point
    >>> streets = gpd.GeoDataFrame({"name": ["Kade"], "initiatives": [0], "nearest_initiative_m": [float("nan")],
    ...     "needs_support": [True], "below_average": [True]}, geometry=[LineString([(0, 0), (100, 0)])], crs=28992)
    >>> places = gpd.GeoDataFrame({"id": ["c"], "name": ["Voetbalclub"], "category": ["association"]},
    ...     geometry=[Point(50, 40)], crs=28992)
    >>> near = near_street(streets, "Kade", initiatives=places.iloc[:0], assets=places)
    >>> [(n.name, n.distance_m) for n in near.approach], near.initiatives
    ([('Voetbalclub', 40.0)], ())
    """
    _check_coverage(coverage)
    labels = np.asarray(street_labels(coverage, name_column, unnamed), dtype=object)
    mine = labels == street
    if not mine.any():
        raise GapInputError(f"{street!r} is not a street of this coverage")
    segments = to_rd(np.asarray(coverage.geometry.values)[mine], coverage.crs, "coverage")
    line = shapely.union_all(segments)
    counted = _nearby(line, initiatives, what="initiatives")
    others = _nearby(line, assets, what="assets")
    places = [n for n in others if n.category == MEETING_PLACE]
    approach = [n for n in others if n.category in APPROACH_CATEGORIES and n.distance_m <= approach_m]
    return NearStreet(
        street=street,
        initiatives=tuple(counted[:nearest]),
        meeting_places=tuple(places[:nearest]),
        approach=tuple(approach[:approach_max]),
        approach_m=float(approach_m),
    )


def _nearby(line: shapely.Geometry, frame: gpd.GeoDataFrame, *, what: str) -> list[Nearby]:
    """Every row of ``frame`` with its distance to ``line`` (RD New), nearest first, ties by name."""
    missing = [c for c in _ASSET_COLUMNS if c not in frame.columns]
    if missing:
        raise GapInputError(f"{what} lacks the columns {missing}")
    if len(frame) == 0:
        return []
    points = to_rd(np.asarray(frame.geometry.values), frame.crs, what)
    distances = shapely.distance(line, points)
    examples = (
        frame["source"].astype(str).eq("example").to_numpy()
        if "source" in frame.columns
        else np.zeros(len(frame), dtype=bool)
    )
    rows = [
        Nearby(
            id=str(asset_id),
            name=cell_text(name),
            category=str(category),
            distance_m=round(float(distance), 1),
            example=bool(example),
        )
        for asset_id, name, category, distance, example in zip(
            frame["id"], frame["name"], frame["category"], distances, examples, strict=True
        )
        if not pd.isna(distance)
    ]
    return sorted(rows, key=lambda n: (n.distance_m, n.name, n.id))


__all__ = [
    "APPROACH_CATEGORIES",
    "APPROACH_M",
    "APPROACH_MAX",
    "NEAREST",
    "NearStreet",
    "Nearby",
    "gap_streets",
    "near_street",
]
