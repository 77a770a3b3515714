"""Import and export of assets: every row validated first, then one transaction.

``import_assets`` reads a file (:mod:`abcd.io`), validates every row against
the model and the wijk it claims to lie in, and only then stores all rows
at once. One bad row means nothing is stored, and the error names the row.
"""

from __future__ import annotations

import functools
import gc
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import geopandas as gpd

from abcd import io
from abcd._cells import is_blank
from abcd.assets import prepare_drafts
from abcd.batches import NewBatch
from abcd.connections.files import LAYER as CONNECTIONS_LAYER
from abcd.connections.files import companion_path, connections_layer, read_connections, write_companion
from abcd.connections.model import ConnectionDraft, validate_connection
from abcd.connections.register import Register
from abcd.duplicates import RADIUS_M, Duplicates, DuplicatesFound, find_duplicates
from abcd.errors import AbcdError, ImportFileError, OutsideWijkError, ValidationError, first_shown
from abcd.fieldforms.exports import MARKER, PhotoImport, attach_photos, recognise_export
from abcd.i18n import Term, normalise_lang, t
from abcd.licences import export_sources
from abcd.mapping import ImportMapping, map_categories, read_mapped_rows
from abcd.model import Asset, AssetDraft, Category, Consent, Source, validate_asset, with_changes
from abcd.permissions import CLI_USER, Permission, User, require
from abcd.store import Store, assets_to_frame
from abcd.wijken import (
    KIND_CBS_BUURT,
    KIND_CBS_WIJK,
    KIND_CUSTOM,
    KIND_GEBIED,
    KIND_GEMEENTE,
    Catalogue,
    Wijk,
    areas_to_store,
    check_in_wijk,
    ensure_wijk,
    find_wijk,
    wijken_at,
)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did: how many assets were created and updated, in which wijken, and new connections."""

    created: int
    updated: int
    unchanged: int  # rows matching a stored asset that they would not change, or a deleted one
    wijken: tuple[str, ...]
    connections: int = 0
    skipped: int = 0  # new rows left out as suspected duplicates (``duplicates="skip"``)
    batch: int | None = None  # the import's batch id (abcd.batches), to list or undo it
    photos: PhotoImport = field(default_factory=PhotoImport)  # a Kobo/ODK export's photos (abcd.fieldforms)


def drafts_from_rows(
    rows: list[io.RawRow],
    *,
    default_wijk: str | None,
    catalogue: Mapping[str, Wijk],
    stored: Mapping[str, Asset] | None = None,
    consents: Mapping[str, Consent | None] | None = None,
    places: _Places | None = None,
) -> list[AssetDraft]:
    """Validate raw rows into drafts; the first bad row raises, naming its number.

    A row's ``wijk`` (or ``default_wijk`` for rows without one) says where its
    point lies: it must (within the boundary tolerance). Without either, the
    row is placed by its location alone, and a point outside every known area
    is refused. A row with the id of a
    ``stored`` asset edits it: columns the file does not have keep their stored
    values (and a resident keeps their recorded consent, from ``consents``).
    ``places`` keeps the areas of the rows' points for the rest of the import.

    The rows are validated first, then placed all at once (:class:`_Places`);
    a row whose claimed wijk is not among the areas of its point goes through
    :func:`~abcd.wijken.check_in_wijk` for its message. The error raised is
    still the first bad row's: a validation error is raised only after the
    rows before it were placed.
    """
    places = places if places is not None else _Places(catalogue)
    drafts, claims, failure = _validated(rows, default_wijk, catalogue, stored or {}, consents or {})
    found = places.areas(drafts)
    seen_ids: set[str] = set()
    out: list[AssetDraft] = []
    for k, (draft, wijk) in enumerate(zip(drafts, claims, strict=True)):
        try:
            if wijk is not None:
                if found is None or wijk.slug not in found[k]:
                    check_in_wijk(catalogue, wijk, draft.lon, draft.lat)
            elif not (found[k] if found is not None else wijken_at(catalogue, draft.lon, draft.lat)):
                raise OutsideWijkError("error.outside_known", lat=draft.lat, lon=draft.lon)
            if draft.id:
                if draft.id in seen_ids:
                    raise ImportFileError("error.duplicate_id", value=draft.id)
                seen_ids.add(draft.id)
            current = (stored or {}).get(draft.id or "")
            if current is not None:
                draft = _at_file_precision(draft, current)
        except AbcdError as exc:
            raise ImportFileError("error.row", row=rows[k].number, message=exc) from exc
        out.append(draft)
    if failure is not None:
        number, error = failure
        raise ImportFileError("error.row", row=number, message=error) from error
    return out


# To say where an import went: a wijk as people name it before a CBS division of it.
_HOME_KINDS = (KIND_GEBIED, KIND_CUSTOM, KIND_CBS_WIJK, KIND_CBS_BUURT, KIND_GEMEENTE)


def _home(catalogue: Mapping[str, Wijk], draft: AssetDraft, places: _Places | None = None) -> str:
    """The wijk a row placed by its location lies in, as people would name it (to say where an import went)."""
    return (places if places is not None else _Places(catalogue)).home(draft)


def _home_of(found: Sequence[Wijk]) -> str:
    """The first of ``found`` (smallest first) by :data:`_HOME_KINDS`; ``-`` for none."""
    ranked = sorted(found, key=lambda w: _HOME_KINDS.index(w.kind) if w.kind in _HOME_KINDS else len(_HOME_KINDS))
    return ranked[0].slug if ranked else "-"


class _Places:
    """The areas the points of one import lie in, each distinct point measured once and all at once.

    With a :class:`~abcd.wijken.Catalogue` the areas come from its index
    (:meth:`abcd.places.AreaIndex.membership`, the rule every area view
    follows) in one vectorised call per batch of new points; validation, the
    rights check (:func:`abcd.assets.prepare_drafts`), the summary and the
    areas to store all ask this one memo. A plain mapping of wijken has no
    index: :meth:`areas` is ``None`` and callers use the per-point functions.
    """

    def __init__(self, catalogue: Mapping[str, Wijk]) -> None:
        self.catalogue = catalogue
        self._areas: dict[tuple[float, float], tuple[str, ...]] = {}
        self._homes: dict[tuple[str, ...], str] = {}

    def areas(self, drafts: Sequence[AssetDraft]) -> list[tuple[str, ...]] | None:
        """The slugs of the areas each draft's point lies in, sorted; ``None`` without an index."""
        if not isinstance(self.catalogue, Catalogue):
            return None
        keys = [(d.lon, d.lat) for d in drafts]
        new = [key for key in dict.fromkeys(keys) if key not in self._areas]
        if new:
            found = self.catalogue.index.membership([lon for lon, _ in new], [lat for _, lat in new])
            self._areas.update(zip(new, found, strict=True))
        return [self._areas[key] for key in keys]

    def home(self, draft: AssetDraft) -> str:
        """:func:`_home` of a draft, decided once per distinct set of areas."""
        if not isinstance(self.catalogue, Catalogue):
            return _home_of(wijken_at(self.catalogue, draft.lon, draft.lat))
        areas = self._areas.get((draft.lon, draft.lat))
        if areas is None:
            (areas,) = self.areas([draft]) or [()]
        if areas not in self._homes:
            # As wijken_at lists them: smallest first.
            wijken = sorted((self.catalogue[s] for s in areas), key=lambda w: w.boundary.area)
            self._homes[areas] = _home_of(wijken)
        return self._homes[areas]


