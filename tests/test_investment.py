"""Meeting-place investment: strict amounts, validation, levels and the pure per-wijk accounting."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abcd.errors import ConflictError, ValidationError
from abcd.i18n import t
from abcd.investments.amounts import MAX_AMOUNT_CENTS, eur_from_cents, format_eur, parse_amount, parse_quantity
from abcd.investments.model import (
    Funder,
    InvestmentDraft,
    Kind,
    Level,
    error_field,
    parse_date,
    validate_investment,
)
from abcd.investments.summary import (
    HIGH_INVESTMENT_LOW_ACTIVITY,
    LOW_INVESTMENT_HIGH_ACTIVITY,
    assign_wijken,
    city_average,
    city_summary,
    investments_to_frame,
    level_of,
    level_wijken,
    place_totals,
    wijk_summary,
    yearly_totals,
)
from abcd.model import RD_NEW, WGS84
from abcd.wijken import Wijk
from tests.helpers import BOTU, INSIDE_BOTU, OUDE_WESTEN

PLACE_ID = "8d3c1f0e-54a4-4d55-9a59-6c0d39b1f0aa"
CENT = Decimal("0.01")


def raw(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "meeting_place_id": PLACE_ID,
        "date": "2024-03-01",
        "amount_eur": "2500",
        "funder": "gemeente",
    }
    values.update(overrides)
    return values


# ----------------------------------------------------------------- amounts
@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("25000", 2_500_000),
        ("25000.50", 2_500_050),
        ("25000,50", 2_500_050),
        ("25.000,50", 2_500_050),
        ("25000.5", 2_500_050),
        ("€ 25.000", 2_500_000),
        ("€25.000", 2_500_000),
        ("25.000 €", 2_500_000),
        ("EUR 25.000,00", 2_500_000),
        ("€ 25.000,-", 2_500_000),  # Dutch for "and no cents"
        ("1.234,56", 123_456),
        ("1.234.567", 123_456_700),  # two groups: no decimal reading is possible
        ("1.234.567,8", 123_456_780),
        ("  2500 ", 250_000),
        ("0,05", 5),
        (25000, 2_500_000),
        (Decimal("12.34"), 1234),
        (12.5, 1250),
    ],
)
def test_accepted_amounts_are_read_exactly(text: Any, cents: int) -> None:
    assert parse_amount(text) == cents


@pytest.mark.parametrize("text", ["1.234", "1,234", "25,000", "€ 1,234", "999.999"])
def test_a_thousands_group_or_three_decimals_is_refused_as_ambiguous(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_amount(text)
    assert caught.value.key == "error.number_ambiguous"
    message = caught.value.message("nl")
    assert repr(text) in message  # names the value
    assert "25.000,50" in message and "€ 25.000" in message  # and the forms that are understood
    assert "ambiguous" in caught.value.message("en")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("-25", "error.negative"),
        ("€ -2.500,00", "error.negative"),
        ("25000.505", "error.number_decimals"),
        ("0.500", "error.number_decimals"),
        ("1,234.56", "error.number_format"),  # English grouping is not a form we read
        ("25 000", "error.number_format"),
        ("1e5", "error.number_format"),
        ("twintig", "error.number_format"),
        ("12.34.56", "error.number_format"),
        (True, "error.number_format"),
        (float("inf"), "error.not_finite"),
        (-3, "error.negative"),
        ("", "error.required"),
        (None, "error.required"),
        (str(MAX_AMOUNT_CENTS), "error.number_too_large"),
    ],
)
def test_other_bad_amounts_are_refused_with_their_reason(text: Any, key: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_amount(text)
    assert caught.value.key == key


def test_the_dutch_way_of_writing_is_read_not_misread() -> None:
    # The example: 1.234,56 is one thousand two hundred and thirty-four euros and 56 cents.
    assert parse_amount("1.234,56") == 123_456
    assert eur_from_cents(parse_amount("1.234,56")) == Decimal("1234.56")


def _readings(text: str) -> set[Decimal]:
    """Every number ``text`` can mean, with '.' and ',' each a decimal mark or a thousands separator."""
    values: set[Decimal] = set()
    for dot in ("decimal", "group"):
        for comma in ("decimal", "group"):
            marks = {".": dot, ",": comma}
            separators = [c for c in text if c in marks]
            decimals = [c for c in separators if marks[c] == "decimal"]
            if len(decimals) > 1 or (decimals and separators[-1] != decimals[0]):
                continue
            chunks = re.split(r"[.,]", text)
            whole, fraction = (chunks[:-1], chunks[-1]) if decimals else (chunks, "")
            if len(whole) > 1 and (not 1 <= len(whole[0]) <= 3 or any(len(g) != 3 for g in whole[1:])):
                continue
            values.add(Decimal("".join(whole) + ("." + fraction if fraction else "")))
    return values


@given(st.from_regex(r"\A[1-9]\d{0,6}(?:[.,]\d{1,4}){0,3}\Z"))
def test_an_accepted_amount_is_the_only_number_the_text_can_mean(text: str) -> None:
    """Never misread: whatever is accepted has exactly one reading; anything else is refused."""
    try:
        cents = parse_amount(text)
    except ValidationError:
        return
    assert _readings(text) == {eur_from_cents(cents)}


def _grouped(whole: int) -> str:
    return f"{whole:,}".replace(",", ".")


@given(st.integers(min_value=0, max_value=MAX_AMOUNT_CENTS))
def test_every_promised_form_of_an_amount_reads_back_to_the_cent(cents: int) -> None:
    whole, fraction = divmod(cents, 100)
    assert parse_amount(f"{whole}.{fraction:02d}") == cents
    assert parse_amount(f"{whole},{fraction:02d}") == cents
    assert parse_amount(f"{_grouped(whole)},{fraction:02d}") == cents
    assert parse_amount(format_eur(eur_from_cents(cents), "nl")) == cents
    assert parse_amount(eur_from_cents(cents)) == cents
    if fraction == 0:
        assert parse_amount(str(whole)) == cents
        assert parse_amount(f"€ {_grouped(whole)}") == cents
        assert parse_amount(f"{_grouped(whole)},-") == cents


# What the page shows as examples: its placeholder (typed into the euro field) and the forms its errors list.
SHOWN_AMOUNT = re.compile(r"(?:€ ?)?\d[\d.,]*\d(?:,-)?")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("nl", {"25.000": 2_500_000, "2500,50": 250_050}), ("en", {"25000": 2_500_000, "2500.50": 250_050})],
)
def test_every_amount_the_form_shows_as_an_example_is_accepted(lang: str, expected: dict[str, int]) -> None:
    placeholder = t("invest.amount_hint", lang)
    assert SHOWN_AMOUNT.findall(placeholder) == list(expected)
    assert {text: parse_amount(text, euro_field=True) for text in expected} == expected
    forms = SHOWN_AMOUNT.findall(t("invest.amount_forms", lang))
    assert len(forms) == 4
    for text in forms:  # listed in every amount error, of a form or a file: valid in both
        assert parse_amount(text) == parse_amount(text, euro_field=True) > 0


def test_a_field_in_euros_reads_a_thousands_group_as_a_euro_sign_does() -> None:
    assert parse_amount("25.000", euro_field=True) == parse_amount("€ 25.000") == 2_500_000
    assert parse_amount("1.234", euro_field=True) == 123_400
    with pytest.raises(ValidationError) as caught:  # a file's cell carries no such promise
        parse_amount("25.000")
    assert caught.value.key == "error.number_ambiguous"
    for text, key in (("1,234", "error.number_ambiguous"), ("25.000.5", "error.number_format")):
        with pytest.raises(ValidationError) as caught:
            parse_amount(text, euro_field=True)
        assert caught.value.key == key
    draft = validate_investment(raw(amount_eur="25.000"), euro_field=True)
    assert draft.amount_cents == 2_500_000


@given(st.from_regex(r"\A[1-9]\d{0,6}(?:[.,]\d{1,4}){0,3}\Z"))
def test_in_a_euro_field_an_accepted_amount_is_the_only_sum_of_money_the_text_can_mean(text: str) -> None:
    try:
        cents = parse_amount(text, euro_field=True)
    except ValidationError:
        return
    money = {r for r in _readings(text) if int(r.as_tuple().exponent) >= -2}  # money has at most two decimals
    assert money == {eur_from_cents(cents)}


def test_format_eur_writes_each_language_its_own_way() -> None:
    assert format_eur(Decimal("1839.464"), "nl") == "€ 1.839,46"
    assert format_eur(Decimal("1839.465"), "en") == "€1,839.47"  # half up, like a cashier
    assert format_eur(0, "nl") == "€ 0,00"


# ---------------------------------------------------------------- validation
def test_validate_investment_returns_a_clean_draft() -> None:
    draft = validate_investment(
        raw(
            amount_eur="€ 2.500,00",
            funder=" Woningcorporatie ",
            kind="JAARLIJKS",
            space_m2="40",
            hours_per_week="6,5",
            note="  sleutel bij de buren  ",
        )
    )
    assert draft == InvestmentDraft(
        meeting_place_id=PLACE_ID,
        date=dt.date(2024, 3, 1),
        amount_cents=250_000,
        funder=Funder.WONINGCORPORATIE,
        kind=Kind.JAARLIJKS,
        space_m2=40.0,
        hours_per_week=6.5,
        note="sleutel bij de buren",
    )
    assert draft.amount_eur == Decimal("2500.00")


def test_kind_defaults_to_one_off_and_space_alone_is_an_investment() -> None:
    assert validate_investment(raw()).kind is Kind.EENMALIG
    in_kind = validate_investment(raw(amount_eur="", space_m2="40"))
    assert (in_kind.amount_cents, in_kind.space_m2) == (0, 40.0)


@pytest.mark.parametrize(
    ("overrides", "key", "field"),
    [
        ({"amount_eur": "-2500"}, "error.negative", "amount_eur"),
        ({"amount_eur": "0"}, "error.nothing_given", None),
        ({"amount_eur": ""}, "error.required", "amount_eur"),
        ({"date": "15-01-2024"}, "error.bad_date", "date"),
        ({"date": "2024-02-30"}, "error.bad_date", "date"),
        ({"date": "20240115"}, "error.bad_date", "date"),
        ({"date": "1899-12-31"}, "error.date_range", "date"),
        ({"date": None}, "error.required", "date"),
        ({"funder": "sponsor"}, "error.choice", "funder"),
        ({"funder": ""}, "error.required", "funder"),
        ({"kind": "maandelijks"}, "error.choice", "kind"),
        ({"meeting_place_id": "Buurthuis"}, "error.bad_uuid", "meeting_place_id"),
        ({"meeting_place_id": None}, "error.required", "meeting_place"),
        ({"space_m2": "1.250"}, "error.number_ambiguous", "space_m2"),
        ({"space_m2": "-4"}, "error.negative", "space_m2"),
        ({"hours_per_week": "200"}, "error.number_too_large", "hours_per_week"),
        ({"note": "x" * 1001}, "error.too_long", "note"),
    ],
)
def test_bad_input_names_the_field(overrides: dict[str, Any], key: str, field: str | None) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_investment(raw(**overrides))
    assert caught.value.key == key
    if field is not None:
        assert caught.value.params["field"] == f"field.{field}"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount_eur": "1,234"}, "amount_eur"),
        ({"amount_eur": "0"}, "amount_eur"),  # nothing given: the amount is what is missing
        ({"date": "15-01-2024"}, "date"),
        ({"meeting_place_id": None}, "meeting_place_id"),
        ({"meeting_place_id": "Buurthuis"}, "meeting_place_id"),
        ({"space_m2": "-4"}, "space_m2"),
        ({"hours_per_week": "200"}, "hours_per_week"),
        ({"note": "x" * 1001}, "note"),
    ],
)
def test_an_error_names_the_form_field_it_belongs_next_to(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_investment(raw(**overrides), euro_field=True)
    assert error_field(caught.value) == field


def test_errors_about_the_entry_as_a_whole_belong_by_the_save_button() -> None:
    assert error_field(ValidationError("error.meeting_place_example", name="x")) == "meeting_place_id"
    assert error_field(ConflictError("error.investment_repeated", seconds=3)) is None
    assert error_field(ConflictError("error.conflict")) is None


def test_dates_and_quantities_accept_their_natural_python_types() -> None:
    assert parse_date(dt.datetime(2024, 5, 6, 12, 0)) == dt.date(2024, 5, 6)
    assert parse_date(pd.Timestamp("2024-05-06")) == dt.date(2024, 5, 6)
    assert parse_quantity(40.0, field="space_m2", maximum=100) == 40.0
    assert parse_quantity(None, field="space_m2", maximum=100) is None


# -------------------------------------------------------------------- levels
def test_the_wijk_level_puts_botu_in_place_of_its_two_buurten(catalogue: dict[str, Wijk]) -> None:
    wijken = level_wijken(catalogue, Level.WIJK)
    slugs = [w.slug for w in wijken]
    assert slugs[0] == BOTU
    assert "bospolder" not in slugs and "tussendijken" not in slugs
    assert "delfshaven" in slugs  # the buurt of that name barely touches BoTu
    assert len(wijken) == 88 - 2 + 1
    # A partition of the city: the same residents as the buurten (BoTu = Bospolder + Tussendijken).
    assert sum(w.population or 0 for w in wijken) == sum(
        w.population or 0 for w in level_wijken(catalogue, Level.CBS_BUURT)
    )
    assert len(level_wijken(catalogue, "cbs_wijk")) == 21


def test_level_of_follows_the_kind(catalogue: dict[str, Wijk]) -> None:
    assert level_of(catalogue[BOTU]) is Level.WIJK
    assert level_of(catalogue["wijk-delfshaven"]) is Level.CBS_WIJK
    assert level_of(catalogue["bospolder"]) is Level.CBS_BUURT


def test_points_count_in_their_recorded_wijk_or_where_they_lie(catalogue: dict[str, Wijk]) -> None:
    points = pd.DataFrame(
        {
            "wijk": [BOTU, BOTU, "oude-westen", "bospolder"],
            "lon": [INSIDE_BOTU[0], INSIDE_BOTU[0], OUDE_WESTEN[0], 4.4413],
            "lat": [INSIDE_BOTU[1], INSIDE_BOTU[1], OUDE_WESTEN[1], 51.9107],
        },
        index=[10, 11, 12, 13],
    )
    wijk_level = assign_wijken(points, level_wijken(catalogue, Level.WIJK))
    assert wijk_level.to_dict() == {10: BOTU, 11: BOTU, 12: "oude-westen", 13: BOTU}
    cbs = assign_wijken(points, level_wijken(catalogue, Level.CBS_WIJK))
    assert cbs[10] == "wijk-delfshaven" and cbs[12] == "wijk-rotterdam-centrum"


@pytest.mark.parametrize(("metres", "expected"), [(10, BOTU), (50, None)])
def test_a_point_just_outside_every_boundary_goes_to_the_nearest_one_farther_out_to_none(
    catalogue: dict[str, Wijk], metres: float, expected: str | None
) -> None:
    # Location decides (abcd.places): a kerb-side point counts in the nearest wijk, a point 50 m out lies elsewhere.
    botu = catalogue[BOTU]
    ring = gpd.GeoSeries([botu.boundary], crs=WGS84).to_crs(RD_NEW).buffer(metres).exterior.to_crs(WGS84).iloc[0]
    lon, lat = shapely.get_coordinates(ring)[0]
    wijken = [catalogue["oude-westen"], botu]
    assert not any(w.boundary.covers(shapely.Point(lon, lat)) for w in wijken)
    points = pd.DataFrame({"wijk": ["elders"], "lon": [lon], "lat": [lat]})
    assert assign_wijken(points, wijken).iloc[0] == expected


# ------------------------------------------------------------------- summary
def frames(
    places: list[tuple[str, str, str, bool]], money: list[tuple[str, int, int, float | None]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Places as (id, wijk, role, live); money as (place id, cents, year, m²)."""
    place_frame = pd.DataFrame(
        [(i, f"Plek {i}", w, r, live, 4.44, 51.91) for i, w, r, live in places],
        columns=["id", "name", "wijk", "role", "live", "lon", "lat"],
    )
    drafts = [
        InvestmentDraft(
            meeting_place_id=p, date=dt.date(year, 6, 1), amount_cents=c, funder=Funder.GEMEENTE, space_m2=m2
        )
        for p, c, year, m2 in money
    ]
    return place_frame, investments_to_frame(drafts)


