"""The store: assets with versions and history, soft deletes, conflicts, migrations, SQLite settings."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from abcd import schema
from abcd.db import SQLITE_BUSY_TIMEOUT_MS, current_revision, engine_from_url, head_revision, upgrade_schema
from abcd.errors import ConflictError, NotFoundError, UnknownWijkError
from abcd.model import WGS84, Category, MeetingPlaceRole, Source
from abcd.store import Store, WijkRecord
from abcd.versioned import RecordKind
from abcd.wijken import Wijk
from tests.helpers import AMSTERDAM, BOTU, LINE_IN_BOTU, make_draft, row_counts


def history_actions(store: Store, asset_id: str) -> list[tuple[int, str]]:
    return [(h.version, h.action) for h in store.history(asset_id)]


# -------------------------------------------------------------- add/get/list
def test_add_then_get_returns_every_field(botu_store: Store) -> None:
    before = datetime.now(UTC)
    draft = make_draft(
        category="initiative",
        name="Geveltuinen",
        description="Stekjes delen",
        contact="06-1",
        area=LINE_IN_BOTU,
        resident_led="nee",
    )
    added = botu_store.add(draft, by="anna")
    got = botu_store.get(added.id)
    assert got == added
    assert (got.name, got.category, got.description, got.contact) == (
        "Geveltuinen",
        Category.INITIATIVE,
        "Stekjes delen",
        "06-1",
    )
    assert (got.lon, got.lat) == (draft.lon, draft.lat)
    assert BOTU in botu_store.areas_of([got.id])[got.id]  # where it lies decides its areas
    assert got.resident_led is False
    assert got.area is not None and got.area.equals(shapely.from_wkt(LINE_IN_BOTU))
    assert got.version == 1
    assert got.created_by == got.updated_by == "anna"
    assert before <= got.created_at == got.updated_at <= datetime.now(UTC)
    assert not got.is_deleted and not got.is_example


def test_add_keeps_a_given_id_and_makes_one_otherwise(botu_store: Store) -> None:
    given = "8c3f6a5e-2b1d-4f7a-9c0e-1d2e3f4a5b6c"
    assert botu_store.add(make_draft(id=given), by="a").id == given
    made = botu_store.add(make_draft(), by="a").id
    assert made != given and len(made) == 36


def test_get_unknown_id_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError) as info:
        store.get("nope")
    assert "nope" in info.value.message("en")


def test_list_is_sorted_by_name_case_insensitively_and_filters(botu_store: Store) -> None:
    botu_store.add_many(
        [
            make_draft(name="bakker"),
            make_draft(name="Atelier", category="business"),
            make_draft(name="Cafe", category="meeting_place", meeting_place_role="standard"),
        ],
        by="a",
    )
    assert [a.name for a in botu_store.list_assets()] == ["Atelier", "bakker", "Cafe"]
    assert [a.name for a in botu_store.list_assets(category="business")] == ["Atelier"]
    assert [a.name for a in botu_store.list_assets(category=Category.MEETING_PLACE)] == ["Cafe"]
    assert botu_store.list_assets(category="meeting_place")[0].meeting_place_role is MeetingPlaceRole.STANDARD
    assert len(botu_store.list_assets(wijk=BOTU)) == 3
    assert botu_store.list_assets(wijk="elders") == []
    assert botu_store.count_assets() == botu_store.count_assets(wijk=BOTU) == 3


def test_an_asset_lies_in_the_areas_of_its_location_not_where_it_was_typed_in(botu_store: Store) -> None:
    # The claimed wijk is checked by the use cases (abcd.assets, abcd.exchange); the store only places.
    asset = botu_store.add(make_draft(wijk="nergens"), by="a")
    assert botu_store.areas_of([asset.id])[asset.id] == {BOTU}
    assert [a.id for a in botu_store.list_assets(wijk=BOTU)] == [asset.id]
    moved = botu_store.update(asset.id, asset.draft(lon=AMSTERDAM[0], lat=AMSTERDAM[1]), by="a", expected_version=1)
    assert botu_store.areas_of([moved.id])[moved.id] == frozenset()
    assert botu_store.list_assets(wijk=BOTU) == []


def test_add_many_is_all_or_nothing(botu_store: Store) -> None:
    twin = "0b6f2a7e-8d54-4f0c-9a1b-2c3d4e5f6a71"
    with pytest.raises(IntegrityError):
        botu_store.add_many([make_draft(), make_draft(id=twin), make_draft(id=twin)], by="a")
    assert row_counts(botu_store) == (0, 0)


# -------------------------------------------------------------------- history
def test_every_change_writes_one_history_row_with_who_when_old_new(botu_store: Store) -> None:
    asset = botu_store.add(make_draft(name="Oud"), by="anna")
    assert row_counts(botu_store) == (1, 1)
    edited = botu_store.update(asset.id, asset.draft(name="Nieuw"), by="bram", expected_version=1)
    assert row_counts(botu_store) == (1, 2)
    deleted = botu_store.delete(asset.id, by="cees")
    assert row_counts(botu_store) == (1, 3)
    restored = botu_store.restore(asset.id, by="dina")
    assert row_counts(botu_store) == (1, 4)

    history = botu_store.history(asset.id)
    assert [(h.version, h.action, h.changed_by) for h in history] == [
        (1, "create", "anna"),
        (2, "update", "bram"),
        (3, "delete", "cees"),
        (4, "restore", "dina"),
    ]
    # "when" is the moment the change itself was stored: the same transaction
    assert [h.changed_at for h in history] == [
        asset.updated_at,
        edited.updated_at,
        deleted.updated_at,
        restored.updated_at,
    ]
    create, update, delete, restore = history
    assert create.old is None
    assert create.new is not None and create.new["name"] == "Oud" and create.new["deleted"] is False
    assert update.old is not None and update.new is not None
    assert (update.old["name"], update.new["name"]) == ("Oud", "Nieuw")
    assert update.changed_fields() == ["name"]
    assert delete.changed_fields() == ["deleted"]
    assert delete.new is not None and delete.new["deleted"] is True
    assert restore.new is not None and restore.new["deleted"] is False
    assert restore.new["name"] == "Nieuw"
    assert (edited.version, deleted.version, restored.version) == (2, 3, 4)


def test_history_is_written_in_the_same_transaction_as_the_change(
    botu_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset = botu_store.add(make_draft(name="Oud"), by="a")

    def broken_history(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("history write failed")

    # Every history row, single or bulk, is built by RecordKind.history_row.
    monkeypatch.setattr(RecordKind, "history_row", broken_history)
    with pytest.raises(RuntimeError):
        botu_store.add(make_draft(name="Nieuw asset"), by="a")
    with pytest.raises(RuntimeError):
        botu_store.update(asset.id, asset.draft(name="Nieuw"), by="b", expected_version=1)
    with pytest.raises(RuntimeError):
        botu_store.delete(asset.id, by="b")
    # the changes were rolled back with their history row
    assert row_counts(botu_store) == (1, 1)
    assert botu_store.get(asset.id) == asset


def test_history_of_unknown_asset_is_empty(store: Store) -> None:
    assert store.history("nope") == []


# -------------------------------------------------------------- soft delete
def test_soft_delete_hides_and_restore_brings_back(botu_store: Store) -> None:
    keep = botu_store.add(make_draft(name="Blijft"), by="a")
    gone = botu_store.add(make_draft(name="Weg"), by="a")
    deleted = botu_store.delete(gone.id, by="b")
    assert deleted.is_deleted and deleted.deleted_by == "b"

    assert [a.id for a in botu_store.list_assets()] == [keep.id]
    assert list(botu_store.assets_frame()["id"]) == [keep.id]
    assert botu_store.count_assets() == 1
    assert [a.id for a in botu_store.list_assets(deleted_only=True)] == [gone.id]
    assert {a.id for a in botu_store.list_assets(include_deleted=True)} == {keep.id, gone.id}
    assert botu_store.get(gone.id).is_deleted  # still there, for the history and a restore

    restored = botu_store.restore(gone.id, by="c")
    assert not restored.is_deleted and restored.deleted_by is None
    assert {a.id for a in botu_store.list_assets()} == {keep.id, gone.id}
    assert set(botu_store.assets_frame()["id"]) == {keep.id, gone.id}
    assert botu_store.count_assets() == 2


def test_deleting_twice_or_restoring_a_live_asset_is_refused(botu_store: Store) -> None:
    asset = botu_store.add(make_draft(), by="a")
    with pytest.raises(NotFoundError):
        botu_store.restore(asset.id, by="b")
    botu_store.delete(asset.id, by="b")
    with pytest.raises(NotFoundError):
        botu_store.delete(asset.id, by="b")
    with pytest.raises(NotFoundError):
        botu_store.update(asset.id, asset.draft(name="x"), by="b", expected_version=2)
    assert row_counts(botu_store) == (1, 2)


# ------------------------------------------------------------------ conflicts
def test_stale_update_raises_conflict_and_changes_nothing(botu_store: Store) -> None:
    asset = botu_store.add(make_draft(name="Origineel"), by="a")
    first = botu_store.update(asset.id, asset.draft(name="Eerste"), by="b", expected_version=1)
    counts = row_counts(botu_store)

    with pytest.raises(ConflictError) as info:
        botu_store.update(asset.id, asset.draft(name="Tweede", description="weg"), by="c", expected_version=1)
    assert info.value.params["stored"] == 2 and info.value.params["given"] == 1
    assert "Nothing was overwritten" in info.value.message("en")

    after = botu_store.get(asset.id)
    assert after == first
    assert (after.version, after.name, after.description) == (2, "Eerste", "")
    assert row_counts(botu_store) == counts


def test_stale_delete_raises_conflict_and_changes_nothing(botu_store: Store) -> None:
    asset = botu_store.add(make_draft(), by="a")
    botu_store.update(asset.id, asset.draft(name="Nieuw"), by="b", expected_version=1)
    with pytest.raises(ConflictError):
        botu_store.delete(asset.id, by="c", expected_version=1)
    assert not botu_store.get(asset.id).is_deleted
    assert botu_store.get(asset.id).version == 2
    assert history_actions(botu_store, asset.id) == [(1, "create"), (2, "update")]


def test_update_keeps_the_creator_and_records_the_editor(botu_store: Store) -> None:
    asset = botu_store.add(make_draft(), by="anna")
    edited = botu_store.update(asset.id, asset.draft(description="meer"), by="bram", expected_version=1)
    assert (edited.created_by, edited.created_at) == ("anna", asset.created_at)
    assert edited.updated_by == "bram" and edited.updated_at >= asset.updated_at
    assert botu_store.get(asset.id).description == "meer"


# ------------------------------------------------------------------ upsert
def test_upsert_many_creates_and_updates(botu_store: Store) -> None:
    existing = botu_store.add(make_draft(name="Oud"), by="a")
    created, updated = botu_store.upsert_many(
        [existing.draft(name="Bijgewerkt"), make_draft(name="Nieuw")], by="import"
    )
    assert [a.name for a in created] == ["Nieuw"]
    assert [(a.id, a.name, a.version) for a in updated] == [(existing.id, "Bijgewerkt", 2)]
    assert botu_store.count_assets() == 2
    assert history_actions(botu_store, existing.id) == [(1, "create"), (2, "update")]


def test_upsert_many_is_all_or_nothing(botu_store: Store) -> None:
    existing = botu_store.add(make_draft(name="Oud"), by="a")
    counts = row_counts(botu_store)
    drafts = [make_draft(name="Een"), existing.draft(name="Twee"), make_draft()]
    with pytest.raises(ConflictError) as info:
        botu_store.upsert_many(drafts, by="import", expected_versions={existing.id: 7})  # stale
    assert "Oud" in str(info.value)
    assert row_counts(botu_store) == counts
    assert botu_store.get(existing.id) == existing


def test_unchanged_upsert_makes_no_new_version(botu_store: Store) -> None:
    asset = botu_store.add(
        make_draft(category="place", area="POLYGON ((4.44 51.91, 4.441 51.91, 4.441 51.911, 4.44 51.91))"), by="a"
    )
    counts = row_counts(botu_store)
    created, updated = botu_store.upsert_many([asset.draft()], by="import")
    assert (created, updated) == ([], [])
    assert botu_store.get(asset.id).version == 1
    assert row_counts(botu_store) == counts


def test_upsert_leaves_a_deleted_asset_deleted(botu_store: Store) -> None:
    # Re-importing an old export must not bring back what someone deleted.
    asset = botu_store.add(make_draft(), by="a")
    botu_store.delete(asset.id, by="a")
    created, updated = botu_store.upsert_many([asset.draft(name="Oude naam")], by="import")
    assert (created, updated) == ([], [])
    stored = botu_store.get(asset.id)
    assert stored.is_deleted and stored.name == asset.name and stored.version == 2


# ------------------------------------------------------------- example data
def test_purge_examples_removes_examples_and_their_history_only(botu_store: Store) -> None:
    real = botu_store.add(make_draft(name="Echt"), by="a")
    botu_store.update(real.id, real.draft(name="Echt bewerkt"), by="a", expected_version=1)
    examples = botu_store.add_many(
        [make_draft(name="Voorbeeld 1", source="example"), make_draft(name="Voorbeeld 2", source="example")], by="abcd"
    )
    botu_store.delete(examples[1].id, by="a")  # a deleted example is purged too
    botu_store.set_meta("examples_loaded", "1")

    assert botu_store.purge_examples() == 2
    assert [a.id for a in botu_store.list_assets(include_deleted=True)] == [real.id]
    assert row_counts(botu_store) == (1, 2)
    assert history_actions(botu_store, real.id) == [(1, "create"), (2, "update")]
    assert all(botu_store.history(e.id) == [] for e in examples)
    assert botu_store.get_meta("examples_loaded") == "1"
    assert botu_store.purge_examples() == 0
    assert botu_store.count_assets(source=Source.EXAMPLE) == 0


# --------------------------------------------------------------------- meta
def test_meta_values_are_set_replaced_and_read(store: Store) -> None:
    assert store.get_meta("x") is None
    store.set_meta("x", "1")
    store.set_meta("x", "2")
    assert store.get_meta("x") == "2"


# ------------------------------------------------------------------- wijken
def test_save_wijk_stores_boundary_population_and_streets(store: Store, botu: Wijk, botu_streets: Any) -> None:
    store.save_wijk(botu.record(), botu_streets)
    record = store.get_wijk(BOTU)
    assert (record.name, record.population, record.kind) == ("Bospolder-Tussendijken", 14950, "gebied")
    assert record.boundary.equals_exact(botu.boundary, 1e-9)
    streets = store.streets(BOTU)
    assert len(streets) == len(botu_streets)
    assert list(streets["name"].isna()) == list(botu_streets["name"].isna())
    assert streets["name"].isna().any()  # unnamed segments are stored, not dropped
    named = ~streets["name"].isna()
    assert list(streets["name"][named]) == list(botu_streets["name"][named])
    assert str(streets.crs) == "EPSG:4326"
    assert streets.geometry.geom_equals_exact(botu_streets.geometry.reset_index(drop=True), 1e-9).all()


def test_save_wijk_again_replaces_streets_and_keeps_assets(botu_store: Store, botu: Wijk, botu_streets: Any) -> None:
    asset = botu_store.add(make_draft(), by="a")
    botu_store.save_wijk(botu.record(), botu_streets.iloc[:5])
    assert len(botu_store.streets(BOTU)) == 5
    assert botu_store.get(asset.id) == asset


def test_unknown_stored_wijk_raises(store: Store) -> None:
    with pytest.raises(UnknownWijkError):
        store.get_wijk(BOTU)
    assert not store.has_wijk(BOTU)
    assert len(store.streets(BOTU)) == 0


def test_wijk_without_streets_and_population(store: Store) -> None:
    square = shapely.box(4.44, 51.91, 4.45, 51.92)
    store.save_wijk(
        WijkRecord(slug="proef", name="Proef", kind="gebied", cbs_code=None, population=None, boundary=square)
    )
    assert store.get_wijk("proef").population is None
    assert store.wijk_slugs() == [] and not store.has_wijk("proef")  # known, not onboarded: no streets yet
    store.save_wijk(store.get_wijk("proef"), gpd.GeoDataFrame(geometry=[], crs=WGS84))
    assert store.wijk_slugs() == ["proef"] and store.has_wijk("proef")


# ------------------------------------------------------------ schema & files
def test_schema_is_created_from_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    engine = engine_from_url(f"sqlite:///{path}")
    assert current_revision(engine) is None
    assert upgrade_schema(engine) == head_revision()
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_migrations_build_exactly_the_tables_of_schema_py(store: Store) -> None:
    inspector = inspect(store.engine)
    assert set(inspector.get_table_names()) == set(schema.metadata.tables) | {"alembic_version"}
    for name, table in schema.metadata.tables.items():
        assert {c["name"] for c in inspector.get_columns(name)} == {c.name for c in table.columns}, name
        assert {i["name"] for i in inspector.get_indexes(name)} == {i.name for i in table.indexes}, name


def test_upgrading_twice_is_a_no_op_that_keeps_data(db_url: str, botu: Wijk) -> None:
    first = Store.open(db_url)
    first.save_wijk(botu.record())
    asset = first.add(make_draft(), by="a")
    assert upgrade_schema(first.engine) == head_revision()
    first.close()

    again = Store.open(db_url)  # opening upgrades once more
    assert current_revision(again.engine) == head_revision()
    assert again.get(asset.id) == asset
    assert row_counts(again) == (1, 1)
    again.close()


def test_data_survives_closing_and_reopening(db_url: str, botu: Wijk) -> None:
    first = Store.open(db_url)
    first.save_wijk(botu.record())
    asset = first.add(make_draft(category="initiative", area=LINE_IN_BOTU), by="a")
    first.set_meta("k", "v")
    first.close()

    reopened = Store.open(db_url, upgrade=False)
    assert reopened.get(asset.id) == asset
    assert reopened.get_meta("k") == "v"
    assert reopened.get_wijk(BOTU).population == 14950
    reopened.close()


def test_sqlite_connections_use_wal_and_a_busy_timeout(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert SQLITE_BUSY_TIMEOUT_MS >= 5_000
    assert store.is_sqlite


def test_a_connection_to_a_fresh_file_another_process_is_writing_waits_for_it(tmp_path: Path) -> None:
    # The other "process" writes the new, empty file; switching it to WAL must wait, not fail at once
    # (SQLite skips its busy handler there: a CI run lost one of two parallel `abcd migrate`s to it).
    path = tmp_path / "abcd.db"
    engine = engine_from_url(f"sqlite:///{path}")
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("CREATE TABLE t (a INTEGER)")
    done = threading.Timer(0.3, writer.execute, args=("COMMIT",))
    done.start()
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
    finally:
        done.join()
        writer.close()
        engine.dispose()


def test_in_memory_store_works(botu: Wijk) -> None:
    memory = Store.open("sqlite://")
    memory.save_wijk(botu.record())
    asset = memory.add(make_draft(), by="a")
    assert memory.get(asset.id) == asset
    memory.close()


@pytest.mark.parametrize("shared", [True, False], ids=["one-store", "store-per-thread"])
def test_concurrent_adds_all_land_with_one_history_row_each(botu_store: Store, db_url: str, shared: bool) -> None:
    # One Store shared by threads is the Streamlit server; a Store per thread stands for separate processes.
    threads, per_thread = 4, 25
    errors: list[BaseException] = []
    ids: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def worker(n: int) -> None:
        target = botu_store if shared else Store.open(db_url, upgrade=False)
        start.wait()
        try:
            for i in range(per_thread):
                added = target.add(make_draft(name=f"Draad {n} nummer {i}"), by=f"thread-{n}")
                with lock:
                    ids.append(added.id)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            if not shared:
                target.close()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert errors == []
    assert len(set(ids)) == threads * per_thread
    assert botu_store.count_assets() == threads * per_thread
    assert row_counts(botu_store) == (threads * per_thread, threads * per_thread)
    with botu_store.engine.connect() as conn:
        per_asset = conn.execute(
            select(schema.asset_history.c.asset_id).group_by(schema.asset_history.c.asset_id)
        ).all()
        assert len(per_asset) == threads * per_thread
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_data_version_changes_with_every_change(botu_store: Store) -> None:
    seen = [botu_store.data_version()]

    def changed() -> None:
        token = botu_store.data_version()
        assert token not in seen
        seen.append(token)

    asset = botu_store.add(make_draft(), by="a")
    changed()
    botu_store.update(asset.id, asset.draft(name="Anders"), by="a", expected_version=1)
    changed()
    botu_store.delete(asset.id, by="a")
    changed()
    botu_store.restore(asset.id, by="a")
    changed()
    before_examples = seen[-1]
    botu_store.add(make_draft(source="example"), by="a")
    changed()
    botu_store.purge_examples()
    # Back to exactly the rows before the example: the same token is correct for caches.
    assert botu_store.data_version() == before_examples
    assert botu_store.data_version() != seen[-1]
    assert botu_store.data_version(wijk="elders") == botu_store.data_version(wijk="nergens")
