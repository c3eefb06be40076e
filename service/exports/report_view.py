"""What the evaluation report says, before it is laid out: the analysis results turned
into sections of short paragraphs, tables of already-formatted Danish text and figures.
Kept apart from the layout (service/exports/templates/report.html.j2) so a test can read
what the report claims without parsing HTML, and so the HTML and the PDF say the same.

A suppressed group keeps only its labels here too: every cell of its row says
'for få svar', never a count or an estimate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from itertools import groupby

import msgspec

from service.analysis.bundle import EvaluationResults
from service.analysis.context.labels import Labels
from service.analysis.measures.models.results import ModelTerm
from service.analysis.measures.summary.results import Comparison, Descriptive
from service.exports.formats import as_given, date, interval, month, number, p_value, percent, points
from service.exports.labels import measure_label, questionnaire_label, role_label, target_label, theme_label
from service.exports.leading import key_outcomes
from service.exports.texts import term, text, text_or

TOO_FEW = text("suppressed")  # 'for få svar'

ARMS = ("intervention", "comparison")
PHASES = ("before", "after")


def arm_name(arm: str) -> str:
    """'Indsats' / 'Sammenligning'; an arm the catalogue does not know keeps its name."""
    return text(arm) if arm in ARMS else arm


def phase_name(phase: str) -> str:
    return text(phase) if phase in PHASES else phase


class Table(msgspec.Struct, frozen=True, kw_only=True):
    """A table of formatted text. `html`, when set, is a publication table made by the
    tables library and replaces the plain layout of `headers`/`rows`."""

    key: str
    title: str
    headers: list[str] = []
    rows: list[list[str]] = []
    note: str = ""
    html: str = ""


class Figure(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    title: str
    alt: str
    src: str  # a data: URI (the report is one self-contained file)


class Section(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    title: str
    paragraphs: list[str] = []
    tables: list[Table] = []
    figures: list[Figure] = []


class ReportView(msgspec.Struct, frozen=True, kw_only=True):
    evaluation_id: int
    title: str
    organisation: str
    generated: dt.date
    highlights: list[str]
    sections: list[Section]
    verdict: list[str] = []  # page 1: did the change work on each planned outcome
    min_group_size: int
    min_share: float
    replica_lag: str | None = None  # how far behind the standby read was, in words (None: read on the primary)


# --- formatting --------------------------------------------------------------------------------

def _too_few_row(labels: Sequence[str], width: int) -> list[str]:
    return [*labels, *[TOO_FEW] * (width - len(labels))]


# --- sections ------------------------------------------------------------------------------------

def design_section(parts: EvaluationResults) -> Section:
    info = parts.evaluation
    arms = {u.arm for u in info.units}
    paragraphs = [
        f"Evalueringen følger {len(info.units)} enheder. Ændringen blev indført {date(info.implementation_date)}"
        + (" (enheder med egen dato står i tabellen)." if any(
            u.implementation_date != info.implementation_date for u in info.units) else "."),
    ]
    if "comparison" in arms:
        paragraphs.append("Sammenligningsenhederne arbejder videre som før i evalueringsperioden og viser, "
                          "hvad der ville være sket uden ændringen (så godt det kan vises uden lodtrækning).")
    else:
        paragraphs.append("Evalueringen har ingen sammenligningsenheder: resultaterne er før-efter-målinger alene.")
    units = Table(key="units", title="Enheder", headers=["Enhed", "Sektor", "Gruppe", "Ændringen indført"],
                  rows=[[u.name, role_label(u.sector), arm_name(u.arm), date(u.implementation_date)]
                        for u in info.units])
    waves = Table(key="waves", title="Målinger", headers=["Måling", "Spørgeskema", "Fase", "Nr.", "Periode"],
                  rows=[[w.name, f"{questionnaire_label(parts.labels, w.questionnaire_id)} (version {w.version})",
                         phase_name(w.phase), str(w.sequence), f"{date(w.opens_on)}–{date(w.closes_on)}"]
                        for w in info.waves])
    tables = [units, waves]
    plan = info.plan
    if plan.outcomes:
        lock = (f"Planen blev låst {date(plan.locked_at.date())}, før eftermålingernes svar forelå."
                if plan.locked_at else "Planen er endnu ikke låst.")
        paragraphs.append("Evalueringsplanen blev aftalt på forhånd og siger, hvilke resultater der er planlagte "
                          f"(konfirmatoriske). {lock}")
        tables.append(Table(
            key="plan", title="Evalueringsplanen",
            headers=["Type", "Spørgeskema", "Mål", "Sammenligning", "Forventet"],
            rows=[["Primært" if o.kind == "primary" else "Sekundært",
                   questionnaire_label(parts.labels, o.questionnaire_id),
                   target_label(parts.labels, o.questionnaire_id, o.theme or o.item or ""),
                   text_or(f"comparison_{o.comparison}", o.comparison),
                   text_or(f"direction_{o.expected_direction}", o.expected_direction)] for o in plan.outcomes]))
    else:
        paragraphs.append("Der er ikke aftalt en evalueringsplan med planlagte udfald: alle resultater er "
                          "udforskende.")
    return Section(key="design", title="Evalueringens design", paragraphs=paragraphs, tables=tables)


def rates_section(parts: EvaluationResults) -> Section:
    """Who answered, per questionnaire, unit and wave: 'answered / invited (rate)'. A unit
    with fewer answers than the threshold in a wave shows 'for få svar' there, as every
    other figure of so small a group does."""
    tables = []
    names = {u.unit_id: u.name for u in parts.evaluation.units}
    for questionnaire_id in dict.fromkeys(w.questionnaire_id for w in parts.rates):
        waves = sorted((w for w in parts.rates if w.questionnaire_id == questionnaire_id),
                       key=lambda w: (w.sequence, w.wave_id))
        cells: dict[int, list[str]] = {unit_id: [] for unit_id in names}
        for w in waves:
            got = {u.unit_id: u for u in w.units}
            for unit_id, row in cells.items():
                u = got.get(unit_id)
                if u is not None and u.suppressed:
                    row.append(TOO_FEW)
                elif u is None or (u.invited == 0 and u.open_link_responses == 0):
                    row.append("–")
                elif u.response_rate is None:
                    row.append(f"{u.open_link_responses} via åbent link")
                else:
                    extra = f" + {u.open_link_responses} åbent link" if u.open_link_responses else ""
                    row.append(f"{u.submitted} / {u.invited} ({percent(u.response_rate)}){extra}")
        rows = [[names[unit_id], *row] for unit_id, row in sorted(cells.items(), key=lambda kv: names[kv[0]])
                if any(c != "–" for c in row)]
        if rows:
            tables.append(Table(
                key=f"rates_{questionnaire_id}", title=questionnaire_label(parts.labels, questionnaire_id),
                headers=["Enhed", *[f"{phase_name(w.phase)} ({w.wave})" for w in waves]], rows=rows))
    paragraphs = ["Hver celle er besvarede / inviterede (svarprocent). Svarprocenten tæller kun personlige "
                  "invitationer; svar via åbne links (fx en QR-kode på en plakat) har ingen nævner og står for "
                  f"sig selv. En enhed med færre end {parts.threshold} svar i en måling står som '{TOO_FEW}'."]
    tables += _reminder_tables(parts) + _channel_tables(parts) + _weighted_tables(parts)
    return Section(key="rates", title="Svarprocenter", paragraphs=paragraphs, tables=tables)


def _reminder_tables(parts: EvaluationResults) -> list[Table]:
    """What the link and each reminder sent by `sammen remind` brought, per unit and wave
    (units shown in the response rates only)."""
    names = {u.unit_id: u.name for u in parts.evaluation.units}
    rows = []
    for w in sorted(parts.rates, key=lambda w: (w.sequence, w.wave_id)):
        for u in w.units:
            if u.messages:
                rows.append([names.get(u.unit_id, u.unit), f"{phase_name(w.phase)} ({w.wave})", *(
                    f"{m.answered_after} af {m.sent}" for m in u.messages)])
    if not rows:
        return []
    width = max(len(r) for r in rows)
    rows = [r + ["–"] * (width - len(r)) for r in rows]
    return [Table(key="reminders", title="Svar efter link og påmindelser", rows=rows,
                  headers=["Enhed", "Måling", "Linket", *(f"{n}. påmindelse" for n in range(1, width - 2))],
                  note="Hvor mange af dem, der fik linket eller påmindelsen, der svarede, før den næste kom.")]


CHANNEL_NAMES = {"web": "Web", "api": "App (API)", "paper": "Papir", "assisted": "Med hjælp", "easy_read": "Let læst"}


def _channel_tables(parts: EvaluationResults) -> list[Table]:
    """How each arm's responses came in, per wave: the number, and the share per channel
    and with help (a cell under the threshold, and what would give it away, 'for få svar')."""
    rows = []
    for w in sorted(parts.nonresponse.channels, key=lambda w: (w.sequence, w.wave_id, w.arm != "intervention")):
        shares = {s.value: s for s in w.shares}
        cells = [percent(share.estimate) if (share := shares[k].share) is not None else TOO_FEW for k in CHANNEL_NAMES]
        rows.append([f"{phase_name(w.phase)} ({w.wave})", arm_name(w.arm),
                     TOO_FEW if w.responses is None else str(w.responses), *cells])
    if not rows:
        return []
    return [Table(key="channels", title="Svarkanal og hjælp", rows=rows,
                  headers=["Måling", "Gruppe", "Svar", *CHANNEL_NAMES.values()],
                  note="Andel af gruppens svar i målingen. 'Med hjælp': en fagperson hjalp med at svare. 'Let læst':"
                       " svaret i den let læste version, ét spørgsmål ad gangen.")]


def _weighted_tables(parts: EvaluationResults) -> list[Table]:
    """The key outcome themes' after − before, unweighted and weighted for non-response:
    a sensitivity analysis beside the summary's figures."""
    keys = {(k.questionnaire_id, k.theme) for k in key_outcomes(parts) if k.theme}
    rows = []
    for c in parts.nonresponse.themes:
        if (c.questionnaire_id, c.theme) not in keys:
            continue
        labels = [target_label(parts.labels, c.questionnaire_id, c.theme), arm_name(c.arm)]
        if c.suppressed or c.unweighted is None or c.weighted is None or c.effective_after is None:
            rows.append(_too_few_row(labels, 5))
            continue
        rows.append([*labels, f"{number(c.unweighted.estimate, 2)} ({interval(c.unweighted.low, c.unweighted.high)})",
                     f"{number(c.weighted.estimate, 2)} ({interval(c.weighted.low, c.weighted.high)})",
                     number(c.effective_after, 0)])
    if not rows:
        return []
    return [Table(key="weighted", title="Følsomhedsanalyse: vægtet for bortfald", rows=rows,
                  headers=["Tema", "Gruppe", "Ændring, uvægtet (95 %-interval)", "Ændring, vægtet (95 %-interval)",
                           "Effektivt antal svar efter"],
                  note="Vægtet: hvert svar tæller med den inverse svarprocent for dets enhed og måling (inviterede / "
                       "besvarede), så enheder, der svarede mindre, vejer mere; vægtene er normeret til gennemsnit 1 "
                       "i hver gruppe og periode. Welch-interval på de vægtede varianser. Ligger de to ændringer tæt, "
                       "afhænger resultatet ikke af, hvilke enheder der svarede mest.")]


