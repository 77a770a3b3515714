"""A corpus of bad files: each is refused with a clear message in Dutch and English, and stores nothing.

Every file is made here, in code: broken JSON, coordinates in the wrong
system or order, NaN and infinity, impossible latitudes, empty and
self-intersecting geometries, 3-D RD coordinates, oversized and blank names,
control characters, non-UTF-8 text, zip bombs under every accepted extension,
a GeoPackage whose layer is a recursive SQL view, files over the row cap and a
200 MB upload (a sparse file: it takes no disk); and the files over the limits
of :mod:`abcd.limits`: geometries nested deeper than GEOS survives (as WKT
text and as GeoPackage bytes), too many vertices, columns, cells or
characters in a row.
"""

from __future__ import annotations

import functools
import io as _io
import json
import re
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point

from abcd import exchange, io, limits
from abcd.errors import AbcdError, ImportFileError
from abcd.model import WGS84
from abcd.permissions import CLI_USER
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, INSIDE_BOTU, WIJKEN_DIR, make_draft, row_counts
from tests.hostile_files import nested_area_geojson, nested_area_gpkg, nested_geometry_gpkg, nested_wkt, wide_csv

LON, LAT = INSIDE_BOTU
HEADER = "name,category,lat,lon"
RD_BOTU = (88_900.0, 437_400.0)  # roughly BoTu in RD New metres (x, y)
ZIP_INFLATED = 64 * 1024 * 1024


def fc(*features: tuple[Any, dict[str, Any]], raw: str | None = None) -> str:
    text = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": p, "geometry": g} for g, p in features],
        }
    )
    return text if raw is None else text.replace('"@@"', raw)


def pt(*coordinates: Any) -> dict[str, Any]:
    return {"type": "Point", "coordinates": list(coordinates)}


def story(name: Any = "Verhaal") -> dict[str, Any]:
    return {"name": name, "category": "story"}


@functools.cache
def zip_bomb() -> bytes:
    """64 MB of zeros in a zip of about 64 kB: harmless only if nobody unpacks it."""
    buffer = _io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("assets.gpkg", b"\0" * ZIP_INFLATED)
    return buffer.getvalue()


def gpkg(path: Path, count: int = 1) -> Path:
    points = [Point(LON + (i % 100) * 1e-6, LAT + (i // 100) * 1e-6) for i in range(count)]
    gpd.GeoDataFrame(
        {"name": [f"P{i}" for i in range(count)], "category": ["story"] * count}, geometry=points, crs=WGS84
    ).to_file(path, layer="assets", driver="GPKG")
    return path


def view_bomb(path: Path) -> Path:
    """A GeoPackage of about 100 kB whose only layer is a recursive view of 10 billion features."""
    gpkg(path)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE VIEW bomb AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 10000000000) "
            "SELECT x AS fid, (SELECT geom FROM assets) AS geom, 'n' || x AS name, 'story' AS category FROM c"
        )
        conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
            "VALUES ('bomb', 'features', 'bomb', 4326)"
        )
        conn.execute("INSERT INTO gpkg_geometry_columns VALUES ('bomb', 'geom', 'POINT', 4326, 0, 0)")
        conn.execute("DELETE FROM gpkg_contents WHERE table_name = 'assets'")
    return path


def attribute_table(path: Path) -> Path:
    """A GeoPackage holding only a table without geometry (what a spreadsheet saved as GPKG gives)."""
    pyogrio.write_dataframe(pd.DataFrame({"name": ["Club"], "category": ["association"]}), path, driver="GPKG")
    return path


def sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as handle:
        handle.truncate(size)  # a hole: no disk blocks are written
    return path


def bow_tie() -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[4.440, 51.910], [4.441, 51.911], [4.441, 51.910], [4.440, 51.911], [4.440, 51.910]]],
    }


Make = Callable[[Path], Path]


def text(name: str, content: str | bytes | Callable[[], str]) -> Make:
    def make(folder: Path) -> Path:
        path = folder / name
        if callable(content):
            path.write_text(content(), encoding="utf-8")
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return make


