"""Photos of assets: re-encoding without metadata, limits, storage, privacy, erasure, backups and export."""

from __future__ import annotations

import io
import json
import random
import stat
import struct
import zipfile
import zlib
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from PIL import Image

from abcd.assets import add_asset, delete_asset, erase_person, set_moderation
from abcd.backup import backup_database, restore_database
from abcd.errors import AbcdError, NotFoundError, ValidationError
from abcd.exchange import export_assets, import_assets
from abcd.model import Asset, Consent
from abcd.permissions import CLI_USER, PUBLIC_USER, PermissionDeniedError, Role, User
from abcd.photos.files import photo_folder
from abcd.photos.html import thumbnail_html
from abcd.photos.images import MAX_PHOTO_BYTES, MAX_SIDE, THUMB_SIDE, prepare_photo
from abcd.photos.register import (
    MAX_PHOTOS_PER_ASSET,
    add_photo,
    attach_photo,
    count_photos,
    delete_photo,
    get_photo,
    get_thumbnail,
    photo_for,
    photo_info,
    photos_of,
    remove_photo,
    visible_photos,
)
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, HOSTILE_NAME, PERSON_CONSENT, WIJKEN_DIR, make_draft

BUILDER = User("ans", Role.BUILDER, frozenset({BOTU}))
ELSEWHERE = User("piet", Role.BUILDER, frozenset({"wijk-charlois"}))
OFFICER = User("gemeente", Role.OFFICER)
COORDINATOR = User("coco", Role.COORDINATOR)
CONSENT = Consent(date=date(2026, 11, 1), recorded_by="ans", purpose="foto op de ABCD-kaart")
HOME = "Ans woont hier, Schiedamseweg 1"  # in the EXIF: must never be stored


# ------------------------------------------------------------------- images
def _pixels(width: int, height: int, seed: int = 1) -> Image.Image:
    """Noise no other test image has: its JPEG bytes are a marker to look for in the database file."""
    return Image.frombytes("RGB", (width, height), random.Random(seed).randbytes(width * height * 3))


def _exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010E] = HOME  # ImageDescription
    exif[0x010F] = "Phone Maker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (51.0, 54.0, 39.1234), "E", (4.0, 26.0, 28.5678)
    return exif


def _jpeg(image: Image.Image, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, **options)
    return out.getvalue()


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels and holds almost none: a decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_photo_with_exif_gps_is_stored_without_any_metadata() -> None:
    original = _jpeg(_pixels(800, 600), exif=_exif())
    assert b"Exif" in original and _open(original).getexif().get_ifd(0x8825)  # the phone's location is there
    photo = prepare_photo(original)
    for data in (photo.image, photo.thumbnail):
        stored = _open(data)
        assert stored.format == "JPEG" and not stored.getexif() and not stored.getexif().get_ifd(0x8825)
        assert b"Exif" not in data and HOME.encode() not in data and b"Phone Maker" not in data
        assert "icc_profile" not in stored.info and "xmp" not in stored.info


