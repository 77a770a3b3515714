"""Effort plans as recorded: the gemeente is "one or two steps behind", so each plan is kept to compare with.

An officer records a plan when it is handed to the teams. The next plan of the
same wijk and theme is compared with the latest recorded one
(:func:`abcd.effort.compare_plans`): which streets get more, which less, and
which initiatives came within reach or went. A recorded plan is never edited;
it holds its parameters and, per street, its length, its effort in hundredths
and the ids of the initiatives within reach. Removing a wijk removes its plans.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pandas as pd
from sqlalchemy import insert, select

from abcd import schema
from abcd.effort.plan import EffortRun
from abcd.model import new_asset_id
from abcd.permissions import Permission, User, require
from abcd.records import from_iso, iso_utc, utcnow
from abcd.store import Store


@dataclass(frozen=True, slots=True)
class SavedPlan:
    """A recorded plan: its run, who recorded it when, and its streets (``street``, ``length_m``, ``effort``,
    ``initiative_ids``)."""

    id: str
    wijk: str
    run: EffortRun
    created_by: str
    created_at: datetime
    streets: pd.DataFrame


def save_plan(store: Store, wijk: str, run: EffortRun, streets: pd.DataFrame, *, user: User) -> SavedPlan:
    """Record a plan (:func:`abcd.effort.plan_streets` output) of the stored wijk ``wijk``, in one transaction."""
    require(user, Permission.SAVE_PLANS, areas=[wijk])
    plan_id, now = new_asset_id(), utcnow()
    hundredths = [round(float(e) * 100) for e in streets["effort"]]
    rows = [
        {
            "plan_id": plan_id,
            "street": str(street),
            "length_m": float(length),
            "effort_hundredths": cents,
            "initiative_ids": ",".join(ids),
        }
        for street, length, cents, ids in zip(
            streets["street"], streets["length_m"], hundredths, streets["initiative_ids"], strict=True
        )
    ]
    with store.db.write() as conn:
        conn.execute(
            insert(schema.effort_plans).values(
                id=plan_id,
                wijk=wijk,
                wijk_name=run.wijk,
                theme=run.theme,
                unit=run.unit,
                period=run.period,
                total_hundredths=int(run.total * 100),
                floor=run.floor,
                mode=run.mode,
                distance_m=run.distance_m,
                day=run.day.isoformat(),
                created_by=user.username,
                created_at=iso_utc(now),
            )
        )
        if rows:
            conn.execute(insert(schema.effort_plan_streets), rows)
    return SavedPlan(plan_id, wijk, run, user.username, now, _streets_frame(rows))


def latest_plan(store: Store, wijk: str, theme: str | None) -> SavedPlan | None:
    """The most recently recorded plan of ``wijk`` for ``theme`` (``None``: every initiative), if any."""
    plans = schema.effort_plans
    theme_is = plans.c.theme.is_(None) if theme is None else plans.c.theme == theme
    with store.db.read() as conn:
        head = (
            conn.execute(
                select(plans).where(plans.c.wijk == wijk, theme_is).order_by(plans.c.created_at.desc()).limit(1)
            )
            .mappings()
            .first()
        )
        if head is None:
            return None
        streets = schema.effort_plan_streets
        rows = conn.execute(select(streets).where(streets.c.plan_id == head["id"])).mappings().all()
    run = EffortRun(
        total=Decimal(int(head["total_hundredths"])).scaleb(-2),
        unit=head["unit"],
        period=head["period"],
        floor=float(head["floor"]),
        mode=head["mode"],
        distance_m=float(head["distance_m"]),
        day=datetime.fromisoformat(head["day"]).date(),
        wijk=head["wijk_name"],
        theme=head["theme"],
    )
    created = from_iso(head["created_at"])
    assert created is not None  # the column is not nullable
    return SavedPlan(head["id"], wijk, run, head["created_by"], created, _streets_frame([dict(r) for r in rows]))


def _streets_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "street": [str(r["street"]) for r in rows],
            "length_m": [float(r["length_m"]) for r in rows],  # type: ignore[arg-type]
            "effort": [int(r["effort_hundredths"]) / 100 for r in rows],  # type: ignore[call-overload]
            "initiative_ids": [tuple(i for i in str(r["initiative_ids"]).split(",") if i) for r in rows],
        }
    )


__all__ = ["SavedPlan", "latest_plan", "save_plan"]
