"""The ``abcd`` command, run in-process against a temporary database."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

import pytest

from abcd.cli import main
from abcd.config import settings_from_env
from abcd.db import current_revision, head_revision
from abcd.examples import EXAMPLE_SUFFIX, example_drafts
from abcd.io import read_rows
from abcd.model import Category, Source
from abcd.store import Store
from abcd.wijken import Wijk, check_in_wijk
from tests.helpers import BOTU, HOSTILE_NAME, INSIDE_BOTU, OUDE_WESTEN, botu_street_count, make_draft

HEADER = "name,category,lat,lon"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def open_store(cli_env: Path) -> Store:
    return Store.open(f"sqlite:///{cli_env}", upgrade=False)


def listed(capsys: pytest.CaptureFixture[str], *options: str) -> list[list[str]]:
    code, out, err = run(capsys, "list", *options)
    assert (code, err) == (0, "")
    return [line.split("\t") for line in out.splitlines()]


def good_csv(path: Path, *names: str) -> Path:
    lines = [HEADER, *(f"{n},association,{INSIDE_BOTU[1]},{INSIDE_BOTU[0]}" for n in names)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------- init
def test_settings_follow_the_environment(cli_env: Path) -> None:
    settings = settings_from_env()
    assert settings.database_url == f"sqlite:///{cli_env}"
    assert settings.lang == "nl"
    assert settings_from_env({"ABCD_LANG": "en"}).lang == "en"


def test_init_creates_the_database_onboards_botu_and_loads_examples(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert not cli_env.exists()
    code, out, err = run(capsys, "init")
    assert (code, err) == (0, "")
    assert cli_env.is_file()
    assert "Database klaar" in out and head_revision() in out
    assert f"{botu_street_count()} straatsegmenten, 14950 inwoners" in out
    assert f"{len(example_drafts())} voorbeeldassets geladen" in out

    store = open_store(cli_env)
    assert current_revision(store.engine) == head_revision()
    assert store.get_wijk(BOTU).population == 14950
    assert len(store.streets(BOTU)) == botu_street_count()
    examples = store.list_assets()
    assert len(examples) == len(example_drafts()) > 0
    assert all(a.source is Source.EXAMPLE and a.name.endswith(EXAMPLE_SUFFIX) for a in examples)
    store.close()


def test_the_examples_lie_inside_botu(catalogue: dict[str, Wijk], botu: Wijk) -> None:
    for draft in example_drafts():
        check_in_wijk(catalogue, botu, draft.lon, draft.lat)


def test_a_second_init_loads_no_examples(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init")
    code, out, _ = run(capsys, "init")
    assert code == 0
    assert "voorbeeld" not in out and "geladen" not in out
    store = open_store(cli_env)
    assert store.count_assets() == len(example_drafts())
    store.close()


def test_removed_examples_do_not_come_back_with_init(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init")
    code, out, _ = run(capsys, "examples", "remove")
    assert code == 0 and f"{len(example_drafts())} voorbeeldassets verwijderd" in out
    run(capsys, "init")
    assert listed(capsys) == []
    # ... but can be loaded again on purpose
    code, out, _ = run(capsys, "examples", "load")
    assert code == 0 and "geladen" in out
    assert len(listed(capsys)) == len(example_drafts())
    code, out, _ = run(capsys, "examples", "load")
    assert "niets gedaan" in out
    assert len(listed(capsys)) == len(example_drafts())


def test_init_without_examples(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "init", "--no-examples")
    assert code == 0 and "voorbeeld" not in out
    assert listed(capsys) == []


def test_init_with_an_unknown_wijk_exits_2(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "init", "--wijk", "Atlantis")
    assert code == 2
    assert "Onbekende wijk 'Atlantis'" in err


# ---------------------------------------------------------------------- list
def test_list_prints_one_tab_separated_line_per_asset(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init")
    store = open_store(cli_env)
    expected = sorted(([a.id, a.category.value, a.name] for a in store.list_assets()), key=lambda r: r[2].lower())
    store.close()
    assert listed(capsys) == expected


def test_list_folds_a_name_onto_one_line(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init", "--no-examples")
    store = open_store(cli_env)
    asset = store.add(make_draft(description="regel 1\nregel 2"), by="t")
    store.close()
    assert listed(capsys) == [[asset.id, "association", "Naaiclub"]]


def test_list_filters_by_category_and_wijk(tmp_path: Path, cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init")
    meeting_places = listed(capsys, "--category", "meeting_place")
    assert len(meeting_places) == sum(d.category is Category.MEETING_PLACE for d in example_drafts()) > 0
    assert {row[1] for row in meeting_places} == {"meeting_place"}

    elsewhere = tmp_path / "ow.csv"
    elsewhere.write_text(
        f"{HEADER},wijk\nBakker,business,{OUDE_WESTEN[1]},{OUDE_WESTEN[0]},oude-westen\n", encoding="utf-8"
    )
    assert run(capsys, "import", str(elsewhere))[0] == 0
    assert [row[2] for row in listed(capsys, "--wijk", "oude-westen")] == ["Bakker"]
    assert [row[2] for row in listed(capsys, "--wijk", "BU05990111")] == ["Bakker"]
    assert len(listed(capsys, "--wijk", BOTU)) == len(example_drafts())
    assert len(listed(capsys)) == len(example_drafts()) + 1


def test_list_deleted(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init")
    store = open_store(cli_env)
    victim = store.list_assets()[0]
    store.delete(victim.id, by="t")
    store.close()
    assert listed(capsys, "--deleted") == [[victim.id, victim.category.value, victim.name]]
    assert victim.id not in {row[0] for row in listed(capsys)}


def test_list_with_an_unknown_category_is_an_argparse_error(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["list", "--category", "club"])
    assert info.value.code == 2
    assert "club" in capsys.readouterr().err


# -------------------------------------------------------------------- import
def test_import_of_a_good_file_prints_the_count(
    tmp_path: Path, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init", "--no-examples")
    path = good_csv(tmp_path / "goed.csv", "Een", "Twee", "Drie")
    code, out, err = run(capsys, "import", str(path), "--by", "wijkteam")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "3 assets geïmporteerd in Bospolder-Tussendijken.",
        "Importnummer 1; ongedaan maken: abcd imports undo 1",
        "1",  # the batch id alone on the last line (abcd.batches)
    ]
    store = open_store(cli_env)
    assert {a.created_by for a in store.list_assets()} == {"wijkteam"}
    store.close()


def test_import_of_an_export_reports_updates(tmp_path: Path, cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init")
    export = tmp_path / "export.csv"
    assert run(capsys, "export", str(export))[0] == 0
    export.write_text(
        export.read_text(encoding="utf-8").replace("Naaiclub aan de keukentafel", "Naaiclub"), encoding="utf-8"
    )
    code, out, _ = run(capsys, "import", str(export))
    assert code == 0
    assert out.splitlines() == [
        "0 assets geïmporteerd in Bospolder-Tussendijken.",
        "1 bestaande asset bijgewerkt.",
        f"{len(example_drafts()) - 1} rijen ongewijzigd gelaten (al zo opgeslagen, of verwijderd).",
        "Importnummer 1; ongedaan maken: abcd imports undo 1",
        "1",
    ]
    assert len(listed(capsys)) == len(example_drafts())


def test_import_of_a_file_with_one_bad_row_exits_2_and_imports_nothing(
    tmp_path: Path, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init", "--no-examples")
    path = tmp_path / "fout.csv"
    lines = [HEADER] + [f"Goed {i},association,{INSIDE_BOTU[1]},{INSIDE_BOTU[0]}" for i in range(1, 5)]
    lines.insert(3, f"Slecht,association,{INSIDE_BOTU[0]},{INSIDE_BOTU[1]}")  # swapped: spreadsheet line 4
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "import", str(path))
    assert code == 2
    assert out == ""
    assert err.startswith("Rij 4: ")
    assert "verwisseld" in err and "Er is niets geïmporteerd." in err
    assert len(err.strip().splitlines()) == 1
    assert listed(capsys) == []


def test_english_messages_with_abcd_lang_en(
    tmp_path: Path, cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ABCD_LANG", "en")
    code, out, _ = run(capsys, "init", "--no-examples")
    assert code == 0 and "Database ready" in out and f"{botu_street_count()} street segments" in out
    path = tmp_path / "bad.csv"
    path.write_text(
        f"{HEADER}\nGoed,association,{INSIDE_BOTU[1]},{INSIDE_BOTU[0]}\nX,club,{INSIDE_BOTU[1]},{INSIDE_BOTU[0]}\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "import", str(path))
    assert code == 2
    assert err.strip() == (
        "Row 3: Unknown value 'club' for 'category'; allowed: "
        + ", ".join(c.value for c in Category)
        + ". Nothing was imported."
    )
    code, out, _ = run(capsys, "import", str(good_csv(tmp_path / "ok.csv", "A")))
    assert out.splitlines()[:2] == [
        "1 asset imported into Bospolder-Tussendijken.",
        "Import number 1; to undo it: abcd imports undo 1",
    ]


def test_import_into_a_database_that_was_never_initialised(
    tmp_path: Path, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "import", str(good_csv(tmp_path / "goed.csv", "Een")))
    assert code == 0 and out.startswith("1 asset geïmporteerd")
    assert [row[2] for row in listed(capsys)] == ["Een"]  # no examples: only init loads them


def test_list_with_an_unknown_wijk_exits_2(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "list", "--wijk", "Atlantis")
    assert (code, out) == (2, "")
    assert "Atlantis" in err


def test_import_of_a_missing_file_exits_2(tmp_path: Path, cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init", "--no-examples")
    code, _, err = run(capsys, "import", str(tmp_path / "nergens.geojson"))
    assert code == 2
    assert "Bestand niet gevonden" in err and "nergens.geojson" in err


# -------------------------------------------------------------------- export
@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".csv"])
def test_export_writes_every_live_asset(
    tmp_path: Path, cli_env: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    run(capsys, "init")
    path = tmp_path / "out" / f"assets{suffix}"
    code, out, err = run(capsys, "export", str(path), "--wijk", BOTU)
    assert (code, err) == (0, "")
    assert out.strip() == f"{len(example_drafts())} assets geëxporteerd naar {path}."
    ids = {row.values["id"] for row in read_rows(path)}
    assert ids == {row[0] for row in listed(capsys)}
    # Nothing half-written beside it; a one-layer format gets the examples' connections in a companion file.
    companion = ["assets.connections.csv"] if suffix in (".geojson", ".csv") else []
    companion += ["assets_bronnen.txt"] if suffix == ".csv" else []  # the sources and licences (abcd.licences)
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([path.name, *companion])


def test_export_to_an_unknown_format_exits_2(tmp_path: Path, cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init")
    code, _, err = run(capsys, "export", str(tmp_path / "assets.xlsx"))
    assert code == 2
    assert "Onbekend exportformaat '.xlsx'" in err
    assert not (tmp_path / "assets.xlsx").exists()


@pytest.mark.parametrize("wijk", [BOTU, None])
def test_html_export_is_offline_and_escapes_hostile_names(
    tmp_path: Path, cli_env: Path, capsys: pytest.CaptureFixture[str], wijk: str | None
) -> None:
    run(capsys, "init", "--no-examples")
    store = open_store(cli_env)
    store.add(make_draft(name=HOSTILE_NAME, description="</script><img src=x onerror=alert(1)>"), by="t")
    store.close()
    path = tmp_path / "kaart.html"
    code, out, err = run(capsys, "export", str(path), *(["--wijk", wijk] if wijk else []))
    assert (code, err) == (0, "")
    assert out.startswith("1 asset geëxporteerd")
    document = path.read_text(encoding="utf-8")
    # no script or stylesheet is fetched from the internet (only map tiles need a connection)
    assert not re.search(r"""<script[^>]*\bsrc\s*=\s*["']?(?:https?:)?//""", document, re.IGNORECASE)
    assert not re.search(r"""<link[^>]*\bhref\s*=\s*["']?(?:https?:)?//""", document, re.IGNORECASE)
    assert not re.search(r"""@import\s+(?:url\()?["']?(?:https?:)?//""", document, re.IGNORECASE)
    # the hostile name is there, but only in its escaped form
    assert html.escape(HOSTILE_NAME, quote=True) in document
    assert HOSTILE_NAME not in document
    assert "<img src=x onerror" not in document


