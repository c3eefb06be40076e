"""The evaluation report of the demo evaluation (seed 1, 8000 responses, loaded once for
this module, with a plan naming the citizens' influence as its primary outcome): the
PDF opens with the expected pages and sections in order, the planned result first, the
summary's figures are in it as a Danish reader writes them, the small units show 'for få
svar' and never a number, and axe finds nothing serious or critical in the HTML file
opened on a tablet (the bar of the citizens' form). The doors (command line, HTTP) are
tests/exports/test_export_doors.py."""

from __future__ import annotations

import re
import time
from html import unescape
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import msgspec
import pytest
from pypdf import PdfReader

from service import analysis
from service.analysis.measures.summary.results import Comparison, Descriptive
from service.exports import report
from service.exports.formats import number, percent
from service.exports.report_view import TOO_FEW, build_view, phase_name
from tests.support.browser import TABLET, check

SECTIONS = ["Hovedresultater", "Evalueringens design", "Svarprocenter", "Planlagte (konfirmatoriske) resultater",
            "Udforskende resultater", "Relationel koordinering", "Møder", "Borgerforløb", "Side om side", "Metode"]
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
async def planned(demo, pool) -> int:
    """The demo evaluation with a plan: the citizens' influence, before vs after, expected
    to rise. Written as the plan table holds it (the demo's after-waves have opened, so
    `sammen plan add` would rightly refuse: the plan locked then)."""
    async with pool.acquire() as conn:
        await conn.execute(
            "insert into evaluation_outcome (evaluation_id, kind, questionnaire_id, theme, audience, comparison,"
            " expected_direction) values ($1, 'primary', 'borger', 'indflydelse', 'citizen', 'before_after',"
            " 'increase')", demo)
    return demo


@pytest.fixture(scope="module")
def bundle(planned, session):
    return analysis.results_bundle(planned, session=session)


@pytest.fixture(scope="module")
def made(bundle) -> dict[str, bytes]:
    started = time.perf_counter()
    out = report.render(bundle)
    TIMINGS["render html+pdf"] = time.perf_counter() - started
    return out


@pytest.fixture(scope="module")
def pdf_text(made) -> str:
    reader = PdfReader(BytesIO(made["pdf"]))
    return "\n".join(page.extract_text() for page in reader.pages)


