"""Toevoegen: tap the map (or use GPS), pick a category, name it, save — in seconds on a phone, asset after asset.

Without the map (keyboard, screen reader), "Zonder kaart" below it puts the point
in the middle of a street of the wijk, or at typed coordinates, exactly as a
tap would (:mod:`abcd.point_entry`); the same form follows.

The map is drawn once per tap; everything below it is a fragment, so choosing
a category, typing and the messages of a save rerun only the form: the page
does not jump and nothing typed is lost. Every field has a key, and a save
clears exactly those keys, so the next asset starts empty and complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from abcd import maps, point_entry, ui
from abcd.assets import add_asset, may_add_at
from abcd.duplicates import DuplicatesFound
from abcd.errors import AbcdError, OutsideWijkError
from abcd.model import NAME_MAX, Category, MeetingPlaceRole
from abcd.permissions import Permission

POINT = "add_point"  # (lon, lat) chosen for the new asset
PENDING = "add_pending"  # raw values waiting for "save in the wijk it lies in"
PROBLEM = "add_problem"  # the last save's message: (field or None, text)
SUSPECTS = "add_suspects"  # the live assets the save may duplicate, waiting for "toch opslaan"
REDRAW = "add_redraw"  # a callback asks for the whole page (the map) to be drawn again
NOMAP_PROBLEM = "add_nomap_problem"  # why the street or the coordinates gave no point
NOMAP_FOCUS = "add_nomap_focus"  # a point came without the map: the keyboard goes on to the category
NOMAP_COUNT = "add_nomap_count"  # how many points came without the map (each moves the focus once)
FIELDS = (
    "add_category",
    "add_name",
    "add_description",
    "add_resident_led",
    "add_themes",
    "add_role",
    "add_linked",
    "add_consent",
    "add_under_16",
    "add_parent_consent",
    "add_contact",
)  # the photo widgets' keys carry the save round instead (ui.photo_inputs): an uploader cannot be reset

ctx = ui.context()
tr = ui.tr
st.header(tr("add.title", wijk=ui.plain(ctx.wijk.name)))
ui.require_page(ctx, Permission.EDIT_ASSETS)
st.caption(tr("add.help"))


def _forget(*keys: str) -> None:
    for key in keys:
        st.session_state.pop(key, None)


def _place(point: tuple[float, float]) -> None:
    """Use ``point`` as the new asset's point, as a tap on the map would; the keyboard moves on to the form."""
    st.session_state[POINT] = point
    _forget(PENDING, PROBLEM, SUSPECTS, NOMAP_PROBLEM)  # what was typed stays, as after a second tap
    st.session_state[NOMAP_COUNT] = st.session_state.get(NOMAP_COUNT, 0) + 1
    st.session_state[NOMAP_FOCUS] = True


def _place_on_street() -> None:
    name = st.session_state.get("add_nomap_street")
    if not name:
        st.session_state[NOMAP_PROBLEM] = tr("add.nomap_choose_street")
        return
    try:
        _place(point_entry.street_point(ui.streets(ctx), name, boundary=ctx.wijk.boundary))
    except AbcdError as exc:
        st.session_state[NOMAP_PROBLEM] = exc.message(ctx.lang)


def _place_at_coordinates() -> None:
    try:
        _place(point_entry.parse_point(st.session_state.get("add_nomap_text", "")))
    except AbcdError as exc:
        st.session_state[NOMAP_PROBLEM] = exc.message(ctx.lang)


def without_map() -> None:
    """ "Zonder kaart": a street of the wijk, or coordinates; either puts the point where a tap would (WCAG 2.1.1).

    Two small forms, so Enter in either field chooses the point. An address
    cannot be looked up (that needs a geocoder on the internet): the help says so.
    """
    with st.expander(tr("add.nomap_title"), icon=":material/keyboard:"):
        st.caption(tr("add.nomap_help"))
        with st.form("add_nomap_street_form", border=False):
            st.selectbox(
                tr("add.nomap_street", wijk=ui.plain(ctx.wijk.name)),
                point_entry.street_names(ui.streets(ctx)),
                index=None,
                placeholder=tr("add.nomap_street_hint"),
                key="add_nomap_street",
            )
            st.form_submit_button(tr("add.nomap_street_go"), icon=":material/signpost:", on_click=_place_on_street)
        with st.form("add_nomap_text_form", border=False):
            st.text_input(
                tr("add.nomap_coords"),
                placeholder=tr("add.nomap_coords_hint"),
                help=tr("add.nomap_coords_help"),
                key="add_nomap_text",
            )
            st.form_submit_button(
                tr("add.nomap_coords_go"), icon=":material/my_location:", on_click=_place_at_coordinates
            )
        problem = st.session_state.get(NOMAP_PROBLEM)
        if problem:
            st.error(ui.plain(problem), icon=":material/error:")


