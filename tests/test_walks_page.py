"""The Wandelingen page and the walk log on the Gatenkaart, through ``app.py`` with AppTest."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyproj
import pytest
from streamlit.testing.v1 import AppTest

from abcd.cli import main as cli_main
from abcd.permissions import CLI_USER, Role, User
from abcd.store import Store
from abcd.walks import widget
from abcd.walks.register import last_walked, record_walk, walks_visible_to
from abcd.walks.tracks import read_gpx
from tests.helpers import BOTU

ROOT = Path(__file__).resolve().parent.parent
PAGE = "app_pages/wandelingen.py"
ANS = User("ans", Role.BUILDER, frozenset({BOTU}))
TO_WGS84 = pyproj.Transformer.from_crs(28992, 4326, always_xy=True)
YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).date()


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/walks.db"
    monkeypatch.setenv("ABCD_DATABASE_URL", url)
    monkeypatch.delenv("ABCD_LANG", raising=False)
    assert cli_main(["init"]) == 0
    return url


def _app(user: User | None, page: str = PAGE) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if user is not None:
        at.session_state["user"] = user
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _gijsingstraat(minutes_ago: int = 10) -> list[list[float]]:
    """The phone's positions along the Gijsingstraat (120 m of it, 5 m and 4 s apart), as the recorder sends them."""
    start = int((datetime.now(UTC) - timedelta(minutes=minutes_ago)).timestamp() * 1000)
    out = []
    for i in range(33):
        lon, lat = TO_WGS84.transform(89881.1 + i * 3.44, 436331.2 - i * 1.23 - 5)
        out.append([start + i * 4000, lon, lat, 6.0])
    return out


def test_only_builders_and_coordinators_find_the_page(db_url: str) -> None:
    for user in (None, User("gemeente", Role.OFFICER)):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        if user is not None:
            at.session_state["user"] = user
        at.run()
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(PAGE)  # not even in the navigation
    coordinator = _app(User("coordinator", Role.COORDINATOR))
    assert coordinator.get("bidi_component") and coordinator.file_uploader
    elsewhere = _app(User("piet", Role.BUILDER, frozenset({"wijk-noord"})))
    assert any("geen toegang" in i.value or "rechten" in i.value for i in elsewhere.info)
    assert not elsewhere.get("bidi_component")


def test_the_recorder_gets_its_texts_and_a_walk_it_sends_is_stored_once(db_url: str) -> None:
    at = _app(ANS)
    (recorder,) = at.get("bidi_component")
    data = json.loads(recorder.proto.json)
    assert data["labels"]["start"] == "Start wandeling" and data["saved"] == []
    assert "watchPosition" in recorder.proto.js_content and "localStorage" in recorder.proto.js_content

    at.session_state[widget.RECORDED] = {"token": "walk-1", "positions": _gijsingstraat()}
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.toast] == [f"Wandeling van {_today_text()} opgeslagen: 1 straat gemarkeerd."]
    store = Store.open(db_url)
    (walk,) = walks_visible_to(store, CLI_USER)
    assert (walk.walker, walk.source, walk.streets) == ("ans", "app", ("Gijsingstraat",))
    (recorder,) = at.get("bidi_component")
    assert json.loads(recorder.proto.json)["saved"] == ["walk-1"]  # the browser may forget it now
    at.session_state[widget.RECORDED] = {"token": "walk-1", "positions": _gijsingstraat()}  # sent again
    at.run()
    assert len(walks_visible_to(store, CLI_USER)) == 1
    table = at.dataframe[0].value
    assert table["wie"].tolist() == ["ans"] and table["straten"].tolist() == ["Gijsingstraat"]
    assert "ans: 0,1" in _drawn(at)  # the track on the map, with its tooltip (day, walker, km)


def _drawn(at: AppTest) -> str:
    """Everything the page sent to the browser (texts, tables, the map's script), as text."""

    def walk(node: Any) -> Iterator[Any]:
        yield node
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                yield from walk(child)

    protos = [getattr(node, "proto", None) for node in walk(at._tree)]
    return b"".join(p.SerializeToString() for p in protos if hasattr(p, "SerializeToString")).decode(errors="replace")


