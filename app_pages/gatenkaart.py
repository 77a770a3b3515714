"""Gatenkaart (municipal officers): streets without a resident initiative within reach."""

from __future__ import annotations

from decimal import Decimal

import streamlit as st

from abcd import effort, gapmap, gaps, maps, themes, ui
from abcd.effort.saved import latest_plan, save_plan
from abcd.gaps.files import GapRun, gaps_bytes
from abcd.gaps.near import Nearby, gap_streets, near_street
from abcd.i18n import t
from abcd.i18n.formats import format_date, format_number, local_today
from abcd.maps.gaps import without_legend
from abcd.maps.walks import add_walked_legend, walked_layers
from abcd.permissions import Permission
from abcd.portrait.data import display_name
from abcd.walks import register as walk_register
from abcd.walks.streets import last_walked_by_label, with_last_walked

ctx = ui.context()
tr = ui.tr
st.header(tr("gaps.title", wijk=ui.plain(ctx.wijk.name)))
ui.require_page(ctx, Permission.VIEW_GAPS)
st.caption(tr("gaps.intro"))

col_distance, col_mode, col_theme = st.columns([2, 1, 1])
distance = col_distance.slider(
    tr("gaps.distance"), gaps.MIN_DISTANCE_M, gaps.MAX_DISTANCE_M, gaps.DEFAULT_DISTANCE_M, step=25, key="gaps_distance"
)
mode = col_mode.radio(
    tr("gaps.mode"),
    ["straight", "network"],
    format_func=lambda m: t(f"gaps.mode.{m}", ctx.lang),  # not tr: AppTest formats outside the script run too
    key="gaps_mode",
    horizontal=True,
)
theme_labels = {theme.code: theme.label(ctx.lang) for theme in themes.list_themes(ctx.store)}
theme = col_theme.selectbox(
    tr("gaps.theme"),
    [None, *theme_labels],
    format_func=lambda code: t("gaps.theme_all", ctx.lang) if code is None else theme_labels[code],
    key="gaps_theme",
    help=tr("gaps.theme_help"),
)
active_only = st.toggle(
    tr("gaps.active_only", months=ui.settings().stale_months),
    value=True,
    key="gaps_active",
    help=tr("gaps.active_help"),
)

streets = ui.streets(ctx)
if streets.empty:
    st.info(tr("gaps.no_streets", slug=ctx.wijk.slug))
    st.stop()
coverage = ui.coverage(ctx, distance_m=float(distance), mode=mode, theme=theme, active_only=active_only)
figures = gaps.wijk_figures(coverage)
initiatives = ui.initiatives(ctx, theme=theme, active_only=active_only)  # the ones the coverage counted

cols = st.columns(4)
cols[0].metric(tr("gaps.share"), f"{figures.share_length_needs_support:.0%}")
cols[1].metric(tr("gaps.segments"), f"{figures.segments_needs_support} / {figures.segments}")
cols[2].metric(tr("gaps.mean"), format_number(figures.mean_initiatives_per_segment, ctx.lang, digits=1))
cols[3].metric(tr("gaps.initiatives"), len(initiatives))

# When builders last walked each street (abcd.walks): per-street days only, never whose walk.
walked_on = walk_register.last_walked(ctx.store, ctx.wijk.slug)
walked = with_last_walked(coverage, walked_on)
by_walks = st.toggle(tr("walks.colour"), key="gaps_by_walks", help=tr("walks.colour_help"))
if by_walks:
    # Each map shows only its own legend, not the seven asset categories of the base map.
    the_map = add_walked_legend(without_legend(maps.base_map(boundary=ctx.wijk.boundary, lang=ctx.lang)), lang=ctx.lang)
    street_layers = walked_layers(walked, today=local_today(), lang=ctx.lang)
else:
    the_map = maps.add_gap_legend(maps.base_map(boundary=ctx.wijk.boundary, lang=ctx.lang), lang=ctx.lang)
    street_layers = maps.coverage_layers(coverage, lang=ctx.lang)
layers = street_layers + maps.asset_layers(initiatives, lang=ctx.lang)
ui.show_map(the_map, key="gaps_map", layers=layers, height=520)
st.markdown(tr("gaps.meaning"))

