"""Meeting-place investment: the vocabulary, the records and their validation.

Per wijk the municipality invests in ONE *standard* meeting place
(ontmoetingsplek) and, beside it, makes room with money and space for small
meeting places residents start themselves (buurthuisjes). An
:class:`Investment` records one contribution to one meeting place, an asset of
category ``meeting_place`` whose ``meeting_place_role`` is ``standard``,
``resident`` or ``other``.

Amounts are integer cents from the moment they are read
(:mod:`abcd.investments.amounts`); :mod:`abcd.investments.summary` does the
accounting and :mod:`abcd.investments.ledger` stores them.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
import uuid
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from abcd._cells import is_blank
from abcd.errors import AbcdError, ValidationError
from abcd.i18n import Lang, Term, t
from abcd.investments.amounts import eur_from_cents, parse_amount, parse_quantity
from abcd.records import Versioned, declared, declared_fields, record

NOTE_MAX = 1000
MAX_SPACE_M2 = 100_000
MAX_HOURS_PER_WEEK = 168  # every hour of the week
FIRST_DATE = dt.date(1950, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)


class Funder(StrEnum):
    """Who paid or gave the space; the values are stable codes used in files and the database."""

    GEMEENTE = "gemeente"
    WONINGCORPORATIE = "woningcorporatie"
    FONDS = "fonds"
    BEWONERS = "bewoners"
    ANDERS = "anders"

    def label(self, lang: Lang = "nl") -> str:
        return t(f"funder.{self.value}", lang)


class Kind(StrEnum):
    """A one-off contribution, or one year's instalment of a yearly one (see the module docstring)."""

    EENMALIG = "eenmalig"
    JAARLIJKS = "jaarlijks"

    def label(self, lang: Lang = "nl") -> str:
        return t(f"kind.{self.value}", lang)


class Level(StrEnum):
    """A level of wijken that partitions the city; averages are only taken within one level."""

    WIJK = "wijk"  # Rotterdam's wijken: BoTu, and elsewhere the CBS buurt
    CBS_WIJK = "cbs_wijk"
    CBS_BUURT = "cbs_buurt"

    def label(self, lang: Lang = "nl") -> str:
        return t(f"level.{self.value}", lang)


# ------------------------------------------------------------------ records
@record(kw_only=False)
class InvestmentFields:
    """What an investment records, declared once (see :mod:`abcd.records`)."""

    meeting_place_id: str = declared(max_length=36, references="assets.id", on_delete="CASCADE")
    date: dt.date = declared()
    amount_cents: int = declared(big=True)
    funder: Funder = declared(max_length=30)
    kind: Kind = declared(default=Kind.EENMALIG, max_length=20)
    space_m2: float | None = declared(default=None)
    hours_per_week: float | None = declared(default=None)
    note: str = declared(default="", long_text=True)

    @property
    def amount_eur(self) -> Decimal:
        return eur_from_cents(self.amount_cents)


@record(kw_only=False)
class InvestmentDraft(InvestmentFields):
    """A validated investment as a user or a file supplies it (no bookkeeping yet)."""

    id: str | None = None


@record
class Investment(Versioned, InvestmentFields):
    """A stored investment: its fields plus identity, version and who changed it when."""

    id: str

    def draft(self, **changes: Any) -> InvestmentDraft:
        """An editable draft of this investment with ``changes`` applied (not validated)."""
        values = {f.name: getattr(self, f.name) for f in declared_fields(InvestmentFields)}
        return replace(InvestmentDraft(**values, id=self.id), **changes)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: Any, *, field: str = "date") -> dt.date:
    """An ISO date (``2024-03-01``); ``01-03-2024`` and ``2024/3/1`` are refused rather than guessed.

    >>> parse_date(" 2024-03-01 ")
    datetime.date(2024, 3, 1)
    """
    if is_blank(value):
        raise ValidationError("error.required", field=Term(f"field.{field}"))
    if isinstance(value, dt.datetime):  # pandas Timestamps too
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        text = str(value).strip()
        try:
            if not _ISO_DATE.fullmatch(text):
                raise ValueError(text)
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationError("error.bad_date", field=Term(f"field.{field}"), value=value) from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValidationError(
            "error.date_range",
            field=Term(f"field.{field}"),
            value=day.isoformat(),
            min=FIRST_DATE.isoformat(),
            max=LAST_DATE.isoformat(),
        )
    return day


