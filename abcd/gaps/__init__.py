"""Gap analysis: which streets have no resident-led initiative within reach.

Rotterdam works "from the average": normal effort everywhere and *more* effort
where residents have no initiative of their own. :func:`street_coverage`
answers, street segment by street segment, whether a resident-led initiative
is within reach; :func:`street_summary` rolls that up per street and
:func:`wijk_figures` gives the headline figures (:func:`wijk_figures_by` for many
wijken at once). Everything is pure
(GeoDataFrames in, frames out); reading and writing gap files is
:mod:`abcd.gaps.files`.

Modules: :mod:`~abcd.gaps.coverage` (the public analysis),
:mod:`~abcd.gaps._straight` and :mod:`~abcd.gaps._network` (the two ways of
measuring reach), :mod:`~abcd.gaps._common` (what they share).
"""

from __future__ import annotations

from abcd.gaps._common import NEAREST_CUTOFF_M, RD_NEW_EPSG, SNAP_TOLERANCE_M
from abcd.gaps.coverage import (
    DEFAULT_DISTANCE_M,
    INITIATIVE_CATEGORY,
    MAX_DISTANCE_M,
    MIN_DISTANCE_M,
    GapFigures,
    Mode,
    street_coverage,
    street_labels,
    street_summary,
    wijk_figures,
    wijk_figures_by,
)
from abcd.gaps.errors import GapInputError

__all__ = [
    "DEFAULT_DISTANCE_M",
    "INITIATIVE_CATEGORY",
    "MAX_DISTANCE_M",
    "MIN_DISTANCE_M",
    "NEAREST_CUTOFF_M",
    "RD_NEW_EPSG",
    "SNAP_TOLERANCE_M",
    "GapFigures",
    "GapInputError",
    "Mode",
    "street_coverage",
    "street_labels",
    "street_summary",
    "wijk_figures",
    "wijk_figures_by",
]
