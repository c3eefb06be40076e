"""The report's charts and publication tables, from the chart library
(service/exports/charts) and the table library (service/exports/tables.py): the one
place the report meets them, so a chart or table added there appears in the report by a
line here. Charts are embedded as PNG data: URIs (one file, the same image in HTML and
PDF); a chart that cannot be drawn for this evaluation (no such data) is left out."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

from service.analysis.bundle import EvaluationResults
from service.exports.leading import key_outcomes
from service.exports.report_view import Figure, Table

DPI = 150

def section_charts(bundle: EvaluationResults) -> dict[str, list[str]]:
    """Report section -> the charts it shows (service/exports/charts/save.py: charts() names
    them), in order; the exploratory section leads with the questionnaires whose key
    outcomes the files declare (leading.py). A name the evaluation has no chart for is
    skipped. Not the response-rate charts: they draw the exact rates of units too small to
    show (operational counts), where the report's own table says 'for få svar'."""
    leads = key_outcomes(bundle)
    exploratory = [name for lead in leads for name in (
        f"temascorer_{lead.questionnaire_id}", f"andel_enige_{lead.questionnaire_id}",
        f"svarfordeling_{lead.questionnaire_id}_intervention")]
    exploratory += ["forskel_i_forskelle", "samlet_indikator"]
    exploratory += [f"temascore_enheder_{lead.questionnaire_id}_{lead.theme}" for lead in leads if lead.theme]
    return {
        "exploratory": exploratory,
        "coordination": ["koordinering_before_intervention", "koordinering_after_intervention",
                         "koordinering_change_intervention", "koordinering_faggrupper"],
        "meetings": ["moeder"],
        "flow": ["borgerforloeb_intervention", "borgerforloeb_comparison"],
        "side_by_side": ["side_om_side"],
        "importance": [f"vigtighed_{q}_{item}" for q, item in dict.fromkeys(
            (r.questionnaire_id, r.item_id) for r in bundle.importance)],
        "goal_attainment": [f"maalopfyldelse_{q}_{item}" for q, item in dict.fromkeys(
            (r.questionnaire_id, r.item_id) for r in bundle.goal_attainment)],
    }


def png_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def figures(bundle: EvaluationResults) -> dict[str, list[Figure]]:
    """The charts of each report section, by the section's key."""
    from service.exports.charts import charts, drawing  # plotnine only when a report is made

    sections = section_charts(bundle)
    available = charts(bundle)
    wanted = [name for names in sections.values() for name in names if name in available]
    with tempfile.TemporaryDirectory(prefix="sammen-report-") as folder:
        drawn = {d.name: d for d in drawing.draw(bundle, folder, wanted, ["png"], DPI)}
        return {section: [Figure(key=name, title=drawn[name].title, alt=drawn[name].alt,
                                 src=png_uri(Path(drawn[name].paths[0]).read_bytes()))
                          for name in names if name in drawn]
                for section, names in sections.items() if any(name in drawn for name in names)}


# The appendix: the table library's publication tables of these results (by key), the
# rest are in the tables export (Excel/CSV), which the report's appendix points to.
APPENDIX_TABLES = ("moeder_sammenligning", "flow_prognose", "flow_its", "flow_did", "koordinering_alfa")


def tables(bundle: EvaluationResults) -> dict[str, list[Table]]:
    """Publication tables of each report section, by the section's key (great_tables
    HTML from service/exports/tables.py)."""
    from service.exports.tables import html_table, result_tables  # great_tables only when a report is made

    made = result_tables(bundle)
    return {"appendix": [Table(key=key, title=made[key].title, html=html_table(made[key]))
                         for key in APPENDIX_TABLES if key in made and len(made[key].frame)]}
