"""Leaflet elements the maps share, and the small geometry helpers every layer uses.

Every element embeds its data with :func:`abcd._html.js_literal` and its
labels pre-escaped with :func:`abcd._html.escape`; no element takes branca's
second Jinja pass over its output (:mod:`abcd.maps.single_pass`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import folium
import shapely
from branca.element import Element, MacroElement
from folium.template import Template
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from abcd._html import escape, js_literal
from abcd.model import WGS84
from abcd.styles import PIN_OUTLINE, CategoryStyle

PIN_SIZE = 26  # px; large enough to tap on a phone


class Styles(MacroElement):
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
        size = PIN_SIZE
        self.css = (
            ".abcd-pin{background:none;border:none}"
            ".abcd-glyph{display:flex;align-items:center;justify-content:center;box-sizing:border-box;"
            f"width:{size}px;height:{size}px;border-radius:50%;border:2px solid #fff;"
            # A dark ring outside the white border: 3:1 against any light basemap, whatever the fill (WCAG 1.4.11).
            f"box-shadow:0 0 0 1.5px {PIN_OUTLINE},0 1px 3px rgba(0,0,0,.5);"
            "font:bold 14px/1 'DejaVu Sans','Segoe UI Symbol',"
            "'Noto Sans Symbols 2','Noto Sans Symbols','Apple Symbols','Arial Unicode MS',sans-serif}"
            ".abcd-pin-example .abcd-glyph{border:2px dashed #111;opacity:.85}"
            ".abcd-pin-stale .abcd-glyph{filter:grayscale(1);opacity:.55}"
            ".abcd-popup-stale{font-weight:600;color:#5c5c5c}"
            ".abcd-popup-photo img{display:block;margin:4px 0;border-radius:4px}"
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
            # Thumbs need 44 px: the zoom buttons, the layer switch and "mijn locatie" (WCAG 2.5.5).
            ".leaflet-touch .leaflet-bar a,.leaflet-bar a{width:44px;height:44px;line-height:44px;font-size:22px}"
            ".leaflet-touch .leaflet-control-layers-toggle{width:44px;height:44px}"
            ".abcd-locate a{font-size:22px;line-height:44px;width:44px;height:44px;text-align:center}"
            ".leaflet-container .leaflet-control-attribution{font-size:11px;line-height:1.35;white-space:normal;"
            "max-width:min(calc(100% - 20px),640px);margin-left:0}"
        )


class Attribution(MacroElement):
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
        self.text_js = js_literal(text_html)


class FitArea(folium.FitBounds):
    """Fit the map to an area at once, and again whenever the map's size changes before anyone has moved it.

    At once: an animated zoom from the starting zoom would fetch two zoom levels' tiles, force a layout and
    draw the pins twice while a phone is still busy with its first frame. Again: the map narrows when the
    page's sidebar arrives after it (the Kaart page's first run draws the map alone, ``abcd.ui.map_first``)
    and changes shape when a phone turns; until someone touches the map it should still show the whole area.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, bounds, options) {
            map.fitBounds(bounds, options);
            var touched = false;
            ["pointerdown", "touchstart", "wheel", "keydown"].forEach(function (type) {
                map.getContainer().addEventListener(type, function () { touched = true; }, {passive: true});
            });
            map.on("resize", function () { if (!touched) { map.fitBounds(bounds, options); } });
        })({{ this._parent.get_name() }}, {{ this.bounds|tojson }}, {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list[list[float]], padding: tuple[int, int]) -> None:
        super().__init__(bounds, padding=padding)
        self.options["animate"] = False


class MetricScale(MacroElement):
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


class Legend(MacroElement):
    """A Leaflet control holding prebuilt, escaped legend HTML; starts folded on a phone-sized or short map
    (the add page's), where it would cover the zoom and "mijn locatie" buttons."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "abcd-legend");
                div.innerHTML = {{ this.html_js }};
                var details = div.querySelector("details");
                var size = {{ this._parent.get_name() }}.getSize();  // folded where it would cover the controls
                if (details && (size.x < 480 || size.y < 450)) { details.open = false; }
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
        self.html_js = js_literal(legend_html)


class RawScript(Element):
    """Script text that goes into the page as is, never parsed as a Jinja template."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code

    def render(self, **kwargs: Any) -> str:
        return self.code


class ClassedLines(folium.map.Layer):
    """Lines styled by their class (``properties.c``), each with a pre-escaped tooltip (``properties.t``).

    The one layer of the gap map, the effort plan, the walk log and the connections
    (built with :func:`line_feature` and :func:`classed_lines_group`):
    ``styles`` maps every class to a Leaflet path style.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.data_js }}, {
            style: function (f) { return {{ this.styles_js }}[f.properties.c]; },
            onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.t, {sticky: true}); }
        });
        {% endmacro %}
        """
    )

    def __init__(self, features: list[dict[str, Any]], *, name: str, styles: Mapping[str, Mapping[str, Any]]) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "ClassedLines"
        self.data_js = js_literal({"type": "FeatureCollection", "features": features})
        self.styles_js = js_literal({code: dict(style) for code, style in styles.items()})


