"""Validation of raw asset input: every field, coordinates and the messages users see."""

from __future__ import annotations

import math
import unicodedata
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import LineString, Point

from abcd.errors import AbcdError, ValidationError
from abcd.model import (
    CONTACT_MAX,
    DESCRIPTION_MAX,
    NAME_MAX,
    NL_BOUNDS,
    Asset,
    AssetFields,
    Category,
    MeetingPlaceRole,
    Source,
    Status,
    counted_initiatives,
    parse_bool,
    parse_coordinate,
    validate_asset,
)
from abcd.records import declared_fields
from tests.helpers import BOTU, LINE_IN_BOTU, POLYGON_IN_BOTU, make_draft, raw_asset


def refused(raw: dict[str, Any]) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_asset(raw)
    return info.value


# ------------------------------------------------------------------ the happy path
def test_valid_association_keeps_every_value() -> None:
    draft = validate_asset(
        raw_asset(description="  Elke dinsdag.\nNeem stof mee.  ", contact=" jan@example.org ", source="import")
    )
    assert draft.name == "Naaiclub"
    assert draft.category is Category.ASSOCIATION
    assert (draft.lon, draft.lat) == (4.4413, 51.9107)
    assert draft.wijk == BOTU
    assert draft.description == "Elke dinsdag.\nNeem stof mee."  # trimmed, inner newline kept
    assert draft.contact == "jan@example.org"
    assert draft.source is Source.IMPORT
    assert draft.resident_led is None
    assert draft.meeting_place_role is None
    assert draft.area is None
    assert draft.id is None
    assert draft.point.equals(Point(4.4413, 51.9107))


def test_optional_text_missing_gives_empty_description_and_no_contact() -> None:
    draft = make_draft(description=None, contact="   ")
    assert draft.description == ""
    assert draft.contact is None


# ----------------------------------------------------------------------- names
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Naaiclub   Jan ", "Naaiclub Jan"),
        ("Naaiclub\tJan\n", "Naaiclub Jan"),
        ("Naai\u00a0club", "Naai club"),  # a non-breaking space from a spreadsheet is folded too
        (12, "12"),
    ],
)
def test_name_whitespace_is_folded(typed: object, stored: str) -> None:
    assert make_draft(name=typed).name == stored


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_blank_name_is_refused_naming_the_field(blank: str) -> None:
    err = refused(raw_asset(name=blank))
    assert err.key == "error.blank"
    assert "'naam'" in str(err)
    assert "'name'" in err.message("en")


@pytest.mark.parametrize("missing", [None, math.nan])
def test_missing_name_is_required(missing: object) -> None:
    err = refused(raw_asset(name=missing))
    assert err.key == "error.required"
    assert str(err) == "Het veld 'naam' is verplicht."
    assert err.message("en") == "The field 'name' is required."


def test_name_of_exactly_the_maximum_length_is_accepted() -> None:
    assert len(make_draft(name="x" * NAME_MAX).name) == NAME_MAX


def test_too_long_name_says_length_and_maximum() -> None:
    err = refused(raw_asset(name="x" * (NAME_MAX + 1)))
    assert err.key == "error.too_long"
    assert str(NAME_MAX + 1) in str(err) and str(NAME_MAX) in str(err)
    assert "'naam'" in str(err)
    assert "'name'" in err.message("en")


def test_whitespace_does_not_count_towards_the_name_length() -> None:
    padded = "  " + "x" * NAME_MAX + "     "
    assert make_draft(name=padded).name == "x" * NAME_MAX


@pytest.mark.parametrize(
    ("field", "maximum", "nl", "en"),
    [("description", DESCRIPTION_MAX, "beschrijving", "description"), ("contact", CONTACT_MAX, "contact", "contact")],
)
def test_too_long_optional_text_is_refused(field: str, maximum: int, nl: str, en: str) -> None:
    assert len(getattr(make_draft(**{field: "y" * maximum}), field)) == maximum
    err = refused(raw_asset(**{field: "y" * (maximum + 1)}))
    assert err.key == "error.too_long"
    assert nl in str(err)
    assert en in err.message("en")


