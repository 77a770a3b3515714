"""A command loads only what it needs: measured in a fresh interpreter, by what lands in ``sys.modules``."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

DATABASE = {"sqlalchemy", "alembic", "abcd.db", "abcd.store", "abcd.schema", "abcd.versioned"}
HEAVY = {"pandas", "geopandas", "folium", "pyogrio", "scipy", "matplotlib", "reportlab", "streamlit", "babel"}


def loaded_after(code: str, tmp_path: Path) -> set[str]:
    """Top modules and ``abcd`` modules loaded by running ``code`` in a new Python process."""
    probe = (
        "import json, sys\n"
        f"{code}\n"
        "names = {m.split('.')[0] for m in sys.modules} | {m for m in sys.modules if m.startswith('abcd')}\n"
        "print('MODULES=' + json.dumps(sorted(names)))\n"
    )
    env = {"ABCD_DATABASE_URL": f"sqlite:///{tmp_path}/abcd.db", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, check=True
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES=")))


def test_importing_the_command_loads_no_database_and_no_frames(tmp_path: Path) -> None:
    loaded = loaded_after("import abcd.cli", tmp_path)
    assert "abcd.cli" in loaded  # the probe itself works
    assert loaded & (DATABASE | HEAVY) == set()


def test_help_loads_no_database(tmp_path: Path) -> None:
    loaded = loaded_after(
        "from abcd.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass", tmp_path
    )
    assert loaded & (DATABASE | HEAVY) == set()


def test_the_gap_map_of_files_loads_no_database(tmp_path: Path) -> None:
    streets = tmp_path / "streets.geojson"
    streets.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "Gijsingstraat"},
                        "geometry": {"type": "LineString", "coordinates": [[4.440, 51.910], [4.442, 51.910]]},
                    }
                ],
            }
        )
    )
    assets = tmp_path / "initiatives.geojson"
    assets.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": {"type": "Point", "coordinates": [4.441, 51.9101]},
                    }
                ],
            }
        )
    )
    out = tmp_path / "gaps.csv"
    loaded = loaded_after(
        f"from abcd.cli import main\nassert main(['gaps', '--streets', {str(streets)!r}, '--assets', "
        f"{str(assets)!r}, '--out', {str(out)!r}]) == 0",
        tmp_path,
    )
    assert out.read_text(encoding="utf-8").count("Gijsingstraat") == 1  # it really ran
    assert "abcd.gaps._straight" in loaded  # the analysis is loaded ...
    assert loaded & DATABASE == set()  # ... the database layer is not
    # ... and neither is scipy: straight-line counting needs no KD-tree, and importing
    # scipy.spatial would cost about 0.3-0.5 s of the command's start-up (network mode loads it).
    assert "scipy" not in loaded


@pytest.mark.parametrize("module", ["abcd.portrait.report", "abcd.portrait.poster", "abcd.portrait.static_map"])
def test_printed_documents_load_no_web_map(module: str, tmp_path: Path) -> None:
    loaded = loaded_after(f"import {module}", tmp_path)
    assert module in loaded
    assert {"folium", "branca", "streamlit"} & loaded == set()


def test_nothing_builds_a_projection_at_import() -> None:
    """No module-level statement in ``abcd/`` calls pyproj (a CRS or Transformer is built on first use)."""
    offenders = []
    for path in sorted((ROOT / "abcd").rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
                continue
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and "from_crs" in ast.unparse(call.func) + ast.unparse(call):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
                if isinstance(call, ast.Call) and ast.unparse(call.func).startswith(("CRS", "Transformer")):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
