"""Imports as batches: listed, undone exactly, refused where later work would be lost (abcd.batches)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from abcd import exchange
from abcd.assets import undo_import
from abcd.cli import main
from abcd.errors import AbcdError, ConflictError, ImportFileError, NotFoundError
from abcd.permissions import CLI_USER, Role, User
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, INSIDE_BOTU, INSIDE_BOTU_2
from tests.helpers import WIJKEN_DIR as DATA

ID_1 = "5c0f3f55-1f43-4b7e-8f0c-0d7c1e6b2a01"
ID_2 = "5c0f3f55-1f43-4b7e-8f0c-0d7c1e6b2a02"


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def row(name: str, point: tuple[float, float] = INSIDE_BOTU, **more: Any) -> dict[str, Any]:
    lon, lat = point
    return {"name": name, "category": "association", "lon": lon, "lat": lat, **more}


@pytest.fixture
def do_import(catalogue: dict[str, Wijk]) -> Callable[..., exchange.ImportResult]:
    def run(store: Store, path: Path, **kwargs: Any) -> exchange.ImportResult:
        options: dict[str, Any] = {"catalogue": catalogue, "wijken_dir": DATA, "default_wijk": BOTU, "by": "jan"}
        options.update(kwargs)
        return exchange.import_assets(store, path, **options)

    return run


def test_an_import_is_a_batch_with_its_counts(
    botu_store: Store, tmp_path: Path, do_import: Callable[..., exchange.ImportResult]
) -> None:
    path = write_csv(tmp_path / "register.csv", [row("Buurtkamer Oost"), row("Naaiclub", INSIDE_BOTU_2)])
    result = do_import(botu_store, path, source="Register 2026.csv")
    assert result.batch is not None
    (batch,) = botu_store.import_batches()
    assert (batch.id, batch.kind, batch.source, batch.rows) == (result.batch, "file", "Register 2026.csv", 2)
    assert (batch.created, batch.updated, batch.imported_by, batch.is_undone) == (2, 0, "jan", False)
    assert {action for _, action, _ in botu_store.import_batch_assets(batch.id)} == {"create"}


def test_undo_removes_what_the_batch_added_and_only_that(
    botu_store: Store, tmp_path: Path, do_import: Callable[..., exchange.ImportResult]
) -> None:
    earlier = do_import(botu_store, write_csv(tmp_path / "a.csv", [row("Bibliotheek Delfshaven")]))
    later = do_import(botu_store, write_csv(tmp_path / "b.csv", [row("Moestuin", INSIDE_BOTU_2), row("Speeltuin")]))
    assert later.batch is not None and earlier.batch is not None
    done = undo_import(botu_store, later.batch, user=CLI_USER)
    assert (done.removed, done.restored) == (2, 0)
    assert [a.name for a in botu_store.list_assets()] == ["Bibliotheek Delfshaven"]
    removed = botu_store.list_assets(deleted_only=True)
    assert {a.name for a in removed} == {"Moestuin", "Speeltuin"}
    for asset in removed:  # soft delete, in the history
        assert botu_store.history(asset.id)[-1].action == "delete"
    assert botu_store.import_batch(later.batch).is_undone
    assert not botu_store.import_batch(earlier.batch).is_undone


def test_undo_puts_back_what_the_batch_changed(
    botu_store: Store, tmp_path: Path, do_import: Callable[..., exchange.ImportResult]
) -> None:
    first = do_import(botu_store, write_csv(tmp_path / "a.csv", [row("Buurthuis", id=ID_1, description="oud")]))
    assert first.created == 1
    moved_lon, moved_lat = INSIDE_BOTU_2
    edit = row("Buurthuis De Wilg", id=ID_1, version=1, description="nieuw", lon=moved_lon, lat=moved_lat)
    second = do_import(botu_store, write_csv(tmp_path / "b.csv", [edit]))
    assert (second.created, second.updated) == (0, 1)
    assert botu_store.get(ID_1).name == "Buurthuis De Wilg"
    assert second.batch is not None
    done = undo_import(botu_store, second.batch, user=CLI_USER)
    assert (done.removed, done.restored) == (0, 1)
    back = botu_store.get(ID_1)
    assert (back.name, back.description, back.version) == ("Buurthuis", "oud", 3)
    assert (back.lon, back.lat) == INSIDE_BOTU
    assert botu_store.history(ID_1)[-1].changed_fields() == ["name", "description", "lon", "lat"]
    assert BOTU in botu_store.areas_of([ID_1])[ID_1]


def test_undo_is_refused_when_an_asset_changed_since_and_then_touches_nothing(
    botu_store: Store, tmp_path: Path, do_import: Callable[..., exchange.ImportResult]
) -> None:
    result = do_import(botu_store, write_csv(tmp_path / "a.csv", [row("Koor", id=ID_1), row("Zwemclub", id=ID_2)]))
    assert result.batch is not None
    current = botu_store.get(ID_2)
    botu_store.update(ID_2, current.draft(description="elke dinsdag"), by="marieke", expected_version=1)
    with pytest.raises(ConflictError) as refused:
        undo_import(botu_store, result.batch, user=CLI_USER)
    message = refused.value.message("nl")
    assert "Zwemclub (marieke)" in message and "Koor" not in message
    assert {a.name for a in botu_store.list_assets()} == {"Koor", "Zwemclub"}
    assert not botu_store.import_batch(result.batch).is_undone


def test_undo_twice_and_unknown_batches_are_refused(
    botu_store: Store, tmp_path: Path, do_import: Callable[..., exchange.ImportResult]
) -> None:
    result = do_import(botu_store, write_csv(tmp_path / "a.csv", [row("Koor")]))
    assert result.batch is not None
    undo_import(botu_store, result.batch, user=CLI_USER)
    with pytest.raises(AbcdError) as twice:
        undo_import(botu_store, result.batch, user=CLI_USER)
    assert twice.value.key == "error.batch_undone"
    with pytest.raises(NotFoundError):
        undo_import(botu_store, 999, user=CLI_USER)


def test_only_who_may_import_there_may_undo(
    botu_store: Store, tmp_path: Path, do_import: Callable[..., exchange.ImportResult]
) -> None:
    result = do_import(botu_store, write_csv(tmp_path / "a.csv", [row("Koor")]))
    assert result.batch is not None
    elsewhere = User("builder-west", Role.BUILDER, frozenset({"oude-westen"}))
    with pytest.raises(AbcdError):
        undo_import(botu_store, result.batch, user=elsewhere)
    assert [a.name for a in botu_store.list_assets()] == ["Koor"]


def test_a_field_form_export_imported_again_updates_while_nobody_edited_it(
    botu_store: Store, tmp_path: Path, do_import: Callable[..., exchange.ImportResult]
) -> None:
    """A KoboToolbox/ODK submission carries no version: the last import's version stands in for it."""
    submission = row("Repair café", id=ID_1, _field_form="kobo")
    first = do_import(botu_store, write_csv(tmp_path / "kobo.csv", [submission]))
    assert first.created == 1 and botu_store.import_batch(first.batch or 0).kind == "kobo"
    again = do_import(botu_store, write_csv(tmp_path / "kobo.csv", [submission]))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    edited_in_kobo = {**submission, "description": "Elke eerste zaterdag"}
    third = do_import(botu_store, write_csv(tmp_path / "kobo.csv", [edited_in_kobo]))
    assert (third.created, third.updated) == (0, 1)
    current = botu_store.get(ID_1)
    botu_store.update(ID_1, current.draft(name="Repair Café BoTu"), by="marieke", expected_version=current.version)
    with pytest.raises(ImportFileError) as stale:
        do_import(botu_store, write_csv(tmp_path / "kobo.csv", [edited_in_kobo]))
    assert "marieke" in stale.value.message("nl")
    assert botu_store.get(ID_1).name == "Repair Café BoTu"
    assert len(botu_store.list_assets()) == 1


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_prints_the_batch_id_last_lists_and_undoes(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init", "--no-examples")[0] == 0
    path = write_csv(tmp_path / "clubs.csv", [row("Koor"), row("Schaakclub", INSIDE_BOTU_2)])
    code, out, err = run(capsys, "import", str(path), "--by", "jan")
    assert (code, err) == (0, "")
    batch_id = out.splitlines()[-1]
    assert batch_id.isdigit() and f"abcd imports undo {batch_id}" in out
    code, out, _ = run(capsys, "imports", "list")
    assert code == 0
    assert out.splitlines()[0].split("\t")[:5][0] == batch_id
    assert "clubs.csv" in out and "jan" in out
    code, out, err = run(capsys, "imports", "undo", batch_id, "--by", "piet")
    assert (code, err) == (0, "")
    assert "Weggehaald: 2" in out
    code, out, err = run(capsys, "imports", "undo", batch_id)
    assert code == 2 and "al ongedaan gemaakt" in err
    code, out, _ = run(capsys, "list")
    assert out == ""
    code, _, err = run(capsys, "imports", "undo", "abc")
    assert code == 2 and "Er is geen import met nummer abc" in err


def test_a_coordinator_undoes_an_import_on_the_beheer_page(
    cli_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from streamlit.testing.v1 import AppTest

    assert run(capsys, "init", "--no-examples")[0] == 0
    path = write_csv(tmp_path / "register.csv", [row("Koor"), row("Schaakclub", INSIDE_BOTU_2)])
    assert run(capsys, "import", str(path))[0] == 0
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    at.session_state["user"] = User("coordinator", Role.COORDINATOR)
    at.run()
    at.switch_page("app_pages/beheer.py")
    at.run()
    assert not at.exception, at.exception
    table = next(df.value for df in at.dataframe if "Bestand" in df.value.columns)
    assert list(table["Bestand"]) == ["register.csv"]
    form_button = next(b for b in at.button if b.label == "Import ongedaan maken")
    form_button.click().run()
    assert any("Vink eerst aan" in e.value for e in at.error)  # nothing undone without the tick
    store = Store.open(f"sqlite:///{cli_env}", upgrade=False)
    assert len(store.list_assets()) == 2
    store.close()
    next(c for c in at.checkbox if c.label.startswith("Ja: haal weg")).check()  # a form: tick and submit together
    next(b for b in at.button if b.label == "Import ongedaan maken").click().run()
    assert not at.exception, at.exception
    store = Store.open(f"sqlite:///{cli_env}", upgrade=False)
    try:
        assert store.list_assets() == [] and store.import_batches()[0].is_undone
    finally:
        store.close()
