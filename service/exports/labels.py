"""Every label a chart, table or report shows, in Danish (the default) and English, in
one place: the exports' own texts here, the role groups from service/roles.py, and the
questionnaires' titles, themes and item wordings from the stored codebook the results
bundle carries (service/analysis/context/labels.py), never from the files on disk: a
report shows what the respondents were asked, whatever folder the service started with
and however a file was edited since. A wording the codebook lacks reads as its key with
'(tekst mangler)', not as a bare id passing for a label.

Other export modules import `text`, `theme_label`, `item_label`, `target_label` and
`number` from here; a table or report that needs a text of its own adds it to `TEXTS`
(in its own section)."""

from __future__ import annotations

import math
from typing import Literal

from service.analysis.context.labels import Labels, QuestionnaireLabels
from service.analysis.measures.side_by_side.compute import LABELS as MEASURE_LABELS
from service.roles import ROLE_GROUPS

Language = Literal["da", "en"]

SUPPRESSED = ("for få svar", "too few answers")

TEXTS: dict[str, tuple[str, str]] = {
    # --- shared -----------------------------------------------------------------------------
    "suppressed": SUPPRESSED,
    "before": ("Før", "Before"),
    "after": ("Efter", "After"),
    "change": ("Ændring", "Change"),
    "intervention": ("Indsats", "Intervention"),
    "comparison": ("Sammenligning", "Comparison"),
    "all": ("Alle", "All"),
    "questionnaire": ("Spørgeskema", "Questionnaire"),
    "version": ("version", "version"),
    "versions": ("version", "versions"),
    "n": ("n", "n"),
    "ci95": ("Streger: 95 %-konfidensinterval", "Bars: 95 % confidence interval"),
    "wilson": ("Streger: 95 %-interval (Wilson)", "Bars: 95 % interval (Wilson)"),
    "suppressed_note": ("'for få svar': gruppen er for lille til at blive vist",
                        "'too few answers': the group is too small to be shown"),
    "phase": ("Måling", "Wave"),
    "arm": ("Gruppe", "Arm"),
    "unit": ("Enhed", "Unit"),
    "units": ("enheder", "units"),
    "month": ("Måned", "Month"),
    "share": ("Andel", "Share"),
    "theme": ("Tema", "Theme"),
    "answer": ("Svar", "Answer"),
    # --- answer distribution (Likert) -----------------------------------------------------------
    "likert_title": ("Svarfordeling pr. spørgsmål før og efter", "Answers per question before and after"),
    "likert_x": ("Andel af svarene (uenige til venstre, enige til højre)",
                 "Share of answers (disagreeing left, agreeing right)"),
    "likert_note": ("'Ved ikke' er ikke med i andelene", "'Don't know' is left out of the shares"),
    # --- theme scores and shares ----------------------------------------------------------
    "scores_title": ("Temascorer før og efter", "Theme scores before and after"),
    "scores_x": ("Gennemsnit på temaets skala", "Mean on the theme's scale"),
    "share_title": ("Andel enige før og efter", "Share agreeing before and after"),
    "share_x": ("Andel enige eller helt enige", "Share agreeing or strongly agreeing"),
    "did_title": ("Forskel i forskelle: indsats mod sammenligning",
                  "Difference in differences: intervention against comparison"),
    "did_x": ("Ændring i indsatsgruppen ud over sammenligningsgruppens (skalapoint)",
              "Change in the intervention arm beyond the comparison arm's (scale points)"),
    "confirmatory": ("Planlagt (konfirmatorisk)", "Planned (confirmatory)"),
    "exploratory": ("Udforskende", "Exploratory"),
    "n_model": ("svar i modellen", "responses in the model"),
    "analysis_kind": ("Analyse", "Analysis"),
    "joint_title": ("Andel enige i alle udsagn (samlet indikator)",
                    "Share agreeing with every statement (joint indicator)"),
    # --- relational coordination ----------------------------------------------------------
    "rc_title": ("Relationel koordinering mellem faggrupper", "Relational coordination between role groups"),
    "rc_change_title": ("Ændring i relationel koordinering (efter − før)",
                        "Change in relational coordination (after − before)"),
    "rc_rater": ("Vurderende faggruppe", "Rating role group"),
    "rc_rated": ("Vurderet faggruppe", "Rated role group"),
    "rc_index": ("Indeks (1–5)", "Index (1–5)"),
    "rc_change_note": ("Ændring: forskel i gennemsnit efter − før (Welchs t; parret t for de samme medarbejdere)",
                       "Change: difference in means after − before (Welch's t; paired t for the same staff)"),
    "rc_scoring": ("Indeks: gennemsnit af de besvarede dimensioner (1–5) for hver vurdering af en faggruppe",
                   "Index: the mean of the dimensions answered (1–5) in each rating of a role group"),
    "rc_roles_title": ("Hver faggruppes koordinering med de andre", "Each role group's coordination with the others"),
    # --- meetings ---------------------------------------------------------------------------
    "meetings_title": ("Mødeevalueringer pr. måned", "Meeting evaluations per month"),
    "meetings_y": ("Andel møder, hvor svaret var enig eller helt enig",
                   "Share of meetings answered agree or strongly agree"),
    "citizen": ("Borgere", "Citizens"),
    "staff": ("Medarbejdere", "Staff"),
    "viewpoint": ("Svar fra", "Answers from"),
    # --- flow ------------------------------------------------------------------------------
    "flow_title": ("Borgerforløb: indskrevne og afsluttede", "Citizen flow: enrolled and ended"),
    "enrolled": ("Indskrevne borgere", "Citizens enrolled"),
    "ended": ("Afsluttede forløb pr. måned", "Courses ended per month"),
    "observed": ("Observeret", "Observed"),
    "expected": ("Forventet uden ændringen", "Expected without the change"),
    "band": ("95 %-prognoseinterval", "95 % prediction interval"),
    "implementation": ("Ændringen indført", "Change introduced"),
    "flow_gap": ("Forventet {expected} · observeret {observed} · {gap} færre end forventet",
                 "Expected {expected} · observed {observed} · {gap} fewer than expected"),
    "flow_gap_more": ("Forventet {expected} · observeret {observed} · {gap} flere end forventet",
                      "Expected {expected} · observed {observed} · {gap} more than expected"),
    "flow_forecast": ("Prognose: {method} fra {n} måneder før ændringen",
                      "Forecast: {method} from {n} months before the change"),
    # --- side by side ------------------------------------------------------------------------
    "sbs_title": ("Ændringer side om side pr. enhed", "Changes side by side per unit"),
    "sbs_x": ("Ændring efter − før", "Change after − before"),
    # --- response rates ----------------------------------------------------------------------
    "rates_title": ("Svarprocent pr. enhed og måling", "Response rate per unit and wave"),
    "rates_x": ("Svarprocent (besvarede / inviterede)", "Response rate (answered / invited)"),
    "invited": ("inviterede", "invited"),
    "answered": ("besvarede", "answered"),
    "rates_none": ("ingen invitationer", "no invitations"),
}

