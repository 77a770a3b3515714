"""What is still true: assets a builder has not confirmed for a while.

A wijk changes: a club stops, a meeting place closes. Every asset carries the
day a builder last saw it still there (``last_confirmed``, set when it is
stored and by "nog actief"). One not confirmed for ``months`` (12 by default,
``ABCD_STALE_MONTHS``) is *stale*: greyed on the map, on the wijk's
"nog nakijken" list, and left out of the gap map unless an officer asks for
every initiative. A stale asset is not deleted: a builder looks first.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from abcd.model import Asset

STALE_AFTER_MONTHS = 12


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day where it is shorter).

    >>> months_before(date(2026, 3, 31), 1), months_before(date(2026, 12, 1), 12)
    (datetime.date(2026, 2, 28), datetime.date(2025, 12, 1))
    """
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def stale_before(today: date, months: int = STALE_AFTER_MONTHS) -> date:
    """The cut-off: an asset last confirmed before this day is stale."""
    return months_before(today, months)


def as_day(value: Any) -> date | None:
    """A ``last_confirmed`` as a stored asset, a frame cell or a file holds it (a date, a timestamp, ISO text).

    >>> as_day("2026-11-02"), as_day(None)
    (datetime.date(2026, 11, 2), None)
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10]) if value else None


def confirmed_before(day: date | None, cutoff: date) -> bool:
    """Whether a last confirmation on ``day`` is before ``cutoff``: stale (never confirmed is stale too)."""
    return day is None or day < cutoff


def is_stale(asset: Asset, cutoff: date) -> bool:
    """Whether ``asset`` was last confirmed before ``cutoff`` (one never confirmed is stale)."""
    return confirmed_before(asset.last_confirmed, cutoff)


def to_check(assets: Iterable[Asset], cutoff: date) -> list[Asset]:
    """The live assets to look at again ("nog nakijken"), longest unconfirmed first, then by name."""
    stale = [a for a in assets if not a.is_deleted and is_stale(a, cutoff)]
    return sorted(stale, key=lambda a: (a.last_confirmed or date.min, a.name.casefold()))
