"""Duplicates caught before they are stored: the name rule, distances, imports, the CLI and the Lijst box."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from abcd import exchange
from abcd.assets import add_asset, delete_asset
from abcd.cli import main
from abcd.duplicates import (
    RADIUS_M,
    SIMILAR,
    VERY_SIMILAR,
    DuplicatesFound,
    Suspect,
    find_duplicates,
    name_similarity,
    names_match,
    normalise_name,
    possible_duplicates,
    suspects_table,
)
from abcd.model import RD_NEW, WGS84, Asset, AssetDraft, Category
from abcd.permissions import CLI_USER
from abcd.places import to_rd
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, INSIDE_BOTU, PERSON_CONSENT, WIJKEN_DIR, make_draft, row_counts

LON, LAT = INSIDE_BOTU
HEADER = "name,category,lat,lon"


def shifted(metres_east: float, metres_north: float = 0.0) -> tuple[float, float]:
    """The point ``INSIDE_BOTU`` moved by whole metres in RD New (lon, lat)."""
    x, y = to_rd().transform(LON, LAT)
    lon, lat = Transformer.from_crs(RD_NEW, WGS84, always_xy=True).transform(x + metres_east, y + metres_north)
    return float(lon), float(lat)


def draft(name: str, category: str = "association", *, east: float = 0.0, **extra: Any) -> AssetDraft:
    lon, lat = shifted(east)
    return dataclasses.replace(make_draft(category=category, lon=lon, lat=lat), name=name, **extra)


def stored(store: Store, catalogue: dict[str, Wijk], name: str, category: str = "association", **extra: Any) -> Asset:
    raw: dict[str, Any] = {"name": name, "category": category, "lon": LON, "lat": LAT, "wijk": BOTU, **extra}
    if category == "person":
        raw.update(PERSON_CONSENT)
    return add_asset(store, catalogue, raw, wijken_dir=WIJKEN_DIR, user=CLI_USER)


# ------------------------------------------------------------------ names
@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("Buurttuin Het Keilepand", "buurttuin keilepand"),
        ("buurttuin 't Keilepand", "buurttuin keilepand"),
        ("  CAFÉ  de Ontmoeting!", "cafe ontmoeting"),
        ("Voetbalclub Spartaan'20", "voetbalclub spartaan 20"),
        ("De Het", "de het"),  # only filler words: kept, or the name would vanish
    ],
)
def test_names_are_compared_without_case_accents_punctuation_or_filler_words(name: str, normalised: str) -> None:
    assert normalise_name(name) == normalised


@pytest.mark.parametrize(
    ("a", "b", "same", "different"),
    [
        # the same after normalising: suspected whatever the categories
        ("Buurttuin Het Keilepand", "Buurttuin Keilepand", True, True),
        ("Repair Café", "Repaircafe", True, True),
        ("Keilepand Buurttuin", "Buurttuin Keilepand", True, True),  # word order does not count
        # above VERY_SIMILAR: suspected across categories too
        ("Dansschool", "Danschool", True, True),
        # between SIMILAR and VERY_SIMILAR: only for the same category
        ("Speeltuin", "Speeltuintje", True, False),
        ("Buurthuis", "Buurthuys", True, False),
        # below SIMILAR: never
        ("Koor", "Kook", False, False),
        ("Fietsenmaker", "Fietsenwinkel", False, False),
        ("Voedselbank", "Voetbalclub", False, False),
        # one name holds every word of the other: the same category only, and not for a tiny name
        ("Moestuin", "Moestuin Bospolder", True, False),
        ("Bar", "Bar Lokaal", False, False),
        # different numbers are different places; the same number written apart is the same
        ("Speeltuin 1", "Speeltuin 2", False, False),
        ("Voetbalclub Spartaan'20", "Voetbalclub Spartaan 20", True, True),
    ],
)
def test_the_name_rule_on_both_sides_of_each_threshold(a: str, b: str, same: bool, different: bool) -> None:
    assert names_match(a, b, same_category=True) is same
    assert names_match(a, b, same_category=False) is different


def test_the_threshold_pairs_lie_where_the_rule_test_says() -> None:
    # The pairs above test the thresholds only if their similarities really lie around them.
    assert name_similarity("Dansschool", "Danschool") >= VERY_SIMILAR
    assert SIMILAR <= name_similarity("Speeltuin", "Speeltuintje") < VERY_SIMILAR
    assert SIMILAR <= name_similarity("Buurthuis", "Buurthuys") < VERY_SIMILAR
    assert name_similarity("Koor", "Kook") < SIMILAR
    assert name_similarity("Voedselbank", "Voetbalclub") < 0.5
    assert name_similarity("Moestuin", "Moestuin Bospolder") < SIMILAR  # found by containment, not the ratio


NAME_PARTS = ["de", "het", "Moestuin", "moestuin", "Buurt", "tuin", "Keilepand", "Café", "cafe", "1", "2", "'t", "-"]
names = st.lists(st.sampled_from(NAME_PARTS), min_size=1, max_size=4).map(" ".join) | st.text(max_size=12)


@given(a=names, b=names, same=st.booleans())
def test_the_rule_is_symmetric(a: str, b: str, same: bool) -> None:
    assert names_match(a, b, same_category=same) == names_match(b, a, same_category=same)
    assert name_similarity(a, b) == name_similarity(b, a)


CATEGORIES = [Category.ASSOCIATION, Category.INITIATIVE, Category.PERSON]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(names, st.sampled_from(CATEGORIES)), min_size=2, max_size=8))
def test_the_fast_path_finds_exactly_the_pairs_the_rule_names(items: list[tuple[str, Category]]) -> None:
    # All at one point: every pair is compared; the array prefilter must never drop a pair the rule accepts.
    base = make_draft()
    drafts = [dataclasses.replace(base, name=name, category=category) for name, category in items]
    found = {(s.draft, s.earlier) for s in find_duplicates(drafts, [])}
    expected = {
        (i, j)
        for i, (a, ca) in enumerate(items)
        for j, (b, cb) in enumerate(items[:i])
        if (ca is Category.PERSON) == (cb is Category.PERSON) and names_match(a, b, same_category=ca is cb)
    }
    assert found == expected


# ------------------------------------------------------------- distances
def test_distances_are_metres_in_rd_new_and_the_radius_is_inclusive(
    botu_store: Store, catalogue: dict[str, Wijk]
) -> None:
    moestuin = stored(botu_store, catalogue, "Moestuin Bospolder", "initiative")
    near = draft("Moestuin bospolder", "initiative", east=30)
    edge = draft("Moestuin Bospolder", "initiative", east=49.6)
    beyond = draft("Moestuin Bospolder", "initiative", east=51)
    assert RADIUS_M == 50
    (suspect,) = find_duplicates([near], [moestuin])
    assert suspect == Suspect(0, "Moestuin bospolder", "Moestuin Bospolder", 30, existing_id=moestuin.id)
    assert [s.distance_m for s in find_duplicates([edge], [moestuin])] == [50]
    assert find_duplicates([beyond], [moestuin]) == []
    assert [s.distance_m for s in find_duplicates([beyond], [moestuin], radius_m=60)] == [51]


def test_pairs_within_one_batch_name_the_earlier_draft(botu_store: Store) -> None:
    drafts = [
        draft("Naaiclub Jan"),
        draft("Voedselbank", east=5),
        draft("Naaiclub Jans", east=12, id=None),
        draft("Naaiclub jan", east=20),
    ]
    found = find_duplicates(drafts, [], rows=[2, 3, 4, 5])
    assert [(s.draft, s.earlier, s.row, s.earlier_row, s.distance_m) for s in found] == [
        (2, 0, 4, 2, 12),
        (3, 2, 5, 4, 8),
        (3, 0, 5, 2, 20),
    ]
    assert (
        found[0].message("nl")
        == "Rij 4: 'Naaiclub Jans' lijkt op rij 2 'Naaiclub Jan' in hetzelfde bestand, 12 m verderop."
    )
    assert (
        found[0].message("en") == "Row 4: 'Naaiclub Jans' looks like row 2 'Naaiclub Jan' of the same file, 12 m away."
    )


def test_an_update_of_itself_and_deleted_assets_are_not_suspects(botu_store: Store, catalogue: dict[str, Wijk]) -> None:
    club = stored(botu_store, catalogue, "Naaiclub")
    gone = stored(botu_store, catalogue, "Naaiclubje")
    delete_asset(botu_store, gone.id, expected_version=None, user=CLI_USER)
    edit = club.draft(name="Naaiclub Bospolder")
    assert find_duplicates([edit], botu_store.list_assets(include_deleted=True)) == []
    new = draft("Naaiclubje", east=3)
    assert [s.existing_id for s in find_duplicates([new], botu_store.list_assets(include_deleted=True))] == [club.id]


def test_residents_are_only_compared_with_residents(botu_store: Store, catalogue: dict[str, Wijk]) -> None:
    fatima = stored(botu_store, catalogue, "Fatima El Amrani", "person")
    place = stored(botu_store, catalogue, "Fatima El Amrani", "place")
    others = [fatima, place]
    # A resident sits at the buurt's anchor: compared there, and only with the resident.
    resident = dataclasses.replace(draft("Fatima El-Amrani", "person"), lon=fatima.lon, lat=fatima.lat)
    assert [s.existing_id for s in find_duplicates([resident], others)] == [fatima.id]
    club = dataclasses.replace(draft("Fatima el Amrani", "association"), lon=fatima.lon, lat=fatima.lat)
    assert fatima.id not in {s.existing_id for s in find_duplicates([club], others)}


def test_possible_duplicates_reads_the_assets_near_the_point(botu_store: Store, catalogue: dict[str, Wijk]) -> None:
    keilepand = stored(botu_store, catalogue, "Buurttuin Het Keilepand", "place")
    stored(botu_store, catalogue, "Voetbalclub", "association")
    far = shifted(400)
    stored(botu_store, catalogue, "Buurttuin Keilepand", "place", lon=far[0], lat=far[1])
    found = possible_duplicates(botu_store, draft("Buurttuin Keilepand", "initiative", east=20))
    assert [(s.existing_id, s.distance_m) for s in found] == [(keilepand.id, 20)]
    assert possible_duplicates(botu_store, draft("Voedselbank", "association", east=20)) == []


def test_the_table_for_the_page_names_rows_and_what_they_look_like() -> None:
    suspects = [
        Suspect(0, "Moestuin", "Moestuin Bospolder", 12, existing_id="x", row=2),
        Suspect(1, "Moestuin 2", "Moestuin", 3, earlier=0, row=3, earlier_row=2),
    ]
    table = suspects_table(suspects, "en")
    assert table.to_dict("records") == [
        {"row": 2, "name": "Moestuin", "existing": "Moestuin Bospolder", "distance_m": 12},
        {"row": 3, "name": "Moestuin 2", "existing": "row 2: Moestuin", "distance_m": 3},
    ]


# ---------------------------------------------------------------- imports
@pytest.fixture
def seeded(botu_store: Store, catalogue: dict[str, Wijk]) -> Asset:
    return stored(botu_store, catalogue, "Buurttuin Het Keilepand", "place")


def write_csv(path: Path, *rows: tuple[str, str, float]) -> Path:
    """A CSV of (name, category, metres east of INSIDE_BOTU) rows."""
    lines = [HEADER]
    for name, category, east in rows:
        lon, lat = shifted(east)
        lines.append(f"{name},{category},{lat:.7f},{lon:.7f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def suspect_file(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "nieuw.csv",
        ("Buurttuin Keilepand", "place", 10),  # row 2: like the stored asset
        ("Voedselbank", "institution", 15),  # row 3: new
        ("Voedselbank Bospolder", "institution", 25),  # row 4: like row 3
        ("Buurttuin Keilepand", "place", 400),  # row 5: far away
    )


def do_import(store: Store, catalogue: dict[str, Wijk], path: Path, **options: Any) -> exchange.ImportResult:
    return exchange.import_assets(
        store, path, catalogue=catalogue, wijken_dir=WIJKEN_DIR, default_wijk=BOTU, by="test", **options
    )


def test_an_import_with_suspects_stops_lists_every_pair_and_stores_nothing(
    botu_store: Store, catalogue: dict[str, Wijk], seeded: Asset, suspect_file: Path
) -> None:
    before = row_counts(botu_store)
    with pytest.raises(DuplicatesFound) as info:
        do_import(botu_store, catalogue, suspect_file)
    assert row_counts(botu_store) == before
    assert [(s.row, s.existing_id, s.earlier_row, s.distance_m) for s in info.value.suspects] == [
        (2, seeded.id, None, 10),
        (4, None, 3, 10),
    ]
    assert info.value.message("nl").splitlines() == [
        "2 rijen lijken al te bestaan: binnen 50 m ligt een asset of een eerdere rij met een gelijkende naam.",
        f"Rij 2: 'Buurttuin Keilepand' lijkt op 'Buurttuin Het Keilepand' ({seeded.id}), 10 m verderop.",
        "Rij 4: 'Voedselbank Bospolder' lijkt op rij 3 'Voedselbank' in hetzelfde bestand, 10 m verderop.",
    ]
    assert info.value.message("en").startswith("2 rows look like something already there")


def test_skip_leaves_the_suspects_out_and_says_how_many(
    botu_store: Store, catalogue: dict[str, Wijk], seeded: Asset, suspect_file: Path
) -> None:
    result = do_import(botu_store, catalogue, suspect_file, duplicates="skip")
    assert (result.created, result.skipped, result.unchanged) == (2, 2, 0)
    names = sorted(a.name for a in botu_store.list_assets())
    assert names == ["Buurttuin Het Keilepand", "Buurttuin Keilepand", "Voedselbank"]


def test_keep_imports_every_row(
    botu_store: Store, catalogue: dict[str, Wijk], seeded: Asset, suspect_file: Path
) -> None:
    result = do_import(botu_store, catalogue, suspect_file, duplicates="keep")
    assert (result.created, result.skipped) == (4, 0)
    assert botu_store.count_assets() == 5


def test_reimporting_an_export_is_not_a_duplicate(
    tmp_path: Path, botu_store: Store, catalogue: dict[str, Wijk], seeded: Asset
) -> None:
    # Rows that name a stored asset by id edit it: neither they nor the asset they edit are suspects.
    path = tmp_path / "export.geojson"
    exchange.export_assets(botu_store, path)
    result = do_import(botu_store, catalogue, path)
    assert (result.created, result.updated, result.unchanged, result.skipped) == (0, 0, 1, 0)


def test_skipping_a_row_leaves_out_its_connections(
    tmp_path: Path, botu_store: Store, catalogue: dict[str, Wijk], seeded: Asset
) -> None:
    # An export of another database: rows with their own ids and a companion file of connections.
    other = Store.open(f"sqlite:///{tmp_path}/other.db")
    other.save_wijk(catalogue[BOTU].record())
    garden = stored(other, catalogue, "Buurttuin Keilepand", "place")
    crew = stored(other, catalogue, "Prikploeg", "initiative", lon=shifted(30)[0], lat=shifted(30)[1])
    from abcd.connections.register import link

    link(other, {"from_id": crew.id, "to_id": garden.id, "kind": "meets_at"}, user=CLI_USER)
    path = tmp_path / "other.csv"
    exchange.export_assets(other, path)
    with pytest.raises(DuplicatesFound):
        do_import(botu_store, catalogue, path)
    result = do_import(botu_store, catalogue, path, duplicates="skip")
    assert (result.created, result.skipped, result.connections) == (1, 1, 0)
    assert sorted(a.name for a in botu_store.list_assets()) == ["Buurttuin Het Keilepand", "Prikploeg"]


# -------------------------------------------------------------------- CLI
def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli_seeded(tmp_path: Path, cli_env: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["init", "--no-examples"]) == 0
    first = write_csv(tmp_path / "eerst.csv", ("Buurttuin Het Keilepand", "place", 0))
    assert main(["import", str(first)]) == 0
    capsys.readouterr()
    return cli_env


def test_the_cli_stops_on_suspects_lists_each_pair_on_stderr_and_stores_nothing(
    cli_seeded: Path, suspect_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "import", str(suspect_file))
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert lines[0].startswith("2 rijen lijken al te bestaan")
    assert lines[1].startswith("Rij 2: 'Buurttuin Keilepand' lijkt op 'Buurttuin Het Keilepand' (")
    assert (
        lines[2] == "Rij 4: 'Voedselbank Bospolder' lijkt op rij 3 'Voedselbank' in hetzelfde bestand, 10 m verderop."
    )
    assert "--duplicates skip" in lines[3] and "--duplicates keep" in lines[3]
    assert len(lines) == 4
    assert Store.open(f"sqlite:///{cli_seeded}", upgrade=False).count_assets() == 1


def test_the_cli_skips_or_keeps_the_suspects_when_told(
    cli_seeded: Path, suspect_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "import", str(suspect_file), "--duplicates", "skip")
    assert (code, err) == (0, "")
    assert "2 rijen overgeslagen: die lijken op assets die er al zijn." in out.splitlines()
    store = Store.open(f"sqlite:///{cli_seeded}", upgrade=False)
    assert store.count_assets() == 3
    code, out, err = run(capsys, "import", str(suspect_file), "--duplicates", "keep")
    assert (code, err) == (0, "")
    assert out.splitlines()[0].startswith("4 assets geïmporteerd")
    assert "overgeslagen" not in out
    assert store.count_assets() == 7


def test_the_cli_speaks_english_too(
    cli_seeded: Path, suspect_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ABCD_LANG", "en")
    code, _, err = run(capsys, "import", str(suspect_file))
    assert code == 2
    assert "Row 4: 'Voedselbank Bospolder' looks like row 3 'Voedselbank' of the same file, 10 m away." in err
    assert err.rstrip().endswith("--duplicates keep to import them anyway.")


# ---------------------------------------------------------- the Lijst box
@pytest.fixture
def lijst(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from streamlit.testing.v1 import AppTest

    from abcd.permissions import Role, User

    url = f"sqlite:///{tmp_path}/app.db"
    monkeypatch.setenv("ABCD_DATABASE_URL", url)
    monkeypatch.delenv("ABCD_LANG", raising=False)
    assert main(["init", "--no-examples"]) == 0
    assert main(["import", str(write_csv(tmp_path / "eerst.csv", ("Buurttuin Het Keilepand", "place", 0)))]) == 0
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    at.session_state["user"] = User("ans", Role.BUILDER)
    at.run()
    at.switch_page("app_pages/lijst.py")
    at.run()
    assert not at.exception, at.exception
    return at, Store.open(url)


def _upload_and_import(at: Any, path: Path) -> None:
    at.file_uploader[0].set_value((path.name, path.read_bytes(), "text/csv"))
    at.run()
    at.button(key="list_import_button").click().run()
    assert not at.exception, at.exception


def _asked(at: Any) -> list[dict[str, Any]]:
    (table,) = [d for d in at.dataframe if list(d.value.columns) == ["row", "name", "existing", "distance_m"]]
    records: list[dict[str, Any]] = table.value.to_dict("records")
    return records


@pytest.mark.parametrize(("choice", "created", "names"), [("skip", 2, 3), ("keep", 4, 5)])
def test_the_lijst_box_shows_the_pairs_and_imports_after_a_choice(
    lijst: Any, suspect_file: Path, choice: str, created: int, names: int
) -> None:
    at, store = lijst
    _upload_and_import(at, suspect_file)
    assert store.count_assets() == 1  # nothing stored while the page asks
    assert [w.value for w in at.warning if "lijken al te bestaan" in w.value]
    assert _asked(at) == [
        {"row": 2, "name": "Buurttuin Keilepand", "existing": "Buurttuin Het Keilepand", "distance_m": 10},
        {"row": 4, "name": "Voedselbank Bospolder", "existing": "rij 3: Voedselbank", "distance_m": 10},
    ]
    assert at.button(key="list_import_skip").label == "Sla deze over en importeer de rest"
    assert at.button(key="list_import_keep").label == "Importeer toch alles"
    at.button(key=f"list_import_{choice}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert store.count_assets() == names
    (success,) = [s.value for s in at.success]
    assert success.startswith(f"{created} assets geïmporteerd")
    assert ("2 rijen overgeslagen" in success) is (choice == "skip")
    assert not [b for b in at.button if b.key in ("list_import_skip", "list_import_keep")]  # the question is gone


def test_the_lijst_box_forgets_the_question_when_the_file_goes(lijst: Any, suspect_file: Path) -> None:
    at, store = lijst
    _upload_and_import(at, suspect_file)
    assert at.button(key="list_import_skip")
    at.file_uploader[0].set_value(None)
    at.run()
    assert not [b for b in at.button if b.key == "list_import_skip"]
    assert "list_import_asked" not in at.session_state
    assert store.count_assets() == 1
