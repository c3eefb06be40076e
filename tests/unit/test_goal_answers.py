"""A goal question (GAS) checked as the form and the API send it: setting goals at
baseline with the questionnaire of conftest.py, and rating them at a follow-up whose
questionnaire holds the goals one citizen set (service/surveys/goals.py). Refusals name
the goal and the cell in Danish."""

from __future__ import annotations

import pytest

from service.errors import Invalid
from service.surveys import loader
from service.surveys.answers import AnswerRow, check
from service.surveys.codebook import codebook
from service.surveys.goals import rates_goals, with_stated
from service.surveys.model import Goal, StatedGoal
from service.surveys.pages import pages
from tests.support.goals import FOLLOW_UP


@pytest.fixture(scope="module")
def follow_up():
    """The follow-up (two goals) as a citizen answers it who set goals 1 and 2 at
    baseline (goal 2's text deleted by the free-text retention) and, in a questionnaire
    of three, a third that this follow-up does not ask about."""
    q = loader.decode(FOLLOW_UP, "opfoelgning.toml")
    return with_stated(q, {"egne_maal": [StatedGoal(number=1, text="Gå en tur hver dag", level=-1),
                                         StatedGoal(number=2, text=None, level=-2),
                                         StatedGoal(number=3, text="Flytte", level=-1)]})


def _refused(q, answers, only=None) -> dict[str, str]:
    with pytest.raises(Invalid) as refused:
        check(q, answers, only=only)
    return {e.field: e.message for e in refused.value.errors}


def test_a_goal_is_set_with_its_text_and_baseline_level_and_the_second_may_be_left_empty(questionnaire):
    rows = check(questionnaire, {"egne_maal": {"1": {"text": "  Få et fritidsjob\r\n", "level": -1}}},
                 only={"egne_maal.1", "egne_maal.2"}).rows
    assert rows == [AnswerRow("egne_maal", None, "Få et fritidsjob", False, dimension="g1_text"),
                    AnswerRow("egne_maal", -1, None, False, dimension="g1")]


@pytest.mark.parametrize(("goal", "field", "message"), [
    ({"1": {"level": -1}}, "egne_maal.1.text", "Skriv målet med dine egne ord."),
    ({"1": {"text": "Få et job"}}, "egne_maal.1.level", "Vælg hvor du står i forhold til målet."),
    ({"1": {"text": "Få et job", "level": 0}}, "egne_maal.1.level", "Svaret skal være et tal fra -2 til -1."),
    ({"1": {"text": "Få et job", "level": "ved_ikke"}}, "egne_maal.1.level", "'Ved ikke' kan ikke vælges her."),
    ({"1": {"text": "x" * 41, "level": -1}}, "egne_maal.1.text", "Svaret må højst være 40 tegn (det er 41)."),
    ({"1": {"text": "Få et\x00job", "level": -1}}, "egne_maal.1.text", "Svaret indeholder et tegn"),
    ({"1": {"text": 7, "level": -1}}, "egne_maal.1.text", "Svaret skal være tekst."),
    ({"1": {"text": "Få et job", "level": -1, "frist": 3}}, "egne_maal.1.frist", "Spørgsmålet findes ikke"),
    ({"1": {"text": "Få et job", "level": -1}, "4": {"level": -1}}, "egne_maal.4", "Målet findes ikke"),
    ({"1": "Få et job"}, "egne_maal.1", "Svaret skal angive dine mål"),
    ({}, "egne_maal.1.text", "Skriv målet med dine egne ord."),  # the first goal is required
])
def test_a_goal_set_wrong_is_refused_naming_the_goal_and_the_cell(questionnaire, goal, field, message):
    errors = _refused(questionnaire, {"egne_maal": goal}, only={"egne_maal"})
    assert errors.get(field, "").startswith(message), errors


def test_half_a_second_goal_is_refused_and_nothing_of_it_kept(questionnaire):
    errors = _refused(questionnaire, {"egne_maal": {"1": {"text": "Få et job", "level": -1}, "2": {"text": "Flytte"}}},
                      only={"egne_maal"})
    assert errors == {"egne_maal.2.level": "Vælg hvor du står i forhold til målet."}


def test_a_follow_up_rates_each_goal_the_citizen_set_on_the_five_gas_levels(follow_up):
    assert rates_goals(follow_up)
    rows = check(follow_up, {"egne_maal": {"1": {"level": 2}, "2": {"level": -1}}}).rows
    assert rows == [AnswerRow("egne_maal", 2, None, False, dimension="g1"),
                    AnswerRow("egne_maal", -1, None, False, dimension="g2")]
    assert _refused(follow_up, {"egne_maal": {"1": {"level": "ved_ikke"}, "2": {"level": 0}}}) == {
        "egne_maal.1.level": "'Ved ikke' kan ikke vælges her."}


