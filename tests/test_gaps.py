"""Tests for :mod:`abcd.gaps`: hand-made grids, brute-force oracles and properties."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiLineString, Point, box
from shapely.ops import nearest_points

from abcd.gaps import (
    DEFAULT_DISTANCE_M,
    MAX_DISTANCE_M,
    MIN_DISTANCE_M,
    NEAREST_CUTOFF_M,
    SNAP_TOLERANCE_M,
    GapFigures,
    GapInputError,
    Mode,
    street_coverage,
    street_summary,
    wijk_figures,
    wijk_figures_by,
)
from tests.helpers import INSIDE_BOTU, INSIDE_BOTU_2, OUDE_WESTEN, POLYGON_IN_BOTU

MODES: tuple[Mode, ...] = ("straight", "network")
PROPS = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------


def streets_frame(lines: dict[str, Any], *, crs: int | None = 28992, **columns: Sequence[Any]) -> gpd.GeoDataFrame:
    """Streets keyed by a readable index label."""
    data = {name: list(values) for name, values in columns.items()}
    return gpd.GeoDataFrame(data, geometry=list(lines.values()), index=list(lines), crs=crs)


def assets_frame(rows: Iterable[dict[str, Any]], *, crs: int | None = 28992) -> gpd.GeoDataFrame:
    """Assets from dicts with ``xy`` (or ``geometry``) plus columns."""
    rows = list(rows)
    geoms = [
        r.pop("geometry") if "geometry" in r else (Point(r.pop("xy")) if r.get("xy") else r.pop("xy")) for r in rows
    ]
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=crs)


def initiatives(points: Iterable[tuple[float, float]], *, crs: int = 28992) -> gpd.GeoDataFrame:
    """Resident-led initiatives at the given RD points."""
    return assets_frame(({"xy": p, "category": "initiative", "resident_led": True} for p in points), crs=crs)


def no_assets() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"category": [], "resident_led": []}, geometry=[], crs=28992)


def grid3() -> gpd.GeoDataFrame:
    """3 x 3 junctions, 100 m blocks: rows h0..h2 (y = 0, 100, 200), columns v0..v2 (x = 0, 100, 200).

    Segment ``h1b`` is the second (x 100..200) segment of the row at y = 100;
    ``v2a`` is the first (y 0..100) segment of the column at x = 200.
    """
    lines: dict[str, LineString] = {}
    for k in range(3):
        c = 100.0 * k
        lines[f"h{k}a"] = LineString([(0, c), (100, c)])
        lines[f"h{k}b"] = LineString([(100, c), (200, c)])
        lines[f"v{k}a"] = LineString([(c, 0), (c, 100)])
        lines[f"v{k}b"] = LineString([(c, 100), (c, 200)])
    names = [f"Rij {k[1]}" if k[0] == "h" else f"Kolom {k[1]}" for k in lines]
    return streets_frame(lines, name=names, highway=["residential"] * len(lines), osm_id=range(100, 100 + len(lines)))


def grid_assets() -> gpd.GeoDataFrame:
    """P inside the lower-left block, Q on v2b; plus assets that must not count."""
    return assets_frame(
        [
            {"xy": (50, 30), "category": "initiative", "resident_led": True},  # P
            {"xy": (200, 150), "category": "initiative", "resident_led": None},  # Q: null counts as resident-led
            {"xy": (150, 50), "category": "initiative", "resident_led": False},  # run by an institution
            {"xy": (50, 150), "category": "business", "resident_led": True},  # not an initiative
            {"xy": (150, 150), "category": "meeting_place", "resident_led": None},
        ]
    )


S = math.sqrt
# Distances (metres) of every grid3 segment to P = (50, 30) and Q = (200, 150).
STRAIGHT_P: dict[str, float] = {
    "h0a": 30, "h0b": S(3400), "h1a": 70, "h1b": S(7400), "h2a": 170, "h2b": S(31400),
    "v0a": 50, "v0b": S(7400), "v1a": 50, "v1b": S(7400), "v2a": 150, "v2b": S(27400),
}  # fmt: skip
STRAIGHT_Q: dict[str, float] = {
    "h0a": S(32500), "h0b": 150, "h1a": S(12500), "h1b": 50, "h2a": S(12500), "h2b": 50,
    "v0a": S(42500), "v0b": 200, "v1a": S(12500), "v1b": 100, "v2a": 50, "v2b": 0,
}  # fmt: skip
# Walking: P snaps onto h0a at (50, 0) (offset 30), Q lies on v2b.
NETWORK_P: dict[str, float] = {
    "h0a": 30, "h0b": 80, "h1a": 180, "h1b": 180, "h2a": 280, "h2b": 280,
    "v0a": 80, "v0b": 180, "v1a": 80, "v1b": 180, "v2a": 180, "v2b": 280,
}  # fmt: skip
NETWORK_Q: dict[str, float] = {
    "h0a": 250, "h0b": 150, "h1a": 150, "h1b": 50, "h2a": 150, "h2b": 50,
    "v0a": 250, "v0b": 250, "v1a": 150, "v1b": 150, "v2a": 50, "v2b": 0,
}  # fmt: skip
EXPECTED: dict[str, tuple[dict[str, float], dict[str, float]]] = {
    "straight": (STRAIGHT_P, STRAIGHT_Q),
    "network": (NETWORK_P, NETWORK_Q),
}


# --------------------------------------------------------------------------
# Hand-made cases with known answers
# --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("distance", [60.0, 100.0, 180.0])
def test_grid_known_answers(mode: Mode, distance: float) -> None:
    cov = street_coverage(grid3(), grid_assets(), distance_m=distance, mode=mode)
    to_p, to_q = EXPECTED[mode]
    for label in cov.index:
        dists = [to_p[label], to_q[label]]
        want = sum(d <= distance for d in dists)
        assert cov.at[label, "initiatives"] == want, label
        assert cov.at[label, "nearest_initiative_m"] == pytest.approx(min(dists), abs=1e-6), label
        assert cov.at[label, "needs_support"] == (want == 0), label
    mean = cov["initiatives"].mean()
    assert (cov["below_average"] == (cov["initiatives"] < mean)).all()


def test_grid_exact_table_at_100m() -> None:
    """Spelled out once: v1b is exactly 100 m from Q in a straight line (limit included)."""
    straight = street_coverage(grid3(), grid_assets(), distance_m=100)
    network = street_coverage(grid3(), grid_assets(), distance_m=100, mode="network")
    assert straight["initiatives"].to_dict() == {
        "h0a": 1, "h0b": 1, "v0a": 1, "v0b": 1, "h1a": 1, "h1b": 2,
        "v1a": 1, "v1b": 2, "h2a": 0, "h2b": 1, "v2a": 1, "v2b": 1,
    }  # fmt: skip
    assert straight.index[straight["needs_support"]].tolist() == ["h2a"]
    assert straight.index[~straight["below_average"]].tolist() == ["h1b", "v1b"]  # mean is 13/12
    assert network["initiatives"].to_dict() == {
        "h0a": 1, "h0b": 1, "v0a": 1, "v0b": 0, "h1a": 0, "h1b": 1,
        "v1a": 1, "v1b": 0, "h2a": 0, "h2b": 1, "v2a": 1, "v2b": 1,
    }  # fmt: skip
    assert sorted(network.index[network["below_average"]]) == ["h1a", "h2a", "v0b", "v1b"]
    assert network["nearest_initiative_m"]["v2b"] == 0.0
    assert network["nearest_initiative_m"]["h0a"] == pytest.approx(30.0, abs=1e-9)


@pytest.mark.parametrize("mode", MODES)
def test_area_initiative_counts_for_segments_it_touches(mode: Mode) -> None:
    # A square "active area" straddling h2b (y = 200, x 120..180), its point inside it.
    area = box(120, 180, 180, 220)
    assets = assets_frame([{"xy": (150, 210), "category": "initiative", "resident_led": True, "area": area}])
    cov = street_coverage(grid3(), assets, distance_m=25, mode=mode)
    covered = set(cov.index[~cov["needs_support"]])
    # h2b touches the area; h2a, v1b and v2b are 20 m away both straight and on foot.
    assert covered == {"h2b", "h2a", "v1b", "v2b"}
    assert cov.at["h2b", "nearest_initiative_m"] == 0.0
    assert cov.loc[["h2a", "v1b", "v2b"], "nearest_initiative_m"].to_numpy() == pytest.approx([20, 20, 20])
    # h1b (y = 100): 80 m in a straight line, 20 + 100 m on foot.
    assert cov.at["h1b", "nearest_initiative_m"] == pytest.approx(80 if mode == "straight" else 120)
    assert cov["initiatives"].max() == 1  # point and area are one initiative


@pytest.mark.parametrize("mode", MODES)
def test_line_area_far_from_its_point(mode: Mode) -> None:
    # A route along the x = 200 column, registered with a point far away.
    route = LineString([(200, 20), (200, 180)])
    assets = assets_frame([{"xy": (900, 900), "category": "initiative", "resident_led": True, "area": route}])
    cov = street_coverage(grid3(), assets, distance_m=30, mode=mode)
    assert set(cov.index[~cov["needs_support"]]) == {"v2a", "v2b", "h0b", "h1b", "h2b"}
    assert cov.at["h0b", "nearest_initiative_m"] == pytest.approx(20.0)


def test_area_parallel_to_a_street_enters_along_its_nearest_stretch() -> None:
    # 10 m north of h2b, parallel to it over x 120..180; the point is far away.
    area = box(120, 210, 180, 230)
    assets = assets_frame([{"xy": (900, 900), "category": "initiative", "resident_led": True, "area": area}])
    network = street_coverage(grid3(), assets, distance_m=30, mode="network")
    straight = street_coverage(grid3(), assets, distance_m=30)
    assert network.at["h2b", "nearest_initiative_m"] == pytest.approx(10)
    # Walk 10 m to the street at x = 120 (or 180), then 20 m to the junction.
    assert network.loc[["h2a", "v1b", "v2b"], "nearest_initiative_m"].to_numpy() == pytest.approx([30, 30, 30])
    assert straight.loc[["h2a", "v1b", "v2b"], "nearest_initiative_m"].to_numpy() == pytest.approx([S(500)] * 3)
    assert set(network.index[~network["needs_support"]]) == {"h2b", "h2a", "v1b", "v2b"}


def test_area_ties_and_grazing_touches_do_not_depend_on_rounding() -> None:
    # Found by Hypothesis: two streets exactly 76 m below an area; both are entries.
    w = 195.74603043169017
    streets = streets_frame({"a": LineString([(61, 40), (61, 80)]), "b": LineString([(101, 40), (101, 80)])})
    area = box(61, 156, 61 + w, 156 + w / 2)
    assets = assets_frame([{"xy": None, "category": "initiative", "area": area}])
    cov = street_coverage(streets, assets, distance_m=76, mode="network")
    assert cov["nearest_initiative_m"].tolist() == pytest.approx([76, 76])
    assert cov["initiatives"].tolist() == [1, 1]
    # An area touching street c is 1e-123 m from street a: it touches a too, as
    # it would after any rounding (not a 60 m walk round via c and top).
    streets = streets_frame(
        {
            "a": LineString([(0, 0), (0, 40)]),
            "top": LineString([(0, 40), (40, 40)]),
            "c": LineString([(40, 0), (40, 40)]),
        }
    )
    assets = assets_frame([{"xy": None, "category": "initiative", "area": box(4e-123, 0, 40, 20)}])
    cov = street_coverage(streets, assets, distance_m=25, mode="network")
    assert cov["nearest_initiative_m"].tolist() == pytest.approx([0, 20, 0], abs=1e-9)


@pytest.mark.parametrize("mode", MODES)
def test_only_resident_led_initiatives_count(mode: Mode) -> None:
    assets = assets_frame(
        [
            {"xy": (100, 50), "category": "initiative", "resident_led": False},
            {"xy": (100, 50), "category": "association", "resident_led": True},
            {"xy": (100, 50), "category": None, "resident_led": True},
        ]
    )
    cov = street_coverage(grid3(), assets, mode=mode)
    assert cov["needs_support"].all()
    assert (cov["initiatives"] == 0).all()
    assert cov["nearest_initiative_m"].isna().all()
    assert not cov["below_average"].any()


@pytest.mark.parametrize("mode", MODES)
def test_missing_resident_led_column_counts_initiatives(mode: Mode) -> None:
    assets = assets_frame([{"xy": (100, 50), "category": "initiative"}])
    cov = street_coverage(grid3(), assets, distance_m=60, mode=mode)
    assert cov.at["v1a", "initiatives"] == 1


@pytest.mark.parametrize("mode", MODES)
def test_wgs84_input_gives_same_answers(mode: Mode) -> None:
    rd_streets = grid3().set_geometry(grid3().geometry.translate(92_000, 437_000))
    rd_assets = grid_assets().set_geometry(grid_assets().geometry.translate(92_000, 437_000))
    rd_assets["area"] = [None, shapely.affinity.translate(box(190, 110, 210, 130), 92_000, 437_000), None, None, None]
    wgs_assets = rd_assets.to_crs(4326)
    wgs_assets["area"] = [None, gpd.GeoSeries([rd_assets["area"][1]], crs=28992).to_crs(4326).iloc[0], None, None, None]
    rd = street_coverage(rd_streets, rd_assets, distance_m=100, mode=mode)
    wgs = street_coverage(rd_streets.to_crs(4326), wgs_assets, distance_m=100, mode=mode)
    mixed = street_coverage(rd_streets.to_crs(4326), rd_assets, distance_m=100, mode=mode)
    for other in (wgs, mixed):
        assert other.crs.to_epsg() == 4326
        assert other.index.equals(rd.index)
        assert (other["initiatives"] == rd["initiatives"]).all()
        assert (other["needs_support"] == rd["needs_support"]).all()
        np.testing.assert_allclose(other["nearest_initiative_m"], rd["nearest_initiative_m"], atol=1e-3)


def test_output_keeps_index_columns_crs_and_input() -> None:
    streets = grid3()
    streets["extra"] = np.arange(len(streets))
    before = streets.copy()
    cov = street_coverage(streets, grid_assets())
    assert cov.index.equals(streets.index)
    assert cov.crs == streets.crs
    assert list(cov.columns[: len(streets.columns)]) == list(streets.columns)
    assert cov.geometry.geom_equals(streets.geometry).all()
    assert cov["initiatives"].dtype == np.int64
    assert cov["nearest_initiative_m"].dtype == np.float64
    assert cov["needs_support"].dtype == bool and cov["below_average"].dtype == bool
    pd.testing.assert_frame_equal(streets, before)  # input untouched
    assert cov.attrs["gaps_distance_m"] == DEFAULT_DISTANCE_M and cov.attrs["gaps_mode"] == "straight"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "assets", [no_assets(), gpd.GeoDataFrame(), gpd.GeoDataFrame(geometry=[]), initiatives([(0, 0)]).iloc[:0]]
)
def test_empty_assets_everything_needs_support(mode: Mode, assets: gpd.GeoDataFrame) -> None:
    cov = street_coverage(grid3(), assets, mode=mode)
    assert cov["needs_support"].all() and (cov["initiatives"] == 0).all()
    assert cov["nearest_initiative_m"].isna().all() and not cov["below_average"].any()
    figures = wijk_figures(cov)
    assert figures.share_length_needs_support == 1.0
    assert figures.segments_needs_support == 12 and figures.mean_initiatives_per_segment == 0.0


@pytest.mark.parametrize("mode", MODES)
def test_empty_streets(mode: Mode) -> None:
    cov = street_coverage(grid3().iloc[:0], grid_assets(), mode=mode)
    assert len(cov) == 0 and set(cov.columns) >= {"initiatives", "nearest_initiative_m", "needs_support"}
    assert street_summary(cov).empty
    assert wijk_figures(cov) == GapFigures(0, 0.0, 0.0, 0.0, 0, 0, DEFAULT_DISTANCE_M, mode)


@pytest.mark.parametrize("mode", MODES)
def test_nearest_is_nan_beyond_cutoff(mode: Mode) -> None:
    cov = street_coverage(grid3(), initiatives([(0, 2300)]), mode=mode)
    assert cov["nearest_initiative_m"].isna().all()
    cov = street_coverage(grid3(), initiatives([(0, 1900)]), mode=mode)
    assert cov.at["v0b", "nearest_initiative_m"] == pytest.approx(1700)
    assert cov["nearest_initiative_m"].max() <= NEAREST_CUTOFF_M


def test_network_detour_is_longer_than_straight_line() -> None:
    # Two dead ends 40 m apart, joined only 500 m further on.
    streets = streets_frame(
        {
            "a": LineString([(0, 0), (0, 500)]),
            "top": LineString([(0, 500), (40, 500)]),
            "b": LineString([(40, 500), (40, 0)]),
        }
    )
    assets = initiatives([(0, 10)])  # on street a
    straight = street_coverage(streets, assets, distance_m=100)
    network = street_coverage(streets, assets, distance_m=100, mode="network")
    assert straight.at["b", "initiatives"] == 1 and straight.at["b", "nearest_initiative_m"] == pytest.approx(40)
    assert network.at["b", "initiatives"] == 0 and network.at["b", "nearest_initiative_m"] == pytest.approx(530)
    assert network.at["top", "nearest_initiative_m"] == pytest.approx(490)


def test_network_snaps_endpoints_within_tolerance_and_handles_multilines() -> None:
    streets = streets_frame(
        {
            "a": LineString([(0, 0), (100, 0)]),
            "b": LineString([(100.3, 0.2), (200, 0)]),  # 0.36 m gap: same junction
            "c": LineString([(200, 0), (300, 0)]),
            "far": LineString([(301, 0), (400, 0)]),  # 1 m gap: not connected
            "multi": MultiLineString([[(0, 50), (0, 60)], [(0, 70), (0, 80)]]),
        }
    )
    cov = street_coverage(streets, initiatives([(10, -5)]), distance_m=300, mode="network")
    assert cov.at["b", "nearest_initiative_m"] == pytest.approx(5 + 90)
    assert cov.at["c", "nearest_initiative_m"] == pytest.approx(5 + 90 + 99.7002, abs=1e-3)
    assert cov.at["far", "needs_support"]
    # A two-part segment: each part reached from its own side; an initiative
    # equally near both parts (a tie: two entries) still counts once.
    cov = street_coverage(streets, initiatives([(5, 55), (4, 75)]), distance_m=25, mode="network")
    assert cov.at["multi", "initiatives"] == 2
    assert cov.at["multi", "nearest_initiative_m"] == pytest.approx(4)
    for mode in MODES:
        cov = street_coverage(streets, initiatives([(2, 65)]), distance_m=25, mode=mode)
        assert cov.at["multi", "initiatives"] == 1
        assert cov.at["multi", "nearest_initiative_m"] == pytest.approx(S(29))


def test_network_ties_enter_on_every_equally_near_street() -> None:
    # The centre of a block is 50 m from all four sides: each is an entry.
    cov = street_coverage(grid3(), initiatives([(50, 50)]), distance_m=50, mode="network")
    assert set(cov.index[~cov["needs_support"]]) == {"h0a", "h1a", "v0a", "v1a"}


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------


@pytest.mark.parametrize("distance", [0, 24.9, 2000.5, math.nan, math.inf, -100, "250", True, None])
def test_bad_distance(distance: Any) -> None:
    with pytest.raises(GapInputError, match="distance_m"):
        street_coverage(grid3(), grid_assets(), distance_m=distance)


@pytest.mark.parametrize("distance", [MIN_DISTANCE_M, MAX_DISTANCE_M, np.float32(300), 400])
def test_distance_limits_accepted(distance: Any) -> None:
    assert len(street_coverage(grid3(), grid_assets(), distance_m=distance)) == 12


def test_bad_mode() -> None:
    with pytest.raises(GapInputError, match="mode"):
        street_coverage(grid3(), grid_assets(), mode="walking")  # type: ignore[arg-type]


def test_missing_crs_is_an_error() -> None:
    with pytest.raises(GapInputError, match="streets has no CRS"):
        street_coverage(grid3().set_crs(None, allow_override=True), grid_assets())
    with pytest.raises(GapInputError, match="assets has no CRS"):
        street_coverage(grid3(), grid_assets().set_crs(None, allow_override=True))


@pytest.mark.parametrize(
    ("streets", "assets", "message"),
    [
        (streets_frame({"x": Point(0, 0)}), grid_assets(), "LineString"),
        (streets_frame({"x": None}), grid_assets(), "LineString"),
        (streets_frame({"x": LineString()}), grid_assets(), "empty"),
        (grid3(), initiatives([(0, 0)]).set_geometry([box(0, 0, 1, 1)], crs=28992), "Point"),
        (grid3(), assets_frame([{"xy": None, "category": "initiative"}]), "location"),
        (grid3(), assets_frame([{"xy": (0, 0), "category": "initiative", "resident_led": "yes"}]), "resident_led"),
        (grid3(), assets_frame([{"xy": (0, 0), "category": "initiative", "area": Point(1, 1)}]), "area"),
        (grid3(), assets_frame([{"xy": (0, 0), "category": "initiative", "area": "POLYGON"}]), "area"),
        (grid3(), assets_frame([{"xy": (0, 0), "resident_led": True}]), "category"),
        (grid3(), pd.DataFrame({"category": ["initiative"]}), "GeoDataFrame"),
    ],
)
def test_bad_input_raises_clear_errors(streets: Any, assets: Any, message: str) -> None:
    with pytest.raises(GapInputError, match=message):
        street_coverage(streets, assets)
    assert issubclass(GapInputError, ValueError)


def test_summary_needs_coverage_columns() -> None:
    with pytest.raises(GapInputError, match="street_coverage"):
        street_summary(grid3())
    with pytest.raises(GapInputError, match="street_coverage"):
        wijk_figures(grid3())


# --------------------------------------------------------------------------
# Street summary and wijk figures
# --------------------------------------------------------------------------


def test_street_summary_aggregates_and_ranks() -> None:
    cov = street_coverage(grid3(), grid_assets(), distance_m=60)
    # Straight, 60 m: P covers h0a, h0b, v0a, v1a; Q covers h1b, h2b, v2a, v2b.
    summary = street_summary(cov)
    assert list(summary.columns) == [
        "street", "segments", "length_m", "length_needs_support_m", "initiatives",
        "nearest_initiative_m", "needs_support", "share_needs_support",
    ]  # fmt: skip
    rows = summary.set_index("street")
    # Four streets have 100 m needing support (ties ranked by name), two have none.
    assert summary["street"].tolist() == ["Kolom 0", "Kolom 1", "Rij 1", "Rij 2", "Kolom 2", "Rij 0"]
    assert rows.loc["Kolom 1"].to_dict() == pytest.approx(
        {"segments": 2, "length_m": 200.0, "length_needs_support_m": 100.0, "initiatives": 1,
         "nearest_initiative_m": 50.0, "needs_support": False, "share_needs_support": 0.5}
    )  # fmt: skip
    assert rows.loc["Rij 0", "share_needs_support"] == 0.0 and not rows["needs_support"].any()
    assert rows.loc["Rij 1", "nearest_initiative_m"] == pytest.approx(50.0)
    assert summary["segments"].dtype == np.int64 and summary["needs_support"].dtype == bool


def test_street_summary_whole_street_needing_support() -> None:
    cov = street_coverage(grid3(), initiatives([(50, 30)]), distance_m=60)
    rows = street_summary(cov).set_index("street")
    assert rows.loc["Rij 2", "needs_support"] and rows.loc["Rij 2", "share_needs_support"] == 1.0
    assert rows.loc["Rij 2", "initiatives"] == 0


def test_unnamed_segments_get_readable_stable_labels() -> None:
    streets = grid3()
    streets["name"] = [None, "", "  ", np.nan] + ["Rij 0"] * 8
    streets["osm_id"] = [7, 7, None, None, *range(8)]
    cov = street_coverage(streets, grid_assets())
    labels = street_summary(cov)["street"].tolist()
    fallback = [s for s in labels if s.startswith("naamloze weg")]
    assert len(fallback) == 3  # the two segments of OSM way 7 form one street
    assert all(re.fullmatch(r"naamloze weg \(residential\) #[0-9a-f]{4,16}", s) for s in fallback)
    assert street_summary(cov)["street"].tolist() == labels  # stable
    # Same segments in WGS84 keep their labels.
    assert sorted(street_summary(cov.to_crs(4326))["street"]) == sorted(labels)
    merged = street_summary(cov).set_index("street")
    way7 = next(s for s in fallback if merged.loc[s, "segments"] == 2)
    assert merged.loc[way7, "length_m"] == pytest.approx(200)


def test_labels_without_name_or_highway_columns() -> None:
    cov = street_coverage(grid3().drop(columns=["name", "highway", "osm_id"]), grid_assets())
    labels = street_summary(cov)["street"]
    assert len(labels) == 12 and labels.is_unique
    assert labels.str.fullmatch(r"naamloze weg #[0-9a-f]{4,16}").all()
    other = street_summary(cov, name_column="does_not_exist")["street"]
    assert set(other) == set(labels)


def test_osmnx_list_values_are_joined() -> None:
    streets = grid3()
    streets["name"] = [["Coolsingel", "Schiedamsedijk"]] + ["Rij"] * 11
    streets["highway"] = [["primary", "secondary"]] * 12
    streets.loc["h0b", "name"] = None
    labels = set(street_summary(street_coverage(streets, grid_assets()))["street"])
    assert "Coolsingel / Schiedamsedijk" in labels
    assert any(re.fullmatch(r"naamloze weg \(primary / secondary\) #[0-9a-f]{4,16}", s) for s in labels)


def test_wijk_figures() -> None:
    cov = street_coverage(grid3(), grid_assets(), distance_m=100, mode="network")
    figures = wijk_figures(cov)
    assert figures == GapFigures(
        segments=12,
        length_m=1200.0,
        share_length_needs_support=4 / 12,
        mean_initiatives_per_segment=8 / 12,
        segments_needs_support=4,
        segments_below_average=4,
        distance_m=100.0,
        mode="network",
    )
    assert figures.as_dict()["mode"] == "network"
    wgs = wijk_figures(cov.to_crs(4326))
    assert wgs.length_m == pytest.approx(1200.0, rel=1e-6)


# --------------------------------------------------------------------------
# Brute-force oracles on random data
# --------------------------------------------------------------------------


def random_scene(seed: int) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """~300 segments (some bent, some multi-part) and ~50 assets incl. areas, in RD New."""
    rng = np.random.default_rng(seed)
    n, step = 13, 80.0
    nodes = np.stack(np.meshgrid(np.arange(n), np.arange(n), indexing="ij"), -1) * step
    nodes = nodes + rng.uniform(-15, 15, nodes.shape) + (90_000, 440_000)
    lines: list[Any] = []
    for i in range(n):
        for j in range(n):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < n and j + dj < n and rng.random() > 0.08:
                    a, b = nodes[i, j], nodes[i + di, j + dj]
                    if rng.random() < 0.25:  # a bent street
                        mid = (a + b) / 2 + rng.uniform(-20, 20, 2)
                        lines.append(LineString([a, mid, b]))
                    else:
                        lines.append(LineString([a, b]))
    # Join some consecutive pairs into two-part segments (touching or not).
    merged: list[Any] = []
    k = 0
    while k < len(lines):
        if k + 1 < len(lines) and rng.random() < 0.05:
            merged.append(MultiLineString([lines[k], lines[k + 1]]))
            k += 2
        else:
            merged.append(lines[k])
            k += 1
    streets = gpd.GeoDataFrame(
        {"highway": "residential"}, geometry=merged, index=rng.permutation(len(merged)) * 3, crs=28992
    )
    lo, hi = nodes.reshape(-1, 2).min(0) - 150, nodes.reshape(-1, 2).max(0) + 150
    rows: list[dict[str, Any]] = []
    for _ in range(45):
        x, y = rng.uniform(lo, hi)
        rows.append(
            {
                "xy": (x, y),
                "category": rng.choice(["initiative"] * 5 + ["business"]),
                "resident_led": [True, True, True, False, None][int(rng.integers(5))],
            }
        )
    cx, cy = rng.uniform(lo + 100, hi - 100)
    rows.append(
        {
            "xy": (cx, cy),
            "category": "initiative",
            "resident_led": True,
            "area": box(cx - 60, cy - 30, cx + 40, cy + 50),
        }
    )
    cx, cy = rng.uniform(lo + 100, hi - 100)
    rows.append(
        {
            "xy": (cx + 500, cy),
            "category": "initiative",
            "resident_led": True,
            "area": LineString([(cx, cy), (cx + 120, cy + 40)]),
        }
    )
    rows.append(
        {
            "xy": (lo[0] - 300, lo[1]),
            "category": "initiative",
            "resident_led": True,
            "area": box(lo[0] - 200, lo[1] - 80, lo[0] - 120, lo[1]),
        }
    )
    for row in rows:
        row.setdefault("area", None)
    return streets, assets_frame(rows)


def counted_locations(assets: gpd.GeoDataFrame) -> list[list[Any]]:
    """Per counted initiative: its location geometries (point and/or area)."""
    out = []
    for _, row in assets.iterrows():
        if row["category"] != "initiative" or row["resident_led"] is False:
            continue
        geoms = [row.geometry] if row.geometry is not None else []
        if row.get("area") is not None:
            geoms.append(row["area"])
        out.append(geoms)
    return out


def oracle_straight(
    streets: gpd.GeoDataFrame, assets: gpd.GeoDataFrame, distance: float
) -> tuple[list[int], list[float]]:
    counts, nearest = [], []
    locations = counted_locations(assets)
    for seg in streets.geometry:
        dists = [min(seg.distance(g) for g in geoms) for geoms in locations]
        counts.append(sum(d <= distance + 1e-6 for d in dists))
        best = min(dists, default=math.inf)
        nearest.append(best if best <= NEAREST_CUTOFF_M else math.nan)
    return counts, nearest


def _snapped_nodes(ends: list[tuple[float, ...]]) -> dict[tuple[float, ...], int]:
    """End points within :data:`SNAP_TOLERANCE_M` of each other (in chains) are one junction, by brute force."""
    unique = list(dict.fromkeys(ends))
    near = nx.Graph()
    near.add_nodes_from(range(len(unique)))
    for i, a in enumerate(unique):
        for j in range(i + 1, len(unique)):
            if math.dist(a[:2], unique[j][:2]) <= SNAP_TOLERANCE_M:
                near.add_edge(i, j)
    return {unique[i]: k for k, group in enumerate(nx.connected_components(near)) for i in group}


def oracle_network(
    streets: gpd.GeoDataFrame, assets: gpd.GeoDataFrame, distance: float
) -> tuple[list[int], list[float]]:
    """networkx Dijkstra per initiative, on a graph with exact end points as nodes."""
    parts: list[tuple[int, LineString]] = []
    for s, geom in enumerate(streets.geometry):
        for part in getattr(geom, "geoms", [geom]):
            parts.append((s, part))
    node = _snapped_nodes([c for _, part in parts for c in (part.coords[0], part.coords[-1])])
    graph = nx.Graph()
    for _, part in parts:
        u, v = node[part.coords[0]], node[part.coords[-1]]
        if u != v and (not graph.has_edge(u, v) or graph[u][v]["weight"] > part.length):
            graph.add_edge(u, v, weight=part.length)
    n_seg = len(streets)
    counts = [0] * n_seg
    nearest = [math.inf] * n_seg
    for geoms in counted_locations(assets):
        entries: list[tuple[int, LineString, float, float, float]] = []  # (seg, part, offset, to_u, to_v)
        for g in geoms:
            dists = [p.distance(g) for _, p in parts]
            best = min(dists)
            touching = g.geom_type != "Point" and best <= 1e-9
            for (s, p), d in zip(parts, dists, strict=True):
                if touching and d <= 1e-9 and p.intersects(g):
                    ts = [p.project(Point(c)) for c in shapely.get_coordinates(p.intersection(g))]
                    entries.append((s, p, 0.0, min(ts), p.length - max(ts)))
                elif d <= (1e-9 if touching else best + 1e-9) and d <= NEAREST_CUTOFF_M:
                    # Nearest stretch of the part: bounded by vertex projections.
                    ts = [p.project(nearest_points(g, p)[1])]
                    ts += [p.project(Point(c)) for c in shapely.get_coordinates(g) if p.distance(Point(c)) <= d + 1e-9]
                    ts += [p.project(Point(c)) for c in p.coords if g.distance(Point(c)) <= d + 1e-9]
                    entries.append((s, p, d, min(ts), p.length - max(ts)))
        seg_dist = [math.inf] * n_seg
        graph.add_node("S")
        for s, p, off, to_u, to_v in entries:
            seg_dist[s] = min(seg_dist[s], off)
            for end, w in ((node[p.coords[0]], off + to_u), (node[p.coords[-1]], off + to_v)):
                if not graph.has_edge("S", end) or graph["S"][end]["weight"] > w:
                    graph.add_edge("S", end, weight=w)
        reach = nx.single_source_dijkstra_path_length(graph, "S", weight="weight")
        graph.remove_node("S")
        for s, p in parts:
            seg_dist[s] = min(
                seg_dist[s], reach.get(node[p.coords[0]], math.inf), reach.get(node[p.coords[-1]], math.inf)
            )
        for s in range(n_seg):
            counts[s] += seg_dist[s] <= distance + 1e-6
            nearest[s] = min(nearest[s], seg_dist[s])
    return counts, [d if d <= NEAREST_CUTOFF_M + 1e-6 else math.nan for d in nearest]


@pytest.mark.parametrize(("seed", "distance"), [(1, 120.0), (2, 90.0), (3, 40.0), (4, DEFAULT_DISTANCE_M)])
@pytest.mark.parametrize("mode", MODES)
def test_fast_path_agrees_with_brute_force(seed: int, distance: float, mode: Mode) -> None:
    streets, assets = random_scene(seed)
    assert len(streets) > 250
    cov = street_coverage(streets, assets, distance_m=distance, mode=mode)
    oracle = oracle_straight if mode == "straight" else oracle_network
    counts, nearest = oracle(streets, assets, distance)
    assert cov["initiatives"].tolist() == counts
    np.testing.assert_allclose(cov["nearest_initiative_m"].to_numpy(), nearest, atol=1e-6, rtol=0)
    assert (cov["needs_support"] == (cov["initiatives"] == 0)).all()
    assert (cov["needs_support"] == ~(cov["nearest_initiative_m"] <= distance + 1e-6)).all()
    if distance < 200:  # the scene exercises both outcomes
        assert 0 < cov["needs_support"].sum() < len(cov)


@pytest.mark.parametrize("mode", MODES)
def test_real_wijk_streets_agree_with_brute_force(botu_streets: gpd.GeoDataFrame, mode: Mode) -> None:
    """Bospolder-Tussendijken's OSM street segments (WGS84), with literal points checked by hand."""
    assets = gpd.GeoDataFrame(
        {"category": ["initiative"] * 3, "resident_led": [True, None, True]},
        geometry=[Point(INSIDE_BOTU), Point(INSIDE_BOTU_2), Point(OUDE_WESTEN)],
        crs=4326,
    )
    assets["area"] = [shapely.from_wkt(POLYGON_IN_BOTU), None, None]
    cov = street_coverage(botu_streets, assets, distance_m=150, mode=mode)
    rd_assets = assets.to_crs(28992)
    rd_assets["area"] = [gpd.GeoSeries([assets["area"][0]], crs=4326).to_crs(28992).iloc[0], None, None]
    oracle = oracle_straight if mode == "straight" else oracle_network
    counts, nearest = oracle(botu_streets.to_crs(28992), rd_assets, 150)
    assert cov["initiatives"].tolist() == counts
    np.testing.assert_allclose(cov["nearest_initiative_m"].to_numpy(), nearest, atol=1e-6, rtol=0)
    assert 0 < cov["needs_support"].sum() < len(cov)
    labels = street_summary(cov)["street"]
    assert labels.str.startswith("naamloze weg").sum() >= 1 and labels.is_unique


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

