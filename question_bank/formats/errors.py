"""The error a reader raises when a file as a whole cannot be read (or is over a limit)."""

from __future__ import annotations


class TableError(ValueError):
    """The file as a whole cannot be read (wrong format, no header row, over a limit).

    Like a ``RowProblem``, ``message`` is an English msgid (marked with ``N_``) whose placeholders ``params``
    fill: a page shows ``gettext(error.message, **error.params)``; ``str(error)`` is the English text (CLI).
    """

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