def _comparison_row(c: Comparison, wording: Labels, *, full: bool = True) -> list[str]:
    """A comparison as a row; `full` adds the questionnaire and the test (the planned
    results mix them; an exploratory table is of one questionnaire and test)."""
    labels = [questionnaire_label(wording, c.questionnaire_id)] if full else []
    labels += [target_label(wording, c.questionnaire_id, c.target), arm_name(c.arm)]
    if full:
        labels.append(term(c.test))
    if c.suppressed:
        return _too_few_row(labels, len(labels) + 5)
    is_share = "share" in c.estimate_name
    estimate = percent(c.estimate, 1) if is_share else number(c.estimate, 2)
    effect = f"{term(c.effect.split(' (')[0])} {number(c.effect_size, 2)}" if c.effect_size is not None else ""
    return [*labels, f"{c.n_before} / {c.n_after}", estimate,
            interval(c.ci_low, c.ci_high, 1 if is_share else 2, as_percent=is_share), effect,
            p_value(c.p_adjusted if c.p_adjusted is not None else c.p)]


def _measured_both(parts: EvaluationResults) -> set[tuple[str, str, str]]:
    """(questionnaire, target, arm) asked before and after: a theme asked only after
    (e.g. the citizens' own account of change) has no comparison to show, which is not
    'too few answers'."""
    phases: dict[tuple[str, str, str], set[str]] = {}
    for d in parts.summary:
        if isinstance(d, Descriptive) and d.unit_id is None:
            phases.setdefault((d.questionnaire_id, d.target, d.arm), set()).add(d.phase)
    return {k for k, v in phases.items() if {"before", "after"} <= v}


