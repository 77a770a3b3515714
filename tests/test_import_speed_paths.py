"""The fast paths of an import (issue 13, item 5) do what the row-by-row paths did.

An import of thousands of rows places all its points at once
(:meth:`abcd.places.AreaIndex.membership`, remembered by ``exchange._Places``),
checks a claimed wijk per row only where the membership does not settle it,
writes rows straight to the driver (:func:`abcd.db.insert_rows` under
:meth:`abcd.versioned.RecordKind.insert`) and finds duplicate pairs with one
spatial index. Each test below holds one of them to the rule it replaced:
the same areas, the same first bad row, the same stored bytes, the same pairs.
PostgreSQL's side of the bulk insert is covered by ``tests/test_store_postgres.py``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon
from sqlalchemy import Column, MetaData, String, Table, create_engine, insert

from abcd import exchange, io, schema
from abcd.db import Database, insert_rows
from abcd.duplicates import RADIUS_M, find_duplicates, names_match
from abcd.errors import AbcdError, ImportFileError, ValidationError
from abcd.i18n.formats import local_time
from abcd.model import Asset, AssetDraft, Category, Source, validate_asset
from abcd.places import TOLERANCE_M, Area, AreaIndex, from_rd, rd_geometry, rd_points, to_rd
from abcd.records import iso_utc, utcnow
from abcd.store import ASSETS, Store, _insert_new, _new_ids
from abcd.versioned import RecordKind, _encoded
from abcd.wijken import Catalogue, Wijk, check_in_wijk, wijken_at
from tests.helpers import BOTU, INSIDE_BOTU, POLYGON_IN_BOTU, WIJKEN_DIR, make_draft
from tests.test_records import Mood, Note, NoteFields, a_note


# ------------------------------------------------------ areas, all at once
def reference_membership(areas: Sequence[Area], lon: float, lat: float) -> tuple[str, ...]:
    """The rule of :mod:`abcd.places` for one point, area by area: what the index gave before it was vectorised.

    Per kind: the areas that cover the point (distance 0); if none does, the
    nearest one within the tolerance (ties: the first slug).
    """
    (point,) = rd_points([lon], [lat])
    found: set[str] = set()
    for kind in sorted({a.kind for a in areas}):
        own = [(rd_geometry(a.boundary), a.slug) for a in areas if a.kind == kind]
        covering = [slug for geometry, slug in own if shapely.distance(point, geometry) <= 0.0]
        near = sorted(
            (float(shapely.distance(point, geometry)), slug)
            for geometry, slug in own
            if shapely.dwithin(point, geometry, TOLERANCE_M)
        )
        found.update(covering or [slug for _, slug in near[:1]])
    return tuple(sorted(found))


def rd_polygon(*corners: tuple[float, float]) -> Polygon:
    """A polygon given in RD New metres, as WGS84."""
    return shapely.transform(Polygon(corners), lambda xy: np.column_stack(from_rd().transform(xy[:, 0], xy[:, 1])))


X, Y = 91_000.0, 437_000.0
# Two wijken side by side, a buurt in the west one, a triangle of its own kind across their border,
# and a gemeente around all: shared edges, corners, overlaps and gaps.
SYNTHETIC = [
    Area("west", "wijk", rd_polygon((X, Y), (X + 500, Y), (X + 500, Y + 500), (X, Y + 500))),
    Area("oost", "wijk", rd_polygon((X + 500, Y), (X + 1000, Y), (X + 1000, Y + 500), (X + 500, Y + 500))),
    Area("hoek", "buurt", rd_polygon((X + 200, Y + 200), (X + 500, Y + 200), (X + 500, Y + 500), (X + 200, Y + 500))),
    Area("driehoek", "custom", rd_polygon((X + 400, Y - 50), (X + 640, Y + 100), (X + 480, Y + 260))),
    Area("zelfde", "custom", rd_polygon((X + 700, Y + 300), (X + 710, Y + 300), (X + 710, Y + 310))),
    Area("stad", "gemeente", rd_polygon((X - 40, Y - 40), (X + 1040, Y - 40), (X + 1040, Y + 540), (X - 40, Y + 540))),
]
SYNTHETIC_INDEX = AreaIndex(SYNTHETIC)
CORNERS = [
    tuple(float(c) for c in xy) for area in SYNTHETIC for xy in shapely.get_coordinates(rd_geometry(area.boundary))
]
near_an_edge = st.tuples(
    st.integers(min_value=0, max_value=len(CORNERS) - 2),
    st.floats(min_value=0.0, max_value=1.0),
    st.sampled_from([0.0, 0.5, TOLERANCE_M - 0.01, TOLERANCE_M, TOLERANCE_M + 0.01, 30.0]),
    st.sampled_from([-1.0, 1.0]),
    st.floats(min_value=-60.0, max_value=60.0),
)


def point_near(edge: tuple[int, float, float, float, float]) -> tuple[float, float]:
    """A WGS84 point on, just inside or just outside one of the synthetic areas' edges (or anywhere near)."""
    k, along, away, side, jitter = edge
    (x0, y0), (x1, y1) = CORNERS[k], CORNERS[k + 1]
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    x = x0 + along * (x1 - x0) + side * away * -(y1 - y0) / length
    y = y0 + along * (y1 - y0) + side * away * (x1 - x0) / length
    if away == 30.0:
        x, y = x + jitter, y - jitter
    lon, lat = from_rd().transform(x, y)
    return float(lon), float(lat)


