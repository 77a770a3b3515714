"""Persistence of meeting-place investments, beside the assets in the same database.

Investments are versioned records (:mod:`abcd.records`), stored through the
same :class:`~abcd.db.Database` transactions as assets, so on SQLite every
write opens with ``BEGIN IMMEDIATE``. Every change writes its history row in
the same transaction, an edit names the version it was based on (a stale edit
raises :class:`~abcd.errors.ConflictError` and overwrites nothing), and a
delete is soft and can be undone.

An investment belongs to a live asset of category ``meeting_place`` that is
not an invented example (``source == "example"``: demonstration data takes
no real money); that is checked inside the writing transaction. An entry a
user saves twice within :data:`REPEAT_WINDOW` (a second tap) is refused, so
it is not booked twice. The database enforces the link too:
erasing an asset for good (only example assets are ever erased, by
:meth:`Store.purge_examples`) erases its investments and their history with it.

:func:`record_investment` and its siblings are what a *user* may do: they
check the role first (:func:`abcd.permissions.require`), then validate, then write,
so hiding a button is never the only protection. :func:`level_summary` is the
I/O edge of the accounting in :mod:`abcd.investments.summary`: it reads places,
initiatives and investments and hands them to the pure builders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from abcd import schema
from abcd.errors import ConflictError, NotFoundError, ValidationError
from abcd.i18n import Term
from abcd.investments.model import Investment, InvestmentDraft, Level, validate_investment
from abcd.investments.summary import (
    assign_wijken,
    city_summary,
    investments_to_frame,
    level_wijken,
    places_to_frame,
    points_to_frame,
    wijken_to_frame,
)
from abcd.model import Asset, Category, Source, counted_initiatives, new_asset_id
from abcd.permissions import Permission, User, require
from abcd.records import HistoryEntry, declared_fields, iso_utc, utcnow
from abcd.store import Store
from abcd.versioned import Messages, RecordKind
from abcd.wijken import Wijk

INVESTMENTS: RecordKind[Investment] = RecordKind(
    Investment,
    schema.investments,
    schema.investment_history,
    history_key="investment_id",
    name_of=lambda item: f"{item.date.isoformat()} {item.amount_eur}",
    messages=Messages("error.investment_not_found", "error.investment_deleted", "error.investment_not_deleted"),
)
"""How investments are stored: the one versioned-record mechanism, for investments."""

REPEAT_WINDOW = dt.timedelta(minutes=1)
"""An identical entry by the same user within this time is a second tap, not a second contribution."""


class RepeatedInvestmentError(ConflictError):
    """The same user saved an identical investment moments ago; the second one is not booked."""


class Ledger:
    """Investments in meeting places: add, edit, delete, restore, list and their history.

    >>> from abcd.store import Store
    >>> Ledger(Store.open("sqlite://")).list_investments()
    []
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    # ----------------------------------------------------------------- write
    def add(self, draft: InvestmentDraft, *, by: str, repeat_window: dt.timedelta | None = None) -> Investment:
        """Store a new investment; its history starts with a ``create`` row.

        With ``repeat_window``, an entry identical in every field to one that
        ``by`` stored within that time (and did not delete) is refused with
        :class:`RepeatedInvestmentError`: a double tap books nothing twice.
        """
        if repeat_window is None:
            return self.add_many([draft], by=by)[0]
        now = utcnow()
        with self.db.write() as conn:
            _check_places(conn, {draft.meeting_place_id})
            _check_not_repeated(conn, draft, by=by, since=now - repeat_window, now=now)
            created = INVESTMENTS.new(draft, draft.id or new_asset_id(), by=by, now=now)
            INVESTMENTS.insert(conn, [created], by=by, now=now)
        return created

    def add_many(self, drafts: Sequence[InvestmentDraft], *, by: str) -> list[Investment]:
        """Store many investments in ONE transaction: all of them land, or none do."""
        now = utcnow()
        with self.db.write() as conn:
            _check_places(conn, {d.meeting_place_id for d in drafts})
            created = [INVESTMENTS.new(d, d.id or new_asset_id(), by=by, now=now) for d in drafts]
            INVESTMENTS.insert(conn, created, by=by, now=now)
        return created

    def update(self, investment_id: str, draft: InvestmentDraft, *, by: str, expected_version: int) -> Investment:
        """Replace an investment's fields with ``draft``, if nobody changed it since ``expected_version``."""
        now = utcnow()
        with self.db.write() as conn:
            current = INVESTMENTS.get(conn, investment_id)
            if current.is_deleted:
                raise NotFoundError("error.investment_deleted", value=investment_id)
            if draft.meeting_place_id != current.meeting_place_id:
                _check_places(conn, {draft.meeting_place_id})
            return INVESTMENTS.update(conn, current, draft, by=by, now=now, expected_version=expected_version)

    def delete(self, investment_id: str, *, by: str, expected_version: int | None = None) -> Investment:
        """Soft-delete an investment: it leaves the ledger and the figures and can be restored."""
        with self.db.write() as conn:
            return INVESTMENTS.set_deleted(
                conn, investment_id, deleted=True, by=by, now=utcnow(), expected_version=expected_version
            )

    def restore(self, investment_id: str, *, by: str, expected_version: int | None = None) -> Investment:
        """Undo a soft delete."""
        with self.db.write() as conn:
            return INVESTMENTS.set_deleted(
                conn, investment_id, deleted=False, by=by, now=utcnow(), expected_version=expected_version
            )

    # ------------------------------------------------------------------ read
    def get(self, investment_id: str) -> Investment:
        """The investment ``investment_id``, deleted or not; :class:`NotFoundError` if unknown."""
        with self.db.read() as conn:
            return INVESTMENTS.get(conn, investment_id)

    def list_investments(
        self,
        *,
        wijk: str | None = None,
        meeting_place_id: str | None = None,
        include_deleted: bool = False,
        deleted_only: bool = False,
    ) -> list[Investment]:
        """Investments, newest date first, optionally of one wijk (where their place lies) or one place."""
        table = schema.investments
        query = select(table)
        if wijk is not None:
            places = select(schema.asset_areas.c.asset_id).where(schema.asset_areas.c.wijk == wijk)
            query = query.where(table.c.meeting_place_id.in_(places))
        if meeting_place_id is not None:
            query = query.where(table.c.meeting_place_id == meeting_place_id)
        if deleted_only:
            query = query.where(table.c.deleted_at.is_not(None))
        elif not include_deleted:
            query = query.where(table.c.deleted_at.is_(None))
        query = query.order_by(table.c.date.desc(), table.c.created_at.desc(), table.c.id)
        with self.db.read() as conn:
            return [INVESTMENTS.from_row(r) for r in conn.execute(query).mappings()]

    def history(self, investment_id: str) -> list[HistoryEntry]:
        """Every change of ``investment_id``, oldest first."""
        with self.db.read() as conn:
            return INVESTMENTS.entries(conn, investment_id)

    def meeting_places(self, *, wijk: str | None = None, include_deleted: bool = False) -> list[Asset]:
        """The approved meeting places (of ``wijk``) investments can belong to, sorted by name.

        A place still waiting for a coordinator's approval is not public yet:
        it takes no money, shows on no officer's map and counts in no summary.
        """
        places = self.store.list_assets(wijk=wijk, category=Category.MEETING_PLACE, include_deleted=include_deleted)
        return [p for p in places if not p.is_pending]

    def data_version(self) -> str:
        """A token that changes whenever an investment is added, changed or removed (for caches)."""
        with self.db.read() as conn:
            return INVESTMENTS.data_version(conn)


