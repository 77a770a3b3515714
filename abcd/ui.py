"""The ``abcd`` module that imports Streamlit: session keys, cached loaders, error display.

The one other is :mod:`abcd.walks.widget`, the walk recorder's component, which keeps its JavaScript beside it.

Pages call these helpers and the plain functions of the library; they hold
no logic of their own. Session keys are initialised in one place
(:func:`init_session`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import geopandas as gpd
import pandas as pd
import streamlit as st

from abcd import accounts, assets
from abcd.config import DEFAULT_WIJK, Settings, settings_from_env
from abcd.errors import AbcdError, storage_error
from abcd.freshness import as_day, confirmed_before, stale_before
from abcd.i18n import Lang, normalise_lang, t
from abcd.i18n.formats import format_date, local_today
from abcd.model import Asset, Consent
from abcd.permissions import PUBLIC_USER, Permission, Role, User
from abcd.store import Store
from abcd.wijken import (
    Catalogue,
    Wijk,
    ensure_wijk,
    find_wijk,
    full_catalogue,
    gemeenten,
    wijken_in,
)

if TYPE_CHECKING:
    from abcd.backup import DatabaseHold
    from abcd.maps.clicks import Click
    from abcd.photos.register import PhotoInfo

_log = logging.getLogger(__name__)

# Session keys, in one place.
LANG = "lang"
WIJK = "wijk"
GEMEENTE = "gemeente"
USER = "user"
TOKEN = "session_token"
SESSION_COOKIE = "abcd_session"
COOKIE_CLEAR = "cookie_clear"  # set at log-out: the browser still has to forget its cookie


def settings() -> Settings:
    return settings_from_env()


@st.cache_resource(max_entries=4)
def _store(url: str) -> Store:
    # PostgreSQL: only checked (several app servers may start together; `abcd migrate` upgrades). A schema
    # this version does not work with is one clear message on every page, until it is put right.
    return Store.open_checked(url)


@st.cache_resource(max_entries=4)
def _hold(url: str) -> DatabaseHold | None:
    from abcd.backup import hold_database

    return hold_database(url)


def store() -> Store:
    """One store (engine) per database and server process; it hands out a connection per use.

    The process holds the database while it runs (:func:`abcd.backup.hold_database`),
    so ``abcd restore`` refuses instead of overwriting what people just saved.
    """
    url = settings().database_url
    _hold(url)
    return _store(url)


@st.cache_resource(max_entries=4)
def _catalogue(url: str, wijken_dir: str, custom: str) -> Catalogue:
    del url, custom  # cache keys only
    return full_catalogue(store(), Path(wijken_dir))


def catalogue() -> Catalogue:
    """Every selectable wijk: the shipped catalogue and the areas users added (cached until one is added)."""
    return _catalogue(settings().database_url, str(settings().wijken_dir), store().custom_token())


def init_session() -> None:
    """Set every session key's default once; the wijk and the language may come from the URL.

    ``?wijk=`` takes a slug or a CBS code, ``?lang=`` a language code; so a
    link or a reload opens the same wijk in the same language (:func:`keep_in_url`).
    """
    state = st.session_state
    if WIJK not in state:
        wanted = st.query_params.get("wijk", DEFAULT_WIJK)
        try:
            wijk = find_wijk(catalogue(), wanted)
        except AbcdError:
            wijk = catalogue()[DEFAULT_WIJK]
        state[WIJK] = wijk.slug
    state.setdefault(GEMEENTE, catalogue()[state[WIJK]].gemeente)
    if LANG not in state:
        state[LANG] = normalise_lang(st.query_params.get("lang", "nl"))


# A session's first look at the map draws the map alone (:func:`map_first`); these mark how far it got.
_OPENED = "abcd_opened"  # the map-first turn has been used
_FRAMED = "abcd_framed"  # a run has drawn the page's frame (sidebar, page style)
_WAITING = "abcd_open_soon"  # the fallback timer of open_soon is running
MAP_FIRST_PAGES = ("", "kaart")  # the Kaart page: the front page at "/", and its older address /kaart


def map_first(page: str) -> bool:
    """Whether this run draws the map alone: a session's first look, on the Kaart page (``page`` is its url path).

    Streamlit has the browser build every element of a run in one go, and the map's frame waits until
    it has: the sidebar's pickers, the search and filters and the page's own style cost a phone more
    than a second before it even starts on the map. So a session's first run of the Kaart page draws
    its map alone, and the next run everything else: the map's first report reruns the page,
    or :func:`open_soon`'s timer does when the report does not come. The turn is used up when asked on
    the Kaart page, so the next run draws the whole page whatever happens in this one.
    """
    if not _may_open_on_map(page):
        return False
    st.session_state[_OPENED] = True
    return True


def _may_open_on_map(page: str | None) -> bool:
    """A page that opens on the map (``/`` or the Kaart page), in a session that has not had its turn yet."""
    state = st.session_state
    return page in MAP_FIRST_PAGES and _OPENED not in state and _FRAMED not in state


def address_page() -> str | None:
    """The page the browser's address asks for (its last path segment, ``""`` for the root), before navigation.

    ``None`` where Streamlit does not know the address (tests without a browser). Under a base path
    (``server.baseUrlPath``) the root reads as that path's last segment: no page, so nothing is hidden.
    """
    try:
        url = st.context.url
    except (AttributeError, RuntimeError):
        return None
    if not url:
        return None
    return urlsplit(url).path.rstrip("/").rpartition("/")[2]


def hides_navigation(page: str | None) -> bool:
    """Whether this run may be map-first (:func:`map_first`), so the page list waits for the next run too.

    The list of pages in the sidebar costs a phone about a quarter of a second before the map's frame
    starts. Asked before ``st.navigation``, from the address (:func:`address_page`). The sidebar waits as a
    whole: a desktop's map narrows when it comes and fits the wijk again (``abcd.maps._elements.FitArea``).
    """
    return _may_open_on_map(page)


def pass_map_first() -> None:
    """Use up the map-first turn without drawing the map alone: the next run draws whole pages."""
    st.session_state[_OPENED] = True


def framed() -> None:
    """This run draws the page's frame (no later run of this session is map-first)."""
    st.session_state[_FRAMED] = True


