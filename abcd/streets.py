"""Street networks a pedestrian can use: street files in, walkable lines out.

Three steps, each one function, none of them touching the database:

:func:`read_street_file`
    Lines from GeoJSON, GeoPackage, a shapefile or an OpenStreetMap extract
    (``.osm``, ``.osm.pbf``), in any CRS, as a frame with ``name``, ``highway``
    and ``osm_id`` (empty where the file does not know them).
:func:`walkable`
    The lines a pedestrian may use, by their OSM tags (the rules are below).
:func:`walking_network`
    A named street network (the OSMnx *drive* network Rotterdam ships with)
    joined with a footpath layer without names, so that walking distances can
    use both. How they are joined is described there.

What counts as walkable
-----------------------
The ``highway`` value decides first; ``foot``, ``access`` and ``motorroad``
(columns, or pairs in an OSM ``other_tags`` column) can only take away, except
that explicit foot access opens a cycle path or bridleway.

- **Never**: ``motorway``, ``motorway_link``, ``trunk``, ``trunk_link``
  (in the Netherlands nearly always an *autoweg*), ``busway`` and
  ``bus_guideway`` (bus lanes), ``raceway``, ``escape``, and roads that are
  ``construction``, ``proposed``, ``planned``, ``abandoned``, ``disused`` or
  ``razed``; also any line tagged ``motorroad=yes`` (an *autoweg*: the
  traffic rules forbid pedestrians). A merged OSMnx value such as
  ``primary;trunk`` is refused when any part is.
- **With explicit foot access only**: ``cycleway`` and ``bridleway``. A Dutch
  *fietspad* is tagged ``highway=cycleway`` and, unless ``foot`` says
  otherwise, has a footway or sidewalk beside it; the traffic rules (RVV 1990
  art. 4) let pedestrians use it only where there is no sidewalk. Counting it
  would let a walk take a short cut residents do not take, so it needs
  ``foot=yes``, ``designated``, ``permissive``, ``destination`` or
  ``official``. Shared paths (*fiets-/voetpad*) are usually ``highway=path``
  and walkable.
- **Walkable**: ``footway``, ``path``, ``pedestrian``, ``steps``,
  ``living_street`` (*woonerf*), ``residential``, ``service``, ``track``,
  ``unclassified``, ``road``, ``corridor``, ``elevator`` and ``tertiary``,
  ``secondary``, ``primary`` and their links: in Dutch towns these have
  sidewalks (mapped on the street line, not as lines of their own), and where
  they have none the rules let a pedestrian walk on the verge or the road.
- **Not walkable after all** when ``foot`` is ``no``, ``private`` or
  ``use_sidepath`` (the sidepath is a line of its own), or ``access`` is
  ``no`` or ``private`` without explicit foot access.
- A line without any ``highway`` value (a layer without road classes) is
  kept: nothing is known against it. A ``highway`` value not named above
  (``platform``, ``services``, typing errors) is not walkable.

A frame without ``highway`` but with ``road_class`` (the shipped Delfshaven
footpath file) is judged by ``road_class``; its classes are ``highway`` values.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyogrio
import shapely

from abcd import io, limits  # the checks shared by every file abcd reads
from abcd._cells import cell_text
from abcd.errors import ImportFileError, ValidationError
from abcd.model import RD_NEW, WGS84

STREET_FORMATS: Final = (".geojson", ".json", ".gpkg", ".shp", ".osm", ".osm.pbf")
"""File types :func:`read_street_file` reads (a shapefile with its ``.dbf``/``.shx``/``.prj`` beside it)."""
MAX_STREET_FILE_BYTES: Final = 512 * 1024 * 1024
"""Largest street file read by default: a province's OSM extract fits, a country's does not."""
STREET_COLUMNS: Final = ("name", "highway", "osm_id")
"""Columns every frame of :func:`read_street_file` has (empty where unknown)."""

NEVER_WALKABLE: Final = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "busway",
        "bus_guideway",
        "raceway",
        "escape",
        "construction",
        "proposed",
        "planned",
        "abandoned",
        "disused",
        "razed",
    }
)
"""``highway`` values a pedestrian may never use, whatever the other tags say."""
FOOT_ACCESS_ONLY: Final = frozenset({"cycleway", "bridleway"})
"""``highway`` values that are walkable only with explicit foot access."""
WALKABLE: Final = frozenset(
    {
        "footway",
        "path",
        "pedestrian",
        "steps",
        "living_street",
        "residential",
        "service",
        "track",
        "unclassified",
        "road",
        "corridor",
        "elevator",
        "tertiary",
        "tertiary_link",
        "secondary",
        "secondary_link",
        "primary",
        "primary_link",
    }
)
"""``highway`` values a pedestrian may use unless ``foot`` or ``access`` says otherwise."""
FOOT_ALLOWED: Final = frozenset({"yes", "designated", "permissive", "destination", "official"})
FOOT_DENIED: Final = frozenset({"no", "private", "use_sidepath"})
ACCESS_DENIED: Final = frozenset({"no", "private"})

DEFAULT_SNAP_M: Final = 5.0
"""A footpath end this close to another line is joined to it (see :func:`walking_network`)."""
DEFAULT_DUPLICATE_M: Final = 3.0
"""A footpath stretch this close to a named street is taken to be that street."""
MAX_SNAP_M: Final = 25.0

_OSM_SUFFIXES: Final = (".osm", ".osm.pbf")
_LINE_TYPES: Final = ("LineString", "MultiLineString")
_DUPLICATE_SHARE: Final = 0.9  # a bridge or tunnel path this much inside a street's corridor is that street
ORIGIN_STREETS: Final = "streets"
"""``origin`` of a piece of the named street network in :func:`walking_network`."""
ORIGIN_PATHS: Final = "paths"
"""``origin`` of a footpath in :func:`walking_network`: walked on, not a street of the wijk."""
_SAME_POINT_M: Final = 1e-6  # a join this close to a vertex uses the vertex


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def read_street_file(
    path: str | Path, *, crs: str | None = WGS84, max_bytes: int = MAX_STREET_FILE_BYTES
) -> gpd.GeoDataFrame:
    """Read the street lines of a GeoJSON, GeoPackage, shapefile or OpenStreetMap file.

    An OpenStreetMap extract (``.osm`` or ``.osm.pbf``) is read through GDAL's
    OSM driver, layer ``lines``; only ways with a ``highway`` tag are kept
    (rivers and power lines are lines too), and tags beyond the common ones
    stay in ``other_tags`` as ``"key"=>"value"`` pairs, where :func:`walkable`
    finds ``foot``, ``access`` and ``motorroad``. A GeoPackage is read from its
    first line layer. Rows without a geometry are dropped; any geometry other
    than a (multi)line is refused.

    Parameters
    ----------
    path
        The file. ``.geojson``, ``.json``, ``.gpkg``, ``.shp``, ``.osm`` or ``.osm.pbf``.
    crs
        CRS of the result, WGS84 by default; ``None`` keeps the file's own (so
        a file in RD New needs no round trip when it is analysed in RD New).
    max_bytes
        Larger files are refused before they are read.

    Returns
    -------
    geopandas.GeoDataFrame
        Every column of the file, plus ``name``, ``highway`` and ``osm_id``
        where the file lacks them (empty; ``highway`` is taken from
        ``road_class`` when the file has that instead), on a fresh index.

    Raises
    ------
    ImportFileError
        For an unknown file type, a missing, empty, too large or unreadable
        file, a file without CRS whose coordinates are not degrees, or
        geometries that are not lines.
    """
    path = Path(path)
    kind = _street_format(path)
    io.check_file(path, max_bytes=max_bytes)
    layer = None
    if kind in _OSM_SUFFIXES:
        layer = "lines"
    elif kind == ".gpkg":  # no views that unfold, no blobs nested beyond GDAL's reach
        layer = io.gpkg_layer(
            path,
            limits.MAX_STREET_FEATURES,
            max_cells=limits.MAX_STREET_CELLS,
            max_vertices=limits.MAX_STREET_VERTICES,
            lines=True,
        )
    elif kind in (".geojson", ".json"):  # no nesting deep enough to exhaust a parser's stack
        io.check_json_depth(path)
    try:
        frame = pyogrio.read_dataframe(path, layer=layer, use_arrow=True, max_features=limits.MAX_STREET_FEATURES + 1)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise ImportFileError("error.file_unreadable", path=path.name, reason=str(exc).splitlines()[0]) from None
    if not isinstance(frame, gpd.GeoDataFrame):
        raise ImportFileError("error.geometry_type", field="geometry", expected="LineString", value="-")
    if len(frame) > limits.MAX_STREET_FEATURES:
        raise ImportFileError(
            "error.too_many_rows", count=f"{limits.MAX_STREET_FEATURES}+", max=limits.MAX_STREET_FEATURES
        )
    if kind in _OSM_SUFFIXES:
        frame = frame[frame["highway"].notna().to_numpy()]
    geoms = np.asarray(frame.geometry.values)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.all():
        frame = frame[present]
    kinds = set(frame.geometry.geom_type.unique()) if len(frame) else set()
    if not kinds <= set(_LINE_TYPES):
        raise ImportFileError(
            "error.geometry_type", field="geometry", expected="LineString", value=", ".join(sorted(kinds))
        )
    _check_vertices(frame)
    frame = _with_crs(frame).reset_index(drop=True)
    if "highway" not in frame.columns and "road_class" in frame.columns:
        frame["highway"] = frame["road_class"]
    for column in STREET_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    if crs is not None and not frame.crs.equals(crs):
        frame = frame.to_crs(crs)
    return frame


def read_walkable(path: str | Path, *, crs: str | None = WGS84) -> tuple[gpd.GeoDataFrame, int]:
    """The lines of a street file a pedestrian may use, cut at junctions, and how many lines were not walkable.

    :func:`read_street_file`, then :func:`walkable`, then
    :func:`split_at_junctions`: an OSM way that a side street joins halfway
    becomes two segments, so a walk can turn there. ``crs`` as for
    :func:`read_street_file`. ``abcd gaps --streets`` and ``abcd wijken add
    --streets`` both read their street files through here.
    """
    frame = read_street_file(path, crs=crs)
    walk = walkable(frame)
    return split_at_junctions(walk), len(frame) - len(walk)


def _street_format(path: Path) -> str:
    name = path.name.lower()
    for suffix in sorted(STREET_FORMATS, key=len, reverse=True):  # ".osm.pbf" before ".osm"
        if name.endswith(suffix):
            return suffix
    raise ImportFileError("error.file_format", suffix=path.suffix or path.name, allowed=", ".join(STREET_FORMATS))


def _check_vertices(frame: gpd.GeoDataFrame) -> None:
    """Refuse a line beyond :data:`~abcd.limits.MAX_GEOMETRY_VERTICES` (an OSM way has at most 2,000 nodes).

    The lines are (multi)lines here, which cannot nest, so counting is enough
    and is done for all of them at once.
    """
    counts = shapely.get_num_coordinates(np.asarray(frame.geometry.values))
    if len(counts) and int(counts.max()) > limits.MAX_GEOMETRY_VERTICES:
        worst = int(np.argmax(counts))
        try:
            limits.check_geometry(frame.geometry.iloc[worst])  # the one message for a geometry too large
        except ValidationError as exc:
            raise ImportFileError("error.row", row=worst + 1, message=exc) from exc
    limits.check_file_vertices(int(counts.sum()), limits.MAX_STREET_VERTICES)


def _with_crs(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame with a CRS: degrees without one are WGS84; other coordinates without one are refused."""
    if frame.crs is not None:
        if frame.crs.is_geographic and len(frame) and not _look_like_degrees(frame):
            raise ImportFileError("error.no_crs")  # e.g. RD metres in a GeoJSON that claims to be WGS84
        return frame
    if len(frame) and not _look_like_degrees(frame):
        raise ImportFileError("error.no_crs")
    return frame.set_crs(WGS84)


