"""A wijk's strengths portrait: the figures the Presentatie page, the PDF report and the poster share.

:class:`ReportData` holds what a public view of a wijk may show: its
boundary, buurten and streets, the *public* assets (no person rows, no contact,
see :mod:`abcd.people`) and people as counts per buurt. Build it with the pure
:func:`report_data` (from frames) or :func:`load_report_data` (from a store);
the constructor refuses person rows and private columns, so a view that only
receives a :class:`ReportData` cannot leak them.

The small functions below turn it into headline figures, category counts,
highlighted assets and the steps of the story mode.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from abcd.examples import EXAMPLE_SUFFIX
from abcd.i18n import Lang, formats, t
from abcd.model import WGS84, Asset, Category, MeetingPlaceRole, Source, counted_initiatives
from abcd.people import PRIVATE_COLUMNS, people_by_buurt, public_assets
from abcd.permissions import PUBLIC_USER, Permission, User
from abcd.portrait.contact import join_contact
from abcd.store import Store, assets_to_frame
from abcd.wijken import KIND_CBS_BUURT, Wijk

# Category order of every public view: what residents do first, then the rest.
PUBLIC_CATEGORIES: tuple[str, ...] = tuple(c.value for c in Category if c is not Category.PERSON)
_HIGHLIGHT_ORDER: tuple[str, ...] = (
    Category.INITIATIVE.value,
    Category.MEETING_PLACE.value,
    Category.ASSOCIATION.value,
    Category.PLACE.value,
    Category.BUSINESS.value,
    Category.STORY.value,
    Category.INSTITUTION.value,
)

STEP_INTRO = "intro"
STEP_TOGETHER = "together"


@dataclass(frozen=True)
class InvestmentFigures:
    """Money to the wijk's meeting places in ``year``: one row of :func:`abcd.investments.summary.wijk_summary`."""

    year: int
    summary: pd.Series


@dataclass(frozen=True)
class NetworkFigures:
    """The wijk's public network (no resident in it) and how it grew (:mod:`abcd.network`, :mod:`abcd.timeline`).

    ``growth`` has ``month``, ``initiatives``, ``meeting_places``,
    ``connections`` and, for those who may see investments, ``invested_cents``.
    """

    connections: int
    kinds: Mapping[str, int]
    connectors: tuple[str, ...]  # asset ids, the most connecting first
    unconnected: int
    growth: pd.DataFrame


@dataclass(frozen=True)
class ReportData:
    """Everything a strengths portrait of one wijk shows, and nothing personal.

    ``assets`` are public assets only (checked here); ``people`` is the
    :func:`~abcd.people.people_by_buurt` table; geometries are WGS84.
    """

    name: str
    slug: str
    population: int | None
    boundary: BaseGeometry
    buurten: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    assets: gpd.GeoDataFrame
    people: pd.DataFrame
    made_on: date
    since: date | None = None
    investment: InvestmentFigures | None = None
    stories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Per asset id, the ids of the stories about it (rows of ``assets``)."""
    network: NetworkFigures | None = None
    join_contact: str = ""
    """The cooperative's contact after "Doe mee" (:mod:`abcd.portrait.contact`); ``""`` when none."""

    def __post_init__(self) -> None:
        if "category" not in self.assets.columns:
            msg = f"ReportData.assets needs a 'category' column; it has {list(self.assets.columns)}"
            raise ValueError(msg)
        persons = int((self.assets["category"].astype(str) == Category.PERSON.value).sum())
        private = [c for c in PRIVATE_COLUMNS if c in self.assets.columns]
        if persons or private:
            msg = (
                f"ReportData.assets must be public (see abcd.people.public_assets); "
                f"it has {persons} person rows and private columns {private}"
            )
            raise ValueError(msg)

    @property
    def is_empty(self) -> bool:
        """Whether nothing at all is mapped (no public assets and no people)."""
        return len(self.assets) == 0 and int(self.people["count"].sum()) == 0

    @property
    def has_examples(self) -> bool:
        return bool(len(self.assets)) and bool((self.assets["source"] == Source.EXAMPLE.value).any())


