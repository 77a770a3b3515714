"""Safe writes: stale edits refused, concurrent saves all land, killed imports all-or-nothing, backups.

Figures (saves, conflicts, kill outcomes, backup times) are printed; run
with ``pytest -s tests/test_safe_writes.py`` to see them.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from abcd import backup as backup_module
from abcd.backup import backup_database, describe_database, restore_database
from abcd.cli import main as cli_main
from abcd.errors import BackupError, ConflictError
from abcd.model import Asset
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, INSIDE_BOTU, ROOT, WIJKEN_DIR, make_draft, row_counts

WRITERS = 8
SAVES = 200  # per writer: one add, then 199 edits of that asset, each based on the version just saved


def sqlite_file(store: Store) -> Path:
    database = store.engine.url.database
    assert database
    return Path(database)


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def history_versions(path: Path) -> dict[str, list[int]]:
    """Per asset, the versions its history rows record, in order."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT asset_id, version FROM asset_history ORDER BY asset_id, version").fetchall()
    out: dict[str, list[int]] = {}
    for asset_id, version in rows:
        out.setdefault(asset_id, []).append(int(version))
    return out


def asset_versions(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {a: int(v) for a, v in conn.execute("SELECT id, version FROM assets").fetchall()}


def assert_every_save_has_one_history_row(path: Path, expected: dict[str, int]) -> None:
    """Each asset is at its expected version, with exactly one history row per version 1..n."""
    assert integrity(path) == "ok"
    assert asset_versions(path) == expected
    history = history_versions(path)
    assert set(history) == set(expected)
    for asset_id, version in expected.items():
        assert history[asset_id] == list(range(1, version + 1)), asset_id


# ------------------------------------------------------------- stale edits
def test_an_edit_based_on_an_old_version_is_refused_clearly_and_overwrites_nothing(botu_store: Store) -> None:
    asset = botu_store.add(make_draft(name="Buurttuin"), by="ans")
    mine = botu_store.get(asset.id)  # two people open the same asset
    theirs = botu_store.get(asset.id)
    saved = botu_store.update(asset.id, theirs.draft(description="Zij waren eerst"), by="bert", expected_version=1)
    before = row_counts(botu_store)
    with pytest.raises(ConflictError) as info:
        botu_store.update(asset.id, mine.draft(name="Mijn versie"), by="ans", expected_version=mine.version)
    assert info.value.message("nl").startswith("Iemand anders heeft 'Buurttuin' intussen gewijzigd (versie 2")
    assert "Er is niets overschreven" in info.value.message("nl")
    assert info.value.message("en").startswith("Someone else changed 'Buurttuin' in the meantime (version 2")
    assert "Nothing was overwritten" in info.value.message("en")
    assert botu_store.get(asset.id) == saved
    assert row_counts(botu_store) == before
    with pytest.raises(ConflictError):  # a stale delete is refused the same way
        botu_store.delete(asset.id, by="ans", expected_version=1)
    assert not botu_store.get(asset.id).is_deleted


# ---------------------------------------------------------------- threads
def test_8_threads_x_200_saves_all_land_with_one_history_row_each(botu_store: Store) -> None:
    # One Store shared by every thread, as in the Streamlit server.
    errors: list[BaseException] = []
    finals: dict[str, int] = {}
    start = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        try:
            start.wait()
            asset = botu_store.add(make_draft(name=f"Draad {n}"), by=f"thread-{n}")
            for i in range(1, SAVES):
                draft = asset.draft(description=f"opslag {i}")
                asset = botu_store.update(asset.id, draft, by=f"thread-{n}", expected_version=asset.version)
            finals[asset.id] = asset.version
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    began = time.perf_counter()
    pool = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=300)
    seconds = time.perf_counter() - began
    assert errors == []
    assert len(finals) == WRITERS and set(finals.values()) == {SAVES}
    assert_every_save_has_one_history_row(sqlite_file(botu_store), finals)
    assert row_counts(botu_store) == (WRITERS, WRITERS * SAVES)
    print(f"\nthreads: {WRITERS * SAVES} of {WRITERS * SAVES} saves landed in {seconds:.1f} s")


