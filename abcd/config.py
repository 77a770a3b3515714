"""Settings read once from the environment.

``ABCD_DATABASE_URL`` picks the database: an SQLite file ``data/abcd.db`` by
default (no server needed), or a ``postgresql+psycopg://`` URL for a shared
PostgreSQL/PostGIS server. ``ABCD_WIJKEN_DIR`` points at the open data
(default: the shipped ``data/wijken``, see :mod:`abcd.resources`),
``ABCD_LANG`` sets the language of the CLI (``nl``/``en``).
``ABCD_CONSENT_PURPOSE`` and ``ABCD_CONSENT_TEXT_VERSION`` are what a resident
consents to when a builder maps their talent: shown on the form, stored with the consent.
``ABCD_STALE_MONTHS`` (default 12) is how long an asset counts as still there
after a builder last confirmed it (:mod:`abcd.freshness`).
``ABCD_WALK_RETENTION_MONTHS`` (default 12) is how long a builder's walk keeps
its track before only the per-street dates remain (:mod:`abcd.walks`).
``ABCD_BASEMAP`` picks the background of every map in the app: ``pdok-grijs``
(default), ``pdok-pastel`` or ``pdok-standaard`` (PDOK's BRT-Achtergrondkaart),
``osm`` (OpenStreetMap's tile server, which allows only light use) or
``builtin`` (drawn from abcd's own data, no internet needed); the others stay
selectable on the map (:mod:`abcd.maps.basemaps`).

The default database sits in the checkout's ``data/`` folder; an ``abcd``
installed from a wheel has no checkout, and keeps it in ``data/`` under the
working directory instead (never inside ``site-packages``, which an upgrade
replaces).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from abcd.errors import AbcdError
from abcd.i18n import Lang, normalise_lang
from abcd.resources import checkout_root, shipped_dir

ROOT = Path(__file__).resolve().parent.parent
"""The folder above the package: the checkout, with ``app.py`` and ``static/``, when run from one."""
DEFAULT_WIJK = "bospolder-tussendijken"
WALK_RETENTION_MONTHS = 12
BASEMAPS = ("pdok-grijs", "pdok-pastel", "pdok-standaard", "osm", "builtin")
"""The background maps ``ABCD_BASEMAP`` may name (:mod:`abcd.maps.basemaps`); the first is the default."""
"""How long a walk keeps its track by default; then only the per-street dates remain (:mod:`abcd.walks`)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the data lives and which language the CLI speaks."""

    database_url: str
    wijken_dir: Path
    lang: Lang = "nl"
    consent_purpose: str = "Talent zichtbaar maken op de ABCD-kaart van de wijk"  # what a resident consents to
    consent_text_version: str = "v1"
    stale_months: int = 12  # not confirmed for this long: greyed, on the "nog nakijken" list, not counted
    walk_retention_months: int = WALK_RETENTION_MONTHS  # a walk's track is personal data: kept this long
    basemap: str = BASEMAPS[0]  # the maps' background (ABCD_BASEMAP)


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from ``env`` (default: ``os.environ``)."""
    env = os.environ if env is None else env
    data = (checkout_root() or Path.cwd()) / "data"
    return Settings(
        database_url=env.get("ABCD_DATABASE_URL") or f"sqlite:///{data / 'abcd.db'}",
        wijken_dir=Path(env.get("ABCD_WIJKEN_DIR") or shipped_dir("wijken")),
        lang=normalise_lang(env.get("ABCD_LANG", "nl")),
        stale_months=_months(env, "ABCD_STALE_MONTHS", 12),
        walk_retention_months=_months(env, "ABCD_WALK_RETENTION_MONTHS", WALK_RETENTION_MONTHS),
        basemap=_basemap(env),
        **{
            field: value
            for field, value in (
                ("consent_purpose", env.get("ABCD_CONSENT_PURPOSE", "").strip()),
                ("consent_text_version", env.get("ABCD_CONSENT_TEXT_VERSION", "").strip()),
            )
            if value  # unset or blank: the default above
        },
    )


def _basemap(env: Mapping[str, str]) -> str:
    """``ABCD_BASEMAP``, one of :data:`BASEMAPS`; unset or blank: the first."""
    value = env.get("ABCD_BASEMAP", "").strip().lower()
    if not value:
        return BASEMAPS[0]
    if value not in BASEMAPS:
        raise AbcdError("error.bad_setting", name="ABCD_BASEMAP", value=value, expected=", ".join(BASEMAPS))
    return value


def _months(env: Mapping[str, str], name: str, default: int) -> int:
    """A number of months from 1 to 120 in ``env[name]``; unset or blank: ``default``."""
    value = env.get(name, "").strip()
    if not value:
        return default
    if not (value.isdigit() and 1 <= int(value) <= 120):
        raise AbcdError("error.bad_setting", name=name, value=value, expected="1-120")
    return int(value)