# ------------------------------------------------------------------- wijken
def test_wijken_lists_the_catalogue(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "wijken")
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert len(rows) == 1 + 21 + 88 + (3340 - 21) + 345  # Rotterdam 2024, every other CBS wijk, every gemeente
    assert rows[0] == [BOTU, "", "gebied", "14950", "Bospolder-Tussendijken", "Rotterdam"]
    assert ["wijk-delfshaven", "WK059903", "cbs_wijk", "77245", "Delfshaven", "Rotterdam"] in rows
    assert ["amsterdam-overtoomse-veld", "WK036386", "cbs_wijk", "14210", "Overtoomse Veld", "Amsterdam"] in rows


def test_wijken_loaded_lists_only_onboarded_wijken(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init", "--no-examples")
    code, out, _ = run(capsys, "wijken", "--loaded")
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == [BOTU]


def test_listings_never_send_escape_sequences_to_a_terminal(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Names from before the character rules (or typed into a file) are shown with their escapes, not obeyed."""
    from abcd import schema

    run(capsys, "init", "--no-examples")
    store = open_store(cli_env)
    hostile = "evil\x1b[2k\x1b]0;pwned\x07\u202enimda"  # as add_user stored names: lower case
    with store.engine.begin() as conn:
        conn.execute(
            schema.users.insert().values(
                username=hostile,
                role="builder",
                wijken="",
                version=1,
                created_by="x",
                created_at="2026-01-01",
                updated_by="x",
                updated_at="2026-01-01",
            )
        )
    store.add(make_draft(name="Club \u202eetsiw"), by="x")
    for argv in (("users", "list"), ("list",)):
        code, out, _ = run(capsys, *argv)
        assert code == 0
        assert not [c for c in out if not c.isprintable() and c not in "\t\n"], (argv, out)
    _, users_out, _ = run(capsys, "users", "list")
    assert "evil\\x1b[2k\\x1b]0;pwned\\x07\\u202enimda\tbuilder" in users_out
    # Such an old account can still be removed by its name (as a shell's $'...' passes it).
    code, out, _ = run(capsys, "users", "remove", hostile)
    assert code == 0 and "\x1b" not in out
    _, users_out, _ = run(capsys, "users", "list")
    assert "evil" not in users_out


@pytest.mark.parametrize(
    "argv",
    [("person", "erase", "x\x00"), ("users", "remove", "a\x00b"), ("users", "add", "\udcff", "--sso")],
    ids=["nul-id", "nul-name", "undecodable-name"],  # the last: a byte that is no UTF-8, as Python passes it on
)
def test_a_nul_character_on_the_command_line_is_one_clear_line(
    cli_env: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    run(capsys, "init", "--no-examples")
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


# ------------------------------------------------------------ disk and OS errors
def _half_then_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file write stores half its bytes, then the disk is full (ENOSPC)."""
    import errno

    def write_bytes(self: Path, data: bytes) -> int:
        with open(self, "wb") as handle:
            handle.write(bytes(data)[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


def _one_clear_line(err: str) -> str:
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


@pytest.mark.parametrize("command", ["report", "poster"])
def test_a_full_disk_while_writing_a_document_is_one_clear_line_and_leaves_no_half_file(
    cli_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    run(capsys, "init")
    out = tmp_path / "docs" / f"botu.{'pdf' if command == 'report' else 'png'}"
    _half_then_full(monkeypatch)
    code, _, err = run(capsys, command, "--out", str(out), *(["--dpi", "20"] if command == "poster" else []))
    assert code == 2
    assert "schijf is vol" in _one_clear_line(err)
    assert not out.exists() and list(out.parent.iterdir()) == []  # no half document, no temporary file


def test_a_full_disk_while_exporting_is_one_clear_line(
    cli_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import pandas as pd

    run(capsys, "init")

    def to_csv(self: pd.DataFrame, path: Any, *args: Any, **kwargs: Any) -> None:
        Path(path).write_text("id,name\n1,hal", encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv)
    monkeypatch.setenv("ABCD_LANG", "en")
    target = tmp_path / "uit" / "botu.csv"
    code, _, err = run(capsys, "export", str(target))
    assert code == 2 and "disk is full" in _one_clear_line(err)
    assert list(target.parent.iterdir()) == []


def test_permission_denied_and_a_read_only_disk_are_one_clear_line(
    cli_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    run(capsys, "init")
    for number, words in ((errno.EACCES, "Geen toestemming"), (errno.EROFS, "alleen-lezen")):

        def refuse(self: Path, data: bytes, number: int = number) -> int:
            raise OSError(number, os.strerror(number), str(self))

        monkeypatch.setattr(Path, "write_bytes", refuse)
        code, _, err = run(capsys, "report", "--out", str(tmp_path / "r.pdf"))
        assert code == 2 and words in _one_clear_line(err) and "r.pdf" in err


def test_a_full_database_disk_is_one_clear_line_and_imports_nothing(
    cli_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """SQLite says 'database or disk is full' (here: the file may not grow); the CLI says so in one line."""
    from sqlalchemy import Engine, event

    run(capsys, "init", "--no-examples")
    rows = [f"Club {n},association,{INSIDE_BOTU[1]},{INSIDE_BOTU[0]},{'lang verhaal ' * 80}" for n in range(300)]
    csv_file = tmp_path / "veel.csv"
    csv_file.write_text("\n".join([f"{HEADER},description", *rows]) + "\n", encoding="utf-8")

    def no_growth(dbapi_connection: Any, _record: Any) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(Engine, "connect", no_growth)
    try:
        code, _, err = run(capsys, "import", str(csv_file))
    finally:
        event.remove(Engine, "connect", no_growth)
    assert code == 2 and "schijf is vol" in _one_clear_line(err)
    assert open_store(cli_env).count_assets() == 0


def test_a_listing_cut_short_by_its_reader_is_no_error(cli_env: Path) -> None:
    """`abcd list | head -1` printed "Lezen of schrijven van - is mislukt (Broken pipe)" on stderr."""
    import subprocess
    import sys

    abcd = str(Path(sys.executable).with_name("abcd"))
    assert subprocess.run([abcd, "init"], capture_output=True, check=False).returncode == 0
    listing = subprocess.Popen([abcd, "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert listing.stdout is not None and listing.stderr is not None
    listing.stdout.close()  # the reader is gone before the first line is written (what `head` does after one)
    code = listing.wait(timeout=60)
    assert listing.stderr.read() == ""
    assert code == 1


# ---------------------------------------------------------------------- near
def test_near_lists_public_assets_by_a_street_nearest_first_never_residents(
    cli_env: Path, capsys: pytest.CaptureFixture[str], botu: Wijk
) -> None:
    from abcd.places import from_rd, rd_geometry

    assert run(capsys, "init", "--no-examples")[0] == 0
    store = open_store(cli_env)
    try:
        streets = store.streets(BOTU)
        street = str(streets["name"].dropna().iloc[0])
        middle = rd_geometry(streets[streets["name"] == street].geometry.iloc[0]).interpolate(0.5, normalized=True)
        to_wgs84 = from_rd()
        for name, category, offset in (
            ("Buurthuis", "meeting_place", 30.0),
            ("Voetbalclub", "association", 120.0),
            ("Fatima", "person", 10.0),
            ("Bakkerij ver weg", "business", 900.0),
        ):
            lon, lat = to_wgs84.transform(middle.x + offset, middle.y)
            store.add(make_draft(name=name, category=category, lon=float(lon), lat=float(lat)), by="t")
    finally:
        store.close()
    code, out, err = run(capsys, "near", "--wijk", BOTU, "--street", street, "--distance", "500")
    lines = out.splitlines()
    assert (code, err) == (0, "") and street in lines[0] and "2 plekken" in lines[0]
    assert "Buurthuis" in lines[1] and "Voetbalclub" in lines[2] and len(lines) == 3  # no resident, nothing far
    assert int(lines[1].split("m")[0]) <= 30 < int(lines[2].split("m")[0]) <= 120

    assert run(capsys, "near", "--wijk", BOTU, "--street", street, "--distance", "5")[1].startswith("Niets binnen 5 m")
    code, out, err = run(capsys, "near", "--wijk", BOTU, "--street", "<b>Geen straat</b>")
    assert code != 0 and "geen straat van Bospolder-Tussendijken" in err
    assert run(capsys, "near", "--street", street, "--distance", "5000")[0] != 0


def test_near_marks_examples_once(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from abcd.examples import EXAMPLE_SUFFIX

    assert run(capsys, "init")[0] == 0  # with the examples, which carry the mark in their names
    code, out, _err = run(capsys, "near", "--street", "Schiedamseweg", "--distance", "400")
    listed = out.splitlines()[1:]
    assert code == 0 and listed and all(line.count(EXAMPLE_SUFFIX.strip()) == 1 for line in listed)
