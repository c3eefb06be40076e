"""Charts of the demo evaluation (seed 1, 8000 responses, loaded once for this module):
every chart function renders in PNG, SVG and PDF; a PNG has the pixel size its width,
height and dpi give; the SVG keeps its text, in Danish by default and English on request;
a suppressed group is the words 'for få svar' and never a figure; Sønderborg's gap is
labelled with its published numbers; and `save_all` and `sammen export charts` write the
whole set."""

from __future__ import annotations

import math
import os
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import msgspec
import numpy as np
import plotnine as p9
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image
from pypdf import PdfReader

from service import analysis
from service.analysis.bundle import EvaluationResults
from service.analysis.measures.summary.results import Descriptive
from service.exports import charts
from service.exports.charts import drawing
from tests.support.cli import sammen

SVG = "{http://www.w3.org/2000/svg}"
TOO_FEW = "for få svar"


@pytest.fixture(scope="module")
def bundle(demo_results) -> EvaluationResults:
    return demo_results


@pytest.fixture(scope="module")
def context(bundle) -> charts.Context:
    return charts.context_of(bundle)


def makers(b: EvaluationResults, ctx: charts.Context) -> dict[str, Callable[[], p9.ggplot]]:
    """One call of every chart function, with the title its picture must carry."""
    return {
        "Svarfordeling pr. spørgsmål før og efter": lambda: charts.likert(b.distributions, "borger", context=ctx),
        "Temascorer før og efter": lambda: charts.theme_scores(b.summary, "borger", context=ctx),
        "Temascorer før og efter: Indflydelse på eget liv":
            lambda: charts.theme_scores_by_unit(b.summary, "borger", "indflydelse", context=ctx),
        "Andel enige før og efter": lambda: charts.share_agreeing(b.summary, "borger", context=ctx),
        "Forskel i forskelle: indsats mod sammenligning":
            lambda: charts.difference_in_differences(b.models, context=ctx),
        "Andel enige i alle udsagn (samlet indikator)": lambda: charts.joint_agreement(b.joint, context=ctx),
        "Relationel koordinering mellem faggrupper: før":
            lambda: charts.coordination_heatmap(b.coordination, "before", context=ctx),
        "Ændring i relationel koordinering (efter − før)":
            lambda: charts.coordination_heatmap(b.coordination, "change", context=ctx),
        "Hver faggruppes koordinering med de andre": lambda: charts.role_coordination(b.coordination, context=ctx),
        "Mødeevalueringer pr. måned": lambda: charts.meetings(b.meetings, context=ctx),
        "Borgerforløb: indskrevne og afsluttede": lambda: charts.flow(b.flow, context=ctx),
        "Ændringer side om side pr. enhed": lambda: charts.side_by_side(b.side_by_side, context=ctx),
        "Svarprocent pr. enhed og måling": lambda: charts.response_rates(b.rates, questionnaire_id="borger",
                                                                         context=ctx),
    }


def svg_texts(path: Path) -> list[str]:
    """Every text element of an SVG, lines as drawn (matplotlib writes one element per line)."""
    root = ET.parse(path).getroot()
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def expected_pixels(plot: p9.ggplot, dpi: int) -> tuple[int, int]:
    width, height = plot.theme.getp("figure_size")
    return round(width * dpi), round(height * dpi)


@pytest.fixture(scope="module")
def drawn(bundle, context, tmp_path_factory) -> dict[str, tuple[p9.ggplot, Path, Path, Path]]:
    """Every chart function's chart (by its title) written once as PNG (72 dpi), SVG and
    PDF, for the tests that read what was drawn (a chart takes half a second)."""
    folder = tmp_path_factory.mktemp("charts")
    out = {}
    for i, (title, make) in enumerate(makers(bundle, context).items()):
        plot = make()
        out[title] = (plot, *charts.save_each(plot, folder / f"chart_{i}", ["png", "svg", "pdf"], dpi=72))
    return out


