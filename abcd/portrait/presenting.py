"""The Presentatie page's big screen and its address: pure helpers, no Streamlit.

A presentation is given from a projector, often with a presenter's clicker
(which sends PageDown and PageUp, or the arrow keys). Everything on the big
screen is larger (:data:`BIG_SCREEN_SCALE`): the page's text
(:func:`big_screen_css`), the charts' axes, legends and titles
(:func:`chart_fonts`) and the map's legend and controls (:func:`big_map`).
Mode, step and screen live in the page's address (:func:`view_from_query`,
:func:`query_from_view`), so a reload, or a link sent to the one who
presents, opens the same step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

OVERVIEW: Final = "overview"
STORY: Final = "story"
MODES: Final = (OVERVIEW, STORY)
BIG_SCREEN_SCALE: Final = 1.6
"""How much larger everything is on the big screen (a room reads a projector from 5 to 10 m)."""
BIG_MAP_HEIGHT: Final = 1.35
"""How much taller a map is on the big screen, so its larger legend still leaves the zoom buttons free."""
QUERY_KEYS: Final = ("mode", "step", "beamer")
"""The address parameters of the view: ``?mode=story&step=3&beamer=1`` (the step as shown, from 1)."""
MAX_STEP: Final = 1000  # more steps than a story has; a bigger number in an address is not a step

# Vega-Lite's default text sizes (axis labels and titles, legend labels and titles, chart titles), in px.
_CHART_FONTS: Final = {"label": 10.0, "title": 11.0, "chart_title": 13.0}


@dataclass(frozen=True, slots=True)
class PresenterView:
    """Where a presentation is: its mode, its step (from 0) and whether it is on the big screen."""

    mode: str = OVERVIEW
    step: int = 0
    big: bool = False


def view_from_query(params: Mapping[str, Any]) -> PresenterView:
    """The view an address asks for; anything unknown or malformed is the default, never an error.

    >>> view_from_query({"mode": "story", "step": "3", "beamer": "1"})
    PresenterView(mode='story', step=2, big=True)
    >>> view_from_query({"mode": "<script>", "step": "-4", "beamer": "ja"})
    PresenterView(mode='overview', step=0, big=False)
    """
    mode = _text(params.get("mode"))
    step_text = _text(params.get("step"))
    step = int(step_text) - 1 if step_text.isdecimal() and 1 <= int(step_text) <= MAX_STEP else 0
    return PresenterView(
        mode=mode if mode in MODES else OVERVIEW,
        step=step,
        big=_text(params.get("beamer")) == "1",
    )


def query_from_view(view: PresenterView) -> dict[str, str]:
    """The address parameters of ``view``: the step only in the story, the big screen only when on.

    >>> query_from_view(PresenterView(STORY, 2, True)), query_from_view(PresenterView())
    ({'mode': 'story', 'step': '3', 'beamer': '1'}, {'mode': 'overview'})
    """
    params = {"mode": view.mode}
    if view.mode == STORY:
        params["step"] = str(view.step + 1)
    if view.big:
        params["beamer"] = "1"
    return params


def _text(value: Any) -> str:
    """One address value as text (Streamlit gives the last of repeated values; a list is taken the same way)."""
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return "" if value is None else str(value).strip()


def chart_fonts(chart: Any, scale: float) -> Any:
    """An Altair chart with every text ``scale`` times its default size: axes, legends and titles.

    Only ``configure_*`` calls, which keep what ``configure`` set before (the locale).
    """
    label, title = _CHART_FONTS["label"] * scale, _CHART_FONTS["title"] * scale
    return (
        chart.configure_axis(labelFontSize=label, titleFontSize=title, labelLimit=int(200 * scale))
        .configure_legend(labelFontSize=label, titleFontSize=title, symbolSize=int(100 * scale * scale))
        .configure_title(fontSize=_CHART_FONTS["chart_title"] * scale)
    )


def big_screen_css(scale: float = BIG_SCREEN_SCALE) -> str:
    """The page's style on the big screen: no sidebar or toolbar, and every text ``scale`` times larger.

    Static CSS (no user text): body text, captions, headings, metrics,
    buttons, widget labels and the progress text of the story.
    """
    rem = f"{scale:.2f}rem"
    return (
        "<style>"
        "section[data-testid='stSidebar'],header[data-testid='stHeader']{display:none}"
        ".block-container{padding-top:1rem;max-width:100%}"
        f"[data-testid='stMarkdownContainer'] p,[data-testid='stMarkdownContainer'] li{{font-size:{rem}}}"
        f"[data-testid='stCaptionContainer'],[data-testid='stCaptionContainer'] p{{font-size:{scale * 0.875:.2f}rem}}"
        f"[data-testid='stHeading'] h1{{font-size:{scale * 2.75:.2f}rem}}"
        f"[data-testid='stHeading'] h2{{font-size:{scale * 2.0:.2f}rem}}"
        f"[data-testid='stHeading'] h3{{font-size:{scale * 1.5:.2f}rem}}"
        f"[data-testid='stMetricLabel'] p{{font-size:{rem} !important}}"
        f"[data-testid='stMetricValue'],[data-testid='stMetricValue'] p{{font-size:{scale * 2.25:.2f}rem !important;"
        "line-height:1.15}"
        f"[data-testid='stWidgetLabel'] p,.stButton button p,[data-testid='stTable'] td,[data-testid='stTable'] th"
        f"{{font-size:{rem}}}"
        f"[data-testid='stProgress'] p{{font-size:{rem}}}"
        "</style>"
    )


def big_map(m: Any, scale: float = BIG_SCREEN_SCALE) -> Any:
    """``m`` (a folium map) with its legend, scale, attribution and layer control ``scale`` times larger.

    The map lives in its own frame, out of reach of the page's style, so the
    rule goes into the map's own head. ``zoom`` scales a control as a whole,
    its symbols with its text.
    """
    from folium import Element

    controls = ".abcd-legend,.leaflet-control-scale,.leaflet-control-attribution,.leaflet-control-layers"
    m.get_root().header.add_child(Element(f"<style>{controls}{{zoom:{scale:.2f}}}</style>"), name="abcd_big_screen")
    return m


__all__ = [
    "BIG_MAP_HEIGHT",
    "BIG_SCREEN_SCALE",
    "MODES",
    "OVERVIEW",
    "QUERY_KEYS",
    "STORY",
    "PresenterView",
    "big_map",
    "big_screen_css",
    "chart_fonts",
    "query_from_view",
    "view_from_query",
]
