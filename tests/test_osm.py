"""OpenStreetMap places as candidates: the tag table, reading an extract, storing without duplicates, the CLI.

The extracts are written here as OSM XML (literal coordinates in and around
Bospolder-Tussendijken) and converted to ``.osm.pbf`` with Debian's
``osmium`` (``osmium-tool``), the way a user cuts an extract of their wijk.
"""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from shapely.geometry import Point

from abcd.assets import approve_asset, delete_asset, edit_asset
from abcd.cli import main as cli_main
from abcd.errors import ImportFileError
from abcd.model import AREA_CATEGORIES, Asset, Category, Source, Status
from abcd.osm import attribution
from abcd.osm.candidates import (
    OsmImportResult,
    candidates_from_features,
    import_candidates,
    osm_actor,
    parse_other_tags,
    read_features,
)
from abcd.osm.tags import ANY, BRANDED, NOT_ASSETS, PRIVATE, TAG_TABLE, rule_for
from abcd.permissions import CLI_USER, Role, User
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, WIJKEN_DIR, catalogue_keys, make_draft

BUILDER = User("ans", Role.BUILDER, frozenset({BOTU}))

Tags = dict[str, str]

# Nodes: id -> (lon, lat, tags). All in Bospolder-Tussendijken unless said otherwise.
NODES: dict[int, tuple[float, float, Tags]] = {
    1: (4.4413, 51.9107, {"amenity": "library", "name": "Bibliotheek Delfshaven", "website": 'https://x.nl/?a="b"'}),
    2: (4.4405, 51.9110, {"amenity": "bench"}),  # street furniture
    3: (4.4380, 51.9120, {"amenity": "parking", "name": "Parkeerplaats Hudsonstraat"}),
    4: (4.4350, 51.9100, {"shop": "bakery", "name": "Bakkerij Oz"}),
    5: (4.4360, 51.9112, {"shop": "supermarket", "name": "Albert Heijn", "brand": "Albert Heijn"}),  # a chain
    6: (4.4440, 51.9080, {"club": "sport", "name": "Voetbalclub Delfshaven", "sport": "soccer"}),
    7: (4.4450, 51.9130, {"amenity": "place_of_worship", "religion": "christian"}),  # an organisation, no name
    8: (4.4700, 51.9200, {"amenity": "community_centre", "name": "Huis van de Wijk Oude Westen"}),  # elsewhere
    9: (4.4420, 51.9125, {"amenity": "social_facility", "social_facility": "shelter", "name": "Opvang"}),
    10: (4.4395, 51.9095, {"amenity": "public_bookcase"}),  # a minibieb without a name: named for what it is
}
# Untagged nodes that draw the two polygons: a playground (a closed way) and a park (a multipolygon relation).
CORNERS: dict[int, tuple[float, float]] = {
    101: (4.4370, 51.9085),
    102: (4.4378, 51.9085),
    103: (4.4378, 51.9090),
    104: (4.4370, 51.9090),
    201: (4.4425, 51.9100),
    202: (4.4440, 51.9100),
    203: (4.4440, 51.9110),
    204: (4.4425, 51.9110),
}
PLAYGROUND: Tags = {"leisure": "playground"}
PARK: Tags = {"type": "multipolygon", "leisure": "park", "name": "Park 1943"}


