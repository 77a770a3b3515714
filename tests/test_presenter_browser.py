"""The Presentatie page on a projector, in Chromium: a presenter's clicker steps the story, the address keeps it.

A clicker sends PageDown/PageUp or the arrow keys, which only a real browser
delivers to the page's key listener (abcd.portrait.clicker); the big screen's
larger type is measured as the browser draws it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser_support import AppServer, page_in, prepare_database, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    base: Path = tmp_path_factory.mktemp("presenter")
    db_url = f"sqlite:///{base / 'abcd.db'}"
    prepare_database(db_url)  # BoTu and its ten examples: a story of several steps
    with serving(db_url, base) as app:
        yield app


@pytest.fixture
def beamer(chromium: Browser, server: AppServer, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    yield from page_in(context, server, request, timeout_ms=30_000, expect_ms=20_000)


def _at_step(page: Page, step: int) -> None:
    """The story shows ``step`` and the address carries it."""
    expect(page.get_by_text(re.compile(rf"^Stap {step} van \d+$"))).to_be_visible()
    expect(page).to_have_url(re.compile(rf"[?&]step={step}(&|$)"))


def _click_title(page: Page) -> None:
    page.get_by_role("heading", level=1).get_by_text("Wat Bospolder-Tussendijken heeft").click()


def _caption_px(page: Page) -> float:
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text="sterke kanten van de wijk").first
    return float(caption.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))


_CUT_OFF = """(labels) => labels.filter(label => [...document.querySelectorAll("[data-testid=stMain] *")]
    .filter(el => el.children.length === 0 && el.textContent.trim() === label)
    .some(leaf => { for (let el = leaf, up = 0; el && up < 5; el = el.parentElement, up++) {
                        if (el.scrollWidth > el.clientWidth + 1) { return true; } }
                    return false; }))"""
CONTROLS = ["Vorige", "Volgende", "Groot scherm"]


def test_a_clicker_steps_the_story_and_a_reload_stays_on_the_step(beamer: Page, server: AppServer) -> None:
    page = beamer
    page.goto(f"{server.url}/presentatie?mode=story&step=2")
    _at_step(page, 2)
    normal_px = _caption_px(page)
    assert page.evaluate(_CUT_OFF, CONTROLS) == []  # no label cut off to "Volge…" beside the open sidebar
    _click_title(page)  # the presenter clicked the page once, as one does
    page.keyboard.press("PageDown")
    _at_step(page, 3)
    page.keyboard.press("ArrowRight")
    _at_step(page, 4)
    page.keyboard.press("ArrowLeft")
    _at_step(page, 3)
    page.keyboard.press("PageUp")
    _at_step(page, 2)

    # The big screen: switched on, it is in the address, and the text is larger as drawn.
    page.get_by_test_id("stMain").get_by_text("Groot scherm", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]beamer=1(&|$)"))
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    _click_title(page)  # away from the switch: its own keys are its own
    page.keyboard.press("PageDown")
    _at_step(page, 3)
    page.keyboard.press("PageUp")
    _at_step(page, 2)
    page.wait_for_function(
        "px => [...document.querySelectorAll('[data-testid=stCaptionContainer]')]"
        ".some(el => parseFloat(getComputedStyle(el).fontSize) >= px * 1.5)",
        arg=normal_px,
    )
    assert _caption_px(page) >= normal_px * 1.5
    assert page.evaluate(_CUT_OFF, CONTROLS) == []  # nor in the big screen's larger type

    page.reload()  # a reload, or the laptop that went to sleep: the same step, on the big screen
    _at_step(page, 2)
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    _click_title(page)
    page.keyboard.press("PageDown")
    _at_step(page, 3)

    # Keys typed into a field stay there: the arrows move the cursor, not the story.
    page.get_by_role("spinbutton", name=re.compile(r"^day")).focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    _at_step(page, 3)
    page.keyboard.press("Escape")  # the date picker's calendar closes
    expect(page.get_by_test_id("stDateInputCalendar")).to_have_count(0)
    _click_title(page)
    page.keyboard.press("ArrowRight")  # and out of the field they step again
    _at_step(page, 4)


def test_the_clicker_steps_right_after_the_story_is_chosen(beamer: Page, server: AppServer) -> None:
    """The presenter presses "Stap voor stap" and then the clicker: that switch keeps the focus, and a
    clicker's PageDown/PageUp step the story from there (only the arrows stay the switch's own)."""
    page = beamer
    page.goto(f"{server.url}/presentatie")
    page.get_by_test_id("stMain").get_by_role("radio", name="Stap voor stap").click()
    _at_step(page, 1)
    assert page.evaluate("document.activeElement.getAttribute('role')") == "radio"  # still on the switch
    page.keyboard.press("PageDown")
    _at_step(page, 2)
    page.keyboard.press("PageDown")
    _at_step(page, 3)
    page.keyboard.press("PageUp")
    _at_step(page, 2)
