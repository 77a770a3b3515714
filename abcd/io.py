"""Reading and writing asset files: GeoJSON, GeoPackage, CSV (and HTML maps).

This is the only module that touches asset files. Reading returns *raw*
rows (plain dicts, one per feature, with ``lon``/``lat`` in WGS84 and an
``area`` geometry where a feature is a polygon or line), so that validation
(:mod:`abcd.exchange`) can name the row of every problem. Files in another
CRS are reprojected on read. Writes go to a temporary file first and are then
renamed, so a failed export never leaves half a file behind.
"""

from __future__ import annotations

import csv
import io as _io
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from abcd._cells import is_missing
from abcd.errors import ImportFileError
from abcd.i18n import Term
from abcd.model import WGS84, AssetFields
from abcd.records import field_types

READ_FORMATS = (".geojson", ".json", ".gpkg", ".csv")
WRITE_FORMATS = (".geojson", ".gpkg", ".csv", ".html")
MAX_FILE_BYTES = 50 * 1024 * 1024  # Streamlit's server.maxUploadSize counts MB as MiB too: keep them equal
MAX_ROWS = 20_000
MAX_JSON_DEPTH = 64  # a FeatureCollection needs about 8; deeper is an attack or an accident

_MIB = 1024 * 1024
_SQLITE_HEADER = b"SQLite format 3\x00"  # a GeoPackage is an SQLite database

LON_COLUMNS = ("lon", "lng", "longitude", "lengtegraad", "x")
LAT_COLUMNS = ("lat", "latitude", "breedtegraad", "y")
WKT_COLUMNS = ("wkt", "geometry", "geom")


@dataclass(frozen=True, slots=True)
class RawRow:
    """One feature or CSV line as read, before validation; ``number`` is what the user sees."""

    number: int
    values: dict[str, Any]


def check_size(size: int, *, max_bytes: int = MAX_FILE_BYTES) -> None:
    """Refuse more than ``max_bytes`` before anything is read, in MB as Streamlit counts them (MiB).

    The one size check of every file ``abcd`` reads: imports, uploads,
    investment ledgers and gap-map files.
    """
    if size > max_bytes:
        raise ImportFileError("error.file_too_large", size=f"{size / _MIB:.1f}", max=f"{max_bytes / _MIB:.0f}")


