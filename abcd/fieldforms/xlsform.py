"""The XLSForm for offline capture with KoboToolbox or ODK Collect, generated from the asset model.

Builders who walk without the app open fill in this form on a phone; its
export imports back without any mapping (:mod:`abcd.fieldforms.exports`). The
form is not written by hand: its questions are the fields of
:class:`~abcd.model.AssetFields` a builder enters (``form`` other than
``"none"``, travelling in files), named exactly as ``abcd`` names them, so a
field added to the model is asked the next time the form is made. A field
that only some categories have (:data:`~abcd.model.CATEGORY_FIELDS`) is only
asked for those (a ``relevant`` expression).

Around those fields come what a file needs and a form can ask: a ``geopoint``
(the location), the consent of a resident (category ``person``: consent
yes/no, under 16, a parent's consent), a photo with the question whether it
shows recognisable people and, if so, whether they consented, who recorded
the consent, and two calculated values that travel with every submission:
the consent's purpose and text version (as ``ABCD_CONSENT_PURPOSE`` and
``ABCD_CONSENT_TEXT_VERSION`` say) and ``asset_uuid``, an id made once per
submission that names the asset in every export of it (CSV, XLSX and
GeoJSON alike) and stays the same when the submission is edited.

The labels are in every language of the catalogues, ``lang`` first and the
default (``label::Nederlands (nl)``, ``label::English (en)``).

>>> sheets = xlsform_sheets(lang="en")
>>> [row["name"] for row in sheets["survey"] if row["type"].startswith("select_one category")]
['category']
>>> sheets["settings"][0]["default_language"]
'English (en)'
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any, Final, get_origin

from abcd.i18n import LANGUAGES, Lang, language_name, normalise_lang, t
from abcd.model import CATEGORY_FIELDS, AssetFields, Category, MeetingPlaceRole
from abcd.records import declared_fields, field_info, field_types
from abcd.themes import BUILT_IN, Theme

FORM_ID: Final = "abcd_asset"
"""The form's id (``form_id``): ODK Central and KoboToolbox name exports and media folders after it."""
LOCATION: Final = "location"
PHOTO: Final = "photo"
ASSET_ID: Final = "asset_uuid"
"""The calculated id of a submission's asset: ``once(uuid())``, made on the phone when the form is opened."""
YES: Final = "yes"
NO: Final = "no"

SHEETS: Final = ("survey", "choices", "settings")

# The lists a field's choices come from, and the catalogue prefix of their labels.
_ENUM_CHOICES: Final[Mapping[type[StrEnum], tuple[str, str]]] = {
    Category: ("category", "category."),
    MeetingPlaceRole: ("meeting_place_role", "role."),
}
_HINTS: Final = {"name": "xlsform.hint_name", "contact": "xlsform.hint_contact"}
_GROUP = "asset"  # the model's fields: exports prefix them ("asset/name", "asset-name")
_RESIDENT = "resident"  # a resident's consent


def language_column(lang: Lang) -> str:
    """The XLSForm name of a language: ``Nederlands (nl)``, as ODK and Kobo show it in their language menu.

    >>> language_column("nl")
    'Nederlands (nl)'
    """
    return f"{language_name(lang)} ({lang})"


def xlsform_sheets(
    *,
    lang: Lang = "nl",
    themes: Sequence[Theme] | None = None,
    consent_purpose: str = "Talent zichtbaar maken op de ABCD-kaart van de wijk",
    consent_text_version: str = "v1",
) -> dict[str, list[dict[str, str]]]:
    """The XLSForm's sheets (``survey``, ``choices``, ``settings``) as rows of column -> cell.

    ``themes`` are those an initiative may carry (default: the built-in ones;
    the command line passes the wijk's own too). ``consent_purpose`` and
    ``consent_text_version`` are what a resident consents to: shown in the
    question and stored with every submission.
    """
    lang = normalise_lang(lang)
    languages = (lang, *(code for code in LANGUAGES if code != lang))
    themes = list(themes) if themes is not None else [Theme(code) for code in BUILT_IN]
    survey = _survey(consent_purpose, consent_text_version)
    choices = _choices(themes)
    sheets = {
        "survey": [_localised(row, languages, purpose=consent_purpose, version=consent_text_version) for row in survey],
        "choices": [_localised(row, languages) for row in choices],
    }
    digest = hashlib.sha256(json.dumps(sheets, sort_keys=True).encode("utf-8")).hexdigest()[:10]
    sheets["settings"] = [
        {
            "form_title": t("xlsform.title", lang),
            "form_id": FORM_ID,
            "version": digest,  # changes with the questions, so Kobo and Central accept a new form
            "default_language": language_column(lang),
            "instance_name": "concat(${name})",
        }
    ]
    return sheets


