"""PostGIS that QGIS reads, and migrations that run once (issue 15, items 1 and 2).

On PostgreSQL the assets, wijken and streets have typed geometry columns in
EPSG:4326 with GiST indexes, generated from the portable columns the app
writes; ``ogrinfo`` (Debian's gdal-bin, what QGIS is built on) lists them as
layers. ``abcd migrate`` upgrades under a lock, so processes that start
together upgrade once; a schema the code does not work with is refused.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import shapely
from alembic import command
from shapely.geometry import Point, shape
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from abcd import schema
from abcd.db import (
    SCHEMA_LOCK_KEY,
    Database,
    Geometry,
    alembic_config,
    check_schema,
    current_revision,
    engine_from_url,
    head_revision,
    migrate_schema,
    portable_schema_object,
    require_postgis,
)
from abcd.errors import AbcdError
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, POLYGON_IN_BOTU, ROOT, make_draft
from tests.postgres_support import new_database, postgres_bin, temporary_postgres

LAYERS = {  # (table, column): (type, SRID): WGS84 for QGIS and the web, RD New for metres
    ("assets", "geom"): ("POINT", 4326),
    ("assets", "area_geom"): ("GEOMETRY", 4326),
    ("wijken", "boundary_geom"): ("MULTIPOLYGON", 4326),
    ("streets", "geom"): ("MULTILINESTRING", 4326),
    ("assets", "geom_rd"): ("POINT", 28992),
    ("assets", "area_rd"): ("GEOMETRY", 28992),
    ("wijken", "boundary_rd"): ("MULTIPOLYGON", 28992),
    ("streets", "geom_rd"): ("MULTILINESTRING", 28992),
}
PREVIOUS = "0012_import_batches"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """One throw-away PostgreSQL server with PostGIS; each test makes its own database on it."""
    with temporary_postgres() as url:
        yield url


@pytest.fixture(scope="module")
def mapped(server: str, botu: Wijk) -> Iterator[Store]:
    """BoTu with its streets, a club and an initiative with an area, in a PostGIS database."""
    from abcd.wijken import streets_in
    from tests.helpers import WIJKEN_DIR

    store = Store.open(new_database(server, "kaart"))
    store.save_wijk(botu.record(), streets_in(botu, WIJKEN_DIR))
    store.add(make_draft(name="Naaiclub"), by="ans")
    store.add(make_draft(name="Buurttuin", category="initiative", area=POLYGON_IN_BOTU), by="ans")
    yield store
    store.close()


def _ogr(url: str) -> str:
    """The GDAL/OGR data source of a PostgreSQL URL, as QGIS and ogrinfo take it."""
    parsed = make_url(url)
    return f"PG:host={parsed.host} port={parsed.port} user={parsed.username} dbname={parsed.database}"


def _env(url: str, **more: str) -> dict[str, str]:
    env = {**os.environ, "ABCD_DATABASE_URL": url, "ABCD_LANG": "en", **more}
    env.pop("ABCD_WIJKEN_DIR", None)
    return env


def _abcd(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "abcd.cli", *args], cwd=ROOT, env=_env(url), capture_output=True, text=True, timeout=120
    )


# ------------------------------------------------------------------ item 1: PostGIS geometry
def test_geometry_columns_are_typed_indexed_and_follow_what_the_app_writes(mapped: Store) -> None:
    with mapped.engine.connect() as conn:
        found = conn.execute(
            text("SELECT f_table_name, f_geometry_column, type, srid, coord_dimension FROM geometry_columns")
        ).all()
        assert {(t, c): (kind, srid, dims) for t, c, kind, srid, dims in found} == {
            key: (kind, srid, 2) for key, (kind, srid) in LAYERS.items()
        }
        # The RD columns hold the same geometry, in RD New.
        for table, column in [k for k in LAYERS if k[1].endswith("_rd")]:
            wgs84 = {"geom_rd": "geom", "area_rd": "area_geom", "boundary_rd": "boundary_geom"}[column]
            apart = f"SELECT max(ST_HausdorffDistance({column}, ST_Transform({wgs84}, 28992))) FROM {table}"
            assert (conn.execute(text(apart)).scalar_one() or 0.0) < 1e-6
        gist = conn.execute(text("SELECT tablename, indexdef FROM pg_indexes WHERE indexdef LIKE '%USING gist%'")).all()
        assert sorted((t, d.rsplit("(", 1)[1].rstrip(")")) for t, d in gist) == sorted(LAYERS)

        # Every row's geometry is the one its portable columns hold.
        rows = conn.execute(text("SELECT lon, lat, ST_AsBinary(geom), ST_AsBinary(area_geom), area_wkb FROM assets"))
        for lon, lat, point, area, area_wkb in rows:
            assert shapely.from_wkb(point).equals(Point(lon, lat))
            assert (area is None) == (area_wkb is None)
            assert area is None or shapely.from_wkb(area).equals(shapely.from_wkb(area_wkb))
        boundary = conn.execute(text("SELECT ST_AsBinary(boundary_geom) FROM wijken WHERE slug = :s"), {"s": BOTU})
        assert shapely.from_wkb(boundary.scalar_one()).equals(mapped.get_wijk(BOTU).boundary)
        lines = conn.execute(text("SELECT ST_AsBinary(geom), geometry_wkb FROM streets")).all()
        assert lines and all(shapely.from_wkb(g).equals(shapely.from_wkb(w)) for g, w in lines)

    # A moved asset's geometry moves with it: PostgreSQL computes it on every write.
    club = next(a for a in mapped.list_assets() if a.name == "Naaiclub")
    moved = mapped.update(club.id, club.draft(lon=4.4405, lat=51.9110), by="bob", expected_version=club.version)
    with mapped.engine.connect() as conn:
        point = conn.execute(text("SELECT ST_AsBinary(geom) FROM assets WHERE id = :id"), {"id": moved.id})
        assert shapely.from_wkb(point.scalar_one()).equals(Point(4.4405, 51.9110))


def test_a_spatial_query_finds_the_assets_in_a_wijk_through_the_index(mapped: Store) -> None:
    within = (
        "SELECT a.name FROM assets a JOIN wijken w ON ST_Intersects(a.geom, w.boundary_geom) "
        "WHERE w.slug = :s AND a.deleted_at IS NULL ORDER BY a.name"
    )
    with mapped.engine.connect() as conn:
        assert conn.execute(text(within), {"s": BOTU}).scalars().all() == ["Buurttuin", "Naaiclub"]
        conn.exec_driver_sql("SET enable_seqscan = off")  # a table this small is read whole otherwise
        plan = "\n".join(conn.execute(text(f"EXPLAIN {within}"), {"s": BOTU}).scalars())
        assert "gix_assets_geom" in plan


def test_ogrinfo_lists_the_assets_wijken_and_streets_layers_with_their_geometry_types(mapped: Store) -> None:
    source = _ogr(str(mapped.engine.url.render_as_string(hide_password=False)))
    listing = subprocess.run(["ogrinfo", "-ro", "-so", source], capture_output=True, text=True, timeout=60, check=True)
    layers = {line.split(": ", 1)[1] for line in listing.stdout.splitlines() if line[:1].isdigit()}
    assert layers == {  # one layer per table, a geometry field per column: WGS84, then RD New
        "assets (Point, Unknown (any), Point, Unknown (any))",
        "wijken (Multi Polygon, Multi Polygon)",
        "streets (Multi Line String, Multi Line String)",
    }
    streets = subprocess.run(
        ["ogrinfo", "-ro", "-so", source, "streets"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    with mapped.engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM streets")).scalar_one()
    assert f"Feature Count: {count}" in streets and 'ID["EPSG",4326]' in streets and 'ID["EPSG",28992]' in streets
    # The features are what the app stored: ogr2ogr's GeoJSON of the assets' point layer.
    out = subprocess.run(
        ["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", source, "-sql", "SELECT name, geom FROM assets ORDER BY name"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    import json

    features = json.loads(out)["features"]
    stored = {a.name: a.point for a in mapped.list_assets()}
    assert {f["properties"]["name"]: shape(f["geometry"]) for f in features} == stored


def test_the_schema_comparison_leaves_out_exactly_what_postgis_adds(mapped: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with mapped.engine.connect() as conn:
        filtered = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": portable_schema_object}
        )
        assert compare_metadata(filtered, schema.metadata) == []
        everything = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), schema.metadata)
    left_out = set()
    for diff in everything:
        if diff[0] == "remove_table":
            left_out.add(diff[1].name)
        elif diff[0] == "remove_column":
            assert isinstance(diff[3].type, Geometry)
            left_out.add(f"{diff[2]}.{diff[3].name}")
        else:
            assert diff[0] == "remove_index", diff
            left_out.add(diff[1].name)
    assert left_out == ({"spatial_ref_sys"} | {f"{t}.{c}" for t, c in LAYERS} | {f"gix_{t}_{c}" for t, c in LAYERS})


def test_a_pg_dump_backup_restores_with_its_geometry(mapped: Store, server: str, tmp_path: Path) -> None:
    url = mapped.engine.url.render_as_string(hide_password=False)
    bin_dir = postgres_bin()
    env = _env(url, PG_DUMP=str(bin_dir / "pg_dump"), PG_RESTORE=str(bin_dir / "pg_restore"))
    made = subprocess.run(
        [str(ROOT / "deploy" / "backup-postgres.sh"), str(tmp_path / "backups")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    dump = Path(made.stdout.strip())
    assert dump.parent == tmp_path / "backups" and dump.name.startswith("abcd-") and dump.suffix == ".dump"
    assert dump.stat().st_mode & 0o077 == 0
    assert list(dump.parent.iterdir()) == [dump]  # no .part left behind

    copy = new_database(server, "hersteld")
    parsed = make_url(copy)
    subprocess.run(
        [
            *(str(bin_dir / "pg_restore"), "--no-owner", "--exit-on-error", "-h", str(parsed.host)),
            *("-p", str(parsed.port), "-U", str(parsed.username), "-d", str(parsed.database), str(dump)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    restored = Store.open_checked(copy)
    try:
        assert check_schema(restored.engine) == head_revision()
        assert sorted(a.name for a in restored.list_assets()) == sorted(a.name for a in mapped.list_assets())
        with restored.engine.connect() as conn:
            layers = conn.execute(text("SELECT f_table_name, f_geometry_column, type FROM geometry_columns")).all()
            assert {(t, c): kind for t, c, kind in layers} == {k: kind for k, (kind, _srid) in LAYERS.items()}
            # ... and it is still generated: a new asset gets its point.
        added = restored.add(make_draft(name="Na de restore"), by="ans")
        with restored.engine.connect() as conn:
            point = conn.execute(text("SELECT ST_AsBinary(geom) FROM assets WHERE id = :id"), {"id": added.id})
            assert shapely.from_wkb(point.scalar_one()).equals(added.point)
    finally:
        restored.close()


def test_a_postgres_database_with_data_gets_its_geometry_on_upgrade_and_can_go_back(server: str, botu: Wijk) -> None:
    url = new_database(server, "met_gegevens")
    engine = engine_from_url(url)
    with engine.connect() as conn:
        command.upgrade(alembic_config(conn), PREVIOUS)
        conn.commit()
    old = Store(Database(engine))  # what the previous version wrote: the portable columns only
    old.save_wijk(botu.record())
    club = old.add(make_draft(name="Naaiclub"), by="ans")

    assert migrate_schema(engine).upgraded
    with engine.connect() as conn:
        point = conn.execute(text("SELECT ST_AsBinary(geom) FROM assets WHERE id = :id"), {"id": club.id})
        assert shapely.from_wkb(point.scalar_one()).equals(club.point)  # computed for the rows already there
        assert conn.execute(text("SELECT count(*) FROM wijken WHERE boundary_geom IS NOT NULL")).scalar_one() == 1

    with engine.connect() as conn:
        command.downgrade(alembic_config(conn), PREVIOUS)
        conn.commit()
        assert conn.execute(text("SELECT count(*) FROM geometry_columns")).scalar_one() == 0
    assert [a.name for a in Store(Database(engine)).list_assets()] == ["Naaiclub"]  # the data stays
    assert migrate_schema(engine).after == head_revision()
    engine.dispose()


def test_postgis_not_installed_or_not_ours_to_switch_on_is_refused_and_nothing_is_created(server: str) -> None:
    engine = engine_from_url(new_database(server, "geen_uitbreiding"))
    try:
        with engine.begin() as conn, pytest.raises(AbcdError) as missing:
            require_postgis(conn, extension="abcd_bestaat_niet")
        assert missing.value.key == "error.postgis_missing"
        assert "postgresql-postgis" in missing.value.message("en")
    finally:
        engine.dispose()

    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("CREATE ROLE buurthuis LOGIN")  # no superuser: may not create PostGIS
    admin.dispose()
    engine = engine_from_url(new_database(server, "niet_van_ons", owner="buurthuis"))
    try:
        with pytest.raises(AbcdError) as denied:
            migrate_schema(engine)
        assert denied.value.key == "error.postgis_denied"
        assert "CREATE EXTENSION postgis;" in denied.value.message("en")
        assert current_revision(engine) is None  # the whole upgrade was rolled back: no half schema
    finally:
        engine.dispose()


# ------------------------------------------------------------------ item 2: migrations once
def _waiting_for_the_schema_lock(conn: Connection, database: str) -> int:
    return int(
        conn.execute(
            text(
                "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                "WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = :db "
                "AND (l.classid::bigint << 32) + l.objid::bigint = :key"
            ),
            {"db": database, "key": SCHEMA_LOCK_KEY},
        ).scalar_one()
    )


def test_two_processes_migrating_a_fresh_postgres_database_at_once_upgrade_it_once(server: str) -> None:
    url = new_database(server, "tegelijk")
    holder = create_engine(url, isolation_level="AUTOCOMMIT")
    with holder.connect() as lock:
        # Hold the schema lock, so that both processes are surely at the same point before either goes on.
        lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "abcd.cli", "migrate"],
                cwd=ROOT,
                env=_env(url),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        try:
            deadline = time.monotonic() + 90
            while _waiting_for_the_schema_lock(lock, "tegelijk") < 2:
                assert all(run.poll() is None for run in runs), [run.communicate() for run in runs]
                assert time.monotonic() < deadline, "the two processes never both waited for the lock"
                time.sleep(0.05)
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_LOCK_KEY})
        results = [run.communicate(timeout=120) for run in runs]
    holder.dispose()
    assert [run.returncode for run in runs] == [0, 0], results
    said = sorted(out.split(":", 1)[0] for out, _err in results)
    assert said == ["Database already up to date", "Database created"], results
    engine = engine_from_url(url)
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    finally:
        engine.dispose()


def test_two_processes_migrating_a_fresh_sqlite_file_at_once_upgrade_it_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'abcd.db'}"
    go = tmp_path / "go"
    # Both load everything first, say so, and wait for the same signal: they start the upgrade together.
    code = (
        "import pathlib, sys, time\nfrom abcd.cli import main\nfrom abcd.db import head_revision\n"
        "import abcd.store\nhead_revision()\nprint('ready', flush=True)\n"
        f"while not pathlib.Path({str(go)!r}).exists():\n    time.sleep(0.01)\n"
        "sys.exit(main(['migrate']))\n"
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=_env(url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for run in runs:
        assert run.stdout is not None and run.stdout.readline() == "ready\n"
    go.touch()
    results = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results
    said = sorted(out.split(":", 1)[0] for out, _err in results)
    assert said == ["Database already up to date", "Database created"], results
    assert current_revision(engine_from_url(url)) == head_revision()


def test_a_schema_the_code_does_not_work_with_is_refused_by_the_app_and_the_commands(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = new_database(server, "oud_en_nieuw")
    engine = engine_from_url(url)
    with engine.connect() as conn:
        command.upgrade(alembic_config(conn), PREVIOUS)  # as the previous version of abcd left it
        conn.commit()

    # Older: the commands only check on PostgreSQL and ask for `abcd migrate`; that upgrades it, once.
    listed = _abcd(url, "list")
    assert listed.returncode == 2 and "abcd migrate" in listed.stderr and PREVIOUS in listed.stderr
    assert current_revision(engine) == PREVIOUS
    migrated = _abcd(url, "migrate")
    assert migrated.returncode == 0
    assert f"schema {PREVIOUS} → {head_revision()}" in migrated.stdout
    assert "already up to date" in _abcd(url, "migrate").stdout
    assert _abcd(url, "list").returncode == 0

    # Newer: a later abcd upgraded it. Every command refuses, migrate too, and nothing is changed.
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_toekomst'"))
    for args in (["migrate"], ["list"], ["init"]):
        refused = _abcd(url, *args)
        assert refused.returncode == 2, (args, refused)
        assert "9999_toekomst, which this version of abcd does not know" in refused.stderr
    assert current_revision(engine) == "9999_toekomst"
    engine.dispose()

    # ... and so does the app: one clear message instead of pages that would fail.
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ABCD_DATABASE_URL", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    shown = [e.value.replace("\\", "") for e in at.error]  # markdown-escaped: 9999\_toekomst
    assert any("9999_toekomst" in m and "nieuwere abcd" in m for m in shown), shown


def test_sqlite_refuses_a_newer_schema_too_and_leaves_it_alone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'abcd.db'}"
    Store.open(url).close()
    engine = engine_from_url(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_toekomst'")
    with pytest.raises(AbcdError) as refused:
        Store.open_checked(url)
    assert refused.value.key == "error.schema_unknown"
    assert "Werk abcd op deze computer bij" in str(refused.value)
    assert current_revision(engine) == "9999_toekomst"
    engine.dispose()
