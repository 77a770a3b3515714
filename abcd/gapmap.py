"""The gap map of a stored wijk: its streets, and every counted initiative within reach wherever it lies.

Streets and residents do not stop at administrative lines. A street of the
wijk counts every resident-led initiative within the distance, also one just
across the border, and a walk to it may leave the wijk (the store keeps the
streets within walking reach around each wijk, :data:`abcd.wijken.REACH_M`).
So the gap maps of BoTu, of the buurt Tussendijken and of the CBS wijk
Delfshaven around them agree on every street they share. This is the I/O edge
of :func:`abcd.gaps.street_coverage`; the page and ``abcd gaps --wijk`` both
call it.
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd

from abcd import gaps, postgis
from abcd.freshness import is_stale
from abcd.model import RD_NEW, Asset, Category, counted_initiatives
from abcd.store import Store, assets_to_frame


def initiatives_near(
    store: Store, wijk: str, *, theme: str | None = None, active_since: date | None = None
) -> gpd.GeoDataFrame:
    """The resident initiatives that count (:func:`abcd.model.counted_initiatives`) for the streets of ``wijk``.

    Every counted initiative within the largest reach (:data:`abcd.gaps.MAX_DISTANCE_M`)
    of the wijk is in the frame, wherever it lies; with ``theme``, only those
    that carry it (:mod:`abcd.themes`); with ``active_since``, only those a
    builder confirmed on or after that day (:mod:`abcd.freshness`).
    """
    bounds = store.get_wijk(wijk).boundary.bounds
    near = store.assets_near(bounds, margin_m=gaps.MAX_DISTANCE_M, category=Category.INITIATIVE)
    return assets_to_frame(_counting(near, theme=theme, active_since=active_since))


def _counting(assets: list[Asset], *, theme: str | None = None, active_since: date | None = None) -> list[Asset]:
    """The counted initiatives among ``assets``; with ``theme`` those of it, with ``active_since`` the fresh ones."""
    counted = counted_initiatives(assets)
    if theme is not None:
        counted = [a for a in counted if theme in a.themes]
    if active_since is not None:
        counted = [a for a in counted if not is_stale(a, active_since)]
    return counted


def wijk_coverage(
    store: Store,
    wijk: str,
    *,
    distance_m: float,
    mode: gaps.Mode,
    theme: str | None = None,
    active_since: date | None = None,
) -> gpd.GeoDataFrame:
    """:func:`abcd.gaps.street_coverage` for the streets of ``wijk``, borders ignored (see the module docstring).

    Walking uses the streets around the wijk too; the result has the wijk's
    own segments only, and ``below_average`` is measured against their mean.
    ``initiative_ids`` names the initiatives within reach of each segment;
    with ``theme`` only initiatives of that theme count, with ``active_since``
    only those confirmed since that day.
    """
    streets = store.streets(wijk, reach=mode == "network")
    initiatives = initiatives_near(store, wijk, theme=theme, active_since=active_since)
    coverage = gaps.street_coverage(streets, initiatives, distance_m=distance_m, mode=mode, ids="id")
    if "in_wijk" in coverage.columns:
        attrs = dict(coverage.attrs)
        coverage = coverage[coverage["in_wijk"]].drop(columns="in_wijk").reset_index(drop=True)
        coverage.attrs.update(attrs)
        mean = float(coverage["initiatives"].mean()) if len(coverage) else 0.0
        coverage["below_average"] = coverage["initiatives"] < mean
    return coverage


def assets_near_streets(store: Store, wijk: str, *, margin_m: float = gaps.MAX_DISTANCE_M) -> gpd.GeoDataFrame:
    """The public assets a gap street of ``wijk`` may be near (:func:`abcd.gaps.near.near_street`).

    Live, approved meeting places and the assets a builder could approach
    (:data:`abcd.gaps.near.APPROACH_CATEGORIES`) within ``margin_m`` of the
    wijk, wherever they lie; never a resident (category ``person``).
    """
    from abcd.gaps.near import APPROACH_CATEGORIES, MEETING_PLACE

    wanted = {MEETING_PLACE, *APPROACH_CATEGORIES}
    bounds = store.get_wijk(wijk).boundary.bounds
    near = [a for a in store.assets_near(bounds, margin_m=margin_m) if a.category.value in wanted and not a.is_pending]
    return assets_to_frame(near)


def street_counts_here(
    store: Store, distance_m: float, *, wijk: str | None = None, active_since: date | None = None
) -> pd.DataFrame:
    """:meth:`Store.street_counts <abcd.store.Store.street_counts>` computed in this process.

    Reads the streets and the initiatives near them and counts with
    :func:`abcd.gaps.street_coverage` (straight lines): what a database
    without PostGIS does, and what PostGIS's answer is compared with.
    """
    segments = store.street_segments(wijk)
    columns = ["id", "wijk", "name", "length_m", "initiatives"]
    if segments.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("id", "initiatives") else object) for c in columns})
    if wijk is None:
        found = store.list_assets(category=Category.INITIATIVE)
    else:
        found = store.assets_near(tuple(segments.total_bounds), margin_m=distance_m, category=Category.INITIATIVE)
    counted = _counting(found, active_since=active_since)
    coverage = gaps.street_coverage(segments, assets_to_frame(counted), distance_m=distance_m, mode="straight")
    coverage["length_m"] = segments.to_crs(RD_NEW).length.to_numpy()
    return pd.DataFrame(coverage[columns]).astype({"id": "int64", "length_m": "float64", "initiatives": "int64"})


def wijk_figures_of(counts: pd.DataFrame) -> pd.DataFrame:
    """Per wijk, from :meth:`Store.street_counts <abcd.store.Store.street_counts>`: segments, those without an
    initiative, street length, length without, and the mean count per segment (as PostGIS sums them)."""
    without = counts["initiatives"] == 0
    figures = (
        counts.assign(without=without, length_without_m=counts["length_m"].where(without, 0.0))
        .groupby("wijk", sort=True)
        .agg(
            segments=("id", "size"),
            segments_without=("without", "sum"),
            length_m=("length_m", "sum"),
            length_without_m=("length_without_m", "sum"),
            mean_initiatives=("initiatives", "mean"),
        )
        .reset_index()
    )
    return figures.astype(postgis.FIGURES)


__all__ = ["assets_near_streets", "initiatives_near", "street_counts_here", "wijk_coverage", "wijk_figures_of"]
