"""The walk, in Chromium on a 390x844 touch screen: ten assets in a row, GPS, a photo, duplicates, consent, a move.

What a community builder does on a walk through BoTu, measured: the taps and
seconds per asset are printed (``-s`` shows them), and every save is checked
in the database, not only on the screen.
"""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from abcd.model import Category
from abcd.photos.register import get_photo, photos_of
from abcd.store import Store
from tests.browser_support import (
    MAP_IFRAME,
    AppServer,
    log_in_on_page,
    page_in,
    prepare_database,
    serving,
    tap_map_at,
    wait_for_assets_on_map,
)
from tests.helpers import make_draft

pytestmark = pytest.mark.browser

BUILDER = "loper"
PASSWORD = f"pw-{uuid.uuid4().hex}"
START = (4.4445, 51.9105)  # (lon, lat): a row of spots westwards through BoTu, all inside it
STEP = 0.0009  # about 60 m: further apart than the duplicate radius
GPS = (4.4412, 51.9093)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    base: Path = tmp_path_factory.mktemp("walk")
    db_url = f"sqlite:///{base / 'abcd.db'}"
    prepare_database(db_url, accounts=[(BUILDER, PASSWORD, "builder")])
    store = Store.open(db_url)
    try:  # something nobody confirmed for two years, for "nog actief"
        store.add(make_draft(name="Oude buurtkeuken", lon=4.4390, lat=51.9080, last_confirmed="2024-10-01"), by="x")
    finally:
        store.close()
    with serving(db_url, base) as app:
        yield app


@pytest.fixture
def phone(chromium: Browser, server: AppServer, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = chromium.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="nl-NL",
        geolocation={"longitude": GPS[0], "latitude": GPS[1], "accuracy": 8},
        permissions=["geolocation"],
    )
    yield from page_in(context, server, request, timeout_ms=30_000, expect_ms=20_000)


def _store(server: AppServer) -> Store:
    return Store.open(server.db_url)


