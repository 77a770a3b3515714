"""The strengths portrait as a PDF: it opens, says what the wijk has, names its sources and no resident."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import geopandas as gpd
import pytest
from pypdf import PdfReader

from abcd.cli import main as cli_main
from abcd.investments.ledger import Ledger
from abcd.investments.model import validate_investment
from abcd.model import Category, MeetingPlaceRole, Status
from abcd.permissions import CLI_USER, PUBLIC_USER
from abcd.portrait.data import ReportData, headline, load_report_data, story_steps
from abcd.portrait.report import investment_section, wijk_report
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import HOSTILE_NAME, make_draft
from tests.portrait_support import (
    IN_BOSPOLDER,
    PERSON_CONTACT,
    PERSON_STRINGS,
    add_person,
    fill_botu,
)

MADE_ON = date(2026, 11, 22)


def pdf_text(pdf: bytes) -> tuple[int, str]:
    """The page count and the text of every page, whitespace folded (lines wrap where the layout says)."""
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture(scope="module")
def mapped(tmp_path_factory: pytest.TempPathFactory, botu: Wijk, botu_streets: gpd.GeoDataFrame) -> Iterator[Store]:
    """BoTu with the examples and seven residents, built once for this module (the tests only read it)."""
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('portrait')}/abcd.db")
    store.save_wijk(botu.record(), botu_streets.copy())
    yield fill_botu(store)
    store.close()


@pytest.fixture
def data(mapped: Store, botu: Wijk, catalogue: dict[str, Wijk]) -> ReportData:
    return load_report_data(mapped, botu, catalogue, since=date(2026, 1, 1), made_on=MADE_ON)


def test_the_report_opens_with_the_wijk_its_counts_and_its_sources(data: ReportData) -> None:
    pages, text = pdf_text(wijk_report(data, lang="nl"))
    assert 2 <= pages <= 4
    assert "Wat Bospolder-Tussendijken heeft" in text
    assert "In Bospolder-Tussendijken wonen 14.950 mensen." in text
    assert "Gemaakt op 22 november 2026" in text
    # The category table: the examples hold 3 initiatives, 2 meeting places and one of each other kind.
    for label, count in [("Bewonersinitiatief", 3), ("Ontmoetingsplek", 2), ("Vereniging of club", 1)]:
        assert re.search(rf"{re.escape(label)}\s+{count}\b", text), label
    assert "Op de kaart staan 10 plekken, groepen en initiatieven." in text
    # People only as counts per buurt: 6 in Tussendijken, 1 (shown as <5) in Bospolder.
    assert re.search(r"Bospolder\s+<5", text) and re.search(r"Tussendijken\s+6", text)
    for heading in (
        "Wat de wijk heeft",
        "Bewonersinitiatieven",
        "Ontmoetingsplekken",
        "Wat we zelf kunnen",
        "Waar we hulp bij vragen",
        "Bronnen",
    ):
        assert heading in text
    assert "CBS en Kadaster, Wijk- en Buurtkaart 2024 (CC BY 4.0)" in text
    assert "© OpenStreetMap-bijdragers (ODbL 1.0)" in text
    assert "Geveltuinen Taandersstraat (voorbeeld)" in text  # examples are named as examples
    assert "Namen met '(voorbeeld)' zijn verzonnen." in text


def test_no_resident_appears_in_the_report(data: ReportData) -> None:
    _, text = pdf_text(wijk_report(data, lang="nl", own_strengths="Samen koken", help_wanted="Een ruimte"))
    assert "Samen koken" in text and "Een ruimte" in text
    for secret in PERSON_STRINGS:
        assert secret not in text
    assert PERSON_CONTACT not in text


def test_the_report_in_english(data: ReportData) -> None:
    pages, text = pdf_text(wijk_report(data, lang="en"))
    assert 2 <= pages <= 4
    assert "What Bospolder-Tussendijken has" in text
    assert "14,950 people live in Bospolder-Tussendijken." in text
    assert re.search(r"Resident initiative\s+3\b", text)
    assert "Where we ask for help" in text and "Sources" in text
    assert "© OpenStreetMap contributors (ODbL 1.0)" in text
    assert "Geveltuinen Taandersstraat (example)" in text and "(voorbeeld)" not in text
    assert "Page 1 of" in text


def test_an_empty_wijk_says_nothing_is_mapped_and_how_to_start(
    botu_store: Store, botu: Wijk, catalogue: dict[str, Wijk]
) -> None:
    empty = load_report_data(botu_store, botu, catalogue, made_on=MADE_ON)
    assert empty.is_empty and story_steps(empty) == ["intro", "together"]
    pages, text = pdf_text(wijk_report(empty, lang="nl"))
    assert 2 <= pages <= 4
    assert "Er staat nog niets op de kaart van Bospolder-Tussendijken. Zo begin je:" in text
    assert "Ga naar Toevoegen." in text
    assert "abcd import lijst.csv --wijk bospolder-tussendijken" in text
    assert "Er staan nog geen bewonersinitiatieven op de kaart." in text
    assert re.search(r"Bewonersinitiatief\s+0\b", text)
    assert "Bronnen" in text  # the sources are there even when nothing is mapped


def test_user_text_is_printed_as_text_not_markup(botu_store: Store, botu: Wijk, catalogue: dict[str, Wijk]) -> None:
    botu_store.add(make_draft(name=HOSTILE_NAME, category="initiative", description="a < b & c"), by="test")
    data = load_report_data(botu_store, botu, catalogue, made_on=MADE_ON)
    _, text = pdf_text(wijk_report(data, own_strengths="<b>sterk</b> & samen\ntweede regel"))
    assert HOSTILE_NAME in text
    assert "a < b & c" in text
    assert "<b>sterk</b> & samen" in text and "tweede regel" in text


def test_pending_assets_and_people_stay_out_of_the_portrait(
    botu_store: Store, botu: Wijk, catalogue: dict[str, Wijk]
) -> None:
    from dataclasses import replace

    botu_store.add(replace(make_draft(name="Wacht op goedkeuring"), status=Status.PENDING), by="test")
    botu_store.add(make_draft(name="Goedgekeurde club"), by="test")
    add_person(botu_store, lon=IN_BOSPOLDER[0], lat=IN_BOSPOLDER[1])
    data = load_report_data(botu_store, botu, catalogue, made_on=MADE_ON)
    assert list(data.assets["name"]) == ["Goedgekeurde club"]
    assert "contact" not in data.assets.columns
    assert data.people.set_index("buurt")["count"].to_dict() == {"Bospolder": 1, "Tussendijken": 0}
    assert headline(data).on_map == 1


def test_report_data_refuses_person_rows(data: ReportData, mapped: Store) -> None:
    from dataclasses import replace

    raw = mapped.assets_frame(wijk=data.slug)
    assert (raw["category"] == Category.PERSON.value).any()
    with pytest.raises(ValueError, match="must be public"):
        replace(data, assets=raw)


def test_the_investment_summary_appears_only_with_investments_and_for_who_may_see_them(
    botu_store: Store, botu: Wijk, catalogue: dict[str, Wijk]
) -> None:
    mapped = fill_botu(botu_store)  # its own store: this test writes
    without = load_report_data(mapped, botu, catalogue, user=CLI_USER, made_on=MADE_ON)
    assert without.investment is None and investment_section(without) is None

    example = next(
        a
        for a in mapped.list_assets(category=Category.MEETING_PLACE)
        if a.meeting_place_role is MeetingPlaceRole.STANDARD
    )
    assert example.is_example  # invented: it takes no real money, so the wijk gets a real standard place
    standard = mapped.add(
        make_draft(name="Huis van de Wijk", category="meeting_place", meeting_place_role="standard"), by="test"
    )
    Ledger(mapped).add(
        validate_investment(
            {"meeting_place_id": standard.id, "date": "2026-03-01", "amount_eur": "25.000,00", "funder": "gemeente"}
        ),
        by="test",
    )
    officer = load_report_data(mapped, botu, catalogue, user=CLI_USER, made_on=MADE_ON)
    _, text = pdf_text(wijk_report(officer))
    assert "Geld voor ontmoetingsplekken" in text
    assert "In 2026 ging er € 25.000,00 naar ontmoetingsplekken in de wijk." in text
    assert "Dat is € 1.672,24 per 1.000 inwoners." in text  # 25,000 / 14,950 * 1,000

    public = load_report_data(mapped, botu, catalogue, user=PUBLIC_USER, made_on=MADE_ON)
    assert public.investment is None and investment_section(public) is None


def test_cli_report_and_poster(cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["init"]) == 0
    out = tmp_path / "verslag" / "botu.pdf"
    assert cli_main(["report", "--wijk", "bospolder-tussendijken", "--out", str(out), "--lang", "en"]) == 0
    assert "botu.pdf" in capsys.readouterr().out
    pages, text = pdf_text(out.read_bytes())
    assert 2 <= pages <= 4 and "What Bospolder-Tussendijken has" in text

    poster = tmp_path / "poster.pdf"
    assert cli_main(["poster", "--out", str(poster), "--since", "2026-01-01"]) == 0
    poster_text = PdfReader(poster).pages[0].extract_text()
    assert "Wat Bospolder-Tussendijken heeft" in poster_text and "nieuw sinds 1 januari 2026" in poster_text

    assert cli_main(["poster", "--out", str(tmp_path / "poster.jpg")]) == 2
    assert "'.jpg'" in capsys.readouterr().err
    assert not (tmp_path / "poster.jpg").exists()


def test_every_portrait_text_is_in_the_catalogue_and_used() -> None:
    """The portrait's keys (report., present., poster., static.) exist in both languages, and none is dead."""
    from tests.helpers import ROOT, catalogue_keys

    CATALOGUE = catalogue_keys()

    pattern = re.compile(r"""["']((?:report|present|poster|static)\.[a-z_0-9]+)["']""")
    files = [ROOT / "abcd" / "portrait" / name for name in ("data.py", "report.py", "poster.py", "static_map.py")]
    used = {
        key
        for path in [*files, ROOT / "app_pages" / "presentatie.py"]
        for key in pattern.findall(path.read_text(encoding="utf-8"))
    }
    used |= {"present.mode_overview", "present.mode_story"}  # built as f"present.mode_{mode}"
    assert len(used) > 60  # guards the scan itself
    assert sorted(used - set(CATALOGUE)) == []
    ours = {key for key in CATALOGUE if pattern.fullmatch(f'"{key}"')}
    assert sorted(ours - used) == []
