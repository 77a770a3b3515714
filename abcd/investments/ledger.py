"""Persistence of meeting-place investments, beside the assets in the same database.

A :class:`Ledger` works on a :class:`~abcd.store.Store`: it uses the store's
engine and its ``_write()``/``_read()`` transactions, so on SQLite every
write opens with ``BEGIN IMMEDIATE``, exactly like asset writes. As with
assets, every change writes its history row in the same transaction, an edit
names the version it was based on (a stale edit raises
:class:`~abcd.errors.ConflictError` and overwrites nothing), and a delete is
soft and can be undone.

An investment belongs to a live asset of category ``meeting_place``; that is
checked inside the writing transaction. The database enforces the link too:
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
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, insert, select, update

from abcd import schema
from abcd.errors import ConflictError, NotFoundError, ValidationError
from abcd.investments.model import Funder, Investment, InvestmentDraft, Kind, Level, validate_investment
from abcd.investments.summary import (
    assign_wijken,
    city_summary,
    investments_to_frame,
    level_wijken,
    places_to_frame,
    points_to_frame,
    wijken_to_frame,
)
from abcd.model import Asset, Category, new_asset_id
from abcd.permissions import Permission, User, require
from abcd.store import Store, from_iso, iso_utc, utcnow
from abcd.wijken import Wijk

# Fields recorded in history, in this order.
TRACKED = (
    "meeting_place_id",
    "date",
    "amount_cents",
    "funder",
    "kind",
    "space_m2",
    "hours_per_week",
    "note",
)


@dataclass(frozen=True, slots=True)
class InvestmentHistoryEntry:
    """One change of an investment: who did what when, with old and new values."""

    investment_id: str
    version: int
    action: str
    changed_by: str
    changed_at: dt.datetime
    old: dict[str, Any] | None
    new: dict[str, Any] | None

    def changed_fields(self) -> list[str]:
        """Fields whose value differs between old and new."""
        old, new = self.old or {}, self.new or {}
        return [k for k in (*TRACKED, "deleted") if old.get(k) != new.get(k)]


class Ledger:
    """Investments in meeting places: add, edit, delete, restore, list and their history.

    >>> from abcd.store import Store
    >>> Ledger(Store.open("sqlite://")).list_investments()
    []
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    # ----------------------------------------------------------------- write
    def add(self, draft: InvestmentDraft, *, by: str) -> Investment:
        """Store a new investment; its history starts with a ``create`` row."""
        return self.add_many([draft], by=by)[0]

    def add_many(self, drafts: Sequence[InvestmentDraft], *, by: str) -> list[Investment]:
        """Store many investments in ONE transaction: all of them land, or none do."""
        now = utcnow()
        with self.store._write() as conn:
            _check_places(conn, {d.meeting_place_id for d in drafts})
            created = []
            for draft in drafts:
                item = _from_draft(draft, draft.id or new_asset_id(), version=1, by=by, now=now)
                conn.execute(insert(schema.investments).values(**_row(item)))
                _write_history(conn, item, "create", old=None, by=by, now=now)
                created.append(item)
        return created

    def update(self, investment_id: str, draft: InvestmentDraft, *, by: str, expected_version: int) -> Investment:
        """Replace an investment's fields with ``draft``, if nobody changed it since ``expected_version``."""
        now = utcnow()
        with self.store._write() as conn:
            current = _get(conn, investment_id)
            if current.is_deleted:
                raise NotFoundError("error.investment_deleted", value=investment_id)
            if draft.meeting_place_id != current.meeting_place_id:
                _check_places(conn, {draft.meeting_place_id})
            new = _from_draft(draft, current.id, version=current.version + 1, by=by, now=now, created=current)
            _swap(conn, current, new, expected_version)
            _write_history(conn, new, "update", old=current, by=by, now=now)
        return new

    def delete(self, investment_id: str, *, by: str, expected_version: int | None = None) -> Investment:
        """Soft-delete an investment: it leaves the ledger and the figures and can be restored."""
        return self._set_deleted(investment_id, deleted=True, by=by, expected_version=expected_version)

    def restore(self, investment_id: str, *, by: str, expected_version: int | None = None) -> Investment:
        """Undo a soft delete."""
        return self._set_deleted(investment_id, deleted=False, by=by, expected_version=expected_version)

    def _set_deleted(self, investment_id: str, *, deleted: bool, by: str, expected_version: int | None) -> Investment:
        now = utcnow()
        with self.store._write() as conn:
            current = _get(conn, investment_id)
            if current.is_deleted == deleted:
                key = "error.investment_deleted" if deleted else "error.investment_not_deleted"
                raise NotFoundError(key, value=investment_id)
            new = replace(
                current,
                version=current.version + 1,
                updated_by=by,
                updated_at=now,
                deleted_at=now if deleted else None,
                deleted_by=by if deleted else None,
            )
            _swap(conn, current, new, current.version if expected_version is None else expected_version)
            _write_history(conn, new, "delete" if deleted else "restore", old=current, by=by, now=now)
        return new

    # ------------------------------------------------------------------ read
    def get(self, investment_id: str) -> Investment:
        """The investment ``investment_id``, deleted or not; :class:`NotFoundError` if unknown."""
        with self.store._read() as conn:
            return _get(conn, investment_id)

    def list_investments(
        self,
        *,
        wijk: str | None = None,
        meeting_place_id: str | None = None,
        include_deleted: bool = False,
        deleted_only: bool = False,
    ) -> list[Investment]:
        """Investments, newest date first, optionally of one wijk (where their place is recorded) or place."""
        table = schema.investments
        query = select(table)
        if wijk is not None:
            places = select(schema.assets.c.id).where(schema.assets.c.wijk == wijk)
            query = query.where(table.c.meeting_place_id.in_(places))
        if meeting_place_id is not None:
            query = query.where(table.c.meeting_place_id == meeting_place_id)
        if deleted_only:
            query = query.where(table.c.deleted_at.is_not(None))
        elif not include_deleted:
            query = query.where(table.c.deleted_at.is_(None))
        query = query.order_by(table.c.date.desc(), table.c.created_at.desc(), table.c.id)
        with self.store._read() as conn:
            return [_from_row(r) for r in conn.execute(query).mappings()]

    def history(self, investment_id: str) -> list[InvestmentHistoryEntry]:
        """Every change of ``investment_id``, oldest first."""
        table = schema.investment_history
        query = select(table).where(table.c.investment_id == investment_id).order_by(table.c.version, table.c.id)
        with self.store._read() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            InvestmentHistoryEntry(
                investment_id=r["investment_id"],
                version=r["version"],
                action=r["action"],
                changed_by=r["changed_by"],
                changed_at=dt.datetime.fromisoformat(r["changed_at"]),
                old=json.loads(r["old_values"]) if r["old_values"] else None,
                new=json.loads(r["new_values"]) if r["new_values"] else None,
            )
            for r in rows
        ]

    def meeting_places(self, *, wijk: str | None = None, include_deleted: bool = False) -> list[Asset]:
        """The approved meeting places (of ``wijk``) investments can belong to, sorted by name.

        A place still waiting for a coordinator's approval is not public yet:
        it takes no money, shows on no officer's map and counts in no summary.
        """
        places = self.store.list_assets(wijk=wijk, category=Category.MEETING_PLACE, include_deleted=include_deleted)
        return [p for p in places if not p.is_pending]

    def data_version(self) -> str:
        """A token that changes whenever an investment is added, changed or removed (for caches)."""
        table = schema.investments
        with self.store._read() as conn:
            count, latest = conn.execute(select(func.count(), func.max(table.c.updated_at))).one()
        return f"{count}:{latest}"


