"""`sammen paper`: a printed questionnaire per invitation, for the citizens who will not
answer a web form. Each A4 form has the questionnaire with tick boxes (in easy-read
words and bigger boxes with `easy`), the link's QR code, and a short code staff use to
find the invitation when they enter the answers. Like `sammen invite`, the links exist
only now: the PDF is written before the invitations are committed, or neither is."""

from __future__ import annotations

import secrets
from importlib import resources

import asyncpg
import msgspec
import segno
from jinja2 import Environment

from service.admin import store
from service.admin.model import Link, NewInvitations
from service.surveys.model import Questionnaire, choices
from service.tokens import hash_token

# No 0/O, 1/I/L: a code is read off paper and typed by hand.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8  # 31^8 ≈ 8.5·10^11


def entry_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalised(code: str) -> str:
    """A code as typed (lower case, spaces, no dash) as it was printed."""
    raw = "".join(c for c in code.upper() if c in ALPHABET)
    return f"{raw[:4]}-{raw[4:]}"


class Form(msgspec.Struct, frozen=True):
    url: str
    code: str
    key: str | None
    qr: str


_TEMPLATE = Environment(autoescape=True).from_string(
    (resources.files("service.admin") / "templates" / "paper.html").read_text(encoding="utf-8"))


async def issue_paper(conn: asyncpg.Connection, wave_id: int, body: NewInvitations, base_url: str,
                      secret: str) -> list[tuple[Link, str]]:
    """Invitations as `sammen invite` issues them, each with an entry code (stored
    hashed). Run it in the transaction that also writes the PDF."""
    links = await store.issue_invitations(conn, wave_id, body, base_url, secret)
    codes = [entry_code() for _ in links]
    await conn.executemany("update invitation set entry_code_hash = $1 where token_hash = $2",
                           [(hash_token(normalised(c)), hash_token(link.token)) for link, c in zip(links, codes)])
    return list(zip(links, codes, strict=True))


def html(q: Questionnaire, issued: list[tuple[Link, str]], *, easy: bool = False) -> str:
    forms = [Form(url=link.url, code=code, key=link.respondent_key,
                  qr=segno.make(link.url, error="m").svg_inline(scale=3)) for link, code in issued]
    return _TEMPLATE.render(q=q, forms=forms, easy=easy, choices=choices)


def pdf(document: str) -> bytes:
    import weasyprint  # type: ignore[import-untyped]  # only when forms are printed

    made: bytes = weasyprint.HTML(string=document).write_pdf()
    return made
