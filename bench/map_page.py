"""Benchmark of the Kaart page: server time of a warm rerun, and the bytes of map data it sends.

Run on demand::

    python bench/map_page.py                 # 500, 1,000 and 5,000 assets
    python bench/map_page.py --sizes 500     # one size
    python bench/map_page.py --profile 1000  # also cProfile warm reruns at that size

For every size a temporary SQLite database gets the shipped BoTu boundary and
streets (as ``abcd init`` does, without the examples), then that many assets
on the map: random points inside the BoTu boundary, spread evenly over the
seven categories the map draws, with Dutch names on real BoTu streets and
descriptions of 40-300 characters. One resident (category ``person``) is added
per seven of them as well, so all eight categories are in the database;
people are never drawn on the map (``abcd.assets.map_frame``), so they do not
count as map assets.

*Warm rerun*: ``AppTest.from_file(app.py)`` is run once (filling the
``st.cache_data`` caches), then ``at.run()`` is timed several times and the
median reported. The visitor is the public (no login), so the page is the
Kaart page. AppTest adds its own cost (it runs the script in a thread and
collects every element into a tree); the "AppTest floor" line is the median
rerun of a one-line script, for reference. A real server does not pay the tree
building but does serialise and send the messages.

*Map data*: the ``st_folium`` element's JSON arguments (``json_args``, UTF-8
bytes): the base map script (boundary, streets, legend) plus the asset layers
passed as ``feature_group``. Streamlit sends them on every rerun in which they
change (a ForwardMsg of 10 kB or more that the browser already holds is sent
as a hash reference instead), so this is what a phone downloads on the first
load and after every search, filter or new asset.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import logging
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# AppTest's bare-mode warnings ("missing ScriptRunContext") would bury the table.
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").disabled = True

from abcd.assets import buurt_at, prepare_drafts  # noqa: E402
from abcd.config import DEFAULT_WIJK  # noqa: E402
from abcd.model import Category, MeetingPlaceRole, validate_asset  # noqa: E402
from abcd.permissions import CLI_USER  # noqa: E402
from abcd.store import Store  # noqa: E402
from abcd.wijken import onboard_wijk, wijk_catalogue  # noqa: E402

WIJKEN_DIR = ROOT / "data" / "wijken"
APP = ROOT / "app.py"
SIZES = (500, 1_000, 5_000)
TARGET_RERUN_S = {500: 0.300}
TARGET_MAP_BYTES = {1_000: 500_000}
REPEATS = 7
SEED = 20_240_601

MAPPED = [c for c in Category if c is not Category.PERSON]

_FIRST = ["Fatima", "Jan", "Samira", "Kees", "Ayşe", "Mohamed", "Ria", "Dewi", "Priya", "Joost", "Esther", "Youssef"]
_TALENT = [
    "kookt Surinaams",
    "repareert fietsen",
    "geeft bijles wiskunde",
    "naait gordijnen",
    "knipt haar",
    "speelt gitaar",
    "kent de buurtgeschiedenis",
    "tuiniert op het dak",
    "doet de boekhouding",
]
_PATTERNS: dict[str, list[str]] = {
    "association": [
        "Voetbalclub {s}",
        "Naaiclub {s}",
        "Schaakvereniging {s}",
        "Bewonersvereniging {s}",
        "Zangkoor '{s}'",
        "Buurtsportclub {s}",
        "Vrouwengroep {s}",
    ],
    "initiative": [
        "Geveltuinen {s}",
        "Buurtmoestuin {s}",
        "Zwerfafval-ploeg {s}",
        "Ruilkast {s}",
        "Huiswerkhulp {s}",
        "Buurtkoelkast {s}",
        "Boekenkastje {s}",
    ],
    "institution": [
        "Basisschool {s}",
        "Bibliotheek {s}",
        "Huisartsenpraktijk {s}",
        "Wijkteam {s}",
        "Kinderopvang {s}",
        "Moskee {s}",
        "Kerk aan de {s}",
    ],
    "meeting_place": ["Buurthuis {s}", "Huiskamer van de {s}", "Wijkcentrum {s}", "Koffie & Co {s}", "Inloop {s}"],
    "place": ["Speeltuin {s}", "Pleintje {s}", "Trapveldje {s}", "Plantsoen {s}", "Bankje op de {s}"],
    "business": [
        "Bakkerij {s}",
        "Fietsenmaker {s}",
        "Kapsalon {s}",
        "Toko {s}",
        "Café {s}",
        "Groenteboer {s}",
        "Reparatiecafé {s}",
    ],
    "story": [
        "Verhaal: de haringpakkers van de {s}",
        "Verhaal: het bombardement op de {s}",
        "Verhaal: de eerste gastarbeiders in de {s}",
        "Verhaal: de havenstaking aan de {s}",
    ],
}
_SENTENCES = [
    "Elke dinsdagmiddag open voor iedereen uit de buurt.",
    "Bewoners organiseren dit zelf, zonder subsidie.",
    "Ook kinderen en ouderen zijn welkom; de koffie staat klaar.",
    "Samen met het opbouwwerk begonnen in 2019.",
    "Zoekt nog vrijwilligers voor de zaterdag.",
    "Spreekt Nederlands, Turks, Arabisch en Papiaments.",
    "Rolstoeltoegankelijk via de zij-ingang.",
    "Een plek waar buren elkaar leren kennen & helpen.",
    "Gratis, een vrijwillige bijdrage mag.",
    "In de zomer ook buiten, op het plein.",
]


@dataclass(frozen=True)
class Row:
    """One benchmark size."""

    assets: int
    people: int
    on_map: int
    rerun_median_s: float
    rerun_min_s: float
    cold_s: float
    map_bytes: int
    script_bytes: int
    layer_bytes: int


def street_names(store: Store) -> list[str]:
    names = store.streets(DEFAULT_WIJK)["name"].dropna()
    return sorted({part.strip() for value in names for part in str(value).split(";") if part.strip()})


def random_points(boundary: Any, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` uniform (lon, lat) points inside ``boundary`` (rejection sampling in its bounding box)."""
    minx, miny, maxx, maxy = boundary.bounds
    out: list[np.ndarray] = []
    count = 0
    while count < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(2 * n, 2))
        inside = xy[shapely.contains_xy(boundary, xy[:, 0], xy[:, 1])]
        out.append(inside)
        count += len(inside)
    return np.concatenate(out)[:n].round(6)


