"""The sources and licences of what a file holds, so they travel with the data.

An export leaves the app and is mailed around, opened in QGIS, merged into a
gemeente's register. OpenStreetMap's ODbL requires attribution and that a
database derived from it stays under the ODbL; CBS's CC BY 4.0 requires
attribution. So every GeoJSON, GeoPackage and CSV export names its sources
(:func:`export_sources`): the lines the map shows for the boundaries, plus
OpenStreetMap when any asset came from it, plus what the assets themselves
are. They go where each format keeps such things (:func:`abcd.io.write_assets`):
a ``sources`` member of a GeoJSON file, the layer's description and metadata
of a GeoPackage, and a ``<name>_bronnen.txt`` beside a CSV file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from abcd._cells import is_missing
from abcd.i18n import t
from abcd.model import Source

SIDECAR_SUFFIX = "_bronnen.txt"


def from_openstreetmap(frame: pd.DataFrame) -> bool:
    """Whether any row came from OpenStreetMap (its source, or an ``osm_id``)."""
    if "source" in frame and (frame["source"].astype(str) == Source.OSM.value).any():
        return True
    return "osm_id" in frame and not frame["osm_id"].map(is_missing).all()


def export_sources(frame: pd.DataFrame, *, lang: str = "nl") -> list[str]:
    """The source and licence lines of an export of ``frame``, in ``lang`` (the map's own line among them)."""
    lines = [t("sources.assets", lang), t("map.attribution", lang)]
    if from_openstreetmap(frame):
        lines.append(t("sources.osm_assets", lang))
    if "source" in frame and (frame["source"].astype(str) == Source.EXAMPLE.value).any():
        lines.append(t("sources.examples", lang))
    return lines


def sidecar_path(path: Path) -> Path:
    """Where a CSV export's sources are written: ``assets.csv`` → ``assets_bronnen.txt``."""
    return path.with_name(f"{path.stem}{SIDECAR_SUFFIX}")


__all__ = ["SIDECAR_SUFFIX", "export_sources", "from_openstreetmap", "sidecar_path"]
