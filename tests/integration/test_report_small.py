"""A report is asked for early, when a wave has only a few answers: every group is under
the disclosure threshold. It must still be made, saying 'for få svar', not fail (a
distribution chart with every group hidden ended the report in a 500)."""

from __future__ import annotations

from tests.integration.test_analysis_data import answered_evaluation
from tests.support import ADMIN_KEY

ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


async def test_the_report_of_an_evaluation_with_only_suppressed_groups_is_made_and_says_too_few(client, conn):
    evaluation = await answered_evaluation(client, conn, {"Nord": 3})
    made = await client.get(f"/api/evaluations/{evaluation}/report.html", headers=ADMIN)
    assert made.status_code == 200, made.text[:300]
    assert "for få svar" in made.text
