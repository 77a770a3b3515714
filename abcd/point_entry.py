"""Where a new asset goes when nobody taps the map: a street of the wijk, or typed coordinates.

The keyboard and screen-reader route of the Toevoegen page (WCAG 2.1.1). A
point from here is what a tap on the map gives, (lon, lat) in WGS84 rounded to
six decimals (:mod:`abcd.maps.clicks`), and the same form follows. An address
cannot be looked up: that needs a geocoder, which ``abcd`` does not have
without internet.

Everything here is pure: a street frame and a boundary, or a text, in; a point out.
"""

from __future__ import annotations

import re
from typing import Any, Final

import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from abcd.errors import ValidationError
from abcd.places import from_rd, rd_geometry

# The Netherlands with a margin: degrees (WGS84) and RD New metres. The two ranges of
# degrees do not overlap, so "51.91, 4.44" and "4.44, 51.91" are the same place.
_LAT: Final = (50.5, 53.8)
_LON: Final = (3.0, 7.5)
_RD_X: Final = (-7_000.0, 300_000.0)
_RD_Y: Final = (289_000.0, 629_000.0)
_NUMBER: Final = re.compile(r"[-+]?\d+(?:\.\d+)?")
_DIGITS: Final = 6  # about 0.1 m, like a tap on the map


def street_names(streets: Any, *, name_column: str = "name") -> list[str]:
    """The named streets of a frame of street segments, each once, in alphabetical order.

    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> frame = gpd.GeoDataFrame({"name": ["Lage Erf", None, "Dijk", "Lage Erf"]},
    ...     geometry=[LineString([(0, 0), (1, 1)])] * 4)
    >>> street_names(frame)
    ['Dijk', 'Lage Erf']
    """
    if streets is None or name_column not in streets.columns:
        return []
    names = {str(n).strip() for n in streets[name_column] if isinstance(n, str) and n.strip()}
    return sorted(names, key=lambda n: (n.casefold(), n))


def street_point(
    streets: Any, name: str, *, boundary: BaseGeometry | None = None, name_column: str = "name"
) -> tuple[float, float]:
    """The (lon, lat) in the middle of the street ``name``: halfway along its segments inside ``boundary``.

    ``streets`` holds segments in WGS84 (a store's :meth:`~abcd.store.Store.streets`).
    A street in one piece gets the point halfway along its length; a street in
    several pieces (a square, a street cut by the wijk's border) the point of
    the street nearest to the middle of its pieces. Raises
    :class:`~abcd.errors.ValidationError` when the wijk has no street called ``name``.
    """
    wanted = name.strip()
    if streets is None or name_column not in streets.columns or not wanted:
        raise ValidationError("point.unknown_street", name=wanted)
    chosen = streets[streets[name_column].astype("string").str.strip() == wanted]
    lines = [g for g in chosen.geometry if g is not None and not g.is_empty]
    if not lines:
        raise ValidationError("point.unknown_street", name=wanted)
    street = rd_geometry(shapely.union_all(lines))  # metres: "halfway" is a length
    if boundary is not None and not boundary.is_empty:
        inside = street.intersection(rd_geometry(boundary))
        inside = shapely.union_all([p for p in shapely.get_parts(inside) if p.length > 0])
        if not inside.is_empty:
            street = inside
    merged = shapely.line_merge(street) if street.geom_type == "MultiLineString" else street
    if isinstance(merged, LineString):
        middle = merged.interpolate(0.5, normalized=True)
    else:
        middle = nearest_points(merged, merged.centroid)[0]
    return _rounded(*from_rd().transform(middle.x, middle.y))


def parse_point(text: str) -> tuple[float, float]:
    """The (lon, lat) of typed coordinates: degrees in either order, or RD New x and y in metres.

    Accepts what people copy from a map site or type: ``51.9105, 4.4445``,
    ``4.4445 51.9105``, Dutch decimal commas (``51,9105; 4,4445``), labels
    (``N 51.9105 E 4.4445``) and RD New (``x 90100 y 436300``). Raises
    :class:`~abcd.errors.ValidationError` for anything else, or for a place
    outside the Netherlands.

    >>> parse_point("51.9105, 4.4445")
    (4.4445, 51.9105)
    >>> parse_point("4,4445; 51,9105")
    (4.4445, 51.9105)
    >>> parse_point("x 90100 y 436300")
    (4.443975, 51.911406)
    """
    numbers = _two_numbers(text)
    if numbers is None:
        raise ValidationError("point.unreadable", text=text.strip()[:80])
    a, b = numbers
    for lat, lon in ((a, b), (b, a)):
        if _LAT[0] <= lat <= _LAT[1] and _LON[0] <= lon <= _LON[1]:
            return _rounded(lon, lat)
    for x, y in ((a, b), (b, a)):
        if _RD_X[0] <= x <= _RD_X[1] and _RD_Y[0] <= y <= _RD_Y[1]:
            return _rounded(*from_rd().transform(x, y))
    raise ValidationError("point.outside_netherlands", text=text.strip()[:80])


def _two_numbers(text: str) -> tuple[float, float] | None:
    """Two numbers from ``text``, with a decimal point or a Dutch decimal comma; ``None`` if not exactly two."""
    plain = re.sub(r"(?i)\b(rd|x|y|n|e|lat|lon|lng|latitude|longitude)\b|[=:°]", " ", text)
    parts = [p for p in re.split(r"\s*;\s*|,\s+|\s+", plain.strip()) if p]
    if len(parts) == 1 and parts[0].count(",") == 1:
        parts = parts[0].split(",")  # "51.91,4.44" or "92500,436500"
    if len(parts) != 2:
        return None
    values = []
    for part in parts:
        number = part.replace(",", ".") if part.count(",") == 1 and "." not in part else part
        if not _NUMBER.fullmatch(number):
            return None
        values.append(float(number))
    return values[0], values[1]


def _rounded(lon: float, lat: float) -> tuple[float, float]:
    return round(float(lon), _DIGITS), round(float(lat), _DIGITS)


__all__ = ["parse_point", "street_names", "street_point"]
