"""Database tables (SQLAlchemy Core), shared by the store and the migrations.

Geometry is kept portable: a point as ``lon``/``lat`` columns and areas,
boundaries and streets as WKB. SQLite in this environment cannot load
SpatiaLite, and the same schema then runs unchanged on PostgreSQL. Times are
ISO-8601 UTC text, which sorts correctly and round-trips exactly on both.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

wijken = Table(
    "wijken",
    metadata,
    Column("slug", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("cbs_code", String(20), nullable=True),
    Column("population", Integer, nullable=True),
    Column("boundary_wkb", LargeBinary, nullable=False),
    Column("loaded_at", String(32), nullable=False),
)

streets = Table(
    "streets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("wijk", String(100), ForeignKey("wijken.slug", ondelete="CASCADE"), nullable=False),
    Column("name", String(300), nullable=True),
    Column("highway", String(100), nullable=True),
    Column("osm_id", String(200), nullable=True),
    Column("geometry_wkb", LargeBinary, nullable=False),
    Index("ix_streets_wijk", "wijk"),
)

assets = Table(
    "assets",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("category", String(30), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("area_wkb", LargeBinary, nullable=True),
    Column("wijk", String(100), ForeignKey("wijken.slug"), nullable=False),
    Column("resident_led", Boolean, nullable=True),
    Column("meeting_place_role", String(20), nullable=True),
    Column("contact", String(300), nullable=True),
    Column("source", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("deleted_at", String(32), nullable=True),
    Column("deleted_by", String(100), nullable=True),
    Index("ix_assets_wijk_category", "wijk", "category"),
)

asset_history = Table(
    "asset_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asset_id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("action", String(20), nullable=False),
    Column("changed_by", String(100), nullable=False),
    Column("changed_at", String(32), nullable=False),
    Column("old_values", Text, nullable=True),
    Column("new_values", Text, nullable=True),
    Index("ix_asset_history_asset", "asset_id", "version"),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)
