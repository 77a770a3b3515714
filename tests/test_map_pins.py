"""The pin layer (abcd.maps.pins): compact data, names shortened and restored, clicks back to ids, the Kaart page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point
from streamlit.testing.v1 import AppTest

from abcd import maps
from abcd.cli import main as cli_main
from abcd.maps.pins import COORDINATE_SCALE, pin_points, shared_words
from abcd.permissions import PUBLIC_USER
from abcd.store import Store
from tests.helpers import make_draft
from tests.test_maps import BOUNDARY, all_props, asset, decoded_name, frame, pin_layers, random_assets

ROOT = Path(__file__).resolve().parent.parent


# ----------------------------------------------------------------- data
@given(st.lists(st.text(alphabet="ab ^~&é\u2028", max_size=12), max_size=40))
@settings(max_examples=150, deadline=None)
def test_shared_words_give_back_every_name(names: list[str]) -> None:
    words, short = shared_words(names, least=0)
    assert [decoded_name(name, words) for name in short] == names
    assert all(len(s) <= len(n) * 2 for s, n in zip(short, names, strict=True))  # a literal ^ or ~ doubles, no more


def test_shared_words_shorten_the_names_of_a_wijk() -> None:
    names = [
        f"{kind} {street} {n}"
        for n in range(150)
        for kind in ("Buurthuis", "Speeltuin")
        for street in ("Hudsonstraat",)
    ]
    assert shared_words(names[:10]) == ([], names[:10])  # a handful: as they are
    words, short = shared_words(names)
    assert "Hudsonstraat " in words and "Buurthuis " in words
    assert sum(map(len, short)) + sum(len(w) + 3 for w in words) < 0.5 * sum(map(len, names))


def test_coordinates_are_whole_steps_west_to_east_and_decode_to_the_point() -> None:
    assets = random_assets(300)
    (layer,) = pin_layers(maps.asset_map(assets, tiles=False))
    data = layer.pins.data
    assert data["q"] == COORDINATE_SCALE
    assert all(isinstance(v, int) and v >= 0 for v in data["x"]) and all(isinstance(v, int) for v in data["y"])
    where = dict(zip(assets["id"], zip(assets.geometry.x, assets.geometry.y, strict=True), strict=True))
    for asset_id, (lon, lat) in zip(layer.pins.ids, pin_points(layer.pins), strict=True):
        assert lon == pytest.approx(where[asset_id][0], abs=0.6 / COORDINATE_SCALE)
        assert lat == pytest.approx(where[asset_id][1], abs=0.6 / COORDINATE_SCALE)


def test_stale_pins_are_flagged_for_greying() -> None:
    from datetime import date

    rows = frame(asset("Oud", last_confirmed="2024-01-01"), asset("Nieuw", last_confirmed=date.today().isoformat()))
    pins = {p["n"]: p for p in all_props(maps.asset_map(rows, tiles=False))}
    assert "o" not in pins["Oud"]  # an exported map marks nothing
    (group, *_) = maps.asset_layers(rows, stale_before=date(2025, 1, 1))
    flags = dict(zip(group.pins.ids, group.pins.data["f"], strict=True))
    assert int(flags[rows["id"][0]], 16) & 2 and not int(flags[rows["id"][1]], 16) & 2


def test_details_below_sends_no_descriptions_or_photos_and_says_where_to_look() -> None:
    rows = frame(asset("Club", "association", description="Lange tekst over de club"))
    photo = '<img alt="Club" src="data:image/jpeg;base64,AAAA">'
    beside = maps.asset_layers(rows, details_below=True, photos={rows["id"][0]: photo})
    inside = maps.asset_layers(rows, photos={rows["id"][0]: photo})
    assert "d" not in beside[0].pins.data and "ph" not in beside[0].pins.data
    assert inside[0].pins.data["d"] == ["Lange tekst over de club"] and inside[0].pins.data["ph"] == {"0": photo}
    text = json.loads(next(iter(beside[0]._children.values())).text_js)
    assert text["more"] == "Meer over deze plek staat onder de kaart."
    passive = maps.asset_layers(rows, interactive=False, photos={rows["id"][0]: photo})
    assert "d" not in passive[0].pins.data and "ph" not in passive[0].pins.data  # the add page shows no popups


# ----------------------------------------------------------------- clicks
def test_a_pin_click_names_its_asset_only_through_the_layer_it_came_from() -> None:
    rows = frame(asset("A", lon=4.440), asset("B", lon=4.441), asset("C", lon=4.442))
    layers = maps.asset_layers(rows)
    pins = maps.pin_ids(layers)
    (key,) = pins
    assert pins[key] == tuple(rows["id"])  # west to east
    click = {"last_active_drawing": {"properties": {"pin": 2, "pins": key}}, "last_object_clicked_count": 1}
    assert maps.clicked_asset_id(click, pins) == rows["id"][2]
    assert maps.click_since(click, None, pins) == maps.Click(asset_id=rows["id"][2])
    for bad in (3, -1, True, "2", None):
        assert maps.clicked_asset_id({"last_active_drawing": {"properties": {"pin": bad, "pins": key}}}, pins) is None
    assert maps.clicked_asset_id(click, {"other": tuple(rows["id"])}) is None  # an older layer: no guess
    assert maps.clicked_asset_id(click) is None


def test_the_same_assets_get_the_same_key_and_another_order_another() -> None:
    rows = frame(asset("A", lon=4.440), asset("B", lon=4.441))
    again = maps.asset_layers(rows.copy())
    assert maps.pin_ids(maps.asset_layers(rows)) == maps.pin_ids(again)
    moved = rows.copy()
    moved.loc[0, "geometry"] = Point(4.4425, 51.911)
    assert set(maps.pin_ids(maps.asset_layers(moved))) != set(maps.pin_ids(again))


def test_the_pin_script_is_sent_once_compact_and_escapes_nothing_itself() -> None:
    rendered = maps.asset_map(frame(asset("<b>x</b>")), boundary=BOUNDARY, tiles=False).get_root().render()
    assert rendered.count("window.abcdPins = function") == 1
    assert "// " not in rendered.split("window.abcdPins = function")[0][-3000:]  # comments stripped
    assert "<b>x</b>" not in rendered and "&lt;b&gt;x&lt;/b&gt;" in rendered


# ----------------------------------------------------------------- the Kaart page
@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/pins.db"
    monkeypatch.setenv("ABCD_DATABASE_URL", url)
    monkeypatch.delenv("ABCD_LANG", raising=False)
    monkeypatch.delenv("ABCD_BASEMAP", raising=False)
    assert cli_main(["init"]) == 0
    return url


def _kaart() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = PUBLIC_USER
    at.run()
    at.switch_page("app_pages/kaart.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _map_args(at: AppTest) -> dict[str, Any]:
    (element,) = [e for e in at.main if getattr(e.proto, "component_name", "") == "streamlit_folium.st_folium"]
    return dict(json.loads(element.proto.json_args))


def test_the_kaart_page_sends_pins_without_ids_or_descriptions_and_no_osm_tiles(db: str) -> None:
    store = Store.open(db)
    try:
        club = store.add(make_draft(name="Fotoclub De Lens", description="Elke dinsdag foto's maken."), by="ans")
    finally:
        store.close()
    at = _kaart()
    args = _map_args(at)
    sent = json.dumps(args)
    assert "abcdPins(" in args["feature_group"]
    assert club.id not in sent and "Elke dinsdag" not in sent  # positions and names only
    assert maps.OSM_TILES not in sent and "service.pdok.nl" in sent
    assert "De Lens" in sent


def _pin_data(feature_group: str) -> dict[str, Any]:
    """The data argument of the page's ``abcdPins(text, data)`` call."""
    decoder = json.JSONDecoder()
    call = feature_group[feature_group.index("abcdPins(") + len("abcdPins(") :]
    _, end = decoder.raw_decode(call)
    data, _ = decoder.raw_decode(call[end:].lstrip(", "))
    return dict(data)


