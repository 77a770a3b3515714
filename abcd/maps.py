"""Folium maps of a wijk and its assets, built without Streamlit.

Every function here returns a ``folium`` object or a plain value; showing the
map (``st_folium``) and reacting to clicks happen in the pages, which use
:data:`ST_FOLIUM_RETURNED_OBJECTS`, :func:`clicked_asset_id`,
:func:`clicked_point` and :func:`new_click` to turn the component's return
value into a selection.

Three promises hold for every map built here:

- *Offline.* The map loads Leaflet from ``static/vendor/`` (served by Streamlit
  at :data:`VENDOR_URL`), never from a CDN; :func:`standalone_html` inlines the
  same files into one HTML document. Only the background tiles come from the
  internet, and the map works without them.
- *Escaped.* Folium inserts popup and tooltip text as HTML, so every user
  string is passed through :func:`html.escape` here, and embedded JSON escapes
  ``<`` and ``>`` so a name like ``</script>`` cannot end the script. Folium
  also feeds generated scripts through Jinja a second time, which would
  *evaluate* a name like ``{{ ... }}`` on the server; braces are escaped and
  the data layers skip that second pass.
- *Honest.* Example assets (``source == "example"``) are drawn with a dashed
  outline and labelled "Voorbeeld, verzonnen" in the tooltip and popup, and
  the CBS/Kadaster and OpenStreetMap attribution is always on the map.

Assets are drawn as one ``L.geoJson`` layer per category with ``L.divIcon``
markers (a coloured disc with a Unicode glyph, no icon font), so the server
cost is one JSON dump per category rather than one folium object per asset.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import folium
import pandas as pd
import shapely
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.elements import ElementAddToElement, JSCSSMixin
from folium.template import Template
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from abcd.errors import ValidationError
from abcd.i18n import LANGUAGES, Lang, normalise_lang, t
from abcd.model import WGS84, Category, MeetingPlaceRole, Source, check_lonlat, parse_bool

LEAFLET_VERSION = "1.9.4"
VENDOR_URL = "/app/static/vendor"
"""Where Streamlit serves ``static/vendor`` (``[server] enableStaticServing = true``)."""
VENDOR_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor"
"""The vendored files on disk; :func:`standalone_html` inlines them from here."""

_LEAFLET = f"leaflet-{LEAFLET_VERSION}"
# folium's resource names -> our files, relative to the vendor folder. Only
# Leaflet is needed: markers are divIcons, and nothing here uses jQuery.
_VENDORED_JS = {"leaflet": f"{_LEAFLET}/leaflet.js"}
_VENDORED_CSS = {"leaflet_css": f"{_LEAFLET}/leaflet.css"}
_LEAFLET_IMAGES = f"{_LEAFLET}/images/"

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
"""

DESCRIPTION_PREVIEW = 160
"""Characters of the description shown in a popup; the list page shows it all."""

_DEFAULT_VIEW = ((4.4401, 51.9102), 15)  # Bospolder-Tussendijken, (lon, lat), zoom
_POINT_ZOOM = 17
_MAX_ZOOM = 19  # the OpenStreetMap tile server's deepest level
_PIN_SIZE = 26  # px; large enough to tap on a phone


@dataclass(frozen=True, slots=True)
class CategoryStyle:
    """How a category looks on the map: a disc in ``color`` showing ``glyph`` in ``text``.

    ``glyph`` is a plain Unicode character found in common system fonts, so no
    icon font has to be loaded; ``text`` is chosen for a contrast of at least
    4.5:1 on ``color``.
    """

    color: str
    glyph: str
    text: str = "#ffffff"


# Okabe & Ito's palette, designed to stay distinguishable with the common forms
# of colour blindness; the glyph tells the categories apart without colour too.
CATEGORY_STYLE: dict[str, CategoryStyle] = {
    Category.PERSON.value: CategoryStyle("#E69F00", "\u2605", "#111111"),  # ★ talent
    Category.ASSOCIATION.value: CategoryStyle("#56B4E9", "\u2756", "#111111"),  # ❖ a group
    Category.INITIATIVE.value: CategoryStyle("#009E73", "\u273f", "#111111"),  # ✿ something growing
    Category.INSTITUTION.value: CategoryStyle("#0072B2", "\u2617", "#ffffff"),  # ☗ a building
    Category.MEETING_PLACE.value: CategoryStyle("#D55E00", "\u25ce", "#111111"),  # ◎ a gathering point
    Category.PLACE.value: CategoryStyle("#F0E442", "\u25b2", "#111111"),  # ▲ park, square
    Category.BUSINESS.value: CategoryStyle("#CC79A7", "\u20ac", "#111111"),  # € local economy
    Category.STORY.value: CategoryStyle("#000000", "\u270e", "#ffffff"),  # ✎ a story
}

