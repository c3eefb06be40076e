"""Signing in to the evaluator's page with an API key (an evaluator's, or an admin's),
kept in a cookie the browser cannot read from script and sends to this site only.

A sign-in is a row of `evaluator_session` in PostgreSQL (a random session id, stored
as its SHA-256, the key it was made with, its expiry), so signing out ends it on the
server, for every web node, and a copied cookie opens nothing afterwards. The cookie
holds no key: `<session id>.<signature>`, the signature an HMAC-SHA256 (under a key
derived from the server secret) over the session id and the stored hash of the API key.
So a cookie stops working when it is signed out, when it expires, when its key is
revoked (the key's row is read again on every request), when the configured admin key
changes, and when the server secret does. Wrong keys count towards the same per-address
limit as the API's (service/auth.py)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import time

import asyncpg

from service.admin.access import CONFIGURED_ADMIN, Caller, caller_for_key, caller_of, hash_key

COOKIE = "sammen_evaluator"
LIFETIME_SECONDS = 8 * 3600  # a working day; then sign in again
_MAX_COOKIE = 200  # a session id (43) and a signature (43) and the dot; anything far longer is no cookie of ours


def _signing_key(secret: str) -> bytes:
    """A key of its own for these cookies, derived from the server secret, so a cookie
    signature never equals anything else the secret makes (respondent pseudonyms)."""
    return hmac.new(secret.encode(), b"sammen evaluator sign-in v2", hashlib.sha256).digest()


def _signature(secret: str, session_id: str, key_hash: bytes) -> str:
    digest = hmac.new(_signing_key(secret), session_id.encode() + b"." + key_hash, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def sign_in(conn: asyncpg.Connection, key: str, *, admin_key: str, secret: str,
                  now: float | None = None) -> tuple[Caller, str] | None:
    """The caller a presented key stands for and the cookie value of a new session that
    keeps them signed in; None for an unknown or revoked key."""
    if admin_key and hmac.compare_digest(key.encode(), admin_key.encode()):
        caller, key_hash = CONFIGURED_ADMIN, hash_key(admin_key)
    else:
        found = await caller_for_key(conn, key) if key and len(key) <= 200 else None
        if found is None or found.key_id is None:
            return None
        caller, key_hash = found, hash_key(key)
    session_id = secrets.token_urlsafe(32)
    expires = dt.datetime.fromtimestamp((now or time.time()) + LIFETIME_SECONDS, dt.UTC)
    async with conn.transaction():
        await conn.execute("delete from evaluator_session where expires_at < now()")  # the table stays small
        await conn.execute("insert into evaluator_session (session_hash, key_id, expires_at) values ($1, $2, $3)",
                           hash_key(session_id), caller.key_id, expires)
    return caller, f"{session_id}.{_signature(secret, session_id, key_hash)}"


def _session_id(cookie: str | None) -> tuple[str, str] | None:
    """(session id, signature) of a cookie of the right shape. Litestar URL-decodes
    cookies, so a forged one can hold any character: only ASCII is looked at
    (hmac.compare_digest refuses other text)."""
    if not cookie or len(cookie) > _MAX_COOKIE or not cookie.isascii():
        return None
    session_id, _, signature = cookie.partition(".")
    return (session_id, signature) if session_id and signature else None


async def signed_in(conn: asyncpg.Connection, cookie: str | None, *, admin_key: str, secret: str,
                    now: float | None = None) -> Caller | None:
    """The caller a cookie stands for, or None (no cookie, signed out, expired, forged,
    revoked)."""
    parts = _session_id(cookie)
    if parts is None:
        return None
    session_id, signature = parts
    row = await conn.fetchrow(
        "select s.key_id, s.expires_at, k.id, k.name, k.role, k.organisation_id, k.microdata, k.key_hash"
        " from evaluator_session s left join api_key k on k.id = s.key_id and k.revoked_at is null"
        " where s.session_hash = $1", hash_key(session_id))
    if row is None or row["expires_at"].timestamp() < (now or time.time()):
        return None
    if row["key_id"] is None:  # signed in with the configured admin key
        if not admin_key:
            return None
        caller, key_hash = CONFIGURED_ADMIN, hash_key(admin_key)
    elif row["id"] is None:  # the key was revoked
        return None
    else:
        caller, key_hash = caller_of(row), bytes(row["key_hash"])
    if not hmac.compare_digest(signature, _signature(secret, session_id, key_hash)):
        return None
    return caller


async def sign_out(conn: asyncpg.Connection, cookie: str | None) -> None:
    """End the cookie's session on the server: from now on the cookie, and any copy of
    it, opens nothing."""
    parts = _session_id(cookie)
    if parts is not None:
        await conn.execute("delete from evaluator_session where session_hash = $1", hash_key(parts[0]))
