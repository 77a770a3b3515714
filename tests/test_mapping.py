"""Mapping a register's own columns and categories (abcd.mapping), GPX waypoints and KML placemarks.

The example register is a municipal list of community facilities in
Bospolder-Tussendijken with Dutch columns and its own category values; its
RD New coordinates were computed once from the WGS84 points beside them
(pyproj, EPSG:4326 -> EPSG:28992) and are written here as literals.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from abcd import exchange
from abcd.cli import main
from abcd.errors import ImportFileError
from abcd.io import RawRow, read_rows, renamed
from abcd.mapping import (
    FIELDS,
    ImportMapping,
    UnmappedCategories,
    category_from_text,
    columns_from_options,
    map_categories,
    mapping_from,
    mapping_from_json,
    mapping_from_options,
    mapping_to_json,
    read_category_map,
    read_mapping,
    write_mapping,
)
from abcd.model import Category
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, WIJKEN_DIR

# (name, register category, description, WGS84 lon, lat, RD x, RD y), all inside BoTu.
FACILITIES = [
    ("Buurtkamer De Put", "Buurtkamer", "Koffie en soep", 4.4413, 51.9107, "89914,90", "436223,87"),
    ("Huis van de wijk Bospolder", " huis van de WIJK ", "", 4.4405, 51.9110, "89860,29", "436257,96"),
    ("Bibliotheek Delfshaven", "Bibliotheek", "Boeken en e-books", 4.4420, 51.9100, "89962,05", "436145,37"),
    ("Moestuin Tussendijken", "Moestuin", "Groente", 4.4400, 51.9115, "89826,61", "436314,03"),
    ("Moestuin Achterhof", "moestuin", "", 4.4410, 51.9112, "89895,28", "436280,07"),
]
CATEGORY_TABLE = "waarde,categorie\nBuurtkamer,Ontmoetingsplek\nHuis van de wijk,meeting_place\n"
CATEGORY_TABLE_FULL = CATEGORY_TABLE + "BIBLIOTHEEK,Institution\nmoestuin,Bewonersinitiatief\n"
MAPS = ["--map", "naam=name", "--map", "categorie=category", "--map", "omschrijving=description"]


def register_rd(path: Path, rows: list[tuple[Any, ...]] = FACILITIES) -> Path:
    """The register as the gemeente exports it: ';'-separated, decimal commas, RD New x/y."""
    lines = ["naam;categorie;omschrijving;x;y"]
    lines += [f"{name};{cat};{desc};{x};{y}" for name, cat, desc, _, _, x, y in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """``abcd`` on a fresh database with BoTu; returns (exit code, stdout, stderr)."""
    assert main(["init", "--no-examples"]) == 0
    capsys.readouterr()
    return lambda *argv: run(capsys, *argv)


def cli_store(cli_env: Path) -> Store:
    return Store.open(f"sqlite:///{cli_env}", upgrade=False)


@pytest.fixture
def do_import(botu_store: Store, catalogue: dict[str, Wijk]) -> Callable[..., exchange.ImportResult]:
    def run_import(path: Path, **kwargs: Any) -> exchange.ImportResult:
        options: dict[str, Any] = {"catalogue": catalogue, "wijken_dir": WIJKEN_DIR, "by": "test"}
        return exchange.import_assets(botu_store, path, **(options | kwargs))

    return run_import


# ------------------------------------------------------------------ the register through the command line
def test_a_dutch_register_in_rd_imports_through_map_crs_and_category_map(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]], cli_env: Path
) -> None:
    (tmp_path / "cats.csv").write_text(CATEGORY_TABLE_FULL, encoding="utf-8")
    path = register_rd(tmp_path / "voorzieningen.csv")
    code, out, err = cli("import", str(path), *MAPS, "--crs", "28992", "--category-map", str(tmp_path / "cats.csv"))
    assert (code, err) == (0, "")
    assert "5 assets geïmporteerd in Bospolder-Tussendijken." in out
    stored = {a.name: a for a in cli_store(cli_env).list_assets()}
    assert {n: a.category.value for n, a in stored.items()} == {
        "Buurtkamer De Put": "meeting_place",
        "Huis van de wijk Bospolder": "meeting_place",
        "Bibliotheek Delfshaven": "institution",
        "Moestuin Tussendijken": "initiative",
        "Moestuin Achterhof": "initiative",
    }
    for name, _, description, lon, lat, _, _ in FACILITIES:
        assert stored[name].description == description
        # RD New back to WGS84 lands within about a metre of where the point was taken from.
        assert stored[name].lon == pytest.approx(lon, abs=2e-5)
        assert stored[name].lat == pytest.approx(lat, abs=2e-5)
    assert all(a.source.value == "import" for a in stored.values())


def test_rows_whose_category_has_no_mapping_are_listed_and_nothing_is_stored(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]], cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cats.csv").write_text(CATEGORY_TABLE, encoding="utf-8")
    path = register_rd(tmp_path / "voorzieningen.csv")
    argv = ("import", str(path), *MAPS, "--crs", "28992", "--category-map", str(tmp_path / "cats.csv"))
    code, out, err = cli(*argv)
    assert code == 2 and out == ""
    assert err.startswith("2 categoriewaarden hebben geen abcd-categorie, en abcd raadt niet.")
    # Every value once, as first written, with every row (the header is row 1); no guess at either.
    assert "\n'Bibliotheek': 1 rij (4)\n'Moestuin': 2 rijen (5, 6) Er is niets geïmporteerd." in err
    assert cli_store(cli_env).count_assets() == 0
    monkeypatch.setenv("ABCD_LANG", "en")
    code, _, err = cli(*argv)
    assert code == 2
    assert err.startswith("2 category values have no abcd category, and abcd does not guess.")
    assert "\n'Bibliotheek': 1 row (4)\n'Moestuin': 2 rows (5, 6)" in err


def test_save_mapping_writes_one_file_and_the_next_import_needs_only_mapping(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]], cli_env: Path
) -> None:
    (tmp_path / "cats.csv").write_text(CATEGORY_TABLE_FULL, encoding="utf-8")
    first = register_rd(tmp_path / "2025.csv", FACILITIES[:2])
    saved = tmp_path / "botu-register.json"
    code, out, _ = cli(
        "import",
        str(first),
        *MAPS,
        "--crs",
        "28992",
        "--category-map",
        str(tmp_path / "cats.csv"),
        "--save-mapping",
        str(saved),
    )
    assert code == 0
    assert f"Koppeling opgeslagen in {saved}" in out
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data == {
        "abcd_mapping": 1,
        "columns": {"naam": "name", "categorie": "category", "omschrijving": "description"},
        "categories": {
            "buurtkamer": "meeting_place",
            "huis van de wijk": "meeting_place",
            "bibliotheek": "institution",
            "moestuin": "initiative",
        },
        "category": None,
        "crs": "EPSG:28992",
    }
    # Next year's export of the same register: only --mapping.
    code, out, err = cli("import", str(register_rd(tmp_path / "2026.csv", FACILITIES[2:])), "--mapping", str(saved))
    assert (code, err) == (0, "")
    assert "3 assets geïmporteerd" in out
    assert sorted(a.category.value for a in cli_store(cli_env).list_assets()) == [
        "initiative",
        "initiative",
        "institution",
        "meeting_place",
        "meeting_place",
    ]


def test_an_unknown_field_is_refused_naming_the_valid_ones(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]], cli_env: Path
) -> None:
    code, _, err = cli("import", str(register_rd(tmp_path / "r.csv")), "--map", "naam=titel", "--crs", "28992")
    assert code == 2
    assert err.startswith("Onbekend abcd-veld 'titel' voor de kolom 'naam'. Geldige velden: name, category,")
    assert ", lat, lon, wkt, " in err
    assert cli_store(cli_env).count_assets() == 0
    code, _, err = cli("import", str(tmp_path / "r.csv"), "--map", "naam")
    assert code == 2 and "'naam' is geen koppeling. Schrijf KOLOM=VELD" in err


def test_rd_metres_without_crs_are_refused_with_the_hint(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    (tmp_path / "cats.csv").write_text(CATEGORY_TABLE_FULL, encoding="utf-8")
    path = register_rd(tmp_path / "r.csv")
    code, _, err = cli("import", str(path), *MAPS, "--category-map", str(tmp_path / "cats.csv"))
    assert code == 2
    assert "Rij 2:" in err and "RD-coördinaten" in err


# ------------------------------------------------------------------ the mapping itself
def test_category_values_match_trimmed_and_case_insensitively() -> None:
    mapping = mapping_from(categories={"Huis van de wijk": "meeting_place", " BIEB ": "Instelling"})
    assert mapping.category_of("  huis van  de WIJK") is Category.MEETING_PLACE
    assert mapping.category_of("bieb") is Category.INSTITUTION
    assert mapping.category_of("association") is Category.ASSOCIATION  # abcd's own code needs no mapping
    assert mapping.category_of("Huis van de wijken") is None  # no near matches
    assert mapping.category_of("") is None


def test_map_categories_lists_each_value_once_with_its_rows() -> None:
    rows = [
        RawRow(2, {"category": "Buurtkamer"}),
        RawRow(3, {"category": "Bibliotheek"}),
        RawRow(4, {"category": " bibliotheek"}),
        RawRow(5, {"category": None}),
        RawRow(6, {"category": "story"}),
    ]
    mapping = mapping_from(categories={"buurtkamer": "meeting_place"})
    with pytest.raises(UnmappedCategories) as caught:
        map_categories(rows, mapping)
    assert caught.value.values == {"Bibliotheek": [3, 4], "": [5]}
    assert caught.value.message("en").endswith("'Bibliotheek': 2 rows (3, 4)\n(empty): 1 row (5)")
    mapped = map_categories(
        rows,
        mapping_from(
            categories={"buurtkamer": "meeting_place", "bibliotheek": "institution"}, default_category="place"
        ),
    )
    assert [r.values["category"] for r in mapped] == ["meeting_place", "institution", "institution", "place", "story"]
    assert [r.number for r in mapped] == [2, 3, 4, 5, 6]


def test_without_a_category_source_rows_pass_to_validation_unchanged() -> None:
    rows = [RawRow(2, {"category": "Bibliotheek"})]
    assert map_categories(rows, None) == rows
    assert map_categories(rows, mapping_from(columns={"naam": "name"})) == rows
    assert mapping_from(columns={"category": "category"}).maps_categories is False
    assert mapping_from(columns={"soort": "category"}).maps_categories is True


def test_categories_are_named_by_code_or_by_their_dutch_or_english_name() -> None:
    assert category_from_text("Vereniging of club") is Category.ASSOCIATION
    assert category_from_text("resident initiative") is Category.INITIATIVE
    assert category_from_text(" Meeting_Place ") is Category.MEETING_PLACE
    with pytest.raises(ImportFileError) as caught:
        category_from_text("Bibliotheek")
    assert caught.value.message("en").startswith("Unknown category 'Bibliotheek'. Valid are the codes and names: ")
    assert "institution (Instelling, Institution)" in str(caught.value)


def test_one_field_from_two_columns_is_refused() -> None:
    with pytest.raises(ImportFileError) as caught:
        mapping_from(columns={"naam": "name", "Titel": "NAME", "nr": None})
    assert str(caught.value).startswith("De kolommen naam, titel zijn allemaal aan het veld 'name' gekoppeld.")


def test_every_field_a_file_row_can_hold_is_a_target() -> None:
    assert {"name", "category", "description", "lat", "lon", "wkt", "wijk", "id", "version"} <= set(FIELDS)
    assert not {"created_at", "updated_at", "area"} & set(FIELDS)
    assert columns_from_options(["Naam = name", "intern="]) == {"naam": "name", "intern": None}


def test_renamed_columns_replace_the_file_s_own_and_none_drops_one() -> None:
    values = {"naam": "Tuin", "name": "oud", "nr": "7", "category": "place"}
    assert renamed(values, {"naam": "name", "nr": None}) == {"name": "Tuin", "category": "place"}
    assert renamed(values, None) == values
    assert renamed(values, {"category": "category"}) == values


def test_category_table_with_or_without_header_and_its_mistakes(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text("Buurtkamer;Ontmoetingsplek\nBieb;institution\n\n", encoding="utf-8")
    assert read_category_map(plain) == {"buurtkamer": Category.MEETING_PLACE, "bieb": Category.INSTITUTION}
    bad = tmp_path / "bad.csv"
    bad.write_text("waarde,categorie\nBuurtkamer,meeting_place\nBieb,Boekenkast\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        read_category_map(bad)
    assert str(caught.value).startswith("Regel 3 van bad.csv: Onbekende categorie 'Boekenkast'.")
    twice = tmp_path / "twice.csv"
    twice.write_text("waarde,categorie\nBieb,institution\nBIEB ,place\nbieb,institution\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        read_category_map(twice)
    assert (
        str(caught.value) == "'BIEB' staat in twice.csv twee keer met een andere categorie: op regel 2 en op regel 3."
    )
    one = tmp_path / "one.csv"
    one.write_text("alleen\nBieb\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="moet twee kolommen hebben"):
        read_category_map(one)


def test_the_mapping_file_round_trips_and_other_shapes_are_refused(tmp_path: Path) -> None:
    mapping = mapping_from(
        columns={"Naam": "name", "intern": None},
        categories={"Buurtkamer": "meeting_place"},
        default_category="place",
        crs="epsg:28992",
    )
    path = tmp_path / "m.json"
    write_mapping(mapping, path)
    assert read_mapping(path) == mapping
    assert mapping.crs == "EPSG:28992" and dict(mapping.columns) == {"naam": "name", "intern": None}
    for text, expected in [
        ('{"columns": {}}', "geen abcd-koppelbestand"),
        ('{"abcd_mapping": 1, "kolommen": {}}', "Gevonden: abcd_mapping, kolommen."),
        ('{"abcd_mapping": 1, "columns": {"naam": ["name"]}}', "geen abcd-koppelbestand"),
        ('{"abcd_mapping": 1, "columns": {"naam": "titel"}}', "Onbekend abcd-veld 'titel'"),
        ('{"abcd_mapping": 1, "crs": "EPSG:999999"}', "Onbekend coördinatenstelsel 'EPSG:999999'"),
        ('{"abcd_mapping": 1,', "geen geldige JSON"),
    ]:
        with pytest.raises(ImportFileError, match=expected):
            mapping_from_json(text, name="m.json")


def test_options_add_to_the_mapping_file(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(mapping_to_json(mapping_from(columns={"naam": "name", "soort": "category"})), encoding="utf-8")
    merged = mapping_from_options(
        mapping_file=path, maps=["soort=", "type=category"], default_category="Verhaal of erfgoed"
    )
    assert merged is not None
    assert dict(merged.columns) == {"naam": "name", "soort": None, "type": "category"}
    assert merged.default_category is Category.STORY
    assert mapping_from_options() is None
    assert ImportMapping().maps_categories is False


# ------------------------------------------------------------------ columns mapped to the location
def test_columns_mapped_to_lat_lon_or_wkt_give_the_location(
    tmp_path: Path, do_import: Callable[..., exchange.ImportResult], botu_store: Store
) -> None:
    points = tmp_path / "punten.csv"
    points.write_text(
        'titel,soort,plek_noord,plek_oost\nBankje,place,"51,9107","4,4413"\n', encoding="utf-8"
    )  # no column abcd.io recognises as a location until it is mapped
    with pytest.raises(ImportFileError, match="geen kolommen 'lat' en 'lon'"):
        do_import(points)
    mapping = mapping_from(columns={"titel": "name", "soort": "category", "plek_noord": "lat", "plek_oost": "lon"})
    assert do_import(points, mapping=mapping, default_wijk=BOTU).created == 1
    shapes = tmp_path / "vormen.csv"
    line = "LINESTRING (4.44285 51.91064, 4.44395 51.91158)"
    shapes.write_text(f'titel;soort;vorm\nStraatfeest;initiative;"{line}"\n', encoding="utf-8")
    mapping = mapping_from(columns={"titel": "name", "soort": "category", "vorm": "wkt"})
    assert do_import(shapes, mapping=mapping).created == 1
    (party,) = [a for a in botu_store.list_assets() if a.name == "Straatfeest"]
    assert party.area is not None and party.area.geom_type == "LineString"


# ------------------------------------------------------------------ GPX and KML
GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="abcd tests" xmlns="http://www.topografix.com/GPX/1/1">
  <wpt lat="51.9107" lon="4.4413"><name>Buurtkamer De Put</name><desc>Koffie op dinsdag</desc></wpt>
  <wpt lat="51.9110" lon="4.4405"><name>Moestuin &amp; co</name><cmt>Achter de school</cmt></wpt>
  <trk><name>Ommetje</name><trkseg><trkpt lat="51.9100" lon="4.4400"/><trkpt lat="51.9115" lon="4.4420"/></trkseg></trk>
</gpx>
"""

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Register</name>
<Folder><name>Binnen</name>
  <Placemark id="p1"><name>Buurtkamer De Put</name><description>Open &lt;b&gt;dinsdag&lt;/b&gt;</description>
    <ExtendedData><Data name="soort"><value>Buurtkamer</value></Data></ExtendedData>
    <Point><coordinates>4.4413,51.9107,0</coordinates></Point></Placemark>
