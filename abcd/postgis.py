"""The store's spatial questions answered inside PostGIS, with its GiST indexes.

On PostgreSQL the migrations add typed geometry columns, generated from the
portable ones on every write, each with a GiST index: in WGS84 (``assets.geom``,
``assets.area_geom``, ``wijken.boundary_geom``, ``streets.geom``; migration
``0013``) and the same in RD New (``..._rd``; migration ``0014``). An app
process then asks the database which areas a point lies in, which assets lie
near a box or within a distance of a street, and how many initiatives reach
every street of the country, instead of loading whole tables to find out.
SQLite keeps answering the same questions in the process
(:class:`abcd.places.AreaIndex`, :mod:`abcd.gaps`).

The rules are the app's own, so both databases agree:

- membership (:mod:`abcd.places`): the areas of each kind that cover the point;
  for a kind none covers, the nearest area of that kind within
  :data:`~abcd.places.TOLERANCE_M` (ties: the first slug);
- distances are straight lines in RD New (EPSG:28992), as :mod:`abcd.gaps`
  measures them, on the stored RD columns and their indexes;
- a box around a wijk in degrees (:func:`near_box`) is grown by the distance
  wide enough at the latitude of the north of the Netherlands; callers
  measure the exact distances.

Only the functions here write PostGIS SQL; :mod:`abcd.store` calls them when
its database has those columns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Final

import pandas as pd
from sqlalchemy import Connection, TextClause, text

from abcd.model import Category, Status
from abcd.places import TOLERANCE_M

_NORTH_LAT: Final = 54.0  # no Dutch address lies further north: a box grown for it is wide enough everywhere
_SLACK: Final = 1.01  # RD's scale differs from true metres by less than this


def has_geometry(conn: Connection) -> bool:
    """Whether this PostgreSQL database has the RD geometry columns yet (a schema before ``0014`` has not)."""
    query = (
        "SELECT EXISTS (SELECT 1 FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = 'assets' AND column_name = 'geom_rd')"
    )
    return bool(conn.execute(text(query)).scalar_one())


def degrees(metres: float) -> tuple[float, float]:
    """How many degrees of longitude and latitude cover ``metres`` anywhere in the Netherlands (a box margin)."""
    return (
        _SLACK * metres / (111_320 * math.cos(math.radians(_NORTH_LAT))) + 1e-7,
        _SLACK * metres / 110_574 + 1e-7,
    )


# The membership rule of abcd.places.AreaIndex over a set of points ``p(id, rd)``, all in RD New as there.
_MEMBERSHIP: Final = """
c AS MATERIALIZED (
    SELECT p.id, w.slug, w.kind, ST_Intersects(w.boundary_rd, p.rd) AS inside
    FROM wijken w  -- area by area, so that PostGIS prepares each boundary once for all its points
    CROSS JOIN LATERAL ({near_area}) AS p
    WHERE w.boundary_rd && (SELECT ST_Expand(ST_Extent(rd)::geometry, :tolerance) FROM p)
),
k AS (
    SELECT c.*, bool_or(inside) OVER (PARTITION BY id, kind) AS kind_covered FROM c
),
member AS (
    SELECT id, slug FROM k WHERE inside
    UNION
    SELECT id, slug FROM (
        SELECT DISTINCT ON (k.id, k.kind) k.id, k.slug
        FROM k JOIN wijken w ON w.slug = k.slug JOIN p ON p.id = k.id
        WHERE NOT k.kind_covered AND ST_DWithin(w.boundary_rd, p.rd, :tolerance)
        ORDER BY k.id, k.kind, ST_Distance(w.boundary_rd, p.rd), k.slug
    ) AS nearest
)
"""


def _membership(points: str, near_area: str) -> str:
    """The membership query over the points ``points``; ``near_area`` selects those near area ``w`` (by an index)."""
    return f"WITH p AS ({points}),{_MEMBERSHIP.format(near_area=near_area)}"


def _tolerance() -> dict[str, float]:
    return {"tolerance": TOLERANCE_M}


def place(conn: Connection, asset_ids: Sequence[str]) -> None:
    """Write ``asset_areas`` for ``asset_ids`` (their old rows deleted first), in the caller's transaction."""
    if not asset_ids:
        return
    ids = sorted(set(asset_ids))
    conn.execute(text("DELETE FROM asset_areas WHERE asset_id = ANY(:ids)"), {"ids": ids})
    query = _membership(
        "SELECT id, geom_rd AS rd FROM assets WHERE id = ANY(:ids)",
        "SELECT a.id, a.geom_rd AS rd FROM assets a "
        "WHERE a.geom_rd && ST_Expand(w.boundary_rd, :tolerance) AND a.id = ANY(:ids)",
    )
    conn.execute(
        text(f"{query} INSERT INTO asset_areas (asset_id, wijk) SELECT id, slug FROM member ORDER BY id, slug"),
        {"ids": ids, **_tolerance()},
    )