def _validated(
    rows: Sequence[io.RawRow],
    default_wijk: str | None,
    catalogue: Mapping[str, Wijk],
    stored: Mapping[str, Asset],
    consents: Mapping[str, Consent | None],
) -> tuple[list[AssetDraft], list[Wijk | None], tuple[int, AbcdError] | None]:
    """The rows validated into drafts with the wijk each claims, up to the first bad row, and that row and error.

    Everything of :func:`drafts_from_rows` that needs no other row and no
    area: the geometry, the edit of a stored asset, the claimed wijk's name
    (looked up once per distinct name) and :func:`~abcd.model.validate_asset`.
    """
    drafts: list[AssetDraft] = []
    claims: list[Wijk | None] = []
    named: dict[str, Wijk] = {}
    for row in rows:
        try:
            values = dict(row.values)
            if "_geometry_error" in values:
                reason = values.pop("_geometry_error")
                if reason:
                    raise ImportFileError("error.geometry_invalid", field=Term("field.geometry"), reason=reason)
                raise ImportFileError("error.geometry_empty", field=Term("field.geometry"))
            current = stored.get(_row_id(values) or "")
            if current is not None:
                values = _edit_of(current, values, consents.get(current.id))
            claimed = values.get("wijk") if not is_blank(values.get("wijk")) else default_wijk
            wijk = None
            if claimed:
                key = str(claimed)
                wijk = named[key] if key in named else named.setdefault(key, find_wijk(catalogue, key))
            values["wijk"] = wijk.slug if wijk else None
            draft = validate_asset(values, default_source=Source.IMPORT)
        except AbcdError as exc:
            return drafts, claims, (row.number, exc)
        drafts.append(draft)
        claims.append(wijk)
    return drafts, claims, None