def frame_drawn() -> bool:
    """Whether this run draws the page's frame, that is: it is not the map-first one (:func:`map_first`)."""
    return _FRAMED in st.session_state


def open_soon(seconds: float = 1.5) -> None:
    """Rerun the whole page ``seconds`` after the map-first run was drawn (see :func:`map_first`).

    1.5 s: a desktop has drawn the map long before, a phone about then (the benchmark's phone, 4x
    throttled, takes 1.4 s from the map's frame to its pins).
    """

    @st.fragment(run_every=seconds)
    def _open_soon() -> None:
        if _WAITING not in st.session_state:  # drawn with the map: the timer starts
            st.session_state[_WAITING] = True
        elif _FRAMED not in st.session_state:  # it ran out before the map reported
            st.rerun(scope="app")

    _open_soon()


def keep_in_url() -> None:
    """Write the wijk and the language into the address on every run.

    Moving to another page starts with a bare address; writing them back
    keeps both in a link someone shares and through a reload.
    """
    wanted = {"wijk": st.session_state[WIJK], "lang": lang()}
    if {k: st.query_params.get(k) for k in wanted} != wanted:
        st.query_params.update(wanted)


def wijk_changed() -> None:
    """Keep the chosen wijk in the URL, so a reload on a phone stays in the same wijk."""
    st.query_params["wijk"] = st.session_state[WIJK]


def gemeente_changed() -> None:
    """A new gemeente: open its first wijk (its own wijk, else its first CBS wijk)."""
    first = wijken_in(catalogue(), st.session_state[GEMEENTE])
    if first:
        st.session_state[WIJK] = first[0].slug
        wijk_changed()


def wijk_picker() -> None:
    """Two pickers in the sidebar: the gemeente (345 of them, searchable), then a wijk of it."""
    cat = catalogue()
    # Dutch placeholders: Streamlit's own ("Choose an option") is English (WCAG 3.1.2).
    st.selectbox(
        tr("app.gemeente"),
        options=gemeenten(cat),
        key=GEMEENTE,
        on_change=gemeente_changed,
        placeholder=tr("app.gemeente_hint"),
    )
    options = [w.slug for w in wijken_in(cat, st.session_state[GEMEENTE])]
    if st.session_state.get(WIJK) not in options:
        st.session_state[WIJK] = options[0]
    st.selectbox(
        tr("app.wijk"),
        options=options,
        format_func=lambda slug: cat[slug].label(),
        key=WIJK,
        on_change=wijk_changed,
        placeholder=tr("app.wijk_hint"),
    )


def lang() -> Lang:
    return normalise_lang(st.session_state.get(LANG, "nl"))


def current_user() -> User:
    """Who is using this session: logged in here, by the session cookie, by single sign-on, or the public.

    The cookie makes a login survive a page reload on a phone; the database
    knows only its hash (:mod:`abcd.accounts`).
    """
    state = st.session_state
    token = state.get(TOKEN) or _cookie(SESSION_COOKIE)
    if token:
        # Checked on every run: a role change, a removed account or a log-out
        # elsewhere ends the session at once, also in an open tab.
        found = accounts.user_from_session(store(), token)
        if found is not None:
            state[USER] = found
            state[TOKEN] = token
            return found
        if state.get(TOKEN):
            state.pop(USER, None)
            state.pop(TOKEN, None)
    sso = _sso_user()
    if sso is not None:
        state[USER] = sso
        return sso
    user = state.get(USER)
    return user if isinstance(user, User) else PUBLIC_USER


def _cookie(name: str) -> str | None:
    try:
        value = st.context.cookies.get(name)
    except (AttributeError, RuntimeError):
        return None
    return str(value) if value else None


def sso_configured() -> bool:
    """Whether single sign-on (``st.login``, OIDC) is set up in ``.streamlit/secrets.toml``."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own error types
        return False


def _sso_user() -> User | None:
    if not sso_configured():
        return None
    try:
        if not st.user.is_logged_in:
            return None
        email = str(st.user.get("email") or "")
    except (AttributeError, KeyError):
        return None
    return accounts.sso_user(store(), email) if email else None


def account_box() -> None:
    """The sidebar's login form, or who is logged in with a log-out button."""
    user = current_user()
    if not user.is_anonymous:
        st.caption(tr("auth.logged_in", user=plain(user.username), role=tr(f"role_name.{user.role.value}")))
        token = st.session_state.get(TOKEN)
        if token and st.session_state.pop("cookie_pending", False):
            _set_cookie(token, max_age=accounts.SESSION_DAYS * 24 * 3600)
        if st.button(tr("auth.logout"), key="auth_logout", icon=":material/logout:"):
            log_out()
            st.rerun()
        return
    if st.session_state.get(COOKIE_CLEAR) or _cookie(SESSION_COOKIE):
        # Logged out here, or the browser brought a token that no longer holds: it forgets the cookie.
        # Drawn on every run, so a quick rerun cannot remove the frame before its script ran (an
        # unchanged frame stays mounted and runs once).
        _set_cookie("", max_age=0)
    with st.expander(tr("auth.login"), icon=":material/login:"):
        if sso_configured() and st.button(tr("auth.sso"), key="auth_sso"):
            st.login()
        with st.form("auth_form", border=False):
            username = st.text_input(tr("field.username"), key="auth_username", autocomplete="username")
            password = st.text_input(
                tr("field.password"), type="password", key="auth_password", autocomplete="current-password"
            )
            if st.form_submit_button(tr("auth.login"), type="primary"):
                try:
                    log_in(username, password)
                except AbcdError as exc:
                    st.error(plain(exc.message(lang())))
                else:
                    st.rerun()  # show the logged-in frame (and hand over the cookie) at once


