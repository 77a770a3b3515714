"""Connections between assets: who is a member of which club, where it meets, who supports whom.

:mod:`~abcd.connections.model` holds the kinds, the record and which
categories each kind joins; :mod:`~abcd.connections.register` stores them and
says who may see and change them (a resident's connections are personal
data); :mod:`~abcd.connections.files` carries them in and out of files.
"""

from __future__ import annotations

from abcd.connections.model import ALLOWED, Connection, ConnectionDraft, ConnectionKind, validate_connection

__all__ = ["ALLOWED", "Connection", "ConnectionDraft", "ConnectionKind", "validate_connection"]
