"""The app's import box without Streamlit: an upload's columns, a suggested mapping, a preview of its rows.

The *Lijst* page shows what a file holds before anything is imported: every
column with the ``abcd`` field it is suggested to be (its own name, or an
obvious Dutch one such as ``naam``, ``omschrijving`` or ``breedtegraad``), the
distinct category values to map, and the first rows on a small map. The user
changes what is wrong and confirms; only then does
:func:`abcd.exchange.import_upload` run, with the :class:`~abcd.mapping.ImportMapping`
built here. A mapping that worked is remembered per set of column names
(:func:`remember_mapping`), so the next upload of the same register comes pre-filled.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
from shapely.geometry import Point

from abcd import io
from abcd._cells import is_blank
from abcd.errors import AbcdError
from abcd.exchange import upload_path
from abcd.i18n import Lang, t
from abcd.mapping import (
    FIELDS,
    ImportMapping,
    category_from_text,
    mapping_from_json,
    mapping_to_json,
    read_mapped_rows,
    value_key,
)
from abcd.model import RD_NEW, WGS84, Category, check_lonlat, parse_coordinate
from abcd.store import Store

PREVIEW_ROWS = 50  # rows on the preview map; the file may have thousands
TABLE_ROWS = 5  # rows in the preview table

# Column names people use for abcd's fields, folded (lower case, no spaces, dashes or underscores).
# abcd's own names are suggested as themselves (FIELDS); ``x``/``y`` are read as lon/lat, as abcd.io does.
_NAMES: Mapping[str, tuple[str, ...]] = {
    "name": ("naam", "titel", "title", "organisatie", "naamorganisatie", "locatienaam", "plaatsnaam"),
    "category": ("categorie", "soort", "type", "typelocatie", "soortlocatie", "kind", "cat"),
    "description": ("omschrijving", "beschrijving", "toelichting", "opmerking", "opmerkingen", "info", "desc"),
    "lat": ("breedtegraad", "latitude", "breedte", "y", "ycoord", "ycoordinaat"),
    "lon": ("lengtegraad", "longitude", "lng", "lengte", "x", "xcoord", "xcoordinaat"),
    "wkt": ("geometry", "geometrie", "geom"),
    "contact": ("email", "telefoon", "telefoonnummer", "contactpersoon"),
    "themes": ("themas", "thema"),
}
_SUGGESTED: Mapping[str, str] = {
    **{re.sub(r"[\s_\-'’.]", "", f): f for f in FIELDS},
    **{alias: target for target, aliases in _NAMES.items() for alias in aliases},
}
_META_PREFIX = "import_mapping:"


@dataclass(frozen=True, slots=True)
class CategoryValue:
    """A category value of an upload as first written, how many rows have it, and the category suggested."""

    value: str
    rows: int
    suggested: Category | None

    @property
    def key(self) -> str:
        """The value as it is matched (:func:`abcd.mapping.value_key`)."""
        return value_key(self.value)

    @property
    def token(self) -> str:
        """A short stable name for the value, for a widget key (the value itself is the file's text)."""
        return hashlib.sha256(self.key.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Scan:
    """An upload read through a column mapping: its row count, category values and first rows."""

    count: int
    values: tuple[CategoryValue, ...]
    head: tuple[io.RawRow, ...]


def suggest_field(column: str, sample: object = None) -> str | None:
    """The ``abcd`` field a column's name says it is, or ``None``.

    An ``id`` column is only suggested as the asset id when its value is one
    (a register's own numbers are not).

    >>> suggest_field("Naam"), suggest_field("breedte-graad"), suggest_field("intern nr")
    ('name', 'lat', None)
    >>> suggest_field("id", "17"), suggest_field("id", "6f1c5a6e-8f0e-4b7e-9a52-3f3f0f1f7a10")
    (None, 'id')
    """
    field = _SUGGESTED.get(re.sub(r"[\s_\-'’.]", "", str(column).lower()))
    if field == "id" and not _is_uuid(sample):
        return None
    return field


_LABEL_KEYS = {"wkt": "field.geometry", "area_wkt": "field.area"}


def field_label(field: str | None, lang: Lang = "nl") -> str:
    """How a field is named in the box's column selects: its label with its code (``None``: not used).

    >>> field_label("name"), field_label("wkt", "en"), field_label(None, "en")
    ('naam (name)', 'location (wkt)', '— do not use —')
    """
    if not field:
        return t("import.unused", lang)
    key = _LABEL_KEYS.get(field, f"field.{field}")
    label = t(key, lang)
    return field if label == key else f"{label} ({field})"


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value).strip())
    except ValueError:
        return False
    return True


