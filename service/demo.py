"""A demo evaluation so a first start shows something real: a municipality, units on
both arms, before/after waves for each questionnaire, and fresh links to open."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import asyncpg

from service.admin import store as admin
from service.admin.model import (
    Arm,
    EvaluationUnit,
    Link,
    NewEvaluation,
    NewInvitations,
    NewOpenLink,
    NewOrganisation,
    NewUnit,
    NewWave,
    OpenLink,
    Sector,
)
from service.demodata import design
from service.demodata import load as demodata

ORGANISATION = "Demo Kommune"
UNITS: list[tuple[str, Sector, Arm]] = [
    ("Bostøtte Nord", "udfoerer", "intervention"),
    ("Myndighed Voksen", "myndighed", "intervention"),
    ("Distriktspsykiatrien", "distriktspsykiatri", "intervention"),
    ("Bostøtte Syd", "udfoerer", "comparison"),
]
DEMO_SEED, DEMO_RESPONSES = 1, 2000  # `sammen demo-data`'s evaluation, loaded beside this one
QUESTIONNAIRES = {
    "borger": "borgere",
    "paaroerende": "pårørende",
    "medarbejder": "medarbejdere",
    "moede_borger": "møder (borger)",
    "moede_medarbejder": "møder (medarbejder)",
    "kvalitet_borger": "kvalitetsundersøgelse",
}


async def ensure_demo_data(conn: asyncpg.Connection, bank: Path | None = None) -> None:
    """Answers to look at beside the links: the generated demo evaluation of seed
    DEMO_SEED (service/demodata), loaded on the first start only."""
    if not await conn.fetchval("select exists (select 1 from organisation where name = $1)",
                               design.ORGANISATION.format(seed=DEMO_SEED)):
        await demodata.load_with_discovery(conn, seed=DEMO_SEED, responses=DEMO_RESPONSES, bank=bank)


async def ensure_demo(
    conn: asyncpg.Connection, base_url: str, today: dt.date | None = None, bank: Path | None = None
) -> dict[str, Link | OpenLink]:
    """Create the demo evaluation once; return a new personal link per questionnaire."""
    today = today or dt.date.today()
    await ensure_demo_data(conn, bank)
    org_id = await conn.fetchval("select id from organisation where name = $1", ORGANISATION)
    if org_id is None:
        org_id = (await admin.create_organisation(conn, NewOrganisation(name=ORGANISATION))).id
        unit_ids = [
            ((await admin.create_unit(conn, org_id, NewUnit(name=name, sector=sector))).id, arm)
            for name, sector, arm in UNITS
        ]
        evaluation = await admin.create_evaluation(conn, org_id, NewEvaluation(
            name="Recovery og rehabilitering", implementation_date=today - dt.timedelta(days=180),
            units=[EvaluationUnit(unit_id=u, arm=arm) for u, arm in unit_ids],
        ))
        for qid, label in QUESTIONNAIRES.items():
            await admin.create_wave(conn, evaluation.id, NewWave(
                name=f"Førmåling – {label}", phase="before", questionnaire_id=qid,
                opens_on=today - dt.timedelta(days=240), closes_on=today - dt.timedelta(days=200),
            ))
            await admin.create_wave(conn, evaluation.id, NewWave(
                name=f"Eftermåling – {label}", phase="after", questionnaire_id=qid,
                opens_on=today - dt.timedelta(days=7), closes_on=today + dt.timedelta(days=60),
            ))
    rows = await conn.fetch(
        "select distinct on (v.questionnaire_id) v.questionnaire_id, w.id as wave_id,"
        " (select eu.unit_id from evaluation_unit eu where eu.evaluation_id = w.evaluation_id"
        " order by eu.unit_id limit 1) as unit_id"
        " from wave w join evaluation e on e.id = w.evaluation_id"
        " join questionnaire_version v on v.id = w.questionnaire_version_id"
        " where e.organisation_id = $1 and w.phase = 'after' order by v.questionnaire_id, w.id",
        org_id,
    )
    links: dict[str, Link | OpenLink] = {}
    for r in rows:
        links[r["questionnaire_id"]] = (await admin.issue_invitations(
            conn, r["wave_id"], NewInvitations(unit_id=r["unit_id"], count=1), base_url))[0]
        links[r["questionnaire_id"] + " (åbent link)"] = await admin.create_open_link(
            conn, r["wave_id"], NewOpenLink(unit_id=r["unit_id"]), base_url)
    return links


