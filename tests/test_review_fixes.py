"""Holes a review found, closed: imports cannot take over other assets, deleted assets are not public,
a log-out forgets the tab's data, role changes apply at once, and the last coordinator stays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from abcd import accounts
from abcd import assets as uc
from abcd.cli import main as cli_main
from abcd.errors import ImportFileError, ValidationError
from abcd.exchange import import_assets
from abcd.permissions import PermissionDeniedError, Role, User
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, INSIDE_BOTU, PERSON_CONSENT, WIJKEN_DIR

ROOT = Path(__file__).resolve().parent.parent
BOTU_BUILDER = User("ans", Role.BUILDER, frozenset({BOTU}))
CHARLOIS_BUILDER = User("piet", Role.BUILDER, frozenset({"wijk-charlois"}))


def _person(store: Store, catalogue: dict[str, Wijk]):  # type: ignore[no-untyped-def]
    lon, lat = INSIDE_BOTU
    raw = {
        "name": "Fatima Geheim",
        "category": "person",
        "contact": "06-12345678",
        "lon": lon,
        "lat": lat,
        "wijk": BOTU,
        **PERSON_CONSENT,
    }
    return uc.add_asset(store, catalogue, raw, wijken_dir=WIJKEN_DIR, user=BOTU_BUILDER)


def test_an_import_cannot_take_over_an_asset_in_another_wijk(
    botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    person = _person(botu_store, catalogue)
    path = tmp_path / "overname.csv"
    path.write_text(
        f"id,name,category,lat,lon,wijk\n{person.id},Overgenomen,initiative,51.8800,4.4900,wijk-charlois\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFileError) as caught:
        import_assets(
            botu_store, path, catalogue=catalogue, wijken_dir=WIJKEN_DIR, default_wijk=BOTU, user=CHARLOIS_BUILDER
        )
    assert "Rij 2" in str(caught.value)
    stored = botu_store.get(person.id)
    assert (stored.name, stored.category.value) == ("Fatima Geheim", "person")
    assert (stored.lon, stored.lat) == (person.lon, person.lat)  # not moved to Charlois either


def test_a_resident_stays_a_resident_on_import_and_edit(
    botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    person = _person(botu_store, catalogue)
    lon, lat = INSIDE_BOTU
    path = tmp_path / "openbaar.csv"
    path.write_text(
        f"id,version,name,category,lat,lon\n{person.id},{person.version},Openbaar,initiative,{lat},{lon}\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFileError, match="blijft dat"):
        import_assets(
            botu_store, path, catalogue=catalogue, wijken_dir=WIJKEN_DIR, default_wijk=BOTU, user=BOTU_BUILDER
        )
    with pytest.raises(ValidationError, match="blijft dat"):
        uc.edit_asset(
            botu_store, catalogue, person.id, {"category": "initiative"}, expected_version=1, user=BOTU_BUILDER
        )
    assert botu_store.get(person.id).is_person


def test_deleted_assets_are_listed_for_editors_only(botu_store: Store, catalogue: dict[str, Wijk]) -> None:
    lon, lat = INSIDE_BOTU
    asset = uc.add_asset(
        botu_store,
        catalogue,
        {"name": "Oppas bij Fatima, Taandersstraat 12", "category": "place", "lon": lon, "lat": lat, "wijk": BOTU},
        wijken_dir=WIJKEN_DIR,
        user=BOTU_BUILDER,
    )
    uc.delete_asset(botu_store, asset.id, expected_version=1, user=BOTU_BUILDER)
    for viewer in (User("publiek", Role.PUBLIC), User("gemeente", Role.OFFICER), CHARLOIS_BUILDER):
        assert uc.visible_assets(botu_store, wijk=BOTU, user=viewer, deleted_only=True) == []
    assert [a.id for a in uc.visible_assets(botu_store, wijk=BOTU, user=BOTU_BUILDER, deleted_only=True)] == [asset.id]


def test_the_last_coordinator_cannot_be_removed_or_demoted(store: Store) -> None:
    accounts.add_user(store, "beheer", role="coordinator", password="een lang wachtwoord")
    with pytest.raises(ValidationError, match="laatste coördinator"):
        accounts.set_role(store, "beheer", "builder")
    with pytest.raises(ValidationError, match="laatste coördinator"):
        accounts.remove_user(store, "beheer")
    accounts.add_user(store, "tweede", role="coordinator", password="een lang wachtwoord")
    accounts.set_role(store, "beheer", "builder")
    assert accounts.get_account(store, "beheer").role is Role.BUILDER
    with pytest.raises(PermissionDeniedError):
        uc.set_moderation(store, BOTU, True, user=User("beheer", Role.BUILDER))


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    url = f"sqlite:///{tmp_path}/app.db"
    monkeypatch.setenv("ABCD_DATABASE_URL", url)
    assert cli_main(["init"]) == 0
    store = Store.open(url)
    accounts.add_user(store, "ans", role="builder", password="een lang wachtwoord")
    return store


def _app_after_login(username: str) -> AppTest:
    """The app after someone submitted the sidebar's login form with ``username`` and the right password."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()  # a new session opens on the map, which is drawn alone (ui.map_first)
    at.run()  # the map's report (or its timer) brings the sidebar with the login form
    at.text_input(key="auth_username").set_value(username)
    at.text_input(key="auth_password").set_value("een lang wachtwoord")
    at.button(key="FormSubmitter:auth_form-Inloggen").click().run()
    return at