def osm_xml(nodes: dict[int, tuple[float, float, Tags]] = NODES, park: Tags = PARK) -> str:
    """An OSM XML extract: ``nodes``, the playground way 100 and the park relation 300 (outer way 200)."""

    def tags(values: Tags) -> str:
        return "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in values.items())

    lines = ["<?xml version='1.0' encoding='UTF-8'?>", '<osm version="0.6" generator="abcd tests">']
    for node_id, (lon, lat, values) in sorted({**{k: (*v, {}) for k, v in CORNERS.items()}, **nodes}.items()):
        lines.append(f'<node id="{node_id}" version="1" lat="{lat}" lon="{lon}">{tags(values)}</node>')
    ring = "".join(f'<nd ref="{ref}"/>' for ref in (101, 102, 103, 104, 101))
    lines.append(f'<way id="100" version="1">{ring}{tags(PLAYGROUND)}</way>')
    ring = "".join(f'<nd ref="{ref}"/>' for ref in (201, 202, 203, 204, 201))
    lines.append(f'<way id="200" version="1">{ring}</way>')
    member = '<member type="way" ref="200" role="outer"/>'
    lines.append(f'<relation id="300" version="1">{member}{tags(park)}</relation>')
    lines.append("</osm>")
    return "\n".join(lines)


def to_pbf(folder: Path, xml: str, name: str = "botu") -> Path:
    """``xml`` written as ``NAME.osm`` and converted to ``NAME.osm.pbf`` with osmium."""
    source = folder / f"{name}.osm"
    source.write_text(xml, encoding="utf-8")
    target = folder / f"{name}.osm.pbf"
    subprocess.run(["osmium", "cat", str(source), "-o", str(target), "--overwrite"], check=True, capture_output=True)
    return target


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return to_pbf(tmp_path_factory.mktemp("osm"), osm_xml())


def _import(store: Store, catalogue: dict[str, Wijk], path: Path) -> OsmImportResult:
    return import_candidates(store, path, wijk=BOTU, catalogue=catalogue, wijken_dir=WIJKEN_DIR, by="cli:ans")


def _by_osm_id(store: Store) -> dict[str, Asset]:
    return {a.osm_id: a for a in store.list_assets(include_deleted=True) if a.osm_id}


# ------------------------------------------------------------------ the table
def test_every_row_of_the_tag_table_maps_to_a_real_category() -> None:
    for rule in TAG_TABLE:
        assert isinstance(rule.category, Category) and Category(rule.category.value) is rule.category, rule
        assert rule.key and rule.value and rule.why.strip(), rule
        if rule.unnamed is not None:
            assert rule.unnamed in catalogue_keys(), rule.unnamed  # the descriptive name exists in every language
        if rule.category in AREA_CATEGORIES:
            assert set(PRIVATE) <= set(rule.unless), rule  # a place residents cannot use is not theirs
        if rule.category is Category.BUSINESS:
            assert set(BRANDED) <= set(rule.unless), rule  # a chain is not the wijk's own economy
        assert rule_for({rule.key: "x" if rule.value == ANY else rule.value, **dict(rule.also)}) is not None, rule
    assert len({(r.key, r.value, r.also) for r in TAG_TABLE}) == len(TAG_TABLE)  # no row twice
    assert {r.category for r in TAG_TABLE} == set(Category) - {Category.PERSON}  # residents never come from a map


def test_what_is_not_an_asset_never_becomes_one() -> None:
    for row in NOT_ASSETS:
        assert row.why.strip()
        if row.value != ANY:
            assert rule_for({row.key: row.value}) is None, row
    assert rule_for({"shop": "vacant"}) is None and rule_for({"shop": "vacant;bakery"}) is not None
    assert rule_for({"amenity": "social_facility", "social_facility": "shelter"}) is None
    assert rule_for({"historic": "memorial", "memorial": "stolperstein"}) is None
    assert rule_for({"leisure": "playground", "access": "private"}) is None
    assert rule_for({"amenity": "cafe", "brand:wikidata": "Q123"}) is None


def test_the_first_matching_row_decides() -> None:
    garden = rule_for({"leisure": "garden", "garden:type": "community"})
    assert garden is not None and garden.category is Category.INITIATIVE
    public = rule_for({"leisure": "garden"})
    assert public is not None and public.category is Category.PLACE
    assert rule_for({"leisure": "garden", "garden:type": "residential"}) is None
    both = rule_for({"amenity": "Community_Centre ", "shop": "yes"})  # values trimmed and lower-cased
    assert both is not None and both.category is Category.MEETING_PLACE


