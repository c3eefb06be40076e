"""Who may read what: API keys (admin or evaluator, an evaluator's scoped to one
organisation), the caller a request is made by, the check that an evaluation is the
caller's to read, the microdata permission respondent-level files need, and the audit
entry every analysis read and export leaves.

Microdata (issue 17): an evaluator key reads analyses, reports, charts and tables, all
under disclosure control. Respondent-level files (the tidy answers, the data files,
free text) are not, so they need a key given the `microdata` permission on purpose
(`sammen key add --role evaluator --microdata`). Admin keys always hold it: an admin sets
up the evaluations, issues the invitations and erases respondents, so withholding the
files from them would protect nothing; the configured SAMMEN_ADMIN_API_KEY holds it too.

No Litestar here: the analysis layer and the CLI use the same functions. The HTTP
guards that call them are in service/auth.py."""

from __future__ import annotations

import hashlib
import secrets
from typing import Literal

import asyncpg
import msgspec

from service.admin import audit
from service.admin.model import IssuedKey, KeyInfo, NewKey
from service.errors import Forbidden, NotFound

Role = Literal["admin", "evaluator", "entry"]  # entry: paper forms of one organisation


class Caller(msgspec.Struct, frozen=True, kw_only=True):
    """Who sent a request. `key_id` is None for the configured SAMMEN_ADMIN_API_KEY (it
    has no row); `organisation_id` is None for an admin, who reaches every organisation."""

    key_id: int | None
    name: str
    role: Role
    organisation_id: int | None
    microdata: bool = False  # may download respondent-level files (admins always)

    @property
    def actor(self) -> str:
        """How the audit log names this caller: 'key:<id>' for a key of the api_key table
        (listed by `sammen key list`), 'admin-api' for the configured admin key."""
        return f"key:{self.key_id}" if self.key_id is not None else "admin-api"


CONFIGURED_ADMIN = Caller(key_id=None, name="SAMMEN_ADMIN_API_KEY", role="admin", organisation_id=None,
                          microdata=True)
MICRODATA_REFUSED = ("this key lacks the microdata permission: respondent-level files (tidy answers, data files,"
                     " free text) need a key made with --microdata (sammen key add --role evaluator --microdata);"
                     " reports, charts and tables do not")


class MicrodataRefused(Forbidden):
    """403: a key without the microdata permission asked for respondent-level data."""

    def __init__(self) -> None:
        super().__init__(MICRODATA_REFUSED)


def hash_key(key: str) -> bytes:
    """Keys are 256 random bits, so a plain SHA-256 is enough to keep them unusable if
    the database is read (no salt or slow hash needed against a guess of 2**256)."""
    return hashlib.sha256(key.encode()).digest()


async def create_key(conn: asyncpg.Connection, body: NewKey) -> IssuedKey:
    """A new random key; the only moment it exists in clear is the returned value."""
    if body.role in ("evaluator", "entry"):
        if body.organisation_id is None:
            raise ValueError(f"organisation_id: an {body.role} key needs the organisation it is for")
        if not await conn.fetchval("select 1 from organisation where id = $1", body.organisation_id):
            raise NotFound(f"organisation {body.organisation_id} does not exist")
    elif body.organisation_id is not None:
        raise ValueError("organisation_id: an admin key reaches every organisation; give no organisation")
    key = secrets.token_urlsafe(32)
    microdata = body.microdata or body.role == "admin"  # an admin key always holds it (module docstring)
    row = await conn.fetchrow(
        "insert into api_key (name, role, organisation_id, key_hash, microdata) values ($1, $2, $3, $4, $5)"
        " returning id, created_at",
        body.name, body.role, body.organisation_id, hash_key(key), microdata,
    )
    return IssuedKey(id=row["id"], name=body.name, role=body.role, organisation_id=body.organisation_id,
                     microdata=microdata, created_at=row["created_at"], key=key)


