"""WCAG 2.1 AA: axe-core on every page and map frame, the page language, contrast, and adding an asset by keyboard.

The browser tests (``-m browser``) serve the app once and scan every page with
axe-core 4.12 (the copy that ``axe-playwright-python`` bundles; injected by hand
into the page and into each map frame, which that package does not do) for
the WCAG 2.0 and 2.1 A and AA rules. A coordinator reaches every page: each is
scanned in Dutch and English at 390x844 (a phone) and 1366x768 (a laptop). The
public's view of each page it can open is scanned in Dutch on the phone and in
English on the laptop. Expanders are opened first, so what they hold is scanned
too. Any violation fails the test, listed page by page. axe does not flag a
wrong but valid language, so ``<html lang>`` is checked on its own, in the page
and in the map frames.

No rule or element is excluded. An exclusion must name the rule and the element
and say why, here and in ``docs/toegankelijkheidsverklaring.md``.

The other tests check what axe cannot: the colours of text, pins and the gap
map's lines against the basemap (also as people with colour blindness see
them), the HTML export's language and zoom, and the keyboard route of the
Toevoegen page, whose browser test adds an asset with Tab, Enter and typing only.
"""

from __future__ import annotations

import itertools
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, MultiLineString, Point, box

from abcd import maps, ui
from abcd.errors import ValidationError
from abcd.maps.clicks import clicked_point
from abcd.maps.gaps import GAP_STYLES
from abcd.model import WGS84
from abcd.places import from_rd
from abcd.point_entry import parse_point, street_names, street_point
from abcd.styles import CATEGORY_STYLE, PIN_OUTLINE, contrast_ratio, relative_luminance
from tests.browser_support import settle
from tests.helpers import BOTU, ROOT

# Light colours of the basemaps the app offers: white, OpenStreetMap's land, residential area, buildings,
# parks and water, and the light greys of PDOK's BRT-Achtergrondkaart (grijs). Map symbols need 3:1 on each.
BASEMAP_COLOURS = ("#FFFFFF", "#F2EFE9", "#E0DFDF", "#D9D0C9", "#C8FACC", "#AAD3DF", "#E6E6E6", "#D0D0D0")
THEME = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["theme"]
APP_PAGES = sorted(p.stem for p in (ROOT / "app_pages").glob("*.py"))
FRONT_PAGE = "kaart"  # served at "/"; every other page at "/<its file's stem>"


def _address(stem: str) -> str:
    return "/" if stem == FRONT_PAGE else f"/{stem}"


# ---------------------------------------------------------------------------------------------- colours
def test_contrast_ratio_matches_the_wcag_examples() -> None:
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # the classic near miss
    assert contrast_ratio("#797F7E", "#FFFFFF") == pytest.approx(4.07, abs=0.01)  # Streamlit's faded caption
    with pytest.raises(ValueError, match="RRGGBB"):
        relative_luminance("red")


def _faded(colour: str, background: str, opacity: float) -> str:
    """``colour`` drawn at ``opacity`` over ``background``, as the browser blends it."""
    pairs = [(int(colour[i : i + 2], 16), int(background[i : i + 2], 16)) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(opacity * c + (1 - opacity) * b):02X}" for c, b in pairs)


def test_text_colours_of_the_theme_and_the_page_style_reach_4_5_to_1() -> None:
    assert _faded("#1F2A28", "#FFFFFF", 0.6) == "#797F7E"  # Streamlit's caption of the old theme, as axe saw it
    for background in (THEME["backgroundColor"], THEME["secondaryBackgroundColor"]):
        for colour in (THEME["textColor"], _faded(THEME["textColor"], background, 0.6), ui.PLACEHOLDER_COLOR):
            assert contrast_ratio(colour, background) >= 4.5, (colour, background)
    assert contrast_ratio("#FFFFFF", THEME["primaryColor"]) >= 4.5  # white text on primary buttons
    assert f"color:{ui.PLACEHOLDER_COLOR};opacity:1" in ui.PAGE_STYLE


