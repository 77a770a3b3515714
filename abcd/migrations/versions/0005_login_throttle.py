"""Log-in lock-out for every name: when an account last failed, and a throttle for names without an account.

Revision ID: 0005_login_throttle
Revises: 0004_assets_are_places
Create Date: 2026-12-02

``users.last_failed_at`` lets a run of failures be forgotten a while after the
last one (the same rule for every name). ``login_throttle`` counts failed
log-ins for names that have no account with a password, keyed by a salted
hash of the name, so a lock-out message never tells which names exist and no
typed name is stored. Existing accounts keep their counters.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_login_throttle"
down_revision = "0004_assets_are_places"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("last_failed_at", sa.String(32), nullable=True))
    op.create_table(
        "login_throttle",
        sa.Column("name_key", sa.String(64), primary_key=True),
        sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.String(32), nullable=True),
        sa.Column("last_failed_at", sa.String(32), nullable=True),
    )
    op.create_index("ix_login_throttle_last_failed_at", "login_throttle", ["last_failed_at"])


def downgrade() -> None:
    op.drop_index("ix_login_throttle_last_failed_at", table_name="login_throttle")
    op.drop_table("login_throttle")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("last_failed_at")