def wijken_frame(populations: dict[str, int | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {"name": [s.upper() for s in populations], "inwoners": pd.array(list(populations.values()), dtype="Int64")},
        index=pd.Index(list(populations), name="wijk"),
    )


def test_known_answer_the_done_when_case() -> None:
    """BoTu: EUR 25,000 to the standard place, EUR 2,500 and 40 m² to a buurthuisje residents started."""
    places, money = frames(
        [("std", BOTU, "standard", True), ("huisje", BOTU, "resident", True), ("ow", "oude-westen", "other", True)],
        [("std", 2_500_000, 2024, None), ("huisje", 250_000, 2024, 40.0)],
    )
    wijken = wijken_frame({BOTU: 14950, "oude-westen": 9830, "leeg": 0})
    summary = city_summary(wijken, places, money, initiatives={BOTU: 12, "oude-westen": 30})
    botu = summary.loc[BOTU]
    assert (botu["inwoners"], botu["standard_places"], botu["resident_places"]) == (14950, 1, 1)
    assert botu["eur_total"] == Decimal("27500.00")
    assert (botu["eur_standard"], botu["eur_resident"], botu["eur_other"]) == (
        Decimal("25000.00"),
        Decimal("2500.00"),
        Decimal("0.00"),
    )
    assert botu["eur_per_1000"] == Decimal("1839.46")  # 27,500 / 14,950 x 1,000 = 1,839.4648...
    assert botu["space_m2"] == 40.0 and botu["space_m2_per_1000"] == 2.68
    assert botu["initiatives_per_1000"] == 0.8  # 12 / 14,950 x 1,000 = 0.803
    assert not botu["no_standard"] and not botu["several_standard"] and not botu["no_population"]

    ow = summary.loc["oude-westen"]
    assert ow["no_standard"] and ow["eur_per_1000"] == Decimal("0.00")
    empty = summary.loc["leeg"]
    assert empty["no_population"] and empty["eur_per_1000"] is None and math.isnan(empty["initiatives_per_1000"])

    average = city_average(summary)
    assert average["wijken"] == 2  # the wijk without residents is reported, not averaged
    assert average["eur_per_1000"] == Decimal("1109.77")  # 27,500 / 24,780 residents x 1,000
    assert average["eur_total"] == Decimal("13750.00")  # per wijk
    assert average["initiatives_per_1000"] == round(42 * 1000 / 24780, 2)
    # High money, little activity in BoTu; the reverse in the Oude Westen.
    assert botu["balance"] == HIGH_INVESTMENT_LOW_ACTIVITY
    assert ow["balance"] == LOW_INVESTMENT_HIGH_ACTIVITY
    assert empty["balance"] is None


def test_several_standard_places_are_noted_and_deleted_places_keep_their_money() -> None:
    places, money = frames(
        [("a", "w", "standard", True), ("b", "w", "standard", True), ("c", "w", "resident", False)],
        [("c", 10_000, 2023, None)],
    )
    row = wijk_summary("w", name="W", inwoners=1000, places=places, investments=money).iloc[0]
    assert row["standard_places"] == 2 and row["several_standard"] and not row["no_standard"]
    assert row["resident_places"] == 0  # the closed buurthuisje no longer counts as a place ...
    assert row["eur_resident"] == Decimal("100.00")  # ... but the money it got was given
    assert row["balance"] is None  # a single wijk has no city to compare with


def test_a_year_counts_only_entries_dated_in_it_and_yearly_entries_are_not_multiplied() -> None:
    places, _ = frames([("a", "w", "standard", True)], [])
    drafts = [
        InvestmentDraft(PLACE_ID, dt.date(2023, 1, 1), 2_500_000, Funder.GEMEENTE, kind=Kind.JAARLIJKS),
        InvestmentDraft(PLACE_ID, dt.date(2025, 1, 1), 2_600_000, Funder.GEMEENTE, kind=Kind.JAARLIJKS),
    ]
    places["id"] = [PLACE_ID]
    money = investments_to_frame(drafts)
    wijken = wijken_frame({"w": 1000})
    by_year = {y: city_summary(wijken, places, money, year=y).loc["w", "eur_total"] for y in (2023, 2024, 2025)}
    assert by_year == {2023: Decimal("25000.00"), 2024: Decimal("0.00"), 2025: Decimal("26000.00")}
    assert city_summary(wijken, places, money).loc["w", "eur_total"] == Decimal("51000.00")
    yearly = yearly_totals(places, money)
    assert list(yearly.index) == [2023, 2024, 2025]  # the gap year is a row of zeros
    assert list(yearly["eur_standard"]) == [Decimal("25000.00"), Decimal("0.00"), Decimal("26000.00")]
    with pytest.raises(ValidationError):
        city_summary(wijken, places, money, year=1066)


def test_place_totals_add_up_per_place() -> None:
    places, money = frames(
        [("a", "w", "standard", True), ("b", "w", "resident", True)],
        [("a", 100, 2024, None), ("a", 250, 2024, 5.0), ("b", 1, 2023, None)],
    )
    totals = place_totals(places, money).set_index("id")
    assert totals.loc["a", "eur_total"] == Decimal("3.50") and totals.loc["a", "space_m2"] == 5.0
    assert totals.loc["b", "entries"] == 1
    assert place_totals(places, money, year=2023).set_index("id").loc["a", "eur_total"] == Decimal("0.00")


# ---------------------------------------------------------------- invariants
ROLES = ["standard", "resident", "other"]


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, int]]:
    slugs = [f"w{n}" for n in range(draw(st.integers(1, 5)))]
    populations = {s: draw(st.one_of(st.none(), st.just(0), st.integers(1, 100_000))) for s in slugs}
    place_rows = [
        (f"p{n}", draw(st.sampled_from([*slugs, "elsewhere"])), draw(st.sampled_from(ROLES)), draw(st.booleans()))
        for n in range(draw(st.integers(0, 8)))
    ]
    ids = [p[0] for p in place_rows] or ["p-unknown"]
    money_rows = [
        (
            draw(st.sampled_from(ids)),
            draw(st.integers(0, 10**9)),
            draw(st.integers(2015, 2026)),
            draw(st.one_of(st.none(), st.floats(0, 1000, allow_nan=False).map(lambda v: round(v, 2)))),
        )
        for _ in range(draw(st.integers(0, 15)))
    ]
    places, money = frames(place_rows, money_rows)
    initiatives = {s: draw(st.integers(0, 50)) for s in slugs}
    return wijken_frame(populations), places, money, initiatives


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers(), st.one_of(st.none(), st.integers(2015, 2026)))
def test_totals_are_the_sum_of_their_parts_and_per_1000_follows_population(
    ledger: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, int]], year: int | None
) -> None:
    wijken, places, money, initiatives = ledger
    summary = city_summary(wijken, places, money, initiatives=initiatives, year=year)
    assert list(summary.index) == list(wijken.index)
    for slug, row in summary.iterrows():
        assert row["eur_total"] == row["eur_standard"] + row["eur_resident"] + row["eur_other"]
        population = wijken.loc[slug, "inwoners"]
        if pd.isna(population) or population <= 0:
            # Reported, flagged, never divided by.
            assert row["no_population"] and row["eur_per_1000"] is None
            assert math.isnan(row["initiatives_per_1000"]) and math.isnan(row["space_m2_per_1000"])
            assert row["balance"] is None
        else:
            expected = (row["eur_total"] * 1000 / int(population)).quantize(CENT, rounding=ROUND_HALF_UP)
            assert row["eur_per_1000"] == expected
            assert row["initiatives_per_1000"] == round(initiatives[slug] * 1000 / int(population), 2)
    # Every counted cent lands in exactly one wijk.
    counted = money if year is None else money[money["year"] == year]
    in_wijken = counted["meeting_place_id"].map(places.set_index("id")["wijk"]).isin(set(wijken.index))
    assert sum(summary["eur_total"], Decimal(0)) == eur_from_cents(int(counted.loc[in_wijken, "amount_cents"].sum()))
    # The city average is total over total, over the wijken with residents.
    average = city_average(summary)
    populated = summary[~summary["no_population"]]
    assert average["wijken"] == len(populated)
    if len(populated):
        total = sum(populated["eur_total"], Decimal(0))
        residents = int(populated["inwoners"].sum())
        assert average["eur_per_1000"] == (total * 1000 / residents).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        assert average["eur_per_1000"] is None


