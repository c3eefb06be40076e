"""Goal attainment (GAS) as a measure, on citizens who set their own goals at baseline and
rated them at a follow-up through the API, in three units of two arms: each shown
group's T-scores, change and share improving equal an independent computation (the
formula written out here, scipy's paired t, statsmodels' Wilson interval); the unit with
two citizens is hidden and so is what would give it away; the three doors agree and
reads are audited."""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid

import msgspec
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from service import analysis
from service.admin import store as admin
from service.admin.model import EvaluationUnit, NewEvaluation, NewOrganisation, NewUnit, NewWave
from service.errors import Invalid
from service.surveys import loader
from service.surveys.store import sync_questionnaires
from tests.support.cli import sammen
from tests.support.evaluation import bearer, evaluator_key, invite
from tests.support.goals import FOLLOW_UP, START

CITIZENS = {"Bostøtte A": ("intervention", 8), "Bostøtte B": ("intervention", 2), "Værested C": ("comparison", 6)}


def _t(levels: list[int], rho: float = 0.3) -> float:
    """Kiresuk & Sherman's T, written out: 50 + 10·Σx / √((1 − ρ)·n + ρ·n²), unweighted."""
    n = len(levels)
    return 50 + 10 * sum(levels) / math.sqrt((1 - rho) * n + rho * n * n)


@pytest.fixture(scope="module")
async def followed(pool, client) -> tuple[int, dict[str, int], dict[str, list[tuple[list[int], list[int]]]]]:
    """The evaluation, its units by name, and each unit's citizens' (baseline, follow-up) levels."""
    rng = random.Random(20)
    async with pool.acquire() as conn:
        await sync_questionnaires(conn, [loader.decode(START, "maal_start.toml"),
                                         loader.decode(FOLLOW_UP, "maal_opfoelgning.toml")])
        org = await admin.create_organisation(conn, NewOrganisation(name=f"Målkommune {uuid.uuid4().hex[:8]}"))
        units = {name: (await admin.create_unit(conn, org.id, NewUnit(name=name, sector="udfoerer"))).id
                 for name in CITIZENS}
        today = dt.date.today()
        ev = await admin.create_evaluation(conn, org.id, NewEvaluation(
            name="Egne mål", implementation_date=today,
            units=[EvaluationUnit(unit_id=units[name], arm=arm) for name, (arm, _) in CITIZENS.items()]))
        waves = {}
        for name, questionnaire in (("Start", "maal_start"), ("Efter et halvt år", "maal_opfoelgning")):
            waves[name] = (await admin.create_wave(conn, ev.id, NewWave(
                name=name, phase="after", opens_on=today - dt.timedelta(days=1),
                closes_on=today + dt.timedelta(days=30), questionnaire_id=questionnaire))).id
        levels: dict[str, list[tuple[list[int], list[int]]]] = {}
        for name, (arm, count) in CITIZENS.items():
            rise = 1 if arm == "intervention" else 0
            for c in range(count):
                key = f"{name.split()[1]}-{c}"
                baseline = [rng.choice([-2, -1]) for _ in range(rng.randint(1, 2))]
                follow_up = [max(-2, min(2, b + rise + rng.randint(-1, 1))) for b in baseline]
                for wave, answers in ((waves["Start"], {str(g): {"text": f"Mål {g}", "level": b}
                                                        for g, b in enumerate(baseline, 1)}),
                                      (waves["Efter et halvt år"], {str(g): {"level": f}
                                                                    for g, f in enumerate(follow_up, 1)})):
                    token = await invite(conn, {"unit": units[name], "wave": wave}, respondent_key=key)
                    r = await client.post(f"/api/responses/{token}", json={
                        "submission_id": str(uuid.uuid4()), "answers": {"egne_maal": answers}})
                    assert r.status_code == 201, r.text
                levels.setdefault(name, []).append((baseline, follow_up))
    return ev.id, units, levels


