"""Signing in to the evaluator's page with an API key (an evaluator's, or an admin's),
kept in a cookie the browser cannot read from script and sends to this site only.

The cookie holds no key: `<key id>.<expiry>.<signature>`, the signature an HMAC-SHA256
(under a key derived from the server secret) over the id, the expiry and the stored hash
of the API key. So a cookie stops working when it expires, when its key is revoked (the
hash is read again on every request), when the configured admin key changes, and when
the server secret does; it cannot be made without the secret, nor changed to another
key id. Wrong keys count towards the same per-address limit as the API's
(service/auth.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import asyncpg

from service.admin.access import CONFIGURED_ADMIN, Caller, caller_for_key, hash_key

COOKIE = "sammen_evaluator"
LIFETIME_SECONDS = 8 * 3600  # a working day; then sign in again
_ADMIN = "admin"  # the key id written for the configured SAMMEN_ADMIN_API_KEY (it has no row)


def _signing_key(secret: str) -> bytes:
    """A key of its own for these cookies, derived from the server secret, so a cookie
    signature never equals anything else the secret makes (respondent pseudonyms)."""
    return hmac.new(secret.encode(), b"sammen evaluator sign-in v1", hashlib.sha256).digest()


def _signature(secret: str, key_id: str, expires: int, key_hash: bytes) -> str:
    message = f"{key_id}.{expires}.".encode() + key_hash
    digest = hmac.new(_signing_key(secret), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def sign_in(conn: asyncpg.Connection, key: str, *, admin_key: str, secret: str,
                  now: float | None = None) -> tuple[Caller, str] | None:
    """The caller a presented key stands for and the cookie value that keeps them signed
    in; None for an unknown or revoked key."""
    expires = int(now or time.time()) + LIFETIME_SECONDS
    if admin_key and hmac.compare_digest(key.encode(), admin_key.encode()):
        return CONFIGURED_ADMIN, f"{_ADMIN}.{expires}.{_signature(secret, _ADMIN, expires, hash_key(admin_key))}"
    if not key or len(key) > 200:
        return None
    caller = await caller_for_key(conn, key)
    if caller is None or caller.key_id is None:
        return None
    key_id = str(caller.key_id)
    return caller, f"{key_id}.{expires}.{_signature(secret, key_id, expires, hash_key(key))}"


def _number(text: str) -> bool:
    return text.isascii() and text.isdecimal()


async def signed_in(conn: asyncpg.Connection, cookie: str | None, *, admin_key: str, secret: str,
                    now: float | None = None) -> Caller | None:
    """The caller a cookie stands for, or None (no cookie, expired, forged, revoked)."""
    if not cookie or len(cookie) > 200:
        return None
    parts = cookie.split(".")
    # Litestar URL-decodes cookies, so a forged one can hold any character: only ASCII
    # decimal numbers are numbers here ('²'.isdigit() holds, int('²') fails), and only an
    # ASCII signature is compared (compare_digest refuses other text).
    if len(parts) != 3 or not _number(parts[1]) or not parts[2].isascii():
        return None
    key_id, expires_text, signature = parts
    expires = int(expires_text)
    if expires < (now or time.time()):
        return None
    if key_id == _ADMIN:
        if not admin_key:
            return None
        caller, key_hash = CONFIGURED_ADMIN, hash_key(admin_key)
    elif _number(key_id) and len(key_id) < 19:
        row = await conn.fetchrow(
            "select id, name, role, organisation_id, key_hash from api_key where id = $1 and revoked_at is null",
            int(key_id))
        if row is None:
            return None
        caller = Caller(key_id=row["id"], name=row["name"], role=row["role"], organisation_id=row["organisation_id"])
        key_hash = bytes(row["key_hash"])
    else:
        return None
    if not hmac.compare_digest(signature, _signature(secret, key_id, expires, key_hash)):
        return None
    return caller