def buurten_in(catalogue: Mapping[str, Wijk], wijk: Wijk) -> list[Wijk]:
    """The CBS buurten that make up ``wijk`` (a buurt is its own single buurt).

    A buurt belongs to the wijk when a point inside it lies in the wijk; the
    CBS wijken and Rotterdam's own wijken are unions of whole buurten.
    """
    if wijk.kind == KIND_CBS_BUURT:
        return [wijk]
    return [
        b
        for b in catalogue.values()
        if b.kind == KIND_CBS_BUURT and wijk.boundary.covers(b.boundary.representative_point())
    ]


def report_data(
    *,
    wijk: Wijk,
    assets: gpd.GeoDataFrame,
    streets: gpd.GeoDataFrame,
    buurten: Sequence[Wijk],
    made_on: date,
    since: date | None = None,
    investment: InvestmentFigures | None = None,
) -> ReportData:
    """Build :class:`ReportData` from frames: people become counts per buurt, the rest is made public."""
    frame = gpd.GeoDataFrame({"name": [b.name for b in buurten]}, geometry=[b.boundary for b in buurten], crs=WGS84)
    return ReportData(
        name=wijk.name,
        slug=wijk.slug,
        population=wijk.population,
        boundary=wijk.boundary,
        buurten=frame,
        streets=streets.to_crs(WGS84) if streets.crs is not None else streets.set_crs(WGS84),
        assets=public_assets(assets).to_crs(WGS84),
        people=people_by_buurt(assets, frame),
        made_on=made_on,
        since=since,
        investment=investment,
    )


def load_report_data(
    store: Store,
    wijk: Wijk,
    catalogue: Mapping[str, Wijk],
    *,
    user: User = PUBLIC_USER,
    since: date | None = None,
    made_on: date | None = None,
) -> ReportData:
    """:class:`ReportData` for a wijk that is loaded in ``store`` (see :func:`abcd.wijken.ensure_wijk`).

    A portrait is public whoever makes it: assets waiting for approval are
    left out and people only counted. The meeting-place investment summary is
    added when there are investments and ``user`` may see them (the public may not).
    """
    items = [a for a in store.list_assets(wijk=wijk.slug) if not a.is_pending]
    money = user.can(Permission.VIEW_INVESTMENTS, wijk.slug)
    investment = _investment_figures(store, wijk, items) if money else None
    data = report_data(
        wijk=wijk,
        assets=assets_to_frame(items),
        streets=store.streets(wijk.slug),
        buurten=buurten_in(catalogue, wijk),
        made_on=made_on or datetime.now(UTC).date(),
        since=since,
        investment=investment,
    )
    stories, network = _network_figures(store, wijk, [a for a in items if not a.is_person], money=money)
    return replace(data, stories=stories, network=network, join_contact=join_contact(store, wijk.slug))


def _network_figures(
    store: Store, wijk: Wijk, public: Sequence[Asset], *, money: bool
) -> tuple[dict[str, tuple[str, ...]], NetworkFigures]:
    """The stories per place and the network of ``public`` (no residents: a portrait is public)."""
    from abcd import network
    from abcd.connections.register import connections_frame, visible_connections
    from abcd.timeline import wijk_growth

    ties = visible_connections(store, public, user=PUBLIC_USER)
    by_id = {a.id: a for a in public}
    stories: dict[str, list[str]] = {}
    for tie in ties:
        if tie.kind.value == "about" and by_id[tie.from_id].category is Category.STORY:
            stories.setdefault(tie.to_id, []).append(tie.from_id)
    frame = pd.DataFrame(
        {"id": list(by_id), "name": [a.name for a in public], "category": [a.category.value for a in public]}
    )
    table = connections_frame(ties)
    ranked = network.connectors(network.build_graph(frame, table))
    joiners = ranked[(ranked["bridges"] > 0) | (ranked["joins"] > 0)]
    counts = network.kind_counts(table)
    growth = wijk_growth(store, wijk.slug)
    if not money and "invested_cents" in growth.columns:
        growth = growth.drop(columns="invested_cents")
    figures = NetworkFigures(
        connections=len(ties),
        kinds={str(k): int(n) for k, n in counts.items() if n > 0},
        connectors=tuple(joiners["id"].head(3)),
        unconnected=len(network.unconnected(frame, table)),
        growth=growth,
    )
    return {k: tuple(v) for k, v in stories.items()}, figures


