"""The benchmark's data: an organisation with one unit and three open waves of the
questionnaire (one each for pgbench, the JSON API and the form), set up through the
product's admin functions (tests/support), and personal invitations made in bulk.

Invitations are the one thing made in SQL here: a measured step needs tens of thousands,
and pgbench must be able to compute each token's hash in SQL from a counter, so their
tokens are a prefix and a number rather than random."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import msgspec

from benchmarks.plan import NOISY, QUESTIONNAIRE
from service.surveys.answers import AnswerRow, check
from service.surveys.model import Questionnaire
from tests.support.answers import valid_answers
from tests.support.database import connect, prepare
from tests.support.evaluation import set_up_evaluation
from tests.support.form import Fields, fields

WAVES = ("pgbench", "api", "form")


@dataclass
class Submission:
    """One valid, complete answer set to the questionnaire, in the shapes each path takes."""

    q: Questionnaire
    answers: dict[str, Any]  # the JSON API body's answers: every item shown
    rows: list[AnswerRow]  # what the service stores for it
    staff_role: str | None
    fields: Fields  # the same answers as form fields (a page posts those it asks for)

    @classmethod
    def build(cls, q: Questionnaire) -> Submission:
        answers = valid_answers(q)
        checked = check(q, answers)
        return cls(q, answers, checked.rows, checked.staff_role, fields(q, answers))


@dataclass
class BenchData:
    url: str
    conn: asyncpg.Connection
    unit: int
    qv_id: int
    digest: str
    waves: dict[str, int]  # by WAVES
    sub: Submission
    # the draft (answers, page) of a respondent at the page with 'Send svar', as the form
    # itself stored it for one respondent walked there (runs.learn_draft_at_send)
    draft_at_send: tuple[dict[str, Any], int] | None = None
    salt: str = field(default_factory=lambda: secrets.token_hex(4))
    issued: dict[str, int] = field(default_factory=dict)
    retry_until: float = 0.0  # time.monotonic() before which a disturbed run is run again
    pgbench_done: int = 0  # transactions pgbench reported, over every run

    def may_retry(self, cpu: dict[str, float]) -> bool:
        return cpu.get("other", 0.0) > NOISY and time.monotonic() < self.retry_until

    def token_prefix(self, wave: str) -> str:
        return f"bm{self.salt}{wave[0]}"

    def token(self, wave: str, n: int) -> str:
        return f"{self.token_prefix(wave)}{n:08d}"

    async def issue(self, wave: str, count: int, *, draft: bool = False) -> list[str]:
        """`count` new personal invitations in `wave`; returns their tokens. With draft:
        each already holds the draft of a respondent at the page with 'Send svar'."""
        start = self.issued.get(wave, 0)
        self.issued[wave] = start + count
        insert = (
            "insert into invitation (token_hash, kind, wave_id, unit_id)"
            " select sha256(convert_to($1 || lpad(n::text, 8, '0'), 'UTF8')), 'personal', $2, $3"
            " from generate_series($4::int, $5::int) as n returning id"
        )
        args = [self.token_prefix(wave), self.waves[wave], self.unit, start, start + count - 1]
        if draft:
            if self.draft_at_send is None:
                raise RuntimeError("learn_draft_at_send first: the draft of a respondent at 'Send svar'")
            await self.conn.execute(
                f"with i as ({insert}) insert into draft (invitation_id, answers, page, language)"
                " select id, $6, $7, 'da' from i",
                *args, *self.draft_at_send,
            )
        else:
            await self.conn.execute(f"with i as ({insert}) select count(*) from i", *args)
        # Vacuumed now, so that autovacuum's work on this bulk insert (set-up, not
        # workload) does not land in the measured run; the JSON and the form runs would
        # otherwise pay very different amounts of it (a draft is ~1 KB, an invitation ~0.1).
        await self.conn.execute("vacuum (analyze) invitation, draft")
        return [self.token(wave, n) for n in range(start, start + count)]


async def set_up(url: str) -> BenchData:
    await prepare(url)
    conn = await connect(url)
    ev = await set_up_evaluation(conn, QUESTIONNAIRE, waves=WAVES, organisation="Benchmark")
    row = await conn.fetchrow(
        "select v.id, v.digest, v.definition from wave w"
        " join questionnaire_version v on v.id = w.questionnaire_version_id where w.id = $1",
        ev.waves["api"],
    )
    q = msgspec.convert(row["definition"], Questionnaire)
    return BenchData(url, conn, ev.units[0], row["id"], row["digest"], dict(ev.waves), Submission.build(q))
