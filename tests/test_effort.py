"""Tests for :mod:`abcd.effort.plan`: the rule, its promises under random input, streets and comparing plans."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point

from abcd import gaps
from abcd.effort import (
    EffortRun,
    check_floor,
    compare_plans,
    largest_remainder,
    parse_total,
    plan_segments,
    plan_streets,
    rule_text,
)
from abcd.errors import ValidationError

ORIGIN = (92000.0, 437000.0)  # in Rotterdam, RD New


def coverage_of(
    lengths: Sequence[float],
    counts: Sequence[int],
    *,
    names: Sequence[str | None] | None = None,
    ids: Sequence[tuple[str, ...]] | None = None,
) -> gpd.GeoDataFrame:
    """A hand-made coverage: one horizontal segment per length, 10 m apart, as street_coverage shapes it."""
    x, y = ORIGIN
    lines = [LineString([(x, y + 10 * i), (x + length, y + 10 * i)]) for i, length in enumerate(lengths)]
    data: dict[str, object] = {
        "name": list(names) if names is not None else [f"Straat {i}" for i in range(len(lengths))],
        "initiatives": np.asarray(counts, dtype=np.int64),
    }
    if ids is not None:
        data["initiative_ids"] = list(ids)
    frame = gpd.GeoDataFrame(data, geometry=lines, crs=28992)
    frame.attrs.update({"gaps_distance_m": 250.0, "gaps_mode": "straight"})
    return frame


def rule(
    lengths: Sequence[float], counts: Sequence[int], total: Decimal, floor: float
) -> tuple[list[int], list[float]]:
    """The rule as the module docstring states it, in exact fractions: (effort in hundredths, index)."""
    length = [Fraction(v) for v in lengths]
    weight = [max(Fraction(floor), Fraction(1, 1 + c)) for c in counts]
    weighted = sum(length_i * w for length_i, w in zip(length, weight, strict=True))
    quotas = [Fraction(int(total * 100)) * length_i * w / weighted for length_i, w in zip(length, weight, strict=True)]
    base = [math.floor(q) for q in quotas]
    left = int(total * 100) - sum(base)
    # Largest remainders first; equal remainders in order of position.
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - base[i]), i))
    for i in order[:left]:
        base[i] += 1
    index = [float(w * sum(length) / weighted) for w in weight]
    return base, index


# --------------------------------------------------------------------------
# The rule, by hand
# --------------------------------------------------------------------------


def test_a_small_plan_follows_the_rule_computed_by_hand() -> None:
    lengths, counts = [100.0, 200.0, 50.0, 150.0], [0, 1, 3, 0]
    plan = plan_segments(coverage_of(lengths, counts), total="1000", floor=0.3)
    hundredths, index = rule(lengths, counts, Decimal(1000), 0.3)
    assert plan["effort_hundredths"].tolist() == hundredths
    assert plan["effort"].tolist() == [h / 100 for h in hundredths]
    assert plan["weight"].tolist() == [1.0, 0.5, 0.3, 1.0]  # 1/(1+3) is below the floor
    assert plan["index"].to_numpy() == pytest.approx(index, rel=1e-12)
    assert plan["length_m"].tolist() == lengths
    average, _ = rule(lengths, [0] * 4, Decimal(1000), 1.0)
    assert plan["average"].tolist() == [h / 100 for h in average]


def test_rounding_gives_equal_remainders_to_the_first_segments() -> None:
    plan = plan_segments(coverage_of([100.0] * 3, [0, 0, 0]), total="1", floor=0.5)
    assert plan["effort"].tolist() == [0.34, 0.33, 0.33]
    assert plan["average"].tolist() == [0.34, 0.33, 0.33]


def test_floor_one_gives_exactly_the_average_everywhere() -> None:
    plan = plan_segments(coverage_of([120.5, 80.0, 33.3, 7.0], [0, 2, 5, 1]), total="999.99", floor=1)
    assert plan["effort"].tolist() == plan["average"].tolist()
    assert plan["index"].tolist() == [1.0] * 4


def test_without_any_initiative_everyone_gets_the_average() -> None:
    plan = plan_segments(coverage_of([10.0, 20.0, 30.0], [0, 0, 0]), total=60, floor=0.2)
    assert plan["effort"].tolist() == plan["average"].tolist() == [10.0, 20.0, 30.0]


def test_a_segment_of_no_length_gets_nothing() -> None:
    plan = plan_segments(coverage_of([0.0, 100.0, 50.0], [0, 0, 1]), total="10", floor=0.0)
    assert plan["effort_hundredths"].iloc[0] == 0 and plan["average"].iloc[0] == 0
    assert plan["effort_hundredths"].sum() == 1000


def test_the_plan_is_a_copy_with_the_coverage_index_columns_and_attrs() -> None:
    coverage = coverage_of([100.0, 50.0], [1, 0], ids=[("a",), ()])
    coverage.index = pd.Index(["s1", "s2"], name="segment")
    plan = plan_segments(coverage, total=10, floor=0.5)
    assert plan.index.equals(coverage.index) and plan.crs == coverage.crs
    assert plan.attrs == {"gaps_distance_m": 250.0, "gaps_mode": "straight"}
    assert plan["initiative_ids"].tolist() == [("a",), ()]
    assert plan["effort_hundredths"].dtype == np.int64
    assert "effort" not in coverage.columns  # the input is left alone


def test_wgs84_input_is_measured_in_rd_metres() -> None:
    coverage = coverage_of([100.0, 300.0], [0, 1])
    rd = plan_segments(coverage, total=100, floor=0.5)
    wgs = plan_segments(coverage.to_crs(4326), total=100, floor=0.5)
    assert wgs["length_m"].to_numpy() == pytest.approx(rd["length_m"].to_numpy(), abs=1e-3)
    assert wgs["effort"].tolist() == rd["effort"].tolist()


def test_through_the_real_gap_analysis() -> None:
    x, y = ORIGIN
    streets = gpd.GeoDataFrame(
        {"name": ["Gijsingstraat", "Gijsingstraat", "Schiedamseweg", None]},
        geometry=[
            LineString([(x, y), (x + 100, y)]),
            LineString([(x + 100, y), (x + 200, y)]),
            LineString([(x + 1000, y), (x + 1000, y + 500)]),
            LineString([(x + 2000, y), (x + 2000, y + 100)]),
        ],
        crs=28992,
    )
    assets = gpd.GeoDataFrame(
        {"category": ["initiative", "initiative", "meeting_place"]},
        geometry=[Point(x + 50, y + 20), Point(x + 1990, y + 10), Point(x + 1000, y)],
        crs=28992,
    )
    coverage = gaps.street_coverage(streets, assets, distance_m=100)
    plan = plan_segments(coverage, total="5000", floor=0.25)
    assert plan["effort_hundredths"].sum() == 500000
    served = coverage["initiatives"].to_numpy() > 0
    assert served.any() and not served.all()
    assert (plan["index"][served] < 1).all() and (plan["index"][~served] > 1).all()
    streets_table = plan_streets(plan)
    summary = gaps.street_summary(coverage)
    assert sorted(streets_table["street"]) == sorted(summary["street"])  # grouped as the gap analysis groups
    assert dict(zip(streets_table["street"], streets_table["segments"], strict=True)) == dict(
        zip(summary["street"], summary["segments"], strict=True)
    )
    assert round(streets_table["effort"].sum() * 100) == 500000


# --------------------------------------------------------------------------
# The promises, under random input
# --------------------------------------------------------------------------

LENGTH = st.one_of(st.just(0.0), st.floats(min_value=0.5, max_value=5000, allow_nan=False))
TOTAL_HUNDREDTHS = st.one_of(st.integers(1, 10_000), st.integers(1, 100_000_000_000))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    segments=st.lists(st.tuples(LENGTH, st.integers(0, 8)), min_size=1, max_size=12).filter(
        lambda s: any(length > 0 for length, _ in s)
    ),
    total_h=TOTAL_HUNDREDTHS,
    floor=st.floats(min_value=0, max_value=1),
)
def test_the_plan_keeps_its_promises(segments: list[tuple[float, int]], total_h: int, floor: float) -> None:
    lengths = [length for length, _ in segments]
    counts = [count for _, count in segments]
    total = Decimal(total_h).scaleb(-2)
    plan = plan_segments(coverage_of(lengths, counts), total=total, floor=floor)
    effort_h = plan["effort_hundredths"].to_numpy()
    average_h = np.rint(plan["average"].to_numpy() * 100).astype(np.int64)
    index = plan["index"].to_numpy()
    count = np.asarray(counts)
    # It adds up to the total, to the hundredth, and so does the average.
    assert int(effort_h.sum()) == total_h and int(average_h.sum()) == total_h
    assert (effort_h >= 0).all() and (effort_h[np.asarray(lengths) == 0] == 0).all()
    assert plan["effort"].tolist() == (effort_h / 100).tolist()
    # No initiative in reach: at least the average per metre, and at most a hundredth below its average share.
    assert (index[count == 0] >= 1).all()
    assert (effort_h[count == 0] >= average_h[count == 0] - 1).all()
    # Nobody below the floor.
    assert (index >= floor).all()
    # More initiatives never more per metre.
    order = np.argsort(count, kind="stable")
    assert (np.diff(index[order]) <= 0).all()
    # Each effort is its exact share rounded down or up.
    exact, exact_index = rule(lengths, counts, total, floor)
    assert np.abs(effort_h - np.asarray(exact)).max() <= 1
    assert index == pytest.approx(exact_index, rel=1e-9)


@settings(max_examples=100, deadline=None)
@given(
    shares=st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=30).filter(lambda s: sum(s) > 0),
    total=st.integers(0, 10**11),
)
def test_largest_remainder_adds_up_and_stays_within_one(shares: list[float], total: int) -> None:
    weights = np.asarray(shares)
    quotas = total * (weights / weights.sum())
    rounded = largest_remainder(quotas, total)
    assert int(rounded.sum()) == total
    assert (np.abs(rounded - quotas) < 1 + 1e-6).all()
    assert (rounded[weights == 0] == 0).all()


# --------------------------------------------------------------------------
# Parameters and errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", "120.00"),
        ("120,5", "120.50"),
        ("120.5", "120.50"),
        (50000, "50000.00"),
        ("50.000,00", "50000.00"),
        ("€ 50.000", "50000.00"),
        (Decimal("0.125"), "0.13"),  # more than two decimals in a number: rounded half up
        (0.005, "0.01"),
        (1_000_000_000, "1000000000.00"),
    ],
)
def test_totals_are_read_as_exact_hundredths(value: object, expected: str) -> None:
    total = parse_total(value)
    assert total == Decimal(expected) and total.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "value",
    ["0", 0, -5, "-5", "50.000", "50,000", "120,555", "abc", "", None, True, float("nan"), math.inf, 0.004,
     "1000000000,01", 1e10, Decimal("sNaN")],
)  # fmt: skip
def test_bad_totals_are_refused_with_a_message_in_both_languages(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_total(value)
    assert caught.value.key == "error.effort_total"
    assert repr(value) in caught.value.message("nl") and repr(value) in caught.value.message("en")
    assert caught.value.message("nl") != caught.value.message("en")


def test_a_plan_refuses_a_bad_total() -> None:
    with pytest.raises(ValidationError, match=r"'50\.000'"):
        plan_segments(coverage_of([100.0], [0]), total="50.000", floor=0.5)


@pytest.mark.parametrize("value", [-0.1, 1.5, "x", None, float("nan"), True, "2"])
def test_bad_floors_are_refused(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        plan_segments(coverage_of([100.0], [0]), total=10, floor=value)  # type: ignore[arg-type]
    assert caught.value.key == "error.effort_floor"
    assert caught.value.message("nl").strip() and caught.value.message("en").strip()


def test_floors_may_be_written_with_a_decimal_comma() -> None:
    assert (check_floor("0,5"), check_floor(" 0.25 "), check_floor(0), check_floor(1)) == (0.5, 0.25, 0.0, 1.0)


@pytest.mark.parametrize("lengths", [[], [0.0, 0.0]])
def test_streets_without_length_are_refused(lengths: list[float]) -> None:
    with pytest.raises(ValidationError) as caught:
        plan_segments(coverage_of(lengths, [0] * len(lengths)), total=10, floor=0.5)
    assert caught.value.key == "error.effort_no_length"
    assert caught.value.message("nl").strip() and caught.value.message("en").strip()


@pytest.mark.parametrize("counts", [None, [-1], [0.5], [float("nan")], ["veel"]])
def test_a_coverage_without_usable_counts_is_refused(counts: list[object] | None) -> None:
    coverage = coverage_of([100.0], [0])
    if counts is None:
        coverage = coverage.drop(columns="initiatives")
    else:
        coverage["initiatives"] = pd.Series(counts, dtype=object)
    with pytest.raises(ValidationError) as caught:
        plan_segments(coverage, total=10, floor=0.5)
    assert caught.value.key == "error.effort_coverage"
    assert caught.value.message("en").strip()


def test_a_run_is_json_and_reads_back() -> None:
    run = EffortRun(Decimal("1250.5"), "euro", "maand", 0.4, "network", 262.5, date(2026, 11, 22), "BoTu", "zwerfvuil")
    assert run.total == Decimal("1250.50")
    member = json.loads(json.dumps(run.as_member()))
    assert member["total"] == "1250.50" and member["theme"] == "zwerfvuil"
    assert EffortRun.from_member(member) == run


def test_a_run_takes_mode_and_reach_from_the_coverage() -> None:
    coverage = coverage_of([100.0], [0])
    run = EffortRun.of(coverage, total="100", unit="uur", period="week", floor=0.5, day=date(2026, 1, 5))
    assert (run.mode, run.distance_m, run.total, run.wijk, run.theme) == (
        "straight",
        250.0,
        Decimal("100.00"),
        None,
        None,
    )
    coverage.attrs.clear()
    with pytest.raises(ValidationError):
        EffortRun.of(coverage, total="100", unit="uur", period="week", floor=0.5)


@pytest.mark.parametrize(("field", "value"), [("unit", "dagen"), ("period", "dag"), ("mode", "vliegend")])
def test_a_run_refuses_unknown_codes(field: str, value: str) -> None:
    member = EffortRun(Decimal(1), "uur", "week", 0.5, "straight", 250, date(2026, 1, 1)).as_member()
    with pytest.raises(ValidationError) as caught:
        EffortRun.from_member({**member, field: value})
    assert caught.value.key == "error.choice" and value in caught.value.message("en")


def test_the_rule_reads_in_both_languages_with_the_floor() -> None:
    dutch, english = rule_text(0.5, "nl"), rule_text(0.5, "en")
    assert "0,50" in dutch and "0.50" in english and dutch != english
    assert "{" not in dutch + english


# --------------------------------------------------------------------------
# Streets
# --------------------------------------------------------------------------


def test_streets_add_up_to_the_total_and_count_distinct_initiatives() -> None:
    coverage = coverage_of(
        [100.0, 100.0, 300.0, 50.0],
        [2, 2, 0, 1],
        names=["Gijsingstraat", "Gijsingstraat", "Schiedamseweg", "Grieksestraat"],
        ids=[("a", "b"), ("b", "c"), (), ("a",)],
    )
    plan = plan_segments(coverage, total="777.77", floor=0.1)
    streets = plan_streets(plan).set_index("street")
    assert round(streets["effort"].sum() * 100) == 77777 and round(streets["average"].sum() * 100) == 77777
    assert streets.loc["Gijsingstraat", "initiatives"] == 3  # a, b and c: b is counted once
    assert streets.loc["Gijsingstraat", "initiative_ids"] == ("a", "b", "c")
    assert streets.loc["Schiedamseweg", "initiative_ids"] == ()
    assert streets.loc["Gijsingstraat", "segments"] == 2
    assert streets.loc["Gijsingstraat", "length_m"] == 200
    gijsing = plan[plan["name"] == "Gijsingstraat"]
    assert streets.loc["Gijsingstraat", "effort"] * 100 == pytest.approx(gijsing["effort_hundredths"].sum())
    change = streets["effort"] - streets["average"]
    assert streets["change_vs_average"].to_numpy() == pytest.approx(change.to_numpy(), abs=1e-9)
    # The index is effort per metre against the average per metre, before rounding.
    per_metre = Decimal("777.77") / Decimal(550)
    for street, row in streets.iterrows():
        assert row["index"] == pytest.approx(row["effort"] / row["length_m"] / float(per_metre), abs=0.01), street


def test_streets_without_ids_take_the_most_any_segment_has() -> None:
    coverage = coverage_of([100.0, 100.0], [2, 3], names=["Gijsingstraat", "Gijsingstraat"])
    streets = plan_streets(plan_segments(coverage, total=10, floor=0.5))
    assert streets["initiatives"].tolist() == [3] and streets["initiative_ids"].tolist() == [()]


def test_streets_are_ranked_by_effort_then_name() -> None:
    coverage = coverage_of([100.0, 100.0, 400.0, 50.0], [0, 0, 0, 0], names=["B", "A", "C", None])
    streets = plan_streets(plan_segments(coverage, total=650, floor=0.5), unnamed="unnamed road")
    assert streets["street"].tolist()[:3] == ["C", "A", "B"]
    assert streets["street"].iloc[3].startswith("unnamed road #")
    assert list(streets.columns) == [
        "street", "segments", "length_m", "initiatives", "initiative_ids", "average", "effort", "index",
        "change_vs_average",
    ]  # fmt: skip


# --------------------------------------------------------------------------
# Comparing plans
# --------------------------------------------------------------------------


def plan_table(rows: list[tuple[str, float, tuple[str, ...]]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "street": [r[0] for r in rows],
            "effort": [r[1] for r in rows],
            "initiative_ids": pd.Series([r[2] for r in rows], dtype=object),
        }
    )


def test_compare_plans_names_changes_and_initiatives_that_started_or_stopped() -> None:
    previous = plan_table([("Gijsingstraat", 300.10, ("a", "b")), ("Oud", 50.0, ("c",)), ("Gelijk", 10.0, ())])
    current = plan_table([("Gijsingstraat", 200.0, ("b", "d")), ("Gelijk", 10.0, ()), ("Nieuw", 150.25, ("e",))])
    diff = compare_plans(current, previous).set_index("street")
    assert sorted(diff.index) == ["Gelijk", "Gijsingstraat", "Nieuw", "Oud"]
    assert diff.loc["Gijsingstraat", "change"] == pytest.approx(200.0 - 300.10)
    assert diff.loc["Gijsingstraat", "started"] == ("d",) and diff.loc["Gijsingstraat", "stopped"] == ("a",)
    assert math.isnan(diff.loc["Nieuw", "previous_effort"]) and diff.loc["Nieuw", "change"] == 150.25
    assert diff.loc["Nieuw", "started"] == ("e",) and diff.loc["Nieuw", "stopped"] == ()
    assert math.isnan(diff.loc["Oud", "effort"]) and diff.loc["Oud", "change"] == -50.0
    assert diff.loc["Oud", "stopped"] == ("c",) and diff.loc["Oud", "started"] == ()
    assert diff.loc["Gelijk", "change"] == 0 and diff.loc["Gelijk", "started"] == ()
    ranked = compare_plans(current, previous)
    sizes = ranked["change"].abs().to_numpy()
    assert (np.diff(sizes) <= 0).all() and ranked["street"].iloc[-1] == "Gelijk"
    assert current["effort"].tolist() == [200.0, 10.0, 150.25]  # pure: the inputs are left alone


def test_compare_plans_of_two_real_plans_changes_sum_to_the_change_of_total() -> None:
    coverage = coverage_of([100.0, 200.0, 300.0], [0, 1, 2], ids=[(), ("a",), ("a", "b")])
    before = plan_streets(plan_segments(coverage, total=1000, floor=0.5))
    after = plan_streets(plan_segments(coverage, total="1200.01", floor=0.2))
    diff = compare_plans(after, before)
    assert round(diff["change"].sum() * 100) == 20001
    assert (diff["started"].map(len) == 0).all() and (diff["stopped"].map(len) == 0).all()


def test_compare_plans_without_ids_says_nothing_about_initiatives() -> None:
    previous = plan_table([("A", 1.0, ("x",))]).drop(columns="initiative_ids")
    diff = compare_plans(plan_table([("A", 2.0, ("x", "y"))]), previous)
    assert diff["started"].tolist() == [()] and diff["stopped"].tolist() == [()]
    assert diff["change"].tolist() == [1.0]
