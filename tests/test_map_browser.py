"""The pin layer and the background maps in Chromium: hundreds of pins on one canvas, a click on one of them,
the layer control's categories, DOM pins when zoomed in, and the own map when no tile loads.

One Streamlit server on a database with the ten examples and a grid of 450 more assets in BoTu: more than
``abcd.maps.pins.DOM_LIMIT`` and ``BIG_LIMIT`` in view, so the canvas draws them as dots, far enough
apart (about 20 px at the first zoom) that a click finds exactly one. Tiles cannot load here (no internet):
the map switches to its own background by itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest
import shapely
from playwright.sync_api import Browser, FrameLocator, Page, expect

from tests.browser_support import FIT_VIEW, AppServer, map_frame, page_in, prepare_database, serving, settle

pytestmark = pytest.mark.browser

GRID = 450
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _grid_points(boundary: Any, n: int) -> list[tuple[float, float]]:
    minx, miny, maxx, maxy = boundary.buffer(-0.0008).bounds
    for side in range(20, 60):
        xs, ys = np.meshgrid(np.linspace(minx, maxx, side), np.linspace(miny, maxy, side))
        inside = shapely.contains_xy(boundary.buffer(-0.0008), xs.ravel(), ys.ravel())
        points = list(zip(xs.ravel()[inside], ys.ravel()[inside], strict=True))
        if len(points) >= n:
            return [(round(float(x), 6), round(float(y), 6)) for x, y in points[:n]]
    raise AssertionError("no grid fits")


@pytest.fixture(scope="module")
def grid_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, dict[str, Any]]]:
    from abcd.store import Store
    from tests.helpers import make_draft

    base: Path = tmp_path_factory.mktemp("pins")
    db_url = f"sqlite:///{base / 'abcd.db'}"
    prepare_database(db_url)
    store = Store.open(db_url)
    try:
        boundary = store.get_wijk("bospolder-tussendijken").boundary
        categories = ["association", "initiative", "institution", "meeting_place", "place", "business", "story"]
        drafts = [
            make_draft(name=f"Rasterplek {k} & co", category=categories[k % 7], lon=lon, lat=lat)
            for k, (lon, lat) in enumerate(_grid_points(boundary, GRID))
        ]
        added = store.add_many(drafts, by="test")
        where = {a.name: (a.lon, a.lat) for a in added}
    finally:
        store.close()
    with serving(db_url, base) as server:
        yield server, where


@pytest.fixture
def desktop(
    chromium: Browser, grid_server: tuple[AppServer, dict[str, Any]], request: pytest.FixtureRequest
) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    yield from page_in(context, grid_server[0], request, timeout_ms=40_000, expect_ms=30_000)


def _drawn(frame: FrameLocator) -> int:
    return int(frame.locator("canvas.abcd-pins").get_attribute("data-abcd-drawn") or 0)


def test_hundreds_of_pins_are_one_canvas_and_a_click_on_one_shows_its_details(
    grid_server: tuple[AppServer, dict[str, Any]], desktop: Page
) -> None:
    server, where = grid_server
    page = desktop
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{server.url}/kaart")
    frame = map_frame(page)
    expect(frame.locator("canvas.abcd-pins[data-abcd-drawn]")).to_be_attached()
    assert _drawn(frame) == GRID + 10  # drawn at the first look, before the names came (first_look)
    settle(page)  # the whole page, and the pins with their names
    expect(frame.locator(".leaflet-marker-pane .abcd-pin")).to_have_count(0)  # no DOM marker per asset

    name = "Rasterplek 200 & co"
    lon, lat = where[name]
    container = frame.locator(".leaflet-container")
    spot = container.evaluate("(el, ll) => window.map.latLngToContainerPoint(ll)", [lat, lon])
    container.click(position={"x": spot["x"], "y": spot["y"]})
    expect(frame.locator(".leaflet-popup-content")).to_contain_text(name)  # escaped in Python, shown as text
    expect(page.get_by_role("heading", name=name)).to_be_visible()  # the details below the map, from Python

    # No tile server answers here: the map falls back on its own background, drawn from the wijk's data.
    expect(frame.locator(".leaflet-abcdBase-pane canvas")).to_be_attached()
    expect(frame.locator(".abcd-base-label", has_text="Bospolder")).to_have_count(1)
    # with the streets, which the hidden streets layer gives it when asked (it reads its lines then)
    streets = "() => { var n = 0; window.map.eachLayer(function (l) { if (l.options.pane === 'abcdBase' && "
    streets += "l instanceof L.Polyline && !(l instanceof L.Polygon)) { n++; } }); return n; }"
    assert container.evaluate(streets) >= 2  # the casing and the street on top
    foreign = {urlsplit(u).hostname for u in requests if urlsplit(u).scheme in ("http", "https")} - LOCAL_HOSTS
    assert foreign <= {"service.pdok.nl"}, foreign  # PDOK's tiles were tried; never OpenStreetMap's


def test_the_layer_control_hides_a_category_and_zooming_in_gives_focusable_named_pins(
    grid_server: tuple[AppServer, dict[str, Any]], desktop: Page
) -> None:
    server, where = grid_server
    page = desktop
    page.goto(f"{server.url}/kaart")
    frame = map_frame(page)
    expect(frame.locator("canvas.abcd-pins[data-abcd-drawn]")).to_be_attached()
    settle(page)  # the whole page: its run sends the pins again, with their names, and a new layer control
    before = _drawn(frame)
    frame.locator(".leaflet-control-layers").hover()
    frame.locator(".leaflet-control-layers-overlays label", has_text="Verhaal").locator("input").uncheck()
    expect(frame.locator("canvas.abcd-pins")).not_to_have_attribute("data-abcd-drawn", str(before))
    assert before - _drawn(frame) in range(GRID // 7, GRID // 7 + 3)  # a seventh of the grid, and example stories
    # The streets start hidden, their lines not yet read; shown, they are drawn.
    shown = "() => window.map.hasLayer(window.abcdLayers.streets) && window.abcdLayers.streets.getLayers().length"
    assert frame.locator(".leaflet-container").evaluate(shown) is False
    frame.locator(".leaflet-control-layers-overlays label", has_text="Straten").locator("input").check()
    assert frame.locator(".leaflet-container").evaluate(shown) > 0

    lon, lat = where["Rasterplek 3 & co"]
    frame.locator(".leaflet-container").evaluate("(el, ll) => window.map.setView(ll, 19, {animate: false})", [lat, lon])
    # A few pins in view: DOM markers, each named for screen readers and reachable with Tab.
    pin = frame.locator(".leaflet-marker-pane .abcd-pin", has_text="Rasterplek 3 & co")
    expect(pin).to_have_count(1)
    assert pin.get_attribute("tabindex") == "0"
    expect(frame.locator("canvas.abcd-pins")).not_to_have_attribute("data-abcd-drawn", re.compile(".+"))


def _two_pins(tmp_path: Path, *, first_look: bool = False, boundary: Any = None) -> Path:
    """A map file (no tiles) with a square's and a bakery's pins, as a first look sends them or whole."""
    from abcd import maps
    from tests.test_maps import asset, frame

    pins = maps.asset_pins(frame(asset("Wilgenplein", "place"), asset("Bakkerij Kruimel", "business", lon=4.4415)))
    m = maps.base_map(boundary=boundary, tiles=False, lang="nl")
    for layer in maps.pin_layers(maps.first_look(pins) if first_look else pins, lang="nl"):
        layer.add_to(m)
    path = tmp_path / "kaart.html"
    path.write_text(maps.standalone_html(m), encoding="utf-8")
    return path


def test_a_first_look_names_each_pin_by_its_category_until_the_names_come(chromium: Browser, tmp_path: Path) -> None:
    """The map-first run sends no names (abcd.maps.pins.first_look): the pins are drawn, named by their category."""
    path = _two_pins(tmp_path, first_look=True)
    page = chromium.new_page()
    try:
        page.goto(path.as_uri())
        markers = page.locator(".leaflet-marker-pane .abcd-pin")
        expect(markers).to_have_count(2)  # two pins in view: markers, each named for screen readers
        expect(markers.filter(has_text="Plek (park, speeltuin, plein)")).to_have_count(1)
        expect(markers.filter(has_text="Lokale economie")).to_have_count(1)
        assert "Wilgenplein" not in page.content() and "Kruimel" not in page.content()
    finally:
        page.close()


# Counts the zoom animations of every Leaflet map in the page, from the moment Leaflet defines itself.
_COUNT_ZOOM_ANIMATIONS = """
window.__zoomAnimations = 0;
Object.defineProperty(window, "L", {configurable: true, get() { return this.__leaflet; }, set(leaflet) {
    this.__leaflet = leaflet;
    if (leaflet && leaflet.Map) {
        leaflet.Map.addInitHook(function () { this.on("zoomanim", () => { window.__zoomAnimations += 1; }); });
    }
}});
"""

# Every pin sprite (category x example/stale x dot/full/selected): its size and how many inked pixels
# lie on its outermost rows and columns.
_SPRITE_EDGES = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const pins = Object.values(map._layers).find(layer => layer._sprites !== undefined);
    const out = [];
    for (const [big, selected] of [[false, false], [true, false], [true, true]]) {
        for (let cat = 0; cat < 7; cat++) {
            for (const flag of [0, 1, 2]) {
                const sprite = pins._sprite(cat, flag, big, selected), n = sprite.half * 2;
                const g = new OffscreenCanvas(n, n).getContext("2d");
                g.drawImage(sprite.canvas, 0, 0);
                const d = g.getImageData(0, 0, n, n).data;
                let edge = 0, inked = 0;
                for (let y = 0; y < n; y++) {
                    for (let x = 0; x < n; x++) {
                        if (!d[(y * n + x) * 4 + 3]) { continue; }
                        inked++;
                        if (!x || !y || x === n - 1 || y === n - 1) { edge++; }
                    }
                }
                out.push({big, selected, cat, flag, n, edge, inked});
            }
        }
    }
    return out;
}"""


