"""The project's documents say what is true: the licence is complete, and the documented habits are what make runs."""

from __future__ import annotations

import hashlib
import re
import tomllib

from tests.helpers import ROOT

# SHA-256 of licenses/EUPL-1.2.json "licenseText" in the npm package spdx-license-list 6.12.0
# (the SPDX License List's text of the official English EUPL-1.2).
EUPL_SHA256 = "d126070e53a97387b339cc1b4c794e9bc134df061d6cb5ab37cef0bfe986228a"


def makefile_recipe(target: str) -> tuple[str, list[str]]:
    """The prerequisites line and the commands of ``target`` in the Makefile."""
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    commands = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        commands.append(line.strip())
    return lines[start], commands


def test_the_licence_is_the_complete_eupl_1_2() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert hashlib.sha256(text.rstrip("\n").encode("utf-8")).hexdigest() == EUPL_SHA256
    assert text.startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2\nEUPL © the European Union 2007, 2016")
    headings = re.findall(r"^(\d+)\.\s?[A-Z]", text, flags=re.MULTILINE)
    assert headings == [str(n) for n in range(1, 16)]  # all fifteen articles
    assert "Appendix" in text and "Québec Free and Open-Source Licence" in text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "EUPL-1.2"
    assert project["license-files"] == ["LICENSE"]


def test_make_test_runs_the_habits_before_the_tests() -> None:
    prerequisites, commands = makefile_recipe("test")
    assert "lint" in prerequisites.split()
    assert commands == ["$(BIN)/python -m pytest"]
    _, lint = makefile_recipe("lint")
    assert lint == ["$(BIN)/ruff format --check $(LINTED)", "$(BIN)/ruff check $(LINTED)", "$(BIN)/mypy"]
    linted = re.search(r"^LINTED := (.+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert linted is not None
    assert linted.group(1).split() == ["abcd", "app.py", "server.py", "app_pages", "tests", "bench", "notebooks"]
    assert "exec make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_contributing_describes_what_make_test_runs() -> None:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for needle in (
        "ruff format --check",
        "ruff check",
        "mypy",
        "AppTest",
        "chromium",
        "PostgreSQL",
        "tests/test_package.py",
        "tests/test_notebooks.py",
        "duplicates --change",
        "app_pages/<url_path>.py",
        "abcd/migrations/versions/",
        "README.md#translating-abcd",
    ):
        assert needle in text, needle


def test_the_documents_link_each_other() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("CONTRIBUTING.md", "CHANGELOG.md", "LICENSE"):
        assert f"]({name})" in readme, name
        assert (ROOT / name).is_file(), name
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    assert "keepachangelog.com" in changelog
