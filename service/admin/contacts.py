"""A citizen's e-mail address or mobile number: checked when given, sealed with the link's
token (AES-GCM under a key derived from the server's secret, bound to its invitation),
and opened only to send. Special category data stays out of it: a CPR number is refused
in any form, and the reason never repeats what was given."""

from __future__ import annotations

import os
import re
from typing import Literal

import msgspec
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from service.admin.keys import looks_like_cpr

Channel = Literal["email", "sms"]
MAX_LENGTH = 254  # RFC 5321's longest forward path

# A practical address check (what a mail server accepts, not all of RFC 5322): one @, a
# local part of printable characters without spaces, a domain of labels with a dot.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
                    r"[A-Za-z]{2,63}")
# A Danish mobile number: 8 digits, optionally +45 or 0045 in front, spaces allowed between groups.
_PHONE = re.compile(r"(?:\+45|0045)?([0-9]{8})")


class Contact(msgspec.Struct, frozen=True):
    channel: Channel
    address: str  # the e-mail address, or the number as +45XXXXXXXX


def parse(given: str) -> Contact:
    """The contact `given` stands for; ValueError with the reason (never the value)."""
    if not isinstance(given, str) or not given.strip():
        raise ValueError("is empty")
    if len(given) > MAX_LENGTH:
        raise ValueError(f"is {len(given)} characters long, at most {MAX_LENGTH}")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in given):
        raise ValueError("contains a control character")
    text = given.strip()
    digits = re.sub(r"[\s-]", "", text)
    if looks_like_cpr(digits) or looks_like_cpr(text):
        raise ValueError("looks like a CPR number; give an e-mail address or a mobile number")
    if "@" in text:
        if not _EMAIL.fullmatch(text) or ".." in text:
            raise ValueError("is not an e-mail address")
        return Contact("email", text)
    if (phone := _PHONE.fullmatch(digits)) is not None:
        return Contact("sms", f"+45{phone[1]}")
    raise ValueError("is neither an e-mail address nor a Danish mobile number (8 digits, optionally +45)")


class Sealed(msgspec.Struct, frozen=True, array_like=True):
    """What is sealed per invitation: where to send, and the link's token."""

    address: str
    token: str


def _key(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"sammen contact data").derive(secret.encode())


def seal(secret: str, invitation_id: int, address: str, token: str) -> bytes:
    """Nonce and ciphertext; the invitation's id is the associated data, so a sealed
    value copied to another invitation does not open."""
    nonce = os.urandom(12)
    data = msgspec.msgpack.encode(Sealed(address, token))
    return nonce + AESGCM(_key(secret)).encrypt(nonce, data, str(invitation_id).encode())


def unseal(secret: str, invitation_id: int, sealed: bytes) -> Sealed:
    data = AESGCM(_key(secret)).decrypt(sealed[:12], sealed[12:], str(invitation_id).encode())
    return msgspec.msgpack.decode(data, type=Sealed)