def test_the_exif_orientation_is_applied_and_the_photo_made_smaller() -> None:
    sideways = Image.new("RGB", (3200, 2000), "blue")
    sideways.paste((255, 0, 0), (0, 0, 1600, 2000))  # left half red
    photo = prepare_photo(_jpeg(sideways, exif=_exif(orientation=6)))  # 6: turn 90 degrees clockwise to view
    assert (photo.width, photo.height) == (1000, MAX_SIDE)  # upright: portrait
    upright = _open(photo.image)
    top, bottom = upright.getpixel((upright.width // 2, 100)), upright.getpixel((upright.width // 2, 1500))
    assert top[0] > 200 and top[2] < 60 and bottom[2] > 200 and bottom[0] < 60  # the red half is on top
    assert max(photo.thumb_width, photo.thumb_height) == THUMB_SIDE
    assert _open(photo.thumbnail).size == (photo.thumb_width, photo.thumb_height)


def test_a_small_photo_is_not_enlarged() -> None:
    photo = prepare_photo(_jpeg(_pixels(200, 100)))
    assert (photo.width, photo.height, photo.thumb_width, photo.thumb_height) == (200, 100, 200, 100)


def test_an_iphone_heic_photo_is_accepted_and_its_metadata_dropped() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    _pixels(640, 480).save(out, "HEIF", exif=_exif().tobytes(), quality=90)
    heic = out.getvalue()
    assert heic[4:12] == b"ftypheic" and HOME.encode() in heic
    photo = prepare_photo(heic)
    assert (photo.width, photo.height) == (640, 480)
    assert _open(photo.image).format == "JPEG" and HOME.encode() not in photo.image and b"Exif" not in photo.image


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "GIF"])
def test_png_webp_and_gif_become_jpeg(fmt: str) -> None:
    image = Image.new("RGBA", (300, 200), (0, 0, 0, 0))  # transparent: shown on white, not black
    image.paste((0, 128, 0, 255), (0, 0, 150, 200))
    out = io.BytesIO()
    if fmt == "GIF":  # animated: a red second frame that must not be the one stored
        image.save(out, fmt, save_all=True, append_images=[Image.new("RGBA", (300, 200), "red")])
    else:
        image.save(out, fmt)
    photo = prepare_photo(out.getvalue())
    stored = _open(photo.image)
    assert stored.format == "JPEG" and stored.mode == "RGB" and stored.size == (300, 200)
    assert min(stored.getpixel((250, 100))) > 230  # the transparent half is white
    assert stored.getpixel((50, 100))[1] > 100 and stored.getpixel((50, 100))[0] < 60  # the first frame, green


def test_a_16_bit_grey_png_keeps_its_greys() -> None:
    grey = Image.frombytes(
        "I;16", (100, 50), b"".join(struct.pack("<H", 0 if x < 50 else 32_768) for x in range(100)) * 50
    )
    assert grey.getpixel((90, 25)) == 32_768  # the right half mid-grey in 16 bits
    out = io.BytesIO()
    grey.save(out, "PNG")
    stored = _open(prepare_photo(out.getvalue()).image)
    assert stored.getpixel((10, 25))[0] < 10 and 118 < stored.getpixel((90, 25))[0] < 138  # not clipped to white


