"""Plain helpers shared by the test modules (fixtures live in ``conftest.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from abcd import schema
from abcd.model import AssetDraft, validate_asset
from abcd.store import Store

ROOT = Path(__file__).resolve().parent.parent
WIJKEN_DIR = ROOT / "data" / "wijken"
BOTU = "bospolder-tussendijken"

# Literal points, checked against the map by hand (not computed by abcd):
INSIDE_BOTU = (4.4413, 51.9107)  # Schiedamseweg area, Bospolder-Tussendijken
INSIDE_BOTU_2 = (4.4405, 51.9110)
OUDE_WESTEN = (4.4700, 51.9200)  # Oude Westen, Rotterdam Centrum: same city, other wijk
AMSTERDAM = (4.9000, 52.3700)  # in the Netherlands, outside every Rotterdam wijk
NORTH_SEA = (3.6000, 52.6000)  # inside the box around the Netherlands, in no gemeente or wijk

HOSTILE_NAME = '<script>alert("x")</script> & <b>Club</b>'

LINE_IN_BOTU = "LINESTRING (4.44285 51.91064, 4.44395 51.91158)"
POLYGON_IN_BOTU = "POLYGON ((4.4400 51.9100, 4.4410 51.9100, 4.4410 51.9110, 4.4400 51.9110, 4.4400 51.9100))"


def raw_asset(**overrides: Any) -> dict[str, Any]:
    """A valid raw association in BoTu, with ``overrides`` applied."""
    lon, lat = INSIDE_BOTU
    raw: dict[str, Any] = {"name": "Naaiclub", "category": "association", "lon": lon, "lat": lat, "wijk": BOTU}
    raw.update(overrides)
    if str(raw["category"]).strip().lower() == "person":
        # A resident is only stored with consent; tests about other fields get a valid one.
        for key, value in PERSON_CONSENT.items():
            raw.setdefault(key, value)
    return raw


PERSON_CONSENT: dict[str, Any] = {
    "consent_date": "2026-11-01",
    "consent_recorded_by": "ans",
    "consent_purpose": "ABCD-kaart",
}


def make_draft(**overrides: Any) -> AssetDraft:
    """A validated draft built from :func:`raw_asset`."""
    return validate_asset(raw_asset(**overrides))


def row_counts(store: Store) -> tuple[int, int]:
    """Raw numbers of asset rows (deleted ones included) and history rows in the database."""
    with store.engine.connect() as conn:
        assets = conn.execute(select(func.count()).select_from(schema.assets)).scalar_one()
        history = conn.execute(select(func.count()).select_from(schema.asset_history)).scalar_one()
    return int(assets), int(history)


def catalogue_keys() -> set[str]:
    """The keys that every language's catalogue has a text for."""
    from abcd.i18n import LANGUAGES
    from abcd.i18n.catalogues import load_catalogue

    return set.intersection(*(set(load_catalogue(lang).messages) for lang in LANGUAGES))


def botu_street_count() -> int:
    """BoTu's own street segments in the shipped walking network (what onboarding stores and reports)."""
    from abcd.wijken import streets_in, wijk_catalogue

    return len(streets_in(wijk_catalogue(WIJKEN_DIR)[BOTU], WIJKEN_DIR))
