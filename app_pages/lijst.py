"""Lijst: search, sort, edit, delete and restore the wijk's assets, with their history."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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
from abcd.fieldforms.exports import export_tool
from abcd.filters import filter_assets
from abcd.freshness import to_check
from abcd.i18n.formats import format_integer
from abcd.import_preview import (
    PREVIEW_ROWS,
    TABLE_ROWS,
    Scan,
    field_label,
    memory_key,
    preview_frame,
    preview_map,
    remember_mapping,
    remembered_mapping,
    scan_upload,
    suggest_crs,
    suggested_columns,
    upload_columns,
    with_suggestions,
)
from abcd.io import MAX_FILE_BYTES, MAX_ROWS, READ_FORMATS, TABLE_FORMATS
from abcd.mapping import FIELDS, ImportMapping, mapping_from, mapping_to_json
from abcd.model import NAME_MAX, RD_NEW, WGS84, Category, MeetingPlaceRole
from abcd.permissions import Permission
from abcd.tables import asset_table, history_table

if TYPE_CHECKING:
    from streamlit.runtime.uploaded_file_manager import UploadedFile

LIST_TO_CHECK = 50  # rows with a button each; the rest are counted


@st.cache_data(max_entries=4, show_spinner=False)
def _upload_columns(file_id: str, name: str, _data: bytes) -> dict[str, str | None]:
    return upload_columns(name, _data)


@st.cache_data(max_entries=8, show_spinner=False)
def _scan(file_id: str, name: str, read_as: str, _data: bytes, _mapping: ImportMapping) -> Scan:
    return scan_upload(name, _data, _mapping)  # read_as (the mapping's JSON) keys the cache


def _mapping_box(ctx: ui.PageContext, upload: UploadedFile, found: dict[str, str | None]) -> ImportMapping:
    """The columns, categories and preview of an upload; the mapping they make (AbcdError: a bad one)."""
    tr = ui.tr
    remembered = remembered_mapping(ctx.store, found)
    if remembered is not None:
        st.info(tr("import.remembered"), icon=":material/history:")
    columns = {column: sample for column, sample in found.items() if sample is not None}  # empty ones stay out
    suggested = suggested_columns(columns, remembered)
    # Widgets of another file (other columns), or of the file before the last import, start afresh.
    prefix = f"list_import_{st.session_state.get('list_import_round', 0)}_{memory_key(found)[-8:]}"
    st.markdown(f"**{tr('import.columns_title')}**")
    st.caption(tr("import.columns_help"))
    fields = ["", *FIELDS]  # "": not used
    chosen: dict[str, str | None] = {}
    halves = st.columns(2)
    for index, (column, sample) in enumerate(columns.items()):
        field = halves[index % 2].selectbox(
            tr("import.column", column=ui.plain(column), sample=ui.plain(sample)),
            fields,
            index=fields.index(suggested[column] or ""),
            format_func=lambda field: field_label(field, ctx.lang),
            key=f"{prefix}_col_{index}",
        )
        chosen[column] = field or None
    # Columns empty in this file keep what was remembered for them, for the file after it.
    for column, target in (remembered.columns if remembered else {}).items():
        if column in found and column not in chosen and (target is None or target not in chosen.values()):
            chosen[column] = target
    crs = None
    if Path(upload.name).suffix.lower() in TABLE_FORMATS:  # other formats say their own CRS
        systems = [WGS84, RD_NEW]
        start = (remembered.crs if remembered else None) or suggest_crs(columns, chosen) or WGS84
        crs = st.selectbox(
            tr("import.crs"),
            systems,
            index=systems.index(start) if start in systems else 0,
            format_func=lambda code: tr("import.crs_rd") if code == RD_NEW else tr("import.crs_wgs84"),
            key=f"{prefix}_crs",
        )
    read_as = mapping_from(columns=chosen, crs=crs)  # a field chosen twice is refused here
    scan = _scan(upload.file_id, upload.name, mapping_to_json(read_as), upload.getvalue(), read_as)
    codes = ["", *(c.value for c in Category)]  # "": no category
    picked: dict[str, str] = {}
    values = with_suggestions(scan.values, remembered)
    if values:
        st.markdown(f"**{tr('import.categories_title')}**")
        st.caption(tr("import.categories_help"))
    halves = st.columns(2)
    for index, value in enumerate(values):
        code = halves[index % 2].selectbox(
            tr("import.category_value", n=value.rows, value=ui.plain(value.value)),
            codes,
            index=codes.index(value.suggested.value if value.suggested else ""),
            format_func=lambda code: Category(code).label(ctx.lang) if code else tr("import.no_category"),
            key=f"{prefix}_cat_{value.token}",
        )
        if code:
            picked[value.value] = code
    default = remembered.default_category.value if remembered and remembered.default_category else ""
    default = st.selectbox(
        tr("import.default_category"),
        codes,
        index=codes.index(default),
        format_func=lambda code: Category(code).label(ctx.lang) if code else tr("import.no_category"),
        key=f"{prefix}_default",
    )
    mapping = mapping_from(columns=chosen, categories=picked, default_category=default, crs=crs)
    still_open = [v for v in values if v.value not in picked]
    if mapping.maps_categories and still_open:
        st.warning(tr("import.values_open", n=len(still_open)), icon=":material/help:")
    shown = preview_frame(scan.head, mapping)
    st.markdown(f"**{tr('import.preview_title')}**")
    st.caption(tr("import.preview_caption", n=len(shown), first=min(scan.count, PREVIEW_ROWS), total=scan.count))
    if not shown.empty:
        table = shown[["row", "name", "category", "lat", "lon"]].head(TABLE_ROWS).copy()
        table["category"] = [Category(c).label(ctx.lang) for c in table["category"]]
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={
                "row": tr("list.duplicates_row"),
                "name": tr("field.name"),
                "category": tr("field.category"),
                "lat": tr("field.lat"),
                "lon": tr("field.lon"),
            },
        )
        ui.show_map(preview_map(shown, lang=ctx.lang), key="list_import_map", height=320)
    return mapping


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
        st.caption(tr("import.more_formats"))
        upload = st.file_uploader(
            tr("list.import_file"),
            type=[suffix.lstrip(".") for suffix in (*READ_FORMATS, ".zip")],  # .zip: ODK Central's export with photos
            key=f"list_import_file_{st.session_state.get('list_import_round', 0)}",  # a new key empties it
        )
        # What the file holds, mapped to abcd's fields and categories and previewed; imported only on confirmation.
        upload_mapping: ImportMapping | None = None
        found_columns: dict[str, str | None] = {}
        if upload is not None:
            try:
                found_columns = _upload_columns(upload.file_id, upload.name, upload.getvalue())
                field_form = export_tool(found_columns)
                if field_form is not None:  # a KoboToolbox/ODK export of (a form like) abcd's: nothing to map
                    st.info(tr("import.field_form_found", tool=tr(f"import.tool_{field_form}")))
                    upload_mapping = mapping_from(columns={})
                else:
                    upload_mapping = _mapping_box(ctx, upload, found_columns)
            except AbcdError as exc:  # unreadable, or a bad mapping: nothing can be imported yet
                st.error(ui.plain(exc.message(ctx.lang)).replace("\n", "  \n"))
        overwrite = st.checkbox(tr("list.import_overwrite"), key="list_import_overwrite")
        # Suspected duplicates wait for a choice about the file they were found in; another file forgets them.
        asked = st.session_state.get("list_import_asked")  # {"file", "rows", "suspects"}
        if asked is not None and (upload is None or asked["file"] != upload.file_id):
            st.session_state.pop("list_import_asked", None)
            asked = None
        choice: Duplicates | None = None
        if st.button(tr("list.import_button"), key="list_import_button", disabled=upload_mapping is None):
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
        if choice is not None and upload is not None and upload_mapping is not None:
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
                    mapping=None if export_tool(found_columns) else upload_mapping,  # a field form maps itself
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
                shown = ui.plain(AbcdError("error.nothing_imported", message=exc).message(ctx.lang))
                st.error(shown.replace("\n", "  \n"))  # one line per listed value
            else:
                if not export_tool(found_columns):
                    remember_mapping(ctx.store, found_columns, upload_mapping)  # pre-filled for the next such file
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
