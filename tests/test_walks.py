"""The walk log: GPX and recorded tracks, the street rule on real BoTu streets, storage, privacy and retention."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString
from sqlalchemy import func, select

from abcd import schema
from abcd.config import settings_from_env
from abcd.errors import AbcdError, ImportFileError, ValidationError
from abcd.freshness import months_before
from abcd.i18n.formats import local_today
from abcd.permissions import PermissionDeniedError, Role, User
from abcd.store import Store
from abcd.walks import register
from abcd.walks.streets import (
    street_keys,
    walked_class,
    walked_segments,
    walked_streets,
    with_last_walked,
)
from abcd.walks.tracks import MAX_ACCURACY_M, read_gpx, track_from_positions
from abcd.wijken import Wijk, ensure_wijk
from tests.helpers import BOTU, ROOT, WIJKEN_DIR

WALK_GPX = ROOT / "tests" / "data" / "botu_walk.gpx"
BUILDER = User("ans", Role.BUILDER, frozenset({BOTU}))
ELSEWHERE = User("piet", Role.BUILDER, frozenset({"wijk-delfshaven-elders"}))
COORDINATOR = User("coordinator", Role.COORDINATOR)
OFFICER = User("gemeente", Role.OFFICER)
TO_WGS84 = pyproj.Transformer.from_crs(28992, 4326, always_xy=True)
T0 = 1_780_000_000_000  # a moment in 2026, in ms


def gpx(tmp_path: Path, body: str, name: str = "walk.gpx") -> Path:
    path = tmp_path / name
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">{body}</gpx>\n',
        encoding="utf-8",
    )
    return path


def trkpt(lat: float, lon: float, time: str | None = None) -> str:
    when = f"<time>{time}</time>" if time else ""
    return f'<trkpt lat="{lat}" lon="{lon}">{when}</trkpt>'


def rd_positions(xy: list[tuple[float, float]], *, every_s: float = 5.0, accuracy: float | None = 5.0) -> list[list]:
    """Recorder positions ([time_ms, lon, lat, accuracy]) at RD New points, one every ``every_s`` seconds."""
    out = []
    for i, (x, y) in enumerate(xy):
        lon, lat = TO_WGS84.transform(x, y)
        out.append([T0 + int(i * every_s * 1000), lon, lat, accuracy])
    return out


def along(start: tuple[float, float], end: tuple[float, float], step: float = 5.0) -> list[tuple[float, float]]:
    """Points every ``step`` metres from ``start`` to ``end`` (RD New)."""
    n = max(1, round(np.hypot(end[0] - start[0], end[1] - start[1]) / step))
    return [(start[0] + (end[0] - start[0]) * k / n, start[1] + (end[1] - start[1]) * k / n) for k in range(n + 1)]


def recent_copy(tmp_path: Path, day: date | None = None) -> Path:
    """The BoTu walk dated ``day`` (default: yesterday), so retention never catches it as the years go by."""
    day = day or (datetime.now(UTC) - timedelta(days=1)).date()
    text = re.sub(r"\d{4}-\d{2}-\d{2}T", f"{day.isoformat()}T", WALK_GPX.read_text(encoding="utf-8"))
    path = tmp_path / "walk.gpx"
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- reading tracks


def test_a_gpx_track_reads_as_one_line_with_its_times() -> None:
    track = read_gpx(WALK_GPX)
    assert isinstance(track.line, LineString)
    assert track.positions == 51
    assert track.started_at == datetime(2026, 5, 12, 9, 0, tzinfo=UTC)
    assert track.ended_at == datetime(2026, 5, 12, 9, 5, tzinfo=UTC)
    assert 420 < track.length_m < 480  # about 450 m of centre line, with the GPS wobble


def test_segments_stay_apart_and_a_route_is_read_when_there_is_no_track(tmp_path: Path) -> None:
    two = gpx(
        tmp_path,
        "<trk><trkseg>"
        + trkpt(51.9100, 4.4400, "2026-05-01T10:00:00Z")
        + trkpt(51.9101, 4.4401, "2026-05-01T10:00:10Z")
        + "</trkseg><trkseg>"
        + trkpt(51.9110, 4.4410, "2026-05-01T10:05:00Z")
        + trkpt(51.9111, 4.4411, "2026-05-01T10:05:10Z")
        + "</trkseg></trk>",
    )
    track = read_gpx(two)
    assert isinstance(track.line, MultiLineString) and len(track.line.geoms) == 2
    route = gpx(
        tmp_path,
        '<wpt lat="51.9" lon="4.4"/><rte><rtept lat="51.9100" lon="4.4400"/><rtept lat="51.9110" lon="4.4420"/></rte>',
        "route.gpx",
    )
    planned = read_gpx(route)
    assert planned.positions == 2 and planned.started_at is None  # drawn, not walked: taken as drawn, no times
    assert 150 < planned.length_m < 200


@pytest.mark.parametrize(
    ("body", "error", "key"),
    [
        ('<wpt lat="51.91" lon="4.44"/>', ImportFileError, "error.gpx_no_points"),
        (
            "<trk><trkseg>" + trkpt(51.91, 4.44, "2026-05-01T10:00:00Z") + "</trkseg></trk>",
            ValidationError,
            "error.walk_too_short",
        ),
        (
            "<trk><trkseg>" + trkpt(51.91, 4.44) + trkpt(200, 4.44) + trkpt(51.92, 4.45) + "</trkseg></trk>",
            ImportFileError,
            "error.gpx_coordinates",
        ),
    ],
    ids=["no points", "one point", "absurd coordinates"],
)
def test_bad_gpx_files_are_refused_with_a_clear_message(
    tmp_path: Path, body: str, error: type[Exception], key: str
) -> None:
    with pytest.raises(error) as caught:
        read_gpx(gpx(tmp_path, body))
    assert caught.value.key == key  # type: ignore[attr-defined]
    assert "walk.gpx" in caught.value.message("en") or key == "error.walk_too_short"  # type: ignore[attr-defined]


def test_the_absurd_point_is_named(tmp_path: Path) -> None:
    body = "<trk><trkseg>" + trkpt(51.91, 4.44) + trkpt(200, 4.44) + "</trkseg></trk>"
    with pytest.raises(ImportFileError) as caught:
        read_gpx(gpx(tmp_path, body))
    assert caught.value.message("en").startswith("Point 2 of walk.gpx is nowhere on earth (latitude 200")


def test_files_that_are_not_gpx_or_too_big_are_refused(tmp_path: Path) -> None:
    fake = tmp_path / "fake.gpx"
    fake.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(ImportFileError, match="geen GPX-bestand"):
        read_gpx(fake)
    bomb = tmp_path / "bomb.gpx"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
        '<trkpt lat="51.91" lon="4.44"><name>&b;</name></trkpt></trkseg></trk></gpx>',
        encoding="utf-8",
    )
    with pytest.raises(ImportFileError) as caught:
        read_gpx(bomb)
    assert caught.value.key == "error.gpx_not_gpx"
    with pytest.raises(ImportFileError) as caught:
        read_gpx(WALK_GPX, max_bytes=1000)
    assert caught.value.key == "error.file_too_large"
    with pytest.raises(ImportFileError) as caught:
        read_gpx(tmp_path / "walk.geojson")
    assert caught.value.key == "error.file_format"
    empty = tmp_path / "empty.gpx"
    empty.write_bytes(b"")
    with pytest.raises(ImportFileError) as caught:
        read_gpx(empty)
    assert caught.value.key == "error.empty_file"


def test_recorded_positions_drop_inaccurate_fixes_and_glitches_and_cut_at_gaps() -> None:
    street = along((90000.0, 436000.0), (90100.0, 436000.0))  # 21 positions, 5 m and 5 s apart
    positions = rd_positions(street)
    positions[3][3] = MAX_ACCURACY_M + 1  # a fix from cell towers
    positions[10][1] += 0.01  # one jump of 700 m away and back
    track = track_from_positions(positions)
    assert isinstance(track.line, LineString)
    assert track.positions == 19
    assert track.length_m == pytest.approx(100, abs=0.5)
    # The phone slept: 300 m further, 4 minutes later. Not a straight line across the blocks.
    later = rd_positions(along((90400.0, 436000.0), (90450.0, 436000.0)))
    for p in later:
        p[0] += 21 * 5000 + 240_000
    track = track_from_positions(positions + later)
    assert isinstance(track.line, MultiLineString) and len(track.line.geoms) == 2
    assert track.length_m == pytest.approx(150, abs=0.5)
    assert track.ended_at == datetime.fromtimestamp(later[-1][0] / 1000, UTC)
    unknown = rd_positions(street, accuracy=None)  # a browser without an accuracy: kept
    assert track_from_positions(unknown).positions == 21


@pytest.mark.parametrize(
    ("positions", "row"),
    [
        ("not a list", 0),
        ([[T0, 4.44, 51.91, 5], [T0 + 1000, 4.44]], 2),
        ([[T0, 4.44, 51.91, 5], [T0 + 1000, "4.44", 51.91, 5]], 2),
        ([[T0, 4.44, 95.0, 5]], 1),
        ([[T0, float("nan"), 51.91, 5]], 1),
        ([[T0, 4.44, 51.91, True]], 1),
    ],
)
def test_recorded_positions_that_are_not_positions_are_refused(positions: object, row: int) -> None:
    with pytest.raises(ValidationError) as caught:
        track_from_positions(positions)  # type: ignore[arg-type]
    assert caught.value.key == "error.walk_positions" and caught.value.params["row"] == row


def test_a_walk_needs_two_usable_positions() -> None:
    with pytest.raises(ValidationError, match="minstens twee"):
        track_from_positions([[T0, 4.44, 51.91, 5], [T0 + 1000, 4.4401, 51.91, 500]])
    with pytest.raises(ValidationError, match="minstens twee"):
        track_from_positions([])


# --------------------------------------------------------------------------- the street rule


def test_the_rule_on_a_junction_walking_along_counts_crossing_does_not() -> None:
    # A cross of two streets, a court off one and a parallel street, in RD New metres.
    streets = gpd.GeoDataFrame(
        {"name": ["Langestraat", "Langestraat", "Dwarsstraat", "Dwarsstraat", "Hofje", "Verderop"]},
        geometry=[
            LineString([(0, 0), (100, 0)]),
            LineString([(100, 0), (200, 0)]),
            LineString([(100, 0), (100, 100)]),
            LineString([(100, 0), (100, -100)]),
            LineString([(50, 0), (50, 15)]),  # a 15 m court off the long street
            LineString([(0, 60), (200, 60)]),  # parallel, 60 m away
        ],
        crs=28992,
    )
    # On the pavement, 8 m beside the centre line, from end to end.
    walk = LineString([TO_WGS84.transform(x, -8.0) for x in np.arange(-10.0, 211.0, 10.0)])
    assert walked_segments(streets, walk).tolist() == [True, True, False, False, False, False]
    assert walked_streets(streets, walk) == ["Langestraat"]
    # Turning the corner: along half of the first street, then up the cross street.
    corner = LineString([TO_WGS84.transform(x, y) for x, y in [*along((0, 3), (103, 3)), *along((103, 3), (103, 100))]])
    assert walked_segments(streets, corner).tolist() == [True, False, True, False, False, False]
    # Only half of the second piece of Langestraat: half of a 100 m segment is enough.
    half = LineString([TO_WGS84.transform(x, 2.0) for x in np.arange(95.0, 157.0, 5.0)])
    assert walked_segments(streets, half).tolist() == [False, True, False, False, False, False]
    # Less than 30 m of it is not.
    short = LineString([TO_WGS84.transform(x, 2.0) for x in np.arange(95.0, 126.0, 5.0)])
    assert not walked_segments(streets, short).any()


def test_unnamed_segments_are_keyed_as_the_gap_table_names_them() -> None:
    streets = gpd.GeoDataFrame(
        {"name": [None, "Gijsingstraat"], "highway": ["footway", "residential"], "osm_id": ["12", "13"]},
        geometry=[LineString([(0, 0), (100, 0)]), LineString([(0, 50), (100, 50)])],
        crs=28992,
    )
    keys = street_keys(streets)
    assert keys[1] == "Gijsingstraat" and keys[0].startswith("naamloze weg (footway) #")
    dated = with_last_walked(streets, {keys[0]: date(2026, 5, 1)})
    assert dated["last_walked"].tolist() == [date(2026, 5, 1), None]


def test_months_and_classes_count_calendar_months() -> None:
    assert months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
    today = date(2026, 12, 1)
    assert [
        walked_class(d, today) for d in (date(2026, 11, 2), date(2026, 11, 1), date(2026, 9, 2), date(2025, 12, 2))
    ] == ["recent", "months_1_3", "months_1_3", "months_3_12"]
    assert walked_class(date(2025, 12, 1), today) == walked_class(None, today) == "older"


def test_a_gpx_walk_marks_exactly_the_streets_along_the_track(botu_store: Store) -> None:
    # Done when: tests/data/botu_walk.gpx follows Gijsingstraat east to the Van Duylstraat and that north,
    # 6 m to the right of the centre lines with 3 m of wobble, past the end of the Jan Kobellstraat.
    walk = register.import_gpx(botu_store, WALK_GPX, by=BUILDER)
    assert walk.wijk == BOTU and walk.source == "gpx"
    assert walk.streets == ("Gijsingstraat", "Van Duylstraat")
    assert register.last_walked(botu_store, BOTU) == {
        "Gijsingstraat": date(2026, 5, 12),
        "Van Duylstraat": date(2026, 5, 12),
    }
    # The Jan Kobellstraat runs parallel to the Van Duylstraat, some 55 to 60 m west, and starts at a junction
    # the walk went through: not walked.
    streets = botu_store.streets(BOTU).to_crs(28992)
    kobell = streets[streets["name"] == "Jan Kobellstraat"].geometry.union_all()
    duyl = streets[streets["name"] == "Van Duylstraat"].geometry.union_all()
    track = shapely.transform(
        walk.track,
        lambda xy: np.column_stack(
            pyproj.Transformer.from_crs(4326, 28992, always_xy=True).transform(xy[:, 0], xy[:, 1])
        ),
    )
    assert shapely.distance(kobell, track) < 10  # it passes the end of it ...
    start = shapely.Point(90002.9, 436373.4)  # ... and the Jan Kobellstraat lies parallel, this far away
    assert 50 < shapely.distance(start, duyl) < 62
    assert "Jan Kobellstraat" not in register.last_walked(botu_store, BOTU)


# --------------------------------------------------------------------------- storing, privacy, retention


def test_only_those_who_may_record_walks_record_them_where_they_walked(botu_store: Store) -> None:
    track = read_gpx(WALK_GPX)
    for user in (OFFICER, User("publiek", Role.PUBLIC), ELSEWHERE):
        with pytest.raises(PermissionDeniedError):
            register.record_walk(botu_store, BOTU, track, by=user)
    far = track_from_positions(rd_positions(along((120000.0, 487000.0), (120100.0, 487000.0))))  # Amsterdam
    with pytest.raises(ValidationError, match="komt niet in Bospolder-Tussendijken"):
        register.record_walk(botu_store, BOTU, far, by=BUILDER)
    with pytest.raises(ValidationError) as caught:
        register.wijk_of_track(botu_store, far)
    assert caught.value.key == "error.walk_outside" and BOTU in caught.value.message("en")
    assert register.walks_visible_to(botu_store, COORDINATOR) == []


def test_a_walk_goes_to_the_smallest_wijk_and_marks_the_streets_of_every_wijk_it_passes(
    botu_store: Store, catalogue: dict[str, Wijk]
) -> None:
    ensure_wijk(botu_store, catalogue, "tussendijken", WIJKEN_DIR)
    walk = register.import_gpx(botu_store, WALK_GPX, by=COORDINATOR)
    assert walk.wijk == "tussendijken"  # the buurt, not Bospolder-Tussendijken around it
    assert set(register.last_walked(botu_store, "tussendijken")) == {"Gijsingstraat", "Van Duylstraat"}
    assert set(register.last_walked(botu_store, BOTU)) == {"Gijsingstraat", "Van Duylstraat"}


def test_the_day_of_a_walk_is_its_end_in_amsterdam_and_never_after_today(botu_store: Store) -> None:
    late = read_gpx(WALK_GPX)
    evening = type(late)(late.line, late.started_at, datetime(2026, 5, 12, 22, 30, tzinfo=UTC), late.positions)
    assert register.record_walk(botu_store, BOTU, evening, by=BUILDER).walked_on == date(2026, 5, 13)
    future = type(late)(late.line, None, datetime.now(UTC) + timedelta(days=30), late.positions)
    assert register.record_walk(botu_store, BOTU, future, by=BUILDER).walked_on == local_today()
    timeless = type(late)(late.line, None, None, late.positions)
    assert register.record_walk(botu_store, BOTU, timeless, by=BUILDER).walked_on == local_today()


def test_tracks_are_seen_by_builders_of_the_wijk_and_coordinators_only(botu_store: Store) -> None:
    mine = register.import_gpx(botu_store, WALK_GPX, by=BUILDER)
    theirs = register.import_gpx(botu_store, WALK_GPX, by=COORDINATOR)
    assert {w.id for w in register.walks_visible_to(botu_store, BUILDER)} == {mine.id, theirs.id}
    assert [w.id for w in register.walks_visible_to(botu_store, BUILDER, walker="ans")] == [mine.id]
    seen = register.walks_visible_to(botu_store, COORDINATOR, wijk=BOTU, walker="ans")[0]
    assert seen.track.equals_exact(mine.track, 1e-9) and seen.streets == mine.streets
    assert register.walks_visible_to(botu_store, ELSEWHERE) == []  # a builder of another wijk
    for user in (OFFICER, User("publiek", Role.PUBLIC)):
        with pytest.raises(PermissionDeniedError):
            register.walks_visible_to(botu_store, user)
    assert set(register.last_walked(botu_store, BOTU)) == {"Gijsingstraat", "Van Duylstraat"}  # dates: for all


def test_old_walks_are_reduced_to_the_days_of_their_streets(botu_store: Store) -> None:
    track = read_gpx(WALK_GPX)  # walked on 12 May 2026
    old = register.record_walk(botu_store, BOTU, track, by=BUILDER)
    again = register.record_walk(botu_store, BOTU, track, by=COORDINATOR)  # the same day, the same streets
    street = LineString([TO_WGS84.transform(x, y) for x, y in along((90162.8, 435980.0), (90111.8, 435984.0))])
    newer = type(track)(street, None, datetime(2026, 11, 1, 12, tzinfo=UTC), 11)
    recent = register.record_walk(botu_store, BOTU, newer, by=BUILDER)
    assert recent.streets == ("1e Schansstraat",)
    assert register.reduce_old_walks(botu_store, keep_months=12, today=date(2027, 5, 12)) == 0  # one year: kept
    assert register.reduce_old_walks(botu_store, keep_months=12, today=date(2027, 5, 13)) == 2
    assert [w.id for w in register.walks_visible_to(botu_store, COORDINATOR)] == [recent.id]
    assert old.id != again.id
    assert register.last_walked(botu_store, BOTU) == {
        "Gijsingstraat": date(2026, 5, 12),
        "Van Duylstraat": date(2026, 5, 12),
        "1e Schansstraat": date(2026, 11, 1),
    }
    with botu_store.db.read() as conn:
        rows = conn.execute(select(schema.street_walks.c.street, schema.street_walks.c.walk_id)).all()
        walks = conn.execute(select(func.count()).select_from(schema.walks)).scalar_one()
    # What is left of the two old walks is one row per street and day, without a walk: nobody's track.
    assert sorted(rows) == [("1e Schansstraat", recent.id), ("Gijsingstraat", None), ("Van Duylstraat", None)]
    assert walks == 1
    with pytest.raises(ValidationError):
        register.reduce_old_walks(botu_store, keep_months=-1)


def test_streets_by_last_walked_put_never_walked_first(botu_store: Store) -> None:
    track = read_gpx(WALK_GPX)
    register.record_walk(botu_store, BOTU, track, by=BUILDER)
    frame = register.streets_by_last_walked(botu_store, BOTU, today=date(2026, 12, 1))
    assert len(frame) == len(set(street_keys(botu_store.streets(BOTU))))
    assert frame["last_walked"].iloc[0] is None and frame["street"].iloc[-1] == "Van Duylstraat"
    assert frame["last_walked"].iloc[-1] == date(2026, 5, 12)
    within = register.streets_by_last_walked(botu_store, BOTU, not_since_months=6, today=date(2026, 11, 12))
    assert "Gijsingstraat" not in set(within["street"])  # walked 6 months ago to the day: recent enough
    later = register.streets_by_last_walked(botu_store, BOTU, not_since_months=6, today=date(2026, 11, 13))
    assert {"Gijsingstraat", "Van Duylstraat"} <= set(later["street"]) and len(later) == len(frame)


def test_the_retention_comes_from_the_environment() -> None:
    assert settings_from_env({}).walk_retention_months == 12
    assert settings_from_env({"ABCD_WALK_RETENTION_MONTHS": " 6 "}).walk_retention_months == 6
    for bad in ("0", "zes", "-1", "121"):
        with pytest.raises(AbcdError, match="ABCD_WALK_RETENTION_MONTHS"):
            settings_from_env({"ABCD_WALK_RETENTION_MONTHS": bad})


# --------------------------------------------------------------------------- the map


def test_the_map_classes_streets_by_months_and_escapes_what_people_typed(botu_store: Store) -> None:
    from abcd.maps import base_map
    from abcd.maps.walks import WALKED_STYLES, add_walked_legend, track_layers, walked_layers

    streets = gpd.GeoDataFrame(
        {"name": ["<b>Oud</b>", "Nieuw", None]},
        geometry=[LineString([(4.44, 51.91), (4.441, 51.91)])] * 3,
        crs=4326,
    )
    dated = streets.assign(last_walked=[date(2025, 1, 1), date(2026, 11, 20), None])
    m = add_walked_legend(base_map(), lang="en")
    for layer in walked_layers(dated, today=date(2026, 12, 1), lang="en"):
        layer.add_to(m)
    html = m.get_root().render()
    assert html.count('"c":"older"') == 2 and html.count('"c":"recent"') == 1
    assert "&lt;b&gt;Oud&lt;/b&gt;: last walked 1 January 2025" in html and "<b>Oud</b>" not in html
    assert "Nieuw: last walked 20 November 2026" in html and ": last walked never" in html
    for code, style in WALKED_STYLES.items():
        assert style["color"] in html, code
    assert "more than 12 months ago, or never" in html and "less than a month ago" in html
    walk = register.record_walk(
        botu_store, BOTU, read_gpx(WALK_GPX), by=User('<img src=x onerror="alert(1)">', Role.COORDINATOR)
    )
    m = base_map()
    for layer in track_layers([walk], lang="nl"):
        layer.add_to(m)
    drawn = m.get_root().render()
    assert "12 mei 2026, &lt;img src=x onerror=" in drawn and "<img src=x" not in drawn


# --------------------------------------------------------------------------- PostgreSQL


def test_a_walk_is_recorded_listed_and_reduced_on_postgres(botu: Wijk, botu_streets: gpd.GeoDataFrame) -> None:
    from tests.postgres_support import temporary_postgres

    with temporary_postgres() as url:
        store = Store.open(url)
        try:
            store.save_wijk(botu.record(), botu_streets.copy())
            walk = register.import_gpx(store, WALK_GPX, by=BUILDER)
            again = register.import_gpx(store, WALK_GPX, by=COORDINATOR)
            assert walk.streets == again.streets == ("Gijsingstraat", "Van Duylstraat")
            assert [w.id for w in register.walks_visible_to(store, BUILDER, walker="ans")] == [walk.id]
            assert register.reduce_old_walks(store, keep_months=12, today=date(2027, 6, 1)) == 2
            assert register.walks_visible_to(store, COORDINATOR) == []
            assert register.last_walked(store, BOTU) == {
                "Gijsingstraat": date(2026, 5, 12),
                "Van Duylstraat": date(2026, 5, 12),
            }
            with store.db.read() as conn:
                assert conn.execute(select(func.count()).select_from(schema.street_walks)).scalar_one() == 2
        finally:
            store.close()


def test_only_the_part_of_a_track_within_the_wijken_is_kept(botu_store: Store) -> None:
    from abcd.places import rd_geometry

    # From north of BoTu (outside every stored wijk: home, perhaps), south into it, then along the Gijsingstraat.
    points = along((89881.1, 437100.0), (89881.1, 436331.2)) + along((89881.1, 436331.2), (90029.9, 436278.8))[1:]
    track = track_from_positions(rd_positions(points, every_s=4))
    walk = register.record_walk(botu_store, BOTU, track, by=BUILDER)
    assert "Gijsingstraat" in walk.streets
    boundary = rd_geometry(botu_store.get_wijk(BOTU).boundary)
    assert not boundary.buffer(25.5).contains(rd_geometry(track.line))
    assert boundary.buffer(25.5).contains(rd_geometry(walk.track))
    assert 157 < walk.length_m < track.length_m - 200  # the Gijsingstraat is kept, the way from outside is not
    (stored,) = register.walks_visible_to(botu_store, COORDINATOR)
    assert stored.track.equals_exact(walk.track, 1e-9) and stored.length_m == pytest.approx(walk.length_m)
