"""The strengths portrait as a printable PDF: A4 portrait, 2-4 pages, Dutch or English, taalniveau B1.

PDF route: the map is drawn by matplotlib from our own data (:mod:`abcd.portrait.static_map`,
no tiles) and the document is laid out with ReportLab's Platypus, because both
are pure-Python wheels that need no system libraries (WeasyPrint needs Pango
and Cairo), ReportLab writes real, searchable text with embedded TrueType
fonts, and matplotlib already ships DejaVu Sans, which has every category glyph.

:func:`wijk_report` is pure: it turns a :class:`~abcd.portrait.ReportData`
(public assets and people as counts per buurt only) and the cooperative's own
texts into PDF bytes. :func:`load_report_data` builds the data from a store.

>>> from abcd.portrait.data import ReportData
>>> callable(wijk_report) and ReportData.__name__
'ReportData'
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from abcd.connections.model import ConnectionKind
from abcd.i18n import Lang, normalise_lang, t
from abcd.i18n.formats import language_tag
from abcd.model import Category, MeetingPlaceRole
from abcd.portrait import static_map
from abcd.portrait.data import (
    PUBLIC_CATEGORIES,
    ReportData,
    category_counts,
    display_name,
    format_date,
    format_number,
    headline_cells,
    load_report_data,
    new_since,
    report_data,
)
from abcd.styles import CATEGORY_STYLE

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
LIST_LIMIT = 10
"""At most this many initiatives and meeting places are listed by name; the rest are counted (keeps 2-4 pages)."""
DESCRIPTION_LIMIT = 220

INK = colors.HexColor("#1d1d1b")
MUTED = colors.HexColor("#555555")
ACCENT = colors.HexColor("#006e52")  # the initiative green, darkened for text contrast on white
RULE = colors.HexColor("#d9d4c7")
PAPER = colors.HexColor("#f6f3ec")

_MARGIN = 2.0 * cm
_TEXT_WIDTH = A4[0] - 2 * _MARGIN


def _configure_reportlab() -> None:
    # ReportLab keeps its settings and fonts per process. Binary streams instead
    # of ASCII85 (a 7-bit encoding nobody needs) save a quarter of the file size
    # and 0.6 s per report with ReportLab's pure-Python encoder; every report
    # sets the same value, so threads cannot disagree. Registering is idempotent.
    rl_config.useA85 = 0
    registered = set(pdfmetrics.getRegisteredFontNames())
    if FONT not in registered:
        pdfmetrics.registerFont(TTFont(FONT, str(static_map.FONT_PATH)))
    if FONT_BOLD not in registered:
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(static_map.FONT_BOLD_PATH)))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15, textColor=INK, alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("title", base, fontName=FONT_BOLD, fontSize=22, leading=27, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=13, leading=17, textColor=MUTED, spaceAfter=10),
        "h2": ParagraphStyle(
            "h2", base, fontName=FONT_BOLD, fontSize=15, leading=19, textColor=ACCENT, spaceBefore=12, spaceAfter=5
        ),
        "h3": ParagraphStyle("h3", base, fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=6, spaceAfter=2),
        "body": ParagraphStyle("body2", base, spaceAfter=5),
        "small": ParagraphStyle("small", base, fontSize=8.5, leading=11.5, textColor=MUTED),
        "item": ParagraphStyle("item", base, leftIndent=12, bulletIndent=0, spaceAfter=4),
        "big": ParagraphStyle("big", base, fontName=FONT_BOLD, fontSize=24, leading=27, textColor=ACCENT),
        "cell": ParagraphStyle("cell", base, fontSize=10, leading=13),
        "glyph": ParagraphStyle("glyph", base, fontSize=11, leading=13, alignment=1),
        "step": ParagraphStyle("step", base, leftIndent=16, bulletIndent=2, spaceAfter=4),
        "fill": ParagraphStyle("fill", base, textColor=MUTED, spaceAfter=2),
    }


def _text(value: object) -> str:
    """User text made safe for ReportLab's paragraph markup (it parses ``<b>`` and ``&amp;``)."""
    return escape(" ".join(str(value).split()))


def _multiline(value: str) -> str:
    lines = [escape(line.strip()) for line in value.strip().splitlines()]
    return "<br/>".join(lines)


