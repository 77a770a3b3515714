"""The gap map's street layer: segments coloured by how many resident initiatives are within reach."""

from __future__ import annotations

from typing import Any

import folium
import pandas as pd

from abcd._cells import cell_text
from abcd._html import escape
from abcd.i18n import Lang, t
from abcd.maps._elements import add_line_legend, classed_lines_group, line_feature, to_wgs84

GAP_COLORS = {"needs_support": "#D55E00", "below_average": "#E69F00", "at_or_above": "#009E73"}
"""Gap classes of a street segment (Okabe-Ito: vermilion, orange, bluish green)."""


def gap_class(needs_support: bool, below_average: bool) -> str:
    """The colour class of a segment: no initiative within reach, below the wijk's average, or at/above it."""
    if needs_support:
        return "needs_support"
    return "below_average" if below_average else "at_or_above"


# Segments are drawn thick enough to tell apart from the base map's street lines.
_GAP_STYLES = {code: {"color": color, "weight": 5, "opacity": 0.9} for code, color in GAP_COLORS.items()}


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
        tip = f"{escape(label)}: {escape(t('gaps.tooltip', lang, n=int(count)))}"
        features.append(line_feature(geom, gap_class(bool(needs), bool(below)), tip))
    return [classed_lines_group(features, name=escape(t("gaps.layer", lang)), styles=_GAP_STYLES)]


def add_gap_legend(m: folium.Map, *, lang: Lang = "nl") -> folium.Map:
    """Add the legend of the three gap classes to a map (top right, beside the layer control)."""
    rows = [(f"5px solid {color}", t(f"gaps.class.{code}", lang)) for code, color in GAP_COLORS.items()]
    return add_line_legend(m, title=t("gaps.legend", lang), rows=rows)
