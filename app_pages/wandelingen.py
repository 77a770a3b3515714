"""Wandelingen (builders and coordinators): record a walk with the phone, import a GPX file, see the walks."""

from __future__ import annotations

import streamlit as st

from abcd import maps, ui
from abcd.i18n.formats import format_date, format_number
from abcd.maps.walks import track_layers
from abcd.permissions import Permission
from abcd.walks import register, widget
from abcd.walks.tracks import track_from_positions

ctx = ui.context()
tr = ui.tr
st.header(tr("walks.title", wijk=ui.plain(ctx.wijk.name)))
ui.require_page(ctx, Permission.RECORD_WALKS)
retention = ui.settings().walk_retention_months
with ui.guard():
    register.reduce_old_walks(ctx.store, keep_months=retention)  # no track is shown past its retention
st.caption(tr("walks.intro"))
st.caption(tr("walks.privacy", months=retention))

# ---------------------------------------------------------------------------
st.subheader(tr("walks.record_title"))
st.caption(tr("walks.record_help"))
sent = widget.recorder(key="walk_recorder", lang=ctx.lang)
if sent is not None:
    with ui.guard():
        walk = register.record_walk(
            ctx.store, ctx.wijk.slug, track_from_positions(sent.get("positions")), by=ctx.user, source="app"
        )
    widget.acknowledge(widget.walk_token(sent))
    ui.flash(tr("walks.saved", n=len(walk.streets), date=format_date(walk.walked_on, ctx.lang)))
    st.rerun()  # the browser hears that the walk is stored, and forgets it

upload_key = f"walks_gpx_{st.session_state.setdefault('walks_upload', 0)}"  # a new key empties the uploader
upload = st.file_uploader(tr("walks.upload"), type=["gpx"], key=upload_key, help=tr("walks.upload_help"))
if upload is not None and st.button(tr("walks.import"), key="walks_import", icon=":material/upload_file:"):
    with ui.guard(), widget.uploaded_file(upload.getvalue(), upload.name) as path:
        walk = register.import_gpx(ctx.store, path, by=ctx.user, wijk=ctx.wijk.slug)
    st.session_state["walks_upload"] += 1
    ui.flash(tr("walks.saved", n=len(walk.streets), date=format_date(walk.walked_on, ctx.lang)))
    st.rerun()

# ---------------------------------------------------------------------------
st.subheader(tr("walks.list_title"))
everyone = st.toggle(tr("walks.show_all"), key="walks_all", help=tr("walks.show_all_help"))
with ui.guard():
    walks = register.walks_visible_to(
        ctx.store, ctx.user, wijk=ctx.wijk.slug, walker=None if everyone else ctx.user.username
    )
if not walks:
    st.info(tr("walks.none"), icon=":material/directions_walk:")
else:
    sources = {"app": tr("walks.source_app"), "gpx": tr("walks.source_gpx")}
    st.dataframe(
        {
            tr("walks.col.walked_on"): [format_date(w.walked_on, ctx.lang) for w in walks],
            tr("walks.col.walker"): [w.walker for w in walks],
            tr("walks.col.length_km"): [format_number(w.length_m / 1000, ctx.lang, digits=2) for w in walks],
            tr("walks.col.streets"): [", ".join(w.streets) for w in walks],
            tr("walks.col.source"): [sources.get(w.source, w.source) for w in walks],
        },
        hide_index=True,
        width="stretch",
    )
    track_map = maps.base_map(boundary=ctx.wijk.boundary, lang=ctx.lang)
    ui.show_map(track_map, key="walks_map", layers=track_layers(walks, lang=ctx.lang), height=360)

# ---------------------------------------------------------------------------
st.subheader(tr("walks.streets_title"))
streets = register.streets_by_last_walked(ctx.store, ctx.wijk.slug)
st.dataframe(
    {
        tr("walks.col.street"): streets["street"].tolist(),
        tr("walks.col.last_walked"): [
            format_date(d, ctx.lang) if d else tr("walks.never") for d in streets["last_walked"]
        ],
    },
    hide_index=True,
    width="stretch",
)
