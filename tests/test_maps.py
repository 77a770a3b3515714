"""Tests for abcd.maps: escaping, offline assets, layers, example marking, click helpers, size."""

from __future__ import annotations

import html
import importlib.util
import json
import random
import re
import uuid
from pathlib import Path
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import pytest
from jinja2.utils import htmlsafe_json_dumps
from shapely.geometry import LineString, Point, Polygon

from abcd import maps
from abcd._html import js_literal
from abcd.errors import ValidationError
from abcd.i18n import catalogues, t
from abcd.maps import base as maps_base
from abcd.maps._elements import LineLayer
from abcd.maps.pins import PinLayer, PinToggle
from abcd.model import Category

HOSTILE_IMG = "<img src=x onerror=alert(1)>"
HOSTILE_SCRIPT = "</script><script>alert(1)</script>"
HOSTILE_JINJA = "X{{ 7*7 }}Y{% if true %}Z{% endif %}"

# A simplified outline of Bospolder-Tussendijken (WGS84 lon, lat), traced by hand.
BOUNDARY = Polygon(
    [(4.4305, 51.9131), (4.4371, 51.9162), (4.4440, 51.9158), (4.4497, 51.9101), (4.4478, 51.9040), (4.4330, 51.9055)]
)
STREETS = gpd.GeoDataFrame(
    {"name": ["Schiedamseweg", "Mathenesserweg"]},
    geometry=[
        LineString([(4.43123456789, 51.90987654321), (4.44876543219, 51.91123456789)]),
        LineString([(4.4351, 51.9140), (4.4412, 51.9068)]),
    ],
    crs="EPSG:4326",
)
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
REMOTE_LINK = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//|<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//",
    re.IGNORECASE,
)


def asset(name: str = "Buurttuin", category: str = "place", lon: float = 4.4405, lat: float = 51.9110, **extra: Any):
    row: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "name": name,
        "category": category,
        "description": "",
        "wijk": "bospolder-tussendijken",
        "resident_led": None,
        "meeting_place_role": None,
        "source": "field",
        "version": 1,
        "geometry": Point(lon, lat),
    }
    row.update(extra)
    return row


