"""Effort plan files, each with the run (total, unit, period, floor, reach, date) in the file itself.

``.csv``
    One row per street (:func:`abcd.effort.plan_streets`) for a work planner,
    in the reader's language, written as :mod:`abcd.gaps.files` writes the gap
    CSV: Dutch headers, ``;`` and a decimal comma in Dutch, ``,`` and a decimal
    point in English, UTF-8 with a byte order mark, CRLF. Amounts have exactly
    two decimals and add up to the total, metres are whole, the index has two
    decimals. The run is repeated in the last nine columns of every row, so a
    spreadsheet can sort and filter the table without losing it.
    :func:`read_plan_csv` reads either language back.
``.geojson``
    Every segment in WGS84 with its properties plus ``length_m``,
    ``initiatives``, ``weight``, ``index``, ``average`` and ``effort``
    (``initiative_ids`` as comma-separated text). The run is the foreign member
    ``"abcd_effort"`` of the FeatureCollection (RFC 7946 section 6.1), which GIS
    tools ignore and :func:`read_plan_run` reads.
"""

from __future__ import annotations

import csv
import io as _io
import tempfile
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from abcd import io
from abcd._formulas import neutralise_formula, restore_formula
from abcd._geojson import read_member, write_with_member
from abcd.effort.plan import (
    SEGMENT_COLUMNS,
    EffortRun,
    Period,
    Unit,
    _hundredths,
    _ids,
    mode_label,
    period_label,
    plan_streets,
    unit_label,
)
from abcd.errors import AbcdError, ImportFileError
from abcd.gaps.files import _whole_metres
from abcd.i18n import LANGUAGES, Lang, t
from abcd.i18n.formats import csv_separator, decimal_mark
from abcd.model import WGS84

OUT_FORMATS: Final = (".geojson", ".csv")
RUN_MEMBER: Final = "abcd_effort"
"""The GeoJSON foreign member that holds the run."""
PLAN_COLUMNS: Final = ("street", "length_m", "initiatives", "average", "effort", "change_vs_average", "index")
RUN_COLUMNS: Final = ("wijk", "theme", "unit", "period", "total", "floor", "mode", "distance_m", "date")
CSV_COLUMNS: Final = (*PLAN_COLUMNS, *RUN_COLUMNS)
"""Columns of the per-street CSV, by their English name; the headers are in the catalogue."""
_HEADER_KEYS: Final = {
    "street": "effort.csv.street",
    "length_m": "effort.csv.length_m",
    "initiatives": "effort.csv.initiatives",
    "average": "effort.csv.average",
    "effort": "effort.csv.effort",
    "change_vs_average": "effort.csv.change_vs_average",
    "index": "effort.csv.index",
    "wijk": "effort.csv.wijk",
    "theme": "effort.csv.theme",
    "unit": "effort.csv.unit",
    "period": "effort.csv.period",
    "total": "effort.csv.total",
    "floor": "effort.csv.floor",
    "mode": "effort.csv.mode",
    "distance_m": "effort.csv.distance_m",
    "date": "effort.csv.date",
}
_AMOUNTS: Final = ("average", "effort", "change_vs_average")
_FILE_COLUMNS: Final = ("length_m", "initiatives", "weight", "index", "average", "effort")


def _headers(lang: Lang) -> list[str]:
    return [t(_HEADER_KEYS[c], lang) for c in CSV_COLUMNS]


def _amount_texts(hundredths: np.ndarray, mark: str) -> list[str]:
    """Whole hundredths as text with exactly two decimals, written from the integers (no float rounding)."""
    return [f"{'-' if h < 0 else ''}{abs(h) // 100}{mark}{abs(h) % 100:02d}" for h in hundredths.tolist()]


def _plain(value: float, mark: str) -> str:
    """A parameter written so it reads back to the same float (``0.5``, ``250``)."""
    text = repr(float(value))
    return (text[:-2] if text.endswith(".0") else text).replace(".", mark)