@settings(max_examples=150, deadline=None)
@given(st.lists(near_an_edge, min_size=1, max_size=25))
def test_membership_of_many_points_is_the_rule_for_each_point(
    edges: list[tuple[int, float, float, float, float]],
) -> None:
    points = [point_near(edge) for edge in edges]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    assert SYNTHETIC_INDEX.membership(lons, lats) == [reference_membership(SYNTHETIC, *p) for p in points]


def test_membership_counts_corners_and_shared_edges_as_inside() -> None:
    corners = [tuple(float(c) for c in from_rd().transform(x, y)) for x, y in CORNERS]
    found = SYNTHETIC_INDEX.membership([c[0] for c in corners], [c[1] for c in corners])
    assert found == [reference_membership(SYNTHETIC, *c) for c in corners]
    # The corner the two wijken share lies in both (covered by each), the gemeente's far corner in itself only.
    shared = from_rd().transform(X + 500, Y + 500)
    assert SYNTHETIC_INDEX.areas_at(*shared) == ("hoek", "oost", "stad", "west")
    assert SYNTHETIC_INDEX.membership([], []) == []
    assert AreaIndex([]).membership([4.4], [51.9]) == [()]


def test_membership_near_botu_is_the_rule_for_each_point(catalogue: dict[str, Wijk]) -> None:
    # The real boundaries around BoTu: points scattered across its edge and its buurten's.
    slugs = [
        BOTU,
        "bospolder",
        "tussendijken",
        "wijk-delfshaven",
        "schiemond",
        "gemeente-rotterdam",
        "gemeente-schiedam",
    ]
    areas = [Area(s, catalogue[s].kind, catalogue[s].boundary) for s in slugs if s in catalogue]
    index = AreaIndex(areas)
    rng = np.random.default_rng(13)
    points: list[tuple[float, float]] = []
    for area in areas[:3]:
        ring = rd_geometry(area.boundary).boundary
        for fraction in rng.uniform(0, 1, 40):
            p = ring.interpolate(fraction, normalized=True)
            x, y = p.x + rng.normal(0, 12), p.y + rng.normal(0, 12)
            points.append(tuple(float(c) for c in from_rd().transform(x, y)))  # type: ignore[misc]
    found = index.membership([p[0] for p in points], [p[1] for p in points])
    assert found == [reference_membership(areas, *p) for p in points]
    assert any(BOTU in f for f in found) and any(BOTU not in f for f in found)  # both sides were tried


# ------------------------------------------------ a claimed wijk, per row
def botu_edge_rows(catalogue: dict[str, Wijk]) -> list[io.RawRow]:
    """Rows claiming BoTu at points across its boundary: inside, within the tolerance, beyond it, in a neighbour."""
    ring = rd_geometry(catalogue[BOTU].boundary).boundary
    rows = []
    for k, fraction in enumerate(np.linspace(0, 1, 24, endpoint=False)):
        p = ring.interpolate(float(fraction), normalized=True)
        for offset in (-20.0, -TOLERANCE_M - 1, -5.0, 5.0, TOLERANCE_M + 1, 40.0):
            lon, lat = from_rd().transform(p.x + offset, p.y + offset / 2)
            raw = {"name": f"Plek {k} {offset}", "category": "place", "lon": lon, "lat": lat, "wijk": BOTU}
            rows.append(io.RawRow(len(rows) + 2, raw))
    return rows


