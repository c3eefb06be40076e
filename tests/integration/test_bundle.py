"""Every result of an evaluation in one Struct (what charts, tables and the report take):
on the demo evaluation it holds the same figures as the single calls, encodes as JSON
whole, and its answer distributions agree with counts made in pandas on the tidy
microdata; under a threshold nothing of a group shows."""

from __future__ import annotations

import msgspec
import pytest

from service import analysis
from service.analysis.bundle import EvaluationResults
from service.analysis.runtime.session import connect
from tests.support.figures import differences


@pytest.fixture(scope="module")
def bundle(demo_results) -> EvaluationResults:
    return demo_results


def test_the_bundle_holds_the_same_figures_as_the_single_calls(bundle, demo, session):
    # the same figures, to the last digits the order of PostgreSQL's adding may move (tests/support/figures.py)
    assert differences(bundle.summary, analysis.summary(demo, session=session)) == []
    assert differences(bundle.side_by_side, analysis.side_by_side(demo, session=session)) == []
    assert bundle.evaluation.id == demo and bundle.organisation.startswith("Demokommune")
    assert {w.questionnaire_id for w in bundle.rates} == {"borger", "paaroerende", "medarbejder", "moede_borger",
                                                          "moede_medarbejder"}
    assert all(0 <= u.response_rate <= 1 for w in bundle.rates for u in w.units if u.response_rate is not None)
    assert bundle.joint and bundle.models and bundle.coordination.indices and bundle.flow.monthly
    # as JSON, whole (JSON's object keys are text: the value labels' codes come back as '1', '2', ...)
    assert msgspec.json.decode(msgspec.json.encode(bundle)) == msgspec.to_builtins(bundle, str_keys=True)


def test_answer_distributions_agree_with_counts_of_the_tidy_rows(bundle, demo, session):
    """Per item, arm and wave: the share choosing each option among those who chose one
    ('ved ikke' counted apart), every option of the scale listed, labelled from the codebook."""
    rows = analysis.tidy(demo, audience="citizen", session=session)
    item = rows[(rows["questionnaire_id"] == "borger") & (rows["item_id"] == "indflydelse_eget_liv")]
    for d in [d for d in bundle.distributions if (d.questionnaire_id, d.item_id) == ("borger", "indflydelse_eget_liv")]:
        mine = item[(item["arm"] == d.arm) & (item["wave_id"] == d.wave_id)]
        answered = mine[mine["value"].notna()]
        assert d.n == len(answered) and d.dont_know == int(mine["dont_know"].sum())
        assert [o.value for o in d.options] == [1, 2, 3, 4, 5]
        for o in d.options:
            assert o.n == int((answered["value"] == o.value).sum())
            assert o.share == round(o.n / d.n, 3)  # published to 0.1 %
        assert d.options[0].label_da == "Helt uenig" and sum(o.share for o in d.options) == pytest.approx(1, abs=0.003)


def test_a_group_under_the_threshold_shows_no_count_and_no_share(demo, pg_url):
    with connect(pg_url, min_group_size=100_000) as strict:
        found = analysis.distributions(demo, session=strict)
    assert found and all(d.suppressed and d.n is None and d.dont_know is None and d.options == [] for d in found)


def test_an_unknown_evaluation_is_refused(session):
    from service.errors import NotFound

    with pytest.raises(NotFound, match="999999"):
        analysis.results_bundle(999999, session=session)


def test_a_units_response_rate_is_hidden_where_fewer_than_the_threshold_answered(bundle):
    """The demo's two small units get 2-4 answers a wave: their rate would be a figure of
    a group under the threshold (the admin's `sammen rates` stays exact)."""
    small = [u for w in bundle.rates for u in w.units if u.suppressed]
    assert small and all((u.invited, u.submitted, u.response_rate, u.open_link_responses) == (None,) * 4
                         for u in small)
    shown = [u for w in bundle.rates for u in w.units if not u.suppressed]
    assert all(u.submitted + u.open_link_responses >= bundle.threshold or u.submitted + u.open_link_responses == 0
               for u in shown)