def made(name: str, build: Callable[[Path], Path]) -> Make:
    return lambda folder: build(folder / name)


def many_csv() -> str:
    return HEADER + "\n" + f"Veel,story,{LAT},{LON}\n" * 100_000


def many_geojson() -> str:
    return fc(*[(pt(LON, LAT), story(f"V{i}")) for i in range(100_000)])


def nested_collection(depth: int) -> dict[str, Any]:
    geometry = pt(LON, LAT)
    for _ in range(depth):
        geometry = {"type": "GeometryCollection", "geometries": [geometry]}
    return geometry


def line_wkt(vertices: int) -> str:
    return "LINESTRING (" + ", ".join(f"{LON + i * 1e-7:.7f} {LAT}" for i in range(vertices)) + ")"


def million_vertices() -> str:
    """One feature with a line of more vertices than a whole file may hold, as plain text (13 MB)."""
    coordinates = ",".join([f"[{LON},{LAT}]"] * (limits.MAX_FILE_VERTICES + 1))
    return fc((pt(LON, LAT), story())).replace(f"[{LON}, {LAT}]", f"[{coordinates}]").replace('"Point"', '"LineString"')


def columns_gpkg(path: Path, count: int) -> Path:
    frame = gpd.GeoDataFrame({f"c{i}": ["x"] for i in range(count)}, geometry=[Point(LON, LAT)], crs=WGS84)
    frame["name"], frame["category"] = "Club", "story"
    frame.to_file(path, layer="assets", driver="GPKG")
    return path


def cells_csv() -> str:
    """400 columns of 2,600 rows: 1,040,000 cells in 2 MB."""
    columns = 400
    header = HEADER + "," + ",".join(f"c{i}" for i in range(columns - 4))
    return header + "\n" + (f"C,story,{LAT},{LON}" + ",x" * (columns - 4) + "\n") * 2_600


