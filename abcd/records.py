"""Versioned records: one mechanism for assets, investments and accounts.

A versioned record is a frozen dataclass in two parts. Its own fields are
declared once, with :func:`declared`, on a ``...Fields`` class (what a user or
a file says: a name, a category, an amount); :class:`Versioned` adds the
bookkeeping every record shares (a version, who created and last changed it
and when, and a soft delete). From that one declaration follow:

- the table's columns (:func:`declared_columns`, used by :mod:`abcd.schema`),
- the row mapping in both directions and the history snapshot
  (:class:`RecordKind`),
- the interchange columns of files and exports (:func:`interchange_fields`).

:class:`RecordKind` holds what is the same for every kind of record, on a
connection the caller opened with :meth:`abcd.db.Database.write` (so several
kinds can change in one transaction): an edit names the version it was based
on and the check and the write are one statement (a stale edit raises
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
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property
from typing import Any, Generic, TypeVar, dataclass_transform, overload

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, Connection, RowMapping, Table, func, insert, select, update

from abcd.errors import ConflictError, NotFoundError

_META_KEY = "abcd"


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """What the table, the history and the files need to know about one declared field.

    ``max_length`` is both the column's length and the longest value
    validation accepts; ``long_text`` makes an unbounded text column and
    ``big`` a 64-bit integer one.
    ``history=False`` keeps a value out of history snapshots (operational
    state, credentials); ``writable=False`` marks a column its owning module
    updates with its own statements (a login counter), so a record update never
    writes a stale copy of it. ``interchange`` and ``private`` say whether the
    field travels in import/export files, and whether only on request.
    ``form`` says where a person enters it in the app: ``"edit"`` (when adding
    and when editing), ``"add"`` (only when adding) or ``"none"`` (the app or a
    file sets it); ``tests/test_records.py`` holds the pages to it.
    """

    max_length: int | None = None
    long_text: bool = False
    big: bool = False
    references: str | None = None  # a foreign key, "table.column"
    on_delete: str | None = None  # what the database does to this row when the referenced one goes
    history: bool = True
    writable: bool = True
    interchange: bool = True
    private: bool = False
    form: str = "edit"


def declared(*, default: Any = dataclasses.MISSING, repr: bool = True, **info: Any) -> Any:
    """A dataclass field with its :class:`FieldInfo` (see the module docstring).

    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True, kw_only=True)
    ... class PlaceFields:
    ...     name: str = declared(max_length=50)
    >>> [(f.name, field_info(f).max_length) for f in declared_fields(PlaceFields)]
    [('name', 50)]
    """
    return field(default=default, repr=repr, metadata={_META_KEY: FieldInfo(**info)})


def field_info(f: dataclasses.Field[Any]) -> FieldInfo:
    """The :class:`FieldInfo` of a declared field."""
    info = f.metadata.get(_META_KEY)
    if not isinstance(info, FieldInfo):
        msg = f"{f.name} is not a declared field"
        raise TypeError(msg)
    return info


T = TypeVar("T")


@overload
def record(cls: type[T], /) -> type[T]: ...
@overload
def record(*, kw_only: bool = True) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(dataclasses.field, declared))
def record(cls: type[T] | None = None, /, *, kw_only: bool = True) -> Any:
    """Make ``cls`` a frozen dataclass whose :func:`declared` fields type checkers understand.

    Fields are keyword-only unless ``kw_only=False`` (for records whose
    fields have a natural order, such as an investment's place, date and amount).
    """

    def wrap(c: type[T]) -> type[T]:
        return dataclass(frozen=True, kw_only=kw_only)(c)

    return wrap if cls is None else wrap(cls)


@cache
def declared_fields(cls: Any) -> tuple[dataclasses.Field[Any], ...]:
    """The declared fields of a dataclass (and its bases), in declaration order."""
    return tuple(f for f in dataclasses.fields(cls) if _META_KEY in f.metadata)


def interchange_fields(cls: Any, *, private: bool = False) -> tuple[str, ...]:
    """Names of the declared fields that travel in files; private ones only when asked."""
    return tuple(
        f.name for f in declared_fields(cls) if field_info(f).interchange and (private or not field_info(f).private)
    )


@dataclass(frozen=True, kw_only=True)
class Versioned:
    """Bookkeeping every stored record carries: version, who and when, soft delete."""

    version: int
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime
    deleted_at: dt.datetime | None = None
    deleted_by: str | None = None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


BOOKKEEPING: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Versioned))
ACTOR_MAX = 100  # length of created_by / updated_by / deleted_by / changed_by
STAMP_MAX = 32  # an ISO-8601 UTC time to the microsecond


# ----------------------------------------------------------------- values
def utcnow() -> dt.datetime:
    """The current time in UTC, to the microsecond."""
    return dt.datetime.now(dt.UTC)


def iso_utc(moment: dt.datetime) -> str:
    """A moment as stored: ISO-8601 in UTC to the microsecond (sorts and round-trips exactly).

    >>> iso_utc(dt.datetime(2026, 7, 1, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))))
    '2026-07-01T12:00:00.000000+00:00'
    """
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def from_iso(text: str | None) -> dt.datetime | None:
    """The inverse of :func:`iso_utc`; ``None`` stays ``None``."""
    return dt.datetime.fromisoformat(text) if text else None


def plain_value(value: Any) -> Any:
    """A field's value as a frame or file cell: codes for enums, ISO text for times, the rest as is."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return iso_utc(value)
    return value


