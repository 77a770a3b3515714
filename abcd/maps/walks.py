"""The walk log on the map: streets coloured by when they were last walked, and walkers' own tracks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Final

import folium
import pandas as pd

from abcd._cells import cell_text
from abcd._html import escape
from abcd.i18n import Lang, t
from abcd.i18n.formats import format_date, format_number
from abcd.maps._elements import (
    add_line_legend,
    classed_lines_group,
    legend_border,
    line_feature,
    path_styles,
    to_wgs84,
)
from abcd.walks.streets import WALKED_CLASSES, walked_class

if TYPE_CHECKING:
    from abcd.walks.register import Walk

WALKED_STYLES: Final = {
    "recent": {"color": "#08519C", "weight": 6, "dashArray": None, "border": "solid"},
    "months_1_3": {"color": "#3182BD", "weight": 5, "dashArray": None, "border": "solid"},
    "months_3_12": {"color": "#9ECAE1", "weight": 5, "dashArray": "10 5", "border": "dashed"},
    "older": {"color": "#7F7F7F", "weight": 4, "dashArray": "2 6", "border": "dotted"},
}
"""Classes of :func:`abcd.walks.streets.walked_class`: dark to light blue as it gets longer ago, grey and dotted for
more than a year or never; told apart by line style as well as colour (WCAG 1.4.1), and apart from the gap
map's vermilion, orange and green."""
TRACK_STYLE: Final = {"color": "#CC79A7", "weight": 4, "opacity": 0.9}

_LINE_STYLES = path_styles(WALKED_STYLES, opacity=0.95)


def walked_layers(
    streets: Any, *, today: date, lang: Lang = "nl", name_column: str = "name"
) -> list[folium.FeatureGroup]:
    """Street segments (a frame with ``last_walked``, :func:`abcd.walks.with_last_walked`) coloured by how long ago.

    >>> walked_layers(None, today=date(2026, 6, 1))
    []
    """
    if streets is None or len(streets) == 0:
        return []
    frame = to_wgs84(streets)
    names = frame[name_column] if name_column in frame.columns else pd.Series([None] * len(frame), index=frame.index)
    features = []
    for geom, name, last in zip(frame.geometry, names, frame["last_walked"], strict=True):
        if geom is None or geom.is_empty:
            continue
        day = last if isinstance(last, date) else None
        when = t("walks.never", lang) if day is None else format_date(day, lang)
        tip = t("walks.tooltip", lang, street=cell_text(name) or t("gaps.unnamed", lang), date=when)
        features.append(line_feature(geom, walked_class(day, today), escape(tip)))
    return [classed_lines_group(features, name=escape(t("walks.layer", lang)), styles=_LINE_STYLES)]


def add_walked_legend(m: folium.Map, *, lang: Lang = "nl") -> folium.Map:
    """Add the legend of the four "laatst gelopen" classes to a map."""
    rows = [(legend_border(WALKED_STYLES[code]), t(f"walks.class.{code}", lang)) for code in WALKED_CLASSES]
    return add_line_legend(m, title=t("walks.legend", lang), rows=rows)


def track_layers(walks: Sequence[Walk], *, lang: Lang = "nl") -> list[folium.FeatureGroup]:
    """Walks' tracks, each with a tooltip (day, walker, length): for those who may see them (personal data).

    >>> track_layers([])
    []
    """
    if not walks:
        return []
    features = []
    for walk in walks:
        tip = t(
            "walks.track_tooltip",
            lang,
            date=format_date(walk.walked_on, lang),
            walker=walk.walker,
            km=format_number(walk.length_m / 1000, lang, digits=2),
        )
        features.append(line_feature(walk.track, "track", escape(tip)))
    return [classed_lines_group(features, name=escape(t("walks.tracks_layer", lang)), styles={"track": TRACK_STYLE})]


__all__ = ["TRACK_STYLE", "WALKED_STYLES", "add_walked_legend", "track_layers", "walked_layers"]
