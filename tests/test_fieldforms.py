"""The XLSForm for offline capture, and KoboToolbox/ODK exports of it imported back without any mapping.

The exports are written here the way the tools write them (their column
names, separators, quoting, group prefixes, metadata and zips), from a few
submissions of the generated form:

- KoboToolbox (formpack): ``;``-separated CSV with every cell quoted, groups
  as ``asset/name``, a geopoint ``location`` as ``location`` plus
  ``_location_latitude``/``_longitude``/``_altitude``/``_precision``,
  select-multiple as a summary column plus a ``themes/<code>`` column per
  choice, ``photo`` and ``photo_URL``, then ``_id``, ``_uuid``,
  ``_submission_time`` ... ``_index``; the "labels" variant with the
  questions' labels as headers and the choices' labels as values; an .xlsx
  with typed cells; a GeoJSON FeatureCollection whose geometry is the
  geopoint ([lon, lat, alt]) and whose properties are the other questions;
  attachments zipped as ``<user>/attachments/<form uuid>/<_uuid>/<file>``.
- ODK Central: ``,``-separated CSV, ``SubmissionDate`` first, groups as
  ``asset-name``, ``location-Latitude``/``-Longitude``/``-Altitude``/``-Accuracy``,
  ``meta-instanceID`` and ``KEY`` holding ``uuid:...``, then
  ``SubmitterID`` ... ``FormVersion``; its ``.csv.zip`` holds
  ``<form id>.csv`` and ``media/<file>``.
"""

from __future__ import annotations

import csv
import io as _io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pyxform.xls2xform import convert

from abcd import exchange, io
from abcd.cli import main as cli_main
from abcd.errors import ImportFileError
from abcd.fieldforms.exports import MARKER, export_tool, recognise_export
from abcd.fieldforms.xlsform import FORM_ID, question_count, xlsform_bytes, xlsform_sheets
from abcd.model import CATEGORY_FIELDS, AssetFields, Category
from abcd.permissions import CLI_USER
from abcd.photos.register import count_photos, photos_of
from abcd.records import declared_fields, field_info
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import WIJKEN_DIR

FORM_UUID = "a6c1f2e0b7d94c3e8f21d0c9b8a7e6f5"  # Kobo's folder for the form's attachments

# Three submissions of the generated form, as the phone answered them (XML values).
SUBMISSIONS: list[dict[str, Any]] = [
    {
        "name": "Moestuin De Peper",
        "category": "initiative",
        "description": "Groente kweken met de buren",
        "resident_led": "yes",
        "themes": "groen zwerfvuil",
        "lat": 51.9107,
        "lon": 4.4413,
        "photo": "1715000000001.jpg",
        "photo_people": "no",
        "instance": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "asset_uuid": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
        "submitted": "2026-05-01T10:12:00",
    },
    {
        "name": "Huiskamer Tussendijken",
        "category": "meeting_place",
        "meeting_place_role": "resident",
        "lat": 51.9118,
        "lon": 4.4380,
        "instance": "1b4e28ba-2fa1-41d2-883f-0016d3cca427",
        "asset_uuid": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
        "submitted": "2026-05-01T11:40:00",
    },
    {
        "name": "Fatima bakt",
        "category": "person",
        "consent_given": "yes",
        "under_16": "no",
        "consent_recorded_by": "ans",
        "lat": 51.9100,
        "lon": 4.4430,
        "photo": "1715000000003.jpg",
        "photo_people": "yes",
        "photo_consent": "yes",
        "instance": "6fa459ea-ee8a-4ca4-894e-db77e160355e",
        "asset_uuid": "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
        "submitted": "2026-05-02T09:05:00",
    },
]
PURPOSE = "Talent zichtbaar maken op de ABCD-kaart van de wijk"
ASSET_FIELDS = ["name", "category", "description", "resident_led", "meeting_place_role", "contact", "themes"]
RESIDENT_FIELDS = ["consent_given", "under_16", "parent_consent"]
AFTER = ["photo_people", "photo_consent", "consent_recorded_by"]


def photo_bytes(colour: str) -> bytes:
    out = _io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


PHOTOS = {"1715000000001.jpg": photo_bytes("green"), "1715000000003.jpg": photo_bytes("orange")}


