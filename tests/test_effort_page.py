"""The effort plan on the Gatenkaart and `abcd effort`, end to end on BoTu with the example data."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from abcd.assets import edit_asset
from abcd.cli import main as cli_main
from abcd.effort import plan_segments, plan_streets, read_plan_csv, read_plan_run
from abcd.effort.saved import latest_plan
from abcd.gapmap import wijk_coverage
from abcd.permissions import CLI_USER, Role, User
from abcd.store import Store
from abcd.wijken import wijk_catalogue
from tests.helpers import BOTU, WIJKEN_DIR

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/effort.db"
    monkeypatch.setenv("ABCD_DATABASE_URL", url)
    monkeypatch.delenv("ABCD_LANG", raising=False)
    assert cli_main(["init"]) == 0
    return url


def _page(role: Role, lang: str = "nl") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = User("ans", role)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("app_pages/gatenkaart.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _plan_table(at: AppTest):  # the second table: the plan per street (the first is the gap table)
    return at.dataframe[1].value


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_an_officer_sees_a_plan_that_adds_up_to_the_total(db_url: str, lang: str) -> None:
    at = _page(Role.OFFICER, lang)
    at.selectbox(key="gaps_theme").set_value("zwerfvuil").run()
    at.number_input(key="effort_total").set_value(120.0).run()
    assert not at.exception, at.exception
    table = _plan_table(at)
    assert sum(Decimal(str(v)) for v in table["effort"]) == Decimal("120.00")
    assert (table["index"] >= 0.5 - 1e-9).all()  # the default floor
    gap_free = table[table["initiatives"] == 0]
    assert len(gap_free) and (gap_free["index"] >= 1 - 1e-9).all()
    served = table[table["initiatives"] > 0]
    assert len(served) and (served["index"] < 1).all()
    # The one initiative of the theme (the example litter crew) is named where it is within reach.
    assert served["initiative_ids"].str.contains("Zwerfafval-ploeg").all()
    keys = {b.key for b in at.get("download_button")}
    assert {"effort_csv", "effort_geojson"} <= keys


def test_builders_see_the_gap_map_without_the_effort_plan(db_url: str) -> None:
    at = _page(Role.BUILDER)
    assert len(at.metric) == 4
    assert not [b for b in at.button if b.key == "effort_save"]


def test_a_recorded_plan_is_compared_with_the_next_one(db_url: str) -> None:
    at = _page(Role.OFFICER)
    at.selectbox(key="gaps_theme").set_value("zwerfvuil").run()
    assert any("nog geen vastgelegd plan" in i.value for i in at.info)
    at.button(key="effort_save").click().run()
    assert not at.exception, at.exception
    store = Store.open(db_url)
    saved = latest_plan(store, BOTU, "zwerfvuil")
    assert saved is not None and saved.created_by == "ans" and saved.run.theme == "zwerfvuil"
    assert sum(Decimal(str(v)) for v in saved.streets["effort"]) == Decimal("120.00")
    assert latest_plan(store, BOTU, None) is None  # recorded per theme

    # The litter crew stops counting for the theme: its streets lose their reduction.
    catalogue = wijk_catalogue(WIJKEN_DIR)
    (crew,) = [a for a in store.list_assets() if a.name.startswith("Zwerfafval-ploeg")]
    edit_asset(store, catalogue, crew.id, {"themes": ["groen"]}, expected_version=crew.version, user=CLI_USER)
    at.run()
    assert not at.exception, at.exception
    changes = at.dataframe[2].value
    assert (changes["change"] != 0).all() and len(changes)
    gone = changes[changes["stopped"].str.contains("Zwerfafval-ploeg")]
    assert len(gone) and (gone["change"] > 0).all()
    assert set(gone["street"]) == {s for s, ids in zip(saved.streets["street"], saved.streets["initiative_ids"],
                                                       strict=True) if crew.id in ids}  # fmt: skip


def test_the_cli_writes_a_plan_that_reads_back_to_the_same_numbers(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan.csv"
    args = ["effort", "--wijk", BOTU, "--theme", "zwerfvuil", "--total", "120", "--unit", "uur", "--floor", "0.5"]
    assert cli_main([*args, "--out", str(out), "--save", "--by", "ans"]) == 0
    printed = capsys.readouterr().out
    assert "120,00 uren per week" in printed and "Plan vastgelegd" in printed
    table, run = read_plan_csv(out)
    assert run is not None and (run.theme, run.unit, run.period, run.total) == ("zwerfvuil", "uur", "week", 120)
    assert sum(Decimal(str(v)) for v in table["effort"]) == Decimal("120.00")
    store = Store.open(db_url)
    coverage = wijk_coverage(store, BOTU, distance_m=250, mode="straight", theme="zwerfvuil")
    expected = plan_streets(plan_segments(coverage, total=120, floor=0.5))
    assert table.set_index("street")["effort"].to_dict() == expected.set_index("street")["effort"].to_dict()

    geojson = tmp_path / "plan.geojson"
    assert cli_main([*args, "--total", "50000", "--unit", "euro", "--out", str(geojson)]) == 0
    assert "Tegenover het vastgelegde plan" in capsys.readouterr().out
    segments = gpd.read_file(geojson)
    assert round(segments["effort"].sum(), 2) == 50000 and read_plan_run(geojson).period == "jaar"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--total", "50.000"], "dubbelzinnig"),
        (["--floor", "1.5"], "ondergrens"),
        (["--theme", "zwervuil"], "zwervuil"),
    ],
)
def test_the_cli_refuses_bad_parameters_before_any_work(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    out = tmp_path / "plan.csv"
    args = ["effort", "--wijk", BOTU, "--total", "120", "--unit", "uur", "--out", str(out)]
    assert cli_main([*args, *extra]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def _botu_plan(store: Store, theme: str, floor: float = 0.5):
    coverage = wijk_coverage(store, BOTU, distance_m=250, mode="network", theme=theme)
    return plan_streets(plan_segments(coverage, total="120", floor=floor))


def test_the_plan_keeps_its_promises_street_by_street_and_moves_only_where_an_initiative_changed(db_url: str) -> None:
    store = Store.open(db_url)
    catalogue = wijk_catalogue(WIJKEN_DIR)
    from abcd.assets import add_asset

    spots = [(4.4370, 51.9105), (4.4390, 51.9125), (4.4420, 51.9140), (4.4445, 51.9120), (4.4405, 51.9090)]
    added = [
        add_asset(
            store,
            catalogue,
            {"name": f"Prikploeg {k}", "category": "initiative", "lon": lon, "lat": lat, "themes": "zwerfvuil"},
            wijken_dir=WIJKEN_DIR,
            user=CLI_USER,
        )
        for k, (lon, lat) in enumerate(spots)
    ]
    before = _botu_plan(store, "zwerfvuil")
    assert sum(Decimal(str(v)) for v in before["effort"]) == Decimal("120.00")
    assert before["initiatives"].max() >= 2  # the test needs streets with 0, 1 and more
    assert (before.loc[before["initiatives"] == 0, "index"] >= 1 - 1e-12).all()
    assert (before["index"] >= 0.5 - 1e-12).all()
    ranked = before.sort_values("initiatives")
    for fewer, more in zip(ranked.itertuples(), ranked.iloc[1:].itertuples(), strict=False):
        if more.initiatives > fewer.initiatives:
            assert more.index <= fewer.index + 1e-12
    # Every street gets what the one-paragraph rule says, computed here by hand from the table.
    weights = [max(0.5, 1 / (1 + c)) for c in before["initiatives"]]
    weighted = sum(w * length for w, length in zip(weights, before["length_m"], strict=True))
    for w, length, effort_value, parts in zip(weights, before["length_m"], before["effort"], before["segments"],
                                               strict=True):  # fmt: skip
        assert abs(120 * length * w / weighted - effort_value) <= 0.01 * parts  # a hundredth per rounded segment

    moved = added[2]
    edit_asset(store, catalogue, moved.id, {"themes": ["groen"]}, expected_version=1, user=CLI_USER)
    after = _botu_plan(store, "zwerfvuil").set_index("street")
    before = before.set_index("street")
    reach = {street for street, ids in before["initiative_ids"].items() if moved.id in ids}
    assert reach
    changed_count = {s for s in before.index if before.at[s, "initiatives"] != after.at[s, "initiatives"]}
    assert changed_count == reach
    ratios = {round(after.at[s, "index"] / before.at[s, "index"], 12) for s in before.index if s not in reach}
    assert len(ratios) == 1  # everywhere else only the common scale moved
