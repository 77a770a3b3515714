"""Meeting-place investment: the vocabulary, strict validation and pure per-wijk accounting.

Per wijk the municipality invests in ONE *standard* meeting place
(ontmoetingsplek) and, beside it, makes room with money and space for small
meeting places residents start themselves (buurthuisjes). An
:class:`Investment` records one contribution to one meeting place, an asset of
category ``meeting_place`` whose ``meeting_place_role`` is ``standard``,
``resident`` or ``other``.

Money is exact. Amounts are integer cents from the moment they are read:
:func:`parse_amount` accepts the ways people write euros in a Dutch
spreadsheet and refuses every form it could misread (``1.234`` may be
one thousand two hundred and thirty-four euros or one euro and 23.4 cents).
Sums and per-1,000 figures are :class:`~decimal.Decimal` euros, rounded to the
cent (half up) only at the end. Space and hours given in kind are measurements,
not money, and are plain floats.

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

Everything below the validation is pure: frames in, frames out, no I/O.
:mod:`abcd.ledger` stores investments and feeds these functions.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from abcd.errors import ValidationError
from abcd.i18n import Lang, Term, formats, t
from abcd.model import RD_NEW, WGS84, Asset, Category, MeetingPlaceRole
from abcd.wijken import KIND_CBS_BUURT, KIND_CBS_WIJK, KIND_GEBIED, Wijk

NOTE_MAX = 1000
MAX_AMOUNT_CENTS = 100_000_000_000  # EUR 1 billion: larger is a typing error, not a meeting place
MAX_SPACE_M2 = 100_000
MAX_HOURS_PER_WEEK = 168  # every hour of the week
FIRST_DATE = dt.date(1950, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)
COVERED_SHARE = 0.5  # a buurt belongs to a Rotterdam wijk when more than half of it lies inside

CENT = Decimal("0.01")


class Funder(StrEnum):
    """Who paid or gave the space; the values are stable codes used in files and the database."""

    GEMEENTE = "gemeente"
    WONINGCORPORATIE = "woningcorporatie"
    FONDS = "fonds"
    BEWONERS = "bewoners"
    ANDERS = "anders"

    def label(self, lang: Lang = "nl") -> str:
        return t(f"funder.{self.value}", lang)


class Kind(StrEnum):
    """A one-off contribution, or one year's instalment of a yearly one (see the module docstring)."""

    EENMALIG = "eenmalig"
    JAARLIJKS = "jaarlijks"

    def label(self, lang: Lang = "nl") -> str:
        return t(f"kind.{self.value}", lang)


class Level(StrEnum):
    """A level of wijken that partitions the city; averages are only taken within one level."""

    WIJK = "wijk"  # Rotterdam's wijken: BoTu, and elsewhere the CBS buurt
    CBS_WIJK = "cbs_wijk"
    CBS_BUURT = "cbs_buurt"

    def label(self, lang: Lang = "nl") -> str:
        return t(f"level.{self.value}", lang)


# ------------------------------------------------------------------ records
@dataclass(frozen=True, slots=True)
class InvestmentDraft:
    """A validated investment as a user or a file supplies it (no bookkeeping fields yet)."""

    meeting_place_id: str
    date: dt.date
    amount_cents: int
    funder: Funder
    kind: Kind = Kind.EENMALIG
    space_m2: float | None = None
    hours_per_week: float | None = None
    note: str = ""
    id: str | None = None

    @property
    def amount_eur(self) -> Decimal:
        return eur_from_cents(self.amount_cents)


@dataclass(frozen=True, slots=True)
class Investment:
    """A stored investment: the draft's fields plus identity, versioning and audit fields."""

    id: str
    meeting_place_id: str
    date: dt.date
    amount_cents: int
    funder: Funder
    kind: Kind
    space_m2: float | None
    hours_per_week: float | None
    note: str
    version: int
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime
    deleted_at: dt.datetime | None = None
    deleted_by: str | None = None

    @property
    def amount_eur(self) -> Decimal:
        return eur_from_cents(self.amount_cents)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def draft(self, **changes: Any) -> InvestmentDraft:
        """An editable draft of this investment with ``changes`` applied (not validated)."""
        base = InvestmentDraft(
            meeting_place_id=self.meeting_place_id,
            date=self.date,
            amount_cents=self.amount_cents,
            funder=self.funder,
            kind=self.kind,
            space_m2=self.space_m2,
            hours_per_week=self.hours_per_week,
            note=self.note,
            id=self.id,
        )
        return replace(base, **changes)


