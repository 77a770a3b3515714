"""Investeringen: money and space for the wijk's standard meeting place and for places residents started."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from abcd import maps, ui
from abcd.errors import AbcdError
from abcd.i18n import t
from abcd.i18n.formats import local_today
from abcd.investments import tables
from abcd.investments.amounts import format_eur
from abcd.investments.exchange import summary_csv_bytes
from abcd.investments.ledger import (
    Ledger,
    delete_investment,
    edit_investment,
    level_summary,
    record_investment,
    restore_investment,
)
from abcd.investments.model import FIRST_DATE, LAST_DATE, NOTE_MAX, Funder, Investment, Kind, error_field
from abcd.investments.summary import (
    city_average,
    investments_to_frame,
    level_of,
    place_totals,
    places_to_frame,
    yearly_totals,
)
from abcd.maps.investments import investment_layer
from abcd.model import MeetingPlaceRole
from abcd.permissions import Permission

PLACE = "invest_place"  # the meeting place chosen for a new entry
NEW = "invest_new"  # the new entry's form (its widgets' key prefix)
ENTRY = "invest_entry"  # the chosen ledger entry's buttons (delete, restore)
PROBLEM = "invest_problem"  # the last save's message: (form prefix, field or None, text)
FORM_KEYS = {
    "date": "date",
    "amount_eur": "amount",
    "funder": "funder",
    "kind": "kind",
    "space_m2": "space",
    "hours_per_week": "hours",
    "note": "note",
}
""":func:`record_investment`'s input names and the suffixes of their widget keys."""
CLEARED = ("amount", "kind", "space", "hours", "note")  # emptied after a save; the date and the funder stay

ctx = ui.context()
tr = ui.tr
ui.require_page(ctx, Permission.VIEW_INVESTMENTS)
may_edit = ctx.user.can(Permission.EDIT_INVESTMENTS, ctx.wijk.slug)
ledger = Ledger(ctx.store)
labels = tables.column_labels(ctx.lang)
cells = tables.cell_formats(ctx.lang)


@st.cache_data(max_entries=16, show_spinner=False)
def _summary(
    level: str, year: int | None, gemeente: str, assets_version: str, ledger_version: str, url: str
) -> pd.DataFrame:
    del assets_version, ledger_version, url  # cache keys only
    return level_summary(ui.store(), ui.catalogue(), level=level, year=year, gemeente=gemeente)


def _config(columns: Iterable[str]) -> dict[str, Any]:
    return {column: labels[column] for column in columns if column in labels}


def _table(frame: pd.DataFrame) -> Any:
    """``frame`` with euros and figures written the reader's way; the numbers stay, so columns sort by value."""
    shown = {column: write for column, write in cells.items() if column in frame.columns}
    return frame.style.format(shown)


def _fields(prefix: str, item: Investment | None = None) -> None:
    """The entry fields of a form, prefilled from ``item``; the last save's problem shows next to its field."""
    col_date, col_amount = st.columns(2)
    with col_date:
        st.date_input(
            tr("field.date"),
            value=item.date if item else local_today(),
            min_value=FIRST_DATE,
            max_value=LAST_DATE,
            format="YYYY-MM-DD",
            key=f"{prefix}_date",
        )
        _problem(prefix, "date")
    with col_amount:
        st.text_input(
            tr("field.amount_eur"),
            value=f"{item.amount_eur:.2f}".replace(".", ",") if item else "",
            placeholder=tr("invest.amount_hint"),
            key=f"{prefix}_amount",
        )
        _problem(prefix, "amount_eur")
    col_funder, col_kind = st.columns(2)
    funders = [f.value for f in Funder]
    col_funder.selectbox(
        tr("field.funder"),
        options=funders,
        index=funders.index(item.funder.value) if item else 0,
        format_func=lambda code: Funder(code).label(ctx.lang),
        key=f"{prefix}_funder",
    )
    kinds = [k.value for k in Kind]
    col_kind.radio(
        tr("field.kind"),
        options=kinds,
        index=kinds.index(item.kind.value) if item else 0,
        horizontal=True,
        format_func=lambda code: Kind(code).label(ctx.lang),
        key=f"{prefix}_kind",
    )
    col_space, col_hours = st.columns(2)
    with col_space:
        st.number_input(
            tr("field.space_m2"), min_value=0.0, value=item.space_m2 if item else None, step=1.0, key=f"{prefix}_space"
        )
        _problem(prefix, "space_m2")
    with col_hours:
        st.number_input(
            tr("field.hours_per_week"),
            min_value=0.0,
            max_value=168.0,
            value=item.hours_per_week if item else None,
            step=1.0,
            key=f"{prefix}_hours",
        )
        _problem(prefix, "hours_per_week")
    st.text_area(tr("field.note"), value=item.note if item else "", max_chars=NOTE_MAX, key=f"{prefix}_note")
    _problem(prefix, "note")