@dataclass(frozen=True, slots=True)
class _Codec:
    """How one Python type is kept in a column and in a history snapshot."""

    to_db: Callable[[Any], Any]
    from_db: Callable[[Any], Any]
    to_json: Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _wijken_text(value: frozenset[str]) -> str:
    return ",".join(sorted(value))


def _wijken_set(value: str | None) -> frozenset[str]:
    return frozenset(s.strip() for s in (value or "").split(",") if s.strip())


def _optional(codec: _Codec) -> _Codec:
    return _Codec(
        to_db=lambda v: None if v is None else codec.to_db(v),
        from_db=lambda v: None if v is None else codec.from_db(v),
        to_json=lambda v: None if v is None else codec.to_json(v),
    )


def _codec_for(hint: Any) -> _Codec:
    """The codec of a field's type hint (``X | None`` is X that may be missing)."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in args:
        (inner,) = (a for a in args if a is not type(None))
        return _optional(_codec_for(inner))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _Codec(to_db=lambda v: v.value, from_db=hint, to_json=lambda v: v.value)
    if hint is bool:
        return _Codec(to_db=bool, from_db=bool, to_json=bool)
    if hint is int:
        return _Codec(to_db=int, from_db=int, to_json=int)
    if hint is float:
        return _Codec(to_db=float, from_db=float, to_json=float)
    if hint is str:
        return _Codec(to_db=_identity, from_db=_identity, to_json=_identity)
    if hint is dt.date:
        return _Codec(to_db=dt.date.isoformat, from_db=dt.date.fromisoformat, to_json=dt.date.isoformat)
    if hint is dt.datetime:
        return _Codec(to_db=iso_utc, from_db=dt.datetime.fromisoformat, to_json=iso_utc)
    if hint is Decimal:
        return _Codec(to_db=str, from_db=Decimal, to_json=str)
    if hint is BaseGeometry:
        return _Codec(to_db=shapely.to_wkb, from_db=shapely.from_wkb, to_json=lambda g: g.wkt)
    if typing.get_origin(hint) is frozenset:
        return _Codec(to_db=_wijken_text, from_db=_wijken_set, to_json=lambda v: sorted(v))
    msg = f"no column type for {hint!r}"
    raise TypeError(msg)


def column_name(f: dataclasses.Field[Any], hint: Any) -> str:
    """The column of a declared field: its name, with ``_wkb`` for a geometry."""
    return f"{f.name}_wkb" if _base_type(hint) is BaseGeometry else f.name


def _base_type(hint: Any) -> Any:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return hint


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@dataclass(frozen=True, slots=True)
class _Column:
    field: str
    column: str
    codec: _Codec
    info: FieldInfo | None


@cache
def _columns(cls: Any, key: str) -> tuple[_Column, ...]:
    """Every stored attribute of a record type: its key, declared fields and bookkeeping."""
    hints = _hints(cls)
    out = [_Column(key, key, _codec_for(hints[key]), None)]
    for f in declared_fields(cls):
        out.append(_Column(f.name, column_name(f, hints[f.name]), _codec_for(hints[f.name]), field_info(f)))
    out.extend(_Column(name, name, _codec_for(hints[name]), None) for name in BOOKKEEPING)
    return tuple(out)


def field_types(cls: Any) -> dict[str, Any]:
    """Every declared field of ``cls`` with its type (``X`` for ``X | None``).

    >>> from abcd.model import AssetFields
    >>> field_types(AssetFields)["resident_led"]
    <class 'bool'>
    """
    hints = _hints(cls)
    return {f.name: _base_type(hints[f.name]) for f in declared_fields(cls)}


def declared_columns(cls: type) -> list[tuple[str, Any, FieldInfo, bool]]:
    """``(column, base type, info, nullable)`` for every declared field of ``cls``, for building its table."""
    hints = _hints(cls)
    out = []
    for f in declared_fields(cls):
        hint = hints[f.name]
        nullable = _base_type(hint) is not hint
        out.append((column_name(f, hint), _base_type(hint), field_info(f), nullable))
    return out


# ---------------------------------------------------------------- history
@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One change of a record: who did what when, with the old and new values of its tracked fields."""

    record_id: str
    version: int
    action: str
    changed_by: str
    changed_at: dt.datetime
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    tracked: tuple[str, ...] = ()

    def changed_fields(self) -> list[str]:
        """Fields whose value differs between old and new (``deleted`` for a delete or restore)."""
        old, new = self.old or {}, self.new or {}
        return [k for k in (*self.tracked, "deleted") if old.get(k) != new.get(k)]


