"""Theme scores and shares agreeing before vs after (dot and interval), the
difference-in-differences estimate from the models, and the joint indicator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotnine as p9

from service.analysis.measures.models.results import ModelTerm
from service.analysis.measures.summary.results import Descriptive
from service.exports.charts.common import (
    Context,
    NothingToDraw,
    add_phase_labels,
    arm_label,
    arm_labels,
    dot_interval,
    labels_of,
    ordered,
    rows,
    unit_name,
    versions_of,
)
from service.exports.charts.theme import ARM_COLOURS, OKABE_ITO, PHASE_COLOURS, caption, size, theme_sammen, wrap
from service.exports.formats import axis_numbers
from service.exports.labels import Language, item_label, text, theme_label
from service.exports.texts import term

DID_TERM = "after × intervention"


def _descriptives(results: Sequence[Any], questionnaire_id: str) -> pd.DataFrame:
    found = rows(r for r in results if isinstance(r, Descriptive) and r.questionnaire_id == questionnaire_id)
    if found.empty:
        raise NothingToDraw(f"questionnaire_id: no descriptive results for {questionnaire_id!r}")
    return found


def _phase_colours(frame: pd.DataFrame) -> dict[str, str]:
    return {lab: PHASE_COLOURS.get(p, OKABE_ITO["grey"]) for lab, p in zip(frame["phase_label"], frame["phase"])}


def _n_by_phase(frame: pd.DataFrame, lang: Language) -> dict[str, int | None]:
    """Answers per wave: the largest n of a theme in each arm, added over the arms."""
    shown = frame[~frame["suppressed"]]
    out: dict[str, int | None] = {}
    for label in frame["phase_label"].cat.categories:
        part = shown[shown["phase_label"] == label]
        out[str(label).lower()] = int(part.groupby("arm")["n"].max().sum()) if not part.empty else None
    return out


def _by_arm(results: Sequence[Any], questionnaire_id: str, lang: Language, context: Context | None) -> pd.DataFrame:
    frame = _descriptives(results, questionnaire_id)
    frame = frame[frame["unit_id"].isna()].copy()
    add_phase_labels(frame, lang)
    labels = labels_of(context)
    frame["theme_label"] = ordered([wrap(theme_label(labels, questionnaire_id, t, lang), 30) for t in frame["target"]])
    frame["arm_label"] = arm_labels(frame["arm"], lang)
    return frame


def theme_scores(results: Sequence[Any], questionnaire_id: str, *, lang: Language = "da",
                 context: Context | None = None) -> p9.ggplot:
    """Each theme's mean before and after with its 95 % t interval, one panel per arm."""
    frame = _by_arm(results, questionnaire_id, lang, context)
    shown = frame[~frame["suppressed"]]
    plot = dot_interval(frame, category="theme_label", value="mean", low="mean_low", high="mean_high",
                        colour="phase_label", colours=_phase_colours(frame), colour_title=text("phase", lang),
                        facet="arm_label", lang=lang, suppressed_at=float(shown["mean"].mean()) if len(shown) else 3)
    return (plot + [
                p9.scale_y_continuous(labels=axis_numbers(lang)),
                p9.labs(title=text("scores_title", lang), x="", y=text("scores_x", lang),
                        caption=caption(lang, questionnaires=versions_of(context, questionnaire_id),
                                        n=_n_by_phase(frame, lang),
                                        notes=[text("ci95", lang), text("suppressed_note", lang)])),
                theme_sammen(),
                size(4 + 1.1 * frame["theme_label"].nunique()),
            ])


def share_agreeing(results: Sequence[Any], questionnaire_id: str, *, lang: Language = "da",
                   context: Context | None = None) -> p9.ggplot:
    """Each theme's share agreeing (top-two box) before and after with Wilson's interval."""
    frame = _by_arm(results, questionnaire_id, lang, context)
    # a theme whose questions are on different scales has no share agreeing (the analysis
    # leaves it empty): left out, and named under the chart
    undefined = frame[~frame["suppressed"] & (frame["share_method"].fillna("") == "")]
    frame = frame[frame["suppressed"] | (frame["share_method"].fillna("") != "")]
    notes = [text("wilson", lang), text("share_means", lang), text("suppressed_note", lang)]
    if len(undefined):
        left_out = ", ".join(dict.fromkeys(str(t).replace("\n", " ") for t in undefined["theme_label"]))
        notes.insert(2, text("share_mixed", lang, themes=left_out))
    plot = dot_interval(frame, category="theme_label", value="share_agreeing", low="share_low", high="share_high",
                        colour="phase_label", colours=_phase_colours(frame), colour_title=text("phase", lang),
                        facet="arm_label", lang=lang, suppressed_at=0.5, percent=True)
    return (plot + [
                p9.labs(title=text("share_title", lang), x="", y=text("share_x", lang),
                        caption=caption(lang, questionnaires=versions_of(context, questionnaire_id),
                                        n=_n_by_phase(frame, lang), notes=notes)),
                theme_sammen(),
                size(4 + 1.1 * frame["theme_label"].nunique()),
            ])


