"""Presentatie: a wijk's strengths on a big screen, step by step, and as a PDF report and an A3 poster.

Everything shown comes from :class:`abcd.portrait.ReportData`: approved assets
without people, and people only as counts per buurt. So the page shows the
same to everyone, logged in or not; only the PDF of a user who may see
investments adds the meeting-place investment summary.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial

import altair as alt
import pandas as pd
import streamlit as st

from abcd import maps, ui
from abcd.errors import AbcdError
from abcd.i18n import normalise_lang
from abcd.model import Category, Source
from abcd.permissions import PUBLIC_USER, Permission, User
from abcd.portrait import clicker, presenting, static_map
from abcd.portrait.contact import CONTACT_MAX, join_contact, set_join_contact
from abcd.portrait.data import (
    PUBLIC_CATEGORIES,
    STEP_INTRO,
    STEP_TOGETHER,
    ReportData,
    category_counts,
    display_name,
    format_date,
    format_number,
    growth,
    headline,
    highlights,
    load_report_data,
    story_steps,
)
from abcd.portrait.poster import wijk_poster
from abcd.portrait.presenting import OVERVIEW, STORY, PresenterView
from abcd.portrait.report import wijk_report
from abcd.styles import CATEGORY_STYLE

MODE = "presentatie_mode"
SINCE = "presentatie_since"
BEAMER = "presentatie_beamer"
STEP = "presentatie_step"
OWN = "presentatie_own"
HELP = "presentatie_help"
MAP_KEY = "presentatie_map"
KEYS = "presentatie_keys"  # the presenter's clicker (abcd.portrait.clicker)
CONTACT = "presentatie_contact"  # the "Doe mee" contact being typed
CONTACT_PROBLEM = "presentatie_contact_problem"  # why the last one was not saved
LIST_MAX = 8
CARD_PHOTOS = 3  # photos on one card: a taste of the place, not an album

ctx = ui.context()
tr = ui.tr
today = datetime.now(UTC).date()
# A reload, or a link to the one who presents, opens the mode, step and screen its address names.
asked = presenting.view_from_query(st.query_params.to_dict())
st.session_state.setdefault(MODE, asked.mode)
st.session_state.setdefault(SINCE, date(today.year, 1, 1))
st.session_state.setdefault(BEAMER, asked.big)
st.session_state.setdefault(STEP, asked.step)
st.session_state.setdefault(OWN, "")
st.session_state.setdefault(HELP, "")


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _portrait(
    slug: str, version: str, url: str, since: date, made_on: date, investments: str, contact: str, _user: User
) -> ReportData:
    """The public portrait, cached until an asset, the contact (or, for those who see them, an investment) changes."""
    del version, url, investments, contact  # cache keys only
    return load_report_data(ui.store(), ui.catalogue()[slug], ui.catalogue(), user=_user, since=since, made_on=made_on)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _report_pdf(_data: ReportData, key: tuple[object, ...], lang: str, own: str, wanted: str) -> bytes:
    del key
    return wijk_report(_data, lang=normalise_lang(lang), own_strengths=own, help_wanted=wanted)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _poster(_data: ReportData, key: tuple[object, ...], lang: str, fmt: str) -> bytes:
    del key
    return wijk_poster(_data, lang=normalise_lang(lang), fmt=fmt)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _people_map(_data: ReportData, key: tuple[object, ...], lang: str) -> bytes:
    del key
    return static_map.wijk_map_png(
        boundary=_data.boundary,
        streets=_data.streets,
        assets=None,
        buurten=_data.buurten,
        people=_data.people,
        legend=None,
        lang=normalise_lang(lang),
        size_cm=(16.0, 10.0),
        dpi=160,
        categories={Category.PERSON.value},
    )


def _go(delta: int, steps: int) -> None:
    st.session_state[STEP] = min(max(int(st.session_state.get(STEP, 0)) + delta, 0), steps - 1)


def _load() -> tuple[ReportData, tuple[object, ...]]:
    """The portrait and the key its downloads are cached under (it changes whenever the data does)."""
    user = ctx.user if ctx.user.can(Permission.VIEW_INVESTMENTS, ctx.wijk.slug) else PUBLIC_USER
    investments = "-"  # the public never gets investment figures, so their cache entries never hold them
    if user is not PUBLIC_USER:
        from abcd.investments.ledger import Ledger

        investments = Ledger(ctx.store).data_version()
    version = ctx.store.data_version(ctx.wijk.slug)
    since = st.session_state[SINCE]
    with ui.guard():
        contact = join_contact(ctx.store, ctx.wijk.slug)
        data = _portrait(ctx.wijk.slug, version, ui.settings().database_url, since, today, investments, contact, user)
    return data, (ctx.wijk.slug, ui.settings().database_url, version, investments, contact, since, today)


def _save_contact() -> None:
    """Store the "Doe mee" contact (a callback: its message shows by the field in the same run)."""
    st.session_state.pop(CONTACT_PROBLEM, None)
    try:
        set_join_contact(ctx.store, ctx.wijk.slug, st.session_state.get(CONTACT, ""), user=ctx.user)
    except AbcdError as exc:
        st.session_state[CONTACT_PROBLEM] = exc.message(ctx.lang)
        return
    ui.flash(tr("join.saved"))


def _contact_form(data: ReportData) -> None:
    """The contact after "Doe mee" on the poster and here, for the wijk's builders and coordinators."""
    if not ctx.user.can(Permission.EDIT_ASSETS, ctx.wijk.slug):
        return
    with st.form("presentatie_contact_form", border=False):
        st.text_input(
            tr("join.contact_label"),
            value=data.join_contact,
            max_chars=CONTACT_MAX,
            placeholder=tr("join.contact_hint"),
            help=tr("join.contact_help"),
            key=CONTACT,
        )
        if problem := st.session_state.get(CONTACT_PROBLEM):
            st.error(ui.plain(problem), icon=":material/error:")
        st.form_submit_button(tr("join.save"), on_click=_save_contact, icon=":material/save:")