R = TypeVar("R", bound=Versioned)


@dataclass(frozen=True)
class RecordKind(Generic[R]):
    """One kind of versioned record: its type, table and history table, and the words for its errors.

    ``key`` is the record's identity attribute and column (``id``,
    ``username``); ``history_key`` the column of the history table that
    points at it. ``name_of`` names a record in a conflict message.
    """

    record_type: type[R]
    table: Table
    history: Table
    key: str
    history_key: str
    not_found: str
    deleted: str
    not_deleted: str
    name_of: Callable[[Any], str]

    # ---------------------------------------------------------- mapping
    @cached_property
    def _columns(self) -> tuple[_Column, ...]:
        return _columns(self._type, self.key)

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

    def history_row(self, record: R, action: str, *, old: R | None, by: str, now: dt.datetime) -> dict[str, Any]:
        """The history row of one change: who, when, and the old and new snapshots."""
        return {
            self.history_key: getattr(record, self.key),
            "version": record.version,
            "action": action,
            "changed_by": by,
            "changed_at": iso_utc(now),
            "old_values": json.dumps(self.snapshot(old), ensure_ascii=False) if old is not None else None,
            "new_values": json.dumps(self.snapshot(record), ensure_ascii=False),
        }

    # ------------------------------------------------------------- reads
    def _key_column(self) -> ColumnElement[Any]:
        return self.table.c[self.key]

    def get(self, conn: Connection, key: str) -> R:
        """The record ``key``, deleted or not; :class:`NotFoundError` if unknown."""
        row = conn.execute(select(self.table).where(self._key_column() == str(key))).mappings().first()
        if row is None:
            raise NotFoundError(self.not_found, value=key)
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
        query = (
            select(self.history)
            .where(self.history.c[self.history_key] == key)
            .order_by(self.history.c.version, self.history.c.id)
        )
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
        rows = [self.to_row(r) for r in records]
        if extra is not None:
            rows = [{**row, **more} for row, more in zip(rows, extra, strict=True)]
        conn.execute(insert(self.table), rows)
        conn.execute(insert(self.history), [self.history_row(r, "create", old=None, by=by, now=now) for r in records])

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
            raise NotFoundError(self.deleted, value=key)
        new = dataclasses.replace(build(current), version=current.version + 1, updated_by=by, updated_at=now)
        expected = current.version if expected_version is None else expected_version
        return self.change(conn, current, new, action, by=by, now=now, expected_version=expected, extra=extra)

    def set_deleted(
        self, conn: Connection, key: str, *, deleted: bool, by: str, now: dt.datetime, expected_version: int | None
    ) -> R:
        """Soft-delete (or restore) ``key``: it leaves (or returns to) every list and can be brought back."""
        current = self.get(conn, key)
        if current.is_deleted == deleted:
            raise NotFoundError(self.deleted if deleted else self.not_deleted, value=key)
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


__all__ = [
    "BOOKKEEPING",
    "FieldInfo",
    "HistoryEntry",
    "RecordKind",
    "Versioned",
    "declared",
    "declared_columns",
    "declared_fields",
    "field_info",
    "field_types",
    "from_iso",
    "interchange_fields",
    "iso_utc",
    "plain_value",
    "record",
    "utcnow",
]