def raw_assets(
    n_map: int, n_people: int, boundary: Any, streets: list[str], seed: int, *, in_buurt: Any
) -> Iterator[dict[str, Any]]:
    """Raw input for ``n_map`` map assets, then ``n_people`` residents (whose points ``in_buurt`` accepts)."""
    rng = np.random.default_rng(seed)
    points = random_points(boundary, n_map, rng)
    if n_people:
        # A resident is stored at their CBS buurt's anchor; the buurten do not
        # cover every corner of the wijk (water, quays), so draw until inside one.
        candidates = random_points(boundary, 4 * n_people, rng)
        people = [xy for xy in candidates if in_buurt(float(xy[0]), float(xy[1]))][:n_people]
        points = np.concatenate([points, np.array(people).reshape(-1, 2)])
    today = date.today().isoformat()
    for i, (lon, lat) in enumerate(points):
        street = streets[int(rng.integers(len(streets)))]
        description = " ".join(rng.choice(_SENTENCES, size=int(rng.integers(1, 6)), replace=False))
        raw: dict[str, Any] = {"lon": float(lon), "lat": float(lat), "wijk": DEFAULT_WIJK, "description": description}
        if i >= n_map:
            raw.update(
                category=Category.PERSON.value,
                name=f"{_FIRST[i % len(_FIRST)]} {chr(65 + i % 26)}.",
                description=f"{_TALENT[i % len(_TALENT)].capitalize()}. {description}",
                consent_date=today, consent_recorded_by="bench", consent_purpose="benchmark",
            )  # fmt: skip
        else:
            category = MAPPED[i % len(MAPPED)]
            pattern = _PATTERNS[category.value][int(rng.integers(len(_PATTERNS[category.value])))]
            raw.update(category=category.value, name=f"{pattern.format(s=street)} {i}")
            if category is Category.INITIATIVE:
                raw["resident_led"] = bool(rng.random() < 0.8)
            if category is Category.MEETING_PLACE:
                raw["meeting_place_role"] = list(MeetingPlaceRole)[i % len(MeetingPlaceRole)].value
        yield raw


