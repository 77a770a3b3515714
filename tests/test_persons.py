"""Residents' personal data: consent, no home location, who sees what, exports, erasure, moderation."""

from __future__ import annotations

import csv
import os
from datetime import date
from pathlib import Path

import pytest

from abcd import assets as uc
from abcd.cli import main as cli_main
from abcd.errors import ImportFileError, ValidationError
from abcd.exchange import export_assets, export_frame, import_assets
from abcd.model import Asset, Status, validate_consent
from abcd.permissions import CLI_USER, PermissionDeniedError, Role, User
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, INSIDE_BOTU, PERSON_CONSENT, WIJKEN_DIR

NAME = "Fatima Zwartbroek"
CONTACT = "06-99887766 fatima@example.org"
BUILDER = User("ans", Role.BUILDER, frozenset({BOTU}))
OFFICER = User("gemeente", Role.OFFICER)
PUBLIC = User("publiek", Role.PUBLIC)
COORDINATOR = User("coordinator", Role.COORDINATOR)


def person(**overrides: object) -> dict[str, object]:
    lon, lat = INSIDE_BOTU
    raw: dict[str, object] = {
        "name": NAME,
        "category": "person",
        "description": "Naait kleding op maat",
        "contact": CONTACT,
        "lon": lon,
        "lat": lat,
        "wijk": BOTU,
        **PERSON_CONSENT,
    }
    raw.update(overrides)
    return raw


def add(store: Store, catalogue: dict[str, Wijk], user: User = BUILDER, **overrides: object):  # type: ignore[no-untyped-def]
    return uc.add_asset(store, catalogue, person(**overrides), wijken_dir=WIJKEN_DIR, user=user)


def test_consent_is_required_and_named(botu_store: Store, catalogue: dict[str, Wijk]) -> None:
    with pytest.raises(ValidationError) as caught:
        add(botu_store, catalogue, consent_date=None)
    assert "datum toestemming" in str(caught.value) and "date of consent" in caught.value.message("en")
    with pytest.raises(ValidationError, match="doel van de toestemming"):
        add(botu_store, catalogue, consent_purpose="  ")
    assert botu_store.count_assets() == 0


def test_under_16_needs_a_parent(botu_store: Store, catalogue: dict[str, Wijk]) -> None:
    with pytest.raises(ValidationError, match="ouder of voogd"):
        add(botu_store, catalogue, under_16="ja")
    stored = add(botu_store, catalogue, under_16="ja", parent_consent="ja")
    consent = botu_store.consent(stored.id)
    assert consent is not None and consent.under_16 and consent.parent_consent


def test_consent_cannot_be_dated_in_the_future() -> None:
    with pytest.raises(ValidationError, match="toekomst"):
        validate_consent({**PERSON_CONSENT, "consent_date": "2030-01-01"}, today=date(2026, 11, 22))


def test_a_person_never_keeps_the_point_that_was_entered(botu_store: Store, catalogue: dict[str, Wijk]) -> None:
    stored = add(botu_store, catalogue)
    assert (stored.lon, stored.lat) != INSIDE_BOTU
    assert stored.buurt in {"bospolder", "tussendijken"}
    anchor = catalogue[stored.buurt].boundary.point_on_surface()
    assert (stored.lon, stored.lat) == (round(anchor.x, 6), round(anchor.y, 6))
    # Two residents of one buurt share the same anchor: it says nothing about either.
    other = add(botu_store, catalogue, name="Kees", lon=INSIDE_BOTU[0] + 0.0004)
    assert (other.lon, other.lat) == (stored.lon, stored.lat)
    with botu_store.engine.connect() as conn:
        lons = {row[0] for row in conn.exec_driver_sql("SELECT lon FROM assets")}
    assert INSIDE_BOTU[0] not in lons


def test_a_person_linked_to_a_club_sits_at_the_club(botu_store: Store, catalogue: dict[str, Wijk]) -> None:
    lon, lat = INSIDE_BOTU
    club = uc.add_asset(
        botu_store,
        catalogue,
        {"name": "Naaiclub", "category": "association", "lon": lon, "lat": lat, "wijk": BOTU},
        wijken_dir=WIJKEN_DIR,
        user=BUILDER,
    )
    stored = add(botu_store, catalogue, linked_asset_id=club.id, lon=4.4450, lat=51.9140)
    assert (stored.lon, stored.lat) == (club.lon, club.lat) and stored.linked_asset_id == club.id
    with pytest.raises(ValidationError, match="gekoppelde"):
        add(botu_store, catalogue, linked_asset_id=stored.id)  # not to another resident


