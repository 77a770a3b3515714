"""The maps' own browser scripts (``*.js`` next to this module), read once and made compact for sending.

Comments and indentation are for readers of the source; the browser gets the
code alone, which is about a third smaller. Placeholders (``__NAME__``) are
filled from Python, so the limits live in one place.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from importlib.resources import files

_COMMENT_LINE = re.compile(r"^\s*//.*$", re.MULTILINE)
_TRAILING_COMMENT = re.compile(r"\s+//\s[^\"'\n]*$", re.MULTILINE)


def packaged_script(name: str, values: Mapping[str, str] | None = None) -> str:
    """The script ``name`` of :mod:`abcd.maps` without comments or indentation, its placeholders filled.

    >>> "abcdPins" in packaged_script("pins.js", {"__SIZE__": "26"})
    True
    """
    code = _compact(name)
    for placeholder, value in (values or {}).items():
        code = code.replace(placeholder, value)
    return code


@functools.cache
def _compact(name: str) -> str:
    source = files("abcd.maps").joinpath(name).read_text(encoding="utf-8")
    source = _COMMENT_LINE.sub("", source)
    source = _TRAILING_COMMENT.sub("", source)
    return "\n".join(line.strip() for line in source.splitlines() if line.strip())