st.subheader(tr("gaps.streets"))
summary = gaps.street_summary(coverage, unnamed=tr("gaps.unnamed_road"))
walked_by_street = last_walked_by_label(coverage, walked_on, unnamed=tr("gaps.unnamed_road"))
summary["last_walked"] = [walked_by_street.get(street) for street in summary["street"]]
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
        "last_walked": st.column_config.DateColumn(tr("gaps.col.last_walked"), format="iso8601"),
    },
)
name = f"gatenkaart-{ctx.wijk.slug}-{theme or 'alle'}-{mode}-{distance}m"
run = GapRun.of(coverage, wijk=ctx.wijk.name, theme=theme)  # wijk, theme, mode, distance and date go in the files
ui.result_downloads(name, lambda suffix: gaps_bytes(walked, suffix, run=run, lang=ctx.lang), key="gaps")


def _near_lines(items: tuple[Nearby, ...]) -> str:
    """A short markdown list: name (kind), distance; every name escaped."""
    if not items:
        return tr("gaps.near_nothing")
    lines = []
    for item in items:
        name = ui.plain(display_name({"name": item.name, "source": "example" if item.example else ""}, ctx.lang))
        kind = t(f"category.{item.category}", ctx.lang)
        distance = format_number(item.distance_m, ctx.lang, digits=0)
        lines.append(f"- {tr('gaps.near_line', name=name, category=kind, distance=distance)}")
    return "\n".join(lines)


# What is near a gap street: where more effort could start from.
st.subheader(tr("gaps.near_title"))
with_gaps = gap_streets(coverage, unnamed=tr("gaps.unnamed_road"))
if not with_gaps:
    st.caption(tr("gaps.near_no_gaps"))
else:
    street = st.selectbox(tr("gaps.near_street"), with_gaps, key="gaps_near_street")
    near = near_street(
        coverage,
        street,
        initiatives=initiatives,
        assets=gapmap.assets_near_streets(ctx.store, ctx.wijk.slug),
        unnamed=tr("gaps.unnamed_road"),
    )
    col_counted, col_places, col_approach = st.columns(3)
    col_counted.markdown(f"**{tr('gaps.near_initiatives')}**\n\n{_near_lines(near.initiatives)}")
    col_places.markdown(f"**{tr('gaps.near_meeting_places')}**\n\n{_near_lines(near.meeting_places)}")
    approach_title = tr("gaps.near_approach", distance=format_number(near.approach_m, ctx.lang, digits=0))
    col_approach.markdown(f"**{approach_title}**\n\n{_near_lines(near.approach)}")
    st.caption(tr("gaps.near_help"))

st.subheader(tr("walks.not_walked_title"))
months = st.number_input(tr("walks.not_walked_months"), 1, 120, 6, step=1, key="gaps_not_walked_months")
not_walked = walk_register.streets_by_last_walked(ctx.store, ctx.wijk.slug, not_since_months=int(months))
st.caption(tr("walks.not_walked_count", n=len(not_walked), months=int(months)))
with st.expander(tr("walks.streets_title"), icon=":material/directions_walk:"):
    st.table(  # a plain table: the gap table above and the effort plan's below stay the page's data frames
        {
            tr("walks.col.street"): not_walked["street"].tolist(),
            tr("walks.col.last_walked"): [
                format_date(d, ctx.lang) if d else tr("walks.never") for d in not_walked["last_walked"]
            ],
        }
    )

# ---------------------------------------------------------------------------
# The effort plan (officers and coordinators): from the average, more where residents have no initiative.
if not ctx.user.can(Permission.SAVE_PLANS, ctx.wijk.slug):
    st.stop()
st.subheader(tr("effort.title", theme=theme_labels[theme] if theme else tr("gaps.theme_all")))
st.caption(tr("effort.intro"))
col_total, col_unit, col_period, col_floor = st.columns([2, 1, 1, 2])
total = col_total.number_input(
    tr("effort.total"), min_value=0.01, max_value=float(effort.MAX_TOTAL), value=120.0, step=10.0, key="effort_total"
)
unit = col_unit.radio(
    tr("effort.unit"), ["uur", "euro"], format_func=lambda code: effort.unit_label(code, ctx.lang), key="effort_unit"
)
period = col_period.selectbox(
    tr("effort.period"),
    ["week", "maand", "jaar"],
    format_func=lambda code: effort.period_label(code, ctx.lang),
    key="effort_period",
)
floor = col_floor.slider(tr("effort.floor"), 0.0, 1.0, 0.5, step=0.05, key="effort_floor", help=tr("effort.floor_help"))
with st.expander(tr("effort.rule_title"), icon=":material/calculate:"):
    st.markdown(effort.rule_text(floor, ctx.lang))