def _ordered(comparisons: Iterable[Comparison], wording: Labels) -> list[Comparison]:
    return sorted(comparisons, key=lambda c: (target_label(wording, c.questionnaire_id, c.target),
                                              c.arm != "intervention"))


COMPARISON_HEADERS = ["Spørgeskema", "Tema", "Gruppe", "Test", "n før / efter", "Ændring", "95 %-interval",
                      "Effektstørrelse", "p (BH)"]
SHORT_HEADERS = ["Tema", "Gruppe", "n før / efter", "Ændring", "95 %-interval", "Effektstørrelse", "p (BH)"]


def confirmatory_section(parts: EvaluationResults) -> Section:
    planned = [c for c in parts.summary if isinstance(c, Comparison) and c.confirmatory]
    planned_models = [m for m in parts.models if m.confirmatory]
    paragraphs = ["Resultaterne her svarer på evalueringsplanens spørgsmål, aftalt før eftermålingen. De læses "
                  "først og med størst vægt: de er ikke valgt ud, efter at data var set."]
    tables = []
    if planned:
        tables.append(Table(key="confirmatory", title="Planlagte resultater (efter − før)",
                            headers=COMPARISON_HEADERS, rows=[_comparison_row(c, parts.labels) for c in planned],
                            note="p (BH): justeret for mange test med Benjamini–Hochberg inden for hver familie "
                                 "(spørgeskema, gruppe og test)."))
    if planned_models:
        tables.append(_models_table(planned_models, parts.labels, "confirmatory_models", "Planlagte modeller"))
    if not planned and not planned_models:
        paragraphs = ["Evalueringsplanen nævner ingen udfald, som resultaterne kan svare på, så ingen resultater "
                      "er planlagte (konfirmatoriske). Alle resultater nedenfor er udforskende og skal læses "
                      "som forslag til, hvor man kan se nærmere efter, ikke som beviser."]
    return Section(key="confirmatory", title="Planlagte (konfirmatoriske) resultater", paragraphs=paragraphs,
                   tables=tables)


