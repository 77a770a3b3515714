"""Reading and writing asset files: GeoJSON, GeoPackage, CSV, GPX and KML (and HTML maps).

This is the only module that touches asset files. Reading returns *raw*
rows (plain dicts, one per feature, with ``lon``/``lat`` in WGS84 and an
``area`` geometry where a feature is a polygon or line), so that validation
(:mod:`abcd.exchange`) can name the row of every problem. Files in another
CRS are reprojected on read. Every read stays within :mod:`abcd.limits`: a
file is measured before a parser works on it. Writes go to a temporary file
first and are then renamed, so a failed export never leaves half a file
behind; CSV files are written so that spreadsheets open them safely
(:mod:`abcd._formulas`).
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from abcd import limits
from abcd._cells import is_missing
from abcd._formulas import neutralise_formula, restore_formula
from abcd.errors import AbcdError, ImportFileError, ValidationError
from abcd.i18n import Term
from abcd.licences import sidecar_path
from abcd.limits import (
    MAX_ARCHIVE_MEMBERS,
    MAX_FILE_BYTES,
    MAX_JSON_DEPTH,
    MAX_ROW_CHARS,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    check_size,
)
from abcd.model import WGS84, AssetFields
from abcd.records import field_types

READ_FORMATS = (".geojson", ".json", ".gpkg", ".csv", ".gpx", ".kml", ".xlsx")
TABLE_FORMATS = (".csv", ".xlsx")  # records under a header row; an .xlsx's first sheet (KoboToolbox's export)
XML_FORMATS = (".gpx", ".kml")  # GPX waypoints, KML placemarks: read by GDAL's GPX and LIBKML drivers
WRITE_FORMATS = (".geojson", ".gpkg", ".csv", ".html")

_SQLITE_HEADER = b"SQLite format 3\x00"  # a GeoPackage is an SQLite database

LON_COLUMNS = ("lon", "lng", "longitude", "lengtegraad", "x")
LAT_COLUMNS = ("lat", "latitude", "breedtegraad", "y")
WKT_COLUMNS = ("wkt", "geometry", "geom")


@dataclass(frozen=True, slots=True)
class RawRow:
    """One feature or CSV line as read, before validation; ``number`` is what the user sees."""

    number: int
    values: dict[str, Any]


def check_file(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> int:
    """The size of the file at ``path``, after refusing a missing, too large or empty one."""
    if not path.is_file():
        raise ImportFileError("error.file_missing", path=str(path))
    size = path.stat().st_size
    check_size(size, max_bytes=max_bytes)
    if size == 0:
        raise ImportFileError("error.empty_file")
    return size


def read_rows(
    path: Path,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    max_rows: int = MAX_ROWS,
    rename: Mapping[str, str | None] | None = None,
    crs: str | None = None,
) -> list[RawRow]:
    """Raw rows of an asset file; refuses unknown formats, oversized and unreadable files.

    The size is checked before anything is parsed, and no format is read
    beyond ``max_rows`` rows or any other limit of :mod:`abcd.limits`: a
    small file cannot unfold into a huge read, nor a deep one crash a parser
    (a ``.zip`` only as an export with its media: :func:`read_format`). ``rename`` gives columns (lower
    case) other names before anything looks for the location columns
    (:func:`renamed`; :mod:`abcd.mapping`); ``crs`` is the CRS of a CSV's
    coordinate or WKT columns (other formats say their own), reprojected to WGS84.
    """
    path = Path(path)
    suffix = read_format(path.name)
    check_file(path, max_bytes=max_bytes)
    if suffix == ".zip":
        return _zip_rows(path, max_bytes=max_bytes, max_rows=max_rows, rename=rename, crs=crs)
    if suffix in TABLE_FORMATS:
        rows = _csv_rows(path, max_rows, rename=rename, crs=crs)
    else:
        rows = _geo_rows(read_layer(path, max_rows=max_rows), path, rename=rename)
    if not rows:
        raise ImportFileError("error.empty_file")
    if len(rows) > max_rows:
        raise ImportFileError("error.too_many_rows", count=len(rows), max=max_rows)
    _check_areas(rows)
    return rows


def read_format(name: str) -> str:
    """The extension of a file to import, lower case; refuses any other, a ``.zip`` with its own message.

    Other archives are never unpacked: what they hold (and how large it
    becomes) is not known until they are, so a bomb is refused by its name.
    A ``.zip`` is read as a field-form export with its media (ODK Central's
    ``.csv.zip``): measured before and while anything is unpacked
    (:func:`open_archive`), and refused unless it holds one table.

    >>> read_format("Kaart.GeoJSON")
    '.geojson'
    """
    suffix = Path(name).suffix.lower()
    if suffix == ".zip":
        return suffix
    if suffix in (".gz", ".7z", ".rar", ".tar", ".tgz", ".bz2", ".xz", ".kmz"):
        raise ImportFileError("error.file_archive", suffix=suffix, allowed=", ".join(READ_FORMATS))
    if suffix not in READ_FORMATS:
        raise ImportFileError("error.file_format", suffix=suffix or name, allowed=", ".join(READ_FORMATS))
    return suffix


def read_layer(path: Path, *, max_rows: int = MAX_ROWS) -> gpd.GeoDataFrame:
    """The features of a GeoJSON or GeoPackage file (already size-checked), read within every limit.

    The file is measured before GDAL reads it (JSON nesting and vertices,
    a GeoPackage's tables, columns and geometry blobs), and every geometry
    GDAL returns is measured before anything else works on it. The asset
    import and the gap map's street and initiative files read through here.
    """
    path = Path(path)
    layer = None
    if path.suffix.lower() == ".gpkg":
        layer = gpkg_layer(path, max_rows)
    elif path.suffix.lower() not in XML_FORMATS:
        _check_json(path, max_rows)
    try:
        if path.suffix.lower() in XML_FORMATS:
            frame = _xml_frame(path, max_rows)
        else:
            # max_features: a layer's stored feature count can lie; never read more than one row too many.
            frame = pyogrio.read_dataframe(path, layer=layer, max_features=max_rows + 1)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc).splitlines()[0]) from None
    if len(frame) > max_rows:
        raise ImportFileError("error.too_many_rows", count=f"{max_rows}+", max=max_rows)
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        raise ImportFileError("error.not_geojson", path=path.name)
    vertices = 0
    for number, geometry in enumerate(frame.geometry, start=1):
        vertices += _within_row(number, limits.check_geometry, geometry)
    limits.check_file_vertices(vertices)
    return frame


def _within_row(number: int, check: Callable[..., int], value: Any, **options: Any) -> int:
    """``check(value, **options)``, with an error it raises named by its row (as the import names every row error)."""
    try:
        return check(value, **options)
    except ValidationError as exc:
        raise ImportFileError("error.row", row=number, message=exc) from exc


def _check_areas(rows: list[RawRow]) -> None:
    """Measure every area given as WKT text before validation parses it, and the file's vertices in all."""
    vertices = 0
    for row in rows:
        area = row.values.get("area")
        if isinstance(area, str):
            vertices += _within_row(row.number, limits.check_wkt, area)
        elif isinstance(area, BaseGeometry):
            vertices += int(shapely.get_num_coordinates(area))
        else:
            vertices += 1  # the point
    limits.check_file_vertices(vertices)


def _check_json(path: Path, max_rows: int = MAX_ROWS) -> None:
    """Measure, then parse JSON ourselves: clearer messages than GDAL's, and no unbounded nesting or size.

    Nesting and vertices are counted on the text before it is parsed (a
    FeatureCollection of a million coordinates takes Python's parser and
    GDAL's some hundreds of MB each); columns and cells on the parsed
    features before GDAL builds a frame of them.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("error.not_utf8") from None
    depth, vertices = _json_shape(text)
    if depth > MAX_JSON_DEPTH:
        raise ImportFileError("error.json_too_deep", path=path.name, max=MAX_JSON_DEPTH)
    limits.check_file_vertices(vertices)
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
    features = data.get("features") if data["type"] == "FeatureCollection" else [data]
    if not isinstance(features, list):
        raise ImportFileError("error.not_geojson", path=path.name)
    if len(features) > max_rows:  # refused before GDAL builds a frame of them
        raise ImportFileError("error.too_many_rows", count=len(features), max=max_rows)
    properties = [f["properties"] for f in features if isinstance(f, dict) and isinstance(f.get("properties"), dict)]
    limits.check_columns(len(set().union(*properties)))
    limits.check_cells(sum(len(p) + 1 for p in properties))  # the geometry is a cell too


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))


def _json_shape(text: str) -> tuple[int, int]:
    """How deeply JSON ``text`` nests arrays and objects, and how many vertices (innermost arrays) it has.

    Strings are taken out, then only the brackets are kept: a vertex
    ``[4.44, 51.91]`` is an ``[]`` among them.

    >>> _json_shape('{"a": [[1, 2], [3, 4]], "b": "[[[ not counted"}')
    (3, 2)
    """
    brackets = _JSON_STRING.sub("", text).encode("utf-8").translate(None, _NOT_BRACKETS)
    return limits.nesting_depth(brackets, "[{", "]}"), brackets.count(b"[]")


def check_json_depth(path: Path) -> None:
    """Refuse a JSON file nested deeper than :data:`~abcd.limits.MAX_JSON_DEPTH`, before any parser recurses into it.

    Only brackets are counted, strings included: quick enough for a street
    file of hundreds of MB, and a bracket inside a string can only make the
    check stricter, never let a deep file through. Files that are imported
    get the full measure (:func:`read_layer`).
    """
    if limits.nesting_depth(Path(path).read_bytes().translate(None, _NOT_BRACKETS), "[{", "]}") > MAX_JSON_DEPTH:
        raise ImportFileError("error.json_too_deep", path=Path(path).name, max=MAX_JSON_DEPTH)


def gpkg_layer(
    path: Path,
    max_rows: int,
    *,
    max_cells: int = limits.MAX_CELLS,
    max_vertices: int = limits.MAX_FILE_VERTICES,
    lines: bool = False,
) -> str:
    """The GeoPackage layer to read (the first, or with ``lines`` the first line layer), checked first.

    The checks keep a small file from unfolding into a huge read. A
    GeoPackage is an SQLite database, and SQLite views run queries: a
    100 kB file whose layer is a recursive view claims 50 million features
    (measured: 25 s just to count them, and reading them all would exhaust
    memory). So the file must be SQLite, hold no views or virtual tables other
    than spatial indexes, and its layer must have at most ``max_rows`` features
    and be within the column limits; its geometry blobs are measured before
    GDAL decodes them (GDAL returns no geometry at all for one nested more
    than 32 deep, which would read as "empty").
    """
    with open(path, "rb") as handle:
        if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
            raise ImportFileError("error.not_gpkg", path=path.name)
    try:
        with closing(_read_only(path)) as conn:
            schema = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    except sqlite3.DatabaseError as exc:
        raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc)) from None
    for kind, name, sql in schema:
        virtual = kind == "table" and (sql or "").lstrip().upper().startswith("CREATE VIRTUAL")
        if kind == "view" or (virtual and " USING RTREE" not in " ".join((sql or "").upper().split())):
            raise ImportFileError("error.gpkg_view", path=path.name, layer=name)
    try:
        listed = [(str(name), str(kind)) for name, kind in pyogrio.list_layers(path) if kind]
        layers = [name for name, _ in listed]
        if lines:  # a GeoPackage of streets may hold points and polygons too
            layers = [name for name, kind in listed if "LineString" in kind] or layers
        info: dict[str, Any] = pyogrio.read_info(path, layer=layers[0]) if layers else {"features": 0, "fields": []}
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc).splitlines()[0]) from None
    if not layers:
        raise ImportFileError("error.gpkg_no_layer", path=path.name)
    features, columns = int(info["features"]), len(info["fields"]) + 1  # the geometry is a column too
    if features > max_rows:
        raise ImportFileError("error.too_many_rows", count=features, max=max_rows)
    limits.check_columns(columns)
    limits.check_cells(max(features, 0) * columns, max_cells)
    _check_gpkg_geometries(path, layers[0], max_rows, max_vertices)
    return layers[0]


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def _check_gpkg_geometries(path: Path, layer: str, max_rows: int, max_vertices: int) -> None:
    """Measure the geometry blobs of a GeoPackage layer (a plain table, checked above) straight from SQLite."""
    quoted = '"' + layer.replace('"', '""') + '"'
    try:
        with closing(_read_only(path)) as conn:
            found = conn.execute(
                "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)
            ).fetchone()
            if found is None:
                return  # GDAL finds no geometry either and says so
            column = '"' + str(found[0]).replace('"', '""') + '"'
            vertices, number = 0, 0
            blobs = conn.execute(f"SELECT {column} FROM {quoted} LIMIT ?", (max_rows + 1,))
            check = limits.check_gpkg_geometry
            try:  # one try for the whole layer: a street file has a million rows
                for number, (blob,) in enumerate(blobs, start=1):  # noqa: B007 (named in the error below)
                    if isinstance(blob, bytes):
                        vertices += check(blob)
                        if vertices > max_vertices:
                            limits.check_file_vertices(vertices, max_vertices)
            except ValidationError as exc:
                raise ImportFileError("error.row", row=number, message=exc) from exc
    except sqlite3.DatabaseError as exc:
        raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc)) from None


def _xml_frame(path: Path, max_rows: int) -> gpd.GeoDataFrame:
    """The waypoints of a GPX file, or the placemarks of every folder of a KML file, as one frame.

    A GPX waypoint's ``desc`` (else its ``cmt``) becomes the description; a
    KML placemark's ``Name`` and ``description`` are read as they are, and
    its KML ``id`` is kept as ``kml_id`` (it is no asset id). Neither format
    carries a category: :mod:`abcd.mapping` gives one. DOCTYPE and ENTITY
    declarations are refused before GDAL's XML parser sees the file
    (entity expansion turns a small file into a huge one).
    """
    data = path.read_bytes()
    markers = [m.encode(e) for m in ("<!DOCTYPE", "<!ENTITY") for e in ("utf-8", "utf-16-le", "utf-16-be")]
    if any(marker in data for marker in markers):
        raise ImportFileError("error.xml_declaration", path=path.name)
    if path.suffix.lower() == ".gpx":
        names = [str(name) for name, _ in pyogrio.list_layers(path)]
        if "waypoints" not in names:
            raise ImportFileError("error.gpx_no_waypoints", path=path.name)
        frame = pyogrio.read_dataframe(path, layer="waypoints", max_features=max_rows + 1)
        if frame.empty:
            raise ImportFileError("error.gpx_no_waypoints", path=path.name)
        notes = [frame[c] for c in ("desc", "cmt") if c in frame.columns]
        if notes:
            frame["description"] = notes[0].where(notes[0].notna(), notes[-1])
        return frame.drop(columns=[c for c in ("desc", "cmt") if c in frame.columns])
    frames: list[gpd.GeoDataFrame] = []
    for layer, _ in pyogrio.list_layers(path):  # a KML folder is a layer
        if sum(map(len, frames)) > max_rows:
            break
        frames.append(pyogrio.read_dataframe(path, layer=str(layer), max_features=max_rows + 1))
    if not frames:
        raise ImportFileError("error.empty_file")
    frame = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=frames[0].crs)
    limits.check_columns(len(frame.columns))
    limits.check_cells(len(frame) * len(frame.columns))
    return frame.drop(columns=[c for c in _KML_DISPLAY if c in frame.columns]).rename(columns={"id": "kml_id"})


# What LIBKML adds to every placemark about how it is drawn: no data of the placemark's own.
_KML_DISPLAY = ("timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon")


def renamed(values: Mapping[str, Any], rename: Mapping[str, str | None] | None) -> dict[str, Any]:
    """``values`` with the columns ``rename`` names renamed (to ``None``: dropped).

    A renamed column replaces a column of the file that has its new name.

    >>> renamed({"naam": "Tuin", "name": "x", "nr": 4}, {"naam": "name", "nr": None})
    {'name': 'Tuin'}
    """
    if not rename:
        return dict(values)
    targets = {target for target in rename.values() if target}
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in rename:
            if rename[key]:
                out[str(rename[key])] = value
        elif key not in targets:
            out[key] = value
    return out


def read_columns(path: Path, *, max_bytes: int = MAX_FILE_BYTES, max_rows: int = MAX_ROWS) -> dict[str, Any]:
    """The columns of an asset file (lower case, as :func:`read_rows` names them), each with a first value.

    What an import box shows before the columns are mapped: a CSV needs no
    location columns here. The value is the first non-empty one in the
    column's first 100 rows, ``None`` when there is none.
    """
    path = Path(path)
    suffix = read_format(path.name)
    check_file(path, max_bytes=max_bytes)
    if suffix == ".zip":  # a field-form export with its media: the columns of its table
        with unzipped_table(path, max_bytes=max_bytes) as inner:
            return read_columns(inner, max_bytes=max_bytes, max_rows=max_rows)
    found: dict[str, Any] = {}
    if suffix in TABLE_FORMATS:
        with _open_records(path) as records:
            found = dict.fromkeys(c for c in records.columns if c)
            for _, record in itertools.islice(records, 100):
                for key, value in record.items():
                    if key and found.get(key) is None and not is_missing(value) and str(value).strip():
                        found[key] = value
        return found
    frame = read_layer(path, max_rows=max_rows)
    for record in frame.drop(columns=frame.geometry.name).head(100).to_dict("records"):
        for name, value in _clean(record).items():
            key = "area_wkt" if name == "area" else name  # the file's own column, as a mapping names it
            found.setdefault(key, None)
            if found[key] is None and value is not None and str(value).strip():
                found[key] = value
    return found


def _geo_rows(frame: gpd.GeoDataFrame, path: Path, *, rename: Mapping[str, str | None] | None = None) -> list[RawRow]:
    """Raw rows of a layer read by :func:`read_layer`, in WGS84, columns renamed by ``rename``."""
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
        rows.append(RawRow(number, {**renamed(_clean(record), rename), **_location(geometry)}))
    return rows


# ------------------------------------------------------------------- CSV text
class _RecordTooWide(Exception):
    """A CSV record grew beyond :data:`abcd.limits.MAX_ROW_CHARS` while it was being read."""


class _Lines:
    """The lines of a text file as the CSV reader takes them, stopping a record that grows too wide.

    Python's CSV reader builds a whole record (every cell of it) before
    returning it; one line of 40 MB, or a quoted cell spread over a million
    lines, would be built whole. Here no line is read beyond the limit, and
    the reader is stopped once the current record passes it.
    """

    def __init__(self, handle: TextIO) -> None:
        self.handle = handle
        self.width = 0  # characters of the record being read; the reader of records resets it

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.handle.readline(MAX_ROW_CHARS + 1)
        if not line:
            raise StopIteration
        self.width += len(line)
        if self.width > MAX_ROW_CHARS:
            raise _RecordTooWide
        return line


class CsvRecords:
    """The records of a CSV file read one at a time, within the limits; made by :func:`open_csv`.

    ``columns`` are the header's names, stripped and in lower case. Iterating
    gives ``(number, record)``: the number as a spreadsheet shows it (the
    header is line 1) and the record as :class:`csv.DictReader` makes it,
    with the quote that :mod:`abcd._formulas` puts before a formula taken off
    again.
    """

    def __init__(self, handle: TextIO, delimiter: str) -> None:
        self.delimiter = delimiter
        self._lines = _Lines(handle)
        self._reader = csv.DictReader(self._lines, delimiter=delimiter)
        try:
            header = self._reader.fieldnames or []
        except _RecordTooWide:
            raise _too_wide(1) from None
        limits.check_columns(len(header))
        self.columns = [(c or "").strip().lower() for c in header]
        self._reader.fieldnames = self.columns
        self._cells = 0

    def __iter__(self) -> Iterator[tuple[int, dict[str | None, Any]]]:
        for number in itertools.count(2):
            self._lines.width = 0
            try:
                record = next(self._reader)
            except StopIteration:
                return
            except _RecordTooWide:
                raise _too_wide(number) from None
            self._cells += len(record) - (None in record) + len(record.get(None) or ())
            if self._cells > limits.MAX_CELLS:
                raise ImportFileError(
                    "error.row", row=number, message=ImportFileError("error.too_many_cells", max=limits.MAX_CELLS)
                )
            # Only a text starting with the quote can be a neutralised formula (most cells are not).
            cells = record.items()
            yield number, {k: restore_formula(v) if v.__class__ is str and v[:1] == "'" else v for k, v in cells}

    def count_rest(self) -> int:
        """How many more non-empty records there are, without building or keeping them."""
        count = 0
        for line in self._reader.reader:
            self._lines.width = 0
            count += bool(line)
        return count


def _too_wide(number: int) -> ImportFileError:
    return ImportFileError("error.row", row=number, message=ImportFileError("error.row_too_wide", max=MAX_ROW_CHARS))


@contextmanager
def open_csv(path: Path, *, delimiter: Callable[[str], str]) -> Iterator[CsvRecords]:
    """The records of the UTF-8 CSV file at ``path`` (with or without BOM), streamed within the limits.

    ``delimiter`` picks the separator from the first 4,096 characters. Text
    that is not UTF-8 and broken CSV are refused, wherever in the file they
    are, while the records are being read.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            sample = handle.read(4096)
            handle.seek(0)
            yield CsvRecords(handle, delimiter(sample))
    except UnicodeDecodeError:
        raise ImportFileError("error.not_utf8") from None
    except csv.Error as exc:
        raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc)) from None
    except _RecordTooWide:  # while counting the rest of a file with too many rows
        raise ImportFileError("error.row_too_wide", max=MAX_ROW_CHARS) from None


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _csv_rows(
    path: Path, max_rows: int = MAX_ROWS, *, rename: Mapping[str, str | None] | None = None, crs: str | None = None
) -> list[RawRow]:
    rows: list[RawRow] = []
    vertices = 0
    to_wgs84 = _transformer(crs, path)
    projected: list[int] = []  # rows whose lon/lat cells are in ``crs``
    with _open_records(path) as records:
        columns = list(renamed(dict.fromkeys(records.columns), rename))
        lon_col = next((c for c in LON_COLUMNS if c in columns), None)
        lat_col = next((c for c in LAT_COLUMNS if c in columns), None)
        wkt_col = next((c for c in WKT_COLUMNS if c in columns), None)
        if not (lon_col and lat_col) and not wkt_col and not _field_export(columns):
            raise ImportFileError("error.csv_columns", columns=", ".join(columns) or "-")
        for number, record in records:  # line 1 is the header, as in a spreadsheet
            if len(rows) >= max_rows:
                # Count the rest without keeping it: 50 MB of short lines is millions of rows.
                raise ImportFileError("error.too_many_rows", count=max_rows + 1 + records.count_rest(), max=max_rows)
            record.pop(None, None)  # cells beyond the header's columns (the record is ours: no copy)
            cells = cast("dict[str, Any]", record)
            values: dict[str, Any] = renamed(cells, rename) if rename else cells
            if wkt_col and (values.get(wkt_col) or "").strip():
                wkt = values.pop(wkt_col)
                vertices += _within_row(number, limits.check_wkt, wkt, field="field.geometry")
                limits.check_file_vertices(vertices)
                try:
                    geometry = shapely.from_wkt(wkt)
                except shapely.errors.GEOSException as exc:
                    values["_geometry_error"] = str(exc)
                else:
                    values.update(_location(geometry if to_wgs84 is None else _reprojected(geometry, to_wgs84)))
            elif lon_col and lat_col:
                values["lon"], values["lat"] = values.pop(lon_col), values.pop(lat_col)
                if to_wgs84 is not None:
                    projected.append(len(rows))
            if "area_wkt" in values:
                values["area"] = values.pop("area_wkt")
            rows.append(RawRow(number, _clean(values)))
    if projected:
        _reproject_points([rows[k].values for k in projected], to_wgs84)
    return rows


