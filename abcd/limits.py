"""Every limit on the files ``abcd`` reads, in one place: the app and the command line refuse the same files.

A file is measured against these limits before its contents reach a parser
that can be made to work without bound: Python's JSON and CSV parsers, GDAL,
GEOS and shapely. GEOS parses WKT and WKB recursively, so a
``GEOMETRYCOLLECTION (`` nested 30,000 deep (a 725 kB GeoPackage cell) ended
the whole server process with a segmentation fault; and a 40 MB CSV file of
10,000 columns took the server from 437 MB to 2.36 GB. So nesting, length and
vertices are counted on the text or the bytes first, at C speed or by reading
only the headers of WKB, and only what is within every limit is parsed.

Every real neighbourhood file meets these limits with a wide margin: all of
Rotterdam's streets from OpenStreetMap (16,672 segments, 77,606 vertices, at
most 86 per segment) and the CBS wijk boundaries (at most 904 vertices) are
far below them. The README's *Limits on imported
files* lists them for users; ``tests/test_limits.py`` holds the two together.

>>> check_wkt("POLYGON ((4.44 51.91, 4.45 51.91, 4.45 51.92, 4.44 51.91))")
4
>>> nesting_depth("GEOMETRYCOLLECTION (MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0))))", "(", ")")
4
"""

from __future__ import annotations

import math
import re
import struct

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from abcd.errors import ImportFileError, ValidationError
from abcd.i18n import Term

# --- whole files -----------------------------------------------------------------------------------
MAX_FILE_BYTES = 50 * 1024 * 1024
"""At most 50 MB (MiB, as Streamlit counts ``server.maxUploadSize``; the two must agree)."""
MAX_ROWS = 20_000
"""Rows (features) per imported asset or investment file; a whole city's assets are a few thousand."""
MAX_LAYER_FEATURES = 200_000
"""Features of an initiative file for the gap map (``abcd gaps --assets``); street files have their own limits."""
MAX_COLUMNS = 500
"""Columns (properties, fields) per file: an asset export has at most 21, a long KoboToolbox form about 100."""
MAX_CELLS = 1_000_000
"""Rows times columns per file (20,000 rows of 50 columns): every cell becomes a Python object."""
MAX_FILE_VERTICES = 1_000_000
"""Vertices of all geometries of a file together: 13 times all of Rotterdam's streets (77,606)."""
MAX_STREET_FEATURES = 2_000_000
"""Lines of an officer's own street file (``abcd gaps --streets``, ``abcd wijken add --streets``, on the
command line only): every walkable street segment of the Netherlands is about 1.5 million."""
MAX_STREET_VERTICES = 20_000_000
"""Vertices of such a street file together: about three times the country's."""
MAX_STREET_CELLS = 40_000_000
"""Rows times columns of such a street file: its 2,000,000 lines with 20 properties each."""

# --- one row or value ------------------------------------------------------------------------------
MAX_ROW_CHARS = 1_000_000
"""Characters of one CSV record: Python's CSV reader builds a whole record before anyone can look at it."""
MAX_JSON_DEPTH = 64
"""Nesting of JSON arrays and objects: a FeatureCollection of multipolygons needs 8; deeper is not a map."""
MAX_GEOMETRY_DEPTH = 16
"""Nesting of a geometry in WKT parentheses (or the same in WKB): real files need at most 4,
``GEOMETRYCOLLECTION (MULTIPOLYGON (((...))))``; GEOS crashed at some 20,000."""
MAX_GEOMETRY_VERTICES = 50_000
"""Vertices of one geometry: 55 times the most detailed CBS wijk boundary shipped (904)."""
MAX_GEOMETRY_PARTS = 10_000
"""Parts and rings of one geometry (a multipolygon of every building of a wijk has a few thousand)."""
MAX_WKT_CHARS = 2_000_000
"""Characters of one WKT text: a geometry at the vertex limit in shapely's full precision (40 per vertex)."""
MAX_ARCHIVE_MEMBERS = 50_000
"""Files in a zip ``abcd`` reads: an ODK Central export with its media, Kobo's attachments, an .xlsx workbook."""
MAX_UNPACKED_BYTES = 4 * MAX_FILE_BYTES
"""What the parts of an .xlsx workbook may unpack to together (its shared texts are read whole)."""

_MIB = 1024 * 1024


