"""How a stored wijk grew, month by month: the I/O edge of :mod:`abcd.growth`.

"Werken vanuit het gemiddelde" asks whether money in meeting places goes
together with more resident energy. From the history of every asset that lies
in the wijk and of every connection between them, this counts per month the
live resident initiatives (:attr:`abcd.model.Asset.counts_as_initiative`),
meeting places and connections, beside the meeting-place investments booked
in the same months. Only numbers leave it: a resident's connection counts, it
is never named.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select

from abcd import growth, schema
from abcd.connections.register import CONNECTIONS
from abcd.model import Category, counts_as_initiative
from abcd.store import ASSETS, Store


def _initiative(state: Mapping[str, Any]) -> bool:
    return counts_as_initiative(state.get("category"), state.get("resident_led"), state.get("status", "approved"))


def _meeting_place(state: Mapping[str, Any]) -> bool:
    return state.get("category") == Category.MEETING_PLACE.value and state.get("status", "approved") == "approved"


def wijk_growth(store: Store, wijk: str, *, today: date | None = None) -> pd.DataFrame:
    """Per month (the month's last day) since the wijk's first change: ``initiatives``, ``meeting_places``,
    ``connections`` (live at the end of the month) and ``invested_cents`` (booked in the month)."""
    from abcd.i18n.formats import local_time, local_today
    from abcd.investments.ledger import Ledger

    ids = [a.id for a in store.list_assets(wijk=wijk, include_deleted=True)]
    inside = set(ids)
    with store.db.read() as conn:
        entries = ASSETS.entries_of(conn, ids)
        table = schema.connections
        rows = conn.execute(select(table.c.id, table.c.from_id, table.c.to_id)).all()
        # Both ends in the wijk (deleted connections too: they have a past). The table is small beside assets.
        ties = [key for key, a, b in rows if a in inside and b in inside]
        tie_entries = CONNECTIONS.entries_of(conn, ties)
    investments = Ledger(store).list_investments(wijk=wijk)
    moments = [e.changed_at for e in (*entries, *tie_entries)]
    dates = [i.date for i in investments]
    if not moments and not dates:
        return growth.growth_table({"initiatives": [], "meeting_places": [], "connections": []}, [])
    first = min([*(local_time(m).date() for m in moments), *dates])  # months are Amsterdam's, as in growth
    months = growth.month_ends(first, today or local_today())
    series = {
        "initiatives": growth.spans_from_history(entries, _initiative),
        "meeting_places": growth.spans_from_history(entries, _meeting_place),
        "connections": growth.spans_from_history(tie_entries, lambda state: True),
    }
    return growth.growth_table(series, months, investments=(dates, [i.amount_cents for i in investments]))


__all__ = ["wijk_growth"]
