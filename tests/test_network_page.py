"""Connections in the app: lines on the map, an asset's ties in its details, the network page, report and show."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from abcd.cli import main as cli_main
from abcd.connections.register import Register
from abcd.permissions import Role, User
from abcd.store import Store
from tests.helpers import BOTU, make_draft

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/network.db"
    monkeypatch.setenv("ABCD_DATABASE_URL", url)
    monkeypatch.delenv("ABCD_LANG", raising=False)
    assert cli_main(["init"]) == 0  # the examples come with eight connections
    return url


def _page(page: str, role: Role | None = None, **state: object) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if role is not None:
        at.session_state["user"] = User("ans", role, frozenset({BOTU}) if role is Role.BUILDER else frozenset())
    at.run()
    at.switch_page(page)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _component_text(at: AppTest) -> str:
    return "".join(str(getattr(e, "proto", "")) for e in at.main if "st_folium" in str(getattr(e, "proto", "")))


def _example(store: Store, start: str) -> str:
    (asset,) = [a for a in store.list_assets() if a.name.startswith(start)]
    return asset.id


def test_the_map_draws_a_layer_per_kind(db_url: str) -> None:
    text = _component_text(_page("app_pages/kaart.py"))
    for label in ("komt samen in (3)", "steunt (2)", "werkt samen met (2)", "gaat over (1)"):
        assert f"Verbindingen: {label}" in text, label


def test_an_assets_details_list_its_ties_and_a_builder_connects_and_disconnects(db_url: str) -> None:
    store = Store.open(db_url)
    centre = _example(store, "Wijkcentrum")
    public = _page("app_pages/kaart.py", kaart_selected=centre)
    shown = [c.value for c in public.caption]
    assert "**komt samen in**" in shown  # grouped by kind
    assert any(c.startswith("Taalcafé") and "→ Wijkcentrum" in c for c in shown)
    assert any("haringpakkers" in m.value for m in public.markdown)  # the story about this place, told here
    assert not [b for b in public.button if b.key and b.key.startswith("unlink_")]  # reading, not changing
    assert not [e for e in public.expander if "Verbonden met" in e.label]

    at = _page("app_pages/kaart.py", Role.BUILDER, kaart_selected=centre)
    playground = _example(store, "Speeltuin")
    before = len(Register(store).list_connections())
    (other,) = [sb for sb in at.selectbox if sb.label == "Met"]  # the other asset, picked by name
    other.set_value(playground)
    (kind,) = [sb for sb in at.selectbox if sb.label == "soort verbinding"]
    kind.set_value("works_with")
    (note,) = [ti for ti in at.text_input if ti.label == "toelichting"]
    note.input("speelt er op woensdag")
    (submit,) = [b for b in at.button if b.label == "Verbinden"]
    submit.click().run()
    assert not at.exception, at.exception
    ties = Register(store).list_connections()
    assert len(ties) == before + 1
    new = ties[-1]
    assert {new.from_id, new.to_id} == {centre, playground} and new.note == "speelt er op woensdag"
    at.button(key=f"unlink_{new.id}").click().run()
    assert len(Register(store).list_connections()) == before


def test_the_network_page_names_connectors_and_the_unconnected(db_url: str) -> None:
    at = _page("app_pages/verbindingen.py")
    assert [m.value for m in at.metric] == ["8", "9", "1"]
    connectors = at.dataframe[0].value
    assert connectors.iloc[0]["name"].startswith("Wijkcentrum")  # the hub: most shortest paths run through it
    assert any("Speeltuin" in m.value for m in at.markdown)  # "nog niet verbonden"
    (chart,) = at.get("graphviz_chart")
    assert "Wijkcentrum" in chart.proto.spec and "graph" in chart.proto.spec


def test_the_report_tells_connections_and_stories_next_to_their_place(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "botu.pdf"
    assert cli_main(["report", "--wijk", BOTU, "--out", str(out)]) == 0
    text = " ".join(page.extract_text() for page in PdfReader(out).pages).replace("\n", " ")
    assert "Verbindingen en groei" in text and "8 verbindingen" in text
    assert "Verhalen bij plekken" in text
    place = text.index("Wijkcentrum aan het plein (voorbeeld): Verhaal: de haringpakkers")
    assert place > text.index("Verhalen bij plekken")


def test_the_presentation_tells_the_story_on_the_places_card(db_url: str) -> None:
    from abcd.portrait.data import load_report_data, story_steps
    from abcd.wijken import wijk_catalogue
    from tests.helpers import WIJKEN_DIR

    store = Store.open(db_url)
    catalogue = wijk_catalogue(WIJKEN_DIR)
    step = story_steps(load_report_data(store, catalogue[BOTU], catalogue)).index("meeting_place")
    at = _page("app_pages/presentatie.py", presentatie_mode="story", presentatie_step=step)
    assert any("haringpakkers" in c.value for c in at.caption)


def test_the_growth_of_botu_counts_what_the_store_holds_at_the_end_of_the_month(db_url: str) -> None:
    from datetime import UTC, date, datetime

    from abcd.investments.ledger import Ledger, record_investment
    from abcd.permissions import CLI_USER
    from abcd.timeline import wijk_growth

    store = Store.open(db_url)
    # Real money goes to a real meeting place: an example one takes none (abcd.investments).
    centre = store.add(make_draft(name="Huiskamer Schiedamseweg", category="meeting_place"), by="test").id
    record_investment(Ledger(store), {"meeting_place_id": centre, "date": "2026-12-01", "amount_eur": "1250,50",
                                          "funder": "gemeente", "kind": "eenmalig"},
                      user=CLI_USER)  # fmt: skip
    today = datetime.now(UTC).date()
    table = wijk_growth(store, BOTU, today=today)
    last = table.iloc[-1]
    assert last["month"] >= today and (last["month"].replace(day=1) <= today)
    # Two resident-led initiatives (the language café is not resident-led), three meeting places, eight ties.
    assert (last["initiatives"], last["meeting_places"], last["connections"]) == (2, 3, 8)
    december = table[[m.month == 12 and m.year == 2026 for m in table["month"]]]
    assert int(december["invested_cents"].sum()) == 125050
    assert table.iloc[0]["month"] >= date(2026, 1, 31)


def test_the_list_page_connects_the_chosen_asset_too(db_url: str) -> None:
    store = Store.open(db_url)
    playground, club = _example(store, "Speeltuin"), _example(store, "Naaiclub")
    at = _page("app_pages/lijst.py", Role.BUILDER)
    at.selectbox(key="list_selected").set_value(playground).run()
    (direction,) = [r for r in at.radio if r.label == "Richting"]
    direction.set_value("to")  # the club -> the playground
    (kind,) = [sb for sb in at.selectbox if sb.label == "soort verbinding"]
    kind.set_value("meets_at")
    (other,) = [sb for sb in at.selectbox if sb.label == "Met"]
    other.set_value(club)
    (submit,) = [b for b in at.button if b.label == "Verbinden"]
    submit.click().run()
    assert not at.exception, at.exception
    (tie,) = [c for c in Register(store).list_connections() if playground in (c.from_id, c.to_id)]
    assert (tie.from_id, tie.to_id, tie.kind.value) == (club, playground, "meets_at")
    assert "**komt samen in**" in [c.value for c in at.caption]