def test_a_claimed_wijk_is_refused_exactly_where_the_row_by_row_check_refuses_it(
    catalogue: dict[str, Wijk],
) -> None:
    assert isinstance(catalogue, Catalogue)
    rows = botu_edge_rows(catalogue)
    refused = 0
    for row in rows:
        draft = validate_asset(row.values, default_source=Source.IMPORT)
        try:
            check_in_wijk(catalogue, catalogue[BOTU], draft.lon, draft.lat)
        except AbcdError as exc:
            expected: str | None = exc.message("en")
        else:
            expected = None
        try:
            exchange.drafts_from_rows([row], default_wijk=None, catalogue=catalogue)
        except ImportFileError as exc:
            assert expected is not None, row
            assert exc.params["row"] == row.number
            assert exc.params["message"].message("en") == expected
            refused += 1
        else:
            assert expected is None, (row, expected)
    assert 0 < refused < len(rows)  # the edge was really crossed


def test_rows_without_a_wijk_are_placed_as_wijken_at_places_them(catalogue: dict[str, Wijk]) -> None:
    points = [INSIDE_BOTU, (4.9, 52.37), (3.6, 52.6), (3.9, 51.2), (4.4413, 51.9107)]
    rows = [
        io.RawRow(k + 2, {"name": f"P{k}", "category": "place", "lon": x, "lat": y}) for k, (x, y) in enumerate(points)
    ]
    for row in rows:
        placed = bool(wijken_at(catalogue, row.values["lon"], row.values["lat"]))
        try:
            exchange.drafts_from_rows([row], default_wijk=None, catalogue=catalogue)
        except ImportFileError as exc:
            assert not placed and exc.params["message"].key == "error.outside_known"
        else:
            assert placed


def test_the_first_bad_row_is_named_whether_it_fails_validation_or_its_wijk(catalogue: dict[str, Wijk]) -> None:
    lon, lat = INSIDE_BOTU
    good = {"name": "Goed", "category": "place", "lon": lon, "lat": lat, "wijk": BOTU}
    elsewhere = {**good, "name": "Elders", "lon": 4.47, "lat": 51.92}  # Oude Westen, claimed as BoTu
    bad = {**good, "name": "Fout", "category": "geen"}
    cases = [([good, good, elsewhere, bad], 4, "error.outside_wijk_in"), ([good, bad, elsewhere], 3, "error.choice")]
    for values, row, key in cases:
        rows = [io.RawRow(k + 2, v) for k, v in enumerate(values)]
        with pytest.raises(ImportFileError) as caught:
            exchange.drafts_from_rows(rows, default_wijk=None, catalogue=catalogue)
        assert caught.value.params["row"] == row
        assert caught.value.params["message"].key == key


def test_areas_given_to_prepare_drafts_are_those_it_would_look_up(
    botu_store: Store, catalogue: dict[str, Wijk]
) -> None:
    from abcd.assets import _areas_of_draft, prepare_drafts
    from abcd.permissions import CLI_USER

    drafts = [make_draft(name=f"Club {k}", lon=INSIDE_BOTU[0] + k * 0.002) for k in range(5)]
    places = exchange._Places(catalogue)
    found = places.areas(drafts)
    assert found is not None
    assert [_areas_of_draft(botu_store, catalogue, d) for d in drafts] == [
        _areas_of_draft(botu_store, catalogue, d, f) for d, f in zip(drafts, found, strict=True)
    ]
    assert prepare_drafts(botu_store, catalogue, drafts, user=CLI_USER, memberships=found) == prepare_drafts(
        botu_store, catalogue, drafts, user=CLI_USER
    )
    assert exchange._Places({BOTU: catalogue[BOTU]}).areas(drafts) is None  # a plain mapping: per point


# ------------------------------------------------------- the bulk insert
def raw_rows(db: Database, table: str) -> list[tuple[tuple[type, Any], ...]]:
    """Every row of ``table`` as the driver returns it, each value with its type (1 and True differ here)."""
    with db.read() as conn:
        rows = conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1").all()
    return [tuple((type(v), v) for v in row) for row in rows]