def eur_from_cents(cents: int) -> Decimal:
    """Cents as exact euros with two decimals.

    >>> eur_from_cents(2500050)
    Decimal('25000.50')
    """
    return Decimal(int(cents)).scaleb(-2)


def format_eur(euros: Decimal | int, lang: Lang = "nl") -> str:
    """Euros the way a reader of ``lang`` writes them (``int`` means whole euros).

    >>> format_eur(Decimal("25000.5"), "nl"), format_eur(Decimal("25000.5"), "en")
    ('€ 25.000,50', '€25,000.50')
    """
    return formats.format_eur(euros, lang)


def format_number(value: float | Decimal | None, lang: Lang = "nl", *, digits: int = 2) -> str:
    """A figure such as "initiatives per 1,000 residents" with ``lang``'s decimal mark; ``–`` when unknown.

    >>> format_number(0.8, "nl"), format_number(1234.5, "en"), format_number(None)
    ('0,80', '1,234.50', '–')
    """
    return formats.format_number(value, lang, digits=digits)


# --------------------------------------------------------------- validation
def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


_CURRENCY = re.compile(r"^(?:€|eur(?:o|os)?\b)\s*|\s*(?:€|eur(?:o|os)?)$", re.IGNORECASE)
_WHOLE_EUROS = re.compile(r",[-\u2013]{1,2}$")  # "25.000,-": Dutch for "and no cents"
_PLAIN = re.compile(r"\d+")
_DECIMAL = re.compile(r"(\d+)[.,](\d{1,2})")
_DUTCH_GROUPED = re.compile(r"(\d{1,3}(?:\.\d{3})+)(?:,(\d{1,2}))?")
_THREE_AFTER = re.compile(r"[1-9]\d{0,2}[.,]\d{3}")  # 1.234 / 1,234: a thousands group or three decimals
_MANY_DECIMALS = re.compile(r"\d+[.,]\d{3,}")


def _strict_decimal(value: Any, *, field: str, currency: bool, forms: str) -> Decimal:
    """A non-negative number read without guessing; see :func:`parse_amount` for the rules."""
    expected = Term(forms)
    if isinstance(value, bool):
        raise ValidationError("error.number_format", field=Term(f"field.{field}"), value=value, expected=expected)
    if isinstance(value, Decimal | numbers.Real):
        try:
            if isinstance(value, Decimal):
                number = value
            elif isinstance(value, numbers.Integral):
                number = Decimal(int(value))
            else:
                number = Decimal(repr(float(value)))
        except (InvalidOperation, ValueError):
            number = Decimal("NaN")
        if not number.is_finite():
            raise ValidationError("error.not_finite", field=Term(f"field.{field}"), value=value)
        if number < 0:
            raise ValidationError("error.negative", field=Term(f"field.{field}"), value=value)
        return number
    text = " ".join(str(value).replace("\u00a0", " ").split())
    shown = text
    marked = False  # a euro sign or ",-" says the writer wrote money, which has at most two decimals
    if currency:
        stripped = _CURRENCY.sub("", text, count=1)
        marked = stripped != text
        text = stripped.strip()
        if _WHOLE_EUROS.search(text):
            text = _WHOLE_EUROS.sub("", text)
            marked = True
    negative = text[:1] in ("-", "\u2212")
    if negative:
        text = text[1:].strip()
    number = _read_digits(text, money_marked=marked, field=field, shown=shown, expected=expected)
    if negative and number != 0:
        raise ValidationError("error.negative", field=Term(f"field.{field}"), value=shown)
    return number