# ------------------------------------------------------------------ the tools' exports
def _choices_sep(row: dict[str, Any], column: str) -> dict[str, str]:
    """Kobo's one column per theme, 1 or 0 (empty where the question was not asked)."""
    chosen = str(row.get("themes", "")).split()
    codes = ["zwerfvuil", "groen", "spelen", "ontmoeten", "zorg", "veiligheid"]
    return {f"{column}/{c}": ("1" if c in chosen else "0") if "themes" in row else "" for c in codes}


def kobo_table(subs: Sequence[dict[str, Any]], *, with_asset_uuid: bool = True) -> list[dict[str, Any]]:
    """Kobo's export rows ("XML values and headers", groups in headers), in its column order."""
    out = []
    for index, sub in enumerate(subs, start=1):
        row: dict[str, Any] = {
            "start": sub["submitted"] + ".000+02:00",
            "end": sub["submitted"] + ".000+02:00",
            "today": sub["submitted"][:10],
            "username": "ans",
        }
        for name in ASSET_FIELDS:
            row[f"asset/{name}"] = sub.get(name, "")
            if name == "themes":
                row.update(_choices_sep(sub, "asset/themes"))
        for name in RESIDENT_FIELDS:
            row[f"resident/{name}"] = sub.get(name, "")
        row["location"] = f"{sub['lat']} {sub['lon']} 0 4.5"
        row.update(
            {
                "_location_latitude": sub["lat"],
                "_location_longitude": sub["lon"],
                "_location_altitude": 0,
                "_location_precision": 4.5,
            }
        )
        row["photo"] = sub.get("photo", "")
        row["photo_URL"] = (
            f"https://kc.kobotoolbox.org/media/original?media_file=ans/{sub['photo']}" if "photo" in sub else ""
        )
        for name in AFTER:
            row[name] = sub.get(name, "")
        row["consent_purpose"] = PURPOSE
        row["consent_text_version"] = "v1"
        if with_asset_uuid:
            row["asset_uuid"] = sub["asset_uuid"]
        row.update(
            {
                "_id": 1000 + index,
                "_uuid": sub["instance"],
                "_submission_time": sub["submitted"],
                "_validation_status": "",
                "_notes": "",
                "_status": "submitted_via_web",
                "_submitted_by": "ans",
                "__version__": "vGqzXjR7Ye4oNRpLQ2tS3u",
                "_tags": "",
                "_index": index,
            }
        )
        out.append(row)
    return out


def kobo_csv(path: Path, subs: Sequence[dict[str, Any]], **options: Any) -> Path:
    """Kobo's CSV: ``;``-separated, every cell quoted (its default)."""
    rows = kobo_table(subs, **options)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    return path


def kobo_labels_csv(path: Path, subs: Sequence[dict[str, Any]]) -> Path:
    """Kobo's "labels" CSV: the questions' Dutch labels as headers (groups too), the choices' labels as values."""
    sheets = xlsform_sheets(lang="nl")
    label = {row["name"]: row["label::Nederlands (nl)"] for row in sheets["survey"] if "label::Nederlands (nl)" in row}
    choice = {(row["list_name"], row["name"]): row["label::Nederlands (nl)"] for row in sheets["choices"]}
    lists = {"category": "category", "meeting_place_role": "meeting_place_role", "themes": "themes"}
    lists.update(dict.fromkeys(["resident_led", *RESIDENT_FIELDS, "photo_people", "photo_consent"], "yes_no"))

    def shown(name: str, value: Any) -> Any:
        if name not in lists or value in ("", None):
            return value
        return " ".join(choice[(lists[name], v)] for v in str(value).split())

    rows = []
    for table_row in kobo_table(subs):
        row = {}
        for column, value in table_row.items():
            parts = column.split("/")
            if column.startswith("_location_"):
                row[f"_{label['location']}_{column.rsplit('_', 1)[1]}"] = value
            elif parts[0] in ("asset", "resident") and len(parts) == 2:
                row[f"{label[parts[0]]}/{label[parts[1]]}"] = shown(parts[1], value)
            elif parts[0] == "asset" and len(parts) == 3:  # a theme's own column: "Groep/Thema's/groen"
                row[f"{label['asset']}/{label['themes']}/{choice[('themes', parts[2])]}"] = value
            elif column in label and column not in ("username",):
                row[label[column]] = shown(column, value)
            else:
                row[column] = value
        rows.append(row)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    return path


