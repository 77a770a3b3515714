"""folium's elements rendered in one pass: each macro's output goes into the document as it is.

branca's ``MacroElement.render`` wraps every piece it renders (an element's
header, html and script) in a *new* Jinja template, compiles it, and renders
it again when the document is put together. That second pass does nothing
useful: its input is finished HTML or JavaScript. It costs a Jinja compile
per element (two thirds of ``st_folium``'s time on the Kaart page, about
35 ms a run), and it would evaluate any ``{{ ... }}`` or ``{% ... %}`` that
reached the output, such as a name someone typed, on the server.

:func:`install` replaces ``MacroElement.render`` with :func:`render_once`,
which does the same minus that pass: every folium class that calls
``super().render()`` (maps, tile layers, markers, tooltips, controls,
plugins) inherits it. folium's ``Popup`` keeps its own second pass; ``abcd``
does not use it (pin popups are drawn in the browser, :mod:`abcd.maps.pins`).
The output is the same apart from Jinja's habit of dropping one trailing
newline. :mod:`abcd.maps` installs it when it is imported.
"""

from __future__ import annotations

from typing import Any

from branca.element import Figure, MacroElement

from abcd.maps._elements import RawScript

_PARTS = ("header", "html", "script")
BRANCA_RENDER = MacroElement.render  # branca's own, for comparison (tests)


def render_once(self: MacroElement, **kwargs: Any) -> None:
    """``MacroElement.render`` without the second Jinja pass over what the macros produced."""
    figure = self.get_root()
    if not isinstance(figure, Figure):  # branca's own check, kept as it is (not an assert: python -O)
        msg = "You cannot render this Element if it is not in a Figure."
        raise AssertionError(msg)
    macros = self._template.module.__dict__
    for part in _PARTS:
        macro = macros.get(part)
        if macro is not None:
            getattr(figure, part).add_child(RawScript(str(macro(self, kwargs))), name=self.get_name())
    for element in self._children.values():
        element.render(**kwargs)


def install() -> None:
    """Render every folium element in one pass (idempotent; the whole process, which is the point)."""
    MacroElement.render = render_once  # type: ignore[method-assign]
