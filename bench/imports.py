"""Benchmark of ``abcd import`` against the speed of the file itself.

Run on demand::

    python bench/imports.py                 # 20,000 rows
    python bench/imports.py --rows 5000     # another size
    python bench/imports.py --profile       # also cProfile the import

A CSV file of that many rows (random points inside the BoTu boundary, spread
over the seven mapped categories, distinct Dutch names) is imported into a
fresh SQLite database that holds only the shipped BoTu boundary and streets.

*Baseline*: reading the same file with geopandas (pyogrio) and inserting its
rows, with one history row each, into the same tables through the standard
library's ``sqlite3.executemany`` in one transaction: about the least any
import can do. *abcd*: ``abcd.exchange.import_assets`` as ``abcd import``
runs it (validation, placement, the duplicate check, the batch), with the
wijk catalogue and its spatial index loaded beforehand as in a running app.
Each is run ``--repeats`` times on a fresh database; the medians and their
ratio are printed, of elapsed time and of processor time (the machine is
shared: elapsed time swings with what else runs). The goal (issue 13) is at
most 1.2x.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import json
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from abcd import exchange, schema  # noqa: E402
from abcd.config import DEFAULT_WIJK  # noqa: E402
from abcd.model import Category  # noqa: E402
from abcd.records import iso_utc, utcnow  # noqa: E402
from abcd.store import Store  # noqa: E402
from abcd.wijken import onboard_wijk, wijk_catalogue  # noqa: E402

WIJKEN_DIR = ROOT / "data" / "wijken"
TARGET_RATIO = 1.2
SEED = 20_261_201
MAPPED = [c.value for c in Category if c is not Category.PERSON]
_WORDS = ["Buurt", "Club", "Moestuin", "Koor", "Atelier", "Werkplaats", "Huiskamer", "Speeltuin", "Bakker", "Kapper"]


def write_file(path: Path, rows: int) -> None:
    """``rows`` assets in BoTu as a CSV with ``lat``/``lon`` columns."""
    boundary = wijk_catalogue(WIJKEN_DIR)[DEFAULT_WIJK].boundary
    rng = np.random.default_rng(SEED)
    minx, miny, maxx, maxy = boundary.bounds
    points: list[tuple[float, float]] = []
    while len(points) < rows:
        xs = rng.uniform(minx, maxx, rows)
        ys = rng.uniform(miny, maxy, rows)
        inside = shapely.contains_xy(boundary.buffer(-0.0002), xs, ys)
        points.extend(zip(xs[inside].tolist(), ys[inside].tolist(), strict=True))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "category", "description", "lat", "lon"])
        for k, (lon, lat) in enumerate(points[:rows]):
            name = f"{_WORDS[k % len(_WORDS)]} {k:05d}"
            writer.writerow(
                [name, MAPPED[k % len(MAPPED)], f"Voorbeeld {k} voor de benchmark", f"{lat:.7f}", f"{lon:.7f}"]
            )


def fresh_store(folder: Path) -> tuple[Store, Path]:
    db = folder / f"abcd-{uuid.uuid4().hex[:8]}.db"
    store = Store.open(f"sqlite:///{db}")
    catalogue = wijk_catalogue(WIJKEN_DIR)
    onboard_wijk(store, catalogue[DEFAULT_WIJK], WIJKEN_DIR)
    _ = catalogue.index  # built once per process, like the catalogue itself (a running app has both)
    return store, db


def baseline(path: Path, db: Path) -> tuple[float, float]:
    """Read with geopandas, insert rows and history rows with ``sqlite3.executemany`` in one transaction.

    Returns the seconds it took and the processor seconds it used.
    """
    start, cpu = time.perf_counter(), time.process_time()
    frame = gpd.read_file(path, X_POSSIBLE_NAMES="lon", Y_POSSIBLE_NAMES="lat", use_arrow=True)
    now = iso_utc(utcnow())
    ids = [str(uuid.uuid4()) for _ in range(len(frame))]
    lons, lats = frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()
    names, categories, descriptions = (frame[c].tolist() for c in ("name", "category", "description"))
    assets = [
        (i, n, c, d, "import", float(x), float(y), "approved", now[:10], 1, now, "bench", now, "bench")
        for i, n, c, d, x, y in zip(ids, names, categories, descriptions, lons, lats, strict=True)
    ]
    history = [
        (i, 1, "create", "bench", now, json.dumps({"name": n, "category": c, "description": d, "lon": x, "lat": y}))
        for i, n, c, d, x, y in zip(ids, names, categories, descriptions, lons.tolist(), lats.tolist(), strict=True)
    ]
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO assets (id, name, category, description, source, lon, lat, status, last_confirmed, version,"
            " created_at, created_by, updated_at, updated_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            assets,
        )
        conn.executemany(
            "INSERT INTO asset_history (asset_id, version, action, changed_by, changed_at, new_values)"
            " VALUES (?,?,?,?,?,?)",
            history,
        )
    return time.perf_counter() - start, time.process_time() - cpu


def abcd_import(path: Path, store: Store) -> tuple[float, float]:
    """``abcd import`` of the file; the seconds it took and the processor seconds it used."""
    catalogue = wijk_catalogue(WIJKEN_DIR)
    start, cpu = time.perf_counter(), time.process_time()
    result = exchange.import_assets(store, path, catalogue=catalogue, wijken_dir=WIJKEN_DIR, by="bench")
    elapsed = time.perf_counter() - start, time.process_time() - cpu
    assert result.created > 0, result
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    assert {c.name for c in schema.assets.columns} >= {"id", "name", "lon", "lat"}
    with tempfile.TemporaryDirectory(prefix="abcd-bench-") as name:
        folder = Path(name)
        path = folder / "assets.csv"
        write_file(path, args.rows)
        base, ours = [], []
        for _ in range(args.repeats):
            store, db = fresh_store(folder)
            store.close()
            base.append(baseline(path, db))
            store, _ = fresh_store(folder)
            ours.append(abcd_import(path, store))
            store.close()
        b, o = (statistics.median(t for t, _ in runs) for runs in (base, ours))
        bc, oc = (statistics.median(c for _, c in runs) for runs in (base, ours))
        print(f"rows: {args.rows:,}  (median of {args.repeats})")
        print(f"  baseline (geopandas + sqlite3.executemany): {b:6.2f} s  ({bc:5.2f} s processor)")
        print(f"  abcd import:                                {o:6.2f} s  ({oc:5.2f} s processor)")
        verdict = "ok" if o / b <= TARGET_RATIO else f"goal {TARGET_RATIO}x"
        print(f"  ratio: {o / b:.2f}x  ({verdict}); processor time {oc / bc:.2f}x (steadier on a busy machine)")
        if args.profile:
            store, _ = fresh_store(folder)
            profiler = cProfile.Profile()
            profiler.enable()
            abcd_import(path, store)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


if __name__ == "__main__":
    main()