# (id, how to make the file, error key (of the row's error for row errors), fragment of the English message)
CORPUS: list[tuple[str, Make, str, str]] = [
    (
        "malformed-json",
        text("kapot.geojson", '{"type": "FeatureCollection", "features": [{"type": "Fea'),
        "error.json_syntax",
        "not valid JSON",
    ),
    ("json-not-geojson", text("topo.json", '{"type": "Topology", "objects": {}}'), "error.not_geojson", "not GeoJSON"),
    (
        "featurecollection-without-features",
        text("leeg.geojson", '{"type": "FeatureCollection"}'),
        "error.not_geojson",
        "FeatureCollection",
    ),
    ("rd-labelled-as-wgs84", text("rd.geojson", fc((pt(*RD_BOTU), story()))), "error.lat_range", "RD coordinates"),
    ("rd-in-csv", text("rd.csv", f"{HEADER}\nRD,story,{RD_BOTU[1]},{RD_BOTU[0]}\n"), "error.lat_range", "RD"),
    ("rd-3d-labelled-as-wgs84", text("rd3d.geojson", fc((pt(*RD_BOTU, -2.5), story()))), "error.lat_range", "RD"),
    ("swapped-lat-lon-geojson", text("om.geojson", fc((pt(LAT, LON), story()))), "error.not_in_nl", "swapped"),
    ("swapped-lat-lon-csv", text("om.csv", f"{HEADER}\nOm,story,{LON},{LAT}\n"), "error.not_in_nl", "swapped"),
    (
        "nan-in-geojson",
        text("nan.geojson", fc((pt(LON, "@@"), story()), raw="NaN")),
        "error.geometry_invalid",
        "not finite",
    ),
    (
        "infinity-in-geojson",
        text("inf.geojson", fc((pt("@@", LAT), story()), raw="Infinity")),
        "error.geometry_invalid",
        "infinity",
    ),
    (
        "1e999-in-geojson",
        text("groot.geojson", fc((pt("@@", LAT), story()), raw="1e999")),
        "error.file_unreadable",
        "1e999",
    ),
    ("nan-in-csv", text("nan.csv", f"{HEADER}\nNaN,story,nan,{LON}\n"), "error.not_finite", "finite"),
    ("infinity-in-csv", text("inf.csv", f"{HEADER}\nInf,story,{LAT},-inf\n"), "error.not_finite", "finite"),
    ("latitude-91-csv", text("91.csv", f"{HEADER}\nNoordpool,story,91,{LON}\n"), "error.lat_range", "91"),
    ("latitude-91-geojson", text("91.geojson", fc((pt(LON, 91.0), story()))), "error.lat_range", "91"),
    ("longitude-181", text("181.csv", f"{HEADER}\nDatumgrens,story,{LAT},181\n"), "error.lon_range", "181"),
    ("empty-point", text("leeg-punt.geojson", fc((pt(), story()))), "error.geometry_empty", "empty"),
    ("null-geometry", text("geen.geojson", fc((None, story()))), "error.geometry_empty", "empty"),
    (
        "empty-polygon",
        text("leeg-vlak.geojson", fc(({"type": "Polygon", "coordinates": []}, story()))),
        "error.geometry_empty",
        "empty",
    ),
    (
        "self-intersecting-polygon",
        text("strik.geojson", fc((bow_tie(), {"name": "Plein", "category": "place"}))),
        "error.geometry_invalid",
        "Self-intersection",
    ),
    (
        "self-intersecting-area-wkt",
        text(
            "strik.csv",
            f"{HEADER},area_wkt\nPlein,place,{LAT},{LON},"
            '"POLYGON ((4.440 51.910, 4.441 51.911, 4.441 51.910, 4.440 51.911, '
            '4.440 51.910))"\n',
        ),
        "error.geometry_invalid",
        "Self-intersection",
    ),
    ("name-of-10-kB", text("lang.csv", f"{HEADER}\n{'x' * 10_240},story,{LAT},{LON}\n"), "error.too_long", "10240"),
    (
        "description-of-10-kB",
        text("lang.geojson", fc((pt(LON, LAT), {**story(), "description": "y" * 10_240}))),
        "error.too_long",
        "4000",
    ),
    ("blank-name", text("blanco.csv", f"{HEADER}\n   ,story,{LAT},{LON}\n"), "error.blank", "blank"),
    ("missing-name", text("naamloos.geojson", fc((pt(LON, LAT), story(None)))), "error.required", "name"),
    (
        "escape-sequence-in-name",
        text("esc.csv", f"{HEADER}\n\x1b]0;pwned\x07,story,{LAT},{LON}\n"),
        "error.control_chars",
        "U+001B",
    ),
    (
        "non-utf8-csv",
        text("latin1.csv", f"{HEADER}\nCafé,business,{LAT},{LON}\n".encode("cp1252")),
        "error.not_utf8",
        "UTF-8",
    ),
    (
        "utf16-csv",
        text("utf16.csv", f"{HEADER}\nCafé,business,{LAT},{LON}\n".encode("utf-16")),
        "error.not_utf8",
        "UTF-8",
    ),
    (
        "non-utf8-geojson",
        text("latin1.geojson", fc((pt(LON, LAT), story("Café"))).replace("\\u00e9", "é").encode("cp1252")),
        "error.not_utf8",
        "UTF-8",
    ),
    ("zip-bomb-as-zip", lambda folder: text("assets.zip", zip_bomb())(folder), "error.file_archive", "Unpack"),
    ("zip-bomb-as-gpkg", lambda folder: text("assets.gpkg", zip_bomb())(folder), "error.not_gpkg", "zip"),
    ("zip-bomb-as-geojson", lambda folder: text("assets.geojson", zip_bomb())(folder), "error.not_utf8", "UTF-8"),
    ("zip-bomb-as-csv", lambda folder: text("assets.csv", zip_bomb())(folder), "error.not_utf8", "UTF-8"),
    ("gpkg-zip", lambda folder: text("assets.gpkg.zip", zip_bomb())(folder), "error.file_archive", ".zip"),
    ("gpkg-recursive-view-bomb", made("view.gpkg", view_bomb), "error.gpkg_view", "view"),
    ("gpkg-without-geometry", made("tabel.gpkg", attribute_table), "error.gpkg_no_layer", "no layer"),
    ("gpkg-garbage", text("rommel.gpkg", b"GPKG" + bytes(range(256)) * 40), "error.not_gpkg", "not a GeoPackage"),
    (
        "gpkg-truncated-sqlite",
        text("half.gpkg", b"SQLite format 3\x00" + b"\xff" * 3000),
        "error.file_unreadable",
        "half.gpkg",
    ),
    ("gpkg-100k-features", made("veel.gpkg", lambda p: gpkg(p, 100_000)), "error.too_many_rows", "100000"),
    ("geojson-100k-features", text("veel.geojson", many_geojson), "error.too_many_rows", "100000"),
    ("csv-100k-rows", text("veel.csv", many_csv), "error.too_many_rows", "100000"),
    ("deeply-nested-json", text("diep.geojson", "[" * 100_000 + "]" * 100_000), "error.json_too_deep", "deeply"),
    (
        "nested-just-over-the-cap",
        text("diep2.geojson", '{"type": "FeatureCollection", "features": [], "x": ' + "[" * 70 + "]" * 70 + "}"),
        "error.json_too_deep",
        "64",
    ),
    (
        "geojson-of-200-MB",
        made("groot.geojson", lambda p: sparse(p, 200 * 1024 * 1024)),
        "error.file_too_large",
        "200.0 MB",
    ),
    ("empty-file", text("leeg.csv", b""), "error.empty_file", "no rows"),
    ("header-only-csv", text("kop.csv", HEADER + "\n"), "error.empty_file", "no rows"),
    ("csv-without-coordinates", text("zonder.csv", "name,category\nA,story\n"), "error.csv_columns", "'lat'"),
    (
        "csv-cell-over-the-csv-limit",
        text("cel.csv", f'{HEADER}\n"{"z" * 200_000}",story,{LAT},{LON}\n'),
        "error.file_unreadable",
        "field larger",
    ),
    ("html-upload", text("assets.html", "<script>alert(1)</script>"), "error.file_format", ".html"),
    ("executable-upload", text("assets.exe", b"MZ\x90\x00"), "error.file_format", ".exe"),
    ("unknown-category", text("club.csv", f"{HEADER}\nClub,clubhuis,{LAT},{LON}\n"), "error.choice", "clubhuis"),
    (
        "bad-uuid",
        text("id.csv", f"id,{HEADER}\n1;DROP TABLE assets,Club,story,{LAT},{LON}\n"),
        "error.bad_uuid",
        "DROP TABLE",
    ),
    # Over the limits of abcd.limits (the security review's files and their relatives).
    (
        "geojson-area-wkt-nested-100000-deep",
        made("diep.geojson", nested_area_geojson),
        "error.geometry_too_deep",
        "more than 16 levels",
    ),
    (
        "gpkg-text-column-nested-30000-deep",
        made("diep.gpkg", nested_area_gpkg),
        "error.geometry_too_deep",
        "more than 16 levels",
    ),
    (
        "gpkg-geometry-blob-nested-100000-deep",
        made("diep-blob.gpkg", nested_geometry_gpkg),
        "error.geometry_too_deep",
        "'location' is nested too deeply",
    ),
    (
        "csv-wkt-column-nested-5000-deep",
        text("diep.csv", f'name,category,wkt\nPlein,place,"{nested_wkt(5_000)}"\n'),
        "error.geometry_too_deep",
        "more than 16 levels",
    ),
    (
        "geojson-geometrycollection-nested-20-deep",
        text("diep-gc.geojson", fc((nested_collection(20), story()))),
        "error.geometry_too_deep",
        "more than 16 levels",
    ),
    (
        "area-wkt-over-the-vertex-limit",
        text(
            "lang.geojson",
            fc((pt(LON, LAT), {"name": "Route", "category": "initiative", "area_wkt": line_wkt(50_001)})),
        ),
        "error.geometry_too_many_vertices",
        "50001 vertices; at most 50000",
    ),
    (
        "geojson-over-the-file-vertex-limit",
        text("veel-punten.geojson", million_vertices),
        "error.file_too_many_vertices",
        "at most 1000000",
    ),
    ("csv-10000-columns", made("breed.csv", lambda p: wide_csv(p, size=0)), "error.too_many_columns", "10000 columns"),
    (
        "geojson-600-properties",
        text("breed.geojson", fc((pt(LON, LAT), {**story(), **{f"p{i}": i for i in range(600)}}))),
        "error.too_many_columns",
        "602 columns",
    ),
    ("gpkg-600-fields", made("breed.gpkg", lambda p: columns_gpkg(p, 600)), "error.too_many_columns", "603 columns"),
    ("csv-over-a-million-cells", text("cellen.csv", cells_csv), "error.too_many_cells", "1000000 cells"),
    (
        "csv-row-over-a-million-characters",
        text("rij.csv", f"{HEADER},a,b,c,d,e,f,g,h,i\nR,story,{LAT},{LON}" + f',"{"r" * 120_000}"' * 9 + "\n"),
        "error.row_too_wide",
        "longer than 1000000 characters",
    ),
    (
        "csv-line-of-2-million-commas",
        text("komma.csv", HEADER + "\n" + "," * 2_000_000),
        "error.row_too_wide",
        "1000000",
    ),
]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def test_the_corpus_has_at_least_25_distinct_bad_files() -> None:
    ids = [case[0] for case in CORPUS]
    assert len(ids) >= 25 and len(set(ids)) == len(ids)


