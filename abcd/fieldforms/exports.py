"""KoboToolbox and ODK exports recognised on import: their columns put in ``abcd``'s own, their photos attached.

``abcd import`` (and the app's import box) hands the rows it read to
:func:`recognise_export`. An export of the form :mod:`abcd.fieldforms.xlsform`
makes, or of a similar one, comes back as rows in the columns
:func:`abcd.model.validate_asset` reads, with a marker column
``_field_form`` (``kobo`` or ``odk``); any other file passes through
untouched (the same list). After the assets are stored,
:func:`attach_photos` attaches the photos that came with the export.

Recognised (column names compared without regard to case):

- **The tool.** KoboToolbox: ``_uuid``, ``_submission_time``,
  ``_validation_status``, ``__version__``, ``_xform_id_string``,
  ``meta/rootUuid`` or ``formhub/uuid``. ODK (Central, Briefcase, Aggregate):
  ``SubmissionDate``, ``KEY`` holding ``uuid:…``, ``ReviewState``,
  ``SubmitterID``, ``AttachmentsPresent``, ``FormVersion``, ``__id`` (its
  OData and GeoJSON feeds) or an
  ``instanceID`` column (``meta-instanceID``, ``meta/instanceID``,
  ``meta:instanceID``, ``instanceID``). A file with only this form's own
  ``asset_uuid`` (a Kobo GeoJSON export: it has no metadata) counts as Kobo.
- **Group prefixes**, at any depth: ``group/field`` (Kobo with "include groups
  in headers", ODK Aggregate), ``group-field`` (ODK Central, Briefcase),
  ``group:field`` and ``group.field``.
- **Kobo's "labels" exports**: a header that is a question's label in Dutch
  or English (with or without its group's label before a ``/``), and values
  that are the labels of categories, kinds of meeting place, themes and
  yes/no. "XML values and headers" are the names and codes themselves.
- **The location** (a ``geopoint`` question ``q``): ``q-Latitude``,
  ``q-Longitude``, ``q-Altitude``, ``q-Accuracy`` (ODK Central, Briefcase;
  also ``grp-q-Latitude``); ``_q_latitude``, ``_q_longitude``,
  ``_q_altitude``, ``_q_precision`` (Kobo; also ``grp/_q_latitude`` and
  ``_<label>_latitude``); a single column ``q`` holding ``"lat lon alt
  accuracy"``; the point geometry of a GeoJSON export. With several
  geopoints, the one named ``location``, ``plek``, ``locatie`` or ``gps``
  wins, else the first.
- **The asset id**, made a canonical UUID (``uuid:`` stripped), first found of:
  ``asset_uuid`` (this form's, made once per submission: stable over edits
  and the same in every export), ``meta/rootUuid`` (Kobo, stable over edits),
  ``KEY`` (ODK Central: the submission's first instanceID), ``__id`` (ODK
  Central's OData and GeoJSON), ``_uuid`` (Kobo),
  ``meta-instanceID``/``meta/instanceID``/``instanceID``. A second import of
  the same export names the same assets.
- **Yes/no**: ``yes``/``no``, ``1``/``0``, ``true``/``false``, ``ja``/``nee``
  and Kobo's labels ``Ja``/``Nee``/``Yes``/``No``.
- **Select multiple**: the space-separated column (``themes``); Kobo's and
  Central's column per choice (``themes/groen`` with ``0``/``1``) is dropped.
- **Consent of a resident**: ``consent_given``, ``under_16``,
  ``parent_consent``, ``consent_recorded_by``, ``consent_purpose``,
  ``consent_text_version``; the date from ``consent_date``, else ``today``,
  else the day of ``end``, ``start``, ``_submission_time`` or
  ``SubmissionDate``; who recorded it, if not asked, from ``username``,
  ``_submitted_by`` or ``SubmitterName``.
- **The photo**: ``photo`` (or ``foto``, ``image``) holds the file's name,
  ``photo_people`` and ``photo_consent`` the answers about people on it;
  Kobo's ``photo_URL`` is dropped. The files come from the export's own zip
  (ODK Central's ``<form>.csv`` with ``media/<file>``) or a zip beside it
  (Kobo's attachments: ``<user>/attachments/<form>/<_uuid>/<file>``).
- **Dropped**: every other column, among them the metadata ``_id``,
  ``_submission_time``, ``_validation_status``, ``_notes``, ``_status``,
  ``_submitted_by``, ``__version__``, ``_tags``, ``_index``,
  ``_parent_index``, ``_attachments``, ``_geolocation``, ``_xform_id_string``,
  ``_duration``, ``formhub/uuid``, ``meta/rootUuid``, ``meta/deprecatedID``,
  ``meta/instanceName``, ``start``, ``end``, ``today``, ``username``,
  ``deviceid``, ``SubmissionDate``, ``SubmitterID``, ``SubmitterName``,
  ``AttachmentsPresent``, ``AttachmentsExpected``, ``Status``,
  ``ReviewState``, ``DeviceID``, ``Edits``, ``FormVersion``, ``KEY`` and ``__id``.

>>> rows = [RawRow(2, {"asset-name": "Moestuin", "asset-category": "initiative", "asset-resident_led": "yes",
...                    "location-latitude": "51.91", "location-longitude": "4.44",
...                    "meta-instanceid": "uuid:6B29FC40-CA47-1067-B31D-00DD010662DA"})]
>>> values = recognise_export(rows)[0].values
>>> values["name"], values["resident_led"], values["lat"], values["id"], values["_field_form"]
('Moestuin', True, '51.91', '6b29fc40-ca47-1067-b31d-00dd010662da', 'odk')
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from zipfile import ZipFile, ZipInfo

from abcd import io
from abcd._cells import is_blank, parse_flag
from abcd.errors import AbcdError, ImportFileError, ValidationError
from abcd.i18n import LANGUAGES, t
from abcd.io import RawRow
from abcd.model import Category, MeetingPlaceRole, validate_consent
from abcd.themes import BUILT_IN

if TYPE_CHECKING:
    from abcd.store import Store

MARKER: Final = "_field_form"
"""The column a recognised row carries: ``kobo`` or ``odk`` (:mod:`abcd.exchange` reads and removes it)."""
PHOTO: Final = "_photo"
"""The file name of a recognised row's photo, as the export names it."""
PHOTO_PEOPLE: Final = "_photo_people"
PHOTO_CONSENT: Final = "_photo_consent"
SUBMISSION: Final = "_submission"
"""The submission's own id (Kobo names the folder of its attachments after it)."""

