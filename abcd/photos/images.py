"""A photo as it arrives from a phone, made into what ``abcd`` stores: a clean JPEG and a thumbnail.

Only the pixels travel: the photo is decoded, turned upright by its EXIF
orientation, converted to sRGB, made smaller and encoded as a new JPEG that
carries no EXIF, GPS, XMP, maker notes or colour profile. A phone photo's
location is personal data (it is often a home), so the bytes that arrived
are never stored.

The decoders are the ones a phone's camera or gallery needs: JPEG (also
multi-picture MPO), PNG, WebP, GIF (its first frame) and HEIC/HEIF, the
iPhone's own format (through ``pillow-heif``). Nothing else is tried, so a
file of any other kind never reaches a decoder (Pillow's EPS plugin would
start Ghostscript). Limits are checked before the pixels are decoded: the
file's size, and the pixel count its header declares (a 60,000 by 60,000
PNG is a few kilobytes and 10 GB once decoded).

>>> import io
>>> from PIL import Image
>>> phone = io.BytesIO()
>>> Image.new("RGB", (4000, 3000), "teal").save(phone, "PNG")
>>> photo = prepare_photo(phone.getvalue())
>>> (photo.width, photo.height), (photo.thumb_width, photo.thumb_height), photo.image[:2]
((1600, 1200), (320, 240), b'\\xff\\xd8')
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from functools import cache
from typing import Final

from PIL import Image, ImageCms, ImageOps

from abcd.errors import ValidationError
from abcd.limits import check_size

MAX_PHOTO_BYTES: Final = 20 * 1024 * 1024
"""At most 20 MB (MiB) per photo file: a 48-megapixel iPhone HEIC is about 5 MB, a JPEG of it 12 MB."""
MAX_PHOTO_PIXELS: Final = 80_000_000
"""Pixels a photo's header may declare: a 48-megapixel phone photo fits; decoded, 80 million are 240 MB."""
MAX_SIDE: Final = 1600
"""Long side of the stored photo, in pixels: sharp on a phone and in a presentation, about 300 kB."""
THUMB_SIDE: Final = 320
"""Long side of the thumbnail, in pixels: a popup and a list row."""
QUALITY: Final = 82
THUMB_QUALITY: Final = 75
CONTENT_TYPE: Final = "image/jpeg"
FORMATS: Final = ("JPEG", "PNG", "WEBP", "GIF", "HEIF")
"""The decoders a photo may reach (Pillow's names; JPEG opens MPO too, HEIF opens HEIC)."""

# What a decoder raises on a file that is not what its first bytes claim (truncated, corrupt, hostile).
_UNREADABLE = (OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError, struct.error)


@dataclass(frozen=True, slots=True)
class PreparedPhoto:
    """A photo as ``abcd`` stores it: a JPEG without metadata and its thumbnail, with their sizes."""

    image: bytes = field(repr=False)
    width: int
    height: int
    thumbnail: bytes = field(repr=False)
    thumb_width: int
    thumb_height: int
    content_type: str = CONTENT_TYPE


@cache
def _register_heif() -> None:
    """Teach Pillow to open HEIC/HEIF, once per process (importing ``pillow_heif`` is slow)."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def prepare_photo(data: bytes) -> PreparedPhoto:
    """Re-encode a photo's bytes: upright, sRGB, at most :data:`MAX_SIDE` pixels long, without metadata.

    Refuses a file larger than :data:`MAX_PHOTO_BYTES`, one whose header
    declares more than :data:`MAX_PHOTO_PIXELS` pixels, and anything that is
    not a readable JPEG, PNG, WebP, GIF or HEIC image, each with a message
    that says so (:class:`~abcd.errors.AbcdError`).
    """
    check_size(len(data), max_bytes=MAX_PHOTO_BYTES)
    _register_heif()
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as opened:
            if opened.width * opened.height > MAX_PHOTO_PIXELS:
                raise _too_many_pixels()
            if opened.format in ("JPEG", "MPO"):
                # Decode a large JPEG at 1/2, 1/4 or 1/8 scale straight away (never below MAX_SIDE).
                opened.draft("RGB", (MAX_SIDE, MAX_SIDE))
            picture = _srgb(ImageOps.exif_transpose(opened))  # decodes the (first) frame
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except _UNREADABLE:
        raise ValidationError("error.photo_unreadable") from None
    picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image from the pixels alone: nothing of the file's info (EXIF, XMP, ICC, comments) can follow.
    clean = Image.frombytes("RGB", picture.size, picture.tobytes())
    small = clean.copy()
    small.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return PreparedPhoto(
        image=_jpeg(clean, QUALITY),
        width=clean.width,
        height=clean.height,
        thumbnail=_jpeg(small, THUMB_QUALITY),
        thumb_width=small.width,
        thumb_height=small.height,
    )


POPUP_SIDE: Final = 160
"""A map popup's picture: small enough to travel inside the map (about 5 kB), big enough to recognise a place."""


def popup_copy(thumbnail: bytes) -> tuple[bytes, int, int]:
    """A stored thumbnail made popup-sized (:data:`POPUP_SIDE`): the JPEG and its width and height."""
    with Image.open(io.BytesIO(thumbnail)) as picture:
        small = picture.convert("RGB")
    small.thumbnail((POPUP_SIDE, POPUP_SIDE), Image.Resampling.LANCZOS)
    return _jpeg(small, THUMB_QUALITY), small.width, small.height


def _too_many_pixels() -> ValidationError:
    return ValidationError("error.photo_too_many_pixels", max=MAX_PHOTO_PIXELS // 1_000_000)


def _srgb(image: Image.Image) -> Image.Image:
    """``image`` as RGB pixels in sRGB: transparency on white, an embedded colour profile applied."""
    if image.mode == "I" or image.mode.startswith("I;16"):  # 16-bit grey (a PNG): scaled to 8 bits, not clipped
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA"))
    profile = image.info.get("icc_profile")
    if profile:
        try:  # a phone's Display P3 or Adobe RGB photo keeps its colours once the profile is gone
            converted = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(profile)), ImageCms.createProfile("sRGB"), outputMode="RGB"
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None  # a broken or unusual profile: the pixels as they are
        if converted is not None:
            return converted
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


__all__ = [
    "CONTENT_TYPE",
    "FORMATS",
    "MAX_PHOTO_BYTES",
    "MAX_PHOTO_PIXELS",
    "MAX_SIDE",
    "POPUP_SIDE",
    "THUMB_SIDE",
    "PreparedPhoto",
    "popup_copy",
    "prepare_photo",
]
