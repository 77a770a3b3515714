"""Storing versioned records: one mechanism for assets, investments and accounts.

:class:`RecordKind` holds what is the same for every kind of record
(:mod:`abcd.records` declares their fields), on a connection the caller
opened with :meth:`abcd.db.Database.write`, so several kinds can change in
one transaction: an edit names the version it was based on and the check and
the write are one statement (a stale edit raises
:class:`~abcd.errors.ConflictError` and overwrites nothing); every change
writes its history row in the same transaction; a delete is soft and can be
undone; :meth:`RecordKind.data_version` is a cache token that changes with
every write.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Connection, RowMapping, Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from abcd.db import insert_rows
from abcd.errors import ConflictError, NotFoundError
from abcd.records import (
    HistoryEntry,
    StoredAttribute,
    Versioned,
    declared_fields,
    field_info,
    iso_utc,
    stored_attributes,
)

R = TypeVar("R", bound=Versioned)

# The JSON of history snapshots: json.dumps(..., ensure_ascii=False), its encoder made once.
_JSON = json.JSONEncoder(ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Messages:
    """The catalogue keys a kind of record uses for "no such record", "already deleted", "not deleted" and "taken"."""

    not_found: str = "error.not_found"
    deleted: str = "error.deleted"
    not_deleted: str = "error.not_deleted"
    duplicate: str = "error.id_taken"


@dataclass(frozen=True)
class RecordKind(Generic[R]):
    """One kind of versioned record: its type, table and history table, and how to name it in messages.

    ``key`` is the record's identity attribute and column (``id``,
    ``username``); ``history_key`` the column of the history table that
    points at it. ``name_of`` names a record in a conflict message.
    """

    record_type: type[R]
    table: Table
    history: Table
    history_key: str
    name_of: Callable[[Any], str]
    key: str = "id"
    messages: Messages = Messages()

    # ---------------------------------------------------------- mapping
    @cached_property
    def _columns(self) -> tuple[StoredAttribute, ...]:
        return stored_attributes(self._type, self.key)

    @property
    def _type(self) -> Any:  # the record type as a cache key
        return self.record_type

    @cached_property
    def tracked(self) -> tuple[str, ...]:
        """The fields kept in history, in declaration order."""
        return tuple(f.name for f in declared_fields(self._type) if field_info(f).history)

    def new(self, fields: Any, key_value: str, *, by: str, now: dt.datetime) -> R:
        """Version 1 of a record from an object holding its declared fields (a draft)."""
        values = {f.name: getattr(fields, f.name) for f in declared_fields(self._type) if field_info(f).writable}
        values[self.key] = key_value
        return self.record_type(**values, version=1, created_by=by, created_at=now, updated_by=by, updated_at=now)

    def with_fields(self, current: R, fields: Any) -> R:
        """``current`` with the declared fields of ``fields`` (a draft); :meth:`edit` sets the bookkeeping."""
        values = {f.name: getattr(fields, f.name) for f in declared_fields(self._type) if field_info(f).writable}
        return dataclasses.replace(current, **values)

    def to_row(self, record: R) -> dict[str, Any]:
        """The record as column values (columns its owner writes itself are left out)."""
        return {
            c.column: c.codec.to_db(getattr(record, c.field))
            for c in self._columns
            if c.info is None or c.info.writable
        }

    def from_row(self, row: RowMapping | Mapping[str, Any]) -> R:
        """A record from a table row (a ``RowMapping``)."""
        values = {c.field: c.codec.from_db(row[c.column]) for c in self._columns}
        return self.record_type(**values)

    def snapshot(self, record: R) -> dict[str, Any]:
        """The tracked values as JSON-ready data, plus whether the record is deleted."""
        tracked = set(self.tracked)
        data = {
            c.field: c.codec.to_json(getattr(record, c.field))
            for c in self._columns
            if c.info is not None and c.field in tracked
        }
        data["deleted"] = record.is_deleted
        return data

    def from_snapshot(self, current: R, snapshot: Mapping[str, Any]) -> R:
        """``current`` with the tracked values of a history ``snapshot`` (to put an older version back).

        Bookkeeping (version, who, when, deleted) stays ``current``'s: the
        caller writes the result as a new version, so the history goes on.
        """
        tracked = set(self.tracked)
        values = {
            c.field: c.codec.from_json(snapshot[c.field])
            for c in self._columns
            if c.info is not None and c.field in tracked and c.field in snapshot
        }
        return dataclasses.replace(current, **values)

    def history_row(
        self,
        record: R,
        action: str,
        *,
        old: R | None,
        by: str,
        now: dt.datetime,
        snapshot: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The history row of one change: who, when, and the old and new snapshots.

        ``snapshot`` is :meth:`snapshot` of ``record`` when the caller made it
        already (:meth:`insert` makes those of many records a column at a time).
        """
        new = self.snapshot(record) if snapshot is None else snapshot
        return {
            self.history_key: getattr(record, self.key),
            "version": record.version,
            "action": action,
            "changed_by": by,
            "changed_at": iso_utc(now),
            "old_values": _JSON.encode(self.snapshot(old)) if old is not None else None,
            "new_values": _JSON.encode(new),
        }

    # ------------------------------------------------------------- reads
    def _key_column(self) -> ColumnElement[Any]:
        return self.table.c[self.key]

    def get(self, conn: Connection, key: str) -> R:
        """The record ``key``, deleted or not; :class:`NotFoundError` if unknown."""
        row = conn.execute(select(self.table).where(self._key_column() == str(key))).mappings().first()
        if row is None:
            raise NotFoundError(self.messages.not_found, value=key)
        return self.from_row(row)

    def get_many(self, conn: Connection, keys: Iterable[str]) -> dict[str, R]:
        """The stored records (deleted ones too) among ``keys``, by key."""
        wanted = sorted({str(k) for k in keys})
        found: dict[str, R] = {}
        for start in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
            chunk = wanted[start : start + 500]
            rows = conn.execute(select(self.table).where(self._key_column().in_(chunk))).mappings()
            found.update((r[self.key], self.from_row(r)) for r in rows)
        return found

    def entries(self, conn: Connection, key: str) -> list[HistoryEntry]:
        """Every change of ``key``, oldest first."""
        return self.entries_of(conn, [key])

    def entries_of(self, conn: Connection, keys: Iterable[str]) -> list[HistoryEntry]:
        """Every change of each of ``keys``, by key, oldest first (one query per 500 keys)."""
        wanted = sorted({str(k) for k in keys})
        found: list[HistoryEntry] = []
        for start in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
            found.extend(self._entries(conn, wanted[start : start + 500]))
        return found

    def _entries(self, conn: Connection, keys: list[str]) -> list[HistoryEntry]:
        column = self.history.c[self.history_key]
        query = select(self.history).where(column.in_(keys)).order_by(column, self.history.c.version, self.history.c.id)
        tracked = self.tracked
        return [
            HistoryEntry(
                record_id=r[self.history_key],
                version=r["version"],
                action=r["action"],
                changed_by=r["changed_by"],
                changed_at=dt.datetime.fromisoformat(r["changed_at"]),
                old=json.loads(r["old_values"]) if r["old_values"] else None,
                new=json.loads(r["new_values"]) if r["new_values"] else None,
                tracked=tracked,
            )
            for r in conn.execute(query).mappings()
        ]

    def data_version(self, conn: Connection, *where: ColumnElement[bool]) -> str:
        """A token that changes whenever a record (matching ``where``) is added, changed or removed."""
        query = select(func.count(), func.max(self.table.c.updated_at)).select_from(self.table).where(*where)
        count, latest = conn.execute(query).one()
        return f"{count}:{latest}"

    # ------------------------------------------------------------ writes
    def insert(
        self,
        conn: Connection,
        records: Sequence[R],
        *,
        by: str,
        now: dt.datetime,
        extra: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        """Insert new records and their ``create`` history rows, in two bulk statements.

        ``extra`` holds, per record, values of columns the owner writes itself.
        """
        if not records:
            return
        # What to_row and history_row give, built a column at a time and handed to the driver as is
        # (imports insert thousands: SQLAlchemy's per-row processing was most of the time).
        columns = [c.column for c in self._written]
        values = [
            _encoded(c.codec.to_db, v) for c, v in zip(self._written, _fields_of(records, self._written), strict=True)
        ]
        rows = list(zip(*values, strict=True))
        if extra is not None:
            merged = [{**dict(zip(columns, row, strict=True)), **more} for row, more in zip(rows, extra, strict=True)]
            columns = list(merged[0])
            rows = [tuple(row[c] for c in columns) for row in merged]
        self._insert_new_keys(conn, columns, rows, [getattr(r, self.key) for r in records])
        snapshotted = self._snapshotted
        names = [*(c.field for c in snapshotted), "deleted"]
        tracked = [
            _encoded(c.codec.to_json, v) for c, v in zip(snapshotted, _fields_of(records, snapshotted), strict=True)
        ]
        deleted = [r.is_deleted for r in records]
        history = [
            self.history_row(r, "create", old=None, by=by, now=now, snapshot=dict(zip(names, values, strict=True)))
            for r, values in zip(records, zip(*tracked, deleted, strict=True), strict=True)
        ]
        insert_rows(conn, self.history, list(history[0]), [tuple(row.values()) for row in history])

    @cached_property
    def _written(self) -> tuple[StoredAttribute, ...]:
        """The attributes :meth:`to_row` writes, in its order."""
        return tuple(c for c in self._columns if c.info is None or c.info.writable)

    @cached_property
    def _snapshotted(self) -> tuple[StoredAttribute, ...]:
        """The attributes :meth:`snapshot` keeps, in its order (``deleted`` follows them)."""
        tracked = set(self.tracked)
        return tuple(c for c in self._columns if c.info is not None and c.field in tracked)

    def _insert_new_keys(
        self, conn: Connection, columns: Sequence[str], rows: list[tuple[Any, ...]], keys: list[str]
    ) -> None:
        """Insert rows whose keys were looked up as new; a key another transaction added meanwhile is a conflict.

        That race exists on PostgreSQL only: SQLite's writers take turns
        (``BEGIN IMMEDIATE``), so the look-up and the insert see the same data.
        """
        if conn.dialect.name != "postgresql":
            insert_rows(conn, self.table, columns, rows)
            return
        try:
            # A savepoint keeps the transaction usable after a refused insert, to name the key that was taken.
            with conn.begin_nested():
                insert_rows(conn, self.table, columns, rows)
        except IntegrityError:
            taken = sorted(self.get_many(conn, keys))
            if not taken:
                raise
            raise ConflictError(self.messages.duplicate, value=taken[0]) from None

    def change(
        self,
        conn: Connection,
        current: R,
        new: R,
        action: str,
        *,
        by: str,
        now: dt.datetime,
        expected_version: int,
        extra: Mapping[str, Any] | None = None,
    ) -> R:
        """Write ``new`` over ``current`` if the stored version is still ``expected_version``, with its history row.

        The version check and the write are one statement, so two editors of
        the same version cannot both win.
        """
        result = conn.execute(
            update(self.table)
            .where(self._key_column() == getattr(current, self.key), self.table.c.version == expected_version)
            .values(**self.to_row(new), **(extra or {}))
        )
        if result.rowcount != 1:
            raise ConflictError(
                "error.conflict", name=self.name_of(current), stored=current.version, given=expected_version
            )
        conn.execute(insert(self.history).values(**self.history_row(new, action, old=current, by=by, now=now)))
        return new

    def update(
        self,
        conn: Connection,
        current: R,
        fields: Any,
        *,
        by: str,
        now: dt.datetime,
        expected_version: int,
        action: str = "update",
        extra: Mapping[str, Any] | None = None,
    ) -> R:
        """Write the declared fields of ``fields`` (a draft) over ``current`` as its next version."""
        new = dataclasses.replace(
            self.with_fields(current, fields), version=current.version + 1, updated_by=by, updated_at=now
        )
        return self.change(conn, current, new, action, by=by, now=now, expected_version=expected_version, extra=extra)

    def edit(
        self,
        conn: Connection,
        key: str,
        build: Callable[[R], R],
        action: str,
        *,
        by: str,
        now: dt.datetime,
        expected_version: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> R:
        """Read the live record ``key``, build its next version with ``build`` and write it (see :meth:`change`).

        ``expected_version=None`` means "whatever is stored now" (the change
        is decided inside this transaction, so nothing can come between).
        """
        current = self.get(conn, key)
        if current.is_deleted:
            raise NotFoundError(self.messages.deleted, value=key)
        new = dataclasses.replace(build(current), version=current.version + 1, updated_by=by, updated_at=now)
        expected = current.version if expected_version is None else expected_version
        return self.change(conn, current, new, action, by=by, now=now, expected_version=expected, extra=extra)

    def set_deleted(
        self, conn: Connection, key: str, *, deleted: bool, by: str, now: dt.datetime, expected_version: int | None
    ) -> R:
        """Soft-delete (or restore) ``key``: it leaves (or returns to) every list and can be brought back."""
        current = self.get(conn, key)
        if current.is_deleted == deleted:
            raise NotFoundError(self.messages.deleted if deleted else self.messages.not_deleted, value=key)
        new = dataclasses.replace(
            current,
            version=current.version + 1,
            updated_by=by,
            updated_at=now,
            deleted_at=now if deleted else None,
            deleted_by=by if deleted else None,
        )
        expected = current.version if expected_version is None else expected_version
        action = "delete" if deleted else "restore"
        return self.change(conn, current, new, action, by=by, now=now, expected_version=expected)

    def forget_values(self, conn: Connection, key: str, *, by: str, now: dt.datetime) -> None:
        """Blank every old and new value in ``key``'s history and record one ``erase`` row.

        What remains is the pseudonymous key, the actions, who changed it and
        when: the trail of *that* something changed, without *what*.
        """
        conn.execute(
            update(self.history).where(self.history.c[self.history_key] == key).values(old_values=None, new_values=None)
        )
        last = conn.execute(
            select(func.max(self.history.c.version)).where(self.history.c[self.history_key] == key)
        ).scalar_one()
        conn.execute(
            insert(self.history).values(
                **{self.history_key: key},
                version=(last or 0) + 1,
                action="erase",
                changed_by=by,
                changed_at=iso_utc(now),
                old_values=None,
                new_values=None,
            )
        )


def _fields_of(records: Sequence[Any], attributes: Sequence[StoredAttribute]) -> list[Sequence[Any]]:
    """The values of ``attributes`` of every record, a column (one list per attribute) at a time."""
    if len(attributes) == 1:
        return [[getattr(r, attributes[0].field) for r in records]]
    return list(zip(*map(operator.attrgetter(*(c.field for c in attributes)), records), strict=True))


def _encoded(encode: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    """``encode`` of every value; times, dates, codes and sets (they repeat in a column) encoded once each.

    ``encode`` is a codec of :mod:`abcd.records`: it gives equal values of
    these types the same encoding (a moment as UTC text whatever its zone, a
    set sorted). Other values are encoded one by one: equal numbers may differ
    (``0.0 == -0.0``, ``1.0 == 1.00``), and text is cheap.

    >>> import datetime as dt
    >>> _encoded(dt.date.isoformat, [dt.date(2026, 1, 2)] * 2)
    ['2026-01-02', '2026-01-02']
    """
    kinds = set(map(type, values))
    repeating = {k for k in kinds if k in (dt.datetime, dt.date, frozenset) or issubclass(k, enum.Enum)}
    if not repeating:
        return list(map(encode, values))
    if len(kinds - {type(None)}) == 1:  # one type (and None): a table of the distinct values
        table = {value: encode(value) for value in dict.fromkeys(values)}
        return list(map(table.__getitem__, values))
    memo: dict[tuple[type, Any], Any] = {}
    out = []
    for value in values:
        kind = type(value)
        if kind in repeating:
            key = (kind, value)
            out.append(memo[key] if key in memo else memo.setdefault(key, encode(value)))
        else:
            out.append(encode(value))
    return out


__all__ = ["Messages", "RecordKind"]
