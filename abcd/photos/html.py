"""A photo's thumbnail as HTML, for map popups, the list and the presentation.

The thumbnail travels inside the HTML as a ``data:`` URL, so a popup needs
no second request and an offline map file keeps its pictures. The alt text
is a user's text and is escaped (:func:`abcd._html.escape`): folium inserts
popup HTML as it is.
"""

from __future__ import annotations

import base64

from abcd._html import escape
from abcd.photos.images import popup_copy
from abcd.photos.register import PhotoInfo


def thumbnail_html(info: PhotoInfo, alt: str) -> str:
    """An ``<img>`` of the photo's thumbnail, ``alt`` escaped, with its size so the popup does not jump.

    >>> from datetime import datetime, UTC
    >>> info = PhotoInfo("p1", "a1", 1600, 1200, 4, 3, "image/jpeg", False, None, "ans",
    ...                  datetime(2026, 12, 1, tzinfo=UTC), thumbnail=b"\\xff\\xd8")
    >>> thumbnail_html(info, '<b>"Buurttuin"</b>')  # doctest: +NORMALIZE_WHITESPACE
    '<img src="data:image/jpeg;base64,/9g=" alt="&lt;b&gt;&quot;Buurttuin&quot;&lt;/b&gt;" width="4" height="3"
    loading="lazy" style="max-width:100%;height:auto">'
    """
    return jpeg_html(info.thumbnail, info.thumb_width, info.thumb_height, alt)


def popup_html(info: PhotoInfo, alt: str) -> str:
    """The photo for a map popup: its thumbnail made popup-sized (:func:`abcd.photos.images.popup_copy`)."""
    data, width, height = popup_copy(info.thumbnail)
    return jpeg_html(data, width, height, alt)


def jpeg_html(data: bytes, width: int, height: int, alt: str) -> str:
    """An ``<img>`` of a JPEG carried in the HTML itself, ``alt`` escaped."""
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<img src="data:image/jpeg;base64,{encoded}" alt="{escape(alt)}" '
        f'width="{width}" height="{height}" loading="lazy" style="max-width:100%;height:auto">'
    )


__all__ = ["jpeg_html", "popup_html", "thumbnail_html"]
