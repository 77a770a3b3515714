"""Effort plans that work from the average ("werken vanuit het gemiddelde").

The gemeente starts from an average effort everywhere and puts in more where
residents have no initiative of their own within reach, less where they are
active, never below a floor. Per street segment of length ``L`` with ``c``
initiatives in reach (:func:`abcd.gaps.street_coverage`) the weight is
``max(floor, 1 / (1 + c))`` and the effort ``total × L × weight / Σ(L × weight)``;
the plan adds up to the total to the hundredth. The full rule is in
:mod:`abcd.effort.plan` and, for officers, in the catalogue text ``effort.rule``
(:func:`rule_text`).

Modules: :mod:`~abcd.effort.plan` (the pure rule, per segment and per street,
and the comparison of two plans) and :mod:`~abcd.effort.files` (the CSV for a
work planner and the GeoJSON, each with the run in the file itself).
"""

from __future__ import annotations

from abcd.effort.files import (
    OUT_FORMATS,
    RUN_MEMBER,
    plan_bytes,
    plan_csv_bytes,
    read_plan_csv,
    read_plan_run,
    write_plan,
)
from abcd.effort.plan import (
    MAX_TOTAL,
    EffortRun,
    Period,
    Unit,
    check_floor,
    compare_plans,
    largest_remainder,
    mode_label,
    parse_total,
    period_label,
    plan_segments,
    plan_streets,
    rule_text,
    unit_label,
)

__all__ = [
    "MAX_TOTAL",
    "OUT_FORMATS",
    "RUN_MEMBER",
    "EffortRun",
    "Period",
    "Unit",
    "check_floor",
    "compare_plans",
    "largest_remainder",
    "mode_label",
    "parse_total",
    "period_label",
    "plan_bytes",
    "plan_csv_bytes",
    "plan_segments",
    "plan_streets",
    "read_plan_csv",
    "read_plan_run",
    "rule_text",
    "unit_label",
    "write_plan",
]
