"""The one reader of table cells: what counts as empty, as text and as yes/no.

Values reach ``abcd`` from spreadsheets, GeoPackages, pandas frames and
forms, where "nothing" may be ``None``, ``NaN``, ``pd.NA``, ``NaT`` or an
empty string, and "yes" may be ``True``, ``1.0`` or ``"ja"``. Every module
asks these functions, so a cell means the same thing everywhere.

NumPy and pandas are consulted only when already loaded: their values cannot
exist otherwise, and a command that reads no frame need not import them.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable
from typing import TypeGuard

_TRUE = frozenset({"true", "1", "yes", "y", "ja", "j", "waar", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "nee", "onwaar", "f"})


def is_missing(value: object) -> bool:
    """Whether ``value`` is no value at all: ``None``, ``NaN``, ``pd.NA`` or ``NaT``.

    Text (even empty), geometries, lists and dicts are values.

    >>> import pandas as pd
    >>> is_missing(None), is_missing(float("nan")), is_missing(pd.NA), is_missing(""), is_missing([])
    (True, True, True, False, False)
    """
    if value is None:
        return True
    if isinstance(value, (str, bool, int, list, tuple, dict)) or _is_array(value):
        return False
    if isinstance(value, float):
        return math.isnan(value)
    pandas = sys.modules.get("pandas")
    if pandas is None:
        numpy = sys.modules.get("numpy")
        return numpy is not None and isinstance(value, numpy.floating) and bool(numpy.isnan(value))
    try:
        return bool(pandas.isna(value))
    except (TypeError, ValueError):  # geometries and other objects pandas cannot judge
        return False


def _is_array(value: object) -> TypeGuard[Iterable[object]]:
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(value, numpy.ndarray)


def is_blank(value: object) -> bool:
    """Whether ``value`` is missing or text of only white space (an empty spreadsheet cell).

    >>> is_blank("  "), is_blank(None), is_blank("0")
    (True, True, False)
    """
    return is_missing(value) or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    """A cell as stripped text: ``""`` when missing; a list (as OSMnx writes names) joined with ``" / "``.

    >>> cell_text(None), cell_text(" Gijsingstraat "), cell_text(["A", "B", "A"])
    ('', 'Gijsingstraat', 'A / B')
    """
    if isinstance(value, (list, tuple)) or _is_array(value):
        seen = dict.fromkeys(t for t in (cell_text(v) for v in value) if t)
        return " / ".join(seen)
    return "" if is_missing(value) else str(value).strip()


def parse_flag(value: object) -> bool:
    """Yes or no the way people write it (``ja``/``nee``, ``true``/``false``, ``1``/``0``).

    Raises :class:`ValueError` for anything else; callers turn that into a
    message naming their field.

    >>> parse_flag("Ja"), parse_flag(0), parse_flag(1.0)
    (True, False, True)
    """
    numpy = sys.modules.get("numpy")
    if isinstance(value, bool) or (numpy is not None and isinstance(value, numpy.bool_)):
        return bool(value)
    numbers = (int, float) if numpy is None else (int, float, numpy.integer, numpy.floating)
    if isinstance(value, numbers) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    msg = f"not a yes/no value: {value!r}"
    raise ValueError(msg)


def cell_flag(value: object) -> bool | None:
    """A yes/no cell, ``None`` when it is blank; :class:`ValueError` for other text.

    >>> cell_flag(""), cell_flag("nee"), cell_flag(None)
    (None, False, None)
    """
    return None if is_blank(value) else parse_flag(value)
