"""All SQL of the administration side."""

from __future__ import annotations

import hashlib
import hmac
from types import TracebackType
from typing import Any

import asyncpg

from service.admin import audit, contacts
from service.admin.model import (
    Created,
    Link,
    NewEvaluation,
    NewInvitations,
    NewOpenLink,
    NewOrganisation,
    NewUnit,
    NewWave,
    OpenLink,
    UnitInfo,
)
from service.errors import Conflict, FieldError, Invalid, NotFound
from service.migrate import LOCK_KEY
from service.surveys.store import find_version
from service.tokens import hash_token, new_token


class _Translate:
    """Turn constraint violations into the domain's errors with a useful message."""

    def __init__(self, what: str) -> None:
        self.what = what

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
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
            "insert into evaluation (organisation_id, name, implementation_date, free_text_retention_days)"
            " values ($1, $2, $3, $4) returning id, name",
            organisation_id, body.name, body.implementation_date, body.free_text_retention_days,
        )
        foreign = await conn.fetchval(
            "select array_agg(u) from unnest($1::bigint[]) u"
            " where u not in (select id from unit where organisation_id = $2)",
            [u.unit_id for u in body.units], organisation_id,
        )
        if foreign:
            raise NotFound(f"units {foreign} do not belong to organisation {organisation_id}")
        await conn.executemany(
            "insert into evaluation_unit (evaluation_id, unit_id, arm, implementation_date) values ($1, $2, $3, $4)",
            [(row["id"], u.unit_id, u.arm, u.implementation_date) for u in body.units],
        )
    return Created(row["id"], row["name"])


async def create_wave(conn: asyncpg.Connection, evaluation_id: int, body: NewWave) -> Created:
    if body.closes_on < body.opens_on:
        raise Invalid([FieldError("closes_on", "Bølgen kan ikke lukke, før den åbner.",
                                  "closes_on must not be before opens_on")])
    version = await find_version(conn, body.questionnaire_id, body.version)
    async with _Translate(f"Bølgen '{body.name}'"):
        row = await conn.fetchrow(
            "insert into wave (evaluation_id, name, phase, opens_on, closes_on, questionnaire_version_id, sequence,"
            " double_entry) values ($1, $2, $3, $4, $5, $6, $7, $8) returning id, name",
            evaluation_id, body.name, body.phase, body.opens_on, body.closes_on, version["id"],
            body.sequence if body.sequence is not None else int(body.phase == "after"), body.double_entry,
        )
    return Created(row["id"], row["name"])


async def _check_unit_in_wave(conn: asyncpg.Connection, wave_id: int, unit_id: int) -> int:
    """The organisation of the wave, once the unit is known to take part in it."""
    organisation_id: int | None = await conn.fetchval(
        "select e.organisation_id from wave w join evaluation e on e.id = w.evaluation_id"
        " join evaluation_unit eu on eu.evaluation_id = w.evaluation_id"
        " where w.id = $1 and eu.unit_id = $2",
        wave_id, unit_id,
    )
    if organisation_id is None:
        raise NotFound(f"unit {unit_id} is not part of the evaluation of wave {wave_id}")
    return organisation_id


def _contacts(given: list[str], invitations: int) -> list[contacts.Contact]:
    """The contacts of the invitations, one each in order; every wrong one named by its
    index, with the reason and never the value (it may be a CPR number)."""
    if given and len(given) != invitations:
        raise Invalid([FieldError("contacts", f"Der er {len(given)} kontakter til {invitations} invitationer.",
                                  f"{len(given)} given for {invitations} invitations; give one each")])
    parsed, problems = [], []
    for index, text in enumerate(given):
        try:
            parsed.append(contacts.parse(text))
        except ValueError as refused:
            problems.append(FieldError(f"contacts[{index}]", str(refused), str(refused)))
    if problems:
        raise Invalid(problems)
    return parsed


def pseudonym(secret: str, organisation_id: int, key: str) -> str:
    """What the database holds instead of a respondent key: a keyed hash, never the key
    the municipality's case system knows. The same key in the same organisation gives
    the same pseudonym in every wave (panel linkage); the organisation is part of the
    message, so the same key in two organisations never links."""
    if not secret:
        raise ValueError("pseudonym: no secret given; respondent keys are never stored in clear")
    message = f"{organisation_id}:{key}".encode()
    return "p:" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


PSEUDONYM = r"^p:[0-9a-f]{32}$"


