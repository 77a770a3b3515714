"""A printable map of a wijk drawn with matplotlib from our own data: no tiles, no internet.

The boundary, the CBS buurten, the OpenStreetMap streets and the public assets
are drawn in RD New (EPSG:28992, metres, so the scale bar is true) with the
category colours and glyphs of :data:`abcd.maps.CATEGORY_STYLE`, plus a scale
bar, a north arrow and the attribution. People are never drawn as points: the
map shows them as a count per buurt (``"<5"`` for small counts), from
:func:`abcd.people.people_by_buurt`.

Figures are built with :class:`matplotlib.figure.Figure` and the Agg canvas,
never ``pyplot``: pyplot keeps global state that the threads of a Streamlit
server would share. Text uses DejaVu Sans, which ships with matplotlib and
has every category glyph; :func:`glyph` falls back to a letter for a font
that lacks one, so a print never shows an empty box.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrow, Polygon, Rectangle
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from abcd.i18n import Lang, t
from abcd.model import RD_NEW, WGS84, Category, Source
from abcd.people import public_assets
from abcd.places import rd_geometry
from abcd.styles import CATEGORY_STYLE

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu Sans"
FONT_PATH = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD_PATH = FONT_DIR / "DejaVuSans-Bold.ttf"

# Letters for a font without the glyph: the first letter of the Dutch category name.
FALLBACK_LETTERS: dict[str, str] = {
    Category.PERSON.value: "T",
    Category.ASSOCIATION.value: "V",
    Category.INITIATIVE.value: "B",
    Category.INSTITUTION.value: "I",
    Category.MEETING_PLACE.value: "O",
    Category.PLACE.value: "P",
    Category.BUSINESS.value: "E",
    Category.STORY.value: "S",
}

WIJK_FILL = "#f6f3ec"
BOUNDARY_COLOR = "#222222"
BUURT_COLOR = "#8c8c8c"
STREET_COLOR = "#bdbdbd"
TEXT_COLOR = "#222222"
MUTED_TEXT = "#555555"
_MAJOR_ROADS = frozenset({"motorway", "trunk", "primary", "secondary", "tertiary"})
_NICE_LENGTHS_M = (25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000)


@lru_cache(maxsize=8)
def _font_has(char: str, font_path: str) -> bool:
    from matplotlib.ft2font import FT2Font

    return FT2Font(font_path).get_char_index(ord(char)) != 0


def glyph(code: str, *, font_path: Path | str = FONT_PATH) -> str:
    """The category's glyph, or its fallback letter when the font does not have it.

    >>> glyph("initiative")
    '✿'
    >>> glyph("initiative", font_path=FONT_DIR / "cmr10.ttf")  # Computer Modern has no dingbats
    'B'
    """
    char = CATEGORY_STYLE[code].glyph
    return char if _font_has(char, str(font_path)) else FALLBACK_LETTERS[code]


def _polygons(geometry: BaseGeometry) -> list[BaseGeometry]:
    if geometry.geom_type == "Polygon":
        return [geometry]
    return [g for g in getattr(geometry, "geoms", []) if g.geom_type == "Polygon"]


def _rings(geometry: BaseGeometry) -> list[np.ndarray]:
    rings = []
    for poly in _polygons(geometry):
        rings.append(np.asarray(poly.exterior.coords)[:, :2])
        rings.extend(np.asarray(r.coords)[:, :2] for r in poly.interiors)
    return rings


def _lines(geometries: Any) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    for geom in geometries:
        if geom is None or geom.is_empty:
            continue
        parts = getattr(geom, "geoms", [geom])
        for part in parts:
            if part.geom_type in ("LineString", "LinearRing"):
                out.append(np.asarray(part.coords)[:, :2])
            elif part.geom_type == "Polygon":
                out.extend(_rings(part))
    return out


def _nice_length(width_m: float) -> int:
    """The longest round length that fits in a fifth of the map width."""
    fitting = [n for n in _NICE_LENGTHS_M if n <= width_m / 5]
    return fitting[-1] if fitting else _NICE_LENGTHS_M[0]


def _scale_label(metres: int) -> str:
    return f"{metres // 1000} km" if metres >= 1000 and metres % 1000 == 0 else f"{metres} m"


def draw_scale_bar(ax: Axes, *, fontsize: float = 7) -> None:
    """A black-and-white scale bar in the lower left corner of a map in metres."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    height = (y1 - y0) * 0.008
    left, bottom = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    half = length / 2
    ax.add_patch(Rectangle((left, bottom), half, height, facecolor=TEXT_COLOR, edgecolor=TEXT_COLOR, lw=0.6, zorder=9))
    ax.add_patch(
        Rectangle((left + half, bottom), half, height, facecolor="white", edgecolor=TEXT_COLOR, lw=0.6, zorder=9)
    )
    for x, text in ((left, "0"), (left + length, _scale_label(length))):
        ax.text(
            x,
            bottom + height * 2.2,
            text,
            ha="center",
            va="bottom",
            fontsize=fontsize,
            color=TEXT_COLOR,
            family=FONT,
            zorder=9,
        )


