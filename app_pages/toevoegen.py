"""Toevoegen: tap the map (or use GPS), pick a category, name it, save — in seconds on a phone."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from abcd import maps, ui
from abcd.assets import add_asset
from abcd.errors import AbcdError, OutsideWijkError
from abcd.i18n.formats import format_date, local_time
from abcd.model import NAME_MAX, Category, MeetingPlaceRole
from abcd.permissions import Permission

POINT = "add_point"  # (lon, lat) chosen for the new asset
PENDING = "add_pending"  # raw values waiting for "save in the wijk it lies in"

ctx = ui.context()
tr = ui.tr
st.header(tr("add.title", wijk=ui.plain(ctx.wijk.name)))
ui.require_page(ctx, Permission.EDIT_ASSETS)
st.caption(tr("add.help"))

frame = ui.map_frame(ctx)
point = st.session_state.get(POINT)
layers = maps.asset_layers(frame, lang=ctx.lang, interactive=False)  # taps go to the map, not the pins
if point is not None:
    layers.append(maps.marker_layer(point[0], point[1], label=tr("map.new_point")))
the_map = maps.base_map(boundary=ctx.wijk.boundary, streets=ui.streets(ctx), lang=ctx.lang)
ui.show_map(the_map, key="add_map", layers=layers, height=420)

click = ui.new_map_click("add_map")  # GPS arrives as a click too
if click is not None and click.point is not None:
    st.session_state[POINT] = click.point
    st.session_state.pop(PENDING, None)
    st.rerun()  # draw the marker in this same interaction

if point is None:
    st.info(tr("add.tap_first"), icon=":material/touch_app:")
    st.stop()

lon, lat = point
col_point, col_clear = st.columns([3, 1])
col_point.caption(tr("add.point", lat=lat, lon=lon))
if col_clear.button(tr("add.clear_point"), key="add_clear"):
    st.session_state.pop(POINT, None)
    st.session_state.pop(PENDING, None)
    st.rerun()

codes = [c.value for c in Category if c is not Category.PERSON or ctx.user.can(Permission.VIEW_PEOPLE, ctx.wijk.slug)]
category = st.pills(
    tr("field.category"),
    options=codes,
    format_func=lambda code: f"{maps.CATEGORY_STYLE[code].glyph} {Category(code).label(ctx.lang)}",
    help="\n".join(f"- **{Category(code).label(ctx.lang)}**: {tr(f'category_help.{code}')}" for code in codes),
    key="add_category",
)
if not category:
    st.info(tr("add.choose_category"))
    st.stop()

with st.form("add_form", border=False):
    name = st.text_input(tr("field.name"), max_chars=NAME_MAX, placeholder=tr("add.name_hint"))
    description = st.text_area(tr("field.description"), placeholder=tr("add.description_hint"), height=80)
    extra: dict[str, object] = {}
    if category == Category.INITIATIVE:
        extra["resident_led"] = st.checkbox(tr("field.resident_led"), value=True)
        extra["themes"] = ui.theme_picker(ctx)
    if category == Category.PERSON:
        st.caption(tr("add.person_privacy"))
        linkable = frame[frame["category"] != Category.PERSON.value]
        extra["linked_asset_id"] = st.selectbox(
            tr("field.linked_asset_id"),
            options=[None, *linkable["id"]],
            format_func=lambda i: tr("add.buurt_only") if i is None else str(linkable.set_index("id").at[i, "name"]),
        )
        # Consent is given, never assumed: nothing here states it until the builder ticks the box.
        config = ui.settings()
        today = local_time(datetime.now(UTC)).date()
        st.markdown(f"**{tr('field.consent')}**")
        st.caption(
            tr(
                "add.consent_terms",
                purpose=ui.plain(config.consent_purpose),
                version=ui.plain(config.consent_text_version),
                by=ui.plain(ctx.user.username),
                date=format_date(today, ctx.lang),
            )
        )
        extra["consent_given"] = st.checkbox(tr("add.consent_given"), value=False, key="add_consent")
        extra["consent_date"] = today
        extra["consent_recorded_by"] = ctx.user.username
        extra["consent_purpose"] = config.consent_purpose
        extra["consent_text_version"] = config.consent_text_version
        extra["under_16"] = st.checkbox(tr("field.under_16"))
        extra["parent_consent"] = st.checkbox(tr("field.parent_consent"))
        extra["contact"] = st.text_input(tr("field.contact"), max_chars=300)
    if category == Category.MEETING_PLACE:
        roles = [r.value for r in MeetingPlaceRole]
        extra["meeting_place_role"] = st.radio(
            tr("field.meeting_place_role"),
            roles,
            index=roles.index(MeetingPlaceRole.RESIDENT.value),
            format_func=lambda code: tr(f"role.{code}"),
        )
    submitted = st.form_submit_button(tr("add.save"), type="primary", width="stretch")


def _save(raw: dict[str, object]) -> None:
    try:
        asset = add_asset(ctx.store, ui.catalogue(), raw, wijken_dir=ui.settings().wijken_dir, user=ctx.user)
    except OutsideWijkError as exc:
        st.session_state[PENDING] = {"raw": raw, "message": exc, "actual": exc.params.get("actual_slug")}
        return
    except AbcdError as exc:
        st.error(ui.plain(exc.message(ctx.lang)))  # the form keeps what was typed
        return
    st.session_state.pop(POINT, None)
    st.session_state.pop(PENDING, None)
    key = "add.saved_pending" if asset.is_pending else "add.saved"
    ui.flash(tr(key, name=ui.plain(asset.name)), icon=":material/check_circle:")
    st.rerun()


if submitted:
    raw = {
        "name": name,
        "category": category,
        "description": description,
        "lon": lon,
        "lat": lat,
        "wijk": ctx.wijk.slug,
        **extra,
    }
    _save(raw)

pending = st.session_state.get(PENDING)
if pending:
    st.warning(ui.plain(pending["message"].message(ctx.lang)), icon=":material/wrong_location:")
    col_move, col_cancel = st.columns(2)
    actual = pending["actual"]
    if actual and col_move.button(
        tr("add.save_elsewhere", wijk=ui.plain(ui.catalogue()[actual].name)), type="primary", key="add_move"
    ):
        _save({**pending["raw"], "wijk": actual})
    if col_cancel.button(tr("add.cancel"), key="add_cancel"):
        st.session_state.pop(PENDING, None)
        st.rerun()
