"""The import box on the Lijst page: columns found, a suggested mapping, a preview, import on confirmation.

Also the domain side it stands on (abcd.import_preview), without Streamlit.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from abcd.cli import main
from abcd.import_preview import (
    category_values,
    field_label,
    memory_key,
    preview_frame,
    preview_map,
    remember_mapping,
    remembered_mapping,
    suggest_crs,
    suggest_field,
    suggested_columns,
    upload_columns,
)
from abcd.io import RawRow
from abcd.mapping import mapping_from
from abcd.model import Category
from abcd.store import Store
from tests.helpers import HOSTILE_NAME, ROOT

REGISTER = (
    "naam;soort;omschrijving;breedtegraad;lengtegraad;intern nr\n"
    "Buurtkamer De Put;Buurtkamer;Koffie op dinsdag;51,9107;4,4413;17\n"
    "Bibliotheek Delfshaven;Bibliotheek;;51,9110;4,4405;18\n"
    "Moestuin Achterhof;Moestuin;Groente;51,9100;4,4420;19\n"
)
NEXT_YEAR = (
    "naam;soort;omschrijving;breedtegraad;lengtegraad;intern nr\n"
    "Buurtkamer Het Gemaal;buurtkamer;Soep op vrijdag;51,9112;4,4410;20\n"
)
GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="abcd tests" xmlns="http://www.topografix.com/GPX/1/1">
  <wpt lat="51.9107" lon="4.4413"><name>Speeltuin Ruige Plaat</name><desc>Met klimrek</desc></wpt>
  <wpt lat="51.9110" lon="4.4405"><name>Pleintje Tussendijken</name></wpt>
</gpx>
"""


# ------------------------------------------------------------------ the page
@pytest.fixture
def box(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Store]:
    """The Lijst page as a builder sees it, on a fresh database with BoTu."""
    from streamlit.testing.v1 import AppTest

    from abcd.permissions import Role, User

    url = f"sqlite:///{tmp_path}/app.db"
    monkeypatch.setenv("ABCD_DATABASE_URL", url)
    monkeypatch.delenv("ABCD_LANG", raising=False)
    assert main(["init", "--no-examples"]) == 0
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = User("ans", Role.BUILDER)
    at.run()
    at.switch_page("app_pages/lijst.py")
    at.run()
    assert not at.exception, at.exception
    return at, Store.open(url)


def upload(at: Any, name: str, text: str) -> None:
    at.file_uploader[0].set_value((name, text.encode("utf-8"), "text/plain"))
    at.run()
    assert not at.exception, at.exception


def select(at: Any, label_start: str) -> Any:
    (found,) = [s for s in at.selectbox if s.label.startswith(label_start)]
    return found


def columns_chosen(at: Any) -> dict[str, str | None]:
    return {s.label.split(" (")[0]: s.value or None for s in at.selectbox if "_col_" in (s.key or "")}


def category_selects(at: Any) -> dict[str, str | None]:
    return {s.label: s.value or None for s in at.selectbox if "_cat_" in (s.key or "")}


def shown(markdown: str) -> str:
    """A message as the reader sees it: without the backslashes that keep markdown from acting on it."""
    return re.sub(r"\\(.)", r"\1", markdown)


def preview_script(at: Any) -> str:
    maps = [e for e in at.main if getattr(e.proto, "component_name", "") == "streamlit_folium.st_folium"]
    return "".join(str(m.proto.json_args) for m in maps)


