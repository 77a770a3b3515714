"""Tests for :mod:`abcd.gaps.files`: the per-street CSV in Dutch and English, the GeoJSON and the run in both."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from abcd import gaps
from abcd.errors import ImportFileError
from abcd.gaps.files import (
    STREET_TABLE_COLUMNS,
    GapRun,
    gaps_bytes,
    read_run,
    read_street_csv,
    read_streets,
    street_table,
    write_gaps,
)
from abcd.i18n import t
from abcd.i18n.formats import local_time
from tests.helpers import ROOT

RUN = GapRun("network", 262.5, date(2026, 11, 22), "Bospolder-Tussendijken", "zwerfvuil")


@pytest.fixture
def coverage() -> gpd.GeoDataFrame:
    """Three segments of two named streets and one unnamed path; one initiative near the first street."""
    streets = gpd.GeoDataFrame(
        {
            "name": ["Gijsingstraat", "Gijsingstraat", None, "Schiedamseweg"],
            "highway": ["residential", "residential", "footway", "secondary"],
            "osm_id": ["1", "1", "3", "4"],
        },
        geometry=[
            LineString([(92000, 437000), (92100.4, 437000)]),
            LineString([(92100.4, 437000), (92200, 437000)]),
            LineString([(92200, 437000), (92200, 437300)]),
            LineString([(92800, 437000), (92800, 437500.5)]),
        ],
        crs=28992,
    )
    initiatives = gpd.GeoDataFrame({"category": ["initiative"]}, geometry=[Point(92050, 437020)], crs=28992)
    return gaps.street_coverage(streets, initiatives, distance_m=262.5, mode="network")


def rows(data: bytes, separator: str) -> list[list[str]]:
    return list(csv.reader(data.decode("utf-8-sig").splitlines(), delimiter=separator))


def test_dutch_csv_for_a_work_planner(coverage: gpd.GeoDataFrame) -> None:
    data = gaps_bytes(coverage, ".csv", run=RUN)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark: Excel reads the accents
    header, *body = rows(data, ";")
    assert header == [
        "straat",
        "straatdelen",
        "lengte_m",
        "lengte_zonder_initiatief_m",
        "initiatieven",
        "dichtstbijzijnde_initiatief_m",
        "meer_steun",
        "aandeel_zonder_initiatief",
        "wijk",
        "thema",
        "modus",
        "afstand_m",
        "datum",
    ]
    table = {row[0]: row for row in body}
    assert len(body) == 3  # one row per street: the two Gijsingstraat segments are one street
    assert table["Schiedamseweg"][1:8] == ["1", "501", "501", "0", "", "ja", "1,00"]
    gijsing = table["Gijsingstraat"]
    assert gijsing[1:5] == ["2", "200", "0", "1"] and gijsing[6:8] == ["nee", "0,00"]
    assert gijsing[5] == "20"  # whole metres
    unnamed = next(row for name, row in table.items() if name.startswith("naamloze weg (footway)"))
    assert unnamed[1] == "1" and unnamed[2] == "300"
    assert {tuple(row[8:]) for row in body} == {
        ("Bospolder-Tussendijken", "zwerfvuil", "lopend over straat", "262,5", "2026-11-22")
    }


def test_english_csv_has_the_same_data(coverage: gpd.GeoDataFrame) -> None:
    header, *body = rows(gaps_bytes(coverage, ".csv", run=RUN, lang="en"), ",")
    assert header == list(STREET_TABLE_COLUMNS)
    dutch = street_table(coverage, RUN)
    english = street_table(coverage, RUN, lang="en")
    assert english["street"].str.replace("unnamed road", "naamloze weg").tolist() == dutch["straat"].tolist()
    assert english["street"].str.startswith("unnamed road (").any()
    assert english["needs_support"].tolist() == [{"ja": "yes", "nee": "no"}[v] for v in dutch["meer_steun"]]
    assert english["share_needs_support"].tolist() == [v.replace(",", ".") for v in dutch["aandeel_zonder_initiatief"]]
    assert {tuple(row[8:]) for row in body} == {
        ("Bospolder-Tussendijken", "zwerfvuil", "walking along streets", "262.5", "2026-11-22")
    }


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_csv_reads_back_as_the_summary_and_its_run(coverage: gpd.GeoDataFrame, tmp_path: Path, lang: str) -> None:
    path = tmp_path / "straten.csv"
    write_gaps(coverage, path, run=RUN, lang=lang)
    summary, run = read_street_csv(path)
    expected = gaps.street_summary(coverage, unnamed=t("gaps.unnamed_road", lang))
    assert run == RUN
    assert list(summary.columns) == list(expected.columns)
    assert summary["street"].tolist() == expected["street"].tolist()
    for column in ("segments", "initiatives", "needs_support"):
        assert summary[column].tolist() == expected[column].tolist()
    for column in ("length_m", "length_needs_support_m", "nearest_initiative_m"):
        np.testing.assert_allclose(summary[column], expected[column], atol=0.5)
    np.testing.assert_allclose(summary["share_needs_support"], expected["share_needs_support"], atol=0.005)
    assert pd.read_csv(path, sep=";" if lang == "nl" else ",", encoding="utf-8-sig").shape == (3, 13)


def test_a_wijkless_run_and_an_empty_table(coverage: gpd.GeoDataFrame, tmp_path: Path) -> None:
    own_files = GapRun.of(coverage, day=date(2026, 1, 2))
    assert own_files == GapRun("network", 262.5, date(2026, 1, 2), None)
    assert GapRun.of(coverage).day == local_time(datetime.now(UTC)).date()  # today, in Amsterdam
    table = street_table(coverage, own_files)
    assert set(table["wijk"]) == {""}
    path = tmp_path / "leeg.csv"
    empty = gaps.street_coverage(coverage.iloc[0:0], coverage.iloc[0:0].assign(category=[]), distance_m=100)
    write_gaps(empty, path, run=own_files)
    summary, run = read_street_csv(path)
    assert summary.empty and run is None
    bare = coverage.copy()
    bare.attrs.clear()
    with pytest.raises(gaps.GapInputError, match="mode and distance"):
        GapRun.of(bare)


def test_a_csv_that_is_not_ours_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "anders.csv"
    path.write_text("naam;aantal\nA;1\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="naam, aantal"):
        read_street_csv(path)


def test_geojson_keeps_properties_adds_results_and_records_the_run(coverage: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "straatdelen.geojson"
    write_gaps(coverage, path, run=RUN, lang="en")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection"
    assert document["abcd_gaps"] == {
        "wijk": "Bospolder-Tussendijken",
        "theme": "zwerfvuil",
        "mode": "network",
        "distance_m": 262.5,
        "date": "2026-11-22",
    }
    assert read_run(path) == RUN
    properties = document["features"][0]["properties"]
    assert set(properties) == {
        "name",
        "highway",
        "osm_id",
        "initiatives",
        "nearest_initiative_m",
        "needs_support",
        "below_average",
    }
    read = gpd.read_file(path)
    assert read["osm_id"].tolist() == ["1", "1", "3", "4"] and read.crs == "EPSG:4326"
    assert read["needs_support"].tolist() == coverage["needs_support"].tolist()
    plain = tmp_path / "plain.geojson"
    plain.write_text(json.dumps({"type": "FeatureCollection", "features": []}), encoding="utf-8")
    assert read_run(plain) is None


def test_unknown_output_format_is_refused(coverage: gpd.GeoDataFrame, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="exportformaat"):
        write_gaps(coverage, tmp_path / "uit.xlsx", run=RUN)
    assert list(tmp_path.iterdir()) == []  # no half-written file is left


def test_street_files_are_read_walkable_only(tmp_path: Path) -> None:
    streets, skipped = read_streets(ROOT / "tests" / "data" / "streets.osm.pbf")
    # The footway 102 joins the Gijsingstraat (101) at its middle node 2: the street is cut there.
    assert sorted(streets["osm_id"]) == ["101", "101", "102", "104"] and skipped == 4
    motorway = gpd.GeoDataFrame(
        {"highway": ["motorway", "trunk"]}, geometry=[LineString([(4.44, 51.91), (4.45, 51.91)])] * 2, crs=4326
    )
    motorway.to_file(tmp_path / "a20.geojson")
    with pytest.raises(ImportFileError, match="geen van de 2 lijnen is beloopbaar"):
        read_streets(tmp_path / "a20.geojson")
