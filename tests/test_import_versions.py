"""Imports that cannot lose newer work: a file's row edits an asset only at the version it was exported at.

Each test first reproduces what a security review found ("Monday's export
re-imported on Wednesday reverts Tuesday's edits", "a row with another
wijk's id blanks every field the file lacks", "coordinates rounded to 7
decimals make every re-import write new versions") and then holds the fix.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from abcd import exchange
from abcd.cli import main as cli_main
from abcd.errors import ConflictError, ImportFileError
from abcd.model import Asset
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, INSIDE_BOTU, make_draft, row_counts
from tests.helpers import WIJKEN_DIR as DATA


def do_import(store: Store, catalogue: dict[str, Wijk], path: Path, **options: Any) -> exchange.ImportResult:
    return exchange.import_assets(
        store, path, catalogue=catalogue, wijken_dir=DATA, default_wijk=BOTU, by="import", **options
    )


@pytest.fixture
def monday(botu_store: Store) -> list[Asset]:
    lon, lat = INSIDE_BOTU
    return botu_store.add_many(
        [
            make_draft(name="Naaiclub", description="Elke dinsdag"),
            make_draft(name="Buurttuin", category="place", description="Achter de school", lon=lon + 0.0003),
            make_draft(name="Taalcafé", category="initiative", description="Woensdagochtend", lat=lat + 0.0002),
        ],
        by="ans",
    )


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".gpkg"])
def test_mondays_export_reimported_on_wednesday_stops_and_names_the_rows(
    botu_store: Store, catalogue: dict[str, Wijk], monday: list[Asset], tmp_path: Path, suffix: str
) -> None:
    export = tmp_path / f"maandag{suffix}"
    exchange.export_assets(botu_store, export)
    # Tuesday: two assets are edited in the app.
    club, garden, _ = monday
    botu_store.update(club.id, club.draft(name="Naaiclub De Draad"), by="bob", expected_version=1)
    botu_store.update(garden.id, garden.draft(description="Nu met kippen"), by="bob", expected_version=1)
    counts = row_counts(botu_store)

    with pytest.raises(ImportFileError) as refused:
        do_import(botu_store, catalogue, export)  # Wednesday
    message = str(refused.value)
    assert "2 rijen" in message and "'Naaiclub De Draad'" in message and "'Buurttuin'" in message
    assert "bob" in message and "naam" in message and "beschrijving" in message  # what changed since, by whom
    assert "Taalcafé" not in message  # unchanged since the export: not in the way
    assert row_counts(botu_store) == counts  # nothing stored
    assert botu_store.get(club.id).name == "Naaiclub De Draad"
    assert botu_store.get(garden.id).description == "Nu met kippen"


def test_an_edited_current_export_still_imports(
    botu_store: Store, catalogue: dict[str, Wijk], monday: list[Asset], tmp_path: Path
) -> None:
    export = tmp_path / "export.csv"
    exchange.export_assets(botu_store, export)
    rows = rows_of(export)
    rows[0]["description"] = "Elke dinsdag en donderdag"
    write_rows(export, rows)
    result = do_import(botu_store, catalogue, export)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert botu_store.get(rows[0]["id"]).version == 2


def test_a_row_without_a_version_needs_overwrite(
    botu_store: Store, catalogue: dict[str, Wijk], monday: list[Asset], tmp_path: Path
) -> None:
    club = monday[0]
    path = tmp_path / "zonder-versie.csv"
    write_rows(path, [{"id": club.id, "name": "Naaiclub Noord", "category": "association", "lat": str(club.lat),
                       "lon": str(club.lon)}])  # fmt: skip
    with pytest.raises(ImportFileError, match="geen versie"):
        do_import(botu_store, catalogue, path)
    assert botu_store.get(club.id).name == "Naaiclub"
    assert do_import(botu_store, catalogue, path, overwrite=True).updated == 1
    assert botu_store.get(club.id).name == "Naaiclub Noord"


def test_columns_a_file_lacks_keep_their_stored_values(
    botu_store: Store, catalogue: dict[str, Wijk], monday: list[Asset], tmp_path: Path
) -> None:
    taal = monday[2]
    path = tmp_path / "alleen-naam.csv"
    write_rows(path, [{"id": taal.id, "version": "1", "name": "Taalcafé Oost", "lat": str(taal.lat),
                       "lon": str(taal.lon)}])  # fmt: skip
    assert do_import(botu_store, catalogue, path).updated == 1
    stored = botu_store.get(taal.id)
    assert (stored.name, stored.category.value, stored.description) == (
        "Taalcafé Oost",
        "initiative",
        "Woensdagochtend",
    )
    assert stored.resident_led is True and stored.source.value == "field"  # kept, not reset to the import default


def test_an_empty_cell_still_clears(
    botu_store: Store, catalogue: dict[str, Wijk], monday: list[Asset], tmp_path: Path
) -> None:
    club = monday[0]
    path = tmp_path / "leeg.csv"
    write_rows(path, [{"id": club.id, "version": "1", "name": "Naaiclub", "description": "", "lat": str(club.lat),
                       "lon": str(club.lon)}])  # fmt: skip
    do_import(botu_store, catalogue, path)
    assert botu_store.get(club.id).description == ""


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".gpkg"])
def test_reimporting_rounded_coordinates_writes_no_new_version(
    botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path, suffix: str
) -> None:
    lon, lat = INSIDE_BOTU
    precise = botu_store.add(make_draft(name="Precies", lon=lon + 0.000012345678, lat=lat + 0.000098765432), by="a")
    export = tmp_path / f"export{suffix}"
    exchange.export_assets(botu_store, export)
    counts = row_counts(botu_store)
    result = do_import(botu_store, catalogue, export)
    assert (result.updated, result.unchanged) == (0, 1)
    assert row_counts(botu_store) == counts
    assert botu_store.get(precise.id) == precise  # not even the last decimals were rounded away


def test_a_change_between_the_check_and_the_write_stores_nothing(botu_store: Store, monday: list[Asset]) -> None:
    club = monday[0]
    botu_store.update(club.id, club.draft(name="Tussendoor"), by="bob", expected_version=1)
    with pytest.raises(ConflictError):
        botu_store.upsert_many(
            [make_draft(name="Nieuw"), club.draft(name="Uit het bestand")], by="import", expected_versions={club.id: 1}
        )
    assert botu_store.get(club.id).name == "Tussendoor"
    assert botu_store.count_assets() == len(monday)  # the new row did not land either


def test_the_cli_refuses_a_stale_file_and_overwrites_on_request(
    botu_store: Store, monday: list[Asset], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("ABCD_DATABASE_URL", str(botu_store.engine.url))
    export = tmp_path / "export.csv"
    assert cli_main(["export", str(export)]) == 0
    club = monday[0]
    botu_store.update(club.id, club.draft(name="Nieuwer"), by="bob", expected_version=1)
    assert cli_main(["import", str(export)]) == 2
    assert "Er is niets geïmporteerd" in capsys.readouterr().err
    rows = [{k: v for k, v in row.items() if k != "version"} for row in rows_of(export)]
    write_rows(export, rows)
    assert cli_main(["import", str(export), "--overwrite"]) == 0
    assert botu_store.get(club.id).name == "Naaiclub"  # the file won, as asked


def test_a_row_with_the_id_of_an_asset_elsewhere_cannot_pull_it_into_ones_own_wijk(
    botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    """A builder of BoTu imports a row carrying the id (and version) of an Oude Westen asset, placed in BoTu."""
    from abcd.permissions import Role, User
    from tests.helpers import OUDE_WESTEN

    elsewhere = botu_store.add(make_draft(name="Huiskamer West", lon=OUDE_WESTEN[0], lat=OUDE_WESTEN[1]), by="x")
    before = row_counts(botu_store)
    path = tmp_path / "overname.csv"
    write_rows(
        path,
        [
            {
                "id": elsewhere.id,
                "version": "1",
                "name": "Nu van ons",
                "category": "association",
                "lat": str(INSIDE_BOTU[1]),
                "lon": str(INSIDE_BOTU[0]),
            }
        ],
    )
    builder = User("ans", Role.BUILDER, frozenset({BOTU}))
    with pytest.raises(ImportFileError, match="Rij 2: Je hebt hiervoor geen rechten"):
        do_import(botu_store, catalogue, path, user=builder)
    assert botu_store.get(elsewhere.id) == elsewhere and row_counts(botu_store) == before