_CONSENT_COLUMNS = ("consent_date", "consent_recorded_by", "consent_purpose", "consent_text_version")


def _row_id(values: Mapping[str, Any]) -> str | None:
    """The asset id a row names, as stored; ``None`` for none or a bad one (validation names that)."""
    return _stored_id(values.get("id"))


def _stored_id(value: Any) -> str | None:
    """An asset id as the store writes it (a canonical UUID); ``None`` for none or a bad one."""
    if is_blank(value):
        return None
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        return None


def _edit_of(current: Asset, values: Mapping[str, Any], consent: Consent | None) -> dict[str, Any]:
    """A row that edits ``current``: what the file says, and the stored value of every column it lacks."""
    stored: dict[str, Any] = {**current.raw(), "id": current.id}
    if current.is_person and consent is not None and not any(c in values for c in _CONSENT_COLUMNS):
        stored["consent"] = consent
    changes = {k: v for k, v in values.items() if k != "version"}
    if "wijk" in changes and is_blank(changes["wijk"]):
        del changes["wijk"]  # an empty cell keeps the asset where it is, rather than moving it to --wijk
    return with_changes(stored, changes)


# Exports write coordinates with 7 decimals (about 1 cm): a re-imported export
# that only rounds them changes nothing.
_FILE_DECIMALS = 7


def _at_file_precision(draft: AssetDraft, current: Asset) -> AssetDraft:
    """``draft`` with ``current``'s location and area where they differ only by the rounding of a file."""
    lon, lat, area = draft.lon, draft.lat, draft.area
    if round(lon, _FILE_DECIMALS) == round(current.lon, _FILE_DECIMALS):
        lon = current.lon
    if round(lat, _FILE_DECIMALS) == round(current.lat, _FILE_DECIMALS):
        lat = current.lat
    if area is not None and current.area is not None and area.equals_exact(current.area, 10**-_FILE_DECIMALS):
        area = current.area
    return replace(draft, lon=lon, lat=lat, area=area)


def _file_version(row: io.RawRow) -> int | None:
    """The ``version`` a row says it was exported at, or ``None`` when it has none."""
    value = row.values.get("version")
    if is_blank(value):
        return None
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        number = float("nan")
    if not number.is_integer() or number < 1:
        raise ImportFileError("error.row", row=row.number, message=ValidationError("error.bad_version", value=value))
    return int(number)


def check_versions(
    store: Store, rows: Sequence[io.RawRow], drafts: Sequence[AssetDraft], stored: Mapping[str, Asset], *, lang: str
) -> dict[str, int]:
    """The version each edited asset must still have; :class:`ImportFileError` naming every stale row.

    A row that edits a stored asset must carry the ``version`` it was exported
    at, and that must still be the stored version: otherwise someone changed
    the asset since the export, and the file would undo their work. Rows
    without a version are refused unless the caller chose to overwrite (then
    pass no such rows here). Deleted assets are left alone anyway.
    """
    expected: dict[str, int] = {}
    stale: list[AbcdError] = []
    for row, draft in zip(rows, drafts, strict=True):
        current = stored.get(draft.id or "")
        if current is None or current.is_deleted:
            continue
        version = _file_version(row)
        if version is None:
            stale.append(
                AbcdError("error.row", row=row.number, message=AbcdError("error.import_no_version", name=current.name))
            )
            continue
        if version != current.version:
            since = _changes_since(store, current, version, lang=lang)
            message = AbcdError(
                "error.import_stale", name=current.name, given=version, stored=current.version, changes=since
            )
            stale.append(AbcdError("error.row", row=row.number, message=message))
            continue
        expected[current.id] = version
    if stale:
        shown = first_shown([e.message(lang) for e in stale], _STALE_SHOWN)
        raise ImportFileError("error.import_stale_rows", n=len(stale), rows="\n".join(shown))
    return expected


