"""How the wijk grows: from the history of its records to counts per month.

Every versioned record keeps its history (:class:`~abcd.records.HistoryEntry`):
each entry's ``new`` holds every tracked field as it stood after the change,
plus ``deleted``. Replaying those snapshots in version order says when a record
*counted* (was live and matched a question such as "is a resident-led,
approved initiative"): a list of :class:`Span`. A month's number is the count
of spans live at the end of its last day, Amsterdam time, so the chart shows
the wijk as it stood when each month closed.

An erased record (:meth:`abcd.store.Store.erase`) has its history blanked:
nothing says what it was any more, so it counts in no month, past months
included.

>>> from datetime import UTC, date, datetime
>>> spans = [Span("a", datetime(2025, 1, 5, tzinfo=UTC), datetime(2025, 3, 10, tzinfo=UTC)),
...          Span("b", datetime(2025, 2, 1, tzinfo=UTC))]
>>> months = month_ends(date(2025, 1, 1), date(2025, 4, 1))
>>> growth_table({"initiatives": spans}, months).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
{'month': [datetime.date(2025, 1, 31), datetime.date(2025, 2, 28), datetime.date(2025, 3, 31),
           datetime.date(2025, 4, 30)], 'initiatives': [1, 2, 1, 1]}
"""

from __future__ import annotations

import calendar
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from abcd.records import HistoryEntry

TZ = "Europe/Amsterdam"


@dataclass(frozen=True, slots=True)
class Span:
    """A period in which a record counted: from ``start`` until ``end`` (``None``: it still does).

    Times are timezone-aware; ``end`` lies after ``start``.
    """

    record_id: str
    start: datetime
    end: datetime | None = None

    def __post_init__(self) -> None:
        for moment in (self.start, self.end):
            if moment is not None and moment.utcoffset() is None:
                msg = f"A span of {self.record_id!r} needs timezone-aware times; got {moment!r}"
                raise ValueError(msg)
        if self.end is not None and self.end <= self.start:
            msg = f"A span of {self.record_id!r} must end after it starts; got {self.start} to {self.end}"
            raise ValueError(msg)


def spans_from_history(entries: Iterable[HistoryEntry], counts: Callable[[Mapping[str, Any]], bool]) -> list[Span]:
    """The periods in which each record was live and its fields satisfied ``counts``.

    ``entries`` may hold the history of many records, in any order; each
    record's is replayed in version order. After every entry the record's
    state is its ``new`` snapshot (laid over the one before, so a snapshot that
    leaves out a field keeps its earlier value). It counts while that state is
    not deleted and ``counts(state)`` is true: a ``create``, ``update``,
    ``approve`` or ``restore`` may start a span, and an ``update``, ``delete``
    or ``erase`` end it. An entry without values (an ``erase``, or any entry of
    an erased record, whose history is blanked) makes the record count no
    longer. A change at the same moment as the one before, or earlier (a clock
    set back), leaves no empty span.

    Returns the spans sorted by record id and start.

    >>> from datetime import UTC, datetime
    >>> def entry(version, action, day, **new):
    ...     return HistoryEntry("x", version, action, "ans", datetime(2025, 1, day, tzinfo=UTC), None,
    ...                         {"deleted": action == "delete", **new})
    >>> history = [entry(2, "update", 9, open=False), entry(1, "create", 2, open=True),
    ...            entry(3, "update", 20, open=True), entry(4, "delete", 25, open=True)]
    >>> [(s.start.day, s.end.day) for s in spans_from_history(history, lambda s: s["open"])]
    [(2, 9), (20, 25)]
    """
    spans: list[Span] = []
    ordered = sorted(entries, key=lambda e: (e.record_id, e.version))
    for record_id, history in groupby(ordered, key=lambda e: e.record_id):
        state: dict[str, Any] = {}
        start: datetime | None = None
        for entry in history:
            if entry.new is None:
                state, now_counts = {}, False
            else:
                state = {**state, **entry.new}
                now_counts = entry.action != "delete" and not state.get("deleted", False) and bool(counts(state))
            if now_counts and start is None:
                start = entry.changed_at
            elif not now_counts and start is not None:
                if entry.changed_at > start:
                    spans.append(Span(record_id, start, entry.changed_at))
                start = None
        if start is not None:
            spans.append(Span(record_id, start))
    return spans