def _plan_cells(streets: pd.DataFrame, run: EffortRun, lang: Lang) -> list[list[str]]:
    """One list of text cells per column of :data:`CSV_COLUMNS`."""
    mark = decimal_mark(lang)
    n = len(streets)
    cells: dict[str, list[str]] = {
        "street": [str(neutralise_formula(str(v))) for v in streets["street"].to_numpy(dtype=object).tolist()],
        "length_m": _whole_metres(streets["length_m"].to_numpy(dtype=np.float64)),
        "initiatives": [str(v) for v in streets["initiatives"].to_numpy(dtype=np.int64).tolist()],
        "index": [f"{v:.2f}".replace(".", mark) for v in streets["index"].to_numpy(dtype=np.float64).tolist()],
        "wijk": [str(neutralise_formula(run.wijk or ""))] * n,
        "theme": [str(neutralise_formula(run.theme or ""))] * n,
        "unit": [unit_label(run.unit, lang)] * n,
        "period": [period_label(run.period, lang)] * n,
        "total": [f"{run.total:.2f}".replace(".", mark)] * n,
        "floor": [_plain(run.floor, mark)] * n,
        "mode": [mode_label(run.mode, lang)] * n,
        "distance_m": [_plain(run.distance_m, mark)] * n,
        "date": [run.day.isoformat()] * n,
    }
    for column in _AMOUNTS:
        cells[column] = _amount_texts(_hundredths(streets[column]), mark)
    return [cells[c] for c in CSV_COLUMNS]


def plan_csv_bytes(streets: pd.DataFrame, run: EffortRun, *, lang: Lang = "nl") -> bytes:
    """The per-street CSV (see the module docstring) of a table from :func:`abcd.effort.plan_streets`."""
    buffer = _io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=csv_separator(lang), lineterminator="\r\n")
    writer.writerow(_headers(lang))
    writer.writerows(zip(*_plan_cells(streets, run, lang), strict=True))
    return buffer.getvalue().encode("utf-8-sig")


