"""First paint of the map's markers and bytes sent, in Chromium: the Kaart page against a plain streamlit-folium page.

Run on demand (about three minutes; seeded databases are kept between runs)::

    python bench/map_paint.py                          # 1,000, 5,000 and 20,000 assets, desktop and phone
    python bench/map_paint.py --sizes 5000 --profiles phone
    python bench/map_paint.py --repeats 3
    python bench/map_paint.py --profiles phone-4g      # the phone on a slow mobile network (not by default)

For every size the Kaart page of the ``abcd`` app (``streamlit run server.py``, as ``make run`` serves
it, at the app's address ``/``, public visitor, BoTu seeded as in ``bench/map_page.py``) is loaded in a
fresh browser context, next to a *plain* page: a minimal Streamlit script that shows the same points
the way the streamlit-folium examples do, ``st_folium`` with folium's ``FastMarkerCluster`` (Leaflet's
default marker rather than folium's AwesomeMarkers icon, which needs a CDN plugin and an icon font),
Leaflet and Leaflet.markercluster served locally (``bench/vendor``), on Streamlit's defaults. An
*empty* Streamlit page (one ``st.write``) gives the bytes every Streamlit page costs anyway, served the
way the app is (``kaart-empty``: what the Kaart page adds) and on Streamlit's defaults.

*Markers visible*: the time from the top page's navigation start to the animation frame after the
first marker (a Leaflet marker icon, a cluster icon, or the pin canvas of ``abcd.maps.pins`` with
its points drawn) entered the map's iframe. A MutationObserver in every frame stamps it, so the
bench does not poll the page while it loads. A second table splits that time in two: when the map's
iframe started loading (the server's first run, Streamlit's handling of its messages) and how long the
frame then took to its markers (Leaflet, the map's own script, the drawing).

*Bytes*: what the browser received: every HTTP response's ``encodedDataLength`` (headers and any
compression included, from the Chrome DevTools Protocol) and what the WebSocket (Streamlit's protocol
messages) carried on the wire, counted by a relay in front of each server (``bench/wire.py``: the
DevTools protocol only reports a frame's payload after decompression, and the app compresses its
messages, ``server.enableWebsocketCompression``), until the network has been quiet for a second.

Profiles: *desktop* (1280x800) and *phone* (390x844, touch, CPU throttled 4x with
``Emulation.setCPUThrottlingRate``) by default; *phone-4g* is that phone on Lighthouse's mobile network
(150 ms round trips, 1.6 Mbit/s down, ``Network.emulateNetworkConditions``). Requests to any host but
127.0.0.1 fail at once (``--host-resolver-rules``), as without internet: no tiles on either page. Each
page and size is loaded once per profile unmeasured first (the server's caches; a new server's first sessions are
slow), then ``--repeats`` times per profile, the two pages in turns; the median is shown.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import map_page  # noqa: E402  (bench/map_page.py: the seeded BoTu databases)
from wire import WireCounter, relayed  # noqa: E402  (bench/wire.py: WebSocket bytes on the wire)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Offline like the field: every other host fails at once, for both pages alike.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
SIZES = (1_000, 5_000, 20_000)
MARKERCLUSTER = "leaflet.markercluster-1.5.3"
LEAFLET = "leaflet-1.9.4"
MAP_HEIGHT = 520  # abcd.ui.show_map's default, used for the plain page too
PAINT_TIMEOUT_S = 180.0
QUIET_S = 1.0
TARGET_RATIO = 1.0
TARGET_EXTRA_BYTES = {5_000: 1_000_000}


@dataclass(frozen=True)
class Profile:
    name: str
    width: int
    height: int
    cpu: float
    mobile: bool
    # (latency ms, download and upload bytes/s) emulated by the browser, or the machine's own network
    network: tuple[float, float, float] | None = None


# Lighthouse's mobile network: 150 ms round trips, 1.6 Mbit/s down, 750 kbit/s up.
SLOW_4G = (150.0, 1_600_000 / 8, 750_000 / 8)
PROFILES = {
    "desktop": Profile("desktop", 1280, 800, 1.0, False),
    "phone": Profile("phone", 390, 844, 4.0, True),
    "phone-4g": Profile("phone-4g", 390, 844, 4.0, True, SLOW_4G),
}
DEFAULT_PROFILES = ["desktop", "phone"]

# In every frame: stamp the animation frame after the first marker appears. Epoch milliseconds, so
# the map iframe's stamp compares with the top page's navigation start.
PAINT_WATCH = """
(() => {
    if (window.top === window) { return; }
    const selector = ".leaflet-marker-icon, .marker-cluster, canvas[data-abcd-drawn]";
    let watched = null, done = false;
    const observer = new MutationObserver(() => {
        if (!done && document.querySelector(selector)) {
            done = true;
            observer.disconnect();
            requestAnimationFrame(() => {
                window.__benchPaint = performance.timeOrigin + performance.now();
                window.__benchFrame = performance.timeOrigin;
            });
        }
    });
    // The iframe's first, empty document keeps its window when the component's page replaces it:
    // watch whichever document is current.
    const attach = () => {
        if (done) { return; }
        if (document !== watched) {
            watched = document;
            observer.observe(document, {childList: true, subtree: true, attributes: true,
                                        attributeFilter: ["data-abcd-drawn"]});
        }
        setTimeout(attach, 10);
    };
    attach();
})();
"""

PLAIN_APP = textwrap.dedent(
    f'''
    """The plain streamlit-folium page of the benchmark: st_folium with FastMarkerCluster."""
    import json
    from pathlib import Path

    import folium
    import streamlit as st
    from folium.plugins import FastMarkerCluster
    from streamlit_folium import st_folium

    HERE = Path(__file__).parent
    VENDOR = "/app/static/vendor"


    @st.cache_data
    def points(n):
        return json.loads((HERE / f"points-{{n}}.json").read_text())


    if st.query_params.get("page") == "empty":
        st.write("Leeg")
        st.stop()
    data = points(int(st.query_params.get("n", "1000")))
    m = folium.Map(location=data["center"], zoom_start=15)
    m.default_js = [("leaflet", f"{{VENDOR}}/{LEAFLET}/leaflet.js")]
    m.default_css = [("leaflet_css", f"{{VENDOR}}/{LEAFLET}/leaflet.css")]
    # folium's default callback draws AwesomeMarkers icons (a CDN plugin and icon font); Leaflet's own
    # marker is lighter, so the plain page gets the faster of the two.
    callback = "function (row) {{ return L.marker(new L.LatLng(row[0], row[1])); }}"
    cluster = FastMarkerCluster(data["points"], callback=callback)
    cluster.default_js = [("markerclusterjs", f"{{VENDOR}}/{MARKERCLUSTER}/leaflet.markercluster.js")]
    cluster.default_css = [
        ("markerclustercss", f"{{VENDOR}}/{MARKERCLUSTER}/MarkerCluster.css"),
        ("markerclusterdefaultcss", f"{{VENDOR}}/{MARKERCLUSTER}/MarkerCluster.Default.css"),
    ]
    cluster.add_to(m)
    st_folium(m, key="map", height={MAP_HEIGHT}, use_container_width=True)
    '''
)


# The plain script served as ``server.py`` serves the app: the empty page that the Kaart page is set off against.
SERVED_LIKE_THE_APP = """\
import streamlit as st
from starlette.middleware import Middleware

