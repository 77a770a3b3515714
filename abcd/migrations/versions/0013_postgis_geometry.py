"""PostGIS geometry columns on PostgreSQL, generated from the portable ones; nothing on SQLite.

Revision ID: 0013_postgis_geometry
Revises: 0012_import_batches
Create Date: 2026-12-02

The app keeps writing a point as ``lon``/``lat`` and areas, boundaries and
streets as WKB, on SQLite and PostgreSQL alike (one schema, one set of
migrations). On PostgreSQL this revision switches PostGIS on (``CREATE
EXTENSION postgis``; refused with a clear message when it is not installed or
not ours to switch on) and adds geometry columns that PostgreSQL computes from
those on every write (``GENERATED ALWAYS AS ... STORED``), typed and in
EPSG:4326 so that QGIS and GDAL open them as layers of the right kind, each
with a GiST index for spatial SQL:

- ``assets.geom``: ``geometry(Point, 4326)`` from ``lon``, ``lat``;
- ``assets.area_geom``: ``geometry(Geometry, 4326)`` from ``area_wkb`` (an area or a line, or none);
- ``wijken.boundary_geom``: ``geometry(MultiPolygon, 4326)`` from ``boundary_wkb``;
- ``streets.geom``: ``geometry(MultiLineString, 4326)`` from ``geometry_wkb``.

Boundaries and streets are made multi (and any other parts dropped) so that
one typed column takes every row; Z values are dropped. SQLite cannot load
SpatiaLite here and is left exactly as it was: :mod:`abcd.schema` declares
what every database has, and a schema comparison leaves these columns out
(:func:`abcd.db.portable_schema_object`).
"""

from __future__ import annotations

from alembic import op

revision = "0013_postgis_geometry"
down_revision = "0012_import_batches"
branch_labels = None
depends_on = None

# (table, column, geometry type, expression over the portable columns). Only immutable functions:
# a generated column may use no other.
COLUMNS = (
    ("assets", "geom", "Point", "ST_SetSRID(ST_MakePoint(lon, lat), 4326)"),
    ("assets", "area_geom", "Geometry", "ST_SetSRID(ST_Force2D(ST_GeomFromWKB(area_wkb)), 4326)"),
    (
        "wijken",
        "boundary_geom",
        "MultiPolygon",
        "ST_SetSRID(ST_Multi(ST_CollectionExtract(ST_Force2D(ST_GeomFromWKB(boundary_wkb)), 3)), 4326)",
    ),
    (
        "streets",
        "geom",
        "MultiLineString",
        "ST_SetSRID(ST_Multi(ST_CollectionExtract(ST_Force2D(ST_GeomFromWKB(geometry_wkb)), 2)), 4326)",
    ),
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from abcd.db import require_postgis

    require_postgis(bind)
    for table, column, kind, expression in COLUMNS:
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} geometry({kind}, 4326) GENERATED ALWAYS AS ({expression}) STORED"
        )
        op.execute(f"CREATE INDEX gix_{table}_{column} ON {table} USING gist ({column})")


def downgrade() -> None:
    # The extension stays: other objects in the database may use it, and it holds no data of ours.
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, _kind, _expression in reversed(COLUMNS):
        op.execute(f"DROP INDEX IF EXISTS gix_{table}_{column}")
        op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column}")
