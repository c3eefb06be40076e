"""Writing charts: one chart in PNG (at a chosen dpi), SVG (text kept as text) or PDF
(fonts embedded as TrueType), and the whole set of an evaluation's charts from its
results bundle, for the report, the CLI and notebooks."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, Literal

import matplotlib as mpl
import matplotlib.pyplot as plt
import msgspec
import pandas as pd
import plotnine as p9

from service.analysis.bundle import PARTS, EvaluationResults, Part
from service.analysis.context.labels import Labels
from service.analysis.measures.summary.results import Descriptive
from service.exports.charts.common import Context
from service.exports.charts.coordination import View, coordination_heatmap, role_coordination
from service.exports.charts.flow import flow
from service.exports.charts.goals import goal_attainment
from service.exports.charts.importance import theme_importance
from service.exports.charts.likert import likert
from service.exports.charts.meetings import meetings
from service.exports.charts.rates import response_rates
from service.exports.charts.scores import (
    DID_TERM,
    difference_in_differences,
    joint_agreement,
    share_agreeing,
    theme_scores,
    theme_scores_by_unit,
)
from service.exports.charts.side_by_side import side_by_side
from service.exports.charts.theme import DPI
from service.exports.labels import Language, questionnaire_label, text, theme_label
from service.exports.leading import key_outcomes

Format = Literal["png", "svg", "pdf"]
FORMATS: tuple[Format, ...] = ("png", "svg", "pdf")

# PNG's zlib at level 3, not Pillow's 6: a third less time compressing the demo's 47 charts
# (1.2 s against 1.7 s) for files 0.3 % larger.
_PIL = {"png": {"pil_kwargs": {"compress_level": 3}}}
_INFER_STRING = "future.infer_string"
_strings_lock = threading.Lock()
_drawing = 0  # charts being drawn in this process now (_object_strings)
_strings_before: bool | None = None
# No creation date in the files, and the SVG's element ids made from its content rather
# than at random: the same chart gives the same bytes (and reference images stay comparable).
_METADATA: dict[str, dict[str, Any]] = {"png": {"Software": None}, "svg": {"Date": None},
                                        "pdf": {"CreationDate": None}}
_SAME_IDS = {"svg.hashsalt": "sammen"}


class ChartFile(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    format: Format
    path: str


def save(plot: p9.ggplot, path: str | Path, format: Format | None = None, dpi: int = DPI) -> Path:
    """Write `plot` to `path` (format from the suffix unless given) at its own size
    (16 cm wide); a PNG is width × dpi pixels wide. Returns the path written."""
    target = Path(path)
    chosen = format or target.suffix.lstrip(".").lower()
    if chosen not in FORMATS:
        raise ValueError(f"format: {chosen!r} is not one of {', '.join(FORMATS)}")
    if target.suffix.lstrip(".").lower() != chosen:
        target = target.with_name(f"{target.name}.{chosen}")
    return save_each(plot, target.with_suffix(""), [chosen], dpi)[0]


def save_each(plot: p9.ggplot, stem: str | Path, formats: Sequence[Format], dpi: int = DPI) -> list[Path]:
    """Write `plot` once per format, to `stem`.png, .svg, .pdf: drawn once (plotnine's
    build and layout are two thirds of a save), then written by matplotlib in each."""
    base = Path(stem)
    base.parent.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # plotnine reports every save and every row a layer leaves out on purpose
        with _object_strings():
            drawn = plot.save_helper(format=formats[0], dpi=dpi, verbose=False)
            try:
                with mpl.rc_context(plot.theme.rcParams | _SAME_IDS):  # as plotnine's own save writes the figure
                    for chosen in formats:
                        target = base.with_name(f"{base.name}.{chosen}")
                        drawn.figure.savefig(**drawn.kwargs | _PIL.get(chosen, {})
                                             | {"fname": target, "format": chosen, "metadata": _METADATA[chosen]})
                        written.append(target)
            finally:  # a job process draws hundreds of charts: a failed write leaves no figure open
                plt.close(drawn.figure)
    return written


@contextmanager
def _object_strings() -> Iterator[None]:
    """Strings in the frames plotnine makes while it draws kept as Python objects, not
    pandas 3's Arrow strings: plotnine makes thousands of small frames, and the demo's 47
    charts took 22 s with Arrow strings and 18 s without, the same pictures to the byte.
    pandas' option is the process's: threads drawing at once share one setting, put back
    when the last of them ends. Where pandas offers no choice any more (4.0 drops the
    option), as pandas does."""
    global _drawing, _strings_before
    with _strings_lock:
        if _drawing == 0:
            try:
                _strings_before = pd.get_option(_INFER_STRING)
            except pd.errors.OptionError:
                _strings_before = None
            if _strings_before is not None:
                pd.set_option(_INFER_STRING, False)
        _drawing += 1
    try:
        yield
    finally:
        with _strings_lock:
            _drawing -= 1
            if _drawing == 0 and _strings_before is not None:
                pd.set_option(_INFER_STRING, _strings_before)


def context_of(bundle: EvaluationResults) -> Context:
    """The evaluation's name, the questionnaire versions its waves asked, its units' names
    and its questionnaires' stored wordings."""
    versions: dict[str, list[int]] = {}
    for w in bundle.evaluation.waves:
        found = versions.setdefault(w.questionnaire_id, [])
        if w.version not in found:
            found.append(w.version)
    return Context(evaluation=bundle.evaluation.name, versions=versions,
                   units={u.unit_id: u.name for u in bundle.evaluation.units}, labels=bundle.labels)


