"""Role x page matrix: every page runs for every role, and personal data never reaches public or officer.

The whole rendered element tree (texts, tables, the map component's script)
is serialised and searched for the resident's name and contact details.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from abcd import accounts
from abcd import assets as uc
from abcd.cli import main as cli_main
from abcd.connections.register import link
from abcd.permissions import Role, User
from abcd.store import Store
from abcd.wijken import wijk_catalogue
from tests.helpers import BOTU, INSIDE_BOTU, PERSON_CONSENT, WIJKEN_DIR

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "app_pages").glob("*.py"))
NAME = "Fatima Zwartbroek"
CONTACT = "06-99887766"
ROLES = {
    Role.PUBLIC: None,
    Role.OFFICER: User("gemeente", Role.OFFICER),
    Role.BUILDER: User("ans", Role.BUILDER, frozenset({BOTU})),
    Role.COORDINATOR: User("coordinator", Role.COORDINATOR),
}


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('roles')}/roles.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ABCD_DATABASE_URL", url)
        assert cli_main(["init"]) == 0
        store = Store.open(url)
        lon, lat = INSIDE_BOTU
        fatima = uc.add_asset(
            store,
            wijk_catalogue(WIJKEN_DIR),
            {
                "name": NAME,
                "category": "person",
                "description": "Naait op maat",
                "contact": f"{CONTACT} fz@example.org",
                "lon": lon,
                "lat": lat,
                "wijk": BOTU,
                **PERSON_CONSENT,
            },
            wijken_dir=WIJKEN_DIR,
            user=ROLES[Role.BUILDER],  # type: ignore[arg-type]
        )
        # A resident's connection is personal data too: every page is checked with one in the wijk.
        (club,) = [a for a in store.list_assets() if a.name.startswith("Naaiclub")]
        link(store, {"from_id": fatima.id, "to_id": club.id, "kind": "member_of"}, user=ROLES[Role.BUILDER])  # type: ignore[arg-type]
        yield url


def _tree_bytes(at: AppTest) -> bytes:
    def walk(node: Any) -> Iterator[Any]:
        yield node
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                yield from walk(child)

    chunks = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "SerializeToString"):
            chunks.append(proto.SerializeToString())
    return b"".join(chunks)


def _open(db_url: str, monkeypatch: pytest.MonkeyPatch, role: Role, page: str) -> AppTest:
    monkeypatch.setenv("ABCD_DATABASE_URL", db_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if ROLES[role] is not None:
        at.session_state["user"] = ROLES[role]
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", list(ROLES))
def test_no_personal_data_reaches_public_or_officer(
    db_url: str, monkeypatch: pytest.MonkeyPatch, role: Role, page: str
) -> None:
    walkers = (Role.BUILDER, Role.COORDINATOR)  # a walk's track is the walker's personal data
    if (page == "app_pages/beheer.py" and role is not Role.COORDINATOR) or (
        page == "app_pages/wandelingen.py" and role not in walkers
    ):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            _open(db_url, monkeypatch, role, page)  # not even in the navigation
        return
    at = _open(db_url, monkeypatch, role, page)
    if role in (Role.PUBLIC, Role.OFFICER):
        data = _tree_bytes(at)
        assert NAME.encode() not in data and b"Zwartbroek" not in data
        assert CONTACT.encode() not in data


def test_builders_find_people_in_the_list(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(db_url, monkeypatch, Role.BUILDER, "app_pages/lijst.py")
    assert NAME.encode() in _tree_bytes(at)


def test_builders_see_a_residents_connection_and_others_only_a_count(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder = _open(db_url, monkeypatch, Role.BUILDER, "app_pages/verbindingen.py")
    assert NAME.encode() in _tree_bytes(builder)  # in the drawing of the network, for those who may see residents
    for role in (Role.PUBLIC, Role.OFFICER):
        at = _open(db_url, monkeypatch, role, "app_pages/verbindingen.py")
        assert any("Naaiclub" in c.value and "<5 bewoners" in c.value for c in at.caption), role


@pytest.mark.parametrize("role", [Role.PUBLIC, Role.OFFICER])
def test_read_only_roles_get_no_edit_controls(db_url: str, monkeypatch: pytest.MonkeyPatch, role: Role) -> None:
    at = _open(db_url, monkeypatch, role, "app_pages/lijst.py")
    store = Store.open(db_url)
    asset = store.list_assets(category="place")[0]
    at.selectbox(key="list_selected").set_value(asset.id).run()
    assert not at.exception
    assert not [b for b in at.button if b.key and b.key.startswith(("delete_", "FormSubmitter:edit_form"))]
    add = _open(db_url, monkeypatch, role, "app_pages/toevoegen.py")
    assert any("inloggen" in i.value or "geen toegang" in i.value for i in add.info)
    assert "add_category" not in add.session_state


def test_logging_in_through_the_sidebar(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(db_url)
    accounts.add_user(store, "piet", role="builder", password="lange-wachtwoord-1")
    monkeypatch.setenv("ABCD_DATABASE_URL", db_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()  # a new session opens on the map, which is drawn alone (ui.map_first)
    at.run()  # the map's report (or its timer) brings the sidebar with the login form
    at.text_input(key="auth_username").set_value("piet")
    at.text_input(key="auth_password").set_value("fout")
    at.button(key="FormSubmitter:auth_form-Inloggen").click().run()
    assert any("klopt niet" in e.value for e in at.error)
    assert "user" not in at.session_state
    at.text_input(key="auth_password").set_value("lange-wachtwoord-1")
    at.button(key="FormSubmitter:auth_form-Inloggen").click().run()
    assert at.session_state["user"] == User("piet", Role.BUILDER)
    token = at.session_state["session_token"]
    assert accounts.user_from_session(store, token) == User("piet", Role.BUILDER)
    assert any("Ingelogd als" in c.value for c in at.caption)
    at.button(key="auth_logout").click().run()
    assert accounts.user_from_session(store, token) is None
    assert "user" not in at.session_state