_BOUNDARY_STYLE = {"color": "#222222", "weight": 3, "opacity": 0.9, "dashArray": "8 6", "fill": False}
_STREET_STYLE = {"color": "#8a8a8a", "weight": 1.5, "opacity": 0.55}


def _esc(value: object) -> str:
    """HTML-escape ``value`` for element text or a quoted attribute.

    Braces become character references too (they look the same in HTML):
    folium runs generated scripts through Jinja a second time, so a name
    containing ``{{ ... }}`` would otherwise be evaluated on the server.
    """
    return html.escape(str(value), quote=True).replace("{", "&#123;").replace("}", "&#125;")


_JINJA_OPENER = re.compile(r"\{(?=[{%#])")


def _js(value: object) -> str:
    """``value`` as a JavaScript literal that is safe inside an inline ``<script>``.

    Compact JSON. ``<`` and ``>`` are escaped, so no string can close the
    script element, and so are the JavaScript line separators. A ``{`` that
    would open a Jinja tag (``{{``, ``{%``, ``{#``) is escaped as well: JSON
    syntax never produces those pairs, so they can only occur inside strings,
    where ``\\u007b`` means the same character.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )
    return _JINJA_OPENER.sub(r"\\u007b", text)


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, (str, bool, int)):
        return False
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and other containers
        return False


def _flag(value: object) -> bool | None:
    """A yes/no value from a frame: bool, numpy bool, 0/1 or spreadsheet text; else None."""
    if _missing(value):
        return None
    if isinstance(value, str):
        try:
            return parse_bool(value, field="resident_led")
        except ValidationError:
            return None
    return bool(value)


def _text(value: object) -> str:
    return "" if _missing(value) else str(value).strip()


def _truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters plus an ellipsis, at a word if one is near."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space >= limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-\n") + "\u2026"


class _Styles(MacroElement):
    """The map's CSS, in the document head (streamlit-folium keeps inline styles)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>{{ this.css }}</style>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "AbcdStyles"
        size = _PIN_SIZE
        self.css = (
            ".abcd-pin{background:none;border:none}"
            ".abcd-glyph{display:flex;align-items:center;justify-content:center;box-sizing:border-box;"
            f"width:{size}px;height:{size}px;border-radius:50%;border:2px solid #fff;"
            "box-shadow:0 1px 3px rgba(0,0,0,.5);font:bold 14px/1 'DejaVu Sans','Segoe UI Symbol',"
            "'Noto Sans Symbols 2','Noto Sans Symbols','Apple Symbols','Arial Unicode MS',sans-serif}"
            ".abcd-pin-example .abcd-glyph{border:2px dashed #111;opacity:.85}"
            ".abcd-pin:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px;border-radius:50%}"
            ".abcd-sr{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;"
            "clip:rect(0 0 0 0);white-space:nowrap;border:0}"
            ".abcd-legend{background:rgba(255,255,255,.94);padding:6px 9px;border-radius:6px;"
            "box-shadow:0 1px 4px rgba(0,0,0,.35);font:12px/1.35 system-ui,-apple-system,'Segoe UI',"
            "Roboto,sans-serif;color:#222;max-height:45vh;overflow:auto;max-width:240px}"
            ".abcd-legend summary{font-weight:600;cursor:pointer}"
            ".abcd-legend ul{list-style:none;margin:4px 0 0;padding:0}"
            ".abcd-legend li{display:flex;align-items:center;gap:6px;margin:3px 0}"
            ".abcd-legend .abcd-glyph{width:20px;height:20px;font-size:11px;border-width:1.5px;flex:none;"
            "box-shadow:none}"
            ".abcd-legend .abcd-glyph-example{background:#fff;border:1.5px dashed #111;color:#111}"
            ".abcd-line{display:inline-block;width:20px;flex:none;border-top:3px dashed #222}"
            ".abcd-line-streets{border-top:2px solid #8a8a8a}"
            ".abcd-popup{font:13px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:260px}"
            ".abcd-popup-name{font-weight:600;font-size:14px}"
            ".abcd-popup-example{display:inline-block;margin:3px 0;padding:1px 6px;border:1.5px dashed #111;"
            "border-radius:4px;font-weight:600}"
            ".abcd-popup-cat{display:inline-block;margin:3px 0;padding:1px 6px;border-radius:4px}"
            ".abcd-popup-desc{margin:4px 0;white-space:pre-line}"
            ".abcd-popup-meta{color:#444;font-size:12px}"
            ".abcd-tip-example{font-style:italic}"
            ".abcd-locate a{font-size:18px;line-height:30px;width:34px;height:34px;text-align:center}"
            ".leaflet-container .leaflet-control-attribution{font-size:11px;line-height:1.35;white-space:normal;"
            "max-width:min(calc(100% - 20px),640px);margin-left:0}"
        )