def suggested_columns(found: Mapping[str, object], remembered: ImportMapping | None = None) -> dict[str, str | None]:
    """Per column, the field to pre-fill: the remembered one, else :func:`suggest_field`; no field twice.

    >>> suggested_columns({"naam": "Tuin", "titel": "x", "categorie": "Moestuin", "nr": 4})
    {'naam': 'name', 'titel': None, 'categorie': 'category', 'nr': None}
    """
    out: dict[str, str | None] = {}
    taken: set[str] = set()
    for column, sample in found.items():
        if remembered is not None and column in remembered.columns:
            field = remembered.columns[column]
        else:
            field = suggest_field(column, sample)
        if field in taken:
            field = None
        out[column] = field
        if field:
            taken.add(field)
    return out


def upload_columns(name: str, data: bytes, *, max_bytes: int = io.MAX_FILE_BYTES) -> dict[str, str | None]:
    """The columns of an uploaded file (lower case), each with its first value in the first rows, or ``None``.

    The value is shortened to 40 characters, for a label; it is the file's
    text (escape it to show it). A box shows the columns that have a value
    (a GPX file has a score of empty ones) and remembers the mapping by all of them.
    """
    with upload_path(name, data, max_bytes=max_bytes) as path:
        found = io.read_columns(path, max_bytes=max_bytes)
    return {column: None if is_blank(sample) else _sample_text(sample) for column, sample in found.items()}


def _sample_text(value: object, limit: int = 40) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def suggest_crs(samples: Mapping[str, object], mapping: Mapping[str, str | None]) -> str | None:
    """``EPSG:28992`` when the columns mapped to ``lon`` and ``lat`` hold RD New metres, else ``None``.

    RD New covers the Netherlands with x from 0 to 300,000 and y from 300,000
    to 625,000 metres; degrees in the Netherlands are far smaller numbers.

    >>> suggest_crs({"x": "92103", "y": "437512,4"}, {"x": "lon", "y": "lat"})
    'EPSG:28992'
    """
    by_field = {mapping.get(column): sample for column, sample in samples.items()}
    try:
        x = parse_coordinate(by_field.get("lon"), field="lon")
        y = parse_coordinate(by_field.get("lat"), field="lat")
    except AbcdError:
        return None
    return RD_NEW if 0 <= x <= 300_000 and 300_000 <= y <= 625_000 else None


def scan_upload(name: str, data: bytes, mapping: ImportMapping, *, max_bytes: int = io.MAX_FILE_BYTES) -> Scan:
    """Read an upload through ``mapping``'s columns and CRS: its rows, category values and first rows.

    Raises the reader's :class:`~abcd.errors.AbcdError` when the file cannot
    be read this way (no location columns mapped, say): the box shows it.
    """
    with upload_path(name, data, max_bytes=max_bytes) as path:
        rows = read_mapped_rows(path, mapping, max_bytes=max_bytes)
    return Scan(len(rows), category_values(rows), tuple(rows[:PREVIEW_ROWS]))


def category_values(rows: Iterable[io.RawRow], remembered: ImportMapping | None = None) -> tuple[CategoryValue, ...]:
    """The distinct non-empty category values of ``rows`` that are no category code, in order of appearance.

    Each comes with its row count and a suggestion: what ``remembered`` maps
    it to, or the category it names exactly (its Dutch or English name).
    Nothing else is suggested: "Bibliotheek" is not guessed to be an institution.
    """
    counts: dict[str, int] = {}
    spelled: dict[str, str] = {}
    for row in rows:
        value = row.values.get("category")
        if is_blank(value):
            continue
        key = value_key(value)
        if key in {c.value for c in Category}:
            continue
        spelled.setdefault(key, " ".join(str(value).split()))
        counts[key] = counts.get(key, 0) + 1
    return tuple(CategoryValue(spelled[k], n, _suggest_category(k, remembered)) for k, n in counts.items())