def xlsform_bytes(sheets: Mapping[str, Sequence[Mapping[str, str]]]) -> bytes:
    """The sheets as an ``.xlsx`` workbook (survey first), for :func:`abcd.io.write_file`."""
    from openpyxl import Workbook  # only when a form is written

    book = Workbook()
    book.remove(book.active)
    for name in SHEETS:
        rows = sheets[name]
        columns = list(dict.fromkeys(column for row in rows for column in row))
        sheet = book.create_sheet(name)
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column, "") for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_NOT_ASKED = frozenset({"start", "end", "today", "username", "calculate", "begin_group", "end_group"})


def question_count(sheets: Mapping[str, Sequence[Mapping[str, str]]]) -> int:
    """How many questions a builder sees (metadata, calculations and groups left out), for a message.

    >>> question_count({"survey": [{"type": "start"}, {"type": "text"}, {"type": "geopoint"}]})
    2
    """
    return sum(1 for row in sheets["survey"] if row["type"] not in _NOT_ASKED)


# ------------------------------------------------------------------ the questions
_Row = dict[str, Any]  # cells; "label", "hint" and "constraint_message" hold a catalogue key or a (key, params) pair


def _survey(purpose: str, version: str) -> list[_Row]:
    rows: list[_Row] = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
        {"type": "today", "name": "today"},
        {"type": "username", "name": "username"},
        {"type": "begin_group", "name": _GROUP, "label": "xlsform.group_asset"},
        *_model_questions(),
        {"type": "end_group", "name": _GROUP},
        {
            "type": "begin_group",
            "name": _RESIDENT,
            "label": "xlsform.group_resident",
            "relevant": _is("category", Category.PERSON),
        },
        {
            "type": f"select_one {_YES_NO}",
            "name": "consent_given",
            "label": "xlsform.consent_given",
            "required": "yes",
            "constraint": f". = '{YES}'",
            "constraint_message": "xlsform.consent_needed",
        },
        {"type": f"select_one {_YES_NO}", "name": "under_16", "label": "xlsform.under_16", "required": "yes"},
        {
            "type": f"select_one {_YES_NO}",
            "name": "parent_consent",
            "label": "xlsform.parent_consent",
            "required": "yes",
            "relevant": _is("under_16", YES),
            "constraint": f". = '{YES}'",
            "constraint_message": "xlsform.parent_needed",
        },
        {"type": "end_group", "name": _RESIDENT},
        {
            "type": "geopoint",
            "name": LOCATION,
            "label": "xlsform.location",
            "hint": "xlsform.hint_location",
            "required": "yes",
        },
        {
            "type": "image",
            "name": PHOTO,
            "label": "xlsform.photo",
            "hint": "xlsform.hint_photo",
            "parameters": "max-pixels=1600",  # the size abcd keeps (abcd.photos.images.MAX_SIDE): a smaller upload
        },
        {
            "type": f"select_one {_YES_NO}",
            "name": "photo_people",
            "label": "photo.people",
            "required": "yes",
            "relevant": f"${{{PHOTO}}} != ''",
        },
        {
            "type": f"select_one {_YES_NO}",
            "name": "photo_consent",
            "label": "photo.consent_given",
            "hint": "xlsform.hint_photo_consent",
            "required": "yes",
            "relevant": f"${{{PHOTO}}} != '' and ({_is('photo_people', YES)} or {_is('category', Category.PERSON)})",
        },
        {
            "type": "text",
            "name": "consent_recorded_by",
            "label": "xlsform.recorded_by",
            "required": "yes",
            "relevant": f"{_is('category', Category.PERSON)} or {_is('photo_people', YES)}",
        },
        {"type": "calculate", "name": "consent_purpose", "calculation": _xpath_text(purpose)},
        {"type": "calculate", "name": "consent_text_version", "calculation": _xpath_text(version)},
        {"type": "calculate", "name": ASSET_ID, "calculation": "once(uuid())"},
    ]
    return rows


