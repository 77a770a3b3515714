"""Hostile text in every field ends up escaped in pages, maps and HTML, and unchanged in data exports.

The corpus holds script injections for HTML, JavaScript, Jinja (folium renders
scripts through Jinja a second time), markdown and Streamlit's own markdown
extensions. Pages render user text as markdown, so it must arrive there
backslash-escaped (``abcd.ui.plain``); maps embed it as HTML-escaped text in
JSON; GeoJSON, GeoPackage and CSV are data, so the text must come back
exactly as it was stored.
"""

from __future__ import annotations

import csv
import html
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from streamlit.testing.v1 import AppTest

from abcd import exchange, maps
from abcd.cli import main as cli_main
from abcd.errors import ValidationError
from abcd.i18n import t
from abcd.model import Asset
from abcd.permissions import Role, User
from abcd.store import Store
from abcd.ui import plain
from abcd.wijken import Wijk
from tests.helpers import BOTU, INSIDE_BOTU, WIJKEN_DIR, make_draft

ROOT = Path(__file__).resolve().parent.parent

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(document.cookie)</script>",
    '"><svg onload=alert(1)>',
    "'><svg/onload=alert(1)>",
    "`${alert(1)}`",
    "javascript:alert(1)",
    "{{7*7}}",
    "{% for x in range(3) %}x{% endfor %}",
    "{{ config.__class__.__init__.__globals__ }}",
    "{{''.__class__.__mro__[1].__subclasses__()}}",
    "[klik](javascript:alert(1))",
    "![pixel](https://evil.example/track.png)",
    '<a href="javascript:alert(1)">klik</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "<style>body{display:none}</style>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\u2028alert(1)//\u2029",
    "</textarea><script>alert(1)</script>",
    "<!-- ]]><script>alert(1)</script>",
    "' onmouseover='alert(1)",
    '" onfocus="alert(1)" autofocus="',
    "<details open ontoggle=alert(1)>",
    ":red[rood] :material/warning: **vet** _schuin_ # kop",
    "$\\href{javascript:alert(1)}{x}$",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '\\"}); alert(1); //',
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "<https://evil.example> www.evil.example mail@evil.example",
]
CONTACT_MARK = " (privé-contact)"
IDS = [f"p{i:02d}" for i in range(len(PAYLOADS))]


def test_the_corpus_is_large_and_varied() -> None:
    assert len(PAYLOADS) >= 20 and len(set(PAYLOADS)) == len(PAYLOADS)
    for needle in ("onerror", "</script>", "onload", "`", "javascript:", "{{7*7}}", "](javascript:"):
        assert any(needle in p for p in PAYLOADS), needle
    assert all(len(p) < maps.DESCRIPTION_PREVIEW for p in PAYLOADS)  # the map shows them whole


# ----------------------------------------------------------------- oracles
def escaped_js(text: str) -> str:
    """How user text must appear inside a map's script: HTML-escaped (braces too), then a JSON string."""
    escaped = html.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;")
    return json.dumps(escaped, ensure_ascii=False)[1:-1].replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def has_markup(text: str) -> bool:
    """Whether escaping changes ``text`` in HTML (or in a Jinja template)."""
    return html.escape(text, quote=True) != text or "{" in text or "}" in text


def _scrubbed(document: str, forms: list[str]) -> str:
    # One payload's escaped form can be another payload's raw text ("<b>" escapes to "&lt;b&gt;",
    # which is also in the corpus): take the expected escaped forms out before looking for raw ones.
    for form in sorted(set(forms), key=len, reverse=True):
        document = document.replace(form, "\x00")
    return document


def assert_only_escaped_in_script(script: str, text: str) -> None:
    assert escaped_js(text) in script, text
    if has_markup(text):
        forms = [escaped_js(p) for p in PAYLOADS] + [escaped_js(" ".join(p.split())) for p in PAYLOADS]
        assert text not in _scrubbed(script, forms), text


def markdown_texts(at: AppTest) -> list[str]:
    """Every string the app renders as markdown: body text, headings, alerts, toasts and labels."""
    texts: list[str] = []

    def visit(node: Any) -> None:
        kind = getattr(node, "type", "")
        for attr in ("value", "label", "help", "placeholder"):
            if kind in ("text_input", "text_area", "selectbox") and attr == "value":
                continue  # an input's value is shown as typed, never as markdown
            try:
                value = getattr(node, attr)
            except Exception:  # not every element has every attribute
                continue
            if isinstance(value, str):
                texts.append(value)
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at.main)
    visit(at.sidebar)
    texts.extend(t.value for t in at.toast)
    return texts


