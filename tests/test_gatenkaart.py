"""The gap map page and the `abcd gaps` command, end to end on BoTu's real streets."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from abcd import gaps
from abcd.cli import main as cli_main
from abcd.model import Status
from abcd.permissions import Role, User
from abcd.store import Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/gaps.db"
    monkeypatch.setenv("ABCD_DATABASE_URL", url)
    monkeypatch.delenv("ABCD_LANG", raising=False)
    assert cli_main(["init"]) == 0
    return url


def _page(role: Role | None, lang: str = "nl") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if role is not None:
        at.session_state["user"] = User("x", role)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("app_pages/gatenkaart.py")
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_officers_see_figures_map_and_street_list(db_url: str, lang: str) -> None:
    at = _page(Role.OFFICER, lang)
    assert len(at.metric) == 4 + 3  # the gap figures, then the effort plan's (officers)
    assert at.metric[3].value == "2"  # the two resident-led example initiatives
    streets = at.dataframe[0].value
    assert len(streets) > 30 and streets["street"].is_unique
    assert list(streets["length_needs_support_m"]) == sorted(streets["length_needs_support_m"], reverse=True)
    scripts = [e for e in at.main if "st_folium" in str(getattr(e, "proto", ""))]
    assert scripts


def test_walking_distance_covers_no_more_than_straight_line(db_url: str) -> None:
    at = _page(Role.OFFICER)
    straight = at.metric[0].value
    at.radio(key="gaps_mode").set_value("network").run()
    assert not at.exception
    walking = at.metric[0].value
    assert int(walking.rstrip("%")) >= int(straight.rstrip("%"))


def test_the_public_is_asked_to_log_in(db_url: str) -> None:
    at = _page(None)
    assert not at.metric and any("inloggen" in i.value for i in at.info)


def test_downloads_parse_back_and_match_the_cli(db_url: str, tmp_path: Path) -> None:
    at = _page(Role.OFFICER)
    downloads = {b.key: b for b in at.get("download_button")}
    assert set(downloads) >= {"gaps_csv", "gaps_geojson"}
    store = Store.open(db_url)
    out = tmp_path / "botu.geojson"
    assert cli_main(["gaps", "--wijk", "bospolder-tussendijken", "--out", str(out)]) == 0
    from_cli = gpd.read_file(out)
    assert len(from_cli) == len(store.streets("bospolder-tussendijken"))
    assert {"initiatives", "nearest_initiative_m", "needs_support", "below_average", "name", "highway"} <= set(
        from_cli.columns
    )
    csv_out = tmp_path / "botu.csv"
    # English: the summary's own column names, then the run (wijk, mode, distance, date) on every row.
    assert cli_main(["gaps", "--wijk", "bospolder-tussendijken", "--out", str(csv_out), "--lang", "en"]) == 0
    table = pd.read_csv(csv_out, encoding="utf-8-sig")
    summary_columns = list(gaps.street_summary(gaps.street_coverage(from_cli, from_cli.iloc[0:0])).columns)
    assert list(table.columns) == [*summary_columns, "last_walked", "wijk", "theme", "mode", "distance_m", "date"]
    page_table = at.dataframe[0].value
    unnamed = table["street"].str.replace("unnamed road", "naamloze weg", regex=False)  # the page speaks Dutch
    assert sorted(unnamed) == sorted(page_table["street"])
    assert json.loads(out.read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    assert io.StringIO(csv_out.read_text(encoding="utf-8-sig")).readline().startswith("street,segments")


def test_file_mode_keeps_input_properties(db_url: str, tmp_path: Path) -> None:
    streets = gpd.GeoDataFrame(
        {"straatnaam": ["A", "B"], "beheerder": ["gemeente", "gemeente"]},
        geometry=gpd.GeoSeries.from_wkt(
            ["LINESTRING (92000 437000, 92100 437000)", "LINESTRING (92300 437000, 92300 437600)"]
        ),
        crs="EPSG:28992",
    )
    initiatives = gpd.GeoDataFrame(
        {"naam": ["Zwerfafvalploeg"]}, geometry=gpd.GeoSeries.from_wkt(["POINT (92050 437040)"]), crs="EPSG:28992"
    )
    streets.to_file(tmp_path / "straten.gpkg")
    initiatives.to_file(tmp_path / "initiatieven.geojson")
    out = tmp_path / "uit.geojson"
    code = cli_main(
        [
            "gaps",
            "--streets",
            str(tmp_path / "straten.gpkg"),
            "--assets",
            str(tmp_path / "initiatieven.geojson"),
            "--distance",
            "100",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    result = gpd.read_file(out).sort_values("straatnaam")
    assert list(result["beheerder"]) == ["gemeente", "gemeente"]
    assert list(result["initiatives"]) == [1, 0] and list(result["needs_support"]) == [False, True]
    assert result["nearest_initiative_m"].iloc[0] == pytest.approx(40.0)


def test_cli_refuses_mixed_arguments(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["gaps", "--wijk", "bospolder-tussendijken", "--streets", "x.geojson", "--out", "y.csv"]) == 2
    assert "--streets en --assets" in capsys.readouterr().err
    assert cli_main(["gaps", "--wijk", "bospolder-tussendijken", "--distance", "5", "--out", "y.csv"]) == 2


def test_page_and_cli_count_the_same_initiatives_and_never_one_awaiting_approval(db_url: str, tmp_path: Path) -> None:
    from abcd.gapmap import initiatives_near
    from tests.helpers import make_draft

    store = Store.open(db_url)
    store.set_requires_approval("bospolder-tussendijken", True)
    pending = store.add(
        replace(make_draft(name="Wacht op goedkeuring", category="initiative"), status=Status.PENDING), by="ans"
    )
    assert pending.is_pending and not pending.counts_as_initiative
    counted = initiatives_near(store, "bospolder-tussendijken")
    assert pending.id not in set(counted["id"]) and len(counted) > 0  # the examples' initiatives count

    at = _page(Role.BUILDER)  # a builder sees the pending one on the map, but it is not an initiative yet
    assert at.metric[3].value == str(len(counted))
    out = tmp_path / "botu.geojson"
    assert cli_main(["gaps", "--wijk", "bospolder-tussendijken", "--out", str(out)]) == 0
    from_cli = gpd.read_file(out)
    expected = gaps.street_coverage(store.streets("bospolder-tussendijken"), counted)
    assert from_cli["initiatives"].tolist() == expected["initiatives"].tolist()


def test_cli_csv_is_dutch_by_default_with_the_run_and_reads_back(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from abcd.gaps.files import read_run, read_street_csv

    out = tmp_path / "botu.csv"
    assert cli_main(["gaps", "--wijk", "bospolder-tussendijken", "--mode", "network", "--out", str(out)]) == 0
    header = out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("straat;straatdelen;lengte_m;") and header.endswith(";wijk;thema;modus;afstand_m;datum")
    summary, run = read_street_csv(out)
    assert run is not None and (run.wijk, run.mode, run.distance_m) == ("Bospolder-Tussendijken", "network", 250.0)
    from abcd.gapmap import wijk_coverage

    store = Store.open(db_url)
    expected = gaps.street_summary(wijk_coverage(store, "bospolder-tussendijken", distance_m=250.0, mode="network"))
    assert summary["street"].tolist() == expected["street"].tolist()
    assert summary["needs_support"].tolist() == expected["needs_support"].tolist()
    geojson = tmp_path / "botu.geojson"
    assert cli_main(["gaps", "--wijk", "bospolder-tussendijken", "--distance", "300", "--out", str(geojson)]) == 0
    assert read_run(geojson) == replace(run, mode="straight", distance_m=300.0)


def test_cli_walks_only_on_the_walkable_lines_of_an_osm_extract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ABCD_LANG", raising=False)
    initiatives = gpd.GeoDataFrame({"naam": ["Moestuin"]}, geometry=gpd.points_from_xy([4.4416], [51.9105]), crs=4326)
    initiatives.to_file(tmp_path / "initiatieven.geojson")
    out = tmp_path / "uit.geojson"
    streets = ROOT / "tests" / "data" / "streets.osm"
    code = cli_main(
        ["gaps", "--streets", str(streets), "--assets", str(tmp_path / "initiatieven.geojson"), "--out", str(out)]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "4 straatdelen geanalyseerd" in printed and "4 lijnen zijn niet beloopbaar" in printed  # 101 cut at node 2
    result = gpd.read_file(out)
    assert sorted(result["osm_id"]) == ["101", "101", "102", "104"]
    assert "other_tags" in result.columns  # the file's own properties stay
    assert (result["initiatives"] == 1).all()


def _map_scripts(at: AppTest) -> list[str]:
    maps = [e for e in at.main if getattr(e.proto, "component_name", "") == "streamlit_folium.st_folium"]
    return [json.loads(m.proto.json_args)["script"] for m in maps]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_each_map_shows_only_its_own_legend_and_the_page_says_what_a_gap_asks_of_the_gemeente(
    db_url: str, lang: str
) -> None:
    from abcd.i18n import t

    at = _page(Role.OFFICER, lang)
    scripts = _map_scripts(at)
    assert len(scripts) == 2  # the gap map and the effort plan's map
    for script in scripts:
        assert script.count('"abcd-legend"') == 1  # one legend each ...
        assert json.dumps(t("category.business", lang)) not in script  # ... not the seven asset categories
        assert json.dumps(t("category.association", lang)) not in script
    assert t("gaps.legend", lang) in scripts[0]
    at.toggle(key="gaps_by_walks").set_value(True).run()
    assert _map_scripts(at)[0].count('"abcd-legend"') == 1
    meaning = [m.value for m in at.markdown if m.value == t("gaps.meaning", lang)]
    assert meaning and ("hier meer inzet" in meaning[0] if lang == "nl" else "more effort here" in meaning[0])


def test_a_gap_street_links_to_what_is_near_it_escaped(db_url: str) -> None:
    from tests.helpers import HOSTILE_NAME, make_draft

    at = _page(Role.OFFICER)
    chooser = at.selectbox(key="gaps_near_street")
    street = chooser.value
    assert street == chooser.options[0] == at.dataframe[0].value["street"].iloc[0]  # the most length in need
    # A club halfway along that street, and a resident beside it.
    store = Store.open(db_url)
    streets = store.streets("bospolder-tussendijken")
    middle = streets[streets["name"] == street].geometry.iloc[0].interpolate(0.5, normalized=True)
    store.add(make_draft(name=HOSTILE_NAME, category="association", lon=middle.x, lat=middle.y), by="t")
    store.add(make_draft(name="Ans, kookt graag", category="person", lon=middle.x, lat=middle.y), by="t")
    at.run()
    blocks = "\n".join(m.value for m in at.markdown)
    assert "**Dichtstbijzijnde bewonersinitiatieven**" in blocks and "**Dichtstbijzijnde ontmoetingsplekken**" in blocks
    assert re.search(r"Zwerfafval\\-ploeg Gijsingstraat \\\(voorbeeld\\\) \(Bewonersinitiatief\), [\d.]+ m", blocks)
    approach = next(m.value for m in at.markdown if m.value.startswith("**Wie een opbouwwerker"))
    assert "\\<script\\>alert" in approach and "<script>" not in approach  # the club, escaped
    assert "Ans" not in blocks  # never a resident
    distances = [int(d.replace(".", "")) for d in re.findall(r", ([\d.]+) m$", approach, flags=re.MULTILINE)]
    assert distances == sorted(distances) and distances[0] == 0 and all(d <= 500 for d in distances)
    at.selectbox(key="gaps_near_street").set_value(chooser.options[-1]).run()
    assert not at.exception and "\\<script\\>alert" not in "".join(m.value for m in at.markdown)
