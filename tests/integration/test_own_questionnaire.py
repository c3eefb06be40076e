"""A worked case: a municipality's own questionnaires, none of them shipped (ids of their
own for the questionnaires, themes, the collaboration matrix and its dimensions, the
role item and the meeting items), declaring what the analyses read them as under
`[analysis]`, loaded from another SAMMEN_QUESTIONNAIRE_DIR into a database of their own,
answered through the JSON API as a phone app answers, and analysed by relational
coordination, the meetings, side by side and the bundle's joint indicator, each by the
stored declarations. Every figure checked here is worked out by hand from the answers
the test sent."""

from __future__ import annotations

import datetime as dt
import random
import statistics
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from service import analysis
from service.admin import store as admin
from service.admin.model import EvaluationUnit, NewEvaluation, NewOrganisation, NewUnit, NewWave
from service.app import create_app
from service.config import Settings
from service.surveys import loader
from service.surveys.model import Agreement, Matrix, Questionnaire, Role
from tests.support import ADMIN_KEY, SECRET
from tests.support.answers import valid_answers
from tests.support.database import connect, new_database
from tests.support.evaluation import evaluator_key, invite
from tests.support.product import prepare_database

CITIZENS = '''
id = "kvalitet_borger"
version = 1
audience = "citizen"
title = { da = "Kvalitet set fra borgeren", en = "Quality as the citizen sees it" }

[themes]
selvbestemmelse = { da = "Selvbestemmelse", en = "Self-determination" }
hverdag = { da = "Hverdagen", en = "Everyday life" }

[analysis.outcomes]
theme = "selvbestemmelse"
joint = ["bestemmer_selv", "maal_giver_mening"]

[[sections]]
id = "selv"
theme = "selvbestemmelse"
title = { da = "Dig selv" }

[[sections.items]]
type = "agreement"
id = "bestemmer_selv"
text = { da = "Jeg bestemmer selv over mit liv." }

[[sections.items]]
type = "agreement"
id = "valg_respekteres"
text = { da = "Mine valg bliver respekteret." }

[[sections]]
id = "dagen"
theme = "hverdag"
title = { da = "Din hverdag" }

[[sections.items]]
type = "agreement"
id = "maal_giver_mening"
text = { da = "Det, vi arbejder hen imod, giver mening for mig." }
'''

STAFF = '''
id = "personaleskema"
version = 1
audience = "staff"
title = { da = "Samspil på tværs" }

[themes]
om_dig = { da = "Om dig" }
koordinering = { da = "Koordinering" }

[analysis]
staff_role = "arbejdssted"
collaboration = ["samspil"]

[[sections]]
id = "hvem"
theme = "om_dig"
title = { da = "Hvem er du?" }

[[sections.items]]
type = "role"
id = "arbejdssted"
text = { da = "Hvor er du ansat?" }
options = [
    { key = "myndighed", text = { da = "Myndighed" } },
    { key = "jobcenter", text = { da = "Jobcenter" } },
]

[[sections]]
id = "samspillet"
theme = "koordinering"
title = { da = "Samspillet" }

[[sections.items]]
type = "matrix"
id = "samspil"
exclude_row_of = "arbejdssted"
text = { da = "Hvor enig er du om samspillet med hver gruppe?" }
rows = [
    { key = "myndighed", text = { da = "Myndighed" } },
    { key = "jobcenter", text = { da = "Jobcenter" } },
]
dimensions = [
    { key = "deler_viden", text = { da = "Vi deler den viden, der skal til." } },
    { key = "stoler_paa", text = { da = "Jeg kan stole på dem." } },
    { key = "holder_aftaler", text = { da = "De holder vores aftaler." } },
]
'''

def meeting_form(qid: str, side: str, heard: tuple[str, str], goals: tuple[str, str]) -> str:
    """One side's one-minute form after a meeting: two agreement items, `(id, wording)`,
    declared as that side's answers to 'heard' and 'goals'."""
    return f'''
id = "{qid}"
version = 1
audience = "meeting"
title = {{ da = "Efter samtalen ({side})" }}

[themes]
samtalen = {{ da = "Samtalen" }}

[analysis.meeting]
side = "{side}"
heard = "{heard[0]}"
goals = "{goals[0]}"

[[sections]]
id = "samtale"
theme = "samtalen"
title = {{ da = "Samtalen" }}
''' + "".join(f'''
[[sections.items]]
type = "agreement"
id = "{item}"
text = {{ da = "{wording}" }}
''' for item, wording in (heard, goals))


