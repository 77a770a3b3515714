"""Files in and out of the gap analysis: officers' own street and asset files, and the results.

Input: any street file :func:`abcd.streets.read_street_file` reads (GeoJSON,
GeoPackage, shapefile, an OpenStreetMap ``.osm``/``.osm.pbf`` extract; any
CRS), of which only the lines a pedestrian may use are analysed
(:func:`abcd.streets.walkable`), and an asset file. An asset file with a
``category`` column counts the rows the gap analysis counts (resident-led
initiatives); a file without one is taken to be a list of resident
initiatives, the usual case for a GIS officer's own layer.

Output, each with the run (wijk, theme, mode, distance, date) in the file itself:

``.csv``
    One row per street (:func:`abcd.gaps.street_summary`) for a work planner,
    in the reader's language: Dutch headers, ``;`` between fields, a decimal
    comma and ``ja``/``nee`` in Dutch; ``,``, a decimal point and
    ``yes``/``no`` in English. Metres are whole. The run is repeated in the
    last five columns of every row (``wijk``, ``thema``, ``modus``, ``afstand_m``,
    ``datum``): a spreadsheet sorts, filters and pastes such a table without
    losing it, where comment lines or a header block above the table break
    Excel's and pandas' reading and a filter's range. The file starts with a
    UTF-8 byte order mark so Excel shows ``é`` and ``ë`` in street names.
    :func:`read_street_csv` reads either language back. For a stored wijk a
    column ``last_walked`` (``laatst_gelopen``) comes before the run: the day
    a builder last walked the street (:mod:`abcd.walks`), empty when never.
``.geojson``
    Every input segment (cut at junctions) with all its properties plus ``initiatives``,
    ``nearest_initiative_m``, ``needs_support``, ``below_average`` and, for a
    stored wijk, ``initiative_ids`` (which initiatives are within reach) and
    ``last_walked`` (its street's day, ``null`` when never walked). The run
    is one foreign member of the FeatureCollection, ``"abcd_gaps": {"wijk":
    ..., "theme": null, "mode": "straight", "distance_m": 250, "date": "2026-11-22"}`` (RFC
    7946 section 6.1): written once instead of on 100,000 features, and never
    in the way of a street's own properties. GIS tools ignore it;
    :func:`read_run` reads it.
"""

from __future__ import annotations

import csv
import io as _io
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from abcd import gaps, io
from abcd._cells import cell_flag
from abcd._formulas import neutralise_formula, restore_formula
from abcd._geojson import read_member, write_with_member
from abcd.errors import ImportFileError, ValidationError
from abcd.gaps.coverage import _ATTR_DISTANCE, _ATTR_MODE, _SUMMARY_COLUMNS
from abcd.i18n import LANGUAGES, Lang, Term, t
from abcd.limits import MAX_LAYER_FEATURES
from abcd.model import WGS84, parse_themes

GEO_FORMATS = (".geojson", ".json", ".gpkg")
OUT_FORMATS = (".geojson", ".csv")
RUN_MEMBER: Final = "abcd_gaps"
"""The GeoJSON foreign member that holds the run."""
RUN_COLUMNS: Final = ("wijk", "theme", "mode", "distance_m", "date")
STREET_TABLE_COLUMNS: Final = (*_SUMMARY_COLUMNS, *RUN_COLUMNS)
"""Columns of the per-street CSV, by their English header; the Dutch ones are in the catalogue."""
WALKED_COLUMN: Final = "last_walked"
"""Before the run columns when the coverage carries it (:func:`abcd.walks.with_last_walked`): a stored wijk."""
_HEADER_KEYS: Final = {
    "street": "gaps.csv.street",
    "segments": "gaps.csv.segments",
    "length_m": "gaps.csv.length_m",
    "length_needs_support_m": "gaps.csv.length_needs_support_m",
    "initiatives": "gaps.csv.initiatives",
    "nearest_initiative_m": "gaps.csv.nearest_initiative_m",
    "needs_support": "gaps.csv.needs_support",
    "share_needs_support": "gaps.csv.share_needs_support",
    "wijk": "gaps.csv.wijk",
    "theme": "gaps.csv.theme",
    "mode": "gaps.csv.mode",
    "distance_m": "gaps.csv.distance_m",
    "date": "gaps.csv.date",
    WALKED_COLUMN: "gaps.csv.last_walked",
}
_METRES: Final = ("length_m", "length_needs_support_m", "nearest_initiative_m")


