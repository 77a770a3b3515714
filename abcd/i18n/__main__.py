"""``python -m abcd.i18n``: rewrite the translation template from the Dutch catalogue.

Dutch is the source language, so ``abcd/locale/nl/LC_MESSAGES/abcd.po`` is
where a new key is added. This writes ``abcd/locale/abcd.pot``: every key,
empty, with the Dutch text as an extracted comment (``#.``) for translators;
Poedit ("Update from POT file") and Weblate bring the other languages up to
date from it. ``--check`` only reports whether the template is out of date
(exit status 1), as the test suite does.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from abcd.i18n.catalogues import DOMAIN, SOURCE_LANG, TEMPLATE, po_path

_FORM_NAMES = ("one", "other")  # Dutch: plural=(n != 1)

_HEADER = """\
# Translation template of abcd: every key, with the Dutch text as a comment.
#
# Start a language from this file (Poedit: New from POT file; Weblate does
# it for you) and save it as abcd/locale/<code>/LC_MESSAGES/abcd.po.
# Keep the placeholders in braces ({wijk}, {n}, {value!r}) as they are;
# {n} is the count that picks a plural form.
# Written by `python -m abcd.i18n` from the Dutch catalogue."""


def template_from(source: Catalog) -> Catalog:
    """The template of ``source`` (the Dutch catalogue): same keys and plural entries, no texts."""
    template = Catalog(
        domain=DOMAIN,
        header_comment=_HEADER,
        project=source.project,
        version=source.version,
        copyright_holder=source.copyright_holder,
        creation_date=source.creation_date,  # stable output: the template changes only with the Dutch file
        charset="utf-8",
        fuzzy=False,
    )
    for message in source:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            forms = message.string if isinstance(message.string, tuple) else ()
            comments = [f"Dutch, {name}: {text}" for name, text in zip(_FORM_NAMES, forms, strict=False)]
            template.add(message.id, ("", ""), auto_comments=comments)
        else:
            template.add(message.id, "", auto_comments=[f"Dutch: {message.string}"])
    return template


def template_text() -> bytes:
    """The template as it should be on disk."""
    with po_path(SOURCE_LANG).open("rb") as file:
        source = read_po(file, domain=DOMAIN)
    buffer = io.BytesIO()
    write_po(buffer, template_from(source), sort_output=False, include_lineno=False, include_previous=False)
    return buffer.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m abcd.i18n", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the template is up to date")
    args = parser.parse_args(argv)
    text = template_text()
    if args.check:
        current = TEMPLATE.read_bytes() if TEMPLATE.exists() else b""
        if current != text:
            print(f"{TEMPLATE} is out of date; run python -m abcd.i18n", file=sys.stderr)
            return 1
        return 0
    TEMPLATE.write_bytes(text)
    print(f"{TEMPLATE} written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