_coord = st.floats(-150, 650, allow_nan=False, allow_infinity=False)
_distance = st.floats(MIN_DISTANCE_M, MAX_DISTANCE_M, allow_nan=False)


@st.composite
def scenes(draw: st.DrawFn) -> tuple[gpd.GeoDataFrame, list[tuple[float, float]], Any]:
    """A small grid with some streets missing, a few initiative points and maybe an area."""
    cols, rows = draw(st.integers(2, 5)), draw(st.integers(2, 5))
    step = draw(st.sampled_from([40.0, 75.0, 120.0]))
    edges = [((i, j), (i + 1, j)) for i in range(cols - 1) for j in range(rows)]
    edges += [((i, j), (i, j + 1)) for i in range(cols) for j in range(rows - 1)]
    keep = draw(st.lists(st.booleans(), min_size=len(edges), max_size=len(edges)))
    kept = [e for e, k in zip(edges, keep, strict=True) if k] or edges[:1]
    lines = {
        f"s{n}": LineString([(a[0] * step, a[1] * step), (b[0] * step, b[1] * step)]) for n, (a, b) in enumerate(kept)
    }
    points = draw(st.lists(st.tuples(_coord, _coord), max_size=6))
    area = draw(st.none() | st.builds(lambda x, y, w: box(x, y, x + w, y + w / 2), _coord, _coord, st.floats(1, 200)))
    return streets_frame(lines), points, area