def _transformer(crs: str | None, path: Path) -> Any:
    """A transformer from ``crs`` to WGS84 (``None`` for none, or for WGS84 itself)."""
    if crs is None:
        return None
    from pyproj import Transformer

    try:
        source = CRS.from_user_input(crs)
    except Exception as exc:  # pyproj raises several types for unknown CRS definitions
        raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc)) from None
    if source.equals(CRS.from_user_input(WGS84)):
        return None
    return Transformer.from_crs(source, WGS84, always_xy=True)


def _reproject_points(rows: list[dict[str, Any]], transformer: Any) -> None:
    """Turn the ``lon``/``lat`` cells of CSV rows, given in another CRS, into WGS84, all at once.

    Cells that are no numbers stay as they are, for validation to name.
    """
    numbers: list[int] = []
    xs: list[float] = []
    ys: list[float] = []
    for index, values in enumerate(rows):
        try:
            x = float(str(values["lon"]).strip().replace(",", "."))
            y = float(str(values["lat"]).strip().replace(",", "."))
        except ValueError:
            continue
        numbers.append(index)
        xs.append(x)
        ys.append(y)
    lons, lats = transformer.transform(np.array(xs), np.array(ys))
    for index, lon, lat in zip(numbers, lons.tolist(), lats.tolist(), strict=True):
        rows[index]["lon"], rows[index]["lat"] = lon, lat


