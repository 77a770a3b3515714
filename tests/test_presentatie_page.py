"""The Presentatie page through ``app.py`` with AppTest: both languages, the story mode, and no resident on it.

The privacy check reads every element's protobuf, including the Leaflet
script of the map component, so a name hidden in a map layer would be found.
"""

from __future__ import annotations

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
