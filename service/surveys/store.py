"""All SQL of the survey side: questionnaire versions, invitations by token, drafts and
the submission itself. A submission is one statement, so it is stored whole or not at
all and costs one round trip."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from typing import Any

import asyncpg
import msgspec

from service.errors import AlreadyAnswered, NotFound
from service.migrate import LOCK_KEY
from service.surveys import loader
from service.surveys.answers import Answers, AnswerRow
from service.surveys.model import Questionnaire, scale_range


def new_token() -> str:
    return secrets.token_urlsafe(16)  # 128 random bits


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


# --- questionnaire versions -------------------------------------------------------------

async def sync_questionnaire(conn: asyncpg.Connection, q: Questionnaire) -> int:
    """Store a definition; a version that has answers may not change. Under the
    migrations' lock, so processes starting together do not insert the same version."""
    digest = loader.digest(q)
    async with conn.transaction():
        await conn.execute("select pg_advisory_xact_lock($1)", LOCK_KEY)
        # Begun answers count: a draft holds item ids and codes of this exact definition.
        row = await conn.fetchrow(
            "select id, digest,"
            " exists (select 1 from response r where r.questionnaire_version_id = v.id) as answered,"
            " exists (select 1 from draft d join invitation i on i.id = d.invitation_id"
            "         join wave w on w.id = i.wave_id where w.questionnaire_version_id = v.id) as begun"
            " from questionnaire_version v where questionnaire_id = $1 and version = $2 for update",
            q.id, q.version,
        )
        if row and row["digest"] == digest:
            return row["id"]
        if row and (row["answered"] or row["begun"]):
            has = "answers" if row["answered"] else "answers begun"
            raise loader.QuestionnaireError(
                f"{q.id} version {q.version} has {has} and cannot change: give the changed file version {q.version + 1}"
            )
        definition = msgspec.json.decode(loader.canonical(q))
        if row:
            qv_id = row["id"]
            await conn.execute(
                "update questionnaire_version set audience = $2, title = $3, definition = $4, digest = $5,"
                " loaded_at = now() where id = $1",
                qv_id, q.audience, q.title.da, definition, digest,
            )
            await conn.execute("delete from questionnaire_item where questionnaire_version_id = $1", qv_id)
        else:
            qv_id = await conn.fetchval(
                "insert into questionnaire_version (questionnaire_id, version, audience, title, definition, digest)"
                " values ($1, $2, $3, $4, $5, $6) returning id",
                q.id, q.version, q.audience, q.title.da, definition, digest,
            )
        await conn.executemany(
            "insert into questionnaire_item (questionnaire_version_id, item_id, position, item_type, theme,"
            " scale_min, scale_max, reverse) values ($1, $2, $3, $4, $5, $6, $7, $8)",
            [
                (qv_id, item.id, pos, type(item).__struct_config__.tag, q.theme_of(item),
                 *(scale_range(item) or (None, None)), item.reverse)
                for pos, item in enumerate(q.items())
            ],
        )
        return qv_id


_cache: dict[tuple[int, str], Questionnaire] = {}


class Version(msgspec.Struct, frozen=True):
    id: int
    digest: str
    questionnaire: Questionnaire


_versions: dict[tuple[str, int], Version] = {}


async def version(conn: asyncpg.Connection, questionnaire_id: str, number: int) -> Version:
    """A questionnaire version by its name, cached; forget() it when it turns out stale."""
    key = (questionnaire_id, number)
    if key not in _versions:
        row = await find_version(conn, questionnaire_id, number)
        _versions[key] = Version(row["id"], row["digest"], await questionnaire(conn, row["id"], row["digest"]))
    return _versions[key]


def forget(questionnaire_id: str, number: int) -> None:
    _versions.pop((questionnaire_id, number), None)