def read_plan_csv(source: Path | str | bytes) -> tuple[pd.DataFrame, EffortRun | None]:
    """A per-street CSV of either language read back: the table (English columns, numbers) and its run.

    Amounts come back as the floats nearest their two-decimal text, so
    ``Decimal(repr(x))`` gives the written amount exactly; the run is ``None``
    for a plan without streets.

    Raises
    ------
    ImportFileError
        When the header is not that of an effort plan in a known language, or
        a cell cannot be read.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    text = data.decode("utf-8-sig")
    separator = ";" if ";" in text.split("\n", 1)[0] else ","
    rows = list(csv.reader(_io.StringIO(text, newline=""), delimiter=separator))
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    lang = next((code for code in LANGUAGES if header == _headers(code)), None)
    if lang is None:
        raise ImportFileError(
            "error.effort_csv_columns", columns=", ".join(header) or "-", expected=", ".join(_headers("nl"))
        )
    mark = decimal_mark(lang)
    try:
        cols = dict(zip(CSV_COLUMNS, zip(*body, strict=True), strict=True)) if body else {}

        def numbers(column: str) -> list[float]:
            return [float(_decimal(v, mark)) for v in cols.get(column, ())]

        table = pd.DataFrame(
            {
                "street": pd.Series([str(restore_formula(v)) for v in cols.get("street", ())], dtype=object),
                "length_m": pd.Series(numbers("length_m"), dtype=np.float64),
                "initiatives": np.array([int(v) for v in cols.get("initiatives", ())], dtype=np.int64),
                **{c: pd.Series(numbers(c), dtype=np.float64) for c in (*_AMOUNTS, "index")},
            }
        ).loc[:, list(PLAN_COLUMNS)]
    except (ValueError, InvalidOperation) as exc:
        raise ImportFileError("error.row", row="?", message=str(exc)) from None
    if not body:
        return table, None
    return table, _run_from_row(dict(zip(CSV_COLUMNS, body[0], strict=True)), lang, mark)


def _decimal(text: str, mark: str) -> Decimal:
    """A number as this module writes it, exactly."""
    number = Decimal(text.strip().replace(mark, "."))
    if not number.is_finite():
        raise ValueError(f"not a number: {text!r}")
    return number


def _run_from_row(row: dict[str, str], lang: Lang, mark: str) -> EffortRun:
    """The run repeated in a CSV row, its labels turned back into codes; the second line of the file."""
    units: dict[str, Unit] = {unit_label(u, lang): u for u in ("uur", "euro")}
    periods: dict[str, Period] = {period_label(p, lang): p for p in ("week", "maand", "jaar")}
    modes = {mode_label(m, lang): m for m in ("straight", "network")}
    try:
        return EffortRun(
            total=_decimal(row["total"], mark),
            unit=units.get(row["unit"], row["unit"]),  # type: ignore[arg-type]  # an unknown label is refused
            period=periods.get(row["period"], row["period"]),  # type: ignore[arg-type]
            floor=float(_decimal(row["floor"], mark)),
            mode=modes.get(row["mode"], row["mode"]),
            distance_m=float(_decimal(row["distance_m"], mark)),
            day=date.fromisoformat(row["date"]),
            wijk=str(restore_formula(row["wijk"])) or None,
            theme=str(restore_formula(row["theme"])) or None,
        )
    except AbcdError as exc:
        raise ImportFileError("error.row", row=2, message=exc) from None
    except (ValueError, InvalidOperation) as exc:
        raise ImportFileError("error.row", row=2, message=str(exc)) from None


def _frame_for_file(segments: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The plan's segments in WGS84 with plain-typed columns a GeoJSON holds; the result columns last."""
    missing = [c for c in SEGMENT_COLUMNS if c not in segments.columns]
    if missing:
        raise ValueError(f"segments lack {missing}; pass the output of plan_segments()")
    own = [c for c in segments.columns if c not in (*_FILE_COLUMNS, "effort_hundredths", "initiative_ids")]
    frame = gpd.GeoDataFrame(segments.loc[:, own], geometry=segments.geometry.name, crs=segments.crs)
    for column in ("needs_support", "below_average"):  # the gap analysis' flags, as numpy booleans
        if column in frame.columns:
            frame[column] = frame[column].astype(bool)
    if "initiative_ids" in segments.columns:
        ids = segments["initiative_ids"].to_numpy(dtype=object).tolist()
        frame["initiative_ids"] = [",".join(_ids(v)) for v in ids]
    for column in _FILE_COLUMNS:
        frame[column] = segments[column].to_numpy()
    frame["initiatives"] = frame["initiatives"].astype(np.int64)
    if frame.crs is not None and not frame.crs.equals(WGS84):
        frame = frame.to_crs(WGS84)
    return frame


def write_plan(segments: gpd.GeoDataFrame, path: Path, *, run: EffortRun, lang: Lang = "nl") -> None:
    """``.csv``: the per-street table; ``.geojson``: every segment with the run; written whole or not at all.

    Raises
    ------
    ImportFileError
        For any other suffix.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in OUT_FORMATS:
        raise ImportFileError("error.export_format", suffix=suffix or path.name, allowed=", ".join(OUT_FORMATS))
    with io.atomic_path(path) as tmp:
        if suffix == ".csv":
            streets = plan_streets(segments, unnamed=t("gaps.unnamed_road", lang))
            tmp.write_bytes(plan_csv_bytes(streets, run, lang=lang))
        else:
            write_with_member(_frame_for_file(segments), tmp, layer="effort", name=RUN_MEMBER, member=run.as_member())


def plan_bytes(segments: gpd.GeoDataFrame, suffix: str, *, run: EffortRun, lang: Lang = "nl") -> bytes:
    """The plan file as bytes, for a download button."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"plan{suffix}"
        write_plan(segments, path, run=run, lang=lang)
        return path.read_bytes()


def read_plan_run(path: Path) -> EffortRun | None:
    """The run recorded in a plan GeoJSON written by :func:`write_plan`; ``None`` when it has none."""
    member = read_member(path, RUN_MEMBER)
    if member is None:
        return None
    return EffortRun.from_member(member)
