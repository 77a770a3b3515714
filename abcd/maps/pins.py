"""All of a map's asset pins as one layer: compact columns up front, drawn on a canvas where many are in view.

A wijk can hold thousands of assets. One Leaflet marker per asset costs the
browser a DOM element each (seconds on a phone at 5,000), and a GeoJSON
feature per asset costs bytes. Here the browser gets a few columns instead
(:func:`pins_from_columns`): coordinates as whole numbers of 1e-5 degree
(about a metre) sorted west to east so the longitudes shrink to small steps,
one character per pin for its category, flags, role and source, and the
escaped names. ``pins.js`` draws them:

- where at most :data:`DOM_LIMIT` pins are in view, as DOM markers: each
  focusable, named for screen readers, with its tooltip and popup;
- where more are, on one canvas from pre-rendered sprites: full pins up to
  :data:`BIG_LIMIT` in view, smaller dots beyond; a click or hover finds the pin
  under the pointer itself.

Descriptions and photos are sent only for pages without a details panel;
the Kaart page asks for them when a pin is opened (``details_below``). A click
on a pin reaches ``st_folium`` as a feature with ``{"pin": index, "pins": key}``;
:func:`pin_ids` gives each layer's ids in pin order, and
:func:`abcd.maps.clicks.clicked_asset_id` turns the click back into an id.

The layer control keeps one entry per category (:class:`PinToggle`), which
shows and hides that category in the one layer.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import folium
import numpy as np
from branca.element import MacroElement
from folium.template import Template

from abcd._html import escape, js_literal
from abcd.i18n import Lang, t
from abcd.maps._elements import PIN_SIZE
from abcd.maps.columns import AssetColumns
from abcd.maps.scripts import packaged_script
from abcd.model import MeetingPlaceRole, Source
from abcd.styles import CATEGORY_STYLE

DOM_LIMIT = 150
"""At most this many pins in view: DOM markers (keyboard and screen reader reach each one)."""
BIG_LIMIT = 400
"""At most this many pins in view on the canvas: full-size pins with their glyph; more: dots."""
DOT_SIZE = 12
"""px: a pin where more than :data:`BIG_LIMIT` are in view."""
SHARE_FROM = 200
"""From this many pins on, the names share their common words (:func:`shared_words`)."""
COORDINATE_SCALE = 100_000
"""Coordinates travel as whole numbers of 1/100,000 degree (1.1 m north-south, 0.7 m east-west here)."""

_CATEGORIES = list(CATEGORY_STYLE)  # a pin's category is its index here, one digit
_SOURCES = [s.value for s in Source]
_ROLES = [r.value for r in MeetingPlaceRole]
_EXAMPLE, _STALE, _LED, _NOT_LED = 1, 2, 4, 8
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # word references in names
_TOKEN = re.compile(r"\s+|\S+\s*")


def _outline() -> str:
    try:  # the ring the accessibility work gives every pin (abcd.styles), where it exists
        from abcd.styles import PIN_OUTLINE  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return "#1F2A28"
    return str(PIN_OUTLINE)


@dataclass(frozen=True, slots=True)
class Pins:
    """The pins of one map: their ``key``, the asset ids in pin order, the browser's data and counts per category."""

    key: str
    ids: tuple[str, ...]
    data: dict[str, Any]
    counts: dict[str, int]

    def __len__(self) -> int:
        return len(self.ids)