# ------------------------------------------------------------------- reading
def test_other_tags_are_parsed_with_their_escapes() -> None:
    text = r'"amenity"=>"cafe","note"=>"a \"quoted\", b=>c","path"=>"C:\\x","gone"=>NULL,"multi"=>"1' + "\n" + '2"'
    assert parse_other_tags(text) == {"amenity": "cafe", "note": 'a "quoted", b=>c', "path": "C:\\x", "multi": "1\n2"}
    assert parse_other_tags("") == {} and parse_other_tags(float("nan")) == {} and parse_other_tags("garbage") == {}


def test_an_extract_is_read_with_ids_tags_and_polygons(extract: Path) -> None:
    features = read_features(extract)
    ids = list(features["osm_id"])
    assert ids[:2] == ["relation/300", "way/100"]  # polygons first
    assert ids[2:] == [f"node/{n}" for n in sorted(NODES)]  # only tagged nodes; the corners are no objects
    tags = dict(zip(features["osm_id"], features["tags"], strict=True))
    assert tags["node/1"]["website"] == 'https://x.nl/?a="b"' and tags["node/1"]["name"] == "Bibliotheek Delfshaven"
    assert tags["relation/300"]["leisure"] == "park" and tags["way/100"] == PLAYGROUND
    assert features.geometry.iloc[0].geom_type == "MultiPolygon" and features.crs.to_epsg() == 4326
    plain = read_features(extract.with_suffix("").with_suffix(".osm"))  # the XML reads the same
    assert list(plain["osm_id"]) == ids


def test_other_files_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "places.geojson"
    other.write_text("{}", encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        read_features(other)
    assert ".osm.pbf" in caught.value.message("en")
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"not a pbf")
    with pytest.raises(ImportFileError):
        read_features(broken)


def test_candidates_are_the_assets_inside_the_wijk(extract: Path, catalogue: dict[str, Wijk], botu: Wijk) -> None:
    found = candidates_from_features(read_features(extract), botu, catalogue=catalogue)
    drafts = {d.osm_id: d for d in found.drafts}
    assert sorted(drafts) == ["node/1", "node/10", "node/4", "node/6", "relation/300", "way/100"]
    assert (found.unnamed, found.outside, found.not_assets) == (1, 1, 4)  # worship; Oude Westen; bench .. shelter
    assert all(d.source is Source.OSM and d.status is Status.PENDING and d.wijk == BOTU for d in drafts.values())
    playground = drafts["way/100"]
    assert (playground.name, playground.category) == ("Speeltuin", Category.PLACE)
    assert playground.area is not None and playground.area.geom_type == "Polygon"
    assert playground.area.covers(Point(playground.lon, playground.lat))  # a point inside it
    assert drafts["node/10"].name == "Minibieb" and drafts["node/10"].category is Category.INITIATIVE
    assert drafts["node/1"].area is None and drafts["node/1"].category is Category.INSTITUTION
    assert drafts["node/6"].category is Category.ASSOCIATION and drafts["node/4"].category is Category.BUSINESS
    assert drafts["relation/300"].description == "OpenStreetMap: leisure=park"
    english = candidates_from_features(read_features(extract), botu, catalogue=catalogue, lang="en")
    assert {d.osm_id: d.name for d in english.drafts}["way/100"] == "Playground"


