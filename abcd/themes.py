"""Themes of resident initiatives: what residents take on themselves, so the gemeente can do less there.

"In bepaalde straten prikken mensen vuil en in andere niet": whether a street
needs more municipal effort depends on *what* the residents nearby do. A
resident-led initiative carries one or more theme codes (``zwerfvuil``,
``groen``, ...); the gap map and the effort plan (:mod:`abcd.effort`) can count
only the initiatives of one theme.

Six themes are built in, with their names in the catalogues (``theme.<code>``).
A coordinator adds a wijk's own (``abcd themes add``, or the Beheer page); those
are stored with a Dutch and an English name. A theme is never removed: assets
and saved plans keep referring to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from sqlalchemy import insert, select

from abcd import schema
from abcd.errors import ValidationError
from abcd.i18n import Lang, Term, t
from abcd.model import THEME_CODE, check_text
from abcd.permissions import Permission, User, require
from abcd.records import iso_utc, utcnow
from abcd.store import Store

BUILT_IN: Final = ("zwerfvuil", "groen", "spelen", "ontmoeten", "zorg", "veiligheid")
"""The themes every wijk has: litter, greenery, play, meeting, care for neighbours, safety."""
LABEL_MAX: Final = 60


@dataclass(frozen=True, slots=True)
class Theme:
    """A theme code with its names; a built-in theme's names come from the catalogues."""

    code: str
    label_nl: str | None = None
    label_en: str | None = None

    @property
    def built_in(self) -> bool:
        return self.code in BUILT_IN

    def label(self, lang: Lang = "nl") -> str:
        """The theme's name in ``lang`` (Dutch when a custom theme has no name in ``lang``)."""
        if self.built_in:
            return t(f"theme.{self.code}", lang)
        own = self.label_en if lang == "en" else self.label_nl
        return own or self.label_nl or self.code


def list_themes(store: Store) -> list[Theme]:
    """Every theme: the built-in ones in their order, then the wijk's own by code."""
    with store.db.read() as conn:
        rows = conn.execute(select(schema.themes).order_by(schema.themes.c.code)).mappings().all()
    return [Theme(code) for code in BUILT_IN] + [Theme(r["code"], r["label_nl"], r["label_en"]) for r in rows]


def known_codes(store: Store) -> frozenset[str]:
    """The codes an initiative may carry."""
    return frozenset(theme.code for theme in list_themes(store))


def check_known(codes: Iterable[str], known: frozenset[str]) -> None:
    """Refuse a theme code nobody declared, naming the ones that exist (a typo must not make a new theme)."""
    unknown = sorted(set(codes) - known)
    if unknown:
        raise ValidationError("error.unknown_theme", value=unknown[0], allowed=", ".join(sorted(known)))


def add_theme(store: Store, code: str, *, label_nl: str, label_en: str = "", user: User) -> Theme:
    """Declare a wijk's own theme (coordinators): a code as files write it, and its Dutch and English names."""
    require(user, Permission.MANAGE_THEMES)
    code = str(code).strip().lower()
    if not THEME_CODE.fullmatch(code):
        raise ValidationError("error.theme_code", value=code)
    nl = _label(label_nl, required=True)
    en = _label(label_en, required=False)
    with store.db.write() as conn:
        exists = conn.execute(select(schema.themes.c.code).where(schema.themes.c.code == code)).first()
        if exists is not None or code in BUILT_IN:
            raise ValidationError("error.theme_exists", value=code)
        conn.execute(
            insert(schema.themes).values(
                code=code, label_nl=nl, label_en=en or None, created_by=user.username, created_at=iso_utc(utcnow())
            )
        )
    return Theme(code, nl, en or None)


def _label(value: str, *, required: bool) -> str:
    text = " ".join(str(value or "").split())
    return check_text(text, field=Term("field.theme_label"), maximum=LABEL_MAX, required=required)


__all__ = ["BUILT_IN", "Theme", "add_theme", "check_known", "known_codes", "list_themes"]
