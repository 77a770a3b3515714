"""The one versioned-record mechanism: fields declared once, tables, history, conflicts, soft delete."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import fields
from enum import StrEnum

import pytest
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Column, MetaData, String, inspect, select

from abcd import schema
from abcd.db import Database
from abcd.errors import ConflictError, NotFoundError
from abcd.investments.ledger import INVESTMENTS
from abcd.investments.model import InvestmentFields
from abcd.model import INTERCHANGE_COLUMNS, Asset, AssetDraft, AssetFields
from abcd.permissions import AccountFields
from abcd.records import (
    BOOKKEEPING,
    Versioned,
    declared,
    declared_fields,
    field_info,
    interchange_fields,
    record,
)
from abcd.store import ASSETS
from abcd.versioned import RecordKind
from tests.helpers import ROOT

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=1)


class Mood(StrEnum):
    GOOD = "good"
    QUIET = "quiet"


@record
class NoteFields:
    """A record type that exists only in this test: one field of every kind a column can hold."""

    title: str = declared(max_length=80)
    mood: Mood = declared(default=Mood.GOOD, max_length=10)
    body: str = declared(default="", long_text=True)
    active: bool | None = declared(default=None)
    weight: float | None = declared(default=None)
    count: int = declared(default=0)
    day: dt.date | None = declared(default=None)
    shape: BaseGeometry | None = declared(default=None)
    tags: frozenset[str] = declared(default=frozenset(), long_text=True)
    secret: str | None = declared(default=None, max_length=20, history=False, private=True)


@record
class Note(Versioned, NoteFields):
    id: str


@pytest.fixture
def notes() -> Iterator[tuple[Database, RecordKind[Note]]]:
    meta = MetaData()
    table = schema.versioned_table("notes", Column("id", String(36), primary_key=True), NoteFields, meta=meta)
    history = schema.history_table("note_history", Column("note_id", String(36), nullable=False), meta=meta)
    db = Database.open("sqlite://")
    meta.create_all(db.engine)
    kind: RecordKind[Note] = RecordKind(Note, table, history, history_key="note_id", name_of=lambda n: n.title)
    yield db, kind
    db.close()


def a_note(**changes: object) -> NoteFields:
    values: dict[str, object] = {
        "title": "Buurtmoestuin",
        "mood": Mood.QUIET,
        "body": "Elke zaterdag\nom tien uur",
        "active": True,
        "weight": 1.5,
        "count": 3,
        "day": dt.date(2026, 3, 1),
        "shape": shapely.Point(4.44, 51.91),
        "tags": frozenset({"groen", "ontmoeten"}),
        "secret": "06-12345678",
    }
    values.update(changes)
    return NoteFields(**values)  # type: ignore[arg-type]


def test_a_declared_field_becomes_a_column_of_the_right_type() -> None:
    meta = MetaData()
    table = schema.versioned_table("notes", Column("id", String(36), primary_key=True), NoteFields, meta=meta)
    columns = {c.name: c for c in table.c}
    names = [f.name for f in declared_fields(NoteFields)]
    assert list(columns) == ["id", *[("shape_wkb" if n == "shape" else n) for n in names], *BOOKKEEPING]
    assert str(columns["title"].type) == "VARCHAR(80)" and not columns["title"].nullable
    assert str(columns["body"].type) == "TEXT"
    assert columns["active"].nullable and str(columns["active"].type) == "BOOLEAN"
    assert str(columns["shape_wkb"].type) == "BLOB"


def test_every_kind_of_value_round_trips_through_a_row(notes: tuple[Database, RecordKind[Note]]) -> None:
    db, kind = notes
    note = kind.new(a_note(), "n1", by="ans", now=NOW)
    with db.write() as conn:
        kind.insert(conn, [note], by="ans", now=NOW)
    with db.read() as conn:
        stored = kind.get(conn, "n1")
    assert stored == note
    empty = kind.new(NoteFields(title="Leeg"), "n2", by="ans", now=NOW)
    with db.write() as conn:
        kind.insert(conn, [empty], by="ans", now=NOW)
    with db.read() as conn:
        assert kind.get(conn, "n2") == empty


def test_history_keeps_tracked_fields_and_never_the_ones_kept_out(notes: tuple[Database, RecordKind[Note]]) -> None:
    db, kind = notes
    note = kind.new(a_note(), "n1", by="ans", now=NOW)
    with db.write() as conn:
        kind.insert(conn, [note], by="ans", now=NOW)
        kind.update(conn, note, a_note(title="Moestuin", secret="06-999"), by="bob", now=LATER, expected_version=1)
    with db.read() as conn:
        create, update = kind.entries(conn, "n1")
        raw = [r.new_values for r in conn.execute(select(kind.history.c.new_values))]
    assert (create.action, update.action, update.changed_by, update.version) == ("create", "update", "bob", 2)
    assert update.changed_fields() == ["title"]  # the secret changed too, but is not history's to keep
    assert update.old is not None and update.old["title"] == "Buurtmoestuin"
    assert update.new is not None and update.new["shape"] == "POINT (4.44 51.91)"
    assert update.new["tags"] == ["groen", "ontmoeten"] and update.new["day"] == "2026-03-01"
    assert not any("06-" in text for text in raw)
    assert set(json.loads(raw[0])) == {*kind.tracked, "deleted"}


def test_a_stale_version_writes_nothing(notes: tuple[Database, RecordKind[Note]]) -> None:
    db, kind = notes
    note = kind.new(a_note(), "n1", by="ans", now=NOW)
    with db.write() as conn:
        kind.insert(conn, [note], by="ans", now=NOW)
        kind.update(conn, note, a_note(title="Eerste"), by="ans", now=LATER, expected_version=1)
    with pytest.raises(ConflictError), db.write() as conn:
        kind.update(conn, note, a_note(title="Tweede"), by="bob", now=LATER, expected_version=1)
    with db.read() as conn:
        assert kind.get(conn, "n1").title == "Eerste"
        assert [e.version for e in kind.entries(conn, "n1")] == [1, 2]


def test_soft_delete_and_restore_are_versions_with_history(notes: tuple[Database, RecordKind[Note]]) -> None:
    db, kind = notes
    with db.write() as conn:
        kind.insert(conn, [kind.new(a_note(), "n1", by="ans", now=NOW)], by="ans", now=NOW)
        deleted = kind.set_deleted(conn, "n1", deleted=True, by="bob", now=LATER, expected_version=None)
        with pytest.raises(NotFoundError):
            kind.set_deleted(conn, "n1", deleted=True, by="bob", now=LATER, expected_version=None)
        with pytest.raises(NotFoundError):
            kind.edit(conn, "n1", lambda n: n, "update", by="bob", now=LATER)
        restored = kind.set_deleted(conn, "n1", deleted=False, by="bob", now=LATER, expected_version=2)
        entries = kind.entries(conn, "n1")
    assert (deleted.is_deleted, deleted.deleted_by, restored.is_deleted, restored.version) == (True, "bob", False, 3)
    assert [(e.action, e.changed_fields()) for e in entries[1:]] == [("delete", ["deleted"]), ("restore", ["deleted"])]


def test_the_cache_token_changes_with_every_write(notes: tuple[Database, RecordKind[Note]]) -> None:
    db, kind = notes
    tokens = []
    with db.write() as conn:
        tokens.append(kind.data_version(conn))
        note = kind.new(a_note(), "n1", by="ans", now=NOW)
        kind.insert(conn, [note], by="ans", now=NOW)
        tokens.append(kind.data_version(conn))
        kind.update(conn, note, a_note(count=4), by="ans", now=LATER, expected_version=1)
        tokens.append(kind.data_version(conn))
    assert len(set(tokens)) == 3


def test_forgetting_values_keeps_only_that_something_happened(notes: tuple[Database, RecordKind[Note]]) -> None:
    db, kind = notes
    with db.write() as conn:
        note = kind.new(a_note(), "n1", by="ans", now=NOW)
        kind.insert(conn, [note], by="ans", now=NOW)
        kind.update(conn, note, a_note(title="Nieuw"), by="ans", now=LATER, expected_version=1)
        kind.forget_values(conn, "n1", by="coordinator", now=LATER)
        entries = kind.entries(conn, "n1")
    assert [(e.version, e.action, e.old, e.new) for e in entries] == [
        (1, "create", None, None),
        (2, "update", None, None),
        (3, "erase", None, None),
    ]


def test_adding_a_field_is_one_declaration() -> None:
    # A new field on the record type reaches the table, the history and the files with no other edit.
    @record
    class LongerFields(NoteFields):
        colour: str | None = declared(default=None, max_length=7)

    @record
    class Longer(Versioned, LongerFields):
        id: str

    meta = MetaData()
    table = schema.versioned_table("longer", Column("id", String(36), primary_key=True), LongerFields, meta=meta)
    assert "colour" in table.c and str(table.c.colour.type) == "VARCHAR(7)"
    assert "colour" in interchange_fields(LongerFields)
    kind: RecordKind[Longer] = RecordKind(Longer, table, table, history_key="id", name_of=lambda r: "")
    longer = Longer(**{**vars(a_note()), "colour": "#009E73"}, id="x", version=1, created_by="a",
                    created_at=NOW, updated_by="a", updated_at=NOW)  # fmt: skip
    assert kind.to_row(longer)["colour"] == "#009E73"
    assert kind.snapshot(longer)["colour"] == "#009E73"
    assert kind.from_row(kind.to_row(longer)) == longer


# ----------------------------------------------------------- the real records
def test_the_asset_is_declared_once_and_its_table_and_files_follow() -> None:
    declared_names = [f.name for f in declared_fields(AssetFields)]
    columns = [c.name for c in schema.assets.c]
    assert columns == ["id", *[("area_wkb" if n == "area" else n) for n in declared_names], *BOOKKEEPING]
    assert INTERCHANGE_COLUMNS == (
        "id",
        "name",
        "category",
        "description",
        "resident_led",
        "meeting_place_role",
        "source",
        "themes",
        "last_confirmed",
        "osm_id",
        "version",
        "created_at",
        "updated_at",
    )
    assert "contact" in interchange_fields(AssetFields, private=True)
    assert "contact" not in interchange_fields(AssetFields)
    # The draft and the stored asset are the declared fields plus their own extras, nothing spelled twice.
    extras = {f.name for f in fields(AssetDraft)} - set(declared_names)
    assert extras == {"id", "consent", "wijk"}  # wijk: where the user says it lies, checked and never stored
    assert {f.name for f in fields(Asset)} - set(declared_names) == {"id", *BOOKKEEPING}


@pytest.mark.parametrize(
    ("kind", "fields_type"),
    [(ASSETS, AssetFields), (INVESTMENTS, InvestmentFields)],
    ids=["assets", "investments"],
)
def test_history_tracks_every_declared_field(kind: RecordKind[Versioned], fields_type: type) -> None:
    assert kind.tracked == tuple(f.name for f in declared_fields(fields_type))


def test_an_account_keeps_its_hash_and_login_counters_out_of_history() -> None:
    kept_out = {f.name for f in declared_fields(AccountFields) if not field_info(f).history}
    assert kept_out == {"password_hash", "failed_attempts", "locked_until", "last_login_at"}
    assert "password_hash" not in repr(AccountFields(role="builder", password_hash="$argon2id$geheim"))  # type: ignore[arg-type]


def _page(name: str) -> str:
    return (ROOT / "app_pages" / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("page", ["toevoegen.py", "lijst.py"])
def test_the_asset_forms_cover_the_declared_fields(page: str) -> None:
    """Every field a person enters (``form="edit"``) is on the add and edit forms; ``"add"`` ones on the add form."""
    text = _page(page)
    wanted = {
        f.name
        for f in declared_fields(AssetFields)
        if field_info(f).form == "edit" or (field_info(f).form == "add" and page == "toevoegen.py")
    }
    assert wanted >= {"name", "category", "description"}  # the scan itself has something to find
    on_page = {name for name in wanted if re.search(rf"""["']{name}["']|\b{name}=""", text)}
    assert on_page == wanted


def test_migrations_build_exactly_the_declared_tables(tmp_path: object) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    db = Database.open(f"sqlite:///{tmp_path}/schema.db", upgrade=True)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, schema.metadata) == []
        assert set(inspect(conn).get_table_names()) == {*schema.metadata.tables, "alembic_version"}
    db.close()