def test_each_shown_group_equals_the_formula_scipys_paired_t_and_statsmodels_wilson(followed, session):
    """Variants: T unweighted with ρ = 0.3; the change's interval Student's paired t (df =
    n − 1), its test the two-sided paired t (scipy.stats.ttest_rel); the mean T's interval
    Student's t; the share improving (follow-up T > baseline T) Wilson's score interval."""
    evaluation, units, levels = followed
    found = analysis.goal_attainment(evaluation, session=session)
    name_of = {u: name for name, u in units.items()}
    shown = [r for r in found if not r.suppressed]
    assert {(r.arm, r.unit_id) for r in shown} == {("intervention", None), ("comparison", None),
                                                    ("comparison", units["Værested C"])}
    for r in shown:
        citizens = [pair for name, (arm, _) in CITIZENS.items() if arm == r.arm
                    and (r.unit_id is None or name == name_of[r.unit_id]) for pair in levels[name]]
        assert r.citizens == len(citizens) and r.change is not None
        before = [_t(b) for b, _ in citizens]
        after = [_t(f) for _, f in citizens]
        diff = [a - b for a, b in zip(after, before, strict=True)]
        n = len(diff)
        paired = stats.ttest_rel(after, before)
        assert r.change.test.statistic == pytest.approx(paired.statistic, rel=1e-10)
        assert r.change.test.p == pytest.approx(paired.pvalue, rel=1e-10)
        low, high = stats.t.interval(0.95, n - 1, loc=sum(diff) / n, scale=stats.sem(diff))
        assert (r.change.change.estimate, r.change.change.low, r.change.change.high) == pytest.approx(
            (sum(diff) / n, low, high), rel=1e-10)
        low, high = stats.t.interval(0.95, n - 1, loc=sum(after) / n, scale=stats.sem(after))
        assert (r.change.follow_up.low, r.change.follow_up.high) == pytest.approx((low, high), rel=1e-10)
        rose = sum(d > 0 for d in diff)
        assert (r.change.improving.low, r.change.improving.high) == pytest.approx(
            proportion_confint(rose, n, method="wilson"), rel=1e-10)
        assert r.goals == sum(len(f) for _, f in citizens) and r.rho == 0.3
    assert next(r for r in shown if r.arm == "intervention").change.change.estimate > 0  # the planted rise


def test_the_unit_of_two_is_hidden_and_so_is_what_would_give_it_away(followed, session):
    evaluation, units, _ = followed
    found = analysis.goal_attainment(evaluation, session=session)
    small = next(r for r in found if r.unit_id == units["Bostøtte B"])
    assert small.suppressed and small.citizens is None and small.change is None
    unit_a = next(r for r in found if r.unit_id == units["Bostøtte A"])
    arm = next(r for r in found if r.arm == "intervention" and r.unit_id is None)
    assert unit_a.suppressed and not arm.suppressed  # the arm's 10 less A's 8 would give B's 2 away
    comparison = [r for r in found if r.arm == "comparison"]
    assert all(not r.suppressed for r in comparison) and {r.citizens for r in comparison} == {6}


def test_rho_is_a_parameter_and_a_bad_one_is_refused_by_name(followed, session):
    evaluation, units, levels = followed
    found = analysis.goal_attainment(evaluation, rho=0.5, session=session)
    unit_c = next(r for r in found if r.unit_id == units["Værested C"])
    assert unit_c.change.baseline.estimate == pytest.approx(
        sum(_t(b, 0.5) for b, _ in levels["Værested C"]) / len(levels["Værested C"]), rel=1e-12)
    assert unit_c.change.method == "GAS T-score (Kiresuk & Sherman 1968), ρ = 0.5"
    with pytest.raises(Invalid, match="rho"):
        analysis.goal_attainment(evaluation, rho=1.0, session=session)


async def test_python_the_command_line_and_http_give_the_same_figures_and_reads_are_audited(
        followed, session, pool, client, settings):
    evaluation, _, _ = followed
    python = msgspec.to_builtins(analysis.goal_attainment(evaluation, session=session))
    async with pool.acquire() as conn:
        key = await evaluator_key(conn, evaluation=evaluation)
        ran = await sammen(settings, "analyse", "goal-attainment", "--evaluation", str(evaluation))
        assert ran.code == 0, ran.err
        http = await client.get(f"/api/evaluations/{evaluation}/goal-attainment", headers=bearer(key))
        assert http.status_code == 200, http.text
        assert python == ran.json() == http.json()
        subject = await conn.fetchval("select subject from audit_log where action = 'read' order by id desc limit 1")
        assert subject == f"evaluation {evaluation} goal-attainment (rho=0.3)"
        table = await sammen(settings, "analyse", "goal-attainment", "--evaluation", str(evaluation),
                             "--format", "table")
        assert table.code == 0 and "T_follow_up" in table.out, table.err
        bad = await client.get(f"/api/evaluations/{evaluation}/goal-attainment?rho=2", headers=bearer(key))
        assert bad.status_code == 400 and "rho" in bad.text


