"""Asset layers for the pages (one pin layer, :mod:`abcd.maps.pins`), asset features for files, and the
"new asset here" marker.

Example assets are drawn with a dashed outline and labelled in tooltip and popup;
stale ones are greyed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import folium

from abcd._html import escape
from abcd.i18n import LANGUAGES, Lang, normalise_lang
from abcd.maps.columns import asset_columns
from abcd.maps.pins import Pins, pin_layers, pins_from_columns
from abcd.model import Source, check_lonlat
from abcd.styles import CATEGORY_STYLE


def asset_features(
    assets: Any, *, stale_before: date | None = None, photos: Mapping[str, str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Per category code, the GeoJSON features of ``assets`` in input order (for files and other tools).

    Properties are short and pre-escaped: ``id``, ``n`` (name), ``d``
    (description preview), ``s`` (source code), ``e`` (1 for examples), ``r``
    (1/0 resident-led, initiatives), ``m`` (role, meeting places), ``o`` (1 when
    stale, with ``stale_before``) and ``ph`` (the popup's photo, from ``photos``).
    The maps themselves draw :mod:`abcd.maps.pins` from the same columns.
    """
    by_category: dict[str, list[dict[str, Any]]] = {code: [] for code in CATEGORY_STYLE}
    cols = asset_columns(assets, stale_before=stale_before, photos=photos)
    example = Source.EXAMPLE.value
    for k in range(len(cols)):
        props: dict[str, Any] = {"id": cols.id[k], "n": cols.name[k]}
        if cols.description[k]:
            props["d"] = cols.description[k]
        if cols.source[k]:
            props["s"] = cols.source[k]
        if cols.source[k] == example:
            props["e"] = 1
        if cols.led[k] is not None:
            props["r"] = cols.led[k]
        if cols.role[k]:
            props["m"] = cols.role[k]
        if cols.stale[k]:
            props["o"] = 1
        if cols.photo[k]:
            props["ph"] = cols.photo[k]
        point = [round(cols.lon[k], 6), round(cols.lat[k], 6)]
        by_category[cols.category[k]].append(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": point}, "properties": props}
        )
    return by_category


def asset_layers(
    assets: Any,
    *,
    lang: Lang = "nl",
    interactive: bool = True,
    stale_before: date | None = None,
    photos: Mapping[str, str] | None = None,
    details_below: bool = False,
) -> list[folium.FeatureGroup]:
    """The assets as one pin layer plus a layer-control entry per category, for ``st_folium(feature_group_to_add=...)``.

    ``interactive=False`` draws the pins without tooltips or popups and lets
    taps through to the map: on the add page a tap near a pin must place the
    new asset, not open the pin (phones move a tap onto nearby clickable things).
    With ``stale_before``, pins not confirmed since that day are drawn greyed; ``photos`` (id to
    ``<img>``) go into the popups. ``details_below=True`` is for a page that
    shows an opened pin's description and photos beside the map: the browser
    then gets neither up front, and the popup says where to look.
    See :mod:`abcd.maps.pins`.

    >>> asset_layers(None)
    []
    """
    lang = lang if lang in LANGUAGES else normalise_lang(lang)
    details = interactive and not details_below
    pins = asset_pins(assets, stale_before=stale_before, photos=photos if details else None, descriptions=details)
    return pin_layers(pins, lang=lang, interactive=interactive, details_below=details_below)


def asset_pins(
    assets: Any,
    *,
    stale_before: date | None = None,
    photos: Mapping[str, str] | None = None,
    descriptions: bool = True,
) -> Pins:
    """The :class:`abcd.maps.pins.Pins` of ``assets``, for :func:`abcd.maps.pins.pin_layers` (a page may cache them).

    >>> len(asset_pins(None))
    0
    """
    return pins_from_columns(asset_columns(assets, stale_before=stale_before, photos=photos, descriptions=descriptions))


def marker_layer(lon: float, lat: float, *, label: str) -> folium.FeatureGroup:
    """A single highlighted "new asset here" marker at (``lon``, ``lat``) with a visible ``label``.

    Pass it as ``st_folium(..., feature_group_to_add=marker_layer(...))``: the
    marker then moves without remounting the map. It does not catch clicks,
    so clicking on it again reports a new ``last_clicked`` as usual.

    >>> group = marker_layer(4.44, 51.91, label="Nieuwe plek")
    >>> [type(child).__name__ for child in group._children.values()], group.control
    (['Marker'], False)
    """
    lon, lat = float(lon), float(lat)
    check_lonlat(lon, lat)
    text = escape(label)
    pin = (
        '<div style="position:relative;width:30px;height:30px">'
        '<div style="box-sizing:border-box;width:30px;height:30px;border-radius:50%;background:#111;'
        "border:3px solid #fff;box-shadow:0 0 0 3px #111,0 2px 6px rgba(0,0,0,.5);color:#fff;"
        'font:bold 20px/24px system-ui,sans-serif;text-align:center" aria-hidden="true">+</div>'
        '<div style="position:absolute;left:38px;top:4px;white-space:nowrap;background:#111;color:#fff;'
        f'font:600 13px/1.6 system-ui,sans-serif;padding:0 7px;border-radius:4px">{text}</div></div>'
    )
    group = folium.FeatureGroup(name=text, control=False)
    folium.Marker(
        [round(lat, 6), round(lon, 6)],
        icon=folium.DivIcon(html=pin, icon_size=(30, 30), icon_anchor=(15, 15), class_name="abcd-new"),
        interactive=False,
        keyboard=False,
        z_index_offset=1000,
    ).add_to(group)
    return group
