"""Result files as GeoJSON with their run in one foreign member (RFC 7946 section 6.1).

The gap map and the effort plan write what they were made with (wijk, mode,
distance, date, ...) once per file, as a member of the FeatureCollection,
instead of on every one of 100,000 features and never in the way of a
street's own properties. GIS tools ignore it; :func:`read_member` reads it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import pyogrio

_HEAD_BYTES: Final = 65536  # GDAL writes the foreign member before the features


def write_with_member(frame: gpd.GeoDataFrame, path: Path, *, layer: str, name: str, member: Mapping[str, Any]) -> None:
    """Write ``frame`` (in WGS84) as GeoJSON to ``path`` with ``member`` as the collection's member ``name``."""
    pyogrio.write_dataframe(
        frame,
        path,
        driver="GeoJSON",
        layer=layer,
        use_arrow=True,
        layer_options={"FOREIGN_MEMBERS_COLLECTION": json.dumps({name: dict(member)})},
    )


def read_member(path: Path, name: str) -> dict[str, Any] | None:
    """The foreign member ``name`` of a GeoJSON file written by :func:`write_with_member`; ``None`` without one."""
    with Path(path).open("rb") as file:
        head = file.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    key = f'"{name}":'
    at = head.find(key)
    if at < 0:
        return None
    member, _ = json.JSONDecoder().raw_decode(head[at + len(key) :].lstrip())
    return member if isinstance(member, dict) else None
