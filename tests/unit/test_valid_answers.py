"""The answer set tests/support makes for a questionnaire (tests, benchmark and screenshots
stand on it) is one the product accepts, answers every item, and says the same as the
form fields the helpers post, for every shipped questionnaire and the every-item-type
one of conftest.py."""

from __future__ import annotations

import pytest
from litestar.datastructures import MultiDict

from service.surveys import forms, loader
from service.surveys.answers import check
from service.surveys.model import Questionnaire
from service.surveys.pages import pages, visible_parts
from tests.support import QUESTIONNAIRE_DIR
from tests.support.answers import draft_before, last_page, valid_answers
from tests.support.form import fields
from tests.unit.conftest import FILE_NAME, VALID_TOML

QUESTIONNAIRES = [*loader.load_dir(QUESTIONNAIRE_DIR).values(), loader.decode(VALID_TOML, FILE_NAME)]
each_questionnaire = pytest.mark.parametrize("q", QUESTIONNAIRES, ids=[q.id for q in QUESTIONNAIRES])


@each_questionnaire
def test_valid_answers_are_accepted_and_answer_every_item_conditional_ones_too(q: Questionnaire):
    answers = valid_answers(q)
    check(q, answers)  # raises Invalid, naming the field, if the helper got it wrong
    assert list(answers) == [item.id for item in q.items()]


@each_questionnaire
def test_the_form_fields_page_by_page_carry_the_same_answers(q: Questionnaire):
    answers = valid_answers(q)
    form = MultiDict(fields(q, answers))
    sent: dict = {}
    for page in pages(q):
        parts = visible_parts(q, page, sent)
        sent = forms.merge(sent, parts, forms.parse_page(q, parts, form))
    assert sent == answers


@each_questionnaire
def test_the_draft_before_the_last_page_lacks_only_what_the_last_page_asks(q: Questionnaire):
    answers = valid_answers(q)
    last = last_page(q, answers)
    draft = draft_before(q, answers, last)
    asked = forms.parse_page(q, visible_parts(q, pages(q)[last], answers), MultiDict(fields(q, answers)))
    assert forms.merge(draft, visible_parts(q, pages(q)[last], answers), asked) == answers