def draw_north_arrow(ax: Axes, *, fontsize: float = 9) -> None:
    """A north arrow in the upper right corner (RD New's grid north is within a degree of true north here)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x = x1 - (x1 - x0) * 0.05
    top = y1 - (y1 - y0) * 0.05
    length = (y1 - y0) * 0.07
    ax.add_patch(
        FancyArrow(
            x,
            top - length,
            0,
            length * 0.72,
            width=(x1 - x0) * 0.004,
            head_width=(x1 - x0) * 0.02,
            head_length=length * 0.28,
            length_includes_head=False,
            color=TEXT_COLOR,
            zorder=9,
        )
    )
    ax.text(
        x,
        top - length * 1.05,
        "N",
        ha="center",
        va="top",
        fontsize=fontsize,
        fontweight="bold",
        color=TEXT_COLOR,
        family=FONT,
        zorder=9,
    )


def draw_wijk_map(
    ax: Axes,
    *,
    boundary: BaseGeometry,
    streets: gpd.GeoDataFrame | None = None,
    assets: gpd.GeoDataFrame | None = None,
    buurten: gpd.GeoDataFrame | None = None,
    people: pd.DataFrame | None = None,
    categories: set[str] | None = None,
    lang: Lang = "nl",
    marker_pt: float = 11.0,
    fontsize: float = 7.0,
    attribution: bool = True,
) -> None:
    """Draw a wijk on ``ax``: its fill and boundary, buurten, streets, assets, people per buurt.

    Parameters
    ----------
    boundary
        The wijk boundary in WGS84.
    assets
        Asset points in WGS84 with ``category`` and ``source``; person rows are
        dropped here whatever the caller passes (:func:`abcd.people.public_assets`).
    buurten, people
        CBS buurten (``name`` + boundary) and the
        :func:`abcd.people.people_by_buurt` table; when people are counted,
        each buurt shows ``★ <count>`` at its centre.
    categories
        Only these category codes (all when ``None``).
    marker_pt
        The diameter of an asset disc in points.
    """
    ax.set_axis_off()
    ax.set_aspect("equal")
    line_scale = (marker_pt / 11.0) ** 0.5  # a poster with big markers gets bolder lines too
    wijk = rd_geometry(boundary)
    for ring in _rings(wijk):
        ax.add_patch(Polygon(ring, closed=True, facecolor=WIJK_FILL, edgecolor="none", zorder=0))
    minx, miny, maxx, maxy = wijk.bounds
    pad = max(maxx - minx, maxy - miny) * 0.05
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)

    if streets is not None and len(streets):
        rd_streets = streets.to_crs(RD_NEW)
        major = (
            rd_streets["highway"].astype(str).isin(_MAJOR_ROADS).to_numpy()
            if "highway" in rd_streets.columns
            else np.zeros(len(rd_streets), dtype=bool)
        )
        for mask, width in ((~major, 0.7 * line_scale), (major, 1.5 * line_scale)):
            segments = _lines(rd_streets.geometry.values[mask])
            if segments:
                ax.add_collection(
                    LineCollection(segments, colors=STREET_COLOR, linewidths=width, zorder=1, capstyle="round")
                )

    rd_buurten = buurten.to_crs(RD_NEW) if buurten is not None and len(buurten) > 1 else None
    if rd_buurten is not None:
        ax.add_collection(
            LineCollection(
                _lines(rd_buurten.geometry.values),
                colors=BUURT_COLOR,
                linewidths=0.9 * line_scale,
                linestyles=(0, (3, 2)),
                zorder=2,
            )
        )
    ax.add_collection(LineCollection(_rings(wijk), colors=BOUNDARY_COLOR, linewidths=1.8 * line_scale, zorder=3))

    drawn = np.empty((0, 2))
    if assets is not None and len(assets):
        drawn = _draw_assets(ax, public_assets(assets).to_crs(RD_NEW), categories=categories, marker_pt=marker_pt)

    show_people = categories is None or Category.PERSON.value in categories
    if show_people and people is not None and buurten is not None and int(people["count"].sum()) > 0:
        _draw_people(ax, buurten.to_crs(RD_NEW), people, fontsize=fontsize * 1.05, avoid=drawn, marker_pt=marker_pt)

    if attribution:
        ax.text(
            0.0,
            -0.01,
            t("map.attribution", lang),
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=fontsize * 0.7,
            color=MUTED_TEXT,
            family=FONT,
            wrap=True,
            zorder=9,
        )
    draw_scale_bar(ax, fontsize=fontsize)
    draw_north_arrow(ax, fontsize=fontsize * 1.3)


def _draw_assets(ax: Axes, assets: gpd.GeoDataFrame, *, categories: set[str] | None, marker_pt: float) -> np.ndarray:
    """Draw the assets; returns the drawn points (RD metres) so labels can keep clear of them."""
    size = marker_pt**2
    drawn: list[np.ndarray] = []
    for code, style in CATEGORY_STYLE.items():
        if code == Category.PERSON.value or (categories is not None and code not in categories):
            continue
        rows = assets[assets["category"] == code]
        if rows.empty:
            continue
        if "area" in rows.columns:
            areas = [a for a in rows["area"] if isinstance(a, BaseGeometry) and not a.is_empty]
            if areas:
                _draw_areas(ax, areas, style.color)
        example = (
            rows["source"].astype(str).eq(Source.EXAMPLE.value).to_numpy()
            if "source" in rows.columns
            else np.zeros(len(rows), dtype=bool)
        )
        xs, ys = rows.geometry.x.to_numpy(), rows.geometry.y.to_numpy()
        # Examples get a dashed dark outline, as on the web map.
        for mask, edge, dashes in ((~example, "white", "solid"), (example, BOUNDARY_COLOR, "--")):
            if mask.any():
                ax.scatter(
                    xs[mask],
                    ys[mask],
                    s=size,
                    c=style.color,
                    edgecolors=edge,
                    linewidths=0.9,
                    linestyles=dashes,
                    zorder=5,
                )
        char = glyph(code)
        for x, y in zip(xs, ys, strict=True):
            ax.text(
                x,
                y,
                char,
                ha="center",
                va="center_baseline",
                fontsize=marker_pt * 0.62,
                color=style.text,
                family=FONT,
                zorder=6,
            )
        drawn.append(np.column_stack([xs, ys]))
    return np.vstack(drawn) if drawn else np.empty((0, 2))


def _draw_areas(ax: Axes, areas: list[BaseGeometry], color: str) -> None:
    rd = gpd.GeoSeries(areas, crs=WGS84).to_crs(RD_NEW)
    for geom in rd:
        for ring in _rings(geom):
            ax.add_patch(Polygon(ring, closed=True, facecolor=color, alpha=0.2, edgecolor=color, lw=0.8, zorder=4))
        lines = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type == "LineString"]
        if lines:
            ax.add_collection(
                LineCollection(_lines(lines), colors=color, linewidths=3, alpha=0.55, zorder=4, capstyle="round")
            )


def _label_point(area: BaseGeometry, avoid: np.ndarray, *, half_size: tuple[float, float]) -> tuple[float, float]:
    """Where to put a buurt's label: near its visual centre, but not over the ``avoid`` points (RD metres).

    ``half_size`` is half the label's width and height plus a marker's radius,
    in metres. Candidates on a grid inside the buurt whose label box keeps clear
    of every asset are ranked by distance to the buurt's pole of
    inaccessibility; if none keeps clear, the one that overlaps least wins.
    Deterministic.
    """
    polygon = max(_polygons(area), key=lambda p: p.area) if _polygons(area) else area
    centre = polylabel(polygon, tolerance=5.0)
    inner = polygon.buffer(-half_size[1])
    if inner.is_empty:
        inner = polygon
    minx, miny, maxx, maxy = inner.bounds
    xs, ys = np.meshgrid(np.linspace(minx, maxx, 30), np.linspace(miny, maxy, 30))
    grid = shapely.points(xs.ravel(), ys.ravel())
    coords = np.vstack([[centre.x, centre.y], shapely.get_coordinates(grid[shapely.contains(inner, grid)])])
    if len(avoid) == 0:
        return float(coords[0, 0]), float(coords[0, 1])
    # 1 or more: the box around the candidate misses the point.
    apart = (np.abs(coords[:, None, :] - avoid[None, :, :]) / np.asarray(half_size)).max(axis=2).min(axis=1)
    clear = apart >= 1.0
    if clear.any():
        to_centre = ((coords - coords[0]) ** 2).sum(axis=1)
        best = int(np.argmin(np.where(clear, to_centre, np.inf)))
    else:
        best = int(np.argmax(apart))
    return float(coords[best, 0]), float(coords[best, 1])


def _metres_per_point(ax: Axes) -> float:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    box = ax.get_position()
    width_pt = fig.get_figwidth() * box.width * 72
    height_pt = fig.get_figheight() * box.height * 72
    # With an equal aspect the axes shrink to fit, so the larger ratio is the true scale.
    return max((x1 - x0) / width_pt, (y1 - y0) / height_pt)


def _draw_people(
    ax: Axes,
    buurten: gpd.GeoDataFrame,
    people: pd.DataFrame,
    *,
    fontsize: float,
    avoid: np.ndarray,
    marker_pt: float,
) -> None:
    shown = dict(zip(people["buurt"], people["shown"], strict=True))
    style = CATEGORY_STYLE[Category.PERSON.value]
    char = glyph(Category.PERSON.value)
    scale = _metres_per_point(ax)
    for name, geom in zip(buurten["name"], buurten.geometry, strict=True):
        if name not in shown:
            continue
        text = f"{name}\n{char} {shown[name]}"
        width_pt = max(len(line) for line in text.splitlines()) * fontsize * 0.62 + fontsize * 0.8
        height_pt = 2 * 1.3 * fontsize + fontsize * 0.8
        half = ((width_pt / 2 + marker_pt / 2) * scale, (height_pt / 2 + marker_pt / 2) * scale)
        x, y = _label_point(geom, avoid, half_size=half)
        avoid = np.vstack([avoid, [[x, y]]])
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=fontsize,
            color=TEXT_COLOR,
            family=FONT,
            linespacing=1.3,
            zorder=4.5,  # under the assets: they stay visible
            bbox={
                "boxstyle": "round,pad=0.3",
                "facecolor": "white",
                "edgecolor": style.color,
                "lw": 1.2,
                "alpha": 0.85,
            },
        )


def legend_rows(
    counts: Mapping[str, int | str], *, lang: Lang = "nl", examples: bool = False, buurten: bool = False
) -> list[tuple[str, str, str]]:
    """The legend as ``(kind, label, value)`` rows; ``kind`` is a category code or ``boundary``/``buurt``/``example``.

    ``counts`` maps category codes to what to show next to them (for people,
    the text "per buurt"); categories not in ``counts`` are left out.
    """
    rows = [(code, t(f"category.{code}", lang), str(counts[code])) for code in CATEGORY_STYLE if code in counts]
    rows.append(("boundary", t("map.boundary", lang), ""))
    if buurten:
        rows.append(("buurt", t("static.buurt_boundary", lang), ""))
    if examples:
        rows.append(("example", t("map.example", lang), ""))
    return rows


def draw_legend(
    ax: Axes,
    rows: list[tuple[str, str, str]],
    *,
    title: str | None = None,
    fontsize: float = 8.0,
    marker_pt: float = 11.0,
    line_height: float | None = None,
) -> None:
    """Draw legend ``rows`` (from :func:`legend_rows`) top-down in ``ax`` (axes coordinates)."""
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    step = line_height or min(0.09, 0.95 / max(len(rows) + (1 if title else 0), 1))
    y = 0.97
    if title:
        ax.text(
            0.0,
            y,
            title,
            ha="left",
            va="top",
            fontsize=fontsize * 1.15,
            fontweight="bold",
            color=TEXT_COLOR,
            family=FONT,
        )
        y -= step * 1.1
    for kind, label, value in rows:
        centre = y - step * 0.35
        if kind in CATEGORY_STYLE:
            style = CATEGORY_STYLE[kind]
            ax.scatter(
                [0.04], [centre], s=marker_pt**2, c=style.color, edgecolors="white", linewidths=0.9, clip_on=False
            )
            ax.text(
                0.04,
                centre,
                glyph(kind),
                ha="center",
                va="center_baseline",
                fontsize=marker_pt * 0.62,
                color=style.text,
                family=FONT,
            )
        elif kind == "example":
            ax.scatter(
                [0.04],
                [centre],
                s=marker_pt**2,
                c="#dddddd",
                edgecolors=BOUNDARY_COLOR,
                linewidths=0.9,
                linestyles="--",
                clip_on=False,
            )
        else:
            color, width, dashes = (BOUNDARY_COLOR, 1.8, "-") if kind == "boundary" else (BUURT_COLOR, 0.9, (0, (3, 2)))
            ax.add_collection(
                LineCollection(
                    [np.array([[0.0, centre], [0.08, centre]])], colors=color, linewidths=width, linestyles=dashes
                )
            )
        if value and not value.isdigit():
            # A note rather than a number (people: "count per buurt") goes under the label.
            ax.text(0.12, centre, label, ha="left", va="bottom", fontsize=fontsize, color=TEXT_COLOR, family=FONT)
            ax.text(0.12, centre, value, ha="left", va="top", fontsize=fontsize * 0.85, color=MUTED_TEXT, family=FONT)
        else:
            ax.text(0.12, centre, label, ha="left", va="center", fontsize=fontsize, color=TEXT_COLOR, family=FONT)
            if value:
                ax.text(
                    1.0,
                    centre,
                    value,
                    ha="right",
                    va="center",
                    fontsize=fontsize,
                    fontweight="bold",
                    color=TEXT_COLOR,
                    family=FONT,
                )
        y -= step


def figure_bytes(fig: Figure, *, fmt: str = "png", dpi: float = 200) -> bytes:
    """``fig`` saved as PNG or PDF (fonts embedded as TrueType, so PDF text can be copied and searched)."""
    buffer = io.BytesIO()
    # rc_context is read at save time only; every caller sets the same values.
    with matplotlib.rc_context({"pdf.fonttype": 42, "svg.fonttype": "none"}):
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=_metadata(fmt))
    return buffer.getvalue()


def _metadata(fmt: str) -> dict[str, Any]:
    if fmt == "pdf":
        return {"Creator": "abcd", "Producer": "matplotlib"}
    if fmt == "png":
        return {"Software": "abcd"}
    return {}


def wijk_map_png(
    *,
    boundary: BaseGeometry,
    streets: gpd.GeoDataFrame | None,
    assets: gpd.GeoDataFrame | None,
    buurten: gpd.GeoDataFrame | None,
    people: pd.DataFrame | None,
    legend: list[tuple[str, str, str]] | None,
    lang: Lang = "nl",
    size_cm: tuple[float, float] = (17.0, 12.0),
    dpi: float = 220,
    categories: set[str] | None = None,
) -> bytes:
    """A map of the wijk as PNG bytes, with the legend on the right when ``legend`` rows are given.

    ``categories`` limits what is drawn (``{"person"}``: only the people counts per buurt).
    """
    fig = Figure(figsize=(size_cm[0] / 2.54, size_cm[1] / 2.54), facecolor="white")
    if legend:
        map_ax = fig.add_axes((0.0, 0.06, 0.68, 0.94))
        legend_ax = fig.add_axes((0.7, 0.04, 0.29, 0.92))
        draw_legend(legend_ax, legend, title=t("map.legend", lang), fontsize=7.0, marker_pt=11.0, line_height=0.075)
    else:
        map_ax = fig.add_axes((0.0, 0.06, 1.0, 0.94))
    draw_wijk_map(
        map_ax,
        boundary=boundary,
        streets=streets,
        assets=assets,
        buurten=buurten,
        people=people,
        lang=lang,
        marker_pt=12.5,
        fontsize=6.5,
        categories=categories,
    )
    return figure_bytes(fig, fmt="png", dpi=dpi)


def aspect(boundary: BaseGeometry) -> float:
    """Height over width of the wijk in RD New (with the map's padding)."""
    minx, miny, maxx, maxy = rd_geometry(boundary).bounds
    pad = max(maxx - minx, maxy - miny) * 0.1
    return (maxy - miny + pad) / max(maxx - minx + pad, 1.0)


__all__ = [
    "FALLBACK_LETTERS",
    "FONT",
    "FONT_PATH",
    "aspect",
    "draw_legend",
    "draw_north_arrow",
    "draw_scale_bar",
    "draw_wijk_map",
    "figure_bytes",
    "glyph",
    "legend_rows",
    "wijk_map_png",
]
