"""How the wijk grows: spans from history, counts at each month's end, investment per month."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pandas as pd
import pytest

from abcd.growth import Span, growth_table, month_ends, monthly_amounts, monthly_counts, spans_from_history
from abcd.records import HistoryEntry
from abcd.store import Store
from tests.helpers import make_draft

CET = timezone(timedelta(hours=1))
JAN_TO_JUL = month_ends(date(2025, 1, 1), date(2025, 7, 31))


def counts_as_initiative(snapshot: Mapping[str, Any]) -> bool:
    """What the pages count as a resident initiative (:attr:`abcd.model.Asset.counts_as_initiative`)."""
    return (
        snapshot.get("category") == "initiative"
        and snapshot.get("resident_led") is not False
        and snapshot.get("status", "approved") == "approved"
    )


def snapshot(**changes: Any) -> dict[str, Any]:
    """A full history snapshot of an initiative, as :meth:`abcd.versioned.RecordKind.snapshot` writes it."""
    values: dict[str, Any] = {
        "name": "Moestuin",
        "category": "initiative",
        "description": "",
        "resident_led": None,
        "meeting_place_role": None,
        "source": "field",
        "contact": None,
        "lon": 4.44,
        "lat": 51.91,
        "area": None,
        "status": "approved",
        "buurt": None,
        "linked_asset_id": None,
        "themes": [],
        "deleted": False,
    }
    values.update(changes)
    return values


def utc(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


def scripted_history() -> list[HistoryEntry]:
    """Initiative ``a`` comes and goes; ``b`` starts at 23:30 UTC on 31 January, 1 February in Amsterdam."""
    steps = [
        ("a", "create", utc(1, 5), None, snapshot()),
        ("a", "update", utc(3, 10), snapshot(), snapshot(resident_led=False)),
        ("a", "update", utc(4, 2), snapshot(resident_led=False), snapshot(resident_led=True)),
        ("a", "delete", utc(5, 20), snapshot(resident_led=True), snapshot(resident_led=True, deleted=True)),
        ("a", "restore", utc(6, 3), snapshot(resident_led=True, deleted=True), snapshot(resident_led=True)),
        ("b", "create", utc(1, 31, 23, 30), None, snapshot(name="Zwerfvuilploeg")),
    ]
    entries, versions = [], {"a": 0, "b": 0}
    for record_id, action, when, old, new in steps:
        versions[record_id] += 1
        entries.append(HistoryEntry(record_id, versions[record_id], action, "ans", when, old, new))
    return entries


def test_spans_of_the_scripted_history() -> None:
    history = scripted_history()
    random.Random(7).shuffle(history)  # any order: replayed per record, by version
    assert spans_from_history(history, counts_as_initiative) == [
        Span("a", utc(1, 5), utc(3, 10)),
        Span("a", utc(4, 2), utc(5, 20)),
        Span("a", utc(6, 3)),
        Span("b", utc(1, 31, 23, 30)),
    ]


def test_monthly_counts_of_the_scripted_history() -> None:
    spans = spans_from_history(scripted_history(), counts_as_initiative)
    # Jan: a (b starts 00:30 on 1 Feb in Amsterdam). Feb: a, b. Mar: b (a not resident-led since the 10th).
    # Apr: a, b. May: b (a deleted on the 20th). Jun, Jul: a (restored on the 3rd), b.
    assert monthly_counts(spans, JAN_TO_JUL) == [1, 2, 1, 2, 1, 2, 2]
    # In UTC, b's 23:30 on 31 January is still January.
    assert monthly_counts(spans, JAN_TO_JUL, tz="UTC")[0] == 2


def test_a_month_ends_at_midnight_in_amsterdam_summer_time_too() -> None:
    # 31 March 2025 is summer time (UTC+2): the month ends at 22:00 UTC.
    before = Span("x", datetime(2025, 3, 31, 21, 59, tzinfo=UTC))
    after = Span("y", datetime(2025, 3, 31, 22, 0, tzinfo=UTC))
    ends_at_midnight = Span("z", utc(3, 1), datetime(2025, 3, 31, 22, 0, tzinfo=UTC))
    ends_before = Span("w", utc(3, 1), datetime(2025, 3, 31, 21, 59, tzinfo=UTC))
    march = month_ends(date(2025, 3, 1), date(2025, 3, 1))
    assert monthly_counts([before], march) == [1]
    assert monthly_counts([after], march) == [0]
    assert monthly_counts([ends_at_midnight], march) == [1]  # still there when March closed
    assert monthly_counts([ends_before], march) == [0]


def test_a_record_that_waits_for_approval_counts_from_its_approval() -> None:
    history = [
        HistoryEntry("p", 1, "create", "ans", utc(2, 10), None, snapshot(status="pending")),
        HistoryEntry("p", 2, "approve", "beheer", utc(3, 2), snapshot(status="pending"), snapshot()),
    ]
    assert spans_from_history(history, counts_as_initiative) == [Span("p", utc(3, 2))]


def test_an_edit_that_keeps_it_counting_does_not_split_the_span() -> None:
    history = [
        HistoryEntry("a", 1, "create", "ans", utc(1, 5), None, snapshot()),
        HistoryEntry("a", 2, "update", "ans", utc(2, 5), snapshot(), snapshot(name="Moestuin West")),
        HistoryEntry("a", 3, "update", "ans", utc(2, 6), snapshot(), snapshot(resident_led=True)),
    ]
    assert spans_from_history(history, counts_as_initiative) == [Span("a", utc(1, 5))]


def test_an_erased_record_counts_nowhere() -> None:
    # Erasure blanks every old and new value and adds an ``erase`` row without values.
    history = [
        HistoryEntry("e", 1, "create", "ans", utc(1, 5), None, None),
        HistoryEntry("e", 2, "update", "ans", utc(2, 5), None, None),
        HistoryEntry("e", 3, "erase", "beheer", utc(3, 5), None, None),
    ]
    assert spans_from_history(history, counts_as_initiative) == []


def test_an_erase_ends_a_span() -> None:
    history = [
        HistoryEntry("e", 1, "create", "ans", utc(1, 5), None, snapshot()),
        HistoryEntry("e", 2, "erase", "beheer", utc(3, 5), None, None),
    ]
    assert spans_from_history(history, counts_as_initiative) == [Span("e", utc(1, 5), utc(3, 5))]


def test_a_change_in_the_same_moment_leaves_no_empty_span() -> None:
    history = [
        HistoryEntry("a", 1, "create", "ans", utc(1, 5), None, snapshot()),
        HistoryEntry("a", 2, "delete", "ans", utc(1, 5), snapshot(), snapshot(deleted=True)),
    ]
    assert spans_from_history(history, counts_as_initiative) == []


def test_a_snapshot_without_a_field_keeps_its_earlier_value() -> None:
    history = [
        HistoryEntry("a", 1, "create", "ans", utc(1, 5), None, snapshot()),
        HistoryEntry("a", 2, "update", "ans", utc(2, 5), None, {"resident_led": False}),
    ]
    assert spans_from_history(history, counts_as_initiative) == [Span("a", utc(1, 5), utc(2, 5))]


def test_spans_from_the_store_history(store: Store) -> None:
    """The real history rows, through :meth:`Store.history`, give the same spans as the scripted ones."""
    asset = store.add(make_draft(name="Moestuin", category="initiative", wijk=None), by="ans")
    asset = store.update(asset.id, asset.draft(resident_led=False), by="ans", expected_version=asset.version)
    asset = store.update(asset.id, asset.draft(resident_led=True), by="ans", expected_version=asset.version)
    store.delete(asset.id, by="ans")
    store.restore(asset.id, by="ans")
    entries = store.history(asset.id)
    assert [e.action for e in entries] == ["create", "update", "update", "delete", "restore"]
    at = [e.changed_at for e in entries]
    assert spans_from_history(entries, counts_as_initiative) == [
        Span(asset.id, at[0], at[1]),
        Span(asset.id, at[2], at[3]),
        Span(asset.id, at[4]),
    ]
    store.erase(asset.id, by="beheer")
    assert spans_from_history(store.history(asset.id), counts_as_initiative) == []


def test_span_refuses_naive_times_and_a_backward_end() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Span("a", datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="end after it starts"):
        Span("a", utc(2, 1), utc(1, 1))
    assert Span("a", datetime(2025, 1, 1, tzinfo=CET)).end is None


# ------------------------------------------------------------------ months
def test_month_ends() -> None:
    assert month_ends(date(2024, 1, 31), date(2024, 3, 1)) == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]
    assert month_ends(date(2024, 12, 1), date(2025, 1, 1)) == [date(2024, 12, 31), date(2025, 1, 31)]
    assert month_ends(date(2025, 5, 1), date(2025, 4, 30)) == []


def test_monthly_amounts_by_the_month_of_each_date() -> None:
    dates = [date(2025, 1, 1), date(2025, 1, 31), date(2025, 3, 15), date(2024, 12, 31), date(2025, 8, 1)]
    cents = [10_000, 2_550, 125_000, 99, 7]
    assert monthly_amounts(dates, cents, JAN_TO_JUL) == [12_550, 0, 125_000, 0, 0, 0, 0]
    with pytest.raises(ValueError, match="2 dates and 1 amounts"):
        monthly_amounts(dates[:2], cents[:1], JAN_TO_JUL)


def test_growth_table() -> None:
    initiatives = spans_from_history(scripted_history(), counts_as_initiative)
    places = [Span("m", utc(2, 14))]
    table = growth_table(
        {"initiatives": initiatives, "meeting_places": places, "connections": []},
        JAN_TO_JUL,
        investments=([date(2025, 2, 14), date(2025, 2, 20), date(2025, 6, 1)], [500_000, 25_000, 100_000]),
    )
    expected = pd.DataFrame(
        {
            "month": JAN_TO_JUL,
            "initiatives": [1, 2, 1, 2, 1, 2, 2],
            "meeting_places": [0, 1, 1, 1, 1, 1, 1],
            "connections": [0] * 7,
            "invested_cents": [0, 525_000, 0, 0, 0, 100_000, 0],
        }
    )
    pd.testing.assert_frame_equal(table, expected)


def test_growth_table_without_investments_or_months() -> None:
    table = growth_table({"initiatives": [Span("a", utc(1, 1))]}, JAN_TO_JUL)
    assert list(table.columns) == ["month", "initiatives"]
    empty = growth_table({"initiatives": []}, [], investments=([], []))
    assert empty.empty
    assert list(empty.columns) == ["month", "initiatives", "invested_cents"]
    assert empty.dtypes[["initiatives", "invested_cents"]].eq("int64").all()
    assert spans_from_history([], counts_as_initiative) == []
    assert monthly_counts([], JAN_TO_JUL) == [0] * 7


def test_growth_table_refuses_a_series_named_like_a_column() -> None:
    with pytest.raises(ValueError, match="'month'"):
        growth_table({"month": []}, JAN_TO_JUL)
    with pytest.raises(ValueError, match="invested_cents"):
        growth_table({"invested_cents": []}, JAN_TO_JUL, investments=([], []))
