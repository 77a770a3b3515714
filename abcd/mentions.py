"""Where a resident's name still stands in other records, so a coordinator can edit it out.

Erasing a resident (:meth:`abcd.store.Store.erase`) removes their own record
and blanks its history; it cannot know that someone typed "opgezet door
Fatima Zwartbroek" into a club's description or an investment's note. Those
texts belong to other records, which the erasure leaves alone: it lists them
instead (:func:`abcd.assets.name_mentions`), found here. A mention is the
whole name as a phrase, in any case and however the words are spaced; a
first name alone is not, since it would match half the wijk.

>>> texts = {"a": "Opgezet door fatima  ZWARTBROEK.", "b": "Fatima kookt", "c": "FatimaZwartbroek"}
>>> mentioning("Fatima Zwartbroek", texts)
['a']
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def name_pattern(name: str) -> re.Pattern[str] | None:
    """A pattern for ``name`` as a whole phrase (not inside a longer word), ignoring case and spacing.

    >>> bool(name_pattern("Ans de Vries").search("met ANS DE\\nVRIES,"))
    True
    >>> bool(name_pattern("Ans").search("Ansje"))
    False
    """
    words = name.split()
    if not words:
        return None
    return re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)", re.IGNORECASE)


def mentioning(name: str, texts: Mapping[K, str]) -> list[K]:
    """The keys of ``texts`` whose text holds ``name`` (see :func:`name_pattern`), in the mapping's order."""
    pattern = name_pattern(name)
    if pattern is None:
        return []
    return [key for key, text in texts.items() if pattern.search(text)]


__all__ = ["mentioning", "name_pattern"]