def test_the_box_suggests_a_mapping_previews_and_imports_only_on_confirmation(box: tuple[Any, Store]) -> None:
    at, store = box
    upload(at, "voorzieningen.csv", REGISTER)
    assert columns_chosen(at) == {
        "naam": "name",
        "soort": "category",
        "omschrijving": "description",
        "breedtegraad": "lat",
        "lengtegraad": "lon",
        "intern nr": None,  # not an abcd field: not used
    }
    assert select(at, "naam").label == "naam (bijv. Buurtkamer De Put)"
    assert select(at, "Coördinaten in").value == "EPSG:4326"
    # Every register value gets a select, empty: nothing is guessed.
    assert category_selects(at) == {
        "Buurtkamer (1 rij)": None,
        "Bibliotheek (1 rij)": None,
        "Moestuin (1 rij)": None,
    }
    assert "3 waarden hebben nog geen categorie; zo wordt er niets geïmporteerd." in [w.value for w in at.warning]
    assert preview_script(at) == ""  # no row has a category yet: nothing on the map
    select(at, "Buurtkamer (").set_value("meeting_place").run()
    select(at, "Bibliotheek (").set_value("institution").run()
    select(at, "Moestuin (").set_value("initiative").run()
    assert not at.warning
    assert "3 van de eerste 3 rijen op de kaart (3 in het bestand)" in " ".join(c.value for c in at.caption)
    script = preview_script(at)
    assert "Buurtkamer De Put" in script and "Moestuin Achterhof" in script
    (table,) = [d.value for d in at.dataframe if "row" in d.value.columns]
    assert table.to_dict("records")[0] == {
        "row": 2,
        "name": "Buurtkamer De Put",
        "category": "Ontmoetingsplek",
        "lat": 51.9107,
        "lon": 4.4413,
    }
    assert store.count_assets() == 0  # shown, not imported
    at.button(key="list_import_button").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["3 assets geïmporteerd, 0 bijgewerkt, 0 ongewijzigd."]
    stored = {a.name: a for a in store.list_assets()}
    assert {n: a.category.value for n, a in stored.items()} == {
        "Buurtkamer De Put": "meeting_place",
        "Bibliotheek Delfshaven": "institution",
        "Moestuin Achterhof": "initiative",
    }
    assert stored["Buurtkamer De Put"].description == "Koffie op dinsdag"


def test_a_value_without_a_category_stops_the_import_naming_its_rows(box: tuple[Any, Store]) -> None:
    at, store = box
    upload(at, "voorzieningen.csv", REGISTER)
    select(at, "Buurtkamer (").set_value("meeting_place").run()
    assert "2 waarden hebben nog geen categorie" in at.warning[0].value
    at.button(key="list_import_button").click().run()
    (error,) = [shown(e.value) for e in at.error]
    assert error.startswith("2 categoriewaarden hebben geen abcd-categorie, en abcd raadt niet.")
    assert "\n'Bibliotheek': 1 rij (3)  \n'Moestuin': 1 rij (4) Er is niets geïmporteerd." in error  # a line each
    assert store.count_assets() == 0


def test_the_mapping_is_remembered_for_the_next_file_with_the_same_columns(box: tuple[Any, Store]) -> None:
    at, store = box
    upload(at, "2025.csv", REGISTER)
    select(at, "omschrijving").set_value("").run()  # the user leaves the description out
    for label, code in (("Buurtkamer (", "meeting_place"), ("Bibliotheek (", "institution"), ("Moestuin (", "place")):
        select(at, label).set_value(code).run()
    at.button(key="list_import_button").click().run()
    assert store.count_assets() == 3
    assert all(a.description == "" for a in store.list_assets())
    upload(at, "2026.csv", NEXT_YEAR)  # a new, empty uploader after an import
    assert [i.value for i in at.info] == [
        "Een bestand met deze kolommen is eerder geïmporteerd: de koppeling van toen is ingevuld."
    ]
    assert columns_chosen(at)["omschrijving"] is None
    assert select(at, "buurtkamer (").value == "meeting_place"  # matched case-insensitively
    at.button(key="list_import_button").click().run()
    assert not at.error, [e.value for e in at.error]
    assert store.count_assets() == 4
    (gemaal,) = [a for a in store.list_assets() if a.name == "Buurtkamer Het Gemaal"]
    assert (gemaal.category, gemaal.description) == (Category.MEETING_PLACE, "")