def require_page(ctx: PageContext, permission: Permission) -> None:
    """Stop the page with a friendly message when the user may not use it."""
    if not ctx.user.can(permission, ctx.wijk.slug):
        key = "auth.login_needed" if ctx.user.is_anonymous else "auth.not_allowed"
        st.info(tr(key, permission=tr(f"permission.{permission.value}")), icon=":material/lock:")
        st.stop()


def log_in(username: str, password: str) -> User:
    """Check the password, start a session and hand the browser its cookie; raises ``LoginError``."""
    user = accounts.authenticate(store(), username, password)
    token = accounts.start_session(store(), user)
    st.session_state[USER] = user
    st.session_state[TOKEN] = token
    st.session_state["cookie_pending"] = True  # set by account_box on the next run
    st.session_state.pop(COOKIE_CLEAR, None)
    return user


def log_out() -> None:
    """End the session everywhere and forget everything this browser tab held but the language and wijk.

    Pages keep names in session state (an undo button, a half-filled form); on
    a shared computer in a community centre none of that may outlive the login.
    """
    accounts.end_session(store(), st.session_state.get(TOKEN))
    for key in list(st.session_state.keys()):
        if key not in (LANG, WIJK, _OPENED, _FRAMED):  # the tab stays open: its next run draws the whole page
            del st.session_state[key]
    # The browser's cookie is cleared by account_box from the next run on: a frame drawn here would be
    # gone with the rerun that follows, often before its script ran (the cookie then stayed).
    st.session_state[COOKIE_CLEAR] = True
    if sso_configured():
        try:
            if st.user.is_logged_in:
                st.logout()
        except AttributeError:
            pass


def _set_cookie(value: str, *, max_age: int) -> None:
    # Streamlit can read cookies but not set them; a zero-height same-origin
    # iframe does. The value is our own URL-safe token (never user input), so
    # it needs no quoting. Rendering the same frame again does not re-run it.
    value = value if all(c.isalnum() or c in "-_" for c in value) else ""
    st.iframe(
        "<script>var d = window.parent.document, s = window.parent.location.protocol === 'https:';"
        f"d.cookie = '{SESSION_COOKIE}={value}; path=/; max-age={int(max_age)}; SameSite=Strict'"
        " + (s ? '; Secure' : '');</script>",
        height=1,
    )


def scroll_to_top(token: int) -> None:
    """Bring the page back to its top after a save, so the next tap lands on a map in full view.

    A builder scrolls down to reach "Opslaan"; left there, the next form's
    arrival moved the map off the screen. ``token`` makes each call a new frame
    (rendering the same frame again does not run it again).
    """
    st.iframe(
        f"<script>/* {int(token)} */ var m = window.parent.document.querySelector('[data-testid=stMain]');"
        " if (m) { m.scrollTo({top: 0}); }</script>",
        height=1,
    )


def tr(key: str, **params: Any) -> str:
    """Text for ``key`` in the session's language."""
    return t(key, lang(), **params)


def residents(wijk: Wijk) -> str | None:
    """ "14.950 inwoners (CBS 2024)": the population with the year of the figures; ``None`` when unknown."""
    from abcd.i18n.formats import format_integer

    if wijk.population is None:
        return None
    population = format_integer(wijk.population, lang())
    if wijk.figures_year is None:
        return tr("map.residents_own", population=population)
    return tr("map.residents", population=population, year=wijk.figures_year)


@dataclass(frozen=True, slots=True)
class PageContext:
    """What every page needs: the language, the store, the chosen (onboarded) wijk and the user."""

    lang: Lang
    store: Store
    wijk: Wijk
    user: User


def context() -> PageContext:
    """The page context; onboards the chosen wijk into the store on first use."""
    with guard():
        wijk = ensure_wijk(store(), catalogue(), st.session_state[WIJK], settings().wijken_dir)
    return PageContext(lang=lang(), store=store(), wijk=wijk, user=current_user())


@contextmanager
def guard() -> Iterator[None]:
    """Show an error as one message in the user's language and stop the page; never a traceback.

    An :class:`AbcdError` says what to do; a full disk or a refused file
    (:class:`OSError`) says so plainly; any other database failure gets a
    general message on the page and its details (which can quote SQL and
    values) in the server's log only.
    """
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except AbcdError as exc:
        # Messages quote user values (an asset's name, a cell of an imported file): shown as text, not markdown.
        st.error(plain(exc.message(lang())))
        st.stop()
    except OSError as exc:
        st.error(plain(storage_error(exc).message(lang())))
        st.stop()
    except DBAPIError:
        _log.exception("database error on a page")
        st.error(tr("error.database_page"))
        st.stop()


@st.cache_data(max_entries=32, show_spinner=False)
def _map_frame(slug: str, version: str, url: str, with_pending: bool) -> gpd.GeoDataFrame:
    del version, url  # cache keys only
    viewer = User("cache", Role.BUILDER) if with_pending else PUBLIC_USER
    return assets.map_frame(store(), wijk=slug, user=viewer)


def map_frame(ctx: PageContext) -> gpd.GeoDataFrame:
    """What the map may show this user: never people, pending assets only to those who may see them.

    Cached per wijk until anything in it changes; the cache holds no personal
    data, and it is cleared after an erasure anyway.
    """
    with_pending = ctx.user.can(Permission.VIEW_PENDING, ctx.wijk.slug)
    return _map_frame(ctx.wijk.slug, ctx.store.data_version(ctx.wijk.slug), settings().database_url, with_pending)


@st.cache_data(max_entries=32, show_spinner=False)
def _frame_photos(ids: tuple[str, ...], version: str, url: str) -> dict[str, list[PhotoInfo]]:
    from abcd.photos.register import photos_of

    del version, url  # cache keys only
    return {asset_id: found for asset_id, found in photos_of(store(), ids).items() if found}