def test_a_blank_wijk_places_the_asset_by_its_location() -> None:
    # An asset is a place: where it lies decides its areas; a wijk, when given, is only checked.
    assert make_draft(wijk=" ").wijk is None
    assert make_draft(wijk="bospolder-tussendijken").wijk == "bospolder-tussendijken"
    assert "wijk" not in {f.name for f in declared_fields(AssetFields)}  # never stored


# ------------------------------------------------------------------ categories
@pytest.mark.parametrize("category", list(Category))
def test_every_category_is_accepted_case_insensitively(category: Category) -> None:
    assert make_draft(category=f" {category.value.upper()} ").category is category


def test_unknown_category_lists_the_allowed_values() -> None:
    err = refused(raw_asset(category="club"))
    assert err.key == "error.choice"
    assert "'club'" in str(err)
    assert "'categorie'" in str(err)
    assert "'category'" in err.message("en")
    for category in Category:
        assert category.value in err.message("en")


@pytest.mark.parametrize("missing", [None, "", "  "])
def test_missing_category_is_required(missing: object) -> None:
    err = refused(raw_asset(category=missing))
    assert err.key == "error.required"
    assert "'categorie'" in str(err)


def test_category_labels_differ_per_language() -> None:
    assert Category.MEETING_PLACE.label("nl") == "Ontmoetingsplek"
    assert Category.MEETING_PLACE.label("en") == "Meeting place"


# ----------------------------------------------------------------- resident_led
def test_initiative_is_resident_led_unless_told_otherwise() -> None:
    assert make_draft(category="initiative").resident_led is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ja", True),
        ("JA", True),
        ("j", True),
        ("yes", True),
        ("true", True),
        ("1", True),
        (1, True),
        (True, True),
        ("waar", True),
        ("nee", False),
        ("Nee ", False),
        ("no", False),
        ("false", False),
        ("0", False),
        (0, False),
        (0.0, False),
        (False, False),
        ("onwaar", False),
    ],
)
def test_resident_led_reads_yes_and_no_in_dutch_and_english(value: object, expected: bool) -> None:
    assert make_draft(category="initiative", resident_led=value).resident_led is expected


@pytest.mark.parametrize("empty", [None, "", "  ", math.nan])
def test_empty_resident_led_falls_back_to_the_default(empty: object) -> None:
    assert make_draft(category="initiative", resident_led=empty).resident_led is True


@pytest.mark.parametrize("nonsense", ["misschien", "2", 2, "yess"])
def test_resident_led_that_is_not_yes_or_no_is_refused(nonsense: object) -> None:
    err = refused(raw_asset(category="initiative", resident_led=nonsense))
    assert err.key == "error.bool"
    assert "door bewoners geleid" in str(err)
    assert "resident-led" in err.message("en")


def test_resident_led_yes_on_another_category_is_refused() -> None:
    err = refused(raw_asset(category="business", resident_led="ja"))
    assert err.key == "error.not_for_category"
    assert "business" in str(err)


@pytest.mark.parametrize("harmless", ["nee", "false", False, ""])
def test_resident_led_no_on_another_category_is_ignored(harmless: object) -> None:
    assert make_draft(category="business", resident_led=harmless).resident_led is None


def test_parse_bool_names_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        parse_bool("soms", field="resident_led")
    assert info.value.params["value"] == "soms"
    assert "'soms'" in str(info.value)


# ------------------------------------------------------------ meeting_place_role
@pytest.mark.parametrize("role", list(MeetingPlaceRole))
def test_meeting_place_role_is_read(role: MeetingPlaceRole) -> None:
    assert make_draft(category="meeting_place", meeting_place_role=f" {role.value.title()}").meeting_place_role is role


def test_meeting_place_without_role_is_other() -> None:
    assert make_draft(category="meeting_place").meeting_place_role is MeetingPlaceRole.OTHER


