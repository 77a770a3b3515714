"""The contact behind "Doe mee" on a wijk's poster and presentation: one short line the cooperative fills in.

An e-mail address, a phone number, a web address, or a few words ("vraag
naar Ans in het buurthuis"), stored per wijk in the store's ``meta`` table.
It is public (it is printed on the poster), so it is checked before it is
stored: one short line, no markup, and a web address only over http(s).
Showing it is the reader's job: pages escape it, the poster draws it as
plain text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any, Final
from urllib.parse import urlsplit

from abcd.errors import ValidationError
from abcd.i18n import Term
from abcd.permissions import Permission, User, require
from abcd.store import Store

CONTACT_MAX: Final = 120
"""Characters: what fits after "Doe mee" on one line of an A3 poster."""
_META_KEY_MAX: Final = 100  # the meta table's key column
_PREFIX: Final = "join_contact:"
_SCHEME: Final = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*):")
_NEVER: Final = frozenset({"javascript", "data", "vbscript", "file"})  # schemes that run or read, not reach


def meta_key(wijk: str) -> str:
    """The ``meta`` key of a wijk's contact (a hash when the slug is too long for the column).

    >>> meta_key("bospolder-tussendijken")
    'join_contact:bospolder-tussendijken'
    """
    key = f"{_PREFIX}{wijk}"
    if len(key) <= _META_KEY_MAX:
        return key
    return f"{_PREFIX}#{hashlib.sha256(wijk.encode()).hexdigest()[:40]}"


def validate_contact(value: Any) -> str:
    """A contact line as stored: trimmed, one line, at most :data:`CONTACT_MAX` characters; ``""`` means none.

    Refused: line breaks and other control characters, ``<`` and ``>``, and
    any address with a scheme other than http, https, mailto or tel (no
    ``javascript:``). A web address needs a host with a dot.

    >>> validate_contact("  buurtcoop@botu.nl ·  www.botu.nl ")
    'buurtcoop@botu.nl · www.botu.nl'
    >>> validate_contact("javascript:alert(1)")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    abcd.errors.ValidationError: 'javascript:alert(1)' kan niet als contact: ...
    """
    if value is None:
        return ""
    raw = str(value)
    control = any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c not in " \t" for c in raw)
    if control or "<" in raw or ">" in raw:
        raise ValidationError("error.contact_invalid", value=raw.strip()[:CONTACT_MAX])
    text = " ".join(raw.split())
    if len(text) > CONTACT_MAX:
        raise ValidationError("error.too_long", field=Term("field.join_contact"), length=len(text), max=CONTACT_MAX)
    for match in _SCHEME.finditer(text):
        after = text[match.end() :]
        if after.startswith("//"):  # a web address: http(s) with a real host, nothing else
            if not _web_address(match.group(0) + after.split()[0]):
                raise ValidationError("error.contact_invalid", value=text)
        elif match.group(1).lower() in _NEVER:
            raise ValidationError("error.contact_invalid", value=text)
    return text


def _web_address(token: str) -> bool:
    """Whether ``token`` is an http(s) address with a host that has a dot (``https://botu.nl/doe-mee``)."""
    try:
        parts = urlsplit(token)
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme.lower() in ("http", "https") and "." in host.strip(".")


def join_contact(store: Store, wijk: str) -> str:
    """The contact stored for ``wijk``, or ``""``."""
    return store.get_meta(meta_key(wijk)) or ""


def set_join_contact(store: Store, wijk: str, value: Any, *, user: User) -> str:
    """Check and store the contact of ``wijk`` if ``user`` may edit its assets; an empty one removes it.

    Builders of the wijk and coordinators fill it in (the poster is the
    cooperative's); returns what was stored.
    """
    require(user, Permission.EDIT_ASSETS, wijk=wijk)
    text = validate_contact(value)
    store.set_meta(meta_key(wijk), text)
    return text


__all__ = ["CONTACT_MAX", "join_contact", "meta_key", "set_join_contact", "validate_contact"]
