"""Assets are places: the areas an asset belongs to follow from where it is, at every level, everywhere.

What a user saw before: the CBS wijk Delfshaven (around BoTu) showed none of
BoTu's initiatives, Taandersstraat had 2 initiatives in the BoTu export and 0
in the Tussendijken one, and a BoTu street 32 m from an initiative across the
border was "needs support, nearest 374 m". Each test below holds the fix.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box
from streamlit.testing.v1 import AppTest

from abcd import assets as uc
from abcd import exchange
from abcd.cli import main as cli_main
from abcd.errors import ImportFileError
from abcd.gapmap import wijk_coverage
from abcd.model import RD_NEW, WGS84, Status
from abcd.permissions import PermissionDeniedError, Role, User
from abcd.places import TOLERANCE_M, Area, AreaIndex
from abcd.store import Store
from abcd.wijken import Catalogue, ensure_area, ensure_wijk
from tests.helpers import BOTU, INSIDE_BOTU, NORTH_SEA, OUDE_WESTEN, ROOT, make_draft
from tests.helpers import WIJKEN_DIR as DATA

TUSSENDIJKEN, DELFSHAVEN = "tussendijken", "wijk-delfshaven"


# --------------------------------------------------------------- the rule
def _rd_box(x: float, y: float, size: float) -> shapely.Polygon:
    corners = gpd.GeoSeries([box(x, y, x + size, y + size)], crs=RD_NEW).to_crs(WGS84)
    return corners.iloc[0]


def _rd_point(x: float, y: float) -> tuple[float, float]:
    point = gpd.GeoSeries([Point(x, y)], crs=RD_NEW).to_crs(WGS84).iloc[0]
    return point.x, point.y


def test_covering_areas_win_and_a_kerb_side_point_goes_to_the_nearest_of_its_kind() -> None:
    west, east = _rd_box(90_000, 437_000, 1000), _rd_box(91_000, 437_000, 1000)
    index = AreaIndex([Area("west", "wijk", west), Area("oost", "wijk", east), Area("eigen", "custom", west)])
    assert index.areas_at(*_rd_point(90_500, 437_500)) == ("eigen", "west")
    # 10 m outside every wijk: the nearest one (and the custom area, of its own kind, too).
    assert index.areas_at(*_rd_point(89_990, 437_500)) == ("eigen", "west")
    # On the shared side, 10 m into the east: the east covers it, so the west's tolerance does not reach over
    # (the custom area has no neighbour of its kind: its tolerance does).
    assert index.areas_at(*_rd_point(91_010, 437_500)) == ("eigen", "oost")
    # Farther out than the tolerance: in nothing.
    assert index.areas_at(*_rd_point(90_000 - 3 * TOLERANCE_M, 437_500)) == ()


# ------------------------------------------------------------ the store
@pytest.fixture
def places_store(botu_store: Store, catalogue: Catalogue) -> Store:
    """BoTu with the areas around it known: its buurten, the CBS wijk Delfshaven, Oude Westen, the gemeente."""
    for key in (TUSSENDIJKEN, "bospolder", DELFSHAVEN, "oude-westen", "gemeente-rotterdam"):
        ensure_area(botu_store, catalogue, key)
    return botu_store


def test_an_asset_entered_in_botu_is_in_every_area_it_lies_in(places_store: Store) -> None:
    asset = places_store.add(make_draft(name="Taalcafé", category="initiative"), by="ans")
    assert places_store.areas_of([asset.id])[asset.id] == {BOTU, TUSSENDIJKEN, DELFSHAVEN, "gemeente-rotterdam"}
    for area in (BOTU, TUSSENDIJKEN, DELFSHAVEN, "gemeente-rotterdam"):
        assert [a.id for a in places_store.list_assets(wijk=area)] == [asset.id], area
    assert places_store.list_assets(wijk="oude-westen") == []
    assert places_store.count_assets(wijk=DELFSHAVEN) == 1


def test_moving_an_asset_moves_its_areas(places_store: Store) -> None:
    asset = places_store.add(make_draft(name="Verhuist"), by="ans")
    lon, lat = OUDE_WESTEN
    places_store.update(asset.id, asset.draft(lon=lon, lat=lat), by="ans", expected_version=1)
    assert "oude-westen" in places_store.areas_of([asset.id])[asset.id]
    assert places_store.list_assets(wijk=BOTU) == []


def test_an_area_added_later_takes_in_the_assets_already_in_it(botu_store: Store, catalogue: Catalogue) -> None:
    asset = botu_store.add(make_draft(name="Er al"), by="ans")
    assert botu_store.list_assets(wijk=DELFSHAVEN) == []  # not known to this database yet
    ensure_area(botu_store, catalogue, DELFSHAVEN)
    assert [a.id for a in botu_store.list_assets(wijk=DELFSHAVEN)] == [asset.id]


def test_a_builder_of_botu_edits_what_lies_in_botu_seen_from_any_level(
    places_store: Store, catalogue: Catalogue
) -> None:
    builder = User("ans", Role.BUILDER, frozenset({BOTU}))
    inside = places_store.add(make_draft(name="Binnen"), by="x")
    outside = places_store.add(make_draft(name="Buiten", lon=OUDE_WESTEN[0], lat=OUDE_WESTEN[1]), by="x")
    uc.edit_asset(places_store, catalogue, inside.id, {"name": "Binnen!"}, expected_version=1, user=builder)
    with pytest.raises(PermissionDeniedError):
        uc.edit_asset(places_store, catalogue, outside.id, {"name": "Buiten!"}, expected_version=1, user=builder)
    seen = uc.visible_assets(places_store, wijk=DELFSHAVEN, user=builder)
    assert [a.name for a in seen] == ["Binnen!"]


# ------------------------------------------------------------- imports
def test_an_import_without_a_wijk_places_every_row_by_its_location(
    botu_store: Store, catalogue: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "overal.csv"
    path.write_text(
        "name,category,lat,lon\n"
        f"In BoTu,association,{INSIDE_BOTU[1]},{INSIDE_BOTU[0]}\n"
        f"In Oude Westen,association,{OUDE_WESTEN[1]},{OUDE_WESTEN[0]}\n",
        encoding="utf-8",
    )
    result = exchange.import_assets(botu_store, path, catalogue=catalogue, wijken_dir=DATA)
    assert result.created == 2
    by_name = {a.name: a for a in botu_store.list_assets()}
    assert "oude-westen" in botu_store.areas_of([by_name["In Oude Westen"].id])[by_name["In Oude Westen"].id]
    assert BOTU in botu_store.areas_of([by_name["In BoTu"].id])[by_name["In BoTu"].id]


def test_a_point_in_no_known_area_is_refused_naming_the_row(
    botu_store: Store, catalogue: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "zee.csv"
    path.write_text(
        f"name,category,lat,lon\nOk,story,{INSIDE_BOTU[1]},{INSIDE_BOTU[0]}\nZee,story,{NORTH_SEA[1]},{NORTH_SEA[0]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFileError) as refused:
        exchange.import_assets(botu_store, path, catalogue=catalogue, wijken_dir=DATA)
    assert "Rij 3" in str(refused.value) and "geen enkele bekende wijk" in str(refused.value)
    assert botu_store.count_assets() == 0


# ------------------------------------------------------------- gap maps
@pytest.fixture
def mapped(store: Store, catalogue: Catalogue) -> Store:
    """BoTu, its buurt Tussendijken and the CBS wijk Delfshaven onboarded with their streets and reach."""
    for key in (BOTU, TUSSENDIJKEN, DELFSHAVEN):
        ensure_wijk(store, catalogue, key, DATA)
    return store


def _by_segment(coverage: gpd.GeoDataFrame) -> dict[bytes, tuple[int, float]]:
    keys = shapely.to_wkb(coverage.geometry.values)
    return dict(zip(keys, zip(coverage["initiatives"], coverage["nearest_initiative_m"], strict=True), strict=True))


@pytest.mark.parametrize("mode", ["straight", "network"])
def test_botu_tussendijken_and_delfshaven_agree_on_every_street_they_share(mapped: Store, mode: str) -> None:
    rng = np.random.default_rng(3)
    botu = mapped.get_wijk(BOTU).boundary
    minx, miny, maxx, maxy = botu.bounds
    drafts = []
    while len(drafts) < 6:
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if botu.contains(Point(lon, lat)):
            drafts.append(make_draft(name=f"Initiatief {len(drafts)}", category="initiative", lon=lon, lat=lat))
    mapped.add_many(drafts, by="ans")
    maps = {
        w: _by_segment(wijk_coverage(mapped, w, distance_m=250, mode=mode))  # type: ignore[arg-type]
        for w in (BOTU, TUSSENDIJKEN, DELFSHAVEN)
    }
    assert sum(n for n, _ in maps[DELFSHAVEN].values()) > 0  # Delfshaven sees BoTu's initiatives
    for a, b in [(BOTU, TUSSENDIJKEN), (BOTU, DELFSHAVEN), (TUSSENDIJKEN, DELFSHAVEN)]:
        shared = maps[a].keys() & maps[b].keys()
        assert shared, (a, b)
        for key in shared:
            (count_a, near_a), (count_b, near_b) = maps[a][key], maps[b][key]
            assert count_a == count_b, (a, b)
            assert near_a == pytest.approx(near_b, nan_ok=True, abs=1e-6)


def test_an_initiative_just_across_the_border_counts_for_the_streets_near_it(mapped: Store) -> None:
    streets = mapped.streets(BOTU).to_crs(RD_NEW)
    boundary = gpd.GeoSeries([mapped.get_wijk(BOTU).boundary], crs=WGS84).to_crs(RD_NEW).iloc[0]
    # A point 30 m outside BoTu, and the BoTu street nearest to it (found with shapely, not abcd).
    ring = boundary.buffer(30).exterior
    candidates = [ring.interpolate(f, normalized=True) for f in np.linspace(0, 1, 400, endpoint=False)]
    point = min(candidates, key=lambda p: streets.distance(p).min())
    nearest_street = int(streets.distance(point).idxmin())
    gap = float(streets.distance(point).min())
    assert not boundary.contains(point) and gap < 60
    lonlat = gpd.GeoSeries([point], crs=RD_NEW).to_crs(WGS84).iloc[0]
    mapped.add(make_draft(name="Over de grens", category="initiative", lon=lonlat.x, lat=lonlat.y), by="ans")
    coverage = wijk_coverage(mapped, BOTU, distance_m=100, mode="straight")
    row = coverage.iloc[nearest_street]
    assert row["initiatives"] >= 1 and not row["needs_support"]
    assert row["nearest_initiative_m"] == pytest.approx(gap, abs=1.0)


def test_the_cli_never_counts_an_initiative_awaiting_approval(
    mapped: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ABCD_DATABASE_URL", str(mapped.engine.url))
    mapped.add(replace(make_draft(name="Wacht", category="initiative"), status=Status.PENDING), by="ans")
    out = tmp_path / "gaps.geojson"
    assert cli_main(["gaps", "--wijk", BOTU, "--out", str(out)]) == 0
    assert gpd.read_file(out)["initiatives"].sum() == 0


# -------------------------------------------------------------- any wijk
def test_the_app_opens_an_amsterdam_wijk_by_its_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABCD_DATABASE_URL", f"sqlite:///{tmp_path}/app.db")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["wijk"] = "WK036386"
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["wijk"] == "amsterdam-overtoomse-veld"
    assert at.session_state["gemeente"] == "Amsterdam"
    at.run()  # the first run drew the map alone (ui.map_first); heading and caption come with the whole page
    assert any("Overtoomse Veld" in h.value for h in at.header)
    # Its figures are the national 2022 ones (Rotterdam's are 2024): the caption says which.
    from abcd.i18n.formats import format_integer
    from abcd.wijken import find_wijk, wijk_catalogue

    population = find_wijk(wijk_catalogue(DATA), "WK036386").population
    assert population is not None and population > 0
    expected = f"{format_integer(population, 'nl')} inwoners (CBS 2022)"
    assert [c.value for c in at.caption if "inwoners" in c.value] == [expected]