def scene_assets(points: list[tuple[float, float]], area: Any, *, dx: float = 0, dy: float = 0) -> gpd.GeoDataFrame:
    rows = [{"xy": (x + dx, y + dy), "category": "initiative", "resident_led": True, "area": None} for x, y in points]
    if area is not None:
        moved = shapely.affinity.translate(area, dx, dy)
        rows.append({"xy": None, "category": "initiative", "resident_led": True, "area": moved})
    return assets_frame(rows) if rows else no_assets()


@PROPS
@given(scene=scenes(), d1=_distance, d2=_distance, mode=st.sampled_from(MODES))
def test_larger_distance_never_adds_segments_needing_support(scene: Any, d1: float, d2: float, mode: Any) -> None:
    streets, points, area = scene
    small, large = sorted((d1, d2))
    a = street_coverage(streets, scene_assets(points, area), distance_m=small, mode=mode)
    b = street_coverage(streets, scene_assets(points, area), distance_m=large, mode=mode)
    assert not (b["needs_support"] & ~a["needs_support"]).any()
    assert (b["initiatives"] >= a["initiatives"]).all()


@PROPS
@given(scene=scenes(), extra=st.tuples(_coord, _coord), distance=_distance, mode=st.sampled_from(MODES))
def test_adding_an_initiative_never_adds_segments_needing_support(
    scene: Any, extra: tuple[float, float], distance: float, mode: Any
) -> None:
    streets, points, area = scene
    before = street_coverage(streets, scene_assets(points, area), distance_m=distance, mode=mode)
    after = street_coverage(streets, scene_assets([*points, extra], area), distance_m=distance, mode=mode)
    assert not (after["needs_support"] & ~before["needs_support"]).any()
    assert (after["initiatives"] >= before["initiatives"]).all()
    assert (after["initiatives"] <= before["initiatives"] + 1).all()
    was = before["nearest_initiative_m"].fillna(np.inf)
    assert (after["nearest_initiative_m"].fillna(np.inf) <= was + 1e-9).all()


