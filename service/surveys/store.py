"""All SQL of the survey side: questionnaire versions and their codebook, invitations by
token, drafts and the submission itself. A submission is one statement, so it is stored
whole or not at all and costs one round trip."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

import asyncpg
import msgspec

from service.errors import NotFound
from service.migrate import LOCK_KEY
from service.surveys import loader
from service.surveys.answers import AnswerRow, Answers
from service.surveys.codebook import codebook
from service.surveys.model import Questionnaire
from service.surveys.records import Invitation, Receipt, Version
from service.tokens import hash_token, new_token

log = logging.getLogger(__name__)


# --- questionnaire versions and the codebook ---------------------------------------------

async def sync_questionnaires(conn: asyncpg.Connection, questionnaires: list[Questionnaire]) -> list[int]:
    """Store the definitions of a folder: all of them or, when one may not be stored,
    none. Under the migrations' lock, so processes starting together do not insert the
    same version."""
    async with conn.transaction():
        await conn.execute("select pg_advisory_xact_lock($1)", LOCK_KEY)
        await _recanonicalise(conn)
        ids = [await _sync_one(conn, q) for q in questionnaires]
        for row in await conn.fetch("select id, definition from questionnaire_version"):
            await _write_codebook(conn, row["id"], msgspec.convert(row["definition"], Questionnaire))
        for qv_id, q in zip(ids, questionnaires, strict=True):
            await _write_analysis(conn, qv_id, q)
        return ids


async def _recanonicalise(conn: asyncpg.Connection) -> None:
    """A release may change how a definition is written down (not what it asks): store
    each version in the current canonical form, so an unchanged file keeps matching."""
    for row in await conn.fetch("select id, definition, digest from questionnaire_version"):
        try:
            q = msgspec.convert(row["definition"], Questionnaire)
        except msgspec.ValidationError as exc:
            log.warning("questionnaire_version %s no longer decodes: %s", row["id"], exc)
            continue
        digest = loader.digest(q)
        if digest != row["digest"]:
            await conn.execute(
                "update questionnaire_version set definition = $2, digest = $3 where id = $1",
                row["id"], msgspec.json.decode(loader.canonical(q)), digest,
            )


async def _sync_one(conn: asyncpg.Connection, q: Questionnaire) -> int:
    """Store a definition; a version that has answers, or answers begun, may not change."""
    digest = loader.digest(q)
    row = await conn.fetchrow(
        "select id, digest,"
        " exists (select 1 from response r where r.questionnaire_version_id = v.id) as answered,"
        " exists (select 1 from draft d join invitation i on i.id = d.invitation_id"
        "         join wave w on w.id = i.wave_id where w.questionnaire_version_id = v.id) as begun"
        " from questionnaire_version v where questionnaire_id = $1 and version = $2 for update",
        q.id, q.version,
    )
    if row and row["digest"] == digest:
        return int(row["id"])
    if row and (row["answered"] or row["begun"]):
        has = "answers" if row["answered"] else "answers begun"
        raise loader.QuestionnaireError(
            f"{q.id} version {q.version} has {has} and cannot change: give the changed file version {q.version + 1}",
            (q.id, q.version),
        )
    definition = msgspec.json.decode(loader.canonical(q))
    if row:
        await conn.execute(
            "update questionnaire_version set audience = $2, title = $3, definition = $4, digest = $5,"
            " loaded_at = now() where id = $1",
            row["id"], q.audience, q.title.da, definition, digest,
        )
        await conn.execute("delete from questionnaire_item where questionnaire_version_id = $1", row["id"])
        return int(row["id"])
    new_id: int = await conn.fetchval(
        "insert into questionnaire_version (questionnaire_id, version, audience, title, definition, digest)"
        " values ($1, $2, $3, $4, $5, $6) returning id",
        q.id, q.version, q.audience, q.title.da, definition, digest,
    )
    return new_id


_CODEBOOK_ITEM = """
insert into questionnaire_item (questionnaire_version_id, item_id, dimension, position, item_type, theme,
    scale_min, scale_max, reverse, questionnaire_id, section_id, label_da, label_en, required, dont_know,
    min_group_size, shown)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
on conflict (questionnaire_version_id, item_id, dimension) do update set
    position = excluded.position, item_type = excluded.item_type, theme = excluded.theme,
    scale_min = excluded.scale_min, scale_max = excluded.scale_max, reverse = excluded.reverse,
    questionnaire_id = excluded.questionnaire_id, section_id = excluded.section_id,
    label_da = excluded.label_da, label_en = excluded.label_en, required = excluded.required,
    dont_know = excluded.dont_know, min_group_size = excluded.min_group_size, shown = excluded.shown