def test_every_chart_renders_as_png_svg_and_pdf_with_its_title(drawn):
    for title, (plot, png, svg, pdf) in drawn.items():
        with Image.open(png) as image:
            image.load()
            width, height = expected_pixels(plot, 72)
            assert abs(image.width - width) <= 1 and abs(image.height - height) <= 1, title
        texts = svg_texts(svg)
        assert title in texts, (title, texts[-12:])
        reader = PdfReader(pdf)
        assert len(reader.pages) == 1
        assert title in reader.pages[0].extract_text(), title


def test_a_png_is_16_cm_wide_at_the_dpi_asked_for(bundle, context, tmp_path):
    plot = charts.theme_scores(bundle.summary, "borger", context=context)
    for dpi in (100, 300):
        with Image.open(charts.save(plot, tmp_path / f"scores_{dpi}.png", dpi=dpi)) as image:
            assert abs(image.width - round(16 / 2.54 * dpi)) <= 1
            assert image.info.get("dpi", (dpi,))[0] == pytest.approx(dpi, abs=0.5)


def test_labels_are_danish_by_default_and_english_on_request(bundle, context, drawn, tmp_path):
    danish = " | ".join(svg_texts(drawn["Temascorer før og efter"][2]))
    for label in ("Temascorer før og efter", "Indflydelse på eget liv", "Før", "Efter", "Indsats", "Sammenligning",
                  "Spørgeskema: borger (version 1, 2)", "Gennemsnit på temaets skala"):
        assert label in danish, label
    assert re.search(r"\b3,\d\b", danish), "axis figures are written with a decimal comma"
    english = " | ".join(svg_texts(charts.save(charts.theme_scores(bundle.summary, "borger", lang="en",
                                                                   context=context), tmp_path / "en.svg")))
    for label in ("Theme scores before and after", "Influence on own life", "Before", "After", "Intervention",
                  "Questionnaire: borger (versions 1, 2)"):
        assert label in english, label
    assert "Temascorer" not in english and "Før" not in english


def test_every_chart_has_english_labels_with_lang_en(bundle, context, tmp_path):
    b, ctx = bundle, context
    english = [
        lambda: charts.likert(b.distributions, "borger", lang="en", context=ctx),
        lambda: charts.theme_scores_by_unit(b.summary, "borger", "indflydelse", lang="en", context=ctx),
        lambda: charts.share_agreeing(b.summary, "borger", lang="en", context=ctx),
        lambda: charts.difference_in_differences(b.models, lang="en", context=ctx),
        lambda: charts.joint_agreement(b.joint, lang="en", context=ctx),
        lambda: charts.coordination_heatmap(b.coordination, "change", lang="en", context=ctx),
        lambda: charts.role_coordination(b.coordination, lang="en", context=ctx),
        lambda: charts.meetings(b.meetings, lang="en", context=ctx),
        lambda: charts.flow(b.flow, lang="en", context=ctx),
        lambda: charts.side_by_side(b.side_by_side, lang="en", context=ctx),
        lambda: charts.response_rates(b.rates, questionnaire_id="borger", lang="en", context=ctx),
    ]
    danish = ("Før", "Efter", "Indsats", "Sammenligning", TOO_FEW, "Spørgeskema", "Streger")
    for make in english:
        texts = svg_texts(charts.save(make(), tmp_path / "en.svg"))
        assert not [t for t in texts if any(word in t for word in danish)], texts[:3]


