"""Shared fixtures: temporary stores, the real wijk catalogue and a CLI environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pytest

from abcd.store import Store
from abcd.wijken import Wijk, streets_in, wijk_catalogue
from tests.helpers import BOTU, WIJKEN_DIR

if TYPE_CHECKING:
    from playwright.sync_api import Browser


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


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's chromium for the real-browser tests, one per session (Playwright's sync API allows one loop)."""
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, chromium_available

    if not chromium_available():
        pytest.fail(f"no chromium at {CHROMIUM}: run the suite with `make test`, which installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
