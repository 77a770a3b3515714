"""Photos stored beside their asset, and who may see, add and remove them.

A photo is stored as :func:`~abcd.photos.images.prepare_photo` made it (a
JPEG without metadata and a thumbnail); the bytes that arrived never are.
An asset has any number of photos, up to :data:`MAX_PHOTOS_PER_ASSET`, in
the order they were added. A photo is personal data, so nothing of it is
kept once it goes: :func:`delete_photo` removes it for good and compacts the
database (as a resident's erasure does), and erasing an asset for good
(:meth:`abcd.store.Store.erase`) erases its photos with it.

A photo with recognisable people needs the same consent as a resident
(date, who recorded it, purpose; a parent's for a child under 16). The
photos of a resident (a ``person`` asset) follow the resident's privacy
rules: only someone who may see residents where that resident is counted
(:data:`~abcd.permissions.Permission.VIEW_PEOPLE`) ever gets them, so a
public map, the presentation and an officer's view never do
(:func:`may_see_photos`).

The functions taking ``by`` are the storage; those taking ``user``
(:func:`attach_photo`, :func:`remove_photo`, :func:`visible_photos`,
:func:`photo_for`) check the user's rights first, for the pages and the
command line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import Connection, RowMapping, delete, func, insert, select

from abcd import schema
from abcd.assets import require_on
from abcd.errors import NotFoundError, ValidationError
from abcd.model import Asset, Consent, new_asset_id
from abcd.permissions import Permission, User
from abcd.photos.images import PreparedPhoto, prepare_photo
from abcd.records import iso_utc, utcnow
from abcd.store import ASSETS, Store

MAX_PHOTOS_PER_ASSET: Final = 24
"""Photos one asset may have: enough for a place through the seasons, not a whole camera roll."""


@dataclass(frozen=True, slots=True)
class Photo:
    """A stored photo's description: whose it is, its size, whether it shows people and with whose consent."""

    id: str
    asset_id: str
    width: int
    height: int
    thumb_width: int
    thumb_height: int
    content_type: str
    shows_people: bool
    consent: Consent | None  # recorded when the photo shows recognisable people
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PhotoInfo(Photo):
    """A photo's description with its thumbnail (a small JPEG): what a popup, a list or a page shows."""

    thumbnail: bytes = field(default=b"", repr=False)


# Every column but the full image: what lists of photos read.
_INFO_COLUMNS = [c for c in schema.photos.c if c.name != "image"]


# ------------------------------------------------------------------ storage
def add_photo(
    store: Store,
    asset_id: str,
    data: bytes | PreparedPhoto,
    *,
    by: str,
    shows_people: bool = False,
    consent: Consent | None = None,
) -> PhotoInfo:
    """Attach the photo in ``data`` (the file's bytes, as they arrived, or already prepared) to a live asset.

    The photo is re-encoded first (:func:`~abcd.photos.images.prepare_photo`:
    refused when it is too large or not a photo), outside the writing
    transaction. A photo that ``shows_people`` is refused without their
    ``consent``; a consent given for a photo without people is not stored.
    """
    if shows_people and consent is None:
        raise ValidationError("error.photo_needs_consent")
    prepared = data if isinstance(data, PreparedPhoto) else prepare_photo(data)
    photo = PhotoInfo(
        id=new_asset_id(),
        asset_id=str(asset_id).strip(),
        width=prepared.width,
        height=prepared.height,
        thumb_width=prepared.thumb_width,
        thumb_height=prepared.thumb_height,
        content_type=prepared.content_type,
        shows_people=shows_people,
        consent=consent if shows_people else None,
        created_by=by,
        created_at=utcnow(),
        thumbnail=prepared.thumbnail,
    )
    with store.db.write() as conn:
        _check_live(conn, photo.asset_id)
        count = conn.execute(
            select(func.count()).select_from(schema.photos).where(schema.photos.c.asset_id == photo.asset_id)
        ).scalar_one()
        if count >= MAX_PHOTOS_PER_ASSET:
            raise ValidationError("error.too_many_photos", max=MAX_PHOTOS_PER_ASSET)
        conn.execute(insert(schema.photos).values(image=prepared.image, **_row(photo)))
    return photo