def _shorten(value: object, limit: int = DESCRIPTION_LIMIT) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ------------------------------------------------------------------ sections
def _cover(data: ReportData, lang: Lang, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph(_text(t("report.title", lang, wijk=data.name)), s["title"]),
        Paragraph(_text(t("report.subtitle", lang)), s["subtitle"]),
    ]
    intro = []
    if data.population:
        intro.append(t("report.residents", lang, wijk=data.name, population=format_number(data.population, lang)))
    intro.append(t("report.intro", lang))
    intro.append(t("report.made_on", lang, date=format_date(data.made_on, lang)))
    story.append(Paragraph(_text(" ".join(intro)), s["body"]))
    if data.is_empty:
        story += _empty_section(data, lang, s)
    else:
        story.append(Spacer(1, 6))
        story.append(_key_figures(data, lang, s))
    story.append(Spacer(1, 10))
    story.append(Paragraph(_text(t("report.map_title", lang)), s["h2"]))
    story.append(_map_image(data, lang))
    story.append(Spacer(1, 4))
    story.append(Paragraph(_text(t("report.map_caption", lang)), s["small"]))
    return story


def _empty_section(data: ReportData, lang: Lang, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    steps = [
        t("report.empty_step1", lang, wijk=data.name),
        t("report.empty_step2", lang),
        t("report.empty_step3", lang, slug=data.slug),
        t("report.empty_step4", lang),
    ]
    return [
        Paragraph(_text(t("report.empty_title", lang)), s["h2"]),
        Paragraph(_text(t("report.empty", lang, wijk=data.name)), s["body"]),
        *[Paragraph(_text(step), s["step"], bulletText=f"{i}.") for i, step in enumerate(steps, start=1)],
    ]


def _key_figures(data: ReportData, lang: Lang, s: dict[str, ParagraphStyle]) -> Table:
    cells = headline_cells(data, lang)
    row = [[Paragraph(format_number(n, lang), s["big"]), Paragraph(_text(label), s["cell"])] for n, label in cells]
    width = _TEXT_WIDTH / len(cells)
    table = Table([row], colWidths=[width] * len(cells))
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), PAPER),
                ("LINEAFTER", (0, 0), (-2, -1), 2, colors.white),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ("LEFTPADDING", (0, 0), (-1, -1), 9),
            ]
        )
    )
    return table


def _map_image(data: ReportData, lang: Lang) -> Image:
    counts: dict[str, int | str] = {code: int(n) for code, n in category_counts(data.assets).items() if n}
    if int(data.people["count"].sum()) > 0:
        counts = {Category.PERSON.value: t("static.people_per_buurt", lang), **counts}
    legend = static_map.legend_rows(counts, lang=lang, examples=data.has_examples, buurten=len(data.buurten) > 1)
    size_cm = (17.0, 12.5)
    png = static_map.wijk_map_png(
        boundary=data.boundary,
        streets=data.streets,
        assets=data.assets,
        buurten=data.buurten,
        people=data.people,
        legend=legend,
        lang=lang,
        size_cm=size_cm,
    )
    return Image(io.BytesIO(png), width=size_cm[0] * cm, height=size_cm[1] * cm)