def seeded_database(folder: Path, n_map: int) -> tuple[str, int]:
    """A database with BoTu and ``n_map`` map assets (plus one person per seven); returns (url, people)."""
    url = f"sqlite:///{folder / f'abcd-{n_map}.db'}"
    store = Store.open(url)
    try:
        catalogue = wijk_catalogue(WIJKEN_DIR)
        botu = catalogue[DEFAULT_WIJK]
        onboard_wijk(store, botu, WIJKEN_DIR)
        people = n_map // len(MAPPED)
        raws = raw_assets(
            n_map, people, botu.boundary, street_names(store), SEED,
            in_buurt=lambda lon, lat: buurt_at(catalogue, lon, lat) is not None,
        )  # fmt: skip
        drafts = [validate_asset(raw) for raw in raws]
        store.add_many(prepare_drafts(store, catalogue, drafts, user=CLI_USER), by="bench")
    finally:
        store.close()
    return url, people


def folium_element(at: Any) -> Any:
    """The ``st_folium`` component element of the last AppTest run."""

    def walk(node: Any) -> Iterator[Any]:
        yield node
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                yield from walk(child)

    found = [n for n in walk(at._tree) if getattr(n, "component_name", None) == "streamlit_folium.st_folium"]
    if len(found) != 1:
        msg = f"expected one st_folium element, found {len(found)}"
        raise RuntimeError(msg)
    return found[0]


def timed_reruns(at: Any, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"the page failed: {at.exception}")
    return times


def measure(url: str, n_map: int, people: int, repeats: int) -> Row:
    from streamlit.testing.v1 import AppTest

    os.environ["ABCD_DATABASE_URL"] = url
    at = AppTest.from_file(str(APP), default_timeout=300)
    start = time.perf_counter()
    at.run()  # warm-up: fills the data caches for this database
    cold = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"the page failed: {at.exception}")
    times = timed_reruns(at, repeats)
    element = folium_element(at)
    text = element.proto.json_args
    args = json.loads(text)
    on_map = sum(len(m) for m in (json.loads(s) for s in _layer_data(args.get("feature_group") or "")))
    return Row(
        assets=n_map,
        people=people,
        on_map=on_map,
        rerun_median_s=statistics.median(times),
        rerun_min_s=min(times),
        cold_s=cold,
        map_bytes=len(text.encode("utf-8")),
        script_bytes=len(str(args.get("script", "")).encode("utf-8")),
        layer_bytes=len(str(args.get("feature_group", "")).encode("utf-8")),
    )


def _layer_data(feature_group_js: str) -> Iterator[str]:
    """The names of the pins embedded in the pin layers' script (``abcdPins(text, data)``), to count them."""
    marker = "abcdPins("
    decoder = json.JSONDecoder()
    pos = feature_group_js.find(marker)
    while pos != -1:
        _, end = decoder.raw_decode(feature_group_js, pos + len(marker))  # the layer's labels
        start = feature_group_js.index("{", end)
        data, end = decoder.raw_decode(feature_group_js, start)
        yield json.dumps(data["n"])
        pos = feature_group_js.find(marker, end)


def apptest_floor(folder: Path, repeats: int) -> float:
    from streamlit.testing.v1 import AppTest

    script = folder / "floor.py"
    script.write_text('import streamlit as st\nst.write("x")\n')
    at = AppTest.from_file(str(script))
    at.run()
    return statistics.median(timed_reruns(at, repeats))


