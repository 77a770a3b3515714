"""Themes of resident initiatives: declared, checked, stored, carried by files, and counted per theme."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point

from abcd import gaps
from abcd.assets import add_asset, edit_asset
from abcd.cli import main as cli_main
from abcd.errors import AbcdError, ImportFileError, ValidationError
from abcd.exchange import export_assets, import_assets
from abcd.gapmap import wijk_coverage
from abcd.gaps.files import read_initiatives
from abcd.model import parse_themes, validate_asset
from abcd.permissions import CLI_USER, Role, User
from abcd.store import Store
from abcd.themes import BUILT_IN, add_theme, known_codes, list_themes
from abcd.wijken import Wijk
from tests.helpers import BOTU, WIJKEN_DIR, raw_asset

COORDINATOR = User("coco", Role.COORDINATOR)
BUILDER = User("bob", Role.BUILDER)


def _initiative(**overrides: object) -> dict[str, object]:
    return raw_asset(category="initiative", name="Prikploeg", **overrides)


# ------------------------------------------------------------------ the field
def test_themes_are_read_the_ways_people_write_them() -> None:
    draft = validate_asset(_initiative(themes=" Zwerfvuil ; groen,groen "))
    assert draft.themes == frozenset({"zwerfvuil", "groen"})
    assert validate_asset(_initiative(themes=["spelen"])).themes == frozenset({"spelen"})
    assert validate_asset(_initiative(themes="")).themes == frozenset()
    assert validate_asset(_initiative()).raw()["themes"] == ""


@pytest.mark.parametrize("value", ["zwerf-vuil!", "x", "<script>", "a" * 31, "1groen"])
def test_a_code_that_cannot_be_a_theme_is_refused(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_themes(value)
    assert caught.value.key == "error.theme_code"
    assert caught.value.message("en") and caught.value.message("nl")


def test_only_initiatives_carry_themes() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_asset(raw_asset(category="place", themes="groen"))
    assert "thema" in str(caught.value)
    assert validate_asset(raw_asset(category="place", themes="")).themes == frozenset()


def test_too_many_themes_are_refused() -> None:
    with pytest.raises(ValidationError, match="te veel"):
        parse_themes(",".join(f"thema_{i}" for i in range(11)))


# ------------------------------------------------------------ declared themes
def test_the_built_in_themes_have_names_in_both_languages(store: Store) -> None:
    themes = list_themes(store)
    assert [t.code for t in themes] == list(BUILT_IN)
    assert {t.label("nl") for t in themes} != {t.label("en") for t in themes}
    assert all(t.label("en") != t.code or t.code in {"groen"} for t in themes)


def test_a_coordinator_adds_a_theme_that_initiatives_can_then_carry(
    botu_store: Store, catalogue: dict[str, Wijk]
) -> None:
    with pytest.raises(ValidationError) as caught:
        add_asset(botu_store, catalogue, _initiative(themes="buurtpreventie"), wijken_dir=WIJKEN_DIR, user=BUILDER)
    assert caught.value.key == "error.unknown_theme" and "zwerfvuil" in str(caught.value)
    assert botu_store.list_assets() == []

    with pytest.raises(AbcdError):
        add_theme(botu_store, "buurtpreventie", label_nl="Buurtpreventie", user=BUILDER)
    theme = add_theme(botu_store, "Buurtpreventie", label_nl=" Buurt  preventie ", label_en="Neighbourhood watch",
                      user=COORDINATOR)  # fmt: skip
    assert theme.code == "buurtpreventie" and theme.label("nl") == "Buurt preventie"
    assert "buurtpreventie" in known_codes(botu_store)
    asset = add_asset(botu_store, catalogue, _initiative(themes="buurtpreventie,groen"), wijken_dir=WIJKEN_DIR,
                      user=BUILDER)  # fmt: skip
    assert botu_store.get(asset.id).themes == frozenset({"buurtpreventie", "groen"})


@pytest.mark.parametrize("code", ["groen", "zwerfvuil"])
def test_a_theme_is_declared_once(store: Store, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        add_theme(store, code, label_nl="x", user=COORDINATOR)
    assert caught.value.key == "error.theme_exists"
    add_theme(store, "eigen_thema", label_nl="Eigen", user=COORDINATOR)
    with pytest.raises(ValidationError):
        add_theme(store, "eigen_thema", label_nl="Nog eens", user=COORDINATOR)


def test_a_theme_name_with_control_characters_is_refused(store: Store) -> None:
    with pytest.raises(ValidationError) as caught:
        add_theme(store, "eigen", label_nl="Eigen\x1b[31m", user=COORDINATOR)
    assert caught.value.key == "error.control_chars"


def test_editing_the_themes_keeps_history(botu_store: Store, catalogue: dict[str, Wijk]) -> None:
    asset = add_asset(botu_store, catalogue, _initiative(themes="groen"), wijken_dir=WIJKEN_DIR, user=BUILDER)
    edited = edit_asset(botu_store, catalogue, asset.id, {"themes": ["zwerfvuil"]}, expected_version=1, user=BUILDER)
    assert edited.themes == frozenset({"zwerfvuil"})
    (change,) = [h for h in botu_store.history(asset.id) if h.action == "update"]
    assert change.old is not None and change.new is not None
    assert (change.old["themes"], change.new["themes"]) == (["groen"], ["zwerfvuil"])
    moved = edit_asset(botu_store, catalogue, asset.id, {"category": "place"}, expected_version=2, user=BUILDER)
    assert moved.themes == frozenset()  # a place has no themes: dropped with the category, not refused


# ------------------------------------------------------------------ in files
@pytest.mark.parametrize("suffix", [".geojson", ".csv", ".gpkg"])
def test_themes_travel_through_export_and_import(
    botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path, suffix: str
) -> None:
    add_asset(botu_store, catalogue, _initiative(themes="zwerfvuil,groen"), wijken_dir=WIJKEN_DIR, user=BUILDER)
    out = tmp_path / f"export{suffix}"
    export_assets(botu_store, out, wijk=BOTU)
    if suffix == ".geojson":
        (feature,) = json.loads(out.read_text(encoding="utf-8"))["features"]
        assert feature["properties"]["themes"] == "groen,zwerfvuil"
    fresh = Store.open(f"sqlite:///{tmp_path}/fresh.db")
    fresh.save_wijk(catalogue[BOTU].record(), botu_store.streets(BOTU))
    import_assets(fresh, out, catalogue=catalogue, user=CLI_USER, wijken_dir=WIJKEN_DIR)
    (imported,) = fresh.list_assets()
    assert imported.themes == frozenset({"zwerfvuil", "groen"})
    fresh.close()


def test_an_import_with_an_unknown_theme_names_the_row_and_stores_nothing(
    botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    path = tmp_path / "rijen.csv"
    path.write_text(
        "name,category,lat,lon,themes\nA,initiative,51.9115,4.4435,groen\nB,initiative,51.9115,4.4436,zwervuil\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFileError) as caught:
        import_assets(botu_store, path, catalogue=catalogue, user=CLI_USER, wijken_dir=WIJKEN_DIR)
    assert "Rij 3" in str(caught.value) and "zwervuil" in str(caught.value)
    assert botu_store.list_assets() == []


# --------------------------------------------------------- counted per theme
def _segments_within(coverage: gpd.GeoDataFrame, point: Point, distance: float) -> set[int]:
    rd = coverage.to_crs(28992)
    here = gpd.GeoSeries([point], crs=4326).to_crs(28992).iloc[0]
    return {i for i, g in enumerate(rd.geometry) if g.distance(here) <= distance}


def test_the_gap_map_per_theme_counts_only_that_themes_initiatives(
    botu_store: Store, catalogue: dict[str, Wijk]
) -> None:
    litter = add_asset(botu_store, catalogue, _initiative(themes="zwerfvuil"), wijken_dir=WIJKEN_DIR, user=BUILDER)
    add_asset(botu_store, catalogue, _initiative(themes="groen", lon=4.4400, lat=51.9147), wijken_dir=WIJKEN_DIR,
              user=BUILDER)  # fmt: skip
    every = wijk_coverage(botu_store, BOTU, distance_m=150, mode="straight")
    themed = wijk_coverage(botu_store, BOTU, distance_m=150, mode="straight", theme="zwerfvuil")
    assert int(every["initiatives"].max()) >= 1
    near_litter = _segments_within(themed, litter.point, 150)
    assert near_litter and set(np.flatnonzero(themed["initiatives"].to_numpy() > 0)) == near_litter
    assert all(ids == ((litter.id,) if i in near_litter else ()) for i, ids in enumerate(themed["initiative_ids"]))
    assert (every["initiatives"] >= themed["initiatives"]).all()
    assert wijk_coverage(botu_store, BOTU, distance_m=150, mode="straight", theme="spelen")["initiatives"].sum() == 0


def test_changing_one_initiatives_theme_changes_exactly_the_streets_in_its_reach(
    botu_store: Store, catalogue: dict[str, Wijk]
) -> None:
    user = BUILDER
    first = add_asset(botu_store, catalogue, _initiative(themes="zwerfvuil"), wijken_dir=WIJKEN_DIR, user=user)
    add_asset(botu_store, catalogue, _initiative(themes="zwerfvuil", lon=4.4400, lat=51.9147), wijken_dir=WIJKEN_DIR,
              user=user)  # fmt: skip
    for mode in ("straight", "network"):
        before = wijk_coverage(botu_store, BOTU, distance_m=200, mode=mode, theme="zwerfvuil")  # type: ignore[arg-type]
        reach = {i for i, ids in enumerate(before["initiative_ids"]) if first.id in ids}
        assert reach
        current = botu_store.get(first.id)
        edit_asset(botu_store, catalogue, first.id, {"themes": ["groen"]}, expected_version=current.version, user=user)
        after = wijk_coverage(botu_store, BOTU, distance_m=200, mode=mode, theme="zwerfvuil")  # type: ignore[arg-type]
        changed = set(np.flatnonzero(before["initiatives"].to_numpy() != after["initiatives"].to_numpy()))
        assert changed == reach, mode
        current = botu_store.get(first.id)
        edit_asset(botu_store, catalogue, first.id, {"themes": ["zwerfvuil"]}, expected_version=current.version,
                   user=user)  # fmt: skip


def test_initiative_ids_name_exactly_the_initiatives_within_reach() -> None:
    rng = np.random.default_rng(7)
    lines = [LineString(rng.uniform(0, 1000, (2, 2))) for _ in range(60)]
    streets = gpd.GeoDataFrame({"name": [f"s{i}" for i in range(60)]}, geometry=lines, crs=28992)
    points = [Point(xy) for xy in rng.uniform(0, 1000, (25, 2))]
    assets = gpd.GeoDataFrame(
        {"id": [f"i{k}" for k in range(25)], "category": "initiative"}, geometry=points, crs=28992
    )
    coverage = gaps.street_coverage(streets, assets, distance_m=120, mode="straight", ids="id")
    for line, ids, count in zip(lines, coverage["initiative_ids"], coverage["initiatives"], strict=True):
        expected = tuple(sorted(f"i{k}" for k, p in enumerate(points) if shapely.distance(line, p) <= 120))
        assert ids == expected and count == len(ids)
    walking = gaps.street_coverage(streets, assets, distance_m=120, mode="network", ids="id")
    for near, walk, count in zip(coverage["initiative_ids"], walking["initiative_ids"], walking["initiatives"],
                                 strict=True):  # fmt: skip
        assert set(walk) <= set(near) and count == len(walk)


def test_a_file_of_initiatives_is_read_per_theme(tmp_path: Path) -> None:
    path = tmp_path / "initiatieven.csv"
    path.write_text('name,lat,lon,themes\nA,51.91,4.44,"groen,zwerfvuil"\nB,51.91,4.45,groen\n', encoding="utf-8")
    assert list(read_initiatives(path, theme="zwerfvuil")["name"]) == ["A"]
    assert len(read_initiatives(path)) == 2
    plain = tmp_path / "plain.csv"
    plain.write_text("name,lat,lon\nA,51.91,4.44\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="themes"):
        read_initiatives(plain, theme="zwerfvuil")


# ---------------------------------------------------------------------- CLI
def test_the_cli_lists_adds_and_counts_per_theme(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["init"]) == 0
    capsys.readouterr()
    assert cli_main(["themes"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in listed] == list(BUILT_IN)
    assert cli_main(["themes", "add", "buurtpreventie", "--nl", "Buurtpreventie", "--en", "Neighbourhood watch"]) == 0
    assert "buurtpreventie" in capsys.readouterr().out
    out = tmp_path / "gaps.geojson"
    assert cli_main(["gaps", "--wijk", BOTU, "--theme", "zwerfvuil", "--out", str(out)]) == 0
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    counted = {i for f in features for i in f["properties"]["initiative_ids"].split(",") if i}
    assert len(counted) == 1  # the example litter-picking crew, the only initiative of the theme
    capsys.readouterr()
    assert cli_main(["gaps", "--wijk", BOTU, "--theme", "zwervuil", "--out", str(out)]) == 2
    assert "zwervuil" in capsys.readouterr().err
