"""Paper forms entered by staff (REDCap's double data entry as the anchor). A form is
found by the entry code printed on it (service/admin/paper.py), within the caller's
organisation; its answers are checked as the web form's are and stored with channel
'paper'. Whichever response is stored first for an invitation, web or paper, counts:
the other is refused saying so. With double entry on for the wave, two people enter
the form blind; it is stored when the second agrees with the first, and otherwise the
differences are shown field by field until a resolution (by anyone but the first two,
or either of them) is stored."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

import asyncpg
import msgspec

from service.admin.access import Caller
from service.admin.paper import normalised
from service.errors import AlreadyAnswered, Closed, Conflict, NotFound
from service.surveys import store as surveys
from service.surveys.answers import Answers, check
from service.surveys.model import Questionnaire
from service.surveys.records import Version
from service.tokens import hash_token

_FORM = """
select i.id, i.token_hash, i.wave_id, w.opens_on, w.closes_on, w.double_entry, e.organisation_id,
       v.id as qv_id, v.digest, v.definition,
       exists (select 1 from response r where r.invitation_id = i.id) as answered
  from invitation i
  join wave w on w.id = i.wave_id
  join evaluation e on e.id = w.evaluation_id
  join questionnaire_version v on v.id = w.questionnaire_version_id
 where i.entry_code_hash = $1 and i.erased_at is null
"""


class Difference(msgspec.Struct, frozen=True):
    field: str  # as the answer check names it: item, or item.row.dimension
    first: Any
    second: Any


class Entered(msgspec.Struct, frozen=True, kw_only=True):
    status: Literal["stored", "waiting_for_second_entry", "differences"]
    differences: list[Difference] = []


async def _form(conn: asyncpg.Connection, code: str, caller: Caller, today: dt.date) -> asyncpg.Record:
    row = await conn.fetchrow(_FORM, hash_token(normalised(code)))
    # another organisation's form is no form of the caller's: the same answer as no form
    if row is None or (caller.organisation_id is not None and row["organisation_id"] != caller.organisation_id):
        raise NotFound("code: ingen papirskema har denne kode")
    if row["answered"]:
        raise AlreadyAnswered("Der er allerede svaret på denne invitation (på nettet eller på papir); "
                              "papirsvaret gemmes ikke.")
    if not row["opens_on"] <= today <= row["closes_on"]:
        raise Closed("Bølgen er lukket for svar; papirsvaret gemmes ikke.")
    return row


async def questionnaire_of(conn: asyncpg.Connection, code: str, caller: Caller,
                           today: dt.date | None = None) -> Questionnaire:
    """The questionnaire of the paper form with this code, when it may be entered now."""
    form = await _form(conn, code, caller, today or dt.date.today())
    return msgspec.convert(form["definition"], Questionnaire)


async def enter(conn: asyncpg.Connection, code: str, answers: Answers, caller: Caller, *,
                today: dt.date | None = None, resolve: bool = False) -> Entered:
    """Enter one paper form (see the module docstring); Invalid names each wrong field."""
    day = today or dt.date.today()
    async with conn.transaction():
        form = await _form(conn, code, caller, day)
        await conn.execute("select 1 from invitation where id = $1 for update", form["id"])
        q = msgspec.convert(form["definition"], Questionnaire)
        checked = check(q, answers)
        if form["double_entry"] and not resolve:
            entries = await conn.fetch("select entry, answers, entered_by from paper_entry where invitation_id = $1"
                                       " order by entry", form["id"])
            if not entries:
                await _keep(conn, form["id"], 1, answers, caller)
                return Entered(status="waiting_for_second_entry")
            if any(e["entered_by"] == caller.actor for e in entries):
                raise Conflict("Den anden indtastning skal laves af en anden person.")
            differences = _differences(q, entries[0]["answers"], answers)
            if differences:
                await conn.execute("delete from paper_entry where invitation_id = $1 and entry = 2", form["id"])
                await _keep(conn, form["id"], 2, answers, caller)
                return Entered(status="differences", differences=differences)
        elif resolve and not await conn.fetchval(
                "select count(*) = 2 from paper_entry where invitation_id = $1", form["id"]):
            raise Conflict("Der er ingen forskelle at afgøre: skemaet mangler sin anden indtastning.")
        receipt = await surveys.submit_by_hash(
            conn, form["token_hash"], Version(form["qv_id"], form["digest"], q), checked.rows, today=day,
            submission_id=uuid.uuid4(), staff_role=checked.staff_role, assisted=False, channel="paper",
            language="da", started_at=None)
        if receipt is None:
            raise AlreadyAnswered("Der er allerede svaret på denne invitation; papirsvaret gemmes ikke.")
        await conn.execute("delete from paper_entry where invitation_id = $1", form["id"])
    return Entered(status="stored")


async def _keep(conn: asyncpg.Connection, invitation_id: int, entry: int, answers: Answers, caller: Caller) -> None:
    await conn.execute("insert into paper_entry (invitation_id, entry, answers, entered_by) values ($1, $2, $3, $4)",
                       invitation_id, entry, answers, caller.actor)


def _differences(q: Questionnaire, first: Answers, second: Answers) -> list[Difference]:
    """Field by field, in the questionnaire's order: a matrix cell or a best–worst pick
    as item.row.cell, any other answer as its item."""
    out = []
    for item in q.items():
        a, b = first.get(item.id), second.get(item.id)
        if isinstance(a, dict) or isinstance(b, dict):
            rows_a = a if isinstance(a, dict) else {}
            rows_b = b if isinstance(b, dict) else {}
            for row in dict.fromkeys([*rows_a, *rows_b]):
                cells_a, cells_b = rows_a.get(row, {}), rows_b.get(row, {})
                out += [Difference(f"{item.id}.{row}.{cell}", cells_a.get(cell), cells_b.get(cell))
                        for cell in dict.fromkeys([*cells_a, *cells_b]) if cells_a.get(cell) != cells_b.get(cell)]
        elif (sorted(map(str, a)) if isinstance(a, list) else a) != (sorted(map(str, b)) if isinstance(b, list) else b):
            out.append(Difference(item.id, a, b))
    return out
