"""Exports name the sources and licences of what they hold (abcd.licences), in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pyogrio
import pytest

from abcd import exchange
from abcd.i18n import t
from abcd.licences import export_sources, sidecar_path
from abcd.model import Source
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, INSIDE_BOTU_2, make_draft
from tests.helpers import WIJKEN_DIR as DATA


@pytest.fixture
def mixed(botu_store: Store) -> Store:
    """One asset a builder entered, one candidate from OpenStreetMap."""
    lon, lat = INSIDE_BOTU_2
    botu_store.add_many(
        [
            make_draft(name="Naaiclub"),
            make_draft(name="Speeltuin Mathenesserplein", category="place", source=Source.OSM, lon=lon, lat=lat),
        ],
        by="test",
    )
    return botu_store


def odbl(lang: str = "nl") -> str:
    return t("sources.osm_assets", lang)


def test_a_geojson_export_carries_the_map_lines_and_odbl_when_osm_is_in_it(mixed: Store, tmp_path: Path) -> None:
    path = tmp_path / "assets.geojson"
    exchange.export_assets(mixed, path, wijk=BOTU)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection" and len(document["features"]) == 2
    assert t("map.attribution", "nl") in document["sources"]
    assert odbl() in document["sources"] and "ODbL" in odbl()


def test_without_osm_assets_there_is_no_odbl_line_for_them(botu_store: Store, tmp_path: Path) -> None:
    botu_store.add(make_draft(name="Naaiclub"), by="test")
    path = tmp_path / "assets.geojson"
    exchange.export_assets(botu_store, path, wijk=BOTU, lang="en")
    sources = json.loads(path.read_text(encoding="utf-8"))["sources"]
    assert sources[0] == t("sources.assets", "en") and odbl("en") not in sources


def test_a_geopackage_names_them_in_its_layer_metadata(mixed: Store, tmp_path: Path) -> None:
    path = tmp_path / "assets.gpkg"
    exchange.export_assets(mixed, path, wijk=BOTU)
    info = pyogrio.read_info(path, layer="assets")
    assert odbl() in info["layer_metadata"]["SOURCES"]
    assert t("map.attribution", "nl") in info["layer_metadata"]["SOURCES"]


def test_a_csv_export_gets_a_sidecar_and_imports_back_unchanged(
    mixed: Store, tmp_path: Path, catalogue: dict[str, Wijk]
) -> None:
    path = tmp_path / "assets.csv"
    exchange.export_assets(mixed, path, wijk=BOTU)
    sidecar = sidecar_path(path)
    assert sidecar.name == "assets_bronnen.txt"
    assert sidecar.read_text(encoding="utf-8").splitlines() == export_sources(
        exchange.export_frame(mixed, wijk=BOTU), lang="nl"
    )
    result = exchange.import_assets(mixed, path, catalogue=catalogue, wijken_dir=DATA, by="test")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