def frame_photos(ctx: PageContext, frame: pd.DataFrame) -> dict[str, list[PhotoInfo]]:
    """The photos of the assets in ``frame`` (a map frame: only what this user may see, never residents).

    Cached until a photo is added or removed anywhere; thumbnails only, never the full images.
    """
    from abcd.photos.register import photos_version

    if not len(frame):
        return {}
    ids = tuple(sorted(str(i) for i in frame["id"]))
    return _frame_photos(ids, photos_version(ctx.store), settings().database_url)


@st.cache_data(max_entries=2048, show_spinner=False)
def _popup_img(info: PhotoInfo, alt: str) -> str:
    from abcd.photos.html import popup_html

    return popup_html(info, alt)


@st.cache_data(max_entries=16, show_spinner=False)
def _map_pins(key: str, stale: date | None, details: bool, _shown: pd.DataFrame) -> Any:
    from abcd.maps import asset_pins

    del key  # the cache key: the database and the ids and versions shown, in order
    return asset_pins(_shown, stale_before=stale, descriptions=details)


def map_pins(ctx: PageContext, shown: pd.DataFrame, *, details: bool = False) -> Any:
    """The map pins (:class:`abcd.maps.Pins`) of ``shown``, rows of :func:`map_frame`, greyed when stale.

    Cached until anything in the wijk changes: a page that shows the same
    assets again (a click, another visitor) does not build them again.
    ``details`` sends the descriptions along, for a map whose popups show them.
    """
    import hashlib

    # Each row's id, version and last confirmation say all a pin shows: no need to ask the database again.
    confirmed = shown["last_confirmed"] if "last_confirmed" in shown.columns else [None] * len(shown)
    rows = "\x1f".join(f"{i}:{v}:{c}" for i, v, c in zip(shown["id"], shown["version"], confirmed, strict=True))
    key = f"{settings().database_url}|{hashlib.blake2b(rows.encode('utf-8'), digest_size=12).hexdigest()}"
    return _map_pins(key, stale_cutoff(), details, shown)


@st.cache_data(max_entries=32, show_spinner=False)
def _people_counts(slug: str, version: str, url: str) -> list[tuple[str, str]]:
    del version, url  # cache keys only
    return assets.people_counts(store(), wijk=slug)


def people_counts(ctx: PageContext) -> list[tuple[str, str]]:
    """Residents per buurt, small numbers as ``"<5"`` (:func:`abcd.assets.people_counts`), cached per wijk version."""
    return _people_counts(ctx.wijk.slug, ctx.store.data_version(ctx.wijk.slug), settings().database_url)


def popup_photos(ctx: PageContext, frame: pd.DataFrame) -> dict[str, str]:
    """For each asset in ``frame`` with a photo, its first photo as a map popup shows it (about 5 kB)."""
    found = frame_photos(ctx, frame)
    names = dict(zip(frame["id"], frame["name"], strict=True)) if found else {}
    return {asset_id: _popup_img(photos[0], str(names[asset_id])) for asset_id, photos in found.items()}


@st.cache_data(max_entries=32, show_spinner=False)
def _initiatives(slug: str, version: str, url: str, theme: str | None, since: date | None) -> gpd.GeoDataFrame:
    from abcd.gapmap import initiatives_near

    del version, url  # cache keys only
    return initiatives_near(store(), slug, theme=theme, active_since=since)


def stale_cutoff() -> date:
    """An asset last confirmed before this day is stale (:mod:`abcd.freshness`, ``ABCD_STALE_MONTHS``)."""
    return stale_before(local_today(), settings().stale_months)


def active_since(active_only: bool) -> date | None:
    """The day from which a confirmed initiative counts as active; ``None``: all count."""
    return stale_cutoff() if active_only else None


def initiatives(ctx: PageContext, *, theme: str | None = None, active_only: bool = True) -> gpd.GeoDataFrame:
    """The resident initiatives that count for the wijk's streets, wherever they lie; cached until an asset changes.

    Keyed on every asset's change, not the wijk's: an initiative just across
    the border counts too. With ``theme``, only those of that theme; with
    ``active_only``, only those confirmed within ``ABCD_STALE_MONTHS``.
    """
    since = active_since(active_only)
    return _initiatives(ctx.wijk.slug, ctx.store.data_version(), settings().database_url, theme, since)


@st.cache_data(max_entries=32, show_spinner=False)
def _coverage(
    slug: str, version: str, url: str, distance_m: float, mode: str, theme: str | None, since: date | None
) -> gpd.GeoDataFrame:
    from abcd.gapmap import wijk_coverage

    del version, url
    return wijk_coverage(store(), slug, distance_m=distance_m, mode=mode, theme=theme, active_since=since)  # type: ignore[arg-type]


def coverage(
    ctx: PageContext, *, distance_m: float, mode: str, theme: str | None = None, active_only: bool = True
) -> gpd.GeoDataFrame:
    """The wijk's street coverage by resident initiatives (:func:`abcd.gapmap.wijk_coverage`), cached until a change."""
    since = active_since(active_only)
    return _coverage(ctx.wijk.slug, ctx.store.data_version(), settings().database_url, distance_m, mode, theme, since)


FLASH = "flash"


def flash(message: str, *, icon: str = ":material/check_circle:") -> None:
    """Show ``message`` as a toast on the next run.

    A toast followed by ``st.rerun()`` is often lost (the rerun removes it
    before the browser has drawn it), so pages queue it here and ``app.py``
    shows it at the start of the next run.
    """
    st.session_state[FLASH] = (message, icon)


PLACEHOLDER_COLOR = "#5C6462"
"""Placeholders in text fields: 6.1:1 on white, 5.5:1 on the fields' grey."""
_DOCUMENT_KEY = "abcd_document"

