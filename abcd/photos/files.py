"""Photos beside an export: a folder of JPEGs and a ``photos`` column that names them.

``abcd export wijk.gpkg`` (or ``.geojson``, ``.csv``) writes the photos of
the exported assets into ``wijk_fotos/`` beside the file, as
``<asset id>_<n>.jpg`` in the order they were added, and gives each row a
``photos`` column with their relative paths separated by ``;``
(``wijk_fotos/<id>_1.jpg;wijk_fotos/<id>_2.jpg``). QGIS's attachment widget
and a spreadsheet both open relative paths; keep the folder beside the file.

Only the exported assets' photos are written, so a resident's photos are
only in an export that holds residents (``--include-personal``); such a
folder is readable by its owner only. Photos a previous export wrote to the
same folder and this one does not hold (an erased resident's) are removed;
other files in the folder are left alone. An import ignores the column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Final

import geopandas as gpd

from abcd import io
from abcd.photos.register import get_photo, photos_of
from abcd.store import Store

COLUMN: Final = "photos"
FOLDER_SUFFIX: Final = "_fotos"
SEPARATOR: Final = ";"
_WRITTEN = re.compile(r"[0-9A-Za-z_-]+_\d+\.jpg")  # the names this module writes


def photo_folder(path: Path) -> Path:
    """``wijk.gpkg`` -> ``wijk_fotos``: where an export keeps its photos.

    >>> photo_folder(Path("export/wijk.gpkg")).as_posix()
    'export/wijk_fotos'
    """
    path = Path(path)
    return path.with_name(path.stem + FOLDER_SUFFIX)


def write_photos(store: Store, asset_ids: Iterable[str], path: Path, *, private: bool = False) -> dict[str, str]:
    """Write the photos of ``asset_ids`` beside the export at ``path``; per asset with photos, its cell.

    The cell holds the photos' paths relative to the export's folder,
    separated by ``;``. ``private`` makes the folder and the photos readable
    by their owner only.
    """
    folder = photo_folder(path)
    cells: dict[str, str] = {}
    written: set[str] = set()
    for asset_id, photos in photos_of(store, asset_ids).items():
        names = [f"{_safe(asset_id)}_{n}.jpg" for n in range(1, len(photos) + 1)]
        for name, photo in zip(names, photos, strict=True):
            if not written:
                folder.mkdir(parents=True, exist_ok=True)
                if private:
                    folder.chmod(0o700)
            with io.atomic_path(folder / name, private=private) as tmp:
                tmp.write_bytes(get_photo(store, photo.id))
            written.add(name)
        if names:
            cells[asset_id] = SEPARATOR.join(f"{folder.name}/{name}" for name in names)
    _remove_stale(folder, keep=written)
    return cells


def with_photos(store: Store, frame: gpd.GeoDataFrame, path: Path, *, private: bool = False) -> gpd.GeoDataFrame:
    """``frame`` (an export, with an ``id`` column) with its photos written beside ``path`` and named in ``photos``.

    The column is only added when an exported asset has photos, so an export
    without any is the same as before photos existed.
    """
    cells = write_photos(store, frame["id"], path, private=private)
    if not cells:
        return frame
    out = frame.copy()
    out[COLUMN] = [cells.get(asset_id) for asset_id in frame["id"]]
    return out


def _safe(asset_id: str) -> str:
    """An asset id as part of a file name (ids are UUIDs; anything else cannot name another folder)."""
    return re.sub(r"[^0-9A-Za-z-]", "_", asset_id)


def _remove_stale(folder: Path, *, keep: set[str]) -> None:
    """Remove photos an earlier export wrote here that this one does not hold; the folder too, once empty."""
    if not folder.is_dir():
        return
    for file in folder.iterdir():
        if file.is_file() and _WRITTEN.fullmatch(file.name) and file.name not in keep:
            file.unlink()
    if not keep and not any(folder.iterdir()):
        folder.rmdir()


__all__ = ["COLUMN", "FOLDER_SUFFIX", "SEPARATOR", "photo_folder", "with_photos", "write_photos"]
