"""The same store on PostgreSQL (ABCD_DATABASE_URL=postgresql+psycopg://...): migrations, history, conflicts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from abcd import accounts
from abcd.db import current_revision, head_revision
from abcd.errors import ConflictError
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, make_draft
from tests.postgres_support import temporary_postgres


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with temporary_postgres() as url:
        yield url


@pytest.fixture
def pg_store(pg_url: str, botu: Wijk) -> Iterator[Store]:
    store = Store.open(pg_url)
    with store.engine.begin() as conn:  # a clean slate per test, schema kept
        conn.execute(
            text(
                "TRUNCATE assets, asset_areas, asset_history, consents, sessions, users, user_history, streets, "
                "wijken, meta, themes, effort_plans, effort_plan_streets, connections, connection_history CASCADE"
            )
        )
    store.save_wijk(botu.record())
    yield store
    store.close()


def test_themes_and_recorded_plans_on_postgres(pg_store: Store) -> None:
    from datetime import date
    from decimal import Decimal

    import pandas as pd

    from abcd.effort import EffortRun
    from abcd.effort.saved import latest_plan, save_plan
    from abcd.permissions import CLI_USER
    from abcd.themes import add_theme, known_codes

    add_theme(pg_store, "buurtpreventie", label_nl="Buurtpreventie", user=CLI_USER)
    assert "buurtpreventie" in known_codes(pg_store)
    asset = pg_store.add(make_draft(name="Prikploeg", category="initiative", themes="zwerfvuil,buurtpreventie"), by="a")
    assert pg_store.get(asset.id).themes == frozenset({"zwerfvuil", "buurtpreventie"})
    run = EffortRun(Decimal("120"), "uur", "week", 0.5, "straight", 250, date(2026, 12, 1), theme="zwerfvuil")
    streets = pd.DataFrame(
        {"street": ["A", "B"], "length_m": [100.0, 50.0], "effort": [80.0, 40.0], "initiative_ids": [(), (asset.id,)]}
    )
    save_plan(pg_store, BOTU, run, streets, user=CLI_USER)
    saved = latest_plan(pg_store, BOTU, "zwerfvuil")
    assert saved is not None and saved.run == run
    assert saved.streets["initiative_ids"].tolist() == [(), (asset.id,)]
    assert latest_plan(pg_store, BOTU, None) is None


def test_connections_go_with_an_erased_resident_on_postgres(pg_store: Store) -> None:
    from sqlalchemy import func, select

    from abcd import schema
    from abcd.connections.model import validate_connection
    from abcd.connections.register import Register

    club = pg_store.add(make_draft(name="Naaiclub"), by="a")
    resident = pg_store.add(make_draft(name="Fatima", category="person", linked_asset_id=club.id), by="a")
    categories = {club.id: club.category, resident.id: resident.category}
    (tie,) = Register(pg_store).add_many(
        [validate_connection({"from_id": resident.id, "to_id": club.id, "kind": "member_of"}, categories)], by="a"
    )
    Register(pg_store).delete(tie.id, by="a")
    Register(pg_store).restore(tie.id, by="a")
    pg_store.erase(resident.id, by="coco")
    with pg_store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.connections)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(schema.connection_history)).scalar_one() == 0


def test_migrations_reach_head_on_postgres(pg_store: Store) -> None:
    assert current_revision(pg_store.engine) == head_revision()
    assert pg_store.engine.dialect.name == "postgresql"


def test_add_update_delete_restore_with_history(pg_store: Store) -> None:
    asset = pg_store.add(make_draft(name="Naaiclub"), by="ans")
    updated = pg_store.update(asset.id, asset.draft(name="Naaiclub De Draad"), by="bob", expected_version=1)
    with pytest.raises(ConflictError):
        pg_store.update(asset.id, asset.draft(name="Oud"), by="eve", expected_version=1)
    pg_store.delete(asset.id, by="ans")
    pg_store.restore(asset.id, by="ans")
    assert pg_store.get(asset.id).name == updated.name
    assert [h.action for h in pg_store.history(asset.id)] == ["create", "update", "delete", "restore"]


def test_bulk_writes_are_all_or_nothing(pg_store: Store) -> None:
    twin = "0b6f2a7e-8d54-4f0c-9a1b-2c3d4e5f6a71"
    drafts = [make_draft(name=f"Plek {n}") for n in range(5)] + [make_draft(id=twin), make_draft(id=twin)]
    with pytest.raises(IntegrityError):
        pg_store.upsert_many(drafts, by="import")
    assert pg_store.count_assets() == 0
    created, _ = pg_store.upsert_many(drafts[:5], by="import")
    assert len(created) == 5 and pg_store.count_assets() == 5


def test_accounts_and_erasure_work_on_postgres(pg_store: Store) -> None:
    accounts.add_user(pg_store, "ans", role="builder", password="een lang wachtwoord")
    assert accounts.authenticate(pg_store, "ans", "een lang wachtwoord").username == "ans"
    person = pg_store.add(make_draft(category="person", name="Fatima Zwartbroek"), by="ans")
    pg_store.erase(person.id, by="coordinator")
    assert [h.action for h in pg_store.history(person.id)] == ["create", "erase"]
    assert pg_store.consent(person.id) is None


def test_migrations_build_exactly_the_declared_tables_on_postgres(pg_store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from abcd import schema
    from abcd.db import portable_schema_object

    with pg_store.engine.connect() as conn:
        # The PostGIS geometry columns are PostgreSQL's own (tests/test_postgis.py checks them).
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": portable_schema_object}
        )
        assert compare_metadata(context, schema.metadata) == []


def test_account_history_on_postgres(pg_store: Store) -> None:
    accounts.add_user(pg_store, "ans", role="builder", password="een lang wachtwoord", by="beheer")
    accounts.set_role(pg_store, "ans", "officer", by="beheer")
    assert [e.action for e in accounts.account_history(pg_store, "ans")] == ["create", "update"]
    assert accounts.get_account(pg_store, "ans").version == 2


@pytest.mark.parametrize("typed", ["abc\x00", "\x00"])
def test_a_nul_character_is_refused_before_it_reaches_postgresql(pg_store: Store, typed: str) -> None:
    """PostgreSQL cannot hold NUL in text; the driver used to raise, and the page showed the SQL."""
    from abcd.assets import erase_person
    from abcd.errors import AbcdError
    from abcd.investments.ledger import Ledger
    from abcd.investments.model import validate_investment
    from abcd.permissions import CLI_USER

    accounts.add_user(pg_store, "ans", role="builder", password=None)
    place = pg_store.add(make_draft(name="Buurthuis", category="meeting_place", meeting_place_role="resident"), by="x")
    attempts = {
        "login": lambda: accounts.authenticate(pg_store, typed, "een lang wachtwoord"),
        "asset id": lambda: pg_store.get(typed),
        "erase id": lambda: erase_person(pg_store, typed, user=CLI_USER),
        "account": lambda: accounts.get_account(pg_store, typed),
        "set role": lambda: accounts.set_role(pg_store, typed, "officer"),
        "remove": lambda: accounts.remove_user(pg_store, typed),
        "new account": lambda: accounts.add_user(pg_store, typed, role="builder", password=None),
        "wijken": lambda: accounts.add_user(pg_store, "bob", role="builder", password=None, wijken=typed),
        "actor": lambda: pg_store.add(make_draft(name="Plek"), by=typed),
        "note": lambda: Ledger(pg_store).add(
            validate_investment(
                {
                    "meeting_place_id": place.id,
                    "wijk": BOTU,
                    "date": "2026-01-15",
                    "amount_eur": "10",
                    "funder": "gemeente",
                    "note": typed,
                }
            ),
            by="x",
        ),
    }
    for what, attempt in attempts.items():
        with pytest.raises(AbcdError):
            attempt()
        assert pg_store.count_assets() == 1, what


def _database_files(store: Store) -> list[Path]:
    """Every file of the test database's tables, indexes and their TOAST (the test runs its own server)."""
    with store.engine.connect() as conn:
        data_dir = Path(conn.execute(text("SHOW data_directory")).scalar_one())
        oid = conn.execute(text("SELECT oid FROM pg_database WHERE datname = current_database()")).scalar_one()
    return sorted(p for p in (data_dir / "base" / str(oid)).iterdir() if p.is_file())


