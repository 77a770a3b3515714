"""Photos of assets.

Revision ID: 0009_photos
Revises: 0008_last_confirmed
Create Date: 2026-12-01

``photos`` holds each photo as ``abcd.photos`` re-encoded it (a JPEG without
any metadata, at most 1600 pixels long) with its thumbnail, sizes, who added
it when, and, when it shows recognisable people, their consent. Photos go
with an asset that is erased for good (``ON DELETE CASCADE``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_photos"
down_revision = "0008_last_confirmed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "photos",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("asset_id", sa.String(36), sa.ForeignKey("assets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("image", sa.LargeBinary, nullable=False),
        sa.Column("thumbnail", sa.LargeBinary, nullable=False),
        sa.Column("content_type", sa.String(50), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("thumb_width", sa.Integer, nullable=False),
        sa.Column("thumb_height", sa.Integer, nullable=False),
        sa.Column("shows_people", sa.Boolean, nullable=False),
        sa.Column("consent_date", sa.String(10), nullable=True),
        sa.Column("consent_recorded_by", sa.String(100), nullable=True),
        sa.Column("consent_purpose", sa.String(300), nullable=True),
        sa.Column("consent_text_version", sa.String(50), nullable=True),
        sa.Column("consent_under_16", sa.Boolean, nullable=True),
        sa.Column("consent_parent_consent", sa.Boolean, nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.CheckConstraint("NOT shows_people OR consent_date IS NOT NULL", name="ck_photos_consent"),
    )
    op.create_index("ix_photos_asset", "photos", ["asset_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_photos_asset", table_name="photos")
    op.drop_table("photos")