def _logged_in_app(store: Store) -> AppTest:
    at = _app_after_login("ans")
    assert at.session_state["user"].role is Role.BUILDER
    return at


def test_a_role_change_applies_to_an_open_tab_at_once(app_db: Store) -> None:
    at = _logged_in_app(app_db)
    accounts.set_role(app_db, "ans", "officer")
    at.run()
    assert "user" not in at.session_state  # the session ended with the role change: log in again
    assert any("Inloggen" in e.label for e in at.get("expander"))


def test_logging_out_forgets_what_the_tab_held(app_db: Store) -> None:
    at = _logged_in_app(app_db)
    at.switch_page("app_pages/lijst.py")
    at.run()
    asset = app_db.list_assets(category="place")[0]
    at.selectbox(key="list_selected").set_value(asset.id).run()
    at.button(key=f"delete_{asset.id}").click().run()
    assert at.session_state["list_undo"]["id"] == asset.id
    at.session_state["lang"] = "en"
    at.button(key="auth_logout").click().run()
    assert "list_undo" not in at.session_state
    # The list page draws again for the public: its picker is back, empty.
    assert "list_selected" not in at.session_state or at.session_state["list_selected"] is None
    assert at.session_state["lang"] == "en" and at.session_state["wijk"] == BOTU
    assert not [b for b in at.button if b.key == "list_undo_button"]


def test_meeting_places_awaiting_approval_take_no_investments(botu_store: Store, catalogue: dict[str, Wijk]) -> None:
    from abcd.investments.ledger import Ledger

    uc.set_moderation(botu_store, BOTU, True, user=User("coordinator", Role.COORDINATOR))
    lon, lat = INSIDE_BOTU
    raw = {
        "name": "Nieuw buurthuisje",
        "category": "meeting_place",
        "meeting_place_role": "resident",
        "lon": lon,
        "lat": lat,
        "wijk": BOTU,
    }
    pending = uc.add_asset(botu_store, catalogue, raw, wijken_dir=WIJKEN_DIR, user=BOTU_BUILDER)
    ledger = Ledger(botu_store)
    assert pending.id not in {p.id for p in ledger.meeting_places(wijk=BOTU)}
    uc.approve_asset(botu_store, pending.id, user=User("coordinator", Role.COORDINATOR))
    assert pending.id in {p.id for p in ledger.meeting_places(wijk=BOTU)}


def test_a_nul_in_the_login_name_gets_the_usual_answer_and_no_traceback(app_db: Store) -> None:
    at = _app_after_login("ans\x00'; --")
    assert not at.exception
    assert [e.value for e in at.error] == ["Naam of wachtwoord klopt niet\\."]
    assert "user" not in at.session_state


def _cookie_frames(at: AppTest) -> list[str]:
    """The scripts of the sidebar's zero-height frames that set or clear the login cookie."""
    found: list[str] = []

    def visit(node: Any) -> None:
        if getattr(node, "type", "") == "iframe":
            found.append(node.proto.srcdoc)
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at.sidebar)
    return found


def test_logging_out_keeps_clearing_the_cookie_until_the_browser_has_done_it(app_db: Store) -> None:
    """Drawn once before the rerun, the clearing frame was often gone before it ran: the cookie stayed."""
    at = _logged_in_app(app_db)
    at.button(key="auth_logout").click().run()
    for _run in range(2):  # the run after the log-out, and any later one
        (script,) = _cookie_frames(at)
        assert "abcd_session=; path=/; max-age=0;" in script
        at.run()
    at.text_input(key="auth_username").set_value("ans")
    at.text_input(key="auth_password").set_value("een lang wachtwoord")
    at.button(key="FormSubmitter:auth_form-Inloggen").click().run()
    assert [s for s in _cookie_frames(at) if "max-age=0" in s] == []  # logged in again: no clearing