def areas_at(conn: Connection, lon: float, lat: float) -> tuple[str, ...]:
    """The slugs of the stored areas a point lies in, sorted (for an asset not stored yet)."""
    query = _membership(
        "SELECT '' AS id, ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 28992) AS rd",
        "SELECT p.id, p.rd FROM p WHERE p.rd && ST_Expand(w.boundary_rd, :tolerance)",
    )
    rows = conn.execute(
        text(f"{query} SELECT slug FROM member ORDER BY slug"), {"lon": lon, "lat": lat, **_tolerance()}
    )
    return tuple(rows.scalars())


def near_box(bounds: tuple[float, float, float, float], margin_m: float) -> TextClause:
    """A condition on ``assets``: its point, or its area, comes within the box ``bounds`` grown by ``margin_m``.

    By the GiST indexes; in degrees, so a little wider than the metres
    (callers measure the real distances, as on SQLite).
    """
    dx, dy = degrees(margin_m)
    minx, miny, maxx, maxy = bounds
    box = "ST_MakeEnvelope(:near_minx, :near_miny, :near_maxx, :near_maxy, 4326)"
    return text(f"(assets.geom && {box} OR assets.area_geom && {box})").bindparams(
        near_minx=minx - dx, near_miny=miny - dy, near_maxx=maxx + dx, near_maxy=maxy + dy
    )


# A counted initiative (abcd.model.counts_as_initiative) in SQL, over ``assets`` as ``a``.
_COUNTED: Final = (
    f"a.deleted_at IS NULL AND a.category = '{Category.INITIATIVE.value}' "
    f"AND a.resident_led IS DISTINCT FROM false AND a.status <> '{Status.PENDING.value}'"
)


def assets_near_street(
    conn: Connection, street_ids: Sequence[int], distance_m: float, *, categories: Sequence[str] = ()
) -> list[tuple[str, float]]:
    """Live assets within ``distance_m`` of the street segments ``street_ids``: (id, metres), nearest first.

    The distance is from the nearest segment to the asset's point or, for an
    initiative with an area of activity, to the nearer of point and area.
    """
    if not street_ids:
        return []
    only = "AND a.category = ANY(:categories)" if categories else ""
    query = f"""
        WITH s AS (SELECT geom_rd FROM streets WHERE id = ANY(:streets)),
        found AS (
            SELECT a.id, ST_Distance(s.geom_rd, a.geom_rd) AS metres
            FROM s JOIN assets a ON ST_DWithin(s.geom_rd, a.geom_rd, :distance)
            WHERE a.deleted_at IS NULL {only}
            UNION ALL
            SELECT a.id, ST_Distance(s.geom_rd, a.area_rd)
            FROM s JOIN assets a ON ST_DWithin(s.geom_rd, a.area_rd, :distance)
            WHERE a.deleted_at IS NULL {only}
        )
        SELECT id, min(metres) AS metres FROM found GROUP BY id ORDER BY metres, id
    """
    params = {"streets": list(street_ids), "distance": distance_m, "categories": list(categories)}
    return [(str(i), float(m)) for i, m in conn.execute(text(query), params).all()]


