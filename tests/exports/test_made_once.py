"""A report or chart of results already made is not made again (the PDF after the HTML
takes the charts drawn for the HTML), and results that differ in anything get their own
file: service/exports/made_once.py."""

from __future__ import annotations

import msgspec
import pytest

from service import analysis
from service.exports import made_once, report, report_parts
from service.exports.made_once import MadeOnce


@pytest.fixture(scope="module")
def bundle(small, session):
    return analysis.results_bundle(small.evaluation, session=session)


@pytest.fixture
def drawings(monkeypatch) -> list[str]:
    """The organisation of every report whose charts were drawn, in order (the drawing
    itself left out: seconds a report, and what it draws is test_report.py's)."""
    drawn: list[str] = []

    def counted(bundle):
        drawn.append(bundle.organisation)
        return {}

    monkeypatch.setattr(report_parts, "figures", counted)
    made_once.FILES.clear()
    return drawn


def test_the_pdf_after_the_html_of_the_same_results_draws_no_chart_again(bundle, drawings):
    html = report.render(bundle, ("html",))["html"]
    pdf = report.render(bundle, ("pdf",))["pdf"]
    assert report.render(bundle) == {"html": html, "pdf": pdf}
    assert drawings == [bundle.organisation]


def test_results_that_differ_in_anything_get_a_report_of_their_own(bundle, drawings):
    first = report.render(bundle, ("html",))["html"].decode()
    other = msgspec.structs.replace(bundle, organisation="Anden Kommune")
    second = report.render(other, ("html",))["html"].decode()
    assert "Anden Kommune" in second and "Anden Kommune" not in first
    assert drawings == [bundle.organisation, "Anden Kommune"]
    report.render(bundle, ("html",))
    assert len(drawings) == 2  # the first is still kept


def test_the_least_recently_used_file_goes_first_and_a_file_over_the_budget_is_not_kept():
    files = MadeOnce(budget=10)
    made: list[str] = []

    def make(value: bytes):
        def run() -> bytes:
            made.append(value.decode())
            return value
        return run

    assert files.get("a", make(b"aaaa")) == b"aaaa"
    files.get("b", make(b"bbbb"))
    files.get("a", make(b"----"))  # kept: a is now the most recently used
    files.get("c", make(b"cccc"))  # 12 bytes: b goes
    assert files.get("b", make(b"BBBB")) == b"BBBB"
    assert files.get("huge", make(b"x" * 11)) == b"x" * 11
    files.get("huge", make(b"y" * 11))
    assert made == ["aaaa", "bbbb", "cccc", "BBBB", "x" * 11, "y" * 11]
