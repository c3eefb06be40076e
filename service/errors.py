"""The domain raises these; the HTTP layer maps them to responses in one place, so a
service function never has to know whether a citizen's form or the JSON API called it."""

from __future__ import annotations

import msgspec


class FieldError(msgspec.Struct, frozen=True):
    field: str
    message: str  # Danish: citizens read these
    message_en: str = ""


class SammenError(Exception):
    status_code = 400


class NotFound(SammenError):
    status_code = 404


class Forbidden(SammenError):
    status_code = 403


class Conflict(SammenError):
    status_code = 409


class AlreadyAnswered(Conflict):
    """The invitation has a submitted response already."""


class Closed(Conflict):
    """The wave is not open for answers today."""


class Invalid(SammenError):
    status_code = 422

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