frame = ui.map_frame(ctx)
point = st.session_state.get(POINT)
layers = maps.asset_layers(frame, lang=ctx.lang, interactive=False)  # taps go to the map, not the pins
if point is not None:
    layers.append(maps.marker_layer(point[0], point[1], label=tr("map.new_point")))
the_map = maps.base_map(boundary=ctx.wijk.boundary, streets=ui.streets(ctx), lang=ctx.lang)
ui.show_map(the_map, key="add_map", layers=layers, height=380)

click = ui.new_map_click("add_map")  # GPS arrives as a click too
if click is not None and click.point is not None:
    st.session_state[POINT] = click.point
    _forget(PENDING, PROBLEM, SUSPECTS)  # what was typed stays: a second tap only moves the point
    st.rerun()  # draw the marker in this same interaction


def _raw(lon: float, lat: float) -> dict[str, Any]:
    """The form's values as ``add_asset`` takes them."""
    state = st.session_state
    category = state.get("add_category")
    raw: dict[str, Any] = {
        "name": state.get("add_name", ""),
        "category": category,
        "description": state.get("add_description", ""),
        "lon": lon,
        "lat": lat,
        "wijk": ctx.wijk.slug,
    }
    if category == Category.INITIATIVE:
        raw["resident_led"] = state.get("add_resident_led", True)
        raw["themes"] = ",".join(state.get("add_themes") or [])
    if category == Category.MEETING_PLACE:
        raw["meeting_place_role"] = state.get("add_role", MeetingPlaceRole.RESIDENT.value)
    if category == Category.PERSON:
        raw.update(ui.consent_values(ctx, given=bool(state.get("add_consent"))))
        raw["linked_asset_id"] = state.get("add_linked")
        raw["under_16"] = bool(state.get("add_under_16"))
        raw["parent_consent"] = bool(state.get("add_parent_consent"))
        raw["contact"] = state.get("add_contact", "")
    return raw


def _save(raw: Mapping[str, Any], *, allow_duplicates: bool = False) -> None:
    """Store the asset and its photos; on a problem keep everything typed and say what is wrong, where.

    A button's callback: it runs before the form is drawn again, so the form
    shows its message in the same run, next to the field it is about.
    """
    _forget(PROBLEM, SUSPECTS, PENDING)
    photos = ui.photo_uploads("add_photos")
    try:
        if not raw.get("category"):
            raise AbcdError("add.choose_category")
        checked = ui.check_photos(photos, ctx=ctx, key="add_photos")
        asset = add_asset(
            ctx.store,
            ui.catalogue(),
            raw,
            wijken_dir=ui.settings().wijken_dir,
            user=ctx.user,
            allow_duplicates=allow_duplicates,
        )
    except OutsideWijkError as exc:
        st.session_state[PENDING] = {"raw": dict(raw), "message": exc, "actual": exc.params.get("actual_slug")}
        return
    except DuplicatesFound as exc:
        st.session_state[SUSPECTS] = exc.suspects
        return
    except AbcdError as exc:
        st.session_state[PROBLEM] = (ui.error_field(exc), exc.message(ctx.lang))
        return
    saved_photos = ui.attach_checked_photos(ctx, asset.id, checked)
    _forget(POINT, PENDING, PROBLEM, SUSPECTS, *FIELDS)
    key = "add.saved_pending" if asset.is_pending else "add.saved"
    message = tr(key, name=ui.plain(asset.name))
    if saved_photos:
        message += " " + tr("add.saved_photos", n=saved_photos)
    ui.flash(message, icon=":material/check_circle:")
    st.session_state["add_saved_round"] = st.session_state.get("add_saved_round", 0) + 1
    st.session_state[REDRAW] = True  # the whole page: the new pin on the map, an empty form for the next asset
    st.session_state["add_scroll_top"] = True


def _clear_point() -> None:
    _forget(POINT, PENDING, PROBLEM, SUSPECTS)
    st.session_state[REDRAW] = True


def _save_form() -> None:
    point = st.session_state.get(POINT)
    if point is not None:
        _save(_raw(*point))


def _problem(field: str | None) -> None:
    """The last save's message, shown next to ``field`` (``None``: next to the save button)."""
    problem = st.session_state.get(PROBLEM)
    if problem and problem[0] == field:
        st.error(ui.plain(problem[1]), icon=":material/error:")


@st.fragment
def add_panel(lon: float, lat: float) -> None:
    """The form under the map, then where the point is and "Andere plek kiezen".

    The categories come straight under the map: on a 390x844 phone the point's row above them pushed
    them to the screen's edge, where a tap first scrolled them into view and then missed.
    """
    if st.session_state.pop(REDRAW, False):
        st.rerun()  # a save or "wis punt" changed the map
    _form(lon, lat)
    col_point, col_clear = st.columns([3, 1], vertical_alignment="center")
    col_point.caption(tr("add.point", lat=lat, lon=lon))
    col_clear.button(tr("add.clear_point"), key="add_clear", on_click=_clear_point)


