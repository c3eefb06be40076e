"""A respondent's answers checked against the questionnaire in conftest.py: what gets
stored, and which Danish message names which field when something is wrong."""

from __future__ import annotations

import msgspec
import pytest

from service.errors import FieldError, Invalid
from service.surveys.answers import AnswerRow, check, is_shown
from service.surveys.model import Questionnaire
from service.texts import TEXTS

MISSING = "Besvar venligst spørgsmålet."
NOT_SHOWN = "Spørgsmålet skal ikke besvares ud fra dine tidligere svar."
UNKNOWN = "Spørgsmålet findes ikke i dette spørgeskema."
NOT_AN_OPTION = "Svaret er ikke en af mulighederne."
PICK_ONE = "Vælg et af svarene."
NO_DONT_KNOW = "'Ved ikke' kan ikke vælges her."
OWN_GROUP = "Faggruppen skal ikke vurderes her."

PAGE_OM_DIG = {"tilfreds", "stress", "anbefale", "kontakt", "hjaelp", "bostoette"}

# A staff member (a nurse) who answers everything, incl. the items shown only on
# conditions: hjaelp includes 4 (shows bostoette), har_plan is Ja (shows plan_tilfreds),
# plan_tilfreds is 2 (shows plan_hvorfor). Nurses do not rate their own group.
FULL = {
    "tilfreds": "ved_ikke",
    "stress": 2,
    "anbefale": 0,
    "kontakt": 3,
    "hjaelp": [4, 1],
    "bostoette": 5,
    "har_plan": 1,
    "plan_tilfreds": 2,
    "plan_hvorfor": "  Flere møder med min rådgiver \n",
    "kommentar": "  Tak  ",
    "rolle": "sygepleje",
    "samarbejde_med": {
        "udfoerer": {"tillid": 4, "information": 3},
        "myndighed": {"tillid": 5, "information": "ved_ikke"},
    },
    # sets (1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 1), (5, 1, 2)
    "vigtigst": {"1": {"best": 1, "worst": 3}, "2": {"best": 2, "worst": 4}, "3": {"best": 5, "worst": 4},
                 "4": {"best": 1, "worst": 4}, "5": {"best": 1, "worst": 5}},
    "egne_maal": {"1": {"text": " Gå en tur hver dag ", "level": -1}, "2": {"text": "Se min søster", "level": -2}},
}

DROP = object()


def answers(**changes) -> dict:
    """The full answer set with some answers changed, added, or left out (DROP)."""
    given = {k: (dict(v) if isinstance(v, dict) else v) for k, v in FULL.items()}
    for item_id, value in changes.items():
        if value is DROP:
            given.pop(item_id, None)
        else:
            given[item_id] = value
    return given


def errors(q, given, only=None) -> list[FieldError]:
    with pytest.raises(Invalid) as refused:
        check(q, given, only)
    return [FieldError(e.field, e.message) for e in refused.value.errors]  # the Danish text


def test_every_message_has_danish_and_english_with_the_same_placeholders():
    import string

    for code, (da, en) in TEXTS.items():
        fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
        assert da and en and da != en and fields(da) == fields(en), code


def test_errors_carry_an_english_message_for_the_english_form(questionnaire):
    with pytest.raises(Invalid) as refused:
        check(questionnaire, {"stress": 9}, only={"stress"})
    assert refused.value.errors[0].message_en == "The answer must be a number from 1 to 5."


def row(item_id, part="", value=None, text=None, dont_know=False) -> AnswerRow:
    """part as a reader writes it: 'group:dimension' for a matrix cell, the option for multiple choice."""
    if ":" in part:
        group, dimension = part.split(":")
        return AnswerRow(item_id, value, text, dont_know, dimension=dimension, rated_role=group)
    return AnswerRow(item_id, value, text, dont_know, choice=int(part) if part else None)


# --- what gets stored -------------------------------------------------------------------


