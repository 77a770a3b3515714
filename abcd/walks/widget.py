"""The walk recorder on the Wandelingen page: the one module of :mod:`abcd.walks` that imports Streamlit.

The recorder is a Streamlit custom component (``st.components.v2``) with a
few lines of JavaScript (``recorder.js`` beside this file): it follows the
phone's position (``navigator.geolocation.watchPosition``) while the page is
open, keeps every position in the browser's ``localStorage`` (a rerun or a
reload loses nothing), shows how many positions and how far, and on "Stop"
sends them to Python as the trigger value ``stop``: ``{"token": ..., "positions":
[[time_ms, lon, lat, accuracy_m], ...]}``. The page records the walk and calls
:func:`acknowledge`; the token goes back to the browser with the next run,
which then forgets the walk. A walk the page could not store stays in the
browser, to be sent again or thrown away.

Browsers give a page the position only over https or on localhost (``make
run-https`` serves the app over https on the local network).
"""

from __future__ import annotations

import functools
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import streamlit as st

from abcd.i18n import Lang, t

RECORDED: Final = "walks_recorded"
"""Session key: a walk handed to the page without the browser (``{"token", "positions"}``), as tests do."""
SAVED: Final = "walks_saved_tokens"
"""Session key: the tokens of the walks this session stored (sent back to the browser)."""
_KEEP_TOKENS: Final = 20
_TOKEN: Final = re.compile(r"[A-Za-z0-9-]{1,64}")
_NAME: Final = "abcd_walk_recorder"
# Both hold newlines: Streamlit reads a one-line text with "/" or "[...]" in it as the path of a file. The buttons
# stay hidden until the script has given them their labels: a button without a name is nothing to a screen reader.
_HTML: Final = """
<div class="abcd-walk">
  <div class="abcd-walk-buttons">
    <button type="button" data-action="start" hidden></button>
    <button type="button" data-action="stop" hidden></button>
    <button type="button" data-action="resend" hidden></button>
    <button type="button" data-action="discard" hidden></button>
  </div>
  <p class="abcd-walk-status" role="status" aria-live="polite"></p>
</div>
"""
_CSS: Final = """
.abcd-walk-buttons { display: flex; flex-wrap: wrap; gap: .5rem; }
.abcd-walk button {
  font: inherit; min-height: 44px; padding: .4rem 1rem; cursor: pointer;
  border-radius: var(--st-button-radius, .5rem); border: 1px solid var(--st-border-color, #ccc);
  background: var(--st-secondary-background-color, #f0f2f6); color: var(--st-text-color, #222);
}
.abcd-walk button[data-action="start"]:not(:disabled) { background: var(--st-primary-color, #1d4ed8); color: #fff; }
.abcd-walk button:disabled { opacity: .5; cursor: default; }
.abcd-walk-status { margin: .5rem 0 0; font-family: var(--st-font, sans-serif); color: var(--st-text-color, #222); }
"""
_LABELS: Final = {
    "start": "walks.recorder.start",
    "recording": "walks.recorder.recording",
    "stop": "walks.recorder.stop",
    "resend": "walks.recorder.resend",
    "discard": "walks.recorder.discard",
    "idle": "walks.recorder.idle",
    "status": "walks.recorder.status",
    "denied": "walks.recorder.denied",
}


@functools.cache
def _component() -> Any:
    """The recorder, registered once per process (each mount makes sure the running app knows it)."""
    from streamlit.components.v2 import component

    js = (Path(__file__).with_name("recorder.js")).read_text(encoding="utf-8")
    return component(_NAME, html=_HTML, css=_CSS, js=js)


def _ignore() -> None:
    """The ``stop`` trigger needs a callback to be reported; the page reads the value itself."""


def recorder(*, key: str, lang: Lang) -> Mapping[str, Any] | None:
    """Show the recorder; the walk the phone sent with "Stop" on this run (``token``, ``positions``), else ``None``.

    A walk this session already stored (its token acknowledged) is not
    handed over twice.
    """
    labels = {name: t(label, lang) for name, label in _LABELS.items()}
    result = _component()(
        key=key,
        data={"labels": labels, "saved": list(st.session_state.get(SAVED, []))},
        on_stop_change=_ignore,
    )
    sent = getattr(result, "stop", None)
    if sent is None:
        sent = st.session_state.pop(RECORDED, None)
    if not isinstance(sent, Mapping):
        return None
    token = sent.get("token")
    if isinstance(token, str) and token in st.session_state.get(SAVED, []):
        return None
    return sent


def walk_token(sent: Mapping[str, Any]) -> str | None:
    """The browser's token of a sent walk, when it is a plain short one."""
    token = sent.get("token")
    return token if isinstance(token, str) and _TOKEN.fullmatch(token) else None


def acknowledge(token: str | None) -> None:
    """Tell the browser (on the next run) that the walk ``token`` is stored, so it forgets it."""
    if token is None:
        return
    saved = [*st.session_state.get(SAVED, []), token][-_KEEP_TOKENS:]
    st.session_state[SAVED] = saved


@contextmanager
def uploaded_file(data: bytes, name: str) -> Iterator[Path]:
    """An upload as a file under its own name in a private temporary folder, removed afterwards (GDAL reads files)."""
    with tempfile.TemporaryDirectory(prefix="abcd-walk-") as folder:
        path = Path(folder) / (Path(name).name or "walk.gpx")
        path.write_bytes(data)
        yield path


__all__ = ["RECORDED", "SAVED", "acknowledge", "recorder", "uploaded_file", "walk_token"]