# Streamlit's own English hints ("Press Enter to apply") overlap Dutch fields; buttons and pills get thumb size.
PAGE_STYLE = (
    "<style>"
    "[data-testid='InputInstructions']{display:none}"
    # A tap on the map makes the form appear below it; the browser's scroll anchoring then scrolled the map
    # off the screen (a stale anchor from the last save). Without it the page stays where the thumb left it.
    "[data-testid='stMain']{overflow-anchor:none}"
    ".stButton button,.stDownloadButton button,.stFormSubmitButton button,"
    "[data-testid^='stBaseButton-pills']{min-height:44px}"
    # Streamlit fades placeholders from the text colour; this one reaches 4.5:1 on the fields (WCAG 1.4.3). Captions
    # are faded too (opacity .6): the theme's text colour is dark enough for them (.streamlit/config.toml).
    f".stApp input::placeholder,.stApp textarea::placeholder{{color:{PLACEHOLDER_COLOR};opacity:1}}"
    # The page-language and focus scripts do their work without taking room (page_language, focus_on).
    f"[class*='st-key-{_DOCUMENT_KEY}']{{display:none}}"
    "</style>"
)


def page_style() -> None:
    """The app's few style rules, once per run (a style-only ``st.html`` takes no room on the page)."""
    st.html(PAGE_STYLE)


# A script in the page itself (st.html with JavaScript runs in the main document, as soon as it is drawn): it
# says the page's language, which Streamlit's index.html fixes at "en" (streamlit/streamlit#8399), names the map
# frames, and moves the keyboard focus. Each runs once per distinct text, so a language switch runs it again.
_NAME_FRAMES = """
window.__abcdFrameNames = %s;
window.__abcdNameFrames = window.__abcdNameFrames || function () {
  for (const [selector, name] of Object.entries(window.__abcdFrameNames)) {
    for (const frame of document.querySelectorAll(selector)) {
      if (frame.getAttribute("aria-label") !== name) { frame.setAttribute("aria-label", name); }
    }
  }
};
window.__abcdNameFrames();
if (!window.__abcdFrameObserver) {
  window.__abcdFrameObserver = new MutationObserver(window.__abcdNameFrames);
  window.__abcdFrameObserver.observe(document.body, {childList: true, subtree: true});
}
"""
_FOCUS = """
(function (selector, tries) {
  const attempt = function () {
    const target = document.querySelector(selector);
    if (target) { target.focus(); target.scrollIntoView({block: "center"}); }
    else if (tries-- > 0) { window.setTimeout(attempt, 50); }
  };
  attempt();
})(%s, 60);
"""


def _page_script(script: str, *, key: str) -> None:
    """Run ``script`` in the page, in a container that takes no room (only our own code, never user text)."""
    with st.container(key=key):
        st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)


# The map component's frames are titled "streamlit_folium.st_folium" (tests find them by it); a screen
# reader announces their aria-label instead.
_MAP_FRAMES = 'iframe[title="streamlit_folium.st_folium"]'


def page_language() -> None:
    """Say the page's language on ``<html lang>`` (screen readers choose their voice by it; WCAG 3.1.1).

    The map frames get a name in that language too ("Kaart"), instead of the
    component's technical title.
    """
    from abcd._html import js_literal

    names = js_literal({_MAP_FRAMES: tr("map.frame_name")})
    _page_script(f"document.documentElement.lang = {js_literal(lang())};" + _NAME_FRAMES % names, key=_DOCUMENT_KEY)


def focus_on(selector: str, *, token: str) -> None:
    """Move the keyboard focus to the first element matching the CSS ``selector``, once per ``token``.

    For a page that changes under the keyboard user (a point chosen without the
    map brings its form): the focus goes where the next step is, instead of
    back to the top of the page. ``selector`` is the page's own, never user text.
    """
    from abcd._html import js_literal

    _page_script(f"/* {js_literal(token)} */" + _FOCUS % js_literal(selector), key=f"{_DOCUMENT_KEY}_focus")


def show_flash() -> None:
    queued = st.session_state.pop(FLASH, None)
    if queued:
        st.toast(queued[0], icon=queued[1])


def clear_caches() -> None:
    """Forget every cached frame (after an erasure nothing of the person may stay in memory)."""
    st.cache_data.clear()


@st.cache_data(max_entries=16, show_spinner=False)
def _streets(slug: str, url: str) -> gpd.GeoDataFrame:
    del url
    return store().streets(slug)


def streets(ctx: PageContext) -> gpd.GeoDataFrame:
    """The wijk's street segments (cached per wijk)."""
    return _streets(ctx.wijk.slug, settings().database_url)


@st.cache_data(max_entries=32, show_spinner=False)
def _wijk_connections(
    slug: str, version: str, links: str, url: str, user: User
) -> tuple[list[Asset], pd.DataFrame, dict[str, dict[str, int]]]:
    from abcd.connections.register import connections_frame, resident_counts, visible_connections

    del version, links, url  # cache keys only
    seen = assets.visible_assets(store(), wijk=slug, user=user)
    counts = {k: {kind.value: n for kind, n in v.items()} for k, v in resident_counts(store(), seen).items()}
    return seen, connections_frame(visible_connections(store(), seen, user=user)), counts


def wijk_connections(ctx: PageContext) -> tuple[list[Asset], pd.DataFrame, dict[str, dict[str, int]]]:
    """The assets ``ctx.user`` sees in the wijk, the connections between them, and per asset its residents by kind.

    A resident's connections are personal data: without the right to see
    residents they are only in the counts (:func:`abcd.connections.register.resident_counts`).
    """
    from abcd.connections.register import Register

    links = Register(ctx.store).data_version()
    return _wijk_connections(ctx.wijk.slug, ctx.store.data_version(), links, settings().database_url, ctx.user)


