"""Which OpenStreetMap objects are ABCD assets, and of which category: the one table, with the reason per row.

An object of an OpenStreetMap extract is a *candidate* asset when one of its
tags matches a row of :data:`TAG_TABLE`; the first row that matches decides
its category, so the more specific rows come first. What is *not* an asset is
as much part of the rule: :data:`NOT_ASSETS` names the tags that never make a
candidate, also where a row takes any value (``shop=*``), and says why.

How a tag matches
-----------------
- Keys are matched exactly, values after trimming and lower-casing; a value
  with several parts (``amenity=cafe;restaurant``) matches when one part does.
- ``*`` takes any value except those :data:`NOT_ASSETS` names for that key
  (``shop=vacant`` is no business).
- ``also`` are tags the object must have as well (a community garden is
  ``leisure=garden`` *and* ``garden:type=community``); ``unless`` are tags
  that rule the row out (a playground with ``access=private`` belongs to a
  school or a block of flats, not to the wijk). In both, ``*`` is any value.

Three rules apply across rows:

- **Places need to be open.** Rows of places and initiatives (categories
  that are somewhere rather than someone) are ruled out by ``access=private``
  or ``access=no``: a schoolyard or a courtyard behind a fence is no asset of
  the wijk.
- **Chains are no local economy.** Business rows are ruled out by a
  ``brand`` or ``brand:wikidata`` tag: OpenStreetMap's Name Suggestion Index
  puts those on the branches of chains (a supermarket, a bakery chain, a
  fast-food brand). ABCD maps what residents own and run; a franchise owner
  who is part of the wijk can still be added by hand.
- **Names.** An object without a ``name`` (nor ``name:nl``,
  ``official_name``) gets a descriptive one (``unnamed``, a catalogue key:
  "Speeltuin", "Bibliotheek") where the place itself is the asset whoever
  runs it, and can be found again by where it is. An organisation without a
  name (a club, a shop, a school, a congregation, a care facility) is
  skipped: nobody could tell which one it is, approve it, or find it again.

>>> rule_for({"leisure": "playground"}).category.value
'place'
>>> rule_for({"shop": "bakery", "name": "Bakkerij Oz"}).category.value
'business'
>>> rule_for({"shop": "supermarket", "brand": "Albert Heijn"}) is None
True
>>> rule_for({"amenity": "parking"}) is None
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from abcd.model import AREA_CATEGORIES, Category

ANY: Final = "*"
"""A value that matches any value of its key (except the ones :data:`NOT_ASSETS` names)."""

Tags = tuple[tuple[str, str], ...]

PRIVATE: Final[Tags] = (("access", "private"), ("access", "no"))
"""Tags that take a place or an initiative out: residents cannot use it."""
BRANDED: Final[Tags] = (("brand", ANY), ("brand:wikidata", ANY))
"""Tags that take a business out: a chain's branch."""


@dataclass(frozen=True, slots=True)
class TagRule:
    """One row of the table: the tag, the category it makes, why, and the name of an object without one."""

    key: str
    value: str  # ANY: every value of the key but those NOT_ASSETS names
    category: Category
    why: str
    unnamed: str | None = None  # a catalogue key ("osm.unnamed.playground"); None: skipped without a name
    also: Tags = ()
    unless: Tags = ()

    def matches(self, tags: Mapping[str, str]) -> bool:
        """Whether an object with ``tags`` (keys to values) is this row's kind of asset."""
        if not _has(tags, self.key, self.value):
            return False
        if not all(_has(tags, k, v) for k, v in self.also):
            return False
        return not any(_has(tags, k, v) for k, v in self.unless)

    @property
    def tag(self) -> str:
        """The row's tag as OpenStreetMap writes it: ``leisure=playground``."""
        return f"{self.key}={self.value}"


@dataclass(frozen=True, slots=True)
class NotAsset:
    """A tag that never makes a candidate, and why."""

    key: str
    value: str
    why: str


def _unless(category: Category) -> Tags:
    """The vetoes every row of ``category`` has (see the module docstring)."""
    if category in AREA_CATEGORIES:
        return PRIVATE
    if category is Category.BUSINESS:
        return BRANDED
    return ()


def _row(
    tag: str,
    category: Category,
    why: str,
    *,
    unnamed: str | None = None,
    also: Tags = (),
    unless: Tags = (),
) -> TagRule:
    key, value = tag.split("=", 1)
    return TagRule(key, value, category, why, unnamed, also, (*unless, *_unless(category)))