def test_full_answer_set_is_stored_as_one_row_per_value(questionnaire):
    checked = check(questionnaire, FULL)
    assert checked.rows == [
        row("tilfreds", dont_know=True),
        row("stress", value=2),
        row("anbefale", value=0),
        row("kontakt", value=3),
        row("hjaelp", "1", 1),
        row("hjaelp", "4", 1),
        row("bostoette", value=5),
        row("har_plan", value=1),
        row("plan_tilfreds", value=2),
        row("plan_hvorfor", text="Flere møder med min rådgiver"),
        row("kommentar", text="Tak"),
        row("rolle", text="sygepleje"),
        row("samarbejde_med", "udfoerer:tillid", 4),
        row("samarbejde_med", "udfoerer:information", 3),
        row("samarbejde_med", "myndighed:tillid", 5),
        row("samarbejde_med", "myndighed:information", dont_know=True),
        *[AnswerRow("vigtigst", v, None, False, dimension=d) for d, v in [
            ("s1_best", 1), ("s1_worst", 3), ("s2_best", 2), ("s2_worst", 4), ("s3_best", 5), ("s3_worst", 4),
            ("s4_best", 1), ("s4_worst", 4), ("s5_best", 1), ("s5_worst", 5)]],
        AnswerRow("egne_maal", None, "Gå en tur hver dag", False, dimension="g1_text"),
        AnswerRow("egne_maal", -1, None, False, dimension="g1"),
        AnswerRow("egne_maal", None, "Se min søster", False, dimension="g2_text"),
        AnswerRow("egne_maal", -2, None, False, dimension="g2"),
    ]


@pytest.mark.parametrize(("picks", "field", "message"), [
    ({"1": {"best": 2, "worst": 2}}, "vigtigst.1.worst", "Det samme emne kan ikke være både det vigtigste"),
    ({"1": {"best": 4, "worst": 2}}, "vigtigst.1.best", "Vælg et af emnerne i dette sæt."),
    ({"1": {"best": 1}}, "vigtigst.1.worst", "Besvar venligst spørgsmålet."),
    ({"1": {"best": True, "worst": 2}}, "vigtigst.1.best", "Vælg et af svarene."),
    ({"1": {"best": "1", "worst": 2}}, "vigtigst.1.best", "Vælg et af svarene."),
    ({"1": {"best": 1, "worst": 2, "middle": 3}}, "vigtigst.1.middle", "Spørgsmålet findes ikke"),
    ({"1": {"best": 1, "worst": 2}, "9": {"best": 1, "worst": 2}}, "vigtigst.9", "Sættet findes ikke"),
    ({"1": [1, 2]}, "vigtigst.1", "Svaret skal angive det vigtigste og det mindst vigtige i hvert sæt."),
    ([1, 2], "vigtigst", "Svaret skal angive det vigtigste og det mindst vigtige i hvert sæt."),
])
def test_a_best_worst_set_is_refused_naming_the_set_and_the_pick(questionnaire, picks, field, message):
    with pytest.raises(Invalid) as refused:
        check(questionnaire, {"vigtigst": picks}, only={"vigtigst.1"})
    assert (field, True) in {(e.field, e.message.startswith(message)) for e in refused.value.errors}, \
        refused.value.errors


def test_one_page_of_a_best_worst_question_checks_its_own_set_only(questionnaire):
    rows = check(questionnaire, {"vigtigst": {"2": {"best": 4, "worst": 3}}}, only={"vigtigst.2"}).rows
    assert rows == [AnswerRow("vigtigst", 4, None, False, dimension="s2_best"),
                    AnswerRow("vigtigst", 3, None, False, dimension="s2_worst")]
    with pytest.raises(Invalid) as refused:
        check(questionnaire, answers(vigtigst={"1": {"best": 1, "worst": 3}}))
    assert {e.field for e in refused.value.errors} == {f"vigtigst.{n}.{p}" for n in "2345" for p in ("best", "worst")}


def test_role_answer_becomes_the_responses_staff_role(questionnaire):
    assert check(questionnaire, FULL).staff_role == "sygepleje"


def test_without_a_role_item_answered_there_is_no_staff_role(questionnaire):
    checked = check(questionnaire, {"stress": 2}, only={"stress"})
    assert checked.staff_role is None


def test_multiple_choice_stores_one_row_per_picked_option_once(questionnaire):
    rows = check(questionnaire, answers(hjaelp=[2, 1, 2]), only={"hjaelp"}).rows
    assert rows == [row("hjaelp", "1", 1), row("hjaelp", "2", 1)]


def test_ved_ikke_is_stored_as_dont_know_without_a_value(questionnaire):
    rows = check(questionnaire, {"tilfreds": "ved_ikke"}, only={"tilfreds"}).rows
    assert rows == [row("tilfreds", dont_know=True)]


def test_nej_and_zero_are_answers_not_missing(questionnaire):
    rows = check(questionnaire, {"har_plan": 0, "anbefale": 0}, only={"har_plan", "anbefale"}).rows
    assert rows == [row("anbefale", value=0), row("har_plan", value=0)]


