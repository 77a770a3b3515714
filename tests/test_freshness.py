"""Still there? ``last_confirmed``, the "nog nakijken" list, greyed pins and a gap map of active initiatives."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from abcd import exchange, io
from abcd.assets import confirm_asset
from abcd.cli import main as cli_main
from abcd.config import settings_from_env
from abcd.errors import AbcdError, ValidationError
from abcd.freshness import is_stale, months_before, stale_before, to_check
from abcd.gapmap import initiatives_near, wijk_coverage
from abcd.i18n.formats import local_time, local_today
from abcd.maps.assets import asset_features
from abcd.model import validate_asset
from abcd.permissions import PUBLIC_USER, Role, User
from abcd.records import utcnow
from abcd.store import Store, assets_to_frame
from abcd.wijken import Wijk
from tests.helpers import BOTU, INSIDE_BOTU, make_draft, raw_asset

ROOT = Path(__file__).resolve().parent.parent
BUILDER = User("ans", Role.BUILDER)
LONG_AGO = date(2024, 5, 1)


def _today() -> date:
    return local_time(utcnow()).date()


def _initiative(store: Store, name: str, *, confirmed: date | None = None, lon: float = INSIDE_BOTU[0]) -> str:
    extra = {"last_confirmed": confirmed.isoformat()} if confirmed else {}
    draft = make_draft(name=name, category="initiative", lon=lon, **extra)
    return store.add(draft, by="ans").id


def test_a_stored_asset_is_confirmed_the_day_it_is_stored(store: Store) -> None:
    asset = store.add(make_draft(), by="ans")
    assert asset.last_confirmed == _today()
    assert store.get(asset.id).last_confirmed == _today()


def test_nog_actief_confirms_today_once_and_is_in_the_history(store: Store) -> None:
    asset = store.add(make_draft(last_confirmed=LONG_AGO.isoformat()), by="ans")
    assert asset.last_confirmed == LONG_AGO
    confirmed = confirm_asset(store, asset.id, user=BUILDER)
    assert confirmed.last_confirmed == _today()
    assert confirmed.version == asset.version + 1
    again = confirm_asset(store, asset.id, user=BUILDER)  # a second tap the same day writes nothing
    assert again.version == confirmed.version
    entries = store.history(asset.id)
    assert [e.action for e in entries][-1] == "confirm"
    assert entries[-1].changed_by == "ans"


def test_only_editors_confirm(store: Store) -> None:
    asset = store.add(make_draft(last_confirmed=LONG_AGO.isoformat()), by="ans")
    with pytest.raises(AbcdError):
        confirm_asset(store, asset.id, user=PUBLIC_USER)
    assert store.get(asset.id).last_confirmed == LONG_AGO


def test_an_edit_that_says_nothing_keeps_the_date_and_an_older_file_never_turns_it_back(store: Store) -> None:
    asset = store.add(make_draft(last_confirmed="2026-06-01"), by="ans")
    edited = store.update(
        asset.id, make_draft(name="Naaiclub Jan"), by="ans", expected_version=asset.version
    )  # the edit form's draft has no date
    assert edited.last_confirmed == date(2026, 6, 1)
    older = make_draft(id=asset.id, name="Naaiclub Jan", last_confirmed="2025-01-01")
    newer = make_draft(id=asset.id, name="Naaiclub Jan", last_confirmed="2026-09-01")
    store.upsert_many([older], by="ans")
    assert store.get(asset.id).last_confirmed == date(2026, 6, 1)
    store.upsert_many([newer], by="ans")
    assert store.get(asset.id).last_confirmed == date(2026, 9, 1)


def test_a_date_in_the_future_or_not_a_date_is_refused() -> None:
    tomorrow = (local_today() + timedelta(days=1)).isoformat()  # Amsterdam: ahead of UTC in the evening
    with pytest.raises(ValidationError) as caught:
        validate_asset(raw_asset(last_confirmed=tomorrow))
    assert caught.value.key == "error.future_date"
    with pytest.raises(ValidationError) as caught:
        validate_asset(raw_asset(last_confirmed="gisteren"))
    assert caught.value.key == "error.bad_date"
    assert validate_asset(raw_asset(last_confirmed="")).last_confirmed is None


def test_exports_carry_last_confirmed_and_an_import_reads_it_back(
    store: Store, catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    store.add(make_draft(name="Oud", last_confirmed="2025-02-03"), by="ans")
    out = tmp_path / "export.csv"
    io.write_assets(exchange.export_frame(store), out)
    assert "last_confirmed" in out.read_text(encoding="utf-8").splitlines()[0]
    other = Store.open(f"sqlite:///{tmp_path}/other.db")
    try:
        exchange.import_assets(other, out, catalogue=catalogue, wijken_dir=ROOT / "data" / "wijken")
        (copied,) = other.list_assets()
        assert copied.last_confirmed == date(2025, 2, 3)
    finally:
        other.close()


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 12, 1), 12, date(2025, 12, 1)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 15), 13, date(2024, 12, 15)),
    ],
)
def test_months_before_counts_calendar_months(day: date, months: int, expected: date) -> None:
    assert months_before(day, months) == expected


def test_the_list_to_check_has_the_stale_live_assets_longest_unconfirmed_first(store: Store) -> None:
    store.add(make_draft(name="Vers"), by="ans")
    b = store.add(make_draft(name="Bakkerij", last_confirmed="2025-01-05"), by="ans")
    a = store.add(make_draft(name="Atelier", last_confirmed="2024-03-01"), by="ans")
    gone = store.add(make_draft(name="Weg", last_confirmed="2024-01-01"), by="ans")
    store.delete(gone.id, by="ans")
    cutoff = stale_before(date(2026, 12, 1))
    assert [x.name for x in to_check(store.list_assets(), cutoff)] == [a.name, b.name]
    assert not is_stale(store.get(b.id), date(2025, 1, 5))  # confirmed on the cut-off day itself still counts


def test_the_gap_map_counts_only_active_initiatives_unless_asked_for_all(botu_store: Store) -> None:
    _initiative(botu_store, "Moestuin", confirmed=LONG_AGO)
    _initiative(botu_store, "Zwerfvuilploeg")
    since = stale_before(_today())
    assert set(initiatives_near(botu_store, BOTU)["name"]) == {"Moestuin", "Zwerfvuilploeg"}
    assert set(initiatives_near(botu_store, BOTU, active_since=since)["name"]) == {"Zwerfvuilploeg"}
    all_of_them = wijk_coverage(botu_store, BOTU, distance_m=250, mode="straight")
    active = wijk_coverage(botu_store, BOTU, distance_m=250, mode="straight", active_since=since)
    assert active["initiatives"].sum() < all_of_them["initiatives"].sum()


def test_stale_pins_are_marked_for_greying(store: Store) -> None:
    store.add(make_draft(name="Oud", last_confirmed="2024-01-01"), by="ans")
    store.add(make_draft(name="Nieuw"), by="ans")
    frame = assets_to_frame(store.list_assets())
    features = asset_features(frame, stale_before=stale_before(_today()))["association"]
    assert {f["properties"]["n"]: f["properties"].get("o") for f in features} == {"Oud": 1, "Nieuw": None}
    assert all("o" not in f["properties"] for f in asset_features(frame)["association"])  # not asked: not marked


def test_the_stale_period_comes_from_the_environment_and_a_bad_value_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert settings_from_env({}).stale_months == 12
    assert settings_from_env({"ABCD_STALE_MONTHS": "6"}).stale_months == 6
    monkeypatch.setenv("ABCD_STALE_MONTHS", "twaalf")
    assert cli_main(["list"]) == 2
    assert "ABCD_STALE_MONTHS" in capsys.readouterr().err


def test_gaps_cli_counts_active_initiatives_by_default(cli_env: Path, tmp_path: Path) -> None:
    assert cli_main(["init"]) == 0
    store = Store.open(settings_from_env().database_url)
    try:
        _initiative(store, "Oude moestuin", confirmed=LONG_AGO, lon=4.4420)
    finally:
        store.close()
    active, every = tmp_path / "active.csv", tmp_path / "all.csv"
    assert cli_main(["gaps", "--wijk", BOTU, "--out", str(active)]) == 0
    assert cli_main(["gaps", "--wijk", BOTU, "--out", str(every), "--all-initiatives"]) == 0
    assert active.read_text(encoding="utf-8") != every.read_text(encoding="utf-8")


# ------------------------------------------------------------------- the pages
@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/fresh.db"
    monkeypatch.setenv("ABCD_DATABASE_URL", url)
    monkeypatch.delenv("ABCD_LANG", raising=False)
    assert cli_main(["init"]) == 0
    return url


def _page(page: str, user: User) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = user
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_builder_confirms_from_the_list_to_check(app_db: str) -> None:
    store = Store.open(app_db)
    try:
        old = store.add(make_draft(name="Buurtkeuken", last_confirmed="2024-02-02"), by="ans")
    finally:
        store.close()
    at = _page("app_pages/lijst.py", BUILDER)
    expander = next(e for e in at.expander if "Nog nakijken" in e.label)
    assert any("Buurtkeuken" in m.value for m in expander.markdown)
    at.button(key=f"lijst_check_confirm_{old.id}").click().run()
    assert not at.exception, at.exception
    store = Store.open(app_db)
    try:
        assert store.get(old.id).last_confirmed == _today()
    finally:
        store.close()
    assert not any("Buurtkeuken" in m.value for e in at.expander if "Nog nakijken" in e.label for m in e.markdown)


def test_visitors_see_no_confirm_button(app_db: str) -> None:
    store = Store.open(app_db)
    try:
        store.add(make_draft(name="Buurtkeuken", last_confirmed="2024-02-02"), by="ans")
    finally:
        store.close()
    at = _page("app_pages/lijst.py", PUBLIC_USER)
    assert not [b for b in at.button if (b.key or "").startswith("lijst_check_confirm_")]


def test_the_gap_map_switch_counts_stale_initiatives_back_in(app_db: str) -> None:
    store = Store.open(app_db)
    try:
        _initiative(store, "Oude moestuin", confirmed=LONG_AGO, lon=4.4420)
    finally:
        store.close()
    at = _page("app_pages/gatenkaart.py", User("piet", Role.OFFICER))
    counted = int(at.metric[3].value)
    at.toggle(key="gaps_active").set_value(False).run()
    assert not at.exception, at.exception
    assert int(at.metric[3].value) == counted + 1