@PROPS
@given(scene=scenes(), distance=_distance)
def test_covered_on_foot_implies_covered_in_a_straight_line(scene: Any, distance: float) -> None:
    streets, points, area = scene
    assets = scene_assets(points, area)
    straight = street_coverage(streets, assets, distance_m=distance)
    network = street_coverage(streets, assets, distance_m=distance, mode="network")
    assert not (straight["needs_support"] & ~network["needs_support"]).any()
    assert (network["initiatives"] <= straight["initiatives"]).all()
    on_foot = network["nearest_initiative_m"].fillna(np.inf)
    assert (on_foot >= straight["nearest_initiative_m"].fillna(np.inf) - 1e-6).all()


@PROPS
@given(
    scene=scenes(),
    dx=st.integers(-50_000, 250_000),
    dy=st.integers(-50_000, 600_000),
    distance=_distance,
    mode=st.sampled_from(MODES),
)
def test_translation_changes_nothing(scene: Any, dx: int, dy: int, distance: float, mode: Any) -> None:
    streets, points, area = scene
    moved = streets.set_geometry(streets.geometry.translate(dx, dy))
    a = street_coverage(streets, scene_assets(points, area), distance_m=distance, mode=mode)
    b = street_coverage(moved, scene_assets(points, area, dx=dx, dy=dy), distance_m=distance, mode=mode)
    assert (a["initiatives"] == b["initiatives"]).all()
    assert (a["needs_support"] == b["needs_support"]).all()
    assert (a["below_average"] == b["below_average"]).all()
    np.testing.assert_allclose(a["nearest_initiative_m"], b["nearest_initiative_m"], atol=1e-6, rtol=0)


