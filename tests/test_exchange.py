"""Import and export through the store: round trips, all-or-nothing imports, clear row errors."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point

from abcd import exchange
from abcd.errors import ImportFileError
from abcd.io import RawRow
from abcd.model import RD_NEW, WGS84, Asset, Category, MeetingPlaceRole, Source
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import (
    BOTU,
    HOSTILE_NAME,
    INSIDE_BOTU,
    INSIDE_BOTU_2,
    LINE_IN_BOTU,
    NORTH_SEA,
    OUDE_WESTEN,
    POLYGON_IN_BOTU,
    make_draft,
    row_counts,
)
from tests.helpers import WIJKEN_DIR as DATA

FORMATS = [".geojson", ".gpkg", ".csv"]
ID_1 = "0b6f2a7e-8d54-4f0c-9a1b-2c3d4e5f6a71"
ID_2 = "0b6f2a7e-8d54-4f0c-9a1b-2c3d4e5f6a72"


@pytest.fixture
def do_import(catalogue: dict[str, Wijk]) -> Callable[..., exchange.ImportResult]:
    def run(store: Store, path: Path, **kwargs: Any) -> exchange.ImportResult:
        options: dict[str, Any] = {"catalogue": catalogue, "wijken_dir": DATA, "default_wijk": BOTU, "by": "test"}
        options.update(kwargs)
        return exchange.import_assets(store, path, **options)

    return run


@pytest.fixture
def other_store(tmp_path: Path) -> Iterator[Store]:
    """A second, empty database: where an export is imported into."""
    opened = Store.open(f"sqlite:///{tmp_path}/other/abcd.db")
    yield opened
    opened.close()


@pytest.fixture
def seeded(botu_store: Store) -> list[Asset]:
    return botu_store.add_many(
        [
            make_draft(name=HOSTILE_NAME, description='Zegt "hallo" & <i>dag</i>\nTweede regel; met, tekens'),
            make_draft(name="Zwerfafval-ploeg", category="initiative", area=LINE_IN_BOTU),
            make_draft(
                name="Taalcafé", category="initiative", resident_led="nee", lon=INSIDE_BOTU_2[0], lat=INSIDE_BOTU_2[1]
            ),
            make_draft(name="Speelplein", category="place", area=POLYGON_IN_BOTU, lon=4.44053, lat=51.91047),
            make_draft(
                name="Wijkcentrum", category="meeting_place", meeting_place_role="standard", contact="06-12345678"
            ),
            make_draft(name="Haringpakkers", category="story", source="example"),
        ],
        by="veldwerk",
    )


def fc(*features: tuple[dict[str, Any] | None, dict[str, Any]]) -> str:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": p, "geometry": g} for g, p in features],
        },
        ensure_ascii=False,
    )


def pt(lon: float, lat: float, *z: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat, *z]}


# ------------------------------------------------------------------ round trips
@pytest.mark.parametrize("suffix", FORMATS)
def test_export_then_import_into_another_database_gives_the_same_assets(
    tmp_path: Path,
    botu_store: Store,
    other_store: Store,
    seeded: list[Asset],
    do_import: Callable[..., Any],
    suffix: str,
) -> None:
    path = tmp_path / f"export{suffix}"
    assert exchange.export_assets(botu_store, path) == len(seeded)

    result = do_import(other_store, path)
    assert (result.created, result.updated, result.wijken) == (len(seeded), 0, (BOTU,))
    back = {a.id: a for a in other_store.list_assets()}
    assert set(back) == {a.id for a in seeded}
    for original in seeded:
        copy = back[original.id]
        assert copy.name == original.name
        assert copy.category is original.category
        assert copy.description == original.description
        assert copy.lon == pytest.approx(original.lon, abs=1e-6)
        assert copy.lat == pytest.approx(original.lat, abs=1e-6)
        assert copy.resident_led is original.resident_led
        assert copy.meeting_place_role is original.meeting_place_role
        assert copy.source is original.source
        if original.area is None:
            assert copy.area is None
        else:
            assert copy.area is not None and copy.area.equals_exact(original.area, 1e-6)
        assert copy.contact is None  # private: never exported
        assert copy.created_by == "test"
    assert back[seeded[0].id].name == HOSTILE_NAME
    assert back[seeded[4].id].meeting_place_role is MeetingPlaceRole.STANDARD
    assert back[seeded[2].id].resident_led is False
    assert back[seeded[5].id].source is Source.EXAMPLE


@pytest.mark.parametrize("suffix", FORMATS)
def test_reimporting_an_export_changes_nothing(
    tmp_path: Path, botu_store: Store, seeded: list[Asset], do_import: Callable[..., Any], suffix: str
) -> None:
    path = tmp_path / f"export{suffix}"
    exchange.export_assets(botu_store, path)
    counts = row_counts(botu_store)
    result = do_import(botu_store, path)
    assert (result.created, result.updated) == (0, 0)
    assert row_counts(botu_store) == counts
    assert all(botu_store.get(a.id).version == 1 for a in seeded)


def test_reimporting_an_edited_export_updates_instead_of_duplicating(
    tmp_path: Path, botu_store: Store, seeded: list[Asset], do_import: Callable[..., Any]
) -> None:
    path = tmp_path / "export.csv"
    exchange.export_assets(botu_store, path)
    path.write_text(path.read_text(encoding="utf-8").replace(",Taalcafé,", ",Taalcafé op woensdag,"), encoding="utf-8")

    result = do_import(botu_store, path)
    assert (result.created, result.updated) == (0, 1)
    assert botu_store.count_assets() == len(seeded)
    edited = botu_store.get(seeded[2].id)
    assert (edited.name, edited.version, edited.updated_by) == ("Taalcafé op woensdag", 2, "test")
    assert [h.action for h in botu_store.history(edited.id)] == ["create", "update"]


def test_reimporting_an_export_keeps_the_private_contact(
    tmp_path: Path, botu_store: Store, seeded: list[Asset], do_import: Callable[..., Any]
) -> None:
    path = tmp_path / "export.geojson"
    exchange.export_assets(botu_store, path)
    do_import(botu_store, path)
    assert botu_store.get(seeded[4].id).contact == "06-12345678"


def test_an_empty_contact_column_clears_the_contact(
    tmp_path: Path, botu_store: Store, seeded: list[Asset], do_import: Callable[..., Any]
) -> None:
    centre = seeded[4]
    path = tmp_path / "contact.csv"
    path.write_text(
        f"id,version,name,category,lat,lon,contact\n{centre.id},1,Wijkcentrum,meeting_place,{centre.lat},{centre.lon},\n",
        encoding="utf-8",
    )
    assert do_import(botu_store, path).updated == 1
    assert botu_store.get(centre.id).contact is None


def test_export_leaves_out_deleted_assets_and_contact_details(
    tmp_path: Path, botu_store: Store, seeded: list[Asset]
) -> None:
    botu_store.delete(seeded[1].id, by="a")
    path = tmp_path / "export.geojson"
    assert exchange.export_assets(botu_store, path) == len(seeded) - 1
    text = path.read_text(encoding="utf-8")
    assert seeded[1].id not in text
    assert "06-12345678" not in text and "contact" not in text


def test_export_of_one_wijk(
    tmp_path: Path, botu_store: Store, seeded: list[Asset], do_import: Callable[..., Any]
) -> None:
    path = tmp_path / "oude-westen.csv"
    path.write_text(
        f"name,category,lat,lon,wijk\nBakker,business,{OUDE_WESTEN[1]},{OUDE_WESTEN[0]},oude-westen\n", encoding="utf-8"
    )
    do_import(botu_store, path)
    out = tmp_path / "botu.geojson"
    assert exchange.export_assets(botu_store, out, wijk=BOTU) == len(seeded)
    assert "Bakker" not in out.read_text(encoding="utf-8")
    assert exchange.export_assets(botu_store, tmp_path / "ow.geojson", wijk="oude-westen") == 1


def test_export_of_an_empty_store_writes_an_empty_file_that_import_refuses(
    tmp_path: Path, botu_store: Store, do_import: Callable[..., Any]
) -> None:
    path = tmp_path / "leeg.csv"
    assert exchange.export_assets(botu_store, path) == 0
    with pytest.raises(ImportFileError) as info:
        do_import(botu_store, path)
    assert info.value.key == "error.empty_file"


@pytest.mark.parametrize("suffix", FORMATS)
def test_export_leaves_no_temporary_files(tmp_path: Path, botu_store: Store, seeded: list[Asset], suffix: str) -> None:
    out = tmp_path / "out"
    exchange.export_assets(botu_store, out / f"assets{suffix}")
    exchange.export_assets(botu_store, out / f"assets{suffix}")
    sources = ["assets_bronnen.txt"] if suffix == ".csv" else []  # a CSV's sources and licences (abcd.licences)
    assert sorted(p.name for p in out.iterdir()) == sorted([f"assets{suffix}", *sources])


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def umask() -> int:
    """This process's umask, read without changing it (os.umask can only set it)."""
    status = Path("/proc/self/status").read_text(encoding="ascii")
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Umask:")), 8)


