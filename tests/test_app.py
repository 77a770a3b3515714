"""The Streamlit app through ``app.py`` with AppTest: every page, and the add/edit/delete/restore flows.

AppTest cannot click a Leaflet map, so a map click is injected the way the
component reports it: ``st.session_state[<map key>]`` holds the st_folium
return value (see ``abcd.ui.show_map``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from abcd import ui
from abcd.cli import main as cli_main
from abcd.model import Category, Source
from abcd.permissions import Role, User
from abcd.store import Store

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["app_pages/kaart.py", "app_pages/toevoegen.py", "app_pages/lijst.py", "app_pages/over.py"]
INSIDE = (4.4410, 51.9110)  # lon, lat on Schippersstraat, BoTu
OUTSIDE = (4.4700, 51.9200)  # Oude Westen, outside BoTu


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/app.db"
    monkeypatch.setenv("ABCD_DATABASE_URL", url)
    monkeypatch.delenv("ABCD_LANG", raising=False)
    assert cli_main(["init"]) == 0  # BoTu and its examples, as `make run` does
    return url


@pytest.fixture
def store(db_url: str) -> Store:
    return Store.open(db_url)


@pytest.fixture
def app(db_url: str) -> AppTest:
    """The app as a logged-in community builder (login itself is tested in test_auth_pages.py)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = User("ans", Role.BUILDER)
    at.run()
    assert not at.exception
    return at


def _folium_maps(at: AppTest) -> list[Any]:
    return [e for e in at.main if getattr(e, "type", "") == "component_instance" or "st_folium" in str(e)]