@st.cache_data(max_entries=32, show_spinner=False)
def _wijk_ties(slug: str, version: str, links: str, url: str, user: User) -> pd.DataFrame:
    return _wijk_connections(slug, version, links, url, user)[1]


def wijk_ties(ctx: PageContext) -> pd.DataFrame:
    """Only the connections of :func:`wijk_connections` (what a map draws): a small copy to fetch from the cache."""
    from abcd.connections.register import Register

    links = Register(ctx.store).data_version()
    return _wijk_ties(ctx.wijk.slug, ctx.store.data_version(), links, settings().database_url, ctx.user)


def still_there(ctx: PageContext, asset_id: str, last_confirmed: Any, *, key: str, label: str | None = None) -> None:
    """When the asset was last seen still there, and for a builder a "nog actief" button that says so for today.

    ``label`` (the asset's name) starts the line where several assets are listed.
    """
    day = as_day(last_confirmed)
    stale = confirmed_before(day, stale_cutoff())
    text = tr("confirm.last", date=format_date(day, ctx.lang)) if day else tr("confirm.never")
    col_text, col_button = st.columns([2, 1], vertical_alignment="center")
    lead = f"**{plain(label)}** · " if label else (f"**{tr('confirm.stale')}** " if stale else "")
    col_text.markdown(lead + text)
    if not ctx.user.can(Permission.EDIT_ASSETS):
        return
    if col_button.button(tr("confirm.button"), key=f"{key}_confirm_{asset_id}", icon=":material/task_alt:"):
        with guard():
            assets.confirm_asset(ctx.store, asset_id, user=ctx.user)
        flash(tr("confirm.done"))
        st.rerun()


def connection_panel(
    ctx: PageContext,
    asset_id: str,
    seen: list[Asset],
    ties: pd.DataFrame,
    residents: Mapping[str, Mapping[str, int]],
    *,
    key: str,
) -> None:
    """An asset's connections grouped by kind, its residents as counts and the stories about it; for builders
    in the wijk also "Verbonden met …" (connect it to another asset, picked by name) and a remove button.

    ``seen``, ``ties`` and ``residents`` come from :func:`wijk_connections`, so
    nothing here shows a resident to someone who may not see residents.
    """
    from abcd.connections.model import ConnectionKind
    from abcd.connections.register import link, unlink

    by_id = {a.id: a for a in seen}
    mine = ties[(ties["from_id"] == asset_id) | (ties["to_id"] == asset_id)] if len(ties) else ties
    rows = list(mine.itertuples())
    stories = [r for r in rows if r.kind == ConnectionKind.ABOUT.value and r.to_id == asset_id]
    if stories:
        st.markdown(f"**{tr('map.stories_about')}**")
        for story in stories:
            told = by_id[story.from_id]
            st.markdown(f"*{plain(told.name)}*: {plain(told.description)}")
    rest = [r for r in rows if r not in stories]
    if rest:
        st.markdown(f"**{tr('map.connections')}**")
    can_edit = ctx.user.can(Permission.EDIT_ASSETS, ctx.wijk.slug)
    for kind in ConnectionKind:  # grouped by kind, in the kinds' own order
        of_kind = [r for r in rest if r.kind == kind.value]
        if of_kind:
            st.caption(f"**{kind.label(ctx.lang)}**")
        for tie in of_kind:
            line = f"{plain(by_id[tie.from_id].name)} → {plain(by_id[tie.to_id].name)}"
            col_text, col_remove = st.columns([5, 1])
            col_text.caption(line + (f" ({plain(tie.note)})" if tie.note else ""))
            if can_edit and col_remove.button(tr("map.unlink"), key=f"unlink_{tie.id}", icon=":material/link_off:"):
                with guard():
                    unlink(ctx.store, tie.id, user=ctx.user)
                st.rerun()
    for code, count in residents.get(asset_id, {}).items():
        st.caption(tr("map.residents_connected", count=count, kind=ConnectionKind(code).label(ctx.lang)))
    if not can_edit:
        return
    name = by_id[asset_id].name if asset_id in by_id else ""
    with st.expander(tr("map.link_title"), icon=":material/link:"):
        others = sorted((a for a in seen if a.id != asset_id), key=lambda a: a.name.lower())
        labels = {a.id: a.name for a in others}
        with st.form(f"{key}_link_{asset_id}", clear_on_submit=True, border=False):
            direction = st.radio(
                tr("map.link_direction"),
                ["from", "to"],
                format_func=lambda d: t(f"map.link_{d}", ctx.lang, name=name),
                horizontal=True,
            )
            kind_code = st.selectbox(
                tr("field.kind_of_connection"),
                [k.value for k in ConnectionKind],
                format_func=lambda k: ConnectionKind(k).label(ctx.lang),
            )
            other = st.selectbox(
                tr("map.link_other"),
                list(labels),
                format_func=labels.__getitem__,
                index=None,
                placeholder=tr("map.link_other_hint"),
            )
            note = st.text_input(tr("field.note_of_connection"), max_chars=300)
            if st.form_submit_button(tr("map.link"), type="primary"):
                ends = (asset_id, other) if direction == "from" else (other, asset_id)
                with guard():
                    raw = {"from_id": ends[0], "to_id": ends[1], "kind": kind_code, "note": note}
                    link(ctx.store, raw, user=ctx.user)
                flash(tr("map.linked"))
                st.rerun()


def theme_picker(ctx: PageContext, *, current: frozenset[str] = frozenset(), key: str | None = None) -> list[str]:
    """The themes of an initiative, picked from the built-in ones and the wijk's own (:mod:`abcd.themes`)."""
    from abcd.themes import list_themes

    known = list_themes(ctx.store)
    labels = {theme.code: theme.label(ctx.lang) for theme in known}
    return st.multiselect(
        tr("field.themes"),
        options=list(labels),
        default=[code for code in sorted(current) if code in labels],
        format_func=labels.__getitem__,
        placeholder=tr("field.themes_none"),  # Streamlit's own is English ("Choose options")
        help=tr("field.themes_help"),
        key=key,
    )


