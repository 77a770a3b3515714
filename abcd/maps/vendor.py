"""Leaflet from our own files: served by Streamlit, or inlined into a standalone HTML map.

The maps load Leaflet from ``static/vendor/`` (served by Streamlit at
:data:`VENDOR_URL`), never from a CDN; :func:`standalone_html` inlines the same
files into one HTML document that opens from disk without internet. An
installed wheel carries the same files inside the package
(:func:`abcd.resources.shipped_dir`).
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable, Mapping

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from abcd._html import js_literal
from abcd.maps.document import language_of, with_language
from abcd.resources import shipped_dir

LEAFLET_VERSION = "1.9.4"
VENDOR_URL = "../../app/static/vendor"
"""Where Streamlit serves ``static/vendor`` (``[server] enableStaticServing = true``), seen from a map's frame.

Relative: ``st_folium`` draws a map in a frame at ``<root>/component/streamlit_folium.st_folium/index.html``,
and ``<root>`` is ``/`` or the deployment's ``server.baseUrlPath`` (``/abcd`` behind a gemeente's proxy, say).
An absolute ``/app/static/vendor`` missed that path, and the maps stayed empty there."""
VENDOR_DIR = shipped_dir("vendor")
"""The vendored files on disk (``static/vendor`` in a checkout); :func:`standalone_html` inlines them from here."""

_LEAFLET = f"leaflet-{LEAFLET_VERSION}"
# folium's resource names -> our files, relative to the vendor folder. Only
# Leaflet is needed: markers are divIcons, and nothing here uses jQuery.
_VENDORED_JS = {"leaflet": f"{_LEAFLET}/leaflet.js"}
_VENDORED_CSS = {"leaflet_css": f"{_LEAFLET}/leaflet.css"}
_LEAFLET_IMAGES = f"{_LEAFLET}/images/"
LEAFLET_JS_URL = f"{VENDOR_URL}/{_VENDORED_JS['leaflet']}"
LEAFLET_CSS_URL = f"{VENDOR_URL}/{_VENDORED_CSS['leaflet_css']}"
"""What a map page in the app loads (``server.py`` names them in a header of the map's frame: ``abcd.preload``)."""


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
        self.image_path_js = js_literal(self.image_path)


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
    document = with_language(m.get_root().render(), language_of(m))  # the export says its language

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
        f'L.Icon.Default.imagePath = "data:image/png;base64,"; L.Icon.Default.mergeOptions({js_literal(icons)});',
    )
    return document


def _png_base64(relative: str) -> str:
    return base64.b64encode((VENDOR_DIR / relative).read_bytes()).decode("ascii")


def _data_uri(relative: str) -> str:
    return "data:image/png;base64," + _png_base64(relative)
