"""Lijst: search, sort, edit, delete and restore the wijk's assets, with their history."""

from __future__ import annotations

import streamlit as st

from abcd import ui
from abcd.assets import (
    approve_asset,
    delete_asset,
    edit_asset,
    erase_person,
    name_mentions,
    restore_asset,
    visible_assets,
)
from abcd.duplicates import RADIUS_M, Duplicates, DuplicatesFound, suspects_table
from abcd.errors import AbcdError
from abcd.exchange import import_upload
from abcd.filters import filter_assets
from abcd.freshness import to_check
from abcd.i18n.formats import format_integer
from abcd.io import MAX_FILE_BYTES, MAX_ROWS
from abcd.model import NAME_MAX, Category, MeetingPlaceRole
from abcd.permissions import Permission
from abcd.tables import asset_table, history_table

LIST_TO_CHECK = 50  # rows with a button each; the rest are counted

ctx = ui.context()
tr = ui.tr
st.header(f"{tr('page.list')}: {ui.plain(ctx.wijk.name)}")

col_search, col_cats = st.columns([2, 3])
text = col_search.text_input(tr("list.search"), key="list_search", placeholder=tr("list.search_hint"))
categories = col_cats.multiselect(
    tr("list.categories"),
    options=[c.value for c in Category],
    format_func=lambda code: Category(code).label(ctx.lang),
    key="list_categories",
    placeholder=tr("list.categories_all"),  # Streamlit's own is English ("Choose options")
)
can_edit = ctx.user.can(Permission.EDIT_ASSETS, ctx.wijk.slug)
# What was deleted is not public: only editors can look at (and restore) it.
show_deleted = st.toggle(tr("list.show_deleted"), key="list_show_deleted") if can_edit else False

with ui.guard():
    items = visible_assets(ctx.store, wijk=ctx.wijk.slug, user=ctx.user, deleted_only=show_deleted)
table = asset_table(items, ctx.lang)
frame = filter_assets(table, text=text, categories=categories or None)
st.dataframe(
    frame.drop(columns=["id", "category"]),
    hide_index=True,
    width="stretch",
    column_config={
        "name": tr("field.name"),
        "category_label": tr("field.category"),
        "description": tr("field.description"),
        "source": tr("field.source"),
        "updated_at": tr("list.updated"),
        "version": tr("field.version"),
    },
)
st.caption(tr("list.count", shown=len(frame), total=len(items)))

# "Nog nakijken": what nobody confirmed lately (abcd.freshness); a builder who saw it taps "Nog actief".
stale = [] if show_deleted else to_check(items, ui.stale_cutoff())
if stale:
    with st.expander(tr("list.to_check", n=len(stale)), icon=":material/event_busy:"):
        st.caption(tr("list.to_check_help", months=ui.settings().stale_months))
        for item in stale[:LIST_TO_CHECK]:
            ui.still_there(ctx, item.id, item.last_confirmed, key="lijst_check", label=item.name)
        if len(stale) > LIST_TO_CHECK:
            st.caption(tr("list.to_check_more", n=len(stale) - LIST_TO_CHECK))

undo = st.session_state.get("list_undo")
undo_label = tr("list.undo", name=ui.plain(undo["name"])) if undo else ""
if undo and can_edit and not show_deleted and st.button(undo_label, key="list_undo_button", icon=":material/undo:"):
    with ui.guard():
        restore_asset(ctx.store, undo["id"], expected_version=None, user=ctx.user)
    st.session_state.pop("list_undo", None)
    st.rerun()