@pytest.mark.parametrize("suffix", [*FORMATS, ".html"])
def test_a_personal_export_is_readable_by_its_owner_only(
    tmp_path: Path, botu_store: Store, seeded: list[Asset], suffix: str
) -> None:
    botu_store.add(make_draft(category="person", name="Bewoner", contact="bewoner@example.org"), by="a")
    out = tmp_path / "out"
    out.mkdir()
    public, personal = out / f"openbaar{suffix}", out / f"persoonlijk{suffix}"
    personal.write_text("an older export, readable by everyone", encoding="utf-8")
    personal.chmod(0o644)
    exchange.export_assets(botu_store, public, wijk=BOTU)
    exchange.export_assets(botu_store, personal, wijk=BOTU, include_personal=True)
    assert mode(personal) == 0o600  # also when it replaces a file others could read
    assert mode(public) == 0o666 & ~umask()  # other exports keep the usual mode
    sources = [f"{p.stem}_bronnen.txt" for p in (public, personal)] if suffix == ".csv" else []
    assert sorted(p.name for p in out.iterdir()) == sorted([public.name, personal.name, *sources])  # nothing else
    if sources:  # the sources beside a personal export are as private as the export
        assert mode(out / sources[1]) == 0o600


def test_the_cli_writes_a_personal_export_owner_only(tmp_path: Path, cli_env: Path) -> None:
    from abcd.cli import main

    assert main(["init", "--no-examples"]) == 0
    out = tmp_path / "personen.gpkg"
    assert main(["export", str(out), "--include-personal"]) == 0
    assert mode(out) == 0o600