KOBO: Final = "kobo"
ODK: Final = "odk"

# abcd's columns a form can fill, and the names similar (Dutch) forms give them.
_FIELDS: Final = (
    "name",
    "category",
    "description",
    "resident_led",
    "meeting_place_role",
    "themes",
    "contact",
    "wijk",
    "consent_given",
    "consent_date",
    "consent_recorded_by",
    "consent_purpose",
    "consent_text_version",
    "under_16",
    "parent_consent",
)
_SYNONYMS: Final = {
    "naam": "name",
    "categorie": "category",
    "beschrijving": "description",
    "omschrijving": "description",
    "thema": "themes",
    "thema's": "themes",
    "toestemming": "consent_given",
    "jonger_dan_16": "under_16",
    "onder_16": "under_16",
    "toestemming_ouder": "parent_consent",
    "photo": PHOTO,
    "foto": PHOTO,
    "image": PHOTO,
    "photo_people": PHOTO_PEOPLE,
    "foto_mensen": PHOTO_PEOPLE,
    "photo_consent": PHOTO_CONSENT,
    "foto_toestemming": PHOTO_CONSENT,
}
_YES_NO: Final = frozenset({"resident_led", "consent_given", "under_16", "parent_consent", PHOTO_PEOPLE, PHOTO_CONSENT})
_IDS: Final = ("asset_uuid", "rootuuid", "key", "__id", "_uuid", "instanceid")  # by preference
_SUBMISSION_IDS: Final = ("_uuid", "instanceid", "key", "__id")
_DATES: Final = ("consent_date", "today", "end", "start", "_submission_time", "submissiondate")
_RECORDERS: Final = ("consent_recorded_by", "username", "_submitted_by", "submittername")
_LOCATION_NAMES: Final = ("location", "plek", "locatie", "gps", "geopoint", "waar")
_LOCATION: Final = "_location"  # the vocabulary's name for the location question's labels

_KOBO_MARKERS: Final = frozenset(
    {"_uuid", "_submission_time", "_validation_status", "__version__", "_xform_id_string", "meta/rootuuid"}
    | {"formhub/uuid"}
)
_ODK_MARKERS: Final = frozenset(
    {"submissiondate", "reviewstate", "submitterid", "attachmentspresent", "formversion", "instanceid", "__id"}
)
_SEPARATORS = re.compile(r"[/:.-]")
_KOBO_POINT = re.compile(r"(?:^|/)_(?P<q>.+)_(?P<part>latitude|longitude|altitude|precision)$")
_ODK_POINT = re.compile(r"^(?P<q>.+)[-:./](?P<part>latitude|longitude|altitude|accuracy)$")
_POINT_TEXT = re.compile(r"\s*(-?\d+(?:[.,]\d+)?)\s+(-?\d+(?:[.,]\d+)?)(?:\s+-?\d+(?:[.,]\d+)?){0,2}\s*")


