"""folium's elements are rendered once (abcd.maps.single_pass): the same document, without a second Jinja pass."""

from __future__ import annotations

import re

import folium
import pytest
from branca.element import MacroElement

from abcd import maps
from abcd.maps.single_pass import BRANCA_RENDER, render_once
from tests.test_maps import BOUNDARY, STREETS, one_per_category

_ID = re.compile(r"[0-9a-f]{12,32}")  # folium's element ids, the pin layer's key


def _normalised(document: str) -> str:
    """Element ids are random, and Jinja drops a piece's trailing newline: compare without either."""
    return re.sub(r"\s+", " ", _ID.sub("ID", document)).strip()


def _kaart_document() -> str:
    return maps.asset_map(one_per_category(), boundary=BOUNDARY, streets=STREETS).get_root().render()


def test_importing_abcd_maps_renders_every_folium_element_once() -> None:
    assert MacroElement.render is render_once
    assert folium.Map.render is not BRANCA_RENDER  # folium's own classes call it through super()


def test_the_kaart_map_document_is_the_same_as_with_branca_s_second_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    ours = _kaart_document()
    monkeypatch.setattr(MacroElement, "render", BRANCA_RENDER)
    theirs = _kaart_document()
    assert "abcd-legend" in ours and "L.map(" in ours
    assert _normalised(ours) == _normalised(theirs)


def test_jinja_in_plain_folium_text_stays_text_on_the_server() -> None:
    # folium's own tooltip, without abcd's escaping: branca's second pass evaluated it.
    m = folium.Map(location=[51.91, 4.44], tiles=None)
    folium.Marker([51.91, 4.44], tooltip="{{ 7*7 }} {% if true %}ja{% endif %}").add_to(m)
    document = m.get_root().render()
    assert "{{ 7*7 }} {% if true %}ja{% endif %}" in document
    assert "49 ja" not in document  # what the second pass made of it (a bare "49" can be part of an element id)


def test_an_element_outside_a_figure_is_refused_as_branca_refuses_it() -> None:
    with pytest.raises(AssertionError, match="not in a Figure"):
        render_once(folium.LayerControl())