def theme_scores_by_unit(results: Sequence[Any], questionnaire_id: str, theme: str, *,
                         lang: Language = "da", context: Context | None = None) -> p9.ggplot:
    """One theme's mean before and after in every unit, units grouped by arm."""
    frame = _descriptives(results, questionnaire_id)
    frame = frame[(frame["target"] == theme) & frame["unit_id"].notna()].copy()
    if frame.empty:
        raise NothingToDraw(f"theme: no unit results for {theme!r} in {questionnaire_id!r}")
    add_phase_labels(frame, lang)
    frame = frame.sort_values(["arm", "unit_id"], ascending=[False, True])
    units = context.units if context else None
    frame["unit_label"] = ordered([unit_name(u, units, lang) for u in frame["unit_id"]])
    frame["arm_label"] = arm_labels(frame["arm"], lang)
    shown = frame[~frame["suppressed"]]
    plot = dot_interval(frame, category="unit_label", value="mean", low="mean_low", high="mean_high",
                        colour="phase_label", colours=_phase_colours(frame), colour_title=text("phase", lang),
                        facet=None, lang=lang, suppressed_at=float(shown["mean"].mean()) if len(shown) else 3)
    named = theme_label(labels_of(context), questionnaire_id, theme, lang)
    return (plot + [
                p9.facet_grid("arm_label ~ .", scales="free_y", space="free_y"),
                p9.scale_y_continuous(labels=axis_numbers(lang)),
                p9.labs(title=f"{text('scores_title', lang)}: {named}",
                        x="", y=text("scores_x", lang),
                        caption=caption(lang, questionnaires=versions_of(context, questionnaire_id),
                                        n=_n_by_phase(frame, lang),
                                        notes=[text("ci95", lang), text("suppressed_note", lang)])),
                theme_sammen(),
                size(4 + 1.2 * frame["unit_label"].nunique()),
            ])


def difference_in_differences(terms: Sequence[ModelTerm], *, model: str = "linear mixed model",
                              lang: Language = "da", context: Context | None = None) -> p9.ggplot:
    """The models' 'after × intervention' term per theme with its 95 % interval: how much
    more the intervention arm changed than the comparison arm, planned outcomes marked."""
    frame = rows(t for t in terms if t.term == DID_TERM and t.model == model)
    if frame.empty:
        raise NothingToDraw(f"model: no {DID_TERM!r} terms of {model!r}")
    frame["theme_label"] = ordered([wrap(theme_label(labels_of(context), q, t, lang), 30)
                                    for q, t in zip(frame["questionnaire_id"], frame["target"])])
    kinds = {True: text("confirmatory", lang), False: text("exploratory", lang)}
    frame["kind"] = pd.Categorical([kinds[bool(c)] for c in frame["confirmatory"]], categories=list(kinds.values()))
    colours = {kinds[True]: OKABE_ITO["vermillion"], kinds[False]: OKABE_ITO["blue"]}
    plot = dot_interval(frame, category="theme_label", value="estimate", low="ci_low", high="ci_high", colour="kind",
                        colours=colours, colour_title=text("analysis_kind", lang), facet=None, lang=lang,
                        suppressed_at=0.0, dodge=0.0)
    variant = next((v for v in frame["variant"] if v), model)
    shown = frame[~frame["suppressed"]]
    n = int(shown["n"].max()) if not shown.empty else None
    return (plot + [
                p9.geom_hline(yintercept=0, colour="#333333", size=0.4),
                p9.scale_y_continuous(labels=axis_numbers(lang, 2)),
                p9.labs(title=text("did_title", lang), subtitle=wrap(term(f"{model}: {variant}", lang), 90), x="",
                        y=wrap(text("did_x", lang), 60),
                        caption=caption(lang, questionnaires=versions_of(context, *set(frame["questionnaire_id"])),
                                        n={text("n_model", lang): n},
                                        notes=[text("ci95", lang), text("suppressed_note", lang)])),
                theme_sammen(),
                size(5 + 0.9 * frame["theme_label"].nunique()),
            ])


def joint_agreement(rows_: Sequence[Descriptive], *, lang: Language = "da", context: Context | None = None,
                    by_unit: bool = False) -> p9.ggplot:
    """The Sønderborg-style joint indicator: the share agreeing with every one of the
    statements, before and after, per arm (or per unit), with Wilson's interval."""
    frame = rows(rows_)
    if frame.empty:
        raise NothingToDraw("rows: no joint-agreement results")
    frame = frame[frame["unit_id"].notna() if by_unit else frame["unit_id"].isna()].copy()
    add_phase_labels(frame, lang)
    units = context.units if context else None
    frame = frame.sort_values(["arm", "unit_id"], ascending=[False, True])
    frame["group"] = ordered([unit_name(u, units, lang) if by_unit else arm_label(a, lang)
                              for u, a in zip(frame["unit_id"], frame["arm"])])
    qid = str(frame["questionnaire_id"].iloc[0])
    statements = [item_label(labels_of(context), qid, i.strip(), lang) for i in str(frame["target"].iloc[0]).split("&")]
    plot = dot_interval(frame, category="group", value="share_agreeing", low="share_low", high="share_high",
                        colour="phase_label", colours=_phase_colours(frame), colour_title=text("phase", lang),
                        facet=None, lang=lang, suppressed_at=0.5, percent=True)
    return (plot + [
                p9.labs(title=text("joint_title", lang), subtitle="\n".join(wrap(f"• {s}", 80) for s in statements),
                        x="", y=text("share_x", lang),
                        caption=caption(lang, questionnaires=versions_of(context, qid), n=_n_by_phase(frame, lang),
                                        notes=[text("wilson", lang), text("suppressed_note", lang)])),
                theme_sammen(),
                size(5 + 0.9 * frame["group"].nunique()),
            ])


_ = ARM_COLOURS  # the arms' colours are the side-by-side chart's; imported here so one palette is in view