def _models_table(models: Iterable[ModelTerm], wording: Labels, key: str, title: str) -> Table:
    rows = []
    for m in models:
        labels = [questionnaire_label(wording, m.questionnaire_id),
                  target_label(wording, m.questionnaire_id, m.target), m.model, m.term]
        if m.suppressed:
            rows.append(_too_few_row(labels, 7))
        else:
            rows.append([*labels, number(m.estimate, 2), interval(m.ci_low, m.ci_high), p_value(m.p)])
    return Table(key=key, title=title, headers=["Spørgeskema", "Tema", "Model", "Led", "Estimat", "95 %-interval",
                                                "p"], rows=rows)


def exploratory_section(parts: EvaluationResults) -> Section:
    """Per questionnaire, one row per theme and arm: Welch's difference in means for
    independent waves (its Mann–Whitney twin and the linked tests are in the tables
    export), the share agreeing beside it."""
    both = _measured_both(parts)
    comparisons = _ordered((c for c in parts.summary if isinstance(c, Comparison) and not c.confirmatory
                            and (c.questionnaire_id, c.target, c.arm) in both), parts.labels)
    welch = [c for c in comparisons if c.design == "independent" and c.test == "Welch's t"]
    shares = [c for c in comparisons if c.design == "independent" and c.test == "Share agreeing"]
    tables = []
    for questionnaire_id in dict.fromkeys(c.questionnaire_id for c in welch):
        rows = [_comparison_row(c, parts.labels, full=False) for c in welch if c.questionnaire_id == questionnaire_id]
        if rows:
            tables.append(Table(key=f"exploratory_{questionnaire_id}",
                                title=f"{questionnaire_label(parts.labels, questionnaire_id)}: temascorer "
                                      "efter − før",
                                headers=SHORT_HEADERS, rows=rows,
                                note="Welchs t-test for uafhængige målinger; effektstørrelse Hedges' g; p justeret "
                                     "med Benjamini–Hochberg."))
    share_rows = [_comparison_row(c, parts.labels, full=False) for c in shares if c.audience == "citizen"]
    if share_rows:
        tables.append(Table(key="exploratory_shares", title="Borgere: andel enige efter − før",
                            headers=SHORT_HEADERS, rows=share_rows,
                            note="Forskel i andel enige eller helt enige; interval efter Newcombe (hybrid score)."))
    did = [m for m in parts.models if not m.confirmatory and ":" in m.term]
    if did:
        tables.append(_models_table(did, parts.labels, "did", "Forskel i forskelle (fase × gruppe) i modeller"))
    for lead in key_outcomes(parts):  # the declared key theme of each leading questionnaire, per unit
        per_unit = units_table(parts, lead.questionnaire_id, lead.theme) if lead.theme else None
        if per_unit is not None and per_unit.rows:  # a theme not asked has no table, not an empty one
            tables.append(per_unit)
    paragraphs = ["Resultaterne her er ikke aftalt på forhånd. Der er mange af dem, så nogle vil se ud som "
                  "forskelle alene ved et tilfælde; p-værdierne er derfor justeret (Benjamini–Hochberg). Læs "
                  "intervallerne: et interval, der ikke rummer 0, peger på en ændring."]
    return Section(key="exploratory", title="Udforskende resultater", paragraphs=paragraphs, tables=tables)


def units_table(parts: EvaluationResults, questionnaire_id: str, theme: str) -> Table:
    """One theme per unit before and after: where the small units show as 'for få svar'."""
    names = {u.unit_id: u.name for u in parts.evaluation.units}
    rows = []
    found = [d for d in parts.summary if isinstance(d, Descriptive) and d.questionnaire_id == questionnaire_id
             and d.target == theme and d.unit_id is not None]
    latest = max((d.sequence for d in found if d.phase == "after"), default=0)
    for unit_id, name in sorted(names.items(), key=lambda kv: kv[1]):
        for phase in ("before", "after"):
            for d in found:
                if d.unit_id == unit_id and d.phase == phase and (phase == "before" or d.sequence == latest):
                    label = [name, arm_name(d.arm), text(phase)]
                    rows.append(_too_few_row(label, 6) if d.suppressed or d.n is None else
                                [*label, str(d.n), number(d.mean, 2), interval(d.mean_low, d.mean_high)])
                    break
    audience = text_or(f"audience_{found[0].audience}", found[0].audience).lower() if found else ""
    title = f"{theme_label(parts.labels, questionnaire_id, theme)} pr. enhed ({audience})"
    return Table(key="units_theme", title=title,
                 headers=["Enhed", "Gruppe", "Måling", "n", "Gennemsnit (1–5)", "95 %-interval"], rows=rows,
                 note=f"'{TOO_FEW}': gruppen har færre svar end grænsen og vises ikke.")