def _reprojected(geometry: BaseGeometry, transformer: Any) -> BaseGeometry:
    return shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    # Text (every CSV cell) is never missing: only other values are asked (a file of 20,000 rows has 100,000 cells).
    clean: dict[str, Any] = {
        str(key).strip().lower(): value if type(value) is str or not is_missing(value) else None
        for key, value in record.items()
    }
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


def _field_export(columns: Sequence[str]) -> bool:
    """Whether a table is a KoboToolbox or ODK export: its location is in its geopoint's columns
    (``plek-Latitude``, ``_plek_latitude``), which :mod:`abcd.fieldforms.exports` reads."""
    from abcd.fieldforms.exports import is_field_export

    return is_field_export(columns)


# ---------------------------------------------------------------- spreadsheets and zips
_ZIP_END = b"PK\x05\x06"  # the end-of-directory record, within the last 64 kB of a zip
_PACKED = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # unpacked in bounded steps, unlike bzip2 and LZMA
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError)
_ARCHIVE_TABLES = (".csv", ".xlsx", ".geojson", ".json")


@contextmanager
def open_archive(path: Path) -> Iterator[zipfile.ZipFile]:
    """A zip file opened for reading after it was measured; nothing is unpacked here.

    The number of members is read from the archive's last bytes before
    Python reads its directory (at most :data:`MAX_ARCHIVE_MEMBERS`). Every
    member must be stored or deflated, and every name must stay inside the
    archive (no absolute path, drive, backslash or ``..``; no member is ever
    written under its own name either). Python's zip reader stops a member at
    the size the directory declares, and :func:`read_member` at its limit.
    """
    path = Path(path)
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        handle.seek(max(0, handle.tell() - 65_557))
        tail = handle.read()
    end = tail.rfind(_ZIP_END)
    if end < 0 or len(tail) < end + 22:
        raise ImportFileError("error.file_unreadable", path=path.name, reason="zip")
    members = int.from_bytes(tail[end + 10 : end + 12], "little")  # 0xFFFF for ZIP64: more than allowed anyway
    if members > MAX_ARCHIVE_MEMBERS:
        raise ImportFileError("error.archive_too_many", path=path.name, count=members, max=MAX_ARCHIVE_MEMBERS)
    try:
        archive = zipfile.ZipFile(path)
    except _ZIP_ERRORS as exc:
        raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc) or "zip") from None
    with closing(archive):
        if len(archive.infolist()) > MAX_ARCHIVE_MEMBERS:
            raise ImportFileError(
                "error.archive_too_many", path=path.name, count=len(archive.infolist()), max=MAX_ARCHIVE_MEMBERS
            )
        for info in archive.infolist():
            name = info.filename
            if name.startswith("/") or "\\" in name or "\0" in name or ".." in name.split("/") or name[1:2] == ":":
                raise ImportFileError("error.archive_unsafe", path=path.name, name=name)
            if info.compress_type not in _PACKED:
                raise ImportFileError("error.archive_method", path=path.name, name=name)
        yield archive


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, max_bytes: int) -> bytes:
    """The bytes of one member of an archive from :func:`open_archive`, unpacked in steps within ``max_bytes``."""
    check_size(info.file_size, max_bytes=max_bytes)
    chunks: list[bytes] = []
    total = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(1 << 20):
                total += len(chunk)
                check_size(total, max_bytes=max_bytes)
                chunks.append(chunk)
    except _ZIP_ERRORS as exc:
        raise ImportFileError("error.file_unreadable", path=info.filename, reason=str(exc) or "zip") from None
    return b"".join(chunks)