def test_side_by_side_lines_goal_attainment_up_with_the_same_figures_and_hides_the_same_units(followed, session):
    """Side by side with the influence theme and the rest: the arm's and the shown unit's
    change is the goal attainment measure's (paired t interval), the units it hides stay
    hidden; an evaluation without goals has no such row (tests/integration/test_side_by_side.py)."""
    evaluation, units, _ = followed
    gas = {(r.arm, r.unit_id): r for r in analysis.goal_attainment(evaluation, session=session)}
    rows = [c for c in analysis.side_by_side(evaluation, session=session) if c.measure == "goal_attainment"]
    assert {c.level for c in rows} == {"unit", "sector", "arm"}
    for c in rows:
        if c.level == "sector":
            continue
        mine = gas[(c.arm, c.unit_id)]
        assert c.suppressed == mine.suppressed, c
        if not c.suppressed:
            assert (c.change, c.ci_low, c.ci_high) == pytest.approx(
                (mine.change.change.estimate, mine.change.change.low, mine.change.change.high), rel=1e-12)
            assert (c.before, c.after) == pytest.approx(
                (mine.change.baseline.estimate, mine.change.follow_up.estimate), rel=1e-12)
            assert c.n_before == c.n_after == mine.citizens and c.ci_method == "paired t interval"


def test_the_chart_shows_baseline_and_follow_up_per_group_and_for_faa_svar_for_the_hidden(followed, session,
                                                                                          tmp_path):
    from service.exports import charts

    evaluation, units, _ = followed
    bundle = analysis.results_bundle(evaluation, parts=["goal_attainment"], session=session)
    made = charts.charts(bundle)
    assert [name for name in made if charts.part_of(name) == "goal_attainment"] == [
        "maalopfyldelse_maal_opfoelgning_egne_maal"]
    plot = made["maalopfyldelse_maal_opfoelgning_egne_maal"]()
    assert plot.labels.get("title", None) == "Borgernes egne mål: GAS T-score ved udgangspunkt og opfølgning"
    assert "borgere 16" in plot.labels.get("caption", None) and "ρ = 0,3" in plot.labels.get("caption", None)
    drawn = plot.data
    hidden = set(drawn.loc[drawn["suppressed"], "group"])
    assert hidden == {"Bostøtte A", "Bostøtte B"}  # the words, never a dot
    shown = drawn[~drawn["suppressed"]]
    assert len(shown) == 6 and set(shown["stage"]) == {"Udgangspunkt", "Opfølgning"}
    assert charts.chart_title("maalopfyldelse_maal_opfoelgning_egne_maal", bundle.labels).startswith(
        "Borgernes egne mål (")
    name = "maalopfyldelse_maal_opfoelgning_egne_maal"
    written = charts.save_all(bundle, tmp_path, formats=["png", "svg"], only=[name])
    assert [(w.name, w.format) for w in written] == [("maalopfyldelse_maal_opfoelgning_egne_maal", "png"),
                                                     ("maalopfyldelse_maal_opfoelgning_egne_maal", "svg")]
    assert "Opfølgning" in (tmp_path / "maalopfyldelse_maal_opfoelgning_egne_maal.svg").read_text()


def test_the_report_has_a_section_on_the_citizens_own_goals_with_its_chart_and_table(followed, session):
    from service.exports import report

    evaluation, _, _ = followed
    bundle = analysis.results_bundle(evaluation, session=session)
    view = report.view(bundle)
    section = next(s for s in view.sections if s.key == "goal_attainment")
    assert section.title == "Borgernes egne mål" and [f.key for f in section.figures] == [
        "maalopfyldelse_maal_opfoelgning_egne_maal"]
    rows = {row[0]: row for row in section.tables[0].rows}
    assert rows["Bostøtte A"][2:] == rows["Bostøtte B"][2:] == ["for få svar"] * 5
    arm = next(r for r in bundle.goal_attainment if r.arm == "intervention" and r.unit_id is None)
    assert rows["Hele gruppen: indsats"][2] == "10"
    assert rows["Hele gruppen: indsats"][5].startswith(f"{arm.change.change.estimate:.1f}".replace(".", ","))
    html = report.render_html(view)
    assert "Borgernes egne mål" in html and "ρ = 0,3" in html
