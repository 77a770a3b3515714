"""A resident (category person) with a distinctive name, description and contact, for the privacy tests
of the presentation page, the report and the poster: none of these strings may appear in a public view."""

from __future__ import annotations

from abcd.model import Asset, validate_asset
from abcd.store import Store

# ASCII only: AppTest's protobuf text escapes other characters, which would hide a leak from a search.
PERSON_NAME = "Zwaantje Qwertyuiop"
PERSON_DESCRIPTION = "Bakt taarten voor de hele Xylofoonstraat"
PERSON_CONTACT = "zwaantje.qwerty@example.org 06-98765432"
PERSON_STRINGS = ("Zwaantje", "Qwertyuiop", "Xylofoonstraat", "zwaantje.qwerty", "98765432")

BOTU = "bospolder-tussendijken"
IN_TUSSENDIJKEN = (4.4413, 51.9107)  # checked against the CBS map
IN_BOSPOLDER = (4.4390, 51.9095)


def add_person(store: Store, *, lon: float, lat: float, name: str = PERSON_NAME, wijk: str = BOTU) -> Asset:
    """Store a resident with consent, straight through the store (the app would move them to a buurt anchor)."""
    raw = {
        "name": name,
        "category": "person",
        "description": PERSON_DESCRIPTION,
        "contact": PERSON_CONTACT,
        "lon": lon,
        "lat": lat,
        "wijk": wijk,
        "consent_date": "2026-01-15",
        "consent_recorded_by": "opbouwwerker",
        "consent_purpose": "op de ABCD-kaart van de wijk",
    }
    return store.add(validate_asset(raw), by="test")


def fill_botu(store: Store) -> Store:
    """The ten examples and seven residents: six in Tussendijken, one in Bospolder (shown as "<5")."""
    from abcd.examples import load_examples

    assert load_examples(store) == 10
    for _ in range(6):
        add_person(store, lon=IN_TUSSENDIJKEN[0], lat=IN_TUSSENDIJKEN[1])
    add_person(store, lon=IN_BOSPOLDER[0], lat=IN_BOSPOLDER[1])
    return store