# -------------------------------------------------------------- good imports
def test_csv_import_with_semicolons_decimal_commas_and_dutch_yes_no(
    tmp_path: Path, botu_store: Store, do_import: Callable[..., Any]
) -> None:
    path = tmp_path / "excel.csv"
    text = "\ufeffname;category;lat;lon;resident_led;description\r\n"
    text += "Geveltuinen;initiative;51,9107;4,4413;nee;Stekjes, zaden\r\n"
    text += "Naaiclub;association;51,911;4,4405;;\r\n"
    path.write_bytes(text.encode("utf-8"))  # Excel: BOM, semicolons, CRLF
    assert do_import(botu_store, path).created == 2
    by_name = {a.name: a for a in botu_store.list_assets()}
    assert (by_name["Geveltuinen"].lon, by_name["Geveltuinen"].lat) == (4.4413, 51.9107)
    assert by_name["Geveltuinen"].resident_led is False
    assert by_name["Geveltuinen"].description == "Stekjes, zaden"
    assert by_name["Naaiclub"].source is Source.IMPORT
    assert BOTU in botu_store.areas_of([by_name["Naaiclub"].id])[by_name["Naaiclub"].id]  # where it lies


def test_csv_import_with_a_wkt_column(tmp_path: Path, botu_store: Store, do_import: Callable[..., Any]) -> None:
    path = tmp_path / "wkt.csv"
    path.write_text(
        "name,category,wkt\n"
        f'Punt,association,"POINT ({INSIDE_BOTU[0]} {INSIDE_BOTU[1]})"\n'
        f'Route,initiative,"{LINE_IN_BOTU}"\n',
        encoding="utf-8",
    )
    assert do_import(botu_store, path).created == 2
    by_name = {a.name: a for a in botu_store.list_assets()}
    assert (by_name["Punt"].lon, by_name["Punt"].lat) == INSIDE_BOTU
    route = by_name["Route"]
    assert route.area is not None and route.area.equals(shapely.from_wkt(LINE_IN_BOTU))
    assert route.area.distance(Point(route.lon, route.lat)) < 1e-9


