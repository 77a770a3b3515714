"""The vocabulary of ``abcd``: asset categories, the asset record and its validation.

Terms used throughout the package:

- *asset*: something a neighbourhood has (Asset Based Community Development):
  a resident's talent, a club, a resident initiative, an institution, a meeting
  place, a place, a local business or a story.
- *wijk*: a named area with a stable slug, a boundary, a population and its
  streets. Bospolder-Tussendijken is Rotterdam's own wijk (two CBS buurten);
  every CBS *wijk* of the Netherlands, every CBS *buurt* of Rotterdam, every
  gemeente and every area a user adds is a selectable wijk too. An asset
  belongs to every area its location lies in (:mod:`abcd.places`).
- *buurt*: the smallest CBS statistical area.

Validation happens here, at the edge: pages, the CLI and imports hand raw
values to :func:`validate_asset` and get an :class:`AssetDraft` or an
:class:`~abcd.errors.ValidationError` that names the field and the value.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from abcd._cells import is_blank, is_missing, parse_flag
from abcd.errors import ValidationError
from abcd.i18n import Lang, Term, t
from abcd.i18n.formats import local_today
from abcd.limits import check_geometry, check_wkt
from abcd.records import Versioned, declared, declared_fields, interchange_fields, plain_value, record

WGS84 = "EPSG:4326"
RD_NEW = "EPSG:28992"  # metric work (distances, buffers) happens in RD New

NAME_MAX = 200
DESCRIPTION_MAX = 4000
CONTACT_MAX = 300
OSM_ID_MAX = 40  # "relation/" and OpenStreetMap's 64-bit ids
ACTOR_MAX = 100

# Generous box around the Netherlands: catches swapped lat/lon and RD metres.
NL_BOUNDS = (3.0, 50.6, 7.4, 53.7)  # min lon, min lat, max lon, max lat


class Category(StrEnum):
    """ABCD asset categories; the values are stable codes used in files and the database."""

    PERSON = "person"
    ASSOCIATION = "association"
    INITIATIVE = "initiative"
    INSTITUTION = "institution"
    MEETING_PLACE = "meeting_place"
    PLACE = "place"
    BUSINESS = "business"
    STORY = "story"

    def label(self, lang: Lang = "nl") -> str:
        """The category's name in ``lang``."""
        return t(f"category.{self.value}", lang)


class MeetingPlaceRole(StrEnum):
    """Per wijk the municipality funds one *standard* meeting place; residents start others."""

    STANDARD = "standard"
    RESIDENT = "resident"
    OTHER = "other"


class Source(StrEnum):
    """Where an asset record came from; ``example`` marks invented demonstration data."""

    FIELD = "field"
    IMPORT = "import"
    OSM = "osm"
    EXAMPLE = "example"


class Status(StrEnum):
    """Moderation state: in a wijk that requires approval, new assets wait as ``pending``."""

    APPROVED = "approved"
    PENDING = "pending"


CONSENT_PURPOSE_MAX = 300
CONSENT_AGE = 16  # under 16 a parent or guardian consents (AVG art. 8, Dutch UAVG)


@dataclass(frozen=True, slots=True)
class Consent:
    """The consent a resident gave to be on the map with their talent (AVG/GDPR).

    Required to store a ``person``; ``under_16`` needs ``parent_consent``.
    """

    date: date
    recorded_by: str
    purpose: str
    text_version: str = "v1"
    under_16: bool = False
    parent_consent: bool = False


# Only these categories may carry an area or a line they are active in.
AREA_CATEGORIES = frozenset({Category.INITIATIVE, Category.PLACE})
AREA_TYPES = frozenset({"Polygon", "MultiPolygon", "LineString", "MultiLineString"})