# ------------------------------------------------------------------ recognition
def recognise_export(rows: list[RawRow]) -> list[RawRow]:
    """``rows`` in ``abcd``'s columns when they are a Kobo or ODK export, else ``rows`` itself, untouched.

    The first row without a location raises :class:`~abcd.errors.ImportFileError`
    naming its number; every other problem (a bad id, an unknown category)
    is left to validation, which names the row too.
    """
    columns = list(dict.fromkeys(chain.from_iterable(row.values for row in rows)))
    tool = export_tool(columns)
    if tool is None:
        return rows
    plan = _plan(columns, rows)
    return [RawRow(row.number, _translated(row, plan, tool)) for row in rows]


def export_tool(columns: Iterable[str]) -> str | None:
    """``"kobo"`` or ``"odk"`` when ``columns`` (lower case) are those of a field-form export, else ``None``.

    >>> export_tool(["name", "lat", "lon"]), export_tool(["naam", "_plek_latitude", "_uuid"])
    (None, 'kobo')
    """
    names = {str(c).strip().lower() for c in columns}
    if names & _KOBO_MARKERS:
        return KOBO
    if names & _ODK_MARKERS or "instanceid" in {_final(name) for name in names}:
        return ODK
    if "asset_uuid" in names:
        return KOBO  # only this form's own id: Kobo's GeoJSON export carries no metadata
    return None


def is_field_export(columns: Iterable[str]) -> bool:
    """Whether ``columns`` are those of a Kobo or ODK export (:func:`abcd.io.read_rows` asks, for a CSV
    without ``lat``/``lon`` columns: the location is in the geopoint's own columns)."""
    return export_tool(columns) is not None


@dataclass(frozen=True, slots=True)
class _Plan:
    """Where each of ``abcd``'s values is in an export: source columns by target, in order of preference."""

    targets: dict[str, str]
    ids: tuple[str, ...]
    submission: tuple[str, ...]
    dates: tuple[str, ...]
    recorders: tuple[str, ...]
    lat: str | None
    lon: str | None
    point: str | None  # one column of "lat lon alt accuracy"
    question: str  # the location question's name, for a message


def _plan(columns: Sequence[str], rows: Sequence[RawRow]) -> _Plan:
    vocabulary = _vocabulary()
    targets: dict[str, str] = {}
    found: dict[str, str] = {}  # a known metadata or id name -> its column
    points: dict[str, dict[str, str]] = {}  # geopoint question -> part -> column
    located: list[str] = []  # columns named like a location question (one "lat lon alt accuracy" column)
    for column in columns:
        match = _KOBO_POINT.search(column) or _ODK_POINT.match(column)
        if match:
            part = "accuracy" if match["part"] == "precision" else match["part"]
            points.setdefault(_final(match["q"]), {})[part] = column
            continue
        for candidate in _candidates(column):
            target = vocabulary.get(candidate)
            if target == _LOCATION or candidate in _LOCATION_NAMES:
                located.append(column)
                break
            if target is not None:
                targets.setdefault(target, column)
                break
            if candidate in (*_IDS, *_DATES, *_RECORDERS):
                found.setdefault(candidate, column)
                break
    lat = lon = point = None
    question = next((q for q in _LOCATION_NAMES if q in points), next(iter(points), ""))
    if question in points and {"latitude", "longitude"} <= set(points[question]):
        lat, lon = points[question]["latitude"], points[question]["longitude"]
    else:
        named = [*located, *(c for c in columns if question and _final(c) == question)]
        point, question = _point_column(rows, named)
    found.update({k: v for k, v in targets.items() if k in ("consent_date", "consent_recorded_by")})
    return _Plan(
        targets={k: v for k, v in targets.items() if k not in ("consent_date", "consent_recorded_by")},
        ids=tuple(found[k] for k in _IDS if k in found),
        submission=tuple(found[k] for k in _SUBMISSION_IDS if k in found),
        dates=tuple(found[k] for k in _DATES if k in found),
        recorders=tuple(found[k] for k in _RECORDERS if k in found),
        lat=lat,
        lon=lon,
        point=point,
        question=question,
    )


