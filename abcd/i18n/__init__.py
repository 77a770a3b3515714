"""Every user-facing text, Dutch first, from gettext catalogues looked up by key.

The texts live in keyed PO files, one per language, under ``abcd/locale``
(:mod:`abcd.i18n.catalogues`): the msgid is a stable key such as
``map.title``, the msgstr the text with ``str.format`` placeholders
(``{wijk}``). Dutch is the source language; ``abcd/locale/abcd.pot`` is the
template a translator starts from, rewritten from the Dutch catalogue by
``python -m abcd.i18n``. The languages are the catalogues on disk, Dutch
first: adding ``abcd/locale/<code>/LC_MESSAGES/abcd.po`` adds a language.

Plural rule: every message that says how many of something there are is a
gettext plural entry, and its count is always the parameter ``n``. The
language's ``Plural-Forms`` header picks the form, and an integer ``n`` is
shown with the language's digit grouping (``1.500`` / ``1,500``):

>>> t("gaps.tooltip", "nl", n=1), t("gaps.tooltip", "en", n=2)
('1 bewonersinitiatief binnen bereik', '2 resident initiatives within reach')

Counts that stay singular on purpose: a population (CBS rounds it to fives)
and the street segments of a wijk, limits that are constants (rows per import,
characters of a field), counts that are more than one by definition (several
standard places, an ambiguous name), and "x of y" messages without a noun
(``list.count``, ``report.page``, ``present.step``).

Lookups never crash a page: a text missing in a language (absent, empty or
fuzzy) is shown in Dutch, and a key missing from every catalogue, or a plural
entry asked without ``n``, is shown as the key itself. ``tests/test_i18n.py``
keeps the catalogues complete and free of unused keys.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from abcd.i18n import catalogues

Lang: TypeAlias = str  # a language code with a catalogue on disk, see LANGUAGES; normalise_lang makes one
LANGUAGES: tuple[Lang, ...] = catalogues.available_languages()


class Term(str):
    """A parameter value that is itself a catalogue key, translated when shown.

    Errors keep ``field=Term("field.name")`` so the field is named in the
    reader's language, not the one the error was raised in.
    """


def t(key: str, lang: Lang = "nl", /, **params: Any) -> str:
    """Text for ``key`` in ``lang``, with ``params`` filled in.

    An unknown key returns the key itself, so a missing translation shows up
    on screen instead of crashing a page; ``tests/test_i18n.py`` keeps the
    catalogues complete.

    >>> t("page.map", "en")
    'Map'
    >>> t("error.required", "nl", field="naam")
    "Het veld 'naam' is verplicht."
    """
    text = _message(key, lang if lang in LANGUAGES else catalogues.SOURCE_LANG, params.get("n"))
    if text is None:
        return key
    if not params:
        return text
    return text.format(**{name: _shown(name, value, lang) for name, value in params.items()})


def _message(key: str, lang: Lang, n: Any) -> str | None:
    """The text of ``key`` in ``lang``, else in Dutch; the plural form for ``n``; ``None`` when there is none."""
    for code in dict.fromkeys((lang, catalogues.SOURCE_LANG)):
        catalogue = catalogues.load_catalogue(code)
        entry = catalogue.messages.get(key)
        if isinstance(entry, str):
            return entry
        if entry is not None:
            return None if n is None else catalogue.form(entry, n)
    return None


def _shown(name: str, value: Any, lang: Lang) -> Any:
    """A parameter as shown in ``lang``: terms and nested errors are translated, the count ``n`` grouped."""
    if isinstance(value, Term):
        return t(value, lang)
    if name == "n" and isinstance(value, int) and not isinstance(value, bool):
        from abcd.i18n.formats import format_integer  # Babel's number data only when a count is shown

        return format_integer(value, lang)
    message = getattr(value, "message", None)
    if callable(message):
        return message(lang)
    return value


def normalise_lang(value: object) -> Lang:
    """The language ``value`` names (``en_GB``, ``EN``, ``english``), else Dutch (the default).

    >>> normalise_lang("en_GB"), normalise_lang("English"), normalise_lang("fr")
    ('en', 'en', 'nl')
    """
    text = str(value).strip().lower()
    code = text.replace("-", "_").split("_")[0]
    if code in LANGUAGES:
        return code
    return next((lang for lang in LANGUAGES if text.startswith(lang)), catalogues.SOURCE_LANG)


def language_name(lang: Lang) -> str:
    """The language's name in itself, for a language picker.

    >>> [language_name(code) for code in LANGUAGES]
    ['Nederlands', 'English']
    """
    from babel import Locale

    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


__all__ = ["LANGUAGES", "Lang", "Term", "language_name", "normalise_lang", "t"]