@pytest.fixture
def seeded(botu_store: Store) -> Store:
    botu_store.add(make_draft(name="Al aanwezig"), by="a")
    return botu_store


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("make", "key", "fragment"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_a_bad_file_is_refused_clearly_in_both_languages_and_stores_nothing(
    tmp_path: Path, seeded: Store, catalogue: dict[str, Wijk], make: Make, key: str, fragment: str
) -> None:
    path = make(tmp_path)
    before = row_counts(seeded)
    existing = seeded.list_assets()
    with pytest.raises(ImportFileError) as info:
        exchange.import_assets(seeded, path, catalogue=catalogue, wijken_dir=WIJKEN_DIR, default_wijk=BOTU, by="test")
    err = info.value
    inner = err.params["message"] if err.key == "error.row" else err
    assert inner.key == key, err.message("en")
    nl, en = err.message("nl"), err.message("en")
    assert nl == str(err) and nl != en
    assert fragment in en, en
    for message in (nl, en):
        assert "error." not in message and not PLACEHOLDER.search(message), message
        assert len(message) < 600  # one readable line, not a dump of the file
    assert row_counts(seeded) == before
    assert seeded.list_assets() == existing


def test_messages_are_dutch_by_default_and_english_on_request(tmp_path: Path, seeded: Store, catalogue: Any) -> None:
    path = text("91.csv", f"{HEADER}\nNoordpool,story,91,{LON}\n")(tmp_path)
    with pytest.raises(ImportFileError) as info:
        exchange.import_assets(seeded, path, catalogue=catalogue, wijken_dir=WIJKEN_DIR, default_wijk=BOTU, by="t")
    assert info.value.message("nl").startswith("Rij 2: Breedtegraad 91")
    assert info.value.message("en").startswith("Row 2: Latitude 91")


# -------------------------------------------------- refused before reading
def test_the_200_mb_file_is_refused_by_size_before_any_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = sparse(tmp_path / "groot.geojson", 200 * 1024 * 1024)
    assert path.stat().st_size == 200 * 1024 * 1024

    def must_not_run(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(Path, "read_bytes", must_not_run)
    monkeypatch.setattr(pyogrio, "read_dataframe", must_not_run)
    with pytest.raises(ImportFileError) as info:
        io.read_rows(path)
    assert info.value.key == "error.file_too_large"
    assert info.value.message("en") == "The file is too large (200.0 MB); at most 50 MB."


def test_an_upload_over_the_limit_is_refused_before_it_is_written(
    seeded: Store, catalogue: dict[str, Wijk], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Path, "write_bytes", lambda *_a: pytest.fail("the upload was written"))
    with pytest.raises(ImportFileError) as info:
        exchange.import_upload(
            seeded,
            "groot.geojson",
            b" " * 2_000,
            catalogue=catalogue,
            wijken_dir=WIJKEN_DIR,
            default_wijk=BOTU,
            user=CLI_USER,
            max_bytes=1_000,
        )
    assert info.value.key == "error.file_too_large"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("assets.zip", "error.file_archive"),
        ("assets.gpkg.zip", "error.file_archive"),
        ("assets.tar.gz", "error.file_archive"),
        ("../../etc/passwd", "error.file_format"),
        ("assets", "error.file_format"),
    ],
)
def test_an_upload_with_another_extension_is_refused(
    seeded: Store, catalogue: dict[str, Wijk], name: str, key: str
) -> None:
    with pytest.raises(ImportFileError) as info:
        exchange.import_upload(
            seeded, name, zip_bomb(), catalogue=catalogue, wijken_dir=WIJKEN_DIR, default_wijk=BOTU, user=CLI_USER
        )
    assert info.value.key == key
    assert ".geojson, .json, .gpkg, .csv" in info.value.message("en")