def _point_column(rows: Sequence[RawRow], named: Sequence[str]) -> tuple[str | None, str]:
    """The column holding ``"lat lon alt accuracy"``: the first of ``named`` (location questions) whose
    answers all look so; with none, the first of them (its empty answers are the rows' problem)."""
    for column in named:
        texts = [v for v in (row.values.get(column) for row in rows) if isinstance(v, str) and v.strip()]
        if texts and all(_POINT_TEXT.fullmatch(v) for v in texts):
            return column, column
    return (named[0], named[0]) if named else (None, "-")


def _translated(row: RawRow, plan: _Plan, tool: str) -> dict[str, Any]:
    values = row.values
    out: dict[str, Any] = {}
    for target, column in plan.targets.items():
        value = _cell(values.get(column))
        if value is not None:
            out[target] = _value(target, value)
    out[MARKER] = tool
    asset_id = _first(values, plan.ids)
    if asset_id is not None:
        out["id"] = _uuid_text(asset_id)
    submission = _first(values, plan.submission)
    if submission is not None:
        out[SUBMISSION] = _uuid_text(submission)
    if "consent_date" not in out:
        when = _day(_first(values, plan.dates))
        if when is not None:
            out["consent_date"] = when
    if "consent_recorded_by" not in out:
        who = _first(values, plan.recorders)
        if who is not None:
            out["consent_recorded_by"] = who
    if PHOTO in out:
        out[PHOTO] = str(out[PHOTO]).replace("\\", "/").rsplit("/", 1)[-1]
    out.update(_location(row, plan))
    return out


def _location(row: RawRow, plan: _Plan) -> dict[str, Any]:
    """``lon`` and ``lat`` from the geopoint's columns, else from the file's geometry; none raises for the row."""
    values = row.values
    lat = _cell(values.get(plan.lat)) if plan.lat else None
    lon = _cell(values.get(plan.lon)) if plan.lon else None
    if (lat is None or lon is None) and plan.point:
        text = _cell(values.get(plan.point))
        parts = str(text).split() if text is not None else []
        if len(parts) >= 2:
            lat, lon = parts[0], parts[1]
    if lat is not None and lon is not None:
        return {"lat": lat, "lon": lon}
    if not is_blank(values.get("lat")) and not is_blank(values.get("lon")):  # a GeoJSON export's geometry
        return {"lat": values["lat"], "lon": values["lon"], **_area(values)}
    if values.get("_geometry_error"):
        return {"_geometry_error": values["_geometry_error"]}  # a broken geometry: validation says how
    message = ValidationError("error.export_no_location", question=plan.question)
    raise ImportFileError("error.row", row=row.number, message=message)


def _area(values: Mapping[str, Any]) -> dict[str, Any]:
    return {"area": values["area"]} if values.get("area") is not None else {}


def _value(target: str, value: Any) -> Any:
    """A cell as ``abcd`` reads it: yes/no as a boolean, a choice's label as its code."""
    if target in _YES_NO:
        try:
            return parse_flag(value)
        except ValueError:
            return _choice_code(target, value)  # "Ja"/"Yes" as labels; anything else is named by validation
    if target in ("category", "meeting_place_role"):
        return _choice_code(target, value)
    if target == "themes":
        return _theme_codes(str(value))
    return value


def _choice_code(target: str, value: Any) -> Any:
    codes = _vocabulary_choices().get(target, {})
    code = codes.get(_norm(str(value)))
    if code is None:
        return value
    if target in _YES_NO:
        return code == "yes"
    return code


def _theme_codes(text: str) -> str:
    """Theme labels (Kobo's labels export) replaced by their codes, longest first: ``"Zorg voor elkaar Groen"``."""
    out = f" {_norm(text)} "
    for label, code in sorted(_vocabulary_choices()["themes"].items(), key=lambda item: -len(item[0])):
        out = out.replace(f" {label} ", f" {code} ")
    return " ".join(out.split())


def _cell(value: Any) -> Any:
    """A cell's value, stripped; ``None`` for an empty one."""
    if isinstance(value, str):  # nearly every cell: the quick way first
        return value.strip() or None
    return None if is_blank(value) else value


def _first(values: Mapping[str, Any], columns: Sequence[str]) -> Any:
    """The first non-empty cell of ``columns``, ``None`` when all are empty."""
    for column in columns:
        value = _cell(values.get(column))
        if value is not None:
            return value
    return None