def test_unknown_meeting_place_role_is_refused() -> None:
    err = refused(raw_asset(category="meeting_place", meeting_place_role="gemeente"))
    assert err.key == "error.choice"
    assert "soort ontmoetingsplek" in str(err)
    assert "kind of meeting place" in err.message("en")


def test_meeting_place_role_on_another_category_is_refused() -> None:
    err = refused(raw_asset(category="association", meeting_place_role="standard"))
    assert err.key == "error.not_for_category"
    assert "kind of meeting place" in err.message("en")


# ---------------------------------------------------------------------- source
@pytest.mark.parametrize("source", list(Source))
def test_source_is_read(source: Source) -> None:
    assert make_draft(source=source.value.upper()).source is source


def test_missing_source_takes_the_default() -> None:
    assert make_draft().source is Source.FIELD
    assert validate_asset(raw_asset(source=""), default_source=Source.OSM).source is Source.OSM


def test_unknown_source_is_refused() -> None:
    err = refused(raw_asset(source="twitter"))
    assert err.key == "error.choice"
    assert "'bron'" in str(err)
    assert "'source'" in err.message("en")


# -------------------------------------------------------------------------- id
def test_id_is_normalised_to_lower_case_uuid_text() -> None:
    given_id = uuid.uuid4()
    assert make_draft(id=f"  {str(given_id).upper()} ").id == str(given_id)


@pytest.mark.parametrize("bad", ["42", "not-a-uuid", "1234567-1234-1234-1234-1234567890ab"])
def test_bad_id_is_refused(bad: str) -> None:
    err = refused(raw_asset(id=bad))
    assert err.key == "error.bad_uuid"
    assert repr(bad) in str(err)
    assert "'id'" in err.message("en")


# ------------------------------------------------------------------------ area
@pytest.mark.parametrize(("category", "wkt"), [("initiative", LINE_IN_BOTU), ("place", POLYGON_IN_BOTU)])
def test_area_as_wkt_for_initiative_and_place(category: str, wkt: str) -> None:
    draft = make_draft(category=category, area=wkt)
    assert draft.area is not None
    assert draft.area.equals(shapely.from_wkt(wkt))


def test_area_as_shapely_geometry_is_accepted() -> None:
    line = LineString([(4.4428, 51.9106), (4.4439, 51.9115), (4.4445, 51.9120)])
    assert make_draft(category="initiative", area=line).area == line


def test_multi_polygon_area_is_accepted() -> None:
    wkt = (
        "MULTIPOLYGON (((4.440 51.910, 4.441 51.910, 4.441 51.911, 4.440 51.910)),"
        " ((4.442 51.910, 4.443 51.910, 4.443 51.911, 4.442 51.910)))"
    )
    draft = make_draft(category="place", area=wkt)
    assert draft.area is not None and draft.area.geom_type == "MultiPolygon"


def test_3d_area_is_flattened() -> None:
    draft = make_draft(category="initiative", area="LINESTRING Z (4.4428 51.9106 3, 4.4439 51.9115 4)")
    assert draft.area is not None
    assert not draft.area.has_z
    assert draft.area.equals(LineString([(4.4428, 51.9106), (4.4439, 51.9115)]))


@pytest.mark.parametrize("category", sorted(set(Category) - {Category.INITIATIVE, Category.PLACE}))
def test_area_on_other_categories_is_refused(category: Category) -> None:
    err = refused(raw_asset(category=category.value, area=POLYGON_IN_BOTU))
    assert err.key == "error.not_for_category"
    assert "gebied of route" in str(err)
    assert "area or route" in err.message("en")


@pytest.mark.parametrize("empty", [None, "", "   ", math.nan])
def test_empty_area_value_means_no_area(empty: object) -> None:
    assert make_draft(category="association", area=empty).area is None