FILES = {
    "kvalitet_borger": CITIZENS, "personaleskema": STAFF,
    "dialog_borger": meeting_form("dialog_borger", "citizen", ("fik_sagt_min_mening", "Jeg fik sagt min mening."),
                                  ("talte_om_det_vigtige", "Vi talte om det, der er vigtigt for mig.")),
    "dialog_personale": meeting_form("dialog_personale", "staff", ("borger_kom_til_orde", "Borgeren kom til orde."),
                                     ("fokus_paa_borgerens_maal", "Samtalen handlede om borgerens mål.")),
}
PER_WAVE = 8  # citizens and meeting forms per wave; staff: 5 of each of the two role groups
ROLES = ("myndighed", "jobcenter")
PHASES = ("before", "after")


class Case(msgspec.Struct, frozen=True, kw_only=True):
    """The evaluation of the own questionnaires and every answer sent to it, by questionnaire and phase."""

    settings: Settings
    evaluation: int
    organisation: int
    sent: dict[tuple[str, str], list[dict[str, Any]]]

    @property
    def url(self) -> str:
        assert self.settings.database_url is not None
        return self.settings.database_url


def _answers(q: Questionnaire, rng: random.Random, role: str | None) -> dict[str, Any]:
    """A whole answer with every scale item and matrix cell at random; staff in `role`."""
    answers: dict[str, Any] = valid_answers(q)
    for item in q.items():
        if isinstance(item, Role):
            answers[item.id] = role
        elif isinstance(item, Matrix):
            rated = [row for row in ROLES if row != role]
            answers[item.id] = {row: {d.key: rng.randint(1, 5) for d in item.dimensions} for row in rated}
        elif isinstance(item, Agreement):
            answers[item.id] = rng.randint(1, 5)
    return answers


@pytest.fixture(scope="module")
async def case(pool, pg_url, tmp_path_factory) -> Case:
    folder: Path = tmp_path_factory.mktemp("egne_skemaer")
    for name, text in FILES.items():
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    url = await new_database(pool, pg_url, prefix="sammen_own_")
    settings = Settings.from_env({"DATABASE_URL": url, "SAMMEN_QUESTIONNAIRE_DIR": str(folder),
                                  "SAMMEN_ADMIN_API_KEY": ADMIN_KEY, "SAMMEN_SECRET_KEY": SECRET})
    questionnaires = {q.id: q for q in loader.load_dir(folder).values()}
    rng = random.Random(18)
    sent: dict[tuple[str, str], list[Any]] = defaultdict(list)
    async with AsyncTestClient(create_app(settings)) as client:  # its start loads the folder, as `sammen serve`
        conn: asyncpg.Connection = await connect(url)
        try:
            today = dt.date.today()
            org = await admin.create_organisation(conn, NewOrganisation(name="Egen kommune"))
            unit = (await admin.create_unit(conn, org.id, NewUnit(name="Team Nord", sector="udfoerer"))).id
            evaluation = await admin.create_evaluation(conn, org.id, NewEvaluation(
                name="Eget skema", implementation_date=today, units=[EvaluationUnit(unit_id=unit)]))
            for qid, q in questionnaires.items():
                for phase in PHASES:
                    wave = await admin.create_wave(conn, evaluation.id, NewWave(
                        name=f"{qid} {phase}", phase=phase, opens_on=today - dt.timedelta(days=1),
                        closes_on=today + dt.timedelta(days=30), questionnaire_id=qid))
                    roles = [r for r in ROLES for _ in range(5)] if qid == "personaleskema" else [None] * PER_WAVE
                    for role in roles:
                        token = await invite(conn, {"wave": wave.id, "unit": unit})
                        answers = _answers(q, rng, role)
                        r = await client.post(f"/api/responses/{token}",
                                              json={"submission_id": str(uuid.uuid4()), "answers": answers})
                        assert r.status_code == 201, r.text
                        sent[(qid, phase)].append(answers)
        finally:
            await conn.close()
    return Case(settings=settings, evaluation=evaluation.id, organisation=org.id, sent=dict(sent))


