"""Themes of resident initiatives, and recorded effort plans.

Revision ID: 0006_themes_and_effort_plans
Revises: 0005_login_throttle
Create Date: 2026-12-01

``assets.themes`` holds an initiative's theme codes, comma-separated and
sorted (empty for every asset so far). ``themes`` keeps the themes a
coordinator adds to the built-in ones. ``effort_plans`` and
``effort_plan_streets`` record an effort plan with its parameters and, per
street, its effort and the initiatives within reach, so the next plan can be
compared with it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_themes_and_effort_plans"
down_revision = "0005_login_throttle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assets", sa.Column("themes", sa.Text, nullable=False, server_default=""))
    op.create_table(
        "themes",
        sa.Column("code", sa.String(30), primary_key=True),
        sa.Column("label_nl", sa.String(60), nullable=False),
        sa.Column("label_en", sa.String(60), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "effort_plans",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("wijk", sa.String(100), sa.ForeignKey("wijken.slug", ondelete="CASCADE"), nullable=False),
        sa.Column("wijk_name", sa.String(200), nullable=True),
        sa.Column("theme", sa.String(30), nullable=True),
        sa.Column("unit", sa.String(10), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("total_hundredths", sa.BigInteger, nullable=False),
        sa.Column("floor", sa.Float, nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("distance_m", sa.Float, nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_effort_plans_wijk_theme", "effort_plans", ["wijk", "theme", "created_at"])
    op.create_table(
        "effort_plan_streets",
        sa.Column("plan_id", sa.String(36), sa.ForeignKey("effort_plans.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("street", sa.String(300), primary_key=True),
        sa.Column("length_m", sa.Float, nullable=False),
        sa.Column("effort_hundredths", sa.BigInteger, nullable=False),
        sa.Column("initiative_ids", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("effort_plan_streets")
    op.drop_index("ix_effort_plans_wijk_theme", table_name="effort_plans")
    op.drop_table("effort_plans")
    op.drop_table("themes")
    with op.batch_alter_table("assets") as batch:
        batch.drop_column("themes")