@pytest.mark.parametrize(
    ("wkt", "key"),
    [
        ("POLYGON EMPTY", "error.geometry_empty"),
        ("LINESTRING EMPTY", "error.geometry_empty"),
        ("POINT (4.44 51.91)", "error.geometry_type"),
        ("MULTIPOINT ((4.44 51.91), (4.45 51.92))", "error.geometry_type"),
        ("POLYGON ((4.44 51.91, 4.45 51.92", "error.geometry_invalid"),
        ("not wkt at all", "error.geometry_invalid"),
        # a bow tie: self-intersecting polygon
        ("POLYGON ((4.440 51.910, 4.441 51.911, 4.441 51.910, 4.440 51.911, 4.440 51.910))", "error.geometry_invalid"),
        # RD metres and swapped axes inside an area are caught like a point's
        ("LINESTRING (92000 437000, 92100 437100)", "error.lat_range"),
        ("LINESTRING (51.91 4.44, 51.92 4.45)", "error.not_in_nl"),
    ],
)
def test_invalid_area_is_refused(wkt: str, key: str) -> None:
    err = refused(raw_asset(category="initiative", area=wkt))
    assert err.key == key
    assert err.message("en")  # renders in English without missing parameters


def test_invalid_area_message_names_the_field_and_type() -> None:
    err = refused(raw_asset(category="place", area="POINT (4.44 51.91)"))
    assert "'gebied of route'" in str(err) and "Point" in str(err) and "vlak of lijn" in str(err)
    assert "'area or route'" in err.message("en") and "polygon or line" in err.message("en")


def test_area_that_is_not_a_geometry_is_refused() -> None:
    err = refused(raw_asset(category="place", area=42))
    assert err.key == "error.geometry_invalid"


# ----------------------------------------------------------------- coordinates
@pytest.mark.parametrize(
    ("lon", "lat"),
    [("4,4413", "51,9107"), (" 4.4413 ", " 51.9107 "), ("4.4413", 51.9107), (4.4413, "51,9107")],
)
def test_coordinates_accept_text_and_a_decimal_comma(lon: object, lat: object) -> None:
    draft = make_draft(lon=lon, lat=lat)
    assert (draft.lon, draft.lat) == (4.4413, 51.9107)


@pytest.mark.parametrize("value", [math.inf, -math.inf, "nan", "NaN", "inf", "1e400"])
def test_coordinates_must_be_finite(value: object) -> None:
    err = refused(raw_asset(lat=value))
    assert err.key == "error.not_finite"
    assert "breedtegraad" in str(err)
    assert "latitude" in err.message("en")


def test_infinite_longitude_names_the_longitude() -> None:
    err = refused(raw_asset(lon="-inf"))
    assert err.key == "error.not_finite"
    assert "lengtegraad" in str(err)
    assert "longitude" in err.message("en")


def test_float_nan_is_an_empty_spreadsheet_cell() -> None:
    # pandas reads an empty cell as NaN: the user is told the value is missing.
    err = refused(raw_asset(lon=math.nan))
    assert err.key == "error.required"
    assert "lengtegraad" in str(err)
    assert "longitude" in err.message("en")


@pytest.mark.parametrize("value", ["abc", "4.44.1", True, [4.44]])
def test_coordinates_must_be_numbers(value: object) -> None:
    err = refused(raw_asset(lon=value))
    assert err.key == "error.not_a_number"
    assert "lengtegraad" in str(err)
    assert "longitude" in err.message("en")


@pytest.mark.parametrize(
    ("field", "nl", "en"), [("lon", "lengtegraad", "longitude"), ("lat", "breedtegraad", "latitude")]
)
@pytest.mark.parametrize("missing", [None, "", "  "])
def test_missing_coordinates_are_required(field: str, nl: str, en: str, missing: object) -> None:
    err = refused(raw_asset(**{field: missing}))
    assert err.key == "error.required"
    assert nl in str(err)
    assert en in err.message("en")


def test_latitude_91_is_refused() -> None:
    err = refused(raw_asset(lat=91))
    assert err.key == "error.lat_range"
    assert "91" in str(err)


def test_longitude_181_is_refused() -> None:
    err = refused(raw_asset(lon=181))
    assert err.key == "error.lon_range"


