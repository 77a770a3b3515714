"""Scale on PostGIS: one wijk's gap map from a fresh process, and the whole country in the database or in a process.

Run on demand (about 15 minutes on 2 cores; ``--quick`` about 3)::

    python bench/scale.py                # 3,340 CBS wijken, 1.5 million street segments, 100,000 initiatives
    python bench/scale.py --quick        # the same wijken, 150,000 segments, 10,000 initiatives

A throw-away PostgreSQL with PostGIS (``tests/postgres_support.py``, Debian's
server) gets the schema by ``abcd``'s migrations, every area of the shipped
catalogue (all 3,340 CBS wijken and 345 gemeenten of 2022, Rotterdam's
buurten and BoTu), a synthetic street network of the whole country and
resident initiatives, stored as the app stores them:

*streets*
    a grid per CBS wijk around its centre, of its own orientation and block
    size (60-140 m by 30-80 m, as ``bench/gaps.py`` makes them), together
    about the number of segments asked, written with ``COPY``; PostgreSQL
    computes the geometry column and its GiST index as it would for ``abcd
    init``;
*initiatives*
    four in five within about 20 m of a street, the rest anywhere within
    300 m, added with ``Store.add_many`` in batches of 10,000, so PostGIS
    places each in its wijk, gemeente and any buurt (``abcd.postgis``).

Then, each in a fresh process whose peak memory (max RSS) is measured:

1. *one wijk's gap map*: ``abcd gaps --wijk SLUG --out x.csv`` (what an
   officer's command or the Gatenkaart page does: read the wijk's streets
   and the initiatives near it, count, write), for a wijk of median size and
   the largest one; and the gap count alone (``gapmap.wijk_coverage``);
2. *the whole country, in the database*: ``Store.wijk_gap_figures`` on
   PostGIS: every segment's count (``Store.street_counts``) and the per-wijk
   sums in one SQL query; one row per wijk reaches the process;
3. *the whole country, in the process*: the same figures from
   ``gapmap.street_counts_here``: read every segment and initiative and count
   with ``abcd.gaps`` (what SQLite, or a process without PostGIS, does).

Both are compared wijk by wijk. Benchmarks print
figures and are never timed tests; the machine may be shared, so CPU time is
printed next to wall time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from abcd.model import AssetDraft, validate_asset  # noqa: E402
from abcd.places import from_rd, rd_geometry  # noqa: E402
from abcd.store import Store  # noqa: E402
from abcd.wijken import Wijk, wijk_catalogue  # noqa: E402

WIJKEN_DIR = ROOT / "data" / "wijken"
DISTANCE_M = 250.0
BATCH = 10_000


# --------------------------------------------------------------------------
# The data
# --------------------------------------------------------------------------


def national_streets(wijken: list[Wijk], segments: int, *, seed: int) -> pd.DataFrame:
    """About ``segments`` street segments as rows of (wijk, name, highway, osm_id, WKB in WGS84, RD geometry)."""
    rng = np.random.default_rng(seed)
    # Streets follow people: a wijk gets segments by its population (BoTu, 15,000 residents, has about 1,000).
    people = np.array([w.population or 0 for w in wijken], dtype=float)
    people[people <= 0] = np.median(people[people > 0])
    shares = segments * people / people.sum()
    centres = [rd_geometry(w.boundary.representative_point()) for w in wijken]
    parts: list[pd.DataFrame] = []
    next_id = 1
    for w, centre, per_wijk in zip(wijken, centres, shares, strict=True):
        aspect = rng.uniform(0.6, 1.6)
        nx = max(round(float(np.sqrt(per_wijk / 2 * aspect))), 3)
        ny = max(round(per_wijk / 2 / nx), 3)
        ii, jj = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
        block = (rng.uniform(60, 140), rng.uniform(30, 80))
        local = np.stack([ii * block[0], jj * block[1]], axis=-1) + rng.normal(0, 3, (nx, ny, 2))
        angle = rng.uniform(0, np.pi)
        rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        xy = (local - local.mean(axis=(0, 1))) @ rot.T + (centre.x, centre.y)
        a = np.concatenate([xy[:-1, :].reshape(-1, 2), xy[:, :-1].reshape(-1, 2)])
        b = np.concatenate([xy[1:, :].reshape(-1, 2), xy[:, 1:].reshape(-1, 2)])
        mid = (a + b) / 2 + rng.normal(0, 2, a.shape)
        street = np.concatenate([np.tile(np.arange(ny), nx - 1), ny + np.repeat(np.arange(nx), ny - 1)])
        count = len(a)
        parts.append(
            pd.DataFrame(
                {
                    "wijk": w.slug,
                    "name": [f"{w.name[:40]} straat {s + 1}" for s in street],
                    "highway": np.where(street % 5 == 0, "tertiary", "residential"),
                    "osm_id": [f"way/{k}" for k in range(next_id, next_id + count)],
                    "rd": shapely.linestrings(np.stack([a, mid, b], axis=1)),
                }
            )
        )
        next_id += count
    frame = pd.concat(parts, ignore_index=True)
    wgs84 = shapely.transform(frame["rd"].to_numpy(), _to_wgs84)
    frame["wkb"] = shapely.to_wkb(wgs84)
    return frame


def _to_wgs84(xy: np.ndarray) -> np.ndarray:
    lon, lat = from_rd().transform(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def initiatives_along(streets: pd.DataFrame, count: int, *, seed: int) -> list[AssetDraft]:
    """``count`` resident-led initiatives: four in five near a street, the rest within 300 m of one."""
    rng = np.random.default_rng(seed)
    lines = streets["rd"].to_numpy()
    pick = rng.integers(0, len(lines), count)
    on = shapely.get_coordinates(shapely.line_interpolate_point(lines[pick], rng.random(count), normalized=True))
    xy = np.where(
        (rng.random(count) < 0.8)[:, None], on + rng.normal(0, 20, (count, 2)), on + rng.uniform(-300, 300, (count, 2))
    )
    lonlat = _to_wgs84(xy)
    return [
        validate_asset({"name": f"Bewonersinitiatief {k + 1}", "category": "initiative", "lon": lon, "lat": lat})
        for k, (lon, lat) in enumerate(lonlat.tolist())
    ]


def copy_streets(url: str, streets: pd.DataFrame) -> None:
    """Write the segments with COPY (abcd's own insert does the same row by row) and mark the wijken onboarded."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    dsn = f"host={parsed.host} port={parsed.port} dbname={parsed.database} user={parsed.username}"
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        with cur.copy("COPY streets (wijk, name, highway, osm_id, geometry_wkb, in_wijk) FROM STDIN") as copy:
            for row in zip(
                streets["wijk"], streets["name"], streets["highway"], streets["osm_id"], streets["wkb"], strict=True
            ):
                copy.write_row((*row, True))
        cur.execute(
            "UPDATE wijken SET streets_loaded_at = now()::text WHERE slug IN (SELECT DISTINCT wijk FROM streets)"
        )
        cur.execute("ANALYZE")


# --------------------------------------------------------------------------
# Fresh processes
# --------------------------------------------------------------------------


# Every child reports its own peak memory: VmHWM of its address space. ru_maxrss would not do: Linux
# carries the parent's peak at fork into it, and this parent holds the whole synthetic country.
PEAK = (
    "import atexit, os, re\n"
    "def _peak():\n"
    "    kb = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
    "    open(os.environ['ABCD_BENCH_PEAK'], 'w').write(kb)\n"
    "atexit.register(_peak)\n"
)
CLI = "import sys; from abcd.cli import main; sys.argv[0] = 'abcd'; raise SystemExit(main())"


def child(code: str, args: list[str], env: dict[str, str], scratch: Path) -> tuple[float, float, float, str]:
    """Run Python ``code`` with ``args`` in a fresh process; (wall s, CPU s, its peak memory MB, stdout)."""
    peak_file = scratch / "peak"
    t0 = time.perf_counter()
    argv = [sys.executable, "-c", PEAK + code, *args]
    proc = subprocess.Popen(
        argv, env={**env, "ABCD_BENCH_PEAK": str(peak_file)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{args} failed:\n{err[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, int(peak_file.read_text()) / 1024, out


CHILD_CODE = {
    # One wijk's gap count, as the Gatenkaart page gets it (no catalogue, no file).
    # Only what every measurement below starts with: Python, abcd's imports, the database opened.
    "open": (
        "import sys, time; t = time.perf_counter(); from abcd.store import Store; from abcd import gapmap\n"
        "s = Store.open_checked(sys.argv[1]); s.wijk_slugs(); print(time.perf_counter() - t)"
    ),
    "wijk": (
        "import sys, time; t = time.perf_counter(); from abcd.store import Store; from abcd import gapmap\n"
        "s = Store.open_checked(sys.argv[1])\n"
        "c = gapmap.wijk_coverage(s, sys.argv[2], distance_m=250, mode='straight')\n"
        "print(len(c), int((c['initiatives'] == 0).sum()), time.perf_counter() - t)"
    ),
    "in_database": (
        "import sys, time; t = time.perf_counter(); from abcd.store import Store\n"
        "s = Store.open_checked(sys.argv[1]); f = s.wijk_gap_figures(250)\n"
        "f.to_pickle(sys.argv[2]); print(len(f), time.perf_counter() - t)"
    ),
    "in_process": (
        "import sys, time; t = time.perf_counter(); from abcd.store import Store; from abcd import gapmap\n"
        "s = Store.open_checked(sys.argv[1]); f = gapmap.wijk_figures_of(gapmap.street_counts_here(s, 250))\n"
        "f.to_pickle(sys.argv[2]); print(len(f), time.perf_counter() - t)"
    ),
}


def python_child(name: str, *args: str, env: dict[str, str], scratch: Path) -> tuple[float, float, float, str]:
    return child(CHILD_CODE[name], list(args), env, scratch)


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


@contextmanager
def database() -> Iterator[str]:
    """The URL of an empty database on a throw-away PostGIS server, stopped and deleted afterwards."""
    from tests.postgres_support import new_database, temporary_postgres

    with temporary_postgres() as server:
        yield new_database(server, "scale")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="150,000 segments and 10,000 initiatives")
    parser.add_argument("--segments", type=int, help="street segments in all (default 1,500,000)")
    parser.add_argument("--initiatives", type=int, help="initiatives in all (default 100,000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each fresh-process measurement (median)")
    parser.add_argument("--url", help="an existing PostGIS database to use (filled on the first run, then reused)")
    args = parser.parse_args(argv)
    segments = args.segments or (150_000 if args.quick else 1_500_000)
    count = args.initiatives or (10_000 if args.quick else 100_000)
    scratch = Path(tempfile.mkdtemp(prefix="abcd-scale-"))
    try:
        if args.url:
            measure(fill(args.url, segments, count), args.repeats, scratch)
        else:
            with database() as url:
                measure(fill(url, segments, count), args.repeats, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def fill(url: str, segments: int, count: int) -> str:
    """Store the areas, streets and initiatives (unless the database has streets already); returns ``url``."""
    store = Store.open(url)  # the migrations, as `abcd migrate` runs them
    with store.engine.connect() as conn:
        from sqlalchemy import text

        filled = conn.execute(text("SELECT count(*) FROM streets")).scalar_one()
    store.close()
    if filled:
        print(f"PostGIS scale bench on {url}: {filled:,} segments stored before")
        return url
    print(f"PostGIS scale bench: {segments:,} segments, {count:,} initiatives, distance {DISTANCE_M:g} m")
    build(url, segments, count)
    return url


def build(url: str, segments: int, count: int) -> None:
    t0 = time.perf_counter()
    store = Store.open(url)  # the migrations, as `abcd migrate` runs them
    catalogue = wijk_catalogue(WIJKEN_DIR)
    stored = store.save_areas([w.record() for w in catalogue.values()])
    print(f"  {stored:,} areas stored in {time.perf_counter() - t0:.1f} s")
    wijken = [w for w in catalogue.values() if w.kind == "cbs_wijk"]

    t0 = time.perf_counter()
    streets = national_streets(wijken, segments, seed=15)
    made = time.perf_counter() - t0
    t0 = time.perf_counter()
    copy_streets(url, streets)
    print(
        f"  {len(streets):,} segments in {len(wijken):,} wijken: "
        f"made in {made:.0f} s, stored in {time.perf_counter() - t0:.0f} s"
    )

    drafts = initiatives_along(streets, count, seed=16)
    t0 = time.perf_counter()
    batches = []
    for start in range(0, len(drafts), BATCH):
        b0 = time.perf_counter()
        store.add_many(drafts[start : start + BATCH], by="bench")
        batches.append(time.perf_counter() - b0)
    print(
        f"  {count:,} initiatives added in {time.perf_counter() - t0:.0f} s "
        f"({statistics.median(batches):.1f} s per {BATCH:,}, placed in their areas by PostGIS)"
    )
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        from sqlalchemy import text

        placed = conn.execute(text("SELECT count(DISTINCT asset_id) FROM asset_areas")).scalar_one()
        conn.execute(text("ANALYZE"))  # as autovacuum would soon: the planner's figures for the new rows
    print(f"  {placed:,} of {count:,} initiatives lie in a stored area")
    store.close()


def measure(url: str, repeats: int, scratch: Path) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        per_wijk = pd.Series(dict(conn.execute(text("SELECT wijk, count(*) FROM streets GROUP BY wijk")).all()))
    engine.dispose()

    env = {**os.environ, "ABCD_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    median_wijk = str(per_wijk.sort_values().index[len(per_wijk) // 2])
    largest = str(per_wijk.idxmax())
    print(f"\n1. one wijk's gap map from a fresh process (median of {repeats})")
    print(f"   {'wijk':<42} {'segments':>9} {'what':<26} {'wall s':>7} {'CPU s':>6} {'peak MB':>8}")
    runs = [python_child("open", url, env=env, scratch=scratch) for _ in range(repeats)]
    wall, cpu, peak = (statistics.median(r[k] for r in runs) for k in range(3))
    print(f"   {'(any wijk)':<42} {'':>9} {'start-up, nothing counted':<26} {wall:>7.2f} {cpu:>6.2f} {peak:>8.0f}")
    for slug in (median_wijk, largest):
        for what, code, args in (
            ("abcd gaps --wijk (CLI)", CLI, ["gaps", "--wijk", slug, "--out", str(scratch / "gaps.csv")]),
            ("gap count only", CHILD_CODE["wijk"], [url, slug]),
        ):
            runs = [child(code, args, env, scratch) for _ in range(repeats)]
            wall, cpu, peak = (statistics.median(r[k] for r in runs) for k in range(3))
            print(f"   {slug:<42} {per_wijk[slug]:>9,} {what:<26} {wall:>7.2f} {cpu:>6.2f} {peak:>8.0f}")

    print("\n2./3. the whole country's gap count, one run each in a fresh process")
    there = scratch / "in_database.pickle"
    here = scratch / "in_process.pickle"
    for label, name, out in (
        ("in the database (PostGIS)", "in_database", there),
        ("in the process (abcd.gaps)", "in_process", here),
    ):
        wall, cpu, peak, printed = python_child(name, url, str(out), env=env, scratch=scratch)
        wijken = int(printed.split()[0])
        print(
            f"   {label:<28} {wijken:>6,} wijken {wall:>8.1f} s wall {cpu:>7.1f} s CPU (process) {peak:>7.0f} MB peak"
        )
    a, b = pd.read_pickle(there), pd.read_pickle(here)
    same = a["wijk"].equals(b["wijk"]) and a["segments_without"].equals(b["segments_without"])
    close = same and np.allclose(a["length_without_m"], b["length_without_m"], rtol=1e-6)
    gaps_share = float(a["length_without_m"].sum() / a["length_m"].sum())
    print(
        f"   both give the same figures for all {len(a):,} wijken: {'yes' if close else 'NO'}; "
        f"{int(a['segments'].sum()):,} segments, {gaps_share:.1%} of the street length without an initiative "
        f"within {DISTANCE_M:g} m"
    )


if __name__ == "__main__":
    raise SystemExit(main())
