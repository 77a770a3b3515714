"""The walk log: builders walk their wijk, and the streets they walked get the day.

A builder records a walk in the app (the phone's positions while the
Wandelingen page is open) or imports a GPX track (``abcd walks import``). The
streets the track went along get the day (:mod:`~abcd.walks.streets` says
exactly which); the Gatenkaart colours streets by when they were last walked
and lists those not walked for months, and the gap files carry
``last_walked`` per street.

Modules: :mod:`~abcd.walks.tracks` (GPX files and recorded positions into a
cleaned :class:`~abcd.walks.tracks.Track`), :mod:`~abcd.walks.streets` (the
pure rule: which streets a track walked), :mod:`~abcd.walks.register` (the
walks as stored, who may see tracks, retention), :mod:`~abcd.walks.cli` (the
``abcd walks`` command) and :mod:`~abcd.walks.widget` (the recorder on the
page: the one module here that imports Streamlit).
"""

from __future__ import annotations

# Nothing is imported here: `abcd --help` reads abcd.walks.cli's parser, and must load neither frames nor the
# database. Import from the modules themselves.