def _uuid_text(value: Any) -> str:
    """An id as text without ODK's ``uuid:``, canonical when it is a UUID (else as it was: validation names it).

    >>> _uuid_text("uuid:6B29FC40-CA47-1067-B31D-00DD010662DA")
    '6b29fc40-ca47-1067-b31d-00dd010662da'
    """
    text = str(value).strip()
    if text[:5].lower() == "uuid:":
        text = text[5:]
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return text


def _day(value: Any) -> str | None:
    """The ISO day of a date or timestamp cell (``2026-05-01T10:00:00.000+02:00`` -> ``2026-05-01``)."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _cell(value)
    if text is None or not re.match(r"\d{4}-\d{2}-\d{2}", str(text)):
        return None
    return str(text)[:10]


def _final(column: str) -> str:
    """A column's last name part: ``meta-instanceid`` -> ``instanceid``."""
    return _SEPARATORS.split(column)[-1]


def _candidates(column: str) -> Iterator[str]:
    """``column``, then what is left after each group prefix: ``grp/sub-name`` -> itself, ``sub-name``, ``name``.

    A label asking a question is also tried up to its ``?`` (what follows may
    change: the consent question names the configured purpose).
    """
    starts = [0, *(match.end() for match in _SEPARATORS.finditer(column))]
    for start in starts:
        rest = column[start:]
        if rest:
            yield _norm(rest)
            if "?" in rest:
                yield _norm(rest.split("?")[0])


def _norm(text: str) -> str:
    """Text compared without case, accents kept, punctuation and runs of space as one space.

    >>> _norm(" Contact (privé) "), _norm("thema's")
    ('contact privé', 'thema s')
    """
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


@cache
def _vocabulary() -> dict[str, str]:
    """Every header that names one of ``abcd``'s values: the names, Dutch synonyms and the form's labels."""
    from abcd.fieldforms.xlsform import LOCATION, xlsform_sheets

    words = {_norm(name): name for name in _FIELDS}
    words.update({_norm(name): target for name, target in _SYNONYMS.items()})
    for row in xlsform_sheets()["survey"]:
        target = _LOCATION if row["name"] == LOCATION else _SYNONYMS.get(row["name"], row["name"])
        if target not in (*_FIELDS, PHOTO, PHOTO_PEOPLE, PHOTO_CONSENT, _LOCATION):
            continue
        for column, label in row.items():
            if column.startswith("label::") and label:
                words.setdefault(_norm(label), target)
                words.setdefault(_norm(label.split("?")[0]), target)
    return words


@cache
def _vocabulary_choices() -> dict[str, dict[str, str]]:
    """The codes of each choice list by their codes and labels in every language (Kobo's labels exports)."""
    lists: dict[str, dict[str, str]] = {"category": {}, "meeting_place_role": {}, "themes": {}}
    for lang in LANGUAGES:
        for c in Category:
            lists["category"].update({_norm(c.value): c.value, _norm(c.label(lang)): c.value})
        for r in MeetingPlaceRole:
            lists["meeting_place_role"].update({_norm(r.value): r.value, _norm(t(f"role.{r.value}", lang)): r.value})
        for code in BUILT_IN:
            lists["themes"][_norm(t(f"theme.{code}", lang))] = code
    yes_no = {_norm(t("xlsform.yes", lang)): "yes" for lang in LANGUAGES}
    yes_no.update({_norm(t("xlsform.no", lang)): "no" for lang in LANGUAGES})
    lists.update(dict.fromkeys(_YES_NO, yes_no))
    return lists


# ------------------------------------------------------------------ photos
@dataclass(frozen=True, slots=True)
class PhotoImport:
    """What :func:`attach_photos` did: photos attached, already there, and left out (with the rows' numbers)."""

    attached: int = 0
    already: int = 0
    left_out: tuple[int, ...] = ()