_MEETING = Category.MEETING_PLACE
_INSTITUTION = Category.INSTITUTION
_ASSOCIATION = Category.ASSOCIATION
_INITIATIVE = Category.INITIATIVE
_PLACE = Category.PLACE
_BUSINESS = Category.BUSINESS
_STORY = Category.STORY

TAG_TABLE: Final[tuple[TagRule, ...]] = (
    # Meeting places: where residents meet. Whether one is the municipality's standard meeting place is for a
    # builder to say (its role starts as "other").
    _row(
        "amenity=community_centre",
        _MEETING,
        "A buurthuis, wijkcentrum or huis van de wijk: the meeting place itself.",
        unnamed="osm.unnamed.community_centre",
    ),
    _row(
        "amenity=social_centre",
        _MEETING,
        "A social centre run by its users (often a self-managed buurtkamer): a meeting place.",
        unnamed="osm.unnamed.social_centre",
    ),
    _row(
        "amenity=events_venue",
        _MEETING,
        "A hall residents hire for parties and meetings; without a name it is no more than a room.",
    ),
    # Initiatives: what residents started and run. They come in as resident-led; a builder corrects that.
    _row(
        "leisure=garden",
        _INITIATIVE,
        "A community garden (buurttuin, moestuin): residents garden it together.",
        unnamed="osm.unnamed.community_garden",
        also=(("garden:type", "community"),),
    ),
    _row(
        "amenity=public_bookcase",
        _INITIATIVE,
        "A minibieb: a resident keeps it stocked for the street.",
        unnamed="osm.unnamed.public_bookcase",
    ),
    _row(
        "amenity=give_box",
        _INITIATIVE,
        "A weggeefkast: residents give and take; someone looks after it.",
        unnamed="osm.unnamed.give_box",
    ),
    # Institutions: organisations with staff and a building that serve the wijk (ABCD's local institutions).
    _row(
        "amenity=library",
        _INSTITUTION,
        "The library: a public institution and one of the wijk's free indoor places.",
        unnamed="osm.unnamed.library",
    ),
    _row(
        "amenity=place_of_worship",
        _INSTITUTION,
        "A church, mosque, temple or gurdwara: a congregation, among the strongest networks of a wijk.",
    ),
    _row(
        "amenity=social_facility",
        _INSTITUTION,
        "Welfare and care: a food bank, day care for adults, a nursing home, outreach.",
        unless=(("social_facility", "shelter"), ("social_facility", "group_home")),
    ),
    _row("amenity=nursing_home", _INSTITUTION, "A nursing home (the older tag of social_facility=nursing_home)."),
    _row("amenity=school", _INSTITUTION, "A school: an institution every family of the wijk knows."),
    _row("amenity=kindergarten", _INSTITUTION, "Child care and peuterspeelzalen (OpenStreetMap's kindergarten)."),
    _row("amenity=childcare", _INSTITUTION, "Child care."),
    _row("amenity=college", _INSTITUTION, "Vocational education (mbo)."),
    _row("amenity=university", _INSTITUTION, "A university or hogeschool: an anchor institution of the city."),
    _row("amenity=music_school", _INSTITUTION, "A music school: lessons for the wijk's children and adults."),
    _row("amenity=arts_centre", _INSTITUTION, "An arts centre or broedplaats: programmes, courses, studios."),
    _row("amenity=theatre", _INSTITUTION, "A theatre: culture in the wijk."),
    _row("tourism=museum", _INSTITUTION, "A museum: the wijk's heritage, kept and shown."),
    _row("amenity=doctors", _INSTITUTION, "A huisarts: health care residents know and trust."),
    _row("amenity=clinic", _INSTITUTION, "A gezondheidscentrum or clinic."),
    _row("amenity=hospital", _INSTITUTION, "A hospital in the wijk."),
    _row("amenity=townhall", _INSTITUTION, "A town hall or wijkkantoor of the gemeente."),
    _row("amenity=police", _INSTITUTION, "A police station: the wijkagent works from here."),
    _row("amenity=fire_station", _INSTITUTION, "A fire station."),
    _row("office=ngo", _INSTITUTION, "A welfare or community organisation's office (a stichting)."),
    _row("office=foundation", _INSTITUTION, "A foundation's office."),
    # Associations: what residents organise themselves in.
    _row("club=*", _ASSOCIATION, "A club of any kind (sport, music, scouting, ...): residents organising together."),
    _row("office=association", _ASSOCIATION, "An association's office (a vereniging)."),
    _row("leisure=hackerspace", _ASSOCIATION, "A hackerspace or makerspace: run by its members."),
    _row("leisure=social_club", _ASSOCIATION, "A club (the older tag of club=*)."),
    # Places: outdoor and public spaces the wijk uses; they keep their area where it is not too large.
    _row(
        "leisure=playground",
        _PLACE,
        "A playground: the place families of a street meet.",
        unnamed="osm.unnamed.playground",
    ),
    _row("leisure=park", _PLACE, "A park.", unnamed="osm.unnamed.park"),
    _row(
        "leisure=garden",
        _PLACE,
        "A public garden (private and residential gardens are not the wijk's).",
        unnamed="osm.unnamed.garden",
        unless=(("garden:type", "residential"), ("garden:type", "private")),
    ),
    _row(
        "leisure=pitch",
        _PLACE,
        "A sports field or court (trapveldje, Cruyff Court, basketball court): where youth play.",
        unnamed="osm.unnamed.pitch",
    ),
    _row(
        "leisure=sports_centre",
        _PLACE,
        "A sports centre or public pool; the clubs that use it are associations of their own.",
        unnamed="osm.unnamed.sports_centre",
    ),
    _row("leisure=sports_hall", _PLACE, "A sports hall.", unnamed="osm.unnamed.sports_hall"),
    _row(
        "leisure=fitness_station",
        _PLACE,
        "Outdoor fitness equipment: a place people meet to exercise.",
        unnamed="osm.unnamed.fitness_station",
    ),
    _row("leisure=dog_park", _PLACE, "A dog park: dog owners meet there daily.", unnamed="osm.unnamed.dog_park"),
    _row("leisure=nature_reserve", _PLACE, "A nature area.", unnamed="osm.unnamed.nature_reserve"),
    _row(
        "landuse=allotments",
        _PLACE,
        "Allotment gardens (volkstuinen), usually run by an association a builder can add.",
        unnamed="osm.unnamed.allotments",
    ),
    _row("landuse=village_green", _PLACE, "A village green or common.", unnamed="osm.unnamed.village_green"),
    _row("amenity=marketplace", _PLACE, "The market square: the weekly market.", unnamed="osm.unnamed.marketplace"),
    # Stories: heritage that carries the wijk's history.
    _row(
        "historic=memorial",
        _STORY,
        "A memorial: a story of the wijk told in the street.",
        unless=(("memorial", "stolperstein"),),
    ),
    _row("historic=monument", _STORY, "A monument: a story of the wijk."),
    # Local economy: small shops, crafts and cafés owned and run by people of the wijk (chains are left out).
    _row("shop=*", _BUSINESS, "A local shop: the wijk's own economy."),
    _row("craft=*", _BUSINESS, "A craft business (a tailor, a baker, a bicycle repairer)."),
    _row("amenity=cafe", _BUSINESS, "A café: local economy, and an informal meeting place."),
    _row("amenity=pub", _BUSINESS, "A pub (bruin café): local economy, and an informal meeting place."),
    _row("amenity=bar", _BUSINESS, "A bar."),
    _row("amenity=restaurant", _BUSINESS, "A restaurant."),
    _row("amenity=fast_food", _BUSINESS, "A snack bar or takeaway that is not a chain."),
    _row("amenity=ice_cream", _BUSINESS, "An ice-cream parlour."),
    _row("amenity=cinema", _BUSINESS, "A cinema or filmhuis."),
    _row("leisure=fitness_centre", _BUSINESS, "A gym that is not a chain."),
)
"""The tags that make an OpenStreetMap object a candidate asset, in order: the first row that matches decides."""