def insert_as_before(conn: Any, kind: RecordKind[Any], records: Sequence[Any], *, by: str, now: dt.datetime) -> None:
    """What :meth:`RecordKind.insert` did before it wrote straight to the driver: SQLAlchemy, row dicts."""
    conn.execute(insert(kind.table), [kind.to_row(r) for r in records])
    conn.execute(insert(kind.history), [kind.history_row(r, "create", old=None, by=by, now=now) for r in records])


def varied_drafts() -> list[AssetDraft]:
    lon, lat = INSIDE_BOTU
    return [
        make_draft(name="Naaiclub"),
        make_draft(name="Moestuin", category="initiative", themes="groen, zwerfvuil", resident_led="nee"),
        make_draft(name="Huiskamer", category="meeting_place", meeting_place_role="resident", contact="06-1"),
        make_draft(name="Speeltuin", category="place", area=POLYGON_IN_BOTU, description="Één\nregel"),
        make_draft(name="Bakker 'De Hoek'", category="business", last_confirmed="2026-01-05", lon=lon + 1e-7),
        make_draft(name="Oud", category="association", lat=lat - 0.0, osm_id="node/12"),
    ]


def test_the_bulk_insert_writes_what_the_row_by_row_insert_wrote(tmp_path: Path) -> None:
    now = utcnow()
    assets = [ASSETS.new(d, str(uuid.uuid4()), by="ans", now=now) for d in varied_drafts()]
    stores = [Store.open(f"sqlite:///{tmp_path}/{name}.db") for name in ("before", "now")]
    with stores[0].db.write() as conn:
        insert_as_before(conn, ASSETS, assets, by="ans", now=now)
    with stores[1].db.write() as conn:
        ASSETS.insert(conn, assets, by="ans", now=now)
    for table in ("assets", "asset_history"):
        assert raw_rows(stores[1].db, table) == raw_rows(stores[0].db, table), table
    assert [stores[1].get(a.id) for a in assets] == assets
    for store in stores:
        store.close()


def test_new_assets_are_what_record_kind_new_makes_of_their_drafts(botu_store: Store) -> None:
    now = utcnow()
    drafts = [*varied_drafts(), make_draft(name="Met id", id=str(uuid.uuid4()))]
    with botu_store.db.write() as conn:
        created = _insert_new(conn, drafts, by="ans", now=now)
    today = local_time(now).date()
    assert created == [
        ASSETS.new(d if d.last_confirmed else dataclasses.replace(d, last_confirmed=today), a.id, by="ans", now=now)
        for d, a in zip(drafts, created, strict=True)
    ]
    assert created[-1].id == drafts[-1].id and len({a.id for a in created}) == len(created)
    assert [botu_store.get(a.id) for a in created] == created


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=12),
            st.sampled_from(list(Mood)),
            st.one_of(st.none(), st.booleans()),
            st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
            st.integers(min_value=-(2**31), max_value=2**31),
            st.one_of(st.none(), st.dates()),
            st.frozensets(st.sampled_from(["groen", "spelen", "eten"])),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_every_kind_of_value_is_stored_as_the_row_by_row_insert_stored_it(values: list[tuple[Any, ...]]) -> None:
    # The record type of tests/test_records.py: one field of every kind a column holds (-0.0 and 0.0 included).
    meta = MetaData()
    table = schema.versioned_table("notes", Column("id", String(36), primary_key=True), NoteFields, meta=meta)
    history = schema.history_table("note_history", Column("note_id", String(36), nullable=False), meta=meta)
    kind: RecordKind[Note] = RecordKind(Note, table, history, history_key="note_id", name_of=lambda n: n.title)
    now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    notes = [
        kind.new(
            a_note(
                title=t,
                mood=m,
                active=a,
                weight=w,
                count=c,
                day=d,
                tags=tags,
                shape=None if k % 2 else shapely.Point(k, 1),
            ),
            f"n{k}",
            by="ans",
            now=now + dt.timedelta(seconds=k % 2),
        )
        for k, (t, m, a, w, c, d, tags) in enumerate(values)
    ]
    dbs = [Database.open("sqlite://"), Database.open("sqlite://")]
    for db in dbs:
        meta.create_all(db.engine)
    with dbs[0].write() as conn:
        for note in notes:  # records of one insert share a time; here each its own, to test the memo
            insert_as_before(conn, kind, [note], by="ans", now=note.created_at)
    with dbs[1].write() as conn:
        for note in notes:
            kind.insert(conn, [note], by="ans", now=note.created_at)
    for name in ("notes", "note_history"):
        assert raw_rows(dbs[1], name) == raw_rows(dbs[0], name)
    for db in dbs:
        db.close()