def _look_like_degrees(frame: gpd.GeoDataFrame) -> bool:
    minx, miny, maxx, maxy = frame.total_bounds
    return bool(-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90)


# --------------------------------------------------------------------------
# Walkable
# --------------------------------------------------------------------------


def walkable(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Keep the lines a pedestrian may use; the rules are in the module's docstring.

    Parameters
    ----------
    frame
        Street lines with a ``highway`` (or ``road_class``) column and,
        optionally, ``foot``, ``access`` and ``motorroad`` columns or an OSM
        ``other_tags`` column. A frame without road classes is returned whole.

    Returns
    -------
    geopandas.GeoDataFrame
        The walkable rows, index, columns and CRS unchanged.

    Examples
    --------
    >>> from shapely import LineString
    >>> line = LineString([(0, 0), (1, 0)])
    >>> frame = gpd.GeoDataFrame(
    ...     {
    ...         "highway": ["footway", "trunk", "cycleway", "cycleway", "residential;busway", "service"],
    ...         "foot": [None, None, None, "designated", None, None],
    ...         "other_tags": [None, None, None, None, None, '"access"=>"private"'],
    ...     },
    ...     geometry=[line] * 6,
    ...     crs=28992,
    ... )
    >>> walkable(frame).index.tolist()
    [0, 3]
    """
    return frame[_walkable_mask(frame)]


def _walkable_mask(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    column = "highway" if "highway" in frame.columns else "road_class" if "road_class" in frame.columns else None
    road = _per_value(frame, column, _road_verdict)
    foot = _per_value(frame, "foot", _first_value)
    access = _per_value(frame, "access", _first_value)
    motorroad = _per_value(frame, "motorroad", _first_value)
    foot_allowed = np.isin(foot, list(FOOT_ALLOWED))
    denied = np.isin(foot, list(FOOT_DENIED)) | (np.isin(access, list(ACCESS_DENIED)) & ~foot_allowed)
    never = (road == "never") | (motorroad == "yes")
    return np.asarray(~never & ~denied & ((road == "walk") | ((road == "foot") & foot_allowed)), dtype=bool)


def _road_verdict(value: str) -> str:
    """``walk``, ``foot`` (only with foot access), ``never`` or ``no`` for a (merged) highway value."""
    parts = [p.strip() for p in value.split(";") if p.strip()]
    if not parts:
        return "walk"  # no class known: nothing against it
    if any(p in NEVER_WALKABLE for p in parts):
        return "never"
    if any(p in WALKABLE for p in parts):
        return "walk"
    if any(p in FOOT_ACCESS_ONLY for p in parts):
        return "foot"
    return "no"


def _first_value(value: str) -> str:
    """The first of ``a;b`` values (OSM's multi-value separator), lower case."""
    return value.split(";")[0].strip()


def _per_value(frame: pd.DataFrame, key: str | None, verdict: Callable[[str], str]) -> npt.NDArray[np.object_]:
    """``verdict`` of the tag ``key`` per row, decided once per distinct value (a million rows hold a few dozen)."""
    values = _tag(frame, key) if key is not None else None
    if values is None:
        return np.full(len(frame), verdict(""), dtype=object)
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells: OSMnx lists
        codes, uniques = pd.factorize(values.map(_normalised, na_action="ignore"), use_na_sentinel=True)
    answers = np.array([verdict(str(_normalised(u))) for u in uniques] + [verdict("")], dtype=object)
    return np.asarray(answers[codes], dtype=object)  # code -1 (missing) takes the last answer


def _normalised(value: object) -> Hashable:
    """A tag value as lower-case text; lists (OSMnx) joined with ``;``; booleans as yes/no."""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | np.ndarray):
        return ";".join(cell_text(v).lower() for v in value)
    return cell_text(value).lower()


def _tag(frame: pd.DataFrame, key: str) -> pd.Series | None:
    """The tag ``key`` per row: its column, else parsed from OSM ``other_tags``; ``None`` when neither has it."""
    if key in frame.columns:
        return frame[key]
    if "other_tags" in frame.columns:
        pattern = rf'(?:^|,)"{re.escape(key)}"=>"((?:[^"\\]|\\.)*)"'
        return frame["other_tags"].astype("string").str.extract(pattern, expand=False)
    return None


# --------------------------------------------------------------------------
# Junctions
# --------------------------------------------------------------------------


def split_at_junctions(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The lines cut wherever they share a vertex with another line; every column kept on each piece.

    OpenStreetMap ways meet at shared nodes anywhere along them, not only at
    their ends (a side street joins the middle of a long way), while the
    walking graph of :func:`abcd.gaps.street_coverage` joins lines at their
    ends only. Cutting at shared vertices makes each junction an end. A file
    that is already split at junctions (OSMnx, most GIS layers) comes back
    unchanged; multi-lines come back as their parts.

    >>> from shapely import LineString
    >>> ways = gpd.GeoDataFrame(
    ...     {"name": ["Lang", "Zij"]},
    ...     geometry=[LineString([(0, 0), (5, 0), (10, 0)]), LineString([(5, 0), (5, 5)])],
    ... )
    >>> [(r.name, len(r.geometry.coords)) for r in split_at_junctions(ways).itertuples()]
    [('Lang', 2), ('Lang', 2), ('Zij', 2)]
    """
    lines = frame.explode(index_parts=False) if (shapely.get_type_id(frame.geometry.values) != 1).any() else frame
    lines = lines.reset_index(drop=True)
    coords, line = shapely.get_coordinates(np.asarray(lines.geometry.values), return_index=True)
    if not len(coords):
        return lines
    first = np.r_[True, line[1:] != line[:-1]]
    last = np.r_[line[1:] != line[:-1], True]
    vertices = pd.DataFrame({"x": coords[:, 0], "y": coords[:, 1], "line": line})
    lines_at = vertices.groupby(["x", "y"], sort=False)["line"].transform("nunique").to_numpy()
    cut = (lines_at > 1) & ~first & ~last
    if not cut.any():
        return lines
    copies = np.where(cut, 2, 1)  # a cut vertex ends one piece and starts the next
    starts = np.repeat(first, copies)
    starts[(np.cumsum(copies) - 1)[cut]] = True
    piece = np.cumsum(starts) - 1
    geometry = shapely.linestrings(np.repeat(coords, copies, axis=0), indices=piece)
    out = lines.iloc[np.repeat(line, copies)[starts]].reset_index(drop=True)
    out[lines.geometry.name] = gpd.GeoSeries(geometry, crs=lines.crs)
    return out


# --------------------------------------------------------------------------
# Joining a named network with footpaths
# --------------------------------------------------------------------------


def walking_network(
    named: gpd.GeoDataFrame,
    footpaths: gpd.GeoDataFrame,
    *,
    snap_m: float = DEFAULT_SNAP_M,
    duplicate_m: float = DEFAULT_DUPLICATE_M,
) -> gpd.GeoDataFrame:
    """Join a named street network and a footpath layer into one network to walk on.

    The named network (OSMnx's drive network: streets between junctions, with
    names) and a footpath layer (footways, paths, pedestrian streets, service
    roads, but also the streets again, without names) come from different
    OSM downloads and share no vertices. They are joined in RD New, in four
    steps:

    1. Both are filtered with :func:`walkable`.
    2. **Duplicates go.** Where a footpath runs within ``duplicate_m`` of a
       named street it *is* that street (the same OSM way, or a sidewalk drawn
       on it): that stretch is cut out, and what remains of the footpath ends
       at the edge of the street's corridor (flat at the street's ends); a
       leftover shorter than ``duplicate_m`` goes. A path that only crosses a
       street loses the few metres across it and is joined to it on both
       sides (a crossing). Bridges and tunnels in the footpath layer are never
       cut, because they cross without meeting; one that lies almost wholly
       (90%) in a corridor is a duplicate of that street and goes.
    3. **Shared vertices are junctions.** Lines are split where they share an
       exact vertex (OSM junctions inside a footpath way).
    4. **Loose ends are joined.** A footpath end that meets no other line
       (a "dangle") is joined to the nearest line within ``snap_m``: that
       line is split at its nearest point, and the footpath is extended by a
       straight stretch to exactly that point. A dead end of the named
       network is joined the same way, but only to a footpath (the named
       network is trusted to be connected as it is; its lines keep their
       course and only gain that stretch). Ends are taken nearest first, so
       two loose ends close together meet once.

    Every junction is then an exactly shared coordinate, so
    :func:`abcd.gaps.street_coverage` in network mode walks across it and
    no walk jumps a gap; because every walk follows lines, it is never
    shorter than the straight line. Names, ``highway`` and ``osm_id`` of the
    named network are kept on every piece of a split street.

    Parameters
    ----------
    named
        The named street network (lines, any CRS), e.g.
        ``data/wijken/rotterdam_streets_osm.geojson`` cut to the area.
    footpaths
        Lines without names, e.g. ``data/wijken/delfshaven_roads_osm_unnamed.geojson``;
        ``bridge``/``tunnel`` columns (or OSM tags) mark crossings that do not meet.
    snap_m
        How far a loose end is joined to a line. At least ``duplicate_m``.
    duplicate_m
        How close to a named street a footpath is that street.

    Returns
    -------
    geopandas.GeoDataFrame
        WGS84 lines with ``name``, ``highway``, ``osm_id`` and ``origin``
        (``"streets"`` for pieces of the named network, ``"paths"`` for the
        footpaths), named streets first, on a fresh index.

    Raises
    ------
    ValueError
        When ``duplicate_m`` is not positive or ``snap_m`` is below it or above 25 m.
    """
    if not (math.isfinite(duplicate_m) and duplicate_m > 0 and duplicate_m <= snap_m <= MAX_SNAP_M):
        msg = f"need 0 < duplicate_m <= snap_m <= {MAX_SNAP_M}, got duplicate_m={duplicate_m!r}, snap_m={snap_m!r}"
        raise ValueError(msg)
    streets = _single_lines(walkable(named))
    paths = _single_lines(walkable(footpaths))
    paths = _without_duplicates(paths, np.asarray(streets.geometry.values), duplicate_m)

    coords = [*_coordinate_lists(streets), *_coordinate_lists(paths)]
    is_path = np.r_[np.zeros(len(streets), dtype=bool), np.ones(len(paths), dtype=bool)]
    pieces, owner = _Noder(coords, is_path, snap_m).pieces()

    attributes = pd.concat(
        [
            _street_attributes(streets).assign(origin=ORIGIN_STREETS),
            _street_attributes(paths).assign(name=None, osm_id=None, origin=ORIGIN_PATHS),
        ],
        ignore_index=True,
    )
    out = attributes.iloc[owner].reset_index(drop=True)
    geometry = gpd.GeoSeries(shapely.linestrings(pieces[0], indices=pieces[1]), crs=RD_NEW).to_crs(WGS84)
    return gpd.GeoDataFrame(out, geometry=geometry.values, crs=WGS84)


def _single_lines(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame in RD New, multi-lines split into their parts, empty parts dropped, fresh index."""
    if frame.crs is None:
        raise ValueError("street lines need a CRS (EPSG:4326 or EPSG:28992)")
    out = frame.to_crs(RD_NEW).explode(index_parts=False).reset_index(drop=True)
    geoms = np.asarray(out.geometry.values)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    keep &= shapely.get_type_id(geoms) == 1
    return out[keep].reset_index(drop=True)


def _street_attributes(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """``name``, ``highway`` and ``osm_id`` as text (or None), whatever the source columns were."""
    highway = "highway" if "highway" in frame.columns else "road_class"
    out = {}
    for column, source in (("name", "name"), ("highway", highway), ("osm_id", "osm_id")):
        values = frame[source].to_numpy(dtype=object) if source in frame.columns else [None] * len(frame)
        out[column] = [cell_text(v) or None for v in values]
    return pd.DataFrame(out)


def _is_set(values: pd.Series | None, n: int) -> npt.NDArray[np.bool_]:
    """A yes/no tag such as ``bridge``: set unless missing, empty, ``no`` or false."""
    if values is None:
        return np.zeros(n, dtype=bool)
    return np.asarray([_normalised(v) not in ("", "no", "false", "0") for v in values.to_numpy(dtype=object)])


def _without_duplicates(paths: gpd.GeoDataFrame, streets: npt.NDArray[np.object_], width: float) -> gpd.GeoDataFrame:
    """Footpaths with the stretches along named streets cut out (see :func:`walking_network`, step 2)."""
    geoms = np.asarray(paths.geometry.values)
    if geoms.size == 0 or streets.size == 0:
        return paths
    crossing = _is_set(_tag(paths, "bridge"), len(paths)) | _is_set(_tag(paths, "tunnel"), len(paths))
    near_path, near_street = shapely.STRtree(streets).query(geoms, predicate="dwithin", distance=width)
    touched = np.unique(near_path)
    corridors = np.empty(geoms.size, dtype=object)
    # Flat caps: a path passing just beyond a street's dead end is not cut, the street's end joins it.
    buffers = shapely.buffer(streets, width, quad_segs=4, cap_style="flat")
    order = np.argsort(near_path, kind="stable")
    groups = np.split(near_street[order], np.flatnonzero(np.diff(near_path[order])) + 1)
    corridors[touched] = [shapely.union_all(buffers[g]) for g in groups]

    new_geoms = geoms.copy()
    level = touched[~crossing[touched]]
    new_geoms[level] = shapely.difference(geoms[level], corridors[level])
    lifted = touched[crossing[touched]]
    inside = shapely.length(shapely.intersection(geoms[lifted], corridors[lifted]))
    duplicate = inside >= _DUPLICATE_SHARE * shapely.length(geoms[lifted])
    new_geoms[lifted[duplicate]] = None

    cut = np.zeros(geoms.size, dtype=bool)
    cut[level] = True
    out = paths.set_geometry(gpd.GeoSeries(new_geoms, crs=paths.crs, index=paths.index)).assign(_cut=cut)
    out = out[~shapely.is_missing(new_geoms)].explode(index_parts=False).reset_index(drop=True)
    parts = np.asarray(out.geometry.values)
    # What sticks out of a corridor by less than its width is the street's own end, not a path.
    short = out["_cut"].to_numpy(dtype=bool) & (shapely.length(parts) < width)
    keep = (shapely.get_type_id(parts) == 1) & ~short
    return out[keep].drop(columns="_cut").reset_index(drop=True)


def _coordinate_lists(frame: gpd.GeoDataFrame) -> list[npt.NDArray[np.float64]]:
    coords, owner = shapely.get_coordinates(np.asarray(frame.geometry.values), return_index=True)
    return np.split(coords, np.flatnonzero(np.diff(owner)) + 1) if coords.size else []


Point = tuple[float, float]


class _Noder:
    """Steps 3 and 4 of :func:`walking_network` on lists of RD coordinates.

    The lines are edited in place: a point is inserted where another line
    joins (and recorded as a cut), a footpath's loose end is extended to the
    point it joins. :meth:`pieces` then cuts every line at its cuts.
    ``touch[p]`` counts the lines that pass through or end at ``p``; an end
    with ``touch == 1`` is loose.
    """

    def __init__(self, coords: list[npt.NDArray[np.float64]], is_path: npt.NDArray[np.bool_], snap_m: float) -> None:
        self.coords = [c.copy() for c in coords]
        self.is_path = is_path
        self.snap_m = snap_m
        self.cuts: list[set[Point]] = [set() for _ in coords]
        self.touch: defaultdict[Point, int] = defaultdict(int)
        for line in self.coords:
            for p in set(map(tuple, line.tolist())):
                self.touch[p] += 1
        self._cut_shared_vertices()
        self._join_loose_ends()

    def _cut_shared_vertices(self) -> None:
        for k, line in enumerate(self.coords):
            for p in map(tuple, line[1:-1].tolist()):
                if self.touch[p] > 1:
                    self.cuts[k].add(p)

    def _loose_ends(self) -> list[tuple[int, int]]:
        """(line, side) of loose ends: side 0 is the first coordinate, -1 the last."""
        ends = []
        for k, line in enumerate(self.coords):
            if len(line) < 2:
                continue
            for side in (0, -1):
                if self.touch[tuple(line[side].tolist())] == 1:
                    ends.append((k, side))
        return ends

    def _join_loose_ends(self) -> None:
        ends = self._loose_ends()
        if not ends:
            return
        sizes = [len(c) for c in self.coords]
        geoms = shapely.linestrings(np.concatenate(self.coords), indices=np.repeat(np.arange(len(sizes)), sizes))
        points = shapely.points([self.coords[k][side] for k, side in ends])
        # Candidates on the lines as they were: an extension moves an end at most snap_m.
        which, line = shapely.STRtree(geoms).query(points, predicate="dwithin", distance=2 * self.snap_m)
        own = np.array([k for k, _ in ends], dtype=np.int64)[which]
        useful = (line != own) & (self.is_path[own] | self.is_path[line])  # a street's end joins footpaths only
        which, line = which[useful], line[useful]
        best = np.full(len(ends), np.inf)
        np.minimum.at(best, which, shapely.distance(points[which], geoms[line]))
        candidates: defaultdict[int, list[int]] = defaultdict(list)
        for w, c in zip(which.tolist(), line.tolist(), strict=True):
            candidates[w].append(c)
        for w in sorted(candidates, key=lambda w: (best[w], ends[w])):
            self._join(*ends[w], sorted(candidates[w]))

    def _join(self, k: int, side: int, candidates: list[int]) -> None:
        """Extend the loose end ``side`` of line ``k`` to the nearest candidate, which is cut there."""
        end = tuple(self.coords[k][side].tolist())
        if self.touch[end] != 1:
            return  # an earlier join already reached this end
        found = self._nearest(np.array(end), candidates)
        if found is None:
            return
        target, seg, point = found
        self._insert(target, seg, point)
        if point != end:
            self.touch[end] -= 1
            self.touch[point] += 1
            line, extra = self.coords[k], np.array([point])
            self.coords[k] = np.concatenate([extra, line]) if side == 0 else np.concatenate([line, extra])

    def _nearest(self, xy: npt.NDArray[np.float64], candidates: list[int]) -> tuple[int, int, Point] | None:
        """(line, segment, point) of the nearest point on a candidate within snap_m.

        A point within a micrometre of a vertex is that vertex, and a point on
        a segment is the end itself, so joins never leave a sliver.
        """
        best: tuple[float, int, int, Point] | None = None
        for c in candidates:
            line = self.coords[c]
            a, b = line[:-1], line[1:]
            ab = b - a
            den = np.einsum("ij,ij->i", ab, ab)
            t = np.clip(np.einsum("ij,ij->i", xy - a, ab) / np.where(den > 0, den, 1.0), 0.0, 1.0)
            near = a + t[:, None] * ab
            dist = np.hypot(near[:, 0] - xy[0], near[:, 1] - xy[1])
            seg = int(np.argmin(dist))
            if dist[seg] > self.snap_m or (best is not None and dist[seg] >= best[0]):
                continue
            if np.hypot(*(near[seg] - a[seg])) < _SAME_POINT_M:
                point = tuple(a[seg].tolist())
            elif np.hypot(*(near[seg] - b[seg])) < _SAME_POINT_M:
                point = tuple(b[seg].tolist())
            elif dist[seg] < _SAME_POINT_M:
                point = tuple(xy.tolist())
            else:
                point = tuple(near[seg].tolist())
            best = (float(dist[seg]), c, seg, point)
        return None if best is None else (best[1], best[2], best[3])

    def _insert(self, target: int, seg: int, point: Point) -> None:
        """Make ``point`` (on segment ``seg``) a vertex of ``target`` and cut ``target`` there."""
        line = self.coords[target]
        rows = [tuple(r) for r in line.tolist()]
        if point in rows:
            index = rows.index(point)
        else:
            index = seg + 1
            self.coords[target] = np.insert(line, index, point, axis=0)
            self.touch[point] += 1
        if 0 < index < len(self.coords[target]) - 1:
            self.cuts[target].add(point)

    def pieces(self) -> tuple[tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]], npt.NDArray[np.int64]]:
        """((coordinates, piece of each coordinate), line of each piece), every line cut at its cuts."""
        xy: list[npt.NDArray[np.float64]] = []
        piece_of: list[npt.NDArray[np.int64]] = []
        owner: list[int] = []
        for k, line in enumerate(self.coords):
            rows = [tuple(r) for r in line.tolist()]
            cut_at = [i for i in range(1, len(rows) - 1) if rows[i] in self.cuts[k]]
            bounds = [0, *cut_at, len(rows) - 1]
            for lo, hi in itertools.pairwise(bounds):
                part = line[lo : hi + 1]
                if len(part) < 2 or not np.any(part != part[0]):
                    continue
                xy.append(part)
                piece_of.append(np.full(len(part), len(owner), dtype=np.int64))
                owner.append(k)
        if not xy:
            return (np.zeros((0, 2)), np.zeros(0, dtype=np.int64)), np.zeros(0, dtype=np.int64)
        return (np.concatenate(xy), np.concatenate(piece_of)), np.asarray(owner, dtype=np.int64)


__all__ = [
    "DEFAULT_DUPLICATE_M",
    "DEFAULT_SNAP_M",
    "MAX_STREET_FILE_BYTES",
    "ORIGIN_PATHS",
    "ORIGIN_STREETS",
    "STREET_COLUMNS",
    "STREET_FORMATS",
    "read_street_file",
    "read_walkable",
    "split_at_junctions",
    "walkable",
    "walking_network",
]
