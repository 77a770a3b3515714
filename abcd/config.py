"""Settings read once from the environment.

``ABCD_DATABASE_URL`` picks the database: an SQLite file ``data/abcd.db`` by
default (no server needed), or a ``postgresql+psycopg://`` URL for a shared
PostgreSQL/PostGIS server. ``ABCD_WIJKEN_DIR`` points at the shipped open data
(``data/wijken``), ``ABCD_LANG`` sets the language of the CLI (``nl``/``en``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from abcd.i18n import Lang, normalise_lang

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WIJK = "bospolder-tussendijken"


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the data lives and which language the CLI speaks."""

    database_url: str
    wijken_dir: Path
    lang: Lang = "nl"


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from ``env`` (default: ``os.environ``)."""
    env = os.environ if env is None else env
    return Settings(
        database_url=env.get("ABCD_DATABASE_URL") or f"sqlite:///{ROOT / 'data' / 'abcd.db'}",
        wijken_dir=Path(env.get("ABCD_WIJKEN_DIR") or ROOT / "data" / "wijken"),
        lang=normalise_lang(env.get("ABCD_LANG", "nl")),
    )