def _metrics(data: ReportData) -> None:
    figures = headline(data)
    since = data.since or today
    cols = st.columns(4)
    cols[0].metric(tr("present.on_map"), format_number(figures.on_map, ctx.lang), help=tr("present.on_map_help"))
    cols[1].metric(tr("present.initiatives"), figures.initiatives)
    cols[1].caption(tr("present.resident_led", n=figures.resident_led))
    cols[2].metric(tr("present.meeting_places"), figures.meeting_places)
    cols[3].metric(tr("present.new_since", date=format_date(since, ctx.lang)), figures.new_since or 0)


def _people(data: ReportData) -> None:
    """People as counts per buurt, the only way they appear here."""
    if int(data.people["count"].sum()) == 0:
        return
    rows = list(zip(data.people["buurt"], data.people["shown"], strict=True))
    if len(rows) <= 4:
        cols = st.columns(4)
        for col, (buurt, shown) in zip(cols, rows, strict=False):
            col.metric(tr("present.people_in", buurt=ui.plain(str(buurt))), shown)
    else:
        table = {tr("report.col_buurt"): [b for b, _ in rows], tr("report.col_count"): [s for _, s in rows]}
        if big:  # a plain table takes the big screen's type; the data grid draws its own
            st.table(table)
        else:
            st.dataframe(table, hide_index=True)
    st.caption(tr("present.people_note"))


