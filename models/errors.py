"""Typed errors of the core. The UI and CLI show `message` (Chinese) and never a traceback."""
from __future__ import annotations


class DomainError(Exception):
    """A rule was broken or input was bad. `code` is stable for tests; `message` is for people."""

    def __init__(self, code: str, message: str, **fields: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields

    def __str__(self) -> str:
        return self.message


class Cancelled(Exception):
    """Long work was cancelled by the user between batches."""
