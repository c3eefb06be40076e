"""Setting an evaluation up and looking after it from a terminal, with the functions the
admin API calls (service/admin/store.py): organisations, units, evaluations, waves,
links, response rates, erasure, the audit log and retention."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

from service import files
from service.admin import audit, erase, retention, sheets
from service.admin import paper as paper_forms
from service.admin import store as admin
from service.admin.keys import MAX_FILE_BYTES, MAX_KEYS, read_key_file
from service.admin.model import Link, NewEvaluation, NewInvitations, NewOpenLink, NewOrganisation, NewUnit, NewWave
from service.cli.arguments import date, days, evaluation_unit, identifier, positive
from service.cli.command import Command, arg
from service.config import Settings
from service.design.rates import response_rates
from service.errors import Conflict, Invalid
from service.secrets_file import server_secret
from service.surveys.model import Questionnaire
from service.textfiles import read_text


def body(kind: type, /, **fields: Any) -> Any:
    """An admin API body from the command's values (None: not given), validated as the API's."""
    return msgspec.convert({k: v for k, v in fields.items() if v is not None}, kind, strict=False)


async def overview(conn: asyncpg.Connection, settings: Settings) -> Any:
    return await admin.overview(conn)


async def organisation(conn: asyncpg.Connection, settings: Settings, *, name: str) -> Any:
    return await admin.create_organisation(conn, body(NewOrganisation, name=name))


async def unit(conn: asyncpg.Connection, settings: Settings, *, organisation: int, sector: str, name: str) -> Any:
    return await admin.create_unit(conn, organisation, body(NewUnit, name=name, sector=sector))


async def units(conn: asyncpg.Connection, settings: Settings, *, organisation: int) -> Any:
    return await admin.units(conn, organisation)


async def evaluation(conn: asyncpg.Connection, settings: Settings, *, organisation: int, implementation_date: dt.date,
                     unit: list[dict[str, Any]], free_text_retention_days: int | None, name: str) -> Any:
    return await admin.create_evaluation(conn, organisation, body(
        NewEvaluation, name=name, implementation_date=implementation_date, units=unit,
        free_text_retention_days=free_text_retention_days))


async def wave(conn: asyncpg.Connection, settings: Settings, *, evaluation: int, phase: str, opens: dt.date,
               closes: dt.date, questionnaire: str, version: int | None, sequence: int | None, double_entry: bool,
               name: str) -> Any:
    return await admin.create_wave(conn, evaluation, body(
        NewWave, name=name, phase=phase, opens_on=opens, closes_on=closes, questionnaire_id=questionnaire,
        version=version, sequence=sequence, double_entry=double_entry))


async def invite(conn: asyncpg.Connection, settings: Settings, *, wave: int, unit: int, count: int,
                 keys: Path | None, contacts: Path | None, csv: Path | None, sheet: Path | None) -> Any:
    """Every output file is made (empty, beside its target) before anything is stored,
    and the invitations are committed only once the files are in place: links are
    never stored without being written, nor written without being stored. `contacts`:
    one e-mail address or mobile number per line, in the order of the keys (or as many
    as --count), sealed for `sammen remind`; a wrong one is named by its line."""
    key_file = read_key_file(keys) if keys else None
    contact_lines = read_contact_file(contacts) if contacts else []
    new = body(NewInvitations, unit_id=unit, count=count, respondent_keys=key_file.keys if key_file else [],
               contacts=[c for _, c in contact_lines])
    renderers: dict[str, Callable[[list[Link]], str]] = {
        "--csv": sheets.links_csv,
        "--sheet": lambda links: sheets.qr_sheet(links, f"Invitationer, bølge {wave}"),
    }
    outputs: list[files.NewFile] = []
    with files.all_or_none(outputs):
        for option, path in (("--csv", csv), ("--sheet", sheet)):
            if path is not None:
                outputs.append(sheets.links_file(path, option))
        async with conn.transaction():
            try:
                links = await admin.issue_invitations(conn, wave, new, settings.public_url, server_secret(settings))
            except admin.KeyTaken as exc:
                assert key_file is not None
                lines = ", ".join(key_file.where(p) for p in exc.positions[:10])
                raise Conflict(f"{lines}: already invited in wave {wave}; nothing was stored") from None
            except Invalid as refused:  # a contact: named by its line of the file
                raise ValueError(_contact_lines(str(refused), contacts, contact_lines)) from None
            for out in outputs:
                out.write(renderers[out.option](links))
            for out in outputs:
                out.publish()
    if outputs:
        return {"issued": len(links), **{out.option.lstrip("-"): str(out.target) for out in outputs}}
    return links


def read_contact_file(path: Path) -> list[tuple[int, str]]:
    """(line number, contact) of each non-blank line of a UTF-8 file."""
    text = read_text(path, MAX_FILE_BYTES, f"a contact file (of at most {MAX_KEYS} lines)")
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def _contact_lines(message: str, path: Path | None, lines: list[tuple[int, str]]) -> str:
    """A refusal of `contacts[i]` told as the file's lines (never the contacts themselves)."""
    def where(found: re.Match[str]) -> str:
        index = int(found[1])
        return f"--contacts {path} line {lines[index][0]}" if index < len(lines) else found[0]

    return message if path is None else re.sub(r"contacts\[(\d+)\]", where, message)