# ---------------------------------------------------------------- use cases
def record_investment(ledger: Ledger, raw: Mapping[str, Any], *, user: User) -> Investment:
    """Validate ``raw`` (see :func:`~abcd.investments.model.validate_investment`) and add it, if ``user`` may."""
    require(user, Permission.EDIT_INVESTMENTS)
    return ledger.add(validate_investment(raw), by=user.username)


def edit_investment(
    ledger: Ledger, investment_id: str, raw: Mapping[str, Any], *, user: User, expected_version: int
) -> Investment:
    """Replace an investment's fields with ``raw``; its meeting place stays unless ``raw`` names another."""
    require(user, Permission.EDIT_INVESTMENTS)
    current = ledger.get(investment_id)
    draft = validate_investment({"meeting_place_id": current.meeting_place_id, **raw, "id": current.id})
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
    store: Store, catalogue: Mapping[str, Wijk], *, level: Level | str, year: int | None = None
) -> pd.DataFrame:
    """The per-wijk summary of every wijk of ``level`` (see :func:`abcd.investments.summary.city_summary`).

    Reads every meeting place (deleted ones too: money given stays money
    given), every live and approved resident-led initiative and every live
    investment, counts each in one wijk of the level and summarises.
    """
    wijken = level_wijken(catalogue, level)
    places = places_to_frame(store.list_assets(category=Category.MEETING_PLACE, include_deleted=True))
    initiatives = points_to_frame(
        a for a in store.list_assets(category=Category.INITIATIVE) if a.resident_led is not False and not a.is_pending
    )
    investments = investments_to_frame(Ledger(store).list_investments())
    places["wijk"] = assign_wijken(places, wijken)
    counts = assign_wijken(initiatives, wijken).value_counts()
    return city_summary(wijken_to_frame(wijken), places, investments, initiatives=counts, year=year)