class _LocalAssets(MacroElement):
    """Tells Leaflet where the vendored marker images are (else they 404)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.Icon.Default.imagePath = {{ this.image_path_js }};
        {% endmacro %}
        """
    )

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self._name = "AbcdLocalAssets"
        self.base_url = base_url
        self.image_path = f"{base_url}/{_LEAFLET_IMAGES}"
        self.image_path_js = _js(self.image_path)


class _Attribution(MacroElement):
    """Adds a line to Leaflet's attribution control, which stays on the map without tiles.

    The control moves to the bottom left, under the scale and the legend, so
    the long CBS/OSM line never covers the legend on a narrow map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        ({{ this._parent.get_name() }}.attributionControl
            || L.control.attribution().addTo({{ this._parent.get_name() }})
        ).setPosition("bottomleft").addAttribution({{ this.text_js }});
        {% endmacro %}
        """
    )

    def __init__(self, text_html: str) -> None:
        super().__init__()
        self._name = "AbcdAttribution"
        self.text_html = text_html
        self.text_js = _js(text_html)


class _MetricScale(MacroElement):
    """A scale bar in metres only."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "AbcdMetricScale"


class _Legend(MacroElement):
    """A Leaflet control holding prebuilt, escaped legend HTML; starts folded on a phone-sized map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "abcd-legend");
                div.innerHTML = {{ this.html_js }};
                var details = div.querySelector("details");
                if (details && {{ this._parent.get_name() }}.getSize().x < 480) { details.open = false; }
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, legend_html: str) -> None:
        super().__init__()
        self._name = "AbcdLegend"
        self.legend_html = legend_html
        self.html_js = _js(legend_html)


