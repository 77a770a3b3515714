"""Schema upgrades keep a user's data: a database made by revision 0001 upgrades to head intact."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import shapely
from alembic import command
from shapely.geometry import box
from sqlalchemy import Engine

from abcd.db import alembic_config, current_revision, engine_from_url, head_revision
from abcd.model import Status
from abcd.store import Store


def _database_at(revision: str, url: str) -> Engine:
    """An engine on a new database whose schema is at ``revision``, as an older ``abcd`` made it."""
    engine = engine_from_url(url)
    with engine.connect().execution_options(abcd_write=True) as conn:
        command.upgrade(alembic_config(conn), revision)
        conn.commit()
    return engine


def test_a_0001_database_with_data_upgrades_to_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    engine = _database_at("0001", url)
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
    assert asset.last_confirmed == date(2026, 1, 1)  # the day it was last changed: last known to be there
    assert store.get_wijk("botu").population == 14950
    assert store.requires_approval("botu") is False
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"


def test_residents_from_before_the_buurt_rule_lose_their_exact_point_on_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from abcd.cli import main as cli_main

    url = f"sqlite:///{tmp_path}/old.db"
    engine = _database_at("0001", url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO wijken (slug, name, kind, cbs_code, population, boundary_wkb, loaded_at) "
            "VALUES ('bospolder-tussendijken', 'Bospolder-Tussendijken', 'gebied', NULL, 14950, ?, "
            "'2026-01-01T00:00:00+00:00')",
            (shapely.to_wkb(box(4.43, 51.90, 4.45, 51.92)),),
        )
        conn.exec_driver_sql(
            "INSERT INTO assets (id, name, category, description, lon, lat, wijk, source, version, created_by, "
            "created_at, updated_by, updated_at) VALUES ('00000000-0000-4000-8000-000000000002', 'Ans', "
            "'person', 'kookt', 4.4401234, 51.9101234, 'bospolder-tussendijken', 'field', 1, 'x', "
            "'2026-01-01T00:00:00+00:00', 'x', '2026-01-01T00:00:00+00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO asset_history (asset_id, version, action, changed_by, changed_at, new_values) VALUES "
            "('00000000-0000-4000-8000-000000000002', 1, 'create', 'x', '2026-01-01T00:00:00+00:00', "
            '\'{"name": "Ans", "lon": 4.4401234, "lat": 51.9101234}\')'
        )
    engine.dispose()
    monkeypatch.setenv("ABCD_DATABASE_URL", url)
    assert cli_main(["init", "--no-examples"]) == 0
    store = Store.open(url)
    (person,) = store.list_assets()
    assert person.buurt in ("bospolder", "tussendijken") and (person.lon, person.lat) != (4.4401234, 51.9101234)
    data = b"".join(p.read_bytes() for p in tmp_path.glob("old.db*"))
    assert b"4.4401234" not in data and b"51.9101234" not in data


def test_accounts_from_before_versioning_upgrade_to_version_1_and_keep_their_login(tmp_path: Path) -> None:
    from argon2 import PasswordHasher

    from abcd import accounts

    url = f"sqlite:///{tmp_path}/old.db"
    engine = _database_at("0002_investments", url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO users (username, password_hash, role, wijken, created_at, failed_attempts) "
            "VALUES ('ans', ?, 'builder', 'bospolder-tussendijken', '2026-11-22T09:00:00+00:00', 2)",
            (PasswordHasher().hash("een lang wachtwoord"),),
        )
    engine.dispose()

    store = Store.open(url)
    account = accounts.get_account(store, "ans")
    assert (account.version, account.created_by, account.failed_attempts) == (1, "abcd", 2)
    assert account.updated_at == account.created_at
    assert accounts.authenticate(store, "ans", "een lang wachtwoord").wijken == frozenset({"bospolder-tussendijken"})
    accounts.set_role(store, "ans", "officer", by="beheer")
    (change,) = accounts.account_history(store, "ans")
    assert (change.version, change.action, change.changed_by, change.changed_fields()) == (
        2,
        "update",
        "beheer",
        ["role"],
    )


def test_assets_typed_into_one_wijk_belong_where_they_lie_after_the_upgrade(tmp_path: Path) -> None:
    # Before 0004 an asset was stored *in* the wijk it was entered in; after, its areas follow its location.
    url = f"sqlite:///{tmp_path}/old.db"
    engine = _database_at("0003_versioned_accounts", url)
    botu = box(4.430, 51.903, 4.450, 51.917)
    elsewhere = box(4.460, 51.915, 4.480, 51.925)
    with engine.begin() as conn:
        for slug, shape in (("botu", botu), ("oude-westen", elsewhere)):
            conn.exec_driver_sql(
                "INSERT INTO wijken (slug, name, kind, cbs_code, population, boundary_wkb, loaded_at, "
                "requires_approval) VALUES (?, ?, 'gebied', NULL, 100, ?, '2026-01-01T00:00:00+00:00', 0)",
                (slug, slug, shapely.to_wkb(shape)),
            )
        for number, (wijk, lon, lat) in enumerate([("botu", 4.44, 51.91), ("botu", 4.47, 51.92)], start=1):
            conn.exec_driver_sql(
                "INSERT INTO assets (id, name, category, description, lon, lat, wijk, source, version, created_by, "
                "created_at, updated_by, updated_at, status) VALUES (?, ?, 'story', '', ?, ?, ?, 'field', 1, 'a', "
                "'2026-01-01T00:00:00+00:00', 'a', '2026-01-01T00:00:00+00:00', 'approved')",
                (f"00000000-0000-4000-8000-00000000000{number}", f"Verhaal {number}", lon, lat, wijk),
            )
        conn.exec_driver_sql(
            "INSERT INTO consents (asset_id, consent_date, recorded_by, purpose, text_version, under_16, "
            "parent_consent, recorded_at) VALUES ('00000000-0000-4000-8000-000000000001', '2026-01-01', 'a', 'p', "
            "'v1', 0, 0, '2026-01-01T00:00:00+00:00')"
        )
    engine.dispose()

    store = Store.open(url)
    first, second = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
    areas = store.areas_of([first, second])
    assert areas[first] == {"botu"}
    assert areas[second] == {"oude-westen"}  # typed into BoTu, lies in Oude Westen
    assert [a.name for a in store.list_assets(wijk="botu")] == ["Verhaal 1"]
    assert store.get_meta("areas_changed") is None
    with store.engine.connect() as conn:  # copying the assets table cascaded into nothing
        assert conn.exec_driver_sql("SELECT count(*) FROM consents").scalar_one() == 1
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert "wijk" not in [c[1] for c in conn.exec_driver_sql("PRAGMA table_info(assets)")]


def test_a_0008_database_upgrades_to_photos_and_keeps_its_assets(tmp_path: Path) -> None:
    import io

    from PIL import Image

    from abcd.photos.register import add_photo, count_photos, photos_of

    url = f"sqlite:///{tmp_path}/old.db"
    engine = _database_at("0008_last_confirmed", url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO assets (id, name, category, description, lon, lat, source, status, last_confirmed, version, "
            "created_by, created_at, updated_by, updated_at) VALUES ('00000000-0000-4000-8000-000000000001', "
            "'Buurttuin', 'place', 'Samen tuinieren', 4.44, 51.91, 'field', 'approved', '2026-11-30', 1, 'ans', "
            "'2026-11-30T00:00:00+00:00', 'ans', '2026-11-30T00:00:00+00:00')"
        )
    engine.dispose()

    store = Store.open(url)
    assert current_revision(store.engine) == head_revision()
    (asset,) = store.list_assets()
    assert (asset.name, asset.version, asset.last_confirmed) == ("Buurttuin", 1, date(2026, 11, 30))
    assert count_photos(store) == 0
    jpeg = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(jpeg, "JPEG")
    photo = add_photo(store, asset.id, jpeg.getvalue(), by="ans")
    assert [p.id for p in photos_of(store, [asset.id])[asset.id]] == [photo.id]
    store.erase(asset.id, by="beheer")  # the photo goes with its asset
    assert count_photos(store) == 0
    store.close()


def test_a_0009_database_upgrades_to_walks_keeps_its_wijk_and_goes_back(tmp_path: Path) -> None:
    from shapely.geometry import LineString

    from abcd.permissions import Role, User
    from abcd.walks.register import last_walked, record_walk, reduce_old_walks
    from abcd.walks.tracks import track_from_positions

    url = f"sqlite:///{tmp_path}/old.db"
    engine = _database_at("0009_photos", url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO wijken (slug, name, kind, cbs_code, population, boundary_wkb, loaded_at, streets_loaded_at) "
            "VALUES ('botu', 'BoTu', 'gebied', NULL, 14950, ?, '2026-01-01T00:00:00+00:00', "
            "'2026-01-01T00:00:00+00:00')",
            (shapely.to_wkb(box(4.43, 51.90, 4.45, 51.92)),),
        )
        conn.exec_driver_sql(
            "INSERT INTO streets (wijk, name, highway, osm_id, geometry_wkb, in_wijk) "
            "VALUES ('botu', 'Gijsingstraat', 'residential', '1', ?, 1)",
            (shapely.to_wkb(LineString([(4.4400, 51.9100), (4.4420, 51.9100)])),),
        )
    engine.dispose()

    store = Store.open(url)
    assert current_revision(store.engine) == head_revision()
    assert store.get_wijk("botu").population == 14950 and len(store.streets("botu")) == 1
    positions = [[1_780_000_000_000 + 5000 * i, 4.4398 + 0.00006 * i, 51.91003, 5.0] for i in range(40)]
    walk = record_walk(store, "botu", track_from_positions(positions), by=User("ans", Role.BUILDER))
    assert walk.streets == ("Gijsingstraat",)
    assert reduce_old_walks(store, keep_months=0, today=date(2099, 1, 1)) == 1
    assert last_walked(store, "botu") == {"Gijsingstraat": walk.walked_on}
    store.close()

    engine = engine_from_url(url)
    with engine.connect().execution_options(abcd_write=True) as conn:
        command.downgrade(alembic_config(conn), "0009_photos")
        conn.commit()
    with engine.connect() as conn:
        tables = {row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "walks" not in tables and "street_walks" not in tables
        assert conn.exec_driver_sql("SELECT count(*) FROM streets").scalar_one() == 1
    engine.dispose()
