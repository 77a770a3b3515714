"""Search and filter asset frames, for the map and the list.

Pure functions on the frames :func:`abcd.store.assets_to_frame` returns, so
the pages stay thin and the behaviour is tested without Streamlit.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import geopandas as gpd


def fold(text: str) -> str:
    """Lower case without accents, so 'cafe' finds 'Café' (search here, duplicate names in :mod:`abcd.duplicates`)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def filter_assets(
    assets: gpd.GeoDataFrame,
    *,
    text: str = "",
    categories: Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """Assets whose name or description contains every word of ``text``, in ``categories``.

    ``categories=None`` keeps every category; an empty collection keeps none.

    >>> import geopandas as gpd
    >>> frame = gpd.GeoDataFrame({"name": ["Naaiclub", "Café de Hoek"], "description": ["", "koffie"],
    ...                           "category": ["association", "business"]})
    >>> list(filter_assets(frame, text="cafe").name)
    ['Café de Hoek']
    """
    keep = assets
    if categories is not None:
        keep = keep[keep["category"].isin(list(categories))]
    words = fold(text).split()
    if words and len(keep):
        haystack = (keep["name"].fillna("") + " " + keep["description"].fillna("")).map(fold)
        mask = haystack.map(lambda hay: all(word in hay for word in words))
        keep = keep[mask]
    return keep


def category_counts(assets: gpd.GeoDataFrame, categories: Iterable[str]) -> dict[str, int]:
    """How many assets there are per category, zero included, in the given order."""
    counts = assets["category"].value_counts() if len(assets) else {}
    return {code: int(counts.get(code, 0)) for code in categories}
