"""Values a page carries back to the server in a hidden field (the citizen's answers on
the page to check them, a paper form's earlier sections on the entry page), signed with a
key of their own derived from the server's secret: one is used only as the server wrote
it, and a forged, garbled or foreign one reads as none."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import TypeVar

import msgspec
from litestar.datastructures import State

from service.secrets_file import server_secret

T = TypeVar("T", bound=msgspec.Struct)
MAX_CHARS = 200_000  # far beyond any page's value; a longer field is not read


def page_key(state: State, purpose: bytes) -> bytes:
    """The key for one purpose's page values, derived once per process from the server's secret."""
    keys: dict[bytes, bytes] = state.setdefault("page_keys", {})
    if purpose not in keys:
        keys[purpose] = hmac.new(server_secret(state.settings).encode(), purpose, hashlib.sha256).digest()
    return keys[purpose]


def sign(value: msgspec.Struct, key: bytes) -> str:
    payload = msgspec.msgpack.encode(value)
    mac = hmac.new(key, payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac + payload).decode().rstrip("=")


def unsign(raw: str | None, key: bytes, kind: type[T]) -> T | None:
    """The value `sign` wrote with `key`, or None for anything else."""
    if not raw or len(raw) > MAX_CHARS:
        return None
    try:
        data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        mac, payload = data[:16], data[16:]
        if not hmac.compare_digest(mac, hmac.new(key, payload, hashlib.sha256).digest()[:16]):
            return None
        return msgspec.msgpack.decode(payload, type=kind)
    except (ValueError, msgspec.DecodeError):  # binascii.Error is a ValueError
        return None
