"""Money and quantities read strictly: the ways people write euros in a Dutch spreadsheet, nothing guessed.

Money is exact. Amounts are integer cents from the moment they are read:
:func:`parse_amount` accepts the ways people write euros in a Dutch
spreadsheet and refuses every form it could misread (``1.234`` may be
one thousand two hundred and thirty-four euros or one euro and 23.4 cents).
Space and hours given in kind are measurements, not money, and are plain floats.
"""

from __future__ import annotations

import numbers
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from abcd._cells import is_blank
from abcd.errors import ValidationError
from abcd.i18n import Lang, Term, formats

MAX_AMOUNT_CENTS = 100_000_000_000  # EUR 1 billion: larger is a typing error, not a meeting place

CENT = Decimal("0.01")


def eur_from_cents(cents: int) -> Decimal:
    """Cents as exact euros with two decimals.

    >>> eur_from_cents(2500050)
    Decimal('25000.50')
    """
    return Decimal(int(cents)).scaleb(-2)


def format_eur(euros: Decimal | int, lang: Lang = "nl") -> str:
    """Euros the way a reader of ``lang`` writes them (``int`` means whole euros).

    >>> format_eur(Decimal("25000.5"), "nl"), format_eur(Decimal("25000.5"), "en")
    ('€ 25.000,50', '€25,000.50')
    """
    return formats.format_eur(euros, lang)


def format_number(value: float | Decimal | None, lang: Lang = "nl", *, digits: int = 2) -> str:
    """A figure such as "initiatives per 1,000 residents" with ``lang``'s decimal mark; ``–`` when unknown.

    >>> format_number(0.8, "nl"), format_number(1234.5, "en"), format_number(None)
    ('0,80', '1,234.50', '–')
    """
    return formats.format_number(value, lang, digits=digits)


_CURRENCY = re.compile(r"^(?:€|eur(?:o|os)?\b)\s*|\s*(?:€|eur(?:o|os)?)$", re.IGNORECASE)
_WHOLE_EUROS = re.compile(r",[-\u2013]{1,2}$")  # "25.000,-": Dutch for "and no cents"
_PLAIN = re.compile(r"\d+")
_DECIMAL = re.compile(r"(\d+)[.,](\d{1,2})")
_DUTCH_GROUPED = re.compile(r"(\d{1,3}(?:\.\d{3})+)(?:,(\d{1,2}))?")
_THREE_AFTER = re.compile(r"[1-9]\d{0,2}[.,]\d{3}")  # 1.234 / 1,234: a thousands group or three decimals
_MANY_DECIMALS = re.compile(r"\d+[.,]\d{3,}")


def _strict_decimal(value: Any, *, field: str, currency: bool, forms: str, marked: bool = False) -> Decimal:
    """A non-negative number read without guessing; see :func:`parse_amount` for the rules.

    ``marked``: the value is money already (typed into a field in euros), as if it had a euro sign.
    """
    expected = Term(forms)
    if isinstance(value, bool):
        raise ValidationError("error.number_format", field=Term(f"field.{field}"), value=value, expected=expected)
    if isinstance(value, Decimal | numbers.Real):
        try:
            if isinstance(value, Decimal):
                number = value
            elif isinstance(value, numbers.Integral):
                number = Decimal(int(value))
            else:
                number = Decimal(repr(float(value)))
        except (InvalidOperation, ValueError):
            number = Decimal("NaN")
        if not number.is_finite():
            raise ValidationError("error.not_finite", field=Term(f"field.{field}"), value=value)
        if number < 0:
            raise ValidationError("error.negative", field=Term(f"field.{field}"), value=value)
        return number
    text = " ".join(str(value).replace("\u00a0", " ").split())
    shown = text
    # A euro sign, ",-" or a field in euros says the writer wrote money, which has at most two decimals.
    if currency:
        stripped = _CURRENCY.sub("", text, count=1)
        marked = marked or stripped != text
        text = stripped.strip()
        if _WHOLE_EUROS.search(text):
            text = _WHOLE_EUROS.sub("", text)
            marked = True
    negative = text[:1] in ("-", "\u2212")
    if negative:
        text = text[1:].strip()
    number = _read_digits(text, money_marked=marked, field=field, shown=shown, expected=expected)
    if negative and number != 0:
        raise ValidationError("error.negative", field=Term(f"field.{field}"), value=shown)
    return number