def test_a_file_over_the_size_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(AbcdError) as caught:
        prepare_photo(b"\xff\xd8" + b"\0" * MAX_PHOTO_BYTES)
    assert caught.value.key == "error.file_too_large" and "20 MB" in caught.value.message("en")
    assert "te groot" in str(caught.value)


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("foto.jpg", _jpeg(_pixels(50, 50)))
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"Dit is een tekstbestand, geen foto.\n",
        _jpeg(_pixels(400, 300))[:3000],  # cut off halfway
        _zip(),
        b"",
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",  # never reaches Ghostscript
        b"\x89PNG\r\n\x1a\n" + b"\0" * 40,
    ],
    ids=["text", "truncated-jpeg", "zip", "empty", "eps", "broken-png"],
)
def test_what_is_not_a_readable_photo_gets_one_clear_message(data: bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        prepare_photo(data)
    assert caught.value.key == "error.photo_unreadable"
    assert str(caught.value) == "Dit bestand is geen foto die abcd kan lezen (JPEG, PNG, WebP of HEIC)."
    assert "JPEG, PNG, WebP or HEIC" in caught.value.message("en")


@pytest.mark.parametrize("size", [(60_000, 60_000), (9_500, 9_000)], ids=["bomb", "over-our-limit"])
def test_a_header_that_declares_too_many_pixels_is_refused_before_decoding(size: tuple[int, int]) -> None:
    data = _png_header(*size)
    assert len(data) < 200
    with pytest.raises(ValidationError) as caught:
        prepare_photo(data)
    assert caught.value.key == "error.photo_too_many_pixels" and "80" in caught.value.message("en")


# ------------------------------------------------------------------- storage
def _add(store: Store, catalogue: dict[str, Wijk], name: str, category: str, user: User = CLI_USER) -> Asset:
    raw: dict[str, object] = {"name": name, "category": category, "lon": 4.4405, "lat": 51.9120, "wijk": BOTU}
    if category == "person":
        raw.update(PERSON_CONSENT)
    return add_asset(store, catalogue, raw, wijken_dir=WIJKEN_DIR, user=user)


@pytest.fixture
def garden(botu_store: Store, catalogue: dict[str, Wijk]) -> Asset:
    return _add(botu_store, catalogue, "Buurttuin", "place")


@pytest.fixture
def resident(botu_store: Store, catalogue: dict[str, Wijk]) -> Asset:
    return _add(botu_store, catalogue, "Fatima", "person")


def test_an_asset_keeps_several_photos_in_the_order_they_were_added(botu_store: Store, garden: Asset) -> None:
    added = [add_photo(botu_store, garden.id, _jpeg(_pixels(300, 200 + n, seed=n)), by="ans") for n in range(3)]
    other = _add_other(botu_store, garden)
    found = photos_of(botu_store, [garden.id, other.id])
    assert [p.id for p in found[garden.id]] == [p.id for p in added] and found[other.id] == []
    assert [p.height for p in found[garden.id]] == [200, 201, 202]
    assert found[garden.id][0].thumbnail == get_thumbnail(botu_store, added[0].id)
    assert _open(get_photo(botu_store, added[1].id)).size == (300, 201)
    assert photo_info(botu_store, added[2].id).created_by == "ans"
    assert (count_photos(botu_store), count_photos(botu_store, garden.id), count_photos(botu_store, other.id)) == (
        3,
        3,
        0,
    )
    assert not hasattr(found[garden.id][0], "image")  # lists never carry the full images


def _add_other(store: Store, near: Asset) -> Asset:
    return store.add(make_draft(name="Naaiclub", lon=near.lon, lat=near.lat), by="ans")


def test_a_photo_checked_before_the_asset_was_saved_is_stored_as_it_was_prepared(
    botu_store: Store, garden: Asset
) -> None:
    prepared = prepare_photo(_jpeg(_pixels(500, 400), exif=_exif()))
    photo = add_photo(botu_store, garden.id, prepared, by="ans")  # not encoded a second time
    assert (
        get_photo(botu_store, photo.id) == prepared.image and get_thumbnail(botu_store, photo.id) == prepared.thumbnail
    )


def test_a_photo_needs_a_live_asset(botu_store: Store, garden: Asset) -> None:
    with pytest.raises(NotFoundError) as caught:
        add_photo(botu_store, "00000000-0000-4000-8000-000000000099", _jpeg(_pixels(10, 10)), by="ans")
    assert caught.value.key == "error.not_found"
    delete_asset(botu_store, garden.id, expected_version=garden.version, user=BUILDER)
    with pytest.raises(NotFoundError) as caught:
        add_photo(botu_store, garden.id, _jpeg(_pixels(10, 10)), by="ans")
    assert caught.value.key == "error.deleted" and count_photos(botu_store) == 0


def test_a_photo_with_people_needs_their_consent(botu_store: Store, garden: Asset) -> None:
    with pytest.raises(ValidationError) as caught:
        add_photo(botu_store, garden.id, _jpeg(_pixels(10, 10)), by="ans", shows_people=True)
    assert caught.value.key == "error.photo_needs_consent" and "toestemming" in str(caught.value)
    assert "consent" in caught.value.message("en") and count_photos(botu_store) == 0
    with_people = add_photo(botu_store, garden.id, _jpeg(_pixels(10, 10)), by="ans", shows_people=True, consent=CONSENT)
    without = add_photo(botu_store, garden.id, _jpeg(_pixels(10, 10)), by="ans", consent=CONSENT)
    stored = {p.id: p for p in photos_of(botu_store, [garden.id])[garden.id]}
    assert stored[with_people.id].shows_people and stored[with_people.id].consent == CONSENT
    assert not stored[without.id].shows_people and stored[without.id].consent is None  # no people: nothing to consent


def test_an_asset_has_at_most_so_many_photos(botu_store: Store, garden: Asset) -> None:
    small = _jpeg(_pixels(8, 8))
    for _ in range(MAX_PHOTOS_PER_ASSET):
        add_photo(botu_store, garden.id, small, by="ans")
    with pytest.raises(ValidationError) as caught:
        add_photo(botu_store, garden.id, small, by="ans")
    assert caught.value.key == "error.too_many_photos" and count_photos(botu_store) == MAX_PHOTOS_PER_ASSET


def _database_bytes(store: Store) -> bytes:
    path = Path(str(store.engine.url.database))
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def _markers(jpeg: bytes) -> list[bytes]:
    """Pieces of a stored JPEG's compressed pixels (some of them lie whole within one database page)."""
    return [jpeg[k : k + 48] for k in range(len(jpeg) // 4, len(jpeg) - 48, max(len(jpeg) // 10, 1))]


def test_removing_a_photo_leaves_none_of_its_bytes_in_the_database_files(botu_store: Store, garden: Asset) -> None:
    photo = add_photo(botu_store, garden.id, _jpeg(_pixels(640, 480, seed=7)), by="ans")
    markers = _markers(get_photo(botu_store, photo.id)) + _markers(photo.thumbnail)
    assert any(m in _database_bytes(botu_store) for m in markers)
    assert delete_photo(botu_store, photo.id).id == photo.id
    data = _database_bytes(botu_store)
    assert not any(m in data for m in markers)
    with pytest.raises(NotFoundError) as caught:
        get_photo(botu_store, photo.id)
    assert caught.value.key == "error.photo_not_found"


# ------------------------------------------------------------------- privacy
def test_a_residents_photos_follow_the_residents_privacy_rules(
    botu_store: Store, catalogue: dict[str, Wijk], garden: Asset, resident: Asset
) -> None:
    of_garden = attach_photo(botu_store, garden.id, _jpeg(_pixels(20, 20)), user=BUILDER)
    of_resident = attach_photo(botu_store, resident.id, _jpeg(_pixels(20, 20)), user=BUILDER)
    both = [garden, resident]
    assert set(visible_photos(botu_store, both, user=BUILDER)) == {garden.id, resident.id}
    assert set(visible_photos(botu_store, both, user=COORDINATOR)) == {garden.id, resident.id}
    for user in (PUBLIC_USER, OFFICER, ELSEWHERE):  # a public map, an officer, a builder of another wijk
        shown = visible_photos(botu_store, both, user=user)
        assert set(shown) == {garden.id} and [p.id for p in shown[garden.id]] == [of_garden.id]
        with pytest.raises(NotFoundError):
            photo_for(botu_store, of_resident.id, user=user)
    assert photo_for(botu_store, of_garden.id, user=PUBLIC_USER) == get_photo(botu_store, of_garden.id)
    assert photo_for(botu_store, of_resident.id, user=BUILDER) == get_photo(botu_store, of_resident.id)
    for user in (OFFICER, ELSEWHERE, PUBLIC_USER):
        with pytest.raises(PermissionDeniedError):
            attach_photo(botu_store, resident.id, _jpeg(_pixels(20, 20)), user=user)
        with pytest.raises(PermissionDeniedError):
            remove_photo(botu_store, of_resident.id, user=user)
    assert count_photos(botu_store) == 2


def test_a_pending_or_deleted_assets_photos_are_not_public(
    botu_store: Store, catalogue: dict[str, Wijk], garden: Asset
) -> None:
    set_moderation(botu_store, BOTU, True, user=COORDINATOR)
    waiting = _add(botu_store, catalogue, "Nieuwe moestuin", "place", user=BUILDER)
    assert waiting.is_pending
    add_photo(botu_store, waiting.id, _jpeg(_pixels(20, 20)), by="ans")
    add_photo(botu_store, garden.id, _jpeg(_pixels(20, 20)), by="ans")
    assert set(visible_photos(botu_store, [garden, waiting], user=PUBLIC_USER)) == {garden.id}
    assert set(visible_photos(botu_store, [garden, waiting], user=BUILDER)) == {garden.id, waiting.id}
    gone = delete_asset(botu_store, garden.id, expected_version=garden.version, user=BUILDER)
    assert visible_photos(botu_store, [gone], user=COORDINATOR) == {}


def test_erasing_a_resident_erases_their_photos_from_the_database_files(
    botu_store: Store, garden: Asset, resident: Asset
) -> None:
    theirs = add_photo(botu_store, resident.id, _jpeg(_pixels(640, 480, seed=11)), by="ans")
    kept = add_photo(botu_store, garden.id, _jpeg(_pixels(64, 48, seed=12)), by="ans")
    markers = _markers(get_photo(botu_store, theirs.id)) + _markers(theirs.thumbnail)
    assert any(m in _database_bytes(botu_store) for m in markers)
    erase_person(botu_store, resident.id, user=COORDINATOR)
    assert not any(m in _database_bytes(botu_store) for m in markers)
    assert [p.id for p in photos_of(botu_store, [garden.id])[garden.id]] == [kept.id]
    assert count_photos(botu_store) == 1


def test_a_backup_holds_the_photos_and_a_restore_brings_them_back(
    botu_store: Store, garden: Asset, tmp_path: Path
) -> None:
    photo = add_photo(botu_store, garden.id, _jpeg(_pixels(120, 90)), by="ans")
    stored = get_photo(botu_store, photo.id)
    backup = backup_database(botu_store, tmp_path / "backup" / "abcd-backup.db")
    url = f"sqlite:///{tmp_path}/restored/abcd.db"
    restore_database(backup, url)
    restored = Store.open(url)
    assert get_photo(restored, photo.id) == stored
    assert [p.id for p in photos_of(restored, [garden.id])[garden.id]] == [photo.id]
    restored.close()


def test_the_thumbnail_html_escapes_the_alt_text(botu_store: Store, garden: Asset) -> None:
    photo = add_photo(botu_store, garden.id, _jpeg(_pixels(400, 300)), by="ans")
    html = thumbnail_html(photo, HOSTILE_NAME)
    assert html.startswith('<img src="data:image/jpeg;base64,/9j/') and 'width="320" height="240"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html


# -------------------------------------------------------------------- export
@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".csv"])
def test_an_export_carries_the_photos_in_a_folder_and_a_column(
    botu_store: Store, catalogue: dict[str, Wijk], garden: Asset, resident: Asset, tmp_path: Path, suffix: str
) -> None:
    first = add_photo(botu_store, garden.id, _jpeg(_pixels(120, 90, seed=1)), by="ans")
    second = add_photo(botu_store, garden.id, _jpeg(_pixels(90, 120, seed=2)), by="ans")
    add_photo(botu_store, resident.id, _jpeg(_pixels(60, 60, seed=3)), by="ans")
    out = tmp_path / "export" / f"botu{suffix}"
    export_assets(botu_store, out, wijk=BOTU)
    rows = _rows(out)
    cell = rows.loc[rows["id"] == garden.id, "photos"].item()
    assert cell == f"botu_fotos/{garden.id}_1.jpg;botu_fotos/{garden.id}_2.jpg"
    assert [(out.parent / p).read_bytes() for p in cell.split(";")] == [
        get_photo(botu_store, first.id),
        get_photo(botu_store, second.id),
    ]
    folder = photo_folder(out)
    assert resident.id not in set(rows["id"]) and sorted(p.name for p in folder.iterdir()) == [
        f"{garden.id}_1.jpg",
        f"{garden.id}_2.jpg",
    ]  # a public export: no resident, and none of their photos

    export_assets(botu_store, out, wijk=BOTU, include_personal=True)
    assert rows_photo(out, resident.id) == f"botu_fotos/{resident.id}_1.jpg"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / f"{resident.id}_1.jpg").stat().st_mode) == 0o600

    (folder / "notities.txt").write_text("van de gebruiker", encoding="utf-8")
    export_assets(botu_store, out, wijk=BOTU)  # public again: the resident's photo leaves the folder
    assert not (folder / f"{resident.id}_1.jpg").exists() and (folder / "notities.txt").exists()

    fresh = Store.open(f"sqlite:///{tmp_path}/fresh.db")  # an export imports back: the column is ignored
    fresh.save_wijk(catalogue[BOTU].record(), botu_store.streets(BOTU))
    result = import_assets(fresh, out, catalogue=catalogue, user=CLI_USER, wijken_dir=WIJKEN_DIR)
    assert result.created == 1 and count_photos(fresh) == 0
    fresh.close()