def coordination_section(parts: EvaluationResults) -> Section:
    rc = parts.coordination
    paragraphs = ["Relationel koordinering måler, hvordan medarbejderne oplever samarbejdet med hver anden "
                  "faggruppe på syv dimensioner (hyppig, rettidig, præcis og problemløsende kommunikation; fælles "
                  "mål, fælles viden og gensidig respekt). Et bånd er én faggruppes vurdering af en anden."]
    if not rc.indices:
        return Section(key="coordination", title="Relationel koordinering",
                       paragraphs=[*paragraphs, "Der er ingen medarbejdersvar om samarbejdet mellem faggrupperne "
                                                "i evalueringen."])
    overall = [i for i in rc.indices if i.level == "all"]
    rows = []
    for i in sorted(overall, key=lambda i: (i.arm != "intervention", i.sequence)):
        labels = [arm_name(i.arm), phase_name(i.phase)]
        rows.append(_too_few_row(labels, 5) if i.suppressed else
                    [*labels, str(i.n), number(i.mean, 2), interval(i.mean_low, i.mean_high)])
    tables = [Table(key="rc_overall", title="Samlet indeks pr. gruppe og måling",
                    headers=["Gruppe", "Måling", "n", "Indeks (1–5)", "95 %-interval"], rows=rows)]
    ties = [c for c in rc.comparisons if c.design == "independent" and c.test == "Welch's t"]
    tie_rows = []
    for c in sorted(ties, key=lambda c: (c.arm != "intervention", c.rater_role, c.rated_role)):
        labels = [arm_name(c.arm), role_label(c.rater_role), role_label(c.rated_role)]
        tie_rows.append(_too_few_row(labels, 6) if c.suppressed else
                        [*labels, f"{c.n_before} / {c.n_after}", number(c.estimate, 2), interval(c.ci_low, c.ci_high)])
    tables.append(Table(key="rc_ties", title="Ændring pr. bånd (efter − før)",
                        headers=["Gruppe", "Vurderende", "Vurderet", "n før / efter", "Ændring", "95 %-interval"],
                        rows=tie_rows, note="Welchs t-interval for forskellen i gennemsnit."))
    return Section(key="coordination", title="Relationel koordinering", paragraphs=paragraphs, tables=tables)


def meetings_section(parts: EvaluationResults) -> Section:
    m = parts.meetings
    paragraphs = ["Efter handleplans- og opfølgningsmøder svarer borgeren og medarbejderen hver på et kort "
                  "skema: blev borgeren hørt, handlede mødet om borgerens mål, deltog de rigtige, og blev "
                  "opfølgningen aftalt."]
    if not m.comparisons:
        return Section(key="meetings", title="Møder",
                       paragraphs=[*paragraphs, "Der er ingen mødeevalueringer i evalueringen."])
    rows = [_comparison_row(c, parts.labels) for c in m.comparisons]
    return Section(key="meetings", title="Møder", paragraphs=paragraphs, tables=[Table(
        key="meetings", title="Andel enige efter − før pr. gruppe", headers=COMPARISON_HEADERS, rows=rows,
        note="Forskel i andel møder med svaret enig eller helt enig; interval efter Newcombe.")])


