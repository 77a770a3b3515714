"""The effort plan's street layer: segments drawn by their effort against the average (:mod:`abcd.effort`)."""

from __future__ import annotations

from typing import Any, Final

import folium
import pandas as pd

from abcd._cells import cell_text
from abcd._html import escape
from abcd.effort.plan import unit_label
from abcd.i18n import Lang, t
from abcd.i18n.formats import format_number
from abcd.maps._elements import (
    add_line_legend,
    classed_lines_group,
    legend_border,
    line_feature,
    path_styles,
    to_wgs84,
)

EFFORT_STYLES: Final = {
    "more": {"color": "#0072B2", "weight": 6, "dashArray": None, "border": "solid"},
    "average": {"color": "#6E6E6E", "weight": 4, "dashArray": "1 6", "border": "dotted"},
    "less": {"color": "#CC79A7", "weight": 4, "dashArray": "8 6", "border": "dashed"},
}
"""Effort classes: blue and solid above the average, grey and dotted around it, purple and dashed below.

Okabe-Ito colours apart from the gap and asset colours, and told apart by
line style as well as colour (WCAG 1.4.1).
"""
AROUND: Final = 0.05
"""An index within this of 1.00 counts as "around the average" (rounding of hundredths is not a difference)."""


def effort_class(index: float) -> str:
    """``more``, ``average`` or ``less`` than the average per metre."""
    if index > 1 + AROUND:
        return "more"
    return "average" if index >= 1 - AROUND else "less"


_LINE_STYLES = path_styles(EFFORT_STYLES, opacity=0.95)


def effort_layers(
    segments: Any, *, unit: str, lang: Lang = "nl", name_column: str = "name"
) -> list[folium.FeatureGroup]:
    """The plan's street layer (from :func:`abcd.effort.plan_segments`) for ``feature_group_to_add``.

    >>> effort_layers(None, unit="uur")
    []
    """
    if segments is None or len(segments) == 0:
        return []
    frame = to_wgs84(segments)
    names = frame[name_column] if name_column in frame.columns else pd.Series([None] * len(frame), index=frame.index)
    unit_text = unit_label(unit, lang)
    features = []
    for geom, name, effort, index, count in zip(
        frame.geometry, names, frame["effort"], frame["index"], frame["street_initiatives"], strict=True
    ):
        if geom is None or geom.is_empty:
            continue
        label = cell_text(name) or t("gaps.unnamed", lang)
        tip = t(
            "effort.tooltip",
            lang,
            street=label,
            effort=format_number(float(effort), lang, digits=2),
            unit=unit_text,
            index=format_number(float(index), lang, digits=2),
            initiatives=int(count),
        )
        features.append(line_feature(geom, effort_class(float(index)), escape(tip)))
    return [classed_lines_group(features, name=escape(t("effort.layer", lang)), styles=_LINE_STYLES)]


def add_effort_legend(m: folium.Map, *, lang: Lang = "nl") -> folium.Map:
    """Add the legend of the three effort classes to a map."""
    rows = [(legend_border(style), t(f"effort.class.{code}", lang)) for code, style in EFFORT_STYLES.items()]
    return add_line_legend(m, title=t("effort.legend", lang), rows=rows)


__all__ = ["EFFORT_STYLES", "add_effort_legend", "effort_class", "effort_layers"]
