"""The files of the security review ("Trust, second round", item 1), made in code.

Before ``abcd.limits`` each of them ended or swelled the process that read it:
a GeoJSON file whose ``area_wkt`` is a ``GEOMETRYCOLLECTION (`` nested
100,000 deep (2.1 MB) and a GeoPackage text column nested 30,000 deep
(725 kB) crashed GEOS (segmentation fault, exit 139); a CSV file of 40 MB
with 10,000 columns took the server from 437 MB to 2.36 GB. None of them may
be parsed by GEOS in the test process itself: hand them to a child process
(``tests/test_crash_files.py``) or to code that refuses them first.
"""

from __future__ import annotations

import json
import sqlite3
import struct
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point

from tests.helpers import INSIDE_BOTU

LON, LAT = INSIDE_BOTU


def nested_wkt(depth: int) -> str:
    """A point inside ``depth`` geometry collections, as WKT."""
    return "GEOMETRYCOLLECTION (" * depth + f"POINT ({LON} {LAT})" + ")" * depth


def nested_wkb(depth: int) -> bytes:
    """A point inside ``depth`` geometry collections, as little-endian WKB (made without GEOS)."""
    return (b"\x01" + struct.pack("<II", 7, 1)) * depth + b"\x01" + struct.pack("<Idd", 1, LON, LAT)


def nested_area_geojson(path: Path, depth: int = 100_000) -> Path:
    """A place whose ``area_wkt`` is nested ``depth`` deep: 2.1 MB at the reviewed 100,000."""
    feature = {
        "type": "Feature",
        "properties": {"name": "Plein", "category": "place", "area_wkt": nested_wkt(depth)},
        "geometry": {"type": "Point", "coordinates": [LON, LAT]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    return path


def _gpkg(path: Path) -> Path:
    """One place as GDAL writes it, with its spatial-index triggers dropped (they need SpatiaLite to edit)."""
    gpd.GeoDataFrame(
        {"name": ["Plein"], "category": ["place"], "area_wkt": [None]}, geometry=[Point(LON, LAT)], crs="EPSG:4326"
    ).to_file(path, layer="assets", driver="GPKG")
    with sqlite3.connect(path) as conn:
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            conn.execute(f'DROP TRIGGER "{name}"')
    return path


def nested_area_gpkg(path: Path, depth: int = 30_000) -> Path:
    """A GeoPackage whose ``area_wkt`` text column is nested ``depth`` deep: about 725 kB at 30,000."""
    with sqlite3.connect(_gpkg(path)) as conn:
        conn.execute("UPDATE assets SET area_wkt = ?", (nested_wkt(depth),))
    return path


def nested_geometry_gpkg(path: Path, depth: int = 100_000) -> Path:
    """A GeoPackage whose geometry blob itself is nested ``depth`` deep (GDAL gives up at 32 and reads nothing)."""
    with sqlite3.connect(_gpkg(path)) as conn:
        conn.execute("UPDATE assets SET geom = ?", (b"GP\x00\x01" + struct.pack("<i", 4326) + nested_wkb(depth),))
    return path


def wide_csv(path: Path, *, columns: int = 10_000, size: int = 40_000_000) -> Path:
    """A valid asset CSV of about ``size`` bytes with ``columns`` columns, all but four unknown."""
    header = "name,category,lat,lon," + ",".join(f"extra{i}" for i in range(columns - 4)) + "\n"
    row = f"Club,story,{LAT},{LON}," + ",".join("x" for _ in range(columns - 4)) + "\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(header)
        handle.write(row * max(1, (size - len(header)) // len(row)))
    return path
