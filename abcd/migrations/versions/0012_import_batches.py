"""Imports as batches, so an import can be listed and undone.

Revision ID: 0012_import_batches
Revises: 0011_osm_id
Create Date: 2026-12-01

``import_batches`` holds one row per import (what kind of file, its name, who
and when, how many rows it had and how many assets it added and changed, and
when it was undone); ``import_batch_assets`` the assets it added or changed,
each with the version the import left it at.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_import_batches"
down_revision = "0011_osm_id"
branch_labels = None
depends_on = None


def upgrade() -> None:
    batches = op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("created", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("imported_at", sa.String(32), nullable=False),
        sa.Column("undone_by", sa.String(100), nullable=True),
        sa.Column("undone_at", sa.String(32), nullable=True),
    )
    op.create_table(
        "import_batch_assets",
        sa.Column("batch_id", sa.Integer, sa.ForeignKey(batches.c.id, ondelete="CASCADE"), primary_key=True),
        sa.Column("asset_id", sa.String(36), sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_import_batch_assets_asset", "import_batch_assets", ["asset_id", "batch_id"])


def downgrade() -> None:
    op.drop_index("ix_import_batch_assets_asset", table_name="import_batch_assets")
    op.drop_table("import_batch_assets")
    op.drop_table("import_batches")