def flow_section(parts: EvaluationResults) -> Section:
    flow = parts.flow
    title = "Borgerforløb"
    if not flow.monthly:
        return Section(key="flow", title=title, paragraphs=["Der er ikke indlæst tal for borgerforløb."])
    paragraphs = ["Tallene kommer fra fagsystemet: indskrevne borgere ved månedens start og forløb startet og "
                  "afsluttet i måneden. Prognosen viser, hvor mange der kunne forventes indskrevet uden ændringen, "
                  "ud fra udviklingen før den (som i Sønderborg: 640 forventet, 533 observeret)."]
    rows = []
    for f in flow.forecasts:
        label = [f.series.replace("arm intervention", "Indsats").replace("arm comparison", "Sammenligning"),
                 month(f.at)]
        if f.suppressed or f.expected is None:
            rows.append(_too_few_row(label, 6))
            continue
        rows.append([*label, number(f.expected, 0), interval(f.pi_low, f.pi_high, 0), str(f.observed),
                     number(f.difference, 0)])
        if f.series == "arm intervention" and f.observed is not None:
            paragraphs.append(f"Indsatsenhederne: forventet {number(f.expected, 0)} indskrevne i {month(f.at)}, "
                              f"observeret {f.observed}.")
    tables = [Table(key="flow_forecast", title="Indskrevne: forventet uden ændringen mod observeret",
                    headers=["Serie", "Måned", "Forventet", "95 %-prognoseinterval", "Observeret", "Forskel"],
                    rows=rows)]
    d = flow.difference
    if d is not None and not d.suppressed and d.estimate is not None:
        paragraphs.append(f"Afsluttede forløb pr. indskrevet steg i indsatsenhederne med {percent(d.relative, 1)} "
                          f"ud over sammenligningsenhedernes udvikling (forskel i forskelle {points(d.estimate)} "
                          f"procentpoint, 95 %-interval {interval(d.ci_low, d.ci_high, as_points=True)}).")
        tables.append(Table(key="flow_did", title="Afsluttede forløb pr. indskrevet: forskel i forskelle",
                            headers=["Periode", "Indsats", "Sammenligning"],
                            rows=[["Før", percent(d.intervention_before, 2), percent(d.comparison_before, 2)],
                                  ["Efter", percent(d.intervention_after, 2), percent(d.comparison_after, 2)],
                                  ["Forskel i forskelle", percent(d.estimate, 2), interval(d.ci_low, d.ci_high, 2,
                                                                                       as_percent=True)]],
                            note="OLS af månedlige rater med Newey–West-standardfejl (HAC), "
                                 f"maxlags={d.maxlags}."))
    return Section(key="flow", title=title, paragraphs=paragraphs, tables=tables)


def side_by_side_section(parts: EvaluationResults) -> Section:
    """The changes per unit and arm. A unit's change too small to show is not a row of
    'for få svar' (in the demo a third of the table): the units and measures left out
    are named once, with why."""
    rows = []
    hidden: dict[str, list[str]] = {}
    for c in parts.side_by_side:
        if c.level == "sector":
            continue
        where = c.unit if c.level == "unit" else f"Hele gruppen: {arm_name(c.arm).lower()}"
        labels = [where or "", arm_name(c.arm), measure_label(c.measure)]
        is_share = c.measure in ("flow_ended", "meetings_heard")
        if (c.suppressed or c.change is None) and c.level == "unit":
            hidden.setdefault(where or "", []).append(measure_label(c.measure).lower())
            continue
        rows.append(_too_few_row(labels, 5) if c.suppressed or c.change is None else
                    [*labels, percent(c.change, 1) if is_share else number(c.change, 2),
                     interval(c.ci_low, c.ci_high, 1 if is_share else 2, as_percent=is_share)])
    goals = any(c.measure == "goal_attainment" for c in parts.side_by_side)
    paragraphs = [("Samarbejde, møder, borgernes indflydelse, afsluttede forløb og borgernes egne mål" if goals else
                   "Samarbejde, møder, borgernes indflydelse og afsluttede forløb")
                  + " side om side: flytter de sig sammen i de samme enheder?"]
    if hidden:
        named = "; ".join(f"{unit} ({', '.join(measures)})" for unit, measures in hidden.items())
        paragraphs.append(f"Ikke i tabellen, fordi enheden havde for få svar før eller efter til at vise ændringen "
                          f"(under {parts.threshold}): {named}. Gruppernes samlede ændring omfatter dem.")
    return Section(key="side_by_side", title="Side om side", paragraphs=paragraphs, tables=[Table(
        key="side_by_side", title="Ændring efter − før pr. enhed", rows=rows,
        headers=["Enhed", "Gruppe", "Mål", "Ændring", "95 %-interval"])] if rows else [])


def importance_section(parts: EvaluationResults) -> Section | None:
    """The discovery survey's ranking of candidate quality themes (best–worst questions):
    only in a report whose evaluation asked one."""
    if not parts.importance:
        return None
    tables = []
    for r in parts.importance:
        where = f"{questionnaire_label(parts.labels, r.questionnaire_id)}, {phase_name(r.phase).lower()} {r.sequence}"
        themes = sorted(r.themes, key=lambda t: -(t.score.estimate if t.score else 0.0))
        rows = [_too_few_row([t.label_da], 4) if r.suppressed or t.score is None else
                [t.label_da, number(t.score.estimate, 2), interval(t.score.low, t.score.high),
                 percent(t.share, 0) if t.share is not None else "–"] for t in themes]
        note = ("Score: (gange valgt som vigtigst − gange valgt som mindst vigtigt) / gange vist, gennemsnit over "
                "svarpersonerne, 95 %-interval efter Student t. Andel af præference: sandsynligheden for at temaet "
                "vælges som vigtigst blandt alle temaerne, fra bedst–værst-logit-modellen.")
        if r.equal is not None:
            p = p_value(r.equal.p)
            p = p if p.startswith("<") else f"= {p}"
            note += (f" Test af lige vigtighed: F = {number(r.equal.statistic, 1)}, p {p}"
                     f" ({r.respondents} svarpersoner).")
        tables.append(Table(key="importance", title=f"Temaernes vigtighed: {where}", rows=rows, note=note,
                            headers=["Tema", "Score", "95 %-interval", "Andel af præference"]))
    return Section(key="importance", title="Vigtigste temaer", paragraphs=[
        "Svarpersonerne så temaerne nogle få ad gangen og valgte hver gang det vigtigste og det mindst vigtige "
        "(bedst–værst-skalering). Temaerne står med det vigtigste øverst."], tables=tables)


