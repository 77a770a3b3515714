"""An effort plan that works from the average: more where residents have no initiative nearby, less where they do.

The gemeente starts from an average level of effort everywhere (hours of
street cleaning, euros of support) and moves some of it from streets where
residents are active to streets where they are not, never below a floor. The
unit is the street, as officers plan and as the gap map's street table groups
segments (:func:`abcd.gaps.street_summary`). The rule, for a street *s* of
length *L_s* metres (in RD New) with *c_s* resident initiatives within reach
of any part of it (:func:`street_initiatives`; an initiative near several
parts counts once), is one an officer can check by hand:

- the *average share* is ``total × L_s / ΣL``;
- the *weight* is ``w_s = max(floor, 1 / (1 + c_s))``: 1 without an initiative,
  1/2 with one, 1/3 with two, and never below the floor (a fraction 0..1 of
  the average, chosen by the officer);
- the *effort* is ``e_s = total × L_s × w_s / Σ(L × w)``;
- the *index* is ``(e_s / L_s) / (total / ΣL) = w_s × ΣL / Σ(L w)``: effort per
  metre against the average per metre (1.00 is the average).

So the plan adds up to the total, a street without an initiative gets at
least the average per metre (every weight is at most 1), a street with more
initiatives never gets more per metre than one with fewer, nobody gets less
than ``floor`` times the average per metre, and changing one initiative
changes the weight of exactly the streets within its reach (the rest only
share the difference in proportion). The computation runs per segment, each
carrying its street's weight, so the map and the GeoJSON show every segment;
efforts and average shares are rounded to hundredths (cents, or hundredths
of an hour) by the largest remainder method on whole hundredths, ties going
to the segment that comes first, so the rounded plan adds up to the total
*exactly*, per segment and per street; a segment of no length gets nothing.

Everything here is pure: GeoDataFrames in, (Geo)DataFrames out. Files are
:mod:`abcd.effort.files`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final, Literal, get_args

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from abcd.errors import AbcdError, ValidationError
from abcd.gaps._common import to_rd
from abcd.gaps.coverage import _ATTR_DISTANCE, _ATTR_MODE, street_labels
from abcd.i18n import Lang, Term, t
from abcd.investments.amounts import parse_amount

Unit = Literal["uur", "euro"]
"""What the total is counted in: hours or euros (stable codes, written into files)."""
Period = Literal["week", "maand", "jaar"]
"""The period the total covers (stable codes, written into files)."""

MAX_TOTAL: Final = Decimal(1_000_000_000)
"""The largest total accepted: more is a typing error, not a budget."""
HUNDREDTH: Final = Decimal("0.01")

_UNIT_KEYS: Final[dict[str, str]] = {"uur": "effort.unit.uur", "euro": "effort.unit.euro"}
_PERIOD_KEYS: Final[dict[str, str]] = {
    "week": "effort.period.week",
    "maand": "effort.period.maand",
    "jaar": "effort.period.jaar",
}
_MODE_KEYS: Final[dict[str, str]] = {"straight": "gaps.mode.straight", "network": "gaps.mode.network"}
SEGMENT_COLUMNS: Final = ("length_m", "weight", "index", "average", "effort", "effort_hundredths")
"""The columns :func:`plan_segments` adds to a coverage."""
STREET_COLUMNS: Final = (
    "street",
    "segments",
    "length_m",
    "initiatives",
    "initiative_ids",
    "average",
    "effort",
    "index",
    "change_vs_average",
)
"""The columns of :func:`plan_streets`, in order."""

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Ids = tuple[str, ...]


# --------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------


def parse_total(value: Any) -> Decimal:
    """The total effort as exact hundredths: a number above 0 and at most :data:`MAX_TOTAL`.

    Text is read as strictly as money (:func:`abcd.investments.amounts.parse_amount`):
    ``120``, ``120,5``, ``120.5``, ``50.000,00`` and ``€ 50.000`` are read,
    ``50.000`` is refused because it could be fifty or fifty thousand. A
    number (int, float, Decimal) with more than two decimals is rounded half up
    to hundredths: it was computed, not typed.

    >>> parse_total("120,5"), parse_total(50000), parse_total(Decimal("0.125"))
    (Decimal('120.50'), Decimal('50000.00'), Decimal('0.13'))
    >>> parse_total("50.000")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    abcd.errors.ValidationError: Het totaal moet een getal boven 0 zijn...
    """
    if isinstance(value, bool):
        raise ValidationError("error.effort_total", value=value)
    if isinstance(value, Decimal | numbers.Real):
        try:
            number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
            number = number.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
        except (InvalidOperation, ValueError, OverflowError):
            raise ValidationError("error.effort_total", value=value) from None
    else:
        try:
            number = Decimal(parse_amount(str(value))).scaleb(-2)
        except AbcdError as exc:
            raise ValidationError("error.effort_total", value=value) from exc
    if not (number.is_finite() and 0 < number <= MAX_TOTAL):
        raise ValidationError("error.effort_total", value=value)
    return number


def check_floor(value: Any) -> float:
    """The floor as a fraction 0..1 of the average; text may use a decimal comma (``"0,5"``).

    >>> check_floor(0.5), check_floor("0,25"), check_floor(1)
    (0.5, 0.25, 1.0)
    """
    if isinstance(value, bool):
        raise ValidationError("error.effort_floor", value=value)
    try:
        floor = float(value) if isinstance(value, numbers.Real) else float(str(value).strip().replace(",", "."))
    except (TypeError, ValueError):
        raise ValidationError("error.effort_floor", value=value) from None
    if not (math.isfinite(floor) and 0.0 <= floor <= 1.0):
        raise ValidationError("error.effort_floor", value=value)
    return floor


def _check_choice(value: str, allowed: Iterable[str], field: str) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValidationError("error.choice", field=Term(field), value=value, allowed=", ".join(allowed))
    return value


@dataclass(frozen=True, slots=True)
class EffortRun:
    """What an effort plan was made with; written into its files and saved with it.

    Attributes
    ----------
    total : decimal.Decimal
        The total effort, in hundredths (see :func:`parse_total`).
    unit : {"uur", "euro"}
        Hours or euros.
    period : {"week", "maand", "jaar"}
        The period the total covers.
    floor : float
        The least weight, as a fraction 0..1 of the average (see :func:`check_floor`).
    mode : str
        How reach was measured: ``"straight"`` or ``"network"``.
    distance_m : float
        The reach in metres.
    day : datetime.date
        The day the plan was made.
    wijk : str or None
        The wijk planned; ``None`` for one's own files.
    theme : str or None
        The theme code the initiatives were chosen by (``"zwerfvuil"``);
        ``None`` means every resident initiative.
    """

    total: Decimal
    unit: Unit
    period: Period
    floor: float
    mode: str
    distance_m: float
    day: date
    wijk: str | None = None
    theme: str | None = None

    def __post_init__(self) -> None:
        # Checked and normalised once here, so a run read from any file is as sound as one typed in.
        object.__setattr__(self, "total", parse_total(self.total))
        object.__setattr__(self, "floor", check_floor(self.floor))
        object.__setattr__(self, "distance_m", float(self.distance_m))
        _check_choice(self.unit, get_args(Unit), "effort.csv.unit")
        _check_choice(self.period, get_args(Period), "effort.csv.period")
        _check_choice(self.mode, _MODE_KEYS, "effort.csv.mode")

    @classmethod
    def of(
        cls,
        coverage: gpd.GeoDataFrame,
        *,
        total: Decimal | float | int | str,
        unit: Unit,
        period: Period,
        floor: float,
        wijk: str | None = None,
        theme: str | None = None,
        day: date | None = None,
    ) -> EffortRun:
        """The run of a plan made from ``coverage`` (mode and reach from its attrs); ``day`` defaults to today."""
        if _ATTR_MODE not in coverage.attrs or _ATTR_DISTANCE not in coverage.attrs:
            raise ValidationError("error.effort_coverage")
        if day is None:
            from abcd.i18n.formats import local_today

            day = local_today()
        return cls(
            total=parse_total(total),
            unit=unit,
            period=period,
            floor=check_floor(floor),
            mode=str(coverage.attrs[_ATTR_MODE]),
            distance_m=float(coverage.attrs[_ATTR_DISTANCE]),
            day=day,
            wijk=wijk,
            theme=theme,
        )

    def as_member(self) -> dict[str, Any]:
        """The run as JSON-able values; the total as text (``"120.50"``) so it stays exact."""
        return {
            "total": f"{self.total:.2f}",
            "unit": self.unit,
            "period": self.period,
            "floor": self.floor,
            "mode": self.mode,
            "distance_m": self.distance_m,
            "date": self.day.isoformat(),
            "wijk": self.wijk,
            "theme": self.theme,
        }

    @classmethod
    def from_member(cls, member: Mapping[str, Any]) -> EffortRun:
        """The run :meth:`as_member` wrote.

        >>> run = EffortRun(Decimal("120.5"), "uur", "week", 0.5, "straight", 250, date(2026, 11, 22))
        >>> EffortRun.from_member(run.as_member()) == run
        True
        """
        return cls(
            total=parse_total(member["total"]),
            unit=member["unit"],
            period=member["period"],
            floor=check_floor(member["floor"]),
            mode=str(member["mode"]),
            distance_m=float(member["distance_m"]),
            day=date.fromisoformat(str(member["date"])),
            wijk=member.get("wijk") or None,
            theme=member.get("theme") or None,
        )


def unit_label(unit: str, lang: Lang = "nl") -> str:
    """The unit as a reader of ``lang`` calls it (``uren``, ``hours``); an unknown code as it is."""
    key = _UNIT_KEYS.get(unit)
    return t(key, lang) if key else unit


def period_label(period: str, lang: Lang = "nl") -> str:
    """The period as a reader of ``lang`` calls it (``per week``); an unknown code as it is."""
    key = _PERIOD_KEYS.get(period)
    return t(key, lang) if key else period


def mode_label(mode: str, lang: Lang = "nl") -> str:
    """How reach was measured, as the gap map names it (``hemelsbreed``)."""
    key = _MODE_KEYS.get(mode)
    return t(key, lang) if key else mode


def rule_text(floor: float, lang: Lang = "nl") -> str:
    """The rule in one paragraph an officer can check by hand, with the floor filled in."""
    from abcd.i18n.formats import format_number

    return t("effort.rule", lang, floor=format_number(check_floor(floor), lang))


# --------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------


def largest_remainder(quotas: FloatArray, total: int) -> IntArray:
    """Whole numbers, each its quota rounded down or up, that add up to ``total`` exactly.

    The units left after rounding down go to the largest remainders; equal
    remainders to the one that comes first. Only positive quotas get one.

    >>> largest_remainder(np.array([1 / 3, 1 / 3, 1 / 3]) * 100, 100).tolist()
    [34, 33, 33]
    """
    base = np.floor(quotas).astype(np.int64)
    rest = quotas - base
    missing = int(total) - int(base.sum())
    if missing > 0:
        order = np.argsort(-rest, kind="stable")
        order = order[quotas[order] > 0]
        whole, part = divmod(missing, order.size)  # whole > 0 only if float drift were enormous
        base[order] += whole
        base[order[:part]] += 1
    elif missing < 0:  # float drift the other way: the smallest remainders give one back
        order = np.argsort(rest, kind="stable")
        order = order[base[order] > 0]
        base[order[:-missing]] -= 1
    return base


def _initiative_counts(coverage: gpd.GeoDataFrame) -> FloatArray:
    """The ``initiatives`` column as whole numbers of 0 or more, or an error naming the coverage."""
    if not isinstance(coverage, gpd.GeoDataFrame) or "initiatives" not in coverage.columns:
        raise ValidationError("error.effort_coverage")
    try:
        counts = np.asarray(coverage["initiatives"], dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError("error.effort_coverage") from None
    if not np.all(np.isfinite(counts) & (counts >= 0) & (counts == np.floor(counts))):
        raise ValidationError("error.effort_coverage")
    return counts


def street_initiatives(coverage: gpd.GeoDataFrame) -> FloatArray:
    """Per segment, the number of initiatives within reach of its *street*: the unit an officer plans by.

    Streets are grouped as :func:`abcd.gaps.street_summary` groups them. With
    ``initiative_ids`` an initiative near several parts of a street counts
    once, so changing one initiative changes exactly the streets within its
    reach, each by one; without them, the most any part of the street has.
    """
    counts = _initiative_counts(coverage)
    if len(coverage) == 0:
        return counts
    group, streets = pd.factorize(np.asarray(street_labels(coverage), dtype=object))
    ids = _id_column(coverage)
    if ids is None:
        per_street = np.zeros(len(streets), dtype=np.float64)
        np.maximum.at(per_street, group, counts)
    else:
        union: list[set[str]] = [set() for _ in range(len(streets))]
        for g, row_ids in zip(group.tolist(), ids, strict=True):
            union[g].update(row_ids)
        per_street = np.array([len(u) for u in union], dtype=np.float64)
    return np.asarray(per_street[group], dtype=np.float64)


def plan_segments(coverage: gpd.GeoDataFrame, *, total: Decimal | float | int | str, floor: float) -> gpd.GeoDataFrame:
    """Share ``total`` over the street segments by the rule in the module docstring.

    Parameters
    ----------
    coverage : geopandas.GeoDataFrame
        Output of :func:`abcd.gaps.street_coverage` (at least line geometries
        with a CRS and an ``initiatives`` count); ``initiative_ids`` is kept.
    total : Decimal, float, int or str
        The total effort (see :func:`parse_total`).
    floor : float
        The least weight, a fraction 0..1 of the average (see :func:`check_floor`).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``coverage`` (index, columns and attrs kept) with
        ``street_initiatives`` (:func:`street_initiatives`, what the weight
        follows), ``length_m``, ``weight``, ``index`` (exact, before rounding),
        ``average`` and ``effort`` (hundredths, as floats) and
        ``effort_hundredths`` (int64; adds up to the total exactly).

    Raises
    ------
    ValidationError
        For a bad total or floor, a coverage without usable ``initiatives``,
        or one without any street length.

    Examples
    --------
    >>> from shapely import LineString
    >>> lines = [LineString([(0, 0), (100, 0)]), LineString([(0, 10), (100, 10)])]
    >>> cov = gpd.GeoDataFrame({"initiatives": [0, 1]}, geometry=lines, crs=28992)
    >>> plan = plan_segments(cov, total=90, floor=0.25)
    >>> plan["effort"].tolist(), plan["average"].tolist(), plan["index"].round(4).tolist()
    ([60.0, 30.0], [45.0, 45.0], [1.3333, 0.6667])
    """
    total_h = int(parse_total(total).scaleb(2))
    floor = check_floor(floor)
    counts = street_initiatives(coverage)
    lengths = np.asarray(
        shapely.length(to_rd(np.asarray(coverage.geometry.values), coverage.crs, "coverage")), dtype=np.float64
    )
    lengths = np.where(np.isfinite(lengths), lengths, 0.0)  # a missing geometry has no length
    length_sum = float(lengths.sum())
    if not length_sum > 0:
        raise ValidationError("error.effort_no_length")
    weights = np.maximum(floor, 1.0 / (1.0 + counts))
    weighted = lengths * weights
    weighted_sum = float(weighted.sum())
    effort_h = largest_remainder(total_h * (weighted / weighted_sum), total_h)
    average_h = largest_remainder(total_h * (lengths / length_sum), total_h)
    out = coverage.copy()
    out["street_initiatives"] = counts.astype(np.int64)
    out["length_m"] = lengths
    out["weight"] = weights
    # weight × (ΣL / Σ(L w)): the ratio is at least 1, so the index is never below the weight, nor the floor.
    out["index"] = weights * (length_sum / weighted_sum)
    out["average"] = average_h / 100.0
    out["effort"] = effort_h / 100.0
    out["effort_hundredths"] = effort_h
    out.attrs = dict(coverage.attrs)
    return out


def _ids(value: object) -> Ids:
    """Initiative ids of one cell as a sorted tuple: a tuple or list, a comma-separated text, or nothing."""
    if isinstance(value, str):
        parts: Iterable[object] = value.split(",")
    elif isinstance(value, Iterable):
        parts = value
    else:
        return ()
    return tuple(sorted({text for part in parts if (text := str(part).strip())}))


def _id_column(frame: pd.DataFrame) -> list[Ids] | None:
    """Every row's initiative ids, or ``None`` when the frame does not have them."""
    if "initiative_ids" not in frame.columns:
        return None
    return [_ids(v) for v in frame["initiative_ids"].to_numpy(dtype=object).tolist()]