def profile(url: str, repeats: int, top: int = 30) -> None:
    """cProfile the script thread of ``repeats`` warm reruns (AppTest runs the page in its own thread)."""
    import threading

    from streamlit.testing.v1 import AppTest

    os.environ["ABCD_DATABASE_URL"] = url
    at = AppTest.from_file(str(APP), default_timeout=300)
    at.run()
    profiles: list[cProfile.Profile] = []
    original = threading.Thread.run

    def profiled_run(self: threading.Thread) -> None:
        profiler = cProfile.Profile()
        profiles.append(profiler)
        profiler.runcall(original, self)

    threading.Thread.run = profiled_run  # type: ignore[method-assign]
    try:
        timed_reruns(at, repeats)
    finally:
        threading.Thread.run = original  # type: ignore[method-assign]
    stats = pstats.Stats(*profiles) if profiles else None
    if stats is None:
        print("no script thread was profiled")
        return
    print(f"\ncProfile of {repeats} warm reruns (script thread), by cumulative time:")
    stats.sort_stats("cumulative").print_stats(top)
    print("by own time:")
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="numbers of map assets")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="timed warm reruns per size")
    parser.add_argument("--profile", type=int, metavar="N", help="also profile warm reruns with N assets")
    args = parser.parse_args(argv)

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="abcd-bench-") as tmp:
        folder = Path(tmp)
        floor = apptest_floor(folder, args.repeats)
        urls: dict[int, str] = {}
        for n in args.sizes:
            start = time.perf_counter()
            urls[n], people = seeded_database(folder, n)
            seeded = time.perf_counter() - start
            rows.append(measure(urls[n], n, people, args.repeats))
            print(f"  {n:>6,} map assets + {people:,} people seeded in {seeded:.1f} s", file=sys.stderr)
        print_table(rows, floor, args.repeats)
        if args.profile:
            url = urls.get(args.profile) or seeded_database(folder, args.profile)[0]
            profile(url, args.repeats)
    failed = [r for r in rows if verdicts(r) and "FAIL" in verdicts(r)]
    return 1 if failed else 0


def verdicts(row: Row) -> str:
    out = []
    if row.assets in TARGET_RERUN_S:
        ok = row.rerun_median_s <= TARGET_RERUN_S[row.assets]
        out.append(f"rerun <= {TARGET_RERUN_S[row.assets] * 1000:.0f} ms: {'pass' if ok else 'FAIL'}")
    if row.assets in TARGET_MAP_BYTES:
        ok = row.map_bytes <= TARGET_MAP_BYTES[row.assets]
        out.append(f"map <= {TARGET_MAP_BYTES[row.assets] / 1000:.0f} kB: {'pass' if ok else 'FAIL'}")
    return "; ".join(out)


def print_table(rows: list[Row], floor: float, repeats: int) -> None:
    print(f"\nKaart page, public visitor, AppTest; median of {repeats} warm reruns; 1 kB = 1,000 bytes")
    header = (
        f"{'assets':>7} {'on map':>7} {'people':>6} {'warm rerun':>11} {'(min)':>8} {'first run':>10} "
        f"{'map data':>9} {'base map':>9} {'assets':>9}  targets"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        counts = f"{r.assets:>7,} {r.on_map:>7,} {r.people:>6,}"
        times = f"{r.rerun_median_s * 1000:>8.0f} ms {r.rerun_min_s * 1000:>5.0f} ms {r.cold_s:>8.2f} s"
        sizes = f"{r.map_bytes / 1000:>6.0f} kB {r.script_bytes / 1000:>6.0f} kB {r.layer_bytes / 1000:>6.0f} kB"
        print(f"{counts} {times} {sizes}  {verdicts(r)}")
    print(f"AppTest floor (one-line script): {floor * 1000:.1f} ms per rerun")
    print("map data = st_folium json_args (base map script + asset layers + options), UTF-8")


if __name__ == "__main__":
    sys.exit(main())
