"""A citizen answers the `borger` questionnaire on a phone, in a real browser against the
real service and PostgreSQL: by touch, with JavaScript off, with a mistake, across two
browsers (save and resume), and in English."""

from __future__ import annotations

import re

import asyncpg
import pytest
from playwright.async_api import expect

from tests.browser.conftest import new_link, stored
from tests.browser.form import at_page, choose, fill_page, option, press

pytestmark = pytest.mark.browser

DK = "Ved ikke / ikke relevant"
REVIEW = "Tjek dine svar"
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
    ("Sammenlignet med for et år siden", [("forandring_indflydelse", "Enig"), ("forandring_maal", DK)]),
    ("Til sidst", [("udfyldt_med", "Jeg fik hjælp af en medarbejder"), ("kommentar", COMMENT)]),
]
# What PostgreSQL must hold afterwards: a code, "dk" for 'Ved ikke', or the text.
BORGER_STORED: dict[str, int | str] = {
    "indflydelse_eget_liv": 4, "indflydelse_stoette": 5, "maal_egne": 2, "maal_meningsfulde": "dk",
    "medarbejdere_lytter": 5, "moedt_som_menneske": 4, "steder_arbejder_sammen": 3, "fortaelle_forfra": 1,
    "ved_hvem_kontakt": 4, "med_til_moeder": 3, "moeder_taget_alvorligt": "dk", "opfoelgning_aftalt": 4,
    "aftaler_bliver_gjort": 2, "har_paaroerende_med": 1, "paaroerende_inddraget": 5, "tilfreds_med_livet": 7,
    "stoette_goer_livet_bedre": 4, "haab_for_fremtiden": 3, "forandring_indflydelse": 4, "forandring_maal": "dk",
    "udfyldt_med": 2, "kommentar": COMMENT,
}


async def assert_stored(pool: asyncpg.Pool, token: str, expected: dict[str, int | str]) -> dict:
    response, answers = await stored(pool, token)
    assert response is not None, "no response stored"
    got: dict[str, int | str] = {}
    for (item, part), a in answers.items():
        assert part == "", (item, part)
        got[item] = "dk" if a["dont_know"] else (a["text_value"] if a["text_value"] is not None else a["value"])
    assert got == expected
    return response


async def test_citizen_taps_through_every_page_on_a_phone_and_the_answers_are_stored(phone, pool):
    token = await new_link(pool, "borger")
    page = phone
    await page.goto(f"/s/{token}")
    await expect(page.locator("html")).to_have_attribute("lang", "da")
    total = len(BORGER_PAGES) + 1  # and the page to check the answers
    for number, (heading, answers) in enumerate(BORGER_PAGES, start=1):
        await at_page(page, heading, number, total)
        await fill_page(page, answers)
        await press(page, "Næste")
    await at_page(page, REVIEW, total, total)
    await expect(page.get_by_text(COMMENT.splitlines()[0])).to_be_visible()  # the comment, to read once more
    assert await stored(pool, token) == (None, {})  # nothing is sent before 'Send svar'
    await press(page, "Send svar")

    await expect(page).to_have_url(re.compile(rf"/s/{token}/tak$"))
    await expect(page.locator("h1")).to_have_text("Tak for dine svar")
    response = await assert_stored(pool, token, BORGER_STORED)
    assert response["channel"] == "web" and response["language"] == "da"
    assert response["assisted"] is False and response["staff_role"] is None

    await page.goto(f"/s/{token}")  # the link cannot be used twice
    await expect(page.locator("h1")).to_have_text("Der er allerede svaret")


async def test_citizen_completes_the_form_with_javascript_off_and_a_skipped_follow_up(phone_without_js, pool):
    """Conditions are decided by the server: answering 'Nej' to relatives leaves out the
    follow-up question without any script on the page."""
    token = await new_link(pool, "borger")
    page = phone_without_js
    await page.goto(f"/s/{token}")
    assert await page.locator("script").count() == 0  # the form needs no script at all
    walk = [p for p in BORGER_PAGES if p[1][0][0] != "paaroerende_inddraget"]
    walk[6] = ("Dine pårørende", [("har_paaroerende_med", "Nej")])
    for heading, answers in walk:
        await at_page(page, heading)
        await fill_page(page, answers, tap=False)
        await press(page, "Næste", tap=False)
    await at_page(page, REVIEW)
    await press(page, "Send svar", tap=False)

    await expect(page.locator("h1")).to_have_text("Tak for dine svar")
    expected = {k: v for k, v in BORGER_STORED.items() if k != "paaroerende_inddraget"} | {"har_paaroerende_med": 0}
    await assert_stored(pool, token, expected)


