"""The OpenStreetMap object an asset came from.

Revision ID: 0011_osm_id
Revises: 0010_walks
Create Date: 2026-12-01

``assets.osm_id`` is ``node/123``, ``way/456`` or ``relation/789`` for a
candidate proposed from an OpenStreetMap extract (``abcd osm import``), so a
second run updates that candidate instead of proposing it again; empty for
everything else.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_osm_id"
down_revision = "0010_walks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assets", sa.Column("osm_id", sa.String(40), nullable=True))
    op.create_index("ix_assets_osm_id", "assets", ["osm_id"])


def downgrade() -> None:
    op.drop_index("ix_assets_osm_id", table_name="assets")
    with op.batch_alter_table("assets") as batch:
        batch.drop_column("osm_id")