def test_values_encoded_once_per_distinct_value_are_each_values_encoding() -> None:
    now = utcnow()
    assets = [ASSETS.new(d, str(uuid.uuid4()), by="ans", now=now) for d in varied_drafts()]
    for attribute in ASSETS._written:
        values = [getattr(a, attribute.field) for a in assets]
        assert _encoded(attribute.codec.to_db, values) == [attribute.codec.to_db(v) for v in values], attribute.field
        assert _encoded(attribute.codec.to_json, values) == [attribute.codec.to_json(v) for v in values]
    # Equal moments in other zones are one value to the memo: the codec writes both as the same UTC text.
    amsterdam = dt.timezone(dt.timedelta(hours=1))
    moments = [dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC), dt.datetime(2026, 1, 1, 13, tzinfo=amsterdam), None]
    assert _encoded(lambda m: None if m is None else iso_utc(m), moments) == [iso_utc(moments[0])] * 2 + [None]
    # Numbers and flags are never remembered: 0.0 and -0.0, 1 and True are equal but written apart.
    assert _encoded(str, [0.0, -0.0, 1, True, 1.0]) == ["0.0", "-0.0", "1", "True", "1.0"]
    assert _encoded(repr, [frozenset({"b"}), Mood.GOOD, frozenset({"b"}), None]) == [
        "frozenset({'b'})",
        repr(Mood.GOOD),
        "frozenset({'b'})",
        "None",
    ]


@pytest.mark.parametrize("paramstyle", ["qmark", "named", "numeric"])
def test_insert_rows_speaks_the_drivers_parameter_style(paramstyle: str) -> None:
    meta = MetaData()
    table = Table("t", meta, Column("key", String, primary_key=True), Column("value", String))
    db = Database(create_engine("sqlite://", paramstyle=paramstyle))
    meta.create_all(db.engine)
    with db.write() as conn:
        insert_rows(conn, table, ["key", "value"], [("a", "één"), ("b", None)])
        insert_rows(conn, table, ["value", "key"], [["x", "c"]])  # any sequences, values in the columns' order
        insert_rows(conn, table, ["key"], [])
    with db.read() as conn:
        assert conn.exec_driver_sql("SELECT key, value FROM t ORDER BY key").all() == [
            ("a", "één"),
            ("b", None),
            ("c", "x"),
        ]
    db.close()


def test_a_nul_in_any_row_of_a_bulk_insert_stores_nothing(botu_store: Store) -> None:
    drafts = [make_draft(name=f"Club {k}") for k in range(3)]
    drafts[2] = dataclasses.replace(drafts[2], description="na\x00tekst")
    with pytest.raises(ValidationError) as caught:
        botu_store.import_many(drafts, by="ans")
    assert caught.value.key == "error.nul_char"
    assert botu_store.count_assets() == 0


def test_new_ids_are_random_uuids_as_new_asset_id_makes_them() -> None:
    ids = _new_ids(2000)
    assert len(set(ids)) == 2000 and _new_ids(0) == []
    for value in ids[:200]:
        parsed = uuid.UUID(value)
        assert str(parsed) == value and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_an_import_places_every_asset_in_the_areas_its_point_lies_in(
    botu_store: Store, catalogue: dict[str, Wijk], tmp_path: Path
) -> None:
    # Points in and around BoTu, placed by their location alone: each asset is in every catalogue area it lies in.
    assert isinstance(catalogue, Catalogue)
    rng = np.random.default_rng(5)
    minx, miny, maxx, maxy = catalogue[BOTU].boundary.bounds
    lines = ["name,category,lon,lat"] + [
        f"Plek {k},place,{x:.7f},{y:.7f}"
        for k, (x, y) in enumerate(zip(rng.uniform(minx, maxx, 150), rng.uniform(miny, maxy, 150), strict=True))
    ]
    path = tmp_path / "plekken.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = exchange.import_assets(botu_store, path, catalogue=catalogue, wijken_dir=WIJKEN_DIR, by="ans")
    assert result.created == 150
    stored = botu_store.list_assets()
    areas = botu_store.areas_of([a.id for a in stored])
    for asset in stored:
        assert areas[asset.id] == set(catalogue.index.areas_at(asset.lon, asset.lat)), asset.name
    assert {len(a) for a in areas.values()} >= {3, 4}  # in BoTu, its buurt, wijk and gemeente; or outside BoTu


