"""Erasure on request (GDPR art. 17): every response, answer and draft of one respondent
key within an organisation (all its waves), or of one link, and the key itself taken off
the invitations, in one transaction with its audit entry. The invitations stay (without
key), so counts of links issued remain true.

A respondent is named by the key the municipality knows, or by its pseudonym (`p:…`, as
the data files show it); either way the audit entry names the pseudonym that was erased,
never a key in clear."""

from __future__ import annotations

import hashlib
import hmac
import re

import asyncpg

from service.admin import audit
from service.admin.model import Erasure
from service.admin.store import PSEUDONYM, pseudonym
from service.errors import FieldError, Invalid, NotFound
from service.tokens import hash_token


def _stored_forms(secret: str, organisation_id: int, key: str) -> list[str]:
    """Every form the key may be stored in: today's organisation-scoped pseudonym, the
    key as given (a pseudonym, or a key stored in clear before migration 0004), and for
    rows written before 0004 the unscoped pseudonym."""
    unscoped = "p:" + hmac.new(secret.encode(), key.encode(), hashlib.sha256).hexdigest()[:32]
    return [pseudonym(secret, organisation_id, key), key, unscoped]


def _pseudonyms_erased(forms: list[str], stored: set[str]) -> list[str]:
    """How the audit entry names the respondent: the pseudonyms the erased rows held (a
    key found in clear by its pseudonym of today, forms[0]); if nothing was found, the
    pseudonym asked for (the key itself when it is one)."""
    named = {k if re.fullmatch(PSEUDONYM, k) else forms[0] for k in stored}
    return sorted(named or {forms[1] if re.fullmatch(PSEUDONYM, forms[1]) else forms[0]})


async def _erase(conn: asyncpg.Connection, invitations: list[int], responses_sql: str, *args: object) -> dict[str, int]:
    """Delete the responses `responses_sql` selects (answers cascade) and the drafts of
    `invitations`, and clear the key on those invitations; return the row counts."""
    response_ids = [r["id"] for r in await conn.fetch(responses_sql, *args)]
    answers = await conn.fetchval("select count(*) from answer where response_id = any($1::bigint[])", response_ids)
    responses = await conn.fetchval(
        "with d as (delete from response where id = any($1::bigint[]) returning 1) select count(*) from d", response_ids
    )
    drafts = await conn.fetchval(
        "with d as (delete from draft where invitation_id = any($1::bigint[]) returning 1) select count(*) from d",
        invitations,
    )
    unkeyed = await conn.fetchval(
        "with u as (update invitation set respondent_key = null where id = any($1::bigint[])"
        " and respondent_key is not null returning 1) select count(*) from u",
        invitations,
    )
    # the links cannot be answered again: the respondent withdrew
    await conn.execute("update invitation set erased_at = now() where id = any($1::bigint[])", invitations)
    await conn.execute("delete from invitation_contact where invitation_id = any($1::bigint[])", invitations)
    return {"responses": responses, "answers": answers, "drafts": drafts, "invitations_unkeyed": unkeyed}


async def erase_respondent(
    conn: asyncpg.Connection, secret: str, organisation_id: int, key: str, actor: audit.Actor
) -> Erasure:
    """Everything of one respondent key in every wave of the organisation."""
    async with conn.transaction():
        if not await conn.fetchval("select 1 from organisation where id = $1", organisation_id):
            raise NotFound(f"organisation_id: organisation {organisation_id} does not exist")
        forms = _stored_forms(secret, organisation_id, key)
        found = await conn.fetch(
            "select i.id, i.respondent_key from invitation i join wave w on w.id = i.wave_id"
            " join evaluation e on e.id = w.evaluation_id"
            " where e.organisation_id = $1 and i.respondent_key = any($2::text[]) for update of i",
            organisation_id, forms,
        )
        invitations = [r["id"] for r in found]
        stored = {r["respondent_key"] for r in found} | {r["respondent_key"] for r in await conn.fetch(
            "select distinct r.respondent_key from response r join wave w on w.id = r.wave_id"
            " join evaluation e on e.id = w.evaluation_id"
            " where e.organisation_id = $1 and r.respondent_key = any($2::text[])", organisation_id, forms)}
        counts = await _erase(
            conn, invitations,
            "select r.id from response r join wave w on w.id = r.wave_id join evaluation e on e.id = w.evaluation_id"
            " where e.organisation_id = $1"
            "   and (r.respondent_key = any($2::text[]) or r.invitation_id = any($3::bigint[]))",
            organisation_id, forms, invitations,
        )
        subject = f"organisation {organisation_id}, respondent {', '.join(_pseudonyms_erased(forms, stored))}"
        audit_id = await audit.record(conn, actor, "erase respondent", subject, counts)
    return Erasure(audit_id, subject, **counts)


async def erase_link(conn: asyncpg.Connection, token: str, actor: audit.Actor) -> Erasure:
    """Everything answered or begun through one personal link."""
    async with conn.transaction():
        row = await conn.fetchrow("select id, kind from invitation where token_hash = $1 for update", hash_token(token))
        if row is None:
            raise NotFound("token: no link has this token")
        if row["kind"] == "open":
            # a well-formed request the stored link refuses: 422, as the schema cannot know the kind
            raise Invalid([FieldError(
                "token", "Et åbent link deles af mange; slet det personlige link eller respondentnøglen.",
                "this is an open link, shared by many respondents; erase the personal link its visitor"
                " was given, or the respondent key")])
        counts = await _erase(conn, [row["id"]], "select id from response where invitation_id = $1", row["id"])
        subject = f"invitation {row['id']}"
        audit_id = await audit.record(conn, actor, "erase link", subject, counts)
    return Erasure(audit_id, subject, **counts)
