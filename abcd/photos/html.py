"""A photo's thumbnail as HTML, for map popups, the list and the presentation.

The thumbnail travels inside the HTML as a ``data:`` URL, so a popup needs
no second request and an offline map file keeps its pictures. The alt text
is a user's text and is escaped (:func:`abcd._html.escape`): folium inserts
popup HTML as it is.
"""

from __future__ import annotations

import base64

from abcd._html import escape
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
    data = base64.b64encode(info.thumbnail).decode("ascii")
    return (
        f'<img src="data:image/jpeg;base64,{data}" alt="{escape(alt)}" '
        f'width="{info.thumb_width}" height="{info.thumb_height}" loading="lazy" style="max-width:100%;height:auto">'
    )


__all__ = ["thumbnail_html"]