</Folder>
<Folder><name>Buiten</name>
  <Placemark id="p2"><name>Geveltuinen Schiedamseweg</name>
    <ExtendedData><Data name="soort"><value>Groen</value></Data></ExtendedData>
    <Polygon><outerBoundaryIs><LinearRing><coordinates>
      4.4400,51.9100 4.4410,51.9100 4.4410,51.9110 4.4400,51.9110 4.4400,51.9100
    </coordinates></LinearRing></outerBoundaryIs></Polygon>
  </Placemark>
</Folder>
</Document></kml>
"""


def test_gpx_waypoints_import_with_name_description_and_a_category_for_all(
    tmp_path: Path, do_import: Callable[..., exchange.ImportResult], botu_store: Store
) -> None:
    path = tmp_path / "rondje.gpx"
    path.write_text(GPX, encoding="utf-8")
    rows = read_rows(path)
    assert [(r.number, r.values["name"], r.values["description"]) for r in rows] == [
        (1, "Buurtkamer De Put", "Koffie op dinsdag"),
        (2, "Moestuin & co", "Achter de school"),  # no desc: the comment
    ]  # the track is not a waypoint
    with pytest.raises(ImportFileError, match="Rij 1: Het veld 'categorie' is verplicht"):
        do_import(path)
    result = do_import(path, mapping=mapping_from(default_category="place"))
    assert (result.created, result.wijken) == (2, (BOTU,))
    assert sorted((a.name, a.category.value) for a in botu_store.list_assets()) == [
        ("Buurtkamer De Put", "place"),
        ("Moestuin & co", "place"),
    ]


def test_kml_placemarks_of_every_folder_import_through_a_category_map(
    tmp_path: Path, do_import: Callable[..., exchange.ImportResult], botu_store: Store
) -> None:
    path = tmp_path / "register.kml"
    path.write_text(KML, encoding="utf-8")
    mapping = mapping_from(
        columns={"soort": "category"}, categories={"buurtkamer": "meeting_place", "groen": "Bewonersinitiatief"}
    )
    assert do_import(path, mapping=mapping).created == 2
    stored = {a.name: a for a in botu_store.list_assets()}
    assert stored["Buurtkamer De Put"].category is Category.MEETING_PLACE
    assert stored["Buurtkamer De Put"].description == "Open <b>dinsdag</b>"  # text as written; pages escape it
    garden = stored["Geveltuinen Schiedamseweg"]
    assert garden.category is Category.INITIATIVE and garden.area is not None
    assert garden.area.geom_type == "Polygon"


def test_gpx_and_kml_that_cannot_hold_assets_are_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bom.gpx"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n'
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><wpt lat="51.91" lon="4.44"><name>&b;</name>'
        "</wpt></gpx>\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFileError, match="DOCTYPE- of ENTITY-declaratie"):
        read_rows(bomb)
    wide = tmp_path / "breed.kml"
    wide.write_text(KML.replace("<kml", "<!DOCTYPE kml>\n<kml"), encoding="utf-16")
    with pytest.raises(ImportFileError, match="DOCTYPE- of ENTITY-declaratie"):
        read_rows(wide)
    tracks = tmp_path / "route.gpx"
    tracks.write_text(GPX.split("<wpt")[0] + "<trk><trkseg><trkpt lat='51.91' lon='4.44'/></trkseg></trk></gpx>\n")
    with pytest.raises(ImportFileError, match="heeft geen waypoints"):
        read_rows(tracks)


def test_the_command_line_imports_gpx_with_a_category(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]], cli_env: Path
) -> None:
    path = tmp_path / "rondje.gpx"
    path.write_text(GPX, encoding="utf-8")
    code, out, err = cli("import", str(path), "--category", "Plek (park, speeltuin, plein)")
    assert (code, err) == (0, "")
    assert "2 assets geïmporteerd" in out
    assert {a.category for a in cli_store(cli_env).list_assets()} == {Category.PLACE}