async def paper(conn: asyncpg.Connection, settings: Settings, *, wave: int, unit: int, count: int,
                keys: Path | None, out: Path, let: bool) -> Any:
    """A4 paper forms, one per new invitation, into the PDF `out` (made before anything is
    stored; the invitations are committed once it is written)."""
    key_file = read_key_file(keys) if keys else None
    new = body(NewInvitations, unit_id=unit, count=count, respondent_keys=key_file.keys if key_file else [])
    outputs = [sheets.links_file(out, "--out")]
    with files.all_or_none(outputs):
        async with conn.transaction():
            issued = await paper_forms.issue_paper(conn, wave, new, settings.public_url, server_secret(settings))
            definition = await conn.fetchval(
                "select v.definition from wave w join questionnaire_version v on v.id = w.questionnaire_version_id"
                " where w.id = $1", wave)
            q = msgspec.convert(definition, Questionnaire)
            outputs[0].write(paper_forms.pdf(paper_forms.html(q, issued, easy=let)))
            outputs[0].publish()
    return {"forms": len(issued), "out": str(out)}


async def open_link(conn: asyncpg.Connection, settings: Settings, *, wave: int, unit: int, max: int | None) -> Any:
    return await admin.create_open_link(conn, wave, body(NewOpenLink, unit_id=unit, max_responses=max),
                                        settings.public_url)


async def rates(conn: asyncpg.Connection, settings: Settings, *, wave: int) -> Any:
    return await response_rates(conn, wave)


async def erase_respondent(conn: asyncpg.Connection, settings: Settings, *, organisation: int | None, key: str | None,
                           token: str | None) -> Any:
    if token is not None:
        if key is not None or organisation is not None:
            raise ValueError("--token: give either --token or --organisation with --key, not both")
        return await erase.erase_link(conn, token, "cli")
    if key is None or organisation is None:
        raise ValueError(f"{'--key' if key is None else '--organisation'}: required (or give --token)")
    return await erase.erase_respondent(conn, server_secret(settings), organisation, key, "cli")


async def audit_entries(conn: asyncpg.Connection, settings: Settings, *, limit: int, action: str | None) -> Any:
    return await audit.entries(conn, limit, action)


async def apply_retention(conn: asyncpg.Connection, settings: Settings, *, today: dt.date | None) -> Any:
    return await retention.apply_retention(conn, settings, today or dt.date.today(), actor="cli")


ORGANISATION = arg("--organisation", type=identifier, required=True)
WAVE = arg("--wave", type=identifier, required=True)