def _raw(prefix: str) -> dict[str, Any]:
    """What the form ``prefix`` holds, as :func:`record_investment` reads it."""
    state = st.session_state
    return {name: state.get(f"{prefix}_{suffix}") for name, suffix in FORM_KEYS.items()}


def _problem(prefix: str, field: str | None) -> None:
    """The last save's message, shown next to ``field`` of form ``prefix`` (``None``: by its save button)."""
    problem = st.session_state.get(PROBLEM)
    if problem and problem[0] == prefix and problem[1] == field:
        st.error(ui.plain(problem[2]), icon=":material/error:")


def _attempt(prefix: str, action: Callable[[], Any]) -> Any:
    """Run a save; on a user's error keep what was typed and say what is wrong, next to its field.

    A button's callback: it runs before the page is drawn again, so the
    message shows in the same run, and the ledger and the rest of the page
    stay on screen (``ui.guard`` would stop the page at the error).
    """
    st.session_state.pop(PROBLEM, None)
    try:
        return action()
    except AbcdError as exc:
        st.session_state[PROBLEM] = (prefix, error_field(exc), exc.message(ctx.lang))
        return None


def _save_new() -> None:
    """Record the new entry; after a save the form is empty for the next one (date and funder stay)."""
    raw = {**_raw(NEW), "meeting_place_id": st.session_state.get(PLACE)}
    saved = _attempt(NEW, lambda: record_investment(ledger, raw, user=ctx.user))
    if saved is None:
        return
    for suffix in CLEARED:
        st.session_state.pop(f"{NEW}_{suffix}", None)
    name = by_place.get(saved.meeting_place_id, "")
    ui.flash(tr("invest.saved", amount=format_eur(saved.amount_eur, ctx.lang), name=ui.plain(name)))


def _save_edit(item_id: str, base_key: str, base_version: int) -> None:
    st.session_state.pop(base_key, None)
    prefix = f"invest_edit_{item_id}"
    _attempt(
        prefix, lambda: edit_investment(ledger, item_id, _raw(prefix), user=ctx.user, expected_version=base_version)
    )


def _delete(item_id: str, base_key: str, base_version: int) -> None:
    st.session_state.pop(base_key, None)
    _attempt(ENTRY, lambda: delete_investment(ledger, item_id, user=ctx.user, expected_version=base_version))


def _restore(item_id: str, base_key: str, base_version: int) -> None:
    st.session_state.pop(base_key, None)
    _attempt(ENTRY, lambda: restore_investment(ledger, item_id, user=ctx.user, expected_version=base_version))


st.header(tr("invest.title", wijk=ui.plain(ctx.wijk.name)))
st.caption(tr("invest.intro"))

with ui.guard():
    places = ledger.meeting_places(wijk=ctx.wijk.slug, include_deleted=True)
    entries = ledger.list_investments(wijk=ctx.wijk.slug)
by_id = {p.id: p for p in places}
by_place = {p.id: p.name for p in places}
years = sorted({e.date.year for e in entries}, reverse=True)
year = st.selectbox(
    tr("field.year"),
    options=[None, *years],
    key="invest_year",
    format_func=lambda y: tr("invest.all_years") if y is None else str(y),
)

# --- the wijk next to the city --------------------------------------------
level = level_of(ctx.wijk)
with ui.guard():
    summary = _summary(
        level.value,
        year,
        ctx.wijk.gemeente or "Rotterdam",
        ctx.store.data_version(),
        ledger.data_version(),
        ui.settings().database_url,
    )
st.subheader(tr("invest.figures_title"))
if ctx.wijk.slug in summary.index:
    row = summary.loc[ctx.wijk.slug]
    average = city_average(summary)
    comparison = tables.comparison_table(row, average, ctx.lang)
    st.dataframe(_table(comparison), hide_index=True, width="stretch", column_config=_config(comparison.columns))
    st.caption(tr("invest.average_help", level=level.label(ctx.lang)))
    for signal in tables.signals(row, ctx.lang):
        st.warning(signal, icon=":material/flag:")
else:  # a gemeente, or an area of one's own: not one of a level that divides the gemeente
    st.info(tr("invest.no_level", wijk=ui.plain(ctx.wijk.name)), icon=":material/info:")

# --- a new entry: pick the place on the map or in the list -----------------
st.subheader(tr("invest.entry_title") if may_edit else tr("invest.map_title"))
live = [p for p in places if not p.is_deleted and not p.is_example]  # an example takes no real money
if not live:
    # Example meeting places show on the map: "none yet" would contradict it, so say why they are not offered.
    only_examples = any(p.is_example for p in places if not p.is_deleted)
    st.info(tr("invest.only_examples" if only_examples else "invest.no_places", wijk=ui.plain(ctx.wijk.name)))