def test_the_map_opens_at_its_fitted_zoom_and_no_pin_sprite_is_cut_off(chromium: Browser, tmp_path: Path) -> None:
    """The map fits the wijk at once, not with a zoom animation from its starting zoom (two zoom levels'
    tiles, a forced layout and the pins drawn twice on a busy phone). Dots are drawn from a box with
    little room around them (thousands of copies are made): nothing of any pin may fall outside its box.
    """
    from tests.test_maps import BOUNDARY

    path = _two_pins(tmp_path, boundary=BOUNDARY)
    page = chromium.new_page(viewport={"width": 1600, "height": 1000}, device_scale_factor=2)
    try:
        page.add_init_script(_COUNT_ZOOM_ANIMATIONS)
        page.goto(path.as_uri())
        expect(page.locator(".leaflet-marker-pane .abcd-pin")).to_have_count(2)
        page.wait_for_timeout(400)  # longer than a zoom animation (250 ms)
        minx, miny, maxx, maxy = BOUNDARY.bounds
        zoom, fitted, _ = page.evaluate(FIT_VIEW, [[miny, minx], [maxy, maxx]])
        assert zoom == fitted != 15  # 15: the starting zoom, which the fit changes at this size
        assert page.evaluate("window.__zoomAnimations") == 0

        sprites = page.evaluate(_SPRITE_EDGES)
        assert len(sprites) == 3 * 7 * 3
        assert {s["n"] for s in sprites if not s["big"]} == {32}  # a dot's box at device pixel ratio 2
        for sprite in sprites:
            assert sprite["inked"] > 0 and sprite["edge"] == 0, sprite
    finally:
        page.close()


