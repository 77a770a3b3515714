"""The HTML document around a map: its language, and a viewport that lets people zoom.

folium writes ``<html>`` without a language and a viewport with
``maximum-scale=1.0, user-scalable=no``, which stops pinch-zoom on a phone
(WCAG 1.4.4). :class:`DocumentLanguage` fixes both for every map it is added
to: in the map frame of a page (the script sets the frame's language) and in
the standalone ``.html`` export, whose ``<html>`` gets the ``lang`` attribute
(:func:`with_language`, used by :func:`abcd.maps.standalone_html`).
"""

from __future__ import annotations

import re
from typing import Any, Final

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from abcd._html import js_literal
from abcd.i18n import Lang

ZOOMABLE_VIEWPORT: Final = '<meta name="viewport" content="width=device-width, initial-scale=1.0" />'
"""The viewport of a map document: fitted to the device, and zoomable."""
_FOLIUM_VIEWPORT: Final = re.compile(r'<meta\s+name="viewport"[^>]*/?>', re.IGNORECASE)


class _Text(Element):
    """Header text that goes into the document as is (never parsed again as a Jinja template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class DocumentLanguage(MacroElement):
    """The map document's language (``lang`` on its ``<html>``) and a zoomable viewport."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        document.documentElement.lang = {{ this.lang_js }};
        {% endmacro %}
        """
    )

    def __init__(self, lang: Lang) -> None:
        super().__init__()
        self._name = "AbcdDocumentLanguage"
        self.lang = lang
        self.lang_js = js_literal(lang)

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as MacroElement.render
        super().render(**kwargs)
        # The map put folium's viewport into the document head just before its children render.
        figure = self.get_root()
        parent = self._parent
        if not isinstance(figure, Figure) or parent is None:
            return
        header = figure.header._children
        name = parent.get_name()
        if name in header:
            text = header[name].render()
            header[name] = _Text(_FOLIUM_VIEWPORT.sub(ZOOMABLE_VIEWPORT, text))
            header[name]._parent = figure.header


def set_language(m: folium.Map, lang: Lang) -> folium.Map:
    """Give ``m``'s document the language ``lang`` and a zoomable viewport (replacing an earlier language)."""
    m.add_child(DocumentLanguage(lang), name="abcd_document_language")
    return m


def language_of(m: folium.Map) -> Lang | None:
    """The language :func:`set_language` gave ``m``, or ``None``."""
    element = m._children.get("abcd_document_language")
    return element.lang if isinstance(element, DocumentLanguage) else None


def with_language(document: str, lang: Lang | None) -> str:
    """A rendered HTML document with ``lang`` on its ``<html>`` element (unchanged without a language).

    >>> with_language("<!DOCTYPE html>\\n<html>\\n<head>", "nl")
    '<!DOCTYPE html>\\n<html lang="nl">\\n<head>'
    """
    if lang is None:
        return document

    def tagged(match: re.Match[str]) -> str:
        others = re.sub(r'\s+lang="[^"]*"', "", match.group(1) or "")
        return f'<html lang="{lang}"{others}>'

    return re.sub(r"<html(\s[^>]*)?>", tagged, document, count=1)