def _hundredths(values: pd.Series) -> IntArray:
    """Amounts with two decimals as exact whole hundredths."""
    return np.rint(values.to_numpy(dtype=np.float64) * 100.0).astype(np.int64)


def plan_streets(segments: gpd.GeoDataFrame, *, unnamed: str = "naamloze weg") -> pd.DataFrame:
    """Roll a plan up to streets, grouped as :func:`abcd.gaps.street_summary` groups them.

    Parameters
    ----------
    segments : geopandas.GeoDataFrame
        Output of :func:`plan_segments`.
    unnamed : str, default "naamloze weg"
        The start of the label of an unnamed street (the catalogue's ``gaps.unnamed_road``).

    Returns
    -------
    pandas.DataFrame
        One row per street: ``street``, ``segments``, ``length_m``,
        ``initiatives`` (distinct initiatives in reach of any of its segments
        when the ids are known, else the most any segment has),
        ``initiative_ids`` (sorted tuple; empty without ids), ``average`` and
        ``effort`` (sums of the segments' hundredths, so the streets add up to
        the total exactly), ``index`` (effort per metre against the average
        per metre, from the exact values) and ``change_vs_average``. The
        largest effort first, then by street name.
    """
    missing = [c for c in SEGMENT_COLUMNS if c not in segments.columns]
    if missing:
        raise ValueError(f"segments lack {missing}; pass the output of plan_segments()")
    group, streets = pd.factorize(np.asarray(street_labels(segments, "name", unnamed), dtype=object))
    n = len(streets)
    lengths = segments["length_m"].to_numpy(dtype=np.float64)
    length = np.bincount(group, weights=lengths, minlength=n)
    count = np.bincount(group, minlength=n).astype(np.int64)
    # Effort per metre of a street is the length-weighted mean of its segments' index; a street of no length
    # has no metre, so it shows the plain mean of its segments' index.
    index = segments["index"].to_numpy(dtype=np.float64)
    by_length = np.bincount(group, weights=lengths * index, minlength=n)
    plain = np.bincount(group, weights=index, minlength=n) / np.maximum(count, 1)
    street_index = np.where(length > 0, by_length / np.where(length > 0, length, 1.0), plain)
    effort_h = np.bincount(group, weights=segments["effort_hundredths"].to_numpy(dtype=np.int64), minlength=n)
    average_h = np.bincount(group, weights=_hundredths(segments["average"]), minlength=n)
    # bincount sums in float64: exact for whole numbers below 2**53, far above MAX_TOTAL in hundredths.
    effort_h, average_h = effort_h.astype(np.int64), average_h.astype(np.int64)
    ids = _id_column(segments)
    if ids is None:
        street_ids: list[Ids] = [()] * n
        initiatives = np.zeros(n, dtype=np.int64)
        np.maximum.at(initiatives, group, segments["initiatives"].to_numpy(dtype=np.int64))
    else:
        union: list[set[str]] = [set() for _ in range(n)]
        for g, row_ids in zip(group.tolist(), ids, strict=True):
            union[g].update(row_ids)
        street_ids = [tuple(sorted(u)) for u in union]
        initiatives = np.array([len(u) for u in street_ids], dtype=np.int64)
    table = pd.DataFrame(
        {
            "street": pd.array(streets, dtype=object),
            "segments": count,
            "length_m": length,
            "initiatives": initiatives,
            "initiative_ids": pd.Series(street_ids, dtype=object),
            "average": average_h / 100.0,
            "effort": effort_h / 100.0,
            "index": street_index,
            "change_vs_average": (effort_h - average_h) / 100.0,
            "_effort_h": effort_h,
        }
    )
    table = table.sort_values(["_effort_h", "street"], ascending=[False, True], kind="mergesort")
    return table.drop(columns="_effort_h").reset_index(drop=True).loc[:, list(STREET_COLUMNS)]


