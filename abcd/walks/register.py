"""Walks as stored: record one, read the streets' dates, list the tracks someone may see, reduce old ones.

A walk belongs to the wijk it was recorded in (a GPX file: the stored wijk
most of it lies in) and to its walker, an account that may record walks
there (:data:`~abcd.permissions.Permission.RECORD_WALKS`). Recording it marks
the streets it went along (:mod:`abcd.walks.streets`) with the day it was
walked, in *every* onboarded wijk it passes through, so the gap maps of
Bospolder-Tussendijken, of the buurt Bospolder and of the CBS wijk Delfshaven
agree on a street they share.

The track says where a person was, and when: it is personal data of the
walker. Only the part within the onboarded wijken it passes (and 25 m
around them) is stored, so where a walk began (home, perhaps) is not kept;
only builders and coordinators see tracks
(:data:`~abcd.permissions.Permission.VIEW_WALKS`, in their own wijken), and
:func:`reduce_old_walks` deletes every walk older than the retention (the
setting ``ABCD_WALK_RETENTION_MONTHS``, default 12 months): the walker, the
times and the track go; each street keeps the day it was walked, which says
nothing about anyone. The per-street dates (:func:`last_walked`) are for
everyone who sees the gap map.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Final, Literal

import pandas as pd
import shapely
from shapely.geometry import MultiLineString
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, RowMapping, delete, func, insert, select, update

from abcd import schema
from abcd.config import WALK_RETENTION_MONTHS
from abcd.errors import ValidationError
from abcd.freshness import months_before
from abcd.i18n.formats import local_time, local_today
from abcd.model import new_asset_id
from abcd.permissions import Permission, User, require
from abcd.places import rd_geometry, wgs84_geometry
from abcd.records import from_iso, iso_utc, utcnow
from abcd.store import Store, WijkRecord
from abcd.walks.streets import street_keys, walked_streets
from abcd.walks.tracks import Track, read_gpx

Source = Literal["app", "gpx"]
DEFAULT_RETENTION_MONTHS: Final = WALK_RETENTION_MONTHS
NEAR_WIJK_M: Final = 25.0
"""A track this close to a wijk's boundary passes through it (the streets' own reach)."""


@dataclass(frozen=True, slots=True)
class Walk:
    """A stored walk and the streets of its wijk it marked (keys, sorted)."""

    id: str
    wijk: str
    walker: str
    source: str
    started_at: datetime | None
    ended_at: datetime | None
    walked_on: date
    length_m: float
    track: BaseGeometry  # WGS84
    created_at: datetime
    streets: tuple[str, ...]


# --------------------------------------------------------------------------
# Recording
# --------------------------------------------------------------------------


def record_walk(store: Store, wijk: str, track: Track, *, by: User, source: Source = "app") -> Walk:
    """Store ``track`` as a walk of ``by`` in the stored wijk ``wijk`` and mark the streets it went along.

    The streets get the day the walk ended (in Amsterdam; today for a track
    without times, and never a day after today). A track that does not come
    within 25 m of ``wijk`` is refused.

    Raises
    ------
    PermissionDeniedError
        When ``by`` may not record walks in ``wijk``.
    ValidationError
        When the track lies outside ``wijk``.
    """
    require(by, Permission.RECORD_WALKS, wijk=wijk)
    record = store.get_wijk(wijk)
    line_rd = rd_geometry(track.line)
    if not _near(line_rd, record):
        raise ValidationError("error.walk_not_in_wijk", wijk=record.name)
    moment = track.ended_at or track.started_at
    walked_on = min(local_time(moment).date(), local_today()) if moment is not None else local_today()
    along = _wijken_along(store, line_rd, wijk)
    marks = {slug: walked_streets(store.streets(slug), track.line) for slug in along}
    kept_rd = _within(line_rd, [store.get_wijk(slug) for slug in along])
    if kept_rd is None:
        raise ValidationError("error.walk_not_in_wijk", wijk=record.name)
    kept = wgs84_geometry(kept_rd)
    walk_id, now = new_asset_id(), utcnow()
    with store.db.write() as conn:
        conn.execute(
            insert(schema.walks).values(
                id=walk_id,
                wijk=wijk,
                walker=by.username,
                source=source,
                started_at=None if track.started_at is None else iso_utc(track.started_at),
                ended_at=None if track.ended_at is None else iso_utc(track.ended_at),
                walked_on=walked_on.isoformat(),
                length_m=float(shapely.length(kept_rd)),
                track_wkb=shapely.to_wkb(kept),
                created_at=iso_utc(now),
            )
        )
        rows = [
            {"wijk": slug, "street": street, "walked_on": walked_on.isoformat(), "walk_id": walk_id}
            for slug, streets in marks.items()
            for street in streets
        ]
        if rows:
            conn.execute(insert(schema.street_walks), rows)
    return Walk(
        id=walk_id,
        wijk=wijk,
        walker=by.username,
        source=source,
        started_at=track.started_at,
        ended_at=track.ended_at,
        walked_on=walked_on,
        length_m=float(shapely.length(kept_rd)),
        track=kept,
        created_at=now,
        streets=tuple(marks.get(wijk, [])),
    )


def import_gpx(store: Store, path: Path, *, by: User, wijk: str | None = None) -> Walk:
    """Read a GPX file (:func:`abcd.walks.tracks.read_gpx`) and record it as a walk of ``by``.

    Without ``wijk`` the walk goes to the onboarded wijk most of the track
    lies in (the smallest of those that hold all of it: a buurt before the
    wijk around it); a track outside every onboarded wijk is refused.
    """
    track = read_gpx(Path(path))
    slug = wijk if wijk is not None else wijk_of_track(store, track)
    return record_walk(store, slug, track, by=by, source="gpx")


def wijk_of_track(store: Store, track: Track) -> str:
    """The onboarded wijk most of ``track`` lies in; of equals, the smallest. Refuses a track outside them all."""
    line_rd = rd_geometry(track.line)
    best: tuple[float, float, str] | None = None
    for slug in store.wijk_slugs():
        boundary = rd_geometry(store.get_wijk(slug).boundary)
        if not shapely.dwithin(boundary, line_rd, NEAR_WIJK_M):
            continue
        length = float(shapely.length(line_rd))
        share = float(shapely.length(shapely.intersection(line_rd, boundary))) / length if length else 1.0
        candidate = (-round(share, 3), float(shapely.area(boundary)), slug)
        best = candidate if best is None or candidate < best else best
    if best is None:
        raise ValidationError("error.walk_outside", known=", ".join(store.wijk_slugs()) or "-")
    return best[2]


def _near(line_rd: BaseGeometry, wijk: WijkRecord) -> bool:
    return bool(shapely.dwithin(rd_geometry(wijk.boundary), line_rd, NEAR_WIJK_M))


def _within(line_rd: BaseGeometry, wijken: list[WijkRecord]) -> BaseGeometry | None:
    """The part of the track (RD New) within ``wijken`` (and 25 m around them); ``None`` when no line is left.

    Only this part is stored: where a walker started from, home perhaps, is none of the wijk's business.
    """
    area = shapely.union_all([shapely.buffer(rd_geometry(w.boundary), NEAR_WIJK_M) for w in wijken])
    clipped = shapely.get_parts(shapely.intersection(line_rd, area))
    lines = [part for part in clipped if part.geom_type == "LineString" and part.length > 0]
    if not lines:
        return None
    return lines[0] if len(lines) == 1 else MultiLineString(lines)


def _wijken_along(store: Store, line_rd: BaseGeometry, wijk: str) -> list[str]:
    """``wijk`` and every other onboarded wijk the track passes through."""
    others = [s for s in store.wijk_slugs() if s != wijk and _near(line_rd, store.get_wijk(s))]
    return [wijk, *others]


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def last_walked(store: Store, wijk: str) -> dict[str, date]:
    """The last day each street of ``wijk`` was walked (keys as :func:`abcd.walks.streets.street_keys`).

    Per-street dates say nothing about who walked: anyone who sees the gap map may see them.

    >>> last_walked(Store.open("sqlite://"), "bospolder-tussendijken")
    {}
    """
    table = schema.street_walks
    query = select(table.c.street, func.max(table.c.walked_on)).where(table.c.wijk == wijk).group_by(table.c.street)
    with store.db.read() as conn:
        return {street: date.fromisoformat(day) for street, day in conn.execute(query).all()}


def streets_by_last_walked(
    store: Store, wijk: str, *, not_since_months: int | None = None, today: date | None = None
) -> pd.DataFrame:
    """The streets of ``wijk`` (``street``, ``last_walked``: a date or ``None``), never walked first, then oldest.

    With ``not_since_months``, only the streets not walked in that many
    months before ``today`` (default: today in Amsterdam; never walked included).
    """
    day = local_today() if today is None else today
    dates = last_walked(store, wijk)
    streets = sorted(set(street_keys(store.streets(wijk))))
    frame = pd.DataFrame({"street": streets, "last_walked": pd.Series([dates.get(s) for s in streets], dtype=object)})
    if not_since_months is not None:
        if not_since_months < 0:
            raise ValidationError("error.walk_months", value=not_since_months)
        cutoff = months_before(day, not_since_months)
        frame = frame[[d is None or d < cutoff for d in frame["last_walked"]]]
    order = sorted(range(len(frame)), key=lambda i: (frame["last_walked"].iloc[i] or date.min, frame["street"].iloc[i]))
    return frame.iloc[order].reset_index(drop=True)


def walks_visible_to(store: Store, user: User, *, wijk: str | None = None, walker: str | None = None) -> list[Walk]:
    """The walks (with their tracks) ``user`` may see, newest first: in ``wijk``, of ``walker``, when given.

    Tracks are personal data: only builders (in their own wijken) and
    coordinators see them; anyone else is refused.
    """
    require(user, Permission.VIEW_WALKS)
    table = schema.walks
    query = select(table).order_by(table.c.walked_on.desc(), table.c.created_at.desc())
    if wijk is not None:
        query = query.where(table.c.wijk == wijk)
    if walker is not None:
        query = query.where(table.c.walker == walker)
    with store.db.read() as conn:
        rows = [r for r in conn.execute(query).mappings() if user.can(Permission.VIEW_WALKS, r["wijk"])]
        marked = _streets_of(conn, [(r["id"], r["wijk"]) for r in rows])
    return [_walk(r, marked.get(r["id"], ())) for r in rows]


def _streets_of(conn: Connection, walks: list[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """The streets each walk marked in its own wijk."""
    own = dict(walks)
    found: dict[str, list[str]] = {}
    ids = sorted(own)
    table = schema.street_walks
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = select(table.c.walk_id, table.c.wijk, table.c.street).where(table.c.walk_id.in_(chunk))
        for walk_id, wijk, street in conn.execute(query).all():
            if own[walk_id] == wijk:
                found.setdefault(walk_id, []).append(street)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def _walk(row: RowMapping, streets: Iterable[str]) -> Walk:
    created = from_iso(row["created_at"])
    assert created is not None  # the column is not nullable
    return Walk(
        id=row["id"],
        wijk=row["wijk"],
        walker=row["walker"],
        source=row["source"],
        started_at=from_iso(row["started_at"]),
        ended_at=from_iso(row["ended_at"]),
        walked_on=date.fromisoformat(row["walked_on"]),
        length_m=float(row["length_m"]),
        track=shapely.from_wkb(row["track_wkb"]),
        created_at=created,
        streets=tuple(streets),
    )


# --------------------------------------------------------------------------
# Retention
# --------------------------------------------------------------------------


def reduce_old_walks(store: Store, *, keep_months: int = DEFAULT_RETENTION_MONTHS, today: date | None = None) -> int:
    """Delete the walks walked more than ``keep_months`` ago; their streets keep the day. Returns how many.

    What stays is one row per street and day, without a walk: the gap map's
    "laatst gelopen" is unchanged, and nothing says who walked or where else.
    """
    if keep_months < 0:
        raise ValidationError("error.walk_months", value=keep_months)
    cutoff = months_before(local_today() if today is None else today, keep_months).isoformat()
    walks, marks = schema.walks, schema.street_walks
    expired = select(walks.c.id).where(walks.c.walked_on < cutoff)
    with store.db.read() as conn:  # the pages call this on every run: write only when there is something to do
        if conn.execute(expired.limit(1)).first() is None:
            return 0
    with store.db.write() as conn:
        old = list(conn.execute(expired).scalars())
        for start in range(0, len(old), 500):
            chunk = old[start : start + 500]
            conn.execute(update(marks).where(marks.c.walk_id.in_(chunk)).values(walk_id=None))
            conn.execute(delete(walks).where(walks.c.id.in_(chunk)))
        if old:  # one row per street and day is all a reduced walk leaves
            keep = (
                select(func.min(marks.c.id))
                .where(marks.c.walk_id.is_(None))
                .group_by(marks.c.wijk, marks.c.street, marks.c.walked_on)
            )
            conn.execute(delete(marks).where(marks.c.walk_id.is_(None), marks.c.id.not_in(keep)))
    return len(old)


__all__ = [
    "DEFAULT_RETENTION_MONTHS",
    "Walk",
    "import_gpx",
    "last_walked",
    "record_walk",
    "reduce_old_walks",
    "streets_by_last_walked",
    "walks_visible_to",
    "wijk_of_track",
]
