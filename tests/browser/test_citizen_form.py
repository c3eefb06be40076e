"""A citizen answers the `borger` questionnaire on a phone, in a real browser against the
real service and PostgreSQL: by touch, with JavaScript off, with a mistake, across two
browsers (save and resume), and in English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_link, stored
from tests.browser.form import at_page, choose, fill_page, option, press

pytestmark = pytest.mark.browser

DK = "Ved ikke / ikke relevant"
COMMENT = "Mere tid med min bostøtte, tak.\nOg færre nye ansigter."

# The citizen's way through the form: the heading of each page and what is tapped there.
BORGER_PAGES: list[tuple[str, list[tuple[str, str]]]] = [
    ("Din indflydelse", [("indflydelse_eget_liv", "Enig"), ("indflydelse_stoette", "Helt enig")]),
    ("Dine mål og drømme", [("maal_egne", "Uenig"), ("maal_meningsfulde", DK)]),
    ("Bliver du hørt?", [("medarbejdere_lytter", "Altid"), ("moedt_som_menneske", "Ofte")]),
    ("Hænger støtten sammen?", [
        ("steder_arbejder_sammen", "Hverken enig eller uenig"), ("fortaelle_forfra", "Helt uenig"),
        ("ved_hvem_kontakt", "Enig"),
    ]),
    ("Møder om dig", [("med_til_moeder", "Nogle gange"), ("moeder_taget_alvorligt", DK)]),
    ("Opfølgning", [("opfoelgning_aftalt", "Enig"), ("aftaler_bliver_gjort", "Sjældent")]),
    ("Dine pårørende", [("har_paaroerende_med", "Ja")]),
    ("Dine pårørende", [("paaroerende_inddraget", "Helt enig")]),
    ("Dit liv", [
        ("tilfreds_med_livet", "7"), ("stoette_goer_livet_bedre", "Enig"),
        ("haab_for_fremtiden", "Hverken enig eller uenig"),
    ]),
    ("Til sidst", [("udfyldt_med", "Jeg fik hjælp af en medarbejder"), ("kommentar", COMMENT)]),
]
# What PostgreSQL must hold afterwards: a code, "dk" for 'Ved ikke', or the text.
BORGER_STORED: dict[str, int | str] = {
    "indflydelse_eget_liv": 4, "indflydelse_stoette": 5, "maal_egne": 2, "maal_meningsfulde": "dk",
    "medarbejdere_lytter": 5, "moedt_som_menneske": 4, "steder_arbejder_sammen": 3, "fortaelle_forfra": 1,
    "ved_hvem_kontakt": 4, "med_til_moeder": 3, "moeder_taget_alvorligt": "dk", "opfoelgning_aftalt": 4,
    "aftaler_bliver_gjort": 2, "har_paaroerende_med": 1, "paaroerende_inddraget": 5, "tilfreds_med_livet": 7,
    "stoette_goer_livet_bedre": 4, "haab_for_fremtiden": 3, "udfyldt_med": 2, "kommentar": COMMENT,
}


def assert_stored(pg_url: str, token: str, expected: dict[str, int | str]) -> dict:
    response, answers = stored(pg_url, token)
    assert response is not None, "no response stored"
    got: dict[str, int | str] = {}
    for (item, part), a in answers.items():
        assert part == "", (item, part)
        got[item] = "dk" if a["dont_know"] else (a["text_value"] if a["text_value"] is not None else a["value"])
    assert got == expected
    return response


def test_citizen_taps_through_every_page_on_a_phone_and_the_answers_are_stored(phone, pg_url):
    token = new_link(pg_url, "borger")
    page = phone
    page.goto(f"/s/{token}")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    for number, (heading, answers) in enumerate(BORGER_PAGES, start=1):
        at_page(page, heading, number, len(BORGER_PAGES))
        fill_page(page, answers)
        press(page, "Send svar" if number == len(BORGER_PAGES) else "Næste")

    expect(page).to_have_url(re.compile(rf"/s/{token}/tak$"))
    expect(page.locator("h1")).to_have_text("Tak for dine svar")
    response = assert_stored(pg_url, token, BORGER_STORED)
    assert response["channel"] == "web" and response["language"] == "da"
    assert response["assisted"] is False and response["staff_role"] is None

    page.goto(f"/s/{token}")  # the link cannot be used twice
    expect(page.locator("h1")).to_have_text("Der er allerede svaret")


def test_citizen_completes_the_form_with_javascript_off_and_a_skipped_follow_up(phone_without_js, pg_url):
    """Conditions are decided by the server: answering 'Nej' to relatives leaves out the
    follow-up question without any script on the page."""
    token = new_link(pg_url, "borger")
    page = phone_without_js
    page.goto(f"/s/{token}")
    assert page.locator("script").count() == 0  # the form needs no script at all
    walk = [p for p in BORGER_PAGES if p[1][0][0] != "paaroerende_inddraget"]
    walk[6] = ("Dine pårørende", [("har_paaroerende_med", "Nej")])
    for number, (heading, answers) in enumerate(walk, start=1):
        at_page(page, heading)
        fill_page(page, answers, tap=False)
        press(page, "Send svar" if number == len(walk) else "Næste", tap=False)

    expect(page.locator("h1")).to_have_text("Tak for dine svar")
    expected = {k: v for k, v in BORGER_STORED.items() if k != "paaroerende_inddraget"} | {"har_paaroerende_med": 0}
    assert_stored(pg_url, token, expected)


def test_unanswered_required_question_shows_error_summary_linking_to_the_field_and_stores_nothing(phone, pg_url):
    token = new_link(pg_url, "borger")
    page = phone
    page.goto(f"/s/{token}")
    choose(page, "indflydelse_eget_liv", "Enig")
    press(page, "Næste")

    expect(page).to_have_title(re.compile(r"^Fejl: "))
    summary = page.locator(".summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("Der mangler noget")
    # at the top: before the page's heading and the form, and on screen without scrolling
    assert page.evaluate(
        "document.querySelector('.summary').compareDocumentPosition(document.querySelector('h1'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    expect(summary).to_be_in_viewport()
    expect(summary).to_be_focused()  # autofocus: read out first, no script needed
    link = summary.locator('a[href="#f-indflydelse_stoette"]')
    expect(link).to_have_count(1)
    expect(link).to_contain_text("Besvar venligst spørgsmålet.")
    expect(summary.locator("a")).to_have_count(1)  # the answered question is not listed

    field = page.locator("#f-indflydelse_stoette")
    message = field.locator(".errmsg")
    expect(message).to_contain_text("Besvar venligst spørgsmålet.")
    expect(field).to_have_attribute("aria-describedby", message.get_attribute("id"))
    expect(option(page, "indflydelse_eget_liv", "Enig").locator("input")).to_be_checked()  # kept

    link.tap()
    expect(page).to_have_url(re.compile(r"#f-indflydelse_stoette$"))
    expect(field).to_be_in_viewport()
    assert stored(pg_url, token) == (None, {})

    choose(page, "indflydelse_stoette", "Uenig")  # the same page, now complete, moves on
    press(page, "Næste")
    at_page(page, "Dine mål og drømme", 2, 10)
    assert stored(pg_url, token) == (None, {})


def test_answers_are_kept_and_the_form_continues_where_left_in_another_browser(new_phone, pg_url):
    token = new_link(pg_url, "borger")
    first = new_phone()
    first.goto(f"/s/{token}")
    fill_page(first, [("indflydelse_eget_liv", "Uenig"), ("indflydelse_stoette", "Enig")])
    press(first, "Næste")
    fill_page(first, [("maal_egne", "Helt enig"), ("maal_meningsfulde", DK)])
    press(first, "Næste")
    at_page(first, "Bliver du hørt?", 3, 10)
    first.context.close()

    later = new_phone()  # another browser: no cookies, nothing in common but the link
    later.goto(f"/s/{token}")
    at_page(later, "Bliver du hørt?", 3, 10)
    press(later, "Tilbage")
    at_page(later, "Dine mål og drømme", 2, 10)
    expect(option(later, "maal_egne", "Helt enig").locator("input")).to_be_checked()
    expect(option(later, "maal_meningsfulde", DK).locator("input")).to_be_checked()
    press(later, "Tilbage")
    at_page(later, "Din indflydelse", 1, 10)
    expect(option(later, "indflydelse_eget_liv", "Uenig").locator("input")).to_be_checked()
    expect(option(later, "indflydelse_stoette", "Enig").locator("input")).to_be_checked()
    expect(later.locator("form input[type=radio]:checked")).to_have_count(2)


def test_english_switch_shows_english_texts_and_switching_back_stays_danish(phone, pg_url):
    token = new_link(pg_url, "borger")
    page = phone
    page.goto(f"/s/{token}")
    page.get_by_role("link", name="English").tap()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_title(re.compile(r"Your support – what do you think\? – Page 1 of 10"))
    at_page(page, "Your influence")
    expect(page.locator("#f-indflydelse_eget_liv legend")).to_have_text("I have influence on my own life.")
    expect(page.get_by_role("button", name="Next", exact=True)).to_be_visible()
    fill_page(page, [("indflydelse_eget_liv", "Strongly agree"), ("indflydelse_stoette", "Neither agree nor disagree")])
    press(page, "Next")
    at_page(page, "Your goals and dreams")
    expect(option(page, "maal_meningsfulde", "Don't know / not relevant")).to_be_visible()
    expect(page.get_by_role("button", name="Back", exact=True)).to_be_visible()

    page.get_by_role("link", name="Dansk").tap()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    at_page(page, "Dine mål og drømme")
    fill_page(page, [("maal_egne", "Enig"), ("maal_meningsfulde", "Enig")])
    press(page, "Næste")
    at_page(page, "Bliver du hørt?")  # the language chosen last holds after the next page
    press(page, "Tilbage")
    press(page, "Tilbage")
    expect(option(page, "indflydelse_eget_liv", "Helt enig").locator("input")).to_be_checked()