# The part of the bundle each chart of charts() draws from, by the start of its name: one
# chart is made from a bundle of that part alone (the evaluator page's one-chart download).
PART_OF: tuple[tuple[str, Part], ...] = (
    ("svarfordeling_", "distributions"), ("temascorer_", "summary"), ("andel_enige_", "summary"),
    ("temascore_enheder_", "summary"), ("forskel_i_forskelle", "models"), ("samlet_indikator", "joint"),
    ("koordinering_", "coordination"), ("moeder", "meetings"), ("borgerforloeb_", "flow"),
    ("side_om_side", "side_by_side"), ("svarprocent_", "rates"), ("vigtighed_", "importance"),
    ("maalopfyldelse_", "goal_attainment"),
)


def part_of(name: str) -> Part | None:
    """The bundle part chart `name` needs (None: no chart is named so)."""
    return next((part for start, part in PART_OF if name.startswith(start)), None)


def parts_for(names: Sequence[str] | None) -> Collection[Part]:
    """The bundle parts charts `names` need: all of them for every chart (None), or where
    a name is no chart's (so the refusal can list every chart there is)."""
    needed = [part_of(name) for name in names or ()]
    if names is None or None in needed:
        return PARTS
    return {part for part in needed if part is not None}


def charts(bundle: EvaluationResults, *, lang: Language = "da") -> dict[str, Callable[[], p9.ggplot]]:
    """Every chart of an evaluation by file name, each made when called: the answer
    distributions and theme scores of every questionnaire, the citizens' themes per unit,
    the models' difference in differences, the joint indicator, relational coordination,
    meetings, flow per arm, the side-by-side view, response rates, the importance of
    the themes of each best–worst question and the goal attainment of each goal question
    followed up."""
    ctx = context_of(bundle)
    arms = sorted({u.arm for u in bundle.evaluation.units}, key=lambda a: (a != "intervention", a))
    asked = list(dict.fromkeys(w.questionnaire_id for w in bundle.evaluation.waves))
    made: dict[str, Callable[[], p9.ggplot]] = {}
    for q in asked:
        for arm in arms:
            if any(d.questionnaire_id == q and d.arm == arm and (d.scale_min, d.scale_max) == (1, 5)
                   for d in bundle.distributions):
                made[f"svarfordeling_{q}_{arm}"] = partial(likert, bundle.distributions, q, arm=arm, lang=lang,
                                                            context=ctx)
        if any(getattr(r, "questionnaire_id", None) == q and getattr(r, "mean_method", None) for r in bundle.summary):
            made[f"temascorer_{q}"] = partial(theme_scores, bundle.summary, q, lang=lang, context=ctx)
            made[f"andel_enige_{q}"] = partial(share_agreeing, bundle.summary, q, lang=lang, context=ctx)
    for lead in key_outcomes(bundle):  # the questionnaires whose key outcomes are declared: their themes per unit
        q = lead.questionnaire_id
        for theme in dict.fromkeys(r.target for r in bundle.summary if isinstance(r, Descriptive)
                                   and r.questionnaire_id == q and r.unit_id is not None):
            made[f"temascore_enheder_{q}_{theme}"] = partial(theme_scores_by_unit, bundle.summary, q, theme,
                                                             lang=lang, context=ctx)
    if any(t.term == DID_TERM for t in bundle.models):
        made["forskel_i_forskelle"] = lambda: difference_in_differences(bundle.models, lang=lang, context=ctx)
    if bundle.joint:
        made["samlet_indikator"] = lambda: joint_agreement(bundle.joint, lang=lang, context=ctx)
    if any(i.level == "tie" for i in bundle.coordination.indices):
        for arm in arms:
            views: tuple[View, ...] = ("before", "after", "change")
            for view in views:
                made[f"koordinering_{view}_{arm}"] = partial(coordination_heatmap, bundle.coordination, view, arm=arm,
                                                              lang=lang, context=ctx)
        made["koordinering_faggrupper"] = lambda: role_coordination(bundle.coordination, lang=lang,
                                                                                 context=ctx)
    if bundle.meetings.shares:
        made["moeder"] = lambda: meetings(bundle.meetings, lang=lang, context=ctx)
    if bundle.flow.monthly:
        for arm in arms:
            made[f"borgerforloeb_{arm}"] = partial(flow, bundle.flow, arm=arm, lang=lang, context=ctx)
    if bundle.side_by_side:
        made["side_om_side"] = lambda: side_by_side(bundle.side_by_side, lang=lang, context=ctx)
    for q in asked:
        made[f"svarprocent_{q}"] = partial(response_rates, bundle.rates, questionnaire_id=q, lang=lang, context=ctx)
    for q, item in dict.fromkeys((r.questionnaire_id, r.item_id) for r in bundle.importance if not r.suppressed):
        made[f"vigtighed_{q}_{item}"] = partial(theme_importance, bundle.importance, q, item, lang=lang, context=ctx)
    for q, item in dict.fromkeys((r.questionnaire_id, r.item_id) for r in bundle.goal_attainment):
        made[f"maalopfyldelse_{q}_{item}"] = partial(goal_attainment, bundle.goal_attainment, q, item, lang=lang,
                                                     context=ctx)
    return made


