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
