"""Settings read once from the environment.

``ABCD_DATABASE_URL`` picks the database: an SQLite file ``data/abcd.db`` by
default (no server needed), or a ``postgresql+psycopg://`` URL for a shared
PostgreSQL/PostGIS server. ``ABCD_WIJKEN_DIR`` points at the open data
(default: the shipped ``data/wijken``, see :mod:`abcd.resources`),
``ABCD_LANG`` sets the language of the CLI (``nl``/``en``).
``ABCD_CONSENT_PURPOSE`` and ``ABCD_CONSENT_TEXT_VERSION`` are what a resident
consents to when a builder maps their talent: shown on the form, stored with the consent.

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

from abcd.i18n import Lang, normalise_lang
from abcd.resources import checkout_root, shipped_dir

ROOT = Path(__file__).resolve().parent.parent
"""The folder above the package: the checkout, with ``app.py`` and ``static/``, when run from one."""
DEFAULT_WIJK = "bospolder-tussendijken"


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the data lives and which language the CLI speaks."""

    database_url: str
    wijken_dir: Path
    lang: Lang = "nl"
    consent_purpose: str = "Talent zichtbaar maken op de ABCD-kaart van de wijk"  # what a resident consents to
    consent_text_version: str = "v1"


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from ``env`` (default: ``os.environ``)."""
    env = os.environ if env is None else env
    data = (checkout_root() or Path.cwd()) / "data"
    return Settings(
        database_url=env.get("ABCD_DATABASE_URL") or f"sqlite:///{data / 'abcd.db'}",
        wijken_dir=Path(env.get("ABCD_WIJKEN_DIR") or shipped_dir("wijken")),
        lang=normalise_lang(env.get("ABCD_LANG", "nl")),
        **{
            field: value
            for field, value in (
                ("consent_purpose", env.get("ABCD_CONSENT_PURPOSE", "").strip()),
                ("consent_text_version", env.get("ABCD_CONSENT_TEXT_VERSION", "").strip()),
            )
            if value  # unset or blank: the default above
        },
    )
