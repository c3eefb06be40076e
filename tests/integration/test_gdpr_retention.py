"""Retention with explicit dates: unfinished drafts go SAMMEN_DRAFT_RETENTION_DAYS after
their wave closes, free text goes after its evaluation's period; every run is audited."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import msgspec

from service.admin import retention
from service.admin import store as admin
from service.admin.model import EvaluationUnit, NewEvaluation, NewInvitations
from service.tokens import hash_token
from tests.support.cli import sammen
from tests.support.evaluation import BASE_URL, set_up_evaluation
from tests.support.respond import respond

TODAY = dt.date.today()


async def _wave_with_answers_and_drafts(conn, client, **evaluation) -> tuple[int, dt.date]:
    """A wave open today with two sent responses (with free text) and one begun."""
    ev = await set_up_evaluation(conn, open_for_days=5)
    if evaluation:
        await conn.execute("update evaluation set free_text_retention_days = $2 where id = $1",
                           ev.evaluation, evaluation["free_text_retention_days"])
    wave = ev.waves["Eftermåling"]
    links = await admin.issue_invitations(conn, wave, NewInvitations(unit_id=ev.units[0], count=3), BASE_URL)
    await respond(client, links[0].token, text="Noget personligt")
    await respond(client, links[1].token, text="Mere personligt")
    await conn.execute("insert into draft (invitation_id, answers) select id, '{\"kommentar\": \"kladde\"}'"
                       " from invitation where token_hash = $1", hash_token(links[2].token))
    return wave, await conn.fetchval("select closes_on from wave where id = $1", wave)


async def _counts(conn, wave: int) -> tuple[int, int, int]:
    """(drafts, text answers, other answers) of a wave."""
    row = await conn.fetchrow(
        "select (select count(*) from draft d join invitation i on i.id = d.invitation_id where i.wave_id = $1) as d,"
        " count(*) filter (where a.text_value is not null) as t, count(*) filter (where a.text_value is null) as o"
        " from answer a join response r on r.id = a.response_id where r.wave_id = $1", wave)
    return row["d"], row["t"], row["o"]


async def test_drafts_are_kept_through_the_retention_period_and_deleted_the_day_after(client, conn, settings):
    wave, closes = await _wave_with_answers_and_drafts(conn, client)
    thirty = msgspec.structs.replace(settings, draft_retention_days=30)
    drafts, texts, others = await _counts(conn, wave)
    assert drafts == 1 and texts == 2 and others > 0
    assert await retention.apply_retention(conn, thirty, closes + dt.timedelta(days=30)) == {
        "drafts": 0, "text_answers": 0, "contacts": 0}
    assert await _counts(conn, wave) == (1, texts, others)
    assert await retention.apply_retention(conn, thirty, closes + dt.timedelta(days=31)) == {
        "drafts": 1, "text_answers": 0, "contacts": 0}
    assert await _counts(conn, wave) == (0, texts, others), "sent responses are not drafts: they stay"
    entries = await conn.fetch("select actor, action, counts from audit_log where actor = 'cli' order by id")
    assert [(e["actor"], e["action"], e["counts"]["drafts"]) for e in entries] == [
        ("cli", "retention", 0), ("cli", "retention", 1)]


async def test_free_text_goes_after_its_evaluations_period_and_numbers_stay(client, conn, settings):
    short, closes = await _wave_with_answers_and_drafts(conn, client, free_text_retention_days=90)
    kept, _ = await _wave_with_answers_and_drafts(conn, client)  # no period: text kept with the rest
    _, texts, others = await _counts(conn, short)
    assert (await retention.apply_retention(conn, settings, closes + dt.timedelta(days=90)))["text_answers"] == 0
    counts = await retention.apply_retention(conn, settings, closes + dt.timedelta(days=91))
    assert counts["text_answers"] == 2
    assert (await _counts(conn, short))[1:] == (0, others)
    assert (await _counts(conn, kept))[1:] == (texts, others)


async def test_free_text_retention_is_set_when_the_evaluation_is_made(conn, settings):
    ev = await set_up_evaluation(conn)
    made = await admin.create_evaluation(conn, ev.organisation, NewEvaluation(
        name="Med kort tekst", implementation_date=TODAY, units=[EvaluationUnit(unit_id=ev.units[0])],
        free_text_retention_days=180))
    ran = await sammen(settings, "evaluation", "--organisation", str(ev.organisation), "--implementation-date",
                       str(TODAY), "--unit", str(ev.units[0]), "--free-text-retention-days", "30", "Fra terminalen")
    assert ran.code == 0, ran.err
    days = {r["name"]: r["free_text_retention_days"] for r in await conn.fetch("select name, free_text_retention_days"
                                                                                " from evaluation")}
    assert days == {"Evaluering": None, "Med kort tekst": 180, "Fra terminalen": 30}
    assert made.name == "Med kort tekst"


async def test_retention_on_the_command_line_takes_a_date_and_is_audited(client, conn, settings):
    wave, closes = await _wave_with_answers_and_drafts(conn, client)
    ran = await sammen(settings, "retention", "--today", str(closes + dt.timedelta(days=31)))
    assert ran.code == 0 and ran.json() == {"drafts": 1, "text_answers": 0, "contacts": 0}, ran.err
    assert (await _counts(conn, wave))[0] == 0
    assert await conn.fetchval("select count(*) from audit_log where action = 'retention' and actor = 'cli'") == 1


async def test_the_service_applies_retention_once_a_day_whatever_its_processes(pool, conn, settings):
    await set_up_evaluation(conn)
    task = asyncio.create_task(retention.keep_applying(pool, settings, first_after=0, every=3600))
    try:
        until = time.monotonic() + 30  # at once, unless the machine is busy
        while not await conn.fetchval("select count(*) from audit_log where actor = 'service'") \
                and time.monotonic() < until:
            await asyncio.sleep(0.05)
        # a second process starting the same day finds the day done
        assert await retention.apply_if_due(conn, settings, TODAY) is None
    finally:
        task.cancel()
    assert await conn.fetchval("select count(*) from audit_log where actor = 'service' and action = 'retention'") == 1
