"""Connections in files: a ``connections`` line layer in a GeoPackage, a companion CSV beside GeoJSON and CSV.

A GeoPackage export holds the assets in layer ``assets`` and every connection
between two exported assets in layer ``connections``: a line from one to the
other with ``id``, ``from_id``, ``to_id``, ``kind`` and ``note``, so QGIS draws
the network. GeoJSON and CSV hold one layer, so their connections go in a
companion file beside them, ``NAME.connections.csv`` (the same columns, no
geometry). An import reads either back when it is there (:func:`read_connections`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import LineString

from abcd import io
from abcd.connections.model import Connection
from abcd.errors import ImportFileError
from abcd.limits import MAX_LAYER_FEATURES
from abcd.model import WGS84

LAYER: Final = "connections"
COLUMNS: Final = ("id", "from_id", "to_id", "kind", "note")
COMPANION_SUFFIX: Final = ".connections.csv"


def companion_path(path: Path) -> Path:
    """``wijk.geojson`` -> ``wijk.connections.csv``: where a one-layer format keeps its connections."""
    path = Path(path)
    return path.with_name(path.stem + COMPANION_SUFFIX)


def connections_table(connections: Sequence[Connection]) -> pd.DataFrame:
    """The connections as the files write them (one row each, :data:`COLUMNS`)."""
    return pd.DataFrame({column: [str(getattr(c, column).value if column == "kind" else getattr(c, column))
                                  for c in connections] for column in COLUMNS})  # fmt: skip


def connections_layer(connections: Sequence[Connection], points: Mapping[str, tuple[float, float]]) -> gpd.GeoDataFrame:
    """The GeoPackage layer: a line between the two assets' points (lon, lat) of each connection."""
    kept = [c for c in connections if c.from_id in points and c.to_id in points]
    lines = [LineString([points[c.from_id], points[c.to_id]]) for c in kept]
    return gpd.GeoDataFrame(connections_table(kept), geometry=lines, crs=WGS84)


def write_companion(connections: Sequence[Connection], path: Path, *, private: bool = False) -> Path:
    """Write the companion CSV of the export at ``path``; returns its path."""
    target = companion_path(path)
    with io.atomic_path(target, private=private) as tmp:
        io.write_csv(connections_table(connections), tmp)
    return target


def read_connections(path: Path) -> list[dict[str, Any]] | None:
    """The connections that came with the asset file at ``path``, as raw rows; ``None`` when none came.

    A GeoPackage's ``connections`` layer, or the companion CSV beside a
    GeoJSON or CSV file. The companion is held to the same limits as any
    imported file.
    """
    path = Path(path)
    if path.suffix.lower() == ".gpkg":
        if LAYER not in {name for name, _ in pyogrio.list_layers(path)}:
            return None
        frame = pyogrio.read_dataframe(path, layer=LAYER, read_geometry=False, max_features=MAX_LAYER_FEATURES + 1)
        if len(frame) > MAX_LAYER_FEATURES:
            raise ImportFileError("error.too_many_rows", count=len(frame), max=MAX_LAYER_FEATURES)
        return [_clean(dict(row)) for row in frame.to_dict("records")]
    companion = companion_path(path)
    if not companion.exists():
        return None
    io.check_file(companion)
    rows: list[dict[str, Any]] = []
    with io.open_csv(
        companion, delimiter=lambda sample: ";" if sample.count(";") > sample.count(",") else ","
    ) as records:
        missing = [c for c in ("from_id", "to_id", "kind") if c not in records.columns]
        if missing:
            raise ImportFileError("error.csv_columns", columns=", ".join(records.columns) or "-")
        for _number, record in records:
            if len(rows) >= io.MAX_ROWS:
                raise ImportFileError("error.too_many_rows", count=len(rows) + 1, max=io.MAX_ROWS)
            rows.append(_clean({k: v for k, v in record.items() if k is not None}))
    return rows


def _clean(record: Mapping[str, Any]) -> dict[str, Any]:
    return {
        str(k).strip().lower(): (None if v is None or (isinstance(v, float) and v != v) else v)
        for k, v in record.items()
    }


__all__ = [
    "COLUMNS",
    "COMPANION_SUFFIX",
    "LAYER",
    "companion_path",
    "connections_layer",
    "connections_table",
    "read_connections",
    "write_companion",
]
