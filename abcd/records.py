"""Records declared once: the fields of assets, investments and accounts, and what follows from them.

A stored record is a frozen dataclass in two parts. Its own fields are
declared once, with :func:`declared`, on a ``...Fields`` class (what a user or
a file says: a name, a category, an amount); :class:`Versioned` adds the
bookkeeping every record shares (a version, who created and last changed it
and when, and a soft delete). From that one declaration follow:

- the table's columns (:func:`declared_columns`, used by :mod:`abcd.schema`),
- the row mapping in both directions and the history snapshot
  (:func:`stored_attributes`, used by :mod:`abcd.versioned`),
- the interchange columns of files and exports (:func:`interchange_fields`).

Nothing here touches a database, so reading a file or running an analysis
can use the record types without loading the database layer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar, dataclass_transform, overload

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
    if isinstance(value, frozenset):  # a set of codes: one cell, sorted (``groen,zwerfvuil``)
        return ",".join(sorted(value))
    return value


def _identity_json(value: Any) -> Any:
    return value


@dataclass(frozen=True, slots=True)
class _Codec:
    """How one Python type is kept in a column and in a history snapshot."""

    to_db: Callable[[Any], Any]
    from_db: Callable[[Any], Any]
    to_json: Callable[[Any], Any]
    from_json: Callable[[Any], Any] = _identity_json  # back from a history snapshot (undoing a change)


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
        from_json=lambda v: None if v is None else codec.from_json(v),
    )


def _codec_for(hint: Any) -> _Codec:
    """The codec of a field's type hint (``X | None`` is X that may be missing)."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in args:
        (inner,) = (a for a in args if a is not type(None))
        return _optional(_codec_for(inner))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _Codec(to_db=lambda v: v.value, from_db=hint, to_json=lambda v: v.value, from_json=hint)
    if hint is bool:
        return _Codec(to_db=bool, from_db=bool, to_json=bool)
    if hint is int:
        return _Codec(to_db=int, from_db=int, to_json=int)
    if hint is float:
        return _Codec(to_db=float, from_db=float, to_json=float)
    if hint is str:
        return _Codec(to_db=_identity, from_db=_identity, to_json=_identity)
    if hint is dt.date:
        return _Codec(
            to_db=dt.date.isoformat,
            from_db=dt.date.fromisoformat,
            to_json=dt.date.isoformat,
            from_json=dt.date.fromisoformat,
        )
    if hint is dt.datetime:
        return _Codec(
            to_db=iso_utc, from_db=dt.datetime.fromisoformat, to_json=iso_utc, from_json=dt.datetime.fromisoformat
        )
    if hint is Decimal:
        return _Codec(to_db=str, from_db=Decimal, to_json=str, from_json=Decimal)
    if _is_geometry(hint):
        import shapely

        return _Codec(
            to_db=shapely.to_wkb, from_db=shapely.from_wkb, to_json=lambda g: g.wkt, from_json=shapely.from_wkt
        )
    if typing.get_origin(hint) is frozenset:
        return _Codec(to_db=_wijken_text, from_db=_wijken_set, to_json=lambda v: sorted(v), from_json=frozenset)
    msg = f"no column type for {hint!r}"
    raise TypeError(msg)


def _is_geometry(hint: Any) -> bool:
    # Only shapely makes shapely types, so its own module check needs no shapely import.
    return isinstance(hint, type) and hint.__module__.startswith("shapely.") and hint.__name__ == "BaseGeometry"


def column_name(f: dataclasses.Field[Any], hint: Any) -> str:
    """The column of a declared field: its name, with ``_wkb`` for a geometry."""
    return f"{f.name}_wkb" if _is_geometry(_base_type(hint)) else f.name


def _base_type(hint: Any) -> Any:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return hint


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@dataclass(frozen=True, slots=True)
class StoredAttribute:
    """One attribute of a stored record: its field, its column and how its values are kept."""

    field: str
    column: str
    codec: _Codec
    info: FieldInfo | None


@cache
def stored_attributes(cls: Any, key: str) -> tuple[StoredAttribute, ...]:
    """Every stored attribute of a record type: its key, declared fields and bookkeeping."""
    hints = _hints(cls)
    out = [StoredAttribute(key, key, _codec_for(hints[key]), None)]
    for f in declared_fields(cls):
        out.append(StoredAttribute(f.name, column_name(f, hints[f.name]), _codec_for(hints[f.name]), field_info(f)))
    out.extend(StoredAttribute(name, name, _codec_for(hints[name]), None) for name in BOOKKEEPING)
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


__all__ = [
    "BOOKKEEPING",
    "FieldInfo",
    "HistoryEntry",
    "StoredAttribute",
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
    "stored_attributes",
    "utcnow",
]
