"""PostGIS answers the store's spatial questions as the process does on SQLite (abcd.postgis, issue 15).

The same areas, streets and assets go into an SQLite store and a PostgreSQL
store; area membership (points on, just inside and just outside boundaries,
around the 15 m tolerance), the assets near a street and the initiatives per
street segment must agree. On PostgreSQL the process never builds the index
of every boundary: the database finds the areas.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point
from sqlalchemy import text

from abcd.model import AssetDraft
from abcd.places import TOLERANCE_M, from_rd, rd_geometry
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import make_draft
from tests.postgres_support import new_database, temporary_postgres


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    with temporary_postgres() as url:
        yield url


@pytest.fixture(scope="module")
def both(
    pg_server: str,
    tmp_path_factory: pytest.TempPathFactory,
    catalogue: dict[str, Wijk],
    botu: Wijk,
    botu_streets: gpd.GeoDataFrame,
) -> Iterator[tuple[Store, Store]]:
    """(SQLite, PostgreSQL) stores with BoTu, its streets, and every catalogue area that touches BoTu."""
    pg = Store.open(new_database(pg_server, "queries"))
    lite = Store.open(f"sqlite:///{tmp_path_factory.mktemp('lite')}/abcd.db")
    around = [w.record() for w in catalogue.values() if w.slug != botu.slug and w.boundary.intersects(botu.boundary)]
    assert {a.kind for a in around} >= {"cbs_buurt", "gemeente"}  # nested areas of several kinds
    for store in (lite, pg):
        store.save_areas(around)
        store.save_wijk(botu.record(), botu_streets.copy())
    yield lite, pg
    pg.close()
    lite.close()


@pytest.fixture
def stores(both: tuple[Store, Store], botu: Wijk) -> tuple[Store, Store]:
    """The two stores without assets, BoTu as shipped: each test adds its own."""
    for store in both:
        store.save_areas([botu.record()])
        with store.engine.begin() as conn:
            for table in ("asset_areas", "asset_history", "assets"):
                conn.execute(text(f"DELETE FROM {table}"))
    return both


def _near_boundaries(botu: Wijk, catalogue: dict[str, Wijk]) -> list[tuple[float, float]]:
    """Points on, just inside and just outside the boundaries around BoTu, at distances around the tolerance."""
    rng = np.random.default_rng(15)
    lines = [rd_geometry(w.boundary.boundary) for w in catalogue.values() if w.boundary.intersects(botu.boundary)]
    points: list[tuple[float, float]] = []
    to_wgs84 = from_rd()
    for line in lines:
        for along in rng.uniform(0, line.length, 12):
            on = line.interpolate(along)
            nudge = line.interpolate(along + 1.0)
            dx, dy = nudge.x - on.x, nudge.y - on.y
            norm = float(np.hypot(dx, dy)) or 1.0
            for offset in (
                0.0,
                5.0,
                -5.0,
                TOLERANCE_M - 1,
                -(TOLERANCE_M - 1),
                TOLERANCE_M + 1,
                -(TOLERANCE_M + 1),
                40.0,
            ):
                x, y = on.x - dy / norm * offset, on.y + dx / norm * offset
                lon, lat = to_wgs84.transform(x, y)
                points.append((float(lon), float(lat)))
    minx, miny, maxx, maxy = botu.boundary.bounds
    points += [
        (float(x), float(y)) for x, y in zip(rng.uniform(minx, maxx, 60), rng.uniform(miny, maxy, 60), strict=True)
    ]
    return points


def _drafts(points: list[tuple[float, float]]) -> list[AssetDraft]:
    return [make_draft(name=f"Plek {k}", lon=lon, lat=lat) for k, (lon, lat) in enumerate(points)]


def test_area_membership_on_postgis_is_the_processs_rule(
    stores: tuple[Store, Store], botu: Wijk, catalogue: dict[str, Wijk]
) -> None:
    lite, pg = stores
    points = _near_boundaries(botu, catalogue)
    drafts = _drafts(points)
    on_lite = lite.areas_of(a.id for a in lite.add_many(drafts, by="t"))
    on_pg = pg.areas_of(a.id for a in pg.add_many(drafts, by="t"))
    assert pg._places is None  # the process never loaded the boundaries: the database placed the points
    lite_areas = [on_lite[a.id] for a in sorted(lite.list_assets(), key=lambda a: a.name)]
    pg_areas = [on_pg[a.id] for a in sorted(pg.list_assets(), key=lambda a: a.name)]
    assert pg_areas == lite_areas
    assert sum(1 for a in pg_areas if not a) > 10 and sum(1 for a in pg_areas if botu.slug in a) > 100
    for lon, lat in points[::17]:
        assert pg.areas_at(lon, lat) == lite.areas_at(lon, lat)


def test_a_moved_asset_and_a_changed_boundary_are_placed_again_by_the_database(
    stores: tuple[Store, Store], botu: Wijk
) -> None:
    _lite, pg = stores
    inside = botu.boundary.representative_point()
    asset = pg.add(make_draft(name="Buurthuis", lon=inside.x, lat=inside.y), by="t")
    assert botu.slug in pg.areas_of([asset.id])[asset.id]
    moved = pg.update(asset.id, asset.draft(lon=4.40, lat=51.95), by="t", expected_version=asset.version)
    assert botu.slug not in pg.areas_of([moved.id])[moved.id]
    bigger = botu.record()
    pg.save_areas([replace(bigger, boundary=bigger.boundary.union(Point(4.40, 51.95).buffer(0.01)))])
    assert botu.slug in pg.areas_of([moved.id])[moved.id]


def test_assets_near_a_street_agree_and_use_the_area_of_activity(stores: tuple[Store, Store], botu: Wijk) -> None:
    lite, pg = stores
    street = next(n for n in lite.streets(botu.slug)["name"] if n)
    line = shapely.union_all(lite.streets(botu.slug).query("name == @street").geometry.values)
    rd = rd_geometry(line)
    to_wgs84 = from_rd()
    spots = []
    for offset in (5.0, 60.0, 149.0, 151.0, 400.0):
        x, y = rd.interpolate(0.5, normalized=True).coords[0]
        lon, lat = to_wgs84.transform(x + offset, y + offset)
        spots.append(make_draft(name=f"Op {offset:g} m", category="initiative", lon=float(lon), lat=float(lat)))
    far = rd.interpolate(0.5, normalized=True)
    area = shapely.transform(
        Point(far.x + 900, far.y).buffer(850), lambda xy: np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1]))
    )
    lon, lat = to_wgs84.transform(far.x + 900, far.y)
    spots.append(make_draft(name="Met gebied", category="initiative", lon=float(lon), lat=float(lat), area=area.wkt))
    for store in (lite, pg):
        store.add_many(spots, by="t")
    found = {s: [(a.name, round(m, 2)) for a, m in s.assets_near_street(botu.slug, street, 150.0)] for s in (lite, pg)}
    names = [n for n, _ in found[pg]]
    assert "Op 5 m" in names and "Met gebied" in names and "Op 400 m" not in names
    assert [n for n, _ in found[lite]] == names
    assert np.allclose([m for _, m in found[lite]], [m for _, m in found[pg]], atol=0.05)
    assert [m for _, m in found[pg]] == sorted(m for _, m in found[pg])
    only = pg.assets_near_street(botu.slug, street, 150.0, categories=("association",))
    assert all(a.category.value == "association" for a, _ in only)


def test_initiatives_per_street_counted_in_the_database_match_the_process(
    stores: tuple[Store, Store], botu: Wijk
) -> None:
    lite, pg = stores
    rng = np.random.default_rng(7)
    minx, miny, maxx, maxy = botu.boundary.bounds
    drafts = [
        make_draft(name=f"Initiatief {k}", category="initiative", lon=float(x), lat=float(y), resident_led=bool(k % 5))
        for k, (x, y) in enumerate(zip(rng.uniform(minx, maxx, 40), rng.uniform(miny, maxy, 40), strict=True))
    ]
    for store in (lite, pg):
        store.add_many(drafts, by="t")
    here = lite.street_counts(150.0)
    there = pg.street_counts(150.0)
    assert len(there) == len(here) == len(lite.streets(botu.slug)) > 100
    assert there["initiatives"].tolist() == here["initiatives"].tolist()
    assert there["name"].tolist() == here["name"].tolist()
    assert np.allclose(there["length_m"], here["length_m"], rtol=1e-3)
    assert 0 < (there["initiatives"] == 0).sum() < len(there)  # some gaps, not only gaps
    assert pg.street_counts(150.0, wijk="nergens").empty
    per_wijk = {s: s.wijk_gap_figures(150.0) for s in (lite, pg)}  # summed in the database, or here
    assert per_wijk[pg]["wijk"].tolist() == per_wijk[lite]["wijk"].tolist() == [botu.slug]
    for column in ("segments", "segments_without"):
        assert per_wijk[pg][column].tolist() == per_wijk[lite][column].tolist()
    assert per_wijk[pg].loc[0, "segments_without"] == (there["initiatives"] == 0).sum() > 0
    assert np.allclose(
        per_wijk[pg][["length_m", "length_without_m", "mean_initiatives"]],
        per_wijk[lite][["length_m", "length_without_m", "mean_initiatives"]],
        rtol=1e-3,
    )
    with pg.engine.connect() as conn:  # the not resident-led ones were left out by the SQL too
        led = conn.execute(text("SELECT count(*) FROM assets WHERE resident_led IS false")).scalar_one()
    assert led == 8


def test_assets_near_a_box_on_postgis_reads_only_what_is_near(stores: tuple[Store, Store], botu: Wijk) -> None:
    _lite, pg = stores
    inside = botu.boundary.representative_point()
    near = pg.add(make_draft(name="Dichtbij", lon=inside.x, lat=inside.y), by="t")
    far = pg.add(make_draft(name="Ver weg", lon=5.9, lat=52.2), by="t")
    reaching = pg.add(
        make_draft(
            name="Groot gebied", category="initiative", lon=4.3, lat=51.85, area=Point(4.3, 51.85).buffer(0.15).wkt
        ),
        by="t",
    )
    found = {a.id for a in pg.assets_near(botu.boundary.bounds, margin_m=100)}
    assert near.id in found and reaching.id in found and far.id not in found