"""


async def _write_codebook(conn: asyncpg.Connection, qv_id: int, q: Questionnaire) -> None:
    """The codebook in SQL: a codebook (and the labels of a chart) can be built by SQL alone."""
    entries = codebook(q)
    await conn.executemany(_CODEBOOK_ITEM, [
        (qv_id, e.item_id, e.dimension, e.position, e.type, e.theme, e.scale_min, e.scale_max, e.reverse,
         e.questionnaire_id, e.section_id, e.label_da, e.label_en, e.required, e.dont_know, e.min_group_size,
         e.shown)
        for e in entries
    ])
    await conn.execute("delete from questionnaire_value_label where questionnaire_version_id = $1", qv_id)
    await conn.executemany(
        "insert into questionnaire_value_label (questionnaire_version_id, item_id, value, label_da, label_en, theme)"
        " values ($1, $2, $3, $4, $5, $6)",
        [(qv_id, e.item_id, v.value, v.da, v.en, v.theme) for e in entries if not e.dimension
         for v in e.values if isinstance(v.value, int)],
    )


async def _write_analysis(conn: asyncpg.Connection, qv_id: int, q: Questionnaire) -> None:
    """The file's [analysis] declaration beside its codebook, replacing the stored one: a
    declaration is not part of the digest, so it may be corrected in an answered version.
    A version whose file is gone keeps the declaration it was last loaded with."""
    await conn.execute("delete from questionnaire_analysis where questionnaire_version_id = $1", qv_id)
    await conn.executemany(
        "insert into questionnaire_analysis (questionnaire_version_id, questionnaire_id, role, side, aspect,"
        " position, item_id, theme) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        [(qv_id, q.id, *row) for row in analysis_rows(q)],
    )


def analysis_rows(q: Questionnaire) -> list[tuple[str, str | None, str, int, str | None, str | None]]:
    """(role, side, aspect, position, item, theme) per declared role: questionnaire_analysis' rows."""
    a = q.analysis
    rows: list[tuple[str, str | None, str, int, str | None, str | None]] = []
    if a.staff_role is not None:
        rows.append(("staff_role", None, "", 0, a.staff_role, None))
    rows += [("collaboration", None, "", i, item, None) for i, item in enumerate(a.collaboration or [])]
    if a.meeting is not None:
        rows += [("meeting", a.meeting.side, aspect, 0, item, None) for aspect, item in a.meeting.items().items()]
    if a.outcomes is not None:
        if a.outcomes.theme is not None:
            rows.append(("key_theme", None, "", 0, None, a.outcomes.theme))
        rows += [("joint", None, "", i, item, None) for i, item in enumerate(a.outcomes.joint or [])]
    return rows


async def definition(conn: asyncpg.Connection, qv_id: int, digest: str) -> Any:
    return await conn.fetchval(
        "select definition from questionnaire_version where id = $1 and digest = $2", qv_id, digest
    )


async def list_questionnaires(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        "select id, questionnaire_id, version, audience, title, digest from questionnaire_version"
        " order by questionnaire_id, version"
    )
    return rows


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

_INVITATION = """
select i.id, i.kind, i.wave_id, i.unit_id, i.respondent_key, i.parent_id is not null as from_open_link,
       i.erased_at is not null as erased,
       w.opens_on, w.closes_on, w.questionnaire_version_id as qv_id, v.digest,
       (select r.submission_id from response r where r.invitation_id = i.id) as submitted,
       coalesce(d.answers, '{}'::jsonb) as draft, coalesce(d.page, 0) as page,
       coalesce(d.language, 'da') as language, coalesce(d.assisted, false) as assisted, d.started_at,
       coalesce(d.easy_read, false) as easy_read
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


# The goals a citizen set at baseline (a goal question's 'goal_baseline' entries), for
# their follow-up in the same evaluation: by the panel key, from the latest response of
# another wave that set goals under the item id. A text the free-text retention deleted
# comes back as null; an erased response is gone and so are its goals.
_STATED_GOALS = """
with baseline as (
    select r.id
      from response r
      join wave w on w.id = r.wave_id
      join questionnaire_item qi on qi.questionnaire_version_id = r.questionnaire_version_id
                                and qi.item_id = $3 and qi.item_type = 'goal_baseline'
     where r.respondent_key = $1 and r.wave_id <> $2
       and w.evaluation_id = (select evaluation_id from wave where id = $2)
       and exists (select 1 from answer a where a.response_id = r.id and a.item_id = $3)
     order by r.submitted_at desc, r.id desc
     limit 1
)
select substring(a.dimension from '^g([0-9]+)')::int as number,
       max(a.value) filter (where a.dimension !~ '_text$') as level,
       max(a.text_value) filter (where a.dimension ~ '_text$') as text
  from answer a join baseline b on b.id = a.response_id
 where a.item_id = $3 and a.dimension ~ '^g[0-9]+(_text)?$'
 group by 1 order by 1
"""


async def stated_goals(conn: asyncpg.Connection, inv: Invitation, item_id: str) -> list[asyncpg.Record]:
    """The goals this invitation's citizen set at baseline under `item_id` (number,
    level, text), none without a panel key."""
    if inv.respondent_key is None:
        return []
    rows: list[asyncpg.Record] = await conn.fetch(_STATED_GOALS, inv.respondent_key, inv.wave_id, item_id)
    return rows


# A visitor of an open link gets a personal invitation of their own when they send the
# first page (a GET writes nothing): then save-and-resume and one response per person
# work as for any invitation. The open link's row is locked, so its cap holds under
# concurrent visitors; the cap counts the people who began from the link.
_CLAIM = """
with parent as (
    select id, wave_id, unit_id, max_responses from invitation where id = $2 and kind = 'open' for update
)
insert into invitation (token_hash, kind, wave_id, unit_id, parent_id)
select $1, 'personal', wave_id, unit_id, id from parent
 where max_responses is null or (select count(*) from invitation c where c.parent_id = parent.id) < max_responses