def photos_of(store: Store, asset_ids: Iterable[str]) -> dict[str, list[PhotoInfo]]:
    """The photos of each asset (descriptions and thumbnails, never the full images), oldest first.

    Every asset asked for is a key; one without photos has an empty list.
    """
    wanted = sorted({str(i) for i in asset_ids})
    found: dict[str, list[PhotoInfo]] = {i: [] for i in wanted}
    table = schema.photos
    with store.db.read() as conn:
        for start in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
            rows = conn.execute(
                select(*_INFO_COLUMNS)
                .where(table.c.asset_id.in_(wanted[start : start + 500]))
                .order_by(table.c.created_at, table.c.id)
            ).mappings()
            for row in rows:
                found[row["asset_id"]].append(_from_row(row))
    return found


def photos_version(store: Store) -> str:
    """Changes whenever a photo is added or removed: a cache key for pages that show photos."""
    table = schema.photos
    with store.db.read() as conn:
        count, newest = conn.execute(select(func.count(), func.max(table.c.created_at))).one()
    return f"{count}:{newest or ''}"


def photo_info(store: Store, photo_id: str) -> PhotoInfo:
    """The description and thumbnail of one photo; :class:`~abcd.errors.NotFoundError` for an unknown id."""
    with store.db.read() as conn:
        row = conn.execute(select(*_INFO_COLUMNS).where(schema.photos.c.id == str(photo_id).strip())).mappings().first()
    if row is None:
        raise NotFoundError("error.photo_not_found", value=photo_id)
    return _from_row(row)


def get_photo(store: Store, photo_id: str) -> bytes:
    """The stored JPEG of a photo (at most 1600 pixels long, without metadata)."""
    return _bytes_of(store, photo_id, schema.photos.c.image)


def get_thumbnail(store: Store, photo_id: str) -> bytes:
    """The stored thumbnail JPEG of a photo (at most 320 pixels long)."""
    return _bytes_of(store, photo_id, schema.photos.c.thumbnail)


def delete_photo(store: Store, photo_id: str) -> Photo:
    """Remove a photo for good and compact the database, so its bytes are gone from the files; returns it.

    There is no undo: a photo is personal data, and one that was removed on
    request must not linger (the same as a resident's erasure).
    """
    gone = photo_info(store, photo_id)
    with store.db.write() as conn:
        conn.execute(delete(schema.photos).where(schema.photos.c.id == gone.id))
    store.db.compact((schema.photos,))
    return gone


def count_photos(store: Store, asset_id: str | None = None) -> int:
    """How many photos are stored (of ``asset_id``, when given)."""
    query = select(func.count()).select_from(schema.photos)
    if asset_id is not None:
        query = query.where(schema.photos.c.asset_id == asset_id)
    with store.db.read() as conn:
        return int(conn.execute(query).scalar_one())


# ---------------------------------------------------------------- use cases
def may_see_photos(user: User, asset: Asset, areas: Iterable[str]) -> bool:
    """Whether ``user`` may see the photos of ``asset``, which lies in ``areas``: where they may see the asset.

    A resident's photos only for someone who may see residents there (a
    public map never gets them), a pending asset's only for someone who may
    see pending assets there, a deleted asset's for nobody.
    """
    if asset.is_deleted:
        return False
    areas = list(areas)
    if asset.is_person and not user.can_in(Permission.VIEW_PEOPLE, areas):
        return False
    return not (asset.is_pending and not user.can_in(Permission.VIEW_PENDING, areas))


def visible_photos(store: Store, assets: Sequence[Asset], *, user: User) -> dict[str, list[PhotoInfo]]:
    """The photos of ``assets`` (those a page shows) that ``user`` may see (:func:`may_see_photos`).

    Every live asset ``user`` may see the photos of is a key (possibly with
    an empty list); the others are left out.
    """
    shown = {a.id: a for a in assets if not a.is_deleted}
    areas = store.areas_of(shown)
    allowed = [i for i, a in shown.items() if may_see_photos(user, a, areas[i])]
    return photos_of(store, allowed)