def _category_table(data: ReportData, lang: Lang, s: dict[str, ParagraphStyle]) -> Table:
    counts = category_counts(data.assets)
    rows: list[list[Any]] = [
        [
            "",
            Paragraph(_text(t("report.col_kind", lang)), s["h3"]),
            Paragraph(_text(t("report.col_count", lang)), s["h3"]),
        ]
    ]
    style = [
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (2, 0), (2, -1), "RIGHT"),
        ("TOPPADDING", (0, 1), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 3),
    ]
    for i, code in enumerate(PUBLIC_CATEGORIES, start=1):
        cat = CATEGORY_STYLE[code]
        glyph_style = ParagraphStyle(f"g{code}", s["glyph"], textColor=colors.HexColor(cat.text))
        rows.append(
            [
                Paragraph(escape(static_map.glyph(code)), glyph_style),
                Paragraph(_text(t(f"category.{code}", lang)), s["cell"]),
                Paragraph(f"<b>{int(counts[code])}</b>", ParagraphStyle("num", s["cell"], alignment=2)),
            ]
        )
        style.append(("BACKGROUND", (0, i), (0, i), colors.HexColor(cat.color)))
        style.append(("LINEBELOW", (0, i), (-1, i), 0.4, RULE))
    table = Table(rows, colWidths=[0.8 * cm, 11.5 * cm, 2.5 * cm], hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


def _people_section(data: ReportData, lang: Lang, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    if int(data.people["count"].sum()) == 0 or data.people.empty:
        return []
    rows: list[list[Any]] = [
        [Paragraph(_text(t("report.col_buurt", lang)), s["h3"]), Paragraph(_text(t("report.col_count", lang)), s["h3"])]
    ]
    for buurt, shown in zip(data.people["buurt"], data.people["shown"], strict=True):
        rows.append(
            [
                Paragraph(_text(buurt), s["cell"]),
                Paragraph(f"<b>{escape(str(shown))}</b>", ParagraphStyle("num", s["cell"], alignment=2)),
            ]
        )
    table = Table(rows, colWidths=[12.3 * cm, 2.5 * cm], hAlign="LEFT")
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, 0), 0.8, INK), ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE)]))
    return [
        Paragraph(_text(t("report.people_title", lang)), s["h3"]),
        Paragraph(_text(t("report.people_intro", lang)), s["body"]),
        table,
    ]


def _asset_list(
    rows: pd.DataFrame, lang: Lang, s: dict[str, ParagraphStyle], note: Callable[[Any], str | None]
) -> list[Flowable]:
    items: list[Flowable] = []
    for _, row in rows.head(LIST_LIMIT).iterrows():
        head = f"<b>{_text(display_name(row, lang))}</b>"
        extra = note(row)
        if extra:
            head += f" <font color='#555555'>· {_text(extra)}</font>"
        description = _shorten(row.get("description", ""))
        if description:
            head += f"<br/>{_text(description)}"
        items.append(Paragraph(head, s["item"], bulletText="•"))
    if len(rows) > LIST_LIMIT:
        items.append(Paragraph(_text(t("report.more", lang, n=len(rows) - LIST_LIMIT)), s["item"]))
    return items


