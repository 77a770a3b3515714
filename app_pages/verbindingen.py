"""Verbindingen: the wijk as a network of people, clubs and places, who connects whom, and how it grows."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from abcd import maps, network, ui
from abcd.connections.model import ConnectionKind
from abcd.i18n.formats import format_number
from abcd.model import Category
from abcd.people import shown_count
from abcd.permissions import Permission
from abcd.timeline import wijk_growth

ctx = ui.context()
tr = ui.tr
st.header(tr("network.title", wijk=ui.plain(ctx.wijk.name)))
st.caption(tr("network.intro"))

seen, ties, residents = ui.wijk_connections(ctx)
frame = pd.DataFrame(
    {"id": [a.id for a in seen], "name": [a.name for a in seen], "category": [a.category.value for a in seen]}
)
# A resident's connections are personal data: only for those who may see residents here (and then by name).
show_people = ctx.user.can(Permission.VIEW_PEOPLE, ctx.wijk.slug)
frame, ties = network.private_view(frame, ties, show_people=show_people)
graph = network.build_graph(frame, ties)
ranked = network.connectors(graph)
lonely = network.unconnected(frame, ties)

cols = st.columns(3)
cols[0].metric(tr("network.connections"), len(ties))
cols[1].metric(tr("network.connected"), int((ranked["degree"] > 0).sum()) if len(ranked) else 0)
cols[2].metric(tr("network.not_connected"), len(lonely))

if len(ties) == 0:
    st.info(tr("network.empty"), icon=":material/hub:")
else:
    joiners = ranked[(ranked["bridges"] > 0) | (ranked["joins"] > 0)].head(5)
    colours = {code: style.color for code, style in maps.CATEGORY_STYLE.items()}
    st.graphviz_chart(
        network.dot_source(graph, highlight=set(joiners["id"]), colours=colours, lang=ctx.lang), width="stretch"
    )
    st.caption(tr("network.drawing_help"))

    st.subheader(tr("network.connectors"))
    st.caption(tr("network.connectors_help"))
    table = ranked.head(10).assign(
        category=[Category(c).label(ctx.lang) for c in ranked.head(10)["category"]],
        betweenness=[format_number(v, ctx.lang, digits=2) for v in ranked.head(10)["betweenness"]],
    )
    st.dataframe(
        table.drop(columns="id"),
        hide_index=True,
        width="stretch",
        column_config={c: st.column_config.Column(tr(f"network.col.{c}")) for c in table.columns if c != "id"},
    )

    st.subheader(tr("network.kinds"))
    counts = network.kind_counts(ties)
    st.dataframe(
        {
            tr("field.kind_of_connection"): [ConnectionKind(k).label(ctx.lang) for k in counts.index],
            tr("network.connections"): counts.tolist(),
        },
        hide_index=True,
    )

if not show_people:
    # Residents appear only as numbers, small ones as "<5": never a line, a point or a name.
    told = [(a.name, sum(residents.get(a.id, {}).values())) for a in seen]
    told = [(name, n) for name, n in told if n > 0]
    if told:
        st.subheader(tr("network.residents"))
        for name, n in sorted(told):
            st.caption(tr("network.residents_line", name=ui.plain(name), count=shown_count(n)))

st.subheader(tr("network.lonely"))
if lonely.empty:
    st.caption(tr("network.lonely_none"))
else:
    st.caption(tr("network.lonely_help"))
    st.markdown(
        "\n".join(
            f"- {ui.plain(n)} ({Category(c).label(ctx.lang)})"
            for n, c in zip(lonely["name"], lonely["category"], strict=True)
        )
    )

# Growth: do money for meeting places and resident energy move together ("werken vanuit het gemiddelde")?
st.subheader(tr("network.growth"))
st.caption(tr("network.growth_help"))
growth = wijk_growth(ctx.store, ctx.wijk.slug)
if growth.empty:
    st.caption(tr("network.growth_empty"))
else:
    series = {c: tr(f"network.series.{c}") for c in ("initiatives", "meeting_places", "connections")}
    counts_long = growth.melt(id_vars="month", value_vars=list(series), var_name="series", value_name="n")
    counts_long["series"] = counts_long["series"].map(series)
    ui.show_chart(
        alt.Chart(counts_long)
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):O", title=None),
            y=alt.Y("n:Q", title=tr("network.count_axis"), axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
            strokeDash=alt.StrokeDash("series:N", legend=None),
            tooltip=[alt.Tooltip("yearmonth(month):O", title=None), alt.Tooltip("series:N", title=None), "n:Q"],
        )
        .properties(height=220)
    )
    money = growth.assign(eur=growth["invested_cents"] / 100)
    ui.show_chart(
        alt.Chart(money)
        .mark_bar(color="#E69F00")
        .encode(
            x=alt.X("yearmonth(month):O", title=None),
            y=alt.Y("eur:Q", title=tr("network.invested_axis"), axis=alt.Axis(format=",.0f")),
            tooltip=[alt.Tooltip("yearmonth(month):O", title=None), alt.Tooltip("eur:Q", title="€", format="$,.2f")],
        )
        .properties(height=160)
    )