def _on(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_both_languages(app: AppTest, page: str, lang: str) -> None:
    app.session_state["lang"] = lang
    _on(app, page)
    headers = " ".join(h.value for h in app.header)
    expected = {"nl": ("Kaart", "Toevoegen", "Lijst", "Over"), "en": ("Map", "Add", "List", "About")}[lang]
    assert any(word in headers for word in expected), headers
    assert not app.error
    # No multiselect falls back to Streamlit's own placeholder, which is English ("Choose options").
    assert all(w.placeholder for w in app.multiselect), [w.label for w in app.multiselect]


def test_map_page_shows_examples_marked_and_the_map(app: AppTest) -> None:
    _on(app, "app_pages/kaart.py")
    assert _folium_maps(app), "the st_folium component is on the page"
    assert any("voorbeeld" in i.value.lower() for i in app.info)
    assert any("10 van 10" in c.value for c in app.caption)


def test_clicking_an_asset_on_the_map_shows_its_details(app: AppTest, store: Store) -> None:
    asset = store.list_assets(category=Category.MEETING_PLACE)[0]
    app.session_state["kaart_map"] = {"last_active_drawing": {"properties": {"id": asset.id}}}
    _on(app, "app_pages/kaart.py")
    assert any(asset.name.split(" (")[0] in s.value.replace("\\", "") for s in app.subheader)
    assert any("voorbeeld" in w.value.lower() for w in app.warning)  # examples say so


def test_search_filters_the_map(app: AppTest) -> None:
    _on(app, "app_pages/kaart.py")
    app.text_input(key="kaart_search").set_value("naaiclub").run()
    assert any("1 van 10" in c.value for c in app.caption)


def _add(app: AppTest, point: tuple[float, float], category: str, name: str) -> AppTest:
    _on(app, "app_pages/toevoegen.py")
    app.session_state["add_map"] = {"last_clicked": {"lat": point[1], "lng": point[0]}}
    app.run()
    app.button_group(key="add_category").set_value(category).run()
    app.text_input[0].set_value(name)
    app.text_area[0].set_value("Samen koken op vrijdag")
    app.button(key="add_save").click().run()
    assert not app.exception, app.exception
    return app


def test_a_map_click_places_the_new_asset_at_that_point(app: AppTest, store: Store) -> None:
    _add(app, INSIDE, "initiative", "Kookclub Schippersstraat")
    added = [a for a in store.list_assets() if a.name == "Kookclub Schippersstraat"]
    assert len(added) == 1
    asset = added[0]
    assert (asset.lon, asset.lat) == pytest.approx(INSIDE, abs=1e-9)
    assert asset.category is Category.INITIATIVE and asset.resident_led is True
    assert asset.source is Source.FIELD and "bospolder-tussendijken" in store.areas_of([asset.id])[asset.id]
    assert [h.action for h in store.history(asset.id)] == ["create"]
    # The point is used up: the page asks for a new tap instead of re-adding.
    assert "add_point" not in app.session_state


def test_a_blank_name_is_refused_and_nothing_is_stored(app: AppTest, store: Store) -> None:
    before = store.count_assets()
    _add(app, INSIDE, "place", "   ")
    assert store.count_assets() == before
    assert any("naam" in e.value for e in app.error)


def test_a_point_outside_the_wijk_can_be_saved_where_it_lies(app: AppTest, store: Store) -> None:
    _add(app, OUTSIDE, "association", "Schaakclub")
    assert not [a for a in store.list_assets() if a.name == "Schaakclub"]
    assert any("buiten Bospolder-Tussendijken" in w.value.replace("\\", "") for w in app.warning)
    app.button(key="add_move").click().run()
    saved = [a for a in store.list_assets() if a.name == "Schaakclub"]
    assert len(saved) == 1 and "oude-westen" in store.areas_of([saved[0].id])[saved[0].id]


def test_edit_delete_undo_and_restore_through_the_list(app: AppTest, store: Store) -> None:
    asset = store.list_assets(category=Category.BUSINESS)[0]
    _on(app, "app_pages/lijst.py")
    app.selectbox(key="list_selected").set_value(asset.id).run()
    app.text_input[1].set_value("Fietsenmaker De Hoek")  # [0] is the search box
    app.button(key=f"FormSubmitter:edit_form_{asset.id}-Wijzigingen opslaan").click().run()
    assert not app.exception
    edited = store.get(asset.id)
    assert edited.name == "Fietsenmaker De Hoek" and edited.version == 2

    app.selectbox(key="list_selected").set_value(asset.id).run()
    app.button(key=f"delete_{asset.id}").click().run()
    assert store.get(asset.id).is_deleted
    app.button(key="list_undo_button").click().run()
    assert not store.get(asset.id).is_deleted

    app.selectbox(key="list_selected").set_value(asset.id).run()
    app.button(key=f"delete_{asset.id}").click().run()
    app.toggle(key="list_show_deleted").set_value(True).run()
    app.selectbox(key="list_selected").set_value(asset.id).run()
    app.button(key="list_restore").click().run()
    restored = store.get(asset.id)
    assert not restored.is_deleted
    assert [h.action for h in store.history(asset.id)] == ["create", "update", "delete", "restore", "delete", "restore"]


def test_the_history_is_shown_for_the_chosen_asset(app: AppTest, store: Store) -> None:
    asset = store.list_assets()[0]
    store.update(asset.id, asset.draft(description="Nieuw"), by="tester", expected_version=1)
    _on(app, "app_pages/lijst.py")
    app.selectbox(key="list_selected").set_value(asset.id).run()
    history = app.dataframe[-1].value
    assert list(history["door"]) == ["abcd-voorbeelden", "tester"]
    assert "Nieuw" in history["Wijzigingen"].iloc[1]


def test_a_stale_edit_is_refused_with_a_message(app: AppTest, store: Store) -> None:
    asset = store.list_assets()[0]
    _on(app, "app_pages/lijst.py")
    app.selectbox(key="list_selected").set_value(asset.id).run()
    store.update(asset.id, asset.draft(description="Intussen"), by="iemand", expected_version=1)
    app.text_input[1].set_value("Mijn versie")
    app.button(key=f"FormSubmitter:edit_form_{asset.id}-Wijzigingen opslaan").click().run()
    assert any("intussen gewijzigd" in e.value for e in app.error)
    assert store.get(asset.id).description == "Intussen"


def test_export_from_the_about_page(app: AppTest) -> None:
    _on(app, "app_pages/over.py")
    app.radio(key="about_format").set_value(".csv").run()
    app.button(key="about_prepare").click().run()
    wijk, fmt, data, sources = app.session_state["about_export"]
    assert wijk == "bospolder-tussendijken"
    assert fmt == ".csv" and data.decode().count("\n") == 11  # header + 10 examples
    # A download has no sidecar: its sources and licences are shown under the button (abcd.licences).
    assert any("voorbeelddata" in e.label.lower() or "Bronnen" in e.label for e in app.expander)
    assert any("verzonnen voorbeelddata" in line for line in sources)


def test_every_page_file_is_named_for_its_url_path() -> None:
    """``app_pages/<path>.py`` is served at ``/<path>``: one name per page, Dutch, as residents see it."""
    import ast

    source = (ROOT / "app.py").read_text(encoding="utf-8")
    pages = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "st.Page"
    ]
    named: dict[str, set[str]] = {}
    for page in pages:
        assert isinstance(page.args[0], ast.BinOp) and isinstance(page.args[0].right, ast.Constant)
        stem = Path(page.args[0].right.value).stem
        keywords = {k.arg: ast.literal_eval(k.value) for k in page.keywords if k.arg in ("url_path", "default")}
        if keywords.get("default"):  # served at "/" only: its url_path never shows
            assert stem == "kaart"
            continue
        named.setdefault(stem, set()).add(keywords["url_path"])
    assert named == {stem: {stem} for stem in named}
    assert set(named) == {path.stem for path in (ROOT / "app_pages").glob("*.py")}


def test_a_full_disk_on_saving_is_a_friendly_message_and_saves_nothing(app: AppTest, store: Store) -> None:
    from sqlalchemy import Engine, event

    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM")  # no free pages left to fill
    before = store.count_assets()

    def no_growth(dbapi_connection: Any, _record: Any) -> None:  # SQLite: "database or disk is full"
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    _on(app, "app_pages/toevoegen.py")
    app.session_state["add_map"] = {"last_clicked": {"lat": INSIDE[1], "lng": INSIDE[0]}}
    app.run()
    app.button_group(key="add_category").set_value("place").run()
    app.text_input[0].set_value("Buurttuin")
    app.text_area[0].set_value("Een lang verhaal over de tuin. " * 120)  # bigger than the free room in a page
    event.listen(Engine, "connect", no_growth)
    try:
        app.button(key="add_save").click().run()
    finally:
        event.remove(Engine, "connect", no_growth)
    assert not app.exception, app.exception
    assert any("schijf is vol" in e.value for e in app.error), [e.value for e in app.error]
    assert store.count_assets() == before


