"""The app in a real browser: what only Chromium shows (the map draws, a tap adds an asset, a phone works).

One Streamlit server (a fresh database from ``abcd init`` plus a builder
account) and one Chromium serve the session; each test opens its own browser
context. The Kaart page is the app's root URL: it is the default page, and
Streamlit serves a default page at ``/`` only (``/kaart`` answers with a
"Page not found" dialog). Deselect these tests with ``-m "not browser"``.
"""

from __future__ import annotations

import gzip
import re
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, Response, expect

from abcd.maps.vendor import LEAFLET_JS_URL
from abcd.wijken import Wijk
from tests.browser_support import (
    DIRECT,
    FIT_VIEW,
    LEAFLET_JS,
    MAP_IFRAME,
    AppServer,
    add_asset_on_page,
    expect_asset_on_map,
    log_in_on_page,
    page_in,
    prepare_database,
    serving,
    settle,
    wait_for_assets_on_map,
)
from tests.hostile_files import nested_area_geojson

pytestmark = pytest.mark.browser

# Points inside BoTu, 150-250 m from every example asset and from the
# boundary, so a tap lands on bare map at any zoom the map fits to (checked
# against the shipped boundary and abcd.examples by hand; tap_map_at also
# checks that nothing covers them). One per test: each test adds an asset.
DESKTOP_POINT = (4.4444, 51.9075)  # (lon, lat): south-east, near the Schiedamseweg
PHONE_POINT = (4.4380, 51.9120)  # north-west
EXAMPLES = 10
TILE_HOSTS = ("service.pdok.nl",)  # only the background tiles (PDOK's BRT-Achtergrondkaart) may come from the internet
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
BUILDER = "buurtwerker-test"  # role builder: may add assets
BUILDER_PASSWORD = f"pw-{uuid.uuid4().hex}"


def unique_name(prefix: str) -> str:
    # An ampersand, because names are HTML-escaped on their way into the map.
    return f"{prefix} & Co {uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    base: Path = tmp_path_factory.mktemp("browser")
    db_url = f"sqlite:///{base / 'abcd.db'}"
    prepare_database(db_url, accounts=[(BUILDER, BUILDER_PASSWORD, "builder")])
    with serving(db_url, base) as server:
        yield server