def goal_attainment_section(parts: EvaluationResults) -> Section | None:
    """The citizens' own goals (Goal Attainment Scaling): only in a report whose
    evaluation follows goals up. One table per goal question and follow-up wave."""
    if not parts.goal_attainment:
        return None
    names = {u.unit_id: u.name for u in parts.evaluation.units}
    tables = []
    for (qid, _item, sequence), group in groupby(parts.goal_attainment,
                                                key=lambda r: (r.questionnaire_id, r.item_id, r.sequence)):
        listed = list(group)
        rows = []
        for r in listed:
            where = f"Hele gruppen: {arm_name(r.arm).lower()}" if r.unit_id is None else names.get(r.unit_id, "")
            c = r.change
            if r.suppressed or c is None:
                rows.append(_too_few_row([where, arm_name(r.arm)], 7))
                continue
            improving = interval(c.improving.low, c.improving.high, 0, as_percent=True)
            rows.append([where, arm_name(r.arm), str(r.citizens), number(c.baseline.estimate, 1),
                         number(c.follow_up.estimate, 1),
                         f"{number(c.change.estimate, 1)} ({interval(c.change.low, c.change.high, 1)})",
                         f"{percent(c.improving.estimate, 0)} ({improving})"])
        rho = as_given(listed[0].rho)
        tables.append(Table(
            key="goal_attainment", rows=rows,
            title=f"Borgernes egne mål: {questionnaire_label(parts.labels, qid)}, opfølgning {sequence}",
            headers=["Enhed", "Gruppe", "Borgere", "T ved udgangspunkt", "T ved opfølgning",
                     "Ændring (95 %-interval)", "Andel der er gået frem (95 %-interval)"],
            note=f"GAS T-score efter Kiresuk & Sherman (1968) med ρ = {rho}, over de mål, der er vurderet ved "
                 "opfølgningen; 50 betyder, at målene i gennemsnit er nået som forventet. Ændringen er gennemsnittet "
                 "af hver borgers ændring med parret t-interval; andelen med Wilsons interval."))
    return Section(key="goal_attainment", title="Borgernes egne mål", paragraphs=[
        "Borgerne satte sig op til tre mål sammen med en fagperson og vurderede ved opfølgningen, hvor langt de "
        "var nået, fra −2 (meget mindre end forventet) til +2 (meget mere end forventet)."], tables=tables)


def verdict(parts: EvaluationResults) -> list[str]:
    """Page 1's answer, in plain Danish, to the question the plan asked: for each planned
    outcome, did it move as expected in the intervention arm (Welch's interval of after −
    before), and by how much beyond the comparison units (the difference in differences
    of the linear mixed model) where there are any. 'Not shown' where the interval holds
    zero: a reader must not take a result for an effect, nor its absence for none."""
    out = []
    for o in parts.evaluation.plan.outcomes:
        target = o.theme or o.item or ""
        name = target_label(parts.labels, o.questionnaire_id, target)
        c = next((c for c in parts.summary if isinstance(c, Comparison) and c.confirmatory
                  and (c.questionnaire_id, c.target, c.arm, c.test) == (o.questionnaire_id, target, "intervention",
                                                                       "Welch's t")), None)
        if c is None or c.suppressed or c.estimate is None or c.ci_low is None or c.ci_high is None:
            out.append(f"{name}: kan ikke vurderes endnu (for få svar før eller efter i indsatsgruppen).")
            continue
        estimate, low, high = c.estimate, c.ci_low, c.ci_high
        up, down = low > 0, high < 0
        expected = {"increase": up, "decrease": down}.get(o.expected_direction, up or down)
        moved = "steg" if estimate > 0 else "faldt"
        scale = "temaets" if o.theme else "spørgsmålets"
        change = f"{number(estimate, 2)} point på {scale} skala efter − før (95 %-interval {interval(low, high)})"
        if expected:
            line = f"Ja: {name.lower()} {moved} som planlagt i indsatsgruppen, {change}"
        elif up or down:
            line = f"Nej: {name.lower()} {moved} i indsatsgruppen, modsat det planlagte, {change}"
        else:
            line = (f"Ikke påvist: {name.lower()} i indsatsgruppen ændrede sig ikke mere, end tilfældig variation "
                    f"kan forklare, {change}")
        did = next((t for t in parts.models if t.term == "after × intervention" and t.model == "linear mixed model"
                    and (t.questionnaire_id, t.target) == (o.questionnaire_id, target) and not t.suppressed), None)
        if did is not None and did.estimate is not None and did.ci_low is not None and did.ci_high is not None:
            d, d_low, d_high = did.estimate, did.ci_low, did.ci_high
            beyond = "mere" if d >= 0 else "mindre"
            shown = "" if d_low > 0 or d_high < 0 else ", som tilfældig variation også kan forklare"
            line += (f"; det er {number(abs(d), 2)} point {beyond} end i sammenligningsgruppen "
                     f"(forskel i forskelle, 95 %-interval {interval(d_low, d_high)}){shown}")
        out.append(line + ".")
    return out