def _read_digits(text: str, *, money_marked: bool, field: str, shown: str, expected: Term) -> Decimal:
    if _PLAIN.fullmatch(text):
        return Decimal(text)
    if money_marked and re.fullmatch(r"\d{1,3}\.\d{3}", text):
        return Decimal(text.replace(".", ""))  # "€ 25.000": three decimals are impossible in money
    if _THREE_AFTER.fullmatch(text):
        raise ValidationError("error.number_ambiguous", field=Term(f"field.{field}"), value=shown, expected=expected)
    match = _DECIMAL.fullmatch(text)
    if match:
        return Decimal(f"{match.group(1)}.{match.group(2)}")
    match = _DUTCH_GROUPED.fullmatch(text)
    if match and (match.group(2) is not None or text.count(".") > 1):
        whole = match.group(1).replace(".", "")
        return Decimal(f"{whole}.{match.group(2) or '0'}")
    if _MANY_DECIMALS.fullmatch(text):
        raise ValidationError("error.number_decimals", field=Term(f"field.{field}"), value=shown, max=2)
    raise ValidationError("error.number_format", field=Term(f"field.{field}"), value=shown, expected=expected)


def parse_amount(value: Any, *, field: str = "amount_eur", euro_field: bool = False) -> int:
    """An amount in euros, read strictly, as integer cents.

    Accepted: ``25000``, ``25000.50`` and ``25000,50`` (one separator with one
    or two decimals), ``25.000,50`` and ``1.234.567`` (Dutch: dots group
    thousands, a comma starts the cents), and a euro sign or ``EUR`` before or
    after (``€ 25.000``, ``€ 25.000,-``). Numbers (int, Decimal, float) are
    taken as euros.

    Refused, with a message that names the value and the forms above:
    ``1.234`` and ``1,234`` without a euro sign (a thousands group or three
    decimals?), ``1,234.56`` (English grouping), more than two decimals,
    negative amounts and anything else.

    ``euro_field``: the value was typed into a field labelled in euros (the
    app's forms, whose placeholder shows ``25.000``). The field says it is
    money, as a euro sign does, so ``25.000`` is twenty-five thousand euros:
    money never has three decimals. ``1,234`` stays ambiguous there too.

    >>> parse_amount("25.000,50"), parse_amount("€ 25.000"), parse_amount("25000.5")
    (2500050, 2500000, 2500050)
    >>> parse_amount("25.000", euro_field=True)
    2500000
    >>> parse_amount("1.234")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    abcd.errors.ValidationError: 'bedrag (euro)': '1.234' is dubbelzinnig: ...
    """
    if is_blank(value):
        raise ValidationError("error.required", field=Term(f"field.{field}"))
    number = _strict_decimal(value, field=field, currency=True, forms="invest.amount_forms", marked=euro_field)
    if number > eur_from_cents(MAX_AMOUNT_CENTS):
        limit = format_eur(eur_from_cents(MAX_AMOUNT_CENTS))
        raise ValidationError("error.number_too_large", field=Term(f"field.{field}"), value=value, max=limit)
    if number != number.quantize(CENT):
        raise ValidationError("error.number_decimals", field=Term(f"field.{field}"), value=value, max=2)
    return int(number.scaleb(2))


def parse_quantity(value: Any, *, field: str, maximum: float) -> float | None:
    """An optional non-negative quantity (m², hours), read as strictly as money, without a euro sign.

    >>> parse_quantity("12,5", field="space_m2", maximum=1000), parse_quantity("", field="space_m2", maximum=1)
    (12.5, None)
    """
    if is_blank(value):
        return None
    number = _strict_decimal(value, field=field, currency=False, forms="invest.quantity_forms")
    if number > Decimal(str(maximum)):
        raise ValidationError("error.number_too_large", field=Term(f"field.{field}"), value=value, max=maximum)
    if number != number.quantize(CENT):
        raise ValidationError("error.number_decimals", field=Term(f"field.{field}"), value=value, max=2)
    return float(number)
