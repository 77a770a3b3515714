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
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from abcd.errors import ImportFileError
from abcd.model import WGS84

READ_FORMATS = (".geojson", ".json", ".gpkg", ".csv")
WRITE_FORMATS = (".geojson", ".gpkg", ".csv", ".html")
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 20_000
MAX_JSON_DEPTH = 64  # a FeatureCollection needs about 8; deeper is an attack or an accident

LON_COLUMNS = ("lon", "lng", "longitude", "lengtegraad", "x")
LAT_COLUMNS = ("lat", "latitude", "breedtegraad", "y")
WKT_COLUMNS = ("wkt", "geometry", "geom")


@dataclass(frozen=True, slots=True)
class RawRow:
    """One feature or CSV line as read, before validation; ``number`` is what the user sees."""

    number: int
    values: dict[str, Any]


def _size_checked(path: Path, max_bytes: int) -> int:
    if not path.is_file():
        raise ImportFileError("error.file_missing", path=str(path))
    size = path.stat().st_size
    if size > max_bytes:
        raise ImportFileError(
            "error.file_too_large", size=f"{size / 1e6:.1f}", max=f"{max_bytes / 1e6:.0f}"
        )
    if size == 0:
        raise ImportFileError("error.empty_file")
    return size


def read_rows(path: Path, *, max_bytes: int = MAX_FILE_BYTES, max_rows: int = MAX_ROWS) -> list[RawRow]:
    """Raw rows of an asset file; refuses unknown formats, oversized and unreadable files."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READ_FORMATS:
        raise ImportFileError("error.file_format", suffix=suffix or path.name, allowed=", ".join(READ_FORMATS))
    _size_checked(path, max_bytes)
    if suffix == ".csv":
        rows = _csv_rows(path)
    else:
        if suffix in (".geojson", ".json"):
            _check_json(path)
        rows = _geo_rows(path)
    if not rows:
        raise ImportFileError("error.empty_file")
    if len(rows) > max_rows:
        raise ImportFileError("error.too_many_rows", count=len(rows), max=max_rows)
    return rows


def _check_json(path: Path) -> None:
    """Parse JSON ourselves first: clearer messages than GDAL's, and no unbounded nesting."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("error.not_utf8") from None
    depth = 0
    deepest = 0
    in_string = escaped = False
    for char in text:  # a cheap bracket count, before json.loads can recurse
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                raise ImportFileError("error.json_too_deep", path=path.name, max=MAX_JSON_DEPTH)
        elif char in "]}":
            depth -= 1
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            "error.json_syntax", path=path.name, line=exc.lineno, col=exc.colno, msg=exc.msg
        ) from None
    except RecursionError:
        raise ImportFileError("error.json_too_deep", path=path.name, max=MAX_JSON_DEPTH) from None
    if not isinstance(data, dict) or data.get("type") not in ("FeatureCollection", "Feature"):
        raise ImportFileError("error.not_geojson", path=path.name)


def _geo_rows(path: Path) -> list[RawRow]:
    try:
        frame = pyogrio.read_dataframe(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc).splitlines()[0]) from None
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


def _csv_rows(path: Path) -> list[RawRow]:
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
    rows = []
    try:
        for number, record in enumerate(reader, start=2):  # line 1 is the header, as in a spreadsheet
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
        if (
            (isinstance(value, float) and math.isnan(value))
            or value is pd.NaT
            or (not isinstance(value, (str, BaseGeometry, list, dict)) and pd.isna(value))
        ):
            value = None
        clean[str(key).strip().lower()] = value
    if "area_wkt" in clean:
        clean["area"] = clean.pop("area_wkt")
    return clean


def _location(geometry: BaseGeometry | None) -> dict[str, Any]:
    """Location fields of a feature: a point gives lon/lat; an area or line also gives ``area``."""
    if geometry is None or geometry.is_empty:
        return {"_geometry_error": ""}
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
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _interchange(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Assets frame with the ``area`` geometry column turned into WKT text (files hold one geometry)."""
    out = frame.copy()
    if "area" in out.columns:
        out["area_wkt"] = [a.wkt if isinstance(a, BaseGeometry) else None for a in out["area"]]
        out = out.drop(columns="area")
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
