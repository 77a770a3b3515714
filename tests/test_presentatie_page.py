"""The Presentatie page through ``app.py`` with AppTest: both languages, the story mode, and no resident on it.

The privacy check reads every element's protobuf, including the Leaflet
script of the map component, so a name hidden in a map layer would be found.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from abcd.cli import main as cli_main
from abcd.permissions import Role, User
from abcd.store import Store
from tests.portrait_support import IN_BOSPOLDER, IN_TUSSENDIJKEN, PERSON_STRINGS, add_person

ROOT = Path(__file__).resolve().parent.parent
PAGE = "app_pages/presentatie.py"


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database for the module (the page only reads): BoTu, its examples and six residents."""
    url = f"sqlite:///{tmp_path_factory.mktemp('presentatie')}/app.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ABCD_DATABASE_URL", url)
        patch.delenv("ABCD_LANG", raising=False)
        assert cli_main(["init"]) == 0  # BoTu and its ten examples, as `make run` does
        store = Store.open(url)
        for _ in range(5):
            add_person(store, lon=IN_TUSSENDIJKEN[0], lat=IN_TUSSENDIJKEN[1])
        add_person(store, lon=IN_BOSPOLDER[0], lat=IN_BOSPOLDER[1])
        store.close()
        yield url


@pytest.fixture(autouse=True)
def _database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABCD_DATABASE_URL", db_url)
    monkeypatch.delenv("ABCD_LANG", raising=False)


def page(lang: str = "nl", **state: Any) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def everything(at: AppTest) -> str:
    """The text of every element on the page (main and sidebar), map component included."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


@pytest.mark.parametrize(
    ("lang", "title", "metric", "people", "button"),
    [
        (
            "nl",
            "Wat Bospolder\\-Tussendijken heeft",
            "Bewonersinitiatieven",
            "Talenten in Tussendijken",
            "Verslag (PDF, A4)",
        ),
        (
            "en",
            "What Bospolder\\-Tussendijken has",
            "Resident initiatives",
            "Talents in Tussendijken",
            "Report (PDF, A4)",
        ),
    ],
)
def test_the_overview_in_both_languages(
    db_url: str, lang: str, title: str, metric: str, people: str, button: str
) -> None:
    at = page(lang)
    assert [t.value for t in at.title] == [title]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[metric] == "3"
    assert metrics[people] == "5" and metrics[people.replace("Tussendijken", "Bospolder")] == "<5"
    assert len([e for e in at.main if type(e).__name__ == "UnknownElement"]) >= 1  # the map
    assert button in everything(at)
    assert not at.error


def test_no_resident_appears_anywhere_on_the_page(db_url: str) -> None:
    # The public in both languages, and a coordinator (who may see residents elsewhere, not here).
    for lang, state in (("nl", {}), ("en", {}), ("nl", {"user": User("coordinator-test", Role.COORDINATOR)})):
        at = page(lang, **state)
        text = everything(at)
        assert "Fietsenmaker om de hoek" in text  # an example only the map layer names: the map is searched
        for secret in PERSON_STRINGS:
            assert secret not in text, secret


def test_the_story_steps_through_every_category_one_at_a_time(db_url: str) -> None:
    at = page("nl", presentatie_mode="story")
    headers = []
    while True:
        texts = everything(at)
        assert not any(secret in texts for secret in PERSON_STRINGS)
        headers.append(at.header[0].value if at.header else "intro")
        forward = at.button(key="presentatie_next")
        if forward.disabled:
            break
        forward.click().run()
        assert not at.exception, at.exception
    assert headers[0] == "intro" and headers[-1] == "Samen verder"
    assert headers[1] == "★ Talent van een bewoner"  # people: counts per buurt and our own drawing
    assert "✿ Bewonersinitiatief" in headers and "◎ Ontmoetingsplek" in headers
    assert len(headers) == 10  # intro, people, the 7 public categories of the examples, together
    at.button(key="presentatie_prev").click().run()
    assert at.header[0].value == "✎ Verhaal of erfgoed"


def test_the_cooperatives_own_words_come_back_on_the_last_step(db_url: str) -> None:
    at = page("en", presentatie_mode="story", presentatie_step=99, presentatie_own="We cook together")
    assert at.header[0].value == "Going on together"
    assert any("We cook together" in m.value for m in at.markdown)


def test_an_empty_wijk_says_so(db_url: str) -> None:
    at = page("nl", wijk="oud-mathenesse")
    assert any("Er staat nog niets op de kaart van Oud Mathenesse" in i.value for i in at.info)
    assert {m.label: m.value for m in at.metric}["Op de kaart"] == "0"


def opened_at(query: dict[str, str], lang: str = "nl", **state: Any) -> AppTest:
    """The page opened from an address (a reload, or a link), in a new session."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at.query_params.update(query)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def view(at: AppTest) -> dict[str, str]:
    return {k: v for k, v in at.query_params.items() if k in ("mode", "step", "beamer")}


