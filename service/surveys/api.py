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

from service.errors import Closed, Conflict
from service.http import Conn
from service.web.handlers import JSON_HANDLERS, error_responses
from service.surveys import store
from service.surveys.answers import Answers, check
from service.surveys.model import Audience, Questionnaire


class QuestionnaireSummary(msgspec.Struct, frozen=True):
    id: str
    version: int
    audience: Audience
    title: str
    digest: str


class QuestionnaireRef(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: str
    version: int


class Submission(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    submission_id: uuid.UUID  # made by the client once per response; a retry sends the same
    answers: Answers
    # The version the respondent was shown (from GET /api/forms/{token}). Given, the
    # answers are checked against it and stored in one round trip; a link that has
    # moved to another version is refused rather than stored against the wrong one.
    questionnaire: QuestionnaireRef | None = None
    assisted: bool = False
    language: Literal["da", "en"] = "da"
    started_at: dt.datetime | None = None


class FormInfo(msgspec.Struct, frozen=True):
    status: Literal["open", "answered", "closed"]
    questionnaire: Questionnaire
    draft: Answers


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
    async def questionnaire(self, questionnaire_id: FromPath[str], version: FromPath[int], conn: Conn) -> Questionnaire:
        row = await store.find_version(conn, questionnaire_id, version)
        return await store.questionnaire(conn, row["id"], row["digest"])

    @get("/forms/{token:str}", responses=error_responses(404))
    async def form(self, token: FromPath[str], conn: Conn) -> FormInfo:
        inv = await store.invitation(conn, token)
        q = await store.questionnaire(conn, inv.qv_id, inv.digest)
        status = "answered" if inv.submitted else "open" if inv.is_open(dt.date.today()) else "closed"
        return FormInfo(status, q, inv.draft)

    @post(
        "/responses/{token:str}",
        responses={200: ResponseSpec(store.Receipt, description="A retry of a submission stored before: nothing new stored"),
                   **error_responses(404, 409, 422)},
    )
    async def submit(self, token: FromPath[str], data: JSONBody[Submission], state: State) -> Response[store.Receipt]:
        """The busiest endpoint takes its connection itself: the same as the `conn`
        dependency, without the dependency machinery's cost on every submission."""
        today = dt.date.today()
        async with state.pool.acquire() as conn:
            if data.questionnaire is None:
                receipt = await _submit_looked_up(conn, token, data, today)
            else:
                receipt = await _submit_in_one_trip(conn, token, data, data.questionnaire, today)
        return Response(receipt, status_code=200 if receipt.replayed else 201)


def _stored_as(data: Submission) -> dict:
    return {"submission_id": data.submission_id, "assisted": data.assisted, "channel": "api",
            "language": data.language, "started_at": data.started_at}


async def _open_invitation(conn: Conn, token: str, today: dt.date) -> store.Invitation:
    inv = await store.invitation(conn, token)
    if not inv.is_open(today):
        raise Closed("Undersøgelsen er lukket for svar.")
    return inv


async def _submit_looked_up(conn: Conn, token: str, data: Submission, today: dt.date) -> store.Receipt:
    inv = await _open_invitation(conn, token, today)
    q = await store.questionnaire(conn, inv.qv_id, inv.digest)
    checked = check(q, data.answers)
    return await store.submit(
        conn, token, inv, q, checked.rows, today=today, staff_role=checked.staff_role, **_stored_as(data)
    )


async def _submit_in_one_trip(
    conn: Conn, token: str, data: Submission, ref: QuestionnaireRef, today: dt.date
) -> store.Receipt:
    version = await store.version(conn, ref.id, ref.version)
    checked = check(version.questionnaire, data.answers)
    receipt = await store.submit_by_token(
        conn, token, version, checked.rows, today=today, staff_role=checked.staff_role, **_stored_as(data)
    )
    if receipt is not None:
        return receipt
    inv = await _open_invitation(conn, token, today)  # nothing stored: say why
    if (version.id, version.digest) != (inv.qv_id, inv.digest):
        store.forget(ref.id, ref.version)
        raise Conflict("Svarene hører til en anden version af spørgeskemaet end linket. Hent spørgeskemaet igen.")
    return await store.replay_or_refuse(conn, data.submission_id, inv)
