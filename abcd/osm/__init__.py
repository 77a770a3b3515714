"""OpenStreetMap places as candidate assets, awaiting a builder's approval.

OpenStreetMap knows the community centres, libraries, playgrounds and places
of worship of every wijk. ``abcd osm import FILE.osm.pbf --wijk SLUG`` reads
an extract (no network) and proposes the places that are community assets by
their tags: :mod:`~abcd.osm.tags` is the one table from tags to categories,
with what is *not* an asset and why; :mod:`~abcd.osm.candidates` reads the
extract, turns objects into pending drafts and stores them, never twice and
never over what a builder changed.

OpenStreetMap data is © OpenStreetMap contributors and licensed under the Open
Database License (ODbL 1.0): what is derived from it says so
(:func:`attribution`).
"""

from __future__ import annotations

from abcd.i18n import Lang, t

# Nothing heavy is imported here: `abcd --help` must load neither frames nor the database.


def attribution(lang: Lang = "nl") -> str:
    """The line that goes with anything derived from OpenStreetMap (ODbL 1.0 asks for it).

    >>> attribution("en")
    '© OpenStreetMap contributors, ODbL 1.0'
    """
    return t("osm.attribution", lang)


__all__ = ["attribution"]