def test_a_theme_of_questions_on_different_scales_has_no_share_agreeing_and_is_named_under_the_chart(bundle, context):
    """The demo's quality-of-life theme puts a 0-10 question beside an agreement statement:
    their mean has no 'agreeing' part of a range (0.75 of the widest one read 0 % before
    and after, a figure that looked like a finding). The analysis leaves its share, its
    difference in shares and its McNemar tests out; its mean stays; the share chart leaves
    it out and says so, and says what agreeing means."""
    rows = [r for r in bundle.summary if r.questionnaire_id == "borger" and r.target == "livskvalitet"]
    described = [r for r in rows if isinstance(r, Descriptive) and not r.suppressed]
    assert described and all(r.mean is not None and r.share_agreeing is None and r.share_method == ""
                             for r in described)
    assert {r.test for r in rows if not isinstance(r, Descriptive)} == {"Mann–Whitney U", "Welch's t",
                                                                         "Wilcoxon signed-rank", "paired t"}
    one_scale = [r for r in bundle.summary if isinstance(r, Descriptive) and r.target == "indflydelse"
                 and not r.suppressed]
    assert one_scale and all(r.share_agreeing is not None for r in one_scale)
    plot = charts.share_agreeing(bundle.summary, "borger", context=context)
    assert "Livskvalitet" not in set(plot.data["theme_label"])
    assert "Uden andel enige (spørgsmål på forskellige skalaer): Livskvalitet" in plot.labels.caption
    assert "Enig: en temascore i den øverste fjerdedel af skalaen" in plot.labels.caption


def colliding_tick_labels(figure: Figure) -> list[str]:
    """Tick labels of a drawn chart closer to a neighbour than a line of their text is
    high (about a character's width), within an axis and across the panels of a row
    ('0,8' of one panel against '-0,4' of the next read '0,8-0,4'). Slanted labels, whose
    boxes overlap though their text does not, collide when their anchors are closer than
    a line's height across the slant."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()  # the layout as it is saved: positions are final only after a draw
    renderer = canvas.get_renderer()
    labels = [t for ax in figure.axes for t in ax.get_xticklabels() if t.get_text() and t.get_visible()]
    boxes = [(t.get_text(), t.get_window_extent(renderer), t.get_rotation(), t.get_fontsize() * figure.dpi / 72)
             for t in labels]
    found = []
    for (a, box_a, angle, line) in boxes:
        for (b, box_b, _, _) in boxes:
            if box_a is box_b or box_a.x0 > box_b.x0:
                continue
            if angle:
                if (box_b.x1 - box_a.x1) * math.sin(math.radians(angle)) < line:
                    found.append(f"{a} / {b}")
                continue
            same_row = box_a.y0 < box_b.y1 and box_b.y0 < box_a.y1
            if same_row and box_b.x0 - box_a.x1 < box_a.height:
                found.append(f"{a} / {b}")
    return found


COLLISION_PRONE = {  # the charts with panels side by side, or long labels under columns
    "side by side": lambda b, ctx: charts.side_by_side(b.side_by_side, context=ctx),
    "theme scores": lambda b, ctx: charts.theme_scores(b.summary, "borger", context=ctx),
    "share agreeing": lambda b, ctx: charts.share_agreeing(b.summary, "borger", context=ctx),
    "likert": lambda b, ctx: charts.likert(b.distributions, "borger", context=ctx),
    "heatmap": lambda b, ctx: charts.coordination_heatmap(b.coordination, "before", context=ctx),
    "meetings": lambda b, ctx: charts.meetings(b.meetings, context=ctx),
}


@pytest.mark.parametrize("chart", sorted(COLLISION_PRONE))
def test_tick_labels_do_not_run_into_each_other(bundle, context, chart):
    """Seen in the demo report before: five side-by-side panels of '-0,4' ('0,8-0,4'), a
    theme score panel's '4,5' against the next one's '3,2', '50 %0 %50 %' under each half of
    the answer bars, 'SygeplejeDistriktspsykiatri' under the heatmap, the meetings' months."""
    figure = COLLISION_PRONE[chart](bundle, context).draw()
    assert colliding_tick_labels(figure) == []


