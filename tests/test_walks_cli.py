"""``abcd walks`` and the gap files' ``last_walked``, run in-process against a temporary database."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString

from abcd import accounts, gaps
from abcd.cli import main
from abcd.gaps.files import GapRun, read_street_csv, street_table, write_gaps
from abcd.permissions import CLI_USER
from abcd.store import Store
from abcd.walks.register import last_walked, walks_visible_to
from abcd.walks.streets import with_last_walked
from tests.helpers import BOTU, ROOT

WALK_GPX = ROOT / "tests" / "data" / "botu_walk.gpx"
YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).date()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def dated(tmp_path: Path, day: date, name: str = "walk.gpx") -> Path:
    """The BoTu walk (Gijsingstraat and Van Duylstraat) as if walked on ``day``."""
    text = re.sub(r"\d{4}-\d{2}-\d{2}T", f"{day.isoformat()}T", WALK_GPX.read_text(encoding="utf-8"))
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def db(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> Store:
    """A database made by ``abcd init`` (BoTu, no examples) with the builder ``ans``."""
    assert main(["init", "--no-examples"]) == 0
    store = Store.open(f"sqlite:///{cli_env}")
    accounts.add_user(store, "ans", role="builder", password="lange-wachtwoord-1", wijken=BOTU)
    capsys.readouterr()
    return store


def test_import_prints_the_streets_then_the_walk_id_and_list_shows_it(
    db: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "walks", "import", str(dated(tmp_path, YESTERDAY)), "--by", "Ans")
    assert (code, err) == (0, "")
    *lines, walk_id = out.splitlines()
    assert lines[0] == f"Wandeling van {YESTERDAY.isoformat()} opgeslagen in {BOTU}; 2 straten gemarkeerd:"
    assert [line.strip() for line in lines[1:]] == ["Gijsingstraat", "Van Duylstraat"]
    (walk,) = walks_visible_to(db, CLI_USER)
    assert walk_id == walk.id and walk.walker == "ans" and walk.source == "gpx"
    code, out, _ = run(capsys, "walks", "list", "--wijk", BOTU)
    assert code == 0
    assert out.split("\t")[:5] == [walk.id, BOTU, "ans", YESTERDAY.isoformat(), "gpx"]
    assert out.rstrip("\n").endswith("\t2")


def test_import_refuses_a_walker_without_an_account_or_the_right(
    db: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = dated(tmp_path, YESTERDAY)
    code, out, err = run(capsys, "walks", "import", str(path), "--by", "niemand")
    assert code == 2 and out == "" and "niemand" in err
    accounts.add_user(db, "gemeente", role="officer", password="lange-wachtwoord-1")
    code, _, err = run(capsys, "walks", "import", str(path), "--by", "gemeente")
    assert code == 2 and "geen rechten" in err
    code, _, err = run(capsys, "walks", "import", str(tmp_path / "missing.gpx"), "--by", "ans")
    assert code == 2 and err.strip()
    assert last_walked(db, BOTU) == {}


def test_streets_lists_never_walked_first_and_reduce_keeps_the_days(
    db: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = YESTERDAY - timedelta(days=400)  # beyond the default 12 months
    assert run(capsys, "walks", "import", str(dated(tmp_path, YESTERDAY, "new.gpx")), "--by", "ans")[0] == 0
    code, out, _ = run(capsys, "walks", "streets", "--wijk", BOTU)
    rows = [line.split("\t") for line in out.splitlines()]
    assert code == 0 and rows[0][1] == "" and rows[-1] == ["Van Duylstraat", YESTERDAY.isoformat()]
    code, out, _ = run(capsys, "walks", "streets", "--wijk", BOTU, "--not-since", "1")
    names = [line.split("\t")[0] for line in out.splitlines()]
    assert code == 0 and "Gijsingstraat" not in names and len(names) == len(rows) - 2
    # An old walk is reduced before anything is shown: by import, list, streets, init and reduce itself.
    code, out, _ = run(capsys, "walks", "import", str(dated(tmp_path, old, "old.gpx")), "--by", "ans")
    assert code == 0
    assert len(walks_visible_to(db, CLI_USER)) == 2
    code, out, _ = run(capsys, "walks", "reduce")
    assert (code, out) == (0, "1 wandeling ouder dan 12 maanden verwijderd; de straten houden hun datum.\n")
    assert len(walks_visible_to(db, CLI_USER)) == 1
    assert last_walked(db, BOTU) == {"Gijsingstraat": YESTERDAY, "Van Duylstraat": YESTERDAY}
    code, out, _ = run(capsys, "walks", "reduce", "--months", "0")
    assert code == 0 and out.startswith("1 wandeling")
    assert walks_visible_to(db, CLI_USER) == [] and set(last_walked(db, BOTU)) == {"Gijsingstraat", "Van Duylstraat"}


def test_a_bad_retention_setting_is_one_line(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ABCD_WALK_RETENTION_MONTHS", "twaalf")
    code, out, err = run(capsys, "walks", "reduce")
    assert code == 2 and out == "" and "ABCD_WALK_RETENTION_MONTHS" in err


def test_gap_files_of_a_stored_wijk_carry_last_walked(
    db: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "walks", "import", str(dated(tmp_path, YESTERDAY)), "--by", "ans")[0] == 0
    csv_out = tmp_path / "botu.csv"
    assert main(["gaps", "--wijk", BOTU, "--out", str(csv_out)]) == 0
    header = csv_out.read_text(encoding="utf-8-sig").splitlines()[0].split(";")
    assert header[-6:] == ["laatst_gelopen", "wijk", "thema", "modus", "afstand_m", "datum"]  # the run stays last
    summary, run_read = read_street_csv(csv_out)
    assert run_read is not None and run_read.wijk == "Bospolder-Tussendijken"
    days = dict(zip(summary["street"], summary["last_walked"], strict=True))
    assert days["Gijsingstraat"] == days["Van Duylstraat"] == YESTERDAY
    assert {s for s, d in days.items() if d is not None} == {"Gijsingstraat", "Van Duylstraat"}  # empty: never
    english = tmp_path / "botu-en.csv"
    assert main(["gaps", "--wijk", BOTU, "--out", str(english), "--lang", "en"]) == 0
    assert "last_walked" in english.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert read_street_csv(english)[0]["last_walked"].tolist() == summary["last_walked"].tolist()
    geojson = tmp_path / "botu.geojson"
    assert main(["gaps", "--wijk", BOTU, "--out", str(geojson)]) == 0
    features = json.loads(geojson.read_text(encoding="utf-8"))["features"]
    walked = {f["properties"]["name"] for f in features if f["properties"]["last_walked"] == YESTERDAY.isoformat()}
    assert walked == {"Gijsingstraat", "Van Duylstraat"}
    assert {f["properties"]["last_walked"] for f in features} == {None, YESTERDAY.isoformat()}


def test_gap_files_of_ones_own_streets_have_no_walks_column(tmp_path: Path) -> None:
    streets = gpd.GeoDataFrame(
        {"name": ["Gijsingstraat", None], "highway": ["residential", "footway"], "osm_id": ["1", "2"]},
        geometry=[LineString([(0, 0), (100, 0)]), LineString([(0, 50), (100, 50)])],
        crs=28992,
    )
    coverage = gaps.street_coverage(streets, streets.iloc[0:0])
    run_ = GapRun("straight", 250.0, date(2026, 11, 22))
    assert "last_walked" not in street_table(coverage, run_, lang="en").columns
    dated_coverage = with_last_walked(coverage, {"Gijsingstraat": date(2026, 11, 1)})
    assert dated_coverage.attrs == coverage.attrs  # the run survives
    table = street_table(dated_coverage, run_, lang="en")
    assert list(table.columns)[8:] == ["last_walked", "wijk", "theme", "mode", "distance_m", "date"]
    assert dict(zip(table["street"], table["last_walked"], strict=True))["Gijsingstraat"] == "2026-11-01"
    assert set(table["last_walked"]) == {"2026-11-01", ""}
    path = tmp_path / "own.csv"
    write_gaps(coverage, path, run=run_)
    summary, _ = read_street_csv(path)
    assert "last_walked" not in summary.columns