def frame(*rows: dict[str, Any], crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(list(rows), geometry="geometry", crs=crs)


def one_per_category() -> gpd.GeoDataFrame:
    return frame(
        *[
            asset(f"Asset {c.value}", c.value, lon=4.434 + 0.002 * i, lat=51.906 + 0.001 * i)
            for i, c in enumerate(Category)
        ]
    )


def pin_layers(m: folium.Map) -> list[PinLayer]:
    # The pins are one layer, inside a FeatureGroup (so pages can add it dynamically).
    return [
        child
        for group in m._children.values()
        if isinstance(group, folium.FeatureGroup)
        for child in group._children.values()
        if isinstance(child, PinLayer)
    ]


def toggles(m: folium.Map) -> list[PinToggle]:
    """Each category's entry in the layer control."""
    return [child for child in m._children.values() if isinstance(child, PinToggle)]


def decoded_name(name: str, words: list[str]) -> str:
    """A pin's name with its shared words written out, as pins.js does."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

    def word(match: re.Match[str]) -> str:
        literal, one, high, low = match.groups()
        if literal:
            return literal
        if one:
            return words[digits.index(one)]
        return words[len(digits) + digits.index(high) * len(digits) + digits.index(low)]

    return re.sub(r"\^([\^~])|\^([0-9A-Za-z])|~([0-9A-Za-z])([0-9A-Za-z])", word, name)


def all_props(m: folium.Map) -> list[dict[str, Any]]:
    """Every pin as the browser reads it: id (kept in Python), name, category, flags, role, source, place."""
    codes, sources, roles = list(maps.CATEGORY_STYLE), ["field", "import", "osm", "example"], ROLES
    rows = []
    for layer in pin_layers(m):
        data, scale = layer.pins.data, layer.pins.data["q"]
        x = data["o"][0]
        for k, asset_id in enumerate(layer.pins.ids):
            x += data["x"][k]
            flags = int(data["f"][k], 16)
            row: dict[str, Any] = {
                "id": asset_id,
                "n": decoded_name(data["n"][k], data.get("w", [])),
                "c": codes[int(data["c"][k])],
                "lon": x / scale,
                "lat": (data["o"][1] + data["y"][k]) / scale,
            }
            if data.get("d") and data["d"][k]:
                row["d"] = data["d"][k]
            if flags & 1:
                row["e"] = 1
            if flags & 2:
                row["o"] = 1
            if flags & 12:
                row["r"] = 1 if flags & 4 else 0
            if int(data["m"][k]):
                row["m"] = roles[int(data["m"][k]) - 1]
            if int(data["s"][k]):
                row["s"] = sources[int(data["s"][k]) - 1]
            rows.append(row)
    return rows


def test_hostile_text_is_escaped_in_tooltip_and_popup_data() -> None:
    hostile = frame(
        asset(HOSTILE_IMG, "initiative", description=HOSTILE_SCRIPT, resident_led=True),
        asset(HOSTILE_SCRIPT, "story", description=HOSTILE_IMG, source="example"),
    )
    benign = frame(
        asset("Naam", "initiative", description="Tekst", resident_led=True),
        asset("Naam", "story", description="Tekst", source="example"),
    )
    m = maps.asset_map(hostile, boundary=BOUNDARY, tiles=False)
    rendered = m.get_root().render()

    assert HOSTILE_IMG not in rendered
    assert HOSTILE_SCRIPT not in rendered
    assert "onerror=alert(1)>" not in rendered
    assert html.escape(HOSTILE_IMG, quote=True) in rendered
    assert html.escape(HOSTILE_SCRIPT, quote=True) in rendered
    # Nothing in the data opened a script element of its own.
    benign_html = maps.asset_map(benign, boundary=BOUNDARY, tiles=False).get_root().render()
    assert len(SCRIPT_TAG.findall(rendered)) == len(SCRIPT_TAG.findall(benign_html))
    # Tooltip (n) and popup (n, d) are built from these pre-escaped properties only.
    by_name = {p["n"]: p for p in all_props(m)}
    assert by_name[html.escape(HOSTILE_IMG)]["d"] == html.escape(HOSTILE_SCRIPT)
    assert by_name[html.escape(HOSTILE_SCRIPT)]["d"] == html.escape(HOSTILE_IMG)


def test_hostile_labels_in_legend_and_layer_control_are_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    # A translator's slip (or worse) in the catalogue must not reach the page as markup.
    dutch = catalogues.load_catalogue("nl")
    hostile = {**dutch.messages, "category.story": HOSTILE_IMG, "map.legend": HOSTILE_SCRIPT}
    monkeypatch.setattr(catalogues, "load_catalogue", lambda lang: dutch._replace(messages=hostile))
    m = maps.asset_map(frame(asset("Verhaal", "story")), tiles=False)
    rendered = m.get_root().render()

    assert HOSTILE_IMG not in rendered
    assert HOSTILE_SCRIPT not in rendered
    legend = maps_base._legend_html("nl", examples=False, boundary=False, streets=False)
    assert html.escape(HOSTILE_IMG) in legend
    assert html.escape(HOSTILE_SCRIPT) in legend
    assert "<img" not in legend
    assert [layer.layer_name for layer in toggles(m)] == [f"{html.escape(HOSTILE_IMG)} (1)"]


def test_jinja_syntax_in_user_text_is_not_evaluated_on_the_server() -> None:
    # folium renders generated scripts through Jinja a second time.
    bad_id = "q{{ 6*7 }}z"  # not hex: folium's element names are, and once held "a42b" by chance
    m = maps.asset_map(frame(asset(HOSTILE_JINJA, "story", id=bad_id, description=HOSTILE_JINJA)), tiles=False)
    rendered = m.get_root().render()

    assert "X49Y" not in rendered
    assert "q42z" not in rendered
    assert "X{{ 7*7 }}YZ" not in rendered and "&#125;YZ" not in rendered  # the {% if %} was not evaluated
    props = all_props(m)[0]
    assert props["id"] == bad_id and bad_id not in rendered  # ids stay on the server (the browser has positions)
    assert html.unescape(props["n"]) == HOSTILE_JINJA
    maps.marker_layer(4.44, 51.91, label="L{{ 6*7 }}R").add_to(m)
    assert "L42R" not in m.get_root().render()


@pytest.mark.parametrize("value", [HOSTILE_SCRIPT, HOSTILE_JINJA, "a\u2028b", {"k": ["{%", "{#", "</ScRiPt>"]}])
def test_embedded_json_round_trips_and_cannot_close_a_script(value: Any) -> None:
    text = js_literal(value)
    assert json.loads(text) == value
    assert "<" not in text
    assert "{{" not in text and "{%" not in text and "{#" not in text


def local_urls(rendered: str) -> list[str]:
    return re.findall(r'<script src="([^"]+)"', rendered) + re.findall(
        r'<link rel="stylesheet" href="([^"]+)"', rendered
    )


def test_rendered_map_links_only_vendored_files_that_exist() -> None:
    m = maps.asset_map(one_per_category(), boundary=BOUNDARY, streets=STREETS)
    rendered = m.get_root().render()

    assert REMOTE_LINK.search(rendered) is None
    urls = local_urls(rendered)
    assert sorted(urls) == [
        f"{maps.VENDOR_URL}/leaflet-{maps.LEAFLET_VERSION}/leaflet.css",
        f"{maps.VENDOR_URL}/leaflet-{maps.LEAFLET_VERSION}/leaflet.js",
    ]
    for url in urls:
        assert (maps.VENDOR_DIR / url.removeprefix(maps.VENDOR_URL + "/")).is_file()
    images = maps.VENDOR_DIR / f"leaflet-{maps.LEAFLET_VERSION}" / "images"
    assert f'L.Icon.Default.imagePath = "{maps.VENDOR_URL}/leaflet-{maps.LEAFLET_VERSION}/images/";' in rendered
    for png in ("marker-icon.png", "marker-icon-2x.png", "marker-shadow.png", "layers.png", "layers-2x.png"):
        assert (images / png).is_file()
    # PDOK's tile URL templates are the only addresses on the internet the map uses; never OpenStreetMap's.
    assert "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png" in rendered
    assert maps.OSM_TILES not in rendered


def test_vendored_files_are_documented_with_version_and_licence() -> None:
    readme = (maps.VENDOR_DIR / "README.md").read_text(encoding="utf-8")
    leaflet_dir = maps.VENDOR_DIR / f"leaflet-{maps.LEAFLET_VERSION}"
    assert f"| {maps.LEAFLET_VERSION} | BSD-2-Clause" in readme
    assert "BSD" in (leaflet_dir / "LICENSE").read_text(encoding="utf-8") or "Redistribution" in (
        leaflet_dir / "LICENSE"
    ).read_text(encoding="utf-8")
    assert f'version="{maps.LEAFLET_VERSION}"' in (leaflet_dir / "leaflet.js").read_text(encoding="utf-8")


def test_the_folium_class_defaults_are_left_alone() -> None:
    before_js, before_css = list(folium.Map.default_js), list(folium.Map.default_css)
    maps.asset_map(one_per_category(), tiles=False).get_root().render()
    assert folium.Map.default_js == before_js
    assert folium.Map.default_css == before_css
    assert REMOTE_LINK.search(folium.Map().get_root().render()) is not None  # a plain map still uses CDNs


def test_use_local_assets_replaces_links_left_by_an_earlier_render() -> None:
    m = folium.Map(location=[51.91, 4.44], tiles=None)
    assert REMOTE_LINK.search(m.get_root().render()) is not None

    maps.use_local_assets(m, "/elders/vendor/")
    rendered = m.get_root().render()

    assert REMOTE_LINK.search(rendered) is None
    assert f'<script src="/elders/vendor/leaflet-{maps.LEAFLET_VERSION}/leaflet.js">' in rendered
    assert "jquery" not in rendered.lower() and "bootstrap" not in rendered.lower()


def test_use_local_assets_refuses_a_plugin_that_is_not_vendored() -> None:
    m = maps.asset_map(frame(asset()), tiles=False)
    folium.plugins.MarkerCluster().add_to(m)
    with pytest.raises(ValueError, match="MarkerCluster loads https://"):
        maps.use_local_assets(m)


def test_standalone_html_inlines_leaflet_and_links_nothing_remote() -> None:
    m = maps.asset_map(one_per_category(), boundary=BOUNDARY, streets=STREETS, lang="en")
    doc = maps.standalone_html(m)

    assert REMOTE_LINK.search(doc) is None
    assert "<script src=" not in doc and '<link rel="stylesheet"' not in doc
    assert f"Leaflet {maps.LEAFLET_VERSION}, a JS library for interactive maps" in doc
    assert f'version="{maps.LEAFLET_VERSION}"' in doc
    assert ".leaflet-control-layers-toggle" in doc  # the CSS
    assert "url(images/" not in doc and "url(data:image/png;base64," in doc
    assert 'L.Icon.Default.imagePath = "data:image/png;base64,"' in doc
    assert html.escape(t("map.attribution", "en")) in doc
    assert "Legend" in doc
    assert "sourceMappingURL" not in doc
    # Exactly one closing tag per script element: the inlined code cannot end one early.
    assert doc.count("</script>") == len(SCRIPT_TAG.findall(doc))


def test_standalone_html_of_a_plain_folium_map_is_made_local_first() -> None:
    m = folium.Map(location=[51.91, 4.44], tiles=None)
    doc = maps.standalone_html(m)
    assert REMOTE_LINK.search(doc) is None
    assert f'version="{maps.LEAFLET_VERSION}"' in doc


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_each_category_has_its_toggle_named_in_the_ui_language_and_the_pins_are_one_layer(lang: str) -> None:
    m = maps.asset_map(one_per_category(), boundary=BOUNDARY, lang=lang, tiles=False)  # type: ignore[arg-type]
    rendered = m.get_root().render()

    expected = [f"{html.escape(t(f'category.{c.value}', lang))} (1)" for c in Category]  # type: ignore[arg-type]
    assert [layer.layer_name for layer in toggles(m)] == expected
    for layer in toggles(m):
        assert htmlsafe_json_dumps(layer.layer_name) in rendered  # listed in the layer control
    (layer,) = pin_layers(m)
    assert sorted((p["c"], p["n"]) for p in all_props(m)) == sorted((c.value, f"Asset {c.value}") for c in Category)
    assert rendered.count("abcdPins(") == 1 and rendered.count("abcdPinToggle(") == len(Category)
    other = "en" if lang == "nl" else "nl"
    assert html.escape(t("category.initiative", other)) not in rendered  # type: ignore[arg-type]
    assert html.escape(t("map.legend", lang)) in rendered  # type: ignore[arg-type]


def test_categories_without_assets_get_no_layer_but_stay_in_the_legend() -> None:
    m = maps.asset_map(frame(asset("Bieb", "institution"), asset("Bieb 2", "institution")), tiles=False)
    assert [layer.layer_name for layer in toggles(m)] == [f"{t('category.institution')} (2)"]
    legend = maps_base._legend_html("nl", examples=False, boundary=True, streets=True)
    for category in Category:
        shown = html.escape(t(f"category.{category.value}")) in legend
        # Residents are never points on a map (they are counted per buurt), so not in its legend.
        assert shown is (category is not Category.PERSON)
    assert t("map.boundary") in legend and t("map.streets") in legend


def test_example_assets_are_marked_as_invented() -> None:
    m = maps.asset_map(frame(asset("Echt", "place"), asset("Verzonnen", "place", source="example")), tiles=False)
    rendered = m.get_root().render()
    props = {p["n"]: p for p in all_props(m)}

    assert props["Verzonnen"]["e"] == 1 and props["Verzonnen"]["s"] == "example"
    assert "e" not in props["Echt"]
    assert t("map.example") == "Voorbeeld, verzonnen"
    layer_text = json.loads(pin_layers(m)[0].text_js)
    assert layer_text["example"] == "Voorbeeld, verzonnen"  # tooltip suffix and popup badge
    assert layer_text["sources"][3] == t("source.example")
    assert "abcd-pin-example" in rendered  # dashed marker outline
    with_examples = maps_base._legend_html("en", examples=True, boundary=False, streets=False)
    assert "Example, invented" in with_examples
    assert "Example, invented" not in maps_base._legend_html("en", examples=False, boundary=False, streets=False)


def test_pins_carry_only_short_rounded_values_and_no_ids() -> None:
    long_text = "woord " * 200
    rows = frame(
        asset("Moestuin", "initiative", lon=4.441234567, lat=51.910987654, resident_led=False, description=long_text),
        asset("Huiskamer", "meeting_place", meeting_place_role="resident", source="osm"),
        asset("Bakker", "business", resident_led=None),
    )
    m = maps.asset_map(rows, tiles=False)
    (layer,) = pin_layers(m)
    pins = {p["id"]: p for p in all_props(m)}

    assert set(pins) == set(rows["id"])
    assert set(layer.pins.data) <= {"o", "q", "x", "y", "c", "f", "m", "s", "n", "w", "d", "ph"}
    assert not any(asset_id in layer.data_js for asset_id in rows["id"])  # positions travel, ids do not
    garden = next(p for p in pins.values() if p["n"] == "Moestuin")
    assert (garden["lon"], garden["lat"]) == (4.44123, 51.91099)  # 1e-5 degree: about a metre
    assert garden["r"] == 0
    assert garden["d"].endswith("\u2026")
    assert len(garden["d"]) <= maps.DESCRIPTION_PREVIEW + 1
    living_room = next(p for p in pins.values() if p["n"] == "Huiskamer")
    assert living_room["m"] == "resident" and living_room["s"] == "osm"
    baker = next(p for p in pins.values() if p["n"] == "Bakker")
    assert "r" not in baker and "d" not in baker


def test_private_and_bookkeeping_columns_stay_off_the_map() -> None:
    rows = frame(asset("Kapper", "business", contact="06-12345678 geheim@example.org", created_by="Anna Privé"))
    rendered = maps.asset_map(rows, tiles=False).get_root().render()
    assert "06-12345678" not in rendered and "geheim@example.org" not in rendered and "Anna" not in rendered


def test_boundary_and_streets_are_faint_rounded_and_not_clickable() -> None:
    m = maps.asset_map(None, boundary=BOUNDARY, streets=STREETS, tiles=False)
    lines = [child for child in m._children.values() if isinstance(child, LineLayer)]

    assert [layer.layer_name for layer in lines] == [t("map.streets"), t("map.boundary")]
    streets, boundary = lines
    assert json.loads(streets.options_js)["interactive"] is False
    assert json.loads(boundary.options_js) == {
        "style": maps_base._BOUNDARY_STYLE,
        "interactive": False,
        "smoothFactor": 1.5,
    }
    assert maps_base._BOUNDARY_STYLE["fill"] is False
    # The streets start hidden (every background shows them) but stay findable for the own map; their lines are
    # JSON text, read into Leaflet when the layer is first shown or asked for, not script parsed on every load.
    assert streets.show is False and boundary.show is True
    assert streets.data_js == "" and json.loads(json.loads(streets.text_js))["type"] == "MultiLineString"
    assert "4.431235" in streets.text_js and "4.43123456789" not in streets.text_js
    assert json.loads(boundary.data_js)["type"] == "Polygon" and boundary.text_js == ""
    rendered = m.get_root().render()
    assert '.abcdLayers = window.abcdLayers || {})["streets"]' in rendered
    assert f"var {streets.get_name()} = L.geoJson(null," in rendered
    assert f"var {boundary.get_name()} = L.geoJson({boundary.data_js}," in rendered


def test_the_map_fits_the_boundary_unless_a_view_is_given() -> None:
    fitted = maps.asset_map(frame(asset()), boundary=BOUNDARY, tiles=False)
    fits = [c for c in fitted._children.values() if isinstance(c, folium.FitBounds)]
    minx, miny, maxx, maxy = BOUNDARY.bounds
    assert [f.bounds for f in fits] == [[[miny, minx], [maxy, maxx]]]
    assert fits[0].options["animate"] is False  # at once: no animated zoom from zoom_start on the first look
    script = fitted.get_root().render()
    assert script.index(".fitBounds(") < min(script.index(".addTo(" + fitted.get_name()), script.index("abcdPins("))

    centred = maps.asset_map(frame(asset()), boundary=BOUNDARY, center=(4.44, 51.91), zoom=17, tiles=False)
    assert not [c for c in centred._children.values() if isinstance(c, folium.FitBounds)]
    assert centred.location == [51.91, 4.44]
    assert centred.options["zoom"] == 17

    with pytest.raises(ValidationError):
        maps.asset_map(None, center=(51.91, 4.44))  # (lat, lon) by mistake: not in the Netherlands


def test_attribution_is_on_the_map_with_and_without_tiles() -> None:
    plain = maps.asset_map(frame(asset()), tiles=False).get_root().render()
    tiled = maps.asset_map(frame(asset()), tiles=True).get_root().render()

    attribution = html.escape(t("map.attribution"))
    assert "CBS en Kadaster" in attribution
    assert f"addAttribution({json.dumps(attribution, ensure_ascii=False)})" in plain
    assert "service.pdok.nl" not in plain and maps.OSM_TILES not in plain
    assert attribution in tiled and "service.pdok.nl" in tiled and maps.OSM_TILES not in tiled
    assert "Kaartgegevens" in tiled and "www.kadaster.nl" in tiled  # PDOK's own line, shown with its tiles


def test_frames_in_another_crs_are_reprojected() -> None:
    rd = frame(asset(lon=4.4405, lat=51.9110)).to_crs("EPSG:28992")
    lon, lat = all_props_geometry(maps.asset_map(rd, tiles=False))
    assert lon == pytest.approx(4.4405, abs=2e-5) and lat == pytest.approx(51.9110, abs=2e-5)


def all_props_geometry(m: folium.Map) -> list[float]:
    (pin,) = all_props(m)
    return [pin["lon"], pin["lat"]]


def test_bad_frames_are_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="Unknown asset categories \\['church'\\]"):
        maps.asset_map(frame(asset(category="church")))
    with pytest.raises(ValueError, match="lacks category"):
        maps.asset_map(frame(asset()).drop(columns=["category"]))


def test_empty_input_draws_the_default_view() -> None:
    m = maps.asset_map(frame(asset()).iloc[0:0], tiles=False)
    assert pin_layers(m) == [] and toggles(m) == []
    assert m.location == [51.9102, 4.4401]


def test_category_styles_are_distinct_and_readable() -> None:
    assert set(maps.CATEGORY_STYLE) == {c.value for c in Category}
    styles = list(maps.CATEGORY_STYLE.values())
    assert len({s.color.lower() for s in styles}) == len(styles)
    assert len({s.glyph for s in styles}) == len(styles)
    for style in styles:
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", style.color) and re.fullmatch(r"#[0-9A-Fa-f]{6}", style.text)
        assert 1 <= len(style.glyph) <= 2
        assert contrast(style.color, style.text) >= 4.5, style


def contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_marker_layer_is_one_escaped_marker_outside_the_layer_control() -> None:
    group = maps.marker_layer(4.4405, 51.9110, label=HOSTILE_IMG)
    markers = [c for c in group._children.values() if isinstance(c, folium.Marker)]

    assert isinstance(group, folium.FeatureGroup) and group.control is False
    assert len(markers) == 1 and markers[0].location == [51.911, 4.4405]
    assert markers[0].options["interactive"] is False
    icon = markers[0].icon
    assert icon is not None and html.escape(HOSTILE_IMG) in icon.options["html"]
    m = maps.asset_map(frame(asset()), tiles=False)
    group.add_to(m)
    rendered = m.get_root().render()
    assert HOSTILE_IMG not in rendered
    assert htmlsafe_json_dumps(html.escape(HOSTILE_IMG)).strip('"') in rendered
    with pytest.raises(ValidationError):
        maps.marker_layer(51.91, 4.44, label="omgedraaid")


ASSET_ID = "6f1c1f0e-8d1c-4b7e-9a59-2f4f5b0c1d2e"
FEATURE = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [4.44, 51.91]},
    "properties": {"id": ASSET_ID},
}


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (None, None),
        ({}, None),
        ({"last_clicked": None}, None),
        ({"last_clicked": {"lat": 51.91}}, None),
        ({"last_clicked": {"lat": "x", "lng": 4.44}}, None),
        ({"last_clicked": {"lat": True, "lng": 4.44}}, None),
        ({"last_clicked": {"lat": float("nan"), "lng": 4.44}}, None),
        ({"last_clicked": [51.91, 4.44]}, None),
        ({"last_clicked": {"lat": 51.91, "lng": 4.44}}, (4.44, 51.91)),
        ({"last_clicked": {"lat": 51, "lng": 4}}, (4.0, 51.0)),
        ({"last_clicked": {"lat": 51.91285274132512, "lng": 4.4486474990844735}}, (4.448647, 51.912853)),
        ({"last_object_clicked": {"lat": 51.91, "lng": 4.44}}, None),  # a marker click is not a map click
    ],
)
def test_clicked_point(result: Any, expected: tuple[float, float] | None) -> None:
    assert maps.clicked_point(result) == expected


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (None, None),
        ({}, None),
        ({"last_object_clicked": {"lat": 51.91, "lng": 4.44}}, None),  # what streamlit-folium 0.27 sends
        ({"last_active_drawing": None}, None),
        ({"last_active_drawing": {"type": "Feature", "properties": None}}, None),
        ({"last_active_drawing": {"type": "Feature", "properties": {"name": "x"}}}, None),
        ({"last_active_drawing": {"type": "Feature", "properties": {"id": 7}}}, None),
        ({"last_active_drawing": {"type": "Feature", "properties": {"id": "  "}}}, None),
        ({"last_active_drawing": {"type": "Feature", "properties": {"id": "x" * 101}}}, None),
        ({"last_active_drawing": FEATURE, "last_object_clicked": {"lat": 51.91, "lng": 4.44}}, ASSET_ID),
        ({"last_object_clicked": FEATURE}, ASSET_ID),
    ],
)
def test_clicked_asset_id(result: Any, expected: str | None) -> None:
    assert maps.clicked_asset_id(result) == expected


def test_new_click_tells_an_asset_click_from_a_map_click() -> None:
    mounted: dict[str, Any] = {"last_clicked": None, "last_object_clicked": None, "last_object_clicked_count": 0}
    on_asset = {
        **mounted,
        "last_object_clicked": {"lat": 51.91, "lng": 4.44},
        "last_object_clicked_count": 2,
        "last_active_drawing": FEATURE,
    }
    on_map = {**on_asset, "last_clicked": {"lat": 51.912, "lng": 4.441}}
    same_asset_again = {**on_map, "last_object_clicked_count": 4}

    assert maps.new_click(mounted, None) is None
    assert maps.new_click(on_asset, mounted) == "asset"
    assert maps.new_click(on_map, on_asset) == "point"
    assert maps.new_click(same_asset_again, on_map) == "asset"
    assert maps.new_click(same_asset_again, same_asset_again) is None  # a rerun for another reason


def test_returned_objects_are_keys_streamlit_folium_reports() -> None:
    spec = importlib.util.find_spec("streamlit_folium")
    assert spec is not None and spec.origin is not None
    source = Path(spec.origin).read_text(encoding="utf-8")
    for key in maps.ST_FOLIUM_RETURNED_OBJECTS:
        assert f'"{key}":' in source
    assert "zoom" not in maps.ST_FOLIUM_RETURNED_OBJECTS and "bounds" not in maps.ST_FOLIUM_RETURNED_OBJECTS


ROLES = ["standard", "resident", "other"]


def random_assets(n: int, seed: int = 7) -> gpd.GeoDataFrame:
    rng = random.Random(seed)
    words = ["buurt", "tuin", "koffie", "naaien", "voetbal", "moskee", "school", "bakker", "verhaal", "taal", "fiets"]
    categories = [c.value for c in Category]
    rows = []
    for _ in range(n):
        category = rng.choice(categories)
        rows.append(
            asset(
                " ".join(rng.choices(words, k=rng.randint(2, 5))).capitalize(),
                category,
                lon=rng.uniform(4.430, 4.450),
                lat=rng.uniform(51.904, 51.916),
                id=str(uuid.UUID(int=rng.getrandbits(128))),
                description=" ".join(rng.choices(words, k=rng.randint(0, 120))),
                resident_led=rng.random() < 0.7 if category == "initiative" else None,
                meeting_place_role=rng.choice(ROLES) if category == "meeting_place" else None,
                source=rng.choice(["field", "field", "import", "osm", "example"]),
            )
        )
    return frame(*rows)


def test_map_html_for_1000_assets_stays_under_500_kb() -> None:
    m = maps.asset_map(random_assets(1000), boundary=BOUNDARY, tiles=True)
    size = len(m.get_root().render().encode("utf-8"))
    assert len(all_props(m)) == 1000
    assert size <= 500_000, f"{size / 1000:.0f} KB"


def test_pins_without_descriptions_cost_under_25_bytes_each() -> None:
    assets = random_assets(5000)
    layers = maps.asset_layers(assets, details_below=True)  # the Kaart page: details below the map
    size = len(layers[0]._children[next(iter(layers[0]._children))].data_js.encode("utf-8"))
    assert size <= 25 * 5000, f"{size / 5000:.1f} bytes per pin"


def test_the_streets_are_sent_joined_and_lighter_but_within_a_pixel_of_where_they_are() -> None:
    """BoTu's OSM streets: fewer points and bytes in the map, none more than 0.3 m (a pixel at zoom 19) off."""
    import shapely

    from tests.helpers import ROOT

    streets = gpd.read_file(ROOT / "data" / "wijken" / "botu_streets_osm.geojson").to_crs(4326)
    sent = maps_base._streets_geometry(streets)
    assert sent is not None
    exact = shapely.multilinestrings(shapely.get_parts(streets.geometry.to_numpy()))
    as_before = maps_base.round_geometry(exact)  # every piece, every point, to 0.1 m
    assert shapely.get_num_coordinates(sent) < 0.8 * shapely.get_num_coordinates(exact)
    assert len(json.dumps(shapely.geometry.mapping(sent))) < 0.85 * len(json.dumps(shapely.geometry.mapping(as_before)))
    rd_sent, rd_exact = gpd.GeoSeries([sent, exact], crs=4326).to_crs(28992)
    assert shapely.hausdorff_distance(rd_sent, rd_exact) < 0.3