def assert_only_escaped_in_page(at: AppTest, *values: str) -> list[str]:
    """No rendered markdown holds a value raw; returns the texts for further checks."""
    assert not at.exception, at.exception
    texts = markdown_texts(at)
    forms = [plain(" ".join(p.split())) for p in PAYLOADS] + [plain(p.strip()) for p in PAYLOADS]
    for value in values:
        leaks = [t for t in texts if value in _scrubbed(t, forms)]
        assert leaks == [], f"{value!r} rendered unescaped in {leaks!r}"
    return texts


def folium_script(at: AppTest) -> str:
    """The Leaflet script of the page's st_folium component(s), as the browser receives it."""
    scripts = []

    def visit(node: Any) -> None:
        if getattr(node, "type", "") == "component_instance":
            args = json.loads(node.proto.json_args)
            scripts.extend(str(v) for v in args.values())
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at.main)
    assert scripts, "no map on the page"
    return "\n".join(scripts)


# ----------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[Asset], list[Asset]]]:
    """BoTu with, per payload, an association and a resident carrying it in name, description and contact."""
    folder = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{folder}/hostile.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ABCD_DATABASE_URL", url)
        assert cli_main(["init", "--no-examples"]) == 0
    store = Store.open(url)
    lon, lat = INSIDE_BOTU
    assets = store.add_many(
        [
            make_draft(name=p, description=p, contact=p + CONTACT_MARK, lon=lon + i * 1e-5, lat=lat)
            for i, p in enumerate(PAYLOADS)
        ],
        by="hostile",
    )
    people = store.add_many(
        [
            make_draft(category="person", name=p, description=p, contact=p + CONTACT_MARK, lon=lon, lat=lat)
            for p in PAYLOADS
        ],
        by="hostile",
    )
    store.close()
    yield url, assets, people


@pytest.fixture(scope="module")
def hostile_store(hostile_db: tuple[str, list[Asset], list[Asset]]) -> Iterator[Store]:
    store = Store.open(hostile_db[0])
    yield store
    store.close()


def _mapped(store: Store) -> Any:
    frame = store.assets_frame(wijk=BOTU)
    return frame[frame["category"] != "person"]  # residents are never points on a map


@pytest.fixture(scope="module")
def map_html(hostile_store: Store) -> str:
    return maps.asset_map(_mapped(hostile_store), tiles=False).get_root().render()


@pytest.fixture(scope="module")
def standalone(hostile_store: Store) -> str:
    return maps.standalone_html(maps.asset_map(_mapped(hostile_store), tiles=False, lang="en"))