# ---------------------------------------------------------------- use cases
def record_investment(ledger: Ledger, raw: Mapping[str, Any], *, user: User) -> Investment:
    """Validate ``raw`` (see :func:`~abcd.investments.model.validate_investment`) and add it, if ``user`` may.

    ``raw`` is what a user typed into a form, whose amount field is in euros
    (so ``25.000`` is 25,000 euros). The same entry saved again by the same
    user within :data:`REPEAT_WINDOW` raises :class:`RepeatedInvestmentError`.
    """
    require(user, Permission.EDIT_INVESTMENTS)
    draft = validate_investment(raw, euro_field=True)
    return ledger.add(draft, by=user.username, repeat_window=REPEAT_WINDOW)


def edit_investment(
    ledger: Ledger, investment_id: str, raw: Mapping[str, Any], *, user: User, expected_version: int
) -> Investment:
    """Replace an investment's fields with ``raw``; its meeting place stays unless ``raw`` names another."""
    require(user, Permission.EDIT_INVESTMENTS)
    current = ledger.get(investment_id)
    draft = validate_investment(
        {"meeting_place_id": current.meeting_place_id, **raw, "id": current.id}, euro_field=True
    )
    return ledger.update(investment_id, draft, by=user.username, expected_version=expected_version)


def delete_investment(ledger: Ledger, investment_id: str, *, user: User, expected_version: int) -> Investment:
    """Soft-delete an investment, if ``user`` may; it can be restored."""
    require(user, Permission.EDIT_INVESTMENTS)
    return ledger.delete(investment_id, by=user.username, expected_version=expected_version)