def _checkpoint(store: Store) -> None:
    """Write every changed page to the table files, so reading them shows what the server holds."""
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("CHECKPOINT"))


def test_erasure_leaves_no_bytes_of_the_resident_in_the_table_files(pg_store: Store) -> None:
    name, contact = "Fatima Zwartbroek-Qx7", "fatima.qx7@example.org"
    person = pg_store.add(make_draft(category="person", name=name, contact=contact), by="ans")
    pg_store.update(person.id, person.draft(description="kookt voor de buren"), by="bob", expected_version=1)
    _checkpoint(pg_store)

    def files_holding(text_: str) -> list[str]:
        return [p.name for p in _database_files(pg_store) if text_.encode() in p.read_bytes()]

    assert files_holding(name) and files_holding(contact)  # the check can see them before erasure
    pg_store.erase(person.id, by="coordinator")
    _checkpoint(pg_store)
    assert files_holding(name) == [] and files_holding(contact) == []


def test_an_erasure_that_cannot_rewrite_the_tables_yet_says_so_and_compact_finishes_it(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from abcd import db

    monkeypatch.setattr(db, "VACUUM_LOCK_TIMEOUT_S", 1)
    person = pg_store.add(make_draft(category="person", name="Joop Qx8-Stoker"), by="ans")
    _checkpoint(pg_store)
    with pg_store.engine.connect() as reader, reader.begin():
        reader.execute(text("SELECT count(*) FROM assets")).scalar_one()  # an open read holds the table
        with pytest.raises(ConflictError) as caught:
            pg_store.erase(person.id, by="coordinator")
    assert caught.value.key == "error.erase_busy"
    assert pg_store.assets_by_id([person.id]) == {}  # erased all the same; only the rewrite is pending
    pg_store.compact()  # `abcd compact`, when nobody holds the tables
    _checkpoint(pg_store)
    assert not [p for p in _database_files(pg_store) if b"Qx8-Stoker" in p.read_bytes()]
