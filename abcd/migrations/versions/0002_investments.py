"""Investments: money and space given to meeting places, with their history.

Revision ID: 0002_investments
Revises: 0002_trust
Create Date: 2026-11-22

Both 0002 revisions were written at the same time; this one follows
``0002_trust`` so the history stays a single line (``alembic upgrade head``
needs one head).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_investments"
down_revision = "0002_trust"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "investments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("meeting_place_id", sa.String(36), sa.ForeignKey("assets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("date", sa.String(10), nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("funder", sa.String(30), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("space_m2", sa.Float, nullable=True),
        sa.Column("hours_per_week", sa.Float, nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("deleted_at", sa.String(32), nullable=True),
        sa.Column("deleted_by", sa.String(100), nullable=True),
        sa.CheckConstraint("amount_cents >= 0", name="ck_investments_amount_cents"),
    )
    op.create_index("ix_investments_meeting_place", "investments", ["meeting_place_id"])
    op.create_table(
        "investment_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("investment_id", sa.String(36), sa.ForeignKey("investments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=False),
        sa.Column("changed_at", sa.String(32), nullable=False),
        sa.Column("old_values", sa.Text, nullable=True),
        sa.Column("new_values", sa.Text, nullable=True),
    )
    op.create_index("ix_investment_history_investment", "investment_history", ["investment_id", "version"])


def downgrade() -> None:
    op.drop_table("investment_history")
    op.drop_table("investments")
