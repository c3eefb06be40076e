"""The demo evaluation's figures (seed 1, 8000 responses) as they stood before the
analyses read their items from the questionnaires' `[analysis]` declarations instead of
ids in code (issue 18): the summary, relational coordination, the meetings, citizen
flow, side by side and the bundle's joint indicator, every field, kept as a test so no
later move of the analyses changes a figure unnoticed.

The fixture was written by the code before the move. To write it again on purpose (a
change that is meant to change figures), run this module with
SAMMEN_WRITE_DEMO_RESULTS=1 and say in the commit which figures moved and why."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from service import analysis
from tests.support.figures import differences, plain

FIXTURE = Path(__file__).parent / "fixtures" / "demo_results.json"


@pytest.fixture(scope="module")
def results(demo, demo_results, session) -> dict[str, Any]:
    bundle = demo_results  # the run's one bundle of the demo (tests/conftest.py), not a second one
    found = {
        "summary": analysis.summary(demo, session=session),
        "coordination": analysis.coordination(demo, session=session),
        "meetings": analysis.meetings(demo, session=session),
        "flow": analysis.flow_analysis(demo, session=session),
        "side_by_side": analysis.side_by_side(demo, session=session),
        "joint": bundle.joint,
    }
    # the bundle's parts are the same calls (one snapshot): the same figures, to the last
    # digits PostgreSQL's order of adding may move (the bundle was made in the template)
    same = {"coordination": bundle.coordination, "meetings": bundle.meetings, "side_by_side": bundle.side_by_side}
    assert [d for name, value in same.items() for d in differences(value, found[name], name)] == []
    return {name: plain(value) for name, value in found.items()}


@pytest.mark.parametrize("part", ["summary", "coordination", "meetings", "flow", "side_by_side", "joint"])
def test_every_figure_of_the_demo_evaluation_is_what_it_was_before_the_declarations(results, part):
    if os.environ.get("SAMMEN_WRITE_DEMO_RESULTS"):
        stored = json.loads(FIXTURE.read_text()) if FIXTURE.exists() else {}
        FIXTURE.parent.mkdir(exist_ok=True)
        FIXTURE.write_text(json.dumps(stored | {part: results[part]}, ensure_ascii=False, separators=(",", ":"),
                                      sort_keys=True))
    expected = json.loads(FIXTURE.read_text())[part]
    assert expected, "the fixture holds no rows of this part"
    found = differences(expected, results[part])
    assert not found, "\n".join(found[:20])
