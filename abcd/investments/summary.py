"""Pure per-wijk accounting of meeting-place investment: frames in, frames out, no I/O.

**Per year.** Every entry counts once, in the calendar year of its date,
whatever its kind. A ``jaarlijks`` (yearly) entry is one year's instalment of
a recurring contribution: the gemeente's yearly EUR 25,000 for the standard
meeting place is entered once per year, dated in the year it covers. A
contribution that stops then stops by itself, an edit to this year's amount
never rewrites past years, and a total over several years is simply the sum
of the entries. The kind tells structural money from one-off money; it never
multiplies an amount.

**Levels and the city average.** The catalogue has three levels that must not
be mixed (:class:`Level`): Rotterdam's own wijken (the level of the norm "one
standard meeting place per wijk": Bospolder-Tussendijken and, where the
municipality has no wijk of its own in the catalogue, the CBS buurt, which in
Rotterdam nearly always coincides with a wijk), the 21 CBS wijken and the 88
CBS buurten. Each level partitions the city, so every meeting place and
every resident initiative is counted in exactly one row per level
(:func:`assign_wijken`): in the wijk it was recorded in when that wijk is on
the level, else in the wijk of the level its point lies in. The city average
(:func:`city_average`) is taken over the rows of ONE level with population
above zero. Counts and euros are means per wijk; per-1,000 figures are
population-weighted (total over total), which is the figure for the city as a
whole and keeps a buurt of 5 residents from dominating it. Wijken with zero or
unknown population are reported with ``no_population`` set and no per-1,000
figures; they are left out of the average.

:mod:`abcd.investments.ledger` stores investments and feeds these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from abcd.investments.amounts import CENT, eur_from_cents
from abcd.investments.model import Investment, InvestmentDraft, Level, check_year
from abcd.model import RD_NEW, WGS84, Asset, Category, MeetingPlaceRole
from abcd.places import Area, AreaIndex
from abcd.wijken import KIND_CBS_BUURT, KIND_CBS_WIJK, KIND_GEBIED, KIND_GEMEENTE, Wijk

COVERED_SHARE = 0.5  # a buurt belongs to a Rotterdam wijk when more than half of it lies inside


# ------------------------------------------------------------------- frames
PLACE_COLUMNS = ("id", "name", "wijk", "role", "live", "lon", "lat")
INVESTMENT_COLUMNS = (
    "id",
    "meeting_place_id",
    "date",
    "year",
    "amount_cents",
    "funder",
    "kind",
    "space_m2",
    "hours_per_week",
    "note",
)


def places_to_frame(places: Iterable[Asset]) -> pd.DataFrame:
    """Meeting places as a frame: ``id``, ``name``, ``wijk``, ``role``, ``live`` and the point.

    A meeting place without a role counts as ``other``; ``live`` is false for
    deleted places (their money still counts, they no longer count as a place)
    and for places still awaiting approval. Example places (``source ==
    "example"``, invented to show the map) are left out: they are not places,
    and money booked on one before that was refused counts in no figure.
    """
    rows = [
        (
            a.id,
            a.name,
            None,  # assigned by location (assign_wijken)
            (a.meeting_place_role or MeetingPlaceRole.OTHER).value,
            not a.is_deleted and not a.is_pending,
            a.lon,
            a.lat,
        )
        for a in places
        if a.category is Category.MEETING_PLACE and not a.is_example
    ]
    frame = pd.DataFrame(rows, columns=list(PLACE_COLUMNS))
    return frame.astype({"live": bool, "lon": float, "lat": float})


def points_to_frame(assets: Iterable[Asset]) -> pd.DataFrame:
    """Any assets as ``wijk``, ``lon``, ``lat`` rows, for :func:`assign_wijken` and counting."""
    rows = [(a.id, None, a.lon, a.lat) for a in assets]
    return pd.DataFrame(rows, columns=["id", "wijk", "lon", "lat"]).astype({"lon": float, "lat": float})


def investments_to_frame(items: Iterable[Investment | InvestmentDraft]) -> pd.DataFrame:
    """Investments as a frame with the :data:`INVESTMENT_COLUMNS` (amounts as int cents)."""
    rows = [
        (
            i.id,
            i.meeting_place_id,
            i.date,
            i.date.year,
            int(i.amount_cents),
            i.funder.value,
            i.kind.value,
            np.nan if i.space_m2 is None else float(i.space_m2),
            np.nan if i.hours_per_week is None else float(i.hours_per_week),
            i.note,
        )
        for i in items
    ]
    frame = pd.DataFrame(rows, columns=list(INVESTMENT_COLUMNS))
    return frame.astype({"year": "int64", "amount_cents": "int64", "space_m2": float, "hours_per_week": float})


def wijken_to_frame(wijken: Iterable[Wijk]) -> pd.DataFrame:
    """Wijken as a frame indexed by slug: ``name`` and ``inwoners`` (nullable)."""
    items = list(wijken)
    return pd.DataFrame(
        {
            "name": [w.name for w in items],
            "inwoners": pd.array([w.population for w in items], dtype="Int64"),
        },
        index=pd.Index([w.slug for w in items], name="wijk"),
    )


# ------------------------------------------------------------------- levels
def level_of(wijk: Wijk) -> Level:
    """The level a wijk is compared at: its own kind (a gebied is one of Rotterdam's wijken)."""
    return {KIND_GEBIED: Level.WIJK, KIND_CBS_WIJK: Level.CBS_WIJK}.get(wijk.kind, Level.CBS_BUURT)


def level_wijken(catalogue: Mapping[str, Wijk], level: Level | str, *, gemeente: str = "Rotterdam") -> list[Wijk]:
    """The wijken of ``level`` in ``gemeente``, which together cover it once.

    ``cbs_wijk`` and ``cbs_buurt`` are the CBS divisions. ``wijk`` is the level
    of the norm: every Rotterdam wijk in the catalogue (Bospolder-Tussendijken)
    plus every CBS buurt of which at most half lies inside one of them, so
    Bospolder and Tussendijken make way for BoTu and the 86 other buurten stay.
    A gemeente without buurten in the catalogue (all but Rotterdam) is
    compared at the level of its CBS wijken there.
    """
    level = Level(level)
    own = [w for w in catalogue.values() if w.gemeente == gemeente and w.kind != KIND_GEMEENTE]
    cbs_wijken = [w for w in own if w.kind == KIND_CBS_WIJK]
    if level is Level.CBS_WIJK:
        return cbs_wijken
    buurten = [w for w in own if w.kind == KIND_CBS_BUURT]
    if level is Level.CBS_BUURT:
        return buurten
    gebieden = [w for w in own if w.kind == KIND_GEBIED]
    if not buurten:
        return gebieden or cbs_wijken
    if not gebieden:
        return buurten
    buurt_rd = gpd.GeoSeries([w.boundary for w in buurten], crs=WGS84).to_crs(RD_NEW).to_numpy()
    gebied_rd = shapely.union_all(gpd.GeoSeries([w.boundary for w in gebieden], crs=WGS84).to_crs(RD_NEW).to_numpy())
    inside = shapely.area(shapely.intersection(buurt_rd, gebied_rd)) / shapely.area(buurt_rd)
    return gebieden + [w for w, share in zip(buurten, inside, strict=True) if not share > COVERED_SHARE]


def assign_wijken(points: pd.DataFrame, wijken: Sequence[Wijk]) -> pd.Series:
    """For each point (columns ``lon``, ``lat``), the slug of the wijk of ``wijken`` it counts in, or ``None``.

    Where it is decides (:mod:`abcd.places`): the wijk whose boundary covers
    it, else the nearest one within the boundary tolerance; a point farther
    out lies in none of them (another gemeente) and counts nowhere here. The
    result is indexed like ``points``.
    """
    result = pd.Series([None] * len(points), index=points.index, dtype=object)
    if len(points) == 0 or not wijken:
        return result
    index = AreaIndex(Area(w.slug, "level", w.boundary) for w in wijken)
    found = index.membership(points["lon"].to_numpy(dtype=float), points["lat"].to_numpy(dtype=float))
    # One level partitions the city; a point on a shared border counts once, in the first.
    result[:] = [slugs[0] if slugs else None for slugs in found]
    return result


# ------------------------------------------------------------------ summary
SUMMARY_FIGURES = (
    "inwoners",
    "standard_places",
    "resident_places",
    "eur_total",
    "eur_standard",
    "eur_resident",
    "eur_per_1000",
    "space_m2",
    "initiatives_per_1000",
)
"""The figures of a wijk that the summary CSV and the city table show, in this order."""

SUMMARY_COLUMNS = (
    "name",
    "inwoners",
    "standard_places",
    "resident_places",
    "other_places",
    "eur_total",
    "eur_standard",
    "eur_resident",
    "eur_other",
    "eur_per_1000",
    "space_m2",
    "space_m2_per_1000",
    "hours_per_week",
    "initiatives",
    "initiatives_per_1000",
    "no_standard",
    "several_standard",
    "no_population",
    "balance",
)
"""Columns of :func:`city_summary` (index: the wijk slug)."""

HIGH_INVESTMENT_LOW_ACTIVITY = "high_investment_low_activity"
LOW_INVESTMENT_HIGH_ACTIVITY = "low_investment_high_activity"
_ROLES = tuple(r.value for r in MeetingPlaceRole)


def _money_per_1000(cents: int, population: int) -> Decimal:
    # cents / 100 euros per resident, times 1,000 residents
    return (Decimal(int(cents)) * 10 / Decimal(int(population))).quantize(CENT, rounding=ROUND_HALF_UP)


def _counted(investments: pd.DataFrame, year: int | None) -> pd.DataFrame:
    year = check_year(year)
    if year is None or investments.empty:
        return investments
    return investments[investments["year"] == year]


def _figures(
    wijken: pd.DataFrame,
    places: pd.DataFrame,
    investments: pd.DataFrame,
    initiatives: Mapping[str, int] | pd.Series | None,
    year: int | None,
) -> pd.DataFrame:
    index = pd.Index(wijken.index, name="wijk")
    live = places[places["live"].astype(bool)] if len(places) else places
    counts = (
        live.groupby(["wijk", "role"]).size().unstack(fill_value=0) if len(live) else pd.DataFrame(index=index)
    ).reindex(index=index, columns=list(_ROLES), fill_value=0)

    counted = _counted(investments, year)
    place_wijk = places.set_index("id")["wijk"] if len(places) else pd.Series(dtype=object)
    place_role = places.set_index("id")["role"] if len(places) else pd.Series(dtype=object)
    money = counted.assign(
        wijk=counted["meeting_place_id"].map(place_wijk), role=counted["meeting_place_id"].map(place_role)
    )
    money = money[money["wijk"].isin(set(index))]
    cents = (
        (
            money.groupby(["wijk", "role"])["amount_cents"].sum().unstack(fill_value=0)
            if len(money)
            else pd.DataFrame(index=index)
        )
        .reindex(index=index, columns=list(_ROLES), fill_value=0)
        .astype("int64")
    )
    space = money.groupby("wijk")["space_m2"].sum().reindex(index, fill_value=0.0).astype(float)
    hours = money.groupby("wijk")["hours_per_week"].sum().reindex(index, fill_value=0.0).astype(float)
    counts_given = {} if initiatives is None else dict(initiatives)
    initiative_counts = pd.Series(counts_given, dtype="int64").reindex(index, fill_value=0)

    population = wijken["inwoners"].astype("Int64")
    no_population = (population.isna() | (population.fillna(0) <= 0)).to_numpy(dtype=bool)
    total_cents = cents.sum(axis=1)
    rows = pd.DataFrame(index=index)
    rows["name"] = wijken["name"].astype(object)
    rows["inwoners"] = population
    rows["standard_places"] = counts[MeetingPlaceRole.STANDARD.value].astype("int64")
    rows["resident_places"] = counts[MeetingPlaceRole.RESIDENT.value].astype("int64")
    rows["other_places"] = counts[MeetingPlaceRole.OTHER.value].astype("int64")
    rows["eur_total"] = pd.Series([eur_from_cents(c) for c in total_cents], index=index, dtype=object)
    for role in _ROLES:
        rows[f"eur_{role}"] = pd.Series([eur_from_cents(c) for c in cents[role]], index=index, dtype=object)
    rows["eur_per_1000"] = pd.Series(
        [
            None if bad else _money_per_1000(c, p)
            for c, p, bad in zip(total_cents, population, no_population, strict=True)
        ],
        index=index,
        dtype=object,
    )
    rows["space_m2"] = space.round(2)
    safe_population = population.astype("float64").where(~no_population)
    rows["space_m2_per_1000"] = (space * 1000 / safe_population).round(2)
    rows["hours_per_week"] = hours.round(2)
    rows["initiatives"] = initiative_counts.astype("int64")
    rows["initiatives_per_1000"] = (initiative_counts * 1000 / safe_population).round(2)
    rows["no_standard"] = rows["standard_places"] == 0
    rows["several_standard"] = rows["standard_places"] > 1
    rows["no_population"] = no_population
    rows["balance"] = pd.Series([None] * len(index), index=index, dtype=object)
    return rows[list(SUMMARY_COLUMNS)]


def city_summary(
    wijken: pd.DataFrame,
    places: pd.DataFrame,
    investments: pd.DataFrame,
    *,
    initiatives: Mapping[str, int] | pd.Series | None = None,
    year: int | None = None,
) -> pd.DataFrame:
    """One row per wijk of one level (:data:`SUMMARY_COLUMNS`), indexed by slug.

    Parameters
    ----------
    wijken
        The wijken of ONE level (:func:`level_wijken`, :func:`wijken_to_frame`):
        index slug, ``name``, ``inwoners``.
    places
        Meeting places (:func:`places_to_frame`) whose ``wijk`` is already one
        of ``wijken`` (:func:`assign_wijken`).
    investments
        :func:`investments_to_frame`; entries of places not in ``places``, or
        in no wijk of ``wijken``, are not counted.
    initiatives
        Resident-led initiatives per wijk slug.
    year
        Count only entries dated in this year; ``None`` counts every year.

    Euro columns are exact :class:`~decimal.Decimal`; ``eur_total`` is
    ``eur_standard + eur_resident + eur_other``. Wijken without population have
    ``no_population`` set and ``None``/NaN per-1,000 figures. ``balance`` marks
    wijken whose money per 1,000 residents is above the city average while
    their resident initiatives per 1,000 are below it (or the reverse).
    """
    rows = _figures(wijken, places, investments, initiatives, year)
    average = city_average(rows)
    rows["balance"] = _balance(rows, average)
    return rows


def wijk_summary(
    wijk: str,
    *,
    name: str,
    inwoners: int | None,
    places: pd.DataFrame,
    investments: pd.DataFrame,
    initiatives: int = 0,
    year: int | None = None,
) -> pd.DataFrame:
    """The one-row summary of wijk ``wijk`` from the meeting places recorded for it.

    Same columns as :func:`city_summary`; ``balance`` needs the city and is
    ``None`` here.

    >>> places = pd.DataFrame({"id": ["p"], "name": ["Huis"], "wijk": ["w"], "role": ["standard"],
    ...                        "live": [True], "lon": [4.44], "lat": [51.91]})
    >>> money = pd.DataFrame({"meeting_place_id": ["p"], "year": [2024], "amount_cents": [2500000],
    ...                       "space_m2": [float("nan")], "hours_per_week": [float("nan")]})
    >>> row = wijk_summary("w", name="W", inwoners=14950, places=places, investments=money).iloc[0]
    >>> row["eur_total"], row["eur_per_1000"], bool(row["no_standard"])
    (Decimal('25000.00'), Decimal('1672.24'), False)
    """
    wijken = pd.DataFrame(
        {"name": [name], "inwoners": pd.array([inwoners], dtype="Int64")}, index=pd.Index([wijk], name="wijk")
    )
    own = places[places["wijk"] == wijk] if len(places) else places
    return _figures(wijken, own, investments, {wijk: initiatives}, year)


def city_average(summary: pd.DataFrame) -> pd.Series:
    """The average wijk of ``summary``, over its rows with population above zero.

    Counts, euros, m² and residents are means per wijk; per-1,000 figures are
    total over total residents (population-weighted), the figure of the
    city as a whole. ``wijken`` says how many rows were averaged; with none,
    every figure is ``None``/NaN. The index matches the summary's columns.
    """
    counted = summary[~summary["no_population"].astype(bool)]
    n = len(counted)
    labels = [*SUMMARY_COLUMNS, "wijken"]
    average = pd.Series([None] * len(labels), index=labels, dtype=object)
    average["name"] = None
    average["wijken"] = n
    average["no_population"] = n == 0
    if n == 0:
        return average
    population = int(counted["inwoners"].sum())
    average["inwoners"] = round(population / n, 1)
    for column in ("standard_places", "resident_places", "other_places", "initiatives"):
        average[column] = round(float(counted[column].sum()) / n, 2)
    for column in ("eur_total", "eur_standard", "eur_resident", "eur_other"):
        average[column] = (sum(counted[column], Decimal(0)) / n).quantize(CENT, rounding=ROUND_HALF_UP)
    total_cents = int(sum(counted["eur_total"], Decimal(0)).scaleb(2))
    average["eur_per_1000"] = _money_per_1000(total_cents, population)
    average["space_m2"] = round(float(counted["space_m2"].sum()) / n, 2)
    average["hours_per_week"] = round(float(counted["hours_per_week"].sum()) / n, 2)
    average["space_m2_per_1000"] = round(float(counted["space_m2"].sum()) * 1000 / population, 2)
    average["initiatives_per_1000"] = round(float(counted["initiatives"].sum()) * 1000 / population, 2)
    average["no_standard"] = average["several_standard"] = False
    return average


def _balance(rows: pd.DataFrame, average: pd.Series) -> pd.Series:
    """High money with low resident activity (or the reverse), both relative to the city average."""
    out = pd.Series([None] * len(rows), index=rows.index, dtype=object)
    if average["no_population"]:
        return out
    money_avg, activity_avg = average["eur_per_1000"], average["initiatives_per_1000"]
    for slug, money, activity, bad in zip(
        rows.index, rows["eur_per_1000"], rows["initiatives_per_1000"], rows["no_population"], strict=True
    ):
        if bad:
            continue
        if money > money_avg and activity < activity_avg:
            out[slug] = HIGH_INVESTMENT_LOW_ACTIVITY
        elif money < money_avg and activity > activity_avg:
            out[slug] = LOW_INVESTMENT_HIGH_ACTIVITY
    return out


def yearly_totals(places: pd.DataFrame, investments: pd.DataFrame) -> pd.DataFrame:
    """Euros per calendar year to standard, resident and other meeting places (exact Decimals).

    Only entries whose place is in ``places`` count. Years between the first
    and the last entry without any entry are rows of zeros, so a chart over
    time shows the gap.
    """
    columns = ["eur_standard", "eur_resident", "eur_other", "eur_total"]
    role = places.set_index("id")["role"] if len(places) else pd.Series(dtype=object)
    money = investments.assign(role=investments["meeting_place_id"].map(role))
    money = money[money["role"].notna()]
    if money.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="year", dtype="int64"))
    cents = money.groupby(["year", "role"])["amount_cents"].sum().unstack(fill_value=0)
    years = pd.Index(range(int(money["year"].min()), int(money["year"].max()) + 1), name="year")
    cents = cents.reindex(index=years, columns=list(_ROLES), fill_value=0).astype("int64")
    table = pd.DataFrame(index=years)
    for name in _ROLES:
        table[f"eur_{name}"] = [eur_from_cents(c) for c in cents[name]]
    table["eur_total"] = [eur_from_cents(c) for c in cents.sum(axis=1)]
    return table[columns]


def place_totals(places: pd.DataFrame, investments: pd.DataFrame, *, year: int | None = None) -> pd.DataFrame:
    """``places`` with what each received: ``eur_total`` (Decimal), ``space_m2``, ``entries``."""
    counted = _counted(investments, year)
    grouped = counted.groupby("meeting_place_id")
    cents = grouped["amount_cents"].sum()
    space = grouped["space_m2"].sum()
    entries = grouped.size()
    out = places.copy()
    out["eur_total"] = [eur_from_cents(int(cents.get(i, 0))) for i in out["id"]]
    out["space_m2"] = [round(float(space.get(i, 0.0)), 2) for i in out["id"]]
    out["entries"] = [int(entries.get(i, 0)) for i in out["id"]]
    return out