# ------------------------------------------------------------------- storing
def test_candidates_arrive_pending_and_never_twice(
    botu_store: Store, catalogue: dict[str, Wijk], extract: Path, tmp_path: Path
) -> None:
    bakery = botu_store.add(make_draft(name="Bakkerij Oz", category="business", lon=4.43505, lat=51.91), by="ans")
    first = _import(botu_store, catalogue, extract)
    assert (first.created, first.updated, first.unchanged, first.left_alone) == (5, 0, 0, 0)
    assert (first.duplicates, first.unnamed) == (1, 1)  # the bakery is there already; the nameless church
    stored = _by_osm_id(botu_store)
    assert sorted(stored) == ["node/1", "node/10", "node/6", "relation/300", "way/100"]
    assert all(a.is_pending and a.source is Source.OSM for a in stored.values())
    assert [e.changed_by for e in botu_store.history(stored["node/1"].id)] == [osm_actor("cli:ans")]
    assert botu_store.get(bakery.id).osm_id is None  # the resident's bakery is untouched

    again = _import(botu_store, catalogue, extract)
    assert (again.created, again.updated, again.unchanged, again.duplicates) == (0, 0, 5, 1)
    assert botu_store.count_assets() == 6

    # A builder edits the library, a coordinator approves the park, someone deletes the minibieb;
    # OpenStreetMap renames the library, the park and the club, and moves the minibieb.
    library, park, minibieb = stored["node/1"], stored["relation/300"], stored["node/10"]
    edit_asset(
        botu_store, catalogue, library.id, {"description": "Leesclub op dinsdag"}, expected_version=1, user=BUILDER
    )
    approve_asset(botu_store, park.id, user=CLI_USER)
    delete_asset(botu_store, minibieb.id, expected_version=None, user=BUILDER)
    nodes = dict(NODES)
    nodes[1] = (*NODES[1][:2], {**NODES[1][2], "name": "Bibliotheek Bospolder"})
    nodes[6] = (*NODES[6][:2], {**NODES[6][2], "name": "VV Delfshaven"})
    nodes[10] = (4.4396, 51.9096, NODES[10][2])
    changed = to_pbf(tmp_path, osm_xml(nodes, park={**PARK, "name": "Park 1940-1945"}), name="changed")
    third = _import(botu_store, catalogue, changed)
    assert (third.created, third.updated, third.unchanged, third.left_alone) == (0, 1, 1, 3)
    now = _by_osm_id(botu_store)
    assert now["node/6"].name == "VV Delfshaven" and now["node/6"].version == 2
    assert now["node/6"].is_pending
    assert now["node/1"].name == "Bibliotheek Delfshaven"  # the builder's version stands
    assert now["node/1"].description == "Leesclub op dinsdag"
    assert now["relation/300"].name == "Park 1943" and not now["relation/300"].is_pending
    assert now["node/10"].is_deleted  # not brought back
    assert botu_store.count_assets() == 5


def test_a_candidate_a_builder_confirmed_is_theirs(
    botu_store: Store, catalogue: dict[str, Wijk], extract: Path, tmp_path: Path
) -> None:
    _import(botu_store, catalogue, extract)
    club = _by_osm_id(botu_store)["node/6"]
    assert club.last_confirmed is not None
    botu_store.confirm(club.id, by="ans", on=club.last_confirmed + timedelta(days=1))  # "nog actief"
    nodes = {**NODES, 6: (*NODES[6][:2], {**NODES[6][2], "name": "VV Delfshaven"})}
    result = _import(botu_store, catalogue, to_pbf(tmp_path, osm_xml(nodes), name="renamed"))
    assert result.left_alone == 1 and _by_osm_id(botu_store)["node/6"].name == "Voetbalclub Delfshaven"


