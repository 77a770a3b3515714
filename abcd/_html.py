"""The one HTML escape of ``abcd``: user text on its way into a map or a page.

Folium inserts popup and tooltip text as HTML and feeds generated scripts
through Jinja a second time, so escaping is done here, once, for every map:
:func:`escape` for element text and attributes, :func:`js_literal` for data
embedded in an inline ``<script>``.
"""

from __future__ import annotations

import html
import json
import re

_JINJA_OPENER = re.compile(r"\{(?=[{%#])")


def escape(value: object) -> str:
    """HTML-escape ``value`` for element text or a quoted attribute.

    Braces become character references too (they look the same in HTML):
    folium runs generated scripts through Jinja a second time, so a name
    containing ``{{ ... }}`` would otherwise be evaluated on the server.

    >>> escape('<b onclick="x">{{ 7*7 }}</b>')
    '&lt;b onclick=&quot;x&quot;&gt;&#123;&#123; 7*7 &#125;&#125;&lt;/b&gt;'
    """
    return html.escape(str(value), quote=True).replace("{", "&#123;").replace("}", "&#125;")


def js_literal(value: object) -> str:
    """``value`` as a JavaScript literal that is safe inside an inline ``<script>``.

    Compact JSON. ``<`` and ``>`` are escaped, so no string can close the
    script element, and so are the JavaScript line separators. A ``{`` that
    would open a Jinja tag (``{{``, ``{%``, ``{#``) is escaped as well: JSON
    syntax never produces those pairs, so they can only occur inside strings,
    where ``\\u007b`` means the same character.

    >>> print(js_literal({"n": "</script>{{x}}"}))
    {"n":"\\u003c/script\\u003e\\u007b{x}}"}
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )
    return _JINJA_OPENER.sub(r"\\u007b", text)