def pins_from_columns(columns: AssetColumns) -> Pins:
    """The compact browser data of ``columns`` (:class:`abcd.maps.columns.AssetColumns`).

    ``data`` holds ``o`` (the west- and southmost point, scaled), ``q`` (the
    scale), ``x`` (steps in longitude from one pin to the next, west to east),
    ``y`` (latitudes above ``o``), ``c`` (category digits), ``f`` (flag hex
    digits: 1 example, 2 stale, 4 resident-led, 8 not resident-led), ``m`` and
    ``s`` (role and source digits, 0 for none), ``n`` (escaped names, their
    common words replaced by ``w``: :func:`shared_words`) and, when any, ``d``
    (escaped description previews) and ``ph`` (photos).

    >>> from abcd.maps.columns import asset_columns
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> frame = gpd.GeoDataFrame({"id": ["b", "a"], "name": ["B&B", "Plein"], "category": ["business", "place"]},
    ...                          geometry=[Point(4.44002, 51.91), Point(4.44, 51.91001)], crs=4326)
    >>> pins = pins_from_columns(asset_columns(frame))
    >>> pins.ids, pins.data["x"], pins.data["y"], pins.data["n"], pins.data["c"]
    (('a', 'b'), [0, 2], [1, 0], ['Plein', 'B&amp;B'], '56')
    """
    n = len(columns)
    if n == 0:
        data: dict[str, Any] = {"o": [0, 0], "q": COORDINATE_SCALE, "x": [], "y": [], "c": "", "f": "", "n": []}
        return Pins(_key(()), (), data, {})
    xs = np.rint(np.asarray(columns.lon) * COORDINATE_SCALE).astype(np.int64)
    ys = np.rint(np.asarray(columns.lat) * COORDINATE_SCALE).astype(np.int64)
    order = np.argsort(xs, kind="stable").tolist()
    x0, y0 = int(xs.min()), int(ys.min())
    sorted_x = xs[order]
    steps = np.diff(sorted_x, prepend=x0).tolist()
    flags = [
        (_EXAMPLE if source == Source.EXAMPLE.value else 0)
        | (_STALE if stale else 0)
        | (0 if led is None else _LED if led else _NOT_LED)
        for source, stale, led in zip(columns.source, columns.stale, columns.led, strict=True)
    ]
    category_index = {code: str(k) for k, code in enumerate(_CATEGORIES)}
    role_index = {code: str(k + 1) for k, code in enumerate(_ROLES)}
    source_index = {code: str(k + 1) for k, code in enumerate(_SOURCES)}
    ids = tuple(columns.id[i] for i in order)
    data = {
        "o": [x0, y0],
        "q": COORDINATE_SCALE,
        "x": steps,
        "y": (ys[order] - y0).tolist(),
        "c": "".join(category_index[columns.category[i]] for i in order),
        "f": "".join(format(flags[i], "x") for i in order),
        "m": "".join(role_index.get(columns.role[i], "0") for i in order),
        "s": "".join(source_index.get(columns.source[i], "0") for i in order),
    }
    words, names = shared_words([columns.name[i] for i in order])
    data["n"] = names
    if words:
        data["w"] = words
    if any(columns.description):
        data["d"] = [columns.description[i] for i in order]
    if any(columns.photo):
        data["ph"] = {str(k): columns.photo[i] for k, i in enumerate(order) if columns.photo[i]}
    counts: dict[str, int] = {}
    for code in columns.category:
        counts[code] = counts.get(code, 0) + 1
    return Pins(_key(ids), ids, data, counts)


# What the pin layer needs to draw every pin: positions, categories and flags (example, stale, resident-led).
DRAWN = ("o", "q", "x", "y", "c", "f")


def first_look(pins: Pins) -> Pins:
    """``pins`` with only what drawing them takes (:data:`DRAWN`): no names, roles or sources yet.

    A session's first look at the Kaart page (``abcd.ui.map_first``) sends these: the names are
    more than half of the pins' bytes (at 5,000 assets 76 of 130 kB), and a phone's browser decodes
    every byte before it starts on the map. The page's next run, a second later, sends the whole
    pins; until then a pin's tooltip names its category. Same key, ids and counts: a click means the same.

    >>> from abcd.maps.columns import asset_columns
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> frame = gpd.GeoDataFrame({"id": ["a"], "name": ["Plein"], "category": ["place"]},
    ...                          geometry=[Point(4.44, 51.91)], crs=4326)
    >>> pins = pins_from_columns(asset_columns(frame))
    >>> sorted(first_look(pins).data), first_look(pins).ids == pins.ids
    (['c', 'f', 'o', 'q', 'x', 'y'], True)
    """
    return replace(pins, data={key: pins.data[key] for key in DRAWN})


