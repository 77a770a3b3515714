"""Mapping a register's own columns and category values to ``abcd``'s, for an import.

A municipal register, a GPX or KML file or a spreadsheet of a welzijn team
names its columns its own way (``naam``, ``soort``, ``breedtegraad``) and has
its own categories ("Buurtkamer", "Huis van de wijk", "Bibliotheek"). An
:class:`ImportMapping` says which column is which ``abcd`` field
(:data:`FIELDS`) and which value is which category (:class:`~abcd.model.Category`);
``abcd import --map``/``--category-map``/``--mapping`` and the app's import box
(:mod:`abcd.import_preview`) build one, and :func:`abcd.exchange.import_assets`
applies it to the rows as they are read.

Category values are matched trimmed and case-insensitively. A value without a
mapping is never guessed: :func:`map_categories` lists every such value with
its rows, and nothing is stored.

The mapping file (``--mapping FILE``, written by ``--save-mapping FILE``) is
JSON, one object::

    {
      "abcd_mapping": 1,
      "columns": {"naam": "name", "soort": "category", "intern_nummer": null},
      "categories": {"buurtkamer": "meeting_place", "bibliotheek": "institution"},
      "category": null,
      "crs": "EPSG:28992"
    }

``columns`` maps a column of the file (any case) to an ``abcd`` field, or to
``null`` to leave it out; columns it does not name are read as they are.
``categories`` maps a value of the category column to a category code (or its
Dutch or English name). ``category`` is the category of rows without a value
(GPX waypoints and KML placemarks have none). ``crs`` is the coordinate
system of a CSV's coordinate columns (``EPSG:28992`` for RD New metres).
Every key but ``abcd_mapping`` is optional.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from abcd import io
from abcd._cells import is_blank
from abcd.errors import ImportFileError, first_shown
from abcd.i18n import LANGUAGES, Lang, t
from abcd.model import INTERCHANGE_COLUMNS, Category

MAPPING_VERSION = 1
MAX_MAPPING_BYTES = 1024 * 1024  # a mapping or category file is small; a large one is a mistake

# The fields a column can be mapped to, the usual ones first: what a file row may hold (the import and
# abcd.model.validate_asset read these), the location as lat/lon or WKT, and a person's private columns.
_FIRST = ("name", "category", "description", "lat", "lon", "wkt", "area_wkt", "wijk")
_PERSON = ("contact", "linked_asset_id", "consent_date", "consent_recorded_by", "consent_purpose")
_PERSON_MORE = ("consent_text_version", "under_16", "parent_consent")
_EXPORT_ONLY = ("created_at", "updated_at")  # written on export, never read back
FIELDS: tuple[str, ...] = tuple(
    f for f in dict.fromkeys((*_FIRST, *INTERCHANGE_COLUMNS, *_PERSON, *_PERSON_MORE)) if f not in _EXPORT_ONLY
)


def column_key(name: object) -> str:
    """A column name as files are read (:mod:`abcd.io` lower-cases and strips them).

    >>> column_key("  Naam ")
    'naam'
    """
    return str(name).strip().lower()


def value_key(value: object) -> str:
    """A category value as it is matched: trimmed, inner white space folded, case-insensitive.

    >>> value_key("  Huis van  de Wijk ")
    'huis van de wijk'
    """
    return " ".join(str(value).split()).casefold()


@dataclass(frozen=True)
class ImportMapping:
    """How a file's columns and category values become ``abcd``'s.

    ``columns`` maps a column (lower case) to a field of :data:`FIELDS`, or to
    ``None`` to leave it out; ``categories`` maps a value (:func:`value_key`)
    to a category; ``default_category`` is for rows without a value; ``crs`` is
    the CRS of a CSV's coordinates (``None``: WGS84 degrees).
    Build it with :func:`mapping_from`; it checks every part.

    >>> m = mapping_from(columns={"Naam": "name"}, categories={"Buurtkamer": "Ontmoetingsplek"})
    >>> dict(m.columns), dict(m.categories)
    ({'naam': 'name'}, {'buurtkamer': <Category.MEETING_PLACE: 'meeting_place'>})
    """

    columns: Mapping[str, str | None] = field(default_factory=dict)
    categories: Mapping[str, Category] = field(default_factory=dict)
    default_category: Category | None = None
    crs: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", MappingProxyType(dict(self.columns)))
        object.__setattr__(self, "categories", MappingProxyType(dict(self.categories)))

    @property
    def maps_categories(self) -> bool:
        """Whether this mapping says where categories come from (so unmapped values are listed)."""
        other_column = any(target == "category" and source != "category" for source, target in self.columns.items())
        return bool(self.categories) or self.default_category is not None or other_column

    def category_of(self, value: object) -> Category | None:
        """The category of a row's category cell: mapped, the default for an empty one, or a code as it is.

        >>> m = mapping_from(categories={"Bieb": "institution"}, default_category="place")
        >>> m.category_of(" BIEB"), m.category_of(""), m.category_of("story"), m.category_of("Moestuin")
        (<Category.INSTITUTION: 'institution'>, <Category.PLACE: 'place'>, <Category.STORY: 'story'>, None)
        """
        if is_blank(value):
            return self.default_category
        key = value_key(value)
        if key in self.categories:
            return self.categories[key]
        try:
            return Category(key)  # abcd's own codes need no mapping
        except ValueError:
            return None

    def merged(self, other: ImportMapping) -> ImportMapping:
        """This mapping with ``other`` on top: its columns and values replace these, its default and CRS too."""
        return mapping_from(
            columns={**self.columns, **other.columns},
            categories={**self.categories, **other.categories},
            default_category=other.default_category or self.default_category,
            crs=other.crs or self.crs,
        )


def mapping_from(
    *,
    columns: Mapping[str, str | None] | None = None,
    categories: Mapping[str, object] | None = None,
    default_category: object = None,
    crs: object = None,
) -> ImportMapping:
    """A checked :class:`ImportMapping`: known fields, each field from one column, known categories and CRS.

    Targets and categories may be written in any case; a category as its code
    or its Dutch or English name (:func:`category_from_text`).

    >>> mapping_from(columns={"naam": "titel"})
    Traceback (most recent call last):
    ...
    abcd.errors.ImportFileError: Onbekend abcd-veld 'titel' voor de kolom 'naam'. Geldige velden: name, category, ...
    """
    checked: dict[str, str | None] = {}
    for source, target in (columns or {}).items():
        key = column_key(source)
        if not key:
            raise ImportFileError("error.mapping_syntax", value=f"={target}")
        checked[key] = check_field(target, column=key)
    by_target: dict[str, list[str]] = {}
    for source, target in checked.items():
        if target:
            by_target.setdefault(target, []).append(source)
    for target, sources in by_target.items():
        if len(sources) > 1:
            raise ImportFileError("error.mapping_twice", field=target, columns=", ".join(sources))
    values = {value_key(v): category_from_text(c) for v, c in (categories or {}).items() if not is_blank(v)}
    default = None if is_blank(default_category) else category_from_text(default_category)
    return ImportMapping(columns=checked, categories=values, default_category=default, crs=check_crs(crs))


def check_field(target: object, *, column: str) -> str | None:
    """``target`` as a field of :data:`FIELDS` (``None`` or empty: not used); refuses any other, naming them all."""
    if target is None or not str(target).strip():
        return None
    name = str(target).strip().lower()
    if name not in FIELDS:
        raise ImportFileError("error.mapping_field", field=str(target), column=column, allowed=", ".join(FIELDS))
    return name


def category_from_text(text: object) -> Category:
    """The category ``text`` names: its code or its name in Dutch or English, in any case.

    >>> category_from_text(" Ontmoetingsplek"), category_from_text("MEETING_PLACE"), category_from_text("Story")
    (<Category.MEETING_PLACE: 'meeting_place'>, <Category.MEETING_PLACE: 'meeting_place'>, <Category.STORY: 'story'>)
    """
    if isinstance(text, Category):
        return text
    key = value_key(text)
    for category in Category:
        names = {category.value, *(value_key(category.label(lang)) for lang in LANGUAGES)}
        if key in names:
            return category
    allowed = ", ".join(f"{c.value} ({c.label('nl')}, {c.label('en')})" for c in Category)
    raise ImportFileError("error.mapping_category", value=str(text), allowed=allowed)


def check_crs(value: object) -> str | None:
    """A CRS as ``EPSG:<code>`` (``None`` for none); ``28992``, ``epsg:28992`` and ``EPSG:28992`` are the same.

    >>> check_crs("28992"), check_crs(None)
    ('EPSG:28992', None)
    """
    if is_blank(value):
        return None
    from pyproj import CRS

    text = str(value).strip()
    try:
        crs = CRS.from_user_input(int(text) if text.isdigit() else text)
    except Exception:  # pyproj raises several types for unknown definitions
        raise ImportFileError("error.mapping_crs", value=text) from None
    code = crs.to_epsg()
    if code is None:
        raise ImportFileError("error.mapping_crs", value=text)
    return f"EPSG:{code}"


# ------------------------------------------------------------------ command-line options and files
def columns_from_options(items: Iterable[str]) -> dict[str, str | None]:
    """``--map`` options (``naam=name``, ``intern=`` to leave a column out) as source column to field.

    >>> columns_from_options(["Naam=name", "nr="])
    {'naam': 'name', 'nr': None}
    """
    out: dict[str, str | None] = {}
    for item in items:
        source, sep, target = str(item).partition("=")
        if not sep or not source.strip():
            raise ImportFileError("error.mapping_syntax", value=item)
        out[column_key(source)] = check_field(target, column=column_key(source))
    return out


def read_category_map(path: Path) -> dict[str, Category]:
    """A category table: a CSV of two columns, a value as the file has it and its ``abcd`` category.

    The category is a code or its Dutch or English name. A first line whose
    second cell is no category is a header. A value given twice with two
    categories is refused, naming both lines.
    """
    path = Path(path)
    io.check_file(path, max_bytes=MAX_MAPPING_BYTES)
    out: dict[str, Category] = {}
    lines: dict[str, int] = {}
    with io.open_csv(path, delimiter=_delimiter) as records:
        header = records.columns
        if len(header) < 2:
            raise ImportFileError("error.category_map_columns", path=path.name, columns=", ".join(header) or "-")
        pairs: list[tuple[int, str, str]] = []
        if _is_category(header[1]):  # no header: the first line is a pair too
            pairs.append((1, header[0], header[1]))
        pairs += [(number, str(rec.get(header[0]) or ""), str(rec.get(header[1]) or "")) for number, rec in records]
    for number, value, target in pairs:
        if is_blank(value) and is_blank(target):
            continue
        try:
            if is_blank(value):
                raise ImportFileError("error.category_map_blank")
            category = category_from_text(target)
        except ImportFileError as exc:
            raise ImportFileError("error.category_map_row", row=number, path=path.name, message=exc) from exc
        key = value_key(value)
        if key in out and out[key] is not category:
            raise ImportFileError(
                "error.category_map_twice", value=value.strip(), first=lines[key], second=number, path=path.name
            )
        out[key], lines[key] = category, number
    return out


def _delimiter(sample: str) -> str:
    first = sample.splitlines()[0] if sample else ""
    return max((";", "\t", ","), key=first.count) if any(d in first for d in ";\t,") else ","


def _is_category(text: str) -> bool:
    try:
        category_from_text(text)
    except ImportFileError:
        return False
    return True


def mapping_to_json(mapping: ImportMapping) -> str:
    """The mapping as the JSON of a mapping file (see the module's docstring), keys in a stable order."""
    data = {
        "abcd_mapping": MAPPING_VERSION,
        "columns": dict(mapping.columns),
        "categories": {value: category.value for value, category in mapping.categories.items()},
        "category": mapping.default_category.value if mapping.default_category else None,
        "crs": mapping.crs,
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


_FILE_KEYS = ("abcd_mapping", "columns", "categories", "category", "crs")


def mapping_from_json(text: str, *, name: str = "-") -> ImportMapping:
    """The mapping a mapping file's JSON holds (``name`` is the file, for messages); refuses any other shape.

    >>> mapping_from_json('{"abcd_mapping": 1, "columns": {"naam": "name"}}').columns["naam"]
    'name'
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError("error.json_syntax", path=name, line=exc.lineno, col=exc.colno, msg=exc.msg) from None
    except RecursionError:
        raise ImportFileError("error.mapping_shape", path=name, found="-") from None
    if not isinstance(data, dict) or data.get("abcd_mapping") != MAPPING_VERSION:
        found = ", ".join(map(str, data)) if isinstance(data, dict) else type(data).__name__
        raise ImportFileError("error.mapping_shape", path=name, found=found or "-")
    unknown = [str(k) for k in data if k not in _FILE_KEYS]
    columns, categories = data.get("columns") or {}, data.get("categories") or {}
    plain = all(isinstance(v, str | None) for v in [*columns.values(), *categories.values()]) if not unknown else False
    if unknown or not isinstance(columns, dict) or not isinstance(categories, dict) or not plain:
        raise ImportFileError("error.mapping_shape", path=name, found=", ".join(map(str, data)))
    return mapping_from(
        columns=columns, categories=categories, default_category=data.get("category"), crs=data.get("crs")
    )


def read_mapping(path: Path) -> ImportMapping:
    """The mapping in a mapping file (``--mapping FILE``)."""
    path = Path(path)
    io.check_file(path, max_bytes=MAX_MAPPING_BYTES)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("error.not_utf8") from None
    return mapping_from_json(text, name=path.name)


def write_mapping(mapping: ImportMapping, path: Path) -> None:
    """Write ``mapping`` to a mapping file (whole or not at all), for the next import's ``--mapping``."""
    io.write_file(Path(path), mapping_to_json(mapping).encode("utf-8"))


def mapping_from_options(
    *,
    mapping_file: Path | None = None,
    maps: Sequence[str] = (),
    category_map: Path | None = None,
    default_category: str | None = None,
    crs: str | None = None,
) -> ImportMapping | None:
    """The mapping ``abcd import`` options give: the file first, then ``--map``, the category table, the rest.

    ``None`` when no option is given (the file is read as it is).
    """
    if mapping_file is None and not maps and category_map is None and default_category is None and crs is None:
        return None
    base = read_mapping(mapping_file) if mapping_file is not None else ImportMapping()
    given = mapping_from(
        columns=columns_from_options(maps),
        categories=read_category_map(category_map) if category_map is not None else None,
        default_category=default_category,
        crs=crs,
    )
    return base.merged(given)


# ------------------------------------------------------------------ applying it
def read_mapped_rows(
    path: Path, mapping: ImportMapping | None, *, max_bytes: int = io.MAX_FILE_BYTES
) -> list[io.RawRow]:
    """The raw rows of an asset file read through ``mapping``: columns renamed, coordinates reprojected."""
    if mapping is None:
        return io.read_rows(Path(path), max_bytes=max_bytes)
    return io.read_rows(Path(path), max_bytes=max_bytes, rename=mapping.columns, crs=mapping.crs)


def unmapped_values(rows: Iterable[io.RawRow], mapping: ImportMapping) -> dict[str, list[int]]:
    """Every category value (as first written, ``""`` for none) that ``mapping`` gives no category, with its rows."""
    found: dict[str, list[int]] = {}
    spelled: dict[str, str] = {}
    for row in rows:
        value = row.values.get("category")
        if mapping.category_of(value) is None:
            shown = "" if is_blank(value) else " ".join(str(value).split())
            key = spelled.setdefault(value_key(shown), shown)
            found.setdefault(key, []).append(row.number)
    return found


def map_categories(rows: Sequence[io.RawRow], mapping: ImportMapping | None) -> list[io.RawRow]:
    """``rows`` with their category cells as codes; every value without a category is listed, nothing guessed.

    Applies only when ``mapping`` says where categories come from
    (:attr:`ImportMapping.maps_categories`); otherwise the rows are returned
    as they are and validation names a bad category. Raises
    :class:`UnmappedCategories` when any row's value has no category.
    """
    if mapping is None or not mapping.maps_categories:
        return list(rows)
    unmapped = unmapped_values(rows, mapping)
    if unmapped:
        raise UnmappedCategories(unmapped)
    out = []
    for row in rows:
        category = mapping.category_of(row.values.get("category"))
        out.append(io.RawRow(row.number, {**row.values, "category": category.value if category else None}))
    return out


_VALUES_SHOWN = 20  # values named in the message, and rows per value; the counts say how many in all


@dataclass(frozen=True)
class _Values:
    """The unmapped values with their rows, one per line, rendered in the reader's language."""

    rows: Mapping[str, Sequence[int]]

    def message(self, lang: Lang = "nl") -> str:
        lines = []
        for value, numbers in list(self.rows.items())[:_VALUES_SHOWN]:
            listed = ", ".join(first_shown([str(n) for n in numbers], _VALUES_SHOWN))
            shown = repr(value) if value else t("mapping.blank", lang)
            lines.append(t("mapping.unmapped_value", lang, n=len(numbers), value=shown, rows=listed))
        if len(self.rows) > _VALUES_SHOWN:
            lines.append("…")
        return "\n".join(lines)


class UnmappedCategories(ImportFileError):
    """Rows whose category value has no mapping; ``values`` holds each value with its row numbers."""

    def __init__(self, values: Mapping[str, Sequence[int]]) -> None:
        self.values = {value: list(rows) for value, rows in values.items()}
        super().__init__("error.categories_unmapped", n=len(self.values), values=_Values(self.values))


__all__ = [
    "FIELDS",
    "ImportMapping",
    "UnmappedCategories",
    "category_from_text",
    "check_crs",
    "columns_from_options",
    "map_categories",
    "mapping_from",
    "mapping_from_json",
    "mapping_from_options",
    "mapping_to_json",
    "read_category_map",
    "read_mapped_rows",
    "read_mapping",
    "unmapped_values",
    "write_mapping",
]