def _initiatives(data: ReportData, lang: Lang, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    assets = data.assets
    rows = assets[assets["category"] == Category.INITIATIVE.value] if len(assets) else assets
    story: list[Flowable] = [Paragraph(_text(t("report.initiatives_title", lang)), s["h2"])]
    if rows.empty:
        return [*story, Paragraph(_text(t("report.initiatives_none", lang)), s["body"])]
    # Resident-led first: that is what a cooperative wants to show.
    led = rows["resident_led"].fillna(False).astype(bool)
    rows = rows.assign(_led=led).sort_values(["_led", "name"], ascending=[False, True])

    def note(row: Any) -> str | None:
        if row["resident_led"] is None or pd.isna(row["resident_led"]):
            return None
        return t("map.resident_led", lang) if bool(row["resident_led"]) else t("map.not_resident_led", lang)

    return story + _asset_list(rows, lang, s, note)


def _meeting_places(data: ReportData, lang: Lang, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    assets = data.assets
    rows = assets[assets["category"] == Category.MEETING_PLACE.value] if len(assets) else assets
    story: list[Flowable] = [Paragraph(_text(t("report.meeting_title", lang)), s["h2"])]
    if rows.empty:
        return [*story, Paragraph(_text(t("report.meeting_none", lang)), s["body"])]
    order = {MeetingPlaceRole.STANDARD.value: 0, MeetingPlaceRole.RESIDENT.value: 1}
    rows = rows.assign(_order=rows["meeting_place_role"].map(order).fillna(2)).sort_values(["_order", "name"])

    def note(row: Any) -> str | None:
        role = row.get("meeting_place_role")
        return t(f"role.{role}", lang) if isinstance(role, str) and role else None

    return story + _asset_list(rows, lang, s, note)


def connections_section(data: ReportData, *, lang: Lang = "nl") -> list[Flowable]:
    """Connections and growth: the kinds of tie, the connectors, stories next to the places they are about,
    and how initiatives, meeting places and connections grew (with the money, for those who may see it)."""
    s = _styles()
    story: list[Flowable] = [Paragraph(_text(t("report.network_title", lang)), s["h2"])]
    figures = data.network
    if figures is None or figures.connections == 0:
        story.append(Paragraph(_text(t("report.network_none", lang)), s["body"]))
    else:
        kinds = ", ".join(f"{n} × {ConnectionKind(k).label(lang)}" for k, n in figures.kinds.items())
        story.append(
            Paragraph(_text(t("report.network_intro", lang, count=figures.connections, kinds=kinds)), s["body"])
        )
        rows = data.assets.set_index("id") if "id" in data.assets.columns else data.assets
        shown = [display_name(rows.loc[i], lang) for i in figures.connectors if i in rows.index]
        if shown:
            story.append(Paragraph(_text(t("report.network_connectors", lang, names=", ".join(shown))), s["body"]))
        if figures.unconnected:
            story.append(Paragraph(_text(t("report.network_unconnected", lang, n=figures.unconnected)), s["body"]))
    rows = data.assets.set_index("id") if "id" in data.assets.columns else data.assets
    told = [
        (display_name(rows.loc[place], lang), display_name(rows.loc[i], lang), str(rows.loc[i]["description"] or ""))
        for place, ids in data.stories.items()
        if place in rows.index
        for i in ids
        if i in rows.index
    ]
    if told:
        story.append(Paragraph(_text(t("report.stories_title", lang)), s["h3"]))
        for place, title, text in sorted(told):
            line = f"<b>{_text(place)}</b>: {_text(title)}" + (f". {_text(_shorten(text))}" if text else "")
            story.append(Paragraph(line, s["body"]))
    growth = figures.growth if figures is not None else None
    if growth is not None and len(growth) >= 2:
        first, last = growth.iloc[max(0, len(growth) - 13)], growth.iloc[-1]
        line = t(
            "report.growth_line",
            lang,
            since=format_date(first["month"], lang),
            initiatives=f"{int(first['initiatives'])} → {int(last['initiatives'])}",
            places=f"{int(first['meeting_places'])} → {int(last['meeting_places'])}",
            connections=f"{int(first['connections'])} → {int(last['connections'])}",
        )
        if "invested_cents" in growth.columns:
            from abcd.investments.amounts import eur_from_cents, format_eur

            spent = int(growth["invested_cents"].iloc[max(0, len(growth) - 12) :].sum())
            line += " " + t("report.growth_money", lang, amount=format_eur(eur_from_cents(spent), lang))
        story.append(Paragraph(_text(line), s["body"]))
    return [KeepTogether(story)]


def investment_section(data: ReportData, *, lang: Lang = "nl") -> list[Flowable] | None:
    """The meeting-place investment summary, or ``None`` when ``data`` has none (or its maker may not see it).

    ``data.investment`` comes from :func:`abcd.investments.summary.wijk_summary` for the
    latest year with entries (:func:`~abcd.portrait.load_report_data` fills it
    only for users who may see investments).
    """
    figures = data.investment
    if figures is None:
        return None
    from abcd.investments.amounts import format_eur  # the investment module owns how money is written

    s = _styles()
    row = figures.summary
    intro = t("report.investment_intro", lang, year=figures.year, total=format_eur(row["eur_total"], lang))
    if row.get("eur_per_1000") is not None and not pd.isna(row.get("eur_per_1000")):
        intro += " " + t("report.investment_per_1000", lang, amount=format_eur(row["eur_per_1000"], lang))
    header = [
        Paragraph(_text(t("report.col_place_kind", lang)), s["h3"]),
        Paragraph(_text(t("report.col_places", lang)), s["h3"]),
        Paragraph(_text(t("report.col_money", lang, year=figures.year)), s["h3"]),
    ]
    right = ParagraphStyle("num", s["cell"], alignment=2)
    rows: list[list[Any]] = [header]
    for role in MeetingPlaceRole:
        rows.append(
            [
                Paragraph(_text(t(f"role.{role.value}", lang)), s["cell"]),
                Paragraph(str(int(row[f"{role.value}_places"])), right),
                Paragraph(_text(format_eur(row[f"eur_{role.value}"], lang)), right),
            ]
        )
    table = Table(rows, colWidths=[8.8 * cm, 2.5 * cm, 3.5 * cm], hAlign="LEFT")
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, 0), 0.8, INK), ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE)]))
    story: list[Flowable] = [
        Paragraph(_text(t("report.investment_title", lang)), s["h2"]),
        Paragraph(_text(intro), s["body"]),
        table,
    ]
    if bool(row.get("no_standard")):
        story.append(Paragraph(_text(t("report.investment_no_standard", lang)), s["body"]))
    return [KeepTogether(story)]