_STALE_SHOWN = 10  # rows named in the message; the count says how many there are in all


def _changes_since(store: Store, current: Asset, version: int, *, lang: str) -> str:
    """Who changed which fields of ``current`` after ``version``, and when (for a stale-row message)."""
    from abcd.i18n.formats import format_datetime

    parts = []
    for entry in store.history(current.id):
        if entry.version <= version:
            continue
        fields = ", ".join(
            t(f"field.{f}", lang) if f != "deleted" else t("history.deleted", lang) for f in entry.changed_fields()
        )
        what = fields or t(f"history.{entry.action}", lang)
        parts.append(f"{entry.changed_by}, {format_datetime(entry.changed_at, lang)}: {what}")
    return "; ".join(parts) or "-"


P = ParamSpec("P")
R = TypeVar("R")


def _gc_paused(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` with Python's cyclic garbage collector paused (reference counting still frees).

    An import builds hundreds of thousands of small objects and no cycles: the
    collector's passes over them were a fifth of a 20,000-row import (measured
    with ``bench/imports.py``). It is paused process-wide for the call only.
    """

    @functools.wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused


@_gc_paused
def import_assets(
    store: Store,
    path: Path,
    *,
    catalogue: Mapping[str, Wijk],
    wijken_dir: Path,
    default_wijk: str | None = None,
    by: str | None = None,
    user: User = CLI_USER,
    max_bytes: int = io.MAX_FILE_BYTES,
    overwrite: bool = False,
    lang: str = "nl",
    duplicates: Duplicates = "ask",
    source: str | None = None,
    mapping: ImportMapping | None = None,
) -> ImportResult:
    """Import an asset file into the store: all rows, or none; the import is one batch that can be undone.

    Rows whose ``id`` already exists update that asset (so importing an export
    back does not duplicate anything), if the asset is still at the row's
    ``version`` (:func:`check_versions`); with ``overwrite`` rows *without* a
    version update it as it is now. Columns the file lacks keep their stored
    values, and a row that changes nothing writes no new version. Other rows
    become new assets. ``user`` must be allowed to edit assets in every wijk of
    the file and every asset a row edits (the command line acts as the local
    administrator); people are placed by the people rules of
    :func:`abcd.assets.place_person` and need their consent columns.

    New rows that look like a live asset or an earlier row (within 50 m,
    similar name: :mod:`abcd.duplicates`) stop the import with
    :class:`~abcd.duplicates.DuplicatesFound` before anything is stored;
    ``duplicates="skip"`` leaves them out, ``"keep"`` imports them anyway.

    The import is recorded as a batch (:mod:`abcd.batches`) named ``source``
    (the file's name as the user knows it), in the result's ``batch``.

    A ``mapping`` (:mod:`abcd.mapping`) renames the file's columns as they are
    read and turns its category values into categories; a row whose value it
    does not map stops the import, listing every such value.
    """
    rows = recognise_export(read_mapped_rows(Path(path), mapping, max_bytes=max_bytes))  # Kobo/ODK: abcd's columns
    kind = _batch_kind(rows)
    rows = map_categories(rows, mapping)
    stored = store.assets_by_id([i for i in (_row_id(r.values) for r in rows) if i])
    if kind != "file":
        rows = _with_import_versions(store, rows, stored)
    consents = {a.id: store.consent(a.id) for a in stored.values() if a.is_person}
    places = _Places(catalogue)  # every point's areas, measured once for the whole import
    drafts = drafts_from_rows(
        rows, default_wijk=default_wijk, catalogue=catalogue, stored=stored, consents=consents, places=places
    )
    checked = [(r, d) for r, d in zip(rows, drafts, strict=True) if not (overwrite and _file_version(r) is None)]
    expected = check_versions(store, [r for r, _ in checked], [d for _, d in checked], stored, lang=lang)
    claimed = {d.wijk for d in drafts if d.wijk}
    for slug in sorted(claimed):
        require(user, Permission.IMPORT, wijk=slug)
        ensure_wijk(store, catalogue, slug, wijken_dir)
    require(user, Permission.IMPORT)  # rows placed by location: checked per row where they lie (prepare_drafts)
    numbers = [r.number for r in rows]
    prepared = prepare_drafts(
        store, catalogue, drafts, user=user, row_numbers=numbers, memberships=places.areas(drafts)
    )
    skip = _duplicates_to_skip(store, prepared, stored, numbers, duplicates)  # "ask": stops here, nothing stored
    left_out = frozenset(d.id for k, d in enumerate(prepared) if k in skip and d.id)
    drafts = [d for k, d in enumerate(drafts) if k not in skip]
    prepared = [d for k, d in enumerate(prepared) if k not in skip]
    slugs = tuple(sorted({d.wijk or _home(catalogue, d, places) for d in drafts}))
    ties = _new_connections(store, Path(path), prepared, user=user, left_out=left_out)  # checked before storing
    lons, lats, found = [d.lon for d in prepared], [d.lat for d in prepared], places.areas(prepared)
    areas = areas_to_store(store, catalogue, lons, lats, memberships=found)
    batch = NewBatch(kind, source or Path(path).name, len(rows))
    written = store.import_many(prepared, by=by or user.username, expected_versions=expected, areas=areas, batch=batch)
    created, updated = written.created, written.updated
    linked = Register(store).add_many(ties, by=by or user.username) if ties else []
    photos = attach_photos(store, Path(path), rows, by=by or user.username) if kind != "file" else PhotoImport()
    return ImportResult(
        created=len(created),
        updated=len(updated),
        unchanged=len(drafts) - len(created) - len(updated),
        wijken=slugs,
        connections=len(linked),
        skipped=len(skip),
        batch=written.batch_id,
        photos=photos,
    )


def _batch_kind(rows: Sequence[io.RawRow]) -> str:
    """``kobo`` or ``odk`` for a recognised field-form export (its ``MARKER`` column), else ``file``."""
    kinds = {str(r.values.get(MARKER)) for r in rows if r.values.get(MARKER)}
    return kinds.pop() if len(kinds) == 1 and kinds <= {"kobo", "odk"} else "file"


def _with_import_versions(store: Store, rows: Sequence[io.RawRow], stored: Mapping[str, Asset]) -> list[io.RawRow]:
    """Field-form rows with the version the last import left their asset at, and without the marker.

    A KoboToolbox or ODK export carries no version: its submission id names
    the asset. Imported again, a submission may update the asset only while
    it is as the last import left it; an asset someone edited since is a
    stale row (:func:`check_versions`), and one no import wrote needs a version.
    """
    versions = store.last_import_versions(list(stored))
    out = []
    for row in rows:
        values = {k: v for k, v in row.values.items() if k != MARKER}
        asset_id = _row_id(values)
        if asset_id in versions and is_blank(values.get("version")):
            values["version"] = versions[asset_id]
        out.append(io.RawRow(row.number, values))
    return out


def _duplicates_to_skip(
    store: Store, prepared: Sequence[AssetDraft], stored: Mapping[str, Asset], rows: Sequence[int], choice: Duplicates
) -> frozenset[int]:
    """The indices of the new rows to leave out as suspected duplicates; with ``"ask"``, any stops the import.

    Rows that edit a stored asset (by ``id``) are not compared: they are that asset.
    """
    if choice == "keep":
        return frozenset()
    new = [k for k, d in enumerate(prepared) if not d.id or d.id not in stored]
    if not new:
        return frozenset()
    drafts = [prepared[k] for k in new]
    lons, lats = [d.lon for d in drafts], [d.lat for d in drafts]
    near = store.assets_near((min(lons), min(lats), max(lons), max(lats)), margin_m=RADIUS_M * 1.5)
    suspects = find_duplicates(drafts, near, rows=[rows[k] for k in new])
    if suspects and choice == "ask":
        raise DuplicatesFound(suspects)
    return frozenset(new[s.draft] for s in suspects)


def _new_connections(
    store: Store, path: Path, drafts: Sequence[AssetDraft], *, user: User, left_out: frozenset[str] = frozenset()
) -> list[ConnectionDraft]:
    """The connections that came with the file (:func:`abcd.connections.files.read_connections`), each checked.

    Their ends are the file's rows or live stored assets; a connection already
    stored (its id, or the same tie) is left as it is, so importing an export
    back adds nothing. A bad one names its row (the companion's line, or the
    layer's feature) and stops the import before anything is stored.
    """
    rows = read_connections(path)
    if not rows:
        return []
    named = {_stored_id(row.get(end)) for row in rows for end in ("from_id", "to_id")}
    stored = store.assets_by_id(sorted(i for i in named if i))  # only the assets the connections name
    categories = {key: asset.category for key, asset in stored.items() if not asset.is_deleted}
    categories.update({d.id: d.category for d in drafts if d.id})
    existing = Register(store).list_connections(categories)
    stored_ids = {c.id for c in existing}
    ties = {(c.from_id, c.to_id, c.kind.value) for c in existing}
    people = {i for i, c in categories.items() if c is Category.PERSON}
    out: list[ConnectionDraft] = []
    for number, row in enumerate(rows, start=2 if path.suffix.lower() != ".gpkg" else 1):
        if left_out and {_stored_id(row.get("from_id")), _stored_id(row.get("to_id"))} & left_out:
            continue  # an end is a row left out as a duplicate
        try:
            draft = validate_connection(row, categories)
            if draft.from_id in people or draft.to_id in people:
                require(user, Permission.VIEW_PEOPLE)
        except AbcdError as exc:
            raise ImportFileError("error.connection_row", row=number, message=exc) from exc
        tie = (draft.from_id, draft.to_id, draft.kind.value)
        if draft.id in stored_ids or tie in ties:
            continue
        ties.add(tie)
        out.append(draft)
    return out


def import_upload(
    store: Store,
    name: str,
    data: bytes,
    *,
    catalogue: Mapping[str, Wijk],
    wijken_dir: Path,
    default_wijk: str | None,
    user: User,
    max_bytes: int = io.MAX_FILE_BYTES,
    overwrite: bool = False,
    lang: str = "nl",
    duplicates: Duplicates = "ask",
    mapping: ImportMapping | None = None,
) -> ImportResult:
    """Import an uploaded file (its name and bytes) through a temporary file: all rows, or none."""
    with upload_path(name, data, max_bytes=max_bytes) as path:
        return import_assets(
            store,
            path,
            catalogue=catalogue,
            wijken_dir=wijken_dir,
            default_wijk=default_wijk,
            user=user,
            max_bytes=max_bytes,
            overwrite=overwrite,
            lang=lang,
            duplicates=duplicates,
            source=name,
            mapping=mapping,
        )


@contextmanager
def upload_path(name: str, data: bytes, *, max_bytes: int = io.MAX_FILE_BYTES) -> Iterator[Path]:
    """An uploaded file (its name and bytes) as a temporary file, removed after the block.

    The temporary file keeps only letters, digits, ``-``, ``_`` and ``.`` of
    the name (so messages name the user's file, and an upload cannot choose a
    path); the format and size are checked before anything is written.
    """
    import re
    import tempfile

    suffix = io.read_format(name)
    io.check_size(len(data), max_bytes=max_bytes)
    with tempfile.TemporaryDirectory(prefix="abcd-upload-") as folder:
        stem = re.sub(r"[^\w.-]", "_", Path(name).stem, flags=re.ASCII).strip("._")[:80] or "upload"
        path = Path(folder) / f"{stem}{suffix}"
        path.write_bytes(data)
        yield path


def export_frame(store: Store, *, wijk: str | None = None, include_personal: bool = False) -> gpd.GeoDataFrame:
    """The live, approved assets to export (those that lie in ``wijk``, when given).

    Without ``include_personal`` people and contact details are left out.
    With it, people come with their consent columns, so the file can be
    imported again (the consent travels with the person). An export of one
    wijk says so in a ``wijk`` column: imported back, each row is checked to
    still lie there.
    """
    items = [a for a in store.list_assets(wijk=wijk) if not a.is_pending]
    if not include_personal:
        return _with_wijk(assets_to_frame([a for a in items if not a.is_person]), wijk)
    frame = _with_wijk(assets_to_frame(items, include_private=True), wijk)
    consents = {a.id: store.consent(a.id) for a in items if a.is_person}
    for column in ("consent_date", "consent_recorded_by", "consent_purpose", "consent_text_version"):
        frame[column] = None
    frame["buurt"] = [a.buurt for a in items]
    frame["linked_asset_id"] = [a.linked_asset_id for a in items]
    for index, asset in enumerate(items):
        consent = consents.get(asset.id)
        if consent is not None:
            frame.loc[index, "consent_date"] = consent.date.isoformat()
            frame.loc[index, "consent_recorded_by"] = consent.recorded_by
            frame.loc[index, "consent_purpose"] = consent.purpose
            frame.loc[index, "consent_text_version"] = consent.text_version
    return frame


def _with_wijk(frame: gpd.GeoDataFrame, wijk: str | None) -> gpd.GeoDataFrame:
    if wijk is not None:
        frame.insert(list(frame.columns).index("description") + 1, "wijk", wijk)
    return frame


def export_bytes(store: Store, suffix: str, *, wijk: str | None = None, lang: str = "nl") -> bytes:
    """The export as bytes, for a download button (written through a temporary file)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"assets{suffix}"
        export_assets(store, path, wijk=wijk, lang=lang, photos=False)  # one file: no folder of photos
        return path.read_bytes()


def export_assets(
    store: Store,
    path: Path,
    *,
    wijk: str | None = None,
    lang: str = "nl",
    include_personal: bool = False,
    user: User = CLI_USER,
    photos: bool = True,
) -> int:
    """Write the live assets (of one wijk, or all) to ``path``; returns how many.

    The format follows the extension; ``.html`` is a standalone offline map.
    With ``include_personal`` the file, whatever its format, is readable by
    its owner only (mode 0600). With ``photos`` the exported assets' photos go
    in a folder beside a GeoPackage, GeoJSON or CSV file, named in a ``photos``
    column (:mod:`abcd.photos.files`).
    """
    path = Path(path)
    if include_personal:
        require(user, Permission.EXPORT_PERSONAL, wijk=wijk)
    frame = export_frame(store, wijk=wijk, include_personal=include_personal)
    html = None
    if path.suffix.lower() == ".html":
        from abcd import maps  # folium is only needed for the HTML map

        boundary = streets = None
        areas = []
        if wijk is not None:
            record = store.get_wijk(wijk)
            boundary = record.boundary
            streets = store.streets(wijk)
            areas = [(record.name, record.boundary)]  # the own background map, should there be no internet
        public = frame[frame["category"] != "person"]  # a shared map never shows residents as points
        # PDOK's background (the default), never OpenStreetMap's tile server: a file sends no Referer.
        the_map = maps.asset_map(public, boundary=boundary, streets=streets, lang=normalise_lang(lang), buurten=areas)
        html = maps.standalone_html(the_map)
    exported = set(frame["id"])
    ties = [c for c in Register(store).list_connections(exported) if c.from_id in exported and c.to_id in exported]
    layers = None
    if path.suffix.lower() == ".gpkg":
        points = dict(zip(frame["id"], zip(frame.geometry.x, frame.geometry.y, strict=True), strict=True))
        layers = {CONNECTIONS_LAYER: connections_layer(ties, points)}
    if photos and path.suffix.lower() in (".gpkg", ".geojson", ".csv"):
        from abcd.photos.files import with_photos  # Pillow only when photos are written

        frame = with_photos(store, frame, path, private=include_personal)
    sources = export_sources(frame, lang=lang)  # the licences travel with the data (abcd.licences)
    io.write_assets(frame, path, html=html, private=include_personal, layers=layers, sources=sources)
    if path.suffix.lower() in (".geojson", ".csv"):
        if ties:
            write_companion(ties, path, private=include_personal)
        else:  # an older export's companion would come back with this file's next import
            companion_path(path).unlink(missing_ok=True)
    return len(frame)
