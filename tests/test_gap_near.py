"""What is near a gap street (abcd.gaps.near): nearest first, the right kinds, real distances, no residents."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely import LineString, Point

from abcd import gaps
from abcd.gaps.near import APPROACH_CATEGORIES, gap_streets, near_street
from abcd.model import RD_NEW, WGS84

# Two streets in RD New metres: the Kade from (0, 0) to (200, 0) in two segments, the Dijk 1 km north.
STREETS = gpd.GeoDataFrame(
    {"name": ["Kade", "Kade", "Dijk"]},
    geometry=[LineString([(0, 0), (100, 0)]), LineString([(100, 0), (200, 0)]), LineString([(0, 1000), (200, 1000)])],
    crs=RD_NEW,
)


def frame(rows: list[tuple[str, str, str, float, float]], *, source: str = "field") -> gpd.GeoDataFrame:
    """Assets as (id, name, category, x, y) in RD New."""
    return gpd.GeoDataFrame(
        {
            "id": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "category": [r[2] for r in rows],
            "source": [source] * len(rows),
        },
        geometry=[Point(r[3], r[4]) for r in rows],
        crs=RD_NEW,
    )


INITIATIVES = frame([("i1", "Moestuin", "initiative", 150, 1050), ("i2", "Taalcafé", "initiative", 0, 1400)])
ASSETS = frame(
    [
        ("m1", "Buurthuis", "meeting_place", 250, 0),  # 50 m past the Kade's east end
        ("m2", "Wijkcentrum", "meeting_place", 100, 700),
        ("c1", "Voetbalclub", "association", 100, 30),  # 30 m north of the Kade's middle
        ("s1", "School", "institution", -120, 0),  # 120 m west of its start
        ("p1", "Speeltuin", "place", 50, -499),
        ("p2", "Park far away", "place", 50, -501),  # just beyond 500 m
        ("b1", "Bakker", "business", 200, 10),
    ]
)


def coverage() -> gpd.GeoDataFrame:
    return gaps.street_coverage(STREETS, INITIATIVES, distance_m=250)


def test_gap_streets_are_the_streets_with_length_needing_support_most_first() -> None:
    cov = coverage()
    assert cov["needs_support"].tolist() == [True, True, False]  # the Moestuin is 50 m from the Dijk
    assert gap_streets(cov) == ["Kade"]


def test_the_nearest_of_each_kind_with_their_distance_nearest_first() -> None:
    near = near_street(coverage(), "Kade", initiatives=INITIATIVES, assets=ASSETS)
    assert near.street == "Kade"
    assert [(n.name, n.distance_m) for n in near.initiatives] == [("Moestuin", 1050.0), ("Taalcafé", 1400.0)]
    assert [(n.name, n.distance_m) for n in near.meeting_places] == [("Buurthuis", 50.0), ("Wijkcentrum", 700.0)]
    # Whom to approach: within 500 m of the street as a whole (both segments), nearest first; not the far park.
    assert [(n.id, n.distance_m) for n in near.approach] == [("b1", 10.0), ("c1", 30.0), ("s1", 120.0), ("p1", 499.0)]
    assert {n.category for n in near.approach} <= set(APPROACH_CATEGORIES)
    assert near.approach_m == 500.0


def test_the_lists_are_short_and_the_radius_is_a_choice() -> None:
    near = near_street(
        coverage(), "Kade", initiatives=INITIATIVES, assets=ASSETS, nearest=1, approach_m=100, approach_max=1
    )
    assert [n.id for n in near.initiatives] == ["i1"] and [n.id for n in near.meeting_places] == ["m1"]
    assert [n.id for n in near.approach] == ["b1"]


def test_residents_and_stories_are_never_someone_to_approach() -> None:
    others = frame([("x", "Ans (talent)", "person", 100, 1), ("y", "Verhaal", "story", 100, 2)])
    near = near_street(coverage(), "Kade", initiatives=INITIATIVES, assets=others)
    assert near.approach == () and near.meeting_places == ()


def test_distances_are_metres_whatever_the_input_crs_and_examples_are_marked() -> None:
    in_wgs84 = frame([("c1", "Voetbalclub", "association", 100, 30)], source="example").to_crs(WGS84)
    near = near_street(coverage().to_crs(WGS84), "Kade", initiatives=INITIATIVES.iloc[:0], assets=in_wgs84)
    [club] = near.approach
    assert club.distance_m == pytest.approx(30.0, abs=0.2) and club.example
    assert near.initiatives == ()


def test_an_unknown_street_or_a_frame_without_names_is_refused() -> None:
    with pytest.raises(gaps.GapInputError, match="Straat"):
        near_street(coverage(), "Straat", initiatives=INITIATIVES, assets=ASSETS)
    with pytest.raises(gaps.GapInputError, match="name"):
        near_street(coverage(), "Kade", initiatives=INITIATIVES, assets=ASSETS.drop(columns="name"))
