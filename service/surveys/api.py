"""JSON for apps and integrations: the questionnaire behind a link, and submission of a
whole response in one request, idempotent by the client's submission id."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody

from service.errors import Closed
from service.http import Conn
from service.surveys import store
from service.surveys.answers import Answers, check
from service.surveys.model import Audience, Questionnaire


class QuestionnaireSummary(msgspec.Struct, frozen=True):
    id: str
    version: int
    audience: Audience
    title: str
    digest: str


class Submission(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    submission_id: uuid.UUID  # made by the client once per response; a retry sends the same
    answers: Answers
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

    @get("/questionnaires")
    async def questionnaires(self, conn: Conn) -> list[QuestionnaireSummary]:
        return [
            QuestionnaireSummary(r["questionnaire_id"], r["version"], r["audience"], r["title"], r["digest"])
            for r in await store.list_questionnaires(conn)
        ]

    @get("/questionnaires/{questionnaire_id:str}/{version:int}")
    async def questionnaire(self, questionnaire_id: FromPath[str], version: FromPath[int], conn: Conn) -> Questionnaire:
        row = await store.find_version(conn, questionnaire_id, version)
        return await store.questionnaire(conn, row["id"], row["digest"])

    @get("/forms/{token:str}")
    async def form(self, token: FromPath[str], conn: Conn) -> FormInfo:
        inv = await store.invitation(conn, token)
        q = await store.questionnaire(conn, inv.qv_id, inv.digest)
        status = "answered" if inv.submitted else "open" if inv.is_open(dt.date.today()) else "closed"
        return FormInfo(status, q, inv.draft)

    @post("/responses/{token:str}")
    async def submit(self, token: FromPath[str], data: JSONBody[Submission], conn: Conn) -> Response[store.Receipt]:
        inv = await store.invitation(conn, token)
        if not inv.is_open(dt.date.today()):
            raise Closed("Undersøgelsen er lukket for svar.")
        q = await store.questionnaire(conn, inv.qv_id, inv.digest)
        checked = check(q, data.answers)
        receipt = await store.submit(
            conn, inv, checked.rows, submission_id=data.submission_id, staff_role=checked.staff_role,
            assisted=data.assisted, channel="api", language=data.language, started_at=data.started_at,
        )
        return Response(receipt, status_code=200 if receipt.replayed else 201)