def attach_photo(
    store: Store,
    asset_id: str,
    data: bytes | PreparedPhoto,
    *,
    user: User,
    shows_people: bool = False,
    consent: Consent | None = None,
) -> PhotoInfo:
    """Attach a photo to an asset for ``user``: someone who may edit assets where it lies (and see a resident)."""
    asset = store.get(str(asset_id).strip())
    require_on(store, user, asset, Permission.EDIT_ASSETS)
    return add_photo(store, asset.id, data, by=user.username, shows_people=shows_people, consent=consent)


def remove_photo(store: Store, photo_id: str, *, user: User) -> Photo:
    """Remove a photo for good for ``user``: the same rights as adding one to its asset."""
    photo = photo_info(store, photo_id)
    require_on(store, user, store.get(photo.asset_id), Permission.EDIT_ASSETS)
    return delete_photo(store, photo.id)


def photo_for(store: Store, photo_id: str, *, user: User) -> bytes:
    """The stored JPEG of a photo, for a ``user`` who may see it; to anyone else it does not exist."""
    photo = photo_info(store, photo_id)
    asset = store.get(photo.asset_id)
    if not may_see_photos(user, asset, store.areas_of([asset.id])[asset.id]):
        raise NotFoundError("error.photo_not_found", value=photo_id)
    return get_photo(store, photo.id)


# ------------------------------------------------------------------- helpers
def _check_live(conn: Connection, asset_id: str) -> None:
    """The asset exists and is not deleted (checked in the writing transaction)."""
    if ASSETS.get(conn, asset_id).is_deleted:
        raise NotFoundError("error.deleted", value=asset_id)


def _bytes_of(store: Store, photo_id: str, column: Any) -> bytes:
    with store.db.read() as conn:
        value = conn.execute(select(column).where(schema.photos.c.id == str(photo_id).strip())).scalar_one_or_none()
    if value is None:
        raise NotFoundError("error.photo_not_found", value=photo_id)
    return bytes(value)


def _row(photo: PhotoInfo) -> dict[str, Any]:
    consent = photo.consent
    return {
        "id": photo.id,
        "asset_id": photo.asset_id,
        "thumbnail": photo.thumbnail,
        "content_type": photo.content_type,
        "width": photo.width,
        "height": photo.height,
        "thumb_width": photo.thumb_width,
        "thumb_height": photo.thumb_height,
        "shows_people": photo.shows_people,
        "consent_date": consent.date.isoformat() if consent else None,
        "consent_recorded_by": consent.recorded_by if consent else None,
        "consent_purpose": consent.purpose if consent else None,
        "consent_text_version": consent.text_version if consent else None,
        "consent_under_16": consent.under_16 if consent else None,
        "consent_parent_consent": consent.parent_consent if consent else None,
        "created_by": photo.created_by,
        "created_at": iso_utc(photo.created_at),
    }


def _from_row(row: RowMapping | Mapping[str, Any]) -> PhotoInfo:
    consent = None
    if row["consent_date"] is not None:
        consent = Consent(
            date=date.fromisoformat(row["consent_date"]),
            recorded_by=row["consent_recorded_by"],
            purpose=row["consent_purpose"],
            text_version=row["consent_text_version"],
            under_16=bool(row["consent_under_16"]),
            parent_consent=bool(row["consent_parent_consent"]),
        )
    return PhotoInfo(
        id=row["id"],
        asset_id=row["asset_id"],
        width=row["width"],
        height=row["height"],
        thumb_width=row["thumb_width"],
        thumb_height=row["thumb_height"],
        content_type=row["content_type"],
        shows_people=bool(row["shows_people"]),
        consent=consent,
        created_by=row["created_by"],
        created_at=datetime.fromisoformat(row["created_at"]),
        thumbnail=bytes(row["thumbnail"]),
    )


__all__ = [
    "MAX_PHOTOS_PER_ASSET",
    "Photo",
    "PhotoInfo",
    "add_photo",
    "attach_photo",
    "count_photos",
    "delete_photo",
    "get_photo",
    "get_thumbnail",
    "may_see_photos",
    "photo_for",
    "photo_info",
    "photos_of",
    "photos_version",
    "remove_photo",
    "visible_photos",
]