def _zip_rows(
    path: Path, *, max_bytes: int, max_rows: int, rename: Mapping[str, str | None] | None, crs: str | None
) -> list[RawRow]:
    """The rows of the one table in a zip (:func:`unzipped_table`), read as any other file."""
    with unzipped_table(path, max_bytes=max_bytes) as inner:
        return read_rows(inner, max_bytes=max_bytes, max_rows=max_rows, rename=rename, crs=crs)


@contextmanager
def unzipped_table(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Iterator[Path]:
    """The one table in a zip, unpacked to a temporary file: ODK Central's export (``<form>.csv``, its
    repeats' ``<form>-<repeat>.csv`` and ``media/``), or an export zipped with its photos.

    The table is unpacked within ``max_bytes``; the photos stay in the zip
    (:mod:`abcd.fieldforms.exports`).
    """
    with open_archive(path) as archive:
        top = [i for i in archive.infolist() if "/" not in i.filename]  # media are in folders
        tables = [i for i in top if Path(i.filename).suffix.lower() in _ARCHIVE_TABLES]
        if not tables:
            raise ImportFileError("error.file_archive", suffix=".zip", allowed=", ".join(READ_FORMATS))
        stems = [Path(i.filename).stem for i in tables]
        main = [i for i, stem in zip(tables, stems, strict=True) if all(s.startswith(stem) for s in stems)]
        if len(main) != 1:
            raise ImportFileError("error.archive_tables", path=path.name, names=", ".join(sorted(stems)))
        data = read_member(archive, main[0], max_bytes=max_bytes)
    name = re.sub(r"[^\w.-]", "_", Path(main[0].filename).stem, flags=re.ASCII).strip("._")[:80] or "export"
    with tempfile.TemporaryDirectory(prefix="abcd-zip-") as folder:
        inner = Path(folder) / f"{name}{Path(main[0].filename).suffix.lower()}"
        inner.write_bytes(data)
        yield inner


class XlsxRecords:
    """The records of a workbook's first sheet, as :class:`CsvRecords` gives a CSV file's: made by
    :func:`_open_records`. Cells keep the workbook's types (numbers, dates); empty rows are skipped."""

    def __init__(self, rows: Iterator[tuple[Any, ...]]) -> None:
        header = next(rows, ())
        limits.check_columns(len(header))
        self.columns = ["" if c is None else str(c).strip().lower() for c in header]
        self._rows = rows
        self._cells = 0

    def __iter__(self) -> Iterator[tuple[int, dict[str | None, Any]]]:
        for number, cells in enumerate(self._rows, start=2):
            if all(is_missing(c) or c == "" for c in cells):
                continue
            self._cells += len(cells)
            if self._cells > limits.MAX_CELLS:
                raise ImportFileError(
                    "error.row", row=number, message=ImportFileError("error.too_many_cells", max=limits.MAX_CELLS)
                )
            yield number, dict(zip(self.columns, cells, strict=False))

    def count_rest(self) -> int:
        """How many more non-empty rows there are."""
        return sum(1 for cells in self._rows if not all(is_missing(c) or c == "" for c in cells))


@contextmanager
def _open_records(path: Path) -> Iterator[CsvRecords | XlsxRecords]:
    """The records of a CSV file (:func:`open_csv`) or of an .xlsx workbook's first sheet, within the limits.

    A workbook is a zip: it is measured first (:func:`open_archive`, and at
    most :data:`MAX_UNPACKED_BYTES` unpacked), then streamed by openpyxl
    (with defusedxml installed, it refuses XML entity tricks too).
    """
    if path.suffix.lower() != ".xlsx":
        with open_csv(path, delimiter=_sniff_delimiter) as records:
            yield records
        return
    with open_archive(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    check_size(unpacked, max_bytes=MAX_UNPACKED_BYTES)
    from openpyxl import load_workbook  # only when a workbook is read

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except AbcdError:
        raise
    except (*_ZIP_ERRORS, SyntaxError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc) or type(exc).__name__) from None
    try:
        yield XlsxRecords(sheet.iter_rows(values_only=True))
    except AbcdError:
        raise
    except (*_ZIP_ERRORS, SyntaxError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc) or type(exc).__name__) from None
    finally:
        book.close()