def test_free_text_is_stored_without_surrounding_spaces(questionnaire):
    rows = check(questionnaire, {"kommentar": "\n  Godt arbejde!  \t"}, only={"kommentar"}).rows
    assert rows == [row("kommentar", text="Godt arbejde!")]


def test_optional_free_text_of_only_spaces_stores_nothing(questionnaire):
    assert check(questionnaire, {"kommentar": "   "}, only={"kommentar"}).rows == []


def test_optional_free_text_may_be_left_out(questionnaire):
    rows = check(questionnaire, answers(kommentar=DROP)).rows
    assert all(r.item_id != "kommentar" for r in rows)


def test_free_text_at_max_length_after_trimming_is_accepted(questionnaire):
    text = "x" * 40
    rows = check(questionnaire, answers(plan_hvorfor=f"  {text}  ")).rows
    assert row("plan_hvorfor", text=text) in rows


def test_matrix_leaves_out_the_respondents_own_group(questionnaire):
    rows = check(questionnaire, FULL).rows
    assert {r.rated_role for r in rows if r.item_id == "samarbejde_med"} == {"udfoerer", "myndighed"}


def test_hidden_questions_need_no_answer(questionnaire):
    given = answers(har_plan=0, plan_tilfreds=DROP, plan_hvorfor=DROP, hjaelp=[1], bostoette=DROP)
    rows = check(questionnaire, given).rows
    assert {r.item_id for r in rows}.isdisjoint({"plan_tilfreds", "plan_hvorfor", "bostoette"})


# --- errors, each named by field in Danish ----------------------------------------------


@pytest.mark.parametrize(
    ("item_id", "value", "message"),
    [
        pytest.param("stress", 7, "Svaret skal være et tal fra 1 til 5.", id="frequency_7"),
        pytest.param("tilfreds", 0, "Svaret skal være et tal fra 1 til 5.", id="agreement_0"),
        pytest.param("anbefale", 11, "Svaret skal være et tal fra 0 til 10.", id="scale_0_10_11"),
        pytest.param("anbefale", -1, "Svaret skal være et tal fra 0 til 10.", id="scale_0_10_minus_1"),
        pytest.param("kontakt", 4, "Svaret skal være et tal fra 1 til 3.", id="single_choice_4"),
        pytest.param("har_plan", 2, NOT_AN_OPTION, id="yes_no_2"),
        pytest.param("hjaelp", [1, 3], NOT_AN_OPTION, id="multiple_choice_missing_option"),
    ],
)
def test_answer_out_of_range_names_the_item_in_danish(questionnaire, item_id, value, message):
    assert errors(questionnaire, {item_id: value}, only={item_id}) == [FieldError(item_id, message)]


def test_answer_to_an_unknown_item_is_named_as_unknown(questionnaire):
    assert errors(questionnaire, answers(ukendt=3)) == [FieldError("ukendt", UNKNOWN)]


@pytest.mark.parametrize("unanswered", [DROP, "", []], ids=["left_out", "empty_text", "empty_list"])
@pytest.mark.parametrize("item_id", ["stress", "anbefale", "kontakt", "hjaelp", "har_plan", "rolle"])
def test_missing_required_answer_asks_the_respondent_to_answer(questionnaire, item_id, unanswered):
    given = answers(**{item_id: unanswered})
    # Leave out what the missing answer would have opened, so only the missing one is wrong.
    if item_id == "hjaelp":
        del given["bostoette"]
    if item_id == "har_plan":
        del given["plan_tilfreds"], given["plan_hvorfor"]
    if item_id == "rolle":  # without a role every group is rated, nurses too
        given["samarbejde_med"]["sygepleje"] = {"tillid": 3, "information": 3}
    assert errors(questionnaire, given) == [FieldError(item_id, MISSING)]


def test_answer_to_a_question_hidden_by_an_earlier_answer_is_refused(questionnaire):
    given = answers(har_plan=0, plan_hvorfor=DROP)  # plan_tilfreds still answered
    assert errors(questionnaire, given) == [FieldError("plan_tilfreds", NOT_SHOWN)]


def test_answers_left_behind_a_closed_chain_of_conditions_are_refused(questionnaire):
    assert errors(questionnaire, answers(har_plan=0)) == [
        FieldError("plan_tilfreds", NOT_SHOWN),
        FieldError("plan_hvorfor", NOT_SHOWN),
    ]