# --------------------------------------------------------------------- rows
def _check_places(conn: Connection, ids: Iterable[str]) -> None:
    """Every id is a live meeting place (checked in the writing transaction)."""
    wanted = set(ids)
    if not wanted:
        return
    assets = schema.assets
    rows = {
        r["id"]: r
        for r in conn.execute(
            select(assets.c.id, assets.c.name, assets.c.category, assets.c.deleted_at).where(assets.c.id.in_(wanted))
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


def _get(conn: Connection, investment_id: str) -> Investment:
    row = (
        conn.execute(select(schema.investments).where(schema.investments.c.id == str(investment_id))).mappings().first()
    )
    if row is None:
        raise NotFoundError("error.investment_not_found", value=investment_id)
    return _from_row(row)


def _swap(conn: Connection, current: Investment, new: Investment, expected_version: int) -> None:
    # The version check and the write are one statement, so two editors of
    # the same version cannot both win.
    result = conn.execute(
        update(schema.investments)
        .where(schema.investments.c.id == current.id, schema.investments.c.version == expected_version)
        .values(**_row(new))
    )
    if result.rowcount != 1:
        name = f"{current.date.isoformat()} {current.amount_eur}"
        raise ConflictError("error.conflict", name=name, stored=current.version, given=expected_version)


def _from_draft(
    draft: InvestmentDraft,
    investment_id: str,
    *,
    version: int,
    by: str,
    now: dt.datetime,
    created: Investment | None = None,
) -> Investment:
    return Investment(
        id=investment_id,
        meeting_place_id=draft.meeting_place_id,
        date=draft.date,
        amount_cents=int(draft.amount_cents),
        funder=draft.funder,
        kind=draft.kind,
        space_m2=draft.space_m2,
        hours_per_week=draft.hours_per_week,
        note=draft.note,
        version=version,
        created_by=created.created_by if created else by,
        created_at=created.created_at if created else now,
        updated_by=by,
        updated_at=now,
    )


def _row(item: Investment) -> dict[str, Any]:
    return {
        "id": item.id,
        "meeting_place_id": item.meeting_place_id,
        "date": item.date.isoformat(),
        "amount_cents": int(item.amount_cents),
        "funder": item.funder.value,
        "kind": item.kind.value,
        "space_m2": item.space_m2,
        "hours_per_week": item.hours_per_week,
        "note": item.note,
        "version": item.version,
        "created_by": item.created_by,
        "created_at": iso_utc(item.created_at),
        "updated_by": item.updated_by,
        "updated_at": iso_utc(item.updated_at),
        "deleted_at": iso_utc(item.deleted_at) if item.deleted_at else None,
        "deleted_by": item.deleted_by,
    }


def _from_row(row: Any) -> Investment:
    created_at = from_iso(row["created_at"])
    updated_at = from_iso(row["updated_at"])
    assert created_at is not None and updated_at is not None
    return Investment(
        id=row["id"],
        meeting_place_id=row["meeting_place_id"],
        date=dt.date.fromisoformat(row["date"]),
        amount_cents=int(row["amount_cents"]),
        funder=Funder(row["funder"]),
        kind=Kind(row["kind"]),
        space_m2=None if row["space_m2"] is None else float(row["space_m2"]),
        hours_per_week=None if row["hours_per_week"] is None else float(row["hours_per_week"]),
        note=row["note"] or "",
        version=int(row["version"]),
        created_by=row["created_by"],
        created_at=created_at,
        updated_by=row["updated_by"],
        updated_at=updated_at,
        deleted_at=from_iso(row["deleted_at"]),
        deleted_by=row["deleted_by"],
    )


def _snapshot(item: Investment) -> dict[str, Any]:
    return {
        "meeting_place_id": item.meeting_place_id,
        "date": item.date.isoformat(),
        "amount_cents": item.amount_cents,
        "funder": item.funder.value,
        "kind": item.kind.value,
        "space_m2": item.space_m2,
        "hours_per_week": item.hours_per_week,
        "note": item.note,
        "deleted": item.is_deleted,
    }


def _write_history(
    conn: Connection, item: Investment, action: str, *, old: Investment | None, by: str, now: dt.datetime
) -> None:
    conn.execute(
        insert(schema.investment_history).values(
            investment_id=item.id,
            version=item.version,
            action=action,
            changed_by=by,
            changed_at=iso_utc(now),
            old_values=json.dumps(_snapshot(old), ensure_ascii=False) if old else None,
            new_values=json.dumps(_snapshot(item), ensure_ascii=False),
        )
    )


__all__ = [
    "TRACKED",
    "InvestmentHistoryEntry",
    "Ledger",
    "delete_investment",
    "edit_investment",
    "level_summary",
    "record_investment",
    "restore_investment",
]