def _jpeg_with_gps() -> bytes:
    """A phone photo as phones write them: EXIF with a GPS position (a resident's front door, say)."""
    image = Image.new("RGB", (1200, 900), (40, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "Telefoonmerk"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (51.0, 54.0, 33.5), "E", (4.0, 26.0, 29.1)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert b"Exif" in data and Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the fixture is what it says
    return data


def _tap_a_clear_spot(page: Page, *, around: tuple[float, float]) -> tuple[float, float]:
    """Tap the first spot near ``around`` with no pin within a fingertip (tap_map_at checks before it taps)."""
    for step in range(1, 12):
        for dlon, dlat in ((1, 0), (0, 1), (-1, 0), (0, -1), (1, 1), (-1, -1)):
            spot = (around[0] + dlon * step * 0.0004, around[1] + dlat * step * 0.0003)
            try:
                tap_map_at(page, *spot, touch=True)
            except AssertionError:
                continue
            return spot
    raise AssertionError(f"no clear spot near {around}")


def _map_top(page: Page) -> float:
    box = page.locator(MAP_IFRAME).first.bounding_box()
    assert box is not None
    return float(box["y"])


def test_ten_assets_in_a_row_with_taps_gps_and_a_photo(server: AppServer, phone: Page, tmp_path: Path) -> None:
    page = phone
    page.goto(f"{server.url}/toevoegen")
    log_in_on_page(page, BUILDER, PASSWORD, touch=True)
    page.goto(f"{server.url}/toevoegen")
    frame = wait_for_assets_on_map(page)
    main = page.get_by_test_id("stMain")
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(_jpeg_with_gps())
    names, seconds, taps = [], [], []
    for i in range(10):
        name = f"Plek {i + 1} {uuid.uuid4().hex[:4]}"
        started, count = time.monotonic(), 0
        top = _map_top(page)
        if i == 9:  # "mijn locatie": the phone's position becomes the point (and the map zooms in there)
            frame.locator(".abcd-locate a").tap()
        else:
            tap_map_at(page, START[0] - i * STEP, START[1], touch=True)
        count += 1
        expect(frame.locator(".leaflet-marker-pane .abcd-new")).to_be_visible()
        assert abs(_map_top(page) - top) < 2, "the page jumped after the tap"
        pill = page.locator(".st-key-add_category").get_by_role("radio", name="Vereniging of club")
        pill.tap()
        count += 1
        expect(pill).to_have_attribute("aria-checked", "true")
        field = main.get_by_role("textbox", name="naam", exact=True)
        field.tap()
        field.fill(name)
        count += 1
        if i == 4:
            main.locator('input[type="file"]').set_input_files(photo)
            expect(main.get_by_text("IMG_0001.jpg")).to_be_visible()
            count += 2  # "browse", pick the photo
        save = main.get_by_role("button", name="Opslaan")
        box = save.bounding_box()
        assert box is not None and box["height"] >= 44, f"the save button is {box} (thumbs need 44 px)"
        save.tap()
        count += 1
        expect(page.get_by_text("Tik eerst op de kaart")).to_be_visible()
        expect(frame.locator(".abcd-pin .abcd-sr", has_text=name)).to_have_count(1)
        # A save brings the page back to the map (ui.scroll_to_top); the next tap waits for that, as a thumb would.
        page.wait_for_function("() => document.querySelector('[data-testid=stMain]').scrollTop === 0")
        seconds.append(time.monotonic() - started)
        taps.append(count)
        names.append(name)
    print(f"\nper asset: taps {taps}, seconds {[round(s, 1) for s in seconds]}")
    print(f"median {sorted(seconds)[5]:.1f} s, {sum(taps) / len(taps):.1f} taps")

    store = _store(server)
    try:
        stored = {a.name: a for a in store.list_assets() if a.name in names}
        assert sorted(stored) == sorted(names)  # ten in a row, none lost, none twice
        located = stored[names[9]]
        assert (located.lon, located.lat) == pytest.approx(GPS, abs=1e-5)  # the GPS position
        (info,) = photos_of(store, [stored[names[4]].id])[stored[names[4]].id]
        data = get_photo(store, info.id)
        assert b"Exif" not in data and not Image.open(io.BytesIO(data)).getexif()  # no EXIF, no GPS stored
    finally:
        store.close()


def test_a_duplicate_is_asked_and_consent_is_ticked(server: AppServer, phone: Page) -> None:
    page = phone
    page.goto(f"{server.url}/toevoegen")
    log_in_on_page(page, BUILDER, PASSWORD, touch=True)
    page.goto(f"{server.url}/toevoegen")
    wait_for_assets_on_map(page)
    main = page.get_by_test_id("stMain")
    store = _store(server)
    try:
        example = next(a for a in store.list_assets() if a.is_example and a.category is Category.INITIATIVE)
        before = store.count_assets()
    finally:
        store.close()
    tap_map_at(page, example.lon + 0.0009, example.lat - 0.0004, touch=True)
    # A resident: the consent box starts unticked, and saving without the tick says so next to it.
    person = main.locator(".st-key-add_category").get_by_role("radio", name=Category.PERSON.label("nl"))
    person.tap()
    expect(person).to_have_attribute("aria-checked", "true")
    main.get_by_role("textbox", name="naam", exact=True).fill("Fatima")
    consent = main.get_by_role("checkbox", name="De bewoner heeft hiervoor toestemming gegeven")
    expect(consent).not_to_be_checked()
    main.get_by_role("button", name="Opslaan").tap()
    expect(main.get_by_text("Vink aan dat de bewoner toestemming heeft gegeven")).to_be_visible()
    expect(main.get_by_role("textbox", name="naam", exact=True)).to_have_value("Fatima")
    main.get_by_text("De bewoner heeft hiervoor toestemming gegeven").tap()
    main.get_by_role("button", name="Opslaan").tap()
    expect(page.get_by_text("Tik eerst op de kaart")).to_be_visible()

    # The same initiative again, 20 m from the stored one: the page asks before anything is stored.
    tap_map_at(page, example.lon + 0.0003, example.lat, touch=True)
    main.locator(".st-key-add_category").get_by_role("radio", name="Bewonersinitiatief").tap()
    main.get_by_role("textbox", name="naam", exact=True).fill(example.name)
    main.get_by_role("button", name="Opslaan").tap()
    expect(main.get_by_text("Bestaat dit al?")).to_be_visible()
    expect(main.get_by_text(example.name).first).to_be_visible()
    main.get_by_role("button", name="Annuleren").tap()
    expect(main.get_by_text("Bestaat dit al?")).to_have_count(0)
    expect(main.get_by_role("textbox", name="naam", exact=True)).to_have_value(example.name)  # nothing typed lost
    club = main.locator(".st-key-add_category").get_by_role("radio", name="Vereniging of club")
    club.tap()  # the very next tap counts (it was lost while the categories sat at the screen's edge)
    expect(club).to_have_attribute("aria-checked", "true")
    expect(main.get_by_role("textbox", name="naam", exact=True)).to_have_value(example.name)

    store = _store(server)
    try:
        assert store.count_assets() == before + 1
        (fatima,) = [a for a in store.list_assets(category=Category.PERSON) if a.name == "Fatima"]
        consent_row = store.consent(fatima.id)
        assert consent_row is not None and consent_row.recorded_by == BUILDER
    finally:
        store.close()


def test_a_pin_moves_with_two_taps_and_an_old_one_is_confirmed(server: AppServer, phone: Page) -> None:
    page = phone
    page.goto(f"{server.url}/kaart?wijk=bospolder-tussendijken")  # a deep link opens the page itself
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Bospolder")
    log_in_on_page(page, BUILDER, PASSWORD, touch=True)
    frame = wait_for_assets_on_map(page)
    frame.locator(".abcd-pin", has_text="Oude buurtkeuken").evaluate("el => el.click()")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("Nog nakijken.")).to_be_visible()
    main.get_by_role("button", name="Nog actief").tap()
    expect(main.get_by_text("Nog nakijken.")).to_have_count(0)
    main.get_by_role("button", name="Verplaats").tap()
    expect(main.get_by_text("Tik op de kaart op de nieuwe plek van Oude buurtkeuken")).to_be_visible()
    wait_for_assets_on_map(page)  # the map drawn again for the move: a tap before that lands on the old view
    page.wait_for_timeout(1_000)
    moved_to = _tap_a_clear_spot(page, around=(4.4390, 51.9080))
    expect(main.get_by_text("Tik op de kaart op de nieuwe plek")).to_have_count(0)
    assert "wijk=bospolder-tussendijken" in page.url
    store = _store(server)
    try:
        (old,) = [a for a in store.list_assets() if a.name == "Oude buurtkeuken"]
        assert (old.lon, old.lat) == pytest.approx(moved_to, abs=2e-5)
        assert old.last_confirmed is not None and old.last_confirmed.year >= 2026
    finally:
        store.close()
