"""The product internals the helpers reach beyond the public API, imported here only.

service/ is being refactored (issue 9 §6: token functions into one module, database
set-up out of app.py, the submit flow into one domain function); when a name moves,
this is the one file to change, not every test and benchmark."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from service import db
from service.setup import prepare_database
from service.surveys import store
from service.surveys.answers import AnswerRow
from service.surveys.model import Questionnaire
from service.tokens import hash_token, new_token

__all__ = ["hash_token", "init_connection", "new_token", "prepare_database", "submit_statement"]

# Registers the jsonb codec Sammen's pool uses, on a connection made outside the pool.
init_connection = db._init_connection


class _Recorder:
    """Stands in for a connection: records each statement sent to it, sends nothing."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, method: str) -> Any:
        async def record(sql: str, *args: Any, **_: Any) -> None:
            self.sent.append((sql, args))

        return record


async def submit_statement(
    token: str, qv_id: int, digest: str, q: Questionnaire, rows: list[AnswerRow], *,
    submission_id: uuid.UUID, today: dt.date, started_at: dt.datetime | None, staff_role: str | None = None,
    channel: str = "api",
) -> list[tuple[str, tuple[Any, ...]]]:
    """The SQL and parameters the service sends to store these answers through this
    token, taken from the product's own function rather than rebuilt beside it (the
    benchmark's pgbench baseline runs exactly this)."""
    recorder = _Recorder()
    await store.submit_by_token(
        recorder, token, store.Version(qv_id, digest, q), rows, today=today, submission_id=submission_id,
        staff_role=staff_role, assisted=False, channel=channel, language="da", started_at=started_at,
    )
    return recorder.sent