def _model_questions() -> list[_Row]:
    """One question per field of the asset model a builder enters in the field, in the model's order."""
    types = field_types(AssetFields)
    rows: list[_Row] = []
    for f in declared_fields(AssetFields):
        info = field_info(f)
        if not info.interchange or info.form == "none":
            continue  # the location is the geopoint below; bookkeeping is set by abcd
        kind = get_origin(types[f.name]) or types[f.name]  # frozenset[str] -> frozenset
        row: _Row = {"name": f.name, "label": f"field.{f.name}"}
        if isinstance(kind, type) and issubclass(kind, StrEnum):
            row["type"] = f"select_one {_ENUM_CHOICES[kind][0]}"
        elif kind is bool:
            row["type"] = f"select_one {_YES_NO}"
        elif kind is frozenset:
            row["type"] = f"select_multiple {_THEMES}"
        else:
            row["type"] = "text"
            if info.long_text:
                row["appearance"] = "multiline"
        if f.default is dataclasses.MISSING or f.name in CATEGORY_FIELDS:
            row["required"] = "yes"  # no default, or asked only where it applies
        if f.name in CATEGORY_FIELDS:
            row["relevant"] = " or ".join(_is("category", c) for c in sorted(CATEGORY_FIELDS[f.name]))
            if f.name == "themes":
                del row["required"]  # an initiative may have no theme yet
        if f.name in _HINTS:
            row["hint"] = _HINTS[f.name]
        if info.max_length and row["type"] == "text":
            row["constraint"] = f"string-length(.) <= {info.max_length}"
            row["constraint_message"] = ("xlsform.too_long", {"max": info.max_length})
        rows.append(row)
    return rows


_YES_NO = "yes_no"
_THEMES = "themes"


def _choices(themes: Iterable[Theme]) -> list[_Row]:
    rows: list[_Row] = []
    for enum, (list_name, prefix) in _ENUM_CHOICES.items():
        rows.extend({"list_name": list_name, "name": m.value, "label": prefix + m.value} for m in enum)
    rows.append({"list_name": _YES_NO, "name": YES, "label": "xlsform.yes"})
    rows.append({"list_name": _YES_NO, "name": NO, "label": "xlsform.no"})
    rows.extend({"list_name": _THEMES, "name": theme.code, "label": theme} for theme in themes)
    return rows


def _is(name: str, value: str) -> str:
    return f"${{{name}}} = '{value}'"


def _xpath_text(text: str) -> str:
    """``text`` as an XPath string literal (XPath 1.0 has no escapes: the quote it does not contain)."""
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "") + '"'


_TRANSLATED = ("label", "hint", "constraint_message")


def _localised(row: _Row, languages: Sequence[Lang], **params: Any) -> dict[str, str]:
    """``row`` with each translated cell as one column per language (``label::Nederlands (nl)``)."""
    out: dict[str, str] = {}
    for column, value in row.items():
        if column not in _TRANSLATED:
            out[column] = str(value)
            continue
        for lang in languages:
            out[f"{column}::{language_column(lang)}"] = _text(value, lang, params)
    return out


def _text(value: Any, lang: Lang, params: Mapping[str, Any]) -> str:
    if isinstance(value, Theme):
        return value.label(lang)
    key, own = value if isinstance(value, tuple) else (value, {})
    text = t(key, lang, **{**params, **own}) if (params or own) else t(key, lang)
    return text[:1].upper() + text[1:] if key.startswith("field.") else text


__all__ = [
    "ASSET_ID",
    "FORM_ID",
    "LOCATION",
    "PHOTO",
    "language_column",
    "question_count",
    "xlsform_bytes",
    "xlsform_sheets",
]
