"""The shipped files are found at the top level in a checkout and inside the package in a wheel."""

from __future__ import annotations

from pathlib import Path

import pytest

from abcd import resources
from abcd.config import settings_from_env
from abcd.maps import VENDOR_DIR
from tests.helpers import ROOT, WIJKEN_DIR


def test_a_checkout_uses_its_top_level_folders() -> None:
    assert resources.checkout_root() == ROOT
    assert resources.shipped_dir("wijken") == WIJKEN_DIR
    assert resources.shipped_dir("vendor") == ROOT / "static" / "vendor" == VENDOR_DIR
    assert not (resources.PACKAGE_DIR / "_data").exists()  # git keeps each file once


def test_a_checkout_keeps_its_defaults_in_data() -> None:
    settings = settings_from_env({})
    assert settings.database_url == f"sqlite:///{ROOT / 'data' / 'abcd.db'}"
    assert settings.wijken_dir == WIJKEN_DIR


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Pretend to be an installed wheel: the package has its own ``_data`` folder."""
    package = tmp_path / "site-packages" / "abcd"
    (package / "_data" / "wijken").mkdir(parents=True)
    monkeypatch.setattr(resources, "PACKAGE_DIR", package)
    monkeypatch.setattr(resources, "_PACKAGED", package / "_data")
    return package


def test_a_wheel_uses_the_folders_inside_the_package(installed: Path) -> None:
    assert resources.checkout_root() is None
    assert resources.shipped_dir("wijken") == installed / "_data" / "wijken"
    assert resources.shipped_dir("vendor") == installed / "_data" / "vendor"


def test_a_wheel_keeps_its_database_in_the_working_directory(
    installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # site-packages is replaced by an upgrade and may be read-only: never put the database there.
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    settings = settings_from_env({})
    assert settings.database_url == f"sqlite:///{work / 'data' / 'abcd.db'}"
    assert settings.wijken_dir == installed / "_data" / "wijken"
    assert settings_from_env({"ABCD_WIJKEN_DIR": "/elders"}).wijken_dir == Path("/elders")