@record
class AssetFields:
    """What a user or a file says about an asset: the asset's fields, declared once.

    Every field here is a column of the ``assets`` table, a key of its history
    and, unless marked otherwise, a property of import and export files
    (:mod:`abcd.records`). Adding a field is one line here plus its migration.
    """

    name: str = declared(max_length=NAME_MAX)
    category: Category = declared(max_length=30)
    description: str = declared(default="", long_text=True)
    resident_led: bool | None = declared(default=None)
    meeting_place_role: MeetingPlaceRole | None = declared(default=None, max_length=20)
    source: Source = declared(default=Source.FIELD, max_length=20, form="none")
    contact: str | None = declared(default=None, max_length=CONTACT_MAX, private=True)
    # Files carry the location as their geometry and the area as ``area_wkt``.
    lon: float = declared(interchange=False)
    lat: float = declared(interchange=False)
    area: BaseGeometry | None = declared(default=None, interchange=False, form="none")
    status: Status = declared(default=Status.APPROVED, max_length=20, interchange=False, form="none")
    # People: the CBS buurt they are counted in (never a home point), and the club, place or initiative they belong to.
    buurt: str | None = declared(default=None, max_length=100, interchange=False, form="none")
    linked_asset_id: str | None = declared(default=None, max_length=36, interchange=False, form="add")
    # Initiatives: what they do (``zwerfvuil``, ``groen``, ...; :mod:`abcd.themes`), so a gap map can be per theme.
    themes: frozenset[str] = declared(default=frozenset())
    # The day a builder last saw it still there ("nog actief"), set when stored: a wijk can show what went stale.
    last_confirmed: date | None = declared(default=None, form="none")
    # The OpenStreetMap object a candidate came from (``node/123``): a second ``abcd osm import`` updates it.
    osm_id: str | None = declared(default=None, max_length=OSM_ID_MAX, form="none")

    @property
    def point(self) -> Point:
        """The location as a shapely point in WGS84 (lon, lat)."""
        return Point(self.lon, self.lat)

    def raw(self) -> dict[str, Any]:
        """The fields as a form or a file row gives them (codes for enums), for :func:`validate_asset`."""
        return {f.name: plain_value(getattr(self, f.name)) for f in declared_fields(AssetFields)}


@record
class AssetDraft(AssetFields):
    """A validated asset as a user or a file supplies it (no bookkeeping yet).

    ``id`` is set when a file names the asset it updates; ``consent`` goes
    with a resident (category ``person``) and is stored apart from the asset.
    ``wijk`` is the area the user or file says it lies in: checked against the
    location, never stored (the areas an asset belongs to follow from where it
    is, :mod:`abcd.places`).
    """

    id: str | None = None
    consent: Consent | None = None
    wijk: str | None = None


@record
class Asset(Versioned, AssetFields):
    """A stored asset: its fields plus identity, version and who changed it when."""

    id: str

    @property
    def is_example(self) -> bool:
        return self.source is Source.EXAMPLE

    @property
    def is_person(self) -> bool:
        return self.category is Category.PERSON

    @property
    def is_pending(self) -> bool:
        return self.status is Status.PENDING

    @property
    def counts_as_initiative(self) -> bool:
        """A live, approved, resident-led initiative: what every count of "resident initiatives" counts.

        The gap map, the investment summary, the report and the CLI all ask
        this (through :func:`counted_initiatives`), so they cannot disagree.
        """
        return not self.is_deleted and counts_as_initiative(self.category, self.resident_led, self.status)

    def draft(self, **changes: Any) -> AssetDraft:
        """An editable draft of this asset with ``changes`` applied (not validated)."""
        values = {f.name: getattr(self, f.name) for f in declared_fields(AssetFields)}
        return replace(AssetDraft(**values, id=self.id), **changes)


# The interchange properties of files and frames, in this order: identity,
# the declared fields that travel, then bookkeeping written on export.
INTERCHANGE_COLUMNS = ("id", *interchange_fields(AssetFields), "version", "created_at", "updated_at")


def _text(raw: Mapping[str, Any], key: str, *, maximum: int, required: bool = False) -> str:
    value = raw.get(key)
    if is_missing(value):
        if required:
            raise ValidationError("error.required", field=Term(f"field.{key}"))
        return ""
    text = " ".join(str(value).split()) if key != "description" else str(value).strip()
    return check_text(text, field=Term(f"field.{key}"), maximum=maximum, required=required)


def check_text(text: str, *, field: Term, maximum: int, required: bool = False) -> str:
    """Refuse a text that is blank (when ``required``), longer than ``maximum`` or holds a control character.

    The one check of every short text a person types (names, notes, labels),
    so each says the same thing in the same words.

    >>> check_text("Naaiclub", field=Term("field.name"), maximum=200)
    'Naaiclub'
    """
    if required and not text:
        raise ValidationError("error.blank", field=field)
    if len(text) > maximum:
        raise ValidationError("error.too_long", field=field, length=len(text), max=maximum)
    control = _CONTROL.search(text)
    if control:
        raise ValidationError("error.control_chars", field=field, char=f"U+{ord(control[0]):04X}")
    return text


# Invisible control characters (NUL, ESC, ...): they break terminals (`abcd list`), PostgreSQL (NUL) and
# spreadsheets. Line breaks and tabs are fine in a description; elsewhere they are folded to spaces above.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _choice(enum: type[StrEnum], key: str, value: Any) -> Any:
    text = str(value).strip().lower()
    try:
        return enum(text)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ValidationError("error.choice", field=Term(f"field.{key}"), value=value, allowed=allowed) from None


