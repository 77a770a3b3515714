"""``abcd investments import`` and ``abcd investments summary``, run in-process against a temporary database."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from abcd.cli import main
from abcd.investments.ledger import Ledger
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, INSIDE_BOTU, INSIDE_BOTU_2

PLACES = "name,category,meeting_place_role,lat,lon\n" + (
    f"Huis van de Wijk,meeting_place,standard,{INSIDE_BOTU[1]},{INSIDE_BOTU[0]}\n"
    f"Buurthuisje Gijsingstraat,meeting_place,resident,{INSIDE_BOTU_2[1]},{INSIDE_BOTU_2[0]}\n"
)
# The "done when": EUR 25,000 from the gemeente to BoTu's standard meeting place, and
# EUR 2,500 plus 40 m² to a buurthuisje residents started. Semicolons, as Dutch Excel writes them.
LEDGER = (
    "meeting_place;wijk;date;amount_eur;funder;kind;space_m2;hours_per_week;note\n"
    "Huis van de Wijk;bospolder-tussendijken;2024-01-15;€ 25.000;gemeente;jaarlijks;;;standaard ontmoetingsplek\n"
    "Buurthuisje Gijsingstraat;bospolder-tussendijken;2024-03-01;2.500,00;gemeente;eenmalig;40;;zaaltje\n"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def botu_places(cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], botu: Wijk) -> Path:
    """A database with BoTu loaded (without streets: not needed here), then its two meeting places
    imported as assets with ``abcd import``."""
    store = Store.open(f"sqlite:///{cli_env}")
    store.save_wijk(botu.record())
    store.close()
    places = tmp_path / "places.csv"
    places.write_text(PLACES, encoding="utf-8")
    code, _, err = run(capsys, "import", str(places))
    assert (code, err) == (0, "")
    return cli_env


def ledger_file(tmp_path: Path, text: str, name: str = "ledger.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def read_rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["wijk"]: row for row in csv.DictReader(handle)}


def stored(cli_env: Path) -> list[int]:
    store = Store.open(f"sqlite:///{cli_env}", upgrade=False)
    try:
        return sorted(i.amount_cents for i in Ledger(store).list_investments())
    finally:
        store.close()


def test_done_when_import_then_summary(botu_places: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "investments", "import", ledger_file(tmp_path, LEDGER), "--by", "ambtenaar")
    assert (code, err) == (0, "")
    assert out.strip() == "2 investeringen geïmporteerd (€ 27.500,00) in Bospolder-Tussendijken."
    assert stored(botu_places) == [250_000, 2_500_000]

    out_csv = tmp_path / "samenvatting.csv"
    code, out, err = run(capsys, "investments", "summary", "--out", str(out_csv))
    assert (code, err) == (0, "")
    assert "Overzicht van 87 wijken (Bospolder-Tussendijken en de overige CBS-buurten)" in out
    # 27,500 euros over the 660,065 residents of the 83 wijken that have residents.
    assert "Stadsgemiddelde over 83 wijken met inwoners: € 41,66 per 1.000 inwoners" in out
    rows = read_rows(out_csv)
    assert len(rows) == 87
    assert rows[BOTU] == {
        "wijk": BOTU,
        "inwoners": "14950",
        "standard_places": "1",
        "resident_places": "1",
        "eur_total": "27500.00",
        "eur_standard": "25000.00",
        "eur_resident": "2500.00",
        "eur_per_1000": "1839.46",
        "space_m2": "40",
        "initiatives_per_1000": "0",
    }
    # The norm flag: every other wijk has no standard meeting place.
    assert sum(r["standard_places"] == "0" for r in rows.values()) == 86


def test_summary_per_year_and_per_level(botu_places: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "investments", "import", ledger_file(tmp_path, LEDGER))
    out_csv = tmp_path / "s.csv"
    assert run(capsys, "investments", "summary", "--year", "2023", "--out", str(out_csv))[0] == 0
    assert read_rows(out_csv)[BOTU]["eur_total"] == "0.00"
    assert run(capsys, "investments", "summary", "--year", "2024", "--level", "cbs_wijk", "--out", str(out_csv))[0] == 0
    rows = read_rows(out_csv)
    assert len(rows) == 21
    assert rows["wijk-delfshaven"]["eur_total"] == "27500.00"
    assert rows["wijk-delfshaven"]["eur_per_1000"] == "356.01"  # 27,500 / 77,245 x 1,000
    assert rows["wijk-rivium"]["inwoners"] == "0" and rows["wijk-rivium"]["eur_per_1000"] == ""
    code, _, err = run(capsys, "investments", "summary", "--year", "1066", "--out", str(out_csv))
    assert code == 2 and "1066" in err


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        ("Huis van de Wijk;;2024-01-15;-25000;gemeente", "'bedrag (euro)' mag niet negatief zijn"),
        ("Huis van Niemand;;2024-01-15;25000;gemeente", "Geen ontmoetingsplek 'Huis van Niemand' in Bospolder"),
        (
            "Huis van de Wijk;wijk-charlois;2024-01-15;25000;gemeente",
            "niet in wijk-charlois",  # it lies in BoTu, and so in the CBS wijk Delfshaven: never in Charlois
        ),
        ("Huis van de Wijk;;2024-13-01;25000;gemeente", "geen geldige datum: '2024-13-01'"),
        ("Huis van de Wijk;;2024-01-15;1.234;gemeente", "'1.234' is dubbelzinnig"),
    ],
)
def test_a_bad_row_imports_nothing_and_exits_2(
    botu_places: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, needle: str
) -> None:
    text = "meeting_place;wijk;date;amount_eur;funder\nBuurthuisje Gijsingstraat;;2024-03-01;2500;gemeente\n" + row
    code, out, err = run(capsys, "investments", "import", ledger_file(tmp_path, text))
    assert (code, out) == (2, "")
    assert err.startswith("Rij 3: ") and needle in err and err.strip().endswith("Er is niets geïmporteerd.")
    assert stored(botu_places) == []


def test_a_dutch_amount_is_read_correctly(
    botu_places: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "meeting_place;date;amount_eur;funder\nHuis van de Wijk;2024-01-15;1.234,56;fonds\n"
    assert run(capsys, "investments", "import", ledger_file(tmp_path, text))[0] == 0
    assert stored(botu_places) == [123_456]


def test_messages_follow_abcd_lang(
    botu_places: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ABCD_LANG", "en")
    bad = "meeting_place;date;amount_eur;funder\nHuis van de Wijk;2024-01-15;1,234;fonds\n"
    code, _, err = run(capsys, "investments", "import", ledger_file(tmp_path, bad))
    assert code == 2 and err.startswith("Row 2: ") and "is ambiguous" in err and "Nothing was imported." in err
    code, out, _ = run(capsys, "investments", "import", ledger_file(tmp_path, LEDGER, "good.csv"))
    assert code == 0 and "(€27,500.00)" in out
    code, out, _ = run(capsys, "investments", "summary", "--out", str(tmp_path / "s.csv"))
    assert code == 0 and "€41.66 per 1,000 residents" in out


def test_a_missing_file_and_a_missing_out_option(
    botu_places: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "investments", "import", str(tmp_path / "nope.csv"))
    assert code == 2 and "Bestand niet gevonden" in err
    with pytest.raises(SystemExit):
        main(["investments", "summary"])
    capsys.readouterr()


def test_the_summary_round_trips_through_decimal(
    botu_places: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "meeting_place;date;amount_eur;funder\n" + "".join(
        f"Buurthuisje Gijsingstraat;2024-0{m}-01;0,01;bewoners\n" for m in range(1, 10)
    )
    assert run(capsys, "investments", "import", ledger_file(tmp_path, text))[0] == 0
    out_csv = tmp_path / "s.csv"
    run(capsys, "investments", "summary", "--out", str(out_csv))
    assert Decimal(read_rows(out_csv)[BOTU]["eur_resident"]) == Decimal("0.09")  # no float drift