def test_answer_to_a_question_hidden_by_an_unpicked_option_is_refused(questionnaire):
    assert errors(questionnaire, answers(hjaelp=[1, 2])) == [FieldError("bostoette", NOT_SHOWN)]


@pytest.mark.parametrize("item_id", ["stress", "anbefale", "kontakt"])
@pytest.mark.parametrize("value", [True, False], ids=["true", "false"])
def test_true_or_false_is_not_accepted_as_a_number(questionnaire, item_id, value):
    assert errors(questionnaire, answers(**{item_id: value})) == [FieldError(item_id, PICK_ONE)]


def test_true_is_not_taken_as_ja_and_does_not_open_the_follow_up(questionnaire):
    assert errors(questionnaire, answers(har_plan=True)) == [
        FieldError("har_plan", PICK_ONE),
        FieldError("plan_tilfreds", NOT_SHOWN),
        FieldError("plan_hvorfor", NOT_SHOWN),
    ]


@pytest.mark.parametrize("value", ["3", 2.0, [2], {"a": {"b": 1}}], ids=["text", "float", "list", "dict"])
def test_answer_of_the_wrong_kind_asks_to_pick_an_option(questionnaire, value):
    assert errors(questionnaire, answers(stress=value)) == [FieldError("stress", PICK_ONE)]


@pytest.mark.parametrize("item_id", ["stress", "anbefale", "kontakt", "har_plan"])
def test_ved_ikke_is_refused_where_it_is_not_offered(questionnaire, item_id):
    assert errors(questionnaire, {item_id: "ved_ikke"}, only={item_id}) == [FieldError(item_id, NO_DONT_KNOW)]


def test_matrix_cell_out_of_range_is_named_item_row_dimension(questionnaire):
    given = answers(samarbejde_med={"udfoerer": {"tillid": 6, "information": 3},
                                    "myndighed": {"tillid": 5, "information": 0}})
    assert errors(questionnaire, given) == [
        FieldError("samarbejde_med.udfoerer.tillid", "Svaret skal være et tal fra 1 til 5."),
        FieldError("samarbejde_med.myndighed.information", "Svaret skal være et tal fra 1 til 5."),
    ]


def test_free_text_over_max_length_says_how_long_it_is(questionnaire):
    assert errors(questionnaire, answers(plan_hvorfor="x" * 41)) == [
        FieldError("plan_hvorfor", "Svaret må højst være 40 tegn (det er 41).")
    ]


def test_free_text_that_is_not_text_is_refused(questionnaire):
    assert errors(questionnaire, answers(kommentar=5)) == [FieldError("kommentar", "Svaret skal være tekst.")]


def test_role_that_is_not_one_of_the_groups_is_refused(questionnaire):
    given = answers(rolle="chef")
    given["samarbejde_med"]["sygepleje"] = {"tillid": 3, "information": 3}
    assert errors(questionnaire, given) == [FieldError("rolle", "Vælg en af rollerne.")]


def test_multiple_choice_given_as_a_single_value_asks_for_a_list(questionnaire):
    assert errors(questionnaire, answers(hjaelp=1)) == [
        FieldError("hjaelp", "Vælg et eller flere af svarene."),
        FieldError("bostoette", NOT_SHOWN),
    ]


def test_matrix_missing_cell_is_named_item_row_dimension(questionnaire):
    given = answers(samarbejde_med={"udfoerer": {"tillid": 4},
                                    "myndighed": {"tillid": 5, "information": 2}})
    assert errors(questionnaire, given) == [FieldError("samarbejde_med.udfoerer.information", MISSING)]


def test_matrix_missing_row_names_each_of_its_cells(questionnaire):
    given = answers(samarbejde_med={"udfoerer": {"tillid": 4, "information": 1}})
    assert errors(questionnaire, given) == [
        FieldError("samarbejde_med.myndighed.tillid", MISSING),
        FieldError("samarbejde_med.myndighed.information", MISSING),
    ]


def test_matrix_row_of_the_respondents_own_group_is_refused(questionnaire):
    given = answers()
    given["samarbejde_med"]["sygepleje"] = {"tillid": 5, "information": 5}
    assert errors(questionnaire, given) == [FieldError("samarbejde_med.sygepleje", OWN_GROUP)]


def test_matrix_row_that_does_not_exist_is_refused(questionnaire):
    given = answers()
    given["samarbejde_med"]["chefer"] = {"tillid": 5, "information": 5}
    assert errors(questionnaire, given) == [FieldError("samarbejde_med.chefer", OWN_GROUP)]


