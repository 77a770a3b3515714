"""Helpers for the real-browser tests: a Streamlit server on a free port and the steps on the map.

``AppServer`` runs ``streamlit run server.py`` (what ``make run`` starts) as a child process against its own
database; the page helpers drive the app the way a resident would (tap the map,
pick a category, type a name, save) and wait on what the page shows, never on
fixed sleeps.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, FrameLocator, Locator, Page, Position, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.helpers import ROOT

CHROMIUM = Path("/usr/bin/chromium")
# Debian's chromium, not a Playwright download (which is impossible here); no
# background traffic so the request log holds only what the app asks for.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
LEAFLET_JS = "/app/static/vendor/leaflet-1.9.4/leaflet.js"
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via an HTTP(S)_PROXY
# In a map's frame, given [[south, west], [north, east]]: the map's zoom, the zoom at which abcd's fit
# (abcd.maps._elements.FitArea, 12 px padding) shows those bounds, and whether they are all in view.
FIT_VIEW = """(b) => { const map = Object.values(window).find(v => v instanceof L.Map);
                      return [map.getZoom(), map.getBoundsZoom(b, false, L.point(24, 24)),
                              map.getBounds().contains(b)]; }"""
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_database(db_url: str, *, accounts: Sequence[tuple[str, str, str]] = ()) -> None:
    """``abcd init`` (schema, BoTu, the 10 examples) and ``abcd users add`` for each (name, password, role).

    One child process for all commands: the CLI writes the database exactly
    as an administrator would, and the imports are paid for once.
    """
    commands = [["init"], *(["users", "add", name, "--role", role, "--password", pw] for name, pw, role in accounts)]
    code = (
        "import sys\nfrom abcd.cli import main\n"
        f"for args in {commands!r}:\n"
        "    if main(args):\n        sys.exit(f'abcd {args[0]} failed')\n"
    )
    env = {**os.environ, "ABCD_DATABASE_URL": db_url, "ABCD_LANG": "nl"}
    env.pop("ABCD_WIJKEN_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        msg = f"abcd {commands} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        raise RuntimeError(msg)


class AppServer:
    """``streamlit run server.py`` on a free port against ``db_url``; restartable on the same database."""

    def __init__(self, db_url: str, log_dir: Path, *, base_path: str = "") -> None:
        self.db_url = db_url
        self.log_dir = log_dir
        self.base_path = base_path.strip("/")  # server.baseUrlPath: the app under /<base_path>/, as behind a proxy
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log_path: Path | None = None
        self._starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}" + (f"/{self.base_path}" if self.base_path else "")

    def start(self) -> None:
        if self._process is not None:
            msg = "the server is already running"
            raise RuntimeError(msg)
        self.port = free_port()
        self._starts += 1
        self._log_path = self.log_dir / f"streamlit-{self._starts}.log"
        env = {**os.environ, "ABCD_DATABASE_URL": self.db_url}
        env.pop("ABCD_WIJKEN_DIR", None)
        command = [
            sys.executable, "-m", "streamlit", "run", "server.py",
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--server.headless", "true",
            # Other people edit the working tree while tests run: a file
            # watcher would show "source changed" banners or rerun mid-test.
            "--server.fileWatcherType", "none",
            "--server.runOnSave", "false",
            "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        if self.base_path:
            command += ["--server.baseUrlPath", self.base_path]
        with self._log_path.open("wb") as log:
            self._process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self) -> None:
        assert self._process is not None
        health = f"{self.url}/_stcore/health"
        deadline = time.monotonic() + START_TIMEOUT_S
        last_error: object = None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                msg = f"streamlit exited with {self._process.returncode} before it was healthy:\n{self.log_tail()}"
                raise RuntimeError(msg)
            try:
                with DIRECT.open(health, timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError) as exc:
                last_error = exc
            # A short poll interval, bounded by the deadline above: the server
            # needs a few seconds to import geopandas and friends.
            time.sleep(0.1)
        msg = f"{health} did not answer within {START_TIMEOUT_S:.0f} s ({last_error}):\n{self.log_tail()}"
        raise TimeoutError(msg)

    def healthy(self) -> bool:
        """Whether the server process that was started is still running and answers its health check."""
        if self._process is None or self._process.poll() is not None:
            return False
        try:
            with DIRECT.open(f"{self.url}/_stcore/health", timeout=5) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        """Terminate the server; kill it if it has not exited after a few seconds."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)

    def restart(self) -> None:
        """A new server process (on a new free port) reading the same database."""
        self.stop()
        self.start()

    def log_tail(self, lines: int = 40) -> str:
        if self._log_path is None or not self._log_path.exists():
            return "(no log)"
        return "\n".join(self._log_path.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def serving(db_url: str, log_dir: Path, *, base_path: str = "") -> Iterator[AppServer]:
    """An :class:`AppServer` on ``db_url`` (under ``/base_path/`` if given) for the length of the ``with`` block."""
    server = AppServer(db_url, log_dir, base_path=base_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def page_in(
    context: BrowserContext,
    server: AppServer,
    request: pytest.FixtureRequest,
    *,
    timeout_ms: int = 20_000,
    expect_ms: int = 15_000,
) -> Iterator[Page]:
    """A page in ``context`` for a fixture; when the test fails, a screenshot and the server's log for the report."""
    context.set_default_timeout(timeout_ms)
    expect.set_options(timeout=expect_ms)
    failed_before = request.session.testsfailed
    page = context.new_page()
    try:
        yield page
        if request.session.testsfailed > failed_before:
            write_failure_artifacts(page, server, request.node.name)
    finally:
        context.close()


def write_failure_artifacts(page: Page, server: AppServer, name: str) -> None:
    """Print where a failed test's screenshot is, the page's accessibility tree and the server's log tail."""
    shot = server.log_dir / f"{name}.png"
    try:
        page.screenshot(path=shot, full_page=True)
        tree = page.locator("body").aria_snapshot(timeout=5_000)
    except Exception as exc:  # the page may be gone; the log still helps
        tree = f"(no snapshot: {exc})"
    print(f"screenshot: {shot}\npage: {page.url}\n{tree}\n--- streamlit log ---\n{server.log_tail()}")


def chromium_available() -> bool:
    return CHROMIUM.exists()


def map_frame(page: Page) -> FrameLocator:
    return page.frame_locator(MAP_IFRAME)


def wait_for_assets_on_map(page: Page) -> FrameLocator:
    """Wait until Leaflet runs in the component iframe and the asset layers are drawn."""
    frame = map_frame(page)
    expect(frame.locator(".leaflet-container")).to_be_visible()
    expect(frame.locator(".leaflet-marker-pane .abcd-pin").first).to_be_attached()
    return frame


# A tap is not a point: Chromium (like phones) moves a tap onto a clickable
# element within reach of a finger, so a tap this close to a pin selects the pin.
TOUCH_REACH_PX = 10


def tap_map_at(page: Page, lon: float, lat: float, *, touch: bool = False) -> None:
    """Click (or tap) the map at (``lon``, ``lat``), after checking that bare map is there.

    The pixel comes from Leaflet itself (streamlit-folium 0.27 keeps the map
    in ``window.map`` inside its iframe), so the test does not depend on the
    viewport or on how the map was fitted. A click on a pin or a control would
    select that instead of a new location: that fails here, naming what was in
    the way. For a tap the whole fingertip (:data:`TOUCH_REACH_PX`) must be clear.
    """
    container = map_frame(page).locator(".leaflet-container")
    reach = TOUCH_REACH_PX if touch else 0
    _wait_for_a_still_map(container)
    spot: dict[str, Any] = container.evaluate(
        """(el, [lat, lng, reach]) => {
            if (!window.map || !window.map.latLngToContainerPoint) { return {error: "no window.map"}; }
            const p = window.map.latLngToContainerPoint([lat, lng]);
            const box = el.getBoundingClientRect();
            const blocked = [];
            for (const r of reach ? [0, reach / 2, reach] : [0]) {
                for (let k = 0; k < (r ? 8 : 1); k++) {
                    const x = box.left + p.x + r * Math.cos(k * Math.PI / 4);
                    const y = box.top + p.y + r * Math.sin(k * Math.PI / 4);
                    const hit = document.elementFromPoint(x, y);
                    const name = hit ? hit.className.toString() : "nothing";
                    if (!/leaflet-container|leaflet-tile/.test(name)) { blocked.push(name); }
                }
            }
            return {x: p.x, y: p.y, width: box.width, height: box.height, blocked: blocked};
        }""",
        [lat, lon, reach],
    )
    assert "error" not in spot, spot
    assert 0 < spot["x"] < spot["width"] and 0 < spot["y"] < spot["height"], f"({lon}, {lat}) is off the map: {spot}"
    assert not spot["blocked"], f"something is in the way at ({lon}, {lat}) on the map: {spot}"
    position: Position = {"x": spot["x"], "y": spot["y"]}
    if touch:
        container.tap(position=position)
    else:
        container.click(position=position)


def _wait_for_a_still_map(container: Locator, *, timeout_s: float = 15.0) -> None:
    """Wait until the map's view and place stay the same for half a second.

    A map drawn again (a rerun, a fit to new bounds) moves under a tap that
    was aimed at the old view: the point lands hundreds of metres off.
    """
    view = """el => window.map && window.map.getCenter ? JSON.stringify([window.map.getCenter(), window.map.getZoom(),
        el.getBoundingClientRect().top, el.getBoundingClientRect().left]) : null"""
    deadline = time.monotonic() + timeout_s
    last = container.evaluate(view)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = container.evaluate(view)
        if now is not None and now == last:
            return
        last = now


# Every toast text shown from now on, however briefly (see add_asset_on_page).
_WATCH_TOASTS = """() => {
    window.__abcdToasts = [];
    new MutationObserver(() => {
        for (const toast of document.querySelectorAll('[data-testid="stToast"]')) {
            window.__abcdToasts.push(toast.textContent);
        }
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def add_asset_on_page(page: Page, *, lon: float, lat: float, category: str, name: str, touch: bool = False) -> None:
    """The add flow on an open Toevoegen page, in Dutch: tap the map, pick ``category`` (its label), name it, save.

    Success is what the page shows after saving: the point is cleared (the page
    asks for a tap again) and the new pin is on this same map. The "saved"
    toast is checked too, but only warned about when missing: Streamlit 1.67
    loses the first ``st.toast`` of a page load when ``st.rerun()`` follows it
    and the rerun ends before the lazily loaded Toast component has mounted (a
    ~0.2 s race; the pages call ``st.toast`` then ``st.rerun``). Make it an
    assertion once the pages show their toasts after the rerun.
    """
    frame = wait_for_assets_on_map(page)
    expect(page.get_by_text("Tik eerst op de kaart")).to_be_visible()
    tap_map_at(page, lon, lat, touch=touch)
    # The page reruns and draws the "new location" marker without remounting the map.
    expect(frame.locator(".leaflet-marker-pane .abcd-new")).to_be_visible()
    pill = page.locator(".st-key-add_category").get_by_role("radio", name=category)
    _press(pill, touch=touch)
    expect(pill).to_have_attribute("aria-checked", "true")
    form = page.get_by_test_id("stMain")
    form.get_by_role("textbox", name="naam", exact=True).fill(name)
    page.evaluate(_WATCH_TOASTS)
    _press(form.get_by_role("button", name="Opslaan"), touch=touch)
    expect(page.get_by_text("Tik eerst op de kaart")).to_be_visible()
    expect(frame.locator(".leaflet-marker-pane .abcd-new")).to_have_count(0)
    expect(asset_label(page, name)).to_have_count(1)
    try:
        page.wait_for_function("name => window.__abcdToasts.some(t => t.includes(name))", arg=name, timeout=5_000)
    except PlaywrightTimeoutError as exc:
        raise AssertionError(f"no 'saved' toast for {name!r}") from exc


# Streamlit is done when it runs nothing, shows nothing stale, fades nothing in, and has been so for a moment
# (a map reports its first state, which starts another run); the maps are done when Leaflet has drawn.
_SETTLED = """() => {
    const fading = document.getAnimations().some(
        a => a.playState === "running" && a.effect && a.effect.getComputedTiming().endTime !== Infinity);
    const busy = fading || document.querySelector('[data-testid="stStatusWidget"], [data-stale="true"]')
        || !document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]');
    const now = performance.now();
    if (busy) { window.__abcdQuiet = null; return false; }
    window.__abcdQuiet = window.__abcdQuiet || now;
    return now - window.__abcdQuiet > 500;
}"""


def settle(page: Page) -> None:
    """Wait until the page has stopped running and its maps are drawn.

    A form filled while a run is still going can lose its submit: a clean CI
    run typed the login while the opening runs of the Lijst page went on, and
    the click on "Inloggen" never reached the app.
    """
    page.wait_for_function(_SETTLED, polling=100, timeout=30_000)
    for element in page.locator(MAP_IFRAME).element_handles():
        frame = element.content_frame()
        assert frame is not None
        frame.wait_for_selector(".leaflet-container .leaflet-control-zoom", timeout=20_000)


def log_in_on_page(
    page: Page, username: str, password: str, *, touch: bool = False, check_sidebar: bool = False
) -> None:
    """Log in with the sidebar's form, then wait until the browser holds the session cookie.

    The cookie (set by a zero-height component in the app's origin) is what
    makes the login survive a reload. With ``check_sidebar`` the sidebar must
    show who is logged in, with the login form gone, straight after the login
    (use it on a page without a map: the map component's own reruns would hide
    a missing rerun after login). On a phone the sidebar is folded away
    afterwards, as it covers the page there.
    """
    settle(page)
    sidebar = page.get_by_test_id("stSidebar")
    if touch:  # collapsed on a phone
        _press(page.get_by_test_id("stExpandSidebarButton"), touch=touch)
    _press(sidebar.get_by_test_id("stExpander").filter(has_text="Inloggen").locator("summary"), touch=touch)
    form = sidebar.get_by_test_id("stForm")
    form.get_by_role("textbox", name="gebruikersnaam", exact=True).fill(username)
    form.get_by_label("wachtwoord", exact=True).fill(password)
    _press(form.get_by_role("button", name="Inloggen"), touch=touch)
    if check_sidebar:
        expect(sidebar.get_by_text("Ingelogd als")).to_be_visible()
        expect(sidebar.get_by_label("wachtwoord", exact=True)).to_have_count(0)
    page.wait_for_function("document.cookie.split('; ').some(c => c.startsWith('abcd_session=') && c.length > 20)")
    if touch:
        _press(sidebar.get_by_test_id("stSidebarCollapseButton").get_by_role("button"), touch=touch)
        expect(sidebar).to_have_attribute("data-collapsed", "true")


def _press(locator: Locator, *, touch: bool) -> None:
    if touch:
        locator.tap()
    else:
        locator.click()


def expect_asset_on_map(page: Page, base_url: str, name: str) -> None:
    """Open the Kaart page (the app's root URL) and wait for a pin labelled ``name``."""
    page.goto(f"{base_url}/")
    wait_for_assets_on_map(page)
    expect(asset_label(page, name)).to_have_count(1)


def asset_label(page: Page, name: str) -> Locator:
    """The visually hidden name inside the map pin(s) of the asset called exactly ``name``."""
    pins = map_frame(page).locator(".leaflet-marker-pane .abcd-pin .abcd-sr")
    return pins.filter(has_text=re.compile(f"^{re.escape(name)}$"))


# What has the keyboard focus in the page (inside a frame: the frame element): its tag, role and name as a
# person hears it (aria-label, a label, the text, a placeholder), and whether it matches a selector.
_FOCUSED = """(selector) => {
    const el = document.activeElement;
    if (!el || el === document.body) { return {match: false, text: "(nothing)"}; }
    const labelled = el.getAttribute("aria-labelledby");
    const parts = [
        el.getAttribute("aria-label"),
        labelled ? labelled.split(" ").map(id => (document.getElementById(id) || {}).textContent).join(" ") : "",
        el.labels ? Array.from(el.labels).map(label => label.textContent).join(" ") : "",
        el.tagName === "IFRAME" ? el.title : (el.innerText || el.textContent || ""),
        el.getAttribute("placeholder"),
    ];
    const text = parts.filter(Boolean).join(" ").replace(/\\s+/g, " ").trim();
    return {match: selector ? Boolean(el.closest(selector)) : true, text: text, tag: el.tagName.toLowerCase(),
            role: el.getAttribute("role") || ""};
}"""


def tab_to(
    page: Page, *, text: str | None = None, selector: str | None = None, key: str = "Tab", limit: int = 150
) -> str:
    """Press Tab until the focused element has ``text`` in its name and lies in ``selector``; returns its name.

    The keyboard user's way through a page: no clicks. ``key="ArrowRight"``
    moves within a group (radio buttons, pills). Fails after ``limit`` presses,
    listing where the focus went (so a missing or unreachable control is named
    in the report).
    """
    visited: list[str] = []
    for _ in range(limit):
        page.keyboard.press(key)
        focused: dict[str, Any] = page.evaluate(_FOCUSED, selector)
        name = str(focused.get("text", ""))
        if focused["match"] and (text is None or text.casefold() in name.casefold()):
            return name
        visited.append(f"{focused.get('tag', '')}[{focused.get('role', '')}] {name[:40]}")
    raise AssertionError(f"Tab did not reach {text or selector!r} in {limit} presses; it went: {visited}")
