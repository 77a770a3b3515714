"""Shared fixtures: temporary stores, the real wijk catalogue and a CLI environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest

from abcd.store import Store
from abcd.wijken import Wijk, streets_in, wijk_catalogue
from tests.helpers import BOTU, WIJKEN_DIR


@pytest.fixture(scope="session")
def catalogue() -> dict[str, Wijk]:
    """The catalogue built from the shipped open data in ``data/wijken``."""
    return wijk_catalogue(WIJKEN_DIR)


@pytest.fixture(scope="session")
def botu(catalogue: dict[str, Wijk]) -> Wijk:
    return catalogue[BOTU]


@pytest.fixture(scope="session")
def botu_streets(botu: Wijk) -> gpd.GeoDataFrame:
    """BoTu's street segments, cut from the city-wide file once per session."""
    return streets_in(botu, WIJKEN_DIR)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/abcd.db"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An empty store in a temporary SQLite file, schema at head."""
    opened = Store.open(db_url)
    yield opened
    opened.close()


@pytest.fixture
def botu_store(store: Store, botu: Wijk, botu_streets: gpd.GeoDataFrame) -> Store:
    """A store with Bospolder-Tussendijken onboarded (boundary, population, streets)."""
    store.save_wijk(botu.record(), botu_streets.copy())
    return store


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the CLI at a fresh database file; Dutch messages; shipped wijk data."""
    db = tmp_path / "cli" / "abcd.db"
    monkeypatch.setenv("ABCD_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.delenv("ABCD_LANG", raising=False)
    monkeypatch.delenv("ABCD_WIJKEN_DIR", raising=False)
    return db
