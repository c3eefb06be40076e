"""Theme importance (the `importance` measure) on answers given through the citizens' API:
a best–worst question answered by 40 respondents whose picks follow planted utilities
gets the themes in the planted order, with their stored labels, through the Python call,
the command line and HTTP alike; under the item's threshold only the labels leave."""

from __future__ import annotations

import math
import uuid

import msgspec
import numpy as np

from service import analysis
from service.surveys import loader
from service.surveys.model import BestWorst
from service.surveys.store import sync_questionnaires
from tests.conftest import invite, make_wave
from tests.integration.test_item_types import PRIORITET_TOML
from tests.support.cli import sammen
from tests.support.evaluation import bearer, evaluator_key

PLANTED = {1: 1.5, 2: 0.5, 3: -0.5, 4: -1.5}  # 'At blive lyttet til' most important, 'Pårørende' least


async def _answered(client, conn, respondents: int, seed: int = 6) -> int:
    """An evaluation whose wave asks PRIORITET_TOML, answered by `respondents` through the API."""
    q = loader.decode(PRIORITET_TOML, "prioritet.toml")
    await sync_questionnaires(conn, [q])
    wave = await make_wave(conn, "prioritet")
    item = q.item("tema")
    assert isinstance(item, BestWorst)
    rng = np.random.default_rng(seed)
    for _ in range(respondents):
        picks = {}
        for n, shown in enumerate(item.tasks, 1):
            best = max(shown, key=lambda o: PLANTED[o] + rng.gumbel())
            worst = max((o for o in shown if o != best), key=lambda o: -PLANTED[o] + rng.gumbel())
            picks[str(n)] = {"best": best, "worst": worst}
        r = await client.post(f"/api/responses/{await invite(conn, wave)}",
                              json={"submission_id": str(uuid.uuid4()), "answers": {"tema": picks}})
        assert r.status_code == 201, r.text
    return wave["evaluation"]


async def test_planted_importance_comes_out_in_order_through_all_three_doors(client, conn, settings, pg_url):
    evaluation = await _answered(client, conn, 40)
    with analysis.connect(pg_url) as session:
        found = analysis.theme_importance(evaluation, session=session)
    assert len(found) == 1 and not found[0].suppressed and found[0].respondents == 40
    themes = found[0].themes
    assert [t.label_da for t in sorted(themes, key=lambda t: -t.utility.estimate)] == [
        "At blive lyttet til", "Egne mål", "Sammenhæng", "Pårørende"]
    assert [t.value for t in sorted(themes, key=lambda t: -t.score.estimate)] == [1, 2, 3, 4]
    assert all(t.shown == 40 * 3 for t in themes)  # four options in four sets of three: each shown three times
    assert math.isclose(sum(t.share for t in themes), 1.0) and found[0].equal.p < 0.001
    ran = await sammen(settings, "analyse", "importance", "--evaluation", str(evaluation), "--format", "json")
    key = await evaluator_key(conn, evaluation=evaluation)
    http = await client.get(f"/api/evaluations/{evaluation}/importance?item=tema", headers=bearer(key))
    assert http.status_code == 200 and ran.json() == http.json() == msgspec.to_builtins(found)
    table = await sammen(settings, "analyse", "importance", "--evaluation", str(evaluation), "--format", "table")
    assert table.out.index("At blive lyttet til") < table.out.index("Pårørende")  # most important first


async def test_fewer_respondents_than_the_threshold_give_the_themes_labels_and_nothing_else(client, conn, pg_url):
    evaluation = await _answered(client, conn, 4)
    with analysis.connect(pg_url) as session:
        (found,) = analysis.theme_importance(evaluation, session=session)
    assert found.suppressed and found.respondents is None and found.equal is None
    assert [(t.value, t.label_da, t.shown, t.score, t.utility) for t in found.themes] == [
        (1, "At blive lyttet til", None, None, None), (2, "Egne mål", None, None, None),
        (3, "Sammenhæng", None, None, None), (4, "Pårørende", None, None, None)]


async def test_the_ranking_is_a_chart_and_a_section_of_the_report_most_important_first(client, conn, pg_url):
    from service.exports import charts, report

    evaluation = await _answered(client, conn, 40)
    with analysis.connect(pg_url) as session:
        bundle = analysis.results_bundle(evaluation, session=session)
    made = charts.charts(bundle)
    assert "vigtighed_prioritet_tema" in made
    plot = made["vigtighed_prioritet_tema"]()
    assert plot.labels.get("title", None) == "Hvad er vigtigst? Temaerne efter bedst–værst-score"
    assert list(plot.data["theme"].cat.categories)[-1] == "At blive lyttet til"  # drawn top down: the top last
    html = report.render(bundle, ("html",))["html"].decode()
    section = html[html.index("Vigtigste temaer"):]
    rows = [section.index(theme) for theme in ("At blive lyttet til", "Egne mål", "Sammenhæng", "Pårørende")]
    assert rows == sorted(rows) and "Test af lige vigtighed: F = " in section
    assert 'alt="Hvad er vigtigst?' in section  # the chart, with its text alternative