def _form(lon: float, lat: float) -> None:
    """Category, name, what the category needs, photos, and save (or the question a save raised)."""
    if not may_add_at(ctx.store, ui.catalogue(), ctx.user, lon, lat):
        st.warning(tr("add.not_yours"), icon=":material/block:")
        return

    people = ctx.user.can(Permission.VIEW_PEOPLE, ctx.wijk.slug)
    codes = [c.value for c in Category if c is not Category.PERSON or people]
    category = st.pills(
        tr("field.category"),
        options=codes,
        format_func=lambda code: f"{maps.CATEGORY_STYLE[code].glyph} {Category(code).label(ctx.lang)}",
        help="\n".join(f"- **{Category(code).label(ctx.lang)}**: {tr(f'category_help.{code}')}" for code in codes),
        key="add_category",
    )
    _problem("category")
    st.text_input(tr("field.name"), max_chars=NAME_MAX, placeholder=tr("add.name_hint"), key="add_name")
    _problem("name")
    st.text_area(tr("field.description"), placeholder=tr("add.description_hint"), height=80, key="add_description")
    if category == Category.INITIATIVE:
        st.session_state.setdefault("add_resident_led", True)
        st.checkbox(tr("field.resident_led"), key="add_resident_led")
        ui.theme_picker(ctx, key="add_themes")
    if category == Category.MEETING_PLACE:
        roles = [r.value for r in MeetingPlaceRole]
        st.session_state.setdefault("add_role", MeetingPlaceRole.RESIDENT.value)
        st.radio(tr("field.meeting_place_role"), roles, format_func=lambda code: tr(f"role.{code}"), key="add_role")
    if category == Category.PERSON:
        st.caption(tr("add.person_privacy"))
        linkable = frame[frame["category"] != Category.PERSON.value].set_index("id")["name"]
        st.selectbox(
            tr("field.linked_asset_id"),
            options=[None, *linkable.index],
            format_func=lambda i: tr("add.buurt_only") if i is None else str(linkable.at[i]),
            key="add_linked",
        )
        ui.consent_box(ctx, key="add_consent")
        _problem("consent")
        st.checkbox(tr("field.under_16"), key="add_under_16")
        st.checkbox(tr("field.parent_consent"), key="add_parent_consent")
        st.text_input(tr("field.contact"), max_chars=300, key="add_contact")
    ui.photo_inputs(ctx, key="add_photos")
    _problem("photos")

    raw = _raw(lon, lat)
    suspects = st.session_state.get(SUSPECTS)
    if suspects:
        ui.duplicate_question(ctx, suspects)
        col_keep, col_drop = st.columns(2)
        col_keep.button(
            tr("add.save_anyway"),
            type="primary",
            key="add_keep",
            width="stretch",
            on_click=_save,
            args=(raw,),
            kwargs={"allow_duplicates": True},
        )
        col_drop.button(tr("add.cancel"), key="add_drop", width="stretch", on_click=_forget, args=(SUSPECTS,))
        return

    pending = st.session_state.get(PENDING)
    if pending:
        actual = pending["actual"]
        elsewhere = actual and may_add_at(ctx.store, ui.catalogue(), ctx.user, lon, lat)
        st.warning(ui.plain(pending["message"].message(ctx.lang)), icon=":material/wrong_location:")
        col_move, col_cancel = st.columns(2)
        if elsewhere:
            label = tr("add.save_elsewhere", wijk=ui.plain(ui.catalogue()[actual].name))
            col_move.button(label, type="primary", key="add_move", on_click=_save, args=({**raw, "wijk": actual},))
        col_cancel.button(tr("add.cancel"), key="add_cancel", on_click=_forget, args=(PENDING,))
        return

    _problem(None)
    st.button(
        tr("add.save"), type="primary", width="stretch", key="add_save", icon=":material/save:", on_click=_save_form
    )


if point is None:
    st.info(f"{tr('add.tap_first')} {tr('add.nomap_below')}", icon=":material/touch_app:")
else:
    add_panel(*point)
    if st.session_state.pop(NOMAP_FOCUS, False):  # chosen without the map: on to the first category
        ui.focus_on('.st-key-add_category [role="radio"]', token=f"add-{st.session_state.get(NOMAP_COUNT, 0)}")
without_map()  # last: the form under the map stays where a thumb expects it
if st.session_state.pop("add_scroll_top", False):
    ui.scroll_to_top(st.session_state.get("add_saved_round", 0))