COMMANDS = [
    Command(words=("overview",), help="organisations, evaluations and waves", run=overview),
    Command(words=("organisation",), help="create an organisation", run=organisation, arguments=(arg("name"),)),
    Command(words=("unit",), help="create a unit", run=unit,
            arguments=(ORGANISATION, arg("--sector", required=True), arg("name"))),
    Command(words=("units",), help="list the units of an organisation (their ids are what other commands ask for)",
            run=units, arguments=(ORGANISATION,)),
    Command(words=("evaluation",), help="create an evaluation", run=evaluation, arguments=(
        ORGANISATION,
        arg("--implementation-date", type=date, required=True),
        arg("--unit", type=evaluation_unit, action="append", default=[],
            help="UNIT_ID, UNIT_ID:comparison, or UNIT_ID:comparison:YYYY-MM-DD for a unit implementing later"),
        arg("--free-text-retention-days", type=days,
            help="delete free-text answers this many days after each wave closes (default: keep)"),
        arg("name"))),
    Command(words=("wave",), help="create a wave", run=wave, arguments=(
        arg("--evaluation", type=identifier, required=True),
        arg("--phase", required=True, choices=["before", "after"]),
        arg("--opens", type=date, required=True),
        arg("--closes", type=date, required=True),
        arg("--questionnaire", required=True),
        arg("--version", type=identifier),
        arg("--sequence", type=days, help="order in the evaluation: 0 baseline, 1 first follow-up, 2 ..."
            " (default: 0 before, 1 after)"),
        arg("--double-entry", action="store_true", help="paper forms are entered twice, blind, and count once the two"
            " agree"),
        arg("name"))),
    Command(words=("invite",), help="issue personal invitation links", run=invite, arguments=(
        WAVE,
        arg("--unit", type=identifier, required=True),
        arg("--count", type=days, default=0),
        arg("--keys", type=Path, help="UTF-8 file with one pseudonymous respondent key per line"),
        arg("--contacts", type=Path, help="UTF-8 file with one e-mail address or mobile number per line, in the"
            " order of the keys (or --count lines): `sammen remind` sends the links to them"),
        arg("--csv", type=Path, help="write the links as CSV to this new file"),
        arg("--sheet", type=Path, help="write a printable HTML sheet of QR codes to this new file"))),
    Command(words=("paper",), help="print paper questionnaires: a new invitation each, with QR code and entry code",
            run=paper, arguments=(
                WAVE,
                arg("--unit", type=identifier, required=True),
                arg("--count", type=days, default=0),
                arg("--keys", type=Path, help="UTF-8 file with one pseudonymous respondent key per line"),
                arg("--out", type=Path, required=True, help="the new PDF file (A4, one form per invitation)"),
                arg("--let", action="store_true", help="the easy-read words and bigger boxes"))),
    Command(words=("open-link",), help="an anonymous link for a unit and wave", run=open_link, arguments=(
        WAVE, arg("--unit", type=identifier, required=True),
        arg("--max", type=positive, help="at most this many responses through the link"))),
    Command(words=("rates",), help="response counts and rates per unit of a wave", run=rates, arguments=(WAVE,)),
    Command(words=("erase",), help="erase every answer and draft of one respondent (GDPR), audited",
            run=erase_respondent, arguments=(
                arg("--organisation", type=identifier, help="with --key: the organisation whose waves to erase from"),
                arg("--key", help="the respondent key as the municipality knows it"),
                arg("--token", help="instead: the token of one personal link (the last part of its URL)"))),
    Command(words=("audit",), help="erasures, retention runs and reads by API keys, newest first",
            run=audit_entries, arguments=(
                arg("--limit", type=positive, default=100),
                arg("--action", help="only entries of this action, e.g. read"))),
    Command(words=("retention",), help="delete drafts and free text past their retention now (audited)",
            run=apply_retention,
            arguments=(arg("--today", type=date, help="run as if it were this date (default: today)"),)),
]