def test_category_glyphs_read_on_their_disc_and_every_pin_stands_out_from_the_basemap() -> None:
    for code, style in CATEGORY_STYLE.items():
        assert contrast_ratio(style.text, style.color) >= 4.5, code
    for colour in BASEMAP_COLOURS:
        assert contrast_ratio(PIN_OUTLINE, colour) >= 3.0, colour
    html = maps.base_map(tiles=False).get_root().render()
    assert f"box-shadow:0 0 0 1.5px {PIN_OUTLINE}" in html


# Machado, Oliveira & Fernandes (2009): how people with protanopia, deuteranopia and tritanopia see sRGB.
_CVD = {
    "normal": np.eye(3),
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}


def _lab(colour: str, vision: str) -> np.ndarray:
    """CIELAB of ``colour`` as seen with ``vision`` (D65)."""
    srgb = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    linear = np.clip(_CVD[vision] @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    f = np.cbrt(xyz / np.array([0.9505, 1.0, 1.089]))
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _difference(a: str, b: str) -> float:
    """The smallest colour difference (CIE76) of ``a`` and ``b`` with normal vision and the three dichromacies."""
    return min(float(np.linalg.norm(_lab(a, v) - _lab(b, v))) for v in _CVD)


def test_gap_classes_differ_in_line_style_width_and_colour_blind_safe_colour() -> None:
    colours = {code: str(style["color"]) for code, style in GAP_STYLES.items()}
    assert len({style["border"] for style in GAP_STYLES.values()}) == 3  # solid, dashed, dotted
    assert len({style["dashArray"] for style in GAP_STYLES.values()}) == 3
    assert GAP_STYLES["needs_support"]["weight"] > GAP_STYLES["at_or_above"]["weight"]  # the gap is the thickest
    for code, colour in colours.items():
        for background in BASEMAP_COLOURS:
            assert contrast_ratio(colour, background) >= 3.0, (code, background)
    for (a, ca), (b, cb) in itertools.combinations(colours.items(), 2):
        assert _difference(ca, cb) >= 25, (a, b)  # apart from each other, also with colour blindness
    for code, colour in colours.items():
        for category, style in CATEGORY_STYLE.items():
            assert _difference(colour, style.color) > 15, (code, category)  # and not an asset's colour


def test_the_gap_map_names_each_class_in_its_legend_and_tooltips() -> None:
    segments = gpd.GeoDataFrame(
        {
            "name": ["Lage Erf", "Hoge Erf", "Dijk"],
            "initiatives": [0, 1, 4],
            "needs_support": [True, False, False],
            "below_average": [False, True, False],
        },
        geometry=[LineString([(4.44, 51.91), (4.441, 51.91)])] * 3,
        crs=WGS84,
    )
    m = maps.add_gap_legend(maps.base_map(tiles=False), lang="nl")
    for layer in maps.coverage_layers(segments, lang="nl"):
        layer.add_to(m)
    html = m.get_root().render()
    for text in ("Lage Erf: 0 bewonersinitiatieven binnen bereik (geen: hier meer steun)", "(minder dan gemiddeld)"):
        assert text in html
    assert "7px solid #AA0022" in html and "5px dashed #660066" in html and "4px dotted #1133CC" in html


# ---------------------------------------------------------------------------------------------- documents
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_html_export_says_its_language_and_lets_people_zoom(lang: str) -> None:
    document = maps.standalone_html(maps.base_map(tiles=False, lang=lang))  # type: ignore[arg-type]
    assert document.startswith(f'<!DOCTYPE html>\n<html lang="{lang}">')
    assert '<meta name="viewport" content="width=device-width, initial-scale=1.0" />' in document
    assert "user-scalable" not in document and "maximum-scale" not in document
    assert f'document.documentElement.lang = "{lang}";' in document  # the map frame of a page, too


# ---------------------------------------------------------------------------------------------- no map
def test_typed_coordinates_give_the_point_a_tap_gives() -> None:
    tap = clicked_point({"last_clicked": {"lat": 51.91051234, "lng": 4.44451234}})
    assert parse_point("51.91051234, 4.44451234") == tap
    assert parse_point("4.44451234 51.91051234") == tap  # the order does not matter in the Netherlands
    assert parse_point("51,91051234; 4,44451234") == tap  # Dutch decimal commas
    assert parse_point("N 51.91051234 E 4.44451234") == tap
    assert parse_point("51.91051234,4.44451234") == tap


def test_rd_coordinates_are_read_in_metres() -> None:
    lon, lat = from_rd().transform(90100.0, 436300.0)
    expected = (round(lon, 6), round(lat, 6))
    assert parse_point("90100 436300") == expected
    assert parse_point("x=90100, y=436300") == expected
    assert parse_point("436300 90100") == expected
    assert parse_point("RD 90100,436300") == expected


@pytest.mark.parametrize("text", ["", "Schiedamseweg 12", "51,91,4,44", "1 2 3", "51.91"])
def test_unreadable_coordinates_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_point(text)
    assert caught.value.key == "point.unreadable"
    assert "51.9105, 4.4445" in caught.value.message("nl") and "90100 436300" in caught.value.message("en")


def test_a_place_outside_the_netherlands_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_point("40.7128, -74.0060")
    assert caught.value.key == "point.outside_netherlands"


def _rd_streets(lines: list[tuple[str | None, Any]]) -> gpd.GeoDataFrame:
    """Streets drawn in RD New metres (easy to reason about), handed over in WGS84 like the store's."""
    frame = gpd.GeoDataFrame({"name": [n for n, _ in lines]}, geometry=[g for _, g in lines], crs="EPSG:28992")
    return frame.to_crs(WGS84)


def _rd(point: tuple[float, float]) -> Point:
    from abcd.places import to_rd

    return Point(to_rd().transform(*point))


def test_a_street_gets_its_point_halfway_along_its_segments() -> None:
    streets = _rd_streets(
        [
            ("Lange Straat", LineString([(90000, 436000), (90100, 436000)])),
            ("Lange Straat", LineString([(90100, 436000), (90300, 436000)])),  # one street, two segments
            ("Korte Straat", LineString([(90000, 436100), (90000, 436200)])),
            (None, LineString([(90000, 436300), (90100, 436300)])),
        ]
    )
    assert street_names(streets) == ["Korte Straat", "Lange Straat"]
    middle = _rd(street_point(streets, "Lange Straat"))
    assert middle.distance(Point(90150, 436000)) < 0.2  # 0.1 m is the six decimals of a tap
    lon, lat = street_point(streets, " Korte Straat ")
    assert (lon, lat) == (round(lon, 6), round(lat, 6))


def test_a_street_point_lies_inside_the_wijk_and_on_the_street() -> None:
    streets = _rd_streets([("Grensweg", LineString([(90000, 436000), (91000, 436000)]))])
    wijk = gpd.GeoSeries([box(90000, 435900, 90400, 436100)], crs="EPSG:28992").to_crs(WGS84).iloc[0]
    middle = _rd(street_point(streets, "Grensweg", boundary=wijk))
    assert middle.distance(Point(90200, 436000)) < 0.2  # halfway along the part inside the wijk


def test_a_street_in_pieces_gets_a_point_on_the_street() -> None:
    pieces = MultiLineString([[(90000, 436000), (90100, 436000)], [(90000, 436200), (90100, 436200)]])
    streets = _rd_streets([("Plein", pieces)])
    middle = _rd(street_point(streets, "Plein"))
    assert pieces.distance(middle) < 0.2


def test_an_unknown_street_is_refused() -> None:
    streets = _rd_streets([("Lange Straat", LineString([(90000, 436000), (90100, 436000)]))])
    with pytest.raises(ValidationError) as caught:
        street_point(streets, "Korte Straat")
    assert caught.value.key == "point.unknown_street" and "Korte Straat" in caught.value.message("nl")


def test_every_street_of_botu_gets_a_point_inside_botu(botu_store: Any, botu: Any) -> None:
    from abcd.wijken import contains

    streets = botu_store.streets(BOTU)
    names = street_names(streets)
    assert len(names) > 30
    for name in names:
        lon, lat = street_point(streets, name, boundary=botu.boundary)
        assert contains(botu, lon, lat), name


def _toevoegen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The Toevoegen page through ``app.py`` (AppTest), as a builder, on a fresh database with BoTu."""
    from streamlit.testing.v1 import AppTest

    from abcd.cli import main as cli_main
    from abcd.permissions import Role, User

    monkeypatch.setenv("ABCD_DATABASE_URL", f"sqlite:///{tmp_path}/a11y.db")
    monkeypatch.delenv("ABCD_LANG", raising=False)
    assert cli_main(["init"]) == 0
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = User("ans", Role.BUILDER)
    at.run()
    at.switch_page("app_pages/toevoegen.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_zonder_kaart_puts_the_point_where_a_tap_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from abcd.store import Store

    at = _toevoegen(tmp_path, monkeypatch)
    assert "add_point" not in at.session_state
    at.text_input(key="add_nomap_text").set_value("51.9105, 4.4445")
    at.button(key="FormSubmitter:add_nomap_text_form-Plek op deze coördinaten").click().run()
    assert not at.exception, at.exception
    assert at.session_state["add_point"] == (4.4445, 51.9105)
    assert at.button_group(key="add_category") is not None  # the same form as after a tap

    store = Store.open(f"sqlite:///{tmp_path}/a11y.db")
    try:
        streets, boundary = store.streets(BOTU), store.get_wijk(BOTU).boundary
    finally:
        store.close()
    at.selectbox(key="add_nomap_street").set_value("Galvanistraat")
    at.button(key="FormSubmitter:add_nomap_street_form-Plek op deze straat").click().run()
    assert at.session_state["add_point"] == street_point(streets, "Galvanistraat", boundary=boundary)


def test_zonder_kaart_says_what_it_cannot_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _toevoegen(tmp_path, monkeypatch)
    at.text_input(key="add_nomap_text").set_value("Schiedamseweg 12")
    at.button(key="FormSubmitter:add_nomap_text_form-Plek op deze coördinaten").click().run()
    assert "add_point" not in at.session_state
    assert any("geen plek die abcd kan lezen" in e.value for e in at.error)
    at.button(key="FormSubmitter:add_nomap_street_form-Plek op deze straat").click().run()
    assert any("Kies eerst een straat" in e.value for e in at.error)


# ---------------------------------------------------------------------------------------------- browser
AXE_JS = Path(__import__("axe_playwright_python").__file__).with_name("axe.min.js")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Each frame on its own (iframes: false), so a violation is reported once, for the frame it is in.
_AXE_RUN = (
    "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
    " resultTypes: ['violations'], iframes: false})"
)
_OPEN_EXPANDERS = """() => {
    for (const summary of document.querySelectorAll('[data-testid="stExpander"] details:not([open]) > summary')) {
        summary.click();
    }
}"""
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
COORDINATOR = "coordinator-a11y"
PASSWORD = f"pw-{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from tests.browser_support import prepare_database, serving

    base: Path = tmp_path_factory.mktemp("a11y")
    db_url = f"sqlite:///{base / 'abcd.db'}"
    prepare_database(db_url, accounts=[(COORDINATOR, PASSWORD, "coordinator")])
    with serving(db_url, base) as app:
        yield app


@pytest.fixture
def open_page(chromium: Any, server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Open a page at a screen size (a phone's is a touch screen); a failed test gets its screenshot and log."""
    from tests.browser_support import page_in

    opened = []

    def open_(size: dict[str, int], *, init_script: str | None = None) -> Any:
        phone = size["width"] < 500  # a phone's layout; one device pixel per CSS pixel is enough for axe
        context = chromium.new_context(viewport=size, is_mobile=phone, has_touch=phone, locale="nl-NL")
        if init_script:
            context.add_init_script(init_script)
        pages = page_in(context, server, request, timeout_ms=30_000, expect_ms=20_000)
        opened.append(pages)
        return next(pages)

    yield open_
    for pages in opened:
        next(pages, None)  # the failure's screenshot and log, then the context closes


def _scan(page: Any, where: str, lang: str) -> list[str]:
    """axe-core in the page and in every frame, and the language of the page and its map frames."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    page.evaluate(_OPEN_EXPANDERS)
    settle(page)
    found = []
    for frame in page.frames:
        if frame.is_detached() or frame.url in ("about:blank", ""):
            continue
        name = "page" if frame == page.main_frame else f"frame {frame.url.split('?')[0]}"
        frame.add_script_tag(path=str(AXE_JS))
        result = frame.evaluate(_AXE_RUN, WCAG_TAGS)
        for violation in result["violations"]:
            found.append(f"{where}, {name}: {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:5]:
                summary = " ".join(node["failureSummary"].split())
                found.append(f"    {' > '.join(map(str, node['target']))}: {summary[:300]}")
        if frame == page.main_frame or "streamlit_folium" in frame.url:
            try:  # the page's script says it as soon as it is drawn: well within a second
                frame.wait_for_function("lang => document.documentElement.lang === lang", arg=lang, timeout=3_000)
            except PlaywrightTimeoutError:
                said = frame.evaluate("document.documentElement.lang")
                found.append(f"{where}, {name}: <html lang={said!r}>, the page speaks {lang!r}")
    return found


def _log_in(page: Any, url: str, *, phone: bool) -> None:
    from tests.browser_support import log_in_on_page

    page.goto(f"{url}/over")
    log_in_on_page(page, COORDINATOR, PASSWORD, touch=phone, check_sidebar=not phone)


@pytest.mark.browser
@pytest.mark.parametrize(
    ("role", "lang", "size"),
    [
        ("coordinator", "nl", PHONE),
        ("coordinator", "en", PHONE),
        ("coordinator", "nl", LAPTOP),
        ("coordinator", "en", LAPTOP),
        ("public", "nl", PHONE),
        ("public", "en", LAPTOP),
    ],
    ids=["coordinator-nl-phone", "coordinator-en-phone", "coordinator-nl-laptop", "coordinator-en-laptop",
         "public-nl-phone", "public-en-laptop"],
)  # fmt: skip
def test_axe_finds_no_wcag_violation_on_any_page(
    open_page: Any, server: Any, role: str, lang: str, size: dict[str, int]
) -> None:
    page = open_page(size)
    if role == "coordinator":
        _log_in(page, server.url, phone=size["width"] < 500)
        pages = APP_PAGES
    else:
        pages = [p for p in APP_PAGES if p not in ("beheer", "wandelingen")]  # not in the public's navigation
    found = []
    for stem in pages:
        address = _address(stem)
        page.goto(f"{server.url}{address}?lang={lang}")
        found += _scan(page, f"{address} ({role}, {lang}, {size['width']}x{size['height']})", lang)
        assert urlsplit(page.url).path == address, page.url  # the page itself, not a "not found"
    assert not found, "axe-core and the language check found:\n" + "\n".join(found)


@pytest.mark.browser
def test_the_coordinator_reaches_every_page_file(open_page: Any, server: Any) -> None:
    """The scan's page list is the app_pages folder: the coordinator's navigation must hold exactly those pages."""
    page = open_page(LAPTOP)
    _log_in(page, server.url, phone=False)
    hrefs = page.get_by_test_id("stSidebarNav").locator("a").evaluate_all("links => links.map(a => a.href)")
    assert {urlsplit(href).path for href in hrefs} == {_address(stem) for stem in APP_PAGES}


# Every pointer press in any frame of the tab, counted across reloads: the keyboard test must make none. And
# when the page last scrolled: a list that opens while the page still scrolls (an expander opening, a field
# scrolled into view) is closed again by the scrolling, so the test types once the page is still, as a person does.
_WATCH_KEYBOARD_USER = """window.addEventListener("pointerdown", () => {
    sessionStorage.setItem("abcdPointer", String(Number(sessionStorage.getItem("abcdPointer") || 0) + 1));
}, true);
window.addEventListener("scroll", () => { window.__abcdScrolled = performance.now(); }, true);"""
_STILL = "() => performance.now() - (window.__abcdScrolled || 0) > 300"
_MARKED_IS = """name => {
    const input = document.querySelector('.st-key-add_nomap_street input[role="combobox"]');
    const marked = input && document.getElementById(input.getAttribute("aria-activedescendant") || "");
    return Boolean(marked) && marked.textContent.trim() === name;
}"""  # the option the street's list marks (what a screen reader reads out) is the street ``name``
NOMAP_STREET = "Galvanistraat"  # in BoTu, 475 m from the nearest example asset


@pytest.mark.browser
def test_an_asset_is_added_with_the_keyboard_alone(open_page: Any, server: Any) -> None:
    """Log in, choose a street "zonder kaart", pick a category, name it and save: Tab, Enter and typing only."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import expect

    from abcd.store import Store
    from tests.browser_support import tab_to

    name = f"Toetsenbordclub {uuid.uuid4().hex[:6]}"
    store = Store.open(server.db_url)
    try:
        lon, lat = street_point(store.streets(BOTU), NOMAP_STREET, boundary=store.get_wijk(BOTU).boundary)
    finally:
        store.close()
    page = open_page(LAPTOP, init_script=_WATCH_KEYBOARD_USER)
    keys = page.keyboard
    page.goto(f"{server.url}/toevoegen")
    settle(page)
    tab_to(page, text="Inloggen", selector='[data-testid="stSidebar"] summary')
    keys.press("Enter")
    tab_to(page, text="gebruikersnaam")
    keys.type(COORDINATOR)
    tab_to(page, text="wachtwoord")
    keys.type(PASSWORD)
    keys.press("Enter")  # submits the login form
    expect(page.get_by_test_id("stSidebar").get_by_text("Ingelogd als")).to_be_visible()
    settle(page)

    tab_to(page, text="Zonder kaart", selector='[data-testid="stMain"] summary')
    keys.press("Enter")
    tab_to(page, selector='.st-key-add_nomap_street input[role="combobox"]')
    settle(page)  # the map's first report reruns the page: not while the street is being typed
    page.wait_for_function(_STILL, polling=50)
    keys.type(NOMAP_STREET)
    street = page.locator(".st-key-add_nomap_street")
    option = page.get_by_role("option", name=NOMAP_STREET, exact=True)
    try:
        expect(option).to_be_visible(timeout=3_000)  # the list has caught up
    except AssertionError:  # typing did not open the list (seen on a loaded machine): Down opens it
        keys.press("ArrowDown")
        expect(option).to_be_visible()
    # A keyboard user hears which option is marked and presses Enter once it is the street. The list marks the
    # first match a moment after it shows (Enter before that chooses nothing); a rerun during the typing (the
    # map's first report) can leave none marked, and then the user goes down to it.
    try:
        page.wait_for_function(_MARKED_IS, arg=NOMAP_STREET, polling=50, timeout=2_000)
    except PlaywrightTimeoutError:
        keys.press("ArrowDown")
        page.wait_for_function(_MARKED_IS, arg=NOMAP_STREET, polling=50, timeout=5_000)
    keys.press("Enter")
    expect(street.get_by_role("button", name="Clear value")).to_be_visible()  # chosen, not only typed
    tab_to(page, text="Plek op deze straat")
    settle(page)  # the map's first report may still be running the page
    keys.press("Enter")
    expect(page.get_by_text(f"Plek: {lat:.6f}, {lon:.6f}")).to_be_visible()  # what the form says, as after a tap
    # The keyboard is taken on to the categories, not back to the top of the page.
    page.wait_for_function("() => Boolean(document.activeElement.closest('.st-key-add_category'))")
    settle(page)
    found = _scan(page, "/toevoegen with its form (coordinator, nl, 1366x768)", "nl")
    assert not found, "axe-core and the language check found:\n" + "\n".join(found)

    # One stop for the categories (the focus is on the first): the arrow keys choose within them.
    tab_to(page, text="Vereniging of club", selector=".st-key-add_category", key="ArrowRight", limit=10)
    keys.press("Enter")
    expect(page.locator(".st-key-add_category").get_by_role("radio", name="Vereniging of club")).to_have_attribute(
        "aria-checked", "true"
    )
    tab_to(page, text="naam", selector=".st-key-add_name input")
    keys.type(name)
    tab_to(page, text="Opslaan", selector=".st-key-add_save")
    keys.press("Enter")
    expect(page.get_by_text("Tik eerst op de kaart")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('abcdPointer')") is None, "the mouse was used"

    store = Store.open(server.db_url)
    try:
        saved = [a for a in store.list_assets() if a.name == name]
    finally:
        store.close()
    assert len(saved) == 1
    assert (saved[0].lon, saved[0].lat) == (lon, lat)
    assert saved[0].category == "association"