def street_counts(
    conn: Connection, distance_m: float, *, wijk: str | None = None, active_since: date | None = None
) -> pd.DataFrame:
    """For every street segment of every wijk (or of ``wijk``), the counted initiatives within ``distance_m``.

    The straight-line count of :func:`abcd.gaps.street_coverage`, done in
    the database: one row per segment of a wijk's own streets (``id``,
    ``wijk``, ``name``, ``length_m``, ``initiatives``), an initiative
    counting when its point or its area of activity comes within the
    distance; with ``active_since``, only initiatives confirmed on or after
    that day (:mod:`abcd.freshness`). A whole country's gap figures without
    loading its streets into a process.
    """
    query, params = _counts_query(distance_m, wijk=wijk, active_since=active_since)
    rows = conn.execute(text(f"{query} ORDER BY id"), params).all()
    columns = ["id", "wijk", "name", "length_m", "initiatives"]
    return pd.DataFrame(rows, columns=columns).astype({"id": "int64", "length_m": "float64", "initiatives": "int64"})


def wijk_figures(conn: Connection, distance_m: float, *, active_since: date | None = None) -> pd.DataFrame:
    """Per wijk, the gap figures of :func:`street_counts`, summed in the database (3,340 rows, not 1.5 million).

    Columns as :func:`abcd.gapmap.wijk_figures_of` gives them, by wijk.
    """
    query, params = _counts_query(distance_m, wijk=None, active_since=active_since)
    summed = f"""
        SELECT wijk, count(*) AS segments, count(*) FILTER (WHERE initiatives = 0) AS segments_without,
               sum(length_m) AS length_m, coalesce(sum(length_m) FILTER (WHERE initiatives = 0), 0) AS length_without_m,
               avg(initiatives) AS mean_initiatives
        FROM ({query}) AS counts GROUP BY wijk ORDER BY wijk
    """
    rows = conn.execute(text(summed), params).all()
    return pd.DataFrame(rows, columns=list(FIGURES)).astype(FIGURES)


FIGURES: Final = {
    "wijk": "object",
    "segments": "int64",
    "segments_without": "int64",
    "length_m": "float64",
    "length_without_m": "float64",
    "mean_initiatives": "float64",
}
"""The per-wijk gap figures (:func:`wijk_figures`) and their types."""


def _counts_query(distance_m: float, *, wijk: str | None, active_since: date | None) -> tuple[str, dict[str, object]]:
    """The SELECT of :func:`street_counts` (unordered) and its parameters."""
    own = "s.in_wijk" + (" AND s.wijk = :wijk" if wijk is not None else "")
    fresh = "AND a.last_confirmed >= :since" if active_since is not None else ""
    query = f"""
        WITH hit AS (
            SELECT s.id AS street, a.id AS asset
            FROM streets s JOIN assets a ON ST_DWithin(s.geom_rd, a.geom_rd, :distance)
            WHERE {own} AND {_COUNTED} {fresh}
            UNION
            SELECT s.id, a.id
            FROM streets s JOIN assets a ON ST_DWithin(s.geom_rd, a.area_rd, :distance)
            WHERE {own} AND {_COUNTED} {fresh}
        ),
        counted AS (SELECT street, count(*) AS initiatives FROM hit GROUP BY street)
        SELECT s.id, s.wijk, s.name, ST_Length(s.geom_rd) AS length_m, coalesce(counted.initiatives, 0) AS initiatives
        FROM streets s LEFT JOIN counted ON counted.street = s.id
        WHERE {own}
    """
    since = active_since.isoformat() if active_since is not None else None
    return query, {"distance": distance_m, "wijk": wijk, "since": since}


__all__ = [
    "FIGURES",
    "areas_at",
    "assets_near_street",
    "degrees",
    "has_geometry",
    "near_box",
    "place",
    "street_counts",
    "wijk_figures",
]