def check_size(size: int, *, max_bytes: int = MAX_FILE_BYTES) -> None:
    """Refuse more than ``max_bytes`` before anything is read, in MB as Streamlit counts them (MiB).

    The one size check of every file ``abcd`` reads: imports, uploads,
    investment ledgers and gap-map files.
    """
    if size > max_bytes:
        raise ImportFileError("error.file_too_large", size=f"{size / _MIB:.1f}", max=f"{max_bytes / _MIB:.0f}")


def check_columns(count: int) -> None:
    """Refuse a file with more than :data:`MAX_COLUMNS` columns, before its rows are read."""
    if count > MAX_COLUMNS:
        raise ImportFileError("error.too_many_columns", count=count, max=MAX_COLUMNS)


def check_cells(count: int, maximum: int = MAX_CELLS) -> None:
    """Refuse a file with more than ``maximum`` cells (rows times columns) in all."""
    if count > maximum:
        raise ImportFileError("error.too_many_cells", max=maximum)


def check_file_vertices(count: int, maximum: int = MAX_FILE_VERTICES) -> None:
    """Refuse a file whose geometries hold more than ``maximum`` vertices together."""
    if count > maximum:
        raise ImportFileError("error.file_too_many_vertices", count=count, max=maximum)


def nesting_depth(text: str | bytes, opening: str, closing: str) -> int:
    """How deeply ``opening``/``closing`` characters nest in ``text``, counted at C speed.

    A Python loop over each character of a 48 MB file took 20 s; NumPy's
    cumulative sum over only the brackets takes a fraction of a second.

    >>> nesting_depth("[[1, 2], [[3]]]", "[{", "]}")
    3
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    opens, closes = opening.encode("ascii"), closing.encode("ascii")
    brackets = data.translate(None, bytes(sorted(set(range(256)) - set(opens + closes))))
    if not brackets:
        return 0
    codes = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where(np.isin(codes, np.frombuffer(opens, dtype=np.uint8)), 1, -1)
    return max(int(np.cumsum(steps).max()), 0)


# A vertex in WKT is one run of numbers between two of "(", ")" and ",".
_WKT_VERTEX = re.compile(r"[0-9][^(),]*")


def check_wkt(text: str, *, field: str = "field.area") -> int:
    """The number of vertices of WKT ``text``, after refusing one that is too long, too deep or too large.

    Nothing is parsed: the text is measured (length, parentheses, runs of
    numbers), so what GEOS gets is within every limit. ``field`` is the
    catalogue key of the field, for the message.
    """
    name = Term(field)
    if nesting_depth(text, "(", ")") > MAX_GEOMETRY_DEPTH:
        raise ValidationError("error.geometry_too_deep", field=name, max=MAX_GEOMETRY_DEPTH)
    if len(text) > MAX_WKT_CHARS:
        raise ValidationError("error.too_long", field=name, length=len(text), max=MAX_WKT_CHARS)
    vertices = len(_WKT_VERTEX.findall(text))
    if vertices > MAX_GEOMETRY_VERTICES:
        raise ValidationError("error.geometry_too_many_vertices", field=name, count=vertices, max=MAX_GEOMETRY_VERTICES)
    return vertices


# WKB geometry types (ISO numbering; 1000/2000/3000 add Z/M/ZM, EWKB sets high bits instead).
_WKB_POINTS = frozenset({1})
_WKB_LINES = frozenset({2, 8, 13})  # LineString, CircularString, Curve
_WKB_POLYGONS = frozenset({3, 17})  # Polygon, Triangle: rings of points
_WKB_COLLECTIONS = frozenset({4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16})  # a count, then whole geometries
_EWKB_Z, _EWKB_M, _EWKB_SRID = 0x80000000, 0x40000000, 0x20000000
_WKB_LINE_2D_LE = b"\x01\x02\x00\x00\x00"  # little-endian WKB header of a 2D LineString
_GPKG_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def check_wkb(data: bytes, *, start: int = 0, field: str = "field.geometry") -> int:
    """The number of vertices of the WKB geometry at ``data[start:]``, after refusing one beyond a limit.

    Only the headers and counts are read, never the coordinates, and without
    recursion: a collection nested a million deep costs as little as a point.
    A geometry GEOS could not read (truncated, an unknown type) is refused too.

    >>> check_wkb(shapely.to_wkb(shapely.from_wkt("MULTIPOINT ((4.44 51.91), (4.45 51.92))")))
    2
    """
    name = Term(field)
    position, vertices, parts = start, 0, 0
    pending = [1]  # per nesting level: how many geometries are still to be read there
    try:
        while pending:
            if pending[-1] == 0:
                pending.pop()
                continue
            pending[-1] -= 1
            level = len(pending)
            if level > MAX_GEOMETRY_DEPTH:
                raise ValidationError("error.geometry_too_deep", field=name, max=MAX_GEOMETRY_DEPTH)
            order = "<" if data[position] == 1 else ">" if data[position] == 0 else None
            if order is None:
                raise ValidationError("error.geometry_invalid", field=name, reason=f"WKB byte {position}")
            (code,) = struct.unpack_from(f"{order}I", data, position + 1)
            position += 5 + (4 if code & _EWKB_SRID else 0)
            kind = (code & 0x0FFFFFFF) % 1000
            dimensions = (
                2 + bool(code & _EWKB_Z) + bool(code & _EWKB_M) + (0, 1, 1, 2)[min((code & 0x0FFFFFFF) // 1000, 3)]
            )
            parts += 1
            if kind in _WKB_POINTS:
                x, y = struct.unpack_from(f"{order}dd", data, position)
                vertices += not (math.isnan(x) and math.isnan(y))  # POINT EMPTY is written as NaN, NaN
                position += 8 * dimensions
            elif kind in _WKB_LINES or kind in _WKB_POLYGONS:
                rings = 1
                if kind in _WKB_POLYGONS:
                    (rings,) = struct.unpack_from(f"{order}I", data, position)
                    position += 4
                    if level + 1 > MAX_GEOMETRY_DEPTH:
                        raise ValidationError("error.geometry_too_deep", field=name, max=MAX_GEOMETRY_DEPTH)
                for _ in range(rings):
                    (count,) = struct.unpack_from(f"{order}I", data, position)
                    position += 4 + 8 * dimensions * count
                    vertices += count
                    parts += kind in _WKB_POLYGONS
                    if position > len(data):
                        raise struct.error("truncated")
                    _check_parts(parts, name)
            elif kind in _WKB_COLLECTIONS:
                (count,) = struct.unpack_from(f"{order}I", data, position)
                position += 4
                pending.append(count)
            else:
                raise ValidationError("error.geometry_invalid", field=name, reason=f"WKB type {code}")
            if position > len(data):
                raise struct.error("truncated")
            _check_parts(parts, name)
    except (struct.error, IndexError):
        raise ValidationError("error.geometry_invalid", field=name, reason="WKB") from None
    if vertices > MAX_GEOMETRY_VERTICES:
        raise ValidationError("error.geometry_too_many_vertices", field=name, count=vertices, max=MAX_GEOMETRY_VERTICES)
    return vertices


def _check_parts(parts: int, name: Term) -> None:
    if parts > MAX_GEOMETRY_PARTS:
        raise ValidationError("error.geometry_too_many_parts", field=name, max=MAX_GEOMETRY_PARTS)


def check_gpkg_geometry(blob: bytes, *, field: str = "field.geometry") -> int:
    """:func:`check_wkb` for a GeoPackage geometry blob: its ``GP`` header and envelope first."""
    if len(blob) < 8 or blob[:2] != b"GP" or (blob[3] >> 1) & 0x07 not in _GPKG_ENVELOPE_BYTES:
        raise ValidationError("error.geometry_invalid", field=Term(field), reason="GeoPackage")
    start = 8 + _GPKG_ENVELOPE_BYTES[(blob[3] >> 1) & 0x07]
    if blob[start : start + 5] == _WKB_LINE_2D_LE:  # the usual street: counted without the general walk
        count = int.from_bytes(blob[start + 5 : start + 9], "little")
        if count <= MAX_GEOMETRY_VERTICES and len(blob) >= start + 9 + 16 * count:
            return count
    return check_wkb(blob, start=start, field=field)


def check_geometry(geometry: BaseGeometry | None, *, field: str = "field.geometry") -> int:
    """The number of vertices of a geometry already read (by GDAL), after refusing one beyond a limit.

    Simple geometries are counted by shapely; collections, the only ones that
    can nest, are measured on their WKB by :func:`check_wkb`.
    """
    if geometry is None:
        return 0
    if shapely.get_type_id(geometry) in (4, 5, 6, 7):
        return check_wkb(shapely.to_wkb(geometry), field=field)
    vertices = int(shapely.get_num_coordinates(geometry))
    if vertices > MAX_GEOMETRY_VERTICES:
        raise ValidationError(
            "error.geometry_too_many_vertices", field=Term(field), count=vertices, max=MAX_GEOMETRY_VERTICES
        )
    _check_parts(int(shapely.get_num_interior_rings(geometry)) + 1, Term(field))  # holes of a polygon
    return vertices
