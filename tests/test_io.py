"""Reading and writing asset files: formats, reprojection, CSV dialects, refusals, atomic writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from abcd import io
from abcd.errors import ImportFileError
from abcd.model import RD_NEW, WGS84
from abcd.store import Store
from tests.helpers import HOSTILE_NAME, INSIDE_BOTU, LINE_IN_BOTU, POLYGON_IN_BOTU, make_draft

# The RD New origin near Amersfoort: 155000, 463000 m is 52.15517 N, 5.38720 E in WGS84
# (published reference values; the Helmert transformation agrees to about a metre).
AMERSFOORT_RD = (155_000.0, 463_000.0)
AMERSFOORT_WGS84 = (5.38720, 52.15517)


def feature_collection(*features: tuple[dict[str, Any] | None, dict[str, Any]], crs: str | None = None) -> str:
    doc: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": props, "geometry": geom} for geom, props in features],
    }
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc, ensure_ascii=False)


def point(lon: float, lat: float, *z: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat, *z]}


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def refused(path: Path, **kwargs: Any) -> ImportFileError:
    with pytest.raises(ImportFileError) as info:
        io.read_rows(path, **kwargs)
    assert info.value.message("en")  # renders in English without missing parameters
    return info.value


# ----------------------------------------------------------------- GeoJSON
def test_geojson_points_become_numbered_raw_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.geojson",
        feature_collection(
            (point(4.4413, 51.9107), {"Name": "Een", "CATEGORY": "place"}),
            (point(4.4405, 51.911), {"Name": "Twee", "CATEGORY": "story"}),
        ),
    )
    rows = io.read_rows(path)
    assert [r.number for r in rows] == [1, 2]
    assert rows[0].values["name"] == "Een" and rows[0].values["category"] == "place"  # keys lower-cased
    assert (rows[0].values["lon"], rows[0].values["lat"]) == (4.4413, 51.9107)
    assert (rows[1].values["name"], rows[1].values["lon"], rows[1].values["lat"]) == ("Twee", 4.4405, 51.911)
    assert "area" not in rows[0].values


def test_json_extension_and_a_single_feature_are_read(tmp_path: Path) -> None:
    doc = {"type": "Feature", "properties": {"name": "Alleen"}, "geometry": point(4.44, 51.91)}
    rows = io.read_rows(write(tmp_path / "one.json", json.dumps(doc)))
    assert [(r.values["name"], r.values["lon"], r.values["lat"]) for r in rows] == [("Alleen", 4.44, 51.91)]


def test_geojson_with_an_rd_crs_member_is_reprojected(tmp_path: Path) -> None:
    path = write(
        tmp_path / "rd.geojson",
        feature_collection((point(*AMERSFOORT_RD), {"name": "Amersfoort"}), crs="urn:ogc:def:crs:EPSG::28992"),
    )
    (row,) = io.read_rows(path)
    assert row.values["lon"] == pytest.approx(AMERSFOORT_WGS84[0], abs=2e-5)
    assert row.values["lat"] == pytest.approx(AMERSFOORT_WGS84[1], abs=2e-5)


def test_geopackage_in_rd_is_reprojected(tmp_path: Path) -> None:
    lon, lat = INSIDE_BOTU
    frame = gpd.GeoDataFrame(
        {"name": ["Punt", "Vlak"]},
        geometry=[Point(lon, lat), shapely.from_wkt(POLYGON_IN_BOTU)],
        crs=WGS84,
    ).to_crs(RD_NEW)
    path = tmp_path / "rd.gpkg"
    frame.to_file(path, driver="GPKG")
    rows = io.read_rows(path)
    assert rows[0].values["lon"] == pytest.approx(lon, abs=1e-8)
    assert rows[0].values["lat"] == pytest.approx(lat, abs=1e-8)
    area = rows[1].values["area"]
    assert area.geom_type == "Polygon"
    assert area.equals_exact(shapely.from_wkt(POLYGON_IN_BOTU), 1e-8)


def test_polygon_and_line_features_give_an_anchor_point_and_an_area(tmp_path: Path) -> None:
    polygon = shapely.from_wkt(POLYGON_IN_BOTU)
    line = shapely.from_wkt(LINE_IN_BOTU)
    path = write(
        tmp_path / "areas.geojson",
        feature_collection(
            (shapely.geometry.mapping(polygon), {"name": "Vlak"}), (shapely.geometry.mapping(line), {"name": "Lijn"})
        ),
    )
    vlak, lijn = io.read_rows(path)
    assert vlak.values["area"].equals(polygon)
    assert polygon.contains(Point(vlak.values["lon"], vlak.values["lat"]))
    assert lijn.values["area"].equals(line)
    assert line.distance(Point(lijn.values["lon"], lijn.values["lat"])) < 1e-9


def test_3d_coordinates_are_flattened(tmp_path: Path) -> None:
    path = write(
        tmp_path / "z.geojson",
        feature_collection(
            (point(4.4413, 51.9107, 12.5), {"name": "Punt"}),
            (
                {"type": "LineString", "coordinates": [[4.44285, 51.91064, 1.0], [4.44395, 51.91158, 2.0]]},
                {"name": "Lijn"},
            ),
        ),
    )
    punt, lijn = io.read_rows(path)
    assert (punt.values["lon"], punt.values["lat"]) == (4.4413, 51.9107)
    assert not lijn.values["area"].has_z
    assert lijn.values["area"].equals(LineString([(4.44285, 51.91064), (4.44395, 51.91158)]))


def test_multipoint_with_one_point_is_a_point(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mp.geojson",
        feature_collection(({"type": "MultiPoint", "coordinates": [[4.4413, 51.9107]]}, {"name": "x"})),
    )
    (row,) = io.read_rows(path)
    assert (row.values["lon"], row.values["lat"]) == (4.4413, 51.9107)
    assert "area" not in row.values


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "MultiPoint", "coordinates": [[4.4413, 51.9107], [4.4405, 51.911]]},
        {"type": "GeometryCollection", "geometries": [point(4.4413, 51.9107)]},
    ],
)
def test_other_geometry_types_are_passed_on_for_validation_not_crashed_on(
    tmp_path: Path, geometry: dict[str, Any]
) -> None:
    (row,) = io.read_rows(write(tmp_path / "odd.geojson", feature_collection((geometry, {"name": "x"}))))
    assert row.values["area"].geom_type == geometry["type"]
    assert isinstance(row.values["lon"], float) and isinstance(row.values["lat"], float)


@pytest.mark.filterwarnings("ignore:OGRGeoJSONReadRawPoint:RuntimeWarning")
@pytest.mark.parametrize("geometry", [None, {"type": "Point", "coordinates": []}])
def test_missing_or_empty_geometry_is_marked_for_the_row_message(
    tmp_path: Path, geometry: dict[str, Any] | None
) -> None:
    (row,) = io.read_rows(write(tmp_path / "empty-geom.geojson", feature_collection((geometry, {"name": "x"}))))
    assert row.values["_geometry_error"] == ""
    assert "lon" not in row.values


def test_invalid_polygon_is_marked_with_the_reason(tmp_path: Path) -> None:
    bow_tie = Polygon([(4.440, 51.910), (4.441, 51.911), (4.441, 51.910), (4.440, 51.911), (4.440, 51.910)])
    path = write(tmp_path / "bowtie.geojson", feature_collection((shapely.geometry.mapping(bow_tie), {"name": "x"})))
    (row,) = io.read_rows(path)
    assert "Self-intersection" in row.values["_geometry_error"]


# --------------------------------------------------------------------- CSV
def test_csv_rows_are_numbered_like_spreadsheet_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "name,category,lat,lon\nEen,place,51.9107,4.4413\nTwee,place,51.911,4.4405\n")
    rows = io.read_rows(path)
    assert [r.number for r in rows] == [2, 3]  # line 1 is the header
    assert rows[0].values == {"name": "Een", "category": "place", "lat": "51.9107", "lon": "4.4413"}


def test_csv_with_semicolons_decimal_commas_and_a_bom(tmp_path: Path) -> None:
    # What Dutch Excel writes for "CSV UTF-8 (met scheidingstekens)".
    text = "\ufeffNaam;Categorie;Latitude;Longitude\n".replace("Naam", "name").replace("Categorie", "category")
    text += "Café, bakker;business;51,9107;4,4413\nTwee;place;51,911;4,4405\n"
    rows = io.read_rows(write(tmp_path / "excel.csv", text))
    assert [r.values["name"] for r in rows] == ["Café, bakker", "Twee"]
    assert [(r.values["lon"], r.values["lat"]) for r in rows] == [("4,4413", "51,9107"), ("4,4405", "51,911")]


def test_csv_with_tabs(tmp_path: Path) -> None:
    rows = io.read_rows(write(tmp_path / "tabs.csv", "name\tlat\tlon\nEen\t51.9107\t4.4413\n"))
    assert (rows[0].values["lon"], rows[0].values["lat"]) == ("4.4413", "51.9107")


def test_csv_with_x_and_y_columns(tmp_path: Path) -> None:
    rows = io.read_rows(write(tmp_path / "xy.csv", "name,X,Y\nEen,4.4413,51.9107\n"))
    assert (rows[0].values["lon"], rows[0].values["lat"]) == ("4.4413", "51.9107")


def test_csv_with_a_wkt_column(tmp_path: Path) -> None:
    text = f'name,category,wkt\nPunt,place,"POINT (4.4413 51.9107)"\nRoute,initiative,"{LINE_IN_BOTU}"\n'
    punt, route = io.read_rows(write(tmp_path / "wkt.csv", text))
    assert (punt.values["lon"], punt.values["lat"]) == (4.4413, 51.9107)
    assert "wkt" not in punt.values
    assert route.values["area"].equals(shapely.from_wkt(LINE_IN_BOTU))
    assert route.values["area"].distance(Point(route.values["lon"], route.values["lat"])) < 1e-9


def test_csv_with_broken_wkt_marks_that_row(tmp_path: Path) -> None:
    text = 'name,wkt\nGoed,"POINT (4.4413 51.9107)"\nKapot,"POLYGON (("\n'
    goed, kapot = io.read_rows(write(tmp_path / "broken.csv", text))
    assert "_geometry_error" not in goed.values
    assert kapot.number == 3 and kapot.values["_geometry_error"]


def test_csv_area_wkt_column_becomes_area(tmp_path: Path) -> None:
    text = f'name,category,lat,lon,area_wkt\nRoute,initiative,51.9107,4.4413,"{LINE_IN_BOTU}"\n'
    (row,) = io.read_rows(write(tmp_path / "area.csv", text))
    assert row.values["area"] == LINE_IN_BOTU


def test_csv_without_coordinate_columns_names_the_columns_it_found(tmp_path: Path) -> None:
    err = refused(write(tmp_path / "nocoords.csv", "name,adres\nEen,Schiedamseweg 1\n"))
    assert err.key == "error.csv_columns"
    assert "name, adres" in err.message("en")


# ------------------------------------------------------------ file refusals
def test_unknown_extension_is_refused(tmp_path: Path) -> None:
    err = refused(write(tmp_path / "assets.ods", "whatever"))
    assert err.key == "error.file_format"
    assert ".ods" in err.message("en") and ".geojson" in err.message("en")


def test_missing_file_is_refused(tmp_path: Path) -> None:
    assert refused(tmp_path / "nergens.csv").key == "error.file_missing"


@pytest.mark.parametrize("name", ["empty.csv", "empty.geojson", "empty.gpkg"])
def test_empty_file_is_refused(tmp_path: Path, name: str) -> None:
    assert refused(write(tmp_path / name, b"")).key == "error.empty_file"


@pytest.mark.parametrize(
    ("name", "content"),
    [("header-only.csv", "name,lat,lon\n"), ("no-features.geojson", '{"type": "FeatureCollection", "features": []}')],
)
def test_file_without_rows_is_refused(tmp_path: Path, name: str, content: str) -> None:
    assert refused(write(tmp_path / name, content)).key == "error.empty_file"


def test_too_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path / "big.csv", "name,lat,lon\n" + "Een,51.9107,4.4413\n" * 100)
    err = refused(path, max_bytes=1_000)
    assert err.key == "error.file_too_large"
    assert io.read_rows(path, max_bytes=10_000)  # the same file under a larger limit is fine


def test_too_many_rows_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "many.csv", "name,lat,lon\n" + "Een,51.9107,4.4413\n" * 11)
    err = refused(path, max_rows=10)
    assert err.key == "error.too_many_rows"
    assert err.params["count"] == 11


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    err = refused(write(tmp_path / "bad.geojson", '{"type": "FeatureCollection",\n "features": [}'))
    assert err.key == "error.json_syntax"
    assert (err.params["line"], err.params["col"]) == (2, 15)
    assert "bad.geojson" in err.message("en")


def test_deeply_nested_json_is_refused_without_recursing(tmp_path: Path) -> None:
    err = refused(write(tmp_path / "deep.geojson", "[" * 10_000 + "]" * 10_000))
    assert err.key == "error.json_too_deep"


def test_nesting_beyond_the_limit_is_refused_even_inside_a_valid_feature_collection(tmp_path: Path) -> None:
    deep: Any = "bodem"
    for _ in range(io.MAX_JSON_DEPTH):
        deep = [deep]
    path = write(
        tmp_path / "deep-property.geojson", feature_collection((point(4.44, 51.91), {"name": "x", "extra": deep}))
    )
    err = refused(path)
    assert err.key == "error.json_too_deep"
    assert err.params["max"] == io.MAX_JSON_DEPTH


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path: Path) -> None:
    name = "[[[[" * 50 + '\\"{{{{' * 50
    path = write(
        tmp_path / "brackets.geojson",
        feature_collection((point(4.44, 51.91), {"name": "x"})).replace('"x"', f'"{name}"'),
    )
    (row,) = io.read_rows(path)
    assert row.values["name"].startswith("[[[[")


@pytest.mark.parametrize("content", ["[1, 2, 3]", '{"type": "Topology"}', '"just a string"'])
def test_json_that_is_not_geojson_is_refused(tmp_path: Path, content: str) -> None:
    assert refused(write(tmp_path / "not.geojson", content)).key == "error.not_geojson"


@pytest.mark.parametrize("name", ["latin1.csv", "latin1.geojson"])
def test_non_utf8_text_is_refused(tmp_path: Path, name: str) -> None:
    if name.endswith(".csv"):
        content = "name,lat,lon\nCafé,51.9107,4.4413\n".encode("cp1252")
    else:
        content = feature_collection((point(4.44, 51.91), {"name": "Café"})).encode("cp1252")
    err = refused(write(tmp_path / name, content))
    assert err.key == "error.not_utf8"
    assert "UTF-8" in err.message("en")


def test_garbage_geopackage_is_refused(tmp_path: Path) -> None:
    err = refused(write(tmp_path / "garbage.gpkg", b"this is not a geopackage " * 20))
    assert err.key == "error.not_gpkg"  # checked before GDAL sees it (see tests/test_bad_files.py)
    assert "garbage.gpkg" in err.message("en")


# ----------------------------------------------------------------- writing
@pytest.fixture
def frame(botu_store: Store) -> gpd.GeoDataFrame:
    botu_store.add_many(
        [
            make_draft(name=HOSTILE_NAME),
            make_draft(name="Route", category="initiative", area=LINE_IN_BOTU, resident_led="nee"),
            make_draft(name="Plein", category="place", area=POLYGON_IN_BOTU),
        ],
        by="a",
    )
    return botu_store.assets_frame()


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".csv"])
def test_written_files_read_back_to_the_same_values(tmp_path: Path, frame: gpd.GeoDataFrame, suffix: str) -> None:
    path = tmp_path / f"export{suffix}"
    io.write_assets(frame, path)
    rows = {r.values["id"]: r.values for r in io.read_rows(path)}
    assert set(rows) == set(frame["id"])
    for record, geometry, area in zip(frame.to_dict("records"), frame.geometry, frame["area"], strict=True):
        values = rows[record["id"]]
        assert values["name"] == record["name"]
        assert values["category"] == record["category"]
        assert float(values["lon"]) == pytest.approx(geometry.x, abs=1e-7)
        assert float(values["lat"]) == pytest.approx(geometry.y, abs=1e-7)
        if area is None:
            assert not values.get("area")
        else:
            assert shapely.from_wkt(values["area"]).equals(area)


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".csv"])
def test_export_leaves_no_temporary_files_and_overwrites(tmp_path: Path, frame: gpd.GeoDataFrame, suffix: str) -> None:
    path = tmp_path / "out" / f"assets{suffix}"
    io.write_assets(frame, path)
    io.write_assets(frame.iloc[:1], path)  # a second export replaces the first
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    assert len(io.read_rows(path)) == 1


def test_a_failed_export_keeps_the_old_file_and_leaves_nothing_behind(
    tmp_path: Path, frame: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out" / "assets.geojson"
    io.write_assets(frame, path)
    before = path.read_bytes()

    def half_write(df: Any, target: Any, **kwargs: Any) -> None:
        Path(target).write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(pyogrio, "write_dataframe", half_write)
    with pytest.raises(OSError, match="disk full"):
        io.write_assets(frame, path)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["assets.geojson"]


def test_unknown_export_format_is_refused(tmp_path: Path, frame: gpd.GeoDataFrame) -> None:
    out = tmp_path / "out"
    with pytest.raises(ImportFileError) as info:
        io.write_assets(frame, out / "assets.xlsx")
    assert info.value.key == "error.export_format"
    assert not out.exists()


def test_html_export_needs_the_rendered_document(tmp_path: Path, frame: gpd.GeoDataFrame) -> None:
    out = tmp_path / "out"
    with pytest.raises(ValueError):
        io.write_assets(frame, out / "map.html")
    assert list(out.iterdir()) == []
    io.write_assets(frame, out / "map.html", html="<html>kaart</html>")
    assert (out / "map.html").read_text(encoding="utf-8") == "<html>kaart</html>"


def test_csv_export_has_lat_and_lon_next_to_the_id(tmp_path: Path, frame: gpd.GeoDataFrame) -> None:
    path = tmp_path / "assets.csv"
    io.write_assets(frame, path)
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:4] == ["id", "lat", "lon", "name"]
    assert "area_wkt" in header and "contact" not in header