def kobo_xlsx(path: Path, subs: Sequence[dict[str, Any]], **options: Any) -> Path:
    """Kobo's .xlsx: the same columns, numbers as numbers, on a sheet named after the form."""
    from openpyxl import Workbook

    rows = kobo_table(subs, **options)
    book = Workbook()
    sheet = book.active
    sheet.title = "ABCD wat heeft de wijk"
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append([None if value == "" else value for value in row.values()])
    book.save(path)
    return path


def kobo_geojson(path: Path, subs: Sequence[dict[str, Any]]) -> Path:
    """Kobo's GeoJSON: the geopoint as the geometry, the other answers (no metadata) as properties."""
    features = []
    for sub in subs:
        properties = {name: sub[name] for name in ASSET_FIELDS if sub.get(name)}
        properties.update({name: sub[name] for name in (*RESIDENT_FIELDS, *AFTER, "photo") if sub.get(name)})
        properties.update({"consent_purpose": PURPOSE, "consent_text_version": "v1", "asset_uuid": sub["asset_uuid"]})
        properties.update({"start": sub["submitted"], "end": sub["submitted"], "today": sub["submitted"][:10]})
        geometry = {"type": "Point", "coordinates": [sub["lon"], sub["lat"], 0.0]}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    collection = {"type": "FeatureCollection", "name": "ABCD wat heeft de wijk", "features": features}
    path.write_text(json.dumps(collection, indent=1), encoding="utf-8")
    return path


def kobo_attachments(path: Path, subs: Sequence[dict[str, Any]], photos: dict[str, bytes] = PHOTOS) -> Path:
    """Kobo's attachments download: ``<user>/attachments/<form uuid>/<submission _uuid>/<file>``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for sub in subs:
            if sub.get("photo") in photos:
                archive.writestr(f"ans/attachments/{FORM_UUID}/{sub['instance']}/{sub['photo']}", photos[sub["photo"]])
    return path


def central_table(subs: Sequence[dict[str, Any]], *, with_asset_uuid: bool = True) -> list[dict[str, Any]]:
    """ODK Central's CSV rows: groups as ``asset-name``, the geopoint in four columns, Central's own columns."""
    out = []
    for sub in subs:
        row: dict[str, Any] = {
            "SubmissionDate": sub["submitted"] + ".123Z",
            "start": sub["submitted"] + ".000+02:00",
            "end": sub["submitted"] + ".000+02:00",
            "today": sub["submitted"][:10],
            "username": "ans",
        }
        row.update({f"asset-{name}": sub.get(name, "") for name in ASSET_FIELDS})
        row.update({f"resident-{name}": sub.get(name, "") for name in RESIDENT_FIELDS})
        row.update(
            {
                "location-Latitude": sub["lat"],
                "location-Longitude": sub["lon"],
                "location-Altitude": 0,
                "location-Accuracy": 4.5,
            }
        )
        row["photo"] = sub.get("photo", "")
        row.update({name: sub.get(name, "") for name in AFTER})
        row.update({"consent_purpose": PURPOSE, "consent_text_version": "v1"})
        if with_asset_uuid:
            row["asset_uuid"] = sub["asset_uuid"]
        row["meta-instanceID"] = f"uuid:{sub['instance']}"
        row.update(
            {
                "KEY": f"uuid:{sub['instance']}",
                "SubmitterID": 7,
                "SubmitterName": "ans",
                "AttachmentsPresent": 1 if "photo" in sub else 0,
                "AttachmentsExpected": 1 if "photo" in sub else 0,
                "Status": "",
                "ReviewState": "",
                "DeviceID": "collect:Xk3v9",
                "Edits": 0,
                "FormVersion": "2026050101",
            }
        )
        out.append(row)
    return out


def central_csv_text(subs: Sequence[dict[str, Any]], **options: Any) -> str:
    rows = central_table(subs, **options)
    out = _io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def central_zip(path: Path, subs: Sequence[dict[str, Any]], photos: dict[str, bytes] = PHOTOS, **options: Any) -> Path:
    """ODK Central's "csv.zip": ``<form id>.csv`` and ``media/<file>``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{FORM_ID}.csv", central_csv_text(subs, **options))
        for sub in subs:
            if sub.get("photo") in photos:
                archive.writestr(f"media/{sub['photo']}", photos[sub["photo"]])
    return path