def test_a_bad_mapping_shows_a_message_and_nothing_can_be_imported(box: tuple[Any, Store]) -> None:
    at, store = box
    upload(at, "voorzieningen.csv", REGISTER)
    select(at, "omschrijving").set_value("name").run()
    (error,) = [shown(e.value) for e in at.error]
    assert error.startswith("De kolommen naam, omschrijving zijn allemaal aan het veld 'name' gekoppeld.")
    assert at.button(key="list_import_button").disabled
    select(at, "omschrijving").set_value("description").run()
    select(at, "breedtegraad").set_value("").run()  # no location left
    (error,) = [e.value for e in at.error]
    assert "De CSV heeft geen kolommen 'lat' en 'lon'" in error
    assert at.button(key="list_import_button").disabled
    assert store.count_assets() == 0


def test_rd_metres_are_recognised_and_gpx_waypoints_get_one_category(box: tuple[Any, Store]) -> None:
    at, store = box
    upload(at, "rd.csv", "naam;soort;x;y\nBuurtkamer De Put;meeting_place;89914,90;436223,87\n")
    assert columns_chosen(at) == {"naam": "name", "soort": "category", "x": "lon", "y": "lat"}
    assert select(at, "Coördinaten in").value == "EPSG:28992"
    assert "1 van de eerste 1 rijen op de kaart" in " ".join(c.value for c in at.caption)
    at.file_uploader[0].set_value(None).run()
    upload(at, "rondje.gpx", GPX)
    assert not [s for s in at.selectbox if s.label == "Coördinaten in"]  # a GPX file says its own CRS
    assert columns_chosen(at) == {"name": "name", "description": "description"}
    select(at, "Categorie voor rijen zonder categorie").set_value("place").run()
    at.button(key="list_import_button").click().run()
    assert not at.error, [e.value for e in at.error]
    assert sorted((a.name, a.category.value) for a in store.list_assets()) == [
        ("Pleintje Tussendijken", "place"),
        ("Speeltuin Ruige Plaat", "place"),
    ]


def test_what_the_file_says_is_shown_as_text(box: tuple[Any, Store]) -> None:
    at, _ = box
    hostile_value = "[klik](javascript:alert(1))"
    upload(at, "vies.csv", f"<b>naam</b>,soort,lat,lon\n{HOSTILE_NAME},{hostile_value},51.9107,4.4413\n")
    labels = [s.label for s in at.selectbox]
    assert "\\<b\\>naam\\</b\\> (bijv. \\<script\\>alert" in " ".join(labels)
    assert "\\[klik\\]\\(javascript:alert\\(1\\)\\) (1 rij)" in labels
    select(at, "\\[klik\\]").set_value("association").run()
    select(at, "\\<b\\>naam").set_value("name").run()
    script = preview_script(at)
    assert "<script>alert" not in script and "&lt;script&gt;alert" in script


# ------------------------------------------------------------------ the domain side
def test_suggestions_are_abcd_s_own_names_and_obvious_dutch_ones() -> None:
    found = {"Naam": "x", "categorie": "Moestuin", "soort": "Tuin", "breedte graad": "51.9", "x": "4.44", "id": "17"}
    assert suggested_columns({k.lower(): v for k, v in found.items()}) == {
        "naam": "name",
        "categorie": "category",
        "soort": None,  # the category comes from one column only
        "breedte graad": "lat",
        "x": "lon",
        "id": None,  # a register's own numbers are no asset ids
    }
    assert suggest_field("wkt") == "wkt" and suggest_field("Omschrijving") == "description"
    remembered = mapping_from(columns={"soort": "category", "categorie": None})
    assert suggested_columns({"categorie": "a", "soort": "b"}, remembered) == {"categorie": None, "soort": "category"}


def test_rd_is_suggested_only_for_rd_sized_numbers() -> None:
    mapping = {"x": "lon", "y": "lat"}
    assert suggest_crs({"x": "89914,90", "y": "436223.87"}, mapping) == "EPSG:28992"
    assert suggest_crs({"x": "4.4413", "y": "51.9107"}, mapping) is None
    assert suggest_crs({"x": "tekst", "y": "436223"}, mapping) is None
    assert suggest_crs({"x": "89914"}, mapping) is None


