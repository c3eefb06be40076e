"""The evaluators' notebooks run from top to bottom against a real PostgreSQL holding the
demo evaluation (loaded once for the four; the fourth reads the discovery survey loaded
beside it): a notebook whose assertions about the
planted effects fail, fails here; so does one that does not save its chart."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from service.demodata.discovery import load_derived, load_discovery
from service.surveys import loader
from tests.support import QUESTIONNAIRE_DIR, ROOT

NOTEBOOKS = ROOT / "notebooks"


def run_notebook(name: str, evaluation_id: int, pg_url: str, figures: Path, *, then: str = "",
                 **extra_env: str) -> str:
    """Executes notebooks/`name` on the evaluation (a failing cell raises), and `then` in
    a cell after its own, and returns the text of their outputs."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    if then:
        notebook.cells.append(nbformat.v4.new_code_cell(then))
    env = {"DATABASE_URL": pg_url, "SAMMEN_EVALUATION": str(evaluation_id), "SAMMEN_FIGURES": str(figures),
           **extra_env}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits the environment of this process
    try:
        client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": str(ROOT)}})
        client.execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    return "".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs)


# What the notebook says saves every chart, with a helper process drawing beside the
# kernel (service/exports/charts/drawing.py: forked from a server, which a kernel's
# __main__ must not disturb); two charts, one drawn in the kernel and one by the helper (a
# helper that failed would leave both to the kernel).
SAVE_ALL = """
from service.exports.charts import drawing
in_kernel, draw_here = [], drawing._draw
drawing._draw = lambda made, name, *rest: (in_kernel.append(name), draw_here(made, name, *rest))[1]
shared = charts.save_all(bundle, FIGURES / "alle", only=["temascorer_borger", "andel_enige_borger"], workers=2)
print("saved:", sorted(Path(f.path).name for f in shared), "drawn in the kernel:", len(in_kernel))
"""


def test_the_before_after_notebook_finds_the_planted_effects_and_the_nulls(demo, pg_url, tmp_path):
    text = run_notebook("01_before_after.ipynb", demo, pg_url, tmp_path, then=SAVE_ALL)
    assert "indflydelse" in text and "maal_og_droemme" in text
    assert (tmp_path / "temascorer_borger.png").stat().st_size > 0  # the chart saved with one call
    assert "saved: ['andel_enige_borger.png', 'temascorer_borger.png'] drawn in the kernel: 1" in text
    assert all((tmp_path / "alle" / f"{name}.png").stat().st_size > 0 for name in ("andel_enige_borger",
                                                                                     "temascorer_borger"))


def test_the_collaboration_notebook_finds_the_authority_provider_rise_and_flat_meetings(demo, pg_url, tmp_path):
    text = run_notebook("02_collaboration.ipynb", demo, pg_url, tmp_path)
    assert "myndighed" in text and "udfoerer" in text and "blev_hoert" in text and "flow_ended" in text
    assert "for få svar" in (tmp_path / "koordinering_aendring.svg").read_text(encoding="utf-8")


def test_the_flow_notebook_finds_the_18_percent_rise_in_ended_courses_and_soenderborgs_figures(
        demo, pg_url, tmp_path):
    text = run_notebook("03_flow.ipynb", demo, pg_url, tmp_path)
    assert "= (640 - 533) / 579 = 18.5 %" in text and "maxlags=3" in text
    assert (tmp_path / "borgerforloeb_indsats.png").exists() and (tmp_path / "borgerforloeb_soenderborg.pdf").exists()


@pytest.fixture(scope="module")
async def discovery(demo, pool) -> tuple[int, int]:
    """The discovery survey and the derived questionnaire's evaluation `sammen demo-data`
    loads beside the demo evaluation, in its organisation and units."""
    async with pool.acquire() as conn:
        organisation = await conn.fetchval("select organisation_id from evaluation where id = $1", demo)
        units = [(r["unit_id"], r["arm"]) for r in await conn.fetch(
            "select unit_id, arm from evaluation_unit where evaluation_id = $1 order by unit_id", demo)]
        loaded = await load_discovery(conn, organisation, [u for u, _ in units], seed=1)
        derived = await load_derived(conn, organisation, units, QUESTIONNAIRE_DIR / "bank", seed=1)
    assert loaded is not None and derived is not None
    return loaded.evaluation_id, derived


def test_the_quality_themes_notebook_ranks_the_planted_themes_and_derives_a_questionnaire(demo, discovery, pg_url,
                                                                                         tmp_path):
    text = run_notebook("04_quality_themes.ipynb", demo, pg_url, tmp_path,
                        SAMMEN_DISCOVERY_EVALUATION=str(discovery[0]), SAMMEN_DERIVED_EVALUATION=str(discovery[1]))
    assert "240 borgere" in text and "nøgleudfald: indflydelse" in text and "influence" in text
    assert (tmp_path / "vigtighed.png").stat().st_size > 0
    assert loader.load_file(tmp_path / "egen_borger.toml").analysis.outcomes.theme == "indflydelse"