NOT_ASSETS: Final[tuple[NotAsset, ...]] = (
    NotAsset("amenity", "parking", "Where cars stand; the same for parking_space and parking_entrance."),
    NotAsset("amenity", "parking_space", "Where cars stand."),
    NotAsset("amenity", "parking_entrance", "The way into a car park."),
    NotAsset("amenity", "bicycle_parking", "Where bicycles stand."),
    NotAsset("amenity", "bench", "Street furniture: a bench is no place people are known to meet at."),
    NotAsset("amenity", "waste_basket", "Street furniture."),
    NotAsset("amenity", "waste_disposal", "Street furniture (underground containers)."),
    NotAsset("amenity", "recycling", "Glass and paper containers: a service, not a community asset."),
    NotAsset("amenity", "post_box", "Street furniture."),
    NotAsset("amenity", "vending_machine", "A machine."),
    NotAsset("amenity", "atm", "A bank's machine."),
    NotAsset("amenity", "bank", "A branch of a national bank."),
    NotAsset("amenity", "fuel", "A filling station: a chain's service."),
    NotAsset("amenity", "pharmacy", "A health service point, mostly of chains; the huisarts is the institution."),
    NotAsset("amenity", "post_office", "A counter in a shop, run for the national post."),
    NotAsset("amenity", "charging_station", "Infrastructure."),
    NotAsset("amenity", "toilets", "Infrastructure."),
    NotAsset("amenity", "drinking_water", "Infrastructure."),
    NotAsset("amenity", "shelter", "A bus or picnic shelter: infrastructure."),
    NotAsset("amenity", "bicycle_rental", "A rental scheme's dock."),
    NotAsset("amenity", "car_sharing", "A shared car's spot."),
    NotAsset("amenity", "dentist", "A private practice rather than an institution of the wijk."),
    NotAsset("leisure", "picnic_table", "Street furniture."),
    NotAsset("leisure", "outdoor_seating", "A terrace of a café (the café itself is the asset)."),
    NotAsset("leisure", "swimming_pool", "Mostly private pools in gardens; a public pool is a sports_centre."),
    NotAsset("leisure", "slipway", "Infrastructure for boats."),
    NotAsset("leisure", "marina", "Mooring for boats, rarely a wijk's own."),
    NotAsset("tourism", "artwork", "Public art: many small objects; a builder adds the ones that carry a story."),
    NotAsset("memorial", "stolperstein", "Stolpersteine: dozens per wijk, each a name; add them as one story."),
    NotAsset("social_facility", "shelter", "A shelter's address is not to be shared (a women's shelter is secret)."),
    NotAsset("social_facility", "group_home", "A home of vulnerable residents: where they live is theirs to share."),
    NotAsset("shop", "vacant", "An empty shop."),
    NotAsset("shop", "no", "Not a shop."),
    NotAsset("club", "no", "Not a club."),
    NotAsset("craft", "no", "Not a craft business."),
    NotAsset("brand", ANY, "A chain's branch (see the module docstring): not the wijk's own economy."),
    NotAsset("access", "private", "A place residents cannot use (only for places and initiatives)."),
    NotAsset("building", ANY, "A building alone says nothing about what happens inside it."),
    NotAsset("highway", ANY, "Streets, stops and crossings: the street network is loaded separately."),
)
"""Tags that are *not* an asset, and why: a row with ``*`` never takes these values.

Some rows here say why a row of :data:`TAG_TABLE` has an ``unless``
(``social_facility=shelter``, ``brand=*``); the rest are the objects an
extract is full of that one might expect to count.
"""

_EXCLUDED: Final = frozenset((n.key, n.value) for n in NOT_ASSETS if n.value != ANY)


def _values(tags: Mapping[str, str], key: str) -> list[str]:
    value = tags.get(key)
    if value is None:
        return []
    return [part.strip().lower() for part in str(value).split(";") if part.strip()]


def _has(tags: Mapping[str, str], key: str, value: str) -> bool:
    """Whether ``tags`` has ``key=value`` (``value`` ANY: any value the key may take)."""
    values = _values(tags, key)
    if value == ANY:
        return any((key, v) not in _EXCLUDED for v in values)
    return value in values


def rule_for(tags: Mapping[str, str]) -> TagRule | None:
    """The first row of :data:`TAG_TABLE` an object with ``tags`` matches; ``None``: it is no asset.

    >>> rule_for({"leisure": "garden", "garden:type": "community"}).category.value
    'initiative'
    >>> rule_for({"leisure": "garden", "access": "private"}) is None
    True
    """
    return next((rule for rule in TAG_TABLE if rule.matches(tags)), None)


__all__ = ["ANY", "NOT_ASSETS", "TAG_TABLE", "NotAsset", "TagRule", "rule_for"]
