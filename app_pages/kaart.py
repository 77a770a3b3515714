"""Kaart: the wijk's assets per category, with search, filters and details on click."""

from __future__ import annotations

import streamlit as st

from abcd import assets, maps, themes, ui
from abcd.filters import filter_assets
from abcd.model import Category, Source
from abcd.permissions import Permission
from abcd.tables import source_label

SELECTED = "kaart_selected"  # the asset last tapped on the map (or picked from the list)
PICK = "kaart_pick"  # the list that reaches every shown asset without the map (keyboard, screen reader)
PICK_LIMIT = 300  # more shown: the list asks for a search first (every option is sent to the browser)
MOVING = "kaart_moving"  # (id, version, name) of the asset whose new spot the next tap gives

ctx = ui.context()
tr = ui.tr

# The map goes out before what stands above it (the heading, the residents, the example notice, a move hint,
# search and filters), which is drawn afterwards into this slot: the browser starts on the map sooner (on
# the map-first run, ui.map_first, the map is all there is). The filters' values are in the session already
# (set by the browser). The slot is there on every run, so the map keeps its place (and is not drawn anew)
# when the map-first run is followed by the whole page.
top = st.container()

frame = ui.map_frame(ctx)
examples = int((frame["source"] == Source.EXAMPLE.value).sum()) if len(frame) else 0

SEARCH, CATEGORIES = "kaart_search", "kaart_categories"
codes = [c.value for c in Category if c is not Category.PERSON]  # residents are never map points
text = str(st.session_state.get(SEARCH) or "")
chosen = st.session_state.get(CATEGORIES, codes)
shown = filter_assets(frame, text=text, categories=chosen)

ties = ui.wijk_ties(ctx)  # the lines on the map; who is connected to whom waits for a chosen asset
the_map = maps.base_map(
    boundary=ctx.wijk.boundary,
    streets=ui.streets(ctx),
    lang=ctx.lang,
    examples=examples > 0,
    buurten=maps.buurt_areas(ui.catalogue(), ctx.wijk.boundary),
)
# Descriptions and photos are not sent with the pins: an opened pin's details appear below the map. The
# map-first run (ui.map_first) sends what draws the pins alone; their names come with the whole page.
map_alone = not ui.frame_drawn()  # a session's first look (ui.map_first): the map alone, the rest when it is drawn
pins = ui.map_pins(ctx, shown)
if map_alone:
    pins = maps.first_look(pins)
layers = maps.connection_layers(shown, ties, lang=ctx.lang) + maps.pin_layers(pins, lang=ctx.lang, details_below=True)
ui.show_map(the_map, key="kaart_map", layers=layers)
if map_alone:
    ui.open_soon()
    st.stop()
moving = st.session_state.get(MOVING)
with top:
    st.header(tr("map.title", wijk=ui.plain(ctx.wijk.name)))
    if caption := ui.residents(ctx.wijk):
        st.caption(caption)
    if examples:
        st.info(tr("app.example_notice", n=examples), icon=":material/lightbulb:")
    if moving:
        col_text, col_cancel = st.columns([3, 1], vertical_alignment="center")
        col_text.info(tr("map.move_hint", name=ui.plain(moving[2])), icon=":material/open_with:")
        if col_cancel.button(tr("add.cancel"), key="kaart_move_cancel"):
            st.session_state.pop(MOVING, None)
            st.rerun()
    col_search, col_filter = st.columns([1, 2])
    col_search.text_input(tr("map.search"), key=SEARCH, placeholder=tr("map.search_hint"))
    col_filter.pills(
        tr("map.filter"),
        options=codes,
        default=codes,
        selection_mode="multi",
        format_func=lambda code: f"{maps.CATEGORY_STYLE[code].glyph} {Category(code).label(ctx.lang)}",
        key=CATEGORIES,
    )
click = ui.new_map_click("kaart_map")
if click is not None and click.asset_id is not None:
    st.session_state[SELECTED] = click.asset_id
elif click is not None and click.point is not None and moving:
    st.session_state.pop(MOVING, None)
    with ui.guard():
        lon, lat = click.point
        changes = {"lon": lon, "lat": lat}
        assets.edit_asset(ctx.store, ui.catalogue(), moving[0], changes, expected_version=moving[1], user=ctx.user)
    ui.flash(tr("map.moved", name=ui.plain(moving[2])), icon=":material/open_with:")
    st.rerun()

if frame.empty:
    st.info(tr("map.empty", wijk=ui.plain(ctx.wijk.name)))
else:
    st.caption(tr("map.count", shown=len(shown), n=len(frame)))


def _picked() -> None:
    st.session_state[SELECTED] = st.session_state.get(PICK)


if 0 < len(shown) <= PICK_LIMIT:
    names = dict(zip(shown["id"], shown["name"], strict=True))
    st.selectbox(
        tr("map.pick"),
        options=list(names),
        index=None,
        format_func=lambda asset_id: f"{names.get(asset_id, asset_id)}",
        placeholder=tr("map.pick_hint"),
        key=PICK,
        on_change=_picked,
    )
elif len(shown) > PICK_LIMIT:
    st.caption(tr("map.pick_narrow"))


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
        ui.photo_strip(ctx, str(row["id"]), key="kaart")
        ui.still_there(ctx, str(row["id"]), row.get("last_confirmed"), key="kaart")
        if ctx.user.can(Permission.EDIT_ASSETS) and st.button(
            tr("map.move"), key=f"kaart_move_{row['id']}", icon=":material/open_with:"
        ):
            st.session_state[MOVING] = (str(row["id"]), int(row["version"]), str(row["name"]))
            st.rerun()
        seen, ties, residents = ui.wijk_connections(ctx)
        ui.connection_panel(ctx, str(row["id"]), seen, ties, residents, key="kaart")

# People are never points on a map: they are counted per buurt, small numbers as "<5".
people = ui.people_counts(ctx)
if people:
    st.subheader(tr("map.people_title"))
    names = ui.catalogue()
    # A markdown table: a data grid would cost the browser about a megabyte of script for a few rows.
    rows = [f"| {ui.plain(tr('field.buurt'))} | {ui.plain(tr('map.people_count'))} |", "| --- | ---: |"]
    rows += [f"| {ui.plain(names[b].name if b in names else b)} | {ui.plain(str(count))} |" for b, count in people]
    st.markdown("\n".join(rows))
