"""The domain raises these; the HTTP layer maps them to responses in one place, so a
service function never has to know whether a citizen's form or the JSON API called it."""

from __future__ import annotations

import msgspec


class FieldError(msgspec.Struct, frozen=True):
    field: str
    message: str  # Danish: citizens read these
    message_en: str = ""


class SammenError(Exception):
    """Every domain error: its HTTP status, a message (Danish for citizens) and the
    fields it is about, if any. service/web/handlers.py renders them by type: a Danish
    page on the form routes, an ErrorBody on the API."""

    status_code = 400
    errors: list[FieldError] = []


class BadRequest(SammenError):
    """A request the edge refuses before any handler sees it (service/web/limits.py):
    a control character, a number or a time the database cannot hold, too deep JSON."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message_en or e.message}" for e in errors))


class UnsupportedMediaType(BadRequest):
    """A body in a format no route reads (multipart: Sammen takes no files)."""

    status_code = 415


class TooManyRequests(SammenError):
    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class Busy(TooManyRequests):
    """A heavy job (report, charts, tables, data files) refused for now: the key has one
    in progress, or the server makes as many at once as it may (service/web/jobs.py)."""


class Unavailable(SammenError):
    """The database cannot be reached: try again in a moment (503 with Retry-After)."""

    status_code = 503
    retry_after = 5


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


class VersionMoved(Conflict):
    """The answers were checked against another questionnaire version than the link asks."""


class DraftChanged(Conflict):
    """The form's last page was shown with other earlier answers than are stored now
    (another tab): the stored draft decides, so nothing was stored from this page."""


class LinkFull(Conflict):
    """An open link has handed out as many personal links as its cap allows."""


class Invalid(SammenError):
    status_code = 422

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