class _Rows(HTMLParser):
    """Every body row of the HTML's tables as its cells' text, under the table's caption."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._in: str | None = None
        self._row: list[str] | None = None
        self._text = ""
        self._head = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("caption", "td", "th"):
            self._in, self._text = tag, ""
        elif tag == "tr" and not self._head:
            self._row = []
        elif tag == "thead":
            self._head = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._head = False
        if tag == "caption":
            self._caption = self._text.strip()
            self.tables[self._caption] = []
        elif tag in ("td", "th") and self._row is not None:
            self._row.append(self._text.strip())
        elif tag == "tr" and self._row is not None and self._caption:
            self.tables[self._caption].append(self._row)
            self._row = None
        self._in = None if tag in ("caption", "td", "th") else self._in

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text += data


@pytest.fixture(scope="module")
def tables(made) -> dict[str, list[list[str]]]:
    parser = _Rows()
    parser.feed(made["html"].decode())
    return parser.tables


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _one(results, kind, **where):
    found = [r for r in results if isinstance(r, kind) and all(getattr(r, k) == v for k, v in where.items())]
    assert len(found) == 1, where
    return found[0]


def test_the_pdf_has_a_few_dozen_a4_pages_and_every_section_in_order(made, pdf_text):
    reader = PdfReader(BytesIO(made["pdf"]))
    assert 8 <= len(reader.pages) <= 60
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = _flat(pdf_text)
    positions = [text.find(f"{i}. {title}") if i else text.find(title)
                 for i, title in enumerate(SECTIONS)]
    assert all(p >= 0 for p in positions), dict(zip(SECTIONS, positions, strict=True))
    assert positions == sorted(positions)
    assert f"Side 2 af {len(reader.pages)}" in text


def test_the_planned_result_comes_first_with_the_summarys_figures(bundle, pdf_text, tables):
    """The plan's outcome (influence, before vs after, intervention arm) is the first
    table of results, with Welch's difference, its interval and the BH-adjusted p as the
    summary has them, written with a decimal comma."""
    welch = _one(bundle.summary, Comparison, questionnaire_id="borger", target="indflydelse", arm="intervention",
                 design="independent", test="Welch's t")
    assert welch.confirmatory
    estimate, low, high = (number(x, 2) for x in (welch.estimate, welch.ci_low, welch.ci_high))
    planned = tables["Planlagte resultater (efter − før)"]
    row = next(r for r in planned if r[2] == "Indsats" and r[3] == "Welchs t-test")
    assert row[1] == "Indflydelse på eget liv"
    assert row[4:7] == [f"{welch.n_before} / {welch.n_after}", estimate, f"{low} til {high}"]
    text = _flat(pdf_text)
    assert f"{low} til {high}" in text and "," in estimate
    assert text.find("Planlagt: Indflydelse på eget liv") < text.find("4. Udforskende resultater")
    flow = bundle.flow.difference
    assert f"{percent(flow.relative, 1)} i indsatsenhederne" in text  # the planted +18 %


def test_small_units_say_too_few_answers_and_never_a_number(bundle, tables, pdf_text):
    """The demo's two small units (and the secondary suppression beside them) are
    suppressed in the summary; their rows in the report carry only their labels."""
    names = {u.unit_id: u.name for u in bundle.evaluation.units}
    # per wave: one suppression pass over the wave's tables, so a cover unit may be hidden in one wave only
    small = {(names[d.unit_id], phase_name(d.phase)) for d in bundle.summary if isinstance(d, Descriptive)
             and d.unit_id is not None and d.questionnaire_id == "borger" and d.target == "indflydelse"
             and d.suppressed}
    assert small
    rows = tables["Indflydelse på eget liv pr. enhed (borgere)"]
    for row in rows:
        if (row[0], row[2]) in small:
            assert row[3:] == [TOO_FEW] * 3, row
        else:
            assert TOO_FEW not in row and row[3].isdigit()
    assert {r[0] for r in rows} == set(names.values())
    # the rates of a unit with fewer answers than the threshold in a wave say so too
    rates = tables["Din støtte – hvad synes du?"]  # the citizens' questionnaire, by its stored title
    shown = [cell for r in rates for cell in r[1:]]
    waves = sorted((w for w in bundle.rates if w.questionnaire_id == "borger"), key=lambda w: (w.sequence, w.wave_id))
    for column, wave in enumerate(waves, start=1):
        for u in wave.units:
            row = next(r for r in rates if r[0] == u.unit)
            assert (row[column] == TOO_FEW) == u.suppressed, (row, wave.wave)
    assert any(TOO_FEW == c for c in shown)
    assert TOO_FEW in pdf_text


def test_the_html_report_is_one_file_that_fetches_nothing(made):
    html = made["html"].decode()
    assert html.startswith("<!doctype html>") and '<html lang="da">' in html
    assert not re.search(r"""(src|href)=["'](?!data:|#)""", html)
    assert "@import" not in html and "url(http" not in html


@pytest.mark.browser
async def test_the_html_report_has_no_serious_or_critical_axe_violation_on_a_tablet(made, browser, tmp_path):
    """Every section filled (the planned result, suppressed groups, coordination, meetings,
    flow, side by side), opened as the evaluator opens the downloaded file: nothing fetched."""
    html = tmp_path / "rapport.html"
    html.write_bytes(made["html"])
    context = await browser.new_context(**TABLET)
    try:
        page = await context.new_page()
        await page.goto(html.as_uri())
        assert await page.locator("h1").inner_text() == "Recovery-orienteret praksis 2024-2025"
        assert await page.locator("table").count() >= 10 and await page.locator("img").count() >= 10
        found: list[str] = []
        minor: list[str] = []
        await check(page, "the demo's HTML report", found, minor)
    finally:
        await context.close()
    print(f"\naxe on the demo's HTML report: {len(found)} serious/critical, {len(minor)} minor")
    for line in minor:
        print(line)
    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)