class _RawScript(Element):
    """Script text that goes into the page as is, never parsed as a Jinja template."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code

    def render(self, **kwargs: Any) -> str:
        return self.code


class _DataLayer(folium.map.Layer):
    """A layer whose script embeds data; rendered without folium's second Jinja pass.

    branca wraps each generated script in a new Jinja template and renders it
    again. For a layer holding thousands of features that costs about 0.1 s
    per megabyte, and it would evaluate any ``{{ ... }}`` in the data on the
    server. This does what ``Layer.render`` and ``MacroElement.render`` do,
    minus that pass. (``st_folium`` calls the ``script`` macro directly.)
    """

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as MacroElement.render
        figure = self.get_root()
        if self._parent is None or not isinstance(figure, Figure):
            msg = f"{type(self).__name__} can only be rendered on a map in a Figure"
            raise TypeError(msg)
        if self.show:
            self.add_child(
                ElementAddToElement(element_name=self.get_name(), element_parent_name=self._parent.get_name()),
                name=self.get_name() + "_add",
            )
        script = self._template.module.script(self, kwargs)
        figure.script.add_child(_RawScript(str(script)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _LineLayer(_DataLayer):
    """Lines or an outline drawn from GeoJSON, styled, and deaf to clicks."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.data_js }}, {{ this.options_js }});
        {% endmacro %}
        """
    )

    def __init__(self, geometry: BaseGeometry, *, name: str, style: Mapping[str, Any]) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "LineLayer"
        self.geometry = geometry
        self.data_js = _js(mapping(geometry))
        self.options_js = _js({"style": dict(style), "interactive": False, "smoothFactor": 1.5})

    def _get_self_bounds(self) -> list[list[float | None]]:
        minx, miny, maxx, maxy = self.geometry.bounds
        return [[miny, minx], [maxy, maxx]]


class _CoverageLayer(_DataLayer):
    """Street segments coloured by gap class, with a pre-escaped tooltip each."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.data_js }}, {
            style: function (f) {
                var c = {{ this.colors_js }}[f.properties.c];
                return {color: c, weight: 5, opacity: 0.9};
            },
            onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.t, {sticky: true}); }
        });
        {% endmacro %}
        """
    )

    def __init__(self, features: list[dict[str, Any]], *, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "CoverageLayer"
        self.data_js = _js({"type": "FeatureCollection", "features": features})
        self.colors_js = _js(GAP_COLORS)


class _Locate(MacroElement):
    """A "my location" button: the phone's GPS position becomes a map click.

    Firing Leaflet's own ``click`` event at the found position means
    ``st_folium`` reports it as ``last_clicked``, exactly like a tap, so the
    page needs no second code path (and no extra component) for GPS.
    Browsers allow geolocation only on https or localhost.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var control = L.control({position: "topleft"});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", "leaflet-bar abcd-locate");
                var button = L.DomUtil.create("a", "", div);
                button.href = "#";
                button.setAttribute("role", "button");
                button.title = {{ this.label_js }};
                button.setAttribute("aria-label", {{ this.label_js }});
                button.innerHTML = '<svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" '
                    + 'style="vertical-align:middle"><circle cx="12" cy="12" r="4" fill="#1d4ed8"/>'
                    + '<circle cx="12" cy="12" r="8" fill="none" stroke="#1d4ed8" stroke-width="2"/>'
                    + '<path d="M12 1v4M12 19v4M1 12h4M19 12h4" stroke="#1d4ed8" stroke-width="2"/></svg>';
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.on(button, "click", function (event) {
                    L.DomEvent.preventDefault(event);
                    map.locate({setView: true, maxZoom: 18, enableHighAccuracy: true, timeout: 15000});
                });
                return div;
            };
            control.addTo(map);
            map.on("locationfound", function (event) {
                map.fire("click", {latlng: event.latlng});
            });
            map.on("locationerror", function () {
                L.popup().setLatLng(map.getCenter()).setContent({{ this.failed_js }}).openOn(map);
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, label: str, failed: str) -> None:
        super().__init__()
        self._name = "AbcdLocate"
        self.label_js = _js(_esc(label))
        self.failed_js = _js(_esc(failed))


class _AssetScript(MacroElement):
    """Defines ``abcdAssetLayer(text, data)`` once per page; every category layer calls it.

    ``data`` is a FeatureCollection whose properties are short and
    pre-escaped: ``id``, ``n`` (name), ``d`` (description preview), ``s``
    (source code), ``e`` (1 for examples), ``r`` (1/0 resident-led, for
    initiatives) and ``m`` (role, for meeting places). ``text`` holds the
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
                h += '<div><span class="abcd-popup-cat" style="' + text.chip + '">' + text.category + '</span></div>';
                if (p.r === 1) { h += '<div>' + text.led + '</div>'; }
                if (p.r === 0) { h += '<div>' + text.notLed + '</div>'; }
                if (p.m) { h += '<div>' + text.role + ': ' + label(text.roles, p.m) + '</div>'; }
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
                            className: p.e ? "abcd-pin abcd-pin-example" : "abcd-pin",
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


class _AssetLayer(_DataLayer):
    """One category's assets: an ``L.geoJson`` layer of divIcon markers (see :class:`_AssetScript`)."""

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
        self.data_js = _js(self.data)
        self.text_js = _js({**text, "size": _PIN_SIZE})

    def _get_self_bounds(self) -> list[list[float | None]]:
        coords = [f["geometry"]["coordinates"] for f in self.features]
        if not coords:
            return [[None, None], [None, None]]
        lons = [c[0] for c in coords]
        lats = [c[1] for c in coords]
        return [[min(lats), min(lons)], [max(lats), max(lons)]]


def _to_wgs84(frame: Any) -> Any:
    crs = getattr(frame, "crs", None)
    if crs is not None and not crs.equals(WGS84):
        return frame.to_crs(WGS84)
    return frame


def _round_geometry(geom: BaseGeometry) -> BaseGeometry:
    # Six decimals is about 0.1 m: finer than any source we draw, and a third
    # of the characters of a full double.
    return shapely.transform(geom, lambda xy: xy.round(6))


def _asset_features(assets: Any) -> dict[str, list[dict[str, Any]]]:
    """Per category code, the GeoJSON features of ``assets`` in input order."""
    by_category: dict[str, list[dict[str, Any]]] = {code: [] for code in CATEGORY_STYLE}
    if assets is None or len(assets) == 0:
        return by_category
    missing = [c for c in ("id", "name", "category") if c not in assets.columns]
    if missing or not hasattr(assets, "geometry"):
        msg = f"The asset frame lacks {', '.join(missing) or 'a geometry column'}; it has {list(assets.columns)}"
        raise ValueError(msg)
    frame = _to_wgs84(assets)
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
    for x, y, asset_id, name, category, description, source, led, role in zip(
        xs,
        ys,
        column("id"),
        column("name"),
        column("category"),
        column("description"),
        column("source"),
        column("resident_led"),
        column("meeting_place_role"),
        strict=True,
    ):
        props: dict[str, Any] = {"id": _text(asset_id), "n": _esc(_text(name))}
        preview = _truncate(_text(description), DESCRIPTION_PREVIEW)
        if preview:
            props["d"] = _esc(preview)
        source_code = _text(source).lower()
        if source_code in sources:
            props["s"] = source_code
        if source_code == Source.EXAMPLE.value:
            props["e"] = 1
        code = str(category)
        resident_led = _flag(led)
        if code == Category.INITIATIVE.value and resident_led is not None:
            props["r"] = int(resident_led)
        role_code = _text(role).lower()
        if code == Category.MEETING_PLACE.value and role_code in roles:
            props["m"] = role_code
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
        "category": _esc(t(f"category.{code}", lang)),
        "chip": f"background:{style.color};color:{style.text}",
        "glyph": _glyph_html(style),
        "example": _esc(t("map.example", lang)),
        "source": _esc(t("map.source", lang)),
        "sources": {s.value: _esc(t(f"source.{s.value}", lang)) for s in Source},
    }
    if code == Category.INITIATIVE.value:
        text["led"] = _esc(t("map.resident_led", lang))
        text["notLed"] = _esc(t("map.not_resident_led", lang))
    if code == Category.MEETING_PLACE.value:
        text["role"] = _esc(t("field.meeting_place_role", lang))
        text["roles"] = {r.value: _esc(t(f"role.{r.value}", lang)) for r in MeetingPlaceRole}
    return text