def test_a_follow_up_asks_for_every_goal_set_and_refuses_one_never_set_or_a_new_text(follow_up):
    assert _refused(follow_up, {"egne_maal": {"1": {"level": 0}}}) == {
        "egne_maal.2.level": "Vælg hvor du står i forhold til målet."}
    errors = _refused(follow_up, {"egne_maal": {"1": {"level": 0}, "2": {"level": 3}, "3": {"level": 1}}})
    assert errors == {"egne_maal.3": "Målet findes ikke i dette spørgsmål.",
                      "egne_maal.2.level": "Svaret skal være et tal fra -2 til 2."}
    errors = _refused(follow_up, {"egne_maal": {"1": {"level": 0, "text": "Et nyt mål"}, "2": {"level": 0}}})
    assert errors == {"egne_maal.1.text": "Spørgsmålet findes ikke i dette spørgeskema."}


def test_a_goal_gets_a_page_of_its_own_and_a_follow_up_only_the_goals_that_were_set(questionnaire, follow_up):
    assert [p.row for p in pages(questionnaire) if p.parts[0].item_id == "egne_maal" for p in p.parts] == ["1", "2"]
    assert [p.parts[0].row for p in pages(follow_up)] == ["1", "2"]  # not the third: no g3 in its codebook
    nobody = with_stated(loader.decode(FOLLOW_UP, "opfoelgning.toml"), {})
    assert pages(nobody) == [] and check(nobody, {}).rows == []


def test_the_codebook_has_each_goals_level_and_at_baseline_its_text(questionnaire, follow_up):
    baseline = {(e.dimension, e.type) for e in codebook(questionnaire) if e.item_id == "egne_maal"}
    assert baseline == {("", "goal"), ("g1", "goal_baseline"), ("g1_text", "goal_text"),
                        ("g2", "goal_baseline"), ("g2_text", "goal_text")}
    rated = [e for e in codebook(follow_up) if e.item_id == "egne_maal" and e.dimension]
    assert [(e.dimension, e.type, e.label_da) for e in rated] == [
        ("g1", "goal_level", "Mål 1: niveau"), ("g2", "goal_level", "Mål 2: niveau")]
    main = next(e for e in codebook(follow_up) if e.item_id == "egne_maal" and not e.dimension)
    assert [v.value for v in main.values] == [-2, -1, 0, 1, 2] and main.values[2].da == "Som forventet"


@pytest.mark.parametrize(("changed", "message"), [
    ('goals = 2\nstated = [{ number = 1, text = "Et mål", level = -1 }]', "stated: the goals are the citizen's own"),
    ("goals = 4", "Expected `int` <= 3"),
])
def test_a_file_cannot_name_a_citizens_goals_or_ask_for_more_than_three(changed, message):
    with pytest.raises(loader.QuestionnaireError, match=message.replace("`", ".")):
        loader.decode(FOLLOW_UP.replace("goals = 2", changed), "opfoelgning.toml")


@pytest.mark.parametrize("stage", ["set", "rate"])
def test_a_goal_question_offers_no_dont_know_as_minus_one_is_a_level(stage):
    text = FOLLOW_UP.replace('stage = "rate"', f'stage = "{stage}"')
    with pytest.raises(loader.QuestionnaireError, match=r"items\[0\].dont_know: a goal question has no 'Ved ikke'"):
        loader.decode(text.replace('stage =', 'dont_know = true\nstage ='), "maal.toml")
    assert isinstance(loader.decode(text, "maal.toml").item("egne_maal"), Goal)


def test_an_option_valued_minus_one_is_stored_as_that_value_not_as_dont_know():
    q = loader.decode("""\
id = "valg"
version = 1
audience = "citizen"
title = { da = "Valg" }
[[sections]]
id = "s"
title = { da = "S" }
[[sections.items]]
id = "retning"
type = "single_choice"
dont_know = true
text = { da = "Er det blevet bedre?" }
options = [{ value = -1, text = { da = "Værre" } }, { value = 1, text = { da = "Bedre" } }]
""", "valg.toml")
    assert check(q, {"retning": -1}).rows == [AnswerRow("retning", -1, None, False)]
    assert check(q, {"retning": "ved_ikke"}).rows == [AnswerRow("retning", None, None, True)]
