"""Schema upgrades keep a user's data: a database made by revision 0001 upgrades to head intact."""

from __future__ import annotations

from pathlib import Path

import shapely
from alembic import command
from shapely.geometry import box

from abcd.model import Status
from abcd.store import Store, _alembic_config, current_revision, engine_from_url, head_revision


def test_a_0001_database_with_data_upgrades_to_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    engine = engine_from_url(url)
    with engine.connect().execution_options(abcd_write=True) as conn:
        command.upgrade(_alembic_config(conn), "0001")
        conn.commit()
    # Rows written the way version 0001 wrote them (no columns of later revisions).
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO wijken (slug, name, kind, cbs_code, population, boundary_wkb, loaded_at) "
            "VALUES ('botu', 'BoTu', 'gebied', NULL, 14950, ?, '2026-01-01T00:00:00+00:00')",
            (shapely.to_wkb(box(4.43, 51.90, 4.45, 51.92)),),
        )
        conn.exec_driver_sql(
            "INSERT INTO assets (id, name, category, description, lon, lat, wijk, source, version, created_by, "
            "created_at, updated_by, updated_at) VALUES ('00000000-0000-4000-8000-000000000001', 'Buurttuin', "
            "'place', 'Samen tuinieren', 4.44, 51.91, 'botu', 'field', 1, 'ans', "
            "'2026-01-01T00:00:00+00:00', 'ans', '2026-01-01T00:00:00+00:00')"
        )
    engine.dispose()
    assert current_revision(engine_from_url(url)) == "0001"

    store = Store.open(url)
    assert current_revision(store.engine) == head_revision()
    (asset,) = store.list_assets()
    assert (asset.name, asset.description, asset.lon, asset.lat) == ("Buurttuin", "Samen tuinieren", 4.44, 51.91)
    assert asset.status is Status.APPROVED  # rows from before moderation count as approved
    assert store.get_wijk("botu").population == 14950
    assert store.requires_approval("botu") is False
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