def test_report_time_of_the_demo_evaluation(made, capsys):
    """Not a limit: the seconds it took, printed for the closing note (pytest -s)."""
    with capsys.disabled():
        print("\nreport timings (demo seed 1, 8000 responses): "
              + ", ".join(f"{k}: {v:.1f} s" for k, v in TIMINGS.items()))
    assert TIMINGS["render html+pdf"] < 120


async def test_an_evaluation_without_answers_still_gets_a_report_that_says_so(planned, pool, settings):
    """A new evaluation (one unit, one open wave, nobody has answered): every section is
    there, with what is missing said in words instead of an empty chart or a crash."""
    from tests.support.evaluation import set_up_evaluation

    async with pool.acquire() as conn:
        empty = await set_up_evaluation(conn, "borger")
        bundle = await report.results(conn, empty.evaluation, settings.min_group_size)
    made = report.render(bundle)
    text = _flat("\n".join(p.extract_text() for p in PdfReader(BytesIO(made["pdf"])).pages))
    assert "Evalueringens design" in text and "9. Metode" in text
    assert "Der er ingen medarbejdersvar om samarbejdet mellem faggrupperne i evalueringen." in text
    assert "Der er ikke indlæst tal for borgerforløb." in text
    assert "ingen resultater er planlagte" in text


def test_a_chart_with_nothing_to_draw_is_left_out_and_the_report_still_says_too_few_answers(bundle, monkeypatch):
    """Every group of the answer distributions hidden: the Likert chart has nothing to draw
    (NothingToDraw, not a bare ValueError), the report leaves that chart out and its tables
    still say 'for få svar' where the hidden groups are. The charts it keeps are not drawn
    here (NothingToDraw comes from making the chart, before any drawing; drawing them is
    the tests above): a stand-in writes each file."""
    from service.exports import charts, report_parts
    from service.exports.charts import drawing

    stood_in: list[str] = []

    def not_drawn(plot, stem, formats, dpi=0):
        stood_in.append(Path(stem).name)
        written = [Path(stem).with_name(f"{Path(stem).name}.{chosen}") for chosen in formats]
        for path in written:
            path.write_bytes(b"\x89PNG")
        return written

    monkeypatch.setattr(drawing, "save_each", not_drawn)
    hidden = msgspec.structs.replace(bundle, distributions=[
        msgspec.structs.replace(d, suppressed=True, options=[]) for d in bundle.distributions])
    with pytest.raises(charts.NothingToDraw, match="suppressed"):
        charts.likert(hidden.distributions, "borger", context=charts.context_of(hidden))
    figures = report_parts.figures(hidden)
    shown = [f.key for drawn in figures.values() for f in drawn]
    assert sorted(stood_in) == sorted(shown)  # none was drawn for real (seconds each)
    assert shown and not any(key.startswith("svarfordeling_") for key in shown)
    made = build_view(hidden, figures, report_parts.tables(hidden))  # report.view(hidden), its charts drawn once
    assert TOO_FEW in report.render_html(made)


def test_a_broken_chart_is_an_error_in_the_report_not_a_chart_left_out(bundle, monkeypatch):
    """Only NothingToDraw leaves a chart out: any other error in a chart (here a ValueError
    from a bug) stops the report, so a broken chart is seen instead of silently missing."""
    import sys

    from service.exports import report_parts

    charts_save = sys.modules["service.exports.charts.save"]  # the module (the package exports a function `save`)

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("a bug in the chart")

    monkeypatch.setattr(charts_save, "likert", broken)
    with pytest.raises(ValueError, match="a bug in the chart"):
        report_parts.figures(bundle)


def test_the_report_writes_figures_as_a_danish_reader_does(bundle, made):
    """Babel's da-DK (service/exports/formats.py): decimal comma, '71,3 %' with a space,
    '< 0,001', an interval 'a til b'; the same figure in the report and in formats."""
    from service.exports import formats

    html = made["html"].decode()
    assert formats.percent(0.7125, 1) == "71,3 %" and formats.percent(0.71) == "71 %"
    assert formats.number(1234.5) == "1.234,5" and formats.p_value(0.0004) == "< 0,001"
    assert formats.interval(0.1, 0.25) == "0,10 til 0,25"
    assert formats.percent(0.71, 0, "en") == "71%" and formats.number(1234.5, 1, "en") == "1,234.5"
    shares = [c for c in bundle.summary if isinstance(c, Comparison) and "share" in c.estimate_name
              and c.estimate is not None]
    assert shares and any(formats.percent(c.estimate, 1) in html for c in shares)
    assert re.search(r"\d+,\d %", html) and not re.search(r"\d+\.\d %", html)