def test_matrix_dimension_that_does_not_exist_is_named_as_unknown(questionnaire):
    given = answers()
    given["samarbejde_med"]["udfoerer"] = {"tillid": 4, "information": 3, "humor": 5}
    assert errors(questionnaire, given) == [FieldError("samarbejde_med.udfoerer.humor", UNKNOWN)]


def test_matrix_that_is_not_a_table_is_refused(questionnaire):
    assert errors(questionnaire, answers(samarbejde_med=3)) == [
        FieldError("samarbejde_med", "Svaret skal angive en vurdering for hver faggruppe.")
    ]


def test_several_errors_are_reported_at_once_in_questionnaire_order(questionnaire):
    given = answers(stress=7, kontakt=DROP, ukendt=1, har_plan=True, plan_hvorfor=DROP)
    given["samarbejde_med"]["udfoerer"] = {"tillid": 4}
    problems = errors(questionnaire, given)
    assert problems == [
        FieldError("ukendt", UNKNOWN),
        FieldError("stress", "Svaret skal være et tal fra 1 til 5."),
        FieldError("kontakt", MISSING),
        FieldError("har_plan", PICK_ONE),
        FieldError("plan_tilfreds", NOT_SHOWN),
        FieldError("samarbejde_med.udfoerer.information", MISSING),
    ]


def test_invalid_message_lists_every_field(questionnaire):
    with pytest.raises(Invalid) as refused:
        check(questionnaire, answers(stress=7, kontakt=DROP))
    assert str(refused.value) == "stress: Svaret skal være et tal fra 1 til 5.; kontakt: " + MISSING
    assert refused.value.status_code == 422


# --- one page at a time (only=) ---------------------------------------------------------


def test_page_check_accepts_a_page_without_the_other_pages_answers(questionnaire):
    page = {k: v for k, v in FULL.items() if k in PAGE_OM_DIG}
    rows = check(questionnaire, page, only=PAGE_OM_DIG).rows
    assert {r.item_id for r in rows} == PAGE_OM_DIG


def test_page_check_requires_only_the_pages_own_items(questionnaire):
    # bostoette is on the page but hidden: hjaelp is not answered yet.
    assert errors(questionnaire, {}, only=PAGE_OM_DIG) == [
        FieldError(item_id, MISSING) for item_id in ["tilfreds", "stress", "anbefale", "kontakt", "hjaelp"]
    ]


def test_page_check_ignores_wrong_answers_on_other_pages(questionnaire):
    rows = check(questionnaire, answers(stress=7, rolle="chef"), only={"kontakt"}).rows
    assert rows == [row("kontakt", value=3)]


def test_page_check_still_names_unknown_items(questionnaire):
    assert errors(questionnaire, {"kontakt": 1, "ukendt": 1}, only={"kontakt"}) == [FieldError("ukendt", UNKNOWN)]


def test_page_check_refuses_an_answer_that_an_earlier_page_has_hidden(questionnaire):
    given = {"har_plan": 0, "plan_tilfreds": 4}
    assert errors(questionnaire, given, only={"plan_tilfreds"}) == [FieldError("plan_tilfreds", NOT_SHOWN)]


def test_page_check_asks_no_answer_to_questions_an_earlier_page_has_hidden(questionnaire):
    assert check(questionnaire, {"har_plan": 0}, only={"plan_tilfreds", "plan_hvorfor"}).rows == []


def test_matrix_row_page_checks_just_that_row(questionnaire):
    given = {"rolle": "sygepleje", "samarbejde_med": {"udfoerer": {"tillid": 2, "information": 1}}}
    rows = check(questionnaire, given, only={"samarbejde_med.udfoerer"}).rows
    assert rows == [row("samarbejde_med", "udfoerer:tillid", 2), row("samarbejde_med", "udfoerer:information", 1)]


def test_matrix_row_page_names_the_missing_cell_of_that_row_only(questionnaire):
    given = {"rolle": "sygepleje", "samarbejde_med": {"udfoerer": {"tillid": 2},
                                                          "myndighed": {"tillid": 99}}}
    assert errors(questionnaire, given, only={"samarbejde_med.udfoerer"}) == [
        FieldError("samarbejde_med.udfoerer.information", MISSING)
    ]