def parse_bool(value: Any, *, field: str) -> bool:
    """Read yes/no the way people write it in a spreadsheet (ja/nee, true/false, 1/0)."""
    try:
        return parse_flag(value)
    except ValueError:
        raise ValidationError("error.bool", field=Term(f"field.{field}"), value=value) from None


def parse_coordinate(value: Any, *, field: str) -> float:
    """A finite float, accepting a decimal comma (``51,91``)."""
    if is_blank(value):
        raise ValidationError("error.required", field=Term(f"field.{field}"))
    if isinstance(value, bool):
        raise ValidationError("error.not_a_number", field=Term(f"field.{field}"), value=value)
    try:
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise ValidationError("error.not_a_number", field=Term(f"field.{field}"), value=value) from None
    if not math.isfinite(number):
        raise ValidationError("error.not_finite", field=Term(f"field.{field}"), value=value)
    return number


def check_lonlat(lon: float, lat: float) -> None:
    """Refuse coordinates that cannot be WGS84 degrees in the Netherlands.

    RD New metres and swapped axes are the two mistakes seen in practice, so
    the messages name them.
    """
    if not -90 <= lat <= 90:
        raise ValidationError("error.lat_range", value=lat)
    if not -180 <= lon <= 180:
        raise ValidationError("error.lon_range", value=lon)
    min_lon, min_lat, max_lon, max_lat = NL_BOUNDS
    if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
        raise ValidationError("error.not_in_nl", lat=lat, lon=lon)


def _area(value: Any, category: Category) -> BaseGeometry | None:
    if is_blank(value):
        return None
    if category not in AREA_CATEGORIES:
        raise ValidationError("error.not_for_category", field=Term("field.area"), category=category.value)
    geom = value
    if isinstance(value, str):
        check_wkt(value, field="field.area")  # GEOS parses recursively: a deep text would crash the process
        try:
            geom = shapely.from_wkt(value)
        except shapely.errors.GEOSException as exc:
            raise ValidationError("error.geometry_invalid", field=Term("field.area"), reason=str(exc)) from None
    if not isinstance(geom, BaseGeometry):
        raise ValidationError("error.geometry_invalid", field=Term("field.area"), reason=type(value).__name__)
    check_geometry(geom, field="field.area")
    if geom.is_empty:
        raise ValidationError("error.geometry_empty", field=Term("field.area"))
    if geom.geom_type not in AREA_TYPES:
        raise ValidationError(
            "error.geometry_type", field=Term("field.area"), expected=Term("geom.area_or_line"), value=geom.geom_type
        )
    if shapely.get_coordinate_dimension(geom) > 2:
        geom = shapely.force_2d(geom)
    if not geom.is_valid:
        raise ValidationError("error.geometry_invalid", field=Term("field.area"), reason=shapely.is_valid_reason(geom))
    for x, y in shapely.get_coordinates(geom):
        check_lonlat(float(x), float(y))
    return geom


