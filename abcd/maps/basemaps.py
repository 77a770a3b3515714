"""Background maps: PDOK's BRT-Achtergrondkaart, OpenStreetMap on request, and a map drawn from abcd's own data.

Dutch public-sector maps use PDOK's BRT-Achtergrondkaart ("Kaartgegevens ©
Kadaster"), which ``xyzservices`` knows as ``nlmaps``; ``grijs`` is the
default here (the pins stay the loudest thing on it), ``pastel`` and
``standaard`` are a click away in the layer control. OpenStreetMap's own tile
server allows only light use and refuses requests without a Referer (a file
opened from disk sends none): it is offered only when ``ABCD_BASEMAP=osm``
asks for it, and never in an exported file.

The *own* map (``builtin``) is drawn from what abcd already has: the buurten
of the wijk (CBS) with their names, and its streets (OpenStreetMap, sent for
the streets layer anyway). It needs no internet, and a map switches to it by
itself when every tile fails.

Every map carries all of them as base layers (:func:`add_basemaps`, done by
:func:`abcd.maps.base_map`); :func:`use_basemap` picks the one shown first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import folium
import shapely
import xyzservices
import xyzservices.providers as xyz
from branca.element import MacroElement
from folium.template import Template
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from abcd._html import escape, js_literal
from abcd.config import BASEMAPS
from abcd.i18n import Lang, t
from abcd.maps._elements import RawScript
from abcd.maps.scripts import packaged_script

DEFAULT_BASEMAP: Final = BASEMAPS[0]
"""PDOK's grey BRT-Achtergrondkaart."""
OSM_TILES: Final = "tile.openstreetmap.org"
"""The host no exported map and, unless ``ABCD_BASEMAP=osm``, no page asks for tiles."""

_LABEL_KEYS: Final = {
    "pdok-grijs": "basemap.pdok_grijs",
    "pdok-pastel": "basemap.pdok_pastel",
    "pdok-standaard": "basemap.pdok_standaard",
    "osm": "basemap.osm",
    "builtin": "basemap.builtin",
}
_MAX_ZOOM = 19
_SIMPLIFY_DEG = 2e-5  # about 2 m: the outline of a buurt on a background map


@dataclass(frozen=True, slots=True)
class TileSource:
    """A tile service: its URL template, its attribution (HTML) and the zoom levels it has."""

    url: str
    attribution: str
    min_zoom: int
    max_zoom: int
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None


def tile_source(code: str) -> TileSource:
    """The tiles of a background map code (not ``builtin``), from ``xyzservices``.

    >>> tile_source("pdok-pastel").url
    'https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/pastel/EPSG:3857/{z}/{x}/{y}.png'
    >>> "Kadaster" in tile_source("pdok-grijs").attribution
    True
    """
    provider = _provider(code)
    bounds = provider.get("bounds")
    return TileSource(
        url=provider.build_url(),
        attribution=str(provider["html_attribution"]),
        min_zoom=int(provider.get("min_zoom", 0)),
        max_zoom=min(int(provider.get("max_zoom", _MAX_ZOOM)), _MAX_ZOOM),
        bounds=None if bounds is None else ((bounds[0][0], bounds[0][1]), (bounds[1][0], bounds[1][1])),
    )


def _provider(code: str) -> xyzservices.TileProvider:
    if code.startswith("pdok-"):
        return xyz.nlmaps[code.removeprefix("pdok-")]
    if code == "osm":
        return xyz.OpenStreetMap.Mapnik
    msg = f"No tiles for background map {code!r}; tiles exist for {', '.join(c for c in BASEMAPS if c != 'builtin')}"
    raise ValueError(msg)


class _TileBasemap(folium.TileLayer):
    """A tile background; ``code`` names it for :func:`use_basemap`."""

    def __init__(self, code: str, *, name: str, show: bool) -> None:
        source = tile_source(code)
        extra: dict[str, Any] = {}
        if source.bounds is not None:
            extra["bounds"] = [list(source.bounds[0]), list(source.bounds[1])]
        super().__init__(
            # The provider itself, not its URL: folium would look a URL up among every provider's names first,
            # a fifth of the Kaart page's time on the server. Its URL is the same.
            tiles=_provider(code),
            attr=source.attribution,
            name=name,
            overlay=False,
            control=True,
            show=show,
            min_zoom=source.min_zoom,
            max_zoom=_MAX_ZOOM,
            max_native_zoom=source.max_zoom,
            **extra,
        )
        self.abcd_basemap = code


class OwnBasemap(folium.map.Layer):
    """The background drawn from abcd's own data: buurten and their names, and the map's streets."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = abcdOwnBasemap({{ this.data_js }}, {});
        {% endmacro %}
        """
    )

    def __init__(self, areas: BaseGeometry | None, labels: list[list[Any]], *, name: str, show: bool) -> None:
        super().__init__(name=name, overlay=False, control=True, show=show)
        self._name = "OwnBasemap"
        self.abcd_basemap = "builtin"
        data: dict[str, Any] = {"labels": labels}
        if areas is not None and not areas.is_empty:
            data["areas"] = mapping(areas)
        self.data_js = js_literal(data)
        self.css = (
            ".abcd-base-label span{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;"
            "font:600 12px/1.2 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#4f483c;"
            "text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff;letter-spacing:.02em}"
            ".abcd-base-label{background:none;border:none}"
            ".abcd-layers-heading{font-weight:600;margin:0 0 4px}"
        )