def import_file(store: Store, catalogue: dict[str, Wijk], path: Path) -> exchange.ImportResult:
    return exchange.import_assets(store, path, catalogue=catalogue, wijken_dir=WIJKEN_DIR, by="ans")


def assert_imported(store: Store, *, ids: Sequence[str] | None = None) -> None:
    """The three submissions are stored as the assets they describe."""
    assets = {a.name: a for a in store.list_assets()}
    assert set(assets) == {s["name"] for s in SUBMISSIONS}
    garden, room, fatima = (assets[s["name"]] for s in SUBMISSIONS)
    assert garden.category is Category.INITIATIVE and garden.resident_led is True
    assert garden.themes == frozenset({"groen", "zwerfvuil"}) and garden.description == "Groente kweken met de buren"
    assert (round(garden.lon, 4), round(garden.lat, 4)) == (4.4413, 51.9107)
    assert room.meeting_place_role is not None and room.meeting_place_role.value == "resident"
    assert fatima.category is Category.PERSON
    consent = store.consent(fatima.id)
    assert consent is not None and consent.recorded_by == "ans" and consent.purpose == PURPOSE
    assert consent.date.isoformat() == "2026-05-02"
    if ids is not None:
        assert [garden.id, room.id, fatima.id] == list(ids)


ASSET_UUIDS = [s["asset_uuid"] for s in SUBMISSIONS]
INSTANCES = [s["instance"] for s in SUBMISSIONS]


# ------------------------------------------------------------------ the form
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pyxform_converts_the_generated_form_without_warnings(lang: str) -> None:
    sheets = xlsform_sheets(lang=lang)
    result = convert(xlsform=_io.BytesIO(xlsform_bytes(sheets)), file_type=".xlsx")
    assert result.warnings == []
    xform = result.xform
    own, other = ("Nederlands (nl)", "English (en)") if lang == "nl" else ("English (en)", "Nederlands (nl)")
    assert f'<translation lang="{own}" default="true()">' in xform and f'<translation lang="{other}">' in xform
    for category in Category:  # every category, by its code, with its label in both languages
        assert f"<name>{category.value}</name>" in xform
        assert f"<value>{category.label('nl')}</value>" in xform and f"<value>{category.label('en')}</value>" in xform
    assert 'nodeset="/data/location" type="geopoint" required="true()"' in xform
    assert '<upload ref="/data/photo" mediatype="image/*">' in xform
    assert "relevant=\" /data/asset/category  = 'person'\"" in xform  # the resident's consent group
    assert "relevant=\" /data/resident/under_16  = 'yes'\"" in xform  # a parent's consent under 16
    assert 'calculate="once(uuid())"' in xform and PURPOSE in xform
    assert f'<data id="{FORM_ID}" version="' in xform


def test_the_form_asks_every_field_a_builder_enters_where_it_applies() -> None:
    survey = xlsform_sheets()["survey"]
    by_name = {row["name"]: row for row in survey}
    entered = {
        f.name for f in declared_fields(AssetFields) if field_info(f).interchange and field_info(f).form != "none"
    }
    assert entered == {"name", "category", "description", "resident_led", "meeting_place_role", "contact", "themes"}
    assert entered <= set(by_name)
    for name, categories in CATEGORY_FIELDS.items():
        if name in by_name:
            assert all(f"'{c.value}'" in by_name[name]["relevant"] for c in categories)
    assert by_name["themes"]["type"] == "select_multiple themes" and by_name["category"]["required"] == "yes"
    assert by_name["consent_given"]["constraint"] == ". = 'yes'"
    assert by_name["parent_consent"]["relevant"] == "${under_16} = 'yes'"
    assert by_name["photo"]["type"] == "image" and "photo_consent" in by_name
    assert question_count({"survey": survey}) == 15


