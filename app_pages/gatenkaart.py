"""Gatenkaart (municipal officers): streets without a resident initiative within reach."""

from __future__ import annotations

import streamlit as st

from abcd import gaps, maps, ui
from abcd.gaps.files import GapRun, gaps_bytes
from abcd.i18n.formats import format_number
from abcd.permissions import Permission

ctx = ui.context()
tr = ui.tr
st.header(tr("gaps.title", wijk=ui.plain(ctx.wijk.name)))
ui.require_page(ctx, Permission.VIEW_GAPS)
st.caption(tr("gaps.intro"))

col_distance, col_mode = st.columns([2, 1])
distance = col_distance.slider(
    tr("gaps.distance"), gaps.MIN_DISTANCE_M, gaps.MAX_DISTANCE_M, gaps.DEFAULT_DISTANCE_M, step=25, key="gaps_distance"
)
mode = col_mode.radio(
    tr("gaps.mode"),
    ["straight", "network"],
    format_func=lambda m: tr(f"gaps.mode.{m}"),
    key="gaps_mode",
    horizontal=True,
)

streets = ui.streets(ctx)
if streets.empty:
    st.info(tr("gaps.no_streets", slug=ctx.wijk.slug))
    st.stop()
coverage = ui.coverage(ctx, distance_m=float(distance), mode=mode)
figures = gaps.wijk_figures(coverage)
initiatives = ui.initiatives(ctx)  # the same ones the coverage counted

cols = st.columns(4)
cols[0].metric(tr("gaps.share"), f"{figures.share_length_needs_support:.0%}")
cols[1].metric(tr("gaps.segments"), f"{figures.segments_needs_support} / {figures.segments}")
cols[2].metric(tr("gaps.mean"), format_number(figures.mean_initiatives_per_segment, ctx.lang, digits=1))
cols[3].metric(tr("gaps.initiatives"), len(initiatives))

the_map = maps.add_gap_legend(maps.base_map(boundary=ctx.wijk.boundary, lang=ctx.lang), lang=ctx.lang)
layers = maps.coverage_layers(coverage, lang=ctx.lang) + maps.asset_layers(initiatives, lang=ctx.lang)
ui.show_map(the_map, key="gaps_map", layers=layers, height=520)

st.subheader(tr("gaps.streets"))
summary = gaps.street_summary(coverage, unnamed=tr("gaps.unnamed_road"))
metres = ["length_m", "length_needs_support_m", "nearest_initiative_m"]
st.dataframe(
    # Metres written the reader's way (1.250 / 1,250); the numbers stay, so the columns sort by value.
    summary.style.format(lambda m: format_number(m, ctx.lang, digits=0), subset=metres),
    hide_index=True,
    width="stretch",
    column_config={column: st.column_config.Column(tr(f"gaps.col.{column}")) for column in summary.columns}
    | {
        "share_needs_support": st.column_config.ProgressColumn(
            tr("gaps.col.share_needs_support"), min_value=0.0, max_value=1.0, format="percent"
        ),
    },
)
name = f"gatenkaart-{ctx.wijk.slug}-{mode}-{distance}m"
run = GapRun.of(coverage, wijk=ctx.wijk.name)  # the wijk, mode, distance and date go into the files
col_csv, col_geojson = st.columns(2)
# The files are written only when someone downloads them, not on every move of the slider.
col_csv.download_button(
    tr("gaps.download_csv"),
    lambda: gaps_bytes(coverage, ".csv", run=run, lang=ctx.lang),
    file_name=f"{name}.csv",
    mime="text/csv",
    key="gaps_csv",
    on_click="ignore",
)
col_geojson.download_button(
    tr("gaps.download_geojson"),
    lambda: gaps_bytes(coverage, ".geojson", run=run, lang=ctx.lang),
    file_name=f"{name}.geojson",
    mime="application/geo+json",
    key="gaps_geojson",
    on_click="ignore",
)
