"""Trust: moderation status, people's buurt and consent, local accounts and login sessions.

Revision ID: 0002_trust
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_trust"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): SQLite does it in place, so the
    # foreign keys pointing at these tables stay valid and no data is copied.
    op.add_column("wijken", sa.Column("requires_approval", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("assets", sa.Column("status", sa.String(20), nullable=False, server_default="approved"))
    op.add_column("assets", sa.Column("buurt", sa.String(100), nullable=True))
    op.add_column("assets", sa.Column("linked_asset_id", sa.String(36), nullable=True))
    op.create_table(
        "consents",
        sa.Column("asset_id", sa.String(36), sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("consent_date", sa.String(10), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("purpose", sa.String(300), nullable=False),
        sa.Column("text_version", sa.String(50), nullable=False),
        sa.Column("under_16", sa.Boolean, nullable=False),
        sa.Column("parent_consent", sa.Boolean, nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("username", sa.String(200), primary_key=True),
        sa.Column("password_hash", sa.String(300), nullable=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("wijken", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.String(32), nullable=True),
        sa.Column("last_login_at", sa.String(32), nullable=True),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(200), sa.ForeignKey("users.username", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("expires_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sessions")
    op.drop_table("users")
    op.drop_table("consents")
    with op.batch_alter_table("assets") as batch:
        batch.drop_column("linked_asset_id")
        batch.drop_column("buurt")
        batch.drop_column("status")
    with op.batch_alter_table("wijken") as batch:
        batch.drop_column("requires_approval")
