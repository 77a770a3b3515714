"""Files in and out of the gap analysis: officers' own street and asset files, and the results.

Input: any street-line file (GeoJSON or GeoPackage, in WGS84 or RD New) and
an asset file. An asset file with a ``category`` column counts the rows the
gap analysis counts (resident-led initiatives); a file without one is taken
to be a list of resident initiatives, the usual case for a GIS officer's own
layer. Output: ``.geojson`` keeps every input segment with its properties and
adds ``initiatives``, ``nearest_initiative_m``, ``needs_support`` and
``below_average``; ``.csv`` is the per-street summary.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from abcd import gaps, io
from abcd._cells import cell_flag
from abcd.errors import ImportFileError, ValidationError
from abcd.i18n import Term
from abcd.limits import MAX_LAYER_FEATURES
from abcd.model import WGS84

GEO_FORMATS = (".geojson", ".json", ".gpkg")
OUT_FORMATS = (".geojson", ".csv")


def _read_geo(path: Path, *, max_bytes: int = io.MAX_FILE_BYTES) -> gpd.GeoDataFrame:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in GEO_FORMATS:
        raise ImportFileError("error.file_format", suffix=suffix or path.name, allowed=", ".join(GEO_FORMATS))
    io.check_file(path, max_bytes=max_bytes)
    frame = io.read_layer(path, max_rows=MAX_LAYER_FEATURES)  # the same limits as every import
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise ImportFileError("error.no_crs")
        frame = frame.set_crs(WGS84)
    return frame


def read_streets(path: Path) -> gpd.GeoDataFrame:
    """A street-line file as a GeoDataFrame (lines only; other geometries are refused)."""
    frame = _read_geo(path)
    kinds = set(frame.geometry.geom_type.dropna())
    if not kinds or not kinds <= {"LineString", "MultiLineString"}:
        raise ImportFileError(
            "error.geometry_type", field="geometry", expected="LineString", value=", ".join(sorted(kinds)) or "-"
        )
    return frame


def read_initiatives(path: Path) -> gpd.GeoDataFrame:
    """An asset file for the gap analysis: ours (with ``category``) or a plain layer of initiatives."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        rows = io.read_rows(path)
        records = [dict(r.values) for r in rows]
        frame = pd.DataFrame.from_records(records)
        points = gpd.points_from_xy(pd.to_numeric(frame["lon"]), pd.to_numeric(frame["lat"]), crs=WGS84)
        result = gpd.GeoDataFrame(frame.drop(columns=["lon", "lat"]), geometry=points, crs=WGS84)
    else:
        result = _read_geo(path)
        # Polygons and lines are areas of activity: keep them as the area, anchored on a point.
        geoms = result.geometry.to_numpy()
        is_point = shapely.get_type_id(geoms) == 0
        result["area"] = [None if p else g for p, g in zip(is_point, geoms, strict=True)]
        result = result.set_geometry(gpd.GeoSeries(shapely.point_on_surface(geoms), crs=result.crs))
    if "category" not in result.columns:
        result["category"] = gaps.INITIATIVE_CATEGORY
    if "resident_led" not in result.columns:
        result["resident_led"] = True
    result["resident_led"] = [_flag(v) for v in result["resident_led"]]
    return result


def _flag(value: object) -> bool | None:
    """Yes/no as files write it (true, "True", "ja", 1.0); empty stays empty (counts as resident-led)."""
    try:
        return cell_flag(value)
    except ValueError:
        raise ImportFileError(
            "error.row", row="?", message=ValidationError("error.bool", field=Term("field.resident_led"), value=value)
        ) from None


def coverage_frame_for_file(coverage: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The coverage with plain-typed result columns (files cannot hold numpy booleans in every driver)."""
    out = coverage.copy()
    out["initiatives"] = out["initiatives"].astype(int)
    out["needs_support"] = out["needs_support"].astype(bool)
    out["below_average"] = out["below_average"].astype(bool)
    return out


def write_gaps(coverage: gpd.GeoDataFrame, path: Path) -> None:
    """``.geojson``: every segment with its properties and the results; ``.csv``: the per-street summary.

    The CSV file is for spreadsheets: street names they would evaluate as a
    formula are neutralised (:func:`abcd.io.write_csv`).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in OUT_FORMATS:
        raise ImportFileError("error.export_format", suffix=suffix or path.name, allowed=", ".join(OUT_FORMATS))
    with io.atomic_path(path) as tmp:
        if suffix == ".csv":
            io.write_csv(gaps.street_summary(coverage), tmp)
        else:
            frame = coverage_frame_for_file(coverage).to_crs(WGS84)
            pyogrio.write_dataframe(frame, tmp, driver="GeoJSON", layer="gaps")


def gaps_bytes(coverage: gpd.GeoDataFrame, suffix: str) -> bytes:
    """The result file as bytes, for a download button."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"gaps{suffix}"
        write_gaps(coverage, path)
        return path.read_bytes()
