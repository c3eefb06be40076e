"""Every text the exports write for a reader, in Danish (the default) and English, in one
catalogue: chart titles and axes, publication tables' headers and notes, the report's
words for arms, waves, designs and tests, the names of the side-by-side measures and the
meeting aspects. Figures are written by formats.py (Babel); the questionnaires' own
wordings come from the stored codebook (labels.py), never from here.

A text with fields ('{low} til {high}') is filled by `text(key, lang, low=..., high=...)`.
A new table, chart or report passage adds its texts here, in its own section."""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["da", "en"]

TEXTS: dict[str, dict[Language, str]] = {
    # --- shared ----------------------------------------------------------------------------------------------
    "suppressed": {"da": 'for få svar', "en": 'too few answers'},
    "before": {"da": 'Før', "en": 'Before'},
    "after": {"da": 'Efter', "en": 'After'},
    "change": {"da": 'Ændring', "en": 'Change'},
    "intervention": {"da": 'Indsats', "en": 'Intervention'},
    "comparison": {"da": 'Sammenligning', "en": 'Comparison'},
    "all": {"da": 'Alle', "en": 'All'},
    "questionnaire": {"da": 'Spørgeskema', "en": 'Questionnaire'},
    "version": {"da": 'version', "en": 'version'},
    "versions": {"da": 'version', "en": 'versions'},
    "n": {"da": 'n', "en": 'n'},
    "ci95": {"da": 'Streger: 95 %-konfidensinterval', "en": 'Bars: 95 % confidence interval'},
    "wilson": {"da": 'Streger: 95 %-interval (Wilson)', "en": 'Bars: 95 % interval (Wilson)'},
    "suppressed_note": {"da": "'for få svar': gruppen er for lille til at blive vist",
                       "en": "'too few answers': the group is too small to be shown"},
    "phase": {"da": 'Måling', "en": 'Wave'},
    "arm": {"da": 'Gruppe', "en": 'Arm'},
    "unit": {"da": 'Enhed', "en": 'Unit'},
    "units": {"da": 'enheder', "en": 'units'},
    "month": {"da": 'Måned', "en": 'Month'},
    "share": {"da": 'Andel', "en": 'Share'},
    "theme": {"da": 'Tema', "en": 'Theme'},
    "answer": {"da": 'Svar', "en": 'Answer'},
    # --- answer distribution (Likert) ------------------------------------------------------------------------
    "likert_title": {"da": 'Svarfordeling pr. spørgsmål før og efter', "en": 'Answers per question before and after'},
    "likert_x": {"da": 'Andel af svarene (uenige til venstre, enige til højre)',
                "en": 'Share of answers (disagreeing left, agreeing right)'},
    "likert_note": {"da": "'Ved ikke' er ikke med i andelene", "en": "'Don't know' is left out of the shares"},
    "likert_reversed": {"da": "(omvendt: uenig er godt)", "en": "(reversed: disagreeing is good)"},
    # --- theme scores and shares -----------------------------------------------------------------------------
    "scores_title": {"da": 'Temascorer før og efter', "en": 'Theme scores before and after'},
    "scores_x": {"da": 'Gennemsnit på temaets skala', "en": "Mean on the theme's scale"},
    "share_title": {"da": 'Andel enige før og efter', "en": 'Share agreeing before and after'},
    "share_x": {"da": 'Andel enige eller helt enige', "en": 'Share agreeing or strongly agreeing'},
    "share_means": {"da": 'Enig: en temascore i den øverste fjerdedel af skalaen (4-5 på 1-5, 7,5-10 på 0-10)',
                    "en": "Agreeing: a theme score in the top quarter of the scale (4-5 on 1-5, 7.5-10 on 0-10)"},
    "share_mixed": {"da": 'Uden andel enige (spørgsmål på forskellige skalaer): {themes}',
                    "en": 'No share agreeing (questions on different scales): {themes}'},
    "did_title": {"da": 'Forskel i forskelle: indsats mod sammenligning',
                 "en": 'Difference in differences: intervention against comparison'},
    "did_x": {"da": 'Ændring i indsatsgruppen ud over sammenligningsgruppens (skalapoint)',
             "en": "Change in the intervention arm beyond the comparison arm's (scale points)"},
    "confirmatory": {"da": 'Planlagt (konfirmatorisk)', "en": 'Planned (confirmatory)'},
    "exploratory": {"da": 'Udforskende', "en": 'Exploratory'},
    "n_model": {"da": 'svar i modellen', "en": 'responses in the model'},
    "analysis_kind": {"da": 'Analyse', "en": 'Analysis'},
    "joint_title": {"da": 'Andel enige i alle udsagn (samlet indikator)',
                   "en": 'Share agreeing with every statement (joint indicator)'},
    # --- relational coordination -----------------------------------------------------------------------------
    "rc_title": {"da": 'Relationel koordinering mellem faggrupper',
                "en": 'Relational coordination between role groups'},
    "rc_change_title": {"da": 'Ændring i relationel koordinering (efter − før)',
                       "en": 'Change in relational coordination (after − before)'},
    "rc_rater": {"da": 'Vurderende faggruppe', "en": 'Rating role group'},
    "rc_rated": {"da": 'Vurderet faggruppe', "en": 'Rated role group'},
    "rc_index": {"da": 'Indeks (1–5)', "en": 'Index (1–5)'},
    "rc_change_note": {"da": 'Ændring: forskel i gennemsnit efter − før (Welchs t; parret t for de samme medarbejdere)',
                      "en": "Change: difference in means after − before (Welch's t; paired t for the same staff)"},
    "rc_scoring": {"da": 'Indeks: gennemsnit af de besvarede dimensioner (1–5) for hver vurdering af en faggruppe',
                  "en": 'Index: the mean of the dimensions answered (1–5) in each rating of a role group'},
    "rc_roles_title": {"da": 'Hver faggruppes koordinering med de andre',
                      "en": "Each role group's coordination with the others"},
    # --- meetings --------------------------------------------------------------------------------------------
    "meetings_title": {"da": 'Mødeevalueringer pr. måned', "en": 'Meeting evaluations per month'},
    "meetings_y": {"da": 'Andel møder, hvor svaret var enig eller helt enig',
                  "en": 'Share of meetings answered agree or strongly agree'},
    "citizen": {"da": 'Borgere', "en": 'Citizens'},
    "staff": {"da": 'Medarbejdere', "en": 'Staff'},
    "viewpoint": {"da": 'Svar fra', "en": 'Answers from'},
    # --- flow ------------------------------------------------------------------------------------------------
    "flow_title": {"da": 'Borgerforløb: indskrevne og afsluttede', "en": 'Citizen flow: enrolled and ended'},
    "enrolled": {"da": 'Indskrevne borgere', "en": 'Citizens enrolled'},
    "ended": {"da": 'Afsluttede forløb pr. måned', "en": 'Courses ended per month'},
    "observed": {"da": 'Observeret', "en": 'Observed'},
    "expected": {"da": 'Forventet uden ændringen', "en": 'Expected without the change'},
    "band": {"da": '95 %-prognoseinterval', "en": '95 % prediction interval'},
    "implementation": {"da": 'Ændringen indført', "en": 'Change introduced'},
    "flow_gap": {"da": 'Forventet {expected} · observeret {observed} · {gap} færre end forventet',
                "en": 'Expected {expected} · observed {observed} · {gap} fewer than expected'},
    "flow_gap_more": {"da": 'Forventet {expected} · observeret {observed} · {gap} flere end forventet',
                     "en": 'Expected {expected} · observed {observed} · {gap} more than expected'},
    "flow_forecast": {"da": 'Prognose: {method} fra {n} måneder før ændringen',
                     "en": 'Forecast: {method} from {n} months before the change'},
    "flow_n": {"da": "n: {n} indskrevne borgere (maks.)", "en": "n: {n} enrolled (max)"},
    "forecast_linear": {"da": "lineær trend (OLS på måned)", "en": "linear trend (OLS on month)"},
    "forecast_holt": {"da": "Holts lineære eksponentielle udglatning", "en": "Holt's linear exponential smoothing"},
    "soenderborg_subtitle": {"da": "Sønderborg (syntetiske data efter de offentliggjorte tal)",
                             "en": "Sønderborg (synthetic data matching the published figures)"},
    # --- side by side ----------------------------------------------------------------------------------------
    "sbs_title": {"da": 'Ændringer side om side pr. enhed', "en": 'Changes side by side per unit'},
    "sbs_x": {"da": 'Ændring efter − før', "en": 'Change after − before'},
    # --- theme importance (a best–worst question) ------------------------------------------------------------
    "importance_title": {"da": 'Hvad er vigtigst? Temaerne efter bedst–værst-score',
                         "en": 'What matters most? The themes by best–worst score'},
    "importance_y": {"da": '(gange vigtigst − gange mindst vigtigt) / gange vist',
                     "en": '(times most − times least important) / times shown'},
    "wave": {"da": 'Måling', "en": 'Wave'},
    "respondents": {"da": 'svarpersoner', "en": 'respondents'},
    # --- goal attainment (a goal question, GAS) --------------------------------------------------------------
    "gas_title": {"da": 'Borgernes egne mål: GAS T-score ved udgangspunkt og opfølgning',
                  "en": "Citizens' own goals: GAS T-score at baseline and follow-up"},
    "gas_y": {"da": 'GAS T-score (50 = målene nået som forventet)', "en": 'GAS T-score (50 = goals met as expected)'},
    "gas_baseline": {"da": 'Udgangspunkt', "en": 'Baseline'},
    "gas_follow_up": {"da": 'Opfølgning', "en": 'Follow-up'},
    "gas_stage": {"da": 'Tidspunkt', "en": 'Time'},
    "gas_method": {"da": 'T-score efter Kiresuk & Sherman, ρ = {rho}',
                   "en": 'T-score after Kiresuk & Sherman, ρ = {rho}'},
    "gas_short": {"da": 'Borgernes egne mål', "en": "Citizens' own goals"},
    "citizens": {"da": 'borgere', "en": 'citizens'},
    # --- response rates --------------------------------------------------------------------------------------
    "rates_title": {"da": 'Svarprocent pr. enhed og måling', "en": 'Response rate per unit and wave'},
    "rates_x": {"da": 'Svarprocent (besvarede / inviterede)', "en": 'Response rate (answered / invited)'},
    "invited": {"da": 'inviterede', "en": 'invited'},
    "answered": {"da": 'besvarede', "en": 'answered'},
    "rates_none": {"da": 'ingen invitationer', "en": 'no invitations'},
    # --- publication tables' notes ---------------------------------------------------------------------------
    "note_suppression": {"da": "'for få svar': gruppen har færre end {k} svar (eller spørgsmålets egen, strengere "
                               "grænse), så dens tal vises ikke.",
                        "en": "'too few answers': the group has fewer than {k} answers (or the item's own, stricter "
                              "threshold), so its figures are not shown."},
    "note_methods": {"da": 'Metoder: {methods}.', "en": 'Methods: {methods}.'},
    "note_bh": {"da": 'p justeret: Benjamini–Hochberg inden for et spørgeskema, en gruppe og en test.',
               "en": 'p adjusted: Benjamini–Hochberg within one questionnaire, arm and test.'},
    "note_confirmatory": {"da": "Planlagt: resultatet svarer på et udfald i evalueringsplanen (konfirmatorisk); de "
                                "øvrige er udforskende.",
                         "en": "Planned: the result answers an outcome of the evaluation plan (confirmatory); the "
                               "others are exploratory."},
    "note_estimate_reads": {"da": 'Estimat og effekt læses efter − før.',
                           "en": 'Estimate and effect read after − before.'},
    "note_ci": {"da": 'Intervaller: 95 %.', "en": 'Intervals: 95 %.'},
    "note_flow_disclosure": {"da": 'Flow: {rule}', "en": 'Flow: {rule}'},
    "note_rates": {"da": "Svarprocent: besvarede personlige invitationer / udsendte; svar via åbne links har ingen "
                         "nævner og tælles ved siden af. En enhed med færre svar end tærsklen står som 'for få "
                         "svar'.",
                  "en": "Response rate: answered personal invitations / issued; answers through open links have no "
                        "denominator and are counted beside it. A unit with fewer answers than the threshold reads "
                        "'too few answers'."},
    # --- figures ------------------------------------------------------------------------------------
    "interval": {"da": "{low} til {high}", "en": "{low} to {high}"},
    "missing": {"da": "{key} (tekst mangler)", "en": "{key} (wording missing)"},
    "yes": {"da": "Ja", "en": "Yes"},
    "no": {"da": "Nej", "en": "No"},
    # --- the report's words for a design, an audience, a comparison, a direction ---------------------
    "design_independent": {"da": "uafhængige målinger", "en": "independent waves"},
    "design_linked": {"da": "samme personer før og efter", "en": "the same people before and after"},
    "audience_citizen": {"da": "Borgere", "en": "Citizens"},
    "audience_relative": {"da": "Pårørende", "en": "Relatives"},
    "audience_staff": {"da": "Medarbejdere", "en": "Staff"},
    "audience_meeting": {"da": "Møder", "en": "Meetings"},
    "comparison_before_after": {"da": "før mod efter", "en": "before against after"},
    "comparison_intervention_vs_comparison": {"da": "indsats mod sammenligning",
                                              "en": "intervention against comparison"},
    "comparison_difference_in_differences": {"da": "forskel i forskelle", "en": "difference in differences"},
    "direction_increase": {"da": "stigning", "en": "increase"},
    "direction_decrease": {"da": "fald", "en": "decrease"},
    "direction_any": {"da": "ændring", "en": "change"},
    # --- the side-by-side measures (the analysis names them by key) ----------------------------------
    "measure_coordination": {"da": "Relationel koordinering (indeks 1–5)", "en": "Relational coordination (index 1–5)"},
    "measure_meetings_heard": {"da": "Møder, hvor borgeren blev hørt (andel)",
                               "en": "Meetings where the citizen was heard (share)"},
    "measure_influence": {"da": "Borgernes indflydelse (temascore 1–5)", "en": "Citizens' influence (theme score 1–5)"},
    "measure_flow_ended": {"da": "Afsluttede forløb pr. indskrevet (relativ ændring)",
                           "en": "Ended courses per enrolled (relative change)"},
    "measure_goal_attainment": {"da": "Borgernes egne mål (GAS T-score)", "en": "Citizens' own goals (GAS T-score)"},
    # --- the meeting aspects (service/surveys/model.py MEETING_ASPECTS) -------------------------------
    "aspect_heard": {"da": "Borgeren blev hørt", "en": "The citizen was heard"},
    "aspect_goals": {"da": "Mødet handlede om borgerens mål", "en": "The meeting dealt with the citizen's goals"},
    "aspect_right_people": {"da": "De rette personer var med", "en": "The right people took part"},
    "aspect_follow_up": {"da": "Opfølgning aftalt", "en": "Follow-up agreed"},
}


