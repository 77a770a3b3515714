"""Tests for :mod:`abcd.streets`: reading street files, the walkable rules and joining two networks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from shapely.geometry import LineString, Point

from abcd.errors import ImportFileError
from abcd.gaps import street_coverage
from abcd.gaps._common import pieces_of
from abcd.gaps._network import _build_network
from abcd.streets import read_street_file, walkable, walking_network
from abcd.wijken import Wijk
from tests.helpers import ROOT, WIJKEN_DIR

DATA = ROOT / "tests" / "data"


def lines(rows: list[tuple[str, dict[str, Any]]], *, crs: int = 28992) -> gpd.GeoDataFrame:
    """Lines from (WKT, columns) pairs."""
    frame = pd.DataFrame([columns for _, columns in rows])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries.from_wkt([wkt for wkt, _ in rows]), crs=crs)


def kept(**columns: list[Any]) -> list[bool]:
    n = len(next(iter(columns.values())))
    frame = gpd.GeoDataFrame(columns, geometry=[LineString([(0, 0), (1, 0)])] * n, crs=28992)
    return frame.index.isin(walkable(frame).index).tolist()


def rd(frame: gpd.GeoDataFrame) -> list[list[tuple[float, float]]]:
    """Coordinates of every line in RD New, rounded to the millimetre."""
    return [[(round(x, 3), round(y, 3)) for x, y in g.coords] for g in frame.to_crs(28992).geometry]


# --------------------------------------------------------------------------
# walkable
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("highway", "walk"),
    [
        ("footway", True),
        ("path", True),
        ("pedestrian", True),
        ("steps", True),
        ("living_street", True),
        ("residential", True),
        ("service", True),
        ("track", True),
        ("unclassified", True),
        ("tertiary", True),
        ("secondary_link", True),
        ("primary", True),
        ("motorway", False),
        ("motorway_link", False),
        ("trunk", False),
        ("trunk_link", False),
        ("busway", False),
        ("construction", False),
        ("cycleway", False),
        ("bridleway", False),
        ("platform", False),
        ("Residential", True),
        ("residential;living_street", True),
        ("primary;trunk", False),
        ("unclassified;busway", False),
        ("cycleway;residential", True),
        (None, True),
        ("", True),
    ],
)
def test_walkable_by_road_class(highway: str | None, walk: bool) -> None:
    assert kept(highway=[highway]) == [walk]


@pytest.mark.parametrize(
    ("highway", "tags", "walk"),
    [
        ("cycleway", {"foot": "yes"}, True),
        ("cycleway", {"foot": "designated"}, True),
        ("cycleway", {"foot": "permissive"}, True),
        ("cycleway", {"foot": "no"}, False),
        ("bridleway", {"foot": "designated"}, True),
        ("footway", {"foot": "no"}, False),
        ("primary", {"foot": "use_sidepath"}, False),
        ("residential", {"access": "no"}, False),
        ("residential", {"access": "private"}, False),
        ("residential", {"access": "no", "foot": "yes"}, True),
        ("residential", {"access": "destination"}, True),
        ("primary", {"motorroad": "yes"}, False),
        ("primary", {"motorroad": "no"}, True),
        ("trunk", {"foot": "yes"}, False),  # never, whatever the tags
        ("motorway", {"foot": "designated"}, False),
    ],
)
def test_walkable_by_tags(highway: str, tags: dict[str, str], walk: bool) -> None:
    columns = {"highway": [highway], **{k: [v] for k, v in tags.items()}}
    assert kept(**columns) == [walk]
    other_tags = ",".join(f'"{k}"=>"{v}"' for k, v in tags.items())
    assert kept(highway=[highway], other_tags=[f'"surface"=>"asphalt",{other_tags}']) == [walk]


def test_walkable_reads_road_class_lists_and_booleans() -> None:
    assert kept(road_class=["footway", "cycleway", "motorway", "pedestrian"]) == [True, False, False, True]
    assert kept(highway=[["residential", "unclassified"], ["trunk", "primary"]]) == [True, False]
    assert kept(highway=["residential"] * 2, foot=[False, True]) == [False, True]


def test_walkable_keeps_index_columns_and_crs_and_a_frame_without_classes() -> None:
    frame = lines(
        [("LINESTRING (0 0, 1 0)", {"straat": "a"}), ("LINESTRING (0 1, 1 1)", {"straat": "b"})], crs=4326
    ).set_index(pd.Index([7, 9]))
    out = walkable(frame)
    assert out.index.tolist() == [7, 9] and list(out.columns) == list(frame.columns) and out.crs == frame.crs
    assert walkable(frame.iloc[0:0]).empty


# --------------------------------------------------------------------------
# read_street_file
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["streets.osm", "streets.osm.pbf"])
def test_osm_extracts_give_highways_with_their_tags(name: str) -> None:
    frame = read_street_file(DATA / name)
    assert frame.crs == "EPSG:4326"
    assert sorted(frame["osm_id"]) == ["101", "102", "103", "104", "105", "106", "108"]  # not the canal
    assert frame.set_index("osm_id").loc["101", "name"] == "Gijsingstraat"
    assert set(frame.geom_type) == {"LineString"}
    # the footway, the cycleway with foot access and the residential street; not the private service
    # road, the cycleway without foot access, the autoweg or the motorway link
    assert sorted(walkable(frame)["osm_id"]) == ["101", "102", "104"]


def test_geojson_geopackage_and_shapefile_in_any_crs(tmp_path: Path) -> None:
    frame = lines(
        [
            ("LINESTRING (92000 437000, 92100 437000)", {"straatnaam": "A", "highway": "residential"}),
            ("LINESTRING (92100 437000, 92100 437100)", {"straatnaam": "B", "highway": "footway"}),
        ]
    )
    frame.to_file(tmp_path / "straten.gpkg", layer="straten")
    frame.to_file(tmp_path / "straten.shp")
    frame.to_crs(4326).to_file(tmp_path / "straten.geojson")
    expected = rd(frame)
    for name in ("straten.gpkg", "straten.shp", "straten.geojson"):
        read = read_street_file(tmp_path / name)
        assert read.crs == "EPSG:4326", name
        assert list(read["straatnaam"]) == ["A", "B"], name
        assert {"name", "highway", "osm_id"} <= set(read.columns)
        assert read["name"].isna().all() and read["osm_id"].isna().all()
        assert rd(read) == expected, name
    kept_crs = read_street_file(tmp_path / "straten.gpkg", crs=None)
    assert kept_crs.crs == "EPSG:28992" and rd(kept_crs) == expected


def test_a_geopackage_is_read_from_its_line_layer(tmp_path: Path) -> None:
    path = tmp_path / "mix.gpkg"
    gpd.GeoDataFrame({"naam": ["p"]}, geometry=[Point(92000, 437000)], crs=28992).to_file(path, layer="punten")
    lines([("LINESTRING (92000 437000, 92100 437000)", {"naam": "l"})]).to_file(path, layer="lijnen")
    assert list(read_street_file(path)["naam"]) == ["l"]


def test_the_shipped_footpath_file_gets_highway_from_road_class() -> None:
    frame = read_street_file(WIJKEN_DIR / "delfshaven_roads_osm_unnamed.geojson")
    assert (frame["highway"] == frame["road_class"]).all()
    assert {"footway", "pedestrian", "cycleway"} <= set(frame["highway"])


def _geojson(path: Path, geometry: dict[str, Any], crs: str | None = None) -> Path:
    collection: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": geometry}],
    }
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


def test_bad_street_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="Onbekend bestandstype"):
        read_street_file(tmp_path / "straten.zip")
    points = _geojson(tmp_path / "punten.geojson", {"type": "Point", "coordinates": [4.44, 51.91]})
    with pytest.raises(ImportFileError, match="LineString"):
        read_street_file(points)
    metres = _geojson(
        tmp_path / "rd.geojson", {"type": "LineString", "coordinates": [[92000, 437000], [92100, 437000]]}
    )
    with pytest.raises(ImportFileError, match="coördinatenstelsel"):
        read_street_file(metres)
    rd_new = _geojson(
        tmp_path / "rd-new.geojson",
        {"type": "LineString", "coordinates": [[92000, 437000], [92100, 437000]]},
        crs="urn:ogc:def:crs:EPSG::28992",
    )
    assert read_street_file(rd_new).total_bounds[0] == pytest.approx(4.4715, abs=0.001)
    with pytest.raises(ImportFileError, match="te groot"):
        read_street_file(rd_new, max_bytes=10)
    (tmp_path / "kapot.gpkg").write_bytes(b"not a geopackage")
    with pytest.raises(ImportFileError, match="geen GeoPackage"):
        read_street_file(tmp_path / "kapot.gpkg")


def test_street_files_get_the_same_guards_as_every_import(tmp_path: Path) -> None:
    """A street file is measured before GDAL reads it, as an import is (:mod:`abcd.limits`)."""
    from tests.test_bad_files import view_bomb

    deep = tmp_path / "diep.geojson"
    deep.write_text('{"type": "FeatureCollection", "features": ' + "[" * 5000 + "]" * 5000 + "}")
    with pytest.raises(ImportFileError, match="te diep genest"):
        read_street_file(deep)
    with pytest.raises(ImportFileError, match="databaseview"):
        read_street_file(view_bomb(tmp_path / "bom.gpkg"))
    many = [[4.4 + i * 1e-7, 51.9] for i in range(50_001)]
    huge = _geojson(tmp_path / "lang.geojson", {"type": "LineString", "coordinates": many})
    with pytest.raises(ImportFileError, match=r"50[.,]?000"):
        read_street_file(huge)
    mixed = tmp_path / "gemengd.gpkg"  # points first, then the streets: the line layer is read
    gpd.GeoDataFrame({"n": [1]}, geometry=[Point(4.44, 51.91)], crs=4326).to_file(mixed, layer="punten")
    gpd.GeoDataFrame(
        {"name": ["Schiedamseweg"]}, geometry=[LineString([(4.44, 51.91), (4.45, 51.91)])], crs=4326
    ).to_file(mixed, layer="straten")
    assert read_street_file(mixed)["name"].tolist() == ["Schiedamseweg"]


def test_a_street_geopackage_larger_than_an_import_may_be_is_read(tmp_path: Path) -> None:
    """Street files have their own limits: more cells than an asset import may have (1,000,000) are fine."""
    from abcd import limits

    n, columns = 101_000, 9
    x = 4.40 + np.arange(n) * 1e-6
    big = gpd.GeoDataFrame(
        {f"k{c}": np.arange(n) for c in range(columns)},
        geometry=shapely.linestrings(
            np.column_stack([np.repeat(x, 2), np.tile([51.90, 51.91], n)]), indices=np.repeat(np.arange(n), 2)
        ),
        crs=4326,
    )
    big.to_file(tmp_path / "groot.gpkg", engine="pyogrio")
    assert n * (columns + 1) > limits.MAX_CELLS
    assert len(read_street_file(tmp_path / "groot.gpkg")) == n


# --------------------------------------------------------------------------
# walking_network, on tiny literal networks
# --------------------------------------------------------------------------

STREET = ("LINESTRING (0 0, 100 0)", {"name": "Gijsingstraat", "highway": "residential", "osm_id": "7"})


def joined(named: list[tuple[str, dict[str, Any]]], paths: list[tuple[str, dict[str, Any]]]) -> gpd.GeoDataFrame:
    return walking_network(lines(named), lines(paths))


def by_origin(net: gpd.GeoDataFrame, origin: str) -> list[list[tuple[float, float]]]:
    return sorted(rd(net[net["origin"] == origin]))


def test_a_footpath_ending_near_a_street_splits_it_and_is_extended_onto_it() -> None:
    net = joined([STREET], [("LINESTRING (50 60, 50 4)", {"highway": "footway"})])
    assert by_origin(net, "streets") == [[(0, 0), (50, 0)], [(50, 0), (100, 0)]]
    assert by_origin(net, "paths") == [[(50, 60), (50, 4), (50, 0)]]
    streets = net[net["origin"] == "streets"]
    assert set(streets["name"]) == {"Gijsingstraat"} and set(streets["osm_id"]) == {"7"}
    assert net.loc[net["origin"] == "paths", "name"].isna().all()
    assert net.crs == "EPSG:4326"


def test_a_footpath_along_a_street_is_that_street() -> None:
    net = joined([STREET], [("LINESTRING (-1 1, 60 1.5, 101 1)", {"highway": "residential"})])
    assert by_origin(net, "paths") == []
    assert by_origin(net, "streets") == [[(0, 0), (100, 0)]]


def test_a_path_across_a_street_is_joined_on_both_sides() -> None:
    net = joined([STREET], [("LINESTRING (50 -40, 50 40)", {"highway": "footway"})])
    assert by_origin(net, "streets") == [[(0, 0), (50, 0)], [(50, 0), (100, 0)]]
    assert by_origin(net, "paths") == [[(50, -40), (50, -3), (50, 0)], [(50, 0), (50, 3), (50, 40)]]


def test_a_bridge_over_a_street_does_not_meet_it() -> None:
    net = joined([STREET], [("LINESTRING (50 -40, 50 40)", {"highway": "footway", "bridge": True})])
    assert by_origin(net, "streets") == [[(0, 0), (100, 0)]]
    assert by_origin(net, "paths") == [[(50, -40), (50, 40)]]
    tunnel_along = joined([STREET], [("LINESTRING (0 1, 100 1)", {"highway": "residential", "tunnel": "yes"})])
    assert by_origin(tunnel_along, "paths") == []  # wholly in the street's corridor: the same street


def test_footpaths_sharing_a_vertex_are_split_there() -> None:
    net = joined(
        [STREET],
        [
            ("LINESTRING (200 100, 250 100, 300 100)", {"highway": "footway"}),
            ("LINESTRING (250 50, 250 100, 250 150)", {"highway": "path"}),
        ],
    )
    assert by_origin(net, "paths") == [
        [(200, 100), (250, 100)],
        [(250, 50), (250, 100)],
        [(250, 100), (250, 150)],
        [(250, 100), (300, 100)],
    ]


def test_a_dead_end_street_is_extended_onto_a_footpath_it_nearly_reaches() -> None:
    net = joined(
        [("LINESTRING (0 0, 0 50)", {"name": "Doodlopend", "highway": "residential"})],
        [("LINESTRING (-30 52, 30 52)", {"highway": "footway"})],
    )
    assert by_origin(net, "streets") == [[(0, 0), (0, 50), (0, 52)]]
    assert by_origin(net, "paths") == [[(-30, 52), (0, 52)], [(0, 52), (30, 52)]]


def test_two_loose_ends_close_together_meet_once() -> None:
    net = joined([STREET], [("LINESTRING (200 0, 250 0)", {}), ("LINESTRING (250.4 0, 300 0)", {})])
    paths = by_origin(net, "paths")
    assert len(paths) == 2
    ends = {paths[0][-1], paths[1][0]}
    assert len(ends) == 1  # one shared point, no sliver left between them


def test_lines_beyond_reach_and_unwalkable_lines_stay_apart_or_go() -> None:
    net = joined(
        [STREET, ("LINESTRING (0 -20, 100 -20)", {"name": "A20", "highway": "motorway"})],
        [
            ("LINESTRING (50 9, 50 60)", {"highway": "footway"}),  # 9 m away: beyond snap_m
            ("LINESTRING (0 30, 100 30)", {"highway": "cycleway"}),  # no foot access
        ],
    )
    assert by_origin(net, "streets") == [[(0, 0), (100, 0)]]
    assert by_origin(net, "paths") == [[(50, 9), (50, 60)]]
    assert set(net.columns) == {"name", "highway", "osm_id", "origin", "geometry"}


def test_walking_network_options_are_checked_and_empty_inputs_work() -> None:
    street = lines([STREET])
    with pytest.raises(ValueError, match="snap_m"):
        walking_network(street, street.iloc[0:0], snap_m=2.0, duplicate_m=3.0)
    with pytest.raises(ValueError, match="duplicate_m"):
        walking_network(street, street.iloc[0:0], duplicate_m=0)
    assert len(walking_network(street, street.iloc[0:0])) == 1
    assert by_origin(walking_network(street.iloc[0:0], street), "paths") == [[(0, 0), (100, 0)]]


def test_walking_reaches_a_street_through_a_joined_footpath() -> None:
    named = lines([STREET])
    path = lines([("LINESTRING (50 60, 50 4)", {"highway": "footway"})])
    initiative = gpd.GeoDataFrame({"category": ["initiative"]}, geometry=[Point(50, 62)], crs=28992)
    apart = street_coverage(pd.concat([named, path], ignore_index=True), initiative, distance_m=150, mode="network")
    assert apart["initiatives"].tolist() == [0, 1]  # the footpath alone leads nowhere
    net = walking_network(named, path)
    walk = street_coverage(net, initiative, distance_m=150, mode="network")
    assert walk.loc[walk["origin"] == "streets", "initiatives"].tolist() == [1, 1]
    assert walk.loc[walk["origin"] == "streets", "nearest_initiative_m"].tolist() == pytest.approx(
        [62.0, 62.0], abs=1e-3
    )


# --------------------------------------------------------------------------
# walking_network, on Bospolder-Tussendijken's real streets and footpaths
# --------------------------------------------------------------------------


def components(frame: gpd.GeoDataFrame) -> tuple[int, float, np.ndarray]:
    """(components holding named streets, share of named length in the largest, label per row)."""
    geoms = np.asarray(frame.to_crs(28992).geometry.values)
    pieces = pieces_of(geoms, 1e9)
    net = _build_network(pieces)
    graph = sparse.csr_array((net.weights, net.indices, net.indptr), shape=(net.n_nodes, net.n_nodes))
    _, label = connected_components(graph, directed=False)
    row_label = np.full(len(frame), -1)
    row_label[pieces.part_seg] = label[net.u]
    named = (frame["origin"] == "streets").to_numpy() if "origin" in frame else np.ones(len(frame), dtype=bool)
    lengths = shapely.length(geoms)
    per = np.bincount(row_label[named], weights=lengths[named])
    return int(np.count_nonzero(per)), float(per.max() / per.sum()), row_label


@pytest.fixture(scope="module")
def botu_network(botu: Wijk, botu_streets: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    footpaths = read_street_file(WIJKEN_DIR / "delfshaven_roads_osm_unnamed.geojson")
    area = gpd.GeoSeries([botu.boundary], crs=4326).to_crs(28992).buffer(100).to_crs(4326).iloc[0]
    footpaths = footpaths[footpaths.intersects(area)]
    return botu_streets, walking_network(botu_streets, footpaths)


def test_botu_combined_network_is_connected_at_least_as_well(
    botu_network: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> None:
    named, combined = botu_network
    alone_parts, alone_share, _ = components(walkable(named))
    parts, share, _ = components(combined)
    assert parts <= alone_parts and share >= alone_share - 1e-9
    assert (combined["origin"] == "paths").sum() > 100  # the footpaths really are in
    # Every named street is still there, whole: its pieces cover it (only end stretches are added).
    named_rd = walkable(named).to_crs(28992)
    pieces_rd = combined[combined["origin"] == "streets"].to_crs(28992)
    assert pieces_rd.length.sum() >= named_rd.length.sum() - 1e-3
    assert shapely.union_all(pieces_rd.geometry.values).buffer(0.01).covers(shapely.union_all(named_rd.geometry.values))
    assert set(pieces_rd["name"].dropna()) == set(walkable(named)["name"].dropna())


def test_botu_walking_is_never_shorter_than_the_straight_line(
    botu_network: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> None:
    _, combined = botu_network
    rng = np.random.default_rng(5)
    x0, y0, x1, y1 = combined.to_crs(28992).total_bounds
    initiatives = gpd.GeoDataFrame(
        {"category": ["initiative"] * 40}, geometry=shapely.points(rng.uniform((x0, y0), (x1, y1), (40, 2))), crs=28992
    )
    straight = street_coverage(combined, initiatives, distance_m=200)
    walking = street_coverage(combined, initiatives, distance_m=200, mode="network")
    assert (walking["initiatives"] <= straight["initiatives"]).all()
    on_foot = walking["nearest_initiative_m"].fillna(np.inf)
    assert (on_foot >= straight["nearest_initiative_m"].fillna(np.inf) - 1e-6).all()
    assert 0 < walking["needs_support"].sum() < len(walking)
