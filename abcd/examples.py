"""Example assets for Bospolder-Tussendijken, so a new map is not empty.

Every example is INVENTED: no real person, club or business is meant. They
carry ``source = example``, the map and list mark them as examples, and
``abcd examples remove`` erases them in one action. The locations are on real
BoTu streets (OpenStreetMap), so the examples show how the map behaves.
"""

from __future__ import annotations

from typing import Any

from abcd.connections.model import validate_connection
from abcd.connections.register import Register
from abcd.model import AssetDraft, Source, validate_asset
from abcd.store import Store
from abcd.wijken import BOTU_SLUG

EXAMPLE_SUFFIX = " (voorbeeld)"

_EXAMPLES: tuple[dict[str, Any], ...] = (
    {
        "name": "Naaiclub aan de keukentafel",
        "category": "association",
        "description": "Buren naaien elke dinsdagmiddag samen en repareren kleding voor de buurt.",
        "lon": 4.443056,
        "lat": 51.912959,
    },
    {
        "name": "Buurthuisje Schippersstraat",
        "category": "meeting_place",
        "meeting_place_role": "resident",
        "description": "Een ontmoetingsplek die bewoners zelf openden: koffie, huiswerkhulp, een ruilkast.",
        "lon": 4.440033,
        "lat": 51.910584,
    },
    {
        "name": "Wijkcentrum aan het plein",
        "category": "meeting_place",
        "meeting_place_role": "standard",
        "description": "De standaard ontmoetingsplek van de wijk, met zalen voor clubs en activiteiten.",
        "lon": 4.442316,
        "lat": 51.909355,
    },
    {
        "name": "Zwerfafval-ploeg Gijsingstraat",
        "category": "initiative",
        "resident_led": True,
        "themes": "zwerfvuil",
        "description": "Bewoners prikken iedere zaterdag zwerfafval in hun straat en de straten eromheen.",
        "lon": 4.443404,
        "lat": 51.911109,
        "area": "LINESTRING (4.44285 51.91064, 4.44395 51.91158)",
    },
    {
        "name": "Geveltuinen Taandersstraat",
        "category": "initiative",
        "resident_led": True,
        "themes": "groen",
        "description": "Buren leggen samen geveltuintjes aan en delen stekjes.",
        "lon": 4.439775,
        "lat": 51.914792,
    },
    {
        "name": "Taalcafé in de bibliotheek",
        "category": "initiative",
        "resident_led": False,
        "themes": "ontmoeten",
        "description": "Oefenen met Nederlands praten, georganiseerd door de bibliotheek.",
        "lon": 4.44088,
        "lat": 51.912477,
    },
    {
        "name": "Basisschool aan de dijk",
        "category": "institution",
        "description": "Basisschool met een schoolplein dat na schooltijd open is voor de buurt.",
        "lon": 4.444724,
        "lat": 51.914214,
    },
    {
        "name": "Speeltuin Hudsonstraat",
        "category": "place",
        "description": "Speeltuin met een bankje in de schaduw; ouders maken hier afspraken.",
        "lon": 4.438336,
        "lat": 51.909342,
    },
    {
        "name": "Fietsenmaker om de hoek",
        "category": "business",
        "description": "Repareert fietsen en leert jongeren het vak.",
        "lon": 4.44146,
        "lat": 51.910728,
    },
    {
        "name": "Verhaal: de haringpakkers van vroeger",
        "category": "story",
        "description": "Oudere bewoners vertellen over het werk in de haven en de visserij.",
        "lon": 4.44066,
        "lat": 51.913049,
    },
)


# How the examples are connected (by their names): two clusters around the meeting places, a school with the
# greenery, joined by a few ties; the playground is not connected yet. Invented, like the examples themselves.
_EXAMPLE_CONNECTIONS = (
    ("Naaiclub aan de keukentafel", "meets_at", "Buurthuisje Schippersstraat"),
    ("Taalcafé in de bibliotheek", "meets_at", "Wijkcentrum aan het plein"),
    ("Zwerfafval-ploeg Gijsingstraat", "meets_at", "Wijkcentrum aan het plein"),
    ("Fietsenmaker om de hoek", "supports", "Zwerfafval-ploeg Gijsingstraat"),
    ("Basisschool aan de dijk", "supports", "Geveltuinen Taandersstraat"),
    ("Verhaal: de haringpakkers van vroeger", "about", "Wijkcentrum aan het plein"),
    ("Naaiclub aan de keukentafel", "works_with", "Taalcafé in de bibliotheek"),
    ("Geveltuinen Taandersstraat", "works_with", "Zwerfafval-ploeg Gijsingstraat"),
)


def example_drafts(wijk: str = BOTU_SLUG) -> list[AssetDraft]:
    """The example assets as validated drafts, each marked ``source = example``."""
    return [
        validate_asset({**raw, "name": raw["name"] + EXAMPLE_SUFFIX, "wijk": wijk, "source": Source.EXAMPLE.value})
        for raw in _EXAMPLES
    ]


EXAMPLES_FLAG = "examples_loaded"


def load_examples(store: Store, *, by: str = "abcd-voorbeelden", force: bool = False) -> int:
    """Add the examples to BoTu once per database; returns how many were added.

    A flag remembers that they were loaded, so examples a community removed
    do not come back at the next start. ``force`` loads them again (when none
    are present).
    """
    if store.count_assets(source=Source.EXAMPLE) or (store.get_meta(EXAMPLES_FLAG) and not force):
        return 0
    added = store.add_many(example_drafts(), by=by)
    ids = {a.name.removesuffix(EXAMPLE_SUFFIX): a.id for a in added}
    categories = {a.id: a.category for a in added}
    ties = [
        validate_connection({"from_id": ids[a], "to_id": ids[b], "kind": kind}, categories)
        for a, kind, b in _EXAMPLE_CONNECTIONS
    ]
    Register(store).add_many(ties, by=by)
    store.set_meta(EXAMPLES_FLAG, "1")
    return len(added)


def remove_examples(store: Store) -> int:
    """Erase every example asset and its history; returns how many."""
    return store.purge_examples()