@pytest.fixture
def desktop_page(chromium: Browser, app_server: AppServer, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    yield from page_in(context, app_server, request)


@pytest.fixture
def phone_page(chromium: Browser, app_server: AppServer, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = chromium.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,  # layout is the same at 3; half the pixels to paint
        is_mobile=True,
        has_touch=True,
        locale="nl-NL",
    )
    yield from page_in(context, app_server, request)


def test_kaart_draws_the_map_with_leaflet_from_the_app(app_server: AppServer, desktop_page: Page) -> None:
    page = desktop_page
    requests: list[Request] = []
    finished: dict[str, int] = {}

    def on_finished(request: Request) -> None:
        response = request.response()
        finished[request.url] = response.status if response else 0

    page.on("request", lambda request: requests.append(request))
    page.on("requestfinished", on_finished)

    page.goto(f"{app_server.url}/")
    frame = wait_for_assets_on_map(page)
    expect(frame.locator(".leaflet-marker-pane .abcd-pin.abcd-pin-example")).to_have_count(EXAMPLES)
    # Offline, a map that loads Leaflet from a CDN leaves the iframe 0 px high.
    box = page.locator(MAP_IFRAME).bounding_box()
    assert box is not None and box["height"] >= 300, box
    expect(frame.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    # The map is the front page itself: the address stays "/", and the browser finds the server at once
    # (at a page's own address it asks for /<page>/_stcore/health first, and waits after the refusal).
    assert urlsplit(page.url).path == "/", page.url
    assert not [r.url for r in requests if "_stcore/health" in r.url and not urlsplit(r.url).path.startswith("/_")]

    leaflet = f"{app_server.url}{LEAFLET_JS}"
    assert finished.get(leaflet) == 200, f"{leaflet} not loaded: {finished.get(leaflet)!r}"
    foreign = sorted(
        {
            r.url
            for r in requests
            if urlsplit(r.url).scheme in ("http", "https", "ws", "wss")
            and urlsplit(r.url).hostname not in LOCAL_HOSTS
            and not (urlsplit(r.url).hostname or "").endswith(TILE_HOSTS)
        }
    )
    assert not foreign, f"the page loaded files from the internet: {foreign}"


def test_the_apps_messages_go_compressed_to_a_browser_that_offers_it(app_server: AppServer) -> None:
    """The map's messages are most of what a phone downloads after Streamlit itself: permessage-deflate shrinks
    them three- to fourfold (server.enableWebsocketCompression)."""
    from websockets.sync.client import connect

    stream = app_server.url.replace("http://", "ws://") + "/_stcore/stream"
    with connect(stream, compression="deflate") as offered:
        assert "permessage-deflate" in (offered.response.headers.get("Sec-WebSocket-Extensions") or "")
    with connect(stream, compression=None) as plain:  # and a client that cannot inflate still gets its messages
        assert plain.response.headers.get("Sec-WebSocket-Extensions") is None


def test_streamlits_own_scripts_go_gzipped_from_the_app_itself(app_server: AppServer) -> None:
    """`make run` has no proxy in front: the app (server.py, abcd.static_gzip) gzips Streamlit's scripts."""
    with DIRECT.open(f"{app_server.url}/") as response:
        page = response.read().decode()
    scripts = re.findall(r'src="\.?/?(static/js/index\.[\w-]+\.js)"', page)
    assert scripts, page[:500]
    url = f"{app_server.url}/{scripts[0]}"
    with DIRECT.open(url) as response:
        plain = response.read()
        assert response.headers.get("Content-Encoding") is None
    with DIRECT.open(urllib.request.Request(url, headers={"Accept-Encoding": "gzip, deflate, br"})) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.read()) == plain
    assert len(plain) > 100_000


def test_the_map_frame_has_leaflet_fetched_with_its_page_and_only_once(
    app_server: AppServer, desktop_page: Page
) -> None:
    """The frame's page names Leaflet in its Link header (server.py, abcd.preload): the browser fetches it
    while the frame's own script loads, and uses that copy."""
    page = desktop_page
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(f"{app_server.url}/")
    wait_for_assets_on_map(page)
    frame_pages = [r for r in responses if urlsplit(r.url).path == "/component/streamlit_folium.st_folium/index.html"]
    assert frame_pages
    assert all(f"<{LEAFLET_JS_URL}>; rel=preload; as=script" in (r.headers.get("link") or "") for r in frame_pages)
    assert [urlsplit(r.url).path for r in responses].count(LEAFLET_JS) == 1  # the header's URL, resolved


@pytest.fixture(scope="module")
def server_under_a_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    base: Path = tmp_path_factory.mktemp("under-a-path")
    db_url = f"sqlite:///{base / 'abcd.db'}"
    prepare_database(db_url)
    with serving(db_url, base, base_path="abcd") as server:
        yield server


@pytest.fixture
def page_under_a_path(
    chromium: Browser, server_under_a_path: AppServer, request: pytest.FixtureRequest
) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    yield from page_in(context, server_under_a_path, request)


def test_the_map_draws_under_a_base_path(server_under_a_path: AppServer, page_under_a_path: Page) -> None:
    """Behind a gemeente's proxy the app may live under a path (server.baseUrlPath): the map's frame finds
    Leaflet there too."""
    page = page_under_a_path
    loaded: list[str] = []
    failed: list[str] = []
    page.on("requestfinished", lambda r: loaded.append(urlsplit(r.url).path))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{server_under_a_path.url}/")
    frame = wait_for_assets_on_map(page)
    expect(frame.locator(".leaflet-marker-pane .abcd-pin.abcd-pin-example")).to_have_count(EXAMPLES)
    assert f"/abcd{LEAFLET_JS}" in loaded, loaded
    assert not failed, failed


def test_the_map_still_shows_the_whole_wijk_when_the_sidebar_has_come(
    app_server: AppServer, desktop_page: Page, botu: Wijk
) -> None:
    """The first run draws the map alone, full width; the sidebar that comes next narrows it, and the map fits
    the wijk again rather than cutting off its sides."""
    page = desktop_page
    page.goto(f"{app_server.url}/")
    wait_for_assets_on_map(page)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    settle(page)
    element = page.locator(MAP_IFRAME).element_handle()
    frame = element.content_frame() if element else None
    assert frame is not None
    minx, miny, maxx, maxy = botu.boundary.bounds
    frame.wait_for_function(
        f"(b) => {{ const [zoom, fitted, whole] = ({FIT_VIEW})(b); return whole && zoom === fitted; }}",
        arg=[[miny, minx], [maxy, maxx]],
    )


def test_the_maps_earlier_address_still_opens_the_map(app_server: AppServer, desktop_page: Page) -> None:
    """Links made when the map lived at /kaart (shared, printed, bookmarked) open it, without "page not found"."""
    page = desktop_page
    page.goto(f"{app_server.url}/kaart?lang=en")
    wait_for_assets_on_map(page)
    expect(page.get_by_role("heading", name="Map of Bospolder-Tussendijken")).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    assert urlsplit(page.url).path == "/kaart", page.url


def test_add_on_desktop_then_restart_keeps_it(app_server: AppServer, desktop_page: Page) -> None:
    page = desktop_page
    name = unique_name("Buurtmoestuin")
    lon, lat = DESKTOP_POINT
    page.goto(f"{app_server.url}/toevoegen")
    expect(page.get_by_test_id("stMain").get_by_text("inloggen")).to_be_visible()  # the public may only look
    log_in_on_page(page, BUILDER, BUILDER_PASSWORD)
    add_asset_on_page(page, lon=lon, lat=lat, category="Bewonersinitiatief", name=name)
    expect_asset_on_map(page, app_server.url, name)

    app_server.restart()  # a new process: nothing cached, read back from the database file
    expect_asset_on_map(page, app_server.url, name)
    # The login survives too: the session cookie is checked against the database.
    expect(page.get_by_test_id("stSidebar").get_by_text("Ingelogd als")).to_be_visible()


def test_add_on_a_phone(app_server: AppServer, phone_page: Page) -> None:
    page = phone_page
    name = unique_name("Naaiclub")
    lon, lat = PHONE_POINT
    page.goto(f"{app_server.url}/over")  # a page without a map: nothing else reruns the script
    expect(page.get_by_test_id("stMain").get_by_role("heading", level=2).first).to_be_visible()
    log_in_on_page(page, BUILDER, BUILDER_PASSWORD, touch=True, check_sidebar=True)
    # As a phone does after a while: a new page load, the cookie brings the login back.
    page.goto(f"{app_server.url}/toevoegen")
    add_asset_on_page(page, lon=lon, lat=lat, category="Vereniging of club", name=name, touch=True)
    # Nothing sticks out sideways on a 390 px screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"


def test_a_nested_geometry_upload_is_refused_and_the_server_answers_afterwards(
    app_server: AppServer, desktop_page: Page, tmp_path: Path
) -> None:
    """The security review's upload (an area_wkt nested 100,000 deep) ended the server for everyone."""
    page = desktop_page
    path = nested_area_geojson(tmp_path / "diep.geojson")
    page.goto(f"{app_server.url}/lijst")
    log_in_on_page(page, BUILDER, BUILDER_PASSWORD, check_sidebar=True)
    main = page.get_by_test_id("stMain")
    main.get_by_test_id("stExpander").filter(has_text="Importeren").locator("summary").click()
    main.locator('input[type="file"]').set_input_files(path)
    # The import box reads the file to map and preview it: the refusal comes then, and nothing can be imported.
    error = main.get_by_test_id("stAlertContentError")
    expect(error).to_contain_text("Rij 1: 'gebied of route' is te diep genest (meer dan 16 niveaus")
    expect(main.get_by_role("button", name="Importeren", exact=True)).to_be_disabled()
    assert app_server.healthy()  # the same process, still answering
    page.goto(f"{app_server.url}/")  # and serving the app: the map draws, nothing was added
    wait_for_assets_on_map(page)


def test_the_html_export_draws_its_map_with_the_network_off(
    chromium: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`abcd export map.html` is one file that a cooperative can mail: it must work offline."""
    from abcd.cli import main as cli_main

    monkeypatch.setenv("ABCD_DATABASE_URL", f"sqlite:///{tmp_path / 'export.db'}")
    assert cli_main(["init"]) == 0
    export = tmp_path / "botu.html"
    assert cli_main(["export", str(export), "--wijk", "bospolder-tussendijken"]) == 0

    context = chromium.new_context(offline=True)  # no network at all, not even tiles
    try:
        page = context.new_page()
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(export.as_uri())
        page.wait_for_function("() => document.querySelectorAll('.abcd-pin').length === 10", timeout=15_000)
        assert page.evaluate("() => typeof L !== 'undefined' && L.version") == "1.9.4"
        assert page.locator(".leaflet-control-attribution").inner_text().count("OpenStreetMap") >= 1
        assert page.locator(".abcd-legend").is_visible()
        assert [
            url for url in requested if not url.startswith(("file:", "data:")) and "service.pdok.nl" not in url
        ] == []
    finally:
        context.close()


def test_addresses_in_user_text_are_not_links_for_the_public(app_server: AppServer, desktop_page: Page) -> None:
    """Streamlit's markdown turns bare web and e-mail addresses into links; user text must stay text."""
    from abcd.store import Store
    from tests.helpers import make_draft

    page = desktop_page
    store = Store.open(app_server.db_url)
    name = unique_name("Linkclub")
    text = "Zie https://evil.example/inloggen of www.evil.example en mail naar ans@evil.example"
    store.add(make_draft(name=name, category="initiative", resident_led=True, description=text), by="test")
    store.close()
    page.goto(f"{app_server.url}/presentatie")  # public: no login; the newest initiative is highlighted
    description = page.get_by_test_id("stMarkdownContainer").filter(has_text="mail naar ans")
    expect(description).to_have_count(1)
    links = [a.get_attribute("href") for a in page.get_by_test_id("stMain").locator("a[href*='evil']").all()]
    assert links == [], links  # before: https://evil%5C.example/inloggen, http://www.evil.example, mailto:...
    assert description.inner_text().replace("\u2060", "") == text  # it reads as typed (no stray backslash)


def test_logging_out_clears_the_cookie_and_the_old_token_no_longer_logs_in(
    chromium: Browser, app_server: AppServer, desktop_page: Page
) -> None:
    page = desktop_page
    page.goto(f"{app_server.url}/over")  # no map: nothing else reruns the script
    log_in_on_page(page, BUILDER, BUILDER_PASSWORD, check_sidebar=True)
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "abcd_session")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("button", name="Uitloggen").click()
    expect(sidebar.get_by_text("Ingelogd als")).to_have_count(0)
    # The browser forgets the cookie (max-age 0, same name and path) ...
    page.wait_for_function("!document.cookie.split('; ').some(c => c.startsWith('abcd_session='))")
    assert [c for c in page.context.cookies() if c["name"] == "abcd_session"] == []
    page.reload()
    expect(page.get_by_test_id("stMain").get_by_role("heading", level=2).first).to_be_visible()
    expect(sidebar.get_by_text("Ingelogd als")).to_have_count(0)
    # ... and a copy of the old token (kept by someone else) no longer logs in.
    other = chromium.new_context()
    try:
        host = urlsplit(app_server.url).hostname or "127.0.0.1"
        other.add_cookies([{"name": "abcd_session", "value": token, "domain": host, "path": "/"}])
        copy = other.new_page()
        copy.goto(f"{app_server.url}/over")
        expect(copy.get_by_test_id("stMain").get_by_role("heading", level=2).first).to_be_visible()
        expect(copy.get_by_test_id("stSidebar").get_by_text("Inloggen").first).to_be_visible()
        expect(copy.get_by_test_id("stSidebar").get_by_text("Ingelogd als")).to_have_count(0)
    finally:
        other.close()