def check_file(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> int:
    """The size of the file at ``path``, after refusing a missing, too large or empty one."""
    if not path.is_file():
        raise ImportFileError("error.file_missing", path=str(path))
    size = path.stat().st_size
    check_size(size, max_bytes=max_bytes)
    if size == 0:
        raise ImportFileError("error.empty_file")
    return size


def read_rows(path: Path, *, max_bytes: int = MAX_FILE_BYTES, max_rows: int = MAX_ROWS) -> list[RawRow]:
    """Raw rows of an asset file; refuses unknown formats, oversized and unreadable files.

    The size is checked before anything is parsed, and no format is read
    beyond ``max_rows`` rows: a small file cannot unfold into a huge read (a
    ``.zip`` is not accepted at all).
    """
    path = Path(path)
    suffix = read_format(path.name)
    check_file(path, max_bytes=max_bytes)
    if suffix == ".csv":
        rows = _csv_rows(path, max_rows)
    elif suffix == ".gpkg":
        rows = _geo_rows(path, max_rows, layer=_gpkg_layer(path, max_rows))
    else:
        _check_json(path, max_rows)
        rows = _geo_rows(path, max_rows)
    if not rows:
        raise ImportFileError("error.empty_file")
    if len(rows) > max_rows:
        raise ImportFileError("error.too_many_rows", count=len(rows), max=max_rows)
    return rows


def read_format(name: str) -> str:
    """The extension of a file to import, lower case; refuses any other, a ``.zip`` with its own message.

    Archives are never unpacked: what a zip holds (and how large it becomes)
    is not known until it is, so a zip bomb is refused by its name.

    >>> read_format("Kaart.GeoJSON")
    '.geojson'
    """
    suffix = Path(name).suffix.lower()
    if suffix in (".zip", ".gz", ".7z", ".rar", ".tar", ".tgz", ".bz2", ".xz", ".kmz"):
        raise ImportFileError("error.file_archive", suffix=suffix, allowed=", ".join(READ_FORMATS))
    if suffix not in READ_FORMATS:
        raise ImportFileError("error.file_format", suffix=suffix or name, allowed=", ".join(READ_FORMATS))
    return suffix


def _check_json(path: Path, max_rows: int = MAX_ROWS) -> None:
    """Parse JSON ourselves first: clearer messages than GDAL's, and no unbounded nesting.

    ``json.loads`` guards its own recursion (a ``RecursionError`` at about
    1,000 levels, raised at once); the stricter :data:`MAX_JSON_DEPTH` is then
    counted on the parsed text at C speed (a Python loop over each character
    took 20 s for a 48 MB file).
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("error.not_utf8") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            "error.json_syntax", path=path.name, line=exc.lineno, col=exc.colno, msg=exc.msg
        ) from None
    except RecursionError:
        raise ImportFileError("error.json_too_deep", path=path.name, max=MAX_JSON_DEPTH) from None
    if _json_depth(text) > MAX_JSON_DEPTH:
        raise ImportFileError("error.json_too_deep", path=path.name, max=MAX_JSON_DEPTH)
    if not isinstance(data, dict) or data.get("type") not in ("FeatureCollection", "Feature"):
        raise ImportFileError("error.not_geojson", path=path.name)
    if data["type"] == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise ImportFileError("error.not_geojson", path=path.name)
        if len(features) > max_rows:  # refused before GDAL builds a frame of them
            raise ImportFileError("error.too_many_rows", count=len(features), max=max_rows)


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))


def _json_depth(text: str) -> int:
    """How deeply valid JSON ``text`` nests arrays and objects: strings out, then brackets counted.

    >>> _json_depth('{"a": [[1, 2], "[[[ not counted"]}')
    3
    """
    brackets = _JSON_STRING.sub("", text).encode("utf-8").translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    codes = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


def _gpkg_layer(path: Path, max_rows: int) -> str:
    """The GeoPackage layer to import, after checks that keep a small file from unfolding into a huge read.

    A GeoPackage is an SQLite database, and SQLite views run queries: a
    100 kB file whose layer is a recursive view claims 50 million features
    (measured: 25 s just to count them, and reading them all would exhaust
    memory). So the file must be SQLite, hold no views or virtual tables other
    than spatial indexes, and its layer must have at most ``max_rows`` features.
    """
    with open(path, "rb") as handle:
        if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
            raise ImportFileError("error.not_gpkg", path=path.name)
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)) as conn:
            schema = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    except sqlite3.DatabaseError as exc:
        raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc)) from None
    for kind, name, sql in schema:
        virtual = kind == "table" and (sql or "").lstrip().upper().startswith("CREATE VIRTUAL")
        if kind == "view" or (virtual and " USING RTREE" not in " ".join((sql or "").upper().split())):
            raise ImportFileError("error.gpkg_view", path=path.name, layer=name)
    try:
        layers = [str(name) for name, geometry_type in pyogrio.list_layers(path) if geometry_type]
        features = pyogrio.read_info(path, layer=layers[0])["features"] if layers else 0
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc).splitlines()[0]) from None
    if not layers:
        raise ImportFileError("error.gpkg_no_layer", path=path.name)
    if features > max_rows:
        raise ImportFileError("error.too_many_rows", count=features, max=max_rows)
    return layers[0]


def _geo_rows(path: Path, max_rows: int = MAX_ROWS, *, layer: str | None = None) -> list[RawRow]:
    try:
        # max_features: a layer's stored feature count can lie; never read more than one row too many.
        frame = pyogrio.read_dataframe(path, layer=layer, max_features=max_rows + 1)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc).splitlines()[0]) from None
    if len(frame) > max_rows:
        raise ImportFileError("error.too_many_rows", count=f"{max_rows}+", max=max_rows)
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        raise ImportFileError("error.not_geojson", path=path.name)
    if frame.crs is not None and not CRS.from_user_input(frame.crs).equals(CRS.from_user_input(WGS84)):
        try:
            frame = frame.to_crs(WGS84)
        except Exception as exc:  # pyproj raises several types for broken CRS definitions
            raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc)) from None
    geometry_name = frame.geometry.name
    rows = []
    for number, (record, geometry) in enumerate(
        zip(frame.drop(columns=geometry_name).to_dict("records"), frame.geometry, strict=True), start=1
    ):
        rows.append(RawRow(number, {**_clean(record), **_location(geometry)}))
    return rows


def _csv_rows(path: Path, max_rows: int = MAX_ROWS) -> list[RawRow]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("error.not_utf8") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.DictReader(_io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    reader.fieldnames = columns
    lon_col = next((c for c in LON_COLUMNS if c in columns), None)
    lat_col = next((c for c in LAT_COLUMNS if c in columns), None)
    wkt_col = next((c for c in WKT_COLUMNS if c in columns), None)
    if not (lon_col and lat_col) and not wkt_col:
        raise ImportFileError("error.csv_columns", columns=", ".join(columns) or "-")
    rows: list[RawRow] = []
    try:
        for number, record in enumerate(reader, start=2):  # line 1 is the header, as in a spreadsheet
            if len(rows) >= max_rows:
                # Count the rest without keeping it: 50 MB of short lines is millions of rows.
                rest = 1 + sum(1 for line in reader.reader if line)
                raise ImportFileError("error.too_many_rows", count=max_rows + rest, max=max_rows)
            values: dict[str, Any] = {k: v for k, v in record.items() if k is not None}
            if wkt_col and (values.get(wkt_col) or "").strip():
                try:
                    geometry = shapely.from_wkt(values.pop(wkt_col))
                except shapely.errors.GEOSException as exc:
                    values.pop(wkt_col, None)
                    values["_geometry_error"] = str(exc)
                else:
                    values.update(_location(geometry))
            elif lon_col and lat_col:
                values["lon"], values["lat"] = values.pop(lon_col), values.pop(lat_col)
            if "area_wkt" in values:
                values["area"] = values.pop("area_wkt")
            rows.append(RawRow(number, _clean(values)))
    except csv.Error as exc:
        raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc)) from None
    return rows


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in record.items():
        if is_missing(value):
            value = None
        clean[str(key).strip().lower()] = value
    if "area_wkt" in clean:
        clean["area"] = clean.pop("area_wkt")
    return clean


def _location(geometry: BaseGeometry | None) -> dict[str, Any]:
    """Location fields of a feature: a point gives lon/lat; an area or line also gives ``area``."""
    if geometry is None or geometry.is_empty:
        return {"_geometry_error": ""}
    if not np.isfinite(shapely.get_coordinates(geometry)).all():  # x and y; a Z is dropped below
        return {"_geometry_error": Term("geom.not_finite")}  # NaN or Infinity in a GeoJSON file
    if shapely.get_coordinate_dimension(geometry) > 2:
        geometry = shapely.force_2d(geometry)
    if geometry.geom_type == "Point":
        return {"lon": geometry.x, "lat": geometry.y}
    if geometry.geom_type == "MultiPoint" and len(geometry.geoms) == 1:
        point = geometry.geoms[0]
        return {"lon": point.x, "lat": point.y}
    if not geometry.is_valid:
        return {"_geometry_error": shapely.is_valid_reason(geometry)}
    # interpolate() only works on lines; any other type (MultiPoint, GeometryCollection)
    # gets a point on it and is refused by validation with a message naming its type.
    is_line = geometry.geom_type in ("LineString", "MultiLineString")
    anchor = geometry.interpolate(0.5, normalized=True) if is_line else geometry.point_on_surface()
    return {"lon": anchor.x, "lat": anchor.y, "area": geometry}


# ---------------------------------------------------------------------- writing
@contextmanager
def _atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it only when the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    os.unlink(tmp)  # GDAL refuses to create a GeoPackage over an existing empty file
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        if exc.errno is None or str(exc.filename) != tmp:
            raise
        # Name the file the user asked for, not the temporary one (a full disk, no permission).
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: a full disk leaves neither half a file nor a temporary one."""
    with _atomic_path(Path(path)) as tmp:
        tmp.write_bytes(data)


# Yes/no fields of an asset, written as booleans (declared once on the asset).
_YES_NO_FIELDS = frozenset(name for name, kind in field_types(AssetFields).items() if kind is bool)


def _interchange(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Assets frame with the ``area`` geometry column turned into WKT text (files hold one geometry)."""
    out = frame.copy()
    if "area" in out.columns:
        out["area_wkt"] = [a.wkt if isinstance(a, BaseGeometry) else None for a in out["area"]]
        out = out.drop(columns="area")
    for name in _YES_NO_FIELDS & set(out.columns):
        # true/false/null in GeoJSON and GeoPackage, not the text "True"
        out[name] = pd.array(list(out[name]), dtype="boolean")
    return out


def write_assets(frame: gpd.GeoDataFrame, path: Path, *, html: str | None = None) -> None:
    """Write an assets frame (from :func:`abcd.store.assets_to_frame`) by the file's extension.

    ``.html`` needs the finished document in ``html`` (built by :mod:`abcd.maps`).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITE_FORMATS:
        raise ImportFileError("error.export_format", suffix=suffix or path.name, allowed=", ".join(WRITE_FORMATS))
    out = _interchange(frame)
    with _atomic_path(path) as tmp:
        if suffix == ".geojson":
            pyogrio.write_dataframe(
                out, tmp, driver="GeoJSON", layer="assets", layer_options={"COORDINATE_PRECISION": 7}
            )
        elif suffix == ".gpkg":
            pyogrio.write_dataframe(out, tmp, driver="GPKG", layer="assets")
        elif suffix == ".csv":
            table = pd.DataFrame(out.drop(columns=out.geometry.name))
            table.insert(1, "lat", out.geometry.y.round(7))
            table.insert(2, "lon", out.geometry.x.round(7))
            table.to_csv(tmp, index=False, encoding="utf-8")
        else:
            if html is None:
                raise ValueError("an .html export needs the rendered map document")
            tmp.write_text(html, encoding="utf-8")