def chart_title(name: str, labels: Labels) -> str:
    """A Danish title for a chart by its name (as `charts()` names them), with the
    questionnaires' and themes' stored names: the evaluator page's list of charts, which
    shows titles without drawing the charts. The name itself where it follows no pattern."""
    from service.exports.report_view import ARMS, arm_name

    views = {"before": "før", "after": "efter", "change": "ændring"}
    parts = name.split("_")
    arm = arm_name(parts[-1]) if parts[-1] in ARMS else ""
    fixed = {"forskel_i_forskelle": text("did_title"), "samlet_indikator": text("joint_title"),
             "koordinering_faggrupper": text("rc_roles_title"), "moeder": text("meetings_title"),
             "side_om_side": text("sbs_title")}
    if name in fixed:
        return fixed[name]
    asked = sorted(labels.questionnaires, key=len, reverse=True)  # 'moede_borger' before 'borger'
    for prefix, title in (("svarfordeling_", "Svarfordeling"), ("temascorer_", "Temascorer før og efter"),
                          ("andel_enige_", "Andel enige før og efter"), ("svarprocent_", "Svarprocent")):
        if name.startswith(prefix):
            rest = name.removeprefix(prefix)
            questionnaire = next((q for q in asked if rest == q or rest.startswith(f"{q}_")), None)
            if questionnaire is None:
                break
            return (f"{title}: {questionnaire_label(labels, questionnaire)}"
                    + (f" – {arm.lower()}" if arm and rest != questionnaire else ""))
    if name.startswith("temascore_enheder_"):  # temascore_enheder_{questionnaire}_{theme}
        rest = name.removeprefix("temascore_enheder_")
        questionnaire = next((q for q in asked if rest.startswith(f"{q}_")), None)
        if questionnaire is not None:
            return (f"{theme_label(labels, questionnaire, rest.removeprefix(f'{questionnaire}_'))} pr. enhed"
                    f" ({questionnaire_label(labels, questionnaire)})")
    if name.startswith("koordinering_") and len(parts) == 3 and parts[1] in views:
        return f"Relationel koordinering, {views[parts[1]]} – {arm.lower() or parts[2]}"
    if name.startswith("borgerforloeb_"):
        return f"{text('flow_title')} – {arm.lower() or parts[-1]}"
    if name.startswith("maalopfyldelse_"):  # maalopfyldelse_{questionnaire}_{item}
        rest = name.removeprefix("maalopfyldelse_")
        questionnaire = next((q for q in asked if rest.startswith(f"{q}_")), None)
        if questionnaire is not None:
            return f"{text('gas_short')} ({questionnaire_label(labels, questionnaire)})"
    if name.startswith("vigtighed_"):  # vigtighed_{questionnaire}_{item}
        rest = name.removeprefix("vigtighed_")
        questionnaire = next((q for q in asked if rest.startswith(f"{q}_")), None)
        if questionnaire is not None:
            return f"{text('importance_title')} ({questionnaire_label(labels, questionnaire)})"
    return name.replace("_", " ")
