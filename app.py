"""Streamlit entry point: page frame, shared wijk and language pickers, navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from abcd import heap, ui
from abcd.config import ROOT
from abcd.i18n import LANGUAGES, language_name
from abcd.permissions import Permission

heap.settle()  # what the imports and the first runs loaded is no longer walked by every full collection

st.set_page_config(
    page_title="ABCD",
    page_icon=str(ROOT / "static" / "favicon.png") if (ROOT / "static" / "favicon.png").exists() else "🏘️",
    layout="wide",
    initial_sidebar_state="auto",
)
PAGES = Path(__file__).parent / "app_pages"

# Whatever the sidebar or a page does not handle itself (a full disk, a database that fails) is one
# friendly message, never a traceback that could show a visitor SQL or file paths.
with ui.guard():
    ui.init_session()  # opens the database: the wijk may come from the address
    ui.show_flash()

# A run that may be the map-first one (ui.map_first) leaves the page list for the next run as well, and the whole
# sidebar: a phone builds even an empty one (folded away) before the map's frame, about a tenth of a second. On a
# desktop the map narrows when the sidebar comes, and fits the wijk again (abcd.maps._elements.FitArea).
hidden = ui.hides_navigation(ui.address_page())
navigation = st.navigation(
    [
        # The map is the front page, at "/" itself: a browser that opens a page's own address asks for the
        # server's health there first (/kaart/_stcore/health), is refused, and tries "/" 0.1 s later. The
        # default page's url_path never shows; /kaart is the same page under its older address, so that
        # links made before still open the map.
        st.Page(PAGES / "kaart.py", title=ui.tr("page.map"), icon=":material/map:", url_path="start", default=True),
        st.Page(PAGES / "kaart.py", title=ui.tr("page.map"), url_path="kaart", visibility="hidden"),
        st.Page(
            PAGES / "toevoegen.py", title=ui.tr("page.add"), icon=":material/add_location_alt:", url_path="toevoegen"
        ),
        st.Page(PAGES / "lijst.py", title=ui.tr("page.list"), icon=":material/list:", url_path="lijst"),
        st.Page(PAGES / "gatenkaart.py", title=ui.tr("page.gaps"), icon=":material/layers:", url_path="gatenkaart"),
        st.Page(
            PAGES / "investeringen.py",
            title=ui.tr("page.investments"),
            icon=":material/euro:",
            url_path="investeringen",
        ),
        st.Page(PAGES / "verbindingen.py", title=ui.tr("page.network"), icon=":material/hub:", url_path="verbindingen"),
        st.Page(
            PAGES / "presentatie.py",
            title=ui.tr("page.presentation"),
            icon=":material/co_present:",
            url_path="presentatie",
        ),
        st.Page(PAGES / "over.py", title=ui.tr("page.about"), icon=":material/info:", url_path="over"),
    ]
    + (  # a walker's track is personal data: the walk log is for builders and coordinators only
        [
            st.Page(
                PAGES / "wandelingen.py",
                title=ui.tr("page.walks"),
                icon=":material/directions_walk:",
                url_path="wandelingen",
            )
        ]
        if ui.current_user().can(Permission.RECORD_WALKS)
        else []
    )
    + (
        [st.Page(PAGES / "beheer.py", title=ui.tr("page.admin"), icon=":material/shield_person:", url_path="beheer")]
        if ui.current_user().can(Permission.MODERATE)
        else []
    ),
    position="hidden" if hidden else "sidebar",
)
# A session that opens on the map gets the map first, the frame on the next run (ui.map_first).
first = ui.map_first(navigation.url_path)
if hidden and not first:  # the address and the page disagree: draw this page whole, with its page list
    ui.pass_map_first()
    st.rerun()
if not first:
    ui.framed()
    with ui.guard():
        ui.page_style()
        ui.page_language()  # <html lang="nl"> or "en": Streamlit's own page says "en" whatever the app speaks
    with ui.guard(), st.sidebar:
        st.segmented_control("Taal / Language", options=LANGUAGES, format_func=language_name, key=ui.LANG)
        ui.wijk_picker()
        ui.keep_in_url()
        ui.account_box()
with ui.guard():
    navigation.run()
