"""Where the shipped files live: inside the package in a wheel, at the top level in a checkout.

A checkout keeps the open data in ``data/wijken/`` and Leaflet in
``static/vendor/`` (Streamlit serves that folder next to ``app.py``). A wheel
has no top level, so ``pyproject.toml`` maps the same two folders into the
package as ``abcd/_data/wijken`` and ``abcd/_data/vendor``: git holds each
file once, and an installed ``abcd`` finds them without a checkout. The
translations (``abcd/locale``) live inside the package in both cases.

>>> shipped_dir("wijken").name, shipped_dir("vendor").name
('wijken', 'vendor')
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

PACKAGE_DIR = Path(__file__).resolve().parent
"""The folder of the ``abcd`` package itself."""

Shipped = Literal["wijken", "vendor"]

# Each shipped folder: where a wheel puts it (inside the package) and where a
# checkout keeps it (relative to the folder above the package).
_SHIPPED: dict[Shipped, tuple[str, str]] = {
    "wijken": ("_data/wijken", "data/wijken"),
    "vendor": ("_data/vendor", "static/vendor"),
}
_PACKAGED = PACKAGE_DIR / "_data"


def checkout_root() -> Path | None:
    """The top folder of the source checkout ``abcd`` runs from, or ``None`` when it was installed from a wheel.

    An editable install (``pip install -e .``, what ``make`` does) counts as a
    checkout: the package is the checkout's own ``abcd/`` folder.
    """
    return None if _PACKAGED.is_dir() else PACKAGE_DIR.parent


def shipped_dir(name: Shipped) -> Path:
    """The folder of the shipped files ``name``: ``"wijken"`` (the open data) or ``"vendor"`` (Leaflet)."""
    inside, top = _SHIPPED[name]
    root = checkout_root()
    return PACKAGE_DIR / inside if root is None else root / top
