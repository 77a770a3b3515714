"""The error of the gap analysis: bad input, with a message that says what to fix."""

from __future__ import annotations


class GapInputError(ValueError):
    """Bad input to the gap analysis; the message says what to fix."""
