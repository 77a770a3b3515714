"""An A3 poster of a wijk's strengths: the map, a legend and the headline figures, for printing.

The poster is one matplotlib figure of 297 x 420 mm (A3 portrait), saved as
PNG (at :data:`POSTER_DPI`, 10 pixels per millimetre: 2970 x 4200 pixels) or
as PDF with real, searchable text. Like every public view it draws only what
:class:`~abcd.portrait.ReportData` holds: public assets, and people as counts
per buurt.

>>> from abcd.portrait.poster import A3_MM, POSTER_DPI
>>> [round(mm / 25.4 * POSTER_DPI) for mm in A3_MM]
[2970, 4200]
"""

from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Text

from abcd.i18n import Lang, normalise_lang, t
from abcd.model import Category
from abcd.portrait import static_map
from abcd.portrait.data import ReportData, category_counts, format_date, format_number, headline_cells

A3_MM = (297.0, 420.0)
"""Width and height of A3 portrait in millimetres."""
POSTER_DPI = 254.0
"""10 pixels per millimetre: sharp on paper, and the PNG is exactly 2970 x 4200 pixels."""
FORMATS = ("png", "pdf")

_INK = static_map.TEXT_COLOR
_ACCENT = "#006e52"
_PAPER = "#f6f3ec"
_WIDTH = 0.88  # of the paper: what a line may take between the margins
_CALL_ONE_LINE_PT = 14.0  # the join line shrinks to this before its contact moves to a line of its own


def poster_figure(data: ReportData, *, lang: Lang = "nl") -> Figure:
    """The poster as a matplotlib figure of A3 size (nothing is rendered yet).

    Its last line asks to join in ("Doe mee"), with the cooperative's contact
    when the wijk has one (:attr:`ReportData.join_contact`).
    """
    lang = normalise_lang(lang)
    fig = Figure(figsize=(A3_MM[0] / 25.4, A3_MM[1] / 25.4), facecolor="white")
    title = fig.text(
        0.06,
        0.965,
        t("report.title", lang, wijk=data.name),
        ha="left",
        va="top",
        fontsize=42,
        fontweight="bold",
        color=_INK,
        family=static_map.FONT,
    )
    _fit_width(fig, title, 0.88)
    fig.text(
        0.06,
        0.925,
        t("poster.subtitle", lang, date=format_date(data.made_on, lang)),
        ha="left",
        va="top",
        fontsize=17,
        color=static_map.MUTED_TEXT,
        family=static_map.FONT,
    )
    _figures_row(fig, data, lang)

    map_ax = fig.add_axes((0.04, 0.28, 0.92, 0.52))
    static_map.draw_wijk_map(
        map_ax,
        boundary=data.boundary,
        streets=data.streets,
        assets=data.assets,
        buurten=data.buurten,
        people=data.people,
        lang=lang,
        marker_pt=22.0,
        fontsize=12.0,
        attribution=False,
    )
    _legend(fig, data, lang)
    _call(fig, data, lang)
    fig.text(
        0.06,
        0.018,
        t("map.attribution", lang),
        ha="left",
        va="bottom",
        fontsize=7.5,
        color=static_map.MUTED_TEXT,
        family=static_map.FONT,
        wrap=True,
    )
    return fig


def _call(fig: Figure, data: ReportData, lang: Lang) -> None:
    """The "Doe mee" line at the foot, with the cooperative's contact; on two lines when one is too long."""
    call = t("poster.call", lang)
    full = t("poster.call_contact", lang, contact=data.join_contact) if data.join_contact else call
    text = fig.text(
        0.06,
        0.042,
        full,
        ha="left",
        va="bottom",
        fontsize=17,
        fontweight="bold",
        color=_ACCENT,
        family=static_map.FONT,
        parse_math=False,  # the cooperative's text as typed: a "$" is a dollar, not mathematics
        linespacing=1.25,
    )
    _fit_width(fig, text, _WIDTH, smallest=_CALL_ONE_LINE_PT)
    if full != call and _too_wide(fig, text, _WIDTH):
        # The contact on its own line under the call (the catalogue's text starts with the call).
        text.set_fontsize(17)
        text.set_text(f"{call}\n{full.removeprefix(call).strip()}")
        _fit_width(fig, text, _WIDTH, smallest=9.0)


def _too_wide(fig: Figure, text: Text, fraction: float) -> bool:
    renderer = FigureCanvasAgg(fig).get_renderer()
    return bool(text.get_window_extent(renderer).width > fig.bbox.width * fraction)


