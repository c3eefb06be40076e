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
import math
import os
from pathlib import Path
from typing import Any

import msgspec
import pytest

from service import analysis

FIXTURE = Path(__file__).parent / "fixtures" / "demo_results.json"


def _plain(value: Any) -> Any:
    return json.loads(msgspec.json.encode(value))


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
    assert [d for name, value in same.items() for d in _differences(_plain(value), _plain(found[name]), name)] == []
    return {name: _plain(value) for name, value in found.items()}


def _differences(expected: Any, found: Any, where: str = "$") -> list[str]:
    """Where two JSON values differ; floats equal to 12 significant digits count as equal
    (a sum PostgreSQL adds in another order may move the last bit, not a figure)."""
    if isinstance(expected, float) and isinstance(found, int | float) and not isinstance(found, bool):
        same = math.isclose(expected, found, rel_tol=1e-12, abs_tol=1e-12)
        return [] if same else [f"{where}: {expected} != {found}"]
    if isinstance(expected, dict) and isinstance(found, dict):
        if expected.keys() != found.keys():
            return [f"{where}: keys {sorted(expected.keys() ^ found.keys())} differ"]
        return [d for k in expected for d in _differences(expected[k], found[k], f"{where}.{k}")]
    if isinstance(expected, list) and isinstance(found, list):
        if len(expected) != len(found):
            return [f"{where}: {len(expected)} rows != {len(found)} rows"]
        return [d for i, (e, f) in enumerate(zip(expected, found)) for d in _differences(e, f, f"{where}[{i}]")]
    return [] if expected == found else [f"{where}: {expected!r} != {found!r}"]


@pytest.mark.parametrize("part", ["summary", "coordination", "meetings", "flow", "side_by_side", "joint"])
def test_every_figure_of_the_demo_evaluation_is_what_it_was_before_the_declarations(results, part):
    if os.environ.get("SAMMEN_WRITE_DEMO_RESULTS"):
        stored = json.loads(FIXTURE.read_text()) if FIXTURE.exists() else {}
        FIXTURE.parent.mkdir(exist_ok=True)
        FIXTURE.write_text(json.dumps(stored | {part: results[part]}, ensure_ascii=False, separators=(",", ":"),
                                      sort_keys=True))
    expected = json.loads(FIXTURE.read_text())[part]
    assert expected, "the fixture holds no rows of this part"
    differences = _differences(expected, results[part])
    assert not differences, "\n".join(differences[:20])
