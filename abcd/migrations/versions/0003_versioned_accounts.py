"""Accounts become versioned records: a version, who changed them when, soft delete, and a history.

Revision ID: 0003_versioned_accounts
Revises: 0002_investments
Create Date: 2026-12-01

Existing accounts start at version 1, created and last changed by ``abcd``
at the moment they were created; their history starts with the next change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_versioned_accounts"
down_revision = "0002_investments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN with defaults for the rows already there (no table rebuild).
    op.add_column("users", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    op.add_column("users", sa.Column("created_by", sa.String(100), nullable=False, server_default="abcd"))
    op.add_column("users", sa.Column("updated_by", sa.String(100), nullable=False, server_default="abcd"))
    op.add_column("users", sa.Column("updated_at", sa.String(32), nullable=False, server_default=""))
    op.add_column("users", sa.Column("deleted_at", sa.String(32), nullable=True))
    op.add_column("users", sa.Column("deleted_by", sa.String(100), nullable=True))
    op.execute("UPDATE users SET updated_at = created_at")
    op.create_table(
        "user_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=False),
        sa.Column("changed_at", sa.String(32), nullable=False),
        sa.Column("old_values", sa.Text, nullable=True),
        sa.Column("new_values", sa.Text, nullable=True),
    )
    op.create_index("ix_user_history_username", "user_history", ["username", "version"])


def downgrade() -> None:
    op.drop_index("ix_user_history_username", table_name="user_history")
    op.drop_table("user_history")
    with op.batch_alter_table("users") as batch:
        for column in ("deleted_by", "deleted_at", "updated_at", "updated_by", "created_by", "version"):
            batch.drop_column(column)