def highlights(parts: EvaluationResults) -> list[str]:
    """The few sentences a reader who reads nothing else should see."""
    out = []
    for c in parts.summary:
        if isinstance(c, Comparison) and c.confirmatory and not c.suppressed and c.test in (
                "Welch's t", "paired t", "Share agreeing", "McNemar"):
            share = "share" in c.estimate_name  # a change of a share: in percentage points
            change = f"{points(c.estimate, 1)} procentpoint" if share else number(c.estimate, 2)
            shown = interval(c.ci_low, c.ci_high, 1, as_points=True) if share else interval(c.ci_low, c.ci_high)
            line = (f"Planlagt: {target_label(parts.labels, c.questionnaire_id, c.target)} "
                    f"({arm_name(c.arm).lower()}, {term(c.test)}): ændring {change}"
                    + (f" (95 %-interval {shown}{' procentpoint' if share else ''})." if shown else "."))
            if line not in out:  # McNemar's two variants give one change
                out.append(line)
    for c in parts.summary:
        if (isinstance(c, Comparison) and not c.confirmatory and not c.suppressed and c.test == "Welch's t"
                and c.design == "independent" and c.audience == "citizen" and c.ci_low is not None
                and c.ci_high is not None and (c.ci_low > 0 or c.ci_high < 0)):
            out.append(f"Borgernes {target_label(parts.labels, c.questionnaire_id, c.target).lower()} "
                       f"({arm_name(c.arm).lower()}): {number(c.estimate, 2)} point på temaets skala efter − før "
                       f"(95 %-interval {interval(c.ci_low, c.ci_high)}).")
    if parts.flow.difference and not parts.flow.difference.suppressed \
            and parts.flow.difference.relative is not None:
        out.append(f"Afsluttede forløb pr. indskrevet: {percent(parts.flow.difference.relative, 1)} i indsatsenhederne "
                   "ud over sammenligningsenhedernes udvikling.")
    return out


def build_view(parts: EvaluationResults, figures: dict[str, list[Figure]], tables: dict[str, list[Table]],
               generated: dt.date | None = None) -> ReportView:
    """The report's content; `figures` and `tables` (by section key) come from the
    chart and table libraries and are appended to their section."""
    sections = [design_section(parts), rates_section(parts), confirmatory_section(parts), exploratory_section(parts),
                coordination_section(parts), meetings_section(parts), flow_section(parts),
                side_by_side_section(parts)]
    if (importance := importance_section(parts)) is not None:
        sections.append(importance)
    if (goals := goal_attainment_section(parts)) is not None:
        sections.append(goals)
    if tables.get("appendix"):
        sections.append(Section(key="appendix", title="Bilag: tabeller", paragraphs=[
            "Udvalgte resultater i fuld form, med test, variant og interval. Alle resultater findes som tabeller "
            "i Excel og CSV på evaluatorens side (eller med sammen export tables)."]))
    sections = [msgspec.structs.replace(s, figures=[*s.figures, *figures.get(s.key, [])],
                                        tables=[*s.tables, *tables.get(s.key, [])]) for s in sections]
    return ReportView(evaluation_id=parts.evaluation.id, title=parts.evaluation.name,
                      organisation=parts.organisation, generated=generated or dt.date.today(),
                      highlights=highlights(parts), verdict=verdict(parts), sections=sections,
                      min_group_size=parts.threshold,
                      min_share=parts.min_share, replica_lag=lag_in_words(parts.replica_lag))


def lag_in_words(seconds: float | None) -> str | None:
    """How far behind its primary the standby the figures were read on was, as a reader
    says it ('mindre end et sekund', '12 sekunder', '4 minutter')."""
    if seconds is None:
        return None
    if seconds < 1:
        return "mindre end et sekund"
    if seconds < 90:
        whole = round(seconds)
        return f"{whole} sekund" if whole == 1 else f"{whole} sekunder"
    return f"{number(seconds / 60, 0)} minutter"
