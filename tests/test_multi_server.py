"""Two app servers behind nginx on one PostGIS database, as deploy/servers.py runs them (issue 15, item 3).

A throw-away PostgreSQL with PostGIS, ``abcd init``, then ``deploy/servers.py run``: two Streamlit
servers and nginx on free ports of 127.0.0.1. Browser sessions log in through the proxy and add
assets, spread over both servers; one server is killed mid-way and the runner starts it again. Then
the count: every save the page acknowledged is in the database exactly once, and every session, on
either server, sees the others' assets after a rerun.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from shapely.geometry import Point

from abcd.store import Store
from abcd.wijken import Wijk
from tests.browser_support import (
    DIRECT,
    asset_label,
    free_port,
    log_in_on_page,
    map_frame,
    prepare_database,
    wait_for_assets_on_map,
)
from tests.helpers import ROOT
from tests.postgres_support import temporary_postgres

pytestmark = pytest.mark.browser

BUILDER = "teamlid"
PASSWORD = f"pw-{uuid.uuid4().hex}"
CLUB = "Vereniging of club"
START_TIMEOUT_S = 240.0


@dataclass
class Cluster:
    db_url: str
    url: str  # the proxy
    run_dir: Path
    ports: tuple[int, int]
    log: Path

    def pid(self, server: int) -> int:
        return int((self.run_dir / f"app-{self.ports[server - 1]}.pid").read_text(encoding="ascii"))

    def healthy(self, server: int) -> bool:
        try:
            with DIRECT.open(f"http://127.0.0.1:{self.ports[server - 1]}/_stcore/health", timeout=2) as answer:
                return bool(answer.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def served_by(self, cookie: str | None) -> str:
        """Which server the proxy sends a request with ``abcd_server=cookie`` to (the cookie it sets back)."""
        request = urllib.request.Request(f"{self.url}/_stcore/health")
        if cookie is not None:
            request.add_header("Cookie", f"abcd_server={cookie}")
        with DIRECT.open(request, timeout=10) as answer:
            cookies = answer.headers.get_all("Set-Cookie") or []
        (server,) = [found.group(1) for c in cookies if (found := re.match(r"abcd_server=(\d+);", c))]
        return server

    def encoding(self, path: str) -> str | None:
        """How the proxy encodes ``path`` for a browser that accepts gzip."""
        request = urllib.request.Request(f"{self.url}{path}", headers={"Accept-Encoding": "gzip"})
        with DIRECT.open(request, timeout=10) as answer:
            return answer.headers.get("Content-Encoding")

    def logs(self) -> str:
        parts = [f"--- {self.log.name} ---\n{self.log.read_text(errors='replace')[-3000:]}"]
        for path in sorted(self.run_dir.glob("app-*.log")) + sorted(self.run_dir.glob("nginx/*.log")):
            parts.append(f"--- {path.name} ---\n{path.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)


@contextmanager
def running_cluster(tmp_path: Path) -> Iterator[Cluster]:
    with temporary_postgres() as db_url:
        prepare_database(db_url, accounts=[(BUILDER, PASSWORD, "builder")])  # abcd init: schema, BoTu, examples
        ports = (free_port(), free_port())
        proxy = free_port()
        assert len({*ports, proxy}) == 3
        run_dir, log = tmp_path / "run", tmp_path / "servers.log"
        env = {**os.environ, "ABCD_DATABASE_URL": db_url, "ABCD_LANG": "nl"}
        env.pop("ABCD_WIJKEN_DIR", None)
        env.pop("STREAMLIT_SERVER_COOKIE_SECRET", None)  # the runner makes the shared secret itself
        command = [
            sys.executable, str(ROOT / "deploy" / "servers.py"), "run",
            "--ports", f"{ports[0]},{ports[1]}", "--listen", f"127.0.0.1:{proxy}", "--run-dir", str(run_dir),
        ]  # fmt: skip
        with log.open("wb") as out:
            runner = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        cluster = Cluster(db_url, f"http://127.0.0.1:{proxy}", run_dir, ports, log)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not (run_dir / "ready").exists():
                assert runner.poll() is None, f"deploy/servers.py exited with {runner.returncode}\n{cluster.logs()}"
                assert time.monotonic() < deadline, f"not ready in {START_TIMEOUT_S:.0f} s\n{cluster.logs()}"
                time.sleep(0.2)
            yield cluster
        finally:
            runner.send_signal(signal.SIGTERM)
            try:
                runner.wait(timeout=60)
            except subprocess.TimeoutExpired:
                runner.kill()
                runner.wait()
        assert runner.returncode == 0, cluster.logs()
        assert not cluster.healthy(1) and not cluster.healthy(2)  # the runner stopped its servers
        assert not (run_dir / "ready").exists()


@dataclass
class Session:
    """One browser (its own cookies) on the Toevoegen page, logged in through the proxy."""

    context: BrowserContext
    page: Page
    sockets: int = 0  # WebSocket connections the page opened: more than one means it reconnected
    lost: int = 0  # clicks that had no effect (made once more)

    def server(self) -> str:
        (value,) = [c["value"] for c in self.context.cookies() if c["name"] == "abcd_server"]
        return value

    def count_socket(self, _socket: object) -> None:
        self.sockets += 1


def _session(chromium: Browser, cluster: Cluster, server: str | None) -> Session:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    context.set_default_timeout(45_000)
    if server is not None:  # as if the proxy had sent this browser there before
        context.add_cookies([{"name": "abcd_server", "value": server, "url": cluster.url}])
    page = context.new_page()
    page.goto(f"{cluster.url}/toevoegen")
    log_in_on_page(page, BUILDER, PASSWORD)
    session = Session(context, page)
    page.on("websocket", session.count_socket)
    page.goto(f"{cluster.url}/toevoegen")
    wait_for_assets_on_map(page)
    return session


def _once_more_if_lost(
    session: Session, act: Callable[[], None], effect: Callable[[float | None], None], *, first_ms: float
) -> None:
    """Do ``act`` and wait for its ``effect``; an act that had none is made once more, as a person would.

    ``effect`` gets a timeout: ``first_ms`` for the first try, ``None`` (the default) for the second. The lost
    act is counted in ``session.lost``. After a reconnection to a server that had no session for this
    page, the first one has none: Streamlit starts a new session without running the page, so the click
    reruns it but the new session does not know the widget's callback yet.
    """
    for attempt in range(2):
        act()
        try:
            effect(None if attempt else first_ms)
            return
        except AssertionError:
            if attempt:
                raise
            session.lost += 1
            expect(session.page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")


def _place(session: Session, spot: Point) -> None:
    """Put the new point at ``spot`` through "Zonder kaart" (typed coordinates): a rerun of the page."""
    page = session.page
    # Connected, and done running: what is typed while the page reconnects (its server went away) is lost.
    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED")
    expect(app).to_have_attribute("data-test-script-state", "notRunning")
    main = page.get_by_test_id("stMain")
    field = main.get_by_role("textbox", name="Coördinaten")
    typed = f"{spot.y:.6f}, {spot.x:.6f}"
    new_point = map_frame(page).locator(".leaflet-marker-pane .abcd-new")

    def type_and_place() -> None:
        if not field.is_visible():
            main.get_by_test_id("stExpander").filter(has_text="Zonder kaart").locator("summary").click()
        field.fill(typed)
        expect(field).to_have_value(typed)
        main.get_by_role("button", name="Plek op deze coördinaten").click()

    _once_more_if_lost(
        session, type_and_place, lambda timeout: expect(new_point).to_be_visible(timeout=timeout), first_ms=30_000
    )


def _save(session: Session, spot: Point, name: str) -> str:
    """Add a club at ``spot`` named ``name``; returns the server that acknowledged it (the pin is on the map)."""
    page = session.page
    wait_for_assets_on_map(page)
    expect(page.get_by_text("Tik eerst op de kaart")).to_be_visible()
    _place(session, spot)
    pill = page.locator(".st-key-add_category").get_by_role("radio", name=CLUB)
    # A tap without effect (a clean CI run saw one, and waited 45 s): once more, as a person would.
    _once_more_if_lost(
        session,
        pill.click,
        lambda timeout: expect(pill).to_have_attribute("aria-checked", "true", timeout=timeout),
        first_ms=15_000,
    )
    main = page.get_by_test_id("stMain")
    main.get_by_role("textbox", name="naam", exact=True).fill(name)
    main.get_by_role("button", name="Opslaan").click()
    # Acknowledged: the point is cleared and the new pin is on this session's map.
    expect(page.get_by_text("Tik eerst op de kaart")).to_be_visible()
    expect(asset_label(page, name)).to_have_count(1)
    return session.server()


def _metres(a: Point, b: Point) -> float:
    """About the distance in metres between two WGS84 points in Rotterdam (good to a few per cent)."""
    return float(((a.x - b.x) * 68_700) ** 2 + ((a.y - b.y) * 111_200) ** 2) ** 0.5


def _spots(botu: Wijk, taken: list[Point], count: int) -> list[Point]:
    """``count`` spots well inside BoTu, 80 m from every asset and each other: never "Bestaat dit al?" (50 m)."""
    centre = botu.boundary.centroid
    inner = botu.boundary.buffer(-0.001)
    grid = [Point(centre.x + dx * 0.0012, centre.y + dy * 0.0008) for dx in range(-8, 9) for dy in range(-8, 9)]
    grid.sort(key=centre.distance)
    chosen: list[Point] = []
    for spot in grid:
        if inner.contains(spot) and all(_metres(spot, p) > 80 for p in [*taken, *chosen]):
            chosen.append(spot)
            if len(chosen) == count:
                return chosen
    raise AssertionError(f"only {len(chosen)} clear spots in BoTu")


def test_the_nginx_site_for_debians_nginx_is_valid_with_https_and_three_servers(tmp_path: Path) -> None:
    key, cert = tmp_path / "abcd.key", tmp_path / "abcd.crt"
    make_cert = [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=abcd.test",
        "-keyout", str(key), "-out", str(cert),
    ]  # fmt: skip
    subprocess.run(make_cert, check=True, capture_output=True)
    write_site = [
        sys.executable, str(ROOT / "deploy" / "servers.py"), "nginx", "--ports", "8501,8502,8503",
        "--listen", f"127.0.0.1:{free_port()} ssl", "--server-name", "abcd.test",
        "--tls-cert", str(cert), "--tls-key", str(key),
    ]  # fmt: skip
    site = subprocess.run(write_site, check=True, capture_output=True, text=True).stdout
    assert site.count("upstream abcd_") == 3 and site.count(" backup;") == 6
    assert "33.33% abcd_1;" in site and "* abcd_3;" in site
    assert site.count("HttpOnly; SameSite=Lax; Secure") == 3  # over HTTPS the cookie is never sent in plain text
    (tmp_path / "abcd-site.conf").write_text(site, encoding="utf-8")
    main = f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n    include {tmp_path}/abcd-site.conf;\n}}\n"
    (tmp_path / "nginx.conf").write_text(main, encoding="utf-8")
    check = [
        "/usr/sbin/nginx",
        "-t",
        "-p",
        str(tmp_path),
        "-c",
        str(tmp_path / "nginx.conf"),
        "-e",
        str(tmp_path / "e.log"),
    ]
    checked = subprocess.run(check, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def test_two_app_servers_behind_nginx_keep_every_save_exactly_once(
    chromium: Browser, botu: Wijk, tmp_path: Path
) -> None:
    expect.set_options(timeout=45_000)  # a session whose server went away reconnects first
    with running_cluster(tmp_path) as cluster:
        try:
            _exercise(chromium, botu, cluster)
        except BaseException:
            for k, context in enumerate(chromium.contexts):
                for page in context.pages:
                    page.screenshot(path=tmp_path / f"session-{k}.png", full_page=True)
            print(f"screenshots: {tmp_path}/session-*.png\n{cluster.logs()}")
            raise


def _exercise(chromium: Browser, botu: Wijk, cluster: Cluster) -> None:
    # The proxy keeps a browser on the server its cookie names; a new browser gets one of them.
    assert (cluster.served_by("1"), cluster.served_by("2")) == ("1", "2")
    assert {cluster.served_by(None) for _ in range(20)} == {"1", "2"}
    # Streamlit's own scripts, which the app servers send uncompressed, go compressed through the proxy.
    with DIRECT.open(f"{cluster.url}/", timeout=10) as answer:
        script = re.search(r'src="\./(static/js/index\.[^"]+\.js)"', answer.read().decode("utf-8"))
    assert script is not None
    assert cluster.encoding(f"/{script.group(1)}") == "gzip"

    store = Store.open_checked(cluster.db_url)
    try:
        examples = [a.point for a in store.list_assets()]
    finally:
        store.close()
    *used, spare = _spots(botu, examples, 12)
    spots = iter(used)
    run = uuid.uuid4().hex[:6]
    saved: dict[str, str] = {}  # name: the server that acknowledged it

    def save(session: Session) -> None:
        name = f"Club {len(saved) + 1} {run}"
        saved[name] = _save(session, next(spots), name)
        print(f"{name}: saved on server {saved[name]}")

    first = _session(chromium, cluster, None)  # the proxy picks its server
    assert first.server() in ("1", "2")
    sessions = [_session(chromium, cluster, server) for server in ("1", "1", "2", "2")]
    assert [s.server() for s in sessions] == ["1", "1", "2", "2"]
    for session in sessions:
        save(session)
    assert sorted(saved.values()) == ["1", "1", "2", "2"]

    # Server 1 goes down mid-way: server 2 keeps saving; a browser of server 1 reconnects and goes on.
    before = cluster.pid(1)
    os.kill(before, signal.SIGTERM)
    save(sessions[2])
    save(sessions[0])
    assert list(saved.values())[-2:] == ["2", "2"]  # the browser of server 1 went on on server 2, and stays there
    deadline = time.monotonic() + 120
    while not (cluster.pid(1) != before and cluster.healthy(1)):  # the runner started it again
        assert time.monotonic() < deadline, cluster.logs()
        time.sleep(0.2)
    assert cluster.served_by("1") == "1"
    back = _session(chromium, cluster, "1")  # a browser that comes now is served by the restarted server
    for session in [*sessions, back]:
        save(session)
    assert saved[next(reversed(saved))] == "1"
    assert set(saved.values()) == {"1", "2"}

    # Every session, on either server, sees what the others saved once it reruns (a new point chosen).
    everyone = [first, *sessions, back]
    for session in everyone:
        _place(session, spare)
        for name in saved:
            expect(asset_label(session.page, name)).to_have_count(1)

    # The count: every acknowledged save is in the database exactly once, and nothing else was added.
    store = Store.open_checked(cluster.db_url)
    try:
        names = [a.name for a in store.list_assets() if a.name.endswith(run)]
    finally:
        store.close()
    assert sorted(names) == sorted(saved)
    print(f"\n{len(saved)} saves: {sum(v == '1' for v in saved.values())} on server 1, "
          f"{sum(v == '2' for v in saved.values())} on server 2; every one stored once; "
          f"{sum(s.lost for s in everyone)} click(s) without effect, made again; "
          f"{sum(s.sockets > 1 for s in everyone)} session(s) reconnected")  # fmt: skip
    for session in everyone:
        session.context.close()