def test_an_upload_is_imported_under_its_own_name_only(seeded: Store, catalogue: dict[str, Wijk]) -> None:
    data = f"{HEADER}\nGoed,story,{LAT},{LON}\nSlecht,story,91,{LON}\n".encode()
    with pytest.raises(ImportFileError) as info:
        exchange.import_upload(
            seeded,
            "../../tmp/mijn lijst.csv",
            data,
            catalogue=catalogue,
            wijken_dir=WIJKEN_DIR,
            default_wijk=BOTU,
            user=CLI_USER,
        )
    assert info.value.params["row"] == 3
    good = exchange.import_upload(
        seeded,
        "C:\\Users\\ans\\lijst.csv",
        data.split(b"Slecht")[0],
        catalogue=catalogue,
        wijken_dir=WIJKEN_DIR,
        default_wijk=BOTU,
        user=CLI_USER,
    )
    assert good.created == 1


def test_a_geopackage_over_the_cap_is_refused_before_its_features_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = gpkg(tmp_path / "veel.gpkg", 30)
    monkeypatch.setattr(pyogrio, "read_dataframe", lambda *_a, **_k: pytest.fail("features were read"))
    with pytest.raises(ImportFileError) as info:
        io.read_rows(path, max_rows=10)
    assert (info.value.key, info.value.params["count"]) == ("error.too_many_rows", 30)