# Import a file: above the editor, because the page stops early when nothing is chosen (or the list is empty).
if ctx.user.can(Permission.IMPORT, ctx.wijk.slug):
    imported = st.session_state.pop("list_import_done", None)
    if imported:
        st.success(imported, icon=":material/upload_file:")
    with st.expander(tr("list.import_title"), icon=":material/upload_file:"):
        st.caption(tr("list.import_help", max=MAX_FILE_BYTES // (1024 * 1024), rows=format_integer(MAX_ROWS, ctx.lang)))
        upload = st.file_uploader(
            tr("list.import_file"),
            type=["geojson", "json", "gpkg", "csv"],
            key=f"list_import_file_{st.session_state.get('list_import_round', 0)}",  # a new key empties it
        )
        overwrite = st.checkbox(tr("list.import_overwrite"), key="list_import_overwrite")
        # Suspected duplicates wait for a choice about the file they were found in; another file forgets them.
        asked = st.session_state.get("list_import_asked")  # {"file", "rows", "suspects"}
        if asked is not None and (upload is None or asked["file"] != upload.file_id):
            st.session_state.pop("list_import_asked", None)
            asked = None
        choice: Duplicates | None = None
        if st.button(tr("list.import_button"), key="list_import_button", disabled=upload is None):
            choice = "ask"
        if asked is not None:
            st.warning(tr("list.duplicates_found", n=asked["rows"], radius=RADIUS_M), icon=":material/content_copy:")
            st.dataframe(
                suspects_table(asked["suspects"], ctx.lang),
                hide_index=True,
                width="stretch",
                column_config={
                    "row": tr("list.duplicates_row"),
                    "name": tr("list.duplicates_name"),
                    "existing": tr("list.duplicates_existing"),
                    "distance_m": tr("list.duplicates_distance"),
                },
            )
            col_skip, col_keep = st.columns(2)
            if col_skip.button(tr("list.duplicates_skip"), key="list_import_skip", type="primary", width="stretch"):
                choice = "skip"
            if col_keep.button(tr("list.duplicates_keep"), key="list_import_keep", width="stretch"):
                choice = "keep"
        if choice is not None and upload is not None:
            try:
                result = import_upload(
                    ctx.store,
                    upload.name,
                    upload.getvalue(),
                    catalogue=ui.catalogue(),
                    wijken_dir=ui.settings().wijken_dir,
                    default_wijk=ctx.wijk.slug,
                    user=ctx.user,
                    overwrite=overwrite,
                    lang=ctx.lang,
                    duplicates=choice,
                )
            except DuplicatesFound as exc:  # nothing was stored: show the pairs and ask
                st.session_state["list_import_asked"] = {
                    "file": upload.file_id,
                    "rows": exc.rows,
                    "suspects": exc.suspects,
                }
                st.rerun()
            except AbcdError as exc:  # nothing was stored; the message names the row and the reason
                st.session_state.pop("list_import_asked", None)
                st.error(ui.plain(AbcdError("error.nothing_imported", message=exc).message(ctx.lang)))
            else:
                done = tr("list.import_done", n=result.created, updated=result.updated, unchanged=result.unchanged)
                if result.skipped:
                    done += " " + tr("duplicates.skipped", n=result.skipped)
                st.session_state["list_import_done"] = done
                st.session_state.pop("list_import_asked", None)
                st.session_state["list_import_round"] = st.session_state.get("list_import_round", 0) + 1
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
seen, ties, residents = ui.wijk_connections(ctx)
# The version this screen showed: an edit or delete is based on it, so a change
# someone else saved in between is refused instead of silently overwritten.
base_key = f"list_base_version_{asset.id}"
base_version = st.session_state.setdefault(base_key, asset.version)

if asset.is_pending:
    st.warning(tr("list.pending"), icon=":material/hourglass_top:")
    if ctx.user.can(Permission.MODERATE, ctx.wijk.slug) and st.button(
        tr("list.approve"), key=f"approve_{asset.id}", type="primary", icon=":material/check:"
    ):
        with ui.guard():
            approve_asset(ctx.store, asset.id, user=ctx.user)
        st.session_state.pop(base_key, None)
        st.rerun()

if asset.is_deleted:
    st.warning(tr("list.is_deleted", name=ui.plain(asset.name)))
    if can_edit and st.button(
        tr("list.restore"), key="list_restore", icon=":material/restore_from_trash:", type="primary"
    ):
        st.session_state.pop(base_key, None)
        with ui.guard():
            restore_asset(ctx.store, asset.id, expected_version=base_version, user=ctx.user)
        ui.flash(tr("list.restored", name=ui.plain(asset.name)))
        st.rerun()
elif not can_edit:
    with st.container(border=True):
        st.subheader(ui.plain(asset.name))
        st.caption(asset.category.label(ctx.lang))
        if asset.is_example:
            st.info(tr("app.example_badge"))
        if asset.description:
            st.markdown(ui.plain(asset.description))
else:
    if asset.is_example:
        st.info(tr("app.example_badge"))
    if asset.is_person:
        consent = ctx.store.consent(asset.id)
        if consent is not None:
            st.caption(
                tr(
                    "list.consent",
                    date=consent.date.isoformat(),
                    by=ui.plain(consent.recorded_by),
                    purpose=ui.plain(consent.purpose),
                )
            )
    categories_all = [c.value for c in Category]
    category = st.selectbox(
        tr("field.category"),
        options=categories_all,
        index=categories_all.index(asset.category.value),
        format_func=lambda code: Category(code).label(ctx.lang),
        key=f"edit_category_{asset.id}",
        disabled=asset.is_person,  # a resident stays a resident; erase instead
    )
    with st.form(f"edit_form_{asset.id}"):
        name = st.text_input(tr("field.name"), value=asset.name, max_chars=NAME_MAX)
        description = st.text_area(tr("field.description"), value=asset.description)
        changes: dict[str, object] = {}
        if category == Category.INITIATIVE:
            changes["resident_led"] = st.checkbox(tr("field.resident_led"), value=asset.resident_led is not False)
            changes["themes"] = ui.theme_picker(ctx, current=asset.themes)
        if category == Category.MEETING_PLACE:
            roles = [r.value for r in MeetingPlaceRole]
            current = asset.meeting_place_role.value if asset.meeting_place_role else MeetingPlaceRole.OTHER.value
            changes["meeting_place_role"] = st.radio(
                tr("field.meeting_place_role"),
                roles,
                index=roles.index(current),
                format_func=lambda code: tr(f"role.{code}"),
            )
        if asset.is_person:
            changes["contact"] = st.text_input(tr("field.contact"), value=asset.contact or "", max_chars=300)
        else:
            col_lat, col_lon = st.columns(2)
            changes["lat"] = col_lat.number_input(tr("field.lat"), value=asset.lat, format="%.6f", step=0.0001)
            changes["lon"] = col_lon.number_input(tr("field.lon"), value=asset.lon, format="%.6f", step=0.0001)
        if st.form_submit_button(tr("list.save"), type="primary", width="stretch"):
            changes.update(name=name, description=description, category=category)
            st.session_state.pop(base_key, None)  # after this attempt, show what is stored now
            with ui.guard():
                edit_asset(ctx.store, ui.catalogue(), asset.id, changes, expected_version=base_version, user=ctx.user)
            ui.flash(tr("list.saved", name=ui.plain(name)))
            st.rerun()
    if st.button(tr("list.delete"), key=f"delete_{asset.id}", icon=":material/delete:"):
        st.session_state.pop(base_key, None)
        with ui.guard():
            delete_asset(ctx.store, asset.id, expected_version=base_version, user=ctx.user)
        st.session_state["list_undo"] = {"id": asset.id, "name": asset.name}
        st.rerun()

if not asset.is_deleted:
    ui.photo_strip(ctx, asset.id, key="lijst")
    ui.still_there(ctx, asset.id, asset.last_confirmed, key="lijst")
if not asset.is_deleted:  # its connections, and for builders "Verbonden met …"
    ui.connection_panel(ctx, asset.id, seen, ties, residents, key="lijst")

if asset.is_person and ctx.user.can(Permission.ERASE, ctx.wijk.slug):
    with st.expander(tr("list.erase_title"), icon=":material/person_remove:"):
        st.caption(tr("list.erase_help"))
        with ui.guard():
            mentions = name_mentions(ctx.store, asset.id, user=ctx.user)
        if mentions:
            # Other records that name this resident: erasing leaves them as they are, so say which to edit.
            st.warning(tr("list.erase_mentions", n=len(mentions)), icon=":material/warning:")
            kinds = {"asset": tr("mention.asset"), "investment": tr("mention.investment")}
            lines = [
                f"- {ui.plain(m.label)} · {kinds[m.kind]}" + (f" · {tr('mention.deleted')}" if m.deleted else "")
                for m in mentions
            ]
            st.markdown("\n".join(lines))
        sure = st.checkbox(tr("list.erase_confirm"), key=f"erase_sure_{asset.id}")
        if st.button(tr("list.erase"), key=f"erase_{asset.id}", type="primary", disabled=not sure):
            try:
                erase_person(ctx.store, asset.id, user=ctx.user)
            except AbcdError as exc:
                if exc.key != "error.erase_busy":  # busy: erased, only the file's clean-up is pending
                    st.error(ui.plain(exc.message(ctx.lang)))
                    st.stop()
                ui.flash(ui.plain(exc.message(ctx.lang)), icon=":material/warning:")
            else:
                ui.flash(tr("list.erased"))
            ui.clear_caches()
            st.session_state.pop("list_selected", None)
            st.rerun()

if can_edit:
    with st.expander(tr("list.history"), expanded=False):
        st.dataframe(history_table(ctx.store.history(asset.id), ctx.lang), hide_index=True, width="stretch")
