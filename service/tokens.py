"""Link tokens: 128 random bits in the link, only their SHA-256 in the database, so a
copy of the database cannot be used to answer in someone's name."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(16)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