def _glyph_html(style: CategoryStyle) -> str:
    return (
        '<span class="abcd-glyph" aria-hidden="true" '
        f'style="background:{_esc(style.color)};color:{_esc(style.text)}">{_esc(style.glyph)}</span>'
    )


def _legend_html(lang: Lang, *, examples: bool, boundary: bool, streets: bool) -> str:
    """The legend: every category, then the example marking and the lines drawn."""
    rows = [
        f"<li>{_glyph_html(CATEGORY_STYLE[c.value])}<span>{_esc(t(f'category.{c.value}', lang))}</span></li>"
        for c in Category
        if c is not Category.PERSON  # residents are never points on a map (counted per buurt instead)
    ]
    if examples:
        rows.append(
            '<li><span class="abcd-glyph abcd-glyph-example" aria-hidden="true">?</span>'
            f"<span>{_esc(t('map.example', lang))}</span></li>"
        )
    if boundary:
        rows.append(
            f'<li><span class="abcd-line" aria-hidden="true"></span><span>{_esc(t("map.boundary", lang))}</span></li>'
        )
    if streets:
        rows.append(
            '<li><span class="abcd-line abcd-line-streets" aria-hidden="true"></span>'
            f"<span>{_esc(t('map.streets', lang))}</span></li>"
        )
    title = _esc(t("map.legend", lang))
    return f'<details open><summary>{title}</summary><ul aria-label="{title}">{"".join(rows)}</ul></details>'


def _streets_geometry(streets: Any) -> BaseGeometry | None:
    """All street lines as one rounded geometry: one feature, no properties, least JSON."""
    if streets is None:
        return None
    if isinstance(streets, BaseGeometry):
        geoms = shapely.get_parts([streets])
    else:
        geoms = shapely.get_parts(_to_wgs84(streets).geometry.to_numpy())
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) == 0:
        return None
    if (shapely.get_type_id(geoms) == 1).all():  # all LineStrings
        return _round_geometry(shapely.multilinestrings(geoms))
    return _round_geometry(shapely.GeometryCollection(list(geoms)))


def _view(
    boundary: BaseGeometry | None,
    features: Iterable[dict[str, Any]],
    center: tuple[float, float] | None,
    zoom: int | None,
) -> tuple[tuple[float, float], int, tuple[float, float, float, float] | None]:
    """Initial (lon, lat) centre, zoom and, when fitting, the bounds to fit."""
    if center is not None:
        lon, lat = float(center[0]), float(center[1])
        check_lonlat(lon, lat)
        return (lon, lat), _POINT_ZOOM if zoom is None else int(zoom), None
    if boundary is not None and not boundary.is_empty:
        bounds = tuple(float(v) for v in boundary.bounds)
    else:
        coords = [f["geometry"]["coordinates"] for f in features]
        if not coords:
            (lon, lat), default_zoom = _DEFAULT_VIEW
            return (lon, lat), default_zoom if zoom is None else int(zoom), None
        lons, lats = [c[0] for c in coords], [c[1] for c in coords]
        bounds = (min(lons), min(lats), max(lons), max(lats))
    minx, miny, maxx, maxy = bounds
    middle = ((minx + maxx) / 2, (miny + maxy) / 2)
    if zoom is not None:
        return middle, int(zoom), None
    if maxx - minx < 1e-4 and maxy - miny < 1e-4:  # one point, or a few on top of each other
        return middle, _POINT_ZOOM, None
    return middle, _DEFAULT_VIEW[1], (minx, miny, maxx, maxy)


