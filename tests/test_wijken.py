"""The wijk catalogue from the shipped open data, point-in-wijk checks, streets and onboarding.

Expected figures come from ``data/wijken/SOURCES.md`` (CBS Kerncijfers wijken en
buurten 2024 and the OSM street file), not from the code under test.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
from sqlalchemy import select

from abcd import schema
from abcd.errors import OutsideWijkError, UnknownWijkError
from abcd.model import NL_BOUNDS, RD_NEW, WGS84
from abcd.store import Store
from abcd.streets import WALKABLE
from abcd.wijken import (
    KIND_CBS_BUURT,
    KIND_CBS_WIJK,
    KIND_GEBIED,
    Wijk,
    check_in_wijk,
    contains,
    ensure_wijk,
    find_wijk,
    onboard_wijk,
    streets_in,
    wijken_at,
)
from tests.helpers import AMSTERDAM, BOTU, INSIDE_BOTU, NORTH_SEA, OUDE_WESTEN, WIJKEN_DIR, make_draft

HISTORIC_DELFSHAVEN = (4.4487, 51.9066)  # the Voorhaven, CBS buurt Delfshaven, just east of BoTu


# ------------------------------------------------------------------ catalogue
def test_botu_comes_first_with_its_population(catalogue: dict[str, Wijk]) -> None:
    assert next(iter(catalogue)) == BOTU
    botu = catalogue[BOTU]
    assert (botu.name, botu.kind, botu.population, botu.code) == ("Bospolder-Tussendijken", KIND_GEBIED, 14950, None)


def test_botu_boundary_matches_the_documented_bounds(botu: Wijk) -> None:
    min_lon, min_lat, max_lon, max_lat = botu.boundary.bounds
    assert min_lon == pytest.approx(4.4303, abs=1e-4) and max_lon == pytest.approx(4.4498, abs=1e-4)
    assert min_lat == pytest.approx(51.9039, abs=1e-4) and max_lat == pytest.approx(51.9165, abs=1e-4)


def test_there_are_21_cbs_wijken_and_88_buurten(catalogue: dict[str, Wijk]) -> None:
    kinds = [w.kind for w in catalogue.values() if w.gemeente == "Rotterdam"]
    assert kinds.count(KIND_CBS_WIJK) == 21
    assert kinds.count(KIND_CBS_BUURT) == 88
    assert kinds.count(KIND_GEBIED) == 1


def test_every_dutch_wijk_and_gemeente_is_in_the_catalogue(catalogue: dict[str, Wijk]) -> None:
    # SOURCES.md: 3,340 CBS wijken and 345 gemeenten of 2022; Rotterdam's 21 come from the newer 2024 file.
    wijken = [w for w in catalogue.values() if w.kind == KIND_CBS_WIJK]
    assert len(wijken) == 3340
    assert sum(w.kind == "gemeente" for w in catalogue.values()) == 345
    assert catalogue["wijk-delfshaven"].population == 77245  # 2024, not 2022's 76,605
    assert find_wijk(catalogue, "WK036386").label() == "Overtoomse Veld (CBS-wijk, Amsterdam)"


@pytest.mark.parametrize(
    ("slug", "name", "code", "population"),
    [
        ("wijk-delfshaven", "Delfshaven", "WK059903", 77245),
        ("bospolder", "Bospolder", "BU05990321", 7570),
        ("tussendijken", "Tussendijken", "BU05990322", 7380),
    ],
)
def test_known_wijken_and_buurten(catalogue: dict[str, Wijk], slug: str, name: str, code: str, population: int) -> None:
    wijk = catalogue[slug]
    assert (wijk.name, wijk.code, wijk.population) == (name, code, population)


def test_botu_is_bospolder_plus_tussendijken(catalogue: dict[str, Wijk]) -> None:
    botu, bospolder, tussendijken = catalogue[BOTU], catalogue["bospolder"], catalogue["tussendijken"]
    assert bospolder.population is not None and tussendijken.population is not None
    assert botu.population == bospolder.population + tussendijken.population
    union = bospolder.boundary.union(tussendijken.boundary)
    overlap = union.intersection(botu.boundary).area / union.union(botu.boundary).area
    assert overlap > 0.98
    assert (bospolder.parent, tussendijken.parent) == ("Delfshaven", "Delfshaven")


def test_cbs_wijken_add_up_to_rotterdam(catalogue: dict[str, Wijk]) -> None:
    total = sum(w.population or 0 for w in catalogue.values() if w.kind == KIND_CBS_WIJK and w.gemeente == "Rotterdam")
    assert total == 670_585  # SOURCES.md: "The Rotterdam total is 670,585"


def test_every_boundary_is_a_valid_polygon_in_the_netherlands(catalogue: dict[str, Wijk]) -> None:
    codes = [w.code for w in catalogue.values() if w.code]
    assert len(codes) == len(set(codes))
    for wijk in catalogue.values():
        assert wijk.boundary.geom_type in ("Polygon", "MultiPolygon"), wijk.slug
        assert wijk.boundary.is_valid and not wijk.boundary.is_empty, wijk.slug
        min_lon, min_lat, max_lon, max_lat = wijk.boundary.bounds
        assert NL_BOUNDS[0] <= min_lon and max_lon <= NL_BOUNDS[2], wijk.slug
        assert NL_BOUNDS[1] <= min_lat and max_lat <= NL_BOUNDS[3], wijk.slug


def test_labels_name_the_level(catalogue: dict[str, Wijk]) -> None:
    assert catalogue["bospolder"].label() == "Bospolder (buurt, Delfshaven)"
    assert catalogue["wijk-delfshaven"].label() == "Delfshaven (CBS-wijk, Rotterdam)"
    assert catalogue["gemeente-delft"].label() == "Delft (gemeente)"
    assert catalogue[BOTU].label() == "Bospolder-Tussendijken"


# --------------------------------------------------------------------- lookup
@pytest.mark.parametrize(
    ("key", "slug"),
    [
        (BOTU, BOTU),
        ("Bospolder-Tussendijken", BOTU),
        ("WK059903", "wijk-delfshaven"),
        (" wk059903 ", "wijk-delfshaven"),
        ("BU05990321", "bospolder"),
        ("bu05990322", "tussendijken"),
        ("Oude Westen", "oude-westen"),
        ("'s-Gravenland", "s-gravenland"),
        ("wijk-delfshaven", "wijk-delfshaven"),
    ],
)
def test_find_wijk_by_slug_code_or_name(catalogue: dict[str, Wijk], key: str, slug: str) -> None:
    assert find_wijk(catalogue, key).slug == slug


def test_unknown_wijk_suggests_close_slugs(catalogue: dict[str, Wijk]) -> None:
    with pytest.raises(UnknownWijkError) as info:
        find_wijk(catalogue, "Bospoldr-Tusendijken")
    assert info.value.params["value"] == "Bospoldr-Tusendijken"
    assert BOTU in info.value.params["known"]
    assert "Bospoldr-Tusendijken" in info.value.message("en")
    assert BOTU in info.value.message("en")


def test_unknown_wijk_without_a_near_match_still_lists_examples(catalogue: dict[str, Wijk]) -> None:
    with pytest.raises(UnknownWijkError) as info:
        find_wijk(catalogue, "Atlantis")  # (Utrecht is a known gemeente now)
    assert info.value.params["known"]
    assert all(s in catalogue for s in info.value.params["known"].split(", "))


# --------------------------------------------------------------- point checks
def test_a_point_inside_botu_is_accepted(catalogue: dict[str, Wijk], botu: Wijk) -> None:
    check_in_wijk(catalogue, botu, *INSIDE_BOTU)
    assert contains(botu, *INSIDE_BOTU)


def test_a_point_in_historic_delfshaven_is_refused_naming_that_buurt(catalogue: dict[str, Wijk], botu: Wijk) -> None:
    with pytest.raises(OutsideWijkError) as info:
        check_in_wijk(catalogue, botu, *HISTORIC_DELFSHAVEN)
    assert info.value.params["actual_slug"] == "delfshaven"
    assert info.value.params["actual"] == "Delfshaven"
    assert "Bospolder-Tussendijken" in str(info.value)
    assert info.value.message("en") == "The point lies outside Bospolder-Tussendijken, in Delfshaven."


def test_a_point_in_oude_westen_names_oude_westen(catalogue: dict[str, Wijk], botu: Wijk) -> None:
    with pytest.raises(OutsideWijkError) as info:
        check_in_wijk(catalogue, botu, *OUDE_WESTEN)
    assert (info.value.params["actual"], info.value.params["actual_slug"]) == ("Oude Westen", "oude-westen")


def test_a_cbs_wijk_is_matched_by_another_cbs_wijk_first(catalogue: dict[str, Wijk]) -> None:
    with pytest.raises(OutsideWijkError) as info:
        check_in_wijk(catalogue, catalogue["wijk-delfshaven"], *OUDE_WESTEN)
    assert info.value.params["actual_slug"] == "wijk-rotterdam-centrum"


def test_a_point_outside_rotterdam_names_the_wijk_it_lies_in(catalogue: dict[str, Wijk], botu: Wijk) -> None:
    with pytest.raises(OutsideWijkError) as info:
        check_in_wijk(catalogue, botu, *AMSTERDAM)
    assert catalogue[info.value.params["actual_slug"]].gemeente == "Amsterdam"


def test_a_point_outside_every_known_area_says_so(catalogue: dict[str, Wijk], botu: Wijk) -> None:
    with pytest.raises(OutsideWijkError) as info:
        check_in_wijk(catalogue, botu, *NORTH_SEA)
    assert info.value.key == "error.outside_all"
    assert "actual" not in info.value.params
    assert "outside every known neighbourhood" in info.value.message("en")


def _point_at_distance_outside(wijk: Wijk, metres: float) -> tuple[float, float]:
    """A point ``metres`` outside the wijk boundary (built with geopandas, not abcd)."""
    rd = gpd.GeoSeries([wijk.boundary], crs=WGS84).to_crs(RD_NEW).iloc[0]
    buffered = rd.buffer(metres)
    outer = buffered if buffered.geom_type == "Polygon" else max(buffered.geoms, key=lambda g: g.area)
    ring = outer.exterior
    point = gpd.GeoSeries([ring.interpolate(0.37, normalized=True)], crs=RD_NEW).to_crs(WGS84).iloc[0]
    return point.x, point.y


def test_kerb_side_points_count_but_a_street_further_does_not(catalogue: dict[str, Wijk], botu: Wijk) -> None:
    check_in_wijk(catalogue, botu, *_point_at_distance_outside(botu, 8))
    with pytest.raises(OutsideWijkError):
        check_in_wijk(catalogue, botu, *_point_at_distance_outside(botu, 60))


def test_wijken_at_lists_the_smallest_area_first(catalogue: dict[str, Wijk]) -> None:
    slugs = [w.slug for w in wijken_at(catalogue, *INSIDE_BOTU)]
    assert slugs == ["tussendijken", BOTU, "wijk-delfshaven", "gemeente-rotterdam"]


# -------------------------------------------------------------------- streets
def test_streets_in_botu(botu: Wijk, botu_streets: gpd.GeoDataFrame) -> None:
    named = gpd.read_file(WIJKEN_DIR / "rotterdam_streets_osm.geojson")
    touching = named[named.intersects(botu.boundary)]
    assert len(touching) == 216  # SOURCES.md section 6: "216 touch Bospolder-Tussendijken"
    # The walking network splits them where footpaths join: every one keeps a piece in BoTu, and no
    # footpath is a street of the wijk (paths are walked on, not judged).
    assert set(botu_streets["osm_id"]) == set(touching["osm_id"])
    assert (botu_streets["origin"] == "streets").all() and len(botu_streets) >= 216
    assert botu_streets.to_crs(RD_NEW).length.sum() <= touching.to_crs(RD_NEW).length.sum() + 1e-6
    assert botu_streets["name"].isna().sum() >= 1  # junction connectors have no name
    assert botu_streets.geometry.intersects(botu.boundary).all()
    assert str(botu_streets.crs) == "EPSG:4326"
    names = set(botu_streets["name"].dropna())
    assert {"Schiedamseweg", "Grote Visserijstraat"} <= names  # spot checks from SOURCES.md
    assert list(botu_streets.index) == list(range(len(botu_streets)))


def test_walks_around_botu_use_the_footpaths(botu: Wijk) -> None:
    around = streets_in(botu, WIJKEN_DIR, reach_m=500)
    paths = around[around["origin"] == "paths"]
    assert len(paths) > 100 and not paths["in_wijk"].any()
    assert "footway" in set(paths["highway"]) and set(paths["highway"]) <= WALKABLE


def test_streets_in_a_small_buurt_are_a_subset_of_the_city(
    catalogue: dict[str, Wijk], botu_streets: gpd.GeoDataFrame
) -> None:
    bospolder = streets_in(catalogue["bospolder"], WIJKEN_DIR)
    assert 0 < len(bospolder) < len(botu_streets)
    assert set(bospolder["osm_id"]) <= set(botu_streets["osm_id"])


# ----------------------------------------------------------------- onboarding
def test_onboarding_stores_boundary_population_and_streets(store: Store, botu: Wijk) -> None:
    count = onboard_wijk(store, botu, WIJKEN_DIR)
    assert count == len(streets_in(botu, WIJKEN_DIR)) >= 216
    record = store.get_wijk(BOTU)
    assert (record.name, record.population, record.cbs_code) == ("Bospolder-Tussendijken", 14950, None)
    assert record.boundary.equals_exact(botu.boundary, 1e-9)
    streets = store.streets(BOTU)
    assert len(streets) == count
    assert streets["name"].isna().any()  # stored without a name, not dropped


def test_onboarding_twice_replaces_streets_and_keeps_assets(store: Store, botu: Wijk) -> None:
    onboard_wijk(store, botu, WIJKEN_DIR)
    asset = store.add(make_draft(), by="a")
    count = onboard_wijk(store, botu, WIJKEN_DIR)
    assert count == len(store.streets(BOTU)) == len(streets_in(botu, WIJKEN_DIR))
    assert store.get(asset.id) == asset


def test_ensure_wijk_onboards_only_once(store: Store, catalogue: dict[str, Wijk]) -> None:
    def loaded_at() -> str | None:
        with store.engine.connect() as conn:
            return conn.execute(
                select(schema.wijken.c.loaded_at).where(schema.wijken.c.slug == "bospolder")
            ).scalar_one_or_none()

    assert loaded_at() is None
    wijk = ensure_wijk(store, catalogue, "BU05990321", WIJKEN_DIR)
    assert wijk.slug == "bospolder"
    first = loaded_at()
    assert first is not None
    ensure_wijk(store, catalogue, "bospolder", WIJKEN_DIR)
    assert loaded_at() == first
    assert store.wijk_slugs() == ["bospolder"]