@dataclass(frozen=True, slots=True)
class GapRun:
    """What a gap file was made with; written into the file itself.

    Attributes
    ----------
    mode : str
        ``"straight"`` or ``"network"``.
    distance_m : float
        The reach in metres.
    day : datetime.date
        The day of the run (in Amsterdam).
    wijk : str or None
        The name of the stored wijk analysed; ``None`` for one's own files.
    theme : str or None
        The theme code the initiatives were chosen by; ``None`` for all of them.
    """

    mode: str
    distance_m: float
    day: date
    wijk: str | None = None
    theme: str | None = None

    @classmethod
    def of(
        cls, coverage: gpd.GeoDataFrame, *, wijk: str | None = None, theme: str | None = None, day: date | None = None
    ) -> GapRun:
        """The run of a frame from :func:`abcd.gaps.street_coverage`; ``day`` defaults to today in Amsterdam."""
        if _ATTR_MODE not in coverage.attrs or _ATTR_DISTANCE not in coverage.attrs:
            raise gaps.GapInputError("coverage carries no mode and distance; pass the output of street_coverage()")
        if day is None:
            from abcd.i18n.formats import local_today

            day = local_today()
        return cls(str(coverage.attrs[_ATTR_MODE]), float(coverage.attrs[_ATTR_DISTANCE]), day, wijk, theme)

    def as_member(self) -> dict[str, Any]:
        """The run as the GeoJSON foreign member writes it."""
        return {
            "wijk": self.wijk,
            "theme": self.theme,
            "mode": self.mode,
            "distance_m": self.distance_m,
            "date": self.day.isoformat(),
        }


# --------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------


def read_streets(path: Path) -> tuple[gpd.GeoDataFrame, int]:
    """:func:`abcd.streets.read_walkable` in the file's own CRS (no needless round trip), refusing a file with none.

    Raises
    ------
    ImportFileError
        For a file :func:`abcd.streets.read_street_file` refuses, or one with
        no walkable line at all.
    """
    from abcd.streets import read_walkable

    walk, skipped = read_walkable(path, crs=None)
    if skipped and walk.empty:
        raise ImportFileError("error.no_walkable_streets", path=Path(path).name, n=skipped)
    return walk, skipped


def _read_geo(path: Path, *, max_bytes: int = io.MAX_FILE_BYTES) -> gpd.GeoDataFrame:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in GEO_FORMATS:
        raise ImportFileError("error.file_format", suffix=suffix or path.name, allowed=", ".join(GEO_FORMATS))
    io.check_file(path, max_bytes=max_bytes)
    frame = io.read_layer(path, max_rows=MAX_LAYER_FEATURES)  # the same limits as every import
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise ImportFileError("error.no_crs")
        frame = frame.set_crs(WGS84)
    return frame