returning id
"""


async def claim_open_link(conn: asyncpg.Connection, open_link: Invitation) -> tuple[str, int] | None:
    """A new personal token and its invitation id, or None when the link's cap is reached."""
    token = new_token()
    invitation_id = await conn.fetchval(_CLAIM, hash_token(token), open_link.id)
    return None if invitation_id is None else (token, invitation_id)


async def save_draft(
    conn: asyncpg.Connection, invitation_id: int, answers: Answers, page: int, language: str, assisted: bool,
    easy_read: bool = False,
) -> None:
    await conn.execute(
        "insert into draft (invitation_id, answers, page, language, assisted, easy_read)"
        " values ($1, $2, $3, $4, $5, $6)"
        " on conflict (invitation_id) do update set answers = excluded.answers, page = excluded.page,"
        " language = excluded.language, assisted = draft.assisted or excluded.assisted,"
        " easy_read = excluded.easy_read, updated_at = now()",
        invitation_id, answers, page, language, assisted, easy_read,
    )


# --- submission --------------------------------------------------------------------------

async def earlier_submission(conn: asyncpg.Connection, submission_id: uuid.UUID) -> asyncpg.Record | None:
    """The response stored under a submission id, with the open link its invitation came from."""
    return await conn.fetchrow(
        "select r.submitted_at, r.invitation_id, i.parent_id from response r"
        " left join invitation i on i.id = r.invitation_id where r.submission_id = $1",
        submission_id,
    )


def _columns(rows: list[AnswerRow]) -> list[tuple[Any, ...]]:
    return list(zip(*(
        (r.item_id, r.dimension, r.rated_role, r.choice, r.value, r.text_value, r.dont_know) for r in rows
    ))) or [()] * 7


# The one statement that stores a response: it finds the invitation by its token's hash,
# confirms the wave is open and still asks the version the answers were checked against,
# and inserts the response and all its answers, or nothing. One round trip; a retry or a
# second submission meets a unique key and stores nothing. Only personal invitations:
# an open link's visitors answer through a personal invitation of their own.
_SUBMIT = """
with inv as (
    select i.id, i.kind, i.wave_id, i.unit_id, i.respondent_key
      from invitation i
      join wave w on w.id = i.wave_id
      join questionnaire_version v on v.id = w.questionnaire_version_id
     where i.token_hash = $1 and i.kind = 'personal' and i.erased_at is null
       and v.id = $2 and v.digest = $3 and $4::date between w.opens_on and w.closes_on
       -- the form's last page: store only if the draft is still the one the page was shown with
       and ($18::jsonb is null
            or $18::jsonb = coalesce((select d.answers from draft d where d.invitation_id = i.id), '{}'::jsonb))
), r as (
    insert into response (submission_id, invitation_id, wave_id, unit_id, questionnaire_version_id,
                          respondent_key, staff_role, assisted, channel, language, started_at, easy_read)
    select $5, inv.id, inv.wave_id, inv.unit_id, $2,
           inv.respondent_key, $6, $7, $8, $9, $10,
           coalesce((select d.easy_read from draft d where d.invitation_id = inv.id), false)
      from inv
    on conflict do nothing
    returning id, submitted_at, invitation_id
), a as (
    insert into answer (response_id, questionnaire_version_id, item_id, dimension, rated_role, choice,
                        value, text_value, dont_know)
    select r.id, $2, u.item_id, u.dimension, u.rated_role, u.choice, u.value, u.text_value, u.dont_know
      from r, unnest($11::text[], $12::text[], $13::text[], $14::smallint[], $15::smallint[], $16::text[], $17::bool[])
              as u (item_id, dimension, rated_role, choice, value, text_value, dont_know)
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
    caller then asks why. (A paper form entered by staff is stored by its invitation's
    token hash: submit_by_hash.)"""
    return await submit_by_hash(conn, hash_token(token), version, rows, today=today, submission_id=submission_id,
                                staff_role=staff_role, assisted=assisted, channel=channel, language=language,
                                started_at=started_at, draft=draft)


async def submit_by_hash(
    conn: asyncpg.Connection, token_hash: bytes, version: Version, rows: list[AnswerRow], *, today: dt.date,
    submission_id: uuid.UUID, staff_role: str | None, assisted: bool, channel: str, language: str,
    started_at: dt.datetime | None, draft: Answers | None = None,
) -> Receipt | None:
    submitted_at = await conn.fetchval(
        _SUBMIT,
        token_hash, version.id, version.digest, today, submission_id,
        staff_role, assisted, channel, language, started_at, *_columns(rows), draft,
    )
    return None if submitted_at is None else Receipt(submission_id, submitted_at)