def test_geopackage_in_rd_is_imported_at_the_right_place(
    tmp_path: Path, botu_store: Store, do_import: Callable[..., Any]
) -> None:
    frame = gpd.GeoDataFrame(
        {"name": ["In RD"], "category": ["place"]}, geometry=[Point(*INSIDE_BOTU)], crs=WGS84
    ).to_crs(RD_NEW)
    path = tmp_path / "rd.gpkg"
    frame.to_file(path, driver="GPKG")
    do_import(botu_store, path)
    (asset,) = botu_store.list_assets()
    assert asset.lon == pytest.approx(INSIDE_BOTU[0], abs=1e-7)
    assert asset.lat == pytest.approx(INSIDE_BOTU[1], abs=1e-7)


def test_geojson_with_rd_crs_member_is_imported_at_the_right_place(
    tmp_path: Path, botu_store: Store, do_import: Callable[..., Any]
) -> None:
    rd = gpd.GeoSeries([Point(*INSIDE_BOTU)], crs=WGS84).to_crs(RD_NEW).iloc[0]
    doc = json.loads(fc((pt(rd.x, rd.y), {"name": "RD", "category": "story"})))
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}
    path = tmp_path / "rd.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    do_import(botu_store, path)
    (asset,) = botu_store.list_assets()
    assert (asset.lon, asset.lat) == (pytest.approx(INSIDE_BOTU[0], abs=1e-6), pytest.approx(INSIDE_BOTU[1], abs=1e-6))


def test_3d_coordinates_are_accepted_and_flattened(
    tmp_path: Path, botu_store: Store, do_import: Callable[..., Any]
) -> None:
    line = {"type": "LineString", "coordinates": [[4.44285, 51.91064, 3.0], [4.44395, 51.91158, 4.0]]}
    path = tmp_path / "z.geojson"
    path.write_text(
        fc(
            (pt(*INSIDE_BOTU, 7.0), {"name": "Punt", "category": "story"}),
            (line, {"name": "Lijn", "category": "initiative"}),
        ),
        encoding="utf-8",
    )
    assert do_import(botu_store, path).created == 2
    by_name = {a.name: a for a in botu_store.list_assets()}
    assert (by_name["Punt"].lon, by_name["Punt"].lat) == INSIDE_BOTU
    area = by_name["Lijn"].area
    assert area is not None and not area.has_z
    assert area.equals(shapely.from_wkt(LINE_IN_BOTU))


def test_rows_of_another_wijk_onboard_that_wijk(
    tmp_path: Path, botu_store: Store, do_import: Callable[..., Any]
) -> None:
    path = tmp_path / "twee-wijken.csv"
    path.write_text(
        "name,category,lat,lon,wijk\n"
        f"Hier,story,{INSIDE_BOTU[1]},{INSIDE_BOTU[0]},\n"
        f"Daar,story,{OUDE_WESTEN[1]},{OUDE_WESTEN[0]},BU05990111\n",
        encoding="utf-8",
    )
    result = do_import(botu_store, path)
    assert result.wijken == (BOTU, "oude-westen")
    assert botu_store.has_wijk("oude-westen")
    assert [a.name for a in botu_store.list_assets(wijk="oude-westen")] == ["Daar"]


# -------------------------------------------------------- refused imports
CSV_HEADER = "name,category,lat,lon"


def csv_with_bad_row_3(bad: str) -> str:
    good = [f"Goed {i},association,{INSIDE_BOTU[1]},{INSIDE_BOTU[0]}" for i in (1, 2, 4, 5)]
    return "\n".join([CSV_HEADER, good[0], good[1], bad, good[2], good[3]]) + "\n"


