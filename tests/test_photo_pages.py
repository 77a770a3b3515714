"""Photos on the pages: shown with the asset on the Lijst, added by a builder; a resident's never to the public."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from abcd.cli import main as cli_main
from abcd.maps.assets import asset_features
from abcd.permissions import PUBLIC_USER, Role, User
from abcd.photos.html import popup_html
from abcd.photos.images import POPUP_SIDE, popup_copy
from abcd.photos.register import add_photo, count_photos, photos_of
from abcd.store import Store, assets_to_frame
from tests.helpers import make_draft

ROOT = Path(__file__).resolve().parent.parent


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 80, 40)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/photos.db"
    monkeypatch.setenv("ABCD_DATABASE_URL", url)
    monkeypatch.delenv("ABCD_LANG", raising=False)
    assert cli_main(["init"]) == 0
    return url


def _lijst(user: User, asset_id: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = user
    at.run()
    at.switch_page("app_pages/lijst.py")
    at.run()
    at.selectbox(key="list_selected").set_value(asset_id).run()
    assert not at.exception, at.exception
    return at


def test_a_photo_shows_with_its_asset_and_a_residents_only_to_builders(db: str) -> None:
    store = Store.open(db)
    try:
        club = store.add(make_draft(name="Fotoclub"), by="ans")
        resident = store.add(make_draft(name="Samira", category="person"), by="ans")
        add_photo(store, club.id, _jpeg(), by="ans")
        add_photo(store, resident.id, _jpeg(), by="ans")
    finally:
        store.close()
    assert len(_lijst(PUBLIC_USER, club.id).get("image")) == 1
    builder = _lijst(User("ans", Role.BUILDER), resident.id)
    assert len(builder.get("image")) == 1
    with pytest.raises(ValueError):  # the public cannot even choose a resident in the list
        _lijst(PUBLIC_USER, resident.id)


def test_builders_get_the_photo_uploader_and_the_public_does_not(db: str) -> None:
    store = Store.open(db)
    try:
        club = store.add(make_draft(name="Fotoclub"), by="ans")
    finally:
        store.close()
    label = "Foto's (camera of galerij)"
    builder = _lijst(User("ans", Role.BUILDER), club.id)
    assert [u for u in builder.get("file_uploader") if u.proto.label == label]
    public = _lijst(PUBLIC_USER, club.id)
    assert not [u for u in public.get("file_uploader") if u.proto.label == label]
    store = Store.open(db)
    try:
        assert count_photos(store, club.id) == 0
    finally:
        store.close()


def _kaart_component(user: User) -> str:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = user
    at.run()
    at.switch_page("app_pages/kaart.py")
    at.run()
    assert not at.exception, at.exception
    return "".join(str(getattr(e, "proto", "")) for e in at.main if "st_folium" in str(getattr(e, "proto", "")))


def test_a_popup_copy_of_the_first_photo_is_small_and_escaped_and_the_kaart_sends_none_up_front(db: str) -> None:
    store = Store.open(db)
    try:
        club = store.add(make_draft(name="<img src=x onerror=alert(1)> Fotoclub"), by="ans")
        resident = store.add(make_draft(name="Samira", category="person"), by="ans")
        add_photo(store, club.id, _jpeg(), by="ans")
        add_photo(store, resident.id, _jpeg(), by="ans")
        info = photos_of(store, [club.id])[club.id][0]
    finally:
        store.close()
    small, width, height = popup_copy(info.thumbnail)
    assert max(width, height) == POPUP_SIDE and len(small) < len(info.thumbnail)
    html = popup_html(info, club.name)
    assert 'alt="&lt;img src=x onerror=alert(1)&gt; Fotoclub"' in html
    features = asset_features(assets_to_frame([club]), photos={club.id: html})["association"]
    assert features[0]["properties"]["ph"] == html

    component = _kaart_component(PUBLIC_USER)
    # The Kaart sends no photos up front (issue 14): a pin's photos appear in its details below the map.
    assert "data:image/jpeg;base64," not in component
    assert "<img src=x" not in component  # the name is escaped wherever it goes


def test_the_presentation_cards_show_the_photos(db: str) -> None:
    store = Store.open(db)
    try:
        example = next(a for a in store.list_assets() if a.is_example)
        add_photo(store, example.id, _jpeg(), by="ans")
    finally:
        store.close()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("app_pages/presentatie.py")
    at.run()
    assert not at.exception, at.exception
    before = len(at.get("image"))
    store = Store.open(db)
    try:
        for other in [a for a in store.list_assets() if a.is_example and a.id != example.id]:
            add_photo(store, other.id, _jpeg(), by="ans")
    finally:
        store.close()
    at.run()
    assert len(at.get("image")) > before  # the highlighted examples now show their photos
