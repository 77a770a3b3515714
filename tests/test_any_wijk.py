"""Any Dutch wijk, end to end: a CBS wijk outside Rotterdam with a street file of one's own.

``abcd wijken add WK050325 --streets buitenhof.osm`` (Delft, Buitenhof), then
``abcd import`` of initiatives placed by their location alone, then ``abcd gaps
--wijk``: the answers must equal an independent computation, made here from the
OSM file's XML itself (no GDAL, no ``abcd.streets``): ways cut at shared nodes,
the walkable ones chosen by this test's own rule, shapely distances for the
straight line and networkx shortest paths (:func:`tests.test_gaps.oracle_network`)
for walking. The street file is hand-made, not OpenStreetMap data (see
``tests/data/README.md``): a grid of residential streets and a footway in
Buitenhof, a street across the border into Voorhof, and lines no pedestrian may
use (a motorway, a service road with ``foot=no``, a cycle path).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Transformer
from shapely.geometry import LineString, Point

from abcd.cli import main as cli_main
from abcd.gaps.files import read_street_csv
from abcd.model import RD_NEW, WGS84
from abcd.wijken import find_wijk, wijk_catalogue
from tests.helpers import ROOT, WIJKEN_DIR
from tests.test_gaps import oracle_network, oracle_straight

OSM_FILE = ROOT / "tests" / "data" / "buitenhof.osm"
DISTANCE = 200.0
# Initiatives and other assets, in RD New: (name, category, resident-led (initiatives only), x, y).
ASSETS = [
    ("Buurtmoestuin", "initiative", True, 82_760, 445_330),
    ("Repair Café", "initiative", True, 83_080, 445_480),
    ("Voetbalclub", "association", None, 82_900, 445_300),  # not an initiative: never counted
    ("Wijkteam-spreekuur", "initiative", False, 82_900, 445_520),  # not resident-led: never counted
    ("Voorhof leest voor", "initiative", True, 83_850, 445_440),  # across the border, in Voorhof
]
WALKABLE_HERE = {"residential", "living_street", "footway", "pedestrian", "service"}  # this test's own rule


def _osm_segments() -> gpd.GeoDataFrame:
    """The walkable ways of the OSM file cut at every node two of them share, in RD New, from the XML."""
    root = ET.parse(OSM_FILE).getroot()
    to_rd = Transformer.from_crs(WGS84, RD_NEW, always_xy=True)
    nodes = {n.get("id"): to_rd.transform(float(n.get("lon")), float(n.get("lat"))) for n in root.iter("node")}
    ways = []
    for way in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in way.iter("tag")}
        if tags.get("highway") in WALKABLE_HERE and tags.get("foot") != "no":
            ways.append((way.get("id"), [nd.get("ref") for nd in way.iter("nd")]))
    uses = Counter(ref for _, refs in ways for ref in set(refs))
    rows = []
    for osm_id, refs in ways:
        start = 0
        for k in range(1, len(refs)):
            if k == len(refs) - 1 or uses[refs[k]] > 1:
                rows.append((osm_id, LineString([nodes[r] for r in refs[start : k + 1]])))
                start = k
    return gpd.GeoDataFrame({"osm_id": [r[0] for r in rows]}, geometry=[r[1] for r in rows], crs=RD_NEW)


def _lon_lat() -> list[tuple[float, float]]:
    """The assets' locations as the import file writes them (7 decimals, about a centimetre)."""
    points = gpd.GeoSeries([Point(a[3], a[4]) for a in ASSETS], crs=RD_NEW).to_crs(WGS84)
    return [(round(p.x, 7), round(p.y, 7)) for p in points]


def _assets_rd() -> gpd.GeoDataFrame:
    """The assets where the file puts them, in RD New, as the oracles take them."""
    return gpd.GeoDataFrame(
        {"category": [a[1] for a in ASSETS], "resident_led": [a[2] for a in ASSETS], "area": [None] * len(ASSETS)},
        geometry=[Point(lon, lat) for lon, lat in _lon_lat()],
        crs=WGS84,
    ).to_crs(RD_NEW)