from abcd.static_gzip import GzipOnce

app = st.App("plain.py", middleware=[Middleware(GzipOnce)])
"""


@dataclass
class Load:
    """One page load: when its markers showed, and what the browser received."""

    paint_s: float | None
    frame_s: float | None = None  # when the map's iframe started loading
    http_bytes: int = 0
    ws_bytes: int = 0  # the WebSocket frames' payload, decompressed
    ws_wire_bytes: int | None = None  # what the WebSocket carried, when a relay counted it
    requests: int = 0
    frames: int = 0
    by_url: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.http_bytes + (self.ws_wire_bytes if self.ws_wire_bytes is not None else self.ws_bytes)


@dataclass
class Cell:
    """The repeated loads of one page, size and profile."""

    loads: list[Load] = field(default_factory=list)

    def paint(self) -> float | None:
        times = [load.paint_s for load in self.loads if load.paint_s is not None]
        return statistics.median(times) if times else None

    def phases(self) -> tuple[float, float] | None:
        """Median start of the map's frame, and median time from there to the markers."""
        timed = [(load.frame_s, load.paint_s) for load in self.loads if load.paint_s and load.frame_s]
        if not timed:
            return None
        return statistics.median(f for f, _ in timed), statistics.median(p - f for f, p in timed)

    def bytes(self) -> int:
        return int(statistics.median(load.total for load in self.loads))

    def ws(self) -> int:
        """What the WebSocket carried (on the wire where it was counted there)."""
        return int(statistics.median(load.total - load.http_bytes for load in self.loads))

    def ws_payload(self) -> int:
        return int(statistics.median(load.ws_bytes for load in self.loads))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def streamlit_server(script: Path, cwd: Path, log: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """``streamlit run script`` on a free port; yields its base URL."""
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        "--server.fileWatcherType", "none", "--server.runOnSave", "false",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{log.read_text(errors='replace')[-2000:]}")
            try:
                with direct.open(f"{url}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not start:\n{log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def seeded(cache: Path, n: int) -> str:
    """The seeded database of ``n`` map assets, made once and kept in ``cache``."""
    folder = cache / f"seed-{map_page.SEED}-{n}"
    marker = folder / "done"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        start = time.perf_counter()
        map_page.seeded_database(folder, n)
        marker.write_text("ok")
        print(f"  seeded {n:,} assets in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return f"sqlite:///{folder / f'abcd-{n}.db'}"


def write_points(url: str, n: int, folder: Path) -> int:
    """The points the Kaart page shows a visitor, as ``[[lat, lon], ...]`` for the plain page."""
    from abcd.assets import map_frame
    from abcd.permissions import PUBLIC_USER
    from abcd.store import Store

    store = Store.open(url)
    try:
        frame = map_frame(store, wijk=map_page.DEFAULT_WIJK, user=PUBLIC_USER)
    finally:
        store.close()
    xs, ys = frame.geometry.x.round(6).tolist(), frame.geometry.y.round(6).tolist()
    center = [round(sum(ys) / len(ys), 6), round(sum(xs) / len(xs), 6)]
    points = [[y, x] for x, y in zip(xs, ys, strict=True)]
    (folder / f"points-{n}.json").write_text(json.dumps({"center": center, "points": points}))
    return len(points)


def plain_app(folder: Path) -> Path:
    """The plain page's folder: its script, its Streamlit config and the vendored files it serves."""
    (folder / ".streamlit").mkdir(parents=True, exist_ok=True)
    (folder / ".streamlit" / "config.toml").write_text(
        "[server]\nenableStaticServing = true\n[browser]\ngatherUsageStats = false\n"
    )
    vendor = folder / "static" / "vendor"
    vendor.mkdir(parents=True, exist_ok=True)
    # Copies, not links: Streamlit's static file server does not follow links out of its folder.
    shutil.copytree(ROOT / "static" / "vendor" / LEAFLET, vendor / LEAFLET, dirs_exist_ok=True)
    shutil.copytree(BENCH / "vendor" / MARKERCLUSTER, vendor / MARKERCLUSTER, dirs_exist_ok=True)
    script = folder / "plain.py"
    script.write_text(PLAIN_APP)
    (folder / "served.py").write_text(SERVED_LIKE_THE_APP)
    return script


def _frame_bytes(response: dict[str, Any]) -> int:
    payload = response.get("payloadData", "")
    if response.get("opcode") == 2:  # binary frames arrive base64-encoded
        return len(base64.b64decode(payload))
    return len(payload.encode("utf-8"))


def load_page(
    browser: Any, url: str, profile: Profile, *, wire: WireCounter | None = None, expect_markers: bool = True
) -> Load:
    """Open ``url`` in a fresh context with ``profile``; when the markers showed and the bytes received.

    ``wire`` counts what the WebSocket carries when ``url`` goes through its relay.
    """
    context = browser.new_context(
        viewport={"width": profile.width, "height": profile.height},
        is_mobile=profile.mobile,
        has_touch=profile.mobile,
        device_scale_factor=1,
    )
    context.add_init_script(PAINT_WATCH)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    load = Load(paint_s=None)
    last_byte = [time.monotonic()]

    urls: dict[str, str] = {}

    def request(event: dict[str, Any]) -> None:
        urls[event.get("requestId", "")] = event.get("request", {}).get("url", "")

    def finished(event: dict[str, Any]) -> None:
        size = int(event.get("encodedDataLength", 0))
        load.http_bytes += size
        load.requests += 1
        url = urlsplit(urls.get(event.get("requestId", ""), "?")).path  # the pages' servers differ in port
        load.by_url[url] = load.by_url.get(url, 0) + size
        last_byte[0] = time.monotonic()

    def frame(event: dict[str, Any]) -> None:
        size = _frame_bytes(event.get("response", {}))
        load.ws_bytes += size
        load.by_url["(websocket)"] = load.by_url.get("(websocket)", 0) + size
        load.frames += 1
        last_byte[0] = time.monotonic()

    cdp.on("Network.requestWillBeSent", request)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.webSocketFrameReceived", frame)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if profile.cpu != 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": profile.cpu})
    if profile.network:
        latency, down, up = profile.network
        conditions = {"offline": False, "latency": latency, "downloadThroughput": down, "uploadThroughput": up}
        cdp.send("Network.emulateNetworkConditions", conditions)
    wire_before = wire.websocket_bytes if wire else 0
    try:
        page.goto(url, wait_until="commit")
        origin = page.evaluate("performance.timeOrigin")
        deadline = time.monotonic() + PAINT_TIMEOUT_S
        while expect_markers and load.paint_s is None:
            for child in page.frames[1:]:
                try:
                    stamp = child.evaluate("[window.__benchPaint || null, window.__benchFrame || null]")
                except Exception:  # a frame that went away while asked
                    stamp = [None, None]
                if stamp[0]:
                    load.paint_s = (stamp[0] - origin) / 1000
                    load.frame_s = (stamp[1] - origin) / 1000
                    break
            if time.monotonic() > deadline:
                print(f"  no markers within {PAINT_TIMEOUT_S:.0f} s: {url}", file=sys.stderr)
                break
            page.wait_for_timeout(25)
        if not expect_markers:
            page.get_by_text("Leeg").wait_for()
        # Bytes: until nothing arrived for QUIET_S (the component's first value reruns the script).
        quiet_deadline = time.monotonic() + 30
        while time.monotonic() - last_byte[0] < QUIET_S and time.monotonic() < quiet_deadline:
            page.wait_for_timeout(100)
    finally:
        context.close()
    if wire:
        load.ws_wire_bytes = wire.websocket_bytes - wire_before
    return load


def measure(
    args: argparse.Namespace,
) -> tuple[dict[tuple[str, int, str], Cell], dict[tuple[str, str], Cell], dict[int, int]]:
    from playwright.sync_api import sync_playwright

    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    urls = {n: seeded(cache, n) for n in args.sizes}
    cells: dict[tuple[str, int, str], Cell] = {}
    empty: dict[tuple[str, str], Cell] = {}
    shown: dict[int, int] = {}
    profiles = [PROFILES[name] for name in args.profiles]
    with tempfile.TemporaryDirectory(prefix="abcd-map-paint-") as tmp:
        folder = Path(tmp)
        for n, url in urls.items():
            shown[n] = write_points(url, n, folder)
        script = plain_app(folder)
        # Every server behind a relay that counts the WebSocket's bytes on the wire (bench/wire.py).
        with (
            sync_playwright() as pw,
            streamlit_server(script, folder, folder / "plain.log") as plain_server,
            relayed(plain_server) as (plain_url, plain_wire),
            streamlit_server(folder / "served.py", folder, folder / "served.log") as served_server,
            relayed(served_server) as (served_url, served_wire),
        ):
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for how, base, wire in (("app", served_url, served_wire), ("defaults", plain_url, plain_wire)):
                for profile in profiles:
                    load_page(browser, f"{base}/?page=empty", profile, expect_markers=False)  # warm
                    empty[(how, profile.name)] = Cell(
                        [
                            load_page(browser, f"{base}/?page=empty", profile, wire=wire, expect_markers=False)
                            for _ in range(args.repeats)
                        ]
                    )
            for n, db_url in urls.items():
                env = {"ABCD_DATABASE_URL": db_url}
                with (
                    streamlit_server(ROOT / "server.py", ROOT, folder / f"app-{n}.log", env) as app_server,
                    relayed(app_server) as (app_url, app_wire),
                ):
                    pages = {"kaart": (f"{app_url}/", app_wire), "plain": (f"{plain_url}/?n={n}", plain_wire)}
                    for url, wire in pages.values():
                        for profile in profiles:  # the server's caches, and a new server's first sessions
                            load_page(browser, url, profile, wire=wire)
                    for profile in profiles:
                        # Taken in turns, so that a machine that slows down or speeds up meanwhile
                        # weighs on both pages alike.
                        for _ in range(args.repeats):
                            for page, (url, wire) in pages.items():
                                cells.setdefault((page, n, profile.name), Cell()).loads.append(
                                    load_page(browser, url, profile, wire=wire)
                                )
                        for page in pages:
                            print(
                                f"  {page:>5} {n:>6,} {profile.name:>7}: "
                                + ", ".join(
                                    f"{load.paint_s:.2f} s (frame at {load.frame_s:.2f} s)" if load.paint_s else "none"
                                    for load in cells[(page, n, profile.name)].loads
                                ),
                                file=sys.stderr,
                            )
            browser.close()
    return cells, empty, shown


def _ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or not theirs:
        return "   -  "
    return f"{ours / theirs:5.2f}x"


def print_table(
    cells: dict[tuple[str, int, str], Cell],
    empty: dict[tuple[str, str], Cell],
    shown: dict[int, int],
    args: argparse.Namespace,
) -> list[str]:
    """The table, one row per size and profile; returns the failed targets."""
    failures: list[str] = []
    print(
        f"\nMarkers visible and bytes received, Chromium, median of {args.repeats}; "
        "kaart = abcd's Kaart page, plain = st_folium + FastMarkerCluster; 1 kB = 1,000 bytes"
    )
    header = (
        f"{'assets':>7} {'profile':>8} | {'kaart':>8} {'plain':>8} {'ratio':>6} | "
        f"{'kaart':>9} {'plain':>9} {'ratio':>6} | {'kaart-empty':>11} {'kaart ws':>9} | targets"
    )
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        for name in args.profiles:
            ours, theirs = cells[("kaart", n, name)], cells[("plain", n, name)]
            base = empty[("app", name)].bytes()
            paint_ratio = _ratio(ours.paint(), theirs.paint())
            bytes_ratio = _ratio(ours.bytes(), theirs.bytes())
            extra = ours.bytes() - base
            verdicts = []
            if ours.paint() is None or theirs.paint() is None or ours.paint() > theirs.paint() * TARGET_RATIO:
                verdicts.append("paint FAIL")
                failures.append(f"paint {n} {name}")
            else:
                verdicts.append("paint pass")
            if n in TARGET_EXTRA_BYTES:
                ok = extra <= TARGET_EXTRA_BYTES[n]
                verdicts.append(f"< {TARGET_EXTRA_BYTES[n] / 1e6:.0f} MB: {'pass' if ok else 'FAIL'}")
                if not ok:
                    failures.append(f"bytes {n} {name}")

            def secs(value: float | None) -> str:
                return f"{value:6.2f} s" if value is not None else "    none"

            print(
                f"{n:>7,} {name:>8} | {secs(ours.paint())} {secs(theirs.paint())} {paint_ratio} | "
                f"{ours.bytes() / 1e3:>6.0f} kB {theirs.bytes() / 1e3:>6.0f} kB {bytes_ratio} | "
                f"{extra / 1e3:>8.0f} kB {ours.ws() / 1e3:>6.0f} kB | {'; '.join(verdicts)}"
            )

    def phases(cell: Cell) -> str:
        found = cell.phases()
        return f"{found[0]:.2f} s | {found[1]:.2f} s" if found else "none"

    _print_per_cell(
        "Where the time goes (medians): the map's frame starts at | then its markers take", cells, args, phases
    )
    _print_per_cell(
        "What the WebSocket carried (medians): on the wire | its messages decompressed",
        cells,
        args,
        lambda cell: f"{cell.ws() / 1e3:.0f} kB | {cell.ws_payload() / 1e3:.0f} kB",
    )
    for name in args.profiles:
        print(
            f"empty Streamlit page, {name}: {empty[('app', name)].bytes() / 1e3:.0f} kB served as the app is, "
            f"{empty[('defaults', name)].bytes() / 1e3:.0f} kB on Streamlit's defaults"
        )
    print("points on each map: " + ", ".join(f"{n:,} assets -> {count:,}" for n, count in shown.items()))
    return failures


def _print_per_cell(
    title: str, cells: dict[tuple[str, int, str], Cell], args: argparse.Namespace, describe: Callable[[Cell], str]
) -> None:
    """A line per size and profile: ``describe`` of the Kaart page's cell, then of the plain page's."""
    print(f"\n{title}")
    for n in args.sizes:
        for name in args.profiles:
            parts = [f"{page} {describe(cells[(page, n, name)])}" for page in ("kaart", "plain")]
            print(f"{n:>7,} {name:>8}: " + ";  ".join(parts))


def print_detail(
    cells: dict[tuple[str, int, str], Cell], empty: dict[tuple[str, str], Cell], args: argparse.Namespace
) -> None:
    """Per page (first size, first profile): every URL's bytes beyond the empty page served alike, largest first."""
    n, name = args.sizes[0], args.profiles[0]
    for page, how in (("kaart", "app"), ("plain", "defaults")):
        base = empty[(how, name)].loads[0].by_url
        load = cells[(page, n, name)].loads[0]
        print(f"\n{page}, {n:,} assets, {name}: beyond the empty page")
        extra = {url: size - base.get(url, 0) for url, size in load.by_url.items()}
        for url, size in sorted(extra.items(), key=lambda item: -item[1]):
            if abs(size) >= 1_000:
                print(f"  {size / 1e3:>8.1f} kB  {url}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="numbers of map assets")
    parser.add_argument("--profiles", nargs="+", default=DEFAULT_PROFILES, choices=list(PROFILES))
    parser.add_argument("--repeats", type=int, default=1, help="measured loads per page, size and profile")
    parser.add_argument("--detail", action="store_true", help="also list what each page received, largest first")
    parser.add_argument(
        "--cache",
        default=str(Path(tempfile.gettempdir()) / "abcd-bench-seeded"),
        help="folder for the seeded databases, kept between runs",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    cells, empty, shown = measure(args)
    failures = print_table(cells, empty, shown, args)
    if args.detail:
        print_detail(cells, empty, args)
    print(f"({time.perf_counter() - start:.0f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