def test_a_data_folder_the_app_may_not_write_is_a_friendly_message(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from abcd import backup

    def refuse(url: str) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "/srv/abcd/data/abcd.db.lock")

    monkeypatch.setattr(backup, "hold_database", refuse)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert any("Geen toestemming" in e.value for e in at.error), [e.value for e in at.error]


def test_consent_is_given_by_a_tick_not_assumed(app: AppTest, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime

    from abcd.i18n.formats import local_time

    monkeypatch.setenv("ABCD_CONSENT_PURPOSE", "Talenten van de buurt laten zien")
    monkeypatch.setenv("ABCD_CONSENT_TEXT_VERSION", "v7")
    _on(app, "app_pages/toevoegen.py")
    app.session_state["add_map"] = {"last_clicked": {"lat": INSIDE[1], "lng": INSIDE[0]}}
    app.run()
    app.button_group(key="add_category").set_value("person").run()
    assert app.checkbox(key="add_consent").value is False  # nothing states consent until someone ticks it
    assert not [i for i in app.text_input if i.label in ("vastgelegd door", "doel")]  # nothing to pre-fill either
    assert any("Talenten van de buurt laten zien" in c.value and "v7" in c.value for c in app.caption)
    app.text_input[0].set_value("Fatima")
    app.button(key="add_save").click().run()
    assert any("toestemming" in e.value for e in app.error)
    assert store.list_assets(category=Category.PERSON) == []
    app.text_input[0].set_value("Fatima")
    app.checkbox(key="add_consent").check()
    app.button(key="add_save").click().run()
    (person,) = store.list_assets(category=Category.PERSON)
    consent = store.consent(person.id)
    assert consent is not None
    assert (consent.recorded_by, consent.purpose, consent.text_version) == (
        "ans",
        "Talenten van de buurt laten zien",
        "v7",
    )
    assert consent.date == local_time(datetime.now(UTC)).date()


def test_the_wijk_and_the_language_stay_in_the_address(db_url: str) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    at.query_params["wijk"] = "WK036386"  # Overtoomse Veld, Amsterdam, by its CBS code
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["lang"] == "en"
    at.switch_page("app_pages/lijst.py")
    at.run()
    assert not at.exception, at.exception
    assert dict(at.query_params) == {"lang": "en", "wijk": at.session_state["wijk"]}
    assert at.session_state["wijk"].startswith("amsterdam") or "overtoomse" in at.session_state["wijk"]


def test_a_session_opening_on_the_map_gets_the_map_first_and_the_page_on_the_next_run(db_url: str) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()  # "/" is the Kaart page
    assert not at.exception, at.exception
    assert _folium_maps(at), "the map is drawn in the first run"
    # The frame waits: no heading, no pickers in the sidebar, no search or filters, no example notice yet.
    assert not at.header and not at.sidebar.selectbox and not at.text_input and not at.info
    at.run()  # the map's report, or the timer of ui.open_soon
    assert not at.exception, at.exception
    assert _folium_maps(at)
    assert [s.label for s in at.sidebar.selectbox] == ["Gemeente", "Wijk"]
    assert [h.value.replace("\\", "") for h in at.header] == ["Kaart van Bospolder-Tussendijken"]
    assert [t.label for t in at.main.text_input] == ["Zoeken"]
    assert any("voorbeeld" in i.value.lower() for i in at.info)
    at.run()  # and it stays whole
    assert at.text_input and at.sidebar.selectbox


@pytest.mark.parametrize("address", ["", "kaart"])
def test_the_map_first_run_has_no_sidebar_and_the_next_fills_it(
    db_url: str, address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ui, "address_page", lambda: address)  # what a browser at "/" or "/kaart" asks for
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if address:
        at.switch_page("app_pages/kaart.py")
    at.run()
    assert not at.exception, at.exception
    assert _folium_maps(at)
    assert len(at.sidebar) == 0  # not even an empty element: a phone would build the sidebar before the map
    at.run()
    assert not at.exception, at.exception
    assert [s.label for s in at.sidebar.selectbox] == ["Gemeente", "Wijk"]


def test_an_address_that_names_the_map_for_another_page_draws_that_page_whole(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ui, "address_page", lambda: "kaart")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("app_pages/lijst.py")
    at.run()
    assert not at.exception, at.exception
    assert [s.label for s in at.sidebar.selectbox] == ["Gemeente", "Wijk"]
    assert "Lijst" in " ".join(h.value for h in at.header)


def test_a_session_opening_on_another_page_draws_it_whole(db_url: str) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("app_pages/lijst.py")
    at.run()
    assert not at.exception, at.exception
    assert [s.label for s in at.sidebar.selectbox] == ["Gemeente", "Wijk"]
