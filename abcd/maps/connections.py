"""Connections drawn on the map: a line from one asset to the other, one switchable layer per kind.

Only connections between assets on the map are drawn. Residents are never on a
map (:func:`abcd.assets.map_frame`), so a resident's connection never becomes a
line to a point; the pages show those as counts.
"""

from __future__ import annotations

from typing import Any, Final

import folium
import pandas as pd
from shapely.geometry import LineString

from abcd._html import escape
from abcd.connections.model import ConnectionKind
from abcd.i18n import Lang, t
from abcd.maps._elements import classed_lines_group, line_feature, to_wgs84

CONNECTION_STYLES: Final[dict[str, dict[str, Any]]] = {
    ConnectionKind.MEMBER_OF.value: {"color": "#0072B2", "dashArray": None},
    ConnectionKind.MEETS_AT.value: {"color": "#009E73", "dashArray": None},
    ConnectionKind.SUPPORTS.value: {"color": "#D55E00", "dashArray": "10 6"},
    ConnectionKind.ORGANISED_BY.value: {"color": "#CC79A7", "dashArray": "10 6"},
    ConnectionKind.ABOUT.value: {"color": "#000000", "dashArray": "2 6"},
    ConnectionKind.WORKS_WITH.value: {"color": "#56B4E9", "dashArray": "6 4 2 4"},
    ConnectionKind.OTHER.value: {"color": "#6E6E6E", "dashArray": "2 6"},
}
"""Per kind a colour and a line style (told apart without colour too)."""


def connection_layers(
    assets: Any, connections: pd.DataFrame | None, *, lang: Lang = "nl", show: bool = True
) -> list[folium.FeatureGroup]:
    """One layer per kind of the ``connections`` (``from_id``, ``to_id``, ``kind``) between ``assets`` on the map.

    >>> connection_layers(None, None)
    []
    """
    if assets is None or connections is None or len(assets) == 0 or len(connections) == 0:
        return []
    frame = to_wgs84(assets)
    where = {i: (g.x, g.y) for i, g in zip(frame["id"], frame.geometry, strict=True) if g is not None}
    names = dict(zip(frame["id"], frame["name"], strict=True))
    groups = []
    for kind in ConnectionKind:
        rows = connections[connections["kind"] == kind.value]
        features = [
            line_feature(
                LineString([where[a], where[b]]), kind.value, escape(f"{names[a]} {kind.label(lang)} {names[b]}")
            )
            for a, b in zip(rows["from_id"], rows["to_id"], strict=True)
            if a in where and b in where
        ]
        if not features:
            continue
        name = escape(t("map.connections_layer", lang, kind=kind.label(lang), count=len(features)))
        style = {"weight": 3, "opacity": 0.85, **CONNECTION_STYLES[kind.value]}
        groups.append(classed_lines_group(features, name=name, styles={kind.value: style}, show=show))
    return groups


__all__ = ["CONNECTION_STYLES", "connection_layers"]
