"""Import and export of assets: every row validated first, then one transaction.

``import_assets`` reads a file (:mod:`abcd.io`), validates every row against
the model and the wijk it claims to lie in, and only then stores all rows
at once. One bad row means nothing is stored, and the error names the row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd

from abcd import io
from abcd.assets import prepare_drafts
from abcd.errors import AbcdError, ImportFileError
from abcd.i18n import Term, normalise_lang
from abcd.model import AssetDraft, Source, validate_asset
from abcd.permissions import CLI_USER, Permission, User, require
from abcd.store import Store, assets_to_frame
from abcd.wijken import Wijk, check_in_wijk, ensure_wijk, find_wijk


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did: how many assets were created and updated, in which wijken."""

    created: int
    updated: int
    unchanged: int  # rows matching a stored asset that they would not change, or a deleted one
    wijken: tuple[str, ...]


def drafts_from_rows(rows: list[io.RawRow], *, default_wijk: str, catalogue: dict[str, Wijk]) -> list[AssetDraft]:
    """Validate raw rows into drafts; the first bad row raises, naming its number.

    ``default_wijk`` applies to rows without a ``wijk`` value. A point must lie
    in its wijk (within the boundary tolerance).
    """
    drafts: list[AssetDraft] = []
    seen_ids: set[str] = set()
    for row in rows:
        try:
            values = dict(row.values)
            if "_geometry_error" in values:
                reason = values.pop("_geometry_error")
                if reason:
                    raise ImportFileError("error.geometry_invalid", field=Term("field.geometry"), reason=reason)
                raise ImportFileError("error.geometry_empty", field=Term("field.geometry"))
            wijk = find_wijk(catalogue, str(values.get("wijk") or default_wijk))
            values["wijk"] = wijk.slug
            draft = validate_asset(values, default_source=Source.IMPORT)
            check_in_wijk(catalogue, wijk, draft.lon, draft.lat)
            if draft.id:
                if draft.id in seen_ids:
                    raise ImportFileError("error.duplicate_id", value=draft.id)
                seen_ids.add(draft.id)
        except AbcdError as exc:
            raise ImportFileError("error.row", row=row.number, message=exc) from exc
        drafts.append(draft)
    return drafts


def import_assets(
    store: Store,
    path: Path,
    *,
    catalogue: dict[str, Wijk],
    wijken_dir: Path,
    default_wijk: str,
    by: str | None = None,
    user: User = CLI_USER,
    max_bytes: int = io.MAX_FILE_BYTES,
) -> ImportResult:
    """Import an asset file into the store: all rows, or none.

    Rows whose ``id`` already exists update that asset (so importing an export
    back does not duplicate anything); other rows become new assets. ``user``
    must be allowed to edit assets in every wijk of the file (the command line
    acts as the local administrator); people are placed by the people rules of
    :func:`abcd.assets.place_person` and need their consent columns.
    """
    rows = io.read_rows(Path(path), max_bytes=max_bytes)
    drafts = _keep_contacts(store, rows, drafts_from_rows(rows, default_wijk=default_wijk, catalogue=catalogue))
    slugs = tuple(sorted({d.wijk for d in drafts}))
    for slug in slugs:
        require(user, Permission.IMPORT, wijk=slug)
        ensure_wijk(store, catalogue, slug, wijken_dir)
    prepared = prepare_drafts(store, catalogue, drafts, user=user, row_numbers=[r.number for r in rows])
    created, updated = store.upsert_many(prepared, by=by or user.username)
    return ImportResult(
        created=len(created),
        updated=len(updated),
        unchanged=len(drafts) - len(created) - len(updated),
        wijken=slugs,
    )


def import_upload(
    store: Store,
    name: str,
    data: bytes,
    *,
    catalogue: dict[str, Wijk],
    wijken_dir: Path,
    default_wijk: str,
    user: User,
    max_bytes: int = io.MAX_FILE_BYTES,
) -> ImportResult:
    """Import an uploaded file (its name and bytes) through a temporary file: all rows, or none.

    The temporary file keeps only letters, digits, ``-``, ``_`` and ``.`` of
    the name (so messages name the user's file, and an upload cannot choose a
    path), and the size is checked before anything is written.
    """
    import re
    import tempfile

    suffix = io.read_format(name)
    io.check_size(len(data), max_bytes=max_bytes)
    with tempfile.TemporaryDirectory(prefix="abcd-upload-") as folder:
        stem = re.sub(r"[^\w.-]", "_", Path(name).stem, flags=re.ASCII).strip("._")[:80] or "upload"
        path = Path(folder) / f"{stem}{suffix}"
        path.write_bytes(data)
        return import_assets(
            store,
            path,
            catalogue=catalogue,
            wijken_dir=wijken_dir,
            default_wijk=default_wijk,
            user=user,
            max_bytes=max_bytes,
        )


def _keep_contacts(store: Store, rows: list[io.RawRow], drafts: list[AssetDraft]) -> list[AssetDraft]:
    """Keep the stored private contact of updated assets when the file has no ``contact`` column.

    Exports leave contact details out, so re-importing one must not erase them;
    an empty ``contact`` cell in a file that has the column still clears it.
    """
    if not any(d.id and "contact" not in r.values for r, d in zip(rows, drafts, strict=True)):
        return drafts
    contacts = {a.id: a.contact for a in store.list_assets(include_deleted=True) if a.contact}
    return [
        replace(d, contact=contacts[d.id]) if d.id in contacts and "contact" not in r.values else d
        for r, d in zip(rows, drafts, strict=True)
    ]


def export_frame(store: Store, *, wijk: str | None = None, include_personal: bool = False) -> gpd.GeoDataFrame:
    """The live, approved assets to export.

    Without ``include_personal`` people and contact details are left out.
    With it, people come with their consent columns, so the file can be
    imported again (the consent travels with the person).
    """
    items = [a for a in store.list_assets(wijk=wijk) if not a.is_pending]
    if not include_personal:
        return assets_to_frame([a for a in items if not a.is_person])
    frame = assets_to_frame(items, include_private=True)
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


def export_bytes(store: Store, suffix: str, *, wijk: str | None = None, lang: str = "nl") -> bytes:
    """The export as bytes, for a download button (written through a temporary file)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"assets{suffix}"
        export_assets(store, path, wijk=wijk, lang=lang)
        return path.read_bytes()


def export_assets(
    store: Store,
    path: Path,
    *,
    wijk: str | None = None,
    lang: str = "nl",
    include_personal: bool = False,
    user: User = CLI_USER,
) -> int:
    """Write the live assets (of one wijk, or all) to ``path``; returns how many.

    The format follows the extension; ``.html`` is a standalone offline map.
    With ``include_personal`` the file, whatever its format, is readable by
    its owner only (mode 0600).
    """
    path = Path(path)
    if include_personal:
        require(user, Permission.EXPORT_PERSONAL, wijk=wijk)
    frame = export_frame(store, wijk=wijk, include_personal=include_personal)
    html = None
    if path.suffix.lower() == ".html":
        from abcd import maps  # folium is only needed for the HTML map

        boundary = streets = None
        if wijk is not None:
            boundary = store.get_wijk(wijk).boundary
            streets = store.streets(wijk)
        public = frame[frame["category"] != "person"]  # a shared map never shows residents as points
        the_map = maps.asset_map(public, boundary=boundary, streets=streets, lang=normalise_lang(lang))
        html = maps.standalone_html(the_map)
    io.write_assets(frame, path, html=html, private=include_personal)  # personal data: readable by its owner only
    return len(frame)
