"""Save latency with concurrent writers over two app servers behind nginx, on PostGIS (issue 15, item 4).

Run on demand. The run is CPU-bound on a 2-core machine: 20 minutes with all four phases while other
benchmarks took about 60 % of the CPU (load average 9-46), a third of it the 20 logins; an idle machine
should need well under half of that. ``--quick`` does 1 and 5 writers only::

    python bench/save_latency.py                     # 1, 5, 10 and 20 writers
    python bench/save_latency.py --writers 1,5,20
    python bench/save_latency.py --quick             # 1 and 5 writers, fewer saves

The set-up is the multi-server test's (``tests/test_multi_server.py``, imported, not copied): a
throw-away PostgreSQL with PostGIS, ``abcd init`` (BoTu and its examples) and a builder account,
then ``deploy/servers.py run`` with two Streamlit servers and nginx on free ports of 127.0.0.1.

*Writers.* Each writer is a browser context of its own (its own cookies) in ONE headless Chromium:
it logs in through the proxy, which sends it to one of the servers with its ``abcd_server`` cookie,
and then saves clubs one after another on the Toevoegen page with the test's own ``_save`` (typed
coordinates through "Zonder kaart", the category, a name, "Opslaan", until the page acknowledges).
The writers of a phase start a little apart (``--stagger``) and then run freely. Playwright's sync
API allows one thread, so the writers run as greenlets in it, the way Playwright itself runs event
handlers (``playwright._impl._greenlets.run_in_greenlet``): one Python process and one driver for all.
No tiles (``--host-resolver-rules``: every host but 127.0.0.1 fails at once, as offline).

*Latency* is measured in the page, not by polling from Python: a capture listener stamps
``Date.now()`` at the click on "Opslaan", then a 10 ms timer stamps the first moment the page shows
the acknowledgement ``_save`` waits for (the new pin with that name in the map's iframe, and "Tik
eerst op de kaart" again). The write's own time stamp (``changed_at`` of the asset's ``create``
history row, taken by the app server inside the transaction, same clock) splits each save into
*click -> stored* (browser, WebSocket, the rerun up to the callback and the database write) and
*stored -> shown* (the rest of the rerun, the map drawn again in the browser).

*Saves/min* is all saves of a phase divided by its wall time, the whole flow included (place the
point, choose the category, type, save): what the writers achieved together, not 60 / latency.

*CPU* per phase, from ``/proc``, as a share of the machine's cores and in CPU seconds per save: the
client (this process, the Playwright driver and Chromium), the app servers (and their runner),
nginx, PostgreSQL, and every other process on the machine. With two cores the writers' pages compete
with the servers for the CPU: the 1-writer row is the baseline, and the client's CPU seconds per
save against the servers' say how much of a loaded machine's latency is the client's own queueing.
The client is real Chromium running the real page (Streamlit's frontend, the Leaflet map drawn
again after each save), so it costs what a person's browser costs, only here on the same cores.

Not a WebSocket-level client: the save needs the map component's and the login cookie component's
round trips, which only the real frontend makes faithfully. CPU seconds per save cover the whole flow
(three reruns: the point, the category, the save).

*Database alone*: afterwards, one thread (the baseline), then 20 threads in this process (two
``Store`` objects, one per "server", ten threads each) call :func:`abcd.assets.add_asset`, which is
exactly what the page's save callback does (validation, the duplicate check, the areas,
``Store.add``), on the same PostGIS; ``Store.add`` (the write transaction) is timed on its own
inside it. The GIL serialises the Python part of those threads, so at 20 threads it is an upper
bound for the database's share.

At the end every acknowledged save must be in the database exactly once, and nothing else was added.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, expect, sync_playwright  # noqa: E402
from shapely.geometry import Point  # noqa: E402

from abcd.assets import add_asset  # noqa: E402
from abcd.permissions import Role, User  # noqa: E402
from abcd.store import Store  # noqa: E402
from abcd.wijken import Wijk, wijk_catalogue  # noqa: E402
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.helpers import BOTU, WIJKEN_DIR  # noqa: E402
from tests.test_multi_server import BUILDER, Cluster, Session, _save, _session, _spots, running_cluster  # noqa: E402

T = TypeVar("T")
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
WAIT_MS = 180_000  # a save or a step of it, with 20 writers on two cores
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# Stamps the click on "Opslaan" and the first moment the page shows what _save waits for.
_WATCH = """(name) => {
    window.__abcdBench = {name: name, click: null, shown: null};
    if (window.__abcdBenchListening) { return; }
    window.__abcdBenchListening = true;
    const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
    const shown = (name) => {
        const frames = document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]');
        const pinned = Array.from(frames).some((frame) => frame.contentDocument && Array.from(
            frame.contentDocument.querySelectorAll(".leaflet-marker-pane .abcd-pin .abcd-sr")
        ).some((label) => label.textContent === name));
        if (!pinned) { return false; }
        const hint = document.evaluate("//*[contains(text(), 'Tik eerst op de kaart')]", document, null,
            XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
        for (let k = 0; k < hint.snapshotLength; k++) {
            if (visible(hint.snapshotItem(k))) { return true; }
        }
        return false;
    };
    document.addEventListener("click", (event) => {
        const save = window.__abcdBench;
        // The save button (key add_save; its text is "save" for the icon, then "Opslaan").
        const button = event.target instanceof Element ? event.target.closest(".st-key-add_save button") : null;
        if (!save || save.click !== null || !button) { return; }
        save.click = Date.now();
        const timer = setInterval(() => {
            if (shown(save.name)) { save.shown = Date.now(); clearInterval(timer); }
        }, 10);
    }, true);
}"""


@dataclass
class Save:
    name: str
    writers: int  # of the phase
    server: str
    click: float  # epoch seconds, the page's clock
    shown: float
    flow_s: float  # the whole _save, from Python
    stored: float | None = None  # the create row's changed_at, the server's clock

    @property
    def latency_s(self) -> float:
        return self.shown - self.click


@dataclass
class Phase:
    writers: int
    saves: list[Save]
    wall_s: float
    cpu_s: dict[str, float]  # group: CPU seconds used during the phase ("machine": all processes)
    errors: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ concurrency in one thread
def run_together(browser: Browser, jobs: Sequence[Callable[[], T]]) -> list[T | BaseException]:
    """Run jobs that use Playwright's sync API concurrently, each in a greenlet of this thread.

    A sync call in a job switches to Playwright's dispatcher fiber (the event loop) until its result
    is there, which lets the other jobs go on: the way Playwright runs the sync API's event handlers.
    """
    from playwright._impl._greenlets import EventGreenlet, run_in_greenlet

    async def together() -> list[Any]:
        futures = [run_in_greenlet(EventGreenlet, job) for job in jobs]
        return list(await asyncio.gather(*futures, return_exceptions=True))

    done: list[T | BaseException] = browser._sync(together())
    return done


# ------------------------------------------------------------------ CPU from /proc
def _processes() -> dict[int, tuple[int, str, float]]:
    """pid: (parent pid, command line, CPU seconds used) of every process."""
    found: dict[int, tuple[int, str, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry)] = (int(fields[1]), cmdline, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
    return found


def _machine_busy_s() -> float:
    """CPU seconds the whole machine spent busy (all cores), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / CLOCK_TICKS