def _today_text() -> str:
    from abcd.i18n.formats import format_date, local_today

    return format_date(local_today(), "nl")


def test_a_walk_that_cannot_be_stored_is_explained_and_kept_in_the_browser(db_url: str) -> None:
    at = _app(ANS)
    at.session_state[widget.RECORDED] = {"token": "walk-2", "positions": _gijsingstraat()[:1]}
    at.run()
    assert [e.value.replace("\\", "") for e in at.error] == [  # shown as plain text: markdown escaped
        "Een wandeling heeft minstens twee bruikbare posities nodig; er bleven er 0 over "
        "(onnauwkeurige posities en GPS-sprongen tellen niet)."
    ]
    assert widget.SAVED not in at.session_state  # not acknowledged: the phone keeps it, to send again
    assert walks_visible_to(Store.open(db_url), CLI_USER) == []


def test_builders_see_their_own_walks_and_others_on_request(db_url: str, tmp_path: Path) -> None:
    store = Store.open(db_url)
    text = re.sub(r"\d{4}-\d{2}-\d{2}T", f"{YESTERDAY.isoformat()}T", (ROOT / "tests/data/botu_walk.gpx").read_text())
    (tmp_path / "walk.gpx").write_text(text, encoding="utf-8")
    record_walk(store, BOTU, read_gpx(tmp_path / "walk.gpx"), by=User("coordinator", Role.COORDINATOR))
    at = _app(ANS)
    assert any("Nog geen wandelingen" in i.value for i in at.info)
    at.toggle(key="walks_all").set_value(True).run()
    assert at.dataframe[0].value["wie"].tolist() == ["coordinator"]
    streets = at.dataframe[1].value
    assert streets.iloc[-2:]["straat"].tolist() == ["Gijsingstraat", "Van Duylstraat"]  # never walked first
    assert streets.iloc[0]["laatst gelopen"] == "nooit"


def test_the_gatenkaart_colours_streets_by_last_walked_and_lists_the_ones_not_walked(db_url: str) -> None:
    store = Store.open(db_url)
    at = _app(ANS)
    at.session_state[widget.RECORDED] = {"token": "walk-3", "positions": _gijsingstraat()}
    at.run()
    assert set(last_walked(store, BOTU)) == {"Gijsingstraat"}
    officer = _app(User("gemeente", Role.OFFICER), "app_pages/gatenkaart.py")
    gap_table = officer.dataframe[0].value
    walked = gap_table[gap_table["street"] == "Gijsingstraat"]["last_walked"].tolist()
    assert [str(d)[:10] for d in walked] == [last_walked(store, BOTU)["Gijsingstraat"].isoformat()]
    assert gap_table["last_walked"].isna().sum() == len(gap_table) - 1
    before = _drawn(officer)
    officer.toggle(key="gaps_by_walks").set_value(True).run()
    assert not officer.exception, officer.exception
    drawn = _drawn(officer)
    assert "#08519C" in drawn and "#08519C" not in before  # "less than a month ago": dark blue
    assert "Laatst gelopen" in drawn and "Gijsingstraat: laatst gelopen" in drawn
    assert "ans" not in re.findall(r"Gijsingstraat: laatst gelopen[^\"]*", drawn)[0]  # whose walk: never here
    (listed,) = officer.table
    names = list(listed.value.iloc[:, 0])
    assert "Gijsingstraat" not in names and len(names) == len(gap_table) - 1
    officer.number_input(key="gaps_not_walked_months").set_value(120).run()
    assert len(officer.table[0].value) == len(gap_table) - 1
    assert any("niet gelopen in 120 maanden" in c.value for c in officer.caption)


def test_the_recorder_script_ships_in_the_wheel() -> None:
    import fnmatch
    import tomllib

    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "abcd.walks" in package_data["packages"]
    globs = package_data["package-data"]["abcd"]
    assert (ROOT / "abcd" / "walks" / "recorder.js").is_file()
    assert any(fnmatch.fnmatch("walks/recorder.js", pattern) for pattern in globs)