@settings(max_examples=40, deadline=None)
@given(ledgers())
def test_the_years_add_up_to_the_whole(ledger: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, int]]) -> None:
    wijken, places, money, _ = ledger
    whole = city_summary(wijken, places, money)["eur_total"]
    parts = [city_summary(wijken, places, money, year=y)["eur_total"] for y in range(2015, 2027)]
    for slug in wijken.index:
        assert sum((p[slug] for p in parts), Decimal(0)) == whole[slug]
    yearly = yearly_totals(places, money)
    if len(yearly):
        assert all(
            r["eur_total"] == r["eur_standard"] + r["eur_resident"] + r["eur_other"] for _, r in yearly.iterrows()
        )


# ------------------------------------------------------------------- catalogue
INVESTMENT_SOURCES = [
    "abcd/investments/model.py",
    "abcd/investments/amounts.py",
    "abcd/investments/summary.py",
    "abcd/investments/ledger.py",
    "abcd/investments/exchange.py",
    "abcd/maps/investments.py",
    "abcd/investments/tables.py",
    "app_pages/investeringen.py",
]
KEY = re.compile(r"""["'](?:invest|funder|kind|level|field|error|cli|role|list|history)\.[a-z_.0-9]+["']""")


def test_every_text_of_the_investment_feature_is_in_both_languages() -> None:
    from tests.helpers import ROOT, catalogue_keys

    CATALOGUE = catalogue_keys()

    used = {m.group(0)[1:-1] for path in INVESTMENT_SOURCES for m in KEY.finditer((ROOT / path).read_text())}
    assert len(used) > 60  # the scan itself works
    built = (
        [f"funder.{f.value}" for f in Funder]
        + [f"kind.{k.value}" for k in Kind]
        + [f"level.{v.value}" for v in Level]
        + [
            f"field.{name}"
            for name in (
                "meeting_place_id",
                "amount_eur",
                "space_m2",
                "hours_per_week",
                "note",
                "date",
                "funder",
                "kind",
                "year",
                "id",
            )
        ]
    )
    missing = sorted(k for k in [*used, *built] if k not in CATALOGUE and not k.endswith("."))
    assert missing == []
    assert Funder.WONINGCORPORATIE.label("en") == "housing association" and Level.WIJK.label("nl").startswith("wijken")
