"""JSON for apps and integrations: the questionnaire behind a link, and submission of a
whole response in one request, idempotent by the client's submission id."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

import msgspec
from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody

from service.bounds import Identifier, RowId, Timestamp
from service.http import Conn, PathId, PathIdentifier, PathToken, catalogue
from service.surveys import store, submission
from service.surveys.answers import Answers
from service.surveys.codebook import CodebookEntry, codebook
from service.surveys.model import Audience, Questionnaire
from service.surveys.records import Receipt
from service.surveys.submission import Stored
from service.web.handlers import JSON_HANDLERS, error_responses


class QuestionnaireSummary(msgspec.Struct, frozen=True):
    id: str
    version: int
    audience: Audience
    title: str
    digest: str


class QuestionnaireRef(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: Identifier
    version: RowId


class Submission(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    submission_id: uuid.UUID  # made by the client once per response; a retry sends the same
    answers: Answers
    # The version the respondent was shown (from GET /api/forms/{token}). Given, the
    # answers are checked against it and stored in one round trip; a link that has
    # moved to another version is refused rather than stored against the wrong one.
    questionnaire: QuestionnaireRef | None = None
    assisted: bool = False
    language: Literal["da", "en"] = "da"
    started_at: Timestamp | None = None


FormStatus = Literal["open", "answered", "closed"]


class FormInfo(msgspec.Struct, frozen=True):
    status: FormStatus
    questionnaire: Questionnaire
    draft: Answers
    # The codes each item takes, with their labels (agreement, frequency and yes/no
    # scales are not listed in the definition): one entry per item and matrix dimension.
    codebook: list[CodebookEntry]


class SurveyApi(Controller):
    path = "/api"
    tags = ["surveys"]
    exception_handlers = JSON_HANDLERS

    @get("/questionnaires", responses=error_responses())
    async def questionnaires(self, conn: Conn) -> list[QuestionnaireSummary]:
        return [
            QuestionnaireSummary(r["questionnaire_id"], r["version"], r["audience"], r["title"], r["digest"])
            for r in await store.list_questionnaires(conn)
        ]

    @get("/questionnaires/{questionnaire_id:str}/{version:int}", responses=error_responses(404))
    async def questionnaire(
        self, questionnaire_id: FromPath[PathIdentifier], version: FromPath[PathId], conn: Conn, state: State
    ) -> Questionnaire:
        return (await catalogue(state).version(conn, questionnaire_id, version)).questionnaire

    @get("/questionnaires/{questionnaire_id:str}/{version:int}/codebook", responses=error_responses(404))
    async def questionnaire_codebook(
        self, questionnaire_id: FromPath[PathIdentifier], version: FromPath[PathId], conn: Conn, state: State
    ) -> list[CodebookEntry]:
        """Every item and matrix dimension with its theme, scale, coding and value labels."""
        return codebook((await catalogue(state).version(conn, questionnaire_id, version)).questionnaire)

    @get("/forms/{token:str}", responses=error_responses(404))
    async def form(self, token: FromPath[PathToken], conn: Conn, state: State) -> FormInfo:
        inv = await store.invitation(conn, token)
        q = await catalogue(state).for_invitation(conn, inv)
        status: FormStatus = "answered" if inv.submitted else "open" if inv.is_open(dt.date.today()) else "closed"
        return FormInfo(status, q, inv.draft, codebook(q))

    @post(
        "/responses/{token:str}",
        responses={200: ResponseSpec(Receipt, description="A retry of a submission stored before: nothing new stored"),
                   **error_responses(404, 409, 422)},
    )
    async def submit(self, token: FromPath[PathToken], data: JSONBody[Submission], state: State) -> Response[Receipt]:
        """The busiest endpoint takes its connection itself, after the body is read: a
        slow upload holds none of the pool's connections, and the dependency machinery
        costs nothing."""
        versions = catalogue(state)
        stored = Stored(submission_id=data.submission_id, channel="api", language=data.language,
                        assisted=data.assisted, started_at=data.started_at)
        today = dt.date.today()
        async with state.pool.acquire() as conn:
            version = None
            if data.questionnaire is not None:
                version = await versions.version(conn, data.questionnaire.id, data.questionnaire.version)
            receipt = await submission.submit(
                conn, versions, token, data.answers, stored, today=today, version=version
            )
        return Response(receipt, status_code=200 if receipt.replayed else 201)