def attach_photos(store: Store, path: Path, rows: Sequence[RawRow], *, by: str) -> PhotoImport:
    """Attach the photo each recognised row names to its stored asset, from the media that came with the export.

    The media are the export's own zip (ODK Central's ``media/<file>``, or a
    zip of the export and Kobo's attachments) or zips beside the export
    (Kobo's ``<user>/attachments/<form>/<uuid>/<file>``). Each photo is
    read within its size limit and re-encoded (no EXIF kept). A photo already
    on the asset (a second import of the same export) is not added again. A
    photo of a resident, or one that shows people, needs the photo consent
    answer ``yes``; it is stored with the consent of the row. A photo left out
    (no consent, not in the media, unreadable, the asset not stored or
    skipped, too many photos) is counted by its row's number: the assets are
    stored already, and a missing photo does not undo them.
    """
    wanted = [row for row in rows if not is_blank(row.values.get(PHOTO))]
    if not wanted:
        return PhotoImport()
    from abcd.photos.images import MAX_PHOTO_BYTES, prepare_photo
    from abcd.photos.register import add_photo, photos_of

    assets = store.assets_by_id([str(row.values.get("id")) for row in wanted if not is_blank(row.values.get("id"))])
    attached = already = 0
    left_out: list[int] = []
    with ExitStack() as stack:
        media = _media(stack, Path(path))
        for row in wanted:
            values = row.values
            asset = assets.get(str(values.get("id")))
            found = media.get(values[PHOTO], values.get(SUBMISSION))
            if asset is None or asset.is_deleted or found is None:
                left_out.append(row.number)
                continue
            people = values.get(PHOTO_PEOPLE)
            if (asset.is_person or people is True) and values.get(PHOTO_CONSENT) is not True:
                left_out.append(row.number)  # a resident's photo, or people on it: only with their consent
                continue
            shows_people = people is True or (asset.is_person and people is None)
            try:
                prepared = prepare_photo(io.read_member(*found, max_bytes=MAX_PHOTO_BYTES))
                consent = _photo_consent(values, by) if shows_people else None
                existing = photos_of(store, [asset.id])[asset.id]
                if any(_same(p.thumbnail, p.width, p.height, prepared) for p in existing):
                    already += 1
                    continue
                add_photo(store, asset.id, prepared, by=by, shows_people=shows_people, consent=consent)
            except AbcdError:
                left_out.append(row.number)
                continue
            attached += 1
    return PhotoImport(attached=attached, already=already, left_out=tuple(left_out))


def _same(thumbnail: bytes, width: int, height: int, prepared: Any) -> bool:
    """Re-encoding is deterministic: the same file gives the same thumbnail and size."""
    return bool(thumbnail == prepared.thumbnail and (width, height) == (prepared.width, prepared.height))


def _photo_consent(values: Mapping[str, Any], by: str) -> Any:
    """The consent a photo with people is stored with: the row's consent answers (who recorded it: else ``by``)."""
    raw = {
        key: values.get(key)
        for key in ("consent_date", "consent_purpose", "consent_text_version", "under_16", "parent_consent")
    }
    raw["consent_recorded_by"] = values.get("consent_recorded_by") or by
    return validate_consent(raw)


@dataclass(frozen=True, slots=True)
class _Media:
    """Media files in the zips of an export, by file name: where each is (archive, member, its path parts)."""

    files: dict[str, list[tuple[ZipFile, ZipInfo, tuple[str, ...]]]]

    def get(self, name: str, submission: str | None) -> tuple[ZipFile, ZipInfo] | None:
        """The member called ``name``: the one in the submission's folder, else in ``media/``, else the only one."""
        found = self.files.get(str(name), [])
        if submission:
            own = [f for f in found if submission.lower() in (p.lower() for p in f[2])]
            found = own or found
        if len(found) > 1:
            found = [f for f in found if "media" in f[2]] or found
        if len(found) != 1:
            return None  # missing, or several with this name and nothing to choose by
        archive, info, _ = found[0]
        return archive, info


_SIBLING_ZIPS = 20  # zips beside an export looked into for its attachments


def _media(stack: ExitStack, path: Path) -> _Media:
    """The media of the export at ``path``: in its own zip, else in the zips beside it (each measured first)."""
    sources = [path] if path.suffix.lower() == ".zip" else sorted(path.parent.glob("*.zip"))[:_SIBLING_ZIPS]
    files: dict[str, list[tuple[ZipFile, ZipInfo, tuple[str, ...]]]] = {}
    for source in sources:
        try:
            archive = stack.enter_context(io.open_archive(source))
        except ImportFileError:
            continue  # a zip beside the export that abcd does not read (too many members, unsafe names)
        for info in archive.infolist():
            if not info.is_dir():
                parts = tuple(info.filename.split("/"))
                files.setdefault(parts[-1], []).append((archive, info, parts[:-1]))
    return _Media(files)


__all__ = [
    "MARKER",
    "PHOTO",
    "PHOTO_CONSENT",
    "PHOTO_PEOPLE",
    "SUBMISSION",
    "PhotoImport",
    "attach_photos",
    "export_tool",
    "is_field_export",
    "recognise_export",
]