def line_feature(geometry: BaseGeometry, code: str, tip: str) -> dict[str, Any]:
    """One line of a :class:`ClassedLines` layer: its class ``code`` and its tooltip ``tip`` (already escaped)."""
    return {"type": "Feature", "geometry": mapping(round_geometry(geometry)), "properties": {"c": code, "t": tip}}


def classed_lines_group(
    features: list[dict[str, Any]], *, name: str, styles: Mapping[str, Mapping[str, Any]], show: bool = True
) -> folium.FeatureGroup:
    """A feature group (for ``feature_group_to_add``) holding one :class:`ClassedLines` layer named ``name``."""
    group = folium.FeatureGroup(name=name, overlay=True, control=True, show=show)
    ClassedLines(features, name=name, styles=styles).add_to(group)
    return group


def path_styles(styles: Mapping[str, Mapping[str, Any]], *, opacity: float) -> dict[str, dict[str, Any]]:
    """Leaflet path styles (colour, weight, dashes, ``opacity``) of line classes that also carry a legend ``border``."""
    keys = ("color", "weight", "dashArray")
    return {code: {**{k: style[k] for k in keys}, "opacity": opacity} for code, style in styles.items()}


def add_line_legend(m: folium.Map, *, title: str, rows: Iterable[tuple[str, str]]) -> folium.Map:
    """A folding legend of line classes: ``rows`` are (CSS ``border-top`` value, label); both texts are escaped here."""
    items = "".join(
        f'<li><span class="abcd-line" style="border-top:{escape(border)}" aria-hidden="true"></span>'
        f"<span>{escape(label)}</span></li>"
        for border, label in rows
    )
    heading = escape(title)
    Legend(f'<details open><summary>{heading}</summary><ul aria-label="{heading}">{items}</ul></details>').add_to(m)
    return m


def legend_border(style: Mapping[str, Any]) -> str:
    """The CSS ``border-top`` that draws a line class in a legend: its weight, ``border`` style and colour."""
    return f"{style['weight']}px {style['border']} {style['color']}"


class LineLayer(folium.map.Layer):
    """Lines or an outline drawn from GeoJSON, styled, and deaf to clicks.

    A layer that starts hidden (the streets: every background map shows them already) carries its lines as
    JSON text, read into Leaflet when it is first shown or asked for (the own background map draws them):
    until then the browser neither parses thousands of coordinates as script nor builds their Leaflet
    objects while a phone is busy drawing the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {% if this.show %}
        var {{ this.get_name() }} = L.geoJson({{ this.data_js }}, L.extend({{ this.options_js }}, {{ this.renderer }}));
        {% else %}
        var {{ this.get_name() }} = L.geoJson(null, L.extend({{ this.options_js }}, {{ this.renderer }}));
        (function (layer, text) {
            var onAdd = layer.onAdd, toGeoJSON = layer.toGeoJSON;
            function read() { if (text !== null) { layer.addData(JSON.parse(text)); text = null; } }
            layer.onAdd = function (map) { read(); return onAdd.call(this, map); };
            layer.toGeoJSON = function (precision) { read(); return toGeoJSON.call(this, precision); };
        })({{ this.get_name() }}, {{ this.text_js }});
        {% endif %}
        {% if this.role_js %}
        (window.abcdLayers = window.abcdLayers || {})[{{ this.role_js }}] = {{ this.get_name() }};
        {% endif %}
        {% endmacro %}
        """
    )

    def __init__(
        self, geometry: BaseGeometry, *, name: str, style: Mapping[str, Any], role: str | None = None, show: bool = True
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "LineLayer"
        self.geometry = geometry
        data = mapping(geometry)
        self.data_js = js_literal(data) if show else ""
        self.text_js = "" if show else js_literal(json.dumps(data, separators=(",", ":"), allow_nan=False))
        options: dict[str, Any] = {"style": dict(style), "interactive": False, "smoothFactor": 1.5}
        self.options_js = js_literal(options)
        # Found by its role in the browser, shown or not: the own background map draws the "streets".
        self.role_js = js_literal(role) if role else ""
        # Many lines that catch no clicks (the streets): one canvas draws them sooner than an SVG path does.
        self.renderer = "{renderer: L.canvas({padding: 0.3})}" if role == "streets" else "{}"

    def _get_self_bounds(self) -> list[list[float | None]]:
        minx, miny, maxx, maxy = self.geometry.bounds
        return [[miny, minx], [maxy, maxx]]


class Locate(MacroElement):
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
        self.label_js = js_literal(escape(label))
        self.failed_js = js_literal(escape(failed))


def to_wgs84(frame: Any) -> Any:
    crs = getattr(frame, "crs", None)
    if crs is not None and not crs.equals(WGS84):
        return frame.to_crs(WGS84)
    return frame


def round_geometry(geom: BaseGeometry) -> BaseGeometry:
    # Six decimals is about 0.1 m: finer than any source we draw, and a third
    # of the characters of a full double.
    return shapely.transform(geom, lambda xy: xy.round(6))


def glyph_html(style: CategoryStyle) -> str:
    return (
        '<span class="abcd-glyph" aria-hidden="true" '
        f'style="background:{escape(style.color)};color:{escape(style.text)}">{escape(style.glyph)}</span>'
    )
