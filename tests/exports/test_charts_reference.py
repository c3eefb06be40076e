"""Charts checked by eye once and by machine since: a few renders of the demo evaluation
(seed 1, 8000 responses) and of Sønderborg's flow are committed as reference PNGs
(tests/exports/reference/), and new renders must match them within a tolerance. The
renders are pinned for stability: DejaVu Sans (shipped with matplotlib), 100 dpi, the
Agg backend, no dates in the files. A change in layout, colours, labels or figures
fails here; rendering noise does not.

After an intended change of a chart, look at the new pictures and write them as the
references: SAMMEN_UPDATE_REFERENCE=1 .venv/bin/python -m pytest tests/exports/test_charts_reference.py"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import plotnine as p9
import pytest
from PIL import Image, ImageChops, ImageStat

from service.analysis.bundle import EvaluationResults
from service.exports import charts

REFERENCE = Path(__file__).parent / "reference"
DPI = 100
UPDATE = os.environ.get("SAMMEN_UPDATE_REFERENCE") == "1"
# Mean absolute difference per channel (0-255) and the share of pixels that differ by more than
# a faint anti-aliasing shade: a moved label or a changed colour exceeds both by far.
MEAN_TOLERANCE = 1.0
PIXEL_TOLERANCE = 0.004


@pytest.fixture(scope="module")
def bundle(demo_results) -> EvaluationResults:
    return demo_results


def renders(b: EvaluationResults) -> dict[str, Callable[[], p9.ggplot]]:
    ctx = charts.context_of(b)
    return {
        "temascorer_borger": lambda: charts.theme_scores(b.summary, "borger", context=ctx),
        "svarfordeling_borger_intervention": lambda: charts.likert(b.distributions, "borger", context=ctx),
        "koordinering_change_intervention": lambda: charts.coordination_heatmap(b.coordination, "change",
                                                                                context=ctx),
        "side_om_side": lambda: charts.side_by_side(b.side_by_side, context=ctx),
        "borgerforloeb_soenderborg": lambda: charts.soenderborg(),
    }


def difference(a: Image.Image, b: Image.Image) -> tuple[float, float]:
    """(mean absolute difference per channel, share of pixels differing by more than 32)."""
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    mean = sum(ImageStat.Stat(diff).mean) / 3
    strong = diff.convert("L").point(lambda v: 255 if v > 32 else 0)
    share = ImageStat.Stat(strong).mean[0] / 255
    return mean, share


def render(make: Callable[[], p9.ggplot], path: Path) -> Image.Image:
    charts.save(make(), path, "png", dpi=DPI)
    image = Image.open(path)
    image.load()
    return image


def test_new_renders_match_the_committed_reference_images(bundle, tmp_path):
    problems = []
    for name, make in renders(bundle).items():
        reference = REFERENCE / f"{name}.png"
        new = render(make, tmp_path / f"{name}.png")
        if UPDATE:
            REFERENCE.mkdir(exist_ok=True)
            new.save(reference, optimize=True)
            continue
        assert reference.exists(), f"{reference} missing: run with SAMMEN_UPDATE_REFERENCE=1 and look at it"
        with Image.open(reference) as old:
            if old.size != new.size:
                problems.append(f"{name}: {new.size} pixels, the reference has {old.size}")
                continue
            mean, share = difference(old, new)
            if mean > MEAN_TOLERANCE or share > PIXEL_TOLERANCE:
                problems.append(f"{name}: mean difference {mean:.2f}, {share:.2%} of pixels differ")
    assert not problems, "; ".join(problems) + f" (new renders in {tmp_path})"


def test_the_comparison_notices_a_chart_that_changed(bundle, tmp_path):
    """The same chart in English, and the comparison arm's heatmap for the intervention
    arm's: each is told apart from its reference (the tolerance is not too loose)."""
    if UPDATE:
        pytest.skip("writing the references")
    ctx = charts.context_of(bundle)
    changed = {
        "temascorer_borger": lambda: charts.theme_scores(bundle.summary, "borger", lang="en", context=ctx),
        "koordinering_change_intervention": lambda: charts.coordination_heatmap(
            bundle.coordination, "change", arm="comparison", context=ctx),
    }
    for name, make in changed.items():
        new = render(make, tmp_path / f"{name}.png")
        with Image.open(REFERENCE / f"{name}.png") as old:
            if old.size == new.size:
                mean, share = difference(old, new)
                assert mean > MEAN_TOLERANCE or share > PIXEL_TOLERANCE, name