def _fit_width(fig: Figure, text: Text, fraction: float, *, smallest: float = 18.0) -> None:
    """Shrink ``text`` until it is at most ``fraction`` of the figure wide (a long wijk name must fit)."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    limit = fig.bbox.width * fraction
    size = float(text.get_fontsize())
    while size > smallest and text.get_window_extent(renderer).width > limit:
        size -= 1.0
        text.set_fontsize(size)


def _figures_row(fig: Figure, data: ReportData, lang: Lang) -> None:
    cells = headline_cells(data, lang)
    left, right, bottom, height, gap = 0.06, 0.94, 0.815, 0.085, 0.012
    width = (right - left - gap * (len(cells) - 1)) / len(cells)
    for i, (number, label) in enumerate(cells):
        x = left + i * (width + gap)
        fig.patches.append(
            FancyBboxPatch(
                (x, bottom),
                width,
                height,
                boxstyle="round,pad=0,rounding_size=0.008",
                transform=fig.transFigure,
                facecolor=_PAPER,
                edgecolor="none",
                figure=fig,
            )
        )
        fig.text(
            x + 0.015,
            bottom + height - 0.012,
            format_number(number, lang),
            ha="left",
            va="top",
            fontsize=44,
            fontweight="bold",
            color=_ACCENT,
            family=static_map.FONT,
        )
        fig.text(
            x + 0.015,
            bottom + 0.012,
            label,
            ha="left",
            va="bottom",
            fontsize=13,
            color=_INK,
            family=static_map.FONT,
            wrap=True,
        )


def _legend(fig: Figure, data: ReportData, lang: Lang) -> None:
    counts: dict[str, int | str] = {code: int(n) for code, n in category_counts(data.assets).items() if n}
    people = int(data.people["count"].sum()) > 0
    if people:
        counts = {Category.PERSON.value: t("static.people_per_buurt", lang), **counts}
    rows = static_map.legend_rows(counts, lang=lang, examples=data.has_examples, buurten=len(data.buurten) > 1)
    half = (len(rows) + 1) // 2
    width = 0.29 if people else 0.42
    bottom, height = 0.08, 0.18
    step = min(0.15, 0.95 / (half + 1.2))  # the same in both columns, so their rows line up
    for i, column in enumerate([rows[:half], rows[half:]]):
        ax = fig.add_axes((0.06 + i * (width + 0.03), bottom, width, height))
        static_map.draw_legend(
            ax, column, title=t("map.legend", lang) if i == 0 else " ", fontsize=11.5, marker_pt=20.0, line_height=step
        )
    if people:
        ax = fig.add_axes((0.72, bottom, 0.22, height))
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.text(
            0.0,
            0.97,
            t("report.people_title", lang),
            ha="left",
            va="top",
            fontsize=12.5 * 1.15,
            fontweight="bold",
            color=_INK,
            family=static_map.FONT,
        )
        ax.text(
            0.0,
            0.86,
            t("static.people_per_buurt", lang),
            ha="left",
            va="top",
            fontsize=11,
            color=static_map.MUTED_TEXT,
            family=static_map.FONT,
        )
        y = 0.68
        for buurt, shown in zip(data.people["buurt"], data.people["shown"], strict=True):
            ax.text(0.0, y, str(buurt), ha="left", va="center", fontsize=13, color=_INK, family=static_map.FONT)
            ax.text(
                1.0,
                y,
                f"{static_map.glyph(Category.PERSON.value)} {shown}",
                ha="right",
                va="center",
                fontsize=13,
                fontweight="bold",
                color=_INK,
                family=static_map.FONT,
            )
            y -= 0.14


def wijk_poster(data: ReportData, *, lang: Lang = "nl", fmt: str = "png", dpi: float = POSTER_DPI) -> bytes:
    """The A3 poster as PNG or PDF bytes.

    Parameters
    ----------
    fmt
        ``"png"`` (pixels: 297 and 420 mm at ``dpi``) or ``"pdf"`` (vector, searchable text).
    dpi
        PNG resolution; the default gives 2970 x 4200 pixels.
    """
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        msg = f"Unknown poster format {fmt!r}; use {' or '.join(FORMATS)}"
        raise ValueError(msg)
    return static_map.figure_bytes(poster_figure(data, lang=lang), fmt=fmt, dpi=dpi)


__all__ = ["A3_MM", "FORMATS", "POSTER_DPI", "poster_figure", "wijk_poster"]