else:
    totals = place_totals(places_to_frame(live), investments_to_frame(entries), year=year)
    the_map = maps.base_map(boundary=ctx.wijk.boundary, streets=ui.streets(ctx), lang=ctx.lang)
    ui.show_map(the_map, key="invest_map", layers=[investment_layer(totals, lang=ctx.lang)], height=420)
    st.caption(tr("invest.map_hint") if may_edit else tr("invest.map_legend"))
    ids = [p.id for p in live]
    click = ui.new_map_click("invest_map")
    if click is not None and click.asset_id in ids:
        st.session_state[PLACE] = click.asset_id
    if st.session_state.get(PLACE) not in ids:
        st.session_state.pop(PLACE, None)
if live and may_edit:
    st.selectbox(
        tr("field.meeting_place"),
        options=ids,
        index=None,
        placeholder=tr("invest.choose_place"),
        key=PLACE,
        format_func=lambda i: (  # t, not tr: AppTest formats outside the script run too
            f"{by_id[i].name} · {t('role.' + (by_id[i].meeting_place_role or MeetingPlaceRole.OTHER).value, ctx.lang)}"
        ),
    )
    _problem(NEW, "meeting_place_id")
    with st.form("invest_form"):
        _fields(NEW)
        _problem(NEW, None)
        st.form_submit_button(tr("invest.save"), type="primary", width="stretch", on_click=_save_new)

# --- the wijk's ledger -------------------------------------------------------
st.subheader(tr("invest.ledger_title", wijk=ui.plain(ctx.wijk.name)))
show_deleted = st.toggle(tr("invest.show_deleted"), key="invest_show_deleted")
if show_deleted:
    with ui.guard():
        items = ledger.list_investments(wijk=ctx.wijk.slug, deleted_only=True)
else:
    items = entries
ledger_frame = tables.ledger_table(items, by_id, ctx.lang)
if ledger_frame.empty:
    st.info(tr("invest.ledger_empty"))
else:
    st.dataframe(
        _table(ledger_frame.drop(columns=["id"])),
        hide_index=True,
        width="stretch",
        column_config=_config(ledger_frame.columns),
    )
    items_by_id = {i.id: i for i in items}
    chosen = st.selectbox(
        tr("invest.choose_entry"),
        options=list(ledger_frame["id"]),
        index=None,
        key="invest_selected",
        placeholder=tr("invest.choose_entry_hint"),
        format_func=lambda i: (
            f"{items_by_id[i].date.isoformat()} · {by_id[items_by_id[i].meeting_place_id].name} · "
            f"{format_eur(items_by_id[i].amount_eur, ctx.lang)}"
        ),
    )
    item = items_by_id.get(chosen) if chosen else None
    # The version this screen showed: a change saved by someone else in between is refused, not overwritten.
    base_key = f"invest_base_version_{item.id}" if item is not None else ""
    base_version = st.session_state.setdefault(base_key, item.version) if item is not None else 0
    versions = (item.id, base_key, base_version) if item is not None else ()
    if item is not None and item.is_deleted and may_edit:
        st.button(
            tr("list.restore"),
            key="invest_restore",
            icon=":material/restore_from_trash:",
            on_click=_restore,
            args=versions,
        )
        _problem(ENTRY, None)
    elif item is not None and may_edit:
        prefix = f"invest_edit_{item.id}"
        with st.form(prefix):
            _fields(prefix, item)
            _problem(prefix, None)
            st.form_submit_button(tr("list.save"), type="primary", width="stretch", on_click=_save_edit, args=versions)
        st.button(
            tr("list.delete"), key=f"invest_delete_{item.id}", icon=":material/delete:", on_click=_delete, args=versions
        )
        _problem(ENTRY, None)
    if item is not None:
        with st.expander(tr("list.history"), expanded=False):
            st.dataframe(tables.history_table(ledger.history(item.id), ctx.lang), hide_index=True, width="stretch")

# --- over time ------------------------------------------------------------------
st.subheader(tr("invest.chart_title"))
yearly = yearly_totals(places_to_frame(places), investments_to_frame(entries))
if yearly.empty:
    st.caption(tr("invest.chart_empty"))
else:
    frame = tables.chart_frame(yearly, ctx.lang)
    bars = frame.reset_index(names="year").melt(id_vars="year", var_name="place", value_name="eur")
    ui.show_chart(
        alt.Chart(bars)
        .mark_bar()
        .encode(
            x=alt.X("year:N", title=frame.index.name),
            xOffset="place:N",
            y=alt.Y("eur:Q", title="€", axis=alt.Axis(format=",.0f")),
            color=alt.Color("place:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("place:N", title=None), alt.Tooltip("eur:Q", title="€", format="$,.2f")],
        )
    )

# --- the whole city -------------------------------------------------------------
st.subheader(tr("invest.city_title", level=level.label(ctx.lang)))
st.caption(tr("invest.city_help"))
city = tables.city_table(summary, ctx.lang)
st.dataframe(_table(city), hide_index=True, width="stretch", column_config=_config(city.columns))
st.download_button(
    tr("invest.download"),
    data=summary_csv_bytes(summary),
    mime="text/csv",
    icon=":material/download:",
    file_name=f"investeringen-{level.value}-{year or 'alle-jaren'}.csv",
    key="invest_download",
)
