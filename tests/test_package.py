"""abcd installs as a normal package: the wheel carries data, Leaflet and translations and works without a checkout.

The wheel is built from a copy of the checkout's source files, installed
(not editable) into a fresh virtual environment, and used from a temporary
working directory. To stay fast and offline the fresh environment downloads
nothing: a ``.pth`` file lends it this test environment's installed
dependencies, and the wheel itself is installed with ``--no-deps``.
"""

from __future__ import annotations

import fnmatch
import os
import site
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
# Shipped folders of the checkout and where the wheel puts them (pyproject's package-dir).
MAPPED = {top: name.replace(".", "/") for name, top in SETUPTOOLS["package-dir"].items()}
# Where the translations live once abcd/locale exists (the gettext layout).
LOCALE_GLOBS = ("abcd/locale/*.pot", "abcd/locale/*/LC_MESSAGES/*.po")


def git_files() -> list[str]:
    """The checkout's source files: tracked or new, not ignored, still present."""
    result = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return sorted({name for name in result.stdout.split("\0") if name and (ROOT / name).is_file()})


def run(command: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@dataclass(frozen=True)
class Installed:
    wheel: Path
    names: list[str]
    env: Path
    python: Path
    abcd: Path
    purelib: Path


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """The wheel, built from the checkout and installed non-editable into a fresh venv."""
    tmp = tmp_path_factory.mktemp("package")
    source = tmp / "source"
    for name in git_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((ROOT / name).read_bytes())
    dist = tmp / "dist"
    build = ["wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", "--wheel-dir", dist, source]
    run([sys.executable, "-m", "pip", *build], cwd=tmp)
    (wheel,) = dist.glob("abcd-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()

    env = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    # pip from this environment installs into the fresh one; no index, no dependencies.
    run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel],
        cwd=tmp,
    )
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(env), "platbase": str(env)}))
    assert (purelib / "abcd" / "__init__.py").is_file()
    # Only now lend it the dependencies (a plain path line: the .pth files there, such as
    # the editable abcd's finder, are not run, so the checkout's abcd stays out of reach).
    (purelib / "_abcd_test_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    yield Installed(wheel, names, env, python, env / "bin" / "abcd", purelib)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    return work


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that points back at the checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ABCD_") and k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
    }
    return env | extra


def test_the_listed_packages_are_every_package_of_the_source() -> None:
    # Packages are listed by hand in pyproject.toml (the shipped data needs it): a new
    # sub-package that is not listed would silently be left out of the wheel.
    listed = set(SETUPTOOLS["packages"]) - set(SETUPTOOLS["package-dir"])
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "abcd").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert listed == found


def test_the_package_data_globs_take_the_translations() -> None:
    globs = [f"abcd/{pattern}" for pattern in SETUPTOOLS["package-data"]["abcd"]]
    for example in ("abcd/locale/abcd.pot", "abcd/locale/en/LC_MESSAGES/abcd.po", "abcd/locale/nl/LC_MESSAGES/abcd.po"):
        assert any(fnmatch.fnmatch(example, g) for g in globs), example


def test_the_wheel_holds_the_code_data_leaflet_and_translations(installed: Installed) -> None:
    names = set(installed.names)
    files = git_files()
    expected = {name for name in files if name.startswith("abcd/") and name.endswith(".py")}
    for top, inside in MAPPED.items():
        shipped = [name for name in files if name.startswith(top + "/")]
        assert shipped, top
        expected |= {inside + name.removeprefix(top) for name in shipped}
    expected |= {name for name in files if any(fnmatch.fnmatch(name, g) for g in LOCALE_GLOBS)}
    assert expected - names == set()
    assert "abcd/_data/wijken/SOURCES.md" in names  # the attribution travels with the data
    assert "abcd/_data/vendor/leaflet-1.9.4/leaflet.js" in names
    assert "abcd/_data/vendor/leaflet-1.9.4/LICENSE" in names
    assert "abcd/migrations/script.py.mako" in names
    assert "abcd-0.1.0.dist-info/licenses/LICENSE" in names


def test_the_wheel_holds_nothing_else(installed: Installed) -> None:
    outside = [n for n in installed.names if not n.startswith(("abcd/", "abcd-0.1.0.dist-info/"))]
    assert outside == []  # no tests, notebooks, bench, app pages or top-level data
    assert not [n for n in installed.names if "__pycache__" in n or n.endswith((".pyc", ".db", ".ipynb"))]
    size = installed.wheel.stat().st_size
    assert size < 5_000_000, size


def test_the_fresh_environment_imports_the_installed_abcd(installed: Installed, work: Path) -> None:
    out = run(
        [installed.python, "-c", "import abcd, abcd.maps as m; print(abcd.__file__); print(m.VENDOR_DIR)"],
        cwd=work,
        env=clean_env(),
    )
    module, vendor = (Path(line) for line in out.splitlines())
    assert module == installed.purelib / "abcd" / "__init__.py"  # not the checkout's editable abcd
    assert vendor == installed.purelib / "abcd" / "_data" / "vendor"


def test_the_installed_command_loads_botu_and_exports_an_offline_map(installed: Installed, work: Path) -> None:
    env = clean_env(ABCD_DATABASE_URL=f"sqlite:///{work / 'db' / 'abcd.db'}")
    out = run([installed.abcd, "init", "--no-examples"], cwd=work, env=env)
    assert "Bospolder-Tussendijken" in out
    run([installed.abcd, "export", "map.html"], cwd=work, env=env)
    document = (work / "map.html").read_text(encoding="utf-8")
    assert "Leaflet 1.9.4, a JS library for interactive maps" in document  # inlined from the wheel
    assert "<script src=" not in document
    assert "data:image/png;base64," in document
    assert sorted(p.name for p in work.iterdir()) == ["db", "map.html"]


def test_the_installed_default_database_is_in_the_working_directory(installed: Installed, work: Path) -> None:
    code = "from abcd.config import settings_from_env as s; print(s().database_url); print(s().wijken_dir)"
    url, wijken = run([installed.python, "-c", code], cwd=work, env=clean_env()).splitlines()
    assert url == f"sqlite:///{work / 'data' / 'abcd.db'}"
    assert Path(wijken) == installed.purelib / "abcd" / "_data" / "wijken"
