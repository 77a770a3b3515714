"""People in public views: dropped from asset frames, counted per buurt, small counts shown as "<5"."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from abcd.people import MIN_SHOWN, people_by_buurt, public_assets, shown_count
from abcd.wijken import Wijk

# Two square buurten side by side in RD New (metres), so distances are easy to reason about.
WEST = box(100_000, 400_000, 101_000, 401_000)
EAST = box(101_000, 400_000, 102_000, 401_000)


def buurten_rd() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": ["West", "Oost"]}, geometry=[WEST, EAST], crs="EPSG:28992")


def assets_rd(rows: list[tuple[str, str, float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "name": [r[0] for r in rows],
            "category": [r[1] for r in rows],
            "contact": ["06-00000000"] * len(rows),
            "created_by": ["ans"] * len(rows),
        },
        geometry=[Point(r[2], r[3]) for r in rows],
        crs="EPSG:28992",
    )


def test_public_assets_drops_people_and_private_columns_and_keeps_the_index() -> None:
    frame = assets_rd(
        [
            ("Ans naait", "person", 100_500, 400_500),
            ("Naaiclub", "association", 100_600, 400_600),
            ("Moestuin", "initiative", 101_500, 400_500),
        ]
    )
    frame.index = pd.Index([10, 11, 12])
    public = public_assets(frame)
    assert list(public.index) == [11, 12]
    assert list(public["name"]) == ["Naaiclub", "Moestuin"]
    assert "contact" not in public.columns and "created_by" not in public.columns
    assert list(frame.columns) == ["name", "category", "contact", "created_by", "geometry"]  # input untouched


def test_public_assets_needs_a_category_column() -> None:
    with pytest.raises(ValueError, match="no 'category' column"):
        public_assets(gpd.GeoDataFrame({"name": ["x"]}, geometry=[Point(0, 0)], crs="EPSG:4326"))


def test_people_are_counted_in_the_buurt_that_contains_them() -> None:
    people = [(f"p{i}", "person", 100_100 + i * 10, 400_500) for i in range(6)]  # six in West
    people += [("q", "person", 101_500, 400_500)]  # one in Oost
    frame = assets_rd([*people, ("Club", "association", 101_600, 400_600)])
    table = people_by_buurt(frame, buurten_rd())
    assert list(table.columns) == ["buurt", "count", "shown"]
    assert table.to_dict("records") == [
        {"buurt": "West", "count": 6, "shown": "6"},
        {"buurt": "Oost", "count": 1, "shown": "<5"},
    ]


def test_a_point_just_outside_every_buurt_counts_in_the_nearest() -> None:
    frame = assets_rd([("kerb", "person", 102_005, 400_500), ("far west", "person", 99_990, 400_500)])
    table = people_by_buurt(frame, buurten_rd())
    assert list(table["count"]) == [1, 1]


def test_buurten_without_people_are_listed_with_a_zero_and_shown_as_small() -> None:
    table = people_by_buurt(assets_rd([("Club", "association", 100_500, 400_500)]), buurten_rd())
    assert list(table["count"]) == [0, 0]
    assert list(table["shown"]) == ["<5", "<5"]


def test_wgs84_points_are_counted_against_catalogue_buurten(catalogue: dict[str, Wijk]) -> None:
    # Points checked against the CBS map: the first two lie in Tussendijken, the third in Bospolder.
    frame = gpd.GeoDataFrame(
        {"name": ["a", "b", "c"], "category": ["person"] * 3},
        geometry=[Point(4.4413, 51.9107), Point(4.4430, 51.9130), Point(4.4390, 51.9095)],
        crs="EPSG:4326",
    )
    table = people_by_buurt(frame, [catalogue["bospolder"], catalogue["tussendijken"]])
    assert table.set_index("buurt")["count"].to_dict() == {"Bospolder": 1, "Tussendijken": 2}


@pytest.mark.parametrize(("count", "shown"), [(0, "<5"), (4, "<5"), (MIN_SHOWN, "5"), (27, "27")])
def test_shown_count(count: int, shown: str) -> None:
    assert shown_count(count) == shown


def test_shown_count_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError, match="negative"):
        shown_count(-1)