def read_initiatives(path: Path, *, theme: str | None = None) -> gpd.GeoDataFrame:
    """An asset file for the gap analysis: ours (with ``category``) or a plain layer of initiatives.

    With ``theme``, only the rows whose ``themes`` (codes, comma-separated, as
    ``abcd export`` writes them) include it; a file without that column is
    refused rather than read as "no initiative of the theme anywhere".
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        rows = io.read_rows(path)
        records = [dict(r.values) for r in rows]
        frame = pd.DataFrame.from_records(records)
        points = gpd.points_from_xy(pd.to_numeric(frame["lon"]), pd.to_numeric(frame["lat"]), crs=WGS84)
        result = gpd.GeoDataFrame(frame.drop(columns=["lon", "lat"]), geometry=points, crs=WGS84)
    else:
        result = _read_geo(path)
        # Polygons and lines are areas of activity: keep them as the area, anchored on a point.
        geoms = result.geometry.to_numpy()
        is_point = shapely.get_type_id(geoms) == 0
        if not is_point.all():
            result["area"] = np.where(is_point, None, geoms)
            result = result.set_geometry(gpd.GeoSeries(shapely.point_on_surface(geoms), crs=result.crs))
    if theme is not None:
        if "themes" not in result.columns:
            raise ImportFileError("error.no_themes_column", path=path.name)
        try:
            keep = [theme in parse_themes(cell) for cell in result["themes"].to_numpy(dtype=object)]
        except ValidationError as exc:
            raise ImportFileError("error.row", row="?", message=exc) from None
        result = result[np.asarray(keep, dtype=bool)].reset_index(drop=True)
    if "category" not in result.columns:
        result["category"] = gaps.INITIATIVE_CATEGORY
    if "resident_led" not in result.columns:
        result["resident_led"] = True
    else:
        result["resident_led"] = [_flag(v) for v in result["resident_led"]]
    return result


def _flag(value: object) -> bool | None:
    """Yes/no as files write it (true, "True", "ja", 1.0); empty stays empty (counts as resident-led)."""
    try:
        return cell_flag(value)
    except ValueError:
        raise ImportFileError(
            "error.row", row="?", message=ValidationError("error.bool", field=Term("field.resident_led"), value=value)
        ) from None


# --------------------------------------------------------------------------
# The per-street table (CSV)
# --------------------------------------------------------------------------


def street_table(coverage: gpd.GeoDataFrame, run: GapRun, *, lang: Lang = "nl") -> pd.DataFrame:
    """The per-street CSV as a table of text: headers and cells written the way ``lang`` writes them.

    >>> from shapely import LineString
    >>> streets = gpd.GeoDataFrame({"name": ["Gijsingstraat"]}, geometry=[LineString([(0, 0), (99.6, 0)])], crs=28992)
    >>> cov = gaps.street_coverage(streets, streets.iloc[0:0])
    >>> run = GapRun("straight", 250.0, date(2026, 11, 22), "Bospolder-Tussendijken")
    >>> street_table(cov, run).iloc[0].tolist()[:8]
    ['Gijsingstraat', '1', '100', '100', '0', '', 'ja', '1,00']
    >>> street_table(cov, run).iloc[0].tolist()[8:]
    ['Bospolder-Tussendijken', '', 'hemelsbreed', '250', '2026-11-22']
    >>> list(street_table(cov, run, lang="en").columns)[:3]
    ['street', 'segments', 'length_m']
    """
    header, cells = _street_cells(coverage, run, lang)
    return pd.DataFrame(dict(zip(header, cells, strict=True)))


def _table_columns(walked: bool) -> tuple[str, ...]:
    """The CSV's columns: the summary, ``last_walked`` for a coverage that carries it, the run."""
    return (*_SUMMARY_COLUMNS, *((WALKED_COLUMN,) if walked else ()), *RUN_COLUMNS)