def test_category_values_are_distinct_counted_and_only_exact_names_suggested() -> None:
    rows = [
        RawRow(2, {"category": "Buurtkamer"}),
        RawRow(3, {"category": " buurtkamer "}),
        RawRow(4, {"category": "Ontmoetingsplek"}),
        RawRow(5, {"category": "story"}),  # a code: nothing to map
        RawRow(6, {"category": None}),
    ]
    values = category_values(rows)
    assert [(v.value, v.rows, v.suggested) for v in values] == [
        ("Buurtkamer", 2, None),
        ("Ontmoetingsplek", 1, Category.MEETING_PLACE),
    ]
    remembered = mapping_from(categories={"buurtkamer": "meeting_place"})
    assert category_values(rows, remembered)[0].suggested is Category.MEETING_PLACE


def test_the_preview_keeps_rows_with_a_category_and_a_location(tmp_path: Path) -> None:
    rows = [
        RawRow(2, {"name": "Put", "category": "Buurtkamer", "lat": "51,9107", "lon": "4,4413"}),
        RawRow(3, {"name": "Zee", "category": "Buurtkamer", "lat": "52.6", "lon": "2.0"}),  # outside NL
        RawRow(4, {"name": "Bieb", "category": "Bibliotheek", "lat": "51.9110", "lon": "4.4405"}),  # unmapped
        RawRow(5, {"name": HOSTILE_NAME, "category": "story", "lat": 51.9100, "lon": 4.4420}),
    ]
    frame = preview_frame(rows, mapping_from(categories={"buurtkamer": "meeting_place"}))
    assert list(frame["row"]) == [2, 5]
    assert list(frame["category"]) == ["meeting_place", "story"]
    assert frame.crs == "EPSG:4326"
    assert (frame.geometry.x.round(4).tolist(), frame.geometry.y.round(4).tolist()) == (
        [4.4413, 4.442],
        [51.9107, 51.91],
    )
    html = preview_map(frame, lang="en").get_root().render()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert len(preview_frame(rows * 30, mapping_from(), limit=7)) == 1  # the first 7 rows only


def test_upload_columns_lists_columns_with_a_value_and_the_mapping_is_kept_per_column_set(store: Store) -> None:
    text = "naam,leeg,omschrijving\n" + "".join(f"Plek {i},,{'x' * 60 if i == 0 else ''}\n" for i in range(3))
    assert upload_columns("r.csv", text.encode()) == {"naam": "Plek 0", "leeg": None, "omschrijving": "x" * 39 + "…"}
    assert remembered_mapping(store, ["naam", "soort"]) is None
    mapping = mapping_from(columns={"naam": "name"}, categories={"Bieb": "institution"}, crs="28992")
    remember_mapping(store, ["soort", "naam"], mapping)
    assert remembered_mapping(store, ["naam", "soort"]) == mapping
    assert remembered_mapping(store, ["naam"]) is None
    assert len(memory_key(["a" * 500])) <= 100  # fits the meta table's key
    assert field_label("lat", "en") == "latitude (lat)"


def test_a_kobo_export_needs_no_mapping_in_the_box_and_imports_twice_without_duplicates(
    box: tuple[Any, Store], tmp_path: Path
) -> None:
    from tests.test_fieldforms import SUBMISSIONS, kobo_csv

    at, store = box
    text = kobo_csv(tmp_path / "kobo.csv", SUBMISSIONS[:2]).read_text(encoding="utf-8")
    upload(at, "abcd_kobo.csv", text)
    assert any("export van KoboToolbox" in i.value for i in at.info)
    assert not [s for s in at.selectbox if s.label.startswith("_uuid")]  # no column selects to fill in
    at.button(key="list_import_button").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert store.count_assets() == 2 and store.import_batches()[0].kind == "kobo"
    upload(at, "abcd_kobo.csv", text)
    at.button(key="list_import_button").click().run()
    assert not at.error, [e.value for e in at.error]
    assert store.count_assets() == 2