def _investment_figures(store: Store, wijk: Wijk, items: Sequence[Asset]) -> InvestmentFigures | None:
    # Imported here: the investment modules are optional for a portrait and
    # pull in their own dependencies.
    from abcd.investments import summary as investment
    from abcd.investments.ledger import Ledger

    entries = Ledger(store).list_investments(wijk=wijk.slug)
    if not entries:
        return None
    money = investment.investments_to_frame(entries)
    year = int(money["year"].max())
    places = investment.places_to_frame(
        store.list_assets(wijk=wijk.slug, category=Category.MEETING_PLACE, include_deleted=True)
    )
    places["wijk"] = wijk.slug  # they lie in it: that is how they were found
    initiatives = len(counted_initiatives(items))
    summary = investment.wijk_summary(
        wijk.slug,
        name=wijk.name,
        inwoners=wijk.population,
        places=places,
        investments=money,
        initiatives=initiatives,
        year=year,
    )
    return InvestmentFigures(year=year, summary=summary.iloc[0])


# ------------------------------------------------------------------ figures
def category_counts(assets: pd.DataFrame) -> pd.Series:
    """Public assets per category code, every public category included (0 when none), in display order."""
    if len(assets) == 0:
        return pd.Series(0, index=list(PUBLIC_CATEGORIES), dtype="int64", name="count")
    counts = assets["category"].astype(str).value_counts()
    return counts.reindex(list(PUBLIC_CATEGORIES), fill_value=0).astype("int64").rename("count")