def result_downloads(name: str, make: Callable[[str], bytes], *, key: str) -> None:
    """A CSV and a GeoJSON download side by side (keys ``{key}_csv``, ``{key}_geojson``).

    ``make(suffix)`` writes the file only when someone downloads it, not on every move of a slider.
    """
    col_csv, col_geojson = st.columns(2)
    for column, suffix, label, mime in (
        (col_csv, ".csv", "gaps.download_csv", "text/csv"),
        (col_geojson, ".geojson", "gaps.download_geojson", "application/geo+json"),
    ):
        column.download_button(
            tr(label),
            lambda suffix=suffix: make(suffix),  # type: ignore[misc]
            file_name=f"{name}{suffix}",
            mime=mime,
            key=f"{key}_{suffix.lstrip('.')}",
            on_click="ignore",
        )


def show_map(m: Any, *, key: str, layers: list[Any] | None = None, height: int = 520) -> Mapping[str, Any] | None:
    """Show a folium map with ``st_folium`` and return its latest state.

    A fixed ``key`` and the short list of returned objects mean pan and zoom
    do not rerun the script; ``layers`` are added without remounting the map.
    The state is read from ``st.session_state[key]`` (written by the
    component's change callback), which is also where tests inject a click.
    The background map is the one ``ABCD_BASEMAP`` names (:mod:`abcd.maps.basemaps`);
    the ids of the pins shown are kept for :func:`new_map_click`.
    """
    from streamlit_folium import st_folium

    from abcd import maps

    maps.use_basemap(m, settings().basemap)
    st.session_state[f"{key}__pins"] = maps.pin_ids(layers or [])
    st_folium(
        m,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=list(maps.ST_FOLIUM_RETURNED_OBJECTS),
        feature_group_to_add=layers or None,
        layer_control=maps.layer_control(),  # also the choice of background map
        # st_folium renders the map itself; rendering its whole document first as well only doubled the work.
        render=False,
    )
    state = st.session_state.get(key)
    return state if isinstance(state, Mapping) else None


def show_chart(chart: Any, *, font_scale: float = 1.0) -> None:
    """Show an Altair chart with numbers, money and months in the reader's language (``250.000``, ``mrt``).

    ``font_scale`` enlarges its axes, legend and title (the Presentatie page's big screen).
    """
    from abcd.i18n.formats import chart_locale

    configured = chart.configure(locale=chart_locale(lang()))
    if font_scale != 1.0:
        from abcd.portrait.presenting import chart_fonts

        configured = chart_fonts(configured, font_scale)
    st.altair_chart(configured, width="stretch")


def new_map_click(key: str) -> Click | None:
    """The click on the map shown with ``key`` that this session has not acted on yet, or ``None``.

    ``st_folium`` hands back the latest click of each kind on every run; the
    previous result is kept in session state, so a click is acted on once.
    Every page reads its map clicks through here (a :class:`abcd.maps.clicks.Click`).
    """
    from abcd.maps.clicks import click_since

    state = st.session_state.get(key)
    result = state if isinstance(state, Mapping) else None
    seen = f"{key}__seen"
    click = click_since(result, st.session_state.get(seen), st.session_state.get(f"{key}__pins"))
    st.session_state[seen] = dict(result) if result else None
    return click


# Streamlit's markdown turns bare web and e-mail addresses into links (GFM "autolink literals"), and it
# finds them after resolving backslash escapes. An invisible word joiner (U+2060) inside "http://", after
# "www" and before "@" leaves nothing for it to find; the text looks and reads the same.
_AUTOLINK_STARTS = re.compile(r"(?i)(?<=http:)(?=//)|(?<=https:)(?=//)|(?<=www)(?=\.)|(?=@)")
WORD_JOINER = "\u2060"


def plain(text: str) -> str:
    """User text made safe for ``st.markdown``: no HTML, no links (written or bare), images or emphasis.

    Every markdown special character is backslash-escaped, so it shows as
    itself; ``&`` too, so ``&lt;`` stays the four characters typed. Web and
    e-mail addresses get an invisible word joiner (:data:`WORD_JOINER`) so
    that markdown does not make them clickable: a visitor never gets a link
    someone typed into a name or description.

    >>> print(plain("![x](https://evil.example/x.png) & <b>").replace(WORD_JOINER, "<wj>"))
    \\!\\[x\\]\\(https:<wj>//evil\\.example/x\\.png\\) \\& \\<b\\>
    >>> print(plain("www.buurt.nl, ans@buurt.nl").replace(WORD_JOINER, "<wj>"))
    www<wj>\\.buurt\\.nl, ans<wj>@buurt\\.nl
    """
    specials = "\\`*_{}[]()#+-.!|<>~$&"
    unlinked = _AUTOLINK_STARTS.sub(WORD_JOINER, text)
    return "".join(f"\\{c}" if c in specials else c for c in unlinked)


# ------------------------------------------------------------------ the add form's parts
def consent_values(ctx: PageContext, *, given: bool) -> dict[str, Any]:
    """A resident's consent as the form records it: the tick, and the rest from configuration and the account."""
    config = settings()
    return {
        "consent_given": given,
        "consent_date": local_today(),
        "consent_recorded_by": ctx.user.username,
        "consent_purpose": config.consent_purpose,
        "consent_text_version": config.consent_text_version,
    }


def consent_box(ctx: PageContext, *, key: str, label: str = "add.consent_given") -> bool:
    """What the resident consents to (purpose, text version, who records it, today) and an unticked box.

    Consent is given, never assumed: nothing here states it until the builder ticks the box.
    """
    values = consent_values(ctx, given=False)
    st.markdown(f"**{tr('field.consent')}**")
    st.caption(
        tr(
            "add.consent_terms",
            purpose=plain(values["consent_purpose"]),
            version=plain(values["consent_text_version"]),
            by=plain(ctx.user.username),
            date=format_date(values["consent_date"], ctx.lang),
        )
    )
    return st.checkbox(tr(label), key=key)


