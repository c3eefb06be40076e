"""The evaluators' notebooks run from top to bottom against a real PostgreSQL holding the
demo evaluation: a notebook whose assertions about the planted effects fail, fails here."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from service.demodata.load import load
from tests.support import ROOT

NOTEBOOKS = ROOT / "notebooks"


def run_notebook(path: Path, env: dict[str, str]) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
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
    return notebook


async def test_the_before_after_notebook_finds_the_planted_effects_and_the_nulls(conn, pg_url, tmp_path):
    loaded = await load(conn, seed=1, responses=8000)
    notebook = run_notebook(NOTEBOOKS / "01_before_after.ipynb",
                            {"DATABASE_URL": pg_url, "SAMMEN_EVALUATION": str(loaded.evaluation_id),
                             "SAMMEN_FIGURES": str(tmp_path)})
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs)
    assert "indflydelse" in text and "maal_og_droemme" in text
    assert (tmp_path / "temascorer_borger.png").stat().st_size > 0  # the chart saved with one call


async def test_the_collaboration_notebook_finds_the_authority_provider_rise_and_flat_meetings(conn, pg_url, tmp_path):
    loaded = await load(conn, seed=1, responses=8000)
    notebook = run_notebook(NOTEBOOKS / "02_collaboration.ipynb",
                            {"DATABASE_URL": pg_url, "SAMMEN_EVALUATION": str(loaded.evaluation_id),
                             "SAMMEN_FIGURES": str(tmp_path)})
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs)
    assert "myndighed" in text and "udfoerer" in text and "blev_hoert" in text and "flow_ended" in text
    assert "for få svar" in (tmp_path / "koordinering_aendring.svg").read_text(encoding="utf-8")


async def test_the_flow_notebook_finds_the_18_percent_rise_in_ended_courses_and_soenderborgs_figures(
        conn, pg_url, tmp_path):
    loaded = await load(conn, seed=1, responses=50)  # the flow counts do not depend on the responses
    notebook = run_notebook(NOTEBOOKS / "03_flow.ipynb",
                            {"DATABASE_URL": pg_url, "SAMMEN_EVALUATION": str(loaded.evaluation_id),
                             "SAMMEN_FIGURES": str(tmp_path)})
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs)
    assert "= (640 - 533) / 579 = 18.5 %" in text and "maxlags=3" in text
    assert (tmp_path / "borgerforloeb_indsats.png").exists() and (tmp_path / "borgerforloeb_soenderborg.pdf").exists()