def test_a_geopackage_that_lies_about_its_size_is_still_bounded(tmp_path: Path) -> None:
    path = gpkg(tmp_path / "liegt.gpkg", 30)
    with sqlite3.connect(path) as conn:  # the stored count GDAL may trust
        conn.execute("UPDATE gpkg_ogr_contents SET feature_count = 3")
    assert pyogrio.read_info(path)["features"] in (3, 30)
    with pytest.raises(ImportFileError) as info:
        io.read_rows(path, max_rows=10)
    assert info.value.key == "error.too_many_rows"


def test_a_view_bomb_is_refused_without_counting_its_features(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = view_bomb(tmp_path / "view.gpkg")
    assert path.stat().st_size < 200_000
    monkeypatch.setattr(pyogrio, "read_info", lambda *_a, **_k: pytest.fail("the view was counted"))
    monkeypatch.setattr(pyogrio, "read_dataframe", lambda *_a, **_k: pytest.fail("the view was read"))
    with pytest.raises(ImportFileError) as info:
        io.read_rows(path)
    assert info.value.params == {"path": "view.gpkg", "layer": "bomb"}


def test_a_plain_geopackage_with_a_spatial_index_still_imports(tmp_path: Path) -> None:
    path = gpkg(tmp_path / "goed.gpkg", 3)
    with sqlite3.connect(path) as conn:
        kinds = {row[0] for row in conn.execute("SELECT sql FROM sqlite_master WHERE sql LIKE '%VIRTUAL%'")}
    assert any("rtree" in k for k in kinds)  # GDAL's spatial index is a virtual table, and allowed
    assert [r.values["name"] for r in io.read_rows(path)] == ["P0", "P1", "P2"]


def test_a_csv_over_the_cap_is_counted_without_keeping_every_row(tmp_path: Path) -> None:
    path = text("veel.csv", HEADER + "\n" + f"V,story,{LAT},{LON}\n" * 25 + "\n")(tmp_path)
    with pytest.raises(ImportFileError) as info:
        io.read_rows(path, max_rows=10)
    assert info.value.params["count"] == 25


def test_an_error_from_the_cli_says_nothing_was_imported(
    tmp_path: Path, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from abcd.cli import main

    path = made("view.gpkg", view_bomb)(tmp_path)
    assert main(["init", "--no-examples"]) == 0
    capsys.readouterr()
    assert main(["import", str(path)]) == 2
    assert capsys.readouterr().err.strip().endswith("Er is niets geïmporteerd.")


def test_gdal_messages_are_caught_as_abcd_errors(tmp_path: Path) -> None:
    # The one message text that comes from GDAL itself is wrapped in a translated sentence.
    path = text("groot.geojson", fc((pt("@@", LAT), story()), raw="1e999"))(tmp_path)
    with pytest.raises(AbcdError) as info:
        io.read_rows(path)
    assert info.value.message("nl").startswith("Het bestand groot.geojson kan niet gelezen worden")


# ------------------------------------------------------ the upload on Lijst
@pytest.fixture
def lijst(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from streamlit.testing.v1 import AppTest

    from abcd.cli import main
    from abcd.permissions import Role, User

    url = f"sqlite:///{tmp_path}/app.db"
    monkeypatch.setenv("ABCD_DATABASE_URL", url)
    monkeypatch.delenv("ABCD_LANG", raising=False)
    assert main(["init", "--no-examples"]) == 0
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    at.session_state["user"] = User("ans", Role.BUILDER)
    at.run()
    at.switch_page("app_pages/lijst.py")
    at.run()
    assert not at.exception, at.exception
    return at, Store.open(url)


def test_the_lijst_page_imports_an_uploaded_file(lijst: Any) -> None:
    at, store = lijst
    (uploader,) = at.file_uploader
    assert set(uploader.allowed_type) == {".geojson", ".json", ".gpkg", ".csv", ".gpx", ".kml", ".xlsx", ".zip"}
    data = f"{HEADER}\nBuurtmoestuin,place,{LAT},{LON}\nKoor,association,{LAT},{LON}\n".encode()
    uploader.set_value(("mijn lijst.csv", data, "text/csv"))
    at.run()
    at.button(key="list_import_button").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["2 assets geïmporteerd, 0 bijgewerkt, 0 ongewijzigd."]
    assert sorted(a.name for a in store.list_assets()) == ["Buurtmoestuin", "Koor"]
    assert all(a.created_by == "ans" for a in store.list_assets())


def test_a_bad_upload_shows_the_row_and_the_reason_escaped_and_stores_nothing(lijst: Any) -> None:
    at, store = lijst
    hostile = "[klik](javascript:alert(1))"
    data = f"{HEADER}\nGoed,story,{LAT},{LON}\nSlecht,{hostile},{LAT},{LON}\n".encode()
    at.file_uploader[0].set_value(("lijst.csv", data, "text/csv"))
    at.run()
    at.button(key="list_import_button").click().run()
    (error,) = [e.value for e in at.error]
    assert error.startswith("Rij 3: Onbekende waarde")
    assert error.endswith("Er is niets geïmporteerd\\.")
    assert hostile not in error and "\\[klik\\]\\(javascript:alert\\(1\\)\\)" in error  # shown as text
    assert store.count_assets() == 0


def test_the_import_box_is_only_shown_to_who_may_import(lijst: Any) -> None:
    from abcd.permissions import PUBLIC_USER, Role, User

    at, _ = lijst
    officer, builder = User("gemeente", Role.OFFICER), User("ans", Role.BUILDER)
    for user, shown in ((PUBLIC_USER, False), (officer, False), (builder, True)):
        at.session_state["user"] = user
        at.run()
        assert (len(at.file_uploader) == 1) is shown, user
