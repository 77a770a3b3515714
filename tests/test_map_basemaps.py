"""Background maps (abcd.maps.basemaps): PDOK by default, OpenStreetMap only on request, the own map offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from shapely.geometry import box

from abcd import maps
from abcd.cli import main as cli_main
from abcd.config import BASEMAPS, settings_from_env
from abcd.errors import AbcdError
from abcd.maps.basemaps import OwnBasemap, area_labels, tile_source
from abcd.wijken import Wijk
from tests.test_maps import BOUNDARY, STREETS, asset, frame

TILE_URLS = re.compile(r'L\.tileLayer\(\s*"([^"]+)"')


def tile_urls(m: object) -> list[str]:
    return TILE_URLS.findall(m.get_root().render())  # type: ignore[attr-defined]


def test_pdok_grey_is_the_default_and_pastel_and_standard_are_offered() -> None:
    m = maps.base_map(boundary=BOUNDARY)
    urls = tile_urls(m)
    assert [u.split("/")[-5] for u in urls] == ["grijs", "pastel", "standaard"]
    assert all(u.startswith("https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/") for u in urls)
    shown = [c.abcd_basemap for c in m._children.values() if getattr(c, "abcd_basemap", None) and c.show]
    assert shown == ["pdok-grijs"]
    rendered = m.get_root().render()
    assert maps.OSM_TILES not in rendered
    assert "Kadaster" in tile_source("pdok-grijs").attribution


@pytest.mark.parametrize("code", BASEMAPS)
def test_use_basemap_shows_the_chosen_one_first(code: str) -> None:
    m = maps.use_basemap(maps.base_map(boundary=BOUNDARY), code)
    shown = [c.abcd_basemap for c in m._children.values() if getattr(c, "abcd_basemap", None) and c.show]
    assert shown == [code]
    assert (maps.OSM_TILES in m.get_root().render()) is (code == "osm")  # OpenStreetMap only when asked for


def test_use_basemap_twice_adds_openstreetmap_once_and_refuses_unknown_names() -> None:
    m = maps.use_basemap(maps.use_basemap(maps.base_map(), "osm"), "osm")
    assert [u for u in tile_urls(m) if maps.OSM_TILES in u] == ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"]
    with pytest.raises(ValueError, match="Unknown background map 'google'"):
        maps.use_basemap(m, "google")


def test_without_tiles_the_own_map_is_the_only_background() -> None:
    m = maps.base_map(boundary=BOUNDARY, tiles=False)
    assert tile_urls(m) == []
    (own,) = [c for c in m._children.values() if isinstance(c, OwnBasemap)]
    assert own.show is True and own.overlay is False
    assert maps.use_basemap(m, "pdok-pastel") is m and own.show is True  # nothing else to show


def test_the_own_map_draws_buurten_with_escaped_names_and_the_streets_layer() -> None:
    areas = [("De <Put>", box(4.432, 51.905, 4.440, 51.912)), ("Oost", box(4.440, 51.905, 4.448, 51.912))]
    m = maps.base_map(boundary=BOUNDARY, streets=STREETS, buurten=areas)
    rendered = m.get_root().render()
    (own,) = [c for c in m._children.values() if isinstance(c, OwnBasemap)]
    assert "De &lt;Put&gt;" in own.data_js and "<Put>" not in rendered
    assert '"areas":{"type":"GeometryCollection"' in own.data_js
    assert "abcdOwnBasemap(" in rendered and "abcdBasemapFallback(" in rendered  # offline: switches by itself
    assert ".abcd-base-label span{" in rendered


def test_area_outlines_are_simplified_and_rounded() -> None:
    wiggly = box(4.43, 51.90, 4.44, 51.91).buffer(0.0001, quad_segs=64)
    outline, labels = area_labels([("Rond", wiggly)])
    assert outline is not None
    coords = [c for geom in outline.geoms for c in geom.exterior.coords]
    assert len(coords) < len(wiggly.exterior.coords) / 3
    assert all(x == round(x, 5) and y == round(y, 5) for x, y in coords)
    assert labels == [["Rond", pytest.approx(51.905, abs=1e-3), pytest.approx(4.435, abs=1e-3)]]


def test_buurt_areas_are_the_cbs_buurten_mostly_inside(catalogue: dict[str, Wijk], botu: Wijk) -> None:
    names = [name for name, _ in maps.buurt_areas(catalogue, botu.boundary)]
    assert names == ["Bospolder", "Tussendijken"]
    assert maps.buurt_areas(catalogue, None) == []


def test_abcd_basemap_is_checked_when_the_settings_are_read() -> None:
    assert settings_from_env({}).basemap == "pdok-grijs"
    assert settings_from_env({"ABCD_BASEMAP": " Builtin "}).basemap == "builtin"
    with pytest.raises(AbcdError) as caught:
        settings_from_env({"ABCD_BASEMAP": "tile.openstreetmap.org"})
    assert "ABCD_BASEMAP" in caught.value.message("nl") and "pdok-grijs" in caught.value.message("en")


def test_the_html_export_uses_pdok_or_the_own_map_never_openstreetmap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ABCD_DATABASE_URL", f"sqlite:///{tmp_path / 'export.db'}")
    monkeypatch.setenv("ABCD_BASEMAP", "osm")  # the app's choice; an exported file never takes it
    assert cli_main(["init"]) == 0
    export = tmp_path / "botu.html"
    assert cli_main(["export", str(export), "--wijk", "bospolder-tussendijken"]) == 0
    document = export.read_text(encoding="utf-8")
    assert maps.OSM_TILES not in document
    assert "service.pdok.nl" in document and "abcdOwnBasemap(" in document
    assert "Bospolder-Tussendijken" in document  # the wijk's name on the own map


def test_a_map_without_assets_still_offers_its_backgrounds_in_english() -> None:
    rendered = maps.asset_map(frame(asset()), lang="en").get_root().render()
    for label in ("PDOK grey", "PDOK pastel", "PDOK standard", "Own map (works without internet)"):
        assert label in rendered