@pytest.mark.parametrize("viewer", [PUBLIC, OFFICER, User("piet", Role.BUILDER, frozenset({"wijk-charlois"}))])
def test_people_are_hidden_from_those_who_may_not_see_them(
    botu_store: Store, catalogue: dict[str, Wijk], viewer: User
) -> None:
    add(botu_store, catalogue)
    seen = uc.visible_assets(botu_store, wijk=BOTU, user=viewer)
    assert NAME not in {a.name for a in seen}
    assert NAME not in uc.map_frame(botu_store, wijk=BOTU, user=viewer)["name"].tolist()


def test_builders_see_people_and_contact_public_sees_counts_only(botu_store: Store, catalogue: dict[str, Wijk]) -> None:
    for n in range(6):
        add(botu_store, catalogue, name=f"Bewoner {n}")
    seen = [a for a in uc.visible_assets(botu_store, wijk=BOTU, user=BUILDER) if a.is_person]
    assert len(seen) == 6 and {a.contact for a in seen} == {CONTACT}
    assert uc.map_frame(botu_store, wijk=BOTU, user=BUILDER)["category"].tolist() == []  # never points
    counts = dict(uc.people_counts(botu_store, wijk=BOTU))
    assert sorted(counts.values()) in (["6"], ["<5", "<5"], ["<5", "6"])
    assert all(v == "<5" or int(v) >= 5 for v in counts.values())


def test_public_cannot_add_and_officers_cannot_add_people(botu_store: Store, catalogue: dict[str, Wijk]) -> None:
    with pytest.raises(PermissionDeniedError):
        add(botu_store, catalogue, user=PUBLIC)
    with pytest.raises(PermissionDeniedError):
        add(botu_store, catalogue, user=OFFICER)
    with pytest.raises(PermissionDeniedError):
        add(botu_store, catalogue, user=User("piet", Role.BUILDER, frozenset({"wijk-charlois"})))
    assert botu_store.count_assets() == 0


def test_exports_leave_people_out_unless_asked(botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path) -> None:
    add(botu_store, catalogue)
    assert NAME not in export_frame(botu_store, wijk=BOTU)["name"].tolist()
    for suffix in (".csv", ".geojson", ".html"):
        path = tmp_path / f"publiek{suffix}"
        export_assets(botu_store, path, wijk=BOTU)
        text = path.read_text(encoding="utf-8")
        assert NAME not in text and "99887766" not in text
    with pytest.raises(PermissionDeniedError):
        export_assets(botu_store, tmp_path / "x.csv", wijk=BOTU, include_personal=True, user=BUILDER)
    full = tmp_path / "volledig.csv"
    export_assets(botu_store, full, wijk=BOTU, include_personal=True, user=COORDINATOR)
    (row,) = list(csv.DictReader(full.open(encoding="utf-8")))
    assert row["name"] == NAME and row["contact"] == CONTACT and row["consent_purpose"] == "ABCD-kaart"