_KEY_COLUMNS = "id, name, role, organisation_id, microdata, created_at, revoked_at"


def _info(row: asyncpg.Record) -> KeyInfo:
    return KeyInfo(id=row["id"], name=row["name"], role=row["role"], organisation_id=row["organisation_id"],
                   microdata=row["microdata"], created_at=row["created_at"], revoked_at=row["revoked_at"])


def caller_of(row: asyncpg.Record) -> Caller:
    """The caller a row of api_key (id, name, role, organisation_id, microdata) stands for."""
    return Caller(key_id=row["id"], name=row["name"], role=row["role"], organisation_id=row["organisation_id"],
                  microdata=row["microdata"])


async def revoke_key(conn: asyncpg.Connection, key_id: int) -> KeyInfo:
    """From now on the key opens nothing, and its sign-ins to the evaluator's page end
    (service/evaluations/signin.py). Revoking twice keeps the first time."""
    async with conn.transaction():
        row = await conn.fetchrow(
            f"update api_key set revoked_at = coalesce(revoked_at, now()) where id = $1 returning {_KEY_COLUMNS}",
            key_id,
        )
        if row is None:
            raise NotFound(f"API key {key_id} does not exist")
        await conn.execute("delete from evaluator_session where key_id = $1", key_id)
    return _info(row)


async def list_keys(conn: asyncpg.Connection) -> list[KeyInfo]:
    """Every key ever made, revoked ones included (their hash is never shown)."""
    rows = await conn.fetch(f"select {_KEY_COLUMNS} from api_key order by id")
    return [_info(r) for r in rows]


async def caller_for_key(conn: asyncpg.Connection, key: str) -> Caller | None:
    """The caller a presented key stands for; None for an unknown or revoked key."""
    row = await conn.fetchrow(
        "select id, name, role, organisation_id, microdata from api_key where key_hash = $1 and revoked_at is null",
        hash_key(key),
    )
    return None if row is None else caller_of(row)


async def evaluation_exists(conn: asyncpg.Connection, evaluation_id: int) -> bool:
    """For the command line, whose administrator may read every evaluation."""
    return bool(await conn.fetchval("select exists (select 1 from evaluation where id = $1)", evaluation_id))


async def check_evaluation_access(conn: asyncpg.Connection, caller: Caller, evaluation_id: int) -> int:
    """The evaluation's organisation, when `caller` may read it. An evaluation of another
    organisation is answered exactly like one that does not exist (404), so a key
    cannot find out which evaluation ids exist elsewhere."""
    organisation_id: int | None = await conn.fetchval(
        "select organisation_id from evaluation where id = $1 and ($2::bigint is null or organisation_id = $2)",
        evaluation_id, caller.organisation_id,
    )
    if organisation_id is None:
        raise NotFound(f"evaluation {evaluation_id} does not exist")
    return organisation_id


async def record_read(conn: asyncpg.Connection, caller: Caller, what: str, rows: int) -> int:
    """One audit entry for one read of analyses or data: who (the caller's actor), when
    (the entry's time), what (e.g. 'evaluation 3 summary') and how many rows were given
    out. Listed by `sammen audit` and GET /api/admin/audit (action 'read')."""
    return await audit.record(conn, caller.actor, "read", what, {"rows": rows})


async def open_microdata(conn: asyncpg.Connection, caller: Caller, evaluation_id: int, what: str) -> None:
    """Every door to respondent-level data calls this first: the evaluation must be the
    caller's (404 otherwise, as for any read) and the caller must hold the microdata
    permission (403 naming it otherwise). The use of the permission is audited as such:
    an entry with action 'microdata' (`sammen audit --action microdata`), beside the
    export's own entry with its row count."""
    await check_evaluation_access(conn, caller, evaluation_id)
    if not caller.microdata:
        raise MicrodataRefused()
    await audit.record(conn, caller.actor, "microdata", f"evaluation {evaluation_id} {what}", {})
