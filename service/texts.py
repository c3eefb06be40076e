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
    "easy_on": ("Let læst version", "Easy-read version"),
    "easy_off": ("Almindelig version", "Standard version"),
    "easy_hint": ("Ét spørgsmål ad gangen, med korte ord og ansigter at vælge mellem.",
                  "One question at a time, with short words and faces to choose from."),
    "read_aloud": ("Læs op", "Read aloud"),
    "face_0": ("Meget trist ansigt", "Very sad face"),
    "face_1": ("Trist ansigt", "Sad face"),
    "face_2": ("Neutralt ansigt", "Neutral face"),
    "face_3": ("Glad ansigt", "Happy face"),
    "face_4": ("Meget glad ansigt", "Very happy face"),
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
    "description": ("Et kort spørgeskema om den støtte, du får.",
                    "A short questionnaire about the support you receive."),
    # --- whole-page messages (message.html): a heading and a sentence ------------------
    "message_thanks": ("Tak for dine svar", "Thank you for your answers"),
    "message_thanks_body": ("Dine svar er modtaget og gemt. Du kan lukke siden nu.",
        "Your answers have been received and saved. You can close this page now."),
    "message_answered": ("Der er allerede svaret", "Already answered"),
    "message_answered_body": ("Der er allerede sendt svar fra dette link. Tak for din hjælp.",
        "Answers have already been sent from this link. Thank you for your help."),
    "message_closed": ("Undersøgelsen er lukket", "The survey is closed"),
    "message_closed_body": ("Der kan ikke svares via dette link lige nu. Spørg en medarbejder, hvis du har spørgsmål.",
        "This link cannot be used to answer right now. Ask a staff member if you have questions."),
    "message_not_found": ("Linket findes ikke", "The link does not exist"),
    "message_not_found_body": ("Tjek at du har skrevet linket rigtigt, eller spørg den medarbejder, der gav dig det.",
        "Check that the link is typed correctly, or ask the staff member who gave it to you."),
    "message_full": ("Linket er brugt op", "The link has been used up"),
    "message_full_body": ("Der kan ikke svares flere gange via dette link. "
        "Spørg en medarbejder, hvis du har spørgsmål.",
        "No more answers can be given through this link. Ask a staff member if you have questions."),
    "message_not_yet": ("Svarene er ikke sendt endnu", "The answers have not been sent yet"),
    "message_not_yet_body": ("Gå tilbage til spørgeskemaet for at sende dine svar.",
        "Go back to the questionnaire to send your answers."),
    "message_home": ("Velkommen til Sammen", "Welcome to Sammen"),
    "message_home_body": ("Brug det link, du har fået, for at svare på et spørgeskema.",
        "Use the link you were given to answer a questionnaire."),
    "message_moved": ("Spørgeskemaet er ændret", "The questionnaire has changed"),
    "message_moved_body": ("Spørgeskemaet bag linket er blevet ændret. Åbn linket igen for at svare.",
        "The questionnaire behind the link has changed. Open the link again to answer."),
    "message_changed": ("Dine svar er ændret et andet sted", "Your answers were changed elsewhere"),
    "message_changed_body": ("Svarene er ændret i et andet vindue. Åbn linket igen for at se dem, før du sender.",
        "The answers were changed in another window. Open the link again to see them before you send."),
    "message_bad_request": ("Det sendte kan ikke bruges", "What was sent cannot be used"),
    "message_bad_request_body": ("Noget i det, der blev sendt, kan ikke gemmes. Gå tilbage, ret det og prøv igen.",
        "Something in what was sent cannot be saved. Go back, correct it and try again."),
    "message_not_allowed": ("Siden kan ikke bruges sådan", "The page cannot be used like this"),
    "message_not_allowed_body": ("Åbn linket, du har fået, og svar derfra.",
        "Open the link you were given and answer from there."),
    "message_too_large": ("Svaret er for langt", "The answer is too long"),
    "message_too_large_body": ("Der blev sendt mere, end der kan modtages. Gør teksten kortere og prøv igen.",
        "More was sent than can be received. Shorten the text and try again."),
    "message_too_many": ("Prøv igen om lidt", "Try again in a moment"),
    "message_too_many_body": ("Der er kommet mange forsøg fra din forbindelse på kort tid. Vent lidt, og prøv så igen.",
        "Many attempts have come from your connection in a short time. Wait a little, then try again."),
    "message_busy": ("Prøv igen om lidt", "Try again in a moment"),
    "message_busy_body": ("Vi er ved at lave en anden rapport eller eksport. Vent til den er færdig, og prøv så igen.",
        "Another report or export is being made. Wait until it is finished, then try again."),
    "message_unavailable": ("Prøv igen om lidt", "Try again in a moment"),
    "message_unavailable_body": ("Vi kan ikke gemme eller hente svar lige nu. "
        "Dine svar fra tidligere sider er ikke tabt. Prøv igen om lidt.",
        "We cannot save or fetch answers right now. "
        "Your answers from earlier pages are not lost. Try again in a moment."),
    "message_no_goals": ("Ingen mål at følge op på", "No goals to follow up"),
    "message_no_goals_body": ("Vi kan ikke finde de mål, du satte dig sammen med en medarbejder. "
                              "Spørg medarbejderen, så I kan sætte dem igen.",
                              "We cannot find the goals you set with a member of staff. "
                              "Ask them, so you can set them again."),
    "message_error": ("Der skete en fejl", "Something went wrong"),
    "message_error_body": ("Der skete en fejl hos os. Prøv igen om lidt. "
        "Sker det igen, så fortæl en medarbejder fejlnummeret.",
        "Something went wrong on our side. Try again in a moment. "
        "If it happens again, tell a staff member the error number."),
    "error_number": ("Fejlnummer", "Error number"),
    # --- greetings per audience --------------------------------------------------------
    "greeting_citizen": ("Dine svar hjælper os med at gøre støtten bedre.",
                         "Your answers help us improve the support."),
    "greeting_relative": ("Dine svar som pårørende hjælper os med at gøre støtten bedre.",
                          "Your answers as a relative help us improve the support."),
    "greeting_staff": ("Dine svar vises kun samlet for grupper, så ingen enkeltperson kan genkendes.",
                       "Your answers are only shown for groups, so no one can be recognised."),
    "greeting_meeting": ("Det tager et minut.", "It takes one minute."),
    # --- invitations and reminders (service/messaging/sending.py) ---------------------
    "mail_subject_0": ("Vil du svare på et kort spørgeskema?", "Would you answer a short questionnaire?"),
    "mail_subject_n": ("Påmindelse: et kort spørgeskema", "Reminder: a short questionnaire"),
    "mail_text_0": ("Hej\n\n{organisation} vil gerne høre, hvordan du oplever den støtte, du får. Det tager få "
                    "minutter, og dine svar vises kun samlet for grupper, så ingen kan genkende dig.\n\n"
                    "Svar her: {link}\n\nLinket er dit eget. Du kan svare til og med {closes}.\n\n"
                    "Venlig hilsen\n{organisation}",
                    "Hello\n\n{organisation} would like to hear how you find the support you receive. It takes a "
                    "few minutes, and your answers are only shown for groups, so no one can recognise you.\n\n"
                    "Answer here: {link}\n\nThe link is your own. You can answer until {closes}.\n\n"
                    "Kind regards\n{organisation}"),
    "mail_text_n": ("Hej\n\nFor nylig fik du et link til et kort spørgeskema fra {organisation}. Hvis du har "
                    "lyst og tid, vil vi meget gerne have dit svar.\n\nSvar her: {link}\n\nDu kan svare til og "
                    "med {closes}. Har du allerede svaret, så se bort fra denne besked.\n\n"
                    "Venlig hilsen\n{organisation}",
                    "Hello\n\nRecently you received a link to a short questionnaire from {organisation}. If you "
                    "have the time, we would very much like your answer.\n\nAnswer here: {link}\n\nYou can "
                    "answer until {closes}. If you have already answered, please ignore this message.\n\n"
                    "Kind regards\n{organisation}"),
    "sms_text_0": ("{organisation} vil gerne høre, hvordan du oplever din støtte. Svar her (få minutter): {link} "
                   "Du kan svare til og med {closes}.",
                   "{organisation} would like to hear how you find your support. Answer here (a few minutes): "
                   "{link} You can answer until {closes}."),
    "sms_text_n": ("Påmindelse fra {organisation}: vil du svare på det korte spørgeskema? {link} Til og med "
                   "{closes}. Har du svaret, så se bort fra denne.",
                   "Reminder from {organisation}: would you answer the short questionnaire? {link} Until "
                   "{closes}. If you have answered, please ignore this."),
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
    "best_worst": ("Svaret skal angive det vigtigste og det mindst vigtige i hvert sæt.",
                   "The answer must give the most and the least important in each set."),
    "set_unknown": ("Sættet findes ikke i dette spørgsmål.", "This set is not part of this question."),
    "not_in_set": ("Vælg et af emnerne i dette sæt.", "Choose one of the topics in this set."),
    "best_is_worst": ("Det samme emne kan ikke være både det vigtigste og det mindst vigtige.",
                      "The same topic cannot be both the most and the least important."),
    "goals": ("Svaret skal angive dine mål, hvert med en tekst og et niveau.",
              "The answer must give your goals, each with a text and a level."),
    "goal_unknown": ("Målet findes ikke i dette spørgsmål.", "This goal is not part of this question."),
    "goal_text_missing": ("Skriv målet med dine egne ord.", "Write the goal in your own words."),
    "goal_level_missing": ("Vælg hvor du står i forhold til målet.", "Choose where you stand on this goal."),
    # --- a goal question (GAS): the form, and the codebook's labels ----------------------
    "goal_of": ("Mål {n} af {total}", "Goal {n} of {total}"),
    "goal_number": ("Mål {n}", "Goal {n}"),
    "goal_text": ("Dit mål med dine egne ord", "Your goal in your own words"),
    "goal_baseline": ("Hvor står du i dag?", "Where do you stand today?"),
    "goal_rate": ("Hvor langt er du nået med målet?", "How far have you come with this goal?"),
    "goal_yours": ("Dit mål", "Your goal"),
    "goal_text_gone": ("Teksten til målet er slettet efter reglerne for fritekst.",
                       "The goal's text has been deleted under the free-text rules."),
    "goal_level_label": ("Mål {n}: niveau", "Goal {n}: level"),
    "goal_text_label": ("Mål {n}: tekst", "Goal {n}: text"),
    # --- a best–worst question's sets (the form, and the codebook's labels) ---------------
    "set_of": ("Sæt {n} af {total}", "Set {n} of {total}"),
    "pick_best": ("Vigtigst", "Most important"),
    "pick_worst": ("Mindst vigtigt", "Least important"),
    "pick_best_label": ("Sæt {n}: vigtigst", "Set {n}: most important"),
    "pick_worst_label": ("Sæt {n}: mindst vigtigt", "Set {n}: least important"),
    # --- entering paper forms (service/evaluations/entry_pages.py) ----------------------
    "entry_title": ("Indtast papirskemaer", "Enter paper forms"),
    "entry_code": ("Koden på skemaet", "The code on the form"),
    "entry_find": ("Find skemaet", "Find the form"),
    "entry_form_for": ("Skema {code}", "Form {code}"),
    "entry_save": ("Gem svarene", "Save the answers"),
    "entry_next": ("Næste del", "Next part"),
    "entry_part": ("del {n} af {total}", "part {n} of {total}"),
    "entry_another": ("Indtast et andet skema", "Enter another form"),
    "entry_stored": ("Svarene er gemt. Indtast det næste skema.", "The answers are saved. Enter the next form."),
    "entry_waiting_for_second_entry": ("Første indtastning er gemt. En anden person skal indtaste skemaet igen, "
                                       "før det tæller.",
                                       "The first entry is saved. Another person must enter the form again before "
                                       "it counts."),
    "entry_differences": ("De to indtastninger er forskellige. Se skemaet igen, ret svarene herunder, og gem.",
                          "The two entries differ. Look at the form again, correct the answers below and save."),
    "entry_differences_caption": ("Forskelle mellem de to indtastninger", "Differences between the two entries"),
    "entry_field": ("Felt", "Field"),
    "entry_first": ("1. indtastning", "1st entry"),
    "entry_second": ("2. indtastning", "2nd entry"),
    # --- the evaluator's page (service/evaluations/web.py) -------------------------------
    "evaluator_title": ("Evalueringer", "Evaluations"),
    "evaluator_signin_title": ("Log ind som evaluator", "Sign in as an evaluator"),
    "evaluator_signin_intro": ("Brug den API-nøgle, du har fået af din administrator. Du forbliver logget ind "
                               "i 8 timer på denne computer; nøglen selv gemmes ikke i browseren.",
                               "Use the API key your administrator gave you. You stay signed in for 8 hours on "
                               "this computer; the key itself is not kept in the browser."),
    "evaluator_key_label": ("API-nøgle", "API key"),
    "evaluator_key_hint": ("Nøglen er en lang række bogstaver og tal. Sæt den ind fra e-mailen eller "
                           "adgangskodeprogrammet.", "The key is a long string of letters and digits. Paste it "
                           "from the e-mail or your password manager."),
    "evaluator_sign_in": ("Log ind", "Sign in"),
    "evaluator_signin_again": ("Log ind for at hente filen. Et log ind gælder 8 timer.",
                               "Sign in to download the file. A sign-in lasts 8 hours."),
    "evaluator_sign_out": ("Log ud", "Sign out"),
    "evaluator_key_missing": ("Skriv din API-nøgle.", "Enter your API key."),
    "evaluator_key_wrong": ("Nøglen er forkert eller trukket tilbage. Tjek at hele nøglen er med.",
                            "The key is wrong or has been revoked. Check that the whole key is there."),
    "evaluator_signed_in_as": ("Logget ind som {name}", "Signed in as {name}"),
    "evaluator_intro": ("Her kan du hente rapport, figurer og data for hver evaluering. Rapport og figurer laves, "
                        "når du henter dem, og det kan tage op til et halvt minut. Alt, du henter, skrives i "
                        "revisionsloggen.", "Download the report, charts and data of each evaluation here. The "
                        "report and the charts are made when you download them, which can take up to half a "
                        "minute. Everything you download is written to the audit log."),
    "evaluator_none": ("Der er ingen evalueringer endnu.", "There are no evaluations yet."),
    "evaluator_facts": ("{organisation} · ændringen indført {date} · {units} enheder · {waves} målinger · "
                        "{responses} besvarelser", "{organisation} · change introduced {date} · {units} units · "
                        "{waves} waves · {responses} responses"),
    "evaluator_report": ("Rapport", "Report"),
    "evaluator_report_pdf": ("Evalueringsrapport til udskrift (PDF)", "Evaluation report for print (PDF, Danish)"),
    "evaluator_report_html": ("Evalueringsrapport til skærm (HTML, én fil)",
                              "Evaluation report for the screen (HTML, one file, Danish)"),
    "evaluator_charts": ("Figurer", "Charts"),
    "evaluator_charts_each": ("Se figurerne og hent dem enkeltvis", "See the charts and download them one by one"),
    "evaluator_charts_intro": ("Hver figur kan hentes som billede (PNG), til redigering (SVG) eller til tryk (PDF). "
                               "Figuren laves, når du henter den. Grupper med for få svar vises som 'for få svar'.",
                               "Each chart downloads as an image (PNG), for editing (SVG) or for print (PDF). It is "
                               "made when you download it. Groups with too few answers show as 'too few answers'."),
    "evaluator_charts_png": ("Alle figurer som billeder (PNG, zip)", "Every chart as an image (PNG, zip)"),
    "evaluator_charts_svg": ("Alle figurer til redigering (SVG, zip)", "Every chart for editing (SVG, zip)"),
    "evaluator_charts_pdf": ("Alle figurer til tryk (PDF, zip)", "Every chart for print (PDF, zip)"),
    "evaluator_tables": ("Tabeller", "Tables"),
    "evaluator_tables_xlsx": ("Alle resultater som tabeller (Excel)", "Every result as a table (Excel)"),
    "evaluator_tables_csv": ("Alle resultater som tabeller (CSV, zip)", "Every result as a table (CSV, zip)"),
    "evaluator_data": ("Datafiler", "Data files"),
    "evaluator_data_tidy": ("Alle svar, én række pr. svar (CSV)", "Every answer, one row per answer (CSV)"),
    "evaluator_data_codebook": ("Kodebog til svarene (CSV)", "Codebook of the answers (CSV)"),
    "evaluator_data_file": ("Svar pr. besvarelse med etiketter ({name})", "Answers per response with labels ({name})"),
    "evaluator_other_site": ("Log ind fra denne side. Formularen blev sendt fra en anden side, så du er ikke "
                             "logget ind.", "Sign in from this page. The form was sent from another site, so you "
                             "are not signed in."),
    "evaluator_microdata_title": ("Kræver adgang til data på svarniveau", "Needs access to respondent-level data"),
    "evaluator_microdata_needed": ("Svarene og datafilerne på svarniveau kræver en nøgle med tilladelsen "
                                   "'microdata'. Rapport, figurer, tabeller og kodebog kan du hente med din nøgle. "
                                   "Spørg din administrator, hvis du har brug for data på svarniveau.",
                                   "The answers and data files at respondent level need a key with the "
                                   "'microdata' permission. The report, charts, tables and codebook download with "
                                   "your key. Ask your administrator if you need respondent-level data."),
    "evaluator_back_to_list": ("Tilbage til evalueringerne", "Back to the evaluations"),
    # --- coding free text on the evaluator's page (service/evaluations/web.py) -----------
    "coding_title": ("Kod fritekst", "Code free text"),
    "coding_link": ("Kod borgernes egne ord i temaer", "Code the citizens' own words into themes"),
    "coding_intro": ("Giv hvert svar de koder, der passer, og tryk Gem. Du er koderen: en anden nøgle, der koder "
                     "de samme svar, giver enigheden mellem kodere (κ og α i sammen analyse coding).",
                     "Give each answer the codes that fit and press Save. You are the coder: another key coding "
                     "the same answers gives the agreement between coders (κ and α in sammen analyse coding)."),
    "coding_codes": ("Koder", "Codes"),
    "coding_no_codes": ("Der er ingen koder endnu. Tilføj den første herunder.",
                        "There are no codes yet. Add the first below."),
    "coding_add": ("Tilføj kode", "Add code"),
    "coding_key": ("Kort navn (a-z, 0-9 og _)", "Short name (a-z, 0-9 and _)"),
    "coding_label": ("Hvad koden betyder", "What the code means"),
    "coding_answers": ("Svar", "Answers"),
    "coding_none": ("Der er ingen fritekstsvar i evalueringen.", "There are no free-text answers in the evaluation."),
    "coding_answer": ("Svar {n} på: {question}", "Answer {n} to: {question}"),
    "coding_save": ("Gem", "Save"),
    "coding_not_coded": ("ikke kodet endnu", "not coded yet"),
    "coding_shown": ("Svar {first}–{last} af {total}", "Answers {first}–{last} of {total}"),
    "coding_pages": ("Sider med svar", "Pages of answers"),
    "coding_top": ("øverst", "top"),
    "coding_bottom": ("nederst", "bottom"),
    "coding_page": ("Side {page} af {pages}", "Page {page} of {pages}"),
    "coding_previous": ("Forrige side", "Previous page"),
    "coding_next": ("Næste side", "Next page"),
    "coding_key_invalid": ("Skriv 1–40 tegn: små bogstaver a-z, tal og _, med et bogstav først",
                           "Write 1–40 characters: lower-case letters a-z, digits and _, a letter first"),
    "coding_key_taken": ("Der er allerede en kode med dette korte navn. Vælg et andet",
                         "There is already a code with this short name. Choose another"),
    "coding_label_invalid": ("Skriv hvad koden betyder, højst 200 tegn", "Write what the code means, at most 200 "
                             "characters"),
}


def text(key: str, language: Language | str = "da", **params: object) -> str:
    da, en = TEXTS[key]
    return (en if language == "en" else da).format(**params)


def both(key: str, **params: object) -> tuple[str, str]:
    """The Danish and the English text, for errors that carry both."""
    da, en = TEXTS[key]
    return da.format(**params), en.format(**params)
