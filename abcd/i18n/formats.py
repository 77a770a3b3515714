"""Numbers, money, dates and times the way a reader of each language writes them.

One module for every figure a user sees, built on Babel's CLDR data, so the
app, the CLI, the report and the charts agree: ``15.000`` and ``€ 25.000,50``
in Dutch, ``15,000`` and ``€25,000.50`` in English. The Babel locale of a
language is its catalogue's ``Language`` header (English is ``en_GB``: 22
November 2026, 24-hour clock).

Babel puts a no-break space (U+00A0) between ``€`` and a Dutch amount; it is
written as a plain space here, the way people type an amount, the way
:func:`abcd.investments.amounts.parse_amount` reads it back and the way CSV files,
terminals and PDFs show it without surprises.

Stored times are UTC (ISO-8601 text or aware datetimes); they are shown in
Europe/Amsterdam, summer time included, whatever the server's time zone.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from abcd.i18n import LANGUAGES, Lang, catalogues

AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # from the tzdata package where the OS has no zone database
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


def _locale(lang: Lang) -> str:
    return catalogues.load_catalogue(lang if lang in LANGUAGES else catalogues.SOURCE_LANG).locale


def language_tag(lang: Lang) -> str:
    """The BCP 47 tag of ``lang``'s catalogue (``nl``, ``en-GB``), for document metadata.

    >>> language_tag("nl"), language_tag("en")
    ('nl', 'en-GB')
    """
    return str(_locale(lang)).replace("_", "-")


def format_integer(value: int, lang: Lang = "nl") -> str:
    """A whole number with the language's digit grouping.

    >>> format_integer(15000), format_integer(15000, "en"), format_integer(950)
    ('15.000', '15,000', '950')
    """
    from babel.numbers import format_decimal

    return format_decimal(int(value), format="#,##0", locale=_locale(lang)).translate(_SPACES)


def format_number(value: float | Decimal | None, lang: Lang = "nl", *, digits: int = 2) -> str:
    """A figure with ``digits`` decimals (rounded half up) and the language's marks; ``–`` when unknown.

    >>> format_number(0.8, "nl"), format_number(1234.5, "en"), format_number(7952.6, "nl", digits=0)
    ('0,80', '1,234.50', '7.953')
    >>> format_number(None), format_number(float("nan"))
    ('–', '–')
    """
    from babel.numbers import format_decimal

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(exact, format=pattern, locale=_locale(lang)).translate(_SPACES)


def decimal_mark(lang: Lang = "nl") -> str:
    """The decimal mark of ``lang``.

    >>> decimal_mark("nl"), decimal_mark("en")
    (',', '.')
    """
    from babel import Locale

    return str(Locale.parse(_locale(lang)).number_symbols["latn"]["decimal"])


def csv_separator(lang: Lang = "nl") -> str:
    """The field separator a spreadsheet in ``lang`` expects: ``;`` where the decimal mark is a comma (Excel's rule).

    >>> csv_separator("nl"), csv_separator("en")
    (';', ',')
    """
    return ";" if decimal_mark(lang) == "," else ","


def format_eur(euros: Decimal | int, lang: Lang = "nl") -> str:
    """Euros to the cent (rounded half up) as the language writes them; an ``int`` means whole euros.

    >>> format_eur(Decimal("25000"), "nl"), format_eur(Decimal("25000"), "en")
    ('€ 25.000,00', '€25,000.00')
    >>> format_eur(Decimal("-0.005"))
    '€ -0,01'
    """
    from babel.numbers import format_currency

    exact = Decimal(euros).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format_currency(exact, "EUR", locale=_locale(lang)).translate(_SPACES)


def format_date(day: date, lang: Lang = "nl") -> str:
    """A date the way people write it: ``22 november 2026`` / ``22 November 2026``.

    >>> format_date(date(2026, 11, 2)), format_date(date(2026, 11, 2), "en")
    ('2 november 2026', '2 November 2026')
    """
    from babel.dates import format_date as babel_date

    return babel_date(day, format="long", locale=_locale(lang))


def local_today() -> date:
    """Today in Amsterdam: the day a walk, a consent, a confirmation or a gap run is dated by."""
    return local_time(datetime.now(UTC)).date()


def local_time(moment: datetime | str) -> datetime:
    """A stored moment (aware, or ISO-8601 text; naive means UTC) as the time in Amsterdam.

    >>> local_time("2026-07-01T10:00:00+00:00").isoformat()
    '2026-07-01T12:00:00+02:00'
    """
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(AMSTERDAM)


def format_datetime(moment: datetime | str, lang: Lang = "nl", *, seconds: bool = False) -> str:
    """A stored moment as the clock in Amsterdam showed it, year first so a table sorts it.

    >>> format_datetime("2026-01-15T10:00:00+00:00"), format_datetime("2026-07-15T10:00:05Z", seconds=True)
    ('2026-01-15 11:00', '2026-07-15 12:00:05')
    """
    from babel.dates import format_datetime as babel_datetime

    pattern = "yyyy-MM-dd HH:mm:ss" if seconds else "yyyy-MM-dd HH:mm"
    return babel_datetime(local_time(moment), pattern, tzinfo=AMSTERDAM, locale=_locale(lang))


def chart_locale(lang: Lang = "nl") -> dict[str, Any]:
    """A Vega locale (``config.locale`` of a Vega-Lite chart): number marks, currency, month and day names.

    With it a Dutch axis reads ``250.000`` and ``jan``, not ``250,000`` and ``Jan``.

    >>> chart_locale("nl")["number"]
    {'decimal': ',', 'thousands': '.', 'grouping': [3], 'currency': ['€ ', '']}
    """
    from babel import Locale
    from babel.dates import get_day_names, get_month_names, get_period_names

    code = _locale(lang)
    symbols = Locale.parse(code).number_symbols["latn"]
    zero = format_eur(0, lang)
    amount = format_number(0, lang)
    prefix, _, suffix = zero.partition(amount)

    def days(width: Literal["abbreviated", "wide"]) -> list[str]:
        names = get_day_names(width, locale=code)
        return [names[(i + 6) % 7] for i in range(7)]  # CLDR counts from Monday, Vega from Sunday

    def months(width: Literal["abbreviated", "wide"]) -> list[str]:
        names = get_month_names(width, locale=code)
        return [names[i] for i in range(1, 13)]

    periods = get_period_names(locale=code)
    return {
        "number": {
            "decimal": symbols["decimal"],
            "thousands": symbols["group"].translate(_SPACES),
            "grouping": [3],
            "currency": [prefix, suffix],
        },
        "time": {
            "dateTime": "%A %e %B %Y %H:%M:%S",
            "date": "%e %B %Y",
            "time": "%H:%M:%S",
            "periods": [periods.get("am", "AM"), periods.get("pm", "PM")],  # unused by a 24-hour clock
            "days": days("wide"),
            "shortDays": days("abbreviated"),
            "months": months("wide"),
            "shortMonths": months("abbreviated"),
        },
    }


__all__ = [
    "AMSTERDAM",
    "chart_locale",
    "csv_separator",
    "decimal_mark",
    "format_date",
    "format_datetime",
    "format_eur",
    "format_integer",
    "format_number",
    "local_time",
]
