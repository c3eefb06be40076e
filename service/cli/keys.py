"""`sammen key ...`: API keys for admins and evaluators, with the functions of the admin
API (service/admin/access.py)."""

from __future__ import annotations

import sys
from typing import Any

import asyncpg

from service.admin import access
from service.admin.model import NewKey
from service.cli.arguments import identifier
from service.cli.command import Command, Group, arg
from service.cli.setup import body
from service.config import Settings


async def add(conn: asyncpg.Connection, settings: Settings, *, role: str, organisation: int | None, microdata: bool,
              name: str) -> Any:
    issued = await access.create_key(conn, body(NewKey, name=name, role=role, organisation_id=organisation,
                                                microdata=microdata))
    print("The key is shown this once and stored only as its hash: keep it now.", file=sys.stderr)
    return issued


async def revoke(conn: asyncpg.Connection, settings: Settings, *, id: int) -> Any:
    return await access.revoke_key(conn, id)


async def listed(conn: asyncpg.Connection, settings: Settings) -> Any:
    return await access.list_keys(conn)


GROUPS = [Group(words=("key",), help="API keys for admins and evaluators")]

COMMANDS = [
    Command(words=("key", "add"), help="make an API key; it is printed once and stored only hashed", run=add,
            arguments=(
                arg("--role", required=True, choices=["admin", "evaluator", "entry"]),
                arg("--organisation", type=identifier,
                    help="the organisation an evaluator key may read (evaluators only)"),
                arg("--microdata", action="store_true",
                    help="the key may also download respondent-level files (tidy answers, data files, free text);"
                         " an admin key always may"),
                arg("name", help="whose key, e.g. 'Kalundborg evaluator (VIVE)'"))),
    Command(words=("key", "revoke"), help="the key opens nothing from now on", run=revoke,
            arguments=(arg("id", type=identifier),)),
    Command(words=("key", "list"), help="every key made, with its role, organisation and microdata permission (never"
            " the key)", run=listed),
]