def test_the_side_by_side_ticks_are_at_most_three_a_panel_in_danish(bundle, context):
    """Five panels side by side, each a fifth of 16 cm: at most three ticks each, with a
    decimal comma."""
    figure = charts.side_by_side(bundle.side_by_side, context=context).draw()
    ticks = [t.get_text() for ax in figure.axes for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and not any("." in t for t in ticks) and any("," in t for t in ticks)
    assert max(sum(bool(t.get_text()) for t in ax.get_xticklabels()) for ax in figure.axes) <= 3


def test_a_suppressed_unit_reads_for_faa_svar_and_shows_no_figure(bundle, drawn):
    """Units 4, 6, 9 and 10 of the demo are under the threshold in some waves: each such
    group is one 'for få svar' in the picture and has no dot or interval in its layers."""
    rows = [r for r in bundle.summary if isinstance(r, Descriptive) and r.questionnaire_id == "borger"
            and r.target == "indflydelse" and r.unit_id is not None]
    hidden = [r for r in rows if r.suppressed]
    assert hidden and all(r.mean is None and r.n is None for r in hidden)
    plot, _, svg, _ = drawn["Temascorer før og efter: Indflydelse på eget liv"]
    texts = svg_texts(svg)
    assert texts.count(TOO_FEW) == len(hidden)
    # the rows each drawing layer was given (plotnine keeps a layer's own data in `_data`)
    drawn = [layer._data for layer in plot.layers if isinstance(layer.geom, (p9.geom_point, p9.geom_linerange))]
    assert all(not frame["suppressed"].any() for frame in drawn)
    assert sum(len(frame) for frame in drawn) == 2 * (len(rows) - len(hidden))


def test_the_heatmap_writes_a_figure_for_each_shown_tie_and_for_faa_svar_for_each_hidden_one(bundle, drawn):
    frame = analysis.heatmap_frame(bundle.coordination, arm="intervention", phase="before")
    shown = frame[~frame["suppressed"] & frame["mean"].notna()]
    hidden = frame[frame["suppressed"]]
    assert len(hidden) > 0
    texts = svg_texts(drawn["Relationel koordinering mellem faggrupper: før"][2])
    tiles = [t for t in texts if re.fullmatch(r"\d,\d\d", t)]
    assert sorted(tiles) == sorted(f"{m:.2f}".replace(".", ",") for m in shown["mean"])
    assert texts.count(TOO_FEW) == len(hidden)


def test_the_change_heatmap_shows_each_ties_difference_in_means_with_its_sign(bundle, drawn):
    """Each tile is after − before of the tie's index (the Welch comparison's estimate), the
    planted authority → provider rise among them; not the rank-biserial or share tests."""
    welch = [c for c in bundle.coordination.comparisons if c.arm == "intervention" and c.test == "Welch's t"]
    texts = svg_texts(drawn["Ændring i relationel koordinering (efter − før)"][2])
    tiles = sorted(t for t in texts if re.fullmatch(r"[+-]\d,\d\d", t))
    expected = sorted(("+" if c.estimate > 0 else "") + f"{c.estimate:.2f}".replace(".", ",")
                      for c in welch if not c.suppressed)
    assert tiles == expected
    rise = next(c for c in welch if (c.rater_role, c.rated_role) == ("myndighed", "udfoerer"))
    assert rise.ci_low > 0 and f"+{rise.estimate:.2f}".replace(".", ",") in tiles
    assert texts.count(TOO_FEW) == sum(c.suppressed for c in welch)


def test_a_suppressed_answer_distribution_is_words_not_a_bar(bundle, context, tmp_path):
    """One group made suppressed as the analysis makes it (labels only): its row says 'for
    få svar' and none of its options is drawn; the other groups keep their bars."""
    target = next(d for d in bundle.distributions if d.questionnaire_id == "borger" and d.arm == "intervention"
                  and d.item_id == "indflydelse_eget_liv" and d.phase == "after")
    hidden = msgspec.structs.replace(target, n=None, dont_know=None, options=[], suppressed=True)
    changed = [hidden if d is target else d for d in bundle.distributions]
    plot = charts.likert(changed, "borger", context=context)
    texts = svg_texts(charts.save(plot, tmp_path / "likert.svg"))
    assert texts.count(TOO_FEW) == 1
    bars = plot.data
    item = [i for i in bars["item"].astype(str).unique() if i.startswith("Jeg har indflydelse på mit eget")][0]
    drawn = bars[(bars["item"].astype(str) == item) & bars["width"].notna()]
    assert set(drawn["phase"]) == {"before"} and len(drawn) == 5
    assert len(bars[bars["width"].notna()]) == 5 * (len([d for d in changed if d.questionnaire_id == "borger"
                                                         and d.arm == "intervention" and d.scale_max == 5]) - 1)


def test_the_likert_bars_put_disagreeing_answers_left_and_split_the_neutral_one_at_zero(bundle, context):
    plot = charts.likert(bundle.distributions, "borger", context=context)
    bars = plot.data[plot.data["width"].notna()]
    for _, one in bars.groupby(["item", "phase"], observed=True):
        one = one.sort_values("option")
        left = one["centre"] - one["width"] / 2
        right = one["centre"] + one["width"] / 2
        neutral = one[one["option"] == 2].iloc[0]
        assert neutral["centre"] == pytest.approx(0, abs=1e-9)
        assert (right.iloc[:2] <= 1e-9).all() and (left.iloc[3:] >= -1e-9).all()
        assert right.max() - left.min() == pytest.approx(1)


def test_the_soenderborg_flow_chart_labels_640_expected_533_observed_and_18_5_percent(tmp_path):
    texts = " | ".join(svg_texts(charts.save(charts.soenderborg(), tmp_path / "flow.svg")))
    assert "Forventet 640 · observeret 533 · 107 færre end forventet (18,5 %)" in texts
    assert "Ændringen indført" in texts and "95 %-prognoseinterval" in texts
    english = " | ".join(svg_texts(charts.save(charts.soenderborg(lang="en"), tmp_path / "flow_en.svg")))
    assert "Expected 640 · observed 533 · 107 fewer than expected (18.5%)" in english  # English: no space (CLDR)


def highest_drawn(ax) -> float:
    """The highest point, in the figure's pixels, of a panel's lines and bands that run
    across it (not the vertical ones: the implementation's dotted line spans the panel)."""
    paths = [(line.get_transform(), line.get_path()) for line in ax.lines]
    paths += [(c.get_transform(), path) for c in ax.collections for path in c.get_paths()]
    tops = []
    for transform, path in paths:
        points = transform.transform(path.vertices)
        points = points[np.isfinite(points).all(axis=1)]
        if len(points) and np.ptp(points[:, 0]) > 1:
            tops.append(points[:, 1].max())
    return max(tops)


def text_box(ax, start: str, renderer):
    return next(t.get_window_extent(renderer) for t in ax.texts if t.get_text().strip().startswith(start))


@pytest.mark.parametrize("which", ["demo", "soenderborg"])
def test_the_flow_charts_sentences_are_written_above_the_months_they_speak_of(bundle, context, which):
    """The gap's sentence ('Forventet 640 · observeret 533 …') was drawn across the
    observed line of the months it compares, and 'Ændringen indført' across the month of
    most courses ended: each is above every line and band of its panel."""
    plot = charts.flow(bundle.flow, context=context) if which == "demo" else charts.soenderborg()
    figure = plot.draw()
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    enrolled, ended = figure.axes[:2]
    assert text_box(enrolled, "Forventet", renderer).y0 > highest_drawn(enrolled)
    for ax in (enrolled, ended):
        assert text_box(ax, "Ændringen indført", renderer).y0 > highest_drawn(ax)


def test_a_chart_written_twice_is_the_same_bytes_in_every_format(bundle, context, tmp_path):
    """No date and no random element id in the files: a chart made again from the same
    results is the same file (an SVG's ids were drawn at random each time)."""
    plot = charts.difference_in_differences(bundle.models, context=context)
    first = charts.save_each(plot, tmp_path / "first", ["png", "svg", "pdf"], dpi=30)
    again = charts.save_each(plot, tmp_path / "again", ["png", "svg", "pdf"], dpi=30)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]


