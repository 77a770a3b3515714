"""Over: what ABCD is, where the data comes from, and how to take it with you."""

from __future__ import annotations

import streamlit as st

from abcd import ui
from abcd.exchange import export_bytes, export_frame
from abcd.licences import export_sources

ctx = ui.context()
tr = ui.tr

st.header(tr("about.title"))
st.markdown(tr("about.abcd"))
st.subheader(tr("about.privacy_title"))
st.markdown(tr("about.privacy"))
st.subheader(tr("about.sources_title"))
st.markdown(tr("about.sources"))
st.caption(tr("map.attribution"))

st.subheader(tr("about.export_title"))
st.markdown(tr("about.export", wijk=ui.plain(ctx.wijk.name)))
formats = {
    ".geojson": ("GeoJSON", "application/geo+json"),
    ".gpkg": ("GeoPackage (QGIS)", "application/geopackage+sqlite3"),
    ".csv": ("CSV (Excel)", "text/csv"),
    ".html": (tr("about.export_html"), "text/html"),
}
choice = st.radio(
    tr("about.format"), list(formats), format_func=lambda s: formats[s][0], horizontal=True, key="about_format"
)
if st.button(tr("about.prepare"), key="about_prepare"):
    with ui.guard():
        st.session_state["about_export"] = (
            ctx.wijk.slug,
            choice,
            export_bytes(ctx.store, choice, wijk=ctx.wijk.slug, lang=ctx.lang),
            export_sources(export_frame(ctx.store, wijk=ctx.wijk.slug), lang=ctx.lang),
        )
prepared = st.session_state.get("about_export")
if prepared and prepared[:2] == (ctx.wijk.slug, choice):  # never another wijk's file
    st.download_button(
        tr("about.download", format=formats[choice][0]),
        data=prepared[2],
        file_name=f"abcd-{ctx.wijk.slug}{choice}",
        mime=formats[choice][1],
        key="about_download",
        type="primary",
    )
    with st.expander(tr("sources.heading")):  # the licences travel with the data; a CSV download has no sidecar
        st.markdown("\n".join(f"- {ui.plain(line)}" for line in prepared[3]))
st.markdown(tr("about.cli"))
