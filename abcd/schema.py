"""Database tables (SQLAlchemy Core), shared by the store and the migrations.

The tables of versioned records (assets, investments, accounts) and their
history tables are built from the records' declared fields
(:func:`versioned_table`, :func:`history_table`), so a new field is one line
on its record plus its migration; ``tests/test_schema.py`` checks that the
migrations build exactly these tables.

Geometry is kept portable: a point as ``lon``/``lat`` columns and areas,
boundaries and streets as WKB. SQLite in this environment cannot load
SpatiaLite, and the same schema then runs unchanged on PostgreSQL. Times are
ISO-8601 UTC text, which sorts correctly and round-trips exactly on both.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from shapely.geometry.base import BaseGeometry
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
from sqlalchemy.sql.expression import true
from sqlalchemy.types import TypeEngine

from abcd.connections.model import ConnectionFields
from abcd.investments.model import InvestmentFields
from abcd.model import AssetFields
from abcd.permissions import AccountFields
from abcd.records import ACTOR_MAX, STAMP_MAX, FieldInfo, declared_columns


def _sql_type(base: Any, info: FieldInfo) -> TypeEngine[Any]:
    if base is str or (isinstance(base, type) and issubclass(base, enum.Enum)):
        return Text() if info.long_text else String(info.max_length)
    if base is bool:
        return Boolean()
    if base is int:
        return BigInteger() if info.big else Integer()
    if base is float:
        return Float()
    if base is dt.date:
        return String(10)
    if base is dt.datetime:
        return String(STAMP_MAX)
    if base is BaseGeometry:
        return LargeBinary()
    if getattr(base, "__origin__", None) is frozenset:
        return Text()
    msg = f"no SQL type for {base!r}"
    raise TypeError(msg)


def _bookkeeping() -> list[Column[Any]]:
    return [
        Column("version", Integer, nullable=False),
        Column("created_by", String(ACTOR_MAX), nullable=False),
        Column("created_at", String(STAMP_MAX), nullable=False),
        Column("updated_by", String(ACTOR_MAX), nullable=False),
        Column("updated_at", String(STAMP_MAX), nullable=False),
        Column("deleted_at", String(STAMP_MAX), nullable=True),
        Column("deleted_by", String(ACTOR_MAX), nullable=True),
    ]


def versioned_table(name: str, key: Column[Any], fields: type, *extra: Any, meta: MetaData | None = None) -> Table:
    """The table of a versioned record: its key, its declared fields, the bookkeeping and ``extra``."""
    declared = [
        Column(
            column,
            _sql_type(base, info),
            *([ForeignKey(info.references, ondelete=info.on_delete)] if info.references else []),
            nullable=nullable,
        )
        for column, base, info, nullable in declared_columns(fields)
    ]
    return Table(name, metadata if meta is None else meta, key, *declared, *_bookkeeping(), *extra)


def history_table(name: str, key: Column[Any], *extra: Any, meta: MetaData | None = None) -> Table:
    """The history table of a versioned record: one row per change, with old and new values as JSON."""
    return Table(
        name,
        metadata if meta is None else meta,
        Column("id", Integer, primary_key=True, autoincrement=True),
        key,
        Column("version", Integer, nullable=False),
        Column("action", String(20), nullable=False),
        Column("changed_by", String(ACTOR_MAX), nullable=False),
        Column("changed_at", String(STAMP_MAX), nullable=False),
        Column("old_values", Text, nullable=True),
        Column("new_values", Text, nullable=True),
        *extra,
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
    Column("gemeente", String(200), nullable=True),
    Column("streets_loaded_at", String(32), nullable=True),  # None: the boundary is known, its streets not yet
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
    # False: a segment within walking reach around the wijk, kept so a walk may cross its border.
    Column("in_wijk", Boolean, nullable=False, default=True, server_default=true()),
    Index("ix_streets_wijk", "wijk"),
)

assets = versioned_table(
    "assets",
    Column("id", String(36), primary_key=True),
    AssetFields,
    Index("ix_assets_lon_lat", "lon", "lat"),
    Index("ix_assets_category", "category"),
    Index("ix_assets_osm_id", "osm_id"),
)

# Every area an asset lies in, derived from its location (abcd.places) and kept
# up to date by the store whenever a location or an area changes: what makes
# the view of one area fast, never a second truth about where an asset is.
asset_areas = Table(
    "asset_areas",
    metadata,
    Column("asset_id", String(36), ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    Column("wijk", String(100), ForeignKey("wijken.slug", ondelete="CASCADE"), primary_key=True),
    Index("ix_asset_areas_wijk", "wijk"),
)

asset_history = history_table(
    "asset_history",
    Column("asset_id", String(36), nullable=False),
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

users = versioned_table(
    "users",
    Column("username", String(200), primary_key=True),
    AccountFields,
    # When the latest failed log-in was (abcd.accounts forgets failures a while after it); not part of the record.
    Column("last_failed_at", String(STAMP_MAX), nullable=True),
)

# Who changed an account how (role, wijken, password reset; never the hash itself).
user_history = history_table(
    "user_history",
    Column("username", String(200), nullable=False),
    Index("ix_user_history_username", "username", "version"),
)

# Failed log-ins for names without an account with a password (abcd.accounts): they lock out exactly like an
# account, so the answer never tells which names exist. Keyed by a salted hash; a typed name is never stored.
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("name_key", String(64), primary_key=True),
    Column("failed_attempts", Integer, nullable=False, server_default="0"),
    Column("locked_until", String(STAMP_MAX), nullable=True),
    Column("last_failed_at", String(STAMP_MAX), nullable=True),
    Index("ix_login_throttle_last_failed_at", "last_failed_at"),
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
investments = versioned_table(
    "investments",
    Column("id", String(36), primary_key=True),
    InvestmentFields,
    CheckConstraint("amount_cents >= 0", name="ck_investments_amount_cents"),
    Index("ix_investments_meeting_place", "meeting_place_id"),
)

investment_history = history_table(
    "investment_history",
    Column("investment_id", String(36), ForeignKey("investments.id", ondelete="CASCADE"), nullable=False),
    Index("ix_investment_history_investment", "investment_id", "version"),
)

# A wijk's own initiative themes (abcd.themes); the built-in ones are in the code and the catalogues.
themes = Table(
    "themes",
    metadata,
    Column("code", String(30), primary_key=True),
    Column("label_nl", String(60), nullable=False),
    Column("label_en", String(60), nullable=True),
    Column("created_by", String(ACTOR_MAX), nullable=False),
    Column("created_at", String(STAMP_MAX), nullable=False),
)

# Effort plans as recorded (abcd.effort.saved): the parameters, and per street what it got and which
# initiatives were within reach, so the next plan can say what changed and why. Never edited.
effort_plans = Table(
    "effort_plans",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("wijk", String(100), ForeignKey("wijken.slug", ondelete="CASCADE"), nullable=False),
    Column("wijk_name", String(200), nullable=True),  # as the plan's files name it
    Column("theme", String(30), nullable=True),  # None: every resident initiative
    Column("unit", String(10), nullable=False),
    Column("period", String(10), nullable=False),
    Column("total_hundredths", BigInteger, nullable=False),
    Column("floor", Float, nullable=False),
    Column("mode", String(20), nullable=False),
    Column("distance_m", Float, nullable=False),
    Column("day", String(10), nullable=False),
    Column("created_by", String(ACTOR_MAX), nullable=False),
    Column("created_at", String(STAMP_MAX), nullable=False),
    Index("ix_effort_plans_wijk_theme", "wijk", "theme", "created_at"),
)

effort_plan_streets = Table(
    "effort_plan_streets",
    metadata,
    Column("plan_id", String(36), ForeignKey("effort_plans.id", ondelete="CASCADE"), primary_key=True),
    Column("street", String(300), primary_key=True),
    Column("length_m", Float, nullable=False),
    Column("effort_hundredths", BigInteger, nullable=False),
    Column("initiative_ids", Text, nullable=False),  # comma-separated asset ids within reach
)

# Connections between assets (abcd.connections): versioned like assets. Erasing an asset for good (a resident's
# erasure, the examples' removal) erases its connections and their history with it.
connections = versioned_table(
    "connections",
    Column("id", String(36), primary_key=True),
    ConnectionFields,
    Index("ix_connections_from", "from_id"),
    Index("ix_connections_to", "to_id"),
)

connection_history = history_table(
    "connection_history",
    Column("connection_id", String(36), ForeignKey("connections.id", ondelete="CASCADE"), nullable=False),
    Index("ix_connection_history_connection", "connection_id", "version"),
)

# Photos of assets (abcd.photos): re-encoded JPEGs without any metadata, and their thumbnails. A photo is
# personal data: it goes with its asset when that is erased, and removing one removes it for good. A photo
# with recognisable people carries their consent (the fields of the resident's consent in ``consents``).
photos = Table(
    "photos",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("asset_id", String(36), ForeignKey("assets.id", ondelete="CASCADE"), nullable=False),
    Column("image", LargeBinary, nullable=False),
    Column("thumbnail", LargeBinary, nullable=False),
    Column("content_type", String(50), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("thumb_width", Integer, nullable=False),
    Column("thumb_height", Integer, nullable=False),
    Column("shows_people", Boolean, nullable=False),
    Column("consent_date", String(10), nullable=True),
    Column("consent_recorded_by", String(ACTOR_MAX), nullable=True),
    Column("consent_purpose", String(300), nullable=True),
    Column("consent_text_version", String(50), nullable=True),
    Column("consent_under_16", Boolean, nullable=True),
    Column("consent_parent_consent", Boolean, nullable=True),
    Column("created_by", String(ACTOR_MAX), nullable=False),
    Column("created_at", String(STAMP_MAX), nullable=False),
    CheckConstraint("NOT shows_people OR consent_date IS NOT NULL", name="ck_photos_consent"),
    Index("ix_photos_asset", "asset_id", "created_at"),
)

# Walks of builders through their wijk (abcd.walks). A walk's track is personal data of the walker: it is
# kept for the configured months and then the walk is deleted (abcd.walks.register.reduce_old_walks), which
# leaves only the per-street dates: a street_walks row loses its walk_id and tells no more than "this street
# was walked on this day". Streets are keyed as the gap table names them (abcd.walks.streets.street_keys).
walks = Table(
    "walks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("wijk", String(100), ForeignKey("wijken.slug", ondelete="CASCADE"), nullable=False),
    Column("walker", String(ACTOR_MAX), nullable=False),  # the account that walked
    Column("source", String(10), nullable=False),  # "app" (recorded in the app) or "gpx"
    Column("started_at", String(STAMP_MAX), nullable=True),  # None: a track without times
    Column("ended_at", String(STAMP_MAX), nullable=True),
    Column("walked_on", String(10), nullable=False),  # the day the streets got (Amsterdam)
    Column("length_m", Float, nullable=False),
    Column("track_wkb", LargeBinary, nullable=False),  # WGS84
    Column("created_at", String(STAMP_MAX), nullable=False),
    Index("ix_walks_wijk_walked_on", "wijk", "walked_on"),
    Index("ix_walks_walked_on", "walked_on"),
)

street_walks = Table(
    "street_walks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("wijk", String(100), ForeignKey("wijken.slug", ondelete="CASCADE"), nullable=False),
    Column("street", String(300), nullable=False),
    Column("walked_on", String(10), nullable=False),
    Column("walk_id", String(36), ForeignKey(walks.c.id, ondelete="SET NULL"), nullable=True),  # None: reduced
    Index("ix_street_walks_wijk_street", "wijk", "street", "walked_on"),
    Index("ix_street_walks_walk", "walk_id"),
)

# Imports as batches (abcd.batches): every import is one batch with an id, so it can be listed and undone. A
# batch's assets are what it added ("create") or changed ("update"), each with the version the import left it
# at: undoing is refused for an asset someone changed since, and a re-import of a KoboToolbox/ODK export may
# update only what is still as the last import left it. Erasing an asset takes its batch rows with it.
import_batches = Table(
    "import_batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),  # "file", "kobo", "odk", "osm"
    Column("source", String(300), nullable=False),  # the file's name, as the user gave it
    Column("rows", Integer, nullable=False),  # rows in the file
    Column("created", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("imported_by", String(ACTOR_MAX), nullable=False),
    Column("imported_at", String(STAMP_MAX), nullable=False),
    Column("undone_by", String(ACTOR_MAX), nullable=True),
    Column("undone_at", String(STAMP_MAX), nullable=True),
)

import_batch_assets = Table(
    "import_batch_assets",
    metadata,
    Column("batch_id", Integer, ForeignKey(import_batches.c.id, ondelete="CASCADE"), primary_key=True),
    Column("asset_id", String(36), ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    Column("action", String(10), nullable=False),  # "create" or "update"
    Column("version", Integer, nullable=False),  # the asset's version right after the import
    Index("ix_import_batch_assets_asset", "asset_id", "batch_id"),
)