def shared_words(names: list[str], *, least: int = SHARE_FROM) -> tuple[list[str], list[str]]:
    r"""``names`` with their repeated words (and the space after) written as short references, and those words.

    Names of a wijk repeat their street names and kinds ("Buurthuis", "straat"):
    at 5,000 assets this halves the bytes of the names. The words are numbered
    by how much they save; word ``k`` is written ``^`` and one character for the
    first 62, ``~`` and two characters for the next 3,844 (the characters
    ``0-9A-Za-z``). A ``^`` or ``~`` in a name itself becomes ``^^`` or ``^~``.
    Plain ASCII, so the names stay this short in Streamlit's JSON, which writes
    any other character as ``\uXXXX``. Fewer than ``least`` names are left as
    they are: a handful of names gains nothing, and reads better in the page source.

    >>> shared_words(["Buurthuis De Put", "Speeltuin De Put", "Buurthuis Oost", "Buurthuis ^_~"], least=0)
    (['Buurthuis '], ['^0De Put', 'Speeltuin De Put', '^0Oost', '^0^^_^~'])
    """
    if len(names) < least:
        return [], names
    tokens = [_TOKEN.findall(name) for name in names]
    counts = Counter(token for split in tokens for token in split)
    # What a word saves: each use shrinks to two or three characters; the list holds it once (quotes, comma).
    gains = {word: count * (len(word) - 3) - (len(word) + 3) for word, count in counts.items() if count > 1}
    chosen = sorted((word for word, gain in gains.items() if gain > 0), key=lambda w: (-gains[w], w))
    chosen = chosen[: len(_DIGITS) + len(_DIGITS) ** 2]
    code = {word: _reference(k) for k, word in enumerate(chosen)}
    return chosen, ["".join(code.get(token) or _literal(token) for token in split) for split in tokens]