@pytest.fixture(scope="module")
def exports(hostile_store: Store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile-exports")
    paths = {suffix: folder / f"assets{suffix}" for suffix in (".geojson", ".csv", ".gpkg", ".html")}
    for path in paths.values():
        assert exchange.export_assets(hostile_store, path, wijk=BOTU) == len(PAYLOADS)
    return paths


@pytest.fixture(scope="module")
def stored(hostile_db: tuple[str, list[Asset], list[Asset]]) -> dict[str, Asset]:
    """The associations as stored (names are whitespace-folded), by payload."""
    return dict(zip(PAYLOADS, hostile_db[1], strict=True))


@pytest.fixture(scope="module")
def stored_people(hostile_db: tuple[str, list[Asset], list[Asset]]) -> dict[str, Asset]:
    """The residents as stored, by payload: the only assets whose contact a page shows."""
    return dict(zip(PAYLOADS, hostile_db[2], strict=True))


# ------------------------------------------------------------ maps and HTML
@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_map_html_holds_the_payload_only_escaped(map_html: str, stored: dict[str, Asset], payload: str) -> None:
    asset = stored[payload]
    assert_only_escaped_in_script(map_html, asset.name)
    assert_only_escaped_in_script(map_html, asset.description)
    assert CONTACT_MARK.strip() not in map_html  # private, and never on a map


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_standalone_html_holds_the_payload_only_escaped(
    standalone: str, stored: dict[str, Asset], payload: str
) -> None:
    asset = stored[payload]
    assert_only_escaped_in_script(standalone, asset.name)
    assert_only_escaped_in_script(standalone, asset.description)


def test_jinja_in_user_text_is_never_evaluated(map_html: str, standalone: str) -> None:
    for document in (map_html, standalone):
        assert "&#123;&#123;7*7&#125;&#125;" in document  # shown as typed, not as 49
        assert "<built-in" not in document and "<class '" not in document  # Jinja dumped no Python object


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_html_export_holds_the_payload_only_escaped(
    exports: dict[str, Path], stored: dict[str, Asset], payload: str
) -> None:
    document = exports[".html"].read_text(encoding="utf-8")
    asset = stored[payload]
    assert_only_escaped_in_script(document, asset.name)
    assert_only_escaped_in_script(document, asset.description)
    assert CONTACT_MARK.strip() not in document


# ----------------------------------------------------------- data exports
def _geojson_rows(path: Path) -> dict[str, dict[str, Any]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {f["properties"]["id"]: f["properties"] for f in doc["features"]}


def _csv_rows(path: Path) -> dict[str, dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def _gpkg_rows(path: Path) -> dict[str, dict[str, Any]]:
    frame = pyogrio.read_dataframe(path)
    return {row["id"]: row for row in frame.drop(columns="geometry").to_dict("records")}


@pytest.mark.parametrize("reader", [_geojson_rows, _csv_rows, _gpkg_rows], ids=["geojson", "csv", "gpkg"])
@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_data_exports_keep_the_payload_exactly(
    exports: dict[str, Path], stored: dict[str, Asset], payload: str, reader: Any
) -> None:
    suffix = {"_geojson_rows": ".geojson", "_csv_rows": ".csv", "_gpkg_rows": ".gpkg"}[reader.__name__]
    rows = reader(exports[suffix])
    asset = stored[payload]
    assert rows[asset.id]["name"] == asset.name
    assert rows[asset.id]["description"] == asset.description == payload.strip()
    assert "contact" not in rows[asset.id]  # private: never exported by default
    assert CONTACT_MARK.strip() not in exports[suffix].read_bytes().decode("utf-8", "replace")


@pytest.mark.parametrize("suffix", [".geojson", ".csv", ".gpkg"])
def test_an_export_imports_back_unchanged(
    exports: dict[str, Path], stored: dict[str, Asset], catalogue: dict[str, Wijk], tmp_path: Path, suffix: str
) -> None:
    other = Store.open(f"sqlite:///{tmp_path}/other.db")
    result = exchange.import_assets(
        other,
        exports[suffix],
        catalogue=catalogue,
        wijken_dir=WIJKEN_DIR,
        default_wijk=BOTU,
        by="roundtrip",
        duplicates="keep",  # payloads look alike ("<script>alert(1)</script>" and "</textarea><script>...")
    )
    assert result.created == len(PAYLOADS)
    for payload, asset in stored.items():
        back = other.get(asset.id)
        assert (back.name, back.description) == (asset.name, asset.description), payload
    other.close()


def test_names_are_stored_as_typed_apart_from_folded_whitespace(stored: dict[str, Asset]) -> None:
    for payload, asset in stored.items():
        assert asset.name == " ".join(payload.split())
        assert asset.description == payload.strip()
        assert asset.contact == " ".join((payload + CONTACT_MARK).split())


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x07", "\x7f", "\x9b"])
@pytest.mark.parametrize("field", ["name", "description", "contact"])
def test_control_characters_are_refused_in_every_text_field(field: str, char: str) -> None:
    # ESC sequences repaint a terminal (`abcd list`), NUL breaks PostgreSQL and spreadsheets.
    with pytest.raises(ValidationError) as info:
        make_draft(**{field: f"a{char}]0;pwned"})
    assert info.value.key == "error.control_chars"
    assert f"U+{ord(char):04X}" in info.value.message("en")
    assert info.value.message("nl") != info.value.message("en")


# ---------------------------------------------------------------- pages
@pytest.fixture
def app(hostile_db: tuple[str, list[Asset], list[Asset]], monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("ABCD_DATABASE_URL", hostile_db[0])
    monkeypatch.delenv("ABCD_LANG", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = User("ans", Role.COORDINATOR)
    at.run()
    assert not at.exception, at.exception
    return at


def _on(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def test_kaart_details_show_every_payload_escaped(app: AppTest, stored: dict[str, Asset]) -> None:
    _on(app, "app_pages/kaart.py")
    script = folium_script(app)
    for asset in stored.values():
        assert_only_escaped_in_script(script, asset.name)
    for payload, asset in stored.items():
        app.session_state["kaart_map"] = {"last_active_drawing": {"properties": {"id": asset.id}}}
        app.run()
        texts = assert_only_escaped_in_page(app, asset.name, asset.description, asset.contact or "")
        assert plain(asset.name) in [s.value for s in app.subheader], payload
        assert plain(asset.description) in texts, payload
        assert not any(CONTACT_MARK.strip() in t for t in texts)


def test_lijst_shows_every_payload_as_data_or_escaped(
    app: AppTest, stored: dict[str, Asset], stored_people: dict[str, Asset]
) -> None:
    _on(app, "app_pages/lijst.py")
    table = app.dataframe[0].value
    names = {a.name for a in (*stored.values(), *stored_people.values())}
    assert names <= set(table.iloc[:, 0])  # the table shows them as text
    assert_only_escaped_in_page(app, *names)
    # Residents: the one kind of asset whose page shows name, description and the private contact.
    for payload, person in stored_people.items():
        app.selectbox(key="list_selected").set_value(person.id).run()
        assert_only_escaped_in_page(app, person.name, person.description, person.contact or "")
        values = {t.label: t.value for t in app.text_input}
        assert values[t("field.name")] == person.name, payload  # inputs hold the values exactly as stored
        assert values[t("field.contact")] == person.contact, payload
        assert app.text_area[0].value == person.description, payload


@pytest.mark.parametrize("payload", [PAYLOADS[i] for i in (1, 7, 11, 12, 23)], ids=lambda p: p[:12])
def test_a_conflict_message_quoting_a_hostile_name_is_escaped(
    app: AppTest, hostile_store: Store, stored: dict[str, Asset], payload: str
) -> None:
    asset = hostile_store.get(stored[payload].id)
    _on(app, "app_pages/lijst.py")
    app.selectbox(key="list_selected").set_value(asset.id).run()
    hostile_store.update(asset.id, asset.draft(description="intussen"), by="iemand", expected_version=asset.version)
    submit = next(b for b in app.button if (b.key or "").startswith(f"FormSubmitter:edit_form_{asset.id}"))
    submit.click().run()
    errors = [e.value for e in app.error]
    assert any(plain(asset.name) in e for e in errors), errors  # the message names it, escaped
    assert_only_escaped_in_page(app, asset.name)
    assert hostile_store.get(asset.id).description == "intussen"  # nothing overwritten


def test_toevoegen_stores_every_payload_exactly_and_shows_it_escaped(app: AppTest, hostile_store: Store) -> None:
    _on(app, "app_pages/toevoegen.py")
    lon, lat = INSIDE_BOTU
    app.session_state["add_map"] = {"last_clicked": {"lat": lat, "lng": lon}}
    app.run()
    known = {a.id for a in hostile_store.list_assets(include_deleted=True)}
    for i, payload in enumerate(PAYLOADS):
        app.session_state["add_point"] = (lon, lat + (i + 1) * 1e-5)  # what a tap leaves (see test_app.py)
        app.run()
        app.button_group(key="add_category").set_value("person").run()  # the one form with all three fields
        fields = {t.label: t for t in app.text_input}
        fields[t("field.name")].set_value(payload)
        fields[t("field.contact")].set_value(payload)
        app.text_area[0].set_value(payload)
        app.checkbox(key="add_consent").check()  # consent is given, never assumed
        submit = app.button(key="add_save")
        submit.click().run()
        for keep in [b for b in app.button if b.key == "add_keep"]:  # payloads look alike: "toch opslaan"
            keep.click().run()
        assert not app.error, [e.value for e in app.error]
        saved = [a for a in hostile_store.list_assets() if a.id not in known]
        assert len(saved) == 1, payload
        person = saved[0]
        known.add(person.id)
        assert person.description == payload.strip()
        assert person.name == " ".join(payload.split())
        assert person.contact == " ".join(payload.split())
        assert_only_escaped_in_page(app, person.name, person.description)
        assert any(plain(person.name) in t.value for t in app.toast), payload


LINKS = "zie https://evil.example/x, HTTP://evil.example, www.evil.example of mail ans@evil.example"


def test_web_and_mail_addresses_in_user_text_are_not_made_links() -> None:
    """Streamlit's markdown links bare addresses (GFM autolinks) even after backslash escapes; plain() stops that."""
    import re

    shown = plain(LINKS)
    # What GFM's autolink literal looks for, in the text markdown leaves after resolving escapes:
    text = re.sub(r"\\(.)", r"\1", shown)
    assert not re.search(r"(?i)https?://|www\.|[-.\w+]@", text), text
    assert text.replace("\u2060", "") == LINKS  # it reads the same: only an invisible word joiner was added


def test_kaart_details_for_the_public_show_an_address_as_plain_text(
    app: AppTest, hostile_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset = hostile_store.add(make_draft(name="Linkclub www.evil.example", description=LINKS), by="x")
    app.session_state["user"] = User("publiek", Role.PUBLIC)
    app.session_state["kaart_map"] = {"last_active_drawing": {"properties": {"id": asset.id}}}
    _on(app, "app_pages/kaart.py")
    texts = [*markdown_texts(app), *(s.value for s in app.subheader)]
    assert any(plain(LINKS) in t for t in texts), texts
    assert not [t for t in texts if "https://" in t.replace("\\", "") or "www." in t.replace("\\", "")]
