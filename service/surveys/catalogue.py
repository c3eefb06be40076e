"""The questionnaire definitions a web process has decoded, kept on the application's
state: a definition is immutable per digest, so each process decodes one once, and a
client naming versions can only find what is stored."""

from __future__ import annotations

import asyncpg
import msgspec

from service.errors import NotFound
from service.surveys import easy_read as easy
from service.surveys import goals, store
from service.surveys.model import Questionnaire
from service.surveys.records import Invitation, Version


class Catalogue:
    def __init__(self) -> None:
        self._definitions: dict[tuple[int, str], Questionnaire] = {}
        self._versions: dict[tuple[str, int], Version] = {}

    async def questionnaire(self, conn: asyncpg.Connection, qv_id: int, digest: str) -> Questionnaire:
        key = (qv_id, digest)
        if key not in self._definitions:
            definition = await store.definition(conn, qv_id, digest)
            if definition is None:
                raise NotFound("Spørgeskemaet findes ikke.")
            self._definitions[key] = msgspec.convert(definition, Questionnaire)
        return self._definitions[key]

    async def for_invitation(self, conn: asyncpg.Connection, inv: Invitation,
                             easy_read: bool | None = None) -> Questionnaire:
        """The invitation's questionnaire as its citizen answers it: a follow-up's goal
        questions with the goals they set at baseline (service/surveys/goals.py); in
        easy-read mode (`easy_read`, else the draft's) one question a page in easy words."""
        q = await goals.for_citizen(conn, await self.questionnaire(conn, inv.qv_id, inv.digest), inv)
        return easy.version(q) if (inv.easy_read if easy_read is None else easy_read) else q

    def cached(self, qv_id: int, digest: str) -> Questionnaire | None:
        """A definition already decoded, or None rather than a query."""
        return self._definitions.get((qv_id, digest))

    async def version(self, conn: asyncpg.Connection, questionnaire_id: str, number: int) -> Version:
        """A version by its name; forget() it when it turns out stale."""
        key = (questionnaire_id, number)
        if key not in self._versions:
            row = await store.find_version(conn, questionnaire_id, number)
            q = await self.questionnaire(conn, row["id"], row["digest"])
            self._versions[key] = Version(row["id"], row["digest"], q)
        return self._versions[key]

    def forget(self, questionnaire_id: str, number: int) -> None:
        self._versions.pop((questionnaire_id, number), None)
