"""The gettext catalogues on disk: which languages there are, and reading one.

One keyed PO file per language, ``abcd/locale/<lang>/LC_MESSAGES/abcd.po``:
the msgid is the key, the msgstr the text. A catalogue is read with Babel the
first time a text of its language is asked for, and kept for the life of the
process (the files do not change while the app runs). Nothing is read at
import; no compiled ``.mo`` file is needed.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "abcd"
SOURCE_LANG = "nl"  # the language the texts are written in, and the fallback of every other
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"

Message = str | tuple[str, ...]  # a text, or one text per plural form


def po_path(lang: str) -> Path:
    """Where the catalogue of ``lang`` lives."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def available_languages() -> tuple[str, ...]:
    """The language codes that have a catalogue on disk, the source language first, then by code."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return tuple(sorted(found, key=lambda code: code != SOURCE_LANG))


class Catalogue(NamedTuple):
    """The usable texts of one language.

    ``messages`` holds only complete entries: an empty or fuzzy translation,
    or a plural entry without every form, is left out so that the caller falls
    back to the source language. ``locale`` is the catalogue's ``Language``
    header (``en_GB``), which also decides how numbers and dates are written.
    A named tuple rather than a dataclass: ``import abcd.i18n`` stays cheap.
    """

    lang: str
    locale: str
    messages: Mapping[str, Message]
    plural: Callable[[int], int]

    def form(self, forms: tuple[str, ...], n: int) -> str:
        """The plural form of ``forms`` that the count ``n`` takes in this language."""
        return forms[min(self.plural(operator.index(n)), len(forms) - 1)]


@cache  # read-only data, the same for every user: one copy per process
def load_catalogue(lang: str) -> Catalogue:
    """The catalogue of ``lang``, read and checked on first use."""
    import gettext

    from babel.messages.pofile import read_po  # Babel only when a text is first needed

    with po_path(lang).open("rb") as file:
        catalog = read_po(file, domain=DOMAIN, ignore_obsolete=True)
    messages: dict[str, Message] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, (tuple, list)):
            forms = tuple(message.string or ())
            if len(forms) == catalog.num_plurals and all(forms):
                messages[message.id[0]] = forms
        elif isinstance(message.string, str) and message.string:
            messages[message.id] = message.string
    return Catalogue(
        lang=lang,
        locale=str(catalog.locale or lang),
        messages=MappingProxyType(messages),
        plural=gettext.c2py(catalog.plural_expr),
    )


__all__ = [
    "DOMAIN",
    "LOCALE_DIR",
    "SOURCE_LANG",
    "TEMPLATE",
    "Catalogue",
    "Message",
    "available_languages",
    "load_catalogue",
    "po_path",
]