async def test_unanswered_required_question_shows_error_summary_linking_to_the_field_and_stores_nothing(phone, pool):
    token = await new_link(pool, "borger")
    page = phone
    await page.goto(f"/s/{token}")
    await choose(page, "indflydelse_eget_liv", "Enig")
    await press(page, "Næste")

    await expect(page).to_have_title(re.compile(r"^Fejl: "))
    summary = page.locator(".summary")
    await expect(summary).to_be_visible()
    await expect(summary.get_by_role("heading")).to_have_text("Der mangler noget")
    # at the top: before the page's heading and the form, and on screen without scrolling
    assert await page.evaluate(
        "document.querySelector('.summary').compareDocumentPosition(document.querySelector('h1'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    await expect(summary).to_be_in_viewport()
    await expect(summary).to_be_focused()  # autofocus: read out first, no script needed
    link = summary.locator('a[href="#f-indflydelse_stoette"]')
    await expect(link).to_have_count(1)
    await expect(link).to_contain_text("Besvar venligst spørgsmålet.")
    await expect(summary.locator("a")).to_have_count(1)  # the answered question is not listed

    field = page.locator("#f-indflydelse_stoette")
    message = field.locator(".errmsg")
    await expect(message).to_contain_text("Besvar venligst spørgsmålet.")
    await expect(field).to_have_attribute("aria-describedby", await message.get_attribute("id"))
    await expect(option(page, "indflydelse_eget_liv", "Enig").locator("input")).to_be_checked()  # kept

    await link.tap()
    await expect(page).to_have_url(re.compile(r"#f-indflydelse_stoette$"))
    await expect(field).to_be_in_viewport()
    assert await stored(pool, token) == (None, {})

    await choose(page, "indflydelse_stoette", "Uenig")  # the same page, now complete, moves on
    await press(page, "Næste")
    await at_page(page, "Dine mål og drømme", 2, 12)
    assert await stored(pool, token) == (None, {})


async def test_answers_are_kept_and_the_form_continues_where_left_in_another_browser(new_phone, pool):
    token = await new_link(pool, "borger")
    first = await new_phone()
    await first.goto(f"/s/{token}")
    await fill_page(first, [("indflydelse_eget_liv", "Uenig"), ("indflydelse_stoette", "Enig")])
    await press(first, "Næste")
    await fill_page(first, [("maal_egne", "Helt enig"), ("maal_meningsfulde", DK)])
    await press(first, "Næste")
    await at_page(first, "Bliver du hørt?", 3, 12)
    await first.context.close()

    later = await new_phone()  # another browser: no cookies, nothing in common but the link
    await later.goto(f"/s/{token}")
    await at_page(later, "Bliver du hørt?", 3, 12)
    await press(later, "Tilbage")
    await at_page(later, "Dine mål og drømme", 2, 12)
    await expect(option(later, "maal_egne", "Helt enig").locator("input")).to_be_checked()
    await expect(option(later, "maal_meningsfulde", DK).locator("input")).to_be_checked()
    await press(later, "Tilbage")
    await at_page(later, "Din indflydelse", 1, 12)
    await expect(option(later, "indflydelse_eget_liv", "Uenig").locator("input")).to_be_checked()
    await expect(option(later, "indflydelse_stoette", "Enig").locator("input")).to_be_checked()
    await expect(later.locator("form input[type=radio]:checked")).to_have_count(2)


async def test_english_switch_shows_english_texts_and_switching_back_stays_danish(phone, pool):
    token = await new_link(pool, "borger")
    page = phone
    await page.goto(f"/s/{token}")
    await press(page, "English")

    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page).to_have_title(re.compile(r"Your support – what do you think\? – Page 1 of 12"))
    await at_page(page, "Your influence")
    await expect(page.locator("#f-indflydelse_eget_liv legend")).to_have_text("I have influence on my own life.")
    await expect(page.get_by_role("button", name="Next", exact=True)).to_be_visible()
    await fill_page(page, [("indflydelse_eget_liv", "Strongly agree"),
                           ("indflydelse_stoette", "Neither agree nor disagree")])
    await press(page, "Next")
    await at_page(page, "Your goals and dreams")
    await expect(option(page, "maal_meningsfulde", "Don't know / not relevant")).to_be_visible()
    await expect(page.get_by_role("button", name="Back", exact=True)).to_be_visible()

    await press(page, "Dansk")
    await expect(page.locator("html")).to_have_attribute("lang", "da")
    await at_page(page, "Dine mål og drømme")
    await fill_page(page, [("maal_egne", "Enig"), ("maal_meningsfulde", "Enig")])
    await press(page, "Næste")
    await at_page(page, "Bliver du hørt?")  # the language chosen last holds after the next page
    await press(page, "Tilbage")
    await press(page, "Tilbage")
    await expect(option(page, "indflydelse_eget_liv", "Helt enig").locator("input")).to_be_checked()


async def test_switching_language_keeps_the_choices_made_on_the_page(phone, pool):
    token = await new_link(pool, "borger")
    page = phone
    await page.goto(f"/s/{token}")
    await choose(page, "indflydelse_eget_liv", "Enig")  # chosen, not yet sent
    switch = await page.get_by_role("button", name="English").bounding_box()
    title = await page.locator("header.top").bounding_box()
    assert switch and title and title["y"] <= switch["y"] < title["y"] + title["height"]  # in the top bar
    await press(page, "English")
    await at_page(page, "Your influence")
    await expect(option(page, "indflydelse_eget_liv", "Agree").locator("input")).to_be_checked()


async def test_enter_on_a_radio_button_of_the_last_page_does_not_send_the_answers(phone, pool):
    """Sending is a deliberate act: Enter on the last page moves to the page to check
    the answers (which has nothing Enter could send from); only 'Send svar' sends."""
    token = await new_link(pool, "borger")
    page = phone
    await page.goto(f"/s/{token}")
    for _, answers in BORGER_PAGES[:-1]:
        await fill_page(page, answers)
        await press(page, "Næste")
    await at_page(page, "Til sidst")
    await choose(page, "udfyldt_med", "Jeg fik hjælp af en medarbejder")
    await option(page, "udfyldt_med", "Jeg fik hjælp af en medarbejder").locator("input").focus()
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await at_page(page, REVIEW)
    assert await stored(pool, token) == (None, {})
    await expect(page.locator("form input:not([type=hidden]), form textarea")).to_have_count(0)
    await page.get_by_role("link", name="Ret svaret på: Hvem har udfyldt skemaet?").tap()
    await at_page(page, "Til sidst")  # 'Ret' goes back to the question, the answer still there
    await expect(option(page, "udfyldt_med", "Jeg fik hjælp af en medarbejder").locator("input")).to_be_checked()
    assert await stored(pool, token) == (None, {})