# ---------------------------------------------------------------------- writing
@contextmanager
def atomic_path(path: Path, *, private: bool = False) -> Iterator[Path]:
    """A temporary path for a file that replaces ``path`` only when the block succeeds.

    It lies in a new folder beside ``path`` that only its owner can open, so
    a file holding personal data (``private``) is never readable by others,
    not even while it is written: it is made owner-only (0600) before it is
    moved into place. Other files keep the usual mode (the umask decides).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{path.stem}-", dir=path.parent))  # mode 0700
    tmp = folder / f"new{path.suffix}"  # GDAL refuses to create a GeoPackage over an existing empty file
    try:
        yield tmp
        if private:
            tmp.chmod(0o600)
        os.replace(tmp, path)
    except OSError as exc:
        if exc.errno is None or not str(exc.filename).startswith(str(folder)):
            raise
        # Name the file the user asked for, not the temporary one (a full disk, no permission).
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: a full disk leaves neither half a file nor a temporary one."""
    with atomic_path(Path(path)) as tmp:
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


def write_assets(
    frame: gpd.GeoDataFrame,
    path: Path,
    *,
    html: str | None = None,
    private: bool = False,
    layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    sources: Sequence[str] = (),
) -> None:
    """Write an assets frame (from :func:`abcd.store.assets_to_frame`) by the file's extension.

    ``.html`` needs the finished document in ``html`` (built by :mod:`abcd.maps`).
    A ``.gpkg`` file also gets the ``layers`` beside ``assets`` (the connections).
    A ``.csv`` file is for spreadsheets: text they would evaluate as a formula
    is neutralised (:mod:`abcd._formulas`). ``private`` (the frame holds
    personal data) makes the file readable by its owner only. ``sources``
    (:func:`abcd.licences.export_sources`) go where the format keeps them: a
    ``sources`` member of GeoJSON, the layer's description and metadata in a
    GeoPackage, a ``<name>_bronnen.txt`` file beside a CSV file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITE_FORMATS:
        raise ImportFileError("error.export_format", suffix=suffix or path.name, allowed=", ".join(WRITE_FORMATS))
    out = _interchange(frame)
    with atomic_path(path, private=private) as tmp:
        if suffix == ".geojson":
            pyogrio.write_dataframe(
                out, tmp, driver="GeoJSON", layer="assets", layer_options={"COORDINATE_PRECISION": 7}
            )
            if sources:
                _add_geojson_member(tmp, "sources", list(sources))
        elif suffix == ".gpkg":
            described = {"DESCRIPTION": " | ".join(sources)} if sources else None
            pyogrio.write_dataframe(
                out,
                tmp,
                driver="GPKG",
                layer="assets",
                layer_options=described,
                layer_metadata={"SOURCES": "\n".join(sources)} if sources else None,
            )
            for name, layer in (layers or {}).items():
                pyogrio.write_dataframe(layer, tmp, driver="GPKG", layer=name)
        elif suffix == ".csv":
            table = pd.DataFrame(out.drop(columns=out.geometry.name))
            table.insert(1, "lat", out.geometry.y.round(7))
            table.insert(2, "lon", out.geometry.x.round(7))
            write_csv(table, tmp)
        else:
            if html is None:
                raise ValueError("an .html export needs the rendered map document")
            tmp.write_text(html, encoding="utf-8")
    if suffix == ".csv" and sources:  # after the file itself: a failed export leaves no lone sidecar
        with atomic_path(sidecar_path(path), private=private) as side:
            side.write_text("\n".join(sources) + "\n", encoding="utf-8")


def _add_geojson_member(path: Path, name: str, value: Any) -> None:
    """Add a top-level member to a GeoJSON file GDAL wrote (a "foreign member", RFC 7946 section 6.1)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    document = {"type": document.pop("type"), name: value, **document}
    path.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """A table as a UTF-8 CSV file that spreadsheets open safely and that reads back exactly.

    Every text cell goes through :func:`abcd._formulas.neutralise_formula`
    (numbers stay numbers). Lines end in CRLF, as RFC 4180 and Excel have it:
    with a bare LF, Python's CSV writer leaves a carriage return in a text
    unquoted, and the row breaks in two when it is read back.
    """
    table.map(neutralise_formula).to_csv(path, index=False, encoding="utf-8", lineterminator="\r\n")