def month_ends(first: date, last: date) -> list[date]:
    """The last day of every month from ``first``'s month to ``last``'s, both included.

    >>> month_ends(date(2024, 11, 15), date(2025, 2, 1))
    [datetime.date(2024, 11, 30), datetime.date(2024, 12, 31), datetime.date(2025, 1, 31), datetime.date(2025, 2, 28)]
    """
    out: list[date] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def monthly_counts(spans: Iterable[Span], months: Sequence[date], *, tz: str = TZ) -> list[int]:
    """For each date in ``months``, how many spans are live at the end of that day in ``tz``.

    The end of a day is the midnight that starts the next: a span counts when
    it started before then and had not ended by then. A change at 00:00 on the
    first of a month belongs to that month, not the one before.
    """
    zone = ZoneInfo(tz)
    starts, ends = [], []
    for span in spans:
        starts.append(span.start)
        if span.end is not None:
            ends.append(span.end)
    starts.sort()
    ends.sort()
    out = []
    for day in months:
        midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        # A span ends after it starts, so every span ended before midnight also started before it.
        out.append(bisect_left(starts, midnight) - bisect_left(ends, midnight))
    return out


def monthly_amounts(dates: Sequence[date], cents: Sequence[int], months: Sequence[date]) -> list[int]:
    """For each month in ``months``, the sum of the ``cents`` whose date lies in that month.

    Amounts dated outside every month in ``months`` are left out.

    >>> monthly_amounts([date(2025, 1, 3), date(2025, 1, 30), date(2025, 3, 1)], [100, 250, 5],
    ...                 month_ends(date(2025, 1, 1), date(2025, 2, 1)))
    [350, 0]
    """
    if len(dates) != len(cents):
        msg = f"Every amount needs a date; got {len(dates)} dates and {len(cents)} amounts"
        raise ValueError(msg)
    totals: dict[tuple[int, int], int] = {}
    for day, amount in zip(dates, cents, strict=True):
        key = (day.year, day.month)
        totals[key] = totals.get(key, 0) + int(amount)
    return [totals.get((m.year, m.month), 0) for m in months]


def growth_table(
    series: Mapping[str, Iterable[Span]],
    months: Sequence[date],
    *,
    investments: tuple[Sequence[date], Sequence[int]] | None = None,
    tz: str = TZ,
) -> pd.DataFrame:
    """One row per month: ``month`` (its last day), a count per named series, and ``invested_cents`` if given.

    ``series`` maps a column name (``initiatives``, ``meeting_places``,
    ``connections``) to its spans, counted with :func:`monthly_counts`;
    ``investments`` is ``(dates, cents)``, summed with :func:`monthly_amounts`.
    """
    columns: dict[str, Any] = {"month": list(months)}
    for name, spans in series.items():
        if name in columns:
            msg = f"A series cannot be called {name!r}: that is a column of the table"
            raise ValueError(msg)
        columns[name] = monthly_counts(spans, months, tz=tz)
    if investments is not None:
        if "invested_cents" in columns:
            msg = "A series cannot be called 'invested_cents' when investments are given"
            raise ValueError(msg)
        dates, cents = investments
        columns["invested_cents"] = monthly_amounts(dates, cents, months)
    return pd.DataFrame(columns).astype({name: "int64" for name in columns if name != "month"})


__all__ = ["TZ", "Span", "growth_table", "month_ends", "monthly_amounts", "monthly_counts", "spans_from_history"]