def _descendants(processes: dict[int, tuple[int, str, float]], roots: set[int]) -> set[int]:
    tree = set(roots) & processes.keys()
    grew = True
    while grew:
        more = {pid for pid, (parent, _, _) in processes.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return tree


def cpu_by_group(cluster: Cluster) -> dict[str, float]:
    """CPU seconds so far: client, app servers, nginx, PostgreSQL, and the machine as a whole."""
    processes = _processes()
    runner = {pid for pid, (parent, cmd, _) in processes.items() if parent == os.getpid() and "servers.py" in cmd}
    served = _descendants(processes, runner)
    nginx = {pid for pid in served if processes[pid][1].startswith("nginx")}
    port = cluster.db_url.rsplit(":", 1)[1].split("/")[0]
    postmaster = {pid for pid, (_, cmd, _) in processes.items() if "postgres" in cmd and f"-p {port}" in cmd}
    database = _descendants(processes, postmaster)
    client = _descendants(processes, {os.getpid()}) - served - database

    def seconds(pids: set[int]) -> float:
        return sum(processes[pid][2] for pid in pids)

    return {
        "client": seconds(client),
        "app servers": seconds(served - nginx),
        "nginx": seconds(nginx),
        "PostgreSQL": seconds(database),
        "machine": _machine_busy_s(),
    }


# ------------------------------------------------------------------ the browser phases
def _timed_save(session: Session, spot: Point, name: str, writers: int) -> Save:
    page = session.page
    page.evaluate(_WATCH, name)
    started = time.monotonic()
    server = _save(session, spot, name)
    flow_s = time.monotonic() - started
    stamps = page.evaluate("() => window.__abcdBench")
    if stamps["click"] is None or stamps["shown"] is None:
        msg = f"{name}: the page did not stamp the click or the acknowledgement: {stamps}"
        raise RuntimeError(msg)
    return Save(name, writers, server, stamps["click"] / 1000, stamps["shown"] / 1000, flow_s)


def run_phase(
    browser: Browser,
    sessions: list[Session],
    spots: Iterator[Point],
    names: Iterator[str],
    *,
    saves_each: int,
    stagger_s: float,
    cluster: Cluster,
) -> Phase:
    writers = len(sessions)
    saves: list[Save] = []
    errors: list[str] = []

    def writer(k: int, session: Session) -> None:
        if k:
            session.page.wait_for_timeout(k * stagger_s * 1000)
        for _ in range(saves_each):
            name = next(names)
            try:
                saves.append(_timed_save(session, next(spots), name, writers))
            except Exception as exc:  # counted and shown; the other writers go on
                errors.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
                return

    before = cpu_by_group(cluster)
    started = time.monotonic()
    run_together(browser, [partial(writer, k, session) for k, session in enumerate(sessions)])
    wall_s = time.monotonic() - started
    after = cpu_by_group(cluster)
    return Phase(writers, saves, wall_s, {group: after[group] - before[group] for group in before}, errors)


def open_sessions(browser: Browser, cluster: Cluster, count: int) -> list[Session]:
    """``count`` writers logged in through the proxy (which picks each one's server), a few at a time."""
    sessions: list[Session] = []
    while len(sessions) < count:
        batch = min(5, count - len(sessions))
        opened = run_together(browser, [lambda: _session(browser, cluster, None)] * batch)
        for result in opened:
            if isinstance(result, BaseException):
                raise result
            result.context.set_default_timeout(WAIT_MS)
            sessions.append(result)
    return sessions


# ------------------------------------------------------------------ the database alone
@dataclass
class DirectRun:
    threads: int
    add_asset_s: list[float]
    store_add_s: list[float]
    wall_s: float


def run_direct(db_url: str, botu_spots: list[Point], names: Iterator[str], *, threads: int, each: int) -> DirectRun:
    """``threads`` threads over two stores (as two servers) calling add_asset ``each`` times, as the page does."""
    catalogue = wijk_catalogue(WIJKEN_DIR)
    user = User(BUILDER, Role.BUILDER)
    stores = [Store.open_checked(db_url) for _ in range(2)]
    totals: list[float] = []
    writes: list[float] = []
    lock = threading.Lock()

    def timed_add(store: Store) -> Callable[..., Any]:
        add = store.add

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return add(*args, **kwargs)
            finally:
                with lock:
                    writes.append(time.perf_counter() - started)

        return timed

    for k, store in enumerate(stores):  # warm: the wijk's areas and the connection pool, as a running server has them
        spot = botu_spots[-1 - k]
        raw = {"name": next(names), "category": "association", "lon": spot.x, "lat": spot.y, "wijk": BOTU}
        add_asset(store, catalogue, raw, wijken_dir=WIJKEN_DIR, user=user, allow_duplicates=False)
        setattr(store, "add", timed_add(store))  # noqa: B010  (an instance attribute: only these stores)
    jobs = [[(next(names), botu_spots[(k * each + j) % len(botu_spots)]) for j in range(each)] for k in range(threads)]
    barrier = threading.Barrier(threads)

    def work(k: int) -> None:
        store = stores[k % 2]
        barrier.wait()
        for name, spot in jobs[k]:
            raw = {"name": name, "category": "association", "lon": spot.x, "lat": spot.y, "wijk": BOTU}
            started = time.perf_counter()
            add_asset(store, catalogue, raw, wijken_dir=WIJKEN_DIR, user=user, allow_duplicates=False)
            with lock:
                totals.append(time.perf_counter() - started)

    workers = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall_s = time.perf_counter() - started
    for store in stores:
        store.close()
    if len(totals) != threads * each:
        msg = f"{threads * each - len(totals)} direct add_asset call(s) failed"
        raise RuntimeError(msg)
    return DirectRun(threads, totals, writes, wall_s)


# ------------------------------------------------------------------ the count
def stored_names(db_url: str, run: str) -> dict[str, list[dt.datetime]]:
    """Every asset of this run by name: the ``changed_at`` of its ``create`` history row (one per copy)."""
    store = Store.open_checked(db_url)
    try:
        found: dict[str, list[dt.datetime]] = {}
        for asset in store.list_assets():
            if asset.name.endswith(run):
                created = [h.changed_at for h in store.history(asset.id) if h.action == "create"]
                found.setdefault(asset.name, []).extend(created)
        return found
    finally:
        store.close()


# ------------------------------------------------------------------ figures
def _ms(seconds: Sequence[float], q: float) -> str:
    if not seconds:
        return "-"
    ordered = sorted(seconds)
    if q == 0.5:
        return f"{statistics.median(ordered) * 1000:,.0f}"
    # nearest rank: the smallest value with at least q of the values at or below it
    return f"{ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000:,.0f}"


def print_figures(phases: list[Phase], direct: list[DirectRun], lost: int, conditions: str) -> None:
    print(f"\nSave latency: click on 'Opslaan' -> acknowledgement shown (ms). {conditions}")
    print(
        f"{'writers':>7} {'saves':>5} {'srv 1/2':>7} {'median':>7} {'p95':>7} {'max':>7} "
        f"{'->stored':>8} {'stored->':>8} {'flow':>6} {'saves/min':>9}"
    )
    for p in phases:
        lat = [s.latency_s for s in p.saves]
        to_db = [s.stored - s.click for s in p.saves if s.stored is not None]
        from_db = [s.shown - s.stored for s in p.saves if s.stored is not None]
        split = f"{sum(s.server == '1' for s in p.saves)}/{sum(s.server == '2' for s in p.saves)}"
        flow = statistics.median(s.flow_s for s in p.saves) if p.saves else float("nan")
        print(
            f"{p.writers:>7} {len(p.saves):>5} {split:>7} {_ms(lat, 0.5):>7} {_ms(lat, 0.95):>7} "
            f"{max(lat) * 1000 if lat else 0:>7,.0f} {_ms(to_db, 0.5):>8} {_ms(from_db, 0.5):>8} {flow:>5.1f}s "
            f"{len(p.saves) / p.wall_s * 60:>9.1f}"
        )
        for error in p.errors:
            print(f"        failed: {error}")
    print("  p95: nearest rank (with fewer than 20 saves, the largest); ->stored, stored->: medians of click ->")
    print("  the create row's time stamp and of that -> shown; flow: median of one whole save per writer")
    print("  (place the point, category, name, save); saves/min: all writers together, whole flow")
    cores = os.cpu_count() or 1
    groups = ("client", "app servers", "nginx", "PostgreSQL")
    print(f"\nCPU during each phase: share of the machine's {cores} cores, and CPU seconds per save")
    print(f"{'writers':>7} " + " ".join(f"{g:>12}" for g in (*groups, "other procs")) + "   s/save: client  app    pg")
    for p in phases:
        c = dict(p.cpu_s)
        c["other procs"] = max(0.0, c["machine"] - sum(c[g] for g in groups))
        shares = " ".join(f"{c[g] / (p.wall_s * cores):>12.0%}" for g in (*groups, "other procs"))
        n = max(1, len(p.saves))
        print(
            f"{p.writers:>7} {shares}   {c['client'] / n:>13.2f} {c['app servers'] / n:>5.2f} "
            f"{c['PostgreSQL'] / n:>5.2f}"
        )
    if direct:
        print("\nThe database alone: add_asset (what the save callback does) in threads over two Store objects (ms)")
        print(
            f"{'threads':>7} {'calls':>5} {'median':>7} {'p95':>7} {'Store.add median':>16} {'p95':>7} {'calls/min':>9}"
        )
        for d in direct:
            print(
                f"{d.threads:>7} {len(d.add_asset_s):>5} {_ms(d.add_asset_s, 0.5):>7} {_ms(d.add_asset_s, 0.95):>7} "
                f"{_ms(d.store_add_s, 0.5):>16} {_ms(d.store_add_s, 0.95):>7} "
                f"{len(d.add_asset_s) / d.wall_s * 60:>9,.0f}"
            )
    print(f"\nEvery acknowledged save in the database exactly once: {'yes' if not lost else f'NO ({lost} wrong)'}")


# ------------------------------------------------------------------ main
def _writer_counts(text: str) -> list[int]:
    counts = sorted({int(part) for part in text.split(",") if part.strip()})
    if not counts or counts[0] < 1:
        msg = f"writer counts must be positive numbers separated by commas: {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return counts


def _botu_spots(botu: Wijk, taken: list[Point], wanted: int) -> list[Point]:
    """Up to ``wanted`` spots of the test's grid in BoTu (clear of the examples and of each other)."""
    try:
        return _spots(botu, taken, wanted)
    except AssertionError as exc:  # fewer there: the saves cycle through them (names differ in number)
        found = re.search(r"only (\d+) clear spots", str(exc))
        if not found or not int(found.group(1)):
            raise
        return _spots(botu, taken, int(found.group(1)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=_writer_counts, default=[1, 5, 10, 20], help="e.g. 1,5,10,20")
    parser.add_argument("--saves", type=int, default=12, help="saves per phase at least (default 12)")
    parser.add_argument("--min-each", type=int, default=2, help="saves per writer at least (default 2)")
    parser.add_argument("--stagger", type=float, default=1.0, help="seconds between the writers' starts")
    parser.add_argument("--direct-each", type=int, default=10, help="add_asset calls per thread, database alone")
    parser.add_argument("--quick", action="store_true", help="1 and 5 writers, 10 saves a phase")
    args = parser.parse_args(argv)
    if args.quick:
        args.writers, args.saves, args.direct_each = [w for w in args.writers if w <= 5] or [1, 5], 10, 4
    run = uuid.uuid4().hex[:6]
    counter = iter(range(1, 1_000_000))
    names = (f"Club {n} {run}" for n in counter)
    botu = wijk_catalogue(WIJKEN_DIR)[BOTU]
    expect.set_options(timeout=WAIT_MS)
    started, load_before = time.monotonic(), os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="abcd-bench-") as tmp, running_cluster(Path(tmp)) as cluster:
        print(f"cluster ready in {time.monotonic() - started:.0f} s: {cluster.url}, servers on {cluster.ports}")
        store = Store.open_checked(cluster.db_url)
        try:
            examples = [a.point for a in store.list_assets()]
        finally:
            store.close()
        spot_list = _botu_spots(botu, examples, 400)
        spots = (spot_list[k % len(spot_list)] for k in range(1_000_000))
        phases: list[Phase] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, OFFLINE])
            sessions: list[Session] = []
            for writers in args.writers:
                t0 = time.monotonic()
                sessions += open_sessions(browser, cluster, writers - len(sessions))
                each = max(args.min_each, math.ceil(args.saves / writers))
                print(
                    f"{writers} writer(s) logged in ({time.monotonic() - t0:.0f} s); {each} saves each ...", flush=True
                )
                phase = run_phase(
                    browser, sessions[:writers], spots, names, saves_each=each, stagger_s=args.stagger, cluster=cluster
                )
                phases.append(phase)
                print(f"  {len(phase.saves)} saves in {phase.wall_s:.0f} s, {len(phase.errors)} failed", flush=True)
            reconnected = sum(s.sockets > 1 for s in sessions)
            browser.close()
        acknowledged = {s.name: s for p in phases for s in p.saves}
        found = stored_names(cluster.db_url, run)
        lost = sum(len(found.get(name, [])) != 1 for name in acknowledged) + len(set(found) - set(acknowledged))
        for name, save in acknowledged.items():
            if len(found.get(name, [])) == 1:
                stamp = found[name][0]
                save.stored = (stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)).timestamp()
        print("the database alone ...", flush=True)
        direct = [
            run_direct(cluster.db_url, spot_list, names, threads=threads, each=each)
            for threads, each in ((1, 2 * args.direct_each), (max(args.writers), args.direct_each))
        ]
    load = os.getloadavg()
    conditions = (
        f"Two app servers, nginx, PostGIS and up to {max(args.writers)} writers (one headless Chromium) on "
        f"{os.cpu_count()} cores; load average {load_before[0]:.1f} at the start, {load[0]:.1f} at the end; "
        f"{reconnected} session(s) reconnected; {time.monotonic() - started:.0f} s in all."
    )
    print_figures(phases, direct, lost, conditions)
    return 1 if lost or any(p.errors for p in phases) else 0


if __name__ == "__main__":
    raise SystemExit(main())
