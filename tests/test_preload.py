"""abcd.preload: the map frame's page names Leaflet in a Link header; nothing else changes."""

from __future__ import annotations

from abcd.maps.vendor import LEAFLET_CSS_URL, LEAFLET_JS_URL
from abcd.preload import Preload
from tests.asgi_support import SCRIPT, Streamlit, get

FRAME = "/component/streamlit_folium.st_folium/index.html"


def preload(streamlit: Streamlit) -> Preload:
    return Preload(streamlit, path=FRAME, scripts=[LEAFLET_JS_URL], styles=[LEAFLET_CSS_URL])


def test_the_map_frames_page_names_leaflets_script_and_style() -> None:
    status, headers, body = get(preload(Streamlit(headers={b"content-type": b"text/html"})), FRAME)
    assert (status, body) == (200, SCRIPT)  # the page itself as it was
    assert headers["link"] == (
        "<../../app/static/vendor/leaflet-1.9.4/leaflet.js>; rel=preload; as=script, "
        "<../../app/static/vendor/leaflet-1.9.4/leaflet.css>; rel=preload; as=style"
    )
    assert headers["content-type"] == "text/html"


def test_other_paths_and_failed_answers_get_no_link() -> None:
    assert "link" not in get(preload(Streamlit()), "/static/js/index.DormvYxC.js")[1]
    assert "link" not in get(preload(Streamlit()), FRAME + "/other")[1]
    assert "link" not in get(preload(Streamlit(status=404)), FRAME)[1]  # the component is not registered yet


def test_the_urls_are_the_ones_a_map_loads() -> None:
    """The header only helps if it names exactly what the frame asks for: folium's links of every map."""
    from abcd import maps

    rendered = maps.base_map(tiles=False).get_root().render()
    assert f'src="{LEAFLET_JS_URL}"' in rendered and f'href="{LEAFLET_CSS_URL}"' in rendered