def test_8_threads_editing_one_asset_lose_no_update(botu_store: Store) -> None:
    # Optimistic versions: a writer that lost the race re-reads and tries again; nobody's save vanishes.
    asset = botu_store.add(make_draft(name="Gedeeld"), by="start")
    per_writer = 25
    conflicts = Counter[int]()
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        try:
            start.wait()
            done = 0
            while done < per_writer:
                current = botu_store.get(asset.id)
                try:
                    botu_store.update(
                        asset.id, current.draft(description=f"{n}:{done}"), by=f"w{n}", expected_version=current.version
                    )
                    done += 1
                except ConflictError:
                    conflicts[n] += 1
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    pool = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=300)
    assert errors == []
    total = WRITERS * per_writer
    assert_every_save_has_one_history_row(sqlite_file(botu_store), {asset.id: total + 1})
    saved = Counter(e.new["description"].split(":")[0] for e in botu_store.history(asset.id)[1:] if e.new)
    assert saved == {str(n): per_writer for n in range(WRITERS)}
    print(f"\none asset, {WRITERS} threads: {total} saves landed, {sum(conflicts.values())} stale attempts refused")


# -------------------------------------------------------------- processes
WRITER_PROCESS = r"""
import json, os, sys, time
from abcd.store import Store
from tests.helpers import make_draft

url, n, saves, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
store = Store.open(url, upgrade=False)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.002)
asset = store.add(make_draft(name=f"Proces {n}"), by=f"process-{n}")
for i in range(1, saves):
    asset = store.update(asset.id, asset.draft(description=f"opslag {i}"), by=f"process-{n}",
                         expected_version=asset.version)
print(json.dumps({"id": asset.id, "version": asset.version}), flush=True)
"""