with ui.guard():
    amount = effort.parse_total(Decimal(str(total)).quantize(Decimal("0.01")))
    plan = effort.plan_segments(coverage, total=amount, floor=floor)
    run = effort.EffortRun.of(
        coverage, total=amount, unit=unit, period=period, floor=floor, wijk=ctx.wijk.name, theme=theme
    )
streets_plan = effort.plan_streets(plan, unnamed=tr("gaps.unnamed_road"))
unit_text = effort.unit_label(unit, ctx.lang)

cols = st.columns(3)
average_km = float(amount) * 1000 / max(float(streets_plan["length_m"].sum()), 1.0)
cols[0].metric(tr("effort.average_per_km", unit=unit_text), format_number(average_km, ctx.lang, digits=2))
cols[1].metric(tr("effort.streets_more"), f"{int((streets_plan['change_vs_average'] > 0).sum())} / {len(streets_plan)}")
cols[2].metric(
    tr("effort.moved", unit=unit_text),
    format_number(float(streets_plan["change_vs_average"].clip(lower=0).sum()), ctx.lang, digits=2),
)

effort_map = maps.add_effort_legend(
    without_legend(maps.base_map(boundary=ctx.wijk.boundary, lang=ctx.lang)), lang=ctx.lang
)
layers = maps.effort_layers(plan, unit=unit, lang=ctx.lang) + maps.asset_layers(initiatives, lang=ctx.lang)
ui.show_map(effort_map, key="effort_map", layers=layers, height=480)

names = dict(zip(initiatives["id"], initiatives["name"], strict=True)) if len(initiatives) else {}
money = ["average", "effort", "change_vs_average"]
shown = streets_plan.drop(columns=["segments"]).assign(
    initiative_ids=[", ".join(names.get(i, i[:8]) for i in ids) for ids in streets_plan["initiative_ids"]]
)
st.dataframe(
    shown.style.format(lambda v: format_number(v, ctx.lang, digits=2), subset=[*money, "index"]).format(
        lambda m: format_number(m, ctx.lang, digits=0), subset=["length_m"]
    ),
    hide_index=True,
    width="stretch",
    column_config={column: st.column_config.Column(tr(f"effort.col.{column}")) for column in shown.columns},
)
plan_name = f"inzetplan-{ctx.wijk.slug}-{theme or 'alle'}-{unit}-{period}"
ui.result_downloads(plan_name, lambda suffix: effort.plan_bytes(plan, suffix, run=run, lang=ctx.lang), key="effort")

# One or two steps behind, visibly: against the plan recorded last for this wijk and theme.
previous = latest_plan(ctx.store, ctx.wijk.slug, theme)
if previous is None:
    st.info(tr("effort.no_previous"), icon=":material/history:")
else:
    st.markdown(
        tr(
            "effort.compared",
            day=format_date(previous.run.day, ctx.lang),
            by=ui.plain(previous.created_by),
            total=format_number(previous.run.total, ctx.lang),
            unit=effort.unit_label(previous.run.unit, ctx.lang),
            period=effort.period_label(previous.run.period, ctx.lang),
        )
    )
    changes = effort.compare_plans(streets_plan, previous.streets)
    changes = changes[changes["change"] != 0]
    gone = {i for ids in changes["stopped"] for i in ids} - set(names)
    names |= {a.id: a.name for a in ctx.store.assets_by_id(sorted(gone)).values()}
    if changes.empty:
        st.caption(tr("effort.no_changes"))
    else:

        def _named(ids: tuple[str, ...]) -> str:
            return ", ".join(names.get(i, i[:8]) for i in ids)

        st.dataframe(
            changes.assign(started=changes["started"].map(_named), stopped=changes["stopped"].map(_named)).style.format(
                lambda v: format_number(v, ctx.lang, digits=2),
                subset=["effort", "previous_effort", "change"],
                na_rep="–",
            ),
            hide_index=True,
            width="stretch",
            column_config={column: st.column_config.Column(tr(f"effort.cmp.{column}")) for column in changes.columns},
        )
if st.button(tr("effort.save"), icon=":material/bookmark_add:", key="effort_save", help=tr("effort.save_help")):
    with ui.guard():
        saved = save_plan(ctx.store, ctx.wijk.slug, run, streets_plan, user=ctx.user)
    ui.flash(tr("effort.saved", day=format_date(saved.run.day, ctx.lang)))
    st.rerun()