def parse_date(value: Any, *, field: str) -> date:
    """An ISO date (``2026-11-22``); a datetime keeps its date part."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if is_blank(value):
        raise ValidationError("error.required", field=Term(f"field.{field}"))
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 else date.fromisoformat(text)
    except ValueError:
        raise ValidationError("error.bad_date", field=Term(f"field.{field}"), value=value) from None


THEME_CODE = re.compile(r"[a-z][a-z0-9_]{1,29}")
"""A theme code: lower-case letters, digits and ``_``, 2 to 30 long (it is a file value and a URL part)."""
MAX_THEMES = 10


def parse_themes(value: Any) -> frozenset[str]:
    """Theme codes as a file cell or a form gives them: ``"zwerfvuil, groen"``, ``"groen;spelen"`` or a list.

    Only the spelling is checked here; whether a code is one of the wijk's
    themes is :func:`abcd.themes.check_known` (custom themes live in the store).

    >>> sorted(parse_themes(" Zwerfvuil ,groen;groen"))
    ['groen', 'zwerfvuil']
    """
    if is_blank(value):
        return frozenset()
    items = value if isinstance(value, (list, tuple, set, frozenset)) else re.split(r"[,;\s]+", str(value))
    codes = frozenset(str(item).strip().lower() for item in items if not is_blank(item) and str(item).strip())
    for code in sorted(codes):
        if not THEME_CODE.fullmatch(code):
            raise ValidationError("error.theme_code", value=code)
    if len(codes) > MAX_THEMES:
        raise ValidationError("error.too_many_themes", count=len(codes), max=MAX_THEMES)
    return codes


def validate_consent(raw: Mapping[str, Any], *, today: date | None = None) -> Consent:
    """The consent fields of a person (``consent_date``, ``consent_recorded_by``, ``consent_purpose``,
    ``consent_text_version``, ``under_16``, ``parent_consent``); refuses a child without a parent's consent."""
    # The app's form asks for a tick, unticked by default: consent is given, never assumed.
    if "consent_given" in raw and not (
        not is_blank(raw["consent_given"]) and parse_bool(raw["consent_given"], field="consent")
    ):
        raise ValidationError("error.consent_not_given")
    when = parse_date(raw.get("consent_date"), field="consent_date")
    if when > (today or local_today()):
        raise ValidationError("error.future_date", field=Term("field.consent_date"), value=when.isoformat())
    recorded_by = _text(raw, "consent_recorded_by", maximum=ACTOR_MAX, required=True)
    purpose = _text(raw, "consent_purpose", maximum=CONSENT_PURPOSE_MAX, required=True)
    version = _text(raw, "consent_text_version", maximum=50) or "v1"
    under_16 = raw.get("under_16")
    minor = parse_bool(under_16, field="under_16") if not is_blank(under_16) else False
    parent = raw.get("parent_consent")
    parent_ok = parse_bool(parent, field="parent_consent") if not is_blank(parent) else False
    if minor and not parent_ok:
        raise ValidationError("error.minor_without_parent", age=CONSENT_AGE)
    return Consent(
        date=when,
        recorded_by=recorded_by,
        purpose=purpose,
        text_version=version,
        under_16=minor,
        parent_consent=parent_ok,
    )


def validate_asset(raw: Mapping[str, Any], *, default_source: Source = Source.FIELD) -> AssetDraft:
    """Check raw input (a form, a file row) and return a clean :class:`AssetDraft`.

    ``raw`` holds ``name``, ``category``, ``lon`` and ``lat``, and optionally
    ``wijk`` (the area the point is said to lie in, checked by the caller),
    ``description``, ``resident_led``, ``meeting_place_role``, ``contact``,
    ``source``, ``area`` (shapely geometry or WKT) and ``id``.
    Whitespace in names is folded; category-specific fields that do not apply
    are refused rather than silently dropped, except empty ones.

    >>> d = validate_asset({"name": " Naaiclub  Jan ", "category": "association",
    ...                     "lon": 4.44, "lat": 51.91, "wijk": "bospolder-tussendijken"})
    >>> d.name, d.category.value
    ('Naaiclub Jan', 'association')
    """
    name = _text(raw, "name", maximum=NAME_MAX, required=True)
    category_value = raw.get("category")
    if is_blank(category_value):
        raise ValidationError("error.required", field=Term("field.category"))
    category: Category = _choice(Category, "category", category_value)
    description = _text(raw, "description", maximum=DESCRIPTION_MAX)
    contact = _text(raw, "contact", maximum=CONTACT_MAX) or None
    lon = parse_coordinate(raw.get("lon"), field="lon")
    lat = parse_coordinate(raw.get("lat"), field="lat")
    check_lonlat(lon, lat)
    wijk = _text(raw, "wijk", maximum=NAME_MAX) or None

    resident_led: bool | None = None
    value = raw.get("resident_led")
    has_value = not is_blank(value)
    if category is Category.INITIATIVE:
        resident_led = parse_bool(value, field="resident_led") if has_value else True
    elif has_value and parse_bool(value, field="resident_led"):
        # Only initiatives are resident-led or not; a "false" elsewhere is harmless.
        raise ValidationError("error.not_for_category", field=Term("field.resident_led"), category=category.value)

    role: MeetingPlaceRole | None = None
    value = raw.get("meeting_place_role")
    has_value = not is_blank(value)
    if category is Category.MEETING_PLACE:
        role = _choice(MeetingPlaceRole, "meeting_place_role", value) if has_value else MeetingPlaceRole.OTHER
    elif has_value:
        raise ValidationError("error.not_for_category", field=Term("field.meeting_place_role"), category=category.value)

    value = raw.get("source")
    source = _choice(Source, "source", value) if not is_blank(value) else default_source

    asset_id: str | None = None
    value = raw.get("id")
    if not is_blank(value):
        try:
            asset_id = str(uuid.UUID(str(value).strip()))
        except ValueError:
            raise ValidationError("error.bad_uuid", field=Term("field.id"), value=value) from None

    consent = None
    linked = None
    if category is Category.PERSON:
        consent = raw["consent"] if isinstance(raw.get("consent"), Consent) else validate_consent(raw)
        value = raw.get("linked_asset_id")
        if not is_blank(value):
            try:
                linked = str(uuid.UUID(str(value).strip()))
            except ValueError:
                raise ValidationError("error.bad_uuid", field=Term("field.linked_asset_id"), value=value) from None
    elif not is_blank(raw.get("linked_asset_id")):
        raise ValidationError("error.not_for_category", field=Term("field.linked_asset_id"), category=category.value)

    themes = parse_themes(raw.get("themes"))
    if themes and category is not Category.INITIATIVE:
        raise ValidationError("error.not_for_category", field=Term("field.themes"), category=category.value)
    last_confirmed = None
    if not is_blank(raw.get("last_confirmed")):
        last_confirmed = parse_date(raw.get("last_confirmed"), field="last_confirmed")
        if last_confirmed > local_today():
            raise ValidationError(
                "error.future_date", field=Term("field.last_confirmed"), value=last_confirmed.isoformat()
            )

    osm_id = _osm_id(raw.get("osm_id"))

    return AssetDraft(
        name=name,
        category=category,
        lon=lon,
        lat=lat,
        wijk=wijk,
        description=description,
        resident_led=resident_led,
        meeting_place_role=role,
        contact=contact,
        source=source,
        area=_area(raw.get("area"), category),
        id=asset_id,
        linked_asset_id=linked,
        themes=themes,
        last_confirmed=last_confirmed,
        osm_id=osm_id,
        consent=consent,
    )