def asset_map(
    assets: Any,
    *,
    boundary: BaseGeometry | None = None,
    streets: Any = None,
    lang: Lang = "nl",
    assets_base_url: str = VENDOR_URL,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    tiles: bool = True,
) -> folium.Map:
    """A map of ``assets`` with the wijk ``boundary``, its ``streets``, a legend and layer toggles.

    Parameters
    ----------
    assets
        GeoDataFrame of points (reprojected to WGS84 if needed) with at least
        ``id``, ``name`` and ``category``; ``description``, ``source``,
        ``resident_led`` and ``meeting_place_role`` are shown when present.
        ``None`` or an empty frame draws the wijk alone.
    boundary
        The wijk outline in WGS84, drawn as a line that does not catch clicks.
    streets
        A GeoDataFrame (or shapely geometry) of street lines, drawn faintly.
    lang
        Language of every label on the map.
    assets_base_url
        URL under which ``static/vendor`` is served (see :func:`use_local_assets`).
    center, zoom
        Initial view as **(lon, lat)** and a Leaflet zoom level. Without
        either, the map fits the boundary (else the assets).
    tiles
        Whether to show OpenStreetMap tiles; the map works without them.

    Each category is its own layer (named with its label and count), so the
    layer control can hide categories. Every feature carries the asset ``id``
    in its properties: :func:`clicked_asset_id` reads it back from ``st_folium``.

    >>> m = asset_map(None, tiles=False, lang="en")
    >>> "Legend" in m.get_root().render()
    True
    """
    lang = lang if lang in LANGUAGES else normalise_lang(lang)
    by_category = _asset_features(assets)
    all_features = [f for features in by_category.values() for f in features]
    m = base_map(
        boundary=boundary,
        streets=streets,
        lang=lang,
        assets_base_url=assets_base_url,
        center=center,
        zoom=zoom,
        tiles=tiles,
        examples=any(f["properties"].get("e") for f in all_features),
        fit_features=all_features,
    )
    for group in _category_groups(by_category, lang):
        group.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def base_map(
    *,
    boundary: BaseGeometry | None = None,
    streets: Any = None,
    lang: Lang = "nl",
    assets_base_url: str = VENDOR_URL,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    tiles: bool = True,
    examples: bool = False,
    fit_features: list[dict[str, Any]] | None = None,
) -> folium.Map:
    """The wijk map without assets: tiles, streets, boundary, legend, scale and attribution.

    A page shows it with ``st_folium`` and passes the assets as
    ``feature_group_to_add=asset_layers(...)`` (with
    ``layer_control=layer_control()``): the base map then stays the same
    while assets are added or filtered, so the component is not remounted and
    the user's view does not jump. ``examples`` adds the example row to the legend.

    >>> m = base_map(tiles=False, lang="en")
    >>> "Legend" in m.get_root().render()
    True
    """
    lang = lang if lang in LANGUAGES else normalise_lang(lang)
    if boundary is not None and not isinstance(boundary, BaseGeometry):
        msg = f"boundary must be a shapely geometry in WGS84, not {type(boundary).__name__}"
        raise TypeError(msg)
    (lon, lat), zoom_start, fit = _view(boundary, fit_features or [], center, zoom)

    m = folium.Map(
        location=[round(lat, 6), round(lon, 6)],
        zoom_start=zoom_start,
        tiles=None,
        max_zoom=_MAX_ZOOM,
        font_size="0.875rem",
    )
    root = m.get_root()
    if isinstance(root, Figure):
        root.title = _esc(t("app.title", lang))  # the tab title of a standalone export
    use_local_assets(m, assets_base_url)
    _Styles().add_to(m)
    if tiles:
        folium.TileLayer(
            "OpenStreetMap",
            name=_esc(t("map.tiles", lang)),
            overlay=True,
            control=True,
            max_zoom=_MAX_ZOOM,
        ).add_to(m)

    street_geom = _streets_geometry(streets)
    if street_geom is not None:
        _LineLayer(street_geom, name=_esc(t("map.streets", lang)), style=_STREET_STYLE).add_to(m)
    if boundary is not None and not boundary.is_empty:
        _LineLayer(_round_geometry(boundary), name=_esc(t("map.boundary", lang)), style=_BOUNDARY_STYLE).add_to(m)

    _AssetScript().add_to(m)
    # Bottom-left corner, from the bottom up: attribution, scale, legend.
    _Attribution(_esc(t("map.attribution", lang))).add_to(m)
    _MetricScale().add_to(m)
    _Legend(
        _legend_html(
            lang,
            examples=examples,
            boundary=boundary is not None and not boundary.is_empty,
            streets=street_geom is not None,
        )
    ).add_to(m)
    _Locate(t("map.locate", lang), t("map.locate_failed", lang)).add_to(m)
    if fit is not None:
        minx, miny, maxx, maxy = fit
        m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(12, 12))
    return m


def _category_groups(
    by_category: dict[str, list[dict[str, Any]]], lang: Lang, *, interactive: bool = True
) -> list[folium.FeatureGroup]:
    groups = []
    for code, features in by_category.items():
        if not features:
            continue
        name = f"{_esc(t(f'category.{code}', lang))} ({len(features)})"
        group = folium.FeatureGroup(name=name, overlay=True, control=True, show=True)
        text = {**_layer_text(code, lang), "passive": not interactive}
        _AssetLayer(features, name=name, text=text).add_to(group)
        groups.append(group)
    return groups


GAP_COLORS = {"needs_support": "#D55E00", "below_average": "#E69F00", "at_or_above": "#009E73"}
"""Gap classes of a street segment (Okabe-Ito: vermilion, orange, bluish green)."""


def gap_class(needs_support: bool, below_average: bool) -> str:
    """The colour class of a segment: no initiative within reach, below the wijk's average, or at/above it."""
    if needs_support:
        return "needs_support"
    return "below_average" if below_average else "at_or_above"


