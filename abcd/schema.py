"""Database tables (SQLAlchemy Core), shared by the store and the migrations.

Geometry is kept portable: a point as ``lon``/``lat`` columns and areas,
boundaries and streets as WKB. SQLite in this environment cannot load
SpatiaLite, and the same schema then runs unchanged on PostgreSQL. Times are
ISO-8601 UTC text, which sorts correctly and round-trips exactly on both.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
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
    Column("requires_approval", Boolean, nullable=False, default=False, server_default="0"),
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
    Column("status", String(20), nullable=False, default="approved", server_default="approved"),
    Column("buurt", String(100), nullable=True),
    Column("linked_asset_id", String(36), nullable=True),
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

# Consent of a resident to be on the map (category person); erased with the person.
consents = Table(
    "consents",
    metadata,
    Column("asset_id", String(36), ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    Column("consent_date", String(10), nullable=False),
    Column("recorded_by", String(100), nullable=False),
    Column("purpose", String(300), nullable=False),
    Column("text_version", String(50), nullable=False),
    Column("under_16", Boolean, nullable=False),
    Column("parent_consent", Boolean, nullable=False),
    Column("recorded_at", String(32), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("username", String(200), primary_key=True),
    Column("password_hash", String(300), nullable=True),  # None: single sign-on only
    Column("role", String(20), nullable=False),
    Column("wijken", Text, nullable=False, default="", server_default=""),  # comma-separated; empty = all
    Column("created_at", String(32), nullable=False),
    Column("failed_attempts", Integer, nullable=False, default=0, server_default="0"),
    Column("locked_until", String(32), nullable=True),
    Column("last_login_at", String(32), nullable=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the cookie token; the token itself is never stored
    Column("username", String(200), ForeignKey("users.username", ondelete="CASCADE"), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
)

# Money to meeting places (abcd.investments.ledger). Amounts are integer cents, never floats;
# the date is ISO text. Erasing a meeting place for good erases its investments.
investments = Table(
    "investments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("meeting_place_id", String(36), ForeignKey("assets.id", ondelete="CASCADE"), nullable=False),
    Column("date", String(10), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("funder", String(30), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("space_m2", Float, nullable=True),
    Column("hours_per_week", Float, nullable=True),
    Column("note", Text, nullable=False, default=""),
    Column("version", Integer, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("deleted_at", String(32), nullable=True),
    Column("deleted_by", String(100), nullable=True),
    CheckConstraint("amount_cents >= 0", name="ck_investments_amount_cents"),
    Index("ix_investments_meeting_place", "meeting_place_id"),
)

investment_history = Table(
    "investment_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("investment_id", String(36), ForeignKey("investments.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("action", String(20), nullable=False),
    Column("changed_by", String(100), nullable=False),
    Column("changed_at", String(32), nullable=False),
    Column("old_values", Text, nullable=True),
    Column("new_values", Text, nullable=True),
    Index("ix_investment_history_investment", "investment_id", "version"),
)
