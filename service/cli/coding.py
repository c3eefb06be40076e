"""`sammen code ...`: coding free text from a terminal, with the functions of the coding
API (service/coding/store.py): the code list, a coder's codes for one answer, and the
coded text as CSV for NVivo or R. Each command is audited as the administrator's (`cli`);
a coder is named with `--coder` (the API's coders are their keys)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg

from service import files
from service.admin import audit
from service.admin.access import evaluation_exists
from service.cli.arguments import identifier, key
from service.cli.command import Command, Group, arg
from service.cli.setup import body
from service.coding import store
from service.coding.model import NewCode
from service.config import Settings
from service.errors import NotFound


async def _evaluation(conn: asyncpg.Connection, evaluation: int) -> None:
    if not await evaluation_exists(conn, evaluation):
        raise NotFound(f"--evaluation: evaluation {evaluation} does not exist")


async def add(conn: asyncpg.Connection, settings: Settings, *, evaluation: int, key: str, label: str) -> Any:
    await _evaluation(conn, evaluation)
    return await store.add_code(conn, evaluation, body(NewCode, key=key, label=label), "cli")


async def listed(conn: asyncpg.Connection, settings: Settings, *, evaluation: int) -> Any:
    await _evaluation(conn, evaluation)
    return await store.codes(conn, evaluation)


async def tag(conn: asyncpg.Connection, settings: Settings, *, evaluation: int, response: int, item: str,
              coder: str, code: list[str] | None) -> Any:
    await _evaluation(conn, evaluation)
    return await store.set_codes(conn, evaluation, response, item, f"cli:{coder}", code or [], "cli")


async def export(conn: asyncpg.Connection, settings: Settings, *, evaluation: int, out: Path) -> str:
    await _evaluation(conn, evaluation)
    target = files.NewFile(out, "--out")
    with files.all_or_none([target]):
        text, rows = await store.coded_csv(conn, evaluation)
        target.write(text)
        target.publish()
        await audit.record(conn, "cli", "export", f"evaluation {evaluation} coded free text (csv)", {"rows": rows})
    return f"{out}: {rows} rows (an answer and a coder each)"


EVALUATION = arg("--evaluation", type=identifier, required=True)

GROUPS = [Group(words=("code",), help="coding free-text answers into themes")]

COMMANDS = [
    Command(words=("code", "add"), help="add a code to an evaluation's code list", run=add,
            arguments=(EVALUATION, arg("key", type=key, help="a short name: a-z, 0-9 and _"),
                       arg("label", help="what the code means, as a report shows it"))),
    Command(words=("code", "list"), help="an evaluation's code list", run=listed, arguments=(EVALUATION,)),
    Command(words=("code", "tag"), help="a coder's codes for one free-text answer (replacing theirs; none: coded, "
            "no code applies)", run=tag, arguments=(
                EVALUATION, arg("--response", type=identifier, required=True), arg("--item", type=key, required=True),
                arg("--coder", type=key, required=True, help="who codes, e.g. anna (stored as cli:anna)"),
                arg("--code", action="append", type=key, help="a code of the list (repeat it)"))),
    Command(words=("code", "export"), help="the free-text answers with every coder's codes as CSV (NVivo, R; "
            "microdata, audited)", run=export, prints="text", arguments=(
                EVALUATION, arg("--out", type=Path, required=True, help="the CSV file to write"))),
]