def test_a_first_look_sends_what_draws_the_pins_and_the_whole_page_their_names(db: str) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = PUBLIC_USER
    at.run()  # a session's first look: the map alone (abcd.ui.map_first)
    assert not at.exception, at.exception
    first = _pin_data(_map_args(at)["feature_group"])
    at.run()  # the map's report: the whole page
    assert not at.exception, at.exception
    whole = _pin_data(_map_args(at)["feature_group"])
    assert sorted(first) == ["c", "f", "o", "q", "x", "y"]  # no names, roles or sources yet
    assert len(whole["n"]) == len(first["c"]) == 10 and any("Buurthuisje" in name for name in whole["n"])
    assert {key: whole[key] for key in first} == first  # the same pins, drawn the same


def test_a_click_on_a_pin_shows_its_details_below_the_map(db: str) -> None:
    store = Store.open(db)
    try:
        club = store.add(make_draft(name="Fotoclub De Lens", description="Elke dinsdag foto's maken."), by="ans")
    finally:
        store.close()
    at = _kaart()
    pins = at.session_state["kaart_map__pins"]
    ((key, ids),) = pins.items()
    at.session_state["kaart_map"] = {
        "last_active_drawing": {"properties": {"pin": ids.index(club.id), "pins": key}},
        "last_object_clicked_count": 1,
    }
    at.run()
    assert not at.exception, at.exception
    assert "Fotoclub De Lens" in [h.value for h in at.subheader]
    assert any("Elke dinsdag" in m.value for m in at.markdown)


def test_the_list_under_the_map_reaches_every_shown_asset_without_the_map(db: str) -> None:
    at = _kaart()
    pick = at.selectbox(key="kaart_pick")
    assert len(pick.options) == 10  # the ten examples
    example = at.session_state["kaart_map__pins"]
    ((_, ids),) = example.items()
    pick.set_value(ids[0]).run()
    assert not at.exception, at.exception
    assert at.session_state["kaart_selected"] == ids[0]


def test_search_and_filters_still_narrow_the_pins(db: str) -> None:
    at = _kaart()
    ((_, all_ids),) = at.session_state["kaart_map__pins"].items()
    at.pills(key="kaart_categories").set_value(["initiative"]).run()
    ((_, some),) = at.session_state["kaart_map__pins"].items()
    assert 0 < len(some) < len(all_ids)
    at.text_input(key="kaart_search").set_value("geen plek heet zo").run()
    assert at.session_state["kaart_map__pins"] == {}  # nothing shown: no pin layer


def test_abcd_basemap_osm_adds_openstreetmap_and_shows_it_first(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABCD_BASEMAP", "osm")
    at = _kaart()
    script = _map_args(at)["script"]
    assert maps.OSM_TILES in script and "service.pdok.nl" in script


def test_the_kaart_page_works_in_english_with_its_own_labels(db: str) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = PUBLIC_USER
    at.session_state["lang"] = "en"
    at.run()
    at.switch_page("app_pages/kaart.py")
    at.run()
    assert not at.exception, at.exception
    args = _map_args(at)
    assert "PDOK grey" in args["layer_control"] and "Own map (works without internet)" in args["layer_control"]


def test_an_empty_frame_gives_no_pins() -> None:
    empty = gpd.GeoDataFrame({"id": [], "name": [], "category": []}, geometry=[], crs=4326)
    assert maps.asset_layers(empty) == [] and len(maps.asset_pins(empty)) == 0