def coverage_layers(coverage: Any, *, lang: Lang = "nl", name_column: str = "name") -> list[folium.FeatureGroup]:
    """The gap map's street layer (from :func:`abcd.gaps.street_coverage`) for ``feature_group_to_add``.

    Each segment is coloured by :func:`gap_class` and has a tooltip with its
    street name and how many resident initiatives are within reach.

    >>> coverage_layers(None)
    []
    """
    if coverage is None or len(coverage) == 0:
        return []
    frame = _to_wgs84(coverage)
    names = frame[name_column] if name_column in frame.columns else pd.Series([None] * len(frame), index=frame.index)
    features = []
    for geom, name, count, needs, below in zip(
        frame.geometry, names, frame["initiatives"], frame["needs_support"], frame["below_average"], strict=True
    ):
        if geom is None or geom.is_empty:
            continue
        label = _text(name) or t("gaps.unnamed", lang)
        tip = f"{_esc(label)}: {_esc(t('gaps.tooltip', lang, n=int(count)))}"
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(_round_geometry(geom)),
                "properties": {"c": gap_class(bool(needs), bool(below)), "t": tip},
            }
        )
    group = folium.FeatureGroup(name=_esc(t("gaps.layer", lang)), overlay=True, control=True, show=True)
    _CoverageLayer(features, name=_esc(t("gaps.layer", lang))).add_to(group)
    return [group]


def add_gap_legend(m: folium.Map, *, lang: Lang = "nl") -> folium.Map:
    """Add the legend of the three gap classes to a map (top right, beside the layer control)."""
    rows = "".join(
        f'<li><span class="abcd-line" style="border-top:5px solid {color}" aria-hidden="true"></span>'
        f"<span>{_esc(t(f'gaps.class.{code}', lang))}</span></li>"
        for code, color in GAP_COLORS.items()
    )
    title = _esc(t("gaps.legend", lang))
    _Legend(f'<details open><summary>{title}</summary><ul aria-label="{title}">{rows}</ul></details>').add_to(m)
    return m


def asset_layers(assets: Any, *, lang: Lang = "nl", interactive: bool = True) -> list[folium.FeatureGroup]:
    """One feature group per category that has assets, for ``st_folium(feature_group_to_add=...)``.

    ``interactive=False`` draws the pins without tooltips or popups and lets
    taps through to the map: on the add page a tap near a pin must place the
    new asset, not open the pin (phones move a tap onto nearby clickable things).

    >>> asset_layers(None)
    []
    """
    lang = lang if lang in LANGUAGES else normalise_lang(lang)
    return _category_groups(_asset_features(assets), lang, interactive=interactive)


def layer_control() -> folium.LayerControl:
    """The layer control to pass to ``st_folium`` with :func:`asset_layers`, so categories can be toggled."""
    return folium.LayerControl(collapsed=True)


def use_local_assets(m: folium.Map, base_url: str = VENDOR_URL) -> folium.Map:
    """Make ``m`` load its JavaScript and CSS from ``base_url`` instead of CDNs.

    Sets the map's own resource lists on the instance (folium's class-level
    defaults stay untouched for anyone else), drops folium's jQuery,
    Bootstrap and icon-font links that these maps do not use, removes CDN
    links an earlier render left in the document head, and points
    ``L.Icon.Default.imagePath`` at the vendored marker images. Calling it
    again with another ``base_url`` re-points everything.

    Raises ``ValueError`` if an element of the map (a folium plugin, say)
    loads a file from the internet that is not vendored in ``static/vendor``.
    """
    base = base_url.rstrip("/")
    m.default_js = [(name, f"{base}/{path}") for name, path in _VENDORED_JS.items()]
    m.default_css = [(name, f"{base}/{path}") for name, path in _VENDORED_CSS.items()]
    for element in _descendants(m):
        if element is m or not isinstance(element, JSCSSMixin):
            continue
        element.default_js = _localised(element, element.default_js, _VENDORED_JS, base)
        element.default_css = _localised(element, element.default_css, _VENDORED_CSS, base)
    root = m.get_root()
    if isinstance(root, Figure):
        header = root.header._children
        for key in [k for k, child in header.items() if isinstance(child, (JavascriptLink, CssLink))]:
            del header[key]  # the next render adds exactly the links set above
    m.add_child(_LocalAssets(base), name="abcd_local_assets")
    return m


def _descendants(element: Element) -> Iterable[Element]:
    yield element
    for child in element._children.values():
        yield from _descendants(child)


def _localised(
    element: Element, links: list[tuple[str, str]], vendored: Mapping[str, str], base: str
) -> list[tuple[str, str]]:
    out = []
    for name, url in links:
        if name in vendored:
            out.append((name, f"{base}/{vendored[name]}"))
        elif re.match(r"(?i)^(https?:)?//", url):
            msg = (
                f"{type(element).__name__} loads {url} from the internet; vendor it in static/vendor "
                f"(see static/vendor/README.md) or leave it out. Vendored: {', '.join([*_VENDORED_JS, *_VENDORED_CSS])}"
            )
            raise ValueError(msg)
        else:
            out.append((name, url))
    return out


