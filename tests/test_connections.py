"""Connections between assets: rules, history, privacy, erasure, the CLI and files."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from sqlalchemy import func, select

from abcd import schema
from abcd.assets import add_asset, delete_asset, erase_person
from abcd.cli import main as cli_main
from abcd.connections.files import companion_path
from abcd.connections.register import Register, link, resident_counts, unlink, visible_connections
from abcd.errors import ConflictError, ImportFileError, ValidationError
from abcd.exchange import export_assets, import_assets
from abcd.model import Asset
from abcd.permissions import CLI_USER, PermissionDeniedError, Role, User
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, HOSTILE_NAME, PERSON_CONSENT, WIJKEN_DIR

BUILDER = User("ans", Role.BUILDER, frozenset({BOTU}))
OFFICER = User("gemeente", Role.OFFICER)
PUBLIC = User("publiek", Role.PUBLIC)


def _add(store: Store, catalogue: dict[str, Wijk], name: str, category: str, **extra: object) -> Asset:
    raw: dict[str, object] = {"name": name, "category": category, "lon": 4.4405, "lat": 51.9120, "wijk": BOTU}
    if category == "person":
        raw.update(PERSON_CONSENT)
    raw.update(extra)
    return add_asset(store, catalogue, raw, wijken_dir=WIJKEN_DIR, user=CLI_USER)


@pytest.fixture
def wijk(botu_store: Store, catalogue: dict[str, Wijk]) -> dict[str, Asset]:
    add = lambda name, category, **extra: _add(botu_store, catalogue, name, category, **extra)  # noqa: E731
    club = add("Naaiclub", "association")
    return {
        "club": club,
        "place": add("Buurthuisje", "meeting_place", meeting_place_role="resident", lon=4.4410),
        "crew": add("Prikploeg", "initiative", lon=4.4420),
        "school": add("Basisschool", "institution", lon=4.4430),
        "story": add("Verhaal van de haven", "story", lon=4.4440),
        "fatima": add("Fatima", "person", linked_asset_id=club.id),
    }


def _link(store: Store, a: Asset, b: Asset, kind: str, user: User = BUILDER, note: str = ""):  # type: ignore[no-untyped-def]
    return link(store, {"from_id": a.id, "to_id": b.id, "kind": kind, "note": note}, user=user)


def test_each_kind_joins_the_categories_it_is_for(botu_store: Store, wijk: dict[str, Asset]) -> None:
    _link(botu_store, wijk["club"], wijk["place"], "meets_at")
    _link(botu_store, wijk["school"], wijk["crew"], "supports")
    _link(botu_store, wijk["story"], wijk["place"], "about")
    _link(botu_store, wijk["fatima"], wijk["club"], "member_of")
    with pytest.raises(ValidationError) as caught:
        _link(botu_store, wijk["place"], wijk["club"], "meets_at")  # the wrong way round
    assert caught.value.key == "error.connection_categories" and "meeting_place" in caught.value.message("en")
    with pytest.raises(ValidationError, match="zichzelf"):
        _link(botu_store, wijk["club"], wijk["club"], "works_with")
    with pytest.raises(ValidationError, match="toelichting"):
        _link(botu_store, wijk["club"], wijk["school"], "other")
    _link(botu_store, wijk["club"], wijk["school"], "other", note="delen een zaal")
    assert len(Register(botu_store).list_connections()) == 5


def test_a_tie_is_stored_once_and_removed_with_history(botu_store: Store, wijk: dict[str, Asset]) -> None:
    first = _link(botu_store, wijk["club"], wijk["place"], "meets_at")
    with pytest.raises(ConflictError):
        _link(botu_store, wijk["club"], wijk["place"], "meets_at")
    unlink(botu_store, first.id, user=BUILDER)
    assert Register(botu_store).list_connections() == []
    again = _link(botu_store, wijk["club"], wijk["place"], "meets_at")
    assert again.id != first.id
    with pytest.raises(ConflictError):  # restoring the old one would make the tie twice
        Register(botu_store).restore(first.id, by="ans")
    assert [h.action for h in Register(botu_store).history(first.id)] == ["create", "delete"]


def test_a_deleted_asset_cannot_be_connected_and_drops_out_of_views(botu_store: Store, wijk: dict[str, Asset]) -> None:
    _link(botu_store, wijk["club"], wijk["place"], "meets_at")
    delete_asset(botu_store, wijk["place"].id, expected_version=1, user=BUILDER)
    with pytest.raises(ValidationError):
        _link(botu_store, wijk["crew"], wijk["place"], "meets_at")
    live = [a for a in botu_store.list_assets(wijk=BOTU)]
    assert visible_connections(botu_store, live, user=BUILDER) == []


def test_residents_connections_reach_only_those_who_may_see_residents(
    botu_store: Store, wijk: dict[str, Asset]
) -> None:
    _link(botu_store, wijk["fatima"], wijk["club"], "member_of")
    _link(botu_store, wijk["club"], wijk["place"], "meets_at")
    everything = botu_store.list_assets(wijk=BOTU)
    assert len(visible_connections(botu_store, everything, user=BUILDER)) == 2
    for user in (OFFICER, PUBLIC):
        shown = visible_connections(botu_store, everything, user=user)
        assert [c.kind.value for c in shown] == ["meets_at"]
    counts = resident_counts(botu_store, everything)
    assert set(counts) == {wijk["club"].id} and counts[wijk["club"].id]["member_of"] == 1
    with pytest.raises(PermissionDeniedError):
        _link(botu_store, wijk["fatima"], wijk["club"], "member_of", user=OFFICER)


def test_a_builder_connects_only_in_their_own_wijken(botu_store: Store, wijk: dict[str, Asset]) -> None:
    elsewhere = User("piet", Role.BUILDER, frozenset({"wijk-charlois"}))
    with pytest.raises(PermissionDeniedError):
        _link(botu_store, wijk["club"], wijk["place"], "meets_at", user=elsewhere)


def test_erasing_a_resident_erases_their_connections_and_history(botu_store: Store, wijk: dict[str, Asset]) -> None:
    tie = _link(botu_store, wijk["fatima"], wijk["club"], "member_of")
    _link(botu_store, wijk["club"], wijk["place"], "meets_at")
    erase_person(botu_store, wijk["fatima"].id, user=User("coco", Role.COORDINATOR))
    with botu_store.engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(schema.connections)).scalar_one()
        history = conn.execute(
            select(func.count())
            .select_from(schema.connection_history)
            .where(schema.connection_history.c.connection_id == tie.id)
        ).scalar_one()
    assert (left, history) == (1, 0)


# ---------------------------------------------------------------------- files
@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".csv"])
def test_connections_survive_export_and_import_and_a_second_import_adds_none(
    botu_store: Store, catalogue: dict[str, Wijk], wijk: dict[str, Asset], tmp_path: Path, suffix: str
) -> None:
    _link(botu_store, wijk["club"], wijk["place"], "meets_at")
    _link(botu_store, wijk["school"], wijk["crew"], "supports")
    _link(botu_store, wijk["club"], wijk["school"], "other", note=HOSTILE_NAME)
    _link(botu_store, wijk["fatima"], wijk["club"], "member_of")  # a resident: not in a public export
    out = tmp_path / f"botu{suffix}"
    export_assets(botu_store, out, wijk=BOTU)
    if suffix == ".gpkg":
        layer = gpd.read_file(out, layer="connections")
        assert set(layer.geom_type) == {"LineString"} and len(layer) == 3
        assert {"from_id", "to_id", "kind", "note"} <= set(layer.columns)
        assert {name for name, _ in pyogrio.list_layers(out)} == {"assets", "connections"}
    else:
        text = companion_path(out).read_text(encoding="utf-8")
        assert text.splitlines()[0] == "id,from_id,to_id,kind,note" and len(text.splitlines()) == 4
        assert wijk["fatima"].id not in text
    fresh = Store.open(f"sqlite:///{tmp_path}/fresh.db")
    fresh.save_wijk(catalogue[BOTU].record(), botu_store.streets(BOTU))
    first = import_assets(fresh, out, catalogue=catalogue, user=CLI_USER, wijken_dir=WIJKEN_DIR)
    assert first.connections == 3
    again = import_assets(fresh, out, catalogue=catalogue, user=CLI_USER, wijken_dir=WIJKEN_DIR)
    assert again.connections == 0
    ties = {(c.from_id, c.to_id, c.kind.value, c.note) for c in Register(fresh).list_connections()}
    originals = {(c.from_id, c.to_id, c.kind.value, c.note) for c in Register(botu_store).list_connections()}
    assert ties == {t for t in originals if t[2] != "member_of"}
    fresh.close()


def test_a_bad_connection_in_the_companion_stops_the_import_before_anything_is_stored(
    botu_store: Store, catalogue: dict[str, Wijk], wijk: dict[str, Asset], tmp_path: Path
) -> None:
    out = tmp_path / "botu.geojson"
    _link(botu_store, wijk["club"], wijk["place"], "meets_at")
    export_assets(botu_store, out, wijk=BOTU)
    companion = companion_path(out)
    companion.write_text(
        companion.read_text(encoding="utf-8") + f",{wijk['place'].id},{wijk['club'].id},meets_at,\r\n", encoding="utf-8"
    )
    fresh = Store.open(f"sqlite:///{tmp_path}/fresh.db")
    fresh.save_wijk(catalogue[BOTU].record(), botu_store.streets(BOTU))
    with pytest.raises(ImportFileError) as caught:
        import_assets(fresh, out, catalogue=catalogue, user=CLI_USER, wijken_dir=WIJKEN_DIR)
    assert "regel 3" in str(caught.value)
    assert fresh.list_assets() == [] and Register(fresh).list_connections() == []
    fresh.close()


# ------------------------------------------------------------------------ CLI
def test_the_cli_links_lists_and_unlinks(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["init"]) == 0
    store = Store.open(f"sqlite:///{cli_env}")
    (club,) = [a for a in store.list_assets() if a.name.startswith("Naaiclub")]
    (place,) = [a for a in store.list_assets() if a.name.startswith("Speeltuin")]  # not connected in the examples
    before = len(Register(store).list_connections())
    capsys.readouterr()
    assert cli_main(["link", club.id, place.id, "--kind", "meets_at", "--by", "ans"]) == 0
    connection_id = capsys.readouterr().out.strip()
    assert Register(store).get(connection_id).created_by == "ans"
    assert cli_main(["connections", "--wijk", BOTU]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == before + 1
    (line,) = [row for row in lines if row.startswith(connection_id)]
    assert line.split("\t")[1] == "meets_at" and "Naaiclub" in line and "Speeltuin" in line
    assert cli_main(["link", place.id, club.id, "--kind", "meets_at"]) == 2
    assert "place" in capsys.readouterr().err
    assert cli_main(["unlink", club.id, place.id, "--kind", "meets_at"]) == 0
    assert len(Register(store).list_connections()) == before
    assert cli_main(["unlink", club.id, place.id, "--kind", "meets_at"]) == 2
    store.close()


def test_the_examples_come_connected_and_go_with_their_connections(cli_env: Path) -> None:
    assert cli_main(["init"]) == 0
    store = Store.open(f"sqlite:///{cli_env}")
    ties = Register(store).list_connections()
    assert len(ties) == 8 and all(c.created_by == "abcd-voorbeelden" for c in ties)
    assert cli_main(["examples", "remove"]) == 0
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.connections)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(schema.connection_history)).scalar_one() == 0
    store.close()


def test_the_geojson_export_itself_is_unchanged_by_connections(
    botu_store: Store, wijk: dict[str, Asset], tmp_path: Path
) -> None:
    out = tmp_path / "botu.geojson"
    export_assets(botu_store, out, wijk=BOTU)
    assert not companion_path(out).exists()  # nothing to carry: no companion
    _link(botu_store, wijk["club"], wijk["place"], "meets_at")
    export_assets(botu_store, out, wijk=BOTU)
    assert json.loads(out.read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    assert companion_path(out).exists()


def test_an_export_without_connections_leaves_no_stale_companion(
    botu_store: Store, wijk: dict[str, Asset], tmp_path: Path
) -> None:
    out = tmp_path / "botu.csv"
    tie = _link(botu_store, wijk["club"], wijk["place"], "meets_at")
    export_assets(botu_store, out, wijk=BOTU)
    assert companion_path(out).exists()
    unlink(botu_store, tie.id, user=BUILDER)
    export_assets(botu_store, out, wijk=BOTU)
    assert not companion_path(out).exists()  # else its next import would bring the removed tie back