def test_save_refuses_an_unknown_format_by_name(bundle, context, tmp_path):
    with pytest.raises(ValueError, match="format"):
        charts.save(charts.theme_scores(bundle.summary, "borger", context=context), tmp_path / "x.gif")


def test_save_all_writes_the_charts_of_the_evaluation_in_each_format(bundle, tmp_path):
    """A chart of each kind is offered, and two (one per layout: the likert bars' own
    legend, a faceted theme score) are written in the three formats, named by chart.
    Every chart function is drawn in every format above; drawing all 47 charts of the
    demo again took 20 s, one of each kind 7 s."""
    kinds = ["svarfordeling_borger_intervention", "temascorer_borger", "forskel_i_forskelle", "samlet_indikator",
             "koordinering_change_intervention", "moeder", "borgerforloeb_intervention", "side_om_side",
             "svarprocent_borger"]
    assert set(kinds) <= set(charts.charts(bundle))
    drawn = kinds[:2]
    written = charts.save_all(bundle, tmp_path, formats=["png", "svg", "pdf"], dpi=30, only=drawn)
    assert sorted((f.name, f.format) for f in written) == sorted((k, f) for k in drawn for f in ("png", "svg", "pdf"))
    assert len(written) == len(list(tmp_path.iterdir()))
    for f in written:
        path = Path(f.path)
        assert path.parent == tmp_path and path.name == f"{f.name}.{f.format}" and path.stat().st_size > 0
        if f.format == "png":
            with Image.open(path) as image:
                assert image.width == pytest.approx(16 / 2.54 * 30, abs=1)