def text(key: str, lang: Language = "da", /, **fields: object) -> str:
    """The text `key` in `lang`, with `fields` filled in. An unknown key is a KeyError: a
    label is never made up from its key."""
    chosen = TEXTS[key]["en" if lang == "en" else "da"]
    return chosen.format(**fields) if fields else chosen


def known(key: str) -> bool:
    """Whether the catalogue has `key` (for names the analysis makes, such as a test's)."""
    return key in TEXTS


def text_or(key: str, fallback: str, lang: Language = "da") -> str:
    """The text `key`, or `fallback` (the analysis' own name) where the catalogue has none."""
    return text(key, lang) if key in TEXTS else fallback


# --- the analysis' own vocabulary in Danish --------------------------------------------------------------
# The analysis names its tests, variants, estimates and methods in English (it holds no
# Danish, issue 18): the Danish tables, report and charts show them through term(), the
# one place their Danish names are kept.
# Phrases, longest first; a number, a date or a formula between them stays as it is.
# Names of methods and software (Newey–West, Mann–Whitney, statsmodels) are not translated.
TERMS_DA: dict[str, str] = {
    # flow: forecasts, interrupted time series, difference in differences
    "linear trend: OLS of enrolled on month over the pre-period, extrapolated":
        "lineær trend: OLS af indskrevne på måned i førperioden, fremskrevet",
    "95 % prediction interval for a new month": "95 %-prognoseinterval for en ny måned",
    "segmented OLS": "segmenteret OLS",
    "(t in months from the change)": "(t i måneder fra ændringen)",
    "small-sample correction": "småstikprøvekorrektion",
    "t(n−k) intervals": "t(n−k)-intervaller",
    "relative level b2/b0 by the delta method": "relativt niveauskift b2/b0 med deltametoden",
    "difference in differences of monthly rates": "forskel i forskelle i månedlige rater",
    "OLS of (intervention − comparison) on after": "OLS af (indsats − sammenligning) på efter",
    "relative change of ended per enrolled (rate ratio − 1)":
        "relativ ændring i afsluttede pr. indskrevet (rateratio − 1)",
    "the comparison units implement themselves before": "sammenligningsenhederne indfører selv arbejdsgangen før",
    "the comparison units implement on": "sammenligningsenhederne indfører arbejdsgangen den",
    "months up to": "måneder til og med",
    "ended per enrolled": "afsluttede pr. indskrevet",
    "ended": "afsluttede",
    "enrolled": "indskrevne",
    "arm intervention": "indsatsgruppen",
    "arm comparison": "sammenligningsgruppen",
    # reliability
    "one-factor maximum likelihood (Jöreskog's iteration) on the correlation matrix":
        "enfaktor-maximum likelihood (Jöreskogs iteration) på korrelationsmatricen",
    "model-implied total variance": "modellens samlede varians",
    # shares
    "value >= top-two box (0.75 of the range)": "værdi ≥ de to øverste svar (0,75 af skalaens spænd)",
    "Newcombe hybrid score (method 10)": "Newcombes hybride score-interval (metode 10)",
    "change in the share agreeing": "ændring i andel enige",
    "difference in shares agreeing": "forskel i andel enige",
    "difference in shares": "forskel i andele",
    "Share agreeing": "Andel enige",
    "score >=": "score ≥",
    # models
    "REML; random intercepts: unit, and respondent within unit (linked respondents)":
        "REML; tilfældige niveauer: enhed, og respondent inden for enhed (sammenkædede respondenter)",
    "linear mixed model": "lineær mixed model",
    "OLS, cluster-robust": "OLS, klyngerobust",
    "cluster-robust by unit": "klyngerobust pr. enhed",
    "with units − 1 df": "med enheder − 1 frihedsgrader",
    # tests, variants, estimates, intervals
    "two-sided": "tosidet",
    "zeros dropped": "nuller udeladt",
    "normal approximation": "normalapproksimation",
    "tie correction": "korrektion for ens værdier",
    "continuity correction": "kontinuitetskorrektion",
    "unequal variances": "ulige varianser",
    "Welch–Satterthwaite df": "Welch–Satterthwaite-frihedsgrader",
    "exact binomial": "eksakt binomial",
    "chi-square": "chi-i-anden",
    "df = n − 1": "frihedsgrader = n − 1",
    "Wilcoxon signed-rank": "Wilcoxon (fortegnsrang)",
    "paired t interval": "parret t-interval",
    "paired t": "Parret t-test",
    "Welch's t interval on weighted variances": "Welchs t-interval på vægtede varianser",
    "Welch's t interval": "Welchs t-interval",
    "Welch's t": "Welchs t-test",
    "Student's t interval": "Students t-interval",
    "Wilson score": "Wilsons score-interval",
    "difference in means (scale points)": "forskel i gennemsnit (skalapoint)",
    "difference in means": "forskel i gennemsnit",
    "mean difference": "gennemsnitlig forskel",
    "matched-pairs rank-biserial r": "rang-biserial r for parrede målinger",
    "rank-biserial r": "rang-biserial r",
    "rank-biserial r (= Cliff's delta)": "rang-biserial r (= Cliffs delta)",
    "consistent variance, asymmetric interval": "konsistent varians, asymmetrisk interval",
    "simple difference; no interval": "simpel forskel; intet interval",
    "Poisson rate ratio, score interval": "Poisson-rateratio, score-interval",
    "Hedges & Olkin normal approximation": "Hedges & Olkins normalapproksimation",
    "independent": "uafhængige",
    "linked": "sammenkædede",
    "linear": "lineær",
}
_TERMS = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(k) for k in sorted(TERMS_DA, key=len, reverse=True))
                    + r")(?!\w)")


def term(words: str, lang: Language = "da") -> str:
    """One of the analysis' names, variants or method descriptions in `lang` (English as
    the analysis gives it; in Danish phrase by phrase from TERMS_DA)."""
    return words if lang == "en" or not words else _TERMS.sub(lambda m: TERMS_DA[m.group(0)], words)