def _read_digits(text: str, *, money_marked: bool, field: str, shown: str, expected: Term) -> Decimal:
    if _PLAIN.fullmatch(text):
        return Decimal(text)
    if money_marked and re.fullmatch(r"\d{1,3}\.\d{3}", text):
        return Decimal(text.replace(".", ""))  # "€ 25.000": three decimals are impossible in money
    if _THREE_AFTER.fullmatch(text):
        raise ValidationError("error.number_ambiguous", field=Term(f"field.{field}"), value=shown, expected=expected)
    match = _DECIMAL.fullmatch(text)
    if match:
        return Decimal(f"{match.group(1)}.{match.group(2)}")
    match = _DUTCH_GROUPED.fullmatch(text)
    if match and (match.group(2) is not None or text.count(".") > 1):
        whole = match.group(1).replace(".", "")
        return Decimal(f"{whole}.{match.group(2) or '0'}")
    if _MANY_DECIMALS.fullmatch(text):
        raise ValidationError("error.number_decimals", field=Term(f"field.{field}"), value=shown, max=2)
    raise ValidationError("error.number_format", field=Term(f"field.{field}"), value=shown, expected=expected)


def parse_amount(value: Any, *, field: str = "amount_eur") -> int:
    """An amount in euros, read strictly, as integer cents.

    Accepted: ``25000``, ``25000.50`` and ``25000,50`` (one separator with one
    or two decimals), ``25.000,50`` and ``1.234.567`` (Dutch: dots group
    thousands, a comma starts the cents), and a euro sign or ``EUR`` before or
    after (``€ 25.000``, ``€ 25.000,-``). Numbers (int, Decimal, float) are
    taken as euros.

    Refused, with a message that names the value and the forms above:
    ``1.234`` and ``1,234`` without a euro sign (a thousands group or three
    decimals?), ``1,234.56`` (English grouping), more than two decimals,
    negative amounts and anything else.

    >>> parse_amount("25.000,50"), parse_amount("€ 25.000"), parse_amount("25000.5")
    (2500050, 2500000, 2500050)
    >>> parse_amount("1.234")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    abcd.errors.ValidationError: 'bedrag (euro)': '1.234' is dubbelzinnig: ...
    """
    if _missing(value):
        raise ValidationError("error.required", field=Term(f"field.{field}"))
    number = _strict_decimal(value, field=field, currency=True, forms="invest.amount_forms")
    if number > eur_from_cents(MAX_AMOUNT_CENTS):
        limit = format_eur(eur_from_cents(MAX_AMOUNT_CENTS))
        raise ValidationError("error.number_too_large", field=Term(f"field.{field}"), value=value, max=limit)
    if number != number.quantize(CENT):
        raise ValidationError("error.number_decimals", field=Term(f"field.{field}"), value=value, max=2)
    return int(number.scaleb(2))


def parse_quantity(value: Any, *, field: str, maximum: float) -> float | None:
    """An optional non-negative quantity (m², hours), read as strictly as money, without a euro sign.

    >>> parse_quantity("12,5", field="space_m2", maximum=1000), parse_quantity("", field="space_m2", maximum=1)
    (12.5, None)
    """
    if _missing(value):
        return None
    number = _strict_decimal(value, field=field, currency=False, forms="invest.quantity_forms")
    if number > Decimal(str(maximum)):
        raise ValidationError("error.number_too_large", field=Term(f"field.{field}"), value=value, max=maximum)
    if number != number.quantize(CENT):
        raise ValidationError("error.number_decimals", field=Term(f"field.{field}"), value=value, max=2)
    return float(number)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: Any, *, field: str = "date") -> dt.date:
    """An ISO date (``2024-03-01``); ``01-03-2024`` and ``2024/3/1`` are refused rather than guessed.

    >>> parse_date(" 2024-03-01 ")
    datetime.date(2024, 3, 1)
    """
    if _missing(value):
        raise ValidationError("error.required", field=Term(f"field.{field}"))
    if isinstance(value, dt.datetime):  # pandas Timestamps too
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        text = str(value).strip()
        try:
            if not _ISO_DATE.fullmatch(text):
                raise ValueError(text)
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationError("error.bad_date", field=Term(f"field.{field}"), value=value) from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValidationError(
            "error.date_range",
            field=Term(f"field.{field}"),
            value=day.isoformat(),
            min=FIRST_DATE.isoformat(),
            max=LAST_DATE.isoformat(),
        )
    return day