def test_charts_drawn_by_two_processes_are_the_files_one_draws(bundle, tmp_path):
    """With two processes a helper draws from the start of the list while this one draws
    from the end (service/exports/charts/drawing.py): the same files, byte for byte, in
    the same order (the evaluation's) as one process alone writes them. The helper takes
    the first at once and starts in 1.5 s: this process meanwhile draws the other two."""
    names = ["forskel_i_forskelle", "samlet_indikator", "koordinering_faggrupper"]  # quick to draw: 0.2 s each
    alone = charts.save_all(bundle, tmp_path / "one", dpi=30, only=names, workers=1)
    here = []

    def counted(made, name, *args):
        here.append(name)
        return draw_here(made, name, *args)

    draw_here = drawing._draw
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(drawing, "_draw", counted)
        shared = charts.save_all(bundle, tmp_path / "two", dpi=30, only=names, workers=2)
    in_order = [n for n in charts.charts(bundle) if n in names]
    assert here == in_order[:0:-1]  # from the end: the last, then the second
    assert [f.name for f in shared] == [f.name for f in alone] == in_order
    assert [Path(f.path).read_bytes() for f in shared] == [Path(f.path).read_bytes() for f in alone]


def test_a_thread_kept_to_one_core_draws_its_charts_alone():
    """A job process of the service keeps to its analysis core: it starts no helper, and
    takes no core from the citizens' submissions."""
    found = []

    def kept_to_one_core():
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # on Linux: this thread only
        found.append(drawing.helpers_for(47, None))

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SAMMEN_CHART_WORKERS", raising=False)
        thread = threading.Thread(target=kept_to_one_core)
        thread.start()
        thread.join()
    assert found == [0]
    with pytest.MonkeyPatch.context() as patch:  # two cores: a helper for enough charts to share
        patch.setenv("SAMMEN_CHART_WORKERS", "2")
        assert drawing.helpers_for(47, None) == 1 and drawing.helpers_for(drawing.CHARTS_PER_HELPER - 1, None) == 0


