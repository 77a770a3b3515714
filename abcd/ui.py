"""The only ``abcd`` module that imports Streamlit: session keys, cached loaders, error display.

Pages call these helpers and the plain functions of the library; they hold
no logic of their own. Session keys are initialised in one place
(:func:`init_session`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import streamlit as st

from abcd.config import DEFAULT_WIJK, Settings, settings_from_env
from abcd.errors import AbcdError
from abcd.i18n import Lang, normalise_lang, t
from abcd.store import Store, assets_to_frame
from abcd.wijken import Wijk, ensure_wijk, wijk_catalogue

# Session keys, in one place.
LANG = "lang"
WIJK = "wijk"
ACTOR = "actor"
DEFAULT_ACTOR = "app"


def settings() -> Settings:
    return settings_from_env()


@st.cache_resource(max_entries=4)
def _store(url: str) -> Store:
    return Store.open(url)


def store() -> Store:
    """One store (engine) per database and server process; it hands out a connection per use."""
    return _store(settings().database_url)


def catalogue() -> dict[str, Wijk]:
    return wijk_catalogue(settings().wijken_dir)


def init_session() -> None:
    """Set every session key's default once; the wijk may come from the URL (``?wijk=...``)."""
    state = st.session_state
    if WIJK not in state:
        wanted = st.query_params.get("wijk", DEFAULT_WIJK)
        state[WIJK] = wanted if wanted in catalogue() else DEFAULT_WIJK
    state.setdefault(LANG, "nl")
    state.setdefault(ACTOR, DEFAULT_ACTOR)


def wijk_changed() -> None:
    """Keep the chosen wijk in the URL, so a reload on a phone stays in the same wijk."""
    st.query_params["wijk"] = st.session_state[WIJK]


def lang() -> Lang:
    return normalise_lang(st.session_state.get(LANG, "nl"))


def actor() -> str:
    name = " ".join(str(st.session_state.get(ACTOR) or "").split())[:100]
    return name or DEFAULT_ACTOR


def tr(key: str, **params: Any) -> str:
    """Text for ``key`` in the session's language."""
    return t(key, lang(), **params)


@dataclass(frozen=True, slots=True)
class PageContext:
    """What every page needs: the language, the store and the chosen (onboarded) wijk."""

    lang: Lang
    store: Store
    wijk: Wijk


def context() -> PageContext:
    """The page context; onboards the chosen wijk into the store on first use."""
    with guard():
        wijk = ensure_wijk(store(), catalogue(), st.session_state[WIJK], settings().wijken_dir)
    return PageContext(lang=lang(), store=store(), wijk=wijk)


@contextmanager
def guard() -> Iterator[None]:
    """Show an :class:`AbcdError` as a message in the user's language and stop the page."""
    try:
        yield
    except AbcdError as exc:
        st.error(exc.message(lang()))
        st.stop()


@st.cache_data(max_entries=32, show_spinner=False)
def _assets_frame(slug: str, version: str, url: str) -> gpd.GeoDataFrame:
    del version, url  # cache keys only
    return assets_to_frame(store().list_assets(wijk=slug))


def assets_frame(ctx: PageContext) -> gpd.GeoDataFrame:
    """The wijk's live assets, cached until anything in the wijk changes."""
    return _assets_frame(ctx.wijk.slug, ctx.store.data_version(ctx.wijk.slug), settings().database_url)


@st.cache_data(max_entries=16, show_spinner=False)
def _streets(slug: str, url: str) -> gpd.GeoDataFrame:
    del url
    return store().streets(slug)


def streets(ctx: PageContext) -> gpd.GeoDataFrame:
    """The wijk's street segments (cached per wijk)."""
    return _streets(ctx.wijk.slug, settings().database_url)


def show_map(
    m: Any, *, key: str, layers: list[Any] | None = None, height: int = 520
) -> Mapping[str, Any] | None:
    """Show a folium map with ``st_folium`` and return its latest state.

    A fixed ``key`` and the short list of returned objects mean pan and zoom
    do not rerun the script; ``layers`` are added without remounting the map.
    The state is read from ``st.session_state[key]`` (written by the
    component's change callback), which is also where tests inject a click.
    """
    from streamlit_folium import st_folium

    from abcd import maps

    st_folium(
        m,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=list(maps.ST_FOLIUM_RETURNED_OBJECTS),
        feature_group_to_add=layers or None,
        layer_control=maps.layer_control() if layers else None,
    )
    state = st.session_state.get(key)
    return state if isinstance(state, Mapping) else None


def plain(text: str) -> str:
    """User text made safe for ``st.markdown``: no HTML, no markdown links or emphasis."""
    specials = "\\`*_{}[]()#+-.!|<>~$"
    return "".join(f"\\{c}" if c in specials else c for c in text)