def test_only_places_in_the_wijk_are_read_and_proposed(
    botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    far = {k: (lon + 0.5, lat, tags) for k, (lon, lat, tags) in NODES.items()}  # the same places near Utrecht
    result = _import(botu_store, catalogue, to_pbf(tmp_path, osm_xml(far), name="far"))
    assert (result.created, result.read) == (2, 2)  # only the two polygons, which stayed in BoTu
    assert botu_store.count_assets() == 2


def test_a_polygon_too_large_is_only_a_point(catalogue: dict[str, Wijk], botu: Wijk) -> None:
    import geopandas as gpd
    from shapely.geometry import box

    huge = box(4.431, 51.904, 4.449, 51.916)  # about 150 ha, most of BoTu
    frame = gpd.GeoDataFrame(
        {"osm_id": ["way/1", "way/2"], "tags": [{"leisure": "park", "name": "Groot park"}, {"amenity": "library"}]},
        geometry=[huge, box(4.4410, 51.9105, 4.4415, 51.9108)],
        crs="EPSG:4326",
    )
    park, library = candidates_from_features(frame, botu, catalogue=catalogue).drafts
    assert park.area is None and huge.covers(Point(park.lon, park.lat))
    assert library.area is None and library.name == "Bibliotheek"  # an institution keeps no area


# ----------------------------------------------------------------------- CLI
def test_the_cli_imports_osm_candidates_and_says_what_it_did(
    extract: Path, cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli_main(["init", "--no-examples"]) == 0
    capsys.readouterr()
    assert cli_main(["osm", "import", str(extract), "--wijk", BOTU, "--by", "ans"]) == 0
    out = capsys.readouterr().out
    assert "6 nieuwe kandidaten uit OpenStreetMap in Bospolder-Tussendijken; die wachten op goedkeuring." in out
    assert "0 kandidaten bijgewerkt" in out and "0 kandidaten met rust gelaten" in out
    assert "0 plekken overgeslagen" in out and "1 plek zonder naam overgeslagen" in out
    assert "© OpenStreetMap-bijdragers, ODbL 1.0" in out
    assert out.splitlines()[-1] == "1"  # the batch id alone on the last line: `abcd imports undo 1` takes them away
    monkeypatch.setenv("ABCD_LANG", "en")
    assert cli_main(["osm", "import", str(extract), "--wijk", BOTU]) == 0
    out = capsys.readouterr().out
    assert "0 new candidates" in out and "6 candidates unchanged" in out and attribution("en") in out
    assert cli_main(["osm", "import", str(extract.with_suffix(".txt")), "--wijk", BOTU]) == 2
    assert ".osm.pbf" in capsys.readouterr().err
    assert cli_main(["imports", "undo", "1"]) == 0
    assert "Taken away: 6" in capsys.readouterr().out
    assert cli_main(["list"]) == 0 and capsys.readouterr().out == ""


def test_osm_actor_fits_the_history_column() -> None:
    assert osm_actor("x" * 300) == ("osm:" + "x" * 300)[:100]


# ------------------------------------------------------------------ migration
def test_a_0010_database_upgrades_to_osm_ids_and_keeps_its_assets(
    tmp_path: Path, catalogue: dict[str, Wijk], extract: Path
) -> None:
    from alembic import command

    from abcd.db import alembic_config, current_revision, engine_from_url, head_revision

    url = f"sqlite:///{tmp_path}/old.db"
    engine = engine_from_url(url)
    with engine.connect().execution_options(abcd_write=True) as conn:
        command.upgrade(alembic_config(conn), "0010_walks")
        conn.commit()
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO assets (id, name, category, description, lon, lat, source, status, last_confirmed, version, "
            "created_by, created_at, updated_by, updated_at) VALUES ('00000000-0000-4000-8000-000000000001', "
            "'Bakkerij Oz', 'business', '', 4.43505, 51.91, 'field', 'approved', '2026-11-30', 1, 'ans', "
            "'2026-11-30T00:00:00+00:00', 'ans', '2026-11-30T00:00:00+00:00')"
        )
    engine.dispose()

    store = Store.open(url)
    assert current_revision(store.engine) == head_revision()
    (bakery,) = store.list_assets()
    assert (bakery.name, bakery.version, bakery.osm_id) == ("Bakkerij Oz", 1, None)
    result = _import(store, catalogue, extract)
    assert (result.created, result.duplicates) == (5, 1)  # the old bakery is recognised, not proposed again
    store.close()
