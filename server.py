"""What ``make run`` serves: the app (``app.py``) on Streamlit's own server, with two additions for a phone.

``streamlit run server.py`` finds ``app`` below and runs ``app.py`` with every option and
``.streamlit/config.toml`` setting as ``streamlit run app.py`` would, plus two small middlewares:
``abcd.static_gzip`` sends Streamlit's 2.7 MB of scripts and styles gzipped (about a quarter) to a browser
that accepts it, and ``abcd.preload`` has the map's frame name Leaflet in a header of its page, so the
browser fetches it without waiting for the frame's own script. ``AppTest`` runs ``app.py`` itself.
"""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from streamlit import config

from abcd.maps.vendor import LEAFLET_CSS_URL, LEAFLET_JS_URL
from abcd.preload import Preload
from abcd.static_gzip import GzipOnce

_BASE = config.get_option("server.baseUrlPath").strip("/")
_ROOT = f"/{_BASE}" if _BASE else ""

app = st.App(
    Path(__file__).with_name("app.py"),
    middleware=[
        Middleware(GzipOnce, prefix=f"{_ROOT}/static/"),
        Middleware(
            Preload,
            path=f"{_ROOT}/component/streamlit_folium.st_folium/index.html",
            scripts=[LEAFLET_JS_URL],
            styles=[LEAFLET_CSS_URL],
        ),
    ],
)
