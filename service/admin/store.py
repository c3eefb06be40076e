"""All SQL of the administration side."""

from __future__ import annotations

import hashlib
import hmac

import asyncpg

from service.admin.model import (
    Created, Link, NewEvaluation, NewInvitations, NewOpenLink, NewOrganisation, NewUnit, NewWave, UnitRate,
)
from service.errors import Conflict, NotFound
from service.surveys.store import find_version, hash_token, new_token


class _Translate:
    """Turn constraint violations into the domain's errors with a useful message."""

    def __init__(self, what: str) -> None:
        self.what = what

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, kind, exc, tb) -> bool:
        if isinstance(exc, asyncpg.UniqueViolationError):
            raise Conflict(f"{self.what} findes allerede") from None
        if isinstance(exc, asyncpg.ForeignKeyViolationError):
            raise NotFound(f"{self.what}: {exc.detail or exc}") from None
        return False


async def create_organisation(conn: asyncpg.Connection, body: NewOrganisation) -> Created:
    async with _Translate(f"Organisationen '{body.name}'"):
        row = await conn.fetchrow("insert into organisation (name) values ($1) returning id, name", body.name)
    return Created(row["id"], row["name"])


async def create_unit(conn: asyncpg.Connection, organisation_id: int, body: NewUnit) -> Created:
    async with _Translate(f"Enheden '{body.name}'"):
        row = await conn.fetchrow(
            "insert into unit (organisation_id, name, sector) values ($1, $2, $3) returning id, name",
            organisation_id, body.name, body.sector,
        )
    return Created(row["id"], row["name"])


async def create_evaluation(conn: asyncpg.Connection, organisation_id: int, body: NewEvaluation) -> Created:
    async with _Translate(f"Evalueringen '{body.name}'"), conn.transaction():
        row = await conn.fetchrow(
            "insert into evaluation (organisation_id, name, implementation_date) values ($1, $2, $3) returning id, name",
            organisation_id, body.name, body.implementation_date,
        )
        foreign = await conn.fetchval(
            "select array_agg(u) from unnest($1::bigint[]) u"
            " where u not in (select id from unit where organisation_id = $2)",
            [u.unit_id for u in body.units], organisation_id,
        )
        if foreign:
            raise NotFound(f"units {foreign} do not belong to organisation {organisation_id}")
        await conn.executemany(
            "insert into evaluation_unit (evaluation_id, unit_id, arm) values ($1, $2, $3)",
            [(row["id"], u.unit_id, u.arm) for u in body.units],
        )
    return Created(row["id"], row["name"])


async def create_wave(conn: asyncpg.Connection, evaluation_id: int, body: NewWave) -> Created:
    version = await find_version(conn, body.questionnaire_id, body.version)
    async with _Translate(f"Bølgen '{body.name}'"):
        row = await conn.fetchrow(
            "insert into wave (evaluation_id, name, phase, opens_on, closes_on, questionnaire_version_id)"
            " values ($1, $2, $3, $4, $5, $6) returning id, name",
            evaluation_id, body.name, body.phase, body.opens_on, body.closes_on, version["id"],
        )
    return Created(row["id"], row["name"])


async def _check_unit_in_wave(conn: asyncpg.Connection, wave_id: int, unit_id: int) -> None:
    ok = await conn.fetchval(
        "select 1 from wave w join evaluation_unit eu on eu.evaluation_id = w.evaluation_id"
        " where w.id = $1 and eu.unit_id = $2",
        wave_id, unit_id,
    )
    if not ok:
        raise NotFound(f"unit {unit_id} is not part of the evaluation of wave {wave_id}")


def pseudonym(key: str, secret: str) -> str:
    """With a secret key set, the database holds a keyed hash of the respondent key, not
    the key the municipality's case system knows; the same secret gives the same
    pseudonym in every wave, so panel linkage survives."""
    if not secret:
        return key
    return "p:" + hmac.new(secret.encode(), key.encode(), hashlib.sha256).hexdigest()[:32]


async def issue_invitations(
    conn: asyncpg.Connection, wave_id: int, body: NewInvitations, base_url: str, secret: str = ""
) -> list[Link]:
    await _check_unit_in_wave(conn, wave_id, body.unit_id)
    keys: list[str | None] = list(body.respondent_keys) or [None] * body.count
    tokens = [new_token() for _ in keys]
    stored = [pseudonym(k, secret) if k else None for k in keys]
    await conn.execute(
        "insert into invitation (token_hash, wave_id, unit_id, respondent_key)"
        " select h, $2, $3, k from unnest($1::bytea[], $4::text[]) as t (h, k)",
        [hash_token(t) for t in tokens], wave_id, body.unit_id, stored,
    )
    return [Link(f"{base_url}/s/{t}", t, body.unit_id, k) for t, k in zip(tokens, keys)]


async def create_open_link(conn: asyncpg.Connection, wave_id: int, body: NewOpenLink, base_url: str) -> Link:
    await _check_unit_in_wave(conn, wave_id, body.unit_id)
    token = new_token()
    await conn.execute(
        "insert into invitation (token_hash, kind, wave_id, unit_id) values ($1, 'open', $2, $3)",
        hash_token(token), wave_id, body.unit_id,
    )
    return Link(f"{base_url}/a/{token}", token, body.unit_id)


_RATES = """
select u.id as unit_id, u.name as unit, eu.arm,
       (select count(*) from invitation i
         where i.wave_id = w.id and i.unit_id = u.id and i.kind = 'personal' and i.parent_id is null) as invited,
       (select count(*) from draft d join invitation i on i.id = d.invitation_id
         where i.wave_id = w.id and i.unit_id = u.id) as in_progress,
       (select count(*) from response r where r.wave_id = w.id and r.unit_id = u.id) as submitted
  from wave w
  join evaluation_unit eu on eu.evaluation_id = w.evaluation_id
  join unit u on u.id = eu.unit_id
 where w.id = $1
 order by u.name
"""


async def response_rates(conn: asyncpg.Connection, wave_id: int) -> list[UnitRate]:
    if not await conn.fetchval("select 1 from wave where id = $1", wave_id):
        raise NotFound(f"wave {wave_id} does not exist")
    return [
        UnitRate(**dict(r), response_rate=round(r["submitted"] / r["invited"], 4) if r["invited"] else None)
        for r in await conn.fetch(_RATES, wave_id)
    ]


async def overview(conn: asyncpg.Connection) -> list[dict]:
    """Organisations with their evaluations and waves, for the CLI and the admin API."""
    rows = await conn.fetch(
        "select o.id as organisation_id, o.name as organisation, e.id as evaluation_id, e.name as evaluation,"
        " e.implementation_date, w.id as wave_id, w.name as wave, w.phase, w.opens_on, w.closes_on,"
        " v.questionnaire_id, v.version"
        " from organisation o left join evaluation e on e.organisation_id = o.id"
        " left join wave w on w.evaluation_id = e.id"
        " left join questionnaire_version v on v.id = w.questionnaire_version_id order by o.id, e.id, w.id"
    )
    return [dict(r) for r in rows]
