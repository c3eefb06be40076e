"""An evaluation set up the way an administrator does it, through the product's own admin
functions (service/admin/store.py with the bodies of service/admin/model.py), so the
tests stand on the same rows the admin API and the CLI make, not on SQL of their own."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
import msgspec

from service.admin import access
from service.admin import store as admin
from service.admin.model import (
    EvaluationUnit,
    NewEvaluation,
    NewInvitations,
    NewKey,
    NewOpenLink,
    NewOrganisation,
    NewUnit,
    NewWave,
)
from service.evaluations import signin
from tests.support import SECRET

BASE_URL = "http://sammen.test"  # links are made with it; tests use the token


class Evaluation(msgspec.Struct, frozen=True, kw_only=True):
    organisation: int
    units: list[int]
    evaluation: int
    waves: dict[str, int]  # by name, in the order asked for


async def set_up_evaluation(
    conn: asyncpg.Connection,
    questionnaire_id: str = "borger",
    *,
    waves: tuple[str, ...] = ("Eftermåling",),
    units: tuple[str, ...] = ("Bostøtte",),
    sector: str = "udfoerer",
    opens_in_days: int = -1,
    open_for_days: int = 30,
    organisation: str = "Testkommune",
) -> Evaluation:
    """A new organisation (its name made unique) with `units`, one evaluation of them
    implemented today, and `waves` of the newest version of the questionnaire, each
    opening `opens_in_days` from today (negative: already open)."""
    today = dt.date.today()
    org = await admin.create_organisation(conn, NewOrganisation(name=f"{organisation} {uuid.uuid4().hex[:8]}"))
    unit_ids = [(await admin.create_unit(conn, org.id, NewUnit(name=name, sector=sector))).id for name in units]
    evaluation = await admin.create_evaluation(conn, org.id, NewEvaluation(
        name="Evaluering", implementation_date=today, units=[EvaluationUnit(unit_id=u) for u in unit_ids]))
    opens = today + dt.timedelta(days=opens_in_days)
    wave_ids = {}
    for name in waves:
        wave = await admin.create_wave(conn, evaluation.id, NewWave(
            name=name, phase="after", opens_on=opens, closes_on=max(opens, today) + dt.timedelta(days=open_for_days),
            questionnaire_id=questionnaire_id))
        wave_ids[name] = wave.id
    return Evaluation(organisation=org.id, units=unit_ids, evaluation=evaluation.id, waves=wave_ids)


async def make_wave(
    conn: asyncpg.Connection, questionnaire_id: str = "borger", *, opens_in_days: int = -1, sector: str = "udfoerer"
) -> dict[str, int]:
    """An organisation with one unit in one evaluation and one wave (open today unless
    `opens_in_days` > 0), as the ids `invite` takes."""
    ev = await set_up_evaluation(conn, questionnaire_id, opens_in_days=opens_in_days, sector=sector)
    return {"organisation": ev.organisation, "unit": ev.units[0], "evaluation": ev.evaluation,
            "wave": next(iter(ev.waves.values()))}


async def invite(
    conn: asyncpg.Connection, wave: dict[str, int], respondent_key: str | None = None, kind: str = "personal"
) -> str:
    """The token of one new link into `wave`'s unit: a personal invitation (with a
    respondent key, if given) or an open (anonymous) link."""
    if kind == "open":
        return (await admin.create_open_link(conn, wave["wave"], NewOpenLink(unit_id=wave["unit"]), BASE_URL)).token
    body = (NewInvitations(unit_id=wave["unit"], respondent_keys=[respondent_key]) if respondent_key
            else NewInvitations(unit_id=wave["unit"], count=1))
    links = await admin.issue_invitations(conn, wave["wave"], body, BASE_URL, SECRET)
    return links[0].token


async def evaluator_key(conn: asyncpg.Connection, organisation: int | None = None, *, evaluation: int | None = None,
                        microdata: bool = False, name: str = "Evaluator") -> str:
    """A new evaluator key of `organisation`, or of the organisation that runs `evaluation`
    (made as `sammen key add --role evaluator` makes it)."""
    if organisation is None:
        organisation = await conn.fetchval("select organisation_id from evaluation where id = $1", evaluation)
    assert organisation is not None, f"no organisation for evaluation {evaluation}"
    body = NewKey(name=name, role="evaluator", organisation_id=organisation, microdata=microdata)
    return (await access.create_key(conn, body)).key


def bearer(key: str) -> dict[str, str]:
    """The headers a client sends `key` in."""
    return {"Authorization": f"Bearer {key}"}


HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what a browser's Accept says


async def sign_in_on_the_page(client: Any, key: str) -> None:
    """`client` signed in on the evaluator's page as a browser is (the form posted from
    this site, Sec-Fetch-Site same-origin), holding the session cookie it is given."""
    client.cookies.clear()
    r = await client.post("/evaluator/log-ind", data={"noegle": key},
                          headers={"Accept": HTML, "Sec-Fetch-Site": "same-origin"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    client.cookies.set(signin.COOKIE, r.cookies[signin.COOKIE], path="/evaluator")