def _category_chart(data: ReportData) -> None:
    counts = category_counts(data.assets)
    frame = pd.DataFrame(
        {
            "label": [f"{CATEGORY_STYLE[c].glyph} {Category(c).label(ctx.lang)}" for c in PUBLIC_CATEGORIES],
            "count": [int(counts[c]) for c in PUBLIC_CATEGORIES],
            "color": [CATEGORY_STYLE[c].color for c in PUBLIC_CATEGORIES],
        }
    )
    chart = (
        alt.Chart(frame)
        .mark_bar(cornerRadiusEnd=4)
        .encode(
            x=alt.X("count:Q", title=None, axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(
                "label:N",
                sort=None,
                title=None,
                axis=alt.Axis(labelLimit=int(320 * scale), labelFontSize=14 * scale),
            ),
            color=alt.Color("color:N", scale=None, legend=None),
            tooltip=[alt.Tooltip("label:N", title=tr("report.col_kind")), alt.Tooltip("count:Q", title="#")],
        )
        .properties(height=int(320 * scale))
    )
    st.subheader(tr("present.per_category"))
    ui.show_chart(chart, font_scale=scale)


def _growth_chart(data: ReportData) -> None:
    frame = growth(data.assets)
    if len(frame) < 2:
        return  # one day of entries is a dot, not a story
    st.subheader(tr("present.growth"))
    chart = (
        alt.Chart(frame)
        .mark_area(line=True, opacity=0.25, interpolate="step-after")
        .encode(x=alt.X("date:T", title=None), y=alt.Y("total:Q", title=tr("present.growth_total")))
        .properties(height=int(220 * scale))
    )
    ui.show_chart(chart, font_scale=scale)


def _asset_card(row: pd.Series) -> None:
    code = str(row["category"])
    with st.container(border=True):
        st.caption(f"{CATEGORY_STYLE[code].glyph} {Category(code).label(ctx.lang)}")
        st.markdown(f"**{ui.plain(display_name(row, ctx.lang))}**")
        if shots := photos.get(str(row.get("id"))):
            st.image([p.thumbnail for p in shots[:CARD_PHOTOS]], width=160)
        description = " ".join(str(row.get("description") or "").split())
        if description:
            st.markdown(ui.plain(description[:240] + ("…" if len(description) > 240 else "")))
        for story_id in portrait.stories.get(str(row.get("id")), ()):  # the stories about this place, told here
            if story_id in by_id.index:
                story = by_id.loc[story_id]
                told = " ".join(str(story["description"] or "").split())
                title = ui.plain(display_name(story, ctx.lang))
                st.caption(f"📖 **{title}**" + (f": {ui.plain(told[:200])}" if told else ""))


def _map(data: ReportData, layers: pd.DataFrame | None, *, height: int = 560) -> None:
    the_map = maps.base_map(
        boundary=data.boundary, streets=ui.streets(ctx), lang=ctx.lang, examples=data.has_examples, tiles=True
    )
    if big:  # a larger legend and a taller map, so the legend leaves the zoom buttons free
        presenting.big_map(the_map, scale)
        height = int(height * presenting.BIG_MAP_HEIGHT)
    ui.show_map(the_map, key=MAP_KEY, layers=maps.asset_layers(layers, lang=ctx.lang), height=height)


def _share(data: ReportData, key: tuple[object, ...]) -> None:
    st.divider()
    st.subheader(tr("present.share"))
    _contact_form(data)
    st.caption(tr("present.share_help"))
    left, right = st.columns(2)
    own = left.text_area(tr("report.own_title"), key=OWN, placeholder=tr("present.own_hint"), max_chars=2000)
    wanted = right.text_area(tr("report.help_title"), key=HELP, placeholder=tr("present.help_hint"), max_chars=2000)
    cols = st.columns(3)
    cols[0].download_button(
        tr("present.download_report"),
        data=lambda: _report_pdf(data, key, ctx.lang, own, wanted),
        file_name=f"{data.slug}-wat-de-wijk-heeft.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        type="primary",
        key="presentatie_report",
    )
    cols[1].download_button(
        tr("present.download_poster_png"),
        data=lambda: _poster(data, key, ctx.lang, "png"),
        file_name=f"{data.slug}-poster-a3.png",
        mime="image/png",
        icon=":material/image:",
        on_click="ignore",
        key="presentatie_poster_png",
    )
    cols[2].download_button(
        tr("present.download_poster_pdf"),
        data=lambda: _poster(data, key, ctx.lang, "pdf"),
        file_name=f"{data.slug}-poster-a3.pdf",
        mime="application/pdf",
        icon=":material/print:",
        on_click="ignore",
        key="presentatie_poster_pdf",
    )


def _overview(data: ReportData, key: tuple[object, ...]) -> None:
    _metrics(data)
    _people(data)
    col_map, col_chart = st.columns([3, 2])
    with col_map:
        _map(data, data.assets)
    with col_chart:
        _category_chart(data)
    chosen = highlights(data.assets, n=4)
    if len(chosen):
        st.subheader(tr("present.highlights"))
        for col, (_, row) in zip(st.columns(len(chosen)), chosen.iterrows(), strict=True):
            with col:
                _asset_card(row)
    _growth_chart(data)
    _share(data, key)


def _story(data: ReportData, key: tuple[object, ...]) -> None:
    steps = story_steps(data)
    index = min(max(int(st.session_state[STEP]), 0), len(steps) - 1)
    st.session_state[STEP] = index  # an address may ask for a step beyond the story's end
    step = steps[index]
    st.progress((index + 1) / len(steps), text=tr("present.step", step=index + 1, steps=len(steps)))
    # One row as wide as its contents: in fixed columns "Volgende" was cut off at 1366 px with the sidebar open.
    steps_row = st.container(horizontal=True, vertical_alignment="center")
    steps_row.button(
        tr("present.prev"),
        on_click=_go,
        args=(-1, len(steps)),
        disabled=index == 0,
        icon=":material/arrow_back:",
        key="presentatie_prev",
    )
    steps_row.button(
        tr("present.next"),
        on_click=_go,
        args=(1, len(steps)),
        disabled=index == len(steps) - 1,
        icon=":material/arrow_forward:",
        type="primary",
        key="presentatie_next",
    )
    clicker.step_keys(key=KEYS, on_next=partial(_go, 1, len(steps)), on_prev=partial(_go, -1, len(steps)))
    steps_row.caption(tr("present.keys_hint"))

    if step == STEP_INTRO:
        _metrics(data)
        _people(data)
        _map(data, data.assets)
        return
    if step == STEP_TOGETHER:
        st.header(tr("present.together"))
        own, wanted = st.session_state[OWN].strip(), st.session_state[HELP].strip()
        if not own and not wanted:
            st.info(tr("present.together_empty"))
        left, right = st.columns(2)
        for col, title, text in ((left, "report.own_title", own), (right, "report.help_title", wanted)):
            with col:
                st.subheader(tr(title))
                for line in text.splitlines():
                    if line.strip():
                        st.markdown(f"- {ui.plain(line.strip())}")
        return
    category = Category(step)
    st.header(f"{CATEGORY_STYLE[step].glyph} {category.label(ctx.lang)}")
    if category is Category.PERSON:
        _people(data)
        # Our own drawing, not the web map: it shows the count in each buurt, and never a point.
        st.image(_people_map(data, key, ctx.lang), width="stretch")
        return
    rows = data.assets[data.assets["category"] == step]
    st.metric(tr("present.on_map"), len(rows))
    col_map, col_list = st.columns([3, 2])
    with col_map:
        _map(data, rows)
    with col_list:
        if rows.empty:
            st.info(tr("present.none_yet"))
        for _, row in highlights(rows, n=LIST_MAX).iterrows():
            _asset_card(row)
        if len(rows) > LIST_MAX:
            st.caption(tr("present.more", n=len(rows) - LIST_MAX))


# One row that fits its contents (and wraps on a phone): in fixed columns the big screen's larger text cut the
# toggle's label off.
controls = st.container(horizontal=True, vertical_alignment="bottom", gap="medium")
controls.segmented_control(
    tr("present.mode"),
    options=[OVERVIEW, STORY],
    format_func=lambda mode: tr(f"present.mode_{mode}"),
    key=MODE,
)
controls.date_input(tr("present.since"), key=SINCE, max_value=today, format="DD-MM-YYYY")
controls.toggle(tr("present.beamer"), key=BEAMER, help=tr("present.beamer_help"))
big = bool(st.session_state[BEAMER])
scale = presenting.BIG_SCREEN_SCALE if big else 1.0
if big:  # no sidebar or toolbar, and every text larger; static CSS, no user text
    st.markdown(presenting.big_screen_css(scale), unsafe_allow_html=True)

portrait, cache_key = _load()
by_id = portrait.assets.set_index("id")  # to tell each story on the card of the place it is about
photos = ui.frame_photos(ctx, portrait.assets)  # the public assets' photos, shown on their cards
st.title(tr("present.title", wijk=ui.plain(portrait.name)))
tagline = tr("present.tagline")
if portrait.population and (residents := ui.residents(ctx.wijk)):
    tagline = f"{residents} · {tagline}"
st.caption(tagline)
if portrait.join_contact:
    st.markdown(f"**{tr('join.call', contact=ui.plain(portrait.join_contact))}**")
if portrait.is_empty:
    st.info(tr("present.empty", wijk=ui.plain(portrait.name)), icon=":material/info:")
elif portrait.has_examples and (st.session_state[MODE] != STORY or st.session_state[STEP] == 0):
    # In the story the notice comes once, on the first step; every example's name says so too.
    examples = int((portrait.assets["source"] == Source.EXAMPLE.value).sum())
    st.info(tr("app.example_notice", n=examples), icon=":material/lightbulb:")

if st.session_state[MODE] == STORY:
    _story(portrait, cache_key)
else:
    _overview(portrait, cache_key)


def _keep_view_in_url() -> None:
    """Write mode, step and screen into the address (beside the wijk and the language), so a reload stays here."""
    mode = st.session_state.get(MODE)
    view = PresenterView(mode if mode in presenting.MODES else OVERVIEW, int(st.session_state[STEP]), big)
    wanted = presenting.query_from_view(view)
    for name in presenting.QUERY_KEYS:
        if name not in wanted and name in st.query_params:
            del st.query_params[name]
    if {name: st.query_params.get(name) for name in wanted} != wanted:
        st.query_params.update(wanted)


_keep_view_in_url()
