"""Every analysis result as a table an evaluator can send on: a DataFrame with Danish
headers (English on request) and the notes that belong under it (the suppression rule,
the tests and their variants), written as CSV files, as one formatted Excel workbook and
as publication HTML for the report (great_tables).

Tables take analysis results (service/analysis/bundle.py's EvaluationResults, or its
parts), never SQL. A suppressed group keeps its labels and shows 'for få svar' in every
figure's cell: the figure itself never reaches a table."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Literal

import asyncpg
import msgspec
import pandas as pd

from service.analysis.bundle import EvaluationResults, UnitResponses
from service.analysis.context.labels import Labels
from service.analysis.measures.coordination.results import Coordination
from service.analysis.measures.flow.results import FlowAnalysis
from service.analysis.measures.meetings.compute import Meetings
from service.analysis.measures.models.results import ModelTerm
from service.analysis.measures.side_by_side.compute import Change
from service.analysis.measures.summary.results import Comparison, Descriptive, ThemeReliability
from service.exports import formats
from service.exports.cells import frame_csv, xlsx_cell
from service.exports.labels import Language, aspect_label, measure_label, role_label, target_label, text
from service.exports.texts import term
from service.files import NewFolder

# How a column's figures are shown: whole numbers, decimals, shares as percentages,
# p-values, dates and months; text as it is.
Kind = Literal["text", "int", "dec1", "dec2", "dec3", "pct", "p", "date", "month"]
NUMERIC: frozenset[str] = frozenset({"int", "dec1", "dec2", "dec3", "pct", "p"})


class Table(msgspec.Struct, frozen=True, kw_only=True):
    """One result as a table: `frame` has the headers in the chosen language, figures as
    numbers (a suppressed row's figures as the text 'for få svar'), `kinds` says how each
    column is shown, `notes` go under it."""

    key: str  # a file and sheet name: letters, digits and _
    title: str
    frame: pd.DataFrame
    kinds: dict[str, Kind]
    notes: list[str]
    lang: Language = "da"


class Col(msgspec.Struct, frozen=True):
    """A column of a table: the result's field (or a function of the row), headers, kind."""

    field: str | Callable[[Any], Any]
    da: str
    en: str
    kind: Kind = "text"


def note(key: str, lang: Language, **values: object) -> str:
    """A note under a table, from the catalogue's 'note_' section (texts.py)."""
    return text(f"note_{key}", lang, **values)


def _too_few(lang: Language) -> str:
    return text("suppressed", lang)


def _arm(lang: Language) -> Callable[[Any], str]:
    return lambda r: text(r.arm, lang) if r.arm in ("intervention", "comparison") else (r.arm or "")


def _phase(lang: Language) -> Callable[[Any], str]:
    return lambda r: text(r.phase, lang) if r.phase in ("before", "after") else r.phase


def _target(labels: Labels | None, lang: Language) -> Callable[[Any], str]:
    """A theme's name, else the item's wording, as the stored codebook has them."""
    return lambda r: target_label(labels, r.questionnaire_id, r.target, lang)


def _yes(lang: Language) -> Callable[[bool], str]:
    return lambda b: text("yes" if b else "no", lang)


def make_table(key: str, title: tuple[str, str], rows: Sequence[Any], columns: Sequence[Col], notes: list[str],
               lang: Language) -> Table:
    """The rows' columns under their headers; in a suppressed row every figure's cell
    reads 'for få svar' (labels stay, so the reader sees which group is hidden)."""
    headers = [c.da if lang == "da" else c.en for c in columns]
    too_few = _too_few(lang)
    body: list[list[Any]] = []
    for row in rows:
        hidden = bool(getattr(row, "suppressed", False))
        cells: list[Any] = []
        for c in columns:
            if hidden and c.kind in NUMERIC:
                cells.append(too_few)
                continue
            value = c.field(row) if callable(c.field) else getattr(row, c.field)
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            elif isinstance(value, str) and c.field in TERM_FIELDS:  # the analysis' words, in `lang`
                value = term(value, lang)
            cells.append(value)
        body.append(cells)
    frame = pd.DataFrame(body, columns=headers, dtype=object)
    kinds: dict[str, Kind] = {h: c.kind for h, c in zip(headers, columns)}
    return Table(key=key, title=title[0] if lang == "da" else title[1], frame=frame, kinds=kinds, notes=notes,
                 lang=lang)


# Fields that hold the analysis' own (English) names of tests, variants, estimates and
# methods: shown through texts.term() in the table's language.
TERM_FIELDS = frozenset({"design", "test", "variant", "estimate_name", "effect", "series", "method", "model", "outcome",
                         "note", "fitted", "ci_method", "effect_method", "mean_method", "share_method",
                         "omega_method"})


def _methods(rows: Sequence[Any], lang: Language, *fields: str) -> str:
    found: list[str] = []
    for r in rows:
        for f in fields:
            value = term(getattr(r, f, ""), lang)
            if value and value not in found:
                found.append(value)
    return "; ".join(found)


def _common(rows: Sequence[Any], lang: Language, threshold: int, *fields: str) -> list[str]:
    notes = [note("suppression", lang, k=threshold)]
    methods = _methods(rows, lang, *fields)
    if methods:
        notes.append(note("methods", lang, methods=methods))
    return notes


# --- the survey's results ----------------------------------------------------------------------
def descriptive_table(rows: Sequence[Descriptive], lang: Language = "da", *, threshold: int = 5,
                      labels: Labels | None = None, units: dict[int, str] | None = None, key: str = "beskrivende",
                      title: tuple[str, str] = ("Temaer pr. gruppe, enhed og måling",
                                                "Themes per arm, unit and wave")) -> Table:
    units = units or {}
    columns = [
        Col("questionnaire_id", "Spørgeskema", "Questionnaire"),
        Col(_target(labels, lang), "Tema eller spørgsmål", "Theme or item"),
        Col(_arm(lang), "Gruppe", "Arm"),
        Col(lambda r: units.get(r.unit_id, str(r.unit_id)) if r.unit_id is not None else text("all", lang),
            "Enhed", "Unit"),
        Col(_phase(lang), "Måling", "Wave"),
        Col("sequence", "Målingens nr.", "Wave no."),
        Col("n", "n", "n", "int"),
        Col("mean", "Gennemsnit", "Mean", "dec2"),
        Col("mean_low", "95 %-KI, nedre", "95 % CI, lower", "dec2"),
        Col("mean_high", "95 %-KI, øvre", "95 % CI, upper", "dec2"),
        Col("share_agreeing", "Andel enige", "Share agreeing", "pct"),
        Col("share_low", "Andel, nedre", "Share, lower", "pct"),
        Col("share_high", "Andel, øvre", "Share, upper", "pct"),
    ]
    return make_table(key, title, rows, columns,
                      _common(rows, lang, threshold, "mean_method", "share_method") + [note("ci", lang)], lang)


def comparison_table(rows: Sequence[Comparison], lang: Language = "da", *, threshold: int = 5,
                     labels: Labels | None = None, key: str = "sammenligninger", title: tuple[str, str] = (
                         "Efter mod før pr. tema og gruppe", "After against before per theme and arm"),
                     extra: Sequence[Col] = ()) -> Table:
    columns = [
        Col("questionnaire_id", "Spørgeskema", "Questionnaire"),
        Col(_target(labels, lang), "Tema eller spørgsmål", "Theme or item"),
        *extra,
        Col(_arm(lang), "Gruppe", "Arm"),
        Col(lambda r: _yes(lang)(r.confirmatory) if hasattr(r, "confirmatory") else "", "Planlagt", "Planned"),
        Col("design", "Design", "Design"),
        Col("test", "Test", "Test"),
        Col("variant", "Variant", "Variant"),
        Col("n_before", "n før", "n before", "int"),
        Col("n_after", "n efter", "n after", "int"),
        Col("estimate_name", "Estimat", "Estimate"),
        Col("estimate", "Værdi", "Value", "dec3"),
        Col("ci_low", "95 %-KI, nedre", "95 % CI, lower", "dec3"),
        Col("ci_high", "95 %-KI, øvre", "95 % CI, upper", "dec3"),
        Col("statistic", "Teststørrelse", "Statistic", "dec3"),
        Col("p", "p", "p", "p"),
        Col("p_adjusted", "p justeret", "p adjusted", "p"),
        Col("effect", "Effektmål", "Effect measure"),
        Col("effect_size", "Effekt", "Effect", "dec3"),
        Col("effect_low", "Effekt, nedre", "Effect, lower", "dec3"),
        Col("effect_high", "Effekt, øvre", "Effect, upper", "dec3"),
        Col("mde", "Mindste påviselige effekt", "Minimal detectable effect", "dec3"),
    ]
    notes = _common(rows, lang, threshold, "variant", "ci_method", "effect_method") + [
        note("estimate_reads", lang), note("bh", lang), note("confirmatory", lang)]
    return make_table(key, title, rows, columns, notes, lang)


def reliability_table(rows: Sequence[ThemeReliability], lang: Language = "da", *, threshold: int = 5,
                      labels: Labels | None = None, key: str = "reliabilitet", title: tuple[str, str] = (
                          "Reliabilitet pr. tema og måling", "Reliability per theme and wave")) -> Table:
    columns = [
        Col("questionnaire_id", "Spørgeskema", "Questionnaire"),
        Col(_target(labels, lang), "Tema", "Theme"),
        Col(_phase(lang), "Måling", "Wave"),
        Col("sequence", "Målingens nr.", "Wave no."),
        Col("n", "n", "n", "int"),
        Col(lambda r: len(r.items), "Spørgsmål", "Items"),
        Col("alpha", "Cronbachs α", "Cronbach's α", "dec3"),
        Col("omega", "McDonalds ω", "McDonald's ω", "dec3"),
    ]
    return make_table(key, title, rows, columns, _common(rows, lang, threshold, "omega_method"), lang)


def coordination_tables(result: Coordination, lang: Language = "da", *, threshold: int = 5) -> list[Table]:
    roles = Col(lambda r: role_label(r.rater_role, lang) if r.rater_role else text("all", lang),
                "Vurderende faggruppe", "Rating role group")
    rated = Col(lambda r: role_label(r.rated_role, lang) if r.rated_role else text("all", lang),
                "Vurderet faggruppe", "Rated role group")
    level = {"tie": ("Bånd", "Tie"), "rater": ("Vurderende", "Rater"), "rated": ("Vurderet", "Rated"),
             "all": ("Alle", "All")}
    index_columns = [
        Col(lambda r: level[r.level][0 if lang == "da" else 1], "Niveau", "Level"),
        Col(_arm(lang), "Gruppe", "Arm"), Col(_phase(lang), "Måling", "Wave"),
        Col("sequence", "Målingens nr.", "Wave no."), roles, rated,
        Col("n", "n", "n", "int"), Col("mean", "Indeks (1–5)", "Index (1–5)", "dec2"),
        Col("mean_low", "95 %-KI, nedre", "95 % CI, lower", "dec2"),
        Col("mean_high", "95 %-KI, øvre", "95 % CI, upper", "dec2"),
        Col("share_agreeing", "Andel ≥ 4", "Share ≥ 4", "pct"),
        Col("share_low", "Andel, nedre", "Share, lower", "pct"),
        Col("share_high", "Andel, øvre", "Share, upper", "pct"),
    ]
    limit = max(threshold, result.threshold)
    scoring = note("methods", lang, methods=result.scoring)
    return [
        make_table("koordinering", ("Relationel koordinering pr. bånd, gruppe og måling",
                                    "Relational coordination per tie, arm and wave"), result.indices, index_columns,
                   _common(result.indices, lang, limit, "mean_method", "share_method") + [scoring], lang),
        comparison_table(result.comparisons, lang, threshold=limit, key="koordinering_sammenligning",
                         title=("Relationel koordinering efter mod før pr. bånd",
                                "Relational coordination after against before per tie"), extra=[roles, rated]),
        reliability_table(result.reliability, lang, threshold=limit, key="koordinering_alfa",
                          title=("Reliabilitet af koordineringens dimensioner",
                                 "Reliability of the coordination dimensions")),
    ]


def meetings_tables(result: Meetings, lang: Language = "da", *, threshold: int = 5,
                    units: dict[int, str] | None = None) -> list[Table]:
    units = units or {}
    aspects = {a.key: aspect_label(a.key, lang) for a in result.aspects}
    viewpoint = {"citizen": text("citizen", lang), "staff": text("staff", lang)}
    columns = [
        Col(lambda r: aspects.get(r.aspect, r.aspect), "Spørgsmål", "Question"),
        Col(lambda r: viewpoint.get(r.viewpoint, r.viewpoint), "Svar fra", "Answers from"),
        Col(_arm(lang), "Gruppe", "Arm"),
        Col(lambda r: units.get(r.unit_id, str(r.unit_id)) if r.unit_id is not None else text("all", lang),
            "Enhed", "Unit"),
        Col("month", "Måned", "Month", "month"), Col(_phase(lang), "Måling", "Wave"),
        Col("n", "n", "n", "int"), Col("share_agreeing", "Andel enige", "Share agreeing", "pct"),
        Col("share_low", "Andel, nedre", "Share, lower", "pct"),
        Col("share_high", "Andel, øvre", "Share, upper", "pct"),
    ]
    limit = max(threshold, result.threshold)
    return [
        make_table("moeder", ("Mødeevalueringer pr. måned og enhed", "Meeting evaluations per month and unit"),
                   result.shares, columns, _common(result.shares, lang, limit, "share_method"), lang),
        comparison_table(result.comparisons, lang, threshold=limit, key="moeder_sammenligning",
                         title=("Mødeevalueringer efter mod før", "Meeting evaluations after against before")),
    ]


def flow_tables(result: FlowAnalysis, lang: Language = "da", *, threshold: int = 5) -> list[Table]:
    level = {"unit": ("Enhed", "Unit"), "arm": ("Gruppe", "Arm"), "total": ("I alt", "Total")}
    disclosure = note("flow_disclosure", lang, rule=result.disclosure)
    monthly = [
        Col(lambda r: level[r.level][0 if lang == "da" else 1], "Niveau", "Level"),
        Col(lambda r: r.unit or "", "Enhed", "Unit"), Col(_arm(lang), "Gruppe", "Arm"),
        Col("month", "Måned", "Month", "month"), Col("units", "Enheder", "Units", "int"),
        Col("enrolled", "Indskrevne", "Enrolled", "int"), Col("started", "Startet", "Started", "int"),
        Col("ended", "Afsluttet", "Ended", "int"),
        Col("ended_rate", "Afsluttet pr. indskrevet", "Ended per enrolled", "dec3"),
    ]
    forecast = [
        Col("series", "Serie", "Series"), Col("method", "Metode", "Method"), Col("variant", "Variant", "Variant"),
        Col("pre_start", "Førperiode fra", "Pre-period from", "month"),
        Col("pre_end", "Førperiode til", "Pre-period to", "month"), Col("n_pre", "Måneder før", "Months before", "int"),
        Col("implementation", "Indført", "Implemented", "month"), Col("at", "Måned", "Month", "month"),
        Col("start_stock", "Indskrevne ved indførelsen", "Enrolled at implementation", "int"),
        Col("expected", "Forventet", "Expected", "dec1"),
        Col("pi_low", "Prognoseinterval, nedre", "Prediction interval, lower", "dec1"),
        Col("pi_high", "Prognoseinterval, øvre", "Prediction interval, upper", "dec1"),
        Col("observed", "Observeret", "Observed", "int"),
        Col("difference", "Observeret − forventet", "Observed − expected", "dec1"),
        Col("gap_share", "Forskel i forhold til indskrevne", "Gap over enrolled", "pct"),
    ]
    its = [
        Col(_arm(lang), "Gruppe", "Arm"), Col("outcome", "Udfald", "Outcome"),
        Col("implementation", "Indført", "Implemented", "month"),
        Col("n_before", "Måneder før", "Months before", "int"), Col("n_after", "Måneder efter", "Months after", "int"),
        Col("baseline", "Niveau før (trend)", "Level before (trend)", "dec2"),
        Col("level_change", "Niveauskift", "Level change", "dec2"),
        Col("level_low", "Skift, nedre", "Change, lower", "dec2"),
        Col("level_high", "Skift, øvre", "Change, upper", "dec2"), Col("level_p", "p (skift)", "p (change)", "p"),
        Col("relative_level", "Relativt skift", "Relative change", "pct"),
        Col("relative_low", "Relativt, nedre", "Relative, lower", "pct"),
        Col("relative_high", "Relativt, øvre", "Relative, upper", "pct"),
        Col("slope_change", "Hældningsskift pr. måned", "Slope change per month", "dec3"),
        Col("slope_p", "p (hældning)", "p (slope)", "p"), Col("variant", "Variant", "Variant"),
    ]
    did = [
        Col("outcome", "Udfald", "Outcome"), Col("n_before", "Måneder før", "Months before", "int"),
        Col("n_after", "Måneder efter", "Months after", "int"),
        Col("intervention_before", "Indsats før", "Intervention before", "dec3"),
        Col("intervention_after", "Indsats efter", "Intervention after", "dec3"),
        Col("comparison_before", "Sammenligning før", "Comparison before", "dec3"),
        Col("comparison_after", "Sammenligning efter", "Comparison after", "dec3"),
        Col("estimate", "Forskel i forskelle", "Difference in differences", "dec3"),
        Col("ci_low", "95 %-KI, nedre", "95 % CI, lower", "dec3"),
        Col("ci_high", "95 %-KI, øvre", "95 % CI, upper", "dec3"), Col("p", "p", "p", "p"),
        Col("relative", "Relativ", "Relative", "pct"), Col("variant", "Variant", "Variant"),
    ]
    capacity = [
        Col("unit", "Tilbud", "Offer"), Col(_arm(lang), "Gruppe", "Arm"), Col("month", "Måned", "Month", "month"),
        Col("enrolled", "Indskrevne", "Enrolled", "int"), Col("capacity", "Pladser", "Places", "int"),
        Col("waiting", "Venter", "Waiting", "int"), Col("utilisation", "Belægning", "Utilisation", "pct"),
        Col("demand", "Efterspørgsel pr. plads", "Demand per place", "dec2"),
    ]
    differences = [result.difference] if result.difference is not None else []
    return [
        make_table("flow_maaned", ("Borgerforløb pr. måned", "Citizen flow per month"), result.monthly, monthly,
                   [note("suppression", lang, k=threshold), disclosure], lang),
        make_table("flow_prognose", ("Forventet mod observeret antal indskrevne",
                                     "Expected against observed enrolled"), result.forecasts, forecast,
                   _common(result.forecasts, lang, threshold, "variant", "note"), lang),
        make_table("flow_its", ("Afbrudt tidsserie: afsluttede forløb", "Interrupted time series: ended courses"),
                   result.interrupted, its, _common(result.interrupted, lang, threshold, "variant", "note"), lang),
        make_table("flow_did", ("Forskel i forskelle: afsluttede pr. indskrevet",
                                "Difference in differences: ended per enrolled"), differences, did,
                   _common(differences, lang, threshold, "variant", "note"), lang),
        make_table("flow_kapacitet", ("Kapacitet og venteliste pr. tilbud", "Capacity and waiting per offer"),
                   result.capacity, capacity, [note("suppression", lang, k=threshold), disclosure], lang),
    ]


def models_table(rows: Sequence[ModelTerm], lang: Language = "da", *, threshold: int = 5,
                 labels: Labels | None = None) -> Table:
    terms = {"after": ("Efter", "After"), "intervention": ("Indsats", "Intervention"),
             "after × intervention": ("Efter × indsats (forskel i forskelle)", "After × intervention (DiD)")}
    columns = [
        Col("questionnaire_id", "Spørgeskema", "Questionnaire"),
        Col(_target(labels, lang), "Tema eller spørgsmål", "Theme"),
        Col("model", "Model", "Model"),
        Col(lambda r: terms.get(r.term, (r.term, r.term))[0 if lang == "da" else 1], "Led", "Term"),
        Col(lambda r: _yes(lang)(r.confirmatory), "Planlagt", "Planned"),
        Col("estimate_name", "Estimat", "Estimate"), Col("estimate", "Værdi", "Value", "dec3"),
        Col("ci_low", "95 %-KI, nedre", "95 % CI, lower", "dec3"), Col("ci_high", "95 %-KI, øvre", "95 % CI, upper",
                                                                       "dec3"),
        Col("p", "p", "p", "p"), Col("n", "n", "n", "int"), Col("units", "Enheder", "Units", "int"),
        Col("variant", "Variant", "Variant"),
    ]
    notes = _common(rows, lang, threshold, "fitted", "note") + [note("confirmatory", lang)]
    return make_table("modeller", ("Modeller: fase × gruppe", "Models: phase × arm"), rows, columns, notes, lang)


def side_by_side_table(rows: Sequence[Change], lang: Language = "da", *, threshold: int = 5) -> Table:
    level = {"unit": ("Enhed", "Unit"), "sector": ("Sektor", "Sector"), "arm": ("Gruppe", "Arm")}
    columns = [
        Col(lambda r: level.get(r.level, (r.level, r.level))[0 if lang == "da" else 1], "Niveau", "Level"),
        Col(lambda r: r.unit or "", "Enhed", "Unit"),
        Col(lambda r: role_label(r.sector, lang) if r.sector else "", "Sektor", "Sector"),
        Col(_arm(lang), "Gruppe", "Arm"), Col(lambda r: measure_label(r.measure, lang), "Mål", "Measure"),
        Col("n_before", "n før", "n before", "int"), Col("n_after", "n efter", "n after", "int"),
        Col("before", "Før", "Before", "dec3"), Col("after", "Efter", "After", "dec3"),
        Col("change", "Ændring", "Change", "dec3"), Col("ci_low", "95 %-KI, nedre", "95 % CI, lower", "dec3"),
        Col("ci_high", "95 %-KI, øvre", "95 % CI, upper", "dec3"), Col("estimate_name", "Estimat", "Estimate"),
    ]
    return make_table("side_om_side", ("Ændringer side om side", "Changes side by side"), rows, columns,
                      _common(rows, lang, threshold, "ci_method") + [note("estimate_reads", lang)], lang)


class _RateRow(UnitResponses, frozen=True, kw_only=True):
    """A unit's rate with its wave beside it."""

    wave: str
    questionnaire_id: str
    phase: str


def rates_table(bundle: EvaluationResults, lang: Language = "da") -> Table:
    """Response rates; a unit where fewer than the threshold answered reads 'for få svar'
    (the admin's own view stays exact)."""
    rows = [_RateRow(**msgspec.structs.asdict(u), wave=w.wave, questionnaire_id=w.questionnaire_id, phase=w.phase)
            for w in bundle.rates for u in w.units]
    columns = [
        Col("wave", "Måling", "Wave"), Col("questionnaire_id", "Spørgeskema", "Questionnaire"),
        Col("unit", "Enhed", "Unit"), Col(_arm(lang), "Gruppe", "Arm"),
        Col("invited", "Inviterede", "Invited", "int"), Col("submitted", "Besvarede", "Answered", "int"),
        Col("response_rate", "Svarprocent", "Response rate", "pct"),
        Col("open_link_responses", "Svar via åbne links", "Answers through open links", "int"),
    ]
    return make_table("svarprocent", ("Svarprocent pr. enhed og måling", "Response rate per unit and wave"), rows,
                      columns, [note("rates", lang)], lang)


def result_tables(bundle: EvaluationResults | Sequence[Descriptive | Comparison], lang: Language = "da", *,
                  threshold: int = 5, labels: Labels | None = None) -> dict[str, Table]:
    """Every result of the bundle as a table, in the report's order, keyed by `Table.key`;
    given a list of summary results instead (`analysis.summary()`), their two tables
    (`threshold`: the disclosure threshold they were made with, for the note; `labels`:
    the stored wordings, e.g. `analysis.results_bundle(id).labels`, without which a
    theme reads as its key marked '(tekst mangler)')."""
    if not isinstance(bundle, EvaluationResults):
        found = [r for r in bundle if isinstance(r, Comparison)]
        found.sort(key=lambda r: not r.confirmatory)
        return {t.key: t for t in (
            comparison_table(found, lang, threshold=threshold, labels=labels),
            descriptive_table([r for r in bundle if isinstance(r, Descriptive)], lang, threshold=threshold,
                              labels=labels))}
    k = bundle.threshold
    labels = bundle.labels
    units = {u.unit_id: u.name for u in bundle.evaluation.units}
    descriptives = [r for r in bundle.summary if isinstance(r, Descriptive)]
    comparisons = [r for r in bundle.summary if isinstance(r, Comparison)]
    comparisons.sort(key=lambda r: not r.confirmatory)  # the planned results first
    tables = [
        rates_table(bundle, lang),
        comparison_table(comparisons, lang, threshold=k, labels=labels),
        descriptive_table(descriptives, lang, threshold=k, labels=labels, units=units),
        descriptive_table(bundle.joint, lang, threshold=k, labels=labels, units=units, key="samlet_indikator",
                          title=("Andel enige i alle udsagn (samlet indikator)",
                                 "Share agreeing with every statement (joint indicator)")),
        reliability_table(bundle.reliability, lang, threshold=k, labels=labels),
        *coordination_tables(bundle.coordination, lang, threshold=k),
        *meetings_tables(bundle.meetings, lang, threshold=k, units=units),
        *flow_tables(bundle.flow, lang, threshold=k),
        models_table(bundle.models, lang, threshold=k, labels=labels),
        side_by_side_table(bundle.side_by_side, lang, threshold=k),
    ]
    return {t.key: t for t in tables}


# --- writers -------------------------------------------------------------------------------------
def csv_bytes(table: Table) -> bytes:
    """The table as CSV (UTF-8 with a byte-order mark, so Excel reads the Danish letters),
    its text cells by the one cell rule (service/exports/cells.py)."""
    return frame_csv(table.frame).encode("utf-8-sig")


_XLSX_FORMATS: dict[str, str] = {"int": "#,##0", "dec1": "0.0", "dec2": "0.00", "dec3": "0.000", "pct": "0.0%",
                                 "p": "0.000", "date": "yyyy-mm-dd", "month": "mmm yyyy"}


def write_xlsx(tables: Sequence[Table], path: Path | BinaryIO) -> None:
    """One workbook, one sheet per table: title, bold header row frozen under it, figures
    with number formats, 'for få svar' in grey italics where a group is hidden, the notes
    under the table. Every cell is written by the one cell rule (service/exports/cells.py):
    a name that begins with = is text, never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    names: set[str] = set()
    for table in tables:
        name = _sheet_name(table.key, names)
        sheet = book.create_sheet(name)
        xlsx_cell(sheet.cell(row=1, column=1), table.title).font = Font(bold=True, size=13)
        headers = list(table.frame.columns)
        for j, header in enumerate(headers, 1):
            cell = xlsx_cell(sheet.cell(row=3, column=j), header)
            cell.font, cell.fill = Font(bold=True), header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        too_few = _too_few(table.lang)
        for i, values in enumerate(table.frame.itertuples(index=False), 4):
            for j, (header, value) in enumerate(zip(headers, values), 1):
                kind = table.kinds[header]
                cell = xlsx_cell(sheet.cell(row=i, column=j), _excel_value(value))
                if value == too_few:
                    cell.font = Font(italic=True, color="666666")
                elif kind in _XLSX_FORMATS:
                    cell.number_format = _XLSX_FORMATS[kind]
        sheet.freeze_panes = "A4"
        below = 4 + len(table.frame) + 1
        for k, text_ in enumerate(table.notes):
            xlsx_cell(sheet.cell(row=below + k, column=1), text_).font = Font(italic=True)
        for j, header in enumerate(headers, 1):
            kind = table.kinds[header]
            width = 12 if kind in NUMERIC or kind in ("date", "month") else min(
                40, max([len(str(header))] + [len(str(v)) for v in table.frame[header].head(200)]) + 2)
            sheet.column_dimensions[get_column_letter(j)].width = max(width, min(len(str(header)), 24))
    if not tables:
        book.create_sheet("tom")
    book.save(path)


def _excel_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, (list, dict)):
        return str(value)
    return value


def _sheet_name(key: str, taken: set[str]) -> str:
    """Excel's sheet names: at most 31 characters, none of []:*?/\\, unique."""
    name = re.sub(r"[\[\]:*?/\\]", "_", key)[:31]
    base, n = name, 2
    while name.lower() in taken:
        name = f"{base[:28]}_{n}"
        n += 1
    taken.add(name.lower())
    return name


def html_table(table: Table) -> str:
    """The table as publication HTML (great_tables): title, headers, figures written as a
    Danish (or English) reader writes them, 'for få svar' where a group is hidden, the
    notes as source notes under it. For the report to embed."""
    from great_tables import GT


    shown = table.frame.copy()
    too_few = _too_few(table.lang)
    for header, kind in table.kinds.items():
        shown[header] = [_written(v, kind, table.lang, too_few) for v in table.frame[header]]
    gt = GT(shown).tab_header(title=table.title)
    right = [h for h, k in table.kinds.items() if k in NUMERIC]
    if right:
        gt = gt.cols_align(align="right", columns=right)
    for text_ in table.notes:
        gt = gt.tab_source_note(text_)
    return str(gt.as_raw_html())  # a <style> scoped to the table id, then the table


def _written(value: Any, kind: Kind, lang: Language, too_few: str) -> str:
    """A cell as the publication table shows it: figures by formats.py (Danish: '1.234',
    '0,42', '71,3 %', '< 0,001', 'december 2026')."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value == too_few or kind == "text":
        return str(value)
    if kind == "int":
        return formats.number(float(value), 0, lang)
    if kind in ("dec1", "dec2", "dec3"):
        return formats.number(float(value), int(kind[-1]), lang)
    if kind == "pct":
        return formats.percent(float(value), 1, lang)
    if kind == "p":
        return formats.p_value(float(value), lang)
    if kind == "month" and isinstance(value, dt.date):
        return formats.month(value, lang, short=True)
    if kind == "date" and isinstance(value, dt.date):
        return formats.date(value, lang)
    return str(value)


# --- the command and the HTTP door -------------------------------------------------------------
class TablesWritten(msgspec.Struct, frozen=True, kw_only=True):
    evaluation_id: int
    folder: str
    tables: list[str]
    files: list[str]


def write_tables(tables: dict[str, Table], folder: Path, *, xlsx: bool) -> list[Path]:
    """CSV per table (and the workbook) into a new folder, made beside its target and
    renamed into place only when complete (service/files.py): a failed write leaves no
    folder, an existing one is never replaced."""
    made = NewFolder(folder, "--out")
    with made.writing():
        for table in tables.values():
            with made.file(f"{table.key}.csv") as out:
                out.write(csv_bytes(table))
        with made.file("noter.txt") as out:
            out.write((notes_text(tables) + "\n").encode("utf-8"))
        if xlsx:
            with made.file("tabeller.xlsx") as out:
                write_xlsx(list(tables.values()), out)
    return made.publish()


def notes_text(tables: dict[str, Table]) -> str:
    """The notes of every table, under its file name (noter.txt)."""
    return "\n\n".join(f"{t.key}.csv: {t.title}\n" + "\n".join(f"  {n}" for n in t.notes) for t in tables.values())


async def collect_tables(conn: asyncpg.Connection, evaluation_id: int, *, min_group_size: int,
                         lang: Language = "da") -> dict[str, Table]:
    """The bundle of an evaluation read in one snapshot, as tables."""
    from service.analysis.bundle import collect
    from service.analysis.runtime.snapshot import snapshot

    async with snapshot(conn):
        bundle = await collect(conn, evaluation_id, min_group_size=min_group_size)
    return result_tables(bundle, lang)


def xlsx_bytes(tables: dict[str, Table]) -> bytes:
    import io

    stream = io.BytesIO()
    write_xlsx(list(tables.values()), stream)
    return stream.getvalue()


def csv_zip_bytes(tables: dict[str, Table]) -> bytes:
    import io
    import zipfile

    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in tables.values():
            archive.writestr(f"{table.key}.csv", csv_bytes(table))
        archive.writestr("noter.txt", notes_text(tables))
    return stream.getvalue()