def standalone_html(m: folium.Map) -> str:
    """One self-contained HTML document of ``m`` with the vendored JavaScript and CSS inlined.

    Opens from disk with no server and no internet: only the background tiles
    need a connection. Leaflet's images are inlined as data URIs. Raises
    ``ValueError`` if the map still links a file that is not vendored.
    """
    local = m._children.get("abcd_local_assets")
    if not isinstance(local, _LocalAssets):
        use_local_assets(m)
        local = m._children["abcd_local_assets"]
    assert isinstance(local, _LocalAssets)
    base = local.base_url.rstrip("/") + "/"
    document = m.get_root().render()

    def vendored_text(url: str) -> str:
        if not url.startswith(base):
            msg = f"The map links {url}, which is not in static/vendor (served at {base}); cannot inline it"
            raise ValueError(msg)
        path = (VENDOR_DIR / url[len(base) :]).resolve()
        if VENDOR_DIR.resolve() not in path.parents or not path.is_file():
            msg = f"{url} is not a vendored file under {VENDOR_DIR}"
            raise ValueError(msg)
        return path.read_text(encoding="utf-8")

    def script(match: re.Match[str]) -> str:
        code = vendored_text(html.unescape(match.group(1)))
        code = re.sub(r"^//# sourceMappingURL=.*$", "", code, flags=re.MULTILINE)
        return "<script>" + re.sub(r"(?i)</(script)", r"<\\/\1", code) + "</script>"

    def stylesheet(match: re.Match[str]) -> str:
        url = html.unescape(match.group(1))
        css = vendored_text(url)
        folder = url[len(base) :].rsplit("/", 1)[0]
        css = re.sub(r"url\((images/[\w.-]+\.png)\)", lambda u: f"url({_data_uri(folder + '/' + u.group(1))})", css)
        return "<style>" + re.sub(r"(?i)</(style)", r"<\\/\1", css) + "</style>"

    document = re.sub(r'<script src="([^"]*)"></script>', script, document)
    document = re.sub(r'<link rel="stylesheet" href="([^"]*)"/>', stylesheet, document)
    # Default marker images as data URIs: Leaflet builds their URL as
    # imagePath + file name, so the prefix goes into imagePath.
    icons = {
        "imagePath": "data:image/png;base64,",
        "iconUrl": _png_base64(f"{_LEAFLET_IMAGES}marker-icon.png"),
        "iconRetinaUrl": _png_base64(f"{_LEAFLET_IMAGES}marker-icon-2x.png"),
        "shadowUrl": _png_base64(f"{_LEAFLET_IMAGES}marker-shadow.png"),
    }
    document = document.replace(
        f"L.Icon.Default.imagePath = {local.image_path_js};",
        f'L.Icon.Default.imagePath = "data:image/png;base64,"; L.Icon.Default.mergeOptions({_js(icons)});',
    )
    return document


def _png_base64(relative: str) -> str:
    return base64.b64encode((VENDOR_DIR / relative).read_bytes()).decode("ascii")


def _data_uri(relative: str) -> str:
    return "data:image/png;base64," + _png_base64(relative)


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
    text = _esc(label)
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


def clicked_asset_id(result: Mapping[str, Any] | None) -> str | None:
    """The ``id`` of the last asset clicked, from an ``st_folium`` result, or ``None``.

    streamlit-folium 0.27 puts the clicked GeoJSON feature in
    ``last_active_drawing``; ``last_object_clicked`` only holds its lat/lng,
    but is read too in case a later version adds the feature there. The value
    comes from the browser: look it up in the store, do not trust it further.

    >>> clicked_asset_id({"last_active_drawing": {"type": "Feature",
    ...     "properties": {"id": "a3c9"}, "geometry": None}})
    'a3c9'
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
    return None


def new_click(result: Mapping[str, Any] | None, previous: Mapping[str, Any] | None) -> Literal["asset", "point"] | None:
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
    if clicked_asset_id(now) is not None and (
        now.get("last_object_clicked_count") != then.get("last_object_clicked_count")
        or now.get("last_active_drawing") != then.get("last_active_drawing")
    ):
        return "asset"
    point = clicked_point(now)
    if point is not None and point != clicked_point(then):
        return "point"
    return None


__all__ = [
    "CATEGORY_STYLE",
    "DESCRIPTION_PREVIEW",
    "LEAFLET_VERSION",
    "ST_FOLIUM_RETURNED_OBJECTS",
    "VENDOR_DIR",
    "VENDOR_URL",
    "CategoryStyle",
    "asset_map",
    "clicked_asset_id",
    "clicked_point",
    "marker_layer",
    "new_click",
    "standalone_html",
    "use_local_assets",
]