PHOTO_TYPES = ["jpg", "jpeg", "png", "webp", "heic", "heif", "gif"]


def photo_inputs(ctx: PageContext, *, key: str) -> None:
    """Photos from the phone's camera or gallery, and whether people can be recognised on them (then consent).

    The uploader's key changes after every save (``add_saved_round``), so the next asset starts without photos.
    """
    from abcd.photos.images import MAX_PHOTO_BYTES

    st.file_uploader(
        tr("photo.pick"),
        type=PHOTO_TYPES,
        accept_multiple_files=True,
        key=photo_key(key),
        help=tr("photo.pick_help", mb=MAX_PHOTO_BYTES // (1024 * 1024)),
    )
    people_key = f"{key}_people_{_round()}"
    if st.session_state.get(photo_key(key)) and st.checkbox(
        tr("photo.people"), key=people_key, help=tr("photo.people_help")
    ):
        consent_box(ctx, key=f"{key}_consent_{_round()}", label="photo.consent_given")


def _round() -> int:
    return int(st.session_state.get("add_saved_round", 0))


def photo_key(key: str) -> str:
    return f"{key}_{_round()}"


def photo_uploads(key: str) -> list[Any]:
    """The files in the photo uploader ``key`` (see :func:`photo_inputs`)."""
    return list(st.session_state.get(photo_key(key)) or [])


def check_photos(files: list[Any], *, ctx: PageContext, key: str) -> list[tuple[Any, Any]]:
    """Every uploaded photo re-encoded and checked before anything is stored, with its consent if it shows people.

    Returns ``(prepared photo, consent or None)`` pairs; a bad photo raises, naming the file.
    """
    from abcd.photos.images import prepare_photo

    people = bool(st.session_state.get(f"{key}_people_{_round()}"))
    ticked = bool(st.session_state.get(f"{key}_consent_{_round()}"))
    consent = photo_consent(ctx, people=people, ticked=ticked) if files else None
    checked = []
    for upload in files:
        try:
            checked.append((prepare_photo(upload.getvalue()), consent))
        except AbcdError as exc:
            raise AbcdError("photo.bad_file", name=upload.name, message=exc) from exc
    return checked


def photo_consent(ctx: PageContext, *, people: bool, ticked: bool) -> Consent | None:
    """The consent a photo with recognisable people is stored with; refused unless its box is ticked."""
    if not people:
        return None
    if not ticked:
        raise AbcdError("error.photo_needs_consent")
    from abcd.model import validate_consent

    return validate_consent(consent_values(ctx, given=True))


def attach_checked_photos(ctx: PageContext, asset_id: str, checked: list[tuple[Any, Any]]) -> int:
    """Attach the photos :func:`check_photos` prepared to the asset just saved; the number attached."""
    from abcd.photos.register import add_photo

    for prepared, consent in checked:
        add_photo(
            ctx.store, asset_id, prepared, by=ctx.user.username, shows_people=consent is not None, consent=consent
        )
    return len(checked)


PHOTO_ERRORS = frozenset(
    {
        "photo.bad_file",
        "error.photo_needs_consent",
        "error.photo_unreadable",
        "error.photo_too_many_pixels",
        "error.too_many_photos",
    }
)


def error_field(exc: AbcdError) -> str | None:
    """Which part of the add form an error is about, so its message shows there (``None``: by the save button)."""
    if exc.key == "add.choose_category":
        return "category"
    if exc.key in PHOTO_ERRORS:
        return "photos"
    if "consent" in exc.key or str(exc.params.get("field", "")).startswith("field.consent"):
        return "consent"
    if exc.params.get("field") == "field.name":
        return "name"
    return None


def duplicate_question(ctx: PageContext, suspects: Any) -> None:
    """Ask "is this the same as …?": the live assets a save may duplicate and how far, before anything is stored."""
    st.warning(tr("add.duplicate_question", n=len(suspects)), icon=":material/content_copy:")
    lines = [tr("add.duplicate_line", name=plain(s.other_name), distance=s.distance_m) for s in suspects]
    st.markdown("\n".join(f"- {line}" for line in lines))


def photo_strip(ctx: PageContext, asset_id: str, *, key: str) -> None:
    """The asset's photos this user may see (a resident's only to who may see residents), and for an editor
    a way to add more: camera or gallery, re-encoded without the phone's data like every photo."""
    from abcd.photos.register import attach_photo, visible_photos

    asset = ctx.store.get(asset_id)
    photos = visible_photos(ctx.store, [asset], user=ctx.user).get(asset.id, [])
    if photos:
        st.image([p.thumbnail for p in photos], width=150)
    if not ctx.user.can(Permission.EDIT_ASSETS) or asset.is_deleted:
        return
    with st.expander(tr("photo.add_title"), icon=":material/add_a_photo:"):
        upload = st.file_uploader(tr("photo.pick"), type=PHOTO_TYPES, key=f"{key}_photo_{asset.id}_{_round()}")
        people = st.checkbox(tr("photo.people"), key=f"{key}_photo_people_{asset.id}", help=tr("photo.people_help"))
        consent = (
            consent_box(ctx, key=f"{key}_photo_consent_{asset.id}", label="photo.consent_given") if people else False
        )
        if upload is not None and st.button(tr("photo.add"), key=f"{key}_photo_add_{asset.id}", type="primary"):
            with guard():
                given = photo_consent(ctx, people=people, ticked=consent)
                attach_photo(ctx.store, asset.id, upload.getvalue(), user=ctx.user, shows_people=people, consent=given)
            st.session_state["add_saved_round"] = _round() + 1  # an empty uploader next time
            flash(tr("photo.added"))
            st.rerun()
