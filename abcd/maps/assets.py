"""Asset layers: one ``L.geoJson`` layer of divIcon pins per category, and the "new asset here" marker.

The server cost is one JSON dump per category rather than one folium object
per asset. Example assets are drawn with a dashed outline and labelled in
tooltip and popup.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import folium
import shapely
from branca.element import MacroElement
from folium.template import Template

from abcd._cells import cell_flag, cell_text
from abcd._html import escape, js_literal
from abcd.freshness import as_day, confirmed_before
from abcd.i18n import LANGUAGES, Lang, normalise_lang, t
from abcd.maps._elements import PIN_SIZE, DataLayer, glyph_html, to_wgs84
from abcd.model import Category, MeetingPlaceRole, Source, check_lonlat
from abcd.styles import CATEGORY_STYLE

DESCRIPTION_PREVIEW = 160
"""Characters of the description shown in a popup; the list page shows it all."""


def _resident_led(value: object) -> bool | None:
    """A frame's ``resident_led`` cell as a flag; text that is not yes/no is left unshown."""
    try:
        return cell_flag(value)
    except ValueError:
        return None


def _truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters plus an ellipsis, at a word if one is near."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space >= limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-\n") + "\u2026"


class AssetScript(MacroElement):
    """Defines ``abcdAssetLayer(text, data)`` once per page; every category layer calls it.

    ``data`` is a FeatureCollection whose properties are short and
    pre-escaped: ``id``, ``n`` (name), ``d`` (description preview), ``s``
    (source code), ``e`` (1 for examples), ``r`` (1/0 resident-led, for
    initiatives), ``m`` (role, for meeting places) and ``o`` (1 when nobody
    confirmed it lately: greyed, :mod:`abcd.freshness`) and ``ph`` (its
    photo as an ``<img>`` built and escaped in Python, :func:`abcd.photos.html.popup_html`). ``text`` holds the
    layer's escaped labels. Tooltip and popup HTML is assembled from those
    two only, so it contains nothing that was not escaped in Python.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.abcdAssetLayer = function (text, data) {
            function label(table, key) {
                return table && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : "";
            }
            function popup(p) {
                var h = '<div class="abcd-popup"><div class="abcd-popup-name">' + p.n + '</div>';
                if (p.e) { h += '<div class="abcd-popup-example">' + text.example + '</div>'; }
                if (p.o) { h += '<div class="abcd-popup-stale">' + text.stale + '</div>'; }
                h += '<div><span class="abcd-popup-cat" style="' + text.chip + '">' + text.category + '</span></div>';
                if (p.r === 1) { h += '<div>' + text.led + '</div>'; }
                if (p.r === 0) { h += '<div>' + text.notLed + '</div>'; }
                if (p.m) { h += '<div>' + text.role + ': ' + label(text.roles, p.m) + '</div>'; }
                if (p.ph) { h += '<div class="abcd-popup-photo">' + p.ph + '</div>'; }
                if (p.d) { h += '<p class="abcd-popup-desc">' + p.d + '</p>'; }
                h += '<div class="abcd-popup-meta">' + text.source + ': ' + label(text.sources, p.s) + '</div>';
                return h + '</div>';
            }
            var half = text.size / 2;
            return L.geoJson(data, {
                pointToLayer: function (feature, latlng) {
                    var p = feature.properties;
                    return L.marker(latlng, {
                        icon: L.divIcon({
                            className: "abcd-pin" + (p.e ? " abcd-pin-example" : "") + (p.o ? " abcd-pin-stale" : ""),
                            html: text.glyph + '<span class="abcd-sr">' + p.n + '</span>',
                            iconSize: [text.size, text.size],
                            iconAnchor: [half, half],
                            popupAnchor: [0, -half],
                            tooltipAnchor: [0, -half]
                        }),
                        interactive: !text.passive,
                        riseOnHover: !text.passive
                    });
                },
                onEachFeature: function (feature, layer) {
                    var p = feature.properties;
                    if (text.passive) { return; }
                    layer.bindTooltip(
                        p.n + (p.e ? ' <span class="abcd-tip-example">(' + text.example + ')</span>' : ''),
                        {direction: "top"}
                    );
                    layer.bindPopup(function () { return popup(p); }, {maxWidth: 280});
                }
            });
        };
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "AbcdAssetScript"


class _AssetLayer(DataLayer):
    """One category's assets: an ``L.geoJson`` layer of divIcon markers (see :class:`AssetScript`)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = abcdAssetLayer({{ this.text_js }}, {{ this.data_js }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        features: list[dict[str, Any]],
        *,
        name: str,
        text: Mapping[str, Any],
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "AssetLayer"
        self.features = features
        self.data: dict[str, Any] = {"type": "FeatureCollection", "features": features}
        self.data_js = js_literal(self.data)
        self.text_js = js_literal({**text, "size": PIN_SIZE})

    def _get_self_bounds(self) -> list[list[float | None]]:
        coords = [f["geometry"]["coordinates"] for f in self.features]
        if not coords:
            return [[None, None], [None, None]]
        lons = [c[0] for c in coords]
        lats = [c[1] for c in coords]
        return [[min(lats), min(lons)], [max(lats), max(lons)]]


