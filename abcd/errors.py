"""Errors that carry a translatable message.

Every error raised for bad input is an :class:`AbcdError`. It keeps a message
key and its parameters instead of a finished string, so the page can show it in
the user's language (``err.message("en")``) while ``str(err)`` is Dutch, the
first language of the app and the CLI.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from typing import Any

from abcd.i18n import Lang, t


class AbcdError(ValueError):
    """Base class for every error a user can cause and should be told about."""

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(t(key, "nl", **params))

    def message(self, lang: Lang = "nl") -> str:
        """The message in ``lang``."""
        return t(self.key, lang, **self.params)


class ValidationError(AbcdError):
    """A value does not fit the model; the message names the field and the value."""


class ImportFileError(AbcdError):
    """A file cannot be read or one of its rows is invalid; nothing was stored."""


class UnknownWijkError(AbcdError):
    """A wijk slug or CBS code that the catalogue does not know."""


class NotFoundError(AbcdError):
    """An asset (or other record) id that is not in the store."""


class ConflictError(AbcdError):
    """An edit was based on an older version than the stored one."""


class OutsideWijkError(ValidationError):
    """A location lies outside the chosen wijk; ``params['actual']`` names where it lies, if known."""


class BackupError(AbcdError):
    """A backup cannot be made, or a file cannot be restored; the live database was left as it was."""


class StorageError(AbcdError):
    """The disk or the database could not read or write (full, read-only, no permission); nothing was half-done."""


def storage_error(exc: OSError) -> StorageError:
    """One clear, translatable message for an operating-system error, naming the file when there is one.

    >>> storage_error(OSError(errno.ENOSPC, "No space left on device")).message("en")
    'The disk is full: nothing was written, and nothing was left half-written. Free some space and try again.'
    """
    path = str(exc.filename) if exc.filename else "-"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageError("error.disk_full")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return StorageError("error.permission", path=path)
    if exc.errno == errno.EROFS:
        return StorageError("error.read_only", path=path)
    return StorageError("error.os", path=path, reason=exc.strerror or type(exc).__name__)


def first_shown(items: Sequence[str], limit: int) -> list[str]:
    """The first ``limit`` of ``items`` for a message, and ``…`` when there are more (the count says how many).

    >>> first_shown(["a", "b", "c"], 2), first_shown(["a"], 2)
    (['a', 'b', '…'], ['a'])
    """
    return [*items[:limit], "…"] if len(items) > limit else list(items)
