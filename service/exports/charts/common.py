"""What the chart functions share: results to rows, the label of a phase or arm, the
layer that writes 'for få svar' where a suppressed group would have been, and the
dot-and-interval chart most of them are."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec
import pandas as pd
import plotnine as p9

from service.analysis.context.labels import Labels
from service.exports.charts.theme import SUPPRESSED_COLOUR
from service.exports.formats import axis_percent
from service.exports.labels import Language, text


class NothingToDraw(ValueError):
    """A chart has nothing to draw for this evaluation: no results of its kind, or every
    group hidden as 'for få svar'. The only failure a caller may pass over (the report
    leaves the chart out, `save_all` writes no file, the HTTP door answers 404); any other
    error in a chart is a bug and surfaces. A ValueError, so the doors' existing mapping
    of a bad argument still holds."""


def rows(results: Iterable[Any]) -> pd.DataFrame:
    """Structs (or dicts) as a DataFrame, one row each; an empty frame for none."""
    listed = [msgspec.structs.asdict(r) if isinstance(r, msgspec.Struct) else dict(r) for r in results]
    return pd.DataFrame(listed)


def phase_label(phase: str, sequence: int | None, lang: Language, several: bool) -> str:
    """'Før' / 'Efter', with the wave's number when a phase has several waves."""
    base = text(phase, lang) if phase in ("before", "after") else phase
    return f"{base} {sequence}" if several and sequence is not None else base


def add_phase_labels(frame: pd.DataFrame, lang: Language) -> list[str]:
    """Adds `phase_label` in wave order and returns the labels in that order."""
    waves = frame[["phase", "sequence"]].drop_duplicates()
    several = waves.groupby("phase").size().to_dict()
    order = waves.sort_values("sequence")
    labels = [phase_label(p, s, lang, several.get(p, 0) > 1) for p, s in zip(order["phase"], order["sequence"])]
    mapping = {(p, s): lab for (p, s), lab in zip(zip(order["phase"], order["sequence"]), labels)}
    frame["phase_label"] = pd.Categorical([mapping[(p, s)] for p, s in zip(frame["phase"], frame["sequence"])],
                                          categories=list(dict.fromkeys(labels)))
    return list(dict.fromkeys(labels))


def arm_label(arm: str | None, lang: Language) -> str:
    if arm in ("intervention", "comparison"):
        return text(arm, lang)
    return arm or text("all", lang)


def arm_labels(arms: Iterable[str | None], lang: Language) -> Any:
    """The arms' labels as a category, the intervention arm first (panels and legends
    read intervention, then comparison, in either language)."""
    listed = list(arms)
    order = sorted(set(listed), key=lambda a: (a != "intervention", a != "comparison", a or ""))
    return pd.Categorical([arm_label(a, lang) for a in listed], categories=[arm_label(a, lang) for a in order])


def ordered(values: Sequence[str]) -> Any:
    """Labels in the order first seen (the axis then reads in the results' order)."""
    return pd.Categorical(list(values), categories=list(dict.fromkeys(values)))


def unit_name(unit_id: Any, units: Mapping[int, str] | None, lang: Language) -> str:
    if units and unit_id is not None and int(unit_id) in units:
        return units[int(unit_id)]
    return f"{text('unit', lang)} {int(unit_id)}"


def dot_interval(frame: pd.DataFrame, *, category: str, value: str, low: str, high: str, colour: str,
                 colours: dict[str, str], colour_title: str, facet: str | None, lang: Language,
                 suppressed_at: float, percent: bool = False, dodge: float = 0.6) -> p9.ggplot:
    """Dots with their intervals, one row per category, dodged by `colour`; a suppressed
    row is the words 'for få svar' in grey where its dot would be, never a number."""
    frame = frame.copy()
    # coord_flip draws the first category and the first dodged group at the bottom: reversed, they read top down
    frame[category] = pd.Categorical(frame[category].astype(str),
                                     categories=list(reversed(frame[category].cat.categories)))
    frame["_dodge"] = pd.Categorical(frame[colour].astype(str),
                                     categories=list(reversed(frame[colour].cat.categories)))
    shown = frame[~frame["suppressed"]]
    hidden = frame[frame["suppressed"]].assign(_at=suppressed_at, _label=text("suppressed", lang))
    position = p9.position_dodge(width=dodge)
    plot = (p9.ggplot(frame, p9.aes(x=category, colour=colour, group="_dodge")) + [
                p9.geom_linerange(p9.aes(ymin=low, ymax=high), data=shown, position=position, size=0.8),
                p9.geom_point(p9.aes(y=value), data=shown, position=position, size=2.4),
                p9.scale_colour_manual(values=colours, name=colour_title, drop=False),
                p9.coord_flip(),
            ])
    if not hidden.empty:
        plot += p9.geom_text(p9.aes(y="_at", label="_label"), data=hidden, position=position,
                             colour=SUPPRESSED_COLOUR, size=7, fontstyle="italic", show_legend=False)
    if percent:
        plot += p9.scale_y_continuous(labels=axis_percent(lang), limits=(0, 1))
    if facet:
        plot += p9.facet_wrap(f"~{facet}", ncol=2)
    return plot


def colours_for(keys: Mapping[str, str], labels: Mapping[str, str]) -> dict[str, str]:
    """The palette keyed by the labels the chart shows (the legend reads labels)."""
    return {labels[k]: c for k, c in keys.items() if k in labels}


class Context(msgspec.Struct, frozen=True, kw_only=True):
    """What results do not carry but a chart's labels and caption need: the evaluation's
    name, the questionnaire versions its waves asked, its units' names and the stored
    wording of its questionnaires' themes and items (from the bundle, `context_of(bundle)`;
    without them a theme reads as its key marked '(tekst mangler)')."""

    evaluation: str = ""
    versions: dict[str, list[int]] = {}
    units: dict[int, str] = {}
    labels: Labels | None = None


def labels_of(context: Context | None) -> Labels | None:
    return context.labels if context else None


def versions_of(context: Context | None, *questionnaires: str) -> dict[str, list[int]]:
    found = context.versions if context else {}
    return {q: found.get(q, []) for q in questionnaires}
