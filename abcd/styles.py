"""How each asset category looks, everywhere: map pins, printed maps, posters and charts.

Kept apart from the web maps so a printed report can use the same colours
without importing folium.
"""

from __future__ import annotations

from dataclasses import dataclass

from abcd.model import Category


@dataclass(frozen=True, slots=True)
class CategoryStyle:
    """How a category looks on the map: a disc in ``color`` showing ``glyph`` in ``text``.

    ``glyph`` is a plain Unicode character found in common system fonts, so no
    icon font has to be loaded; ``text`` is chosen for a contrast of at least
    4.5:1 on ``color``.
    """

    color: str
    glyph: str
    text: str = "#ffffff"


# Okabe & Ito's palette, designed to stay distinguishable with the common forms
# of colour blindness; the glyph tells the categories apart without colour too.
CATEGORY_STYLE: dict[str, CategoryStyle] = {
    Category.PERSON.value: CategoryStyle("#E69F00", "\u2605", "#111111"),  # ★ talent
    Category.ASSOCIATION.value: CategoryStyle("#56B4E9", "\u2756", "#111111"),  # ❖ a group
    Category.INITIATIVE.value: CategoryStyle("#009E73", "\u273f", "#111111"),  # ✿ something growing
    Category.INSTITUTION.value: CategoryStyle("#0072B2", "\u2617", "#ffffff"),  # ☗ a building
    Category.MEETING_PLACE.value: CategoryStyle("#D55E00", "\u25ce", "#111111"),  # ◎ a gathering point
    Category.PLACE.value: CategoryStyle("#F0E442", "\u25b2", "#111111"),  # ▲ park, square
    Category.BUSINESS.value: CategoryStyle("#CC79A7", "\u20ac", "#111111"),  # € local economy
    Category.STORY.value: CategoryStyle("#000000", "\u270e", "#ffffff"),  # ✎ a story
}

PIN_OUTLINE = "#1F2A28"
"""The thin dark ring around every map pin, outside its white border (a near-black green-grey).

The category colours themselves are light (yellow is 1.3:1 on white); the ring
keeps every pin at least 3:1 against any light basemap (WCAG 1.4.11), and the
white border keeps a dark pin apart from the ring.
"""


def relative_luminance(color: str) -> float:
    """The relative luminance of a ``#RRGGBB`` colour as WCAG 2.1 defines it (0 black, 1 white).

    >>> relative_luminance("#FFFFFF"), relative_luminance("#000000")
    (1.0, 0.0)
    """
    digits = color.removeprefix("#")
    if len(digits) != 6:
        msg = f"a colour must be #RRGGBB, not {color!r}"
        raise ValueError(msg)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """The WCAG 2.1 contrast ratio of two ``#RRGGBB`` colours, from 1 (none) to 21 (black on white).

    Text needs 4.5 (3 when large), map symbols and other graphics 3.

    >>> round(contrast_ratio("#767676", "#FFFFFF"), 2)
    4.54
    >>> contrast_ratio("#000000", "#FFFFFF")
    21.0
    """
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
