"""Walks of builders and the days each street was walked.

Revision ID: 0010_walks
Revises: 0009_photos
Create Date: 2026-12-01

``walks`` holds a walk (who, when, the track in WGS84 as WKB, where it came
from: the app's recorder or a GPX file); ``street_walks`` the day each street
it went along was walked, keyed by the street's name as the gap table names
it. A walk is deleted when its track is older than the configured retention;
its ``street_walks`` rows stay, without the walk.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_walks"
down_revision = "0009_photos"
branch_labels = None
depends_on = None


def upgrade() -> None:
    walks = op.create_table(
        "walks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("wijk", sa.String(100), sa.ForeignKey("wijken.slug", ondelete="CASCADE"), nullable=False),
        sa.Column("walker", sa.String(100), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("started_at", sa.String(32), nullable=True),
        sa.Column("ended_at", sa.String(32), nullable=True),
        sa.Column("walked_on", sa.String(10), nullable=False),
        sa.Column("length_m", sa.Float, nullable=False),
        sa.Column("track_wkb", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_walks_wijk_walked_on", "walks", ["wijk", "walked_on"])
    op.create_index("ix_walks_walked_on", "walks", ["walked_on"])
    op.create_table(
        "street_walks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("wijk", sa.String(100), sa.ForeignKey("wijken.slug", ondelete="CASCADE"), nullable=False),
        sa.Column("street", sa.String(300), nullable=False),
        sa.Column("walked_on", sa.String(10), nullable=False),
        sa.Column("walk_id", sa.String(36), sa.ForeignKey(walks.c.id, ondelete="SET NULL"), nullable=True),
    )
    op.create_index("ix_street_walks_wijk_street", "street_walks", ["wijk", "street", "walked_on"])
    op.create_index("ix_street_walks_walk", "street_walks", ["walk_id"])


def downgrade() -> None:
    op.drop_index("ix_street_walks_walk", table_name="street_walks")
    op.drop_index("ix_street_walks_wijk_street", table_name="street_walks")
    op.drop_table("street_walks")
    op.drop_index("ix_walks_walked_on", table_name="walks")
    op.drop_index("ix_walks_wijk_walked_on", table_name="walks")
    op.drop_table("walks")
