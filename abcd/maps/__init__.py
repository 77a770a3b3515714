"""Folium maps of a wijk and its assets, built without Streamlit.

Every function here returns a ``folium`` object or a plain value; showing the
map (``st_folium``) happens in the pages, which turn the component's return
value into a selection with :mod:`abcd.maps.clicks`.

Three promises hold for every map built here:

- *Offline.* The map loads Leaflet from our own files (:mod:`abcd.maps.vendor`),
  never from a CDN; :func:`standalone_html` inlines the same files into one
  HTML document. Only the background tiles come from the internet, and the
  map works without them.
- *Escaped.* Folium inserts popup and tooltip text as HTML, so every user
  string passes through :func:`abcd._html.escape`, and embedded JSON escapes
  ``<`` and ``>`` so a name like ``</script>`` cannot end the script. branca
  feeds every rendered element through Jinja a second time, which would
  *evaluate* a name like ``{{ ... }}`` on the server; braces are escaped, and
  no element ``abcd`` uses takes that second pass (:mod:`~abcd.maps.single_pass`).
- *Honest.* Example assets (``source == "example"``) are drawn with a dashed
  outline and labelled "Voorbeeld, verzonnen" in the tooltip and popup, and
  the CBS/Kadaster and OpenStreetMap attribution is always on the map.

Modules: :mod:`~abcd.maps.base` (the wijk map), :mod:`~abcd.maps.assets`
(asset pins), :mod:`~abcd.maps.gaps` (the gap map's streets),
:mod:`~abcd.maps.investments` (meeting places sized by money),
:mod:`~abcd.maps.vendor` (local Leaflet, standalone HTML),
:mod:`~abcd.maps.single_pass` (folium's elements rendered once) and
:mod:`~abcd.maps.clicks` (reading ``st_folium`` results).
"""

from __future__ import annotations

from abcd.maps.assets import asset_layers, asset_pins, marker_layer
from abcd.maps.base import asset_map, base_map, layer_control
from abcd.maps.basemaps import DEFAULT_BASEMAP, OSM_TILES, buurt_areas, use_basemap
from abcd.maps.clicks import (
    ST_FOLIUM_RETURNED_OBJECTS,
    Click,
    click_since,
    clicked_asset_id,
    clicked_point,
    new_click,
)
from abcd.maps.columns import DESCRIPTION_PREVIEW
from abcd.maps.connections import CONNECTION_STYLES, connection_layers
from abcd.maps.effort import EFFORT_STYLES, add_effort_legend, effort_class, effort_layers
from abcd.maps.gaps import GAP_COLORS, add_gap_legend, coverage_layers, gap_class
from abcd.maps.pins import Pins, first_look, pin_ids, pin_layers
from abcd.maps.single_pass import install as _render_in_one_pass
from abcd.maps.vendor import LEAFLET_VERSION, VENDOR_DIR, VENDOR_URL, standalone_html, use_local_assets
from abcd.styles import CATEGORY_STYLE, CategoryStyle

_render_in_one_pass()  # folium's elements skip branca's second Jinja pass (abcd.maps.single_pass)

__all__ = [
    "CATEGORY_STYLE",
    "CONNECTION_STYLES",
    "DEFAULT_BASEMAP",
    "DESCRIPTION_PREVIEW",
    "EFFORT_STYLES",
    "GAP_COLORS",
    "LEAFLET_VERSION",
    "OSM_TILES",
    "ST_FOLIUM_RETURNED_OBJECTS",
    "VENDOR_DIR",
    "VENDOR_URL",
    "CategoryStyle",
    "Click",
    "Pins",
    "add_effort_legend",
    "add_gap_legend",
    "asset_layers",
    "asset_map",
    "asset_pins",
    "base_map",
    "buurt_areas",
    "click_since",
    "clicked_asset_id",
    "clicked_point",
    "connection_layers",
    "coverage_layers",
    "effort_class",
    "effort_layers",
    "first_look",
    "gap_class",
    "layer_control",
    "marker_layer",
    "new_click",
    "pin_ids",
    "pin_layers",
    "standalone_html",
    "use_basemap",
    "use_local_assets",
]