def check_year(year: int | None) -> int | None:
    """``year`` if it is a plausible ledger year (or ``None`` for all years)."""
    if year is None:
        return None
    if (
        isinstance(year, bool)
        or not isinstance(year, numbers.Integral)
        or not (FIRST_DATE.year <= int(year) <= LAST_DATE.year)
    ):
        raise ValidationError(
            "error.date_range", field=Term("field.year"), value=year, min=FIRST_DATE.year, max=LAST_DATE.year
        )
    return int(year)


def _choice(enum: type[StrEnum], field: str, value: Any) -> Any:
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ValidationError("error.choice", field=Term(f"field.{field}"), value=value, allowed=allowed) from None


def _uuid(value: Any, *, field: str) -> str:
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        raise ValidationError("error.bad_uuid", field=Term(f"field.{field}"), value=value) from None


def validate_investment(raw: Mapping[str, Any]) -> InvestmentDraft:
    """Check raw input (a form, a file row) and return a clean :class:`InvestmentDraft`.

    ``raw`` holds ``meeting_place_id``, ``date``, ``amount_eur`` and ``funder``,
    and optionally ``kind`` (default ``eenmalig``), ``space_m2``,
    ``hours_per_week``, ``note`` and ``id``. The amount may be left out when
    space or hours are given in kind (it is then zero); an entry of nothing
    at all is refused. Whether the meeting place exists is the ledger's check.

    >>> d = validate_investment({"meeting_place_id": "8d3c1f0e-54a4-4d55-9a59-6c0d39b1f0aa",
    ...                          "date": "2024-03-01", "amount_eur": "25.000,00", "funder": "Gemeente"})
    >>> d.amount_cents, d.funder.value, d.kind.value
    (2500000, 'gemeente', 'eenmalig')
    """
    place = raw.get("meeting_place_id")
    if _missing(place):
        raise ValidationError("error.required", field=Term("field.meeting_place"))
    place_id = _uuid(place, field="meeting_place_id")
    day = parse_date(raw.get("date"))
    space = parse_quantity(raw.get("space_m2"), field="space_m2", maximum=MAX_SPACE_M2)
    hours = parse_quantity(raw.get("hours_per_week"), field="hours_per_week", maximum=MAX_HOURS_PER_WEEK)
    amount = raw.get("amount_eur")
    cents = 0 if _missing(amount) and (space or hours) else parse_amount(amount)
    if cents == 0 and not space and not hours:
        raise ValidationError("error.nothing_given")
    funder_value = raw.get("funder")
    if _missing(funder_value):
        raise ValidationError("error.required", field=Term("field.funder"))
    funder: Funder = _choice(Funder, "funder", funder_value)
    kind_value = raw.get("kind")
    kind: Kind = Kind.EENMALIG if _missing(kind_value) else _choice(Kind, "kind", kind_value)
    note = "" if _missing(raw.get("note")) else str(raw.get("note")).strip()
    if len(note) > NOTE_MAX:
        raise ValidationError("error.too_long", field=Term("field.note"), length=len(note), max=NOTE_MAX)
    investment_id = None if _missing(raw.get("id")) else _uuid(raw.get("id"), field="id")
    return InvestmentDraft(
        meeting_place_id=place_id,
        date=day,
        amount_cents=cents,
        funder=funder,
        kind=kind,
        space_m2=space,
        hours_per_week=hours,
        note=note,
        id=investment_id,
    )


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
    and for places still awaiting approval.
    """
    rows = [
        (
            a.id,
            a.name,
            a.wijk,
            (a.meeting_place_role or MeetingPlaceRole.OTHER).value,
            not a.is_deleted and not a.is_pending,
            a.lon,
            a.lat,
        )
        for a in places
        if a.category is Category.MEETING_PLACE
    ]
    frame = pd.DataFrame(rows, columns=list(PLACE_COLUMNS))
    return frame.astype({"live": bool, "lon": float, "lat": float})


def points_to_frame(assets: Iterable[Asset]) -> pd.DataFrame:
    """Any assets as ``wijk``, ``lon``, ``lat`` rows, for :func:`assign_wijken` and counting."""
    rows = [(a.id, a.wijk, a.lon, a.lat) for a in assets]
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


def level_wijken(catalogue: Mapping[str, Wijk], level: Level | str) -> list[Wijk]:
    """The wijken of ``level``, which together cover the city once.

    ``cbs_wijk`` and ``cbs_buurt`` are the CBS divisions. ``wijk`` is the level
    of the norm: every Rotterdam wijk in the catalogue (Bospolder-Tussendijken)
    plus every CBS buurt of which at most half lies inside one of them, so
    Bospolder and Tussendijken make way for BoTu and the 86 other buurten stay.
    """
    level = Level(level)
    if level is Level.CBS_WIJK:
        return [w for w in catalogue.values() if w.kind == KIND_CBS_WIJK]
    buurten = [w for w in catalogue.values() if w.kind == KIND_CBS_BUURT]
    if level is Level.CBS_BUURT:
        return buurten
    gebieden = [w for w in catalogue.values() if w.kind == KIND_GEBIED]
    if not gebieden or not buurten:
        return gebieden + buurten
    buurt_rd = gpd.GeoSeries([w.boundary for w in buurten], crs=WGS84).to_crs(RD_NEW).to_numpy()
    gebied_rd = shapely.union_all(gpd.GeoSeries([w.boundary for w in gebieden], crs=WGS84).to_crs(RD_NEW).to_numpy())
    inside = shapely.area(shapely.intersection(buurt_rd, gebied_rd)) / shapely.area(buurt_rd)
    return gebieden + [w for w, share in zip(buurten, inside, strict=True) if not share > COVERED_SHARE]


def assign_wijken(points: pd.DataFrame, wijken: Sequence[Wijk]) -> pd.Series:
    """For each point (columns ``wijk``, ``lon``, ``lat``), the slug of the wijk of ``wijken`` it counts in.

    A point counts in the wijk it was recorded in when that wijk is one of
    ``wijken``; otherwise in the one whose boundary contains it, and if none
    does (a point may lie a few metres outside its recorded wijk) in the
    nearest. The result is indexed like ``points``.
    """
    result = pd.Series([None] * len(points), index=points.index, dtype=object)
    if len(points) == 0 or not wijken:
        return result
    slugs = [w.slug for w in wijken]
    recorded = points["wijk"].astype(object)
    own = recorded.isin(set(slugs))
    result[own] = recorded[own]
    todo = np.flatnonzero(~own.to_numpy())
    if len(todo) == 0:
        return result
    xs = points["lon"].to_numpy(dtype=float)[todo]
    ys = points["lat"].to_numpy(dtype=float)[todo]
    found = np.full(len(todo), -1)
    for number, wijk in enumerate(wijken):
        hit = (found < 0) & shapely.contains_xy(wijk.boundary, xs, ys)
        found[hit] = number
    lost = np.flatnonzero(found < 0)
    if len(lost):
        boundaries = gpd.GeoSeries([w.boundary for w in wijken], crs=WGS84).to_crs(RD_NEW).to_numpy()
        where = gpd.GeoSeries(gpd.points_from_xy(xs[lost], ys[lost]), crs=WGS84).to_crs(RD_NEW).to_numpy()
        distances = shapely.distance(where[:, None], boundaries[None, :])
        found[lost] = distances.argmin(axis=1)
    result.iloc[todo] = [slugs[n] for n in found]
    return result


# ------------------------------------------------------------------ summary
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


__all__ = [
    "HIGH_INVESTMENT_LOW_ACTIVITY",
    "LOW_INVESTMENT_HIGH_ACTIVITY",
    "SUMMARY_COLUMNS",
    "Funder",
    "Investment",
    "InvestmentDraft",
    "Kind",
    "Level",
    "assign_wijken",
    "check_year",
    "city_average",
    "city_summary",
    "eur_from_cents",
    "format_eur",
    "format_number",
    "investments_to_frame",
    "level_of",
    "level_wijken",
    "parse_amount",
    "parse_date",
    "parse_quantity",
    "place_totals",
    "places_to_frame",
    "points_to_frame",
    "validate_investment",
    "wijk_summary",
    "wijken_to_frame",
]