def asset_features(
    assets: Any, *, stale_before: date | None = None, photos: Mapping[str, str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Per category code, the GeoJSON features of ``assets`` in input order.

    With ``stale_before``, assets last confirmed before that day (or never) are marked stale; ``photos``
    maps an asset's id to the ``<img>`` its popup shows (HTML made safe by its maker).
    """
    by_category: dict[str, list[dict[str, Any]]] = {code: [] for code in CATEGORY_STYLE}
    if assets is None or len(assets) == 0:
        return by_category
    missing = [c for c in ("id", "name", "category") if c not in assets.columns]
    if missing or not hasattr(assets, "geometry"):
        msg = f"The asset frame lacks {', '.join(missing) or 'a geometry column'}; it has {list(assets.columns)}"
        raise ValueError(msg)
    frame = to_wgs84(assets)
    geoms = frame.geometry.to_numpy()
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    # Points stay where they are; anything else is pinned inside itself.
    points = shapely.point_on_surface(geoms[usable])
    xs = shapely.get_x(points).tolist()
    ys = shapely.get_y(points).tolist()
    rows = frame.loc[usable]

    def column(name: str) -> list[Any]:
        # Missing values (None, NaN, pd.NA, NaT) become None, once per column.
        if name not in rows.columns:
            return [None] * len(rows)
        values = rows[name]
        return values.astype(object).where(values.notna(), None).tolist()

    unknown = sorted({str(c) for c in column("category")} - set(CATEGORY_STYLE))
    if unknown:
        msg = f"Unknown asset categories {unknown}; known: {', '.join(CATEGORY_STYLE)}"
        raise ValueError(msg)
    sources = {s.value for s in Source}
    roles = {r.value for r in MeetingPlaceRole}
    confirmed = column("last_confirmed") if stale_before is not None else [None] * len(rows)
    for x, y, asset_id, name, category, description, source, led, role, last in zip(
        xs,
        ys,
        column("id"),
        column("name"),
        column("category"),
        column("description"),
        column("source"),
        column("resident_led"),
        column("meeting_place_role"),
        confirmed,
        strict=True,
    ):
        props: dict[str, Any] = {"id": cell_text(asset_id), "n": escape(cell_text(name))}
        preview = _truncate(cell_text(description), DESCRIPTION_PREVIEW)
        if preview:
            props["d"] = escape(preview)
        source_code = cell_text(source).lower()
        if source_code in sources:
            props["s"] = source_code
        if source_code == Source.EXAMPLE.value:
            props["e"] = 1
        code = str(category)
        resident_led = _resident_led(led)
        if code == Category.INITIATIVE.value and resident_led is not None:
            props["r"] = int(resident_led)
        role_code = cell_text(role).lower()
        if code == Category.MEETING_PLACE.value and role_code in roles:
            props["m"] = role_code
        if stale_before is not None and confirmed_before(as_day(last), stale_before):
            props["o"] = 1
        if photos and props["id"] in photos:
            props["ph"] = photos[props["id"]]
        by_category[code].append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(x, 6), round(y, 6)]},
                "properties": props,
            }
        )
    return by_category


def _layer_text(code: str, lang: Lang) -> dict[str, Any]:
    """Escaped labels one category layer's tooltips and popups need."""
    style = CATEGORY_STYLE[code]
    text: dict[str, Any] = {
        "category": escape(t(f"category.{code}", lang)),
        "chip": f"background:{style.color};color:{style.text}",
        "glyph": glyph_html(style),
        "example": escape(t("map.example", lang)),
        "stale": escape(t("map.stale", lang)),
        "source": escape(t("map.source", lang)),
        "sources": {s.value: escape(t(f"source.{s.value}", lang)) for s in Source},
    }
    if code == Category.INITIATIVE.value:
        text["led"] = escape(t("map.resident_led", lang))
        text["notLed"] = escape(t("map.not_resident_led", lang))
    if code == Category.MEETING_PLACE.value:
        text["role"] = escape(t("field.meeting_place_role", lang))
        text["roles"] = {r.value: escape(t(f"role.{r.value}", lang)) for r in MeetingPlaceRole}
    return text


def category_groups(
    by_category: dict[str, list[dict[str, Any]]], lang: Lang, *, interactive: bool = True
) -> list[folium.FeatureGroup]:
    groups = []
    for code, features in by_category.items():
        if not features:
            continue
        name = f"{escape(t(f'category.{code}', lang))} ({len(features)})"
        group = folium.FeatureGroup(name=name, overlay=True, control=True, show=True)
        text = {**_layer_text(code, lang), "passive": not interactive}
        _AssetLayer(features, name=name, text=text).add_to(group)
        groups.append(group)
    return groups


def asset_layers(
    assets: Any,
    *,
    lang: Lang = "nl",
    interactive: bool = True,
    stale_before: date | None = None,
    photos: Mapping[str, str] | None = None,
) -> list[folium.FeatureGroup]:
    """One feature group per category that has assets, for ``st_folium(feature_group_to_add=...)``.

    ``interactive=False`` draws the pins without tooltips or popups and lets
    taps through to the map: on the add page a tap near a pin must place the
    new asset, not open the pin (phones move a tap onto nearby clickable things).
    With ``stale_before``, pins not confirmed since that day are drawn greyed; ``photos`` (id to
    ``<img>``) go into the popups.

    >>> asset_layers(None)
    []
    """
    lang = lang if lang in LANGUAGES else normalise_lang(lang)
    features = asset_features(assets, stale_before=stale_before, photos=photos)
    return category_groups(features, lang, interactive=interactive)


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
