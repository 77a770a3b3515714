"""When a builder last saw an asset still there.

Revision ID: 0008_last_confirmed
Revises: 0007_connections
Create Date: 2026-12-01

``assets.last_confirmed`` is a date (``YYYY-MM-DD``), set when an asset is
stored and whenever a builder taps "nog actief". Assets stored before this
revision get the day they were last changed: the last day someone is known
to have looked at them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_last_confirmed"
down_revision = "0007_connections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assets", sa.Column("last_confirmed", sa.String(10), nullable=True))
    op.execute("UPDATE assets SET last_confirmed = substr(updated_at, 1, 10)")


def downgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        batch.drop_column("last_confirmed")
