"""Kaart: the wijk's assets per category, with search, filters and details on click."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from abcd import assets, maps, themes, ui
from abcd.connections.model import ConnectionKind
from abcd.connections.register import link, unlink
from abcd.filters import filter_assets
from abcd.model import Category, Source
from abcd.permissions import Permission
from abcd.tables import source_label

SELECTED = "kaart_selected"  # the asset last tapped on the map

ctx = ui.context()
tr = ui.tr

st.header(tr("map.title", wijk=ui.plain(ctx.wijk.name)))
if caption := ui.residents(ctx.wijk):
    st.caption(caption)

frame = ui.map_frame(ctx)
examples = int((frame["source"] == Source.EXAMPLE.value).sum()) if len(frame) else 0
if examples:
    st.info(tr("app.example_notice", n=examples), icon=":material/lightbulb:")

col_search, col_filter = st.columns([1, 2])
text = col_search.text_input(tr("map.search"), key="kaart_search", placeholder=tr("map.search_hint"))
codes = [c.value for c in Category if c is not Category.PERSON]  # residents are never map points
chosen = col_filter.pills(
    tr("map.filter"),
    options=codes,
    default=codes,
    selection_mode="multi",
    format_func=lambda code: f"{maps.CATEGORY_STYLE[code].glyph} {Category(code).label(ctx.lang)}",
    key="kaart_categories",
)
shown = filter_assets(frame, text=text, categories=chosen)

seen, ties, residents = ui.wijk_connections(ctx)
the_map = maps.base_map(boundary=ctx.wijk.boundary, streets=ui.streets(ctx), lang=ctx.lang, examples=examples > 0)
layers = maps.connection_layers(shown, ties, lang=ctx.lang) + maps.asset_layers(shown, lang=ctx.lang)
ui.show_map(the_map, key="kaart_map", layers=layers)
click = ui.new_map_click("kaart_map")
if click is not None and click.asset_id is not None:
    st.session_state[SELECTED] = click.asset_id

if frame.empty:
    st.info(tr("map.empty", wijk=ui.plain(ctx.wijk.name)))
else:
    st.caption(tr("map.count", shown=len(shown), n=len(frame)))


def _connections_of(row: pd.Series) -> None:
    """The selected asset's connections by kind, its residents as counts, the stories about it; and for
    builders a way to connect it ("verbonden met ...") and to remove a connection."""
    names = {a.id: a.name for a in seen}
    mine = ties[(ties["from_id"] == row["id"]) | (ties["to_id"] == row["id"])]
    stories = [t for t in mine.itertuples() if t.kind == ConnectionKind.ABOUT.value and t.to_id == row["id"]]
    if stories:
        st.markdown(f"**{tr('map.stories_about')}**")
        by_id = {a.id: a for a in seen}
        for story in stories:
            told = by_id[story.from_id]
            st.markdown(f"*{ui.plain(told.name)}*: {ui.plain(told.description)}")
    rest = [t for t in mine.itertuples() if t not in stories]
    if rest:
        st.markdown(f"**{tr('map.connections')}**")
    for kind in ConnectionKind:  # grouped by kind, in the kinds' own order
        of_kind = [tie for tie in rest if tie.kind == kind.value]
        if of_kind:
            st.caption(f"**{kind.label(ctx.lang)}**")
        for tie in of_kind:
            line = f"{ui.plain(names[tie.from_id])} → {ui.plain(names[tie.to_id])}"
            col_text, col_remove = st.columns([5, 1])
            col_text.caption(line + (f" ({ui.plain(tie.note)})" if tie.note else ""))
            if ctx.user.can(Permission.EDIT_ASSETS, ctx.wijk.slug) and col_remove.button(
                tr("map.unlink"), key=f"unlink_{tie.id}", icon=":material/link_off:"
            ):
                with ui.guard():
                    unlink(ctx.store, tie.id, user=ctx.user)
                st.rerun()
    for kind, count in residents.get(row["id"], {}).items():
        st.caption(tr("map.residents_connected", count=count, kind=ConnectionKind(kind).label(ctx.lang)))
    if not ctx.user.can(Permission.EDIT_ASSETS, ctx.wijk.slug):
        return
    with st.expander(tr("map.link_title"), icon=":material/link:"):
        others = sorted((a for a in seen if a.id != row["id"]), key=lambda a: a.name.lower())
        with st.form(f"link_{row['id']}", clear_on_submit=True, border=False):
            direction = st.radio(
                tr("map.link_direction"),
                ["from", "to"],
                format_func=lambda d: tr(f"map.link_{d}", name=row["name"]),
                horizontal=True,
            )
            kind = st.selectbox(
                tr("field.kind_of_connection"),
                [k.value for k in ConnectionKind],
                format_func=lambda k: ConnectionKind(k).label(ctx.lang),
            )
            other = st.selectbox(
                tr("map.link_other"),
                [a.id for a in others],
                format_func=lambda i: names[i],
                index=None,
                placeholder=tr("map.link_other_hint"),
            )
            note = st.text_input(tr("field.note_of_connection"), max_chars=300)
            if st.form_submit_button(tr("map.link"), type="primary"):
                ends = (row["id"], other) if direction == "from" else (other, row["id"])
                with ui.guard():
                    link(ctx.store, {"from_id": ends[0], "to_id": ends[1], "kind": kind, "note": note}, user=ctx.user)
                ui.flash(tr("map.linked"))
                st.rerun()


asset_id = st.session_state.get(SELECTED)
match = frame[frame["id"] == asset_id] if asset_id else frame.iloc[0:0]
if match.empty:
    st.caption(tr("map.click_hint"))
else:
    row = match.iloc[0]
    with st.container(border=True):
        st.subheader(ui.plain(row["name"]))
        category = Category(row["category"])
        st.markdown(f"{maps.CATEGORY_STYLE[category.value].glyph} **{category.label(ctx.lang)}**")
        if row["source"] == Source.EXAMPLE.value:
            st.warning(tr("app.example_badge"), icon=":material/lightbulb:")
        if row["description"]:
            st.markdown(ui.plain(row["description"]))
        if category is Category.INITIATIVE and row["resident_led"] is not None:
            st.caption(tr("map.resident_led") if row["resident_led"] else tr("map.not_resident_led"))
        if category is Category.INITIATIVE and row.get("themes"):
            labels = {theme.code: theme.label(ctx.lang) for theme in themes.list_themes(ctx.store)}
            shown = ", ".join(ui.plain(labels.get(code, code)) for code in str(row["themes"]).split(","))
            st.caption(f"{tr('field.themes')}: {shown}")
        if category is Category.MEETING_PLACE and row["meeting_place_role"]:
            st.caption(f"{tr('field.meeting_place_role')}: {tr('role.' + row['meeting_place_role'])}")
        st.caption(f"{tr('map.source')}: {source_label(Source(row['source']), ctx.lang)}")
        _connections_of(row)

# People are never points on a map: they are counted per buurt, small numbers as "<5".
people = assets.people_counts(ctx.store, wijk=ctx.wijk.slug)
if people:
    st.subheader(tr("map.people_title"))
    names = ui.catalogue()
    st.dataframe(
        {
            tr("field.buurt"): [names[b].name if b in names else b for b, _ in people],
            tr("map.people_count"): [shown for _, shown in people],
        },
        hide_index=True,
    )
