"""Benchmark of :mod:`abcd.gaps` on synthetic street grids in RD New.

Run on demand::

    python bench/gaps.py          # wijk, city, national, network 250k nodes, naive baseline
    python bench/gaps.py --quick  # only the smaller sizes

Streets are a jittered square grid (100 m blocks, like a Rotterdam
neighbourhood) of two-point segments sharing their junctions exactly;
initiatives are uniform random points over the grid. Building the input frames
is not timed; one call of :func:`abcd.gaps.street_coverage` (validation, copy
and result columns included) is. Reported time is the best of a few runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from abcd.gaps import DEFAULT_DISTANCE_M, Mode, street_coverage

ORIGIN = (85_000.0, 430_000.0)  # Rotterdam, RD New metres
BLOCK_M = 100.0


@dataclass(frozen=True)
class Case:
    """One benchmark row."""

    name: str
    mode: Mode
    segments: int
    initiatives: int
    target_s: float | None
    repeats: int


def grid_streets(min_segments: int, *, seed: int) -> tuple[gpd.GeoDataFrame, int]:
    """A jittered n x n grid with at least ``min_segments`` segments; returns (frame, nodes)."""
    n = int(np.ceil((1 + np.sqrt(1 + 2 * min_segments)) / 2))
    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    nodes = np.stack([ii, jj], axis=-1) * BLOCK_M + rng.uniform(-10, 10, (n, n, 2)) + ORIGIN
    start = np.concatenate([nodes[:-1, :].reshape(-1, 2), nodes[:, :-1].reshape(-1, 2)])
    end = np.concatenate([nodes[1:, :].reshape(-1, 2), nodes[:, 1:].reshape(-1, 2)])
    lines = shapely.linestrings(np.stack([start, end], axis=1))
    frame = gpd.GeoDataFrame({"highway": np.full(lines.size, "residential")}, geometry=lines, crs=28992)
    return frame, n * n


def random_initiatives(streets: gpd.GeoDataFrame, count: int, *, seed: int) -> gpd.GeoDataFrame:
    """Resident-led initiatives scattered uniformly over the streets' extent."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = streets.total_bounds
    xy = rng.uniform((x0, y0), (x1, y1), (count, 2))
    return gpd.GeoDataFrame(
        {"category": np.full(count, "initiative"), "resident_led": np.ones(count, dtype=bool)},
        geometry=shapely.points(xy),
        crs=28992,
    )


def best_time(run: Callable[[], object], repeats: int) -> float:
    """Best wall time of ``repeats`` runs, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return best


def naive_seconds(streets: gpd.GeoDataFrame, assets: gpd.GeoDataFrame, *, sample: int, seed: int) -> float:
    """Time of a Python loop over segments (buffer + intersects + nearest), scaled up to all segments."""
    rng = np.random.default_rng(seed)
    geoms = np.asarray(streets.geometry.values)
    pick = geoms[rng.choice(geoms.size, size=min(sample, geoms.size), replace=False)]
    points = np.asarray(assets.geometry.values)
    t0 = time.perf_counter()
    for segment in pick:
        zone = segment.buffer(DEFAULT_DISTANCE_M)
        shapely.prepare(zone)
        count = int(shapely.intersects(zone, points).sum())
        nearest = float(shapely.distance(segment, points).min())
        _ = (count, nearest)
    elapsed = time.perf_counter() - t0
    return elapsed * geoms.size / pick.size


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the smaller sizes")
    args = parser.parse_args(argv)

    cases = [
        Case("wijk", "straight", 2_000, 50, None, 5),
        Case("wijk", "network", 2_000, 50, None, 5),
        Case("city", "straight", 100_000, 10_000, 1.0, 3),
    ]
    if args.quick:
        cases.append(Case("network 50k nodes", "network", 100_000, 5_000, None, 2))
    else:
        cases += [
            Case("network 250k nodes", "network", 500_000, 25_000, 1.0, 3),
            Case("national", "straight", 1_000_000, 100_000, 10.0, 2),
        ]

    header = (
        f"{'case':<20} {'mode':<9} {'segments':>10} {'nodes':>9} {'initiatives':>11} {'seconds':>8} {'target':>7} ok"
    )
    print(f"abcd.gaps benchmark, distance {DEFAULT_DISTANCE_M} m, best of N runs")
    print(header)
    print("-" * len(header))
    city_seconds = None
    city_frames = None
    for k, case in enumerate(cases):
        streets, nodes = grid_streets(case.segments, seed=k)
        assets = random_initiatives(streets, case.initiatives, seed=100 + k)
        seconds = best_time(
            lambda: street_coverage(streets, assets, distance_m=DEFAULT_DISTANCE_M, mode=case.mode),  # noqa: B023
            case.repeats,
        )
        if case.name == "city":
            city_seconds, city_frames = seconds, (streets, assets)
        target = f"{case.target_s:.1f}" if case.target_s else "-"
        ok = "-" if case.target_s is None else ("yes" if seconds <= case.target_s else "NO")
        print(
            f"{case.name:<20} {case.mode:<9} {len(streets):>10,} {nodes:>9,} {case.initiatives:>11,} "
            f"{seconds:>8.3f} {target:>7} {ok}"
        )

    if city_seconds is not None and city_frames is not None:
        streets, assets = city_frames
        naive = naive_seconds(streets, assets, sample=500, seed=7)
        ratio = naive / city_seconds
        print(
            f"{'naive loop (city)':<20} {'straight':<9} {len(streets):>10,} {'':>9} {len(assets):>11,} "
            f"{naive:>8.1f} {'':>7}  (est. from 500 segments)"
        )
        print(f"speed-up of street_coverage over the naive loop at city scale: {ratio:,.0f}x (target >= 20x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
