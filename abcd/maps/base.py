"""The wijk map: tiles, streets, boundary, legend, scale, attribution and the locate button.

:func:`base_map` is the frame every page draws on; :func:`asset_map` adds the
asset layers for a finished map (an export, a report).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import folium
import shapely
from branca.element import Figure
from shapely.geometry.base import BaseGeometry

from abcd._html import escape
from abcd.i18n import LANGUAGES, Lang, normalise_lang, t
from abcd.maps._elements import (
    Attribution,
    FitArea,
    Legend,
    LineLayer,
    Locate,
    MetricScale,
    Styles,
    glyph_html,
    round_geometry,
    to_wgs84,
)
from abcd.maps.assets import asset_layers
from abcd.maps.basemaps import DEFAULT_BASEMAP, add_basemaps
from abcd.maps.document import set_language
from abcd.maps.pins import PinGroup, PinScript, pin_points
from abcd.maps.vendor import VENDOR_URL, use_local_assets
from abcd.model import Category, check_lonlat
from abcd.styles import CATEGORY_STYLE

_DEFAULT_VIEW = ((4.4401, 51.9102), 15)  # Bospolder-Tussendijken, (lon, lat), zoom
_POINT_ZOOM = 17
_MAX_ZOOM = 19  # the OpenStreetMap tile server's deepest level

_BOUNDARY_STYLE = {"color": "#222222", "weight": 3, "opacity": 0.9, "dashArray": "8 6", "fill": False}
_STREET_STYLE = {"color": "#8a8a8a", "weight": 1.5, "opacity": 0.55}


def _legend_html(lang: Lang, *, examples: bool, boundary: bool, streets: bool) -> str:
    """The legend: every category, then the example marking and the lines drawn."""
    rows = [
        f"<li>{glyph_html(CATEGORY_STYLE[c.value])}<span>{escape(t(f'category.{c.value}', lang))}</span></li>"
        for c in Category
        if c is not Category.PERSON  # residents are never points on a map (counted per buurt instead)
    ]
    if examples:
        rows.append(
            '<li><span class="abcd-glyph abcd-glyph-example" aria-hidden="true">?</span>'
            f"<span>{escape(t('map.example', lang))}</span></li>"
        )
    if boundary:
        rows.append(
            f'<li><span class="abcd-line" aria-hidden="true"></span><span>{escape(t("map.boundary", lang))}</span></li>'
        )
    if streets:
        rows.append(
            '<li><span class="abcd-line abcd-line-streets" aria-hidden="true"></span>'
            f"<span>{escape(t('map.streets', lang))}</span></li>"
        )
    title = escape(t("map.legend", lang))
    return f'<details open><summary>{title}</summary><ul aria-label="{title}">{"".join(rows)}</ul></details>'


# Street lines may leave out a bend smaller than this (degrees, about 0.2 m): under a pixel at the deepest
# zoom (0.3 m), and a third of the streets' bytes in every map a page sends.
STREET_TOLERANCE = 2e-6


def _streets_geometry(streets: Any) -> BaseGeometry | None:
    """All street lines as one rounded geometry: one feature, no properties, least JSON.

    Pieces that meet end to end are joined (an OSM street comes in many short ways) and bends under
    :data:`STREET_TOLERANCE` are left out: BoTu's streets go from 29 to 18 kB, and look the same.
    """
    if streets is None:
        return None
    if isinstance(streets, BaseGeometry):
        geoms = shapely.get_parts([streets])
    else:
        geoms = shapely.get_parts(to_wgs84(streets).geometry.to_numpy())
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) == 0:
        return None
    if (shapely.get_type_id(geoms) == 1).all():  # all LineStrings
        lines = shapely.line_merge(shapely.multilinestrings(geoms))
        return round_geometry(shapely.simplify(lines, STREET_TOLERANCE, preserve_topology=False))
    return round_geometry(shapely.GeometryCollection(list(geoms)))


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
    buurten: Iterable[tuple[str, BaseGeometry]] = (),
    basemap: str = DEFAULT_BASEMAP,
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
        Whether to offer tiled background maps (PDOK); the map works without them.
    buurten, basemap
        The buurten the own background map draws, and the background shown first
        (never OpenStreetMap's tile server in a file that is passed around: see
        :mod:`abcd.maps.basemaps`).

    The pins are one layer (:mod:`abcd.maps.pins`), with an entry per category
    (named with its label and count) in the layer control to hide categories.

    >>> m = asset_map(None, tiles=False, lang="en")
    >>> "Legend" in m.get_root().render()
    True
    """
    lang = lang if lang in LANGUAGES else normalise_lang(lang)
    layers = asset_layers(assets, lang=lang)
    pins = layers[0].pins if layers and isinstance(layers[0], PinGroup) else None
    fit_features = [
        {"geometry": {"coordinates": [lon, lat]}} for lon, lat in (pin_points(pins) if pins is not None else [])
    ]
    m = base_map(
        boundary=boundary,
        streets=streets,
        lang=lang,
        assets_base_url=assets_base_url,
        center=center,
        zoom=zoom,
        tiles=tiles,
        buurten=buurten,
        basemap=basemap,
        examples=pins is not None and any(int(flag, 16) & 1 for flag in pins.data["f"]),
        fit_features=fit_features,
    )
    for group in layers:
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
    buurten: Iterable[tuple[str, BaseGeometry]] = (),
    basemap: str = DEFAULT_BASEMAP,
) -> folium.Map:
    """The wijk map without assets: background maps, streets, boundary, legend, scale and attribution.

    A page shows it with ``st_folium`` and passes the assets as
    ``feature_group_to_add=asset_layers(...)`` (with
    ``layer_control=layer_control()``): the base map then stays the same
    while assets are added or filtered, so the component is not remounted and
    the user's view does not jump. ``examples`` adds the example row to the legend.
    The background is ``basemap`` (:mod:`abcd.maps.basemaps`; PDOK grey by
    default, the others in the layer control); ``tiles=False`` leaves only the
    own map, drawn from the ``buurten`` ((name, geometry) pairs) and ``streets``.

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
    if fit is not None:
        minx, miny, maxx, maxy = fit
        FitArea([[miny, minx], [maxy, maxx]], padding=(12, 12)).add_to(m)  # before any layer: see FitArea
    root = m.get_root()
    if isinstance(root, Figure):
        root.title = escape(t("app.title", lang))  # the tab title of a standalone export
    set_language(m, lang)  # <html lang>, and a viewport that lets people zoom (WCAG 3.1.1, 1.4.4)
    use_local_assets(m, assets_base_url)
    Styles().add_to(m)
    street_geom = _streets_geometry(streets)
    if street_geom is not None:
        # Off at first: every background map shows the streets already (the own map draws these lines).
        LineLayer(
            street_geom, name=escape(t("map.streets", lang)), style=_STREET_STYLE, role="streets", show=False
        ).add_to(m)
    if boundary is not None and not boundary.is_empty:
        LineLayer(round_geometry(boundary), name=escape(t("map.boundary", lang)), style=_BOUNDARY_STYLE).add_to(m)

    PinScript().add_to(m)
    # Bottom-left corner, from the bottom up: attribution, scale, legend.
    Attribution(escape(t("map.attribution", lang))).add_to(m)
    # After the streets (the own background map draws their lines) and after the attribution control has
    # moved (moving it counts the layers already there again, and a background's line would then stay).
    add_basemaps(m, lang=lang, areas=buurten, basemap=basemap, tiles=tiles)
    MetricScale().add_to(m)
    Legend(
        _legend_html(
            lang,
            examples=examples,
            boundary=boundary is not None and not boundary.is_empty,
            streets=False,  # the streets layer starts hidden (see above)
        )
    ).add_to(m)
    Locate(t("map.locate", lang), t("map.locate_failed", lang)).add_to(m)
    return m


def layer_control() -> folium.LayerControl:
    """The layer control to pass to ``st_folium`` with :func:`asset_layers`, so categories can be toggled."""
    return folium.LayerControl(collapsed=True)