_OSM_ID = re.compile(r"(node|way|relation)/[1-9][0-9]{0,18}")


def _osm_id(value: Any) -> str | None:
    """An OpenStreetMap object as ``node/123``, ``way/456`` or ``relation/789``; ``None`` for none."""
    if is_blank(value):
        return None
    text = str(value).strip().lower()
    if not _OSM_ID.fullmatch(text):
        raise ValidationError("error.bad_osm_id", field=Term("field.osm_id"), value=value)
    return text


# Fields that belong to some categories only (validate_asset refuses them elsewhere).
CATEGORY_FIELDS: Mapping[str, frozenset[Category]] = {
    "resident_led": frozenset({Category.INITIATIVE}),
    "meeting_place_role": frozenset({Category.MEETING_PLACE}),
    "area": AREA_CATEGORIES,
    "linked_asset_id": frozenset({Category.PERSON}),
    "themes": frozenset({Category.INITIATIVE}),
}


def with_changes(stored: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """An asset's stored raw values with ``changes`` applied, as an edit form or an import row edits it.

    Fields ``changes`` leaves out keep their stored value. When the category
    changes, stored fields of the old category (an initiative's
    ``resident_led``, ...) are dropped instead of refused; values ``changes``
    gives are kept, so a wrong one is still named by :func:`validate_asset`.

    >>> stored = {"name": "Moestuin", "category": "initiative", "resident_led": True}
    >>> changed = with_changes(stored, {"category": "place"})
    >>> changed["name"], changed["category"], changed["resident_led"]
    ('Moestuin', 'place', None)
    """
    merged = {**stored, **changes}
    category = str(merged.get("category", "")).strip().lower()
    for name, categories in CATEGORY_FIELDS.items():
        if name not in changes and category not in categories:
            merged[name] = None
    return merged


def counts_as_initiative(category: Any, resident_led: Any, status: Any) -> bool:
    """The rule of :attr:`Asset.counts_as_initiative` on plain values: enums or their codes, as a history
    snapshot holds them (:mod:`abcd.timeline` counts past months with it).

    >>> counts_as_initiative("initiative", None, "approved"), counts_as_initiative("initiative", False, "approved")
    (True, False)
    """
    return category == Category.INITIATIVE and resident_led is not False and status != Status.PENDING


def counted_initiatives(assets: Iterable[Asset]) -> list[Asset]:
    """The resident initiatives that count (see :attr:`Asset.counts_as_initiative`), in input order."""
    return [a for a in assets if a.counts_as_initiative]


def new_asset_id() -> str:
    """A fresh random UUID as text."""
    return str(uuid.uuid4())


__all__ = [
    "AREA_CATEGORIES",
    "RD_NEW",
    "WGS84",
    "Asset",
    "AssetDraft",
    "Category",
    "Consent",
    "MeetingPlaceRole",
    "Source",
    "Status",
    "check_lonlat",
    "check_text",
    "counted_initiatives",
    "counts_as_initiative",
    "new_asset_id",
    "parse_bool",
    "parse_coordinate",
    "parse_themes",
    "validate_asset",
    "validate_consent",
    "with_changes",
]
