"""Connections between assets, with their history.

Revision ID: 0007_connections
Revises: 0006_themes_and_effort_plans
Create Date: 2026-12-01

``connections`` holds typed ties between two assets (``member_of``,
``meets_at``, ``supports``, ``organised_by``, ``about``, ``works_with``,
``other``), versioned like assets; ``connection_history`` one row per change.
Both go with an asset that is erased for good.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_connections"
down_revision = "0006_themes_and_effort_plans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "connections",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("from_id", sa.String(36), sa.ForeignKey("assets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("to_id", sa.String(36), sa.ForeignKey("assets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("note", sa.String(300), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("deleted_at", sa.String(32), nullable=True),
        sa.Column("deleted_by", sa.String(100), nullable=True),
    )
    op.create_index("ix_connections_from", "connections", ["from_id"])
    op.create_index("ix_connections_to", "connections", ["to_id"])
    op.create_table(
        "connection_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("connection_id", sa.String(36), sa.ForeignKey("connections.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=False),
        sa.Column("changed_at", sa.String(32), nullable=False),
        sa.Column("old_values", sa.Text, nullable=True),
        sa.Column("new_values", sa.Text, nullable=True),
    )
    op.create_index("ix_connection_history_connection", "connection_history", ["connection_id", "version"])


def downgrade() -> None:
    op.drop_index("ix_connection_history_connection", table_name="connection_history")
    op.drop_table("connection_history")
    op.drop_index("ix_connections_to", table_name="connections")
    op.drop_index("ix_connections_from", table_name="connections")
    op.drop_table("connections")