async def pseudonymise_clear_keys(conn: asyncpg.Connection, secret: str, actor: audit.Actor = "service") -> int:
    """Before migration 0004 keys were stored in clear unless a secret was set. Replace
    any such key (on invitations and their responses) by its pseudonym, so the database
    holds no key in clear and a panel begun before the upgrade links to the waves after
    it. Returns the invitations changed; a no-op once done (under the migrations' lock,
    so processes starting together do it once)."""
    async with conn.transaction():
        await conn.execute("select pg_advisory_xact_lock($1)", LOCK_KEY)
        rows = await conn.fetch(
            "select i.id, i.respondent_key, e.organisation_id from invitation i join wave w on w.id = i.wave_id"
            " join evaluation e on e.id = w.evaluation_id where i.respondent_key !~ $1",
            PSEUDONYM,
        )
        if not rows:
            return 0
        changes = [(r["id"], pseudonym(secret, r["organisation_id"], r["respondent_key"])) for r in rows]
        await conn.executemany("update invitation set respondent_key = $2 where id = $1", changes)
        await conn.executemany(
            "update response set respondent_key = $2 where invitation_id = $1 and respondent_key is not null", changes
        )
        await audit.record(conn, actor, "pseudonymise keys stored in clear",
                           f"{len(changes)} invitations written before migration 0004", {"invitations": len(changes)})
    return len(changes)


class KeyTaken(Conflict):
    """Respondent keys that already have an invitation in the wave; `positions` are
    indexes into the keys given, so the CLI can name lines of its key file."""

    def __init__(self, wave_id: int, positions: list[int]) -> None:
        self.positions = positions
        named = ", ".join(f"respondent_keys[{p}]" for p in positions[:10]) + (" ..." if len(positions) > 10 else "")
        super().__init__(f"{named}: already invited in wave {wave_id}; nothing was stored")


async def issue_invitations(
    conn: asyncpg.Connection, wave_id: int, body: NewInvitations, base_url: str, secret: str = ""
) -> list[Link]:
    """Personal links, one per key (or `count` without keys). All or nothing: a key
    already invited in this wave stores none of them. `secret` (server_secret()) is
    needed only with keys, which are stored as pseudonyms, never in clear, and with
    contacts, which are sealed with their link's token (service/admin/contacts.py).
    Run it in a transaction when giving contacts, so links and contacts come together."""
    organisation_id = await _check_unit_in_wave(conn, wave_id, body.unit_id)
    keys: list[str | None] = list(body.respondent_keys) or [None] * body.count
    given = _contacts(body.contacts, len(keys))
    stored = [pseudonym(secret, organisation_id, k) if k else None for k in keys]
    if body.respondent_keys:
        taken = await conn.fetch(
            "select k.n - 1 as position from unnest($2::text[]) with ordinality as k (key, n)"
            " where exists (select 1 from invitation i where i.wave_id = $1 and i.respondent_key = k.key)"
            " order by k.n",
            wave_id, stored,
        )
        if taken:
            raise KeyTaken(wave_id, [r["position"] for r in taken])
    tokens = [new_token() for _ in keys]
    hashes = [hash_token(t) for t in tokens]
    if body.contacts and not secret:
        raise ValueError("contacts: the server's secret is needed to seal them")
    try:
        made = await conn.fetch(
            "insert into invitation (token_hash, wave_id, unit_id, respondent_key)"
            " select h, $2, $3, k from unnest($1::bytea[], $4::text[]) as t (h, k) returning id, token_hash",
            hashes, wave_id, body.unit_id, stored,
        )
    except asyncpg.UniqueViolationError:  # the same key issued at this very moment by another request
        raise Conflict(
            f"respondent_keys: one of them was invited in wave {wave_id} just now; nothing was stored"
        ) from None
    if body.contacts:
        ids = {bytes(r["token_hash"]): r["id"] for r in made}
        rows = [(ids[h], c.channel, contacts.seal(secret, ids[h], c.address, t))
                for t, h, c in zip(tokens, hashes, given, strict=True)]
        await conn.executemany("insert into invitation_contact (invitation_id, channel, sealed) values ($1, $2, $3)",
                               rows)
    return [Link(f"{base_url}/s/{t}", t, body.unit_id, k) for t, k in zip(tokens, keys)]


async def create_open_link(conn: asyncpg.Connection, wave_id: int, body: NewOpenLink, base_url: str) -> OpenLink:
    await _check_unit_in_wave(conn, wave_id, body.unit_id)
    token = new_token()
    await conn.execute(
        "insert into invitation (token_hash, kind, wave_id, unit_id, max_responses) values ($1, 'open', $2, $3, $4)",
        hash_token(token), wave_id, body.unit_id, body.max_responses,
    )
    return OpenLink(f"{base_url}/a/{token}", token, body.unit_id, body.max_responses)


async def units(conn: asyncpg.Connection, organisation_id: int) -> list[UnitInfo]:
    """The unit ids `invite`, `open-link` and `evaluation` ask for."""
    if not await conn.fetchval("select 1 from organisation where id = $1", organisation_id):
        raise NotFound(f"organisation {organisation_id} does not exist")
    rows = await conn.fetch("select id, name, sector from unit where organisation_id = $1 order by name, id",
                            organisation_id)
    return [UnitInfo(r["id"], r["name"], r["sector"]) for r in rows]


async def overview(conn: asyncpg.Connection) -> list[dict[str, Any]]:
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