def _fill_in(title: str, text: str, lang: Lang, s: dict[str, ParagraphStyle]) -> KeepTogether:
    parts: list[Flowable] = [Paragraph(_text(title), s["h2"])]
    if text.strip():
        parts.append(Paragraph(_multiline(text), s["body"]))
    else:
        # Blank lines to write on: the printed report works at the coffee table too.
        parts.append(Paragraph(_text(t("report.fill_in", lang)), s["fill"]))
        lines = Table([[""] for _ in range(5)], colWidths=[_TEXT_WIDTH], rowHeights=[0.9 * cm] * 5)
        lines.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE)]))
        parts.append(lines)
    return KeepTogether(parts)


def _sources(data: ReportData, lang: Lang, s: dict[str, ParagraphStyle]) -> KeepTogether:
    keys = ["report.source_boundaries", "report.source_residents", "report.source_streets", "report.source_assets"]
    if data.has_examples:
        keys.append("report.source_examples")
    return KeepTogether(
        [
            Paragraph(_text(t("report.sources_title", lang)), s["h2"]),
            *[Paragraph(_text(t(key, lang)), s["item"], bulletText="•") for key in keys],
        ]
    )


def _canvas_maker(footer: str, lang: Lang) -> type[Canvas]:
    """A canvas that writes "page X of Y" and the footer once the page count is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(FONT, 8)
                self.setFillColor(MUTED)
                self.drawString(_MARGIN, 1.2 * cm, footer)
                self.drawRightString(
                    A4[0] - _MARGIN, 1.2 * cm, t("report.page", lang, page=self._pageNumber, pages=total)
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def wijk_report(data: ReportData, *, lang: Lang = "nl", own_strengths: str = "", help_wanted: str = "") -> bytes:
    """The strengths portrait of ``data`` as PDF bytes (A4 portrait).

    Parameters
    ----------
    data
        Built by :func:`load_report_data` or :func:`~abcd.portrait.report_data`:
        public assets only, people as counts per buurt.
    lang
        ``"nl"`` (default) or ``"en"``.
    own_strengths, help_wanted
        The cooperative's own words for "Wat we zelf kunnen" and "Waar we hulp
        bij vragen"; empty sections get lines to write on by hand.
    """
    lang = normalise_lang(lang)
    _configure_reportlab()
    s = _styles()
    story = _cover(data, lang, s)
    story.append(PageBreak())
    story.append(Paragraph(_text(t("report.has_title", lang)), s["h2"]))
    if not data.is_empty:
        story.append(Paragraph(_text(t("report.has_intro", lang, n=len(data.assets))), s["body"]))
        if data.since is not None:
            count = new_since(data.assets, data.since)
            story.append(
                Paragraph(
                    _text(t("report.new_since", lang, date=format_date(data.since, lang), count=count)), s["body"]
                )
            )
    story.append(_category_table(data, lang, s))
    story += _people_section(data, lang, s)
    story += _initiatives(data, lang, s)
    story += _meeting_places(data, lang, s)
    story += connections_section(data, lang=lang)
    investment = investment_section(data, lang=lang)
    if investment:
        story += investment
    story.append(PageBreak())  # the last page is the cooperative's own: what we can do, where we ask for help
    story.append(_fill_in(t("report.own_title", lang), own_strengths, lang, s))
    story.append(_fill_in(t("report.help_title", lang), help_wanted, lang, s))
    story.append(_sources(data, lang, s))

    buffer = io.BytesIO()
    title = t("report.title", lang, wijk=data.name)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=1.8 * cm,
        bottomMargin=2.0 * cm,
        title=title,
        subject=t("report.subtitle", lang),
        author="abcd",
        creator="abcd (ReportLab)",
        lang=language_tag(lang),
    )
    footer = t("report.footer", lang, wijk=data.name, date=format_date(data.made_on, lang))
    doc.build(story, canvasmaker=_canvas_maker(footer, lang))
    return buffer.getvalue()


__all__ = ["ReportData", "investment_section", "load_report_data", "report_data", "wijk_report"]