def compare_plans(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """What changed per street between two plans from :func:`plan_streets`.

    A street in only one plan counts as 0 in the other, so the change of a new
    street is its whole effort and that of a street gone is minus its old
    effort. Without ``initiative_ids`` in both plans (a plan read from CSV),
    ``started`` and ``stopped`` are empty: there is nothing to compare.

    Returns
    -------
    pandas.DataFrame
        One row per street in either plan: ``street``, ``effort`` (NaN when
        gone), ``previous_effort`` (NaN when new), ``change`` (in hundredths,
        exact), ``started`` and ``stopped`` (initiatives in reach now and not
        before, and the other way round). The largest change (up or down)
        first, then by street name.

    Examples
    --------
    >>> now = pd.DataFrame({"street": ["A", "B"], "effort": [60.0, 40.0], "initiative_ids": [(), ("x",)]})
    >>> before = pd.DataFrame({"street": ["A"], "effort": [100.0], "initiative_ids": [("x",)]})
    >>> compare_plans(now, before)[["street", "change", "started", "stopped"]].values.tolist()
    [['A', -40.0, (), ('x',)], ['B', 40.0, ('x',), ()]]
    """
    known = _id_column(current) is not None and _id_column(previous) is not None

    def side(plan: pd.DataFrame) -> pd.DataFrame:
        ids = _id_column(plan) if known else None
        return pd.DataFrame(
            {
                "street": plan["street"].to_numpy(dtype=object),
                "effort": plan["effort"].to_numpy(dtype=np.float64),
                "ids": pd.Series(ids if ids is not None else [()] * len(plan), dtype=object),
            }
        )

    both = side(current).merge(side(previous), on="street", how="outer", suffixes=("", "_before"), sort=False)
    now_h = _hundredths(both["effort"].fillna(0.0))
    before_h = _hundredths(both["effort_before"].fillna(0.0))
    change_h = now_h - before_h

    def id_sets(column: str) -> list[set[str]]:
        return [set(v) if isinstance(v, tuple) else set() for v in both[column].to_numpy(dtype=object).tolist()]

    now_ids, before_ids = id_sets("ids"), id_sets("ids_before")
    out = pd.DataFrame(
        {
            "street": both["street"].to_numpy(dtype=object),
            "effort": both["effort"].to_numpy(dtype=np.float64),
            "previous_effort": both["effort_before"].to_numpy(dtype=np.float64),
            "change": change_h / 100.0,
            "started": pd.Series(
                [tuple(sorted(a - b)) for a, b in zip(now_ids, before_ids, strict=True)], dtype=object
            ),
            "stopped": pd.Series(
                [tuple(sorted(b - a)) for a, b in zip(now_ids, before_ids, strict=True)], dtype=object
            ),
            "_size": np.abs(change_h),
        }
    )
    out = out.sort_values(["_size", "street"], ascending=[False, True], kind="mergesort")
    return out.drop(columns="_size").reset_index(drop=True)