def restore_investment(ledger: Ledger, investment_id: str, *, user: User, expected_version: int) -> Investment:
    """Undo a soft delete, if ``user`` may."""
    require(user, Permission.EDIT_INVESTMENTS)
    return ledger.restore(investment_id, by=user.username, expected_version=expected_version)


# ------------------------------------------------------------------ summary
def level_summary(
    store: Store,
    catalogue: Mapping[str, Wijk],
    *,
    level: Level | str,
    year: int | None = None,
    gemeente: str = "Rotterdam",
) -> pd.DataFrame:
    """The per-wijk summary of every wijk of ``level`` in ``gemeente`` (:func:`~.summary.city_summary`).

    Reads every meeting place (deleted ones too: money given stays money
    given), every live and approved resident-led initiative and every live
    investment, counts each in the wijk of the level it lies in and summarises.
    Example meeting places count nowhere (:func:`~.summary.places_to_frame`).
    """
    wijken = level_wijken(catalogue, level, gemeente=gemeente)
    places = places_to_frame(store.list_assets(category=Category.MEETING_PLACE, include_deleted=True))
    initiatives = points_to_frame(counted_initiatives(store.list_assets(category=Category.INITIATIVE)))
    investments = investments_to_frame(Ledger(store).list_investments())
    places["wijk"] = assign_wijken(places, wijken)
    counts = assign_wijken(initiatives, wijken).value_counts()
    return city_summary(wijken_to_frame(wijken), places, investments, initiatives=counts, year=year)


# --------------------------------------------------------------------- rows
def _check_places(conn: Connection, ids: Iterable[str]) -> None:
    """Every id is a live, real meeting place (checked in the writing transaction)."""
    wanted = set(ids)
    if not wanted:
        return
    assets = schema.assets
    rows = {
        r["id"]: r
        for r in conn.execute(
            select(assets.c.id, assets.c.name, assets.c.category, assets.c.source, assets.c.deleted_at).where(
                assets.c.id.in_(wanted)
            )
        ).mappings()
    }
    for place_id in sorted(wanted):
        row = rows.get(place_id)
        if row is None:
            raise NotFoundError("error.meeting_place_unknown_id", value=place_id)
        if row["category"] != Category.MEETING_PLACE.value:
            raise ValidationError("error.not_a_meeting_place", name=row["name"], category=row["category"])
        if row["deleted_at"] is not None:
            raise ValidationError("error.meeting_place_deleted", name=row["name"])
        if row["source"] == Source.EXAMPLE.value:
            raise ValidationError("error.meeting_place_example", name=row["name"])


_COMPARED = tuple(f.name for f in declared_fields(InvestmentDraft))


def _check_not_repeated(
    conn: Connection, draft: InvestmentDraft, *, by: str, since: dt.datetime, now: dt.datetime
) -> None:
    """Refuse ``draft`` when ``by`` stored the very same entry since ``since`` (and it is still there)."""
    table = schema.investments
    rows = conn.execute(
        select(table).where(
            table.c.meeting_place_id == draft.meeting_place_id,
            table.c.amount_cents == draft.amount_cents,
            table.c.created_by == by,
            table.c.created_at >= iso_utc(since),
            table.c.deleted_at.is_(None),
        )
    ).mappings()
    for row in rows:
        earlier = INVESTMENTS.from_row(row)
        if all(getattr(earlier, name) == getattr(draft, name) for name in _COMPARED):
            seconds = int((now - earlier.created_at).total_seconds())
            # "2 seconds ago" reads right, "1 seconds ago" does not: under two it is "a few".
            ago: int | Term = seconds if seconds >= 2 else Term("invest.a_few")
            raise RepeatedInvestmentError("error.investment_repeated", seconds=ago)


__all__ = [
    "INVESTMENTS",
    "REPEAT_WINDOW",
    "Ledger",
    "RepeatedInvestmentError",
    "delete_investment",
    "edit_investment",
    "level_summary",
    "record_investment",
    "restore_investment",
]