# --------------------------------------------------------------------------
# Many wijken at once; the numpy pair search
# --------------------------------------------------------------------------


def test_below_average_per_wijk_and_figures_of_every_wijk() -> None:
    streets = grid3()
    streets["wijk"] = ["west" if g.centroid.x < 100 else "oost" for g in streets.geometry]
    assets = grid_assets()
    cov = street_coverage(streets, assets, distance_m=100, by="wijk")
    for wijk, rows in cov.groupby("wijk"):
        alone = street_coverage(streets[streets["wijk"] == wijk], assets, distance_m=100)
        # The counts do not change (initiatives across the border still count); the average is the wijk's own.
        assert rows["initiatives"].tolist() == alone["initiatives"].tolist()
        assert rows["below_average"].tolist() == alone["below_average"].tolist()
    figures = wijk_figures_by(cov, by="wijk")
    assert list(figures.index) == ["west", "oost"]  # in order of appearance
    for wijk in figures.index:
        one = wijk_figures(cov[cov["wijk"] == wijk])
        row = figures.loc[wijk]
        assert row["segments"] == one.segments and row["segments_needs_support"] == one.segments_needs_support
        assert row["segments_below_average"] == one.segments_below_average
        assert row["length_m"] == pytest.approx(one.length_m)
        assert row["share_length_needs_support"] == pytest.approx(one.share_length_needs_support)
        assert row["mean_initiatives_per_segment"] == pytest.approx(one.mean_initiatives_per_segment)
        assert (row["distance_m"], row["mode"]) == (100.0, "straight")
    with pytest.raises(GapInputError, match="by='buurt'"):
        street_coverage(streets, assets, by="buurt")
    with pytest.raises(GapInputError, match="by='buurt'"):
        wijk_figures_by(cov, by="buurt")


@pytest.mark.parametrize("batch", [7, 4_000_000])
def test_near_pairs_finds_exactly_the_pairs_within_reach(monkeypatch: pytest.MonkeyPatch, batch: int) -> None:
    from abcd.gaps import _common

    monkeypatch.setattr(_common, "_CANDIDATES_PER_BATCH", batch)
    rng = np.random.default_rng(3)
    points = rng.uniform(0, 1000, (300, 2))
    targets = np.concatenate([rng.uniform(-200, 1200, (500, 2)), points[:5]])  # some exactly on a point
    i, j, d = _common.near_pairs(points, targets, 75.0)
    full = np.hypot(*(points[:, None, :] - targets[None, :, :]).transpose(2, 0, 1))
    expected = set(zip(*np.nonzero(full <= 75.0), strict=True))
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == expected and len(i) == len(expected)
    np.testing.assert_allclose(d, full[i, j], rtol=0, atol=1e-9)
    none = _common.near_pairs(points[:0], targets, 75.0)
    assert all(a.size == 0 for a in none)
