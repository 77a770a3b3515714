"""``abcd photo add|get|list|remove`` and ``abcd person erase`` with photos, through the command line."""

from __future__ import annotations

import io
import random
import stat
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from PIL import Image

from abcd.assets import add_asset
from abcd.cli import main as cli_main
from abcd.model import Asset
from abcd.permissions import CLI_USER
from abcd.photos.register import count_photos, get_photo, photo_info, photos_of
from abcd.store import Store
from abcd.wijken import Wijk
from tests.helpers import BOTU, PERSON_CONSENT, WIJKEN_DIR


@pytest.fixture
def cli_store(cli_env: Path, catalogue: dict[str, Wijk], botu: Wijk, botu_streets: gpd.GeoDataFrame) -> Iterator[Store]:
    """The command line's database with BoTu onboarded (no examples)."""
    store = Store.open(f"sqlite:///{cli_env}")
    store.save_wijk(botu.record(), botu_streets.copy())
    yield store
    store.close()


def _asset(store: Store, catalogue: dict[str, Wijk], name: str, category: str) -> Asset:
    raw: dict[str, object] = {"name": name, "category": category, "lon": 4.4405, "lat": 51.9120, "wijk": BOTU}
    if category == "person":
        raw.update(PERSON_CONSENT)
    return add_asset(store, catalogue, raw, wijken_dir=WIJKEN_DIR, user=CLI_USER)


def _photo_file(folder: Path, seed: int, size: tuple[int, int] = (640, 480)) -> Path:
    """A phone-like JPEG with GPS in its EXIF and pixels no other test has."""
    pixels = Image.frombytes("RGB", size, random.Random(seed).randbytes(size[0] * size[1] * 3))
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 54.0, 39.1234)
    path = folder / f"foto-{seed}.jpg"
    pixels.save(path, "JPEG", quality=95, exif=exif)
    return path


def test_add_prints_the_id_alone_and_get_writes_the_stored_jpeg(
    cli_store: Store, catalogue: dict[str, Wijk], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garden = _asset(cli_store, catalogue, "Buurttuin", "place")
    source = _photo_file(tmp_path, seed=1)
    capsys.readouterr()
    assert cli_main(["photo", "add", garden.id, str(source), "--by", "ans"]) == 0
    out = capsys.readouterr().out
    photo_id = out.strip()
    assert out == f"{photo_id}\n" and len(photo_id) == 36
    assert photo_info(cli_store, photo_id).created_by == "ans"

    target = tmp_path / "uit" / "foto.jpg"
    assert cli_main(["photo", "get", photo_id, str(target)]) == 0
    written = target.read_bytes()
    assert written == get_photo(cli_store, photo_id) and written != source.read_bytes()
    assert b"Exif" not in written and not Image.open(io.BytesIO(written)).getexif()

    assert cli_main(["photo", "add", garden.id, str(_photo_file(tmp_path, seed=2, size=(200, 100)))]) == 0
    second = capsys.readouterr().out.strip()
    assert cli_main(["photo", "list", garden.id]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:3] for line in lines] == [[photo_id, "640x480", "-"], [second, "200x100", "-"]]

    assert cli_main(["photo", "remove", photo_id]) == 0
    assert photo_id in capsys.readouterr().out
    assert [p.id for p in photos_of(cli_store, [garden.id])[garden.id]] == [second]
    assert cli_main(["photo", "get", photo_id, str(target)]) == 2
    assert capsys.readouterr().err.strip() == f"Er is geen foto {photo_id!r}."


def test_a_photo_with_people_takes_their_consent_on_the_command_line(
    cli_store: Store, catalogue: dict[str, Wijk], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garden = _asset(cli_store, catalogue, "Buurttuin", "place")
    source = _photo_file(tmp_path, seed=3)
    capsys.readouterr()
    assert cli_main(["photo", "add", garden.id, str(source), "--people"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "doel" in err  # the purpose is required
    assert cli_main(["photo", "add", garden.id, str(source), "--people", "--under-16", "--consent-purpose", "x"]) == 2
    assert "ouder" in capsys.readouterr().err  # a child needs a parent's consent
    assert count_photos(cli_store) == 0
    args = ["photo", "add", garden.id, str(source), "--people", "--consent-purpose", "foto op de kaart", "--by", "ans"]
    assert cli_main(args) == 0
    photo = photo_info(cli_store, capsys.readouterr().out.strip())
    assert photo.shows_people and photo.consent is not None
    assert (photo.consent.purpose, photo.consent.recorded_by) == ("foto op de kaart", "ans")
    target = tmp_path / "mensen.jpg"
    assert cli_main(["photo", "get", photo.id, str(target)]) == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # people on it: readable by its owner only


def test_bad_files_and_ids_exit_2_with_one_line(
    cli_store: Store, catalogue: dict[str, Wijk], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garden = _asset(cli_store, catalogue, "Buurttuin", "place")
    text = tmp_path / "notities.jpg"
    text.write_text("geen foto", encoding="utf-8")
    cases = [
        (["photo", "add", garden.id, str(text)], "geen foto die abcd kan lezen"),
        (["photo", "add", garden.id, str(tmp_path / "weg.jpg")], "niet gevonden"),
        (["photo", "add", "00000000-0000-4000-8000-000000000099", str(_photo_file(tmp_path, 4))], "Geen asset"),
        (["photo", "remove", "00000000-0000-4000-8000-000000000098"], "geen foto"),
    ]
    capsys.readouterr()
    for argv, expected in cases:
        assert cli_main(argv) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and expected in err, (argv, err)
    assert count_photos(cli_store) == 0


def test_person_erase_leaves_no_photo_bytes_in_the_database_file(
    cli_store: Store, cli_env: Path, catalogue: dict[str, Wijk], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    resident = _asset(cli_store, catalogue, "Fatima", "person")
    garden = _asset(cli_store, catalogue, "Buurttuin", "place")
    assert cli_main(["photo", "add", resident.id, str(_photo_file(tmp_path, seed=5))]) == 0
    theirs = capsys.readouterr().out.strip()
    assert cli_main(["photo", "add", garden.id, str(_photo_file(tmp_path, seed=6))]) == 0
    stored, thumbnail = get_photo(cli_store, theirs), photo_info(cli_store, theirs).thumbnail
    markers = [data[k : k + 48] for data in (stored, thumbnail) for k in range(len(data) // 4, len(data) - 48, 500)]

    def database() -> bytes:
        return b"".join(p.read_bytes() for p in cli_env.parent.glob(cli_env.name + "*"))

    assert any(m in database() for m in markers)
    assert cli_main(["person", "erase", resident.id]) == 0
    data = database()
    assert not any(m in data for m in markers)
    assert count_photos(cli_store) == 1 and count_photos(cli_store, resident.id) == 0