def _python(code: str, *args: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_8_processes_x_200_saves_all_land_with_one_history_row_each(
    botu_store: Store, db_url: str, tmp_path: Path
) -> None:
    go = tmp_path / "go"
    procs = [_python(WRITER_PROCESS, db_url, n, SAVES, go) for n in range(WRITERS)]
    try:
        for proc in procs:  # every process has imported abcd and opened the database
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        began = time.perf_counter()
        go.touch()
        results = [proc.communicate(timeout=300) for proc in procs]
        seconds = time.perf_counter() - began
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    assert [proc.returncode for proc in procs] == [0] * WRITERS, [err[-2000:] for _, err in results]
    finals = {d["id"]: d["version"] for d in (json.loads(out.strip().splitlines()[-1]) for out, _ in results)}
    assert len(finals) == WRITERS and set(finals.values()) == {SAVES}
    assert_every_save_has_one_history_row(sqlite_file(botu_store), finals)
    print(f"\nprocesses: {WRITERS * SAVES} of {WRITERS * SAVES} saves landed in {seconds:.1f} s")


# ----------------------------------------------------- SIGKILL mid-import
BULK_ROWS = 5_000
IMPORTER = r"""
import sys
from pathlib import Path
from abcd import exchange
from abcd.store import Store
from abcd.wijken import wijk_catalogue

url, path, wijken = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
store = Store.open(url, upgrade=False)  # opening writes nothing: the import's transaction is the only write
result = exchange.import_assets(store, path, catalogue=wijk_catalogue(wijken), wijken_dir=wijken,
                                default_wijk="bospolder-tussendijken", by="bulk")
print("done", result.created, flush=True)
"""


def write_locked(path: Path) -> bool:
    """Whether another connection holds the write lock, i.e. is inside a write transaction."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:  # "database is locked"
        return True
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
    return False


@dataclass
class KillOutcome:
    mode: str
    locked_at_kill: bool
    returncode: int | None
    assets_added: int
    history_added: int
    integrity: str


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory, catalogue: dict[str, Wijk]) -> Path:
    """An onboarded BoTu database with one asset, copied for every attempt."""
    from abcd.wijken import streets_in

    folder = tmp_path_factory.mktemp("template")
    store = Store.open(f"sqlite:///{folder}/template.db")
    store.save_wijk(catalogue[BOTU].record(), streets_in(catalogue[BOTU], WIJKEN_DIR))
    store.add(make_draft(name="Al aanwezig"), by="a")
    store.close()
    return folder / "template.db"


@pytest.fixture(scope="module")
def bulk_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(7)
    lon, lat = INSIDE_BOTU
    lines = ["name,category,description,lat,lon"] + [
        f"Bulk {i},story,regel {i},{lat + rng.uniform(-2e-4, 2e-4):.6f},{lon + rng.uniform(-2e-4, 2e-4):.6f}"
        for i in range(BULK_ROWS)
    ]
    path = tmp_path_factory.mktemp("bulk") / "bulk.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _kill_an_import(db: Path, csv_path: Path, mode: str, delay: float) -> KillOutcome:
    before = row_counts_of(db)
    proc = _python(IMPORTER, f"sqlite:///{db}", csv_path, WIJKEN_DIR)
    try:
        deadline = time.monotonic() + 240
        while not write_locked(db):  # validation runs first; the single write transaction comes last
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.002)
        if mode == "during":
            time.sleep(delay)
        else:  # "after-commit": the moment the commit is visible (a lock seen early may be WAL recovery)
            while row_counts_of(db)[0] == before[0] and proc.poll() is None:
                time.sleep(0.0005)
        locked = write_locked(db)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    after = row_counts_of(db)
    return KillOutcome(
        mode=mode,
        locked_at_kill=locked,
        returncode=proc.returncode,
        assets_added=after[0] - before[0],
        history_added=after[1] - before[1],
        integrity=integrity(db),
    )


def row_counts_of(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as conn:
        assets = conn.execute("SELECT count(*) FROM assets").fetchone()[0]
        history = conn.execute("SELECT count(*) FROM asset_history").fetchone()[0]
    return int(assets), int(history)


def test_a_bulk_import_killed_with_sigkill_leaves_everything_or_nothing(
    template_db: Path, bulk_csv: Path, tmp_path: Path
) -> None:
    # Attempts run side by side, each on its own copy of the database: three are killed at a random
    # moment inside the import's transaction, one right after it committed.
    rng = random.Random()
    plan = [("during", rng.uniform(0.0, 0.1)) for _ in range(3)] + [("after-commit", 0.0)]
    outcomes: list[KillOutcome | BaseException] = [RuntimeError("not run")] * len(plan)

    def run(i: int, mode: str, delay: float) -> None:
        db = backup_database(f"sqlite:///{template_db}", tmp_path / f"attempt-{i}.db")
        with sqlite3.connect(db) as conn:  # live databases run in WAL mode; a backup file does not
            conn.execute("PRAGMA journal_mode = WAL")
        try:
            outcomes[i] = _kill_an_import(db, bulk_csv, mode, delay)
        except BaseException as exc:  # reported below
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i, mode, delay)) for i, (mode, delay) in enumerate(plan)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert failures == []
    results = [o for o in outcomes if isinstance(o, KillOutcome)]
    for (_mode, delay), outcome in zip(plan, results, strict=True):
        print(
            f"\nSIGKILL {outcome.mode} (+{delay:.2f} s): lock held {outcome.locked_at_kill}, "
            f"exit {outcome.returncode}, assets +{outcome.assets_added}, history +{outcome.history_added}"
        )
        assert outcome.integrity == "ok"
        assert (outcome.assets_added, outcome.history_added) in ((0, 0), (BULK_ROWS, BULK_ROWS))
        if outcome.locked_at_kill:  # killed inside the transaction: nothing of it may remain
            assert outcome.returncode == -signal.SIGKILL
            assert outcome.assets_added == 0
    assert sum(1 for o in results if o.mode == "during" and o.locked_at_kill and o.assets_added == 0) >= 2
    committed = next(o for o in results if o.mode == "after-commit")
    assert committed.assets_added == BULK_ROWS  # a commit survives the kill that follows it


# ---------------------------------------------------------------- backups
def test_a_backup_taken_while_4_writers_write_is_consistent(botu_store: Store, tmp_path: Path) -> None:
    # Each writer adds an asset and edits it once: in a consistent copy every asset has exactly as
    # many history rows as its version, never one without the other.
    stop = threading.Event()
    errors: list[BaseException] = []
    written = Counter[int]()

    def writer(n: int) -> None:
        try:
            while not stop.is_set():
                asset = botu_store.add(make_draft(name=f"Schrijver {n}"), by=f"w{n}")
                botu_store.update(asset.id, asset.draft(description="bewerkt"), by=f"w{n}", expected_version=1)
                written[n] += 2
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    pool = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in pool:
        thread.start()
    copies: list[tuple[Path, float]] = []
    try:
        time.sleep(0.3)
        for i in range(6):
            began = time.perf_counter()
            target = backup_database(botu_store, tmp_path / "backups" / f"b{i}.db")
            copies.append((target, time.perf_counter() - began))
            time.sleep(0.1)
    finally:
        stop.set()
        for thread in pool:
            thread.join(timeout=60)
    assert errors == []
    previous = -1
    for path, _ in copies:
        assert integrity(path) == "ok"
        summary = describe_database(path)
        versions, history = asset_versions(path), history_versions(path)
        assert summary.assets == len(versions) and summary.history == sum(len(v) for v in history.values())
        for asset_id, version in versions.items():
            assert history.get(asset_id) == list(range(1, version + 1)), asset_id
        assert set(history) <= set(versions)
        assert summary.assets >= previous  # later copies hold more
        previous = summary.assets
        assert not Path(f"{path}-wal").exists()  # one self-contained file
        assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds private contact details
    assert previous > 0 and sum(written.values()) > 0
    live = sqlite_file(botu_store)
    assert describe_database(backup_database(botu_store, tmp_path / "final.db")).assets == len(asset_versions(live))
    timings = ", ".join(f"{s * 1000:.0f} ms" for _, s in copies)
    size = copies[-1][0].stat().st_size / 1024
    print(f"\nbackups during {sum(written.values())} writes: {timings} ({size:.0f} kB each at the end)")


def test_a_backup_replaces_its_target_only_when_complete(
    botu_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "backups" / "b.db"
    target.parent.mkdir()
    target.write_bytes(b"the previous backup")

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(backup_module, "_copy", broken)
    with pytest.raises(BackupError) as info:
        backup_database(botu_store, target)
    assert "disk I/O error" in info.value.message("en")
    assert target.read_bytes() == b"the previous backup"
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.db"]  # no temporary file left


def _snapshot(store: Store) -> list[tuple[Any, ...]]:
    return [(a.id, a.name, a.version, a.description, a.is_deleted) for a in store.list_assets(include_deleted=True)]


@pytest.fixture
def restored_world(botu_store: Store, tmp_path: Path) -> Iterator[tuple[Store, Path, list[Asset]]]:
    assets = botu_store.add_many([make_draft(name=f"Origineel {i}") for i in range(3)], by="a")
    yield botu_store, backup_database(botu_store, tmp_path / "keep" / "backup.db"), assets


def test_restore_brings_back_the_backup_and_keeps_the_replaced_database(
    restored_world: tuple[Store, Path, list[Asset]],
) -> None:
    store, copy, assets = restored_world
    at_backup = _snapshot(store)
    history_at_backup = {a.id: store.history(a.id) for a in assets}
    later = store.add(make_draft(name="Later toegevoegd"), by="b")
    store.delete(assets[0].id, by="b")
    store.update(assets[1].id, assets[1].draft(name="Later gewijzigd"), by="b", expected_version=1)
    after_changes = _snapshot(store)

    kept = restore_database(copy, str(store.engine.url))
    live = sqlite_file(store)
    assert kept == live.with_name(f"{live.name}.bak")
    assert _snapshot(store) == at_backup  # the running Store sees the restored data at once
    assert {a.id: store.history(a.id) for a in assets} == history_at_backup
    assert integrity(live) == "ok"
    other = Store.open(f"sqlite:///{kept}")
    assert _snapshot(other) == after_changes and other.get(later.id).name == "Later toegevoegd"
    other.close()

    again = restore_database(copy, str(store.engine.url))  # a second restore keeps the first .bak
    assert again is not None and again != kept and again.name.endswith(".bak") and kept.exists()
    assert sorted(p.name for p in live.parent.iterdir() if ".tmp" in p.name) == []


def test_restore_into_a_new_location_creates_the_database(
    restored_world: tuple[Store, Path, list[Asset]], tmp_path: Path
) -> None:
    _, copy, assets = restored_world
    url = f"sqlite:///{tmp_path}/nieuw/abcd.db"
    (tmp_path / "nieuw").mkdir()
    assert restore_database(copy, url) is None
    fresh = Store.open(url)
    assert {a.id for a in fresh.list_assets()} == {a.id for a in assets}
    fresh.close()


def _not_sqlite(folder: Path) -> Path:
    path = folder / "notities.db"
    path.write_text("dit is geen database\n" * 100, encoding="utf-8")
    return path


def _other_sqlite(folder: Path) -> Path:
    path = folder / "ander.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE boodschappen (wat TEXT)")
    return path


def _corrupt(folder: Path, copy: Path) -> Path:
    path = folder / "kapot.db"
    data = bytearray(copy.read_bytes())
    page = 4096
    for offset in range(2 * page + 100, len(data) - page, page):  # scribble over every page after the schema
        data[offset : offset + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))
    return path


def _future(folder: Path, copy: Path) -> Path:
    path = folder / "toekomst.db"
    path.write_bytes(copy.read_bytes())
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    return path


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda folder, copy: _not_sqlite(folder), "error.restore_not_sqlite"),
        (lambda folder, copy: _other_sqlite(folder), "error.restore_no_schema"),
        (_corrupt, "error.restore_corrupt"),
        (_future, "error.restore_unknown_revision"),
    ],
    ids=["not-sqlite", "other-sqlite", "corrupt", "newer-schema"],
)
def test_restore_refuses_a_file_that_is_not_a_sound_abcd_database(
    restored_world: tuple[Store, Path, list[Asset]], tmp_path: Path, make: Callable[[Path, Path], Path], key: str
) -> None:
    store, copy, _ = restored_world
    bad = make(tmp_path, copy)
    before = _snapshot(store)
    live = sqlite_file(store)
    files = sorted(p.name for p in live.parent.iterdir())
    with pytest.raises(BackupError) as info:
        restore_database(bad, str(store.engine.url))
    assert info.value.key == key, info.value.message("en")
    assert "nothing was replaced" in info.value.message("en")
    assert "er is niets vervangen" in info.value.message("nl")
    assert _snapshot(store) == before
    assert sorted(p.name for p in live.parent.iterdir()) == files  # no .bak, no temporary file


def test_postgresql_is_pointed_to_pg_dump(tmp_path: Path) -> None:
    url = "postgresql+psycopg://abcd@localhost/abcd"
    for action in (lambda: backup_database(url, tmp_path / "b.db"), lambda: restore_database(tmp_path, url)):
        with pytest.raises(BackupError) as info:
            action()
        assert info.value.key == "error.backup_postgres"
        assert "pg_dump" in info.value.message("en") and "pg_dump" in info.value.message("nl")


def test_the_live_database_is_never_its_own_backup_or_source(botu_store: Store) -> None:
    live = sqlite_file(botu_store)
    for action in (
        lambda: backup_database(botu_store, live),
        lambda: backup_database(botu_store, Path(f"{live}-wal")),
        lambda: restore_database(live, str(botu_store.engine.url)),
    ):
        with pytest.raises(BackupError) as info:
            action()
        assert info.value.key == "error.backup_same_file"
    assert integrity(live) == "ok"


def test_backup_and_restore_through_the_cli(
    tmp_path: Path, cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli_main(["init"]) == 0
    target = tmp_path / "kopie" / "abcd-backup.db"
    capsys.readouterr()
    assert cli_main(["backup", str(target)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Back-up gemaakt: {target} (10 assets,")
    assert cli_main(["examples", "remove"]) == 0
    monkeypatch.setenv("ABCD_LANG", "en")
    capsys.readouterr()
    assert cli_main(["restore", str(target)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Database restored from {target} (10 assets, schema ")
    assert f"kept as {cli_env}.bak" in out
    assert Store.open(f"sqlite:///{cli_env}").count_assets() == 10
    bad = tmp_path / "kapot.db"
    bad.write_text("geen database", encoding="utf-8")
    assert cli_main(["restore", str(bad)]) == 2
    assert "is not an abcd database" in capsys.readouterr().err
    monkeypatch.setenv("ABCD_DATABASE_URL", "postgresql+psycopg://abcd@localhost/abcd")
    assert cli_main(["backup", str(target)]) == 2
    assert "pg_dump" in capsys.readouterr().err


def test_backup_and_restore_are_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Backup and restore", 1)[1].split("\n## ", 1)[0]
    for needle in ("abcd backup", "abcd restore", "Stop the app", ".bak", "integrity", "pg_dump", "pg_restore"):
        assert needle in section, needle
    assert "| `abcd backup FILE` |" in readme and "| `abcd restore FILE` |" in readme


# ------------------------------------------------------- restore vs the app
def _app_holding(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the app once against ``url``, as `make run` does; it keeps holding the database afterwards."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ABCD_DATABASE_URL", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception


def test_restore_refuses_while_the_app_holds_the_database_and_no_saved_write_is_lost(
    restored_world: tuple[Store, Path, list[Asset]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review restored under a running app: 73 of 200 acknowledged saves were gone."""
    store, copy, _ = restored_world
    url = str(store.engine.url)
    _app_holding(url, monkeypatch)
    saved: list[str] = []
    twenty = threading.Event()

    def write() -> None:  # the app's users, saving while someone restores
        for n in range(200):
            saved.append(store.add(make_draft(name=f"Opgeslagen {n}"), by="app").id)
            if n == 20:
                twenty.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert twenty.wait(60)
    with pytest.raises(BackupError) as info:
        restore_database(copy, url)
    writer.join(120)
    assert info.value.key == "error.restore_in_use"
    assert "Stop the app" in info.value.message("en") and "nothing was replaced" in info.value.message("en")
    assert len(saved) == 200 and set(saved) <= {a.id for a in store.list_assets()}
    live = sqlite_file(store)
    assert not list(live.parent.glob("*.bak"))


def test_restore_works_once_the_app_has_stopped(
    restored_world: tuple[Store, Path, list[Asset]], tmp_path: Path
) -> None:
    store, copy, assets = restored_world
    url = str(store.engine.url)
    hold = backup_module.hold_database(url)  # what every app process does while it runs
    assert hold is not None
    with pytest.raises(BackupError):
        restore_database(copy, url)
    hold.close()  # the app stopped
    assert restore_database(copy, url) is not None
    assert {a.id for a in store.list_assets()} == {a.id for a in assets}
    assert stat.S_IMODE(sqlite_file(store).with_name(f"{sqlite_file(store).name}.lock").stat().st_mode) == 0o600


# ------------------------------------------------------------ file modes
def test_the_database_its_wal_and_a_backup_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # the usual umask, under which SQLite makes 0644 files
    try:
        store = Store.open(f"sqlite:///{tmp_path}/data/abcd.db")
        store.add_many([], by="x")
        with store.engine.connect() as reader:  # an open connection keeps the -wal and -shm files
            reader.exec_driver_sql("SELECT count(*) FROM assets").scalar_one()
            live = sqlite_file(store)
            files = [live, Path(f"{live}-wal"), Path(f"{live}-shm")]
            assert all(f.exists() for f in files)
            assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {f.name: 0o600 for f in files}
        copy = backup_database(store, tmp_path / "backups" / "abcd.db")
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        store.close()
    finally:
        os.umask(old_umask)


def test_an_existing_database_readable_by_others_is_tightened_when_opened(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path}/abcd.db"
    Store.open(url).close()
    live = tmp_path / "abcd.db"
    live.chmod(0o644)
    with caplog.at_level("WARNING"):
        Store.open(url).close()
    assert stat.S_IMODE(live.stat().st_mode) == 0o600
    assert "0644" in caplog.text and "0600" in caplog.text