async def questionnaire(conn: asyncpg.Connection, qv_id: int, digest: str) -> Questionnaire:
    """Definitions are immutable per digest, so each process decodes one once."""
    key = (qv_id, digest)
    if key not in _cache:
        definition = await conn.fetchval("select definition from questionnaire_version where id = $1", qv_id)
        if definition is None:
            raise NotFound("Spørgeskemaet findes ikke.")
        _cache[key] = msgspec.convert(definition, Questionnaire)
    return _cache[key]


def cached(qv_id: int, digest: str) -> Questionnaire | None:
    """A definition this process has already loaded; None rather than a query, so a
    client naming versions cannot make the cache grow."""
    return _cache.get((qv_id, digest))


async def list_questionnaires(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(
        "select id, questionnaire_id, version, audience, title, digest from questionnaire_version"
        " order by questionnaire_id, version"
    )


async def find_version(conn: asyncpg.Connection, questionnaire_id: str, version: int | None = None) -> asyncpg.Record:
    row = await conn.fetchrow(
        "select id, digest from questionnaire_version where questionnaire_id = $1"
        " and ($2::int is null or version = $2) order by version desc limit 1",
        questionnaire_id, version,
    )
    if row is None:
        raise NotFound(f"Spørgeskemaet '{questionnaire_id}' version {version or 'seneste'} findes ikke.")
    return row


# --- invitations and drafts --------------------------------------------------------------

class Invitation(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    kind: str
    wave_id: int
    unit_id: int
    respondent_key: str | None
    opens_on: dt.date
    closes_on: dt.date
    qv_id: int
    digest: str
    submitted: uuid.UUID | None
    draft: Answers
    page: int
    language: str
    assisted: bool
    started_at: dt.datetime | None

    def is_open(self, today: dt.date) -> bool:
        return self.opens_on <= today <= self.closes_on


_INVITATION = """
select i.id, i.kind, i.wave_id, i.unit_id, i.respondent_key, w.opens_on, w.closes_on,
       w.questionnaire_version_id as qv_id, v.digest,
       (select r.submission_id from response r where r.invitation_id = i.id) as submitted,
       coalesce(d.answers, '{}'::jsonb) as draft, coalesce(d.page, 0) as page,
       coalesce(d.language, 'da') as language, coalesce(d.assisted, false) as assisted, d.started_at
  from invitation i
  join wave w on w.id = i.wave_id
  join questionnaire_version v on v.id = w.questionnaire_version_id
  left join draft d on d.invitation_id = i.id
 where i.token_hash = $1
"""


async def invitation(conn: asyncpg.Connection, token: str) -> Invitation:
    row = await conn.fetchrow(_INVITATION, hash_token(token))
    if row is None:
        raise NotFound("Linket findes ikke. Tjek at du har skrevet det rigtigt.")
    return msgspec.convert(dict(row), Invitation)


async def visit_open_link(conn: asyncpg.Connection, parent: Invitation) -> str:
    """An anonymous link gives each visitor a personal invitation of their own, so
    save-and-resume and one-response-per-person work the same way as for invitations."""
    token = new_token()
    await conn.execute(
        "insert into invitation (token_hash, kind, wave_id, unit_id, parent_id) values ($1, 'personal', $2, $3, $4)",
        hash_token(token), parent.wave_id, parent.unit_id, parent.id,
    )
    return token


async def save_draft(
    conn: asyncpg.Connection, invitation_id: int, answers: Answers, page: int, language: str, assisted: bool
) -> None:
    await conn.execute(
        "insert into draft (invitation_id, answers, page, language, assisted) values ($1, $2, $3, $4, $5)"
        " on conflict (invitation_id) do update set answers = excluded.answers, page = excluded.page,"
        " language = excluded.language, assisted = draft.assisted or excluded.assisted, updated_at = now()",
        invitation_id, answers, page, language, assisted,
    )


# --- submission --------------------------------------------------------------------------

class Receipt(msgspec.Struct, frozen=True):
    submission_id: uuid.UUID
    submitted_at: dt.datetime
    replayed: bool = False  # True: this exact submission was stored before; nothing new stored


async def submit(
    conn: asyncpg.Connection, token: str, inv: Invitation, q: Questionnaire, rows: list[AnswerRow], **stored: Any
) -> Receipt:
    """For a caller that has looked the invitation up: store the response, or return the
    receipt of this same submission stored before, or refuse a second one."""
    receipt = await submit_by_token(conn, token, Version(inv.qv_id, inv.digest, q), rows, **stored)
    if receipt is not None:
        return receipt
    return await replay_or_refuse(conn, stored["submission_id"], inv)


def _columns(rows: list[AnswerRow]) -> list[tuple]:
    return list(zip(*((r.item_id, r.part, r.value, r.text_value, r.dont_know) for r in rows))) or [()] * 5


async def replay_or_refuse(conn: asyncpg.Connection, submission_id: uuid.UUID, inv: Invitation) -> Receipt:
    """Nothing was stored: either this exact submission was stored before (a retry) or
    the invitation has been answered by another submission."""
    personal = inv.id if inv.kind == "personal" else None  # open links store no invitation
    earlier = await conn.fetchrow(
        "select submitted_at, invitation_id from response where submission_id = $1", submission_id
    )
    if earlier is not None and earlier["invitation_id"] == personal:
        return Receipt(submission_id, earlier["submitted_at"], replayed=True)
    raise AlreadyAnswered("Der er allerede svaret via dette link. Tak for dine svar.")


# The one statement that stores a response: it finds the invitation by its token's hash,
# confirms the wave is open and still asks the version the answers were checked against,
# and inserts the response and all its answers, or nothing. One round trip; a retry or a
# second submission for a personal invitation meets a unique key and stores nothing.
_SUBMIT = """
with inv as (
    select i.id, i.kind, i.wave_id, i.unit_id, i.respondent_key
      from invitation i
      join wave w on w.id = i.wave_id
      join questionnaire_version v on v.id = w.questionnaire_version_id
     where i.token_hash = $1 and v.id = $2 and v.digest = $3 and $4::date between w.opens_on and w.closes_on
       -- the form's last page: store only if the draft is still the one the page was shown with
       and ($16::jsonb is null
            or $16::jsonb = coalesce((select d.answers from draft d where d.invitation_id = i.id), '{}'::jsonb))
), r as (
    insert into response (submission_id, invitation_id, wave_id, unit_id, questionnaire_version_id,
                          respondent_key, staff_role, assisted, channel, language, started_at)
    select $5, case when inv.kind = 'personal' then inv.id end, inv.wave_id, inv.unit_id, $2,
           inv.respondent_key, $6, $7, $8, $9, $10
      from inv
    on conflict do nothing
    returning id, submitted_at, invitation_id
), a as (
    insert into answer (response_id, item_id, part, value, text_value, dont_know)
    select r.id, u.item_id, u.part, u.value, u.text_value, u.dont_know
      from r, unnest($11::text[], $12::text[], $13::smallint[], $14::text[], $15::bool[])
              as u (item_id, part, value, text_value, dont_know)
), d as (
    delete from draft where invitation_id = (select invitation_id from r)
)
select submitted_at from r
"""


async def submit_by_token(
    conn: asyncpg.Connection,
    token: str,
    version: Version,
    rows: list[AnswerRow],
    *,
    today: dt.date,
    submission_id: uuid.UUID,
    staff_role: str | None,
    assisted: bool,
    channel: str,
    language: str,
    started_at: dt.datetime | None,
    draft: Answers | None = None,
) -> Receipt | None:
    """Store in one round trip; None when nothing was stored (unknown token, closed wave,
    another version, already answered, or a draft other than `draft`, when given): the
    caller then asks why."""
    submitted_at = await conn.fetchval(
        _SUBMIT,
        hash_token(token), version.id, version.digest, today, submission_id,
        staff_role, assisted, channel, language, started_at, *_columns(rows), draft,
    )
    return None if submitted_at is None else Receipt(submission_id, submitted_at)
