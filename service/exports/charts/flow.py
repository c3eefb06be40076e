"""Citizen flow over time: citizens enrolled each month against what the months before
the change foretell (the counterfactual forecast with its 95 % prediction band, the
forecast method of the analysis itself, service/analysis/measures/flow/compute.py), courses ended per
month, the implementation date marked, and the gap between expected and observed
labelled as Sønderborg reported it (640 expected, 533 observed, 18.5 %)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import plotnine as p9

from service.analysis.measures.flow import compute as flow_analysis
from service.analysis.measures.flow.results import FlowAnalysis, FlowForecast
from service.exports.charts.common import Context, arm_label, rows
from service.exports.charts.theme import OKABE_ITO, SUPPRESSED_COLOUR, caption, size, theme_sammen
from service.exports.formats import number, percent
from service.exports.labels import Language, text
from service.exports.texts import text_or

# Above the highest value of the enrolled panel (its series, forecast and band), in
# spans of that panel's values: the gap's sentence, and the top of the panel, where the
# implementation's label hangs.
_NOTE_AT = 0.17
_HEADROOM = 0.35
_LABEL_ROOM = 0.12  # the implementation's label alone, in the panel of courses ended


def forecast_path(months: Sequence[dt.date], enrolled: Sequence[int], forecast: FlowForecast) -> pd.DataFrame:
    """The forecast of `forecast` (same method, pre-period and implementation) for every
    month from the implementation to its `at`: the line and band the chart draws."""
    rows_ = []
    month = forecast.implementation
    while month <= forecast.at:
        made = flow_analysis.forecast_series(months, enrolled, implementation=forecast.implementation, at=month,
                                             method=forecast.method)
        if made.expected is not None:
            rows_.append(dict(month=month, expected=made.expected, low=made.pi_low, high=made.pi_high))
        month = flow_analysis.add_months(month, 1)
    return pd.DataFrame(rows_, columns=["month", "expected", "low", "high"])


def _method(forecast: FlowForecast, lang: Language) -> str:
    return text_or(f"forecast_{forecast.method}", forecast.method, lang)


def _whole(lang: Language) -> Any:
    def labels(values: Sequence[float]) -> list[str]:
        return [number(v, 0, lang) for v in values]
    return labels


def _chart(series: pd.DataFrame, forecast: FlowForecast, title: str, subtitle: str, lang: Language,
           notes: Sequence[str]) -> p9.ggplot:
    """`series`: month, enrolled, ended (ended may be missing)."""
    shown = series.dropna(subset=["enrolled"])
    path = forecast_path(list(shown["month"]), [int(v) for v in shown["enrolled"]], forecast)
    panels = [text("enrolled", lang), text("ended", lang)]
    long = pd.concat([
        shown.assign(panel=panels[0], value=shown["enrolled"]),
        series.dropna(subset=["ended"]).assign(panel=panels[1], value=series["ended"]),
    ])
    long["panel"] = pd.Categorical(long["panel"], categories=panels)
    long["month"] = pd.to_datetime(long["month"])
    path["month"] = pd.to_datetime(path["month"])
    path["panel"] = pd.Categorical([panels[0]] * len(path), categories=panels)
    implemented = pd.Timestamp(forecast.implementation)
    observed_label, expected_label = text("observed", lang), text("expected", lang)
    colours = {observed_label: OKABE_ITO["blue"], expected_label: OKABE_ITO["vermillion"]}
    plot = (p9.ggplot(long, p9.aes(x="month", y="value")) + [
                p9.geom_ribbon(p9.aes(x="month", ymin="low", ymax="high"), data=path, inherit_aes=False,
                               fill=OKABE_ITO["vermillion"], alpha=0.15),
                p9.geom_line(p9.aes(colour=f"'{observed_label}'"), size=0.8),
                p9.geom_line(p9.aes(x="month", y="expected", colour=f"'{expected_label}'"), data=path,
                             linetype="dashed", size=0.8),
                p9.geom_vline(xintercept=implemented, linetype="dotted", colour="#333333"),
                p9.annotate("text", x=implemented, y=float("inf"), label=" " + text("implementation", lang),  # type: ignore[arg-type]
                            ha="left", va="top", size=7.5, colour="#333333"),
                p9.scale_colour_manual(values=colours, breaks=[observed_label, expected_label]),
                p9.scale_y_continuous(labels=_whole(lang)),
                p9.scale_x_datetime(date_breaks="1 year", date_labels="%Y"),
                p9.facet_wrap("~panel", ncol=1, scales="free_y"),
            ])
    ended = long.loc[long["panel"] == panels[1], "value"].dropna()
    if len(ended):  # the implementation's label over the months ended, not across them
        low, high = float(ended.min()), float(ended.max())
        plot += p9.geom_blank(p9.aes(x="month", y="value"), data=pd.DataFrame(dict(
            month=[implemented], value=[high + _LABEL_ROOM * ((high - low) or 1.0)],
            panel=pd.Categorical([panels[1]], categories=panels))))
    if forecast.expected is not None and forecast.observed is not None:
        gap = forecast.expected - forecast.observed
        key = "flow_gap" if gap >= 0 else "flow_gap_more"
        label = text(key, lang, expected=number(forecast.expected, 0, lang),
                     observed=number(forecast.observed, 0, lang),
                     gap=number(abs(gap), 0, lang))
        if forecast.gap_share is not None:
            label += f" ({percent(abs(forecast.gap_share), 1, lang)})"
        at = pd.Timestamp(forecast.at)
        top_panel = pd.Categorical([panels[0]], categories=panels)
        marks = pd.DataFrame(dict(month=[at, at], value=[forecast.expected, float(forecast.observed)],
                                  panel=pd.Categorical([panels[0]] * 2, categories=panels)))
        # The sentence goes above every line and band of the panel, in room made for it
        # under the implementation's label: drawn where the series ran, it hid the
        # observed months it speaks of.
        drawn = pd.concat([shown["enrolled"], path["expected"], path["high"], path["low"], marks["value"]]).dropna()
        low, high = float(drawn.min()), float(drawn.max())
        span = (high - low) or max(abs(high), 1.0)
        note = pd.DataFrame(dict(month=[at], value=[high + _NOTE_AT * span], label=[label], panel=top_panel))
        room = pd.DataFrame(dict(month=[at], value=[high + _HEADROOM * span], panel=top_panel))
        plot += p9.geom_blank(p9.aes(x="month", y="value"), data=room)
        plot += p9.geom_segment(p9.aes(x="month", xend="month", y=min(marks["value"]), yend=max(marks["value"])),
                                data=marks.head(1), colour="#333333")
        plot += p9.geom_point(p9.aes(x="month", y="value"), data=marks, colour="#333333", size=1.8)
        plot += p9.geom_label(p9.aes(label="label"), data=note, ha="right", va="center", size=7.5,
                              colour="#333333", label_size=0, fill="white")  # over the dotted line, not under it
    return (plot + [
                p9.labs(title=title, subtitle=subtitle, x="", y="", caption=caption(lang, notes=list(notes))),
                theme_sammen(),
                p9.theme(legend_title=p9.element_blank()),
                size(14),
            ])


def flow(result: FlowAnalysis, *, arm: str = "intervention", lang: Language = "da",
         context: Context | None = None) -> p9.ggplot:
    """One arm's citizens enrolled and courses ended per month, with the counterfactual
    forecast of enrolled from before the change. A suppressed arm shows 'for få svar'."""
    frame = rows(m for m in result.monthly if m.level == "arm" and m.arm == arm)
    forecast = next((f for f in result.forecasts if f.series == f"arm {arm}"), None)
    title = text("flow_title", lang)
    subtitle = f"{arm_label(arm, lang)}" + (f" · {context.evaluation}" if context and context.evaluation else "")
    if frame.empty or forecast is None or forecast.suppressed or frame["suppressed"].all():
        return (p9.ggplot() + [
                    p9.annotate("text", x=0, y=0, label=text("suppressed", lang), size=12,
                                colour=SUPPRESSED_COLOUR, fontstyle="italic"),
                    p9.labs(title=title, subtitle=subtitle, x="", y="",
                            caption=caption(lang, notes=[text("suppressed_note", lang)])),
                    theme_sammen(),
                    p9.theme(axis_text=p9.element_blank(), panel_grid=p9.element_blank()),
                    size(6),
                ])
    series = frame[["month", "enrolled", "ended"]].astype({"enrolled": "float", "ended": "float"})
    method = text("flow_forecast", lang, method=_method(forecast, lang), n=forecast.n_pre or 0)
    n_note = text("flow_n", lang, n=number(float(series["enrolled"].max()), 0, lang))
    return _chart(series, forecast, title, subtitle, lang, [n_note, method, text("band", lang)])


def soenderborg(*, lang: Language = "da", path: Path | None = None) -> p9.ggplot:
    """Sønderborg's citizen flow (the synthetic file matching the published figures):
    579 enrolled at the start of 2014, 640 expected a year later, 533 observed."""
    from service.flow import csvfile
    from service.textfiles import read_bytes  # a regular file, bounded, as every user's file

    source = path or flow_analysis.SOENDERBORG_CSV
    parsed, errors = csvfile.parse(read_bytes(source, csvfile.MAX_FILE_BYTES, "a flow CSV"), dt.date.today())
    if errors:
        raise ValueError(f"path: {source} line {errors[0].line}: {errors[0].message}")
    series = pd.DataFrame(dict(month=[r.month for r in parsed], enrolled=[float(r.enrolled) for r in parsed],
                               ended=[float(r.ended) for r in parsed]))
    forecast = flow_analysis.soenderborg(source)
    method = text("flow_forecast", lang, method=_method(forecast, lang), n=forecast.n_pre or 0)
    subtitle = text("soenderborg_subtitle", lang)
    return _chart(series, forecast, text("flow_title", lang), subtitle, lang, [method, text("band", lang)])