def test_the_map_fits_the_wijk_again_when_it_changes_size_until_someone_moves_it(
    chromium: Browser, tmp_path: Path
) -> None:
    """The Kaart page's sidebar arrives after the map and narrows it, and a phone turns: the whole wijk stays
    in view, until someone has touched the map (then the view is theirs)."""
    from tests.test_maps import BOUNDARY

    minx, miny, maxx, maxy = BOUNDARY.bounds
    page = chromium.new_page(viewport={"width": 1600, "height": 1000})
    wijk = [[miny, minx], [maxy, maxx]]
    try:
        page.goto(_two_pins(tmp_path, boundary=BOUNDARY).as_uri())
        expect(page.locator(".leaflet-marker-pane .abcd-pin")).to_have_count(2)
        wide_zoom, fitted, whole = page.evaluate(FIT_VIEW, wijk)
        assert wide_zoom == fitted and whole

        page.set_viewport_size({"width": 420, "height": 1000})
        page.wait_for_function(f"({FIT_VIEW})({wijk})[0] < {wide_zoom}")  # narrower: one zoom level out, at least
        narrow_zoom, fitted, whole = page.evaluate(FIT_VIEW, wijk)
        assert narrow_zoom == fitted and whole

        page.mouse.move(200, 500)  # someone drags the map
        page.mouse.down()
        page.mouse.move(300, 560, steps=5)
        page.mouse.up()
        page.set_viewport_size({"width": 1600, "height": 1000})
        page.wait_for_timeout(300)  # Leaflet handles a resize at the next animation frame
        zoom, fitted, _ = page.evaluate(FIT_VIEW, wijk)
        assert zoom == narrow_zoom < fitted  # kept as they left it
    finally:
        page.close()
