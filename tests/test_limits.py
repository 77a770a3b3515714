"""The limits on what ``abcd`` reads: measured without parsing, exact on real shapes, documented.

Nothing here hands a hostile geometry to GEOS in this process: the checks
must refuse it first (``tests/test_crash_files.py`` does the dangerous part in
child processes).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from abcd import limits
from abcd.errors import ValidationError
from tests.helpers import LINE_IN_BOTU, POLYGON_IN_BOTU, ROOT, WIJKEN_DIR
from tests.hostile_files import nested_wkb, nested_wkt


def refused(check: object, *args: object, **kwargs: object) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        check(*args, **kwargs)  # type: ignore[operator]
    assert info.value.message("en") != info.value.message("nl")
    return info.value


@pytest.fixture(autouse=True)
def _no_geos_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    # The checks measure text and bytes; they never ask GEOS to parse them.
    monkeypatch.setattr(shapely, "from_wkt", lambda *_a, **_k: pytest.fail("WKT was parsed"))
    monkeypatch.setattr(shapely, "from_wkb", lambda *_a, **_k: pytest.fail("WKB was parsed"))


def shipped_geometries() -> list[shapely.Geometry]:
    geometries: list[shapely.Geometry] = []
    for path in sorted(WIJKEN_DIR.glob("*.geojson")):
        geometries.extend(gpd.read_file(path).geometry)
    return geometries


SHIPPED = shipped_geometries()


# ----------------------------------------------------------------- WKT
def test_every_shipped_geometry_is_within_the_limits_and_counted_exactly() -> None:
    for geometry in SHIPPED:
        assert limits.check_wkt(geometry.wkt) == shapely.get_num_coordinates(geometry)


@pytest.mark.parametrize(
    "wkt",
    [
        "POINT (4.44 51.91)",
        "POINT Z (4.44 51.91 -2.5)",
        "POINT EMPTY",
        LINE_IN_BOTU,
        POLYGON_IN_BOTU,
        "MULTIPOINT ((4.44 51.91), (4.45 51.92))",
        "MULTIPOINT (4.44 51.91, 4.45 51.92)",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 3 2, 3 3, 2 2))",
        "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))",
        "GEOMETRYCOLLECTION (MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0))), LINESTRING (1e-5 2.5E+3, 3 4))",
    ],
)
def test_wkt_vertices_are_counted_as_geos_counts_them(wkt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the oracle needs GEOS, on harmless text
    assert limits.check_wkt(wkt) == shapely.get_num_coordinates(shapely.from_wkt(wkt))


def test_wkt_nested_deeper_than_the_limit_is_refused_before_parsing() -> None:
    assert limits.check_wkt(nested_wkt(limits.MAX_GEOMETRY_DEPTH - 1)) == 1
    for depth in (limits.MAX_GEOMETRY_DEPTH, 30_000, 100_000):
        err = refused(limits.check_wkt, nested_wkt(depth))
        assert err.key == "error.geometry_too_deep"
        assert f"more than {limits.MAX_GEOMETRY_DEPTH} levels" in err.message("en")


def test_wkt_with_too_many_vertices_is_refused_with_the_count() -> None:
    wkt = "LINESTRING (" + ", ".join(["4.44 51.91"] * (limits.MAX_GEOMETRY_VERTICES + 1)) + ")"
    err = refused(limits.check_wkt, wkt)
    assert (err.key, err.params["count"], err.params["max"]) == (
        "error.geometry_too_many_vertices",
        limits.MAX_GEOMETRY_VERTICES + 1,
        limits.MAX_GEOMETRY_VERTICES,
    )


def test_wkt_longer_than_the_limit_is_refused_by_its_length() -> None:
    err = refused(limits.check_wkt, "POINT (4.44 51.91)" + " " * limits.MAX_WKT_CHARS, field="field.geometry")
    assert err.key == "error.too_long"
    assert err.message("en").startswith("The field 'location' is too long")


def test_a_geometry_at_the_vertex_limit_fits_the_wkt_length_limit_as_abcd_writes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.undo()
    ring = shapely.Point(4.441300000000001, 51.910700000000006).buffer(0.001, quad_segs=limits.MAX_GEOMETRY_VERTICES)
    ring = shapely.Polygon(ring.exterior.coords[: limits.MAX_GEOMETRY_VERTICES - 1] + ring.exterior.coords[:1])
    assert shapely.get_num_coordinates(ring) == limits.MAX_GEOMETRY_VERTICES
    assert limits.check_wkt(ring.wkt) == limits.MAX_GEOMETRY_VERTICES  # an export imports back


# ----------------------------------------------------------------- WKB
@pytest.mark.parametrize("flavor", ["iso", "extended"])
@pytest.mark.parametrize("byte_order", [0, 1])
def test_every_shipped_geometry_is_counted_exactly_in_every_wkb_flavour(flavor: str, byte_order: int) -> None:
    blobs = shapely.to_wkb(SHIPPED, flavor=flavor, byte_order=byte_order, include_srid=flavor == "extended")
    for geometry, blob in zip(SHIPPED, blobs, strict=True):
        assert limits.check_wkb(blob) == shapely.get_num_coordinates(geometry)


@pytest.mark.parametrize(
    "wkt",
    [
        "POINT ZM (1 2 3 4)",
        "LINESTRING M (1 2 3, 4 5 6)",
        "POLYGON Z ((0 0 1, 1 0 1, 1 1 1, 0 0 1))",
        "GEOMETRYCOLLECTION (POINT (1 2), GEOMETRYCOLLECTION (LINESTRING (0 0, 1 1), POINT EMPTY))",
        "GEOMETRYCOLLECTION EMPTY",
        "MULTIPOLYGON EMPTY",
    ],
)
def test_wkb_with_z_m_and_empty_parts_is_counted_as_geos_counts_it(wkt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    geometry = shapely.from_wkt(wkt)
    for flavor in ("iso", "extended"):
        assert limits.check_wkb(shapely.to_wkb(geometry, flavor=flavor)) == shapely.get_num_coordinates(geometry)


def test_wkb_nested_deeper_than_the_limit_is_refused_by_its_headers_alone() -> None:
    assert limits.check_wkb(nested_wkb(limits.MAX_GEOMETRY_DEPTH - 1)) == 1
    for depth in (limits.MAX_GEOMETRY_DEPTH, 100_000):
        assert refused(limits.check_wkb, nested_wkb(depth)).key == "error.geometry_too_deep"


@pytest.mark.parametrize(
    ("blob", "reason"),
    [
        (b"", "empty"),
        (b"\x01" + struct.pack("<I", 2), "no vertex count"),
        (b"\x01" + struct.pack("<II", 2, 0xFFFFFFFF) + b"\0" * 32, "claims 4 billion vertices"),
        (b"\x01" + struct.pack("<II", 3, 0xFFFFFFFF), "claims 4 billion rings"),
        (b"\x01" + struct.pack("<II", 7, 0xFFFFFFFF), "claims 4 billion parts"),
        (b"\x02" + struct.pack("<Idd", 1, 0, 0), "no byte order"),
        (b"\x01" + struct.pack("<Idd", 99, 0, 0), "unknown type"),
    ],
)
def test_broken_wkb_is_refused_without_reading_beyond_it(blob: bytes, reason: str) -> None:
    assert refused(limits.check_wkb, blob).key in (
        "error.geometry_invalid",
        "error.geometry_too_many_parts",
    ), reason


def test_a_multipoint_of_too_many_parts_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    points = shapely.MultiPoint([(4.44, 51.91)] * (limits.MAX_GEOMETRY_PARTS + 1))
    for check, value in ((limits.check_wkb, shapely.to_wkb(points)), (limits.check_geometry, points)):
        assert refused(check, value).key == "error.geometry_too_many_parts"


def test_geopackage_blobs_as_gdal_writes_them_are_read_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    monkeypatch.undo()
    frame = gpd.read_file(WIJKEN_DIR / "rotterdam_wijken_cbs2024.geojson")
    path = tmp_path / "wijken.gpkg"
    pyogrio.write_dataframe(frame, path, driver="GPKG", layer="wijken")
    with sqlite3.connect(path) as conn:
        blobs = [row[0] for row in conn.execute("SELECT geom FROM wijken ORDER BY fid")]
    assert [limits.check_gpkg_geometry(b) for b in blobs] == list(shapely.get_num_coordinates(frame.geometry))
    assert refused(limits.check_gpkg_geometry, b"XX" + blobs[0][2:]).key == "error.geometry_invalid"


# ------------------------------------------------------------ text scans
@settings(max_examples=200, deadline=None)
@given(st.recursive(st.integers() | st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_json_nesting_is_counted_as_the_parser_nests(value: object) -> None:
    import json

    from abcd.io import _json_shape

    def depth(v: object) -> int:
        if isinstance(v, list):
            return 1 + max((depth(x) for x in v), default=0)
        if isinstance(v, dict):
            return 1 + max((depth(x) for x in v.values()), default=0)
        return 0

    assert _json_shape(json.dumps(value))[0] == depth(value)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="()[]{} ,xy\"'\\", max_size=60))
def test_nesting_depth_is_the_deepest_open_bracket(text: str) -> None:
    level = deepest = 0
    for char in text:
        level += 1 if char == "(" else -1 if char == ")" else 0
        deepest = max(deepest, level)
    assert limits.nesting_depth(text, "(", ")") == deepest


# ------------------------------------------------------------ documented
def test_every_limit_is_in_the_readme_with_its_number() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Limits on imported files", 1)[1].split("\n### ", 1)[0]
    names = [name for name in dir(limits) if name.startswith("MAX_")]
    assert len(names) >= 10
    for name in names:
        value = getattr(limits, name)
        shown = f"{value // (1024 * 1024)} MB" if name == "MAX_FILE_BYTES" else f"{value:,}"
        assert re.search(rf"\b{re.escape(shown)}\b", section), f"{name} = {shown} is not in the README"
