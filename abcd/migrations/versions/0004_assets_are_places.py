"""Assets are places: the areas an asset belongs to follow from its location, not from where it was typed in.

Revision ID: 0004_assets_are_places
Revises: 0003_versioned_accounts
Create Date: 2026-12-01

``assets.wijk`` (the wijk an asset was entered in) goes; ``asset_areas``
holds every area an asset lies in, derived from its location. This revision
seeds it with the old wijk of every asset and asks the store to recompute it
from the locations (``meta.areas_changed``), which :meth:`abcd.store.Store.open`
does right after the upgrade. ``wijken`` learns each area's gemeente and when
its streets were loaded (areas can now be known without streets); ``streets``
marks the segments of the wijk itself apart from those within walking reach
around it (for walking distances that do not stop at the border).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_assets_are_places"
down_revision = "0003_versioned_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("wijken", sa.Column("gemeente", sa.String(200), nullable=True))
    # Streets within walking reach around a wijk are kept too, so a walk may leave the wijk.
    op.add_column("streets", sa.Column("in_wijk", sa.Boolean, nullable=False, server_default=sa.true()))
    op.add_column("wijken", sa.Column("streets_loaded_at", sa.String(32), nullable=True))
    op.execute("UPDATE wijken SET streets_loaded_at = loaded_at")
    op.create_table(
        "asset_areas",
        sa.Column("asset_id", sa.String(36), sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("wijk", sa.String(100), sa.ForeignKey("wijken.slug", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_asset_areas_wijk", "asset_areas", ["wijk"])
    op.execute("INSERT INTO asset_areas (asset_id, wijk) SELECT id, wijk FROM assets")
    op.drop_index("ix_assets_wijk_category", table_name="assets")
    # SQLite cannot drop a column with a foreign key in place: batch mode copies the table
    # (abcd.db.upgrade_schema turns foreign keys off for that, so nothing cascades).
    with op.batch_alter_table("assets") as batch:
        batch.drop_column("wijk")
    op.create_index("ix_assets_lon_lat", "assets", ["lon", "lat"])
    op.create_index("ix_assets_category", "assets", ["category"])
    op.execute("DELETE FROM meta WHERE key = 'areas_changed'")
    op.execute("INSERT INTO meta (key, value) VALUES ('areas_changed', '1')")


def downgrade() -> None:
    op.drop_index("ix_assets_category", table_name="assets")
    op.drop_index("ix_assets_lon_lat", table_name="assets")
    with op.batch_alter_table("assets") as batch:
        batch.add_column(sa.Column("wijk", sa.String(100), nullable=True))
    op.execute("UPDATE assets SET wijk = (SELECT min(wijk) FROM asset_areas WHERE asset_areas.asset_id = assets.id)")
    op.create_index("ix_assets_wijk_category", "assets", ["wijk", "category"])
    op.drop_index("ix_asset_areas_wijk", table_name="asset_areas")
    op.drop_table("asset_areas")
    with op.batch_alter_table("streets") as batch:
        batch.drop_column("in_wijk")
    with op.batch_alter_table("wijken") as batch:
        batch.drop_column("streets_loaded_at")
        batch.drop_column("gemeente")
