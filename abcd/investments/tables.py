"""Investments and their summaries as display tables and messages, in the reader's language.

Pure: records and frames in, :class:`pandas.DataFrame` or text out. Columns
keep stable codes (``eur_total``); :func:`column_labels` names them, so a page
can pass the labels to ``st.dataframe(column_config=...)``. Euro columns stay
exact :class:`~decimal.Decimal`; only :func:`chart_frame` turns euros into
floats, because a chart draws them and adds nothing up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import pandas as pd

from abcd.i18n import Lang, t
from abcd.investments.amounts import format_eur, format_number
from abcd.investments.model import Investment
from abcd.investments.summary import HIGH_INVESTMENT_LOW_ACTIVITY, LOW_INVESTMENT_HIGH_ACTIVITY, SUMMARY_FIGURES
from abcd.model import Asset, MeetingPlaceRole
from abcd.records import HistoryEntry
from abcd.tables import change_table

LEDGER_COLUMNS = (
    "id",
    "date",
    "meeting_place",
    "role",
    "amount_eur",
    "funder",
    "kind",
    "space_m2",
    "hours_per_week",
    "note",
    "version",
)
CITY_COLUMNS = ("name", *SUMMARY_FIGURES, "signals")
COMPARISON_COLUMNS = (
    "name",
    "inwoners",
    "standard_places",
    "resident_places",
    "eur_total",
    "eur_per_1000",
    "space_m2_per_1000",
    "initiatives_per_1000",
)
MONEY_COLUMNS = frozenset({"amount_eur", "eur_total", "eur_standard", "eur_resident", "eur_per_1000"})
FIGURE_COLUMNS = ("standard_places", "resident_places", "space_m2", "space_m2_per_1000", "hours_per_week")

_LABEL_KEYS = {
    "date": "field.date",
    "meeting_place": "field.meeting_place",
    "role": "field.meeting_place_role",
    "amount_eur": "field.amount_eur",
    "funder": "field.funder",
    "kind": "field.kind",
    "space_m2": "field.space_m2",
    "hours_per_week": "field.hours_per_week",
    "note": "field.note",
    "version": "field.version",
    "name": "field.wijk",
    "inwoners": "invest.col.inwoners",
    "standard_places": "invest.col.standard_places",
    "resident_places": "invest.col.resident_places",
    "eur_total": "invest.col.eur_total",
    "eur_standard": "invest.col.eur_standard",
    "eur_resident": "invest.col.eur_resident",
    "eur_per_1000": "invest.col.eur_per_1000",
    "space_m2_per_1000": "invest.col.space_m2_per_1000",
    "initiatives_per_1000": "invest.col.initiatives_per_1000",
    "signals": "invest.col.signals",
}


def column_labels(lang: Lang) -> dict[str, str]:
    """Column code -> heading in ``lang``."""
    return {code: t(key, lang) for code, key in _LABEL_KEYS.items()}


def _place_label(place: Asset | None, lang: Lang) -> str:
    if place is None:
        return "?"
    return place.name + (f" ({t('history.deleted', lang)})" if place.is_deleted else "")


def ledger_table(items: Sequence[Investment], places: Mapping[str, Asset], lang: Lang) -> pd.DataFrame:
    """One row per investment, newest first as given, with the place's name and role."""
    rows = []
    for item in items:
        place = places.get(item.meeting_place_id)
        role = (place.meeting_place_role or MeetingPlaceRole.OTHER) if place else MeetingPlaceRole.OTHER
        rows.append(
            {
                "id": item.id,
                "date": item.date,
                "meeting_place": _place_label(place, lang),
                "role": t(f"role.{role.value}", lang),
                "amount_eur": item.amount_eur,
                "funder": item.funder.label(lang),
                "kind": item.kind.label(lang),
                "space_m2": item.space_m2,
                "hours_per_week": item.hours_per_week,
                "note": item.note,
                "version": item.version,
            }
        )
    return pd.DataFrame(rows, columns=list(LEDGER_COLUMNS))