def _rows(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    if path.suffix == ".geojson":
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        return pd.DataFrame([f["properties"] for f in features])
    return pd.DataFrame(gpd.read_file(path, layer="assets").drop(columns="geometry"))


def rows_photo(path: Path, asset_id: str) -> str:
    rows = _rows(path)
    return str(rows.loc[rows["id"] == asset_id, "photos"].item())


def test_an_export_without_photos_has_no_photos_column_or_folder(
    botu_store: Store, garden: Asset, tmp_path: Path
) -> None:
    photo = add_photo(botu_store, garden.id, _jpeg(_pixels(40, 30)), by="ans")
    out = tmp_path / "botu.csv"
    export_assets(botu_store, out, wijk=BOTU)
    assert photo_folder(out).is_dir()
    delete_photo(botu_store, photo.id)
    export_assets(botu_store, out, wijk=BOTU)
    assert "photos" not in _rows(out).columns and not photo_folder(out).exists()  # the old folder went too
    add_photo(botu_store, garden.id, _jpeg(_pixels(40, 30)), by="ans")
    export_assets(botu_store, tmp_path / "botu.html", wijk=BOTU)
    assert not photo_folder(tmp_path / "botu.html").exists()  # the offline map is one file


def test_an_import_of_a_row_with_a_photos_column_refuses_nothing(
    botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    path = tmp_path / "nieuw.csv"
    path.write_text(
        "name,category,lat,lon,photos\r\nMoestuin,place,51.9107,4.4413,nieuw_fotos/x_1.jpg;nieuw_fotos/x_2.jpg\r\n",
        encoding="utf-8",
    )
    result = import_assets(botu_store, path, catalogue=catalogue, user=CLI_USER, wijken_dir=WIJKEN_DIR)
    assert result.created == 1 and count_photos(botu_store) == 0


# ------------------------------------------------------------------ PostgreSQL
def test_photos_are_stored_read_and_erased_on_postgres(botu: Wijk) -> None:
    from tests.postgres_support import temporary_postgres

    with temporary_postgres() as url:
        store = Store.open(url)
        store.save_wijk(botu.record())
        garden = store.add(make_draft(name="Buurttuin", category="place"), by="ans")
        first = add_photo(store, garden.id, _jpeg(_pixels(120, 90)), by="ans", shows_people=True, consent=CONSENT)
        second = add_photo(store, garden.id, _jpeg(_pixels(60, 40)), by="ans")
        found = photos_of(store, [garden.id])[garden.id]
        assert [p.id for p in found] == [first.id, second.id] and found[0].consent == CONSENT
        assert _open(get_photo(store, second.id)).size == (60, 40)
        delete_photo(store, second.id)  # VACUUM FULL of the photos table
        store.erase(garden.id, by="coco")
        assert count_photos(store) == 0
        store.close()
