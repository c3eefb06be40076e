"""The demo's discovery survey (service/demodata/discovery.py), loaded by `sammen
demo-data` beside the demo evaluation: the importance measure gives back the planted
order of the candidate themes, the coders agree about as planted, and a null demo (every
utility equal) is not ranked with confidence."""

from __future__ import annotations

import numpy as np

from service import analysis
from service.analysis.stats.best_worst import Task, importance
from service.demodata import discovery
from service.surveys import loader
from tests.support.cli import sammen


async def test_demo_data_loads_the_discovery_survey_and_its_planted_order_comes_back(conn, settings, pg_url):
    ran = await sammen(settings, "demo-data", "--seed", "3", "--responses", "300", "--quiet")
    assert ran.code == 0, ran.err
    evaluation = ran.json()["discovery_evaluation_id"]
    with analysis.connect(pg_url) as session:
        (found,) = analysis.theme_importance(evaluation, session=session)
        coded = {c.code: c for c in analysis.coding_agreement(evaluation, session=session)}
    planted = sorted(discovery.UTILITIES, key=lambda v: -discovery.UTILITIES[v])
    by_utility = sorted(found.themes, key=lambda t: -t.utility.estimate)
    assert [t.value for t in by_utility] == planted, [(t.value, t.utility.estimate) for t in by_utility]
    assert found.respondents == discovery.RESPONDENTS and found.equal.p < 1e-6
    top = coded["indflydelse"]
    assert top.coders == 2 and top.tagged is not None and 0.6 < top.kappa.estimate < 0.95
    print(f"\ndiscovery: planted order back; κ (indflydelse) = {top.kappa.estimate:.2f}, α = {top.alpha.estimate:.2f}")
    assert [t.theme for t in by_utility][:3] == ["indflydelse", "maal_og_droemme", "sammenhaeng"]


async def test_a_questionnaire_is_derived_from_the_ranked_themes_of_the_discovery(conn, settings, tmp_path):
    """`derive --from-importance`: the three most important themes, in their order."""
    ran = await sammen(settings, "demo-data", "--seed", "4", "--responses", "200", "--quiet")
    evaluation = ran.json()["discovery_evaluation_id"]
    out = tmp_path / "fra_vigtighed.toml"
    derived = await sammen(settings, "questionnaire", "derive", "--from-importance", str(evaluation), "--id",
                           "fra_vigtighed", "--out", str(out))
    assert derived.code == 0, derived.err
    assert [s.theme for s in loader.load_file(out).sections] == ["indflydelse", "maal_og_droemme", "sammenhaeng"]
    both = await sammen(settings, "questionnaire", "derive", "--from-importance", str(evaluation), "--theme",
                        "indflydelse", "--id", "x", "--out", str(tmp_path / "x.toml"))
    assert both.code == 2 and "--theme: give --theme or --from-importance, not both" in both.err
    missing = await sammen(settings, "questionnaire", "derive", "--from-importance", "999999", "--id", "y",
                           "--out", str(tmp_path / "y.toml"))
    assert missing.code == 2 and "--from-importance: evaluation 999999 does not exist" in missing.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fra_vigtighed.toml"]


def test_a_null_discovery_is_not_ranked_with_confidence_more_often_than_five_percent():
    """200 seeded studies of 60 respondents answering the nine sets of four with equal
    utilities: the test of equal importance rejects at 5 % in at most 5 % + two binomial
    standard errors of them (the demo's design, as tests/unit/test_stats_best_worst.py checks the Fano plane)."""
    from tests.support import QUESTIONNAIRE_DIR

    sets = loader.load_file(QUESTIONNAIRE_DIR / "kvalitet_borger.toml").item(discovery.ITEM).tasks  # type: ignore[union-attr]
    rng = np.random.default_rng(23)
    runs, rejected = 200, 0
    for _ in range(runs):
        tasks = []
        for r in range(60):
            for shown in sets:
                best = shown[int(rng.integers(len(shown)))]
                rest = [o for o in shown if o != best]
                tasks.append(Task(r, shown, best, rest[int(rng.integers(len(rest)))]))
        rejected += importance(tasks, list(range(1, 10))).equal.p < 0.05
    assert rejected / runs <= 0.05 + 2 * (0.05 * 0.95 / runs) ** 0.5, rejected


async def test_the_derived_questionnaires_evaluation_finds_the_planted_rise_on_the_key_theme_only(conn, settings,
                                                                                                 pg_url):
    """The demo's before/after evaluation of the questionnaire derived from the discovery's
    three most important themes: the key theme rises in the intervention arm (Welch's t
    interval above 0; the planted 0.6 is on the citizens' latent scale, the 1–5 answers
    show about half of it after rounding and the ceiling), the other arm stays put."""
    from service.analysis.measures.summary.results import Comparison
    from service.exports import report

    ran = await sammen(settings, "demo-data", "--seed", "5", "--responses", "200", "--quiet")
    evaluation = ran.json()["derived_evaluation_id"]
    with analysis.connect(pg_url) as session:
        summary = analysis.summary(evaluation, session=session)
        bundle = analysis.results_bundle(evaluation, session=session)
    welch = {(c.target, c.arm): c for c in summary if isinstance(c, Comparison) and c.test == "Welch's t"
             and c.design == "independent"}
    key = welch[("indflydelse", "intervention")]
    assert key.ci_low > 0 and key.estimate < discovery.DERIVED_UPLIFT, key
    assert welch[("indflydelse", "comparison")].ci_low < 0 < welch[("indflydelse", "comparison")].ci_high
    assert {t for t, _ in welch} == set(discovery.derived_themes())
    assert any(c.measure == "influence" for c in bundle.side_by_side)  # the declared key theme leads side by side
    html = report.render(bundle, ("html",))["html"].decode()
    assert "Egen borgerundersøgelse" in html and "Indflydelse på eget liv" in html
