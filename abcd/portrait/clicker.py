"""The presenter's clicker: PageDown, PageUp and the arrow keys step through the Presentatie story.

The one module of :mod:`abcd.portrait` that imports Streamlit. A small custom
component (``st.components.v2``, JavaScript in ``clicker.js`` beside this
file) listens to the page's keys while the story is shown: right arrow and
PageDown (what most clickers send) go to the next step, left arrow and
PageUp to the previous one. It draws nothing. Keys typed into a field, or
used by a widget that moves with arrows, are left to that widget.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

_NAME: Final = "abcd_presenter_keys"
# Streamlit reads a one-line html text with "/" in it as a path; this one has none, and a newline besides.
_HTML: Final = '<span class="abcd-keys" hidden></span>\n'


@functools.cache
def _component() -> Any:
    """The key listener, registered once per process (each mount makes sure the running app knows it)."""
    from streamlit.components.v2 import component

    js = Path(__file__).with_name("clicker.js").read_text(encoding="utf-8")
    return component(_NAME, html=_HTML, js=js)


def step_keys(*, key: str, on_next: Callable[[], None], on_prev: Callable[[], None]) -> None:
    """Listen to the presenter's keys on this page; ``on_next`` and ``on_prev`` run as callbacks, before the rerun."""
    _component()(key=key, data={}, height=0, on_next_change=on_next, on_prev_change=on_prev)


__all__ = ["step_keys"]