async def test_sammen_export_charts_writes_the_charts_asked_for_into_a_folder(bundle, settings, tmp_path):
    out = tmp_path / "figurer"
    ran = await sammen(settings, "export", "charts", "--evaluation", str(bundle.evaluation.id), "--out", str(out),
                       "--format", "pdf", "png", "--dpi", "50",
                       "--only", "temascorer_borger", "borgerforloeb_intervention")
    assert ran.code == 0, ran.err
    assert sorted(p.name for p in out.iterdir()) == ["borgerforloeb_intervention.pdf", "borgerforloeb_intervention.png",
                                                     "temascorer_borger.pdf", "temascorer_borger.png"]
    assert "Temascorer før og efter" in PdfReader(BytesIO((out / "temascorer_borger.pdf").read_bytes())).pages[0] \
        .extract_text()
    with Image.open(out / "temascorer_borger.png") as image:
        assert image.width == pytest.approx(16 / 2.54 * 50, abs=1)
    wrong = await sammen(settings, "export", "charts", "--evaluation", str(bundle.evaluation.id), "--out", str(out),
                         "--only", "kagediagram")
    assert wrong.code != 0 and "--only: no chart named kagediagram (chart names begin with" in wrong.err
    assert "temascorer_" in wrong.err and "side_om_side" in wrong.err
    of_a_kind = await sammen(settings, "export", "charts", "--evaluation", str(bundle.evaluation.id), "--out",
                             str(out), "--only", "temascorer_kage")
    assert of_a_kind.code != 0 and "no chart named temascorer_kage (there are: " in of_a_kind.err


def test_a_unit_with_fewer_answers_than_the_threshold_shows_for_faa_svar_instead_of_its_rate(bundle, context,
                                                                                              tmp_path):
    """The demo's two smallest units answer 2-4 times per wave: their rate (e.g. 4 of 6,
    67 %) would be a figure of a group under the threshold of 5."""
    waves = [w for w in bundle.rates if w.questionnaire_id == "borger"]
    small = [(w.wave, u) for w in waves for u in w.units if u.suppressed]
    assert small and all((u.invited, u.submitted, u.response_rate) == (None, None, None) for _, u in small)
    plot = charts.response_rates(bundle.rates, questionnaire_id="borger", context=context)
    texts = svg_texts(charts.save(plot, tmp_path / "rates.svg"))
    assert texts.count(TOO_FEW) == len(small)
    shown = [t for t in texts if re.fullmatch(r"\d+ %", t) and t not in ("0 %", "25 %", "50 %", "75 %", "100 %")]
    assert len(shown) == sum(len(w.units) for w in waves) - len(small)
    drawn = plot.data
    assert all(drawn[(drawn["unit"].astype(str) == u.unit) & (drawn["wave"].astype(str).str.startswith(wave[:10]))]
               .empty for wave, u in small)


def test_the_importance_of_a_question_asked_in_two_waves_has_a_colour_per_wave(tmp_path):
    """Each wave its Okabe–Ito colour (not the colour's name, which matplotlib does not know)."""
    from service.analysis.measures.importance.results import ThemeImportance, ThemeScore
    from service.analysis.stats.results import Interval

    def wave(wave_id: int, phase: str, sequence: int, shift: float) -> ThemeImportance:
        return ThemeImportance(
            questionnaire_id="kvalitet", item_id="temaer", wave_id=wave_id, phase=phase, sequence=sequence,
            threshold=5, suppressed=False, respondents=30, themes=[
                ThemeScore(value=v, label_da=name, label_en=name, shown=30, best=10, worst=5,
                           score=Interval(estimate=s + shift, low=s + shift - 0.1, high=s + shift + 0.1, method="t"))
                for v, (name, s) in enumerate((("At blive hørt", 0.3), ("Egne mål", 0.1), ("Pårørende", -0.2)), 1)])

    plot = charts.theme_importance([wave(1, "before", 0, 0.0), wave(2, "after", 1, 0.1)], "kvalitet", "temaer")
    written = charts.save(plot, tmp_path / "vigtighed.svg")
    colours = {c.upper() for c in re.findall(r"#[0-9a-fA-F]{6}", written.read_text())}
    assert {charts.OKABE_ITO["orange"], charts.OKABE_ITO["sky_blue"]} <= colours