@pytest.fixture(scope="module")
def own(case):
    with analysis.connect(case.url) as s:
        yield s


def _share_agreeing(values: list[int]) -> float:
    return sum(v >= 4 for v in values) / len(values)  # top-two box of 1–5


def _rater_scores(case: Case, phase: str, role: str | None = None) -> list[float]:
    """Each rater's index: the mean of their tie scores, a tie score the mean of the dimensions."""
    return [statistics.fmean(statistics.fmean(dims.values()) for dims in a["samspil"].values())
            for a in case.sent[("personaleskema", phase)] if role is None or a["arbejdssted"] == role]


async def test_the_own_declarations_are_what_the_database_holds(case):
    conn = await connect(case.url)
    try:
        rows = [tuple(r) for r in await conn.fetch(
            "select questionnaire_id, role, coalesce(side, ''), aspect, coalesce(item_id, theme)"
            " from questionnaire_analysis order by 1, 2, 4, position")]
        shipped = await conn.fetchval("select count(*) from questionnaire_version where questionnaire_id = 'borger'")
    finally:
        await conn.close()
    assert shipped == 0  # only the other folder's questionnaires are there
    assert rows == [
        ("dialog_borger", "meeting", "citizen", "goals", "talte_om_det_vigtige"),
        ("dialog_borger", "meeting", "citizen", "heard", "fik_sagt_min_mening"),
        ("dialog_personale", "meeting", "staff", "goals", "fokus_paa_borgerens_maal"),
        ("dialog_personale", "meeting", "staff", "heard", "borger_kom_til_orde"),
        ("kvalitet_borger", "joint", "", "", "bestemmer_selv"),
        ("kvalitet_borger", "joint", "", "", "maal_giver_mening"),
        ("kvalitet_borger", "key_theme", "", "", "selvbestemmelse"),
        ("personaleskema", "collaboration", "", "", "samspil"),
        ("personaleskema", "staff_role", "", "", "arbejdssted"),
    ]


def test_coordination_reads_the_own_matrix_its_dimensions_and_role_groups(case, own):
    found = analysis.coordination(case.evaluation, session=own)
    assert (found.questionnaire_id, found.item_id) == ("personaleskema", "samspil")
    assert {tuple(r.items) for r in found.reliability} == {("deler_viden", "stoler_paa", "holder_aftaler")}
    for phase in PHASES:
        whole = [i for i in found.indices if i.level == "all" and i.phase == phase]
        assert len(whole) == 1 and not whole[0].suppressed
        assert whole[0].n == 10
        assert whole[0].mean == pytest.approx(statistics.fmean(_rater_scores(case, phase)))
        for rater, rated in (ROLES, ROLES[::-1]):
            tie = next(i for i in found.indices if i.level == "tie" and i.phase == phase and i.rater_role == rater)
            assert tie.rated_role == rated and tie.n == 5
            assert tie.mean == pytest.approx(statistics.fmean(_rater_scores(case, phase, rater)))


def test_a_matrix_named_in_the_call_is_analysed_and_an_undeclared_evaluation_gets_none(case, own):
    named = analysis.coordination(case.evaluation, questionnaire_id="personaleskema", item_id="samspil", session=own)
    assert named == analysis.coordination(case.evaluation, session=own)
    elsewhere = analysis.coordination(case.evaluation, questionnaire_id="kvalitet_borger", session=own)
    assert (elsewhere.questionnaire_id, elsewhere.item_id, elsewhere.indices) == ("kvalitet_borger", "", [])


