"""Every text a respondent reads, in Danish (the default, and what the law asks) and
English, in one catalogue: pages, messages and answer errors. Templates and code look
texts up by key, so a wording is changed, or a language added, in one place."""

from __future__ import annotations

from typing import Literal

Language = Literal["da", "en"]

TEXTS: dict[str, tuple[str, str]] = {
    # --- the form's frame -------------------------------------------------------------
    "page_of": ("Side {n} af {total}", "Page {n} of {total}"),
    "error_prefix": ("Fejl", "Error"),
    "error_summary": ("Der mangler noget", "There is a problem"),
    "optional": ("frivilligt", "optional"),
    "next": ("Næste", "Next"),
    "back": ("Tilbage", "Back"),
    "send": ("Send svar", "Send answers"),
    "other_language": ("English", "Dansk"),
    "other_language_hint": ("Skift sprog til engelsk. Dine valg på siden gemmes.",
                            "Switch to Danish. Your choices on this page are kept."),
    "working_with": ("Samarbejdet med", "Working with"),
    "saved_each_page": ("Dine svar gemmes, hver gang du trykker Næste. "
                        "Du kan lukke siden og fortsætte senere fra samme link.",
                        "Your answers are saved each time you press Next. "
                        "You can close the page and continue later from the same link."),
    "open_link_first": ("Når du trykker Næste, får du dit eget link. Gem det, hvis du vil kunne fortsætte senere.",
                        "When you press Next, you get a link of your own. Keep it if you want to continue later."),
    "own_link": ("Dit eget link, hvis du vil fortsætte senere:", "Your own link, to continue later:"),
    "review_title": ("Tjek dine svar", "Check your answers"),
    "review_intro": ("Se dine svar igennem, før du sender dem. Når du har sendt, kan de ikke ændres.",
                     "Look through your answers before you send them. Once sent, they cannot be changed."),
    "change": ("Ret", "Change"),
    "change_answer_to": ("svaret på", "the answer to"),
    "not_answered": ("Ikke besvaret", "Not answered"),
    "description": ("Spørgeskema fra din kommune. Dine svar hjælper med at gøre støtten bedre.",
                    "A questionnaire from your municipality. Your answers help improve the support."),
    # --- greetings per audience --------------------------------------------------------
    "greeting_citizen": ("Dine svar hjælper os med at gøre støtten bedre.",
                         "Your answers help us improve the support."),
    "greeting_relative": ("Dine svar som pårørende hjælper os med at gøre støtten bedre.",
                          "Your answers as a relative help us improve the support."),
    "greeting_staff": ("Dine svar vises kun samlet for grupper, så ingen enkeltperson kan genkendes.",
                       "Your answers are only shown for groups, so no one can be recognised."),
    "greeting_meeting": ("Det tager et minut.", "It takes one minute."),
    # --- answer errors (service/surveys/answers.py) ------------------------------------
    "unknown": ("Spørgsmålet findes ikke i dette spørgeskema.", "This question is not part of this questionnaire."),
    "not_shown": ("Spørgsmålet skal ikke besvares ud fra dine tidligere svar.",
                  "This question is not to be answered, given your earlier answers."),
    "missing": ("Besvar venligst spørgsmålet.", "Please answer the question."),
    "dont_know": ("'Ved ikke' kan ikke vælges her.", "'Don't know' cannot be chosen here."),
    "choose": ("Vælg et af svarene.", "Choose one of the answers."),
    "range": ("Svaret skal være et tal fra {lo} til {hi}.", "The answer must be a number from {lo} to {hi}."),
    "option": ("Svaret er ikke en af mulighederne.", "The answer is not one of the options."),
    "text": ("Svaret skal være tekst.", "The answer must be text."),
    "too_long": ("Svaret må højst være {max} tegn (det er {n}).",
                 "The answer may be at most {max} characters (it is {n})."),
    "control_character": ("Svaret indeholder et tegn, der ikke kan gemmes. Skriv det igen uden specialtegn.",
                          "The answer holds a character that cannot be stored. "
                          "Type it again without special characters."),
    "role": ("Vælg en af rollerne.", "Choose one of the roles."),
    "choose_many": ("Vælg et eller flere af svarene.", "Choose one or more of the answers."),
    "dont_know_alone": ("Vælg enten 'Ved ikke' eller et eller flere af svarene.",
                        "Choose either 'Don't know' or one or more of the answers."),
    "matrix": ("Svaret skal angive en vurdering for hver faggruppe.", "The answer must give a rating for each group."),
    "row_not_shown": ("Faggruppen skal ikke vurderes her.", "This group is not to be rated here."),
    "row": ("Svaret skal angive en vurdering for hver del.", "The answer must give a rating for each part."),
}


def text(key: str, language: Language | str = "da", **params: object) -> str:
    da, en = TEXTS[key]
    return (en if language == "en" else da).format(**params)


def both(key: str, **params: object) -> tuple[str, str]:
    """The Danish and the English text, for errors that carry both."""
    da, en = TEXTS[key]
    return da.format(**params), en.format(**params)