def check_year(year: int | None) -> int | None:
    """``year`` if it is a plausible ledger year (or ``None`` for all years)."""
    if year is None:
        return None
    if (
        isinstance(year, bool)
        or not isinstance(year, numbers.Integral)
        or not (FIRST_DATE.year <= int(year) <= LAST_DATE.year)
    ):
        raise ValidationError(
            "error.date_range", field=Term("field.year"), value=year, min=FIRST_DATE.year, max=LAST_DATE.year
        )
    return int(year)


def _choice(enum: type[StrEnum], field: str, value: Any) -> Any:
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ValidationError("error.choice", field=Term(f"field.{field}"), value=value, allowed=allowed) from None


def _uuid(value: Any, *, field: str) -> str:
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        raise ValidationError("error.bad_uuid", field=Term(f"field.{field}"), value=value) from None


_PLACE_ERRORS = frozenset(
    {
        "error.meeting_place_unknown_id",
        "error.not_a_meeting_place",
        "error.meeting_place_deleted",
        "error.meeting_place_example",
    }
)


def error_field(error: AbcdError) -> str | None:
    """The key of :func:`validate_investment`'s input an error is about, so a form can show it there.

    ``None``: about the entry as a whole (a conflict, a repeated entry).

    >>> error_field(ValidationError("error.required", field=Term("field.amount_eur")))
    'amount_eur'
    >>> error_field(ValidationError("error.nothing_given")), error_field(AbcdError("error.investment_repeated"))
    ('amount_eur', None)
    """
    if error.key == "error.nothing_given":
        return "amount_eur"
    if error.key in _PLACE_ERRORS:
        return "meeting_place_id"
    field = str(error.params.get("field", "")).removeprefix("field.")
    if field in ("meeting_place", "meeting_place_id"):
        return "meeting_place_id"
    return field if field in _RAW_KEYS else None


_RAW_KEYS = frozenset({"date", "amount_eur", "funder", "kind", "space_m2", "hours_per_week", "note"})


def validate_investment(raw: Mapping[str, Any], *, euro_field: bool = False) -> InvestmentDraft:
    """Check raw input (a form, a file row) and return a clean :class:`InvestmentDraft`.

    ``raw`` holds ``meeting_place_id``, ``date``, ``amount_eur`` and ``funder``,
    and optionally ``kind`` (default ``eenmalig``), ``space_m2``,
    ``hours_per_week``, ``note`` and ``id``. The amount may be left out when
    space or hours are given in kind (it is then zero); an entry of nothing
    at all is refused. Whether the meeting place exists is the ledger's check.
    ``euro_field``: the amount was typed into a field in euros (a form), so
    ``25.000`` is 25,000 euros (:func:`~abcd.investments.amounts.parse_amount`).

    >>> d = validate_investment({"meeting_place_id": "8d3c1f0e-54a4-4d55-9a59-6c0d39b1f0aa",
    ...                          "date": "2024-03-01", "amount_eur": "25.000,00", "funder": "Gemeente"})
    >>> d.amount_cents, d.funder.value, d.kind.value
    (2500000, 'gemeente', 'eenmalig')
    """
    place = raw.get("meeting_place_id")
    if is_blank(place):
        raise ValidationError("error.required", field=Term("field.meeting_place"))
    place_id = _uuid(place, field="meeting_place_id")
    day = parse_date(raw.get("date"))
    space = parse_quantity(raw.get("space_m2"), field="space_m2", maximum=MAX_SPACE_M2)
    hours = parse_quantity(raw.get("hours_per_week"), field="hours_per_week", maximum=MAX_HOURS_PER_WEEK)
    amount = raw.get("amount_eur")
    cents = 0 if is_blank(amount) and (space or hours) else parse_amount(amount, euro_field=euro_field)
    if cents == 0 and not space and not hours:
        raise ValidationError("error.nothing_given")
    funder_value = raw.get("funder")
    if is_blank(funder_value):
        raise ValidationError("error.required", field=Term("field.funder"))
    funder: Funder = _choice(Funder, "funder", funder_value)
    kind_value = raw.get("kind")
    kind: Kind = Kind.EENMALIG if is_blank(kind_value) else _choice(Kind, "kind", kind_value)
    note = "" if is_blank(raw.get("note")) else str(raw.get("note")).strip()
    if len(note) > NOTE_MAX:
        raise ValidationError("error.too_long", field=Term("field.note"), length=len(note), max=NOTE_MAX)
    investment_id = None if is_blank(raw.get("id")) else _uuid(raw.get("id"), field="id")
    return InvestmentDraft(
        meeting_place_id=place_id,
        date=day,
        amount_cents=cents,
        funder=funder,
        kind=kind,
        space_m2=space,
        hours_per_week=hours,
        note=note,
        id=investment_id,
    )