@pytest.mark.parametrize(("lon", "lat"), [(92000, 437000), ("92000", "437000"), ("92000,5", "437000,25")])
def test_rd_metres_are_recognised(lon: object, lat: object) -> None:
    err = refused(raw_asset(lon=lon, lat=lat))
    assert "RD" in str(err)
    assert "RD" in err.message("en")
    assert "metres" in err.message("en")


def test_rd_x_with_degrees_latitude_is_recognised() -> None:
    err = refused(raw_asset(lon=92000, lat=51.91))
    assert err.key == "error.lon_range"
    assert "RD" in err.message("en")


def test_swapped_latitude_and_longitude_are_named() -> None:
    err = refused(raw_asset(lon=51.9107, lat=4.4413))
    assert err.key == "error.not_in_nl"
    assert "verwisseld" in str(err)
    assert "swapped" in err.message("en")


def test_point_outside_the_netherlands_is_refused() -> None:
    err = refused(raw_asset(lon=2.35, lat=48.86))  # Paris
    assert err.key == "error.not_in_nl"


def test_parse_coordinate_rejects_bool_and_keeps_ints() -> None:
    assert parse_coordinate(5, field="lon") == 5.0
    with pytest.raises(ValidationError):
        parse_coordinate(False, field="lon")


# ---------------------------------------------------------------------- errors
def test_errors_are_value_errors_with_a_key() -> None:
    err = refused(raw_asset(name=""))
    assert isinstance(err, AbcdError) and isinstance(err, ValueError)
    assert err.key == "error.blank"
    assert err.message() == str(err)  # Dutch is the default
    assert err.message("en") != str(err)


# ------------------------------------------------------------------ properties
nl_lon = st.floats(min_value=NL_BOUNDS[0], max_value=NL_BOUNDS[2], allow_nan=False, allow_infinity=False)
nl_lat = st.floats(min_value=NL_BOUNDS[1], max_value=NL_BOUNDS[3], allow_nan=False, allow_infinity=False)


@given(lon=nl_lon, lat=nl_lat)
def test_any_point_in_the_nl_box_round_trips_exactly(lon: float, lat: float) -> None:
    as_floats = make_draft(lon=lon, lat=lat)
    as_text = make_draft(lon=repr(lon), lat=repr(lat))
    with_comma = make_draft(lon=repr(lon).replace(".", ","), lat=repr(lat).replace(".", ","))
    for draft in (as_floats, as_text, with_comma):
        assert (draft.lon, draft.lat) == (lon, lat)


@given(name=st.text(min_size=1, max_size=60))
def test_a_valid_name_is_folded_and_never_grows(name: str) -> None:
    folded = " ".join(name.split())
    if not folded:
        with pytest.raises(ValidationError):
            make_draft(name=name)
    elif any(unicodedata.category(c) == "Cc" for c in folded):  # NUL, ESC, ...: refused, never stored
        with pytest.raises(ValidationError) as info:
            make_draft(name=name)
        assert info.value.key == "error.control_chars"
    else:
        assert make_draft(name=name).name == folded


@pytest.mark.parametrize(
    ("changes", "counts"),
    [
        ({}, True),
        ({"resident_led": None}, True),  # unknown counts as resident-led, as everywhere
        ({"resident_led": False}, False),  # run by an institution
        ({"status": Status.PENDING}, False),  # awaiting approval
        ({"deleted_at": datetime(2026, 1, 2, tzinfo=UTC)}, False),
        ({"category": Category.ASSOCIATION, "resident_led": None}, False),
    ],
)
def test_one_definition_of_a_counted_initiative(changes: dict[str, object], counts: bool) -> None:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    initiative = Asset(
        id="a", name="Zwerfvuilploeg", category=Category.INITIATIVE, lon=4.44, lat=51.91,
        resident_led=True, version=1, created_by="x", created_at=moment, updated_by="x", updated_at=moment,
    )  # fmt: skip
    asset = replace(initiative, **changes)  # type: ignore[arg-type]
    assert asset.counts_as_initiative is counts
    assert counted_initiatives([initiative, asset]) == [initiative, asset][: 1 + counts]
