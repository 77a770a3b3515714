"""Connections between assets: the vocabulary, the record and which categories each kind joins.

ABCD is about connections: a resident is a member of a club, a club meets at a
place, an institution supports an initiative, a story is about a place. A
:class:`Connection` records one such tie, from one asset to another, with a
kind; ``other`` takes a short note saying what it is. The rules of
:data:`ALLOWED` follow ABCD practice (associations, the institutions that
support them, the places they meet in, the gifts of their people); a tie that
fits none of them is ``works_with`` (any two) or ``other``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Final

from abcd._cells import is_blank
from abcd.errors import ValidationError
from abcd.i18n import Lang, Term, t
from abcd.model import Category, check_text
from abcd.records import Versioned, declared, record

NOTE_MAX: Final = 300


class ConnectionKind(StrEnum):
    """The kinds of tie; the values are stable codes used in files and the database."""

    MEMBER_OF = "member_of"
    MEETS_AT = "meets_at"
    SUPPORTS = "supports"
    ORGANISED_BY = "organised_by"
    ABOUT = "about"
    WORKS_WITH = "works_with"
    OTHER = "other"

    def label(self, lang: Lang = "nl") -> str:
        """The kind as a reader of ``lang`` says it ("is lid van")."""
        return t(f"connection.kind.{self.value}", lang)


_ANY = frozenset(Category)
ALLOWED: Final[Mapping[ConnectionKind, tuple[frozenset[Category], frozenset[Category]]]] = {
    ConnectionKind.MEMBER_OF: (frozenset({Category.PERSON, Category.ASSOCIATION}), frozenset({Category.ASSOCIATION})),
    ConnectionKind.MEETS_AT: (
        frozenset({Category.ASSOCIATION, Category.INITIATIVE}),
        frozenset({Category.MEETING_PLACE, Category.PLACE}),
    ),
    ConnectionKind.SUPPORTS: (
        frozenset({Category.INSTITUTION, Category.BUSINESS, Category.ASSOCIATION}),
        frozenset({Category.INITIATIVE, Category.ASSOCIATION}),
    ),
    ConnectionKind.ORGANISED_BY: (frozenset({Category.INITIATIVE}), frozenset({Category.ASSOCIATION, Category.PERSON})),
    ConnectionKind.ABOUT: (frozenset({Category.STORY}), _ANY),
    ConnectionKind.WORKS_WITH: (_ANY, _ANY),
    ConnectionKind.OTHER: (_ANY, _ANY),
}
"""Per kind: the categories it may come from and go to."""


@record
class ConnectionFields:
    """What a connection records, declared once (see :mod:`abcd.records`)."""

    from_id: str = declared(max_length=36, references="assets.id", on_delete="CASCADE")
    to_id: str = declared(max_length=36, references="assets.id", on_delete="CASCADE")
    kind: ConnectionKind = declared(max_length=20)
    note: str = declared(default="", max_length=NOTE_MAX)


@record
class ConnectionDraft(ConnectionFields):
    """A validated connection as a user or a file gives it; ``id`` when a file names the one it is."""

    id: str | None = None


@record
class Connection(Versioned, ConnectionFields):
    """A stored connection with its identity, version and who changed it when."""

    id: str

    def other(self, asset_id: str) -> str:
        """The asset at the other end from ``asset_id``."""
        return self.to_id if self.from_id == asset_id else self.from_id


def _asset_id(value: Any, field: Term) -> str:
    if is_blank(value):
        raise ValidationError("error.required", field=field)
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        raise ValidationError("error.bad_uuid", field=field, value=value) from None


def validate_connection(raw: Mapping[str, Any], categories: Mapping[str, Category]) -> ConnectionDraft:
    """Check a connection (``from_id``, ``to_id``, ``kind``, ``note``, ``id``) against the assets' categories.

    ``categories`` maps the ids of the live assets a connection may join to
    their category; an id not in it is refused (unknown, deleted or out of
    the user's sight).

    >>> a, b = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
    >>> d = validate_connection({"from_id": a, "to_id": b, "kind": "Meets_At "},
    ...                         {a: Category.ASSOCIATION, b: Category.MEETING_PLACE})
    >>> d.kind.value
    'meets_at'
    """
    from_id = _asset_id(raw.get("from_id"), Term("field.from_id"))
    to_id = _asset_id(raw.get("to_id"), Term("field.to_id"))
    if from_id == to_id:
        raise ValidationError("error.connection_self", value=from_id)
    value = raw.get("kind")
    if is_blank(value):
        raise ValidationError("error.required", field=Term("field.kind_of_connection"))
    try:
        kind = ConnectionKind(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(k.value for k in ConnectionKind)
        raise ValidationError(
            "error.choice", field=Term("field.kind_of_connection"), value=value, allowed=allowed
        ) from None
    for asset_id in (from_id, to_id):
        if asset_id not in categories:
            raise ValidationError("error.linked_not_found", value=asset_id)
    sources, targets = ALLOWED[kind]
    if categories[from_id] not in sources or categories[to_id] not in targets:
        raise ValidationError(
            "error.connection_categories",
            kind=kind.value,
            source=categories[from_id].value,
            target=categories[to_id].value,
            sources=", ".join(sorted(c.value for c in sources)),
            targets=", ".join(sorted(c.value for c in targets)),
        )
    note = " ".join(str(raw.get("note") or "").split())
    check_text(note, field=Term("field.note_of_connection"), maximum=NOTE_MAX)
    if kind is ConnectionKind.OTHER and not note:
        raise ValidationError("error.connection_note")
    connection_id = None if is_blank(raw.get("id")) else _asset_id(raw.get("id"), Term("field.id"))
    return ConnectionDraft(from_id=from_id, to_id=to_id, kind=kind, note=note, id=connection_id)


__all__ = [
    "ALLOWED",
    "NOTE_MAX",
    "Connection",
    "ConnectionDraft",
    "ConnectionFields",
    "ConnectionKind",
    "validate_connection",
]
