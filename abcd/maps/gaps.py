"""The gap map's street layer: segments coloured by how many resident initiatives are within reach."""

from __future__ import annotations

from typing import Any, Final

import folium
import pandas as pd

from abcd._cells import cell_text
from abcd._html import escape
from abcd.i18n import Lang, t
from abcd.maps._elements import (
    Legend,
    add_line_legend,
    classed_lines_group,
    legend_border,
    line_feature,
    path_styles,
    to_wgs84,
)

GAP_STYLES: Final = {
    "needs_support": {"color": "#AA0022", "weight": 7, "dashArray": None, "border": "solid"},
    "below_average": {"color": "#660066", "weight": 5, "dashArray": "10 6", "border": "dashed"},
    "at_or_above": {"color": "#1133CC", "weight": 4, "dashArray": "1 7", "border": "dotted"},
}
"""Gap classes of a street segment: crimson, thick and solid where no initiative is within reach; plum and
dashed below the wijk's average; blue, thin and dotted at or above it.

Told apart by width and line style as well as colour, and named in the legend and
in every segment's tooltip (WCAG 1.4.1). The colours stay apart from each other
with normal vision and with protanopia, deuteranopia and tritanopia, apart from
the asset colours (Okabe-Ito), and at least 3:1 against every light basemap
colour (WCAG 1.4.11); ``tests/test_accessibility.py`` measures all three.
"""
GAP_COLORS: Final = {code: str(style["color"]) for code, style in GAP_STYLES.items()}
"""The colour of each gap class (:data:`GAP_STYLES`)."""


def gap_class(needs_support: bool, below_average: bool) -> str:
    """The colour class of a segment: no initiative within reach, below the wijk's average, or at/above it."""
    if needs_support:
        return "needs_support"
    return "below_average" if below_average else "at_or_above"


# Segments are drawn thick enough to tell apart from the base map's street lines, and opaque: the
# contrast is that of the colour itself.
_GAP_STYLES = path_styles(GAP_STYLES, opacity=1.0)


def coverage_layers(coverage: Any, *, lang: Lang = "nl", name_column: str = "name") -> list[folium.FeatureGroup]:
    """The gap map's street layer (from :func:`abcd.gaps.street_coverage`) for ``feature_group_to_add``.

    Each segment is coloured by :func:`gap_class` and has a tooltip with its
    street name and how many resident initiatives are within reach.

    >>> coverage_layers(None)
    []
    """
    if coverage is None or len(coverage) == 0:
        return []
    frame = to_wgs84(coverage)
    names = frame[name_column] if name_column in frame.columns else pd.Series([None] * len(frame), index=frame.index)
    features = []
    for geom, name, count, needs, below in zip(
        frame.geometry, names, frame["initiatives"], frame["needs_support"], frame["below_average"], strict=True
    ):
        if geom is None or geom.is_empty:
            continue
        label = cell_text(name) or t("gaps.unnamed", lang)
        code = gap_class(bool(needs), bool(below))
        told = f"{t('gaps.tooltip', lang, n=int(count))} ({t(f'gaps.class.{code}', lang)})"
        tip = f"{escape(label)}: {escape(told)}"
        features.append(line_feature(geom, code, tip))
    return [classed_lines_group(features, name=escape(t("gaps.layer", lang)), styles=_GAP_STYLES)]


def without_legend(m: folium.Map) -> folium.Map:
    """``m`` without the legends already on it (the base map's seven categories), for a map with its own."""
    for name in [name for name, child in m._children.items() if isinstance(child, Legend)]:
        del m._children[name]
    return m


def add_gap_legend(m: folium.Map, *, lang: Lang = "nl") -> folium.Map:
    """Give a map the legend of the three gap classes, in place of any legend it had (the gap map has its own)."""
    without_legend(m)
    rows = [(legend_border(style), t(f"gaps.class.{code}", lang)) for code, style in GAP_STYLES.items()]
    return add_line_legend(m, title=t("gaps.legend", lang), rows=rows)
