"""How questionnaires are cut into phone pages, and how pages are counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.surveys import loader
from service.surveys.model import Matrix
from service.surveys.pages import MAX_ITEMS_PER_PAGE, next_page, page_count, pages, prune

FILES = sorted((Path(__file__).resolve().parents[2] / "questionnaires").glob("*.toml"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_no_page_holds_an_item_together_with_the_item_its_condition_looks_at(path):
    q = loader.load_file(path)
    for page in pages(q):
        ids = {p.item_id for p in page.parts}
        for part in page.parts:
            item = q.item(part.item_id)
            assert item.show_if is None or item.show_if.item not in ids
        assert len(page.parts) <= MAX_ITEMS_PER_PAGE


def test_matrix_gets_one_page_per_role_group_and_skips_the_own_group():
    q = loader.load_file(next(p for p in FILES if p.stem == "medarbejder"))
    all_pages = pages(q)
    matrix_pages = [p for p in all_pages if isinstance(q.item(p.parts[0].item_id), Matrix)]
    rows = [p.parts[0].row for p in matrix_pages]
    assert rows == ["myndighed", "udfoerer", "sygepleje", "distriktspsykiatri", "jobcenter"]
    before, after = page_count(q, all_pages, 0, {}), page_count(q, all_pages, 0, {"rolle": "udfoerer"})
    assert after == (1, before[1] - 1)
    first_matrix = all_pages.index(matrix_pages[0])
    assert next_page(q, all_pages, first_matrix, {"rolle": "myndighed"}) == first_matrix + 1
    assert next_page(q, all_pages, 0, {"rolle": "myndighed"}) == first_matrix + 1


def test_pages_of_a_follow_up_question_count_until_the_answer_rules_them_out():
    q = loader.load_file(next(p for p in FILES if p.stem == "borger"))
    all_pages = pages(q)
    undecided = page_count(q, all_pages, 0, {})
    assert page_count(q, all_pages, 0, {"har_paaroerende_med": 1}) == undecided
    assert page_count(q, all_pages, 0, {"har_paaroerende_med": 0}) == (1, undecided[1] - 1)


def test_answers_hidden_by_a_changed_earlier_answer_are_dropped_before_sending():
    q = loader.load_file(next(p for p in FILES if p.stem == "borger"))
    answers = {"har_paaroerende_med": 0, "paaroerende_inddraget": 4, "indflydelse_eget_liv": 5}
    assert prune(q, answers) == {"har_paaroerende_med": 0, "indflydelse_eget_liv": 5}
