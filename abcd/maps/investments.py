"""Meeting places on a map as circles whose area grows with the money they received.

Pure: frames in, a ``folium.FeatureGroup`` out, to be passed to
``st_folium(..., feature_group_to_add=...)`` on top of :func:`abcd.maps.base_map`.
Colour says the role (standard, started by residents, other) and the size
says the euros, so "the standard place got most of it" is visible at a glance.

Folium inserts tooltip values and aliases as HTML and runs generated scripts
through Jinja a second time, so every string that reaches the map passes
through :func:`abcd._html.escape`: a name like ``{{ 7*7 }}`` stays text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import folium
import pandas as pd

from abcd._html import escape
from abcd.i18n import Lang, t
from abcd.investments.amounts import format_eur
from abcd.model import MeetingPlaceRole

MIN_RADIUS_PX = 7.0  # a place without money stays visible and tappable
MAX_RADIUS_PX = 30.0

ROLE_COLOURS: Mapping[str, str] = {
    MeetingPlaceRole.STANDARD.value: "#D55E00",  # vermilion, as meeting places on the asset map
    MeetingPlaceRole.RESIDENT.value: "#009E73",  # bluish green: started by residents
    MeetingPlaceRole.OTHER.value: "#6E6E6E",
}
"""Okabe & Ito colours, distinguishable with the common forms of colour blindness."""


def radius_px(amount: Decimal | float, largest: Decimal | float) -> float:
    """Circle radius for ``amount`` when the largest amount on the map is ``largest``.

    The area, not the radius, is proportional to the money, so a place that
    got four times as much looks four times as big, not sixteen.

    >>> radius_px(0, 100), radius_px(100, 100), radius_px(25, 100)
    (7.0, 30.0, 18.5)
    """
    if not largest or float(largest) <= 0:
        return MIN_RADIUS_PX
    share = max(0.0, min(1.0, float(amount) / float(largest)))
    return round(MIN_RADIUS_PX + (MAX_RADIUS_PX - MIN_RADIUS_PX) * math.sqrt(share), 1)


def investment_features(places: pd.DataFrame, *, lang: Lang = "nl") -> list[dict[str, Any]]:
    """GeoJSON point features of ``places`` with pre-escaped, display-ready properties.

    ``places`` has ``id``, ``name``, ``role``, ``lon``, ``lat``, ``eur_total``
    (Decimal) and ``space_m2`` (see :func:`abcd.investments.summary.place_totals`).
    Properties: ``id`` (for :func:`abcd.maps.clicked_asset_id`), ``n`` name,
    ``r`` role, ``e`` euros, ``m`` m² in kind, and ``radius``/``colour``.
    """
    if places is None or len(places) == 0:
        return []
    largest = max((Decimal(v) for v in places["eur_total"]), default=Decimal(0))
    features = []
    for place in places.itertuples(index=False):
        role = str(place.role) if str(place.role) in ROLE_COLOURS else MeetingPlaceRole.OTHER.value
        space = float(place.space_m2 or 0.0)
        features.append(
            {
                "type": "Feature",
                "id": escape(place.id),
                "geometry": {"type": "Point", "coordinates": [round(float(place.lon), 6), round(float(place.lat), 6)]},
                "properties": {
                    "id": escape(place.id),
                    "n": escape(place.name),
                    "r": escape(t(f"role.{role}", lang)),
                    "e": escape(format_eur(Decimal(place.eur_total), lang)),
                    "m": escape(f"{space:g} m²" if space else "–"),
                    "radius": radius_px(Decimal(place.eur_total), largest),
                    "colour": ROLE_COLOURS[role],
                },
            }
        )
    return features


def _style(feature: Mapping[str, Any]) -> dict[str, Any]:
    props = feature["properties"]
    return {
        "radius": props["radius"],
        "color": "#ffffff",
        "weight": 2,
        "fillColor": props["colour"],
        "fillOpacity": 0.75,
    }


def investment_layer(places: pd.DataFrame, *, lang: Lang = "nl") -> folium.FeatureGroup:
    """One layer of meeting places sized by investment, with an escaped tooltip per place.

    >>> import pandas as pd
    >>> from decimal import Decimal
    >>> places = pd.DataFrame({"id": ["a"], "name": ["{{ 7*7 }}"], "role": ["standard"], "lon": [4.44],
    ...                        "lat": [51.91], "eur_total": [Decimal("25000.00")], "space_m2": [0.0]})
    >>> group = investment_layer(places, lang="en")
    >>> m = folium.Map(tiles=None); _ = group.add_to(m); page = m.get_root().render()
    >>> "7*7" in page, "{{ 7*7 }}" in page
    (True, False)
    """
    name = escape(t("invest.map_layer", lang))
    group = folium.FeatureGroup(name=name, overlay=True, control=True, show=True)
    features = investment_features(places, lang=lang)
    if not features:
        return group
    labels = [
        escape(t(key, lang))
        for key in ("field.meeting_place", "field.meeting_place_role", "invest.col.eur_total", "field.space_m2")
    ]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        marker=folium.CircleMarker(radius=MIN_RADIUS_PX, fill=True),
        style_function=_style,
        tooltip=folium.GeoJsonTooltip(fields=["n", "r", "e", "m"], aliases=labels, labels=True, sticky=False),
        zoom_on_click=False,
    ).add_to(group)
    return group


__all__ = ["MAX_RADIUS_PX", "MIN_RADIUS_PX", "ROLE_COLOURS", "investment_features", "investment_layer", "radius_px"]