def test_matrix_row_page_with_no_matrix_answer_names_every_question_of_the_row(questionnaire):
    """Each unanswered rating is named, so the summary links to it and the page marks it
    (WCAG 3.3.1); one error for the whole matrix pointed at an anchor that exists nowhere."""
    given = {"rolle": "sygepleje"}
    assert errors(questionnaire, given, only={"samarbejde_med.udfoerer"}) == [
        FieldError("samarbejde_med.udfoerer.tillid", MISSING),
        FieldError("samarbejde_med.udfoerer.information", MISSING),
    ]


def test_matrix_row_page_for_the_respondents_own_group_is_refused(questionnaire):
    given = {"rolle": "udfoerer", "samarbejde_med": {"udfoerer": {"tillid": 2, "information": 1}}}
    assert errors(questionnaire, given, only={"samarbejde_med.udfoerer"}) == [
        FieldError("samarbejde_med.udfoerer", OWN_GROUP)
    ]


# --- conditions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        pytest.param({}, False, id="nothing_answered"),
        pytest.param({"har_plan": 1, "plan_tilfreds": 1}, True, id="ja_then_disagree"),
        pytest.param({"har_plan": 1, "plan_tilfreds": 4}, False, id="ja_then_agree"),
        pytest.param({"har_plan": 0, "plan_tilfreds": 1}, False, id="nej_hides_the_chain_despite_old_answer"),
        pytest.param({"plan_tilfreds": 1}, False, id="first_link_unanswered"),
        pytest.param({"har_plan": True, "plan_tilfreds": 1}, False, id="true_is_not_ja"),
    ],
)
def test_question_hidden_by_its_condition_hides_the_questions_that_depend_on_it(questionnaire, given, shown):
    plan_hvorfor = questionnaire.item("plan_hvorfor")  # needs plan_tilfreds 1-2, which needs har_plan Ja
    assert is_shown(questionnaire, plan_hvorfor, given) is shown


def test_middle_of_the_chain_follows_only_its_own_condition(questionnaire):
    plan_tilfreds = questionnaire.item("plan_tilfreds")
    assert is_shown(questionnaire, plan_tilfreds, {"har_plan": 1})
    assert not is_shown(questionnaire, plan_tilfreds, {"har_plan": 0})


@pytest.mark.parametrize(("picked", "shown"), [([4], True), ([1, 4], True), ([1, 2], False), ([], False)])
def test_condition_on_multiple_choice_is_met_by_any_picked_option(questionnaire, picked, shown):
    assert is_shown(questionnaire, questionnaire.item("bostoette"), {"hjaelp": picked}) is shown


def test_question_without_condition_is_always_shown(questionnaire):
    assert is_shown(questionnaire, questionnaire.item("stress"), {})


# --- answers that once slipped through or crashed -----------------------------------


def with_item_changed(q: Questionnaire, item_id: str, **changes) -> Questionnaire:
    sections = [
        msgspec.structs.replace(s, items=[msgspec.structs.replace(i, **changes) if i.id == item_id else i
                                          for i in s.items])
        for s in q.sections
    ]
    return msgspec.structs.replace(q, sections=sections)


def test_required_free_text_of_only_spaces_asks_for_an_answer(questionnaire):
    q = with_item_changed(questionnaire, "kommentar", required=True)
    assert errors(q, {"kommentar": "   "}, only={"kommentar"}) == [FieldError("kommentar", MISSING)]


@pytest.mark.parametrize("value", [["udfoerer"], [1], {"udfoerer": {"x": 1}}], ids=["list_of_text", "list", "dict"])
def test_role_given_as_a_list_or_table_is_refused_not_a_crash(questionnaire, value):
    try:
        problems = errors(questionnaire, {"rolle": value}, only={"rolle"})
    except TypeError as crash:
        raise AssertionError(f"crashed: {crash}") from crash
    assert problems == [FieldError("rolle", "Vælg en af rollerne.")]


def test_ved_ikke_alone_on_multiple_choice_is_stored_as_dont_know_not_as_an_option(questionnaire):
    q = with_item_changed(questionnaire, "hjaelp", dont_know=True)  # the loader accepts this
    assert check(q, {"hjaelp": ["ved_ikke"]}, only={"hjaelp"}).rows == [row("hjaelp", dont_know=True)]


def test_ved_ikke_together_with_an_option_on_multiple_choice_is_refused(questionnaire):
    q = with_item_changed(questionnaire, "hjaelp", dont_know=True)
    assert errors(q, {"hjaelp": ["ved_ikke", 1]}, only={"hjaelp"}) == [
        FieldError("hjaelp", "Vælg enten 'Ved ikke' eller et eller flere af svarene.")
    ]