@pytest.fixture
def buitenhof(cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Buitenhof onboarded with the OSM file and the assets imported by location; returns its slug."""
    assert cli_main(["init", "--no-examples"]) == 0
    assert cli_main(["wijken", "add", "WK050325", "--streets", str(OSM_FILE)]) == 0
    out = capsys.readouterr().out
    slug = out.strip().splitlines()[-1]
    assert slug == "delft-wijk-25-buitenhof" and "Wijk 25 Buitenhof" in out

    lines = ["name,category,resident_led,lat,lon"] + [
        f"{a[0]},{a[1]},{'' if a[2] is None else 'ja' if a[2] else 'nee'},{lat:.7f},{lon:.7f}"
        for a, (lon, lat) in zip(ASSETS, _lon_lat(), strict=True)
    ]
    csv = tmp_path / "delft.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli_main(["import", str(csv)]) == 0  # no --wijk, no wijk column: placed by location
    imported = capsys.readouterr().out
    assert "Buitenhof" in imported and "Voorhof" in imported
    return slug


@pytest.mark.parametrize("mode", ["straight", "network"])
def test_gaps_of_a_delft_wijk_equal_an_independent_computation(
    buitenhof: str, tmp_path: Path, mode: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"gaps-{mode}.geojson"
    args = ["gaps", "--wijk", buitenhof, "--mode", mode, "--distance", f"{DISTANCE:g}", "--out", str(out)]
    assert cli_main(args) == 0
    result = gpd.read_file(out).to_crs(RD_NEW)

    segments = _osm_segments()
    oracle = oracle_straight if mode == "straight" else oracle_network
    counts, nearest = oracle(segments, _assets_rd(), DISTANCE)  # walks may use every walkable line
    boundary = find_wijk(wijk_catalogue(WIJKEN_DIR), "WK050325").boundary
    own = gpd.GeoSeries([boundary], crs=WGS84).to_crs(RD_NEW).iloc[0]
    expected = {
        _key(geom): (count, near)
        for geom, count, near in zip(segments.geometry, counts, nearest, strict=True)
        if geom.intersects(own)
    }

    got = {
        _key(g): (int(c), n)
        for g, c, n in zip(result.geometry, result["initiatives"], result["nearest_initiative_m"], strict=True)
    }
    assert got.keys() == expected.keys()  # the same segments: cut at junctions, only what a pedestrian may use
    assert not result["osm_id"].isin(["211", "212", "213"]).any()  # motorway, foot=no, cycle path
    for key, (count, near) in expected.items():
        assert got[key][0] == count, key
        if math.isnan(near):
            assert math.isnan(got[key][1]), key
        else:
            assert got[key][1] == pytest.approx(near, abs=1e-3), key
    # The street just inside the border counts the initiative across it, in both modes.
    border = result[result["osm_id"] == "209"]
    assert (border["initiatives"] >= 1).all()
    assert result["initiatives"].sum() > 0 and result["needs_support"].any()


def test_on_foot_never_more_than_in_a_straight_line_in_delft(buitenhof: str, tmp_path: Path) -> None:
    results = {}
    for mode in ("straight", "network"):
        out = tmp_path / f"{mode}.csv"
        assert cli_main(["gaps", "--wijk", buitenhof, "--mode", mode, "--lang", "en", "--out", str(out)]) == 0
        results[mode], run = read_street_csv(out)
        assert run is not None and run.wijk == "Wijk 25 Buitenhof"
    straight, network = results["straight"].set_index("street"), results["network"].set_index("street")
    assert set(straight.index) == {
        "Eerste Proefstraat",
        "Tweede Proefstraat",
        "Derde Proefstraat",
        "Proeflaan",
        "Meetlaan",
        "Toetslaan",
        "Ijklaan",
        "Grensstraat",
    } | set(s for s in straight.index if s.startswith("unnamed road (footway)"))
    assert np.all(network["initiatives"].to_numpy() <= straight.loc[network.index, "initiatives"].to_numpy())


def _key(geometry: LineString) -> tuple[tuple[float, float], ...]:
    """A segment by its end points in whole decimetres, either direction."""
    ends = [(round(x, 1), round(y, 1)) for x, y in (geometry.coords[0], geometry.coords[-1])]
    return tuple(sorted(ends))