def test_abcd_xlsform_writes_the_form_in_the_chosen_language(cli_env: Path, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "formulier.xlsx"
    assert cli_main(["xlsform", str(out), "--lang", "en"]) == 0
    assert "15 vragen" in capsys.readouterr().out
    from openpyxl import load_workbook

    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["survey", "choices", "settings"]
    settings = list(book["settings"].iter_rows(values_only=True))
    assert settings[1][settings[0].index("default_language")] == "English (en)"
    header = next(book["survey"].iter_rows(values_only=True))
    assert header.index("label::English (en)") < header.index("label::Nederlands (nl)")
    assert cli_main(["xlsform", str(tmp_path / "formulier.xml")]) == 2
    assert ".xlsx" in capsys.readouterr().err


# ------------------------------------------------------------------ recognition
@pytest.mark.parametrize("separator", ["/", "-", ":", "."])
def test_group_prefixes_in_every_form(separator: str) -> None:
    values = {
        f"asset{separator}name": "Naaiclub",
        f"grp{separator}asset{separator}category": "association",
        f"location{separator}Latitude".lower(): "51.9107",
        f"location{separator}Longitude".lower(): "4.4413",
        f"meta{separator}instanceid": "uuid:0F8FAD5B-D9CB-469F-A165-70867728950E",
    }
    (row,) = recognise_export([io.RawRow(2, values)])
    assert row.values["name"] == "Naaiclub" and row.values["category"] == "association"
    assert (row.values["lat"], row.values["lon"]) == ("51.9107", "4.4413")
    assert row.values["id"] == "0f8fad5b-d9cb-469f-a165-70867728950e" and row.values[MARKER] == "odk"


def test_a_single_geopoint_column_and_yes_no_spellings() -> None:
    rows = [
        io.RawRow(2, {"_uuid": INSTANCES[0], "naam": "Prikploeg", "category": "initiative", "resident_led": "1"}),
        io.RawRow(3, {"_uuid": INSTANCES[1], "naam": "Speeltuin", "category": "place", "resident_led": "false"}),
    ]
    rows[0].values["plek"] = "51.9107 4.4413 -2.1 5"
    rows[1].values["plek"] = "51.9110 4.4405"
    first, second = recognise_export(rows)
    assert (first.values["lat"], first.values["lon"], first.values["resident_led"]) == ("51.9107", "4.4413", True)
    assert (second.values["lat"], second.values["lon"], second.values["resident_led"]) == ("51.9110", "4.4405", False)
    assert first.values["id"] == INSTANCES[0] and first.values[MARKER] == "kobo"


def test_a_labels_header_is_known_by_its_question_whatever_purpose_follows() -> None:
    question = "Toestemming van de bewoner/Geeft de bewoner toestemming om met dit talent op de kaart te staan?"
    values = {
        "_uuid": INSTANCES[0],
        f"{question} Doel: Buurtboek 2027 (toestemmingstekst v2).": "Ja",
        "plek": "51.9 4.4",
    }
    (row,) = recognise_export([io.RawRow(2, values)])
    assert row.values["consent_given"] is True


def test_an_ordinary_abcd_file_passes_through_untouched(tmp_path: Path) -> None:
    path = tmp_path / "assets.csv"
    path.write_text(f"id,name,category,lat,lon,version\n{ASSET_UUIDS[0]},Naaiclub,association,51.9107,4.4413,1\n")
    rows = io.read_rows(path)
    assert recognise_export(rows) is rows
    assert export_tool(["id", "name", "category", "lat", "lon", "version", "wijk", "area_wkt"]) is None


# ------------------------------------------------------------------ imports
def test_kobo_csv_with_semicolons_and_its_attachments_zip(
    botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    path = kobo_csv(tmp_path / "ABCD_-_all_versions_-_2026-05-03.csv", SUBMISSIONS)
    assert path.read_text(encoding="utf-8").startswith('"start";"end";"today"')
    kobo_attachments(tmp_path / "ABCD_attachments_2026-05-03.zip", SUBMISSIONS)
    result = import_file(botu_store, catalogue, path)
    assert (result.created, result.updated) == (3, 0)
    assert_imported(botu_store, ids=ASSET_UUIDS)
    assert (result.photos.attached, result.photos.left_out) == (2, ())
    fatima = botu_store.get(ASSET_UUIDS[2])
    (photo,) = photos_of(botu_store, [fatima.id])[fatima.id]
    assert photo.shows_people and photo.consent is not None and photo.consent.recorded_by == "ans"
    (garden_photo,) = photos_of(botu_store, [ASSET_UUIDS[0]])[ASSET_UUIDS[0]]
    assert not garden_photo.shows_people and garden_photo.consent is None


def test_kobo_labels_csv(botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path) -> None:
    path = kobo_labels_csv(tmp_path / "labels.csv", SUBMISSIONS)
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert '"Wat heb je gevonden?/Naam"' in header and '"_Waar is het?_latitude"' in header
    assert "Bewonersinitiatief" in path.read_text(encoding="utf-8")
    result = import_file(botu_store, catalogue, path)
    assert result.created == 3
    assert_imported(botu_store, ids=ASSET_UUIDS)


def test_kobo_xlsx_without_the_forms_own_id_names_assets_by_uuid(
    botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    path = kobo_xlsx(tmp_path / "ABCD.xlsx", SUBMISSIONS, with_asset_uuid=False)
    result = import_file(botu_store, catalogue, path)
    assert result.created == 3
    assert_imported(botu_store, ids=INSTANCES)


def test_kobo_geojson(botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path) -> None:
    path = kobo_geojson(tmp_path / "ABCD.geojson", SUBMISSIONS)
    assert import_file(botu_store, catalogue, path).created == 3
    assert_imported(botu_store, ids=ASSET_UUIDS)


def test_odk_central_csv_of_a_similar_form_names_assets_by_key(
    botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    path = tmp_path / f"{FORM_ID}.csv"
    path.write_text(central_csv_text(SUBMISSIONS, with_asset_uuid=False), encoding="utf-8")
    result = import_file(botu_store, catalogue, path)
    assert result.created == 3 and result.photos.left_out == (2, 4)  # no media beside a bare CSV
    assert_imported(botu_store, ids=INSTANCES)


def test_odk_central_zip_with_media_twice_without_duplicates(
    botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    path = central_zip(tmp_path / f"{FORM_ID}.csv.zip", SUBMISSIONS)
    first = import_file(botu_store, catalogue, path)
    assert (first.created, first.photos.attached) == (3, 2)
    assert_imported(botu_store, ids=ASSET_UUIDS)
    second = import_file(botu_store, catalogue, path)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert (second.photos.attached, second.photos.already) == (0, 2)
    assert len(botu_store.list_assets()) == 3 and count_photos(botu_store) == 2


def test_the_import_box_takes_central_s_zip(botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path) -> None:
    data = central_zip(tmp_path / "upload.zip", SUBMISSIONS).read_bytes()
    result = exchange.import_upload(
        botu_store,
        f"{FORM_ID}.csv.zip",
        data,
        catalogue=catalogue,
        wijken_dir=WIJKEN_DIR,
        default_wijk=None,
        user=CLI_USER,
    )
    assert (result.created, result.photos.attached) == (3, 2)


def test_the_import_box_shows_the_columns_of_the_table_in_central_s_zip(tmp_path: Path) -> None:
    from abcd.import_preview import upload_columns

    data = central_zip(tmp_path / "upload.zip", SUBMISSIONS).read_bytes()
    columns = upload_columns(f"{FORM_ID}.csv.zip", data)
    assert {"submissiondate", "key", "reviewstate"} <= set(columns)


def test_a_resident_s_photo_needs_the_photo_consent(
    botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    subs = [dict(SUBMISSIONS[2], photo_consent="no")]
    path = central_zip(tmp_path / "zonder.zip", subs)
    result = import_file(botu_store, catalogue, path)
    assert result.created == 1 and result.photos.attached == 0 and result.photos.left_out == (2,)
    assert count_photos(botu_store) == 0


def test_the_cli_says_what_became_of_the_photos(cli_env: Path, tmp_path: Path, capsys: Any) -> None:
    assert cli_main(["init", "--no-examples"]) == 0
    capsys.readouterr()
    path = central_zip(tmp_path / f"{FORM_ID}.csv.zip", [SUBMISSIONS[0], dict(SUBMISSIONS[2], photo_consent="no")])
    assert cli_main(["import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 foto toegevoegd." in out and "1 foto niet toegevoegd" in out and "rij 3" in out


# ------------------------------------------------------------------ bad files
def _refused(store: Store, catalogue: dict[str, Wijk], path: Path) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        import_file(store, catalogue, path)
    return caught.value


def test_a_submission_without_location_is_named_by_its_row(
    botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    text = central_csv_text(SUBMISSIONS).splitlines()
    header = text[0].split(",")
    cells = next(csv.reader([text[2]]))
    for column in ("location-Latitude", "location-Longitude"):
        cells[header.index(column)] = ""
    text[2] = ",".join(cells)
    path = tmp_path / "zonder_plek.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    error = _refused(botu_store, catalogue, path)
    assert error.message("nl") == "Rij 3: geen locatie: de vraag 'location' is niet beantwoord."
    assert error.message("en") == "Row 3: no location: the question 'location' was not answered."
    assert botu_store.list_assets() == []


def test_a_bad_uuid_is_named_by_its_row(botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path) -> None:
    subs = [SUBMISSIONS[0], dict(SUBMISSIONS[1], asset_uuid="niet-een-uuid")]
    path = kobo_csv(tmp_path / "kapot.csv", subs)
    error = _refused(botu_store, catalogue, path)
    assert error.message("nl").startswith("Rij 3: ") and "niet-een-uuid" in error.message("nl")
    assert error.message("en").startswith("Row 3: ") and "not a valid id" in error.message("en")
    assert botu_store.list_assets() == []


def _zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_zips_are_measured_before_anything_is_unpacked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = central_csv_text(SUBMISSIONS).encode()
    cases = {
        "error.archive_unsafe": _zip(tmp_path / "pad.zip", {f"{FORM_ID}.csv": table, "../../etc/passwd": b"x"}),
        "error.archive_method": _zip(tmp_path / "bz.zip", {f"{FORM_ID}.csv": table}, zipfile.ZIP_BZIP2),
        "error.archive_tables": _zip(tmp_path / "twee.zip", {"a.csv": table, "b.csv": table}),
        "error.file_archive": _zip(tmp_path / "media.zip", {"media/1.jpg": PHOTOS["1715000000001.jpg"]}),
        "error.file_unreadable": tmp_path / "geen.zip",
    }
    (tmp_path / "geen.zip").write_bytes(b"PK" + b"\0" * 100)
    for key, path in cases.items():
        with pytest.raises(ImportFileError) as caught:
            io.read_rows(path)
        assert caught.value.key == key, path.name
        assert caught.value.message("en") != caught.value.message("nl")
    bomb = _zip(tmp_path / "bom.zip", {f"{FORM_ID}.csv": table + b"\n" * 3_000_000})  # 3 MB of newlines in kB
    with pytest.raises(ImportFileError) as caught:
        io.read_rows(bomb, max_bytes=1_000_000)
    assert caught.value.key == "error.file_too_large"
    monkeypatch.setattr(io, "MAX_ARCHIVE_MEMBERS", 2)
    many = _zip(tmp_path / "veel.zip", {f"{FORM_ID}.csv": table, "media/a.jpg": b"a", "media/b.jpg": b"b"})
    with pytest.raises(ImportFileError) as caught:
        io.read_rows(many)
    assert caught.value.key == "error.archive_too_many" and "3" in caught.value.message("en")


def test_a_csv_without_location_that_is_no_export_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "lijst.csv"
    path.write_text("name,adres\nEen,Schiedamseweg 1\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        io.read_rows(path)
    assert caught.value.key == "error.csv_columns"


def test_a_workbook_is_measured_before_openpyxl_reads_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = kobo_xlsx(tmp_path / "ABCD.xlsx", SUBMISSIONS)
    columns = io.read_columns(path)  # what an import box shows before mapping
    assert columns["asset/name"] == "Moestuin De Peper" and columns["_location_latitude"] == 51.9107
    (tmp_path / "kapot.xlsx").write_bytes(_zip(tmp_path / "k.zip", {"xl/workbook.xml": b"<niet af"}).read_bytes())
    with pytest.raises(ImportFileError) as caught:
        io.read_rows(tmp_path / "kapot.xlsx")
    assert caught.value.key == "error.file_unreadable"
    monkeypatch.setattr(io, "MAX_UNPACKED_BYTES", 1_000)
    with pytest.raises(ImportFileError) as caught:
        io.read_rows(path)
    assert caught.value.key == "error.file_too_large"
