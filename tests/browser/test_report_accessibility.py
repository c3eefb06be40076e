"""axe-core on the demo evaluation's HTML report (seed 1, 8000 responses: every section
filled, suppressed groups, coordination, meetings, flow) as an evaluator opens the file
on a tablet: nothing serious or critical, the bar of the citizens' form. The report is
made in this process from the run's demo results; downloading it is
tests/browser/test_evaluator_page.py's."""

from __future__ import annotations

import pytest

from service.exports import report
from tests.browser.test_accessibility import check
from tests.support.browser import TABLET

pytestmark = pytest.mark.browser


async def test_the_demo_report_has_no_serious_or_critical_axe_violation_on_a_tablet(new_phone, demo_results,
                                                                                      tmp_path):
    html = tmp_path / "rapport.html"
    html.write_bytes(report.render(demo_results, ("html",))["html"])
    page = await new_phone(**TABLET)
    await page.goto(html.as_uri())  # the file as the evaluator opens it: nothing fetched, so it shows offline
    assert await page.locator("h1").inner_text() == "Recovery-orienteret praksis 2024-2025"
    assert await page.locator("table").count() >= 10 and await page.locator("img").count() >= 10
    found: list[str] = []
    minor: list[str] = []
    await check(page, "the demo's HTML report", found, minor)
    print(f"\naxe on the demo's HTML report: {len(found)} serious/critical, {len(minor)} minor")
    for line in minor:
        print(line)
    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)
