"""The assets of a frame that a map can draw, column by column: what pins and features are made of.

Every text is escaped here, once (:func:`abcd._html.escape`): names, description
previews and the codes a popup looks up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import shapely

from abcd._cells import cell_flag, cell_text
from abcd._html import escape
from abcd.freshness import as_day, confirmed_before
from abcd.maps._elements import to_wgs84
from abcd.model import Category, MeetingPlaceRole, Source
from abcd.styles import CATEGORY_STYLE

DESCRIPTION_PREVIEW = 160
"""Characters of the description shown in a popup; the list page shows it all."""


def _resident_led(value: object) -> bool | None:
    """A frame's ``resident_led`` cell as a flag; text that is not yes/no is left unshown."""
    try:
        return cell_flag(value)
    except ValueError:
        return None


def _text(value: object) -> str:
    """:func:`abcd._cells.cell_text`, with a short way for the usual case of a plain string."""
    return value.strip() if type(value) is str else cell_text(value)


def _truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters plus an ellipsis, at a word if one is near."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space >= limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-\n") + "\u2026"


@dataclass(frozen=True, slots=True)
class AssetColumns:
    """The drawable assets of a frame, column by column, in input order (what pins and features are made of).

    ``name`` and ``description`` are HTML-escaped (the description cut to
    :data:`DESCRIPTION_PREVIEW`); ``source`` and ``role`` are known codes or
    ``""``; ``led`` is 1/0 for initiatives that say so, else ``None``;
    ``photo`` is the ``<img>`` a popup shows, made safe by its maker.
    """

    lon: list[float]
    lat: list[float]
    id: list[str]
    category: list[str]
    name: list[str]
    description: list[str]
    source: list[str]
    led: list[int | None]
    role: list[str]
    stale: list[bool]
    photo: list[str]

    def __len__(self) -> int:
        return len(self.id)


def asset_columns(
    assets: Any,
    *,
    stale_before: date | None = None,
    photos: Mapping[str, str] | None = None,
    descriptions: bool = True,
) -> AssetColumns:
    """The assets of ``assets`` a map can draw (a usable geometry), as :class:`AssetColumns`.

    With ``stale_before``, assets last confirmed before that day (or never) are
    marked stale; ``photos`` maps an asset's id to the ``<img>`` its popup shows.
    ``descriptions=False`` leaves the descriptions out (a page that shows them
    beside the map). Raises ``ValueError`` for a frame without ``id``,
    ``name``, ``category`` or a geometry, or with an unknown category.
    """
    empty = AssetColumns([], [], [], [], [], [], [], [], [], [], [])
    if assets is None or len(assets) == 0:
        return empty
    missing = [c for c in ("id", "name", "category") if c not in assets.columns]
    if missing or not hasattr(assets, "geometry"):
        msg = f"The asset frame lacks {', '.join(missing) or 'a geometry column'}; it has {list(assets.columns)}"
        raise ValueError(msg)
    frame = to_wgs84(assets)
    geoms = frame.geometry.to_numpy()
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    # Points stay where they are; anything else is pinned inside itself.
    points = shapely.point_on_surface(geoms[usable])
    rows = frame.loc[usable]

    def column(name: str) -> list[Any]:
        # Missing values (None, NaN, pd.NA, NaT) become None, once per column.
        if name not in rows.columns:
            return [None] * len(rows)
        values = rows[name]
        return values.astype(object).where(values.notna(), None).tolist()

    categories = [str(c) for c in column("category")]
    unknown = sorted(set(categories) - set(CATEGORY_STYLE))
    if unknown:
        msg = f"Unknown asset categories {unknown}; known: {', '.join(CATEGORY_STYLE)}"
        raise ValueError(msg)
    ids = [_text(v) for v in column("id")]
    sources = {s.value for s in Source}
    roles = {r.value for r in MeetingPlaceRole}
    initiative, meeting_place = Category.INITIATIVE.value, Category.MEETING_PLACE.value
    source_codes = [_text(v).lower() for v in column("source")]
    if stale_before is not None:
        stale = [confirmed_before(as_day(v), stale_before) for v in column("last_confirmed")]
    else:
        stale = [False] * len(ids)
    return AssetColumns(
        lon=shapely.get_x(points).tolist(),
        lat=shapely.get_y(points).tolist(),
        id=ids,
        category=categories,
        name=[escape(_text(v)) for v in column("name")],
        description=(
            [escape(_truncate(_text(v), DESCRIPTION_PREVIEW)) for v in column("description")]
            if descriptions
            else [""] * len(ids)
        ),
        source=[code if code in sources else "" for code in source_codes],
        led=[
            None if code != initiative else (None if (flag := _resident_led(v)) is None else int(flag))
            for code, v in zip(categories, column("resident_led"), strict=True)
        ],
        role=[
            code_ if code == meeting_place and (code_ := _text(v).lower()) in roles else ""
            for code, v in zip(categories, column("meeting_place_role"), strict=True)
        ],
        stale=stale,
        photo=[photos.get(i, "") for i in ids] if photos else [""] * len(ids),
    )