def _street_cells(coverage: gpd.GeoDataFrame, run: GapRun, lang: Lang) -> tuple[list[str], list[list[str]]]:
    """(headers, one list of text cells per column) of the per-street table; plain lists, fast to write."""
    from abcd.i18n.formats import decimal_mark

    summary = gaps.street_summary(coverage, unnamed=t("gaps.unnamed_road", lang))
    mark = decimal_mark(lang)
    yes, no = t("gaps.csv.yes", lang), t("gaps.csv.no", lang)
    n = len(summary)
    cells: dict[str, list[str]] = {
        "street": [str(neutralise_formula(str(v))) for v in summary["street"].to_numpy(dtype=object).tolist()],
        "segments": [str(v) for v in summary["segments"].to_numpy(dtype=np.int64).tolist()],
        "initiatives": [str(v) for v in summary["initiatives"].to_numpy(dtype=np.int64).tolist()],
        "needs_support": [yes if v else no for v in summary["needs_support"].to_numpy(dtype=bool).tolist()],
        "share_needs_support": [
            f"{v:.2f}".replace(".", mark) for v in summary["share_needs_support"].to_numpy(dtype=float).tolist()
        ],
        "wijk": [str(neutralise_formula(run.wijk or ""))] * n,
        "theme": [run.theme or ""] * n,
        "mode": [t(f"gaps.mode.{run.mode}", lang)] * n,
        "distance_m": [_number(run.distance_m, mark)] * n,
        "date": [run.day.isoformat()] * n,
    }
    for column in _METRES:
        cells[column] = _whole_metres(summary[column].to_numpy(dtype=float))
    walked = WALKED_COLUMN in coverage.columns
    if walked:
        days = _last_walked_by_street(coverage, t("gaps.unnamed_road", lang))
        cells[WALKED_COLUMN] = [days.get(street, "") for street in summary["street"].to_numpy(dtype=object).tolist()]
    columns = _table_columns(walked)
    return [t(_HEADER_KEYS[c], lang) for c in columns], [cells[c] for c in columns]


def _last_walked_by_street(coverage: gpd.GeoDataFrame, unnamed: str) -> dict[str, str]:
    """The latest ``last_walked`` of each street's segments (ISO text), by the label the summary gives the street."""
    labels = gaps.street_labels(coverage, "name", unnamed)
    days: dict[str, str] = {}
    for label, day in zip(labels, coverage[WALKED_COLUMN].to_numpy(dtype=object).tolist(), strict=True):
        if isinstance(day, date):
            days[label] = max(days.get(label, ""), day.isoformat())
    return days


def _whole_metres(values: npt.NDArray[np.float64]) -> list[str]:
    """Metres rounded half up to whole metres; empty where unknown."""
    known = ~np.isnan(values)
    text = np.full(values.size, "", dtype=object)
    text[known] = np.floor(values[known] + 0.5).astype(np.int64).astype(str)
    return list(text.tolist())


def _number(value: float, mark: str) -> str:
    return f"{value:g}".replace(".", mark)


def street_csv_bytes(coverage: gpd.GeoDataFrame, run: GapRun, *, lang: Lang = "nl") -> bytes:
    """The per-street CSV (see the module docstring) as UTF-8 bytes with a byte order mark."""
    from abcd.i18n.formats import csv_separator

    header, cells = _street_cells(coverage, run, lang)
    buffer = _io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=csv_separator(lang), lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(zip(*cells, strict=True))
    return buffer.getvalue().encode("utf-8-sig")


