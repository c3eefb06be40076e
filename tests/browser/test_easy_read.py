"""Easy-read mode on a phone in Chromium: one question a page with faces, answered by
keyboard alone; the read-aloud button shows only where the browser has speech synthesis
(and never with JavaScript off); axe finds nothing serious, in forced colours too."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from service.surveys import loader
from service.surveys.store import sync_questionnaires
from tests.browser.conftest import stored
from tests.browser.form import at_page, press
from tests.support.browser import check
from tests.support.easy_read import LET
from tests.support.evaluation import invite, make_wave

pytestmark = pytest.mark.browser


async def _link(pool) -> str:
    async with pool.acquire() as conn:
        await sync_questionnaires(conn, [loader.decode(LET, "let_borger.toml")])
        return await invite(conn, await make_wave(conn, "let_borger"))


async def test_a_citizen_answers_the_easy_version_by_keyboard_with_the_read_aloud_button(phone, pool):
    token = await _link(pool)
    page = phone
    found: list[str] = []
    minor: list[str] = []
    await page.goto(f"/s/{token}?let=1")
    await expect(page.locator("legend")).to_contain_text("Jeg bestemmer selv i mit liv.")
    await expect(page.locator("svg.face")).to_have_count(5)
    await expect(page.get_by_role("button", name="Læs op")).to_be_visible()  # Chromium speaks
    await check(page, "easy page 1", found, minor)
    await page.emulate_media(forced_colors="active")
    await check(page, "easy page 1, forced colours", found, minor)
    await page.emulate_media(forced_colors="none")
    for _ in range(3):  # Tab to the first face, the arrow keys to the fourth, Enter
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement?.name === 'bestemmer'"):
            break
    await page.keyboard.press("Space")
    for _ in range(3):
        await page.keyboard.press("ArrowDown")
    await expect(page.locator("input[name=bestemmer]:checked")).to_have_value("4")
    await press(page, "Næste")
    await expect(page.locator("legend")).to_contain_text("De lytter til mig.")
    await page.locator("label", has_text="Helt enig").tap()
    await press(page, "Næste")
    await press(page, "Næste")  # the optional text left empty
    await at_page(page, "Tjek dine svar")
    await press(page, "Send svar")
    assert not found, "\n".join(found)
    response, answers = await stored(pool, token)
    assert response["easy_read"] is True
    assert {item: a["value"] for (item, _), a in answers.items()} == {"bestemmer": 4, "lytter": 5}


async def test_without_speech_synthesis_or_javascript_there_is_no_read_aloud_button(new_phone, pool):
    token = await _link(pool)
    silent = await new_phone()
    await silent.add_init_script("delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;")
    await silent.goto(f"/s/{token}?let=1")
    await expect(silent.locator("svg.face")).to_have_count(5)
    await expect(silent.locator("button.read-aloud")).to_be_hidden()
    no_js = await new_phone(java_script_enabled=False)
    await no_js.goto(f"/s/{token}?let=1")
    await expect(no_js.locator("button.read-aloud")).to_be_hidden()
    await expect(no_js.locator("legend")).to_contain_text("Jeg bestemmer selv i mit liv.")