def test_the_danish_report_names_the_analysis_in_danish(made):
    """The analysis names its tests, variants, estimates and methods in English; the Danish
    report shows them through the catalogue (texts.term): no English sentence or name of
    the analysis in its text, its tables or its charts' titles and descriptions (the DiD
    chart's subtitle read 'linear mixed model: REML; random intercepts: ...', the
    appendix 'independent', 'Share agreeing' and whole English method notes). Names of
    methods and software (Newey–West, statsmodels) and formulas stay."""
    html = made["html"].decode()
    visible = re.sub(r'src="data:[^"]+"', "", re.sub(r"<style>.*?</style>", "", html, flags=re.S))
    lines = re.sub(r"<[^>]+>", "\n", visible).splitlines() + re.findall(r'alt="([^"]*)"', visible)
    texts = [unescape(t) for t in lines]
    english_words = {"the", "of", "with", "and", "from", "between", "within", "where", "which", "than", "on"}
    english_names = ("Share agreeing", "independent", "linked", "difference in", "rank-biserial r (=",
                     "matched-pairs", "linear mixed model", "linear trend", "random intercepts", "ended per enrolled",
                     "arm intervention", "prediction interval", "one-factor")
    found = [t.strip() for t in texts if set(re.findall(r"[A-Za-z]+", t)) & english_words
             or any(name in t for name in english_names)]
    assert found == [], found[:5]
    assert "Forskel i forskelle" in html and "lineær mixed model: REML; tilfældige niveauer" in html


def test_page_one_says_whether_the_change_worked_on_the_planned_outcome_with_the_difference_in_differences(
        bundle, made):
    """The first page answers the plan's question in plain Danish before any table: the
    planned outcome (influence, expected to rise) rose in the intervention arm beyond
    chance (Welch's interval above zero), and by how much more than in the comparison
    arm (the linear mixed model's difference in differences), with the same figures as
    the summary and the models."""
    welch = _one(bundle.summary, Comparison, questionnaire_id="borger", target="indflydelse", arm="intervention",
                 design="independent", test="Welch's t")
    did = next(t for t in bundle.models if (t.questionnaire_id, t.target, t.term, t.model)
               == ("borger", "indflydelse", "after × intervention", "linear mixed model"))
    assert welch.ci_low > 0 and did.ci_low > 0  # the planted effect, beyond chance in both
    first_page = _flat(PdfReader(BytesIO(made["pdf"])).pages[0].extract_text())
    assert "Virkede ændringen på de planlagte udfald?" in first_page
    assert (f"Ja: indflydelse på eget liv steg som planlagt i indsatsgruppen, {number(welch.estimate, 2)} point"
            in first_page)
    assert (f"{number(did.estimate, 2)} point mere end i sammenligningsgruppen (forskel i forskelle, 95 %-interval "
            f"{number(did.ci_low, 2)} til {number(did.ci_high, 2)})") in first_page


def test_units_too_small_for_the_side_by_side_view_are_named_once_not_a_wall_of_too_few(bundle, made, tables):
    """A third of the side-by-side table read 'for få svar' in the demo report: the units
    and measures too small to show are one sentence that says why, and the table holds
    the changes that can be shown (the arms' own rows included)."""
    hidden = [c for c in bundle.side_by_side if c.level == "unit" and c.suppressed]
    assert hidden
    rows = tables["Ændring efter − før pr. enhed"]
    assert rows and not [r for r in rows if r[0] != "" and not r[0].startswith("Hele gruppen") and TOO_FEW in r]
    text = _flat(unescape(re.sub(r"<[^>]+>", " ", made["html"].decode())))
    assert "Ikke i tabellen, fordi enheden havde for få svar før eller efter til at vise ændringen (under 5):" in text
    assert all(c.unit in text for c in hidden)