def _created(assets: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(assets["created_at"], utc=True, format="ISO8601")


def new_since(assets: pd.DataFrame, since: date) -> int:
    """How many ``assets`` were added on or after ``since`` (a date in UTC)."""
    if len(assets) == 0:
        return 0
    start = pd.Timestamp(since, tz=UTC)
    return int((_created(assets) >= start).sum())


@dataclass(frozen=True, slots=True)
class Headline:
    """The headline figures of a portrait (people only as counts per buurt, in ``people``)."""

    on_map: int
    initiatives: int
    resident_led: int
    meeting_places: int
    new_since: int | None
    people: pd.DataFrame


def headline_cells(data: ReportData, lang: Lang = "nl") -> list[tuple[int, str]]:
    """The big numbers of a report or poster with their labels: on the map, initiatives, meeting places, new."""
    figures = headline(data)
    cells = [
        (figures.on_map, t("poster.on_map", lang)),
        (figures.initiatives, t("poster.initiatives", lang)),
        (figures.meeting_places, t("poster.meeting_places", lang)),
    ]
    if figures.new_since is not None and data.since is not None:
        cells.append((figures.new_since, t("poster.new_since", lang, date=format_date(data.since, lang))))
    return cells


def headline(data: ReportData) -> Headline:
    """The headline figures of ``data``."""
    assets = data.assets
    initiatives = assets[assets["category"] == Category.INITIATIVE.value] if len(assets) else assets
    # Resident-led unless said otherwise, as everywhere (abcd.model.Asset.counts_as_initiative).
    led = int(sum(value is not False for value in initiatives["resident_led"])) if len(initiatives) else 0
    meeting = int((assets["category"] == Category.MEETING_PLACE.value).sum()) if len(assets) else 0
    return Headline(
        on_map=len(assets),
        initiatives=len(initiatives),
        resident_led=led,
        meeting_places=meeting,
        new_since=None if data.since is None else new_since(assets, data.since),
        people=data.people,
    )


def growth(assets: pd.DataFrame) -> pd.DataFrame:
    """Assets on the map per day they were added, cumulative: columns ``date`` and ``total``."""
    if len(assets) == 0:
        return pd.DataFrame({"date": pd.Series([], dtype="datetime64[ns]"), "total": pd.Series([], dtype="int64")})
    days = _created(assets).dt.tz_convert(None).dt.normalize()
    per_day = days.value_counts().sort_index()
    return pd.DataFrame({"date": per_day.index, "total": per_day.cumsum().to_numpy()})


def is_example(row: Any) -> bool:
    """Whether an asset row (a mapping or a pandas row) is an invented example."""
    return str(row["source"]) == Source.EXAMPLE.value


def display_name(row: Any, lang: Lang = "nl") -> str:
    """The asset's name as public views show it: examples end in "(voorbeeld)" / "(example)".

    >>> display_name({"name": "Naaiclub (voorbeeld)", "source": "example"}, "en")
    'Naaiclub (example)'
    >>> display_name({"name": "Naaiclub", "source": "field"})
    'Naaiclub'
    """
    name = " ".join(str(row["name"]).split())
    if not is_example(row):
        return name
    name = name.removesuffix(EXAMPLE_SUFFIX.strip()).strip()
    return f"{name} ({t('app.example_data', lang)})"


def highlights(assets: pd.DataFrame, *, n: int = 4) -> pd.DataFrame:
    """Up to ``n`` assets to put forward, one per category in turn: initiatives and meeting places first.

    Within a category an asset with a description comes first, then resident-led
    initiatives and resident-started meeting places, then the newest.
    """
    if len(assets) == 0 or n <= 0:
        return assets.iloc[0:0]
    frame = assets.assign(
        _desc=assets["description"].fillna("").astype(str).str.strip().eq(""),
        _own=~(
            assets["resident_led"].fillna(False).astype(bool)
            | (assets["meeting_place_role"].astype(str) == MeetingPlaceRole.RESIDENT.value)
        ),
        _new=_created(assets),
    ).sort_values(["_desc", "_own", "_new", "name"], ascending=[True, True, False, True])
    queues = {code: list(frame.index[frame["category"] == code]) for code in _HIGHLIGHT_ORDER}
    chosen: list[Any] = []
    while len(chosen) < n and any(queues.values()):
        for code in _HIGHLIGHT_ORDER:
            if queues[code] and len(chosen) < n:
                chosen.append(queues[code].pop(0))
    return assets.loc[chosen]


def story_steps(data: ReportData) -> list[str]:
    """The steps of the story mode: an introduction, each category that has something, then "together"."""
    counts = category_counts(data.assets)
    steps = [STEP_INTRO]
    if int(data.people["count"].sum()) > 0:
        steps.append(Category.PERSON.value)
    steps += [code for code in PUBLIC_CATEGORIES if counts[code] > 0]
    return [*steps, STEP_TOGETHER]


def format_number(value: int, lang: Lang = "nl") -> str:
    """Thousands separated the local way: ``14.950`` in Dutch, ``14,950`` in English.

    >>> format_number(14950), format_number(14950, "en")
    ('14.950', '14,950')
    """
    return formats.format_integer(value, lang)


def format_date(day: date, lang: Lang = "nl") -> str:
    """A date the way people write it: ``22 november 2026`` / ``22 November 2026``.

    >>> format_date(date(2026, 11, 2)), format_date(date(2026, 11, 2), "en")
    ('2 november 2026', '2 November 2026')
    """
    return formats.format_date(day, lang)


__all__ = [
    "PUBLIC_CATEGORIES",
    "Headline",
    "InvestmentFigures",
    "ReportData",
    "buurten_in",
    "category_counts",
    "display_name",
    "format_date",
    "format_number",
    "growth",
    "headline",
    "highlights",
    "load_report_data",
    "new_since",
    "report_data",
    "story_steps",
]
