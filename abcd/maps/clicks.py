"""Turning what ``st_folium`` returns into a selection: a clicked point or a clicked asset.

Pure functions over plain dicts, so every page reads a click the same way
(:func:`click_since`, through :func:`abcd.ui.new_map_click`) and tests need
no browser.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

ST_FOLIUM_RETURNED_OBJECTS: tuple[str, ...] = (
    "last_clicked",
    "last_object_clicked",
    "last_object_clicked_count",
    "last_active_drawing",
)
"""The ``returned_objects`` to pass to ``st_folium``.

Only clicks rerun the script (pan and zoom do not). streamlit-folium 0.27
reports a click on empty map as ``last_clicked = {"lat", "lng"}``; a click on
an asset as ``last_object_clicked = {"lat", "lng"}`` (no properties),
``last_active_drawing`` = the clicked GeoJSON feature (with ``properties.id``)
and an incremented ``last_object_clicked_count``, which makes a second click on
the same asset a new value too.

A pin of :mod:`abcd.maps.pins` names its asset by position, ``{"pin": 12,
"pins": "<key>"}``: the ids travel only one way (server to page, never in the
browser's data), and ``pins`` (key to ids, :func:`abcd.maps.pins.pin_ids`) turns
the position back into an id.
"""

Pins = Mapping[str, Sequence[str]]
"""Each pin layer's key and its asset ids in pin order (:func:`abcd.maps.pins.pin_ids`)."""


def _lonlat(value: object) -> tuple[float, float] | None:
    if not isinstance(value, Mapping):
        return None
    lat, lng = value.get("lat"), value.get("lng")
    if isinstance(lat, bool) or isinstance(lng, bool) or lat is None or lng is None:
        return None
    try:
        lon_f, lat_f = float(lng), float(lat)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lon_f) and math.isfinite(lat_f)):
        return None
    return round(lon_f, 6), round(lat_f, 6)  # about 0.1 m, like the map itself


def clicked_point(result: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """The (lon, lat) of the last click on the map itself, from an ``st_folium`` result.

    >>> clicked_point({"last_clicked": {"lat": 51.91, "lng": 4.44}})
    (4.44, 51.91)
    >>> clicked_point(None) is None
    True
    """
    if not isinstance(result, Mapping):
        return None
    return _lonlat(result.get("last_clicked"))


def clicked_asset_id(result: Mapping[str, Any] | None, pins: Pins | None = None) -> str | None:
    """The ``id`` of the last asset clicked, from an ``st_folium`` result, or ``None``.

    streamlit-folium 0.27 puts the clicked GeoJSON feature in
    ``last_active_drawing``; ``last_object_clicked`` only holds its lat/lng,
    but is read too in case a later version adds the feature there. A feature
    names its asset by ``id``, or, for a pin, by its position in a pin layer
    that ``pins`` knows (a layer the page no longer shows names nothing). The
    value comes from the browser: look it up in the store, do not trust it further.

    >>> clicked_asset_id({"last_active_drawing": {"type": "Feature",
    ...     "properties": {"id": "a3c9"}, "geometry": None}})
    'a3c9'
    >>> pin = {"last_active_drawing": {"properties": {"pin": 1, "pins": "k1"}}}
    >>> clicked_asset_id(pin, {"k1": ["a3c9", "b7f2"]}), clicked_asset_id(pin, {"k2": ["a3c9"]})
    ('b7f2', None)
    """
    if not isinstance(result, Mapping):
        return None
    for key in ("last_active_drawing", "last_object_clicked"):
        feature = result.get(key)
        if not isinstance(feature, Mapping):
            continue
        props = feature.get("properties")
        if not isinstance(props, Mapping):
            continue
        value = props.get("id")
        if isinstance(value, str) and 0 < len(value.strip()) <= 100:
            return value.strip()
        found = _pinned_id(props, pins)
        if found is not None:
            return found
    return None


def _pinned_id(props: Mapping[str, Any], pins: Pins | None) -> str | None:
    index, key = props.get("pin"), props.get("pins")
    if pins is None or isinstance(index, bool) or not isinstance(index, int) or not isinstance(key, str):
        return None
    ids = pins.get(key)
    if ids is None or not 0 <= index < len(ids):
        return None
    return str(ids[index])


def new_click(
    result: Mapping[str, Any] | None, previous: Mapping[str, Any] | None, pins: Pins | None = None
) -> Literal["asset", "point"] | None:
    """Which click is new between two ``st_folium`` results: an asset, the map, or neither.

    ``st_folium`` returns the latest of each kind of click on every rerun, so
    a page keeps the previous result (in session state) and asks what changed.
    Clicks on asset markers do not reach the map, so at most one kind changes.

    >>> before = {"last_clicked": {"lat": 51.91, "lng": 4.44}, "last_object_clicked_count": 0}
    >>> after = dict(before, last_object_clicked_count=2,
    ...              last_active_drawing={"properties": {"id": "a3c9"}})
    >>> new_click(after, before), new_click(after, after)
    ('asset', None)
    """
    now = result if isinstance(result, Mapping) else {}
    then = previous if isinstance(previous, Mapping) else {}
    if clicked_asset_id(now, pins) is not None and (
        now.get("last_object_clicked_count") != then.get("last_object_clicked_count")
        or now.get("last_active_drawing") != then.get("last_active_drawing")
    ):
        return "asset"
    point = clicked_point(now)
    if point is not None and point != clicked_point(then):
        return "point"
    return None


@dataclass(frozen=True, slots=True)
class Click:
    """A new click on a map: on an asset (its ``asset_id``) or on the map itself (its ``point``, lon/lat)."""

    asset_id: str | None = None
    point: tuple[float, float] | None = None


def click_since(
    result: Mapping[str, Any] | None, previous: Mapping[str, Any] | None, pins: Pins | None = None
) -> Click | None:
    """The click in ``result`` that ``previous`` did not have yet, or ``None`` (``pins``: see :func:`clicked_asset_id`).

    >>> before = {"last_clicked": {"lat": 51.91, "lng": 4.44}}
    >>> click_since({"last_clicked": {"lat": 51.92, "lng": 4.45}}, before)
    Click(asset_id=None, point=(4.45, 51.92))
    >>> click_since(before, before) is None
    True
    """
    kind = new_click(result, previous, pins)
    if kind == "asset":
        return Click(asset_id=clicked_asset_id(result, pins))
    if kind == "point":
        return Click(point=clicked_point(result))
    return None