class _BasemapScript(MacroElement):
    """``basemaps.js``, once per map document, and the switch to the own map when every tile fails."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        abcdBasemapFallback({{ this._parent.get_name() }}, [{{ this.tile_names() }}], {{ this.own.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, tiles: list[_TileBasemap], own: OwnBasemap, *, osm_name: str) -> None:
        super().__init__()
        self._name = "AbcdBasemaps"
        self.tiles = tiles
        self.own = own
        self.osm_name = osm_name  # the label of OpenStreetMap, should use_basemap add it

    def tile_names(self) -> str:
        return ", ".join(layer.get_name() for layer in self.tiles)


class _BasemapCode(MacroElement):
    """The definitions of ``basemaps.js``, ahead of every layer that uses them, and the layer control's heading."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.code }}
        {% endmacro %}
        """
    )

    def __init__(self, heading: str) -> None:
        super().__init__()
        self._name = "AbcdBasemapCode"
        self.code = f"{_basemap_script()}\nabcdBasemapHeading({js_literal(heading)});"

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as MacroElement.render
        figure = self.get_root()
        if hasattr(figure, "script"):
            figure.script.add_child(RawScript(self.code), name=self.get_name())


def _basemap_script() -> str:
    return packaged_script("basemaps.js")


def area_labels(areas: Iterable[tuple[str, BaseGeometry]]) -> tuple[BaseGeometry | None, list[list[Any]]]:
    """The outlines of named areas (buurten) for the own map, simplified and rounded, and a label inside each.

    >>> from shapely.geometry import box
    >>> outline, labels = area_labels([("De <Put>", box(4.43, 51.90, 4.44, 51.91))])
    >>> labels
    [['De &lt;Put&gt;', 51.905, 4.435]]
    """
    geoms, labels = [], []
    for name, geom in areas:
        if geom is None or geom.is_empty:
            continue
        simple = shapely.simplify(geom, _SIMPLIFY_DEG, preserve_topology=True)
        geoms.append(shapely.transform(simple, lambda xy: xy.round(5)))
        point = geom.representative_point()
        labels.append([escape(name), round(point.y, 5), round(point.x, 5)])
    if not geoms:
        return None, labels
    return shapely.GeometryCollection(geoms), labels


def add_basemaps(
    m: folium.Map,
    *,
    lang: Lang,
    areas: Iterable[tuple[str, BaseGeometry]] = (),
    basemap: str = DEFAULT_BASEMAP,
    tiles: bool = True,
) -> folium.Map:
    """Give ``m`` its background maps as base layers: the PDOK ones (with ``tiles``) and the own map.

    ``basemap`` is shown first (``osm`` adds OpenStreetMap to the choice);
    without ``tiles`` the own map is the only one. ``areas`` are (name,
    geometry) pairs, the buurten the own map draws.
    """
    _check(basemap)
    codes = [code for code in BASEMAPS if code.startswith("pdok-")]
    if basemap == "osm":
        codes.append("osm")
    if not tiles:
        codes = []
    shown = basemap if basemap in codes else "builtin"
    _BasemapCode(t("map.tiles", lang)).add_to(m)  # plain text: the browser sets it as text
    layers = [_TileBasemap(code, name=escape(t(_LABEL_KEYS[code], lang)), show=code == shown) for code in codes]
    for layer in layers:
        layer.add_to(m)
    outline, labels = area_labels(areas)
    own = OwnBasemap(outline, labels, name=escape(t(_LABEL_KEYS["builtin"], lang)), show=shown == "builtin")
    own.add_to(m)
    if layers:
        _BasemapScript(layers, own, osm_name=escape(t(_LABEL_KEYS["osm"], lang))).add_to(m)
    return m


def use_basemap(m: folium.Map, basemap: str) -> folium.Map:
    """Show ``basemap`` first on a map made by :func:`abcd.maps.base_map` (``ABCD_BASEMAP``; :data:`BASEMAPS`).

    ``osm`` adds OpenStreetMap's tiles to the choice. A map without tiles keeps its own map.
    """
    _check(basemap)
    layers: dict[str, Any] = {
        code: child for child in m._children.values() if (code := getattr(child, "abcd_basemap", None))
    }
    script = next((child for child in m._children.values() if isinstance(child, _BasemapScript)), None)
    if basemap == "osm" and "osm" not in layers and script is not None:
        osm = _TileBasemap("osm", name=script.osm_name, show=False)
        del m._children[script.get_name()]  # the switch to the own map names every tile layer: it comes after
        osm.add_to(m)
        script.tiles.append(osm)
        script.add_to(m)
        layers["osm"] = osm
    tiled = [code for code in layers if code != "builtin"]
    shown = basemap if basemap in layers else ("builtin" if not tiled else DEFAULT_BASEMAP)
    for code, layer in layers.items():
        layer.show = code == shown
    return m


def _check(basemap: str) -> None:
    if basemap not in BASEMAPS:
        msg = f"Unknown background map {basemap!r}; known: {', '.join(BASEMAPS)}"
        raise ValueError(msg)


def buurt_areas(catalogue: Mapping[str, Any], boundary: BaseGeometry | None) -> list[tuple[str, BaseGeometry]]:
    """The CBS buurten of ``catalogue`` that lie (for the most part of their own area) in ``boundary``, by name.

    ``catalogue`` maps slugs to :class:`abcd.wijken.Wijk`; only its buurten count.
    """
    from abcd.wijken import KIND_CBS_BUURT

    if boundary is None or boundary.is_empty:
        return []
    found = []
    shapely.prepare(boundary)
    for wijk in catalogue.values():
        if wijk.kind != KIND_CBS_BUURT or not boundary.intersects(wijk.boundary):
            continue
        area = wijk.boundary.area
        if area > 0 and boundary.intersection(wijk.boundary).area >= 0.5 * area:
            found.append((str(wijk.name), wijk.boundary))
    return sorted(found)