def test_meetings_pair_the_two_own_forms_by_the_declared_aspects(case, own):
    found = analysis.meetings(case.evaluation, session=own)
    assert [(a.key, a.citizen, a.staff) for a in found.aspects] == [
        ("heard", "fik_sagt_min_mening", "borger_kom_til_orde"),
        ("goals", "talte_om_det_vigtige", "fokus_paa_borgerens_maal")]
    for qid, item, viewpoint in (("dialog_borger", "fik_sagt_min_mening", "citizen"),
                                 ("dialog_personale", "fokus_paa_borgerens_maal", "staff")):
        for phase in PHASES:
            arm = [s for s in found.shares if s.item_id == item and s.phase == phase and s.unit_id is None]
            assert len(arm) == 1 and arm[0].viewpoint == viewpoint and not arm[0].suppressed
            assert arm[0].n == PER_WAVE
            assert arm[0].share_agreeing == pytest.approx(_share_agreeing([a[item] for a in case.sent[(qid, phase)]]))
    compared = [c for c in found.comparisons if c.target == "fik_sagt_min_mening"]
    assert len(compared) == 1 and not compared[0].suppressed


def test_side_by_side_leads_with_the_declared_key_theme_meeting_item_and_matrix(case, own):
    changes = {c.measure: c for c in analysis.side_by_side(case.evaluation, session=own) if c.level == "arm"}

    def theme_score(a: dict[str, Any]) -> float:
        return statistics.fmean([a["bestemmer_selv"], a["valg_respekteres"]])

    influence = changes["influence"]
    assert not influence.suppressed
    for phase, value in (("before", influence.before), ("after", influence.after)):
        assert value == pytest.approx(statistics.fmean(map(theme_score, case.sent[("kvalitet_borger", phase)])))
    heard = changes["meetings_heard"]
    for phase, value in (("before", heard.before), ("after", heard.after)):
        assert value == pytest.approx(_share_agreeing([a["fik_sagt_min_mening"]
                                                       for a in case.sent[("dialog_borger", phase)]]))
    rc = changes["coordination"]
    assert rc.before == pytest.approx(statistics.fmean(_rater_scores(case, "before")))
    assert rc.after == pytest.approx(statistics.fmean(_rater_scores(case, "after")))
    assert changes["flow_ended"].suppressed  # no flow counts loaded: nothing to show


def test_the_bundle_gives_the_declared_joint_indicator(case, own):
    joint = analysis.results_bundle(case.evaluation, session=own).joint
    assert joint and {d.questionnaire_id for d in joint} == {"kvalitet_borger"}
    for phase in PHASES:
        shown = [d for d in joint if d.phase == phase and d.unit_id is None and not d.suppressed]
        both = [a["bestemmer_selv"] >= 4 and a["maal_giver_mening"] >= 4 for a in case.sent[("kvalitet_borger", phase)]]
        assert shown and shown[0].share_agreeing == pytest.approx(sum(both) / len(both))


async def test_the_coordination_route_answers_from_the_own_declarations(case):
    conn = await connect(case.url)
    try:
        key = await evaluator_key(conn, case.organisation)
    finally:
        await conn.close()
    async with AsyncTestClient(create_app(case.settings)) as client:
        r = await client.get(f"/api/evaluations/{case.evaluation}/coordination",
                             headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200, r.text
    assert (r.json()["questionnaire_id"], r.json()["item_id"]) == ("personaleskema", "samspil")



async def test_a_declaration_corrected_in_an_answered_version_is_stored_at_the_next_start(case, own, tmp_path):
    """The declaration is no part of the digest: correcting it needs no new version, and
    the analyses read the corrected one (here the staff form no longer pairs 'goals')."""
    for name, text in FILES.items():
        (tmp_path / f"{name}.toml").write_text(
            text.replace('goals = "fokus_paa_borgerens_maal"\n', "") if name == "dialog_personale" else text)
    await prepare_database(case.url, msgspec.structs.replace(case.settings, questionnaire_dir=str(tmp_path)))
    found = analysis.meetings(case.evaluation, session=own)
    assert [(a.key, a.citizen, a.staff) for a in found.aspects] == [
        ("heard", "fik_sagt_min_mening", "borger_kom_til_orde"), ("goals", "talte_om_det_vigtige", None)]
    assert not any(s.item_id == "fokus_paa_borgerens_maal" for s in found.shares)
