"""What ``make run`` serves: the app (``app.py``) on Streamlit's own server, its scripts gzipped once.

``streamlit run server.py`` finds ``app`` below and runs ``app.py`` with every option and
``.streamlit/config.toml`` setting as ``streamlit run app.py`` would; the one difference is
``abcd.static_gzip``, which sends Streamlit's 2.7 MB of scripts and styles as about 0.7 MB to a
browser that accepts gzip. Tests and ``AppTest`` run ``app.py`` itself.
"""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from streamlit import config

from abcd.static_gzip import GzipOnce

_BASE = config.get_option("server.baseUrlPath").strip("/")

app = st.App(
    Path(__file__).with_name("app.py"),
    middleware=[Middleware(GzipOnce, prefix=f"/{_BASE}/static/" if _BASE else "/static/")],
)