MEASURES: dict[str, tuple[str, str]] = MEASURE_LABELS  # the analysis names its measures (da, en)

# A wording the stored codebook does not have: the key, and a note saying so, so that a
# reader sees that a text is missing (and which) instead of an id passing for a label.
MISSING = ("{key} (tekst mangler)", "{key} (wording missing)")


def text(key: str, lang: Language = "da", **values: object) -> str:
    """The label `key` in `lang`, with `values` filled in."""
    da, en = TEXTS[key]
    chosen = da if lang == "da" else en
    return chosen.format(**values) if values else chosen


def missing(key: str, lang: Language = "da") -> str:
    return MISSING[0 if lang == "da" else 1].format(key=key)


def _stored(labels: Labels | None, questionnaire_id: str) -> QuestionnaireLabels | None:
    return labels.questionnaire(questionnaire_id) if labels is not None else None


def questionnaire_label(labels: Labels | None, questionnaire_id: str, lang: Language = "da") -> str:
    """A questionnaire's title as the respondents saw it (the newest version asked)."""
    q = _stored(labels, questionnaire_id)
    return q.title.get(lang) if q else missing(questionnaire_id, lang)


def theme_label(labels: Labels | None, questionnaire_id: str, theme: str, lang: Language = "da") -> str:
    """A theme's name as the stored questionnaire words it ('' for no theme)."""
    q = _stored(labels, questionnaire_id)
    if not theme:
        return ""
    return q.themes[theme].get(lang) if q and theme in q.themes else missing(theme, lang)


def item_label(labels: Labels | None, questionnaire_id: str, item_id: str, lang: Language = "da") -> str:
    """An item's wording as the newest version the evaluation asked words it."""
    q = _stored(labels, questionnaire_id)
    return q.items[item_id].get(lang) if q and item_id in q.items else missing(item_id, lang)


def target_label(labels: Labels | None, questionnaire_id: str, target: str, lang: Language = "da") -> str:
    """What a result is of: a theme's name, an item's wording, or for a joint indicator
    ('a & b') its items' wordings joined the same way."""
    q = _stored(labels, questionnaire_id)
    if q and target in q.themes:
        return q.themes[target].get(lang)
    if " & " in target:
        return " & ".join(item_label(labels, questionnaire_id, i.strip(), lang) for i in target.split("&"))
    return item_label(labels, questionnaire_id, target, lang)


def role_label(key: str, lang: Language = "da") -> str:
    for group in ROLE_GROUPS:
        if group.key == key:
            return group.da if lang == "da" else group.en
    return key


def measure_label(key: str, lang: Language = "da") -> str:
    da, en = MEASURES.get(key, (key, key))
    return da if lang == "da" else en


def number(x: float | None, digits: int = 1, lang: Language = "da", *, percent: bool = False) -> str:
    """A figure as a Danish (decimal comma, thousands dot) or English reader writes it."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if percent:
        x *= 100
    written = f"{x:,.{digits}f}"
    if lang == "da":
        written = written.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return written + (" %" if percent else "")