def test_imported_people_need_their_consent_columns(
    botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    lon, lat = INSIDE_BOTU
    path = tmp_path / "mensen.csv"
    path.write_text(
        "name,category,lat,lon,consent_date,consent_recorded_by,consent_purpose\n"
        f"Kees,person,{lat},{lon},2026-10-01,ans,ABCD-kaart\n"
        f"Marie,person,{lat},{lon},,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFileError) as caught:
        import_assets(botu_store, path, catalogue=catalogue, wijken_dir=WIJKEN_DIR, default_wijk=BOTU, user=CLI_USER)
    assert "Rij 3" in str(caught.value) and "datum toestemming" in str(caught.value)
    assert botu_store.count_assets() == 0
    path.write_text(path.read_text(encoding="utf-8").replace(",,,", ",2026-10-02,ans,ABCD-kaart"), encoding="utf-8")
    result = import_assets(botu_store, path, catalogue=catalogue, wijken_dir=WIJKEN_DIR, default_wijk=BOTU)
    assert result.created == 2
    assert all((a.lon, a.lat) != (lon, lat) and a.buurt for a in botu_store.list_assets())


def _bytes_of_database(store: Store) -> bytes:
    path = Path(str(store.engine.url.database))
    files = [path, Path(f"{path}-wal"), Path(f"{path}-journal")]
    return b"".join(p.read_bytes() for p in files if p.exists())


def test_erasure_leaves_no_trace_in_the_database_file_or_its_wal(botu_store: Store, catalogue: dict[str, Wijk]) -> None:
    keep = add(botu_store, catalogue, name="Kees Blijft", contact="kees@example.org")
    gone = add(botu_store, catalogue)
    botu_store.update(gone.id, gone.draft(description="Naait en kookt voor de buurt"), by="ans", expected_version=1)
    with botu_store.engine.connect() as reader:  # another connection keeps the file (and its WAL) open
        reader.exec_driver_sql("SELECT count(*) FROM assets").scalar_one()
        reader.rollback()  # idle, as the app's connections are between requests
        assert NAME.encode() in _bytes_of_database(botu_store)
        with pytest.raises(PermissionDeniedError):
            uc.erase_person(botu_store, gone.id, user=BUILDER)
        uc.erase_person(botu_store, gone.id, user=COORDINATOR)
    data = _bytes_of_database(botu_store)
    for secret in (NAME, "Zwartbroek", "99887766", "fatima@example.org", "Naait en kookt"):
        assert secret.encode() not in data, secret
    assert b"Kees Blijft" in data  # the other resident is untouched
    assert [h.action for h in botu_store.history(gone.id)] == ["create", "update", "erase"]
    assert all(h.old is None and h.new is None for h in botu_store.history(gone.id))
    assert botu_store.consent(gone.id) is None and botu_store.consent(keep.id) is not None


def test_cli_erases_a_person(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["init", "--no-examples"]) == 0
    store = Store.open(os.environ["ABCD_DATABASE_URL"])
    from abcd.wijken import wijk_catalogue

    stored = add(store, wijk_catalogue(WIJKEN_DIR))
    capsys.readouterr()
    assert cli_main(["list", "--category", "person"]) == 0
    assert capsys.readouterr().out.strip() == f"{stored.id}\tperson\t{NAME}"
    assert cli_main(["person", "erase", stored.id]) == 0
    assert NAME.encode() not in _bytes_of_database(store)


def test_moderation_keeps_new_assets_pending_until_approved(botu_store: Store, catalogue: dict[str, Wijk]) -> None:
    with pytest.raises(PermissionDeniedError):
        uc.set_moderation(botu_store, BOTU, True, user=BUILDER)
    uc.set_moderation(botu_store, BOTU, True, user=COORDINATOR)
    lon, lat = INSIDE_BOTU
    raw = {"name": "Buurtbankje", "category": "place", "lon": lon, "lat": lat, "wijk": BOTU}
    pending = uc.add_asset(botu_store, catalogue, raw, wijken_dir=WIJKEN_DIR, user=BUILDER)
    assert pending.status is Status.PENDING
    assert "Buurtbankje" not in uc.map_frame(botu_store, wijk=BOTU, user=PUBLIC)["name"].tolist()
    assert "Buurtbankje" not in {a.name for a in uc.visible_assets(botu_store, wijk=BOTU, user=OFFICER)}
    assert "Buurtbankje" in {a.name for a in uc.visible_assets(botu_store, wijk=BOTU, user=BUILDER)}
    with pytest.raises(PermissionDeniedError):
        uc.approve_asset(botu_store, pending.id, user=BUILDER)
    assert uc.approve_asset(botu_store, pending.id, user=COORDINATOR).status is Status.APPROVED
    assert "Buurtbankje" in uc.map_frame(botu_store, wijk=BOTU, user=PUBLIC)["name"].tolist()
    # A coordinator's own additions need no approval.
    direct = uc.add_asset(botu_store, catalogue, {**raw, "name": "Bank 2"}, wijken_dir=WIJKEN_DIR, user=COORDINATOR)
    assert direct.status is Status.APPROVED


# ------------------------------------------------ the name in other records
def _club(store: Store, catalogue: dict[str, Wijk], name: str, description: str, **more: str) -> Asset:
    lon, lat = INSIDE_BOTU
    raw = {"name": name, "category": "association", "description": description, "lon": lon, "lat": lat, "wijk": BOTU}
    return uc.add_asset(store, catalogue, {**raw, **more}, wijken_dir=WIJKEN_DIR, user=BUILDER)


def test_erasure_lists_the_other_records_that_still_name_the_resident(
    botu_store: Store, catalogue: dict[str, Wijk]
) -> None:
    from abcd.investments.ledger import Ledger
    from abcd.investments.model import validate_investment

    gone = add(botu_store, catalogue)
    naming = _club(botu_store, catalogue, "Naaiclub", "Opgezet door fatima  ZWARTBROEK, op dinsdag.")
    in_name = _club(botu_store, catalogue, "Atelier Fatima Zwartbroek", "")
    deleted = _club(botu_store, catalogue, "Oude club", "Met Fatima Zwartbroek")
    botu_store.delete(deleted.id, by="ans")
    _club(botu_store, catalogue, "Kookclub", "Fatima kookt; Zwartbroeken te koop")  # not the whole name
    place = _club(botu_store, catalogue, "Buurthuis", "", category="meeting_place", meeting_place_role="resident")
    ledger = Ledger(botu_store)
    noted = ledger.add(
        validate_investment(
            {
                "meeting_place_id": place.id,
                "wijk": BOTU,
                "date": "2026-01-15",
                "amount_eur": "500",
                "funder": "gemeente",
                "note": "Aangevraagd door Fatima Zwartbroek",
            }
        ),
        by="x",
    )
    with pytest.raises(PermissionDeniedError):
        uc.name_mentions(botu_store, gone.id, user=BUILDER)
    before = uc.name_mentions(botu_store, gone.id, user=COORDINATOR)
    assert {(m.kind, m.id, m.deleted) for m in before} == {
        ("asset", naming.id, False),
        ("asset", in_name.id, False),
        ("asset", deleted.id, True),
        ("investment", noted.id, False),
    }
    # Erasing still works, and says the same; the listed records are left for the coordinator to edit.
    assert uc.erase_person(botu_store, gone.id, user=COORDINATOR) == before
    assert botu_store.assets_by_id([gone.id]) == {}
    assert "ZWARTBROEK" in botu_store.get(naming.id).description


def test_cli_erase_lists_where_the_name_still_stands(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from abcd.wijken import wijk_catalogue

    assert cli_main(["init", "--no-examples"]) == 0
    store = Store.open(os.environ["ABCD_DATABASE_URL"])
    catalogue = wijk_catalogue(WIJKEN_DIR)
    stored = add(store, catalogue)
    club = _club(store, catalogue, "Naaiclub", f"Met {NAME}")
    capsys.readouterr()
    assert cli_main(["person", "erase", stored.id]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"Bewoner {stored.id} gewist")
    assert "staat nog in 1 ander gegeven" in out[1]
    assert out[2] == f"  {club.id}\tasset\tNaaiclub"


def test_the_lijst_page_shows_a_coordinator_where_the_name_still_stands(
    botu_store: Store, catalogue: dict[str, Wijk], monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    from abcd.ui import plain
    from tests.helpers import ROOT

    stored = add(botu_store, catalogue)
    _club(botu_store, catalogue, "Naaiclub <b>", f"Met {NAME}")
    monkeypatch.setenv("ABCD_DATABASE_URL", str(botu_store.engine.url))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = COORDINATOR
    at.run()
    at.switch_page("app_pages/lijst.py")
    at.run()
    at.selectbox(key="list_selected").set_value(stored.id).run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert any("staat nog in 1 ander gegeven" in w for w in warnings), warnings
    assert any(plain("Naaiclub <b>") in m.value for m in at.markdown), [m.value for m in at.markdown]
    at.checkbox(key=f"erase_sure_{stored.id}").check().run()
    at.button(key=f"erase_{stored.id}").click().run()
    assert not at.exception and botu_store.assets_by_id([stored.id]) == {}