REFUSALS: list[tuple[str, str, str | bytes, str, str]] = [
    # (id, file name, content, error key of the inner error or of the file, fragment of the English message)
    (
        "bad-category-row-3",
        "five.csv",
        csv_with_bad_row_3(f"Slecht,club,{INSIDE_BOTU[1]},{INSIDE_BOTU[0]}"),
        "error.choice",
        "Row 4:",
    ),
    (
        "swapped",
        "swapped.csv",
        csv_with_bad_row_3(f"Om,association,{INSIDE_BOTU[0]},{INSIDE_BOTU[1]}"),
        "error.not_in_nl",
        "swapped",
    ),
    ("rd-in-csv", "rd.csv", csv_with_bad_row_3("RD,association,437000,92000"), "error.lat_range", "RD"),
    ("nan", "nan.csv", csv_with_bad_row_3("Nan,association,nan,4.4413"), "error.not_finite", "latitude"),
    ("empty-coordinate", "empty.csv", csv_with_bad_row_3("Leeg,association,,4.4413"), "error.required", "latitude"),
    (
        "outside-wijk",
        "outside.csv",
        csv_with_bad_row_3(f"Ver,association,{OUDE_WESTEN[1]},{OUDE_WESTEN[0]}"),
        "error.outside_wijk_in",
        "in Oude Westen",
    ),
    (
        "outside-every-wijk",
        "zee.csv",
        csv_with_bad_row_3(f"Ver,association,{NORTH_SEA[1]},{NORTH_SEA[0]}"),
        "error.outside_all",
        "every known neighbourhood",
    ),
    (
        "unknown-wijk",
        "wijk.csv",
        "name,category,lat,lon,wijk\nA,story,51.9107,4.4413,\nB,story,51.9107,4.4413,Atlantis\n",
        "error.unknown_wijk",
        "Atlantis",
    ),
    (
        "duplicate-id",
        "dup.csv",
        f"id,name,category,lat,lon\n{ID_1},A,story,51.9107,4.4413\n{ID_2},B,story,51.9107,4.4413\n{ID_1},C,story,51.9107,4.4413\n",
        "error.duplicate_id",
        ID_1,
    ),
    (
        "bad-row-3-geojson",
        "five.geojson",
        fc(
            *[(pt(*INSIDE_BOTU), {"name": f"Goed {i}", "category": "story"}) for i in (1, 2)],
            (pt(*INSIDE_BOTU), {"name": "   ", "category": "story"}),
            *[(pt(*INSIDE_BOTU), {"name": f"Goed {i}", "category": "story"}) for i in (4, 5)],
        ),
        "error.blank",
        "Row 3:",
    ),
    (
        "rd-labelled-wgs84",
        "rd.geojson",
        fc((pt(92000.0, 437000.0), {"name": "RD", "category": "story"})),
        "error.lat_range",
        "RD",
    ),
    (
        "swapped-geojson",
        "swapped.geojson",
        fc((pt(INSIDE_BOTU[1], INSIDE_BOTU[0]), {"name": "Om", "category": "story"})),
        "error.not_in_nl",
        "swapped",
    ),
    (
        "null-geometry",
        "null.geojson",
        fc((pt(*INSIDE_BOTU), {"name": "A", "category": "story"}), (None, {"name": "B", "category": "story"})),
        "error.geometry_empty",
        "Row 2:",
    ),
    (
        "multipoint",
        "mp.geojson",
        fc(
            (
                {"type": "MultiPoint", "coordinates": [list(INSIDE_BOTU), list(INSIDE_BOTU_2)]},
                {"name": "A", "category": "initiative"},
            )
        ),
        "error.geometry_type",
        "MultiPoint",
    ),
    ("bad-wkt", "wkt.csv", 'name,category,wkt\nA,place,"POLYGON (("\n', "error.geometry_invalid", "Row 2:"),
    (
        "malformed-json",
        "bad.geojson",
        '{"type": "FeatureCollection", "features": [',
        "error.json_syntax",
        "not valid JSON",
    ),
    ("deep-json", "deep.geojson", "[" * 10_000 + "]" * 10_000, "error.json_too_deep", "nested too deeply"),
    (
        "not-utf8",
        "latin.csv",
        f"name,category,lat,lon\nCafé,business,{INSIDE_BOTU[1]},{INSIDE_BOTU[0]}\n".encode("cp1252"),
        "error.not_utf8",
        "UTF-8",
    ),
    ("empty-file", "empty.geojson", b"", "error.empty_file", "no rows"),
    ("unknown-extension", "assets.txt", "name,lat,lon\n", "error.file_format", ".txt"),
    ("no-coordinates", "nocoords.csv", "name,category\nA,story\n", "error.csv_columns", "Found: name, category"),
]


