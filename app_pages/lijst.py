"""Lijst: search, sort, edit, delete and restore the wijk's assets, with their history."""

from __future__ import annotations

import streamlit as st

from abcd import ui
from abcd.assets import edit_asset
from abcd.filters import filter_assets
from abcd.model import NAME_MAX, Category, MeetingPlaceRole
from abcd.tables import asset_table, history_table

ctx = ui.context()
tr = ui.tr
st.header(f"{tr('page.list')}: {ctx.wijk.name}")

col_search, col_cats = st.columns([2, 3])
text = col_search.text_input(tr("list.search"), key="list_search", placeholder=tr("list.search_hint"))
categories = col_cats.multiselect(
    tr("list.categories"),
    options=[c.value for c in Category],
    format_func=lambda code: Category(code).label(ctx.lang),
    key="list_categories",
)
show_deleted = st.toggle(tr("list.show_deleted"), key="list_show_deleted")

with ui.guard():
    items = ctx.store.list_assets(wijk=ctx.wijk.slug, deleted_only=show_deleted)
table = asset_table(items, ctx.lang)
frame = filter_assets(table, text=text, categories=categories or None)
st.dataframe(
    frame.drop(columns=["id", "category"]),
    hide_index=True,
    width="stretch",
    column_config={"name": tr("field.name"), "category_label": tr("field.category"),
                   "description": tr("field.description"), "source": tr("field.source"),
                   "updated_at": tr("list.updated"), "version": tr("field.version")},
)
st.caption(tr("list.count", shown=len(frame), total=len(items)))

undo = st.session_state.get("list_undo")
undo_label = tr("list.undo", name=ui.plain(undo["name"])) if undo else ""
if undo and not show_deleted and st.button(undo_label, key="list_undo_button", icon=":material/undo:"):
    with ui.guard():
        ctx.store.restore(undo["id"], by=ui.actor())
    st.session_state.pop("list_undo", None)
    st.rerun()

if frame.empty:
    st.info(tr("list.empty"))
    st.stop()

by_id = {a.id: a for a in items}
chosen = st.selectbox(
    tr("list.choose"),
    options=list(frame["id"]),
    format_func=lambda asset_id: f"{by_id[asset_id].name} · {by_id[asset_id].category.label(ctx.lang)}",
    key="list_selected",
    index=None,
    placeholder=tr("list.choose_hint"),
)
if chosen is None:
    st.stop()
asset = by_id[chosen]
# The version this screen showed: an edit or delete is based on it, so a change
# someone else saved in between is refused instead of silently overwritten.
base_key = f"list_base_version_{asset.id}"
base_version = st.session_state.setdefault(base_key, asset.version)

if asset.is_deleted:
    st.warning(tr("list.is_deleted", name=ui.plain(asset.name)))
    if st.button(tr("list.restore"), key="list_restore", icon=":material/restore_from_trash:", type="primary"):
        st.session_state.pop(base_key, None)
        with ui.guard():
            ctx.store.restore(asset.id, by=ui.actor(), expected_version=base_version)
        st.toast(tr("list.restored", name=ui.plain(asset.name)))
        st.rerun()
else:
    if asset.is_example:
        st.info(tr("app.example_badge"))
    categories_all = [c.value for c in Category]
    category = st.selectbox(
        tr("field.category"),
        options=categories_all,
        index=categories_all.index(asset.category.value),
        format_func=lambda code: Category(code).label(ctx.lang),
        key=f"edit_category_{asset.id}",
    )
    with st.form(f"edit_form_{asset.id}"):
        name = st.text_input(tr("field.name"), value=asset.name, max_chars=NAME_MAX)
        description = st.text_area(tr("field.description"), value=asset.description)
        changes: dict[str, object] = {}
        if category == Category.INITIATIVE:
            changes["resident_led"] = st.checkbox(
                tr("field.resident_led"), value=asset.resident_led is not False
            )
        if category == Category.MEETING_PLACE:
            roles = [r.value for r in MeetingPlaceRole]
            current = asset.meeting_place_role.value if asset.meeting_place_role else MeetingPlaceRole.OTHER.value
            changes["meeting_place_role"] = st.radio(
                tr("field.meeting_place_role"), roles, index=roles.index(current),
                format_func=lambda code: tr(f"role.{code}"),
            )
        col_lat, col_lon = st.columns(2)
        lat = col_lat.number_input(tr("field.lat"), value=asset.lat, format="%.6f", step=0.0001)
        lon = col_lon.number_input(tr("field.lon"), value=asset.lon, format="%.6f", step=0.0001)
        if st.form_submit_button(tr("list.save"), type="primary", width="stretch"):
            changes.update(name=name, description=description, category=category, lat=lat, lon=lon)
            st.session_state.pop(base_key, None)  # after this attempt, show what is stored now
            with ui.guard():
                edit_asset(ctx.store, ui.catalogue(), asset.id, changes,
                           expected_version=base_version, by=ui.actor())
            st.toast(tr("list.saved", name=ui.plain(name)))
            st.rerun()
    if st.button(tr("list.delete"), key=f"delete_{asset.id}", icon=":material/delete:"):
        st.session_state.pop(base_key, None)
        with ui.guard():
            ctx.store.delete(asset.id, by=ui.actor(), expected_version=base_version)
        st.session_state["list_undo"] = {"id": asset.id, "name": asset.name}
        st.rerun()

with st.expander(tr("list.history"), expanded=False):
    st.dataframe(history_table(ctx.store.history(asset.id), ctx.lang), hide_index=True, width="stretch")
