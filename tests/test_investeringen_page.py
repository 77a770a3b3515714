"""The Investeringen page through ``app.py`` with AppTest: figures, the norm flag, recording, editing, rights.

AppTest cannot click the Leaflet map; a click on a meeting place is injected
the way ``st_folium`` reports it, in ``st.session_state["invest_map"]``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from abcd.investments.ledger import Ledger
from abcd.investments.model import Funder, InvestmentDraft
from abcd.model import Asset
from abcd.permissions import Role, User
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, HOSTILE_NAME, INSIDE_BOTU_2, ROOT, make_draft

APP = str(ROOT / "app.py")  # this checkout's app, wherever it was cloned
PAGE = "app_pages/investeringen.py"
OFFICER = User("ambtenaar", Role.OFFICER)
SAVE = "FormSubmitter:invest_form-Investering opslaan"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, botu: Wijk) -> Store:
    url = f"sqlite:///{tmp_path}/app.db"
    monkeypatch.setenv("ABCD_DATABASE_URL", url)
    monkeypatch.delenv("ABCD_LANG", raising=False)
    opened = Store.open(url)
    opened.save_wijk(botu.record())  # no streets: the page draws without them
    return opened


@pytest.fixture
def places(store: Store) -> dict[str, Asset]:
    return {
        "standard": store.add(
            make_draft(name="Huis van de Wijk", category="meeting_place", meeting_place_role="standard"), by="t"
        ),
        "resident": store.add(
            make_draft(
                name=HOSTILE_NAME,
                category="meeting_place",
                meeting_place_role="resident",
                lon=INSIDE_BOTU_2[0],
                lat=INSIDE_BOTU_2[1],
            ),
            by="t",
        ),
    }


def page(user: User | None = OFFICER, lang: str = "nl") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if user is not None:
        at.session_state["user"] = user
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [e.value for kind in (at.warning, at.info, at.error, at.caption, at.header, at.subheader) for e in kind]
    return "\n".join(str(p) for p in parts)


def frames_text(at: AppTest) -> str:
    return "\n".join(df.value.to_string() for df in at.dataframe)


@pytest.mark.parametrize(
    ("lang", "title", "flag"),
    [
        ("nl", "Investeringen in Bospolder", "geen standaard ontmoetingsplek"),
        ("en", "Investments in Bospolder", "no standard meeting place"),
    ],
)
def test_the_page_runs_in_both_languages_and_flags_a_wijk_without_standard_place(
    store: Store, lang: str, title: str, flag: str
) -> None:
    at = page(lang=lang)
    assert title in at.header[0].value
    assert any(flag in w.value for w in at.warning)  # BoTu has no meeting places at all yet
    assert flag in frames_text(at)  # ... and the city table flags every wijk without one
    assert not at.error


def test_done_when_recording_shows_per_1000_next_to_the_city_average(store: Store, places: dict[str, Asset]) -> None:
    at = page()
    at.selectbox(key="invest_place").set_value(places["standard"].id)
    at.text_input(key="invest_new_amount").set_value("25.000,00")
    at.button(key=SAVE).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]

    at.selectbox(key="invest_place").set_value(places["resident"].id)
    at.text_input(key="invest_new_amount").set_value("2500")
    at.number_input(key="invest_new_space").set_value(40.0)
    at.button(key=SAVE).click().run()
    assert not at.exception and not at.error

    items = Ledger(store).list_investments(wijk=BOTU)
    assert sorted((i.amount_cents, i.space_m2, i.funder) for i in items) == [
        (250_000, 40.0, Funder.GEMEENTE),
        (2_500_000, None, Funder.GEMEENTE),
    ]
    assert {i.created_by for i in items} == {"ambtenaar"}
    comparison = at.dataframe[0].value
    assert list(comparison["name"]) == ["Bospolder-Tussendijken", "Stadsgemiddelde (83 wijken)"]
    assert list(comparison["eur_per_1000"]) == [Decimal("1839.46"), Decimal("41.66")]
    assert comparison["eur_total"].iloc[0] == Decimal("27500.00")
    assert not any("geen standaard" in w.value for w in at.warning)  # BoTu now has its standard place
    assert len(at.get("vega_lite_chart")) == 1  # the chart over time


def test_a_click_on_the_map_chooses_the_meeting_place(store: Store, places: dict[str, Asset]) -> None:
    at = page()
    at.session_state["invest_map"] = {
        "last_active_drawing": {"type": "Feature", "properties": {"id": places["resident"].id}},
        "last_object_clicked_count": 1,
    }
    at.run()
    assert at.selectbox(key="invest_place").value == places["resident"].id
    # The page treats the browser's value as untrusted: an unknown id chooses nothing.
    at.session_state["invest_map"] = {
        "last_active_drawing": {"properties": {"id": "not-a-place"}},
        "last_object_clicked_count": 2,
    }
    at.run()
    assert at.selectbox(key="invest_place").value == places["resident"].id


def beside(at: AppTest, key: str) -> list[str]:
    """The error messages in the same column as the widget ``key`` (next to it, not at the top of the page)."""

    def find(node: Any) -> list[str] | None:
        children = list(getattr(node, "children", {}).values())
        if any(getattr(child, "key", None) == key for child in children):
            return [str(child.value) for child in children if type(child).__name__ == "Error"]
        for child in children:
            found = find(child)
            if found is not None:
                return found
        return None

    return find(at.main) or []


def test_an_ambiguous_amount_is_refused_next_to_the_field_and_the_rest_of_the_page_stays(
    store: Store, places: dict[str, Asset]
) -> None:
    Ledger(store).add(
        InvestmentDraft(places["standard"].id, dt.date(2024, 1, 15), 2_500_000, Funder.GEMEENTE, note="eerste"), by="t"
    )
    at = page()
    at.selectbox(key="invest_place").set_value(places["resident"].id)
    at.text_input(key="invest_new_amount").set_value("1,234")
    at.text_area(key="invest_new_note").set_value("kapstokken")
    at.button(key=SAVE).click().run()
    assert not at.exception
    assert [e for e in beside(at, "invest_new_amount") if "dubbelzinnig" in e]
    assert len(at.error) == 1  # said once, where it belongs
    assert len(Ledger(store).list_investments()) == 1  # nothing stored
    # What was typed stays, to be corrected; the ledger, the chart and the city table are still there.
    assert at.text_input(key="invest_new_amount").value == "1,234"
    assert at.text_area(key="invest_new_note").value == "kapstokken"
    assert "eerste" in frames_text(at)
    assert [s.value for s in at.subheader][-1].startswith("De hele stad")
    assert len(at.get("vega_lite_chart")) == 1
    assert len(at.get("download_button")) == 1


def test_every_example_the_amount_field_shows_is_accepted(store: Store, places: dict[str, Asset]) -> None:
    for lang, place in (("nl", "standard"), ("en", "resident")):  # the same sum twice on one place is a repeat
        at = page(lang=lang)
        placeholder = at.text_input(key="invest_new_amount").placeholder
        examples = re.findall(r"(?:€ ?)?\d[\d.,]*\d", placeholder)
        assert len(examples) == 2, placeholder
        for text in examples:
            at.selectbox(key="invest_place").set_value(places[place].id)
            at.text_input(key="invest_new_amount").set_value(text)
            save = next(b for b in at.button if b.key and b.key.startswith("FormSubmitter:invest_form-"))
            save.click().run()
            assert not at.error, [e.value for e in at.error]
    amounts = sorted(i.amount_cents for i in Ledger(store).list_investments())
    assert amounts == [250_050, 250_050, 2_500_000, 2_500_000]  # "25.000" is 25,000 euros, not 25


def test_after_a_save_the_form_is_empty_and_a_second_tap_books_nothing(store: Store, places: dict[str, Asset]) -> None:
    at = page()
    at.selectbox(key="invest_place").set_value(places["standard"].id)

    def fill() -> None:
        at.text_input(key="invest_new_amount").set_value("25.000")
        at.radio(key="invest_new_kind").set_value("jaarlijks")
        at.text_area(key="invest_new_note").set_value("structureel")

    fill()
    at.button(key=SAVE).click().run()
    assert not at.error, [e.value for e in at.error]
    assert at.text_input(key="invest_new_amount").value == ""
    assert at.radio(key="invest_new_kind").value == "eenmalig"
    assert at.text_area(key="invest_new_note").value == ""
    assert at.selectbox(key="invest_place").value == places["standard"].id  # a next entry for the same place
    fill()  # the same entry again, as a second tap or an impatient officer would
    at.button(key=SAVE).click().run()
    assert any("een paar seconden geleden" in e.value and "niet nog een keer geboekt" in e.value for e in at.error)
    [item] = Ledger(store).list_investments()
    assert (item.amount_cents, item.kind.value, item.note) == (2_500_000, "jaarlijks", "structureel")
    assert "structureel" in frames_text(at)  # the ledger shows the one entry


def test_an_example_meeting_place_is_not_offered_nor_counted(store: Store) -> None:
    store.add(
        make_draft(
            name="Buurthuis (voorbeeld)", category="meeting_place", meeting_place_role="standard", source="example"
        ),
        by="t",
    )
    at = page()
    assert not [s for s in at.selectbox if s.key == "invest_place"]  # nothing to book on
    # The map shows the example, so the page says why it is not offered rather than "none yet".
    assert "alleen voorbeelden van ontmoetingsplekken" in texts(at)
    assert "nog geen ontmoetingsplekken" not in texts(at)
    assert "geen standaard ontmoetingsplek" in texts(at)  # the example is not BoTu's standard place


def test_a_wijk_without_meeting_places_says_none_yet(store: Store) -> None:
    at = page()
    assert "Er staan nog geen ontmoetingsplekken" in texts(at)
    assert "voorbeeld" not in texts(at)


def test_saving_without_a_meeting_place_says_so(store: Store, places: dict[str, Asset]) -> None:
    at = page()
    at.text_input(key="invest_new_amount").set_value("100")
    at.button(key=SAVE).click().run()
    assert any("ontmoetingsplek" in e.value for e in at.error)
    assert Ledger(store).list_investments() == []


def test_an_entry_can_be_edited_deleted_and_restored_with_history(store: Store, places: dict[str, Asset]) -> None:
    item = Ledger(store).add(
        InvestmentDraft(places["standard"].id, dt.date(2024, 1, 15), 2_500_000, Funder.GEMEENTE),
        by="t",
    )
    at = page()
    at.selectbox(key="invest_selected").set_value(item.id).run()
    amount = f"invest_edit_{item.id}_amount"
    assert at.text_input(key=amount).value == "25000,00"
    at.text_input(key=amount).set_value("26.000,00")
    at.button(key=f"FormSubmitter:invest_edit_{item.id}-Wijzigingen opslaan").click().run()
    assert not at.error, [e.value for e in at.error]
    assert Ledger(store).get(item.id).amount_cents == 2_600_000

    at.selectbox(key="invest_selected").set_value(item.id).run()
    at.button(key=f"invest_delete_{item.id}").click().run()
    assert Ledger(store).get(item.id).is_deleted
    at.toggle(key="invest_show_deleted").set_value(True).run()
    at.selectbox(key="invest_selected").set_value(item.id).run()
    at.button(key="invest_restore").click().run()
    assert [h.action for h in Ledger(store).history(item.id)] == ["create", "update", "delete", "restore"]


def test_user_text_is_escaped_in_the_message_and_on_the_map(store: Store, places: dict[str, Asset]) -> None:
    hostile = places["resident"]
    at = page()
    at.selectbox(key="invest_place").set_value(hostile.id)
    at.text_input(key="invest_new_amount").set_value("10")
    at.button(key=SAVE).click().run()
    assert [t.value for t in at.toast] == [
        "€ 10,00 voor '\\<script\\>alert\\(\"x\"\\)\\</script\\> \\& \\<b\\>Club\\</b\\>' is vastgelegd."
    ]
    maps = [e for e in at.main if getattr(e.proto, "component_name", "") == "streamlit_folium.st_folium"]
    assert len(maps) == 1
    layers = json.loads(maps[0].proto.json_args)["feature_group"]  # the circles, added without remounting
    assert "<script>alert" not in layers and "<b>Club" not in layers
    assert "\\u0026lt;script\\u0026gt;alert" in layers  # the name is there, as escaped text


def test_the_public_is_asked_to_log_in_and_a_builder_may_look_but_not_record(
    store: Store, places: dict[str, Asset]
) -> None:
    public = page(user=None)
    assert any("log" in i.value.lower() for i in public.info)
    assert not public.dataframe and not public.get("vega_lite_chart")
    builder = page(user=User("opbouwwerker", Role.BUILDER))
    assert builder.dataframe  # the figures
    assert not [b for b in builder.button if b.key == SAVE]
    assert not [s for s in builder.selectbox if s.key == "invest_place"]