@pytest.mark.parametrize(
    ("name", "content", "key", "fragment"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_a_bad_file_imports_nothing_and_says_why(
    tmp_path: Path,
    botu_store: Store,
    do_import: Callable[..., Any],
    name: str,
    content: str | bytes,
    key: str,
    fragment: str,
) -> None:
    existing = botu_store.add(make_draft(name="Al aanwezig"), by="a")
    before = row_counts(botu_store)
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")

    with pytest.raises(ImportFileError) as info:
        do_import(botu_store, path)
    err = info.value
    inner = err.params["message"] if err.key == "error.row" else err
    assert inner.key == key
    assert fragment in err.message("en")
    assert err.message("nl") == str(err) and err.message("nl") != err.message("en")
    assert row_counts(botu_store) == before
    assert botu_store.get(existing.id) == existing


@pytest.mark.parametrize(("name", "row"), [("five.csv", 4), ("five.geojson", 3)])
def test_the_bad_row_is_named_as_the_user_counts_it(
    tmp_path: Path, botu_store: Store, do_import: Callable[..., Any], name: str, row: int
) -> None:
    content = next(r[2] for r in REFUSALS if r[1] == name)
    path = tmp_path / name
    path.write_text(str(content), encoding="utf-8")
    with pytest.raises(ImportFileError) as info:
        do_import(botu_store, path)
    assert info.value.key == "error.row"
    assert info.value.params["row"] == row
    assert str(info.value).startswith(f"Rij {row}: ")
    assert info.value.message("en").startswith(f"Row {row}: ")
    assert botu_store.count_assets() == 0


def test_outside_wijk_names_the_wijk_where_the_point_lies(
    tmp_path: Path, botu_store: Store, do_import: Callable[..., Any]
) -> None:
    path = tmp_path / "outside.csv"
    path.write_text(f"{CSV_HEADER}\nVer,association,{OUDE_WESTEN[1]},{OUDE_WESTEN[0]}\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as info:
        do_import(botu_store, path)
    inner = info.value.params["message"]
    assert inner.params["actual_slug"] == "oude-westen"
    assert str(info.value) == "Rij 2: Het punt ligt buiten Bospolder-Tussendijken, in Oude Westen."


def test_too_large_file_is_refused(tmp_path: Path, botu_store: Store, do_import: Callable[..., Any]) -> None:
    path = tmp_path / "big.csv"
    path.write_text(f"{CSV_HEADER}\n" + f"A,story,{INSIDE_BOTU[1]},{INSIDE_BOTU[0]}\n" * 50, encoding="utf-8")
    with pytest.raises(ImportFileError) as info:
        do_import(botu_store, path, max_bytes=500)
    assert info.value.key == "error.file_too_large"
    assert row_counts(botu_store) == (0, 0)
    assert do_import(botu_store, path, duplicates="keep").created == 50  # the default limit is generous


def test_a_failing_import_updates_no_existing_asset(
    tmp_path: Path, botu_store: Store, seeded: list[Asset], do_import: Callable[..., Any]
) -> None:
    path = tmp_path / "export.csv"
    exchange.export_assets(botu_store, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [line.replace(",Taalcafé,", ",Taalcafé nieuw,") for line in lines]
    lines.append(f"{ID_1},{OUDE_WESTEN[1]},{OUDE_WESTEN[0]},Ver weg,story,,,,,,,,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts = row_counts(botu_store)
    with pytest.raises(ImportFileError):
        do_import(botu_store, path)
    assert row_counts(botu_store) == counts
    assert botu_store.get(seeded[2].id).name == "Taalcafé"


# --------------------------------------------------------- drafts_from_rows
def test_drafts_from_rows_applies_the_default_wijk_and_import_source(catalogue: dict[str, Wijk]) -> None:
    rows = [
        RawRow(2, {"name": "A", "category": "story", "lon": INSIDE_BOTU[0], "lat": INSIDE_BOTU[1]}),
        RawRow(
            3, {"name": "B", "category": "story", "lon": OUDE_WESTEN[0], "lat": OUDE_WESTEN[1], "wijk": "Oude Westen"}
        ),
    ]
    a, b = exchange.drafts_from_rows(rows, default_wijk=BOTU, catalogue=catalogue)
    assert (a.wijk, a.source, a.category) == (BOTU, Source.IMPORT, Category.STORY)
    assert b.wijk == "oude-westen"