def test_the_address_keeps_mode_step_and_big_screen_so_a_reload_stays_where_it_was(db_url: str) -> None:
    at = opened_at({"mode": "story", "beamer": "1"})
    assert not at.header and at.toggle(key="presentatie_beamer").value  # the first step: the intro
    assert view(at) == {"mode": "story", "step": "1", "beamer": "1"}
    for _ in range(3):
        at.button(key="presentatie_next").click().run()
    assert view(at) == {"mode": "story", "step": "4", "beamer": "1"}
    shown = at.header[0].value
    reloaded = opened_at(dict(at.query_params))  # a new session with the address the page wrote
    assert reloaded.header[0].value == shown and reloaded.toggle(key="presentatie_beamer").value
    assert opened_at({"mode": "story", "step": "4"}).header[0].value == shown  # a link does the same
    reloaded.button(key="presentatie_prev").click().run()
    reloaded.button(key="presentatie_prev").click().run()
    assert view(reloaded)["step"] == "2" and reloaded.header[0].value == "★ Talent van een bewoner"
    # Back to the overview on a normal screen: the address drops the step and the big screen.
    reloaded.button_group(key="presentatie_mode").set_value("overview").run()
    reloaded.toggle(key="presentatie_beamer").set_value(False).run()
    assert view(reloaded) == {"mode": "overview"}
    # A step past the end is the last one; rubbish is the start.
    assert opened_at({"mode": "story", "step": "99"}).header[0].value == "Samen verder"
    odd = opened_at({"mode": "verhaal", "step": "<b>", "beamer": "yes"})
    assert view(odd) == {"mode": "overview"} and not odd.toggle(key="presentatie_beamer").value


def _chart_specs(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(c.proto.spec) for c in at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")]


def test_the_big_screen_scales_text_chart_axes_and_the_map_legend(db_url: str) -> None:
    normal, big = page("nl"), page("nl", presentatie_beamer=True)
    assert len(_chart_specs(big)) == len(_chart_specs(normal)) >= 1
    for spec in _chart_specs(normal):
        assert "axis" not in spec["config"] and "locale" in spec["config"]
    for spec in _chart_specs(big):
        config = spec["config"]
        assert "locale" in config  # the reader's number format stays
        assert (config["axis"]["labelFontSize"], config["axis"]["titleFontSize"]) == (16.0, pytest.approx(17.6))
        assert config["legend"]["labelFontSize"] == 16.0 and config["title"]["fontSize"] == pytest.approx(20.8)
    [category_chart] = [s for s in _chart_specs(big) if "labelLimit" in str(s["encoding"].get("y", {}))]
    assert category_chart["encoding"]["y"]["axis"]["labelFontSize"] == pytest.approx(22.4)  # 14 on a normal screen

    def map_header(at: AppTest) -> str:
        [the_map] = [e for e in at.main if getattr(e.proto, "component_name", "") == "streamlit_folium.st_folium"]
        return str(json.loads(the_map.proto.json_args)["header"])

    assert ".abcd-legend" in map_header(big) and "zoom:1.60" in map_header(big)
    assert "zoom:1.60" not in map_header(normal)
    styles = [m.value for m in big.markdown if m.value.startswith("<style>")]
    assert len(styles) == 1 and "stCaptionContainer" in styles[0] and "stSidebar" in styles[0]
    assert not [m for m in normal.markdown if m.value.startswith("<style>")]


def test_the_story_tells_how_to_step_with_a_clicker_and_listens_for_its_keys(db_url: str) -> None:
    at = page("en", presentatie_mode="story")
    assert any("PageDown" in c.value for c in at.caption)
    listeners = [e for e in at.main if "abcd_presenter_keys" in str(getattr(e, "proto", ""))]
    assert len(listeners) == 1
    overview = page("en")
    assert not [e for e in overview.main if "abcd_presenter_keys" in str(getattr(e, "proto", ""))]


def test_the_cooperatives_contact_joins_the_call_escaped_and_a_bad_one_is_refused_at_its_field(db_url: str) -> None:
    from abcd.portrait.contact import join_contact

    store = Store.open(db_url)
    save = "FormSubmitter:presentatie_contact_form-Contact opslaan"
    builder = User("coop", Role.BUILDER)
    try:
        at = page("nl", user=builder)
        at.text_input(key="presentatie_contact").set_value("javascript:alert(1)")
        at.button(key=save).click().run()
        assert [e.value for e in at.error if "kan niet als contact" in e.value]
        assert join_contact(store, "bospolder-tussendijken") == ""
        assert at.get("download_button")  # the rest of the page stays
        at.text_input(key="presentatie_contact").set_value("Ans & co: www.botu.nl/doe-mee *nu*")
        at.button(key=save).click().run()
        assert not at.error and join_contact(store, "bospolder-tussendijken") == "Ans & co: www.botu.nl/doe-mee *nu*"
        for shown in (at, page("en"), page("nl", presentatie_mode="story", presentatie_step=4)):
            [line] = [m.value for m in shown.markdown if m.value.startswith(("**Doe mee:", "**Join in:"))]
            assert "Ans \\& co: www\u2060\\.botu\\.nl/doe\\-mee \\*nu\\*" in line  # as typed, no link, no emphasis
        public = page("nl")
        assert not [t for t in public.text_input if t.key == "presentatie_contact"]  # the public cannot set it
    finally:
        store.set_meta("join_contact:bospolder-tussendijken", "")