def read_street_csv(path: Path) -> tuple[pd.DataFrame, GapRun | None]:
    """A per-street CSV of any language read back: the summary (English columns, numbers) and its run.

    Raises
    ------
    ImportFileError
        When the header is not that of a gap CSV in a known language.
    """
    text = Path(path).read_text(encoding="utf-8-sig")
    first = text.split("\n", 1)[0]
    separator = ";" if ";" in first else ","
    rows = list(csv.reader(_io.StringIO(text, newline=""), delimiter=separator))
    header, body = rows[0], rows[1:]
    found = next(
        (
            (code, columns)
            for code in LANGUAGES
            for columns in (_table_columns(False), _table_columns(True))
            if header == [t(_HEADER_KEYS[c], code) for c in columns]
        ),
        None,
    )
    if found is None:
        raise ImportFileError("error.csv_columns", columns=", ".join(header) or "-")
    lang, columns = found
    mark = "," if separator == ";" else "."
    yes = t("gaps.csv.yes", lang)
    modes = {t(f"gaps.mode.{m}", lang): m for m in ("straight", "network")}
    cols = dict(zip(columns, zip(*body, strict=True), strict=True)) if body else {}

    def numbers(column: str) -> list[float]:
        return [float(v.replace(mark, ".")) if v else float("nan") for v in cols.get(column, ())]

    summary = pd.DataFrame(
        {
            "street": [str(restore_formula(v)) for v in cols.get("street", ())],
            "segments": np.array([int(v) for v in cols.get("segments", ())], dtype=np.int64),
            "length_m": numbers("length_m"),
            "length_needs_support_m": numbers("length_needs_support_m"),
            "initiatives": np.array([int(v) for v in cols.get("initiatives", ())], dtype=np.int64),
            "nearest_initiative_m": numbers("nearest_initiative_m"),
            "needs_support": np.array([v == yes for v in cols.get("needs_support", ())], dtype=bool),
            "share_needs_support": numbers("share_needs_support"),
        }
    )
    if WALKED_COLUMN in columns:
        summary[WALKED_COLUMN] = pd.Series(
            [date.fromisoformat(v) if v else None for v in cols.get(WALKED_COLUMN, ())], dtype=object
        )
    if not body:
        return summary, None
    first_row = dict(zip(columns, body[0], strict=True))
    run = GapRun(
        mode=modes.get(first_row["mode"], first_row["mode"]),
        distance_m=float(first_row["distance_m"].replace(mark, ".")),
        day=date.fromisoformat(first_row["date"]),
        wijk=str(restore_formula(first_row["wijk"])) or None,
        theme=first_row["theme"] or None,
    )
    return summary, run


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def coverage_frame_for_file(coverage: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The coverage with plain-typed result columns (files cannot hold numpy booleans in every driver)."""
    out = coverage.copy()
    out["initiatives"] = out["initiatives"].astype(int)
    out["needs_support"] = out["needs_support"].astype(bool)
    out["below_average"] = out["below_average"].astype(bool)
    if "initiative_ids" in out.columns:  # a tuple per segment: one text cell (ids hold no comma)
        out["initiative_ids"] = [",".join(ids) for ids in out["initiative_ids"]]
    if WALKED_COLUMN in out.columns:  # a date or None per segment: ISO text, null when never walked
        out[WALKED_COLUMN] = pd.Series(
            [d.isoformat() if isinstance(d, date) else None for d in out[WALKED_COLUMN]], index=out.index, dtype=object
        )
    return out


def write_gaps(coverage: gpd.GeoDataFrame, path: Path, *, run: GapRun, lang: Lang = "nl") -> None:
    """``.geojson``: every segment with its properties, the results and the run; ``.csv``: the per-street table.

    The file is written beside ``path`` first and renamed when complete. In
    the CSV file, street names a spreadsheet would evaluate as a formula are
    neutralised (:func:`abcd._formulas.neutralise_formula`);
    :func:`read_street_csv` restores them.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in OUT_FORMATS:
        raise ImportFileError("error.export_format", suffix=suffix or path.name, allowed=", ".join(OUT_FORMATS))
    with io.atomic_path(path) as tmp:
        if suffix == ".csv":
            tmp.write_bytes(street_csv_bytes(coverage, run, lang=lang))
        else:
            frame = coverage_frame_for_file(coverage)
            if frame.crs is not None and not frame.crs.equals(WGS84):
                frame = frame.to_crs(WGS84)
            write_with_member(frame, tmp, layer="gaps", name=RUN_MEMBER, member=run.as_member())


def read_run(path: Path) -> GapRun | None:
    """The run recorded in a gap GeoJSON written by :func:`write_gaps`; ``None`` when it has none."""
    member = read_member(path, RUN_MEMBER)
    if member is None:
        return None
    return GapRun(
        mode=str(member["mode"]),
        distance_m=float(member["distance_m"]),
        day=date.fromisoformat(member["date"]),
        wijk=member.get("wijk"),
        theme=member.get("theme"),
    )


def gaps_bytes(coverage: gpd.GeoDataFrame, suffix: str, *, run: GapRun, lang: Lang = "nl") -> bytes:
    """The result file as bytes, for a download button."""
    if suffix == ".csv":
        return street_csv_bytes(coverage, run, lang=lang)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"gaps{suffix}"
        write_gaps(coverage, path, run=run, lang=lang)
        return path.read_bytes()
