"""The notebooks in ``notebooks/`` run from top to bottom, so they cannot rot, and are committed without outputs.

Each runs in a fresh Python kernel of this environment (``nbclient`` with
``ipykernel``) in a temporary working directory, with a timeout. A notebook
imports ``abcd`` and defines nothing of its own: a function or class it
needs belongs in the library, where it is tested and the pages can use it.
"""

from __future__ import annotations

import ast
import base64
import os
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from tests.helpers import ROOT, botu_street_count

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TIMEOUT_S = 120  # per cell; each notebook takes a few seconds


def read(path: Path) -> Any:
    return nbformat.read(path, as_version=4)


def code_cells(notebook: Any) -> list[Any]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def executed(path: Path, work: Path) -> Any:
    notebook = read(path)
    client = NotebookClient(notebook, timeout=TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": work}})
    client.execute(env=kernel_env())  # raises CellExecutionError, with the cell and its traceback, if a cell fails
    return notebook


def kernel_env() -> dict[str, str]:
    """The kernel's environment, as a user's Jupyter would give it.

    Importing streamlit (which other tests do) sets ``MPLBACKEND=Agg`` in this
    process; a kernel that inherited it would draw charts nowhere.
    """
    return {k: v for k, v in os.environ.items() if k != "MPLBACKEND" and not k.startswith("ABCD_")}


def outputs(notebook: Any) -> list[Any]:
    return [output for cell in code_cells(notebook) for output in cell.outputs]


def text_of(notebook: Any) -> str:
    parts = []
    for output in outputs(notebook):
        if output.output_type == "stream":
            parts.append(output.text)
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
            parts.append(output.data.get("text/html", ""))
    return "\n".join(parts)


def test_there_are_notebooks() -> None:
    names = {p.name for p in NOTEBOOKS}
    assert {"gatenanalyse-bospolder-tussendijken.ipynb", "investeringen-ontmoetingsplekken.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebooks_have_no_outputs(path: Path) -> None:
    # Outputs (maps of hundreds of kB, changing ids) would make every diff unreadable: clear them before committing.
    notebook = read(path)
    nbformat.validate(notebook)
    for cell in code_cells(notebook):
        assert cell.outputs == [], f"{path.name}: clear the outputs (e.g. jupyter nbconvert --clear-output)"
        assert cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_import_abcd_and_define_nothing(path: Path) -> None:
    imported, defined = set(), []
    for cell in code_cells(read(path)):
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                defined.append(getattr(node, "name", "lambda"))
    assert "abcd" in imported
    assert defined == [], f"{path.name} defines {defined}: put it in abcd/ and import it"


def test_the_gap_analysis_notebook_runs_and_draws_an_offline_map(tmp_path: Path) -> None:
    notebook = executed(ROOT / "notebooks" / "gatenanalyse-bospolder-tussendijken.ipynb", tmp_path)
    text = text_of(notebook)
    assert "14950 inwoners" in text
    assert f"{botu_street_count()} straatsegmenten" in text
    assert "(voorbeeld)" in text  # the initiatives shown are the marked examples
    assert "over straat nooit meer dan in rechte lijn / never more: True" in text
    for column in ("share_length_needs_support", "needs_support", "length_needs_support_m"):
        assert column in text
    saved = tmp_path / "gatenkaart-bospolder-tussendijken.html"
    page = saved.read_text(encoding="utf-8")
    assert "Leaflet 1.9.4" in page and "<script src=" not in page  # opens without a server or internet
    assert "Westzeedijk" in page  # a street of the coverage layer
    assert sorted(p.name for p in tmp_path.iterdir()) == [saved.name]  # nothing else is written


def test_the_investment_notebook_runs_and_draws_a_chart(tmp_path: Path) -> None:
    notebook = executed(ROOT / "notebooks" / "investeringen-ontmoetingsplekken.ipynb", tmp_path)
    text = text_of(notebook)
    assert "87 wijken" in text
    assert "voorbeeld: verzonnen bedrag" in text  # every invented amount says so
    assert "50000.00" in text  # 2024: 42,500 to the wijkcentrum + 7,500 to the buurthuisje
    assert "Stadsgemiddelde" in text
    charts = [o.data["image/png"] for o in outputs(notebook) if "data" in o and "image/png" in o.data]
    assert len(charts) == 1
    assert base64.b64decode(charts[0]).startswith(b"\x89PNG")
    assert list(tmp_path.iterdir()) == []  # the database lived in memory