def with_suggestions(values: Sequence[CategoryValue], remembered: ImportMapping | None) -> tuple[CategoryValue, ...]:
    """``values`` with the categories a remembered mapping gives them suggested."""
    return tuple(CategoryValue(v.value, v.rows, _suggest_category(v.key, remembered)) for v in values)


def _suggest_category(key: str, remembered: ImportMapping | None) -> Category | None:
    if remembered is not None and key in remembered.categories:
        return remembered.categories[key]
    try:
        return category_from_text(key)
    except AbcdError:
        return None


def preview_frame(rows: Iterable[io.RawRow], mapping: ImportMapping, *, limit: int = PREVIEW_ROWS) -> gpd.GeoDataFrame:
    """The first ``limit`` rows that have a category and a location in the Netherlands, as a map's asset frame.

    ``id`` is ``row N`` (the row as the user's file numbers it); rows without
    a category under ``mapping`` or without a usable location are left out.
    """
    records: list[dict[str, Any]] = []
    points: list[Point] = []
    for row in list(rows)[:limit]:
        category = mapping.category_of(row.values.get("category"))
        try:
            lon = parse_coordinate(row.values.get("lon"), field="lon")
            lat = parse_coordinate(row.values.get("lat"), field="lat")
            check_lonlat(lon, lat)
        except AbcdError:
            continue
        if category is None:
            continue
        description = row.values.get("description")
        records.append(
            {
                "id": f"row {row.number}",
                "row": row.number,
                "name": "" if is_blank(row.values.get("name")) else " ".join(str(row.values["name"]).split()),
                "category": category.value,
                "description": "" if is_blank(description) else str(description),
                "lat": round(lat, 6),
                "lon": round(lon, 6),
            }
        )
        points.append(Point(lon, lat))
    columns = ["id", "row", "name", "category", "description", "lat", "lon"]
    return gpd.GeoDataFrame(records, columns=columns, geometry=points, crs=WGS84)


def preview_map(frame: gpd.GeoDataFrame, *, lang: Lang = "nl") -> Any:
    """A small map of :func:`preview_frame`'s rows (every text escaped by :mod:`abcd.maps`), fitted to them."""
    from abcd import maps  # folium only when a map is drawn

    return maps.asset_map(frame, lang=lang)


# ------------------------------------------------------------------ remembering a mapping
def memory_key(columns: Iterable[str]) -> str:
    """The meta key under which the mapping of a file with these columns is kept (order does not matter).

    >>> memory_key(["naam", "soort"]) == memory_key(["soort", "naam"])
    True
    """
    digest = hashlib.sha256("\n".join(sorted(set(columns))).encode("utf-8")).hexdigest()[:32]
    return f"{_META_PREFIX}{digest}"


def remembered_mapping(store: Store, columns: Iterable[str]) -> ImportMapping | None:
    """The mapping last used for a file with exactly these columns, or ``None``."""
    text = store.get_meta(memory_key(columns))
    if text is None:
        return None
    try:
        return mapping_from_json(text)
    except AbcdError:  # written by an older version that knew other fields: start afresh
        return None


def remember_mapping(store: Store, columns: Iterable[str], mapping: ImportMapping) -> None:
    """Keep ``mapping`` for the next upload with these columns."""
    store.set_meta(memory_key(columns), mapping_to_json(mapping))


__all__ = [
    "PREVIEW_ROWS",
    "CategoryValue",
    "Scan",
    "category_values",
    "field_label",
    "memory_key",
    "preview_frame",
    "preview_map",
    "remember_mapping",
    "remembered_mapping",
    "scan_upload",
    "suggest_crs",
    "suggest_field",
    "suggested_columns",
    "upload_columns",
    "with_suggestions",
]