def _reference(k: int) -> str:
    base = len(_DIGITS)
    if k < base:
        return "^" + _DIGITS[k]
    k -= base
    return "~" + _DIGITS[k // base] + _DIGITS[k % base]


def _literal(text: str) -> str:
    return text.replace("^", "^^").replace("~", "^~") if "^" in text or "~" in text else text


def _key(ids: Iterable[str]) -> str:
    """A short name for a list of ids in order: the same pins get the same key."""
    return hashlib.blake2b("\x1f".join(ids).encode("utf-8"), digest_size=6).hexdigest()


def _text(pins: Pins, lang: Lang, *, interactive: bool, details_below: bool) -> dict[str, Any]:
    """The escaped labels the pin layer's tooltips and popups need, and its options."""
    text: dict[str, Any] = {
        "key": pins.key,
        "passive": not interactive,
        "cats": [
            [code, escape(t(f"category.{code}", lang)), style.color, style.text, style.glyph]
            for code, style in CATEGORY_STYLE.items()
        ],
        "summary": escape(t("map.pins_summary", lang)),
    }
    if interactive:
        text.update(
            example=escape(t("map.example", lang)),
            stale=escape(t("map.stale", lang)),
            source=escape(t("map.source", lang)),
            sources=[escape(t(f"source.{code}", lang)) for code in _SOURCES],
            led=escape(t("map.resident_led", lang)),
            notLed=escape(t("map.not_resident_led", lang)),
            role=escape(t("field.meeting_place_role", lang)),
            roles=[escape(t(f"role.{code}", lang)) for code in _ROLES],
        )
        if details_below:
            text["more"] = escape(t("map.details_below", lang))
    return text


class PinScript(MacroElement):
    """Defines ``abcdPins`` and ``abcdPinToggle`` (``pins.js``) once per map document; the base map carries it."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.code }}
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "AbcdPinScript"
        self.code = _pin_script()

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as MacroElement.render
        # The script goes in once and as is: no second Jinja pass over its braces.
        from abcd.maps._elements import RawScript

        figure = self.get_root()
        if hasattr(figure, "script"):
            figure.script.add_child(RawScript(self.code), name=self.get_name())


@functools.cache
def _pin_script() -> str:
    return packaged_script(
        "pins.js",
        {
            "__DOM_LIMIT__": str(DOM_LIMIT),
            "__BIG_LIMIT__": str(BIG_LIMIT),
            "__SIZE__": str(PIN_SIZE),
            "__DOT__": str(DOT_SIZE),
            "__OUTLINE__": js_literal(_outline()),
        },
    )


class PinLayer(folium.map.Layer):
    """The one layer of a map's pins (``abcdPins``); its group (for ``feature_group_to_add``) is not in the control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = abcdPins({{ this.text_js }}, {{ this.data_js }});
        {% endmacro %}
        """
    )

    def __init__(self, pins: Pins, text: Mapping[str, Any]) -> None:
        super().__init__(name="pins", overlay=True, control=False, show=True)
        self._name = "PinLayer"
        self.pins = pins
        self.text_js = js_literal(dict(text))
        self.data_js = js_literal(pins.data)

    def _get_self_bounds(self) -> list[list[float | None]]:
        data = self.pins.data
        if not self.pins.ids:
            return [[None, None], [None, None]]
        scale = data["q"]
        west, south = data["o"]
        east, north = west + sum(data["x"]), south + max(data["y"])
        return [[south / scale, west / scale], [north / scale, east / scale]]


class PinGroup(folium.FeatureGroup):
    """The feature group holding a :class:`PinLayer`, kept out of the layer control; ``pins`` for :func:`pin_ids`."""

    def __init__(self, pins: Pins) -> None:
        super().__init__(name="pins", overlay=True, control=False, show=True)
        self.pins = pins


class PinToggle(folium.FeatureGroup):
    """One category's entry in the layer control (named with its label and count); toggles it in the pin layer."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = abcdPinToggle({{ this.key_js }}, {{ this.index }});
        {% endmacro %}
        """
    )

    def __init__(self, key: str, code: str, *, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        # streamlit-folium adds each group by the variable name of a plain FeatureGroup.
        self._name = "FeatureGroup"
        self.key_js = js_literal(key)
        self.index = _CATEGORIES.index(code)


def pin_layers(
    pins: Pins, *, lang: Lang = "nl", interactive: bool = True, details_below: bool = False
) -> list[folium.FeatureGroup]:
    """The feature groups of ``pins``: the pin layer, then one toggle per category that has pins.

    Empty ``pins`` give no groups.
    """
    if not pins.ids:
        return []
    group = PinGroup(pins)
    PinLayer(pins, _text(pins, lang, interactive=interactive, details_below=details_below)).add_to(group)
    toggles = [
        PinToggle(pins.key, code, name=f"{escape(t(f'category.{code}', lang))} ({pins.counts[code]})")
        for code in _CATEGORIES
        if pins.counts.get(code)
    ]
    return [group, *toggles]


def pin_ids(layers: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    """For each pin layer among ``layers`` (feature groups), its key and its asset ids in pin order.

    >>> pin_ids([])
    {}
    """
    return {layer.pins.key: layer.pins.ids for layer in layers if isinstance(layer, PinGroup)}


def pin_points(pins: Pins) -> list[tuple[float, float]]:
    """The (lon, lat) of every pin, in pin order, as the browser decodes them (to fit a map's view)."""
    data, scale = pins.data, pins.data["q"]
    west, south = data["o"]
    xs = np.cumsum(np.asarray(data["x"], dtype=np.int64)) + west
    ys = np.asarray(data["y"], dtype=np.int64) + south
    return [(x / scale, y / scale) for x, y in zip(xs.tolist(), ys.tolist(), strict=True)]