def signals(row: pd.Series, lang: Lang) -> list[str]:
    """The norm and balance flags of one summary row, as short sentences."""
    out = []
    if row["no_standard"]:
        out.append(t("invest.flag.no_standard", lang))
    if row["several_standard"]:
        out.append(t("invest.flag.several_standard", lang, count=int(row["standard_places"])))
    if row["no_population"]:
        out.append(t("invest.flag.no_population", lang))
    if row.get("balance") == HIGH_INVESTMENT_LOW_ACTIVITY:
        out.append(t("invest.flag.high_investment_low_activity", lang))
    elif row.get("balance") == LOW_INVESTMENT_HIGH_ACTIVITY:
        out.append(t("invest.flag.low_investment_high_activity", lang))
    return out


def city_table(summary: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The per-wijk summary for display: the :data:`CITY_COLUMNS`, flags as one ``signals`` text."""
    table = summary.reindex(columns=[c for c in CITY_COLUMNS if c != "signals"]).copy()
    table["signals"] = ["; ".join(signals(row, lang)) for _, row in summary.iterrows()]
    return table


def comparison_table(row: pd.Series, average: pd.Series, lang: Lang) -> pd.DataFrame:
    """The wijk's figures next to the city average (two rows, :data:`COMPARISON_COLUMNS`)."""
    wijk = {c: row[c] for c in COMPARISON_COLUMNS}
    city = {c: average.get(c) for c in COMPARISON_COLUMNS}
    city["name"] = t("invest.city_average", lang, n=int(average["wijken"]))
    return pd.DataFrame([wijk, city], columns=list(COMPARISON_COLUMNS))


def cell_formats(lang: Lang) -> dict[str, Callable[[Any], str]]:
    """Column code -> how its cells are written in ``lang``: euros as money, other figures with its marks.

    For display only (``frame.style.format``): the frame keeps its numbers, so a table still sorts by value.

    >>> shown = cell_formats("nl")
    >>> shown["eur_total"](Decimal("262500")), shown["inwoners"](7952.6), shown["space_m2"](None)
    ('€ 262.500,00', '7.953', '–')
    """

    def money(value: Any) -> str:
        return "–" if _missing(value) else format_eur(Decimal(str(value)), lang)

    def figure(value: Any) -> str:
        if _missing(value):
            return "–"
        return format_number(value, lang, digits=0 if float(value).is_integer() else 1)

    return {
        **dict.fromkeys(MONEY_COLUMNS, money),
        **dict.fromkeys(FIGURE_COLUMNS, figure),
        "inwoners": lambda value: "–" if _missing(value) else format_number(value, lang, digits=0),
        "initiatives_per_1000": lambda value: format_number(None if _missing(value) else value, lang),
    }


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def chart_frame(yearly: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Euros per year to the standard place and to resident places, as floats for a chart."""
    standard = t("invest.chart.standard", lang)
    resident = t("invest.chart.resident", lang)
    return pd.DataFrame(
        {
            standard: [float(v) for v in yearly["eur_standard"]],
            resident: [float(v) for v in yearly["eur_resident"]],
        },
        index=pd.Index([str(y) for y in yearly.index], name=t("field.year", lang)),
    )


def history_table(entries: Sequence[HistoryEntry], lang: Lang) -> pd.DataFrame:
    """One row per change of an investment: version, action, who, when, ``field: old → new``."""

    def shown(name: str, value: object) -> str:
        if value is None or value == "":
            return "–"
        if name == "amount_cents":
            return format_eur(Decimal(int(str(value))).scaleb(-2), lang)
        return str(value)

    return change_table(entries, lang, label=lambda name: t(_field_key(name), lang), shown=shown)


def _field_key(name: str) -> str:
    return {"amount_cents": "field.amount_eur", "meeting_place_id": "field.meeting_place"}.get(name, f"field.{name}")


__all__ = [
    "CITY_COLUMNS",
    "COMPARISON_COLUMNS",
    "LEDGER_COLUMNS",
    "MONEY_COLUMNS",
    "cell_formats",
    "chart_frame",
    "city_table",
    "column_labels",
    "comparison_table",
    "history_table",
    "ledger_table",
    "signals",
]
