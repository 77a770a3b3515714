"""Initial schema: wijken, their streets, assets, asset history and a key/value meta table.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wijken",
        sa.Column("slug", sa.String(100), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("cbs_code", sa.String(20), nullable=True),
        sa.Column("population", sa.Integer, nullable=True),
        sa.Column("boundary_wkb", sa.LargeBinary, nullable=False),
        sa.Column("loaded_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "streets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("wijk", sa.String(100), sa.ForeignKey("wijken.slug", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(300), nullable=True),
        sa.Column("highway", sa.String(100), nullable=True),
        sa.Column("osm_id", sa.String(200), nullable=True),
        sa.Column("geometry_wkb", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_streets_wijk", "streets", ["wijk"])
    op.create_table(
        "assets",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("area_wkb", sa.LargeBinary, nullable=True),
        sa.Column("wijk", sa.String(100), sa.ForeignKey("wijken.slug"), nullable=False),
        sa.Column("resident_led", sa.Boolean, nullable=True),
        sa.Column("meeting_place_role", sa.String(20), nullable=True),
        sa.Column("contact", sa.String(300), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("deleted_at", sa.String(32), nullable=True),
        sa.Column("deleted_by", sa.String(100), nullable=True),
    )
    op.create_index("ix_assets_wijk_category", "assets", ["wijk", "category"])
    op.create_table(
        "asset_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("asset_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=False),
        sa.Column("changed_at", sa.String(32), nullable=False),
        sa.Column("old_values", sa.Text, nullable=True),
        sa.Column("new_values", sa.Text, nullable=True),
    )
    op.create_index("ix_asset_history_asset", "asset_history", ["asset_id", "version"])
    op.create_table(
        "meta",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("meta")
    op.drop_table("asset_history")
    op.drop_table("assets")
    op.drop_table("streets")
    op.drop_table("wijken")