# ------------------------------------------------------------ duplicates
def brute_force_pairs(drafts: Sequence[AssetDraft], live: Sequence[Asset]) -> set[tuple[int, Any, int]]:
    """Every suspected pair by the rule, pair by pair: (draft, stored id or earlier row, metres)."""
    here = np.column_stack(to_rd().transform([d.lon for d in drafts], [d.lat for d in drafts]))
    there = np.column_stack(to_rd().transform([a.lon for a in live], [a.lat for a in live])) if live else here[:0]
    found = set()
    for i, draft in enumerate(drafts):
        others: list[tuple[Any, AssetDraft | Asset, Any]] = [(a.id, a, there[j]) for j, a in enumerate(live)]
        others += [(("row", j), drafts[j], here[j]) for j in range(i)]
        for key, other, xy in others:
            distance = float(np.hypot(*(here[i] - xy)))
            if distance > RADIUS_M or (draft.category is Category.PERSON) != (other.category is Category.PERSON):
                continue
            if names_match(draft.name, other.name, same_category=draft.category is other.category):
                found.add((i, key, round(distance)))
    return found


NAMES = ["Moestuin", "Moestuin 2", "Speeltuin 1", "Speeltuin 2", "Buurthuis", "Buurthuys", "De Koor", "Koor", "Café 3"]
item = st.tuples(
    st.sampled_from(NAMES),
    st.sampled_from([Category.PLACE, Category.INITIATIVE, Category.PERSON]),
    st.integers(0, 120),
    st.integers(0, 120),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(item, min_size=1, max_size=30), st.integers(min_value=0, max_value=30))
def test_the_spatial_join_finds_exactly_the_pairs_the_rule_names(
    items: list[tuple[str, Category, int, int]], cut: int
) -> None:
    # Spread over 120 m: some pairs within 50 m, some not; numbered names, residents, stored assets and new rows.
    x0, y0 = to_rd().transform(*INSIDE_BOTU)
    base = make_draft()
    drafts = []
    for name, category, east, north in items:
        lon, lat = from_rd().transform(x0 + east, y0 + north)
        drafts.append(dataclasses.replace(base, name=name, category=category, lon=float(lon), lat=float(lat)))
    now = utcnow()
    live = [ASSETS.new(d, f"id{k}", by="ans", now=now) for k, d in enumerate(drafts[:cut])]
    new = drafts[cut:]
    found = {(s.draft, s.existing_id or ("row", s.earlier), s.distance_m) for s in find_duplicates(new, live)}
    assert found == brute_force_pairs(new, live)


def test_numbered_names_close_together_are_not_compared_pair_by_pair() -> None:
    # 3,000 numbered places within a few metres of each other: only the two with the same number are a pair.
    x0, y0 = to_rd().transform(*INSIDE_BOTU)
    base = make_draft()
    lons, lats = from_rd().transform(x0 + np.arange(3000) % 7, y0 + np.arange(3000) % 5)
    drafts = [
        dataclasses.replace(base, name=f"Buurt {k:05d}", lon=float(lon), lat=float(lat))
        for k, (lon, lat) in enumerate(zip(lons, lats, strict=True))
    ]
    drafts.append(dataclasses.replace(base, name="Buurt 00007"))
    assert [(s.draft, s.earlier) for s in find_duplicates(drafts, [])] == [(3000, 7)]


def test_ties_at_one_distance_come_in_one_order() -> None:
    base = make_draft(name="Koor")
    now = utcnow()
    live = [ASSETS.new(base, i, by="ans", now=now) for i in ("b-id", "c-id", "a-id")]
    assert [s.existing_id for s in find_duplicates([base], live)] == ["a-id", "b-id", "c-id"]
