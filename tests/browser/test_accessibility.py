"""axe-core on every page a respondent of `borger`, `medarbejder` and `kvalitet_borger`
(open questions, then a best–worst set per page) sees on a phone:
the first page, the same page with errors, each following page, and the thank-you page.
WCAG 2.1 AA is a legal duty for Danish public bodies; nothing serious or critical may
be found."""

from __future__ import annotations

import io

import asyncpg
import pytest
from PIL import Image

from tests.browser.conftest import new_link
from tests.browser.form import fill_any, press
from tests.support.browser import check

pytestmark = pytest.mark.browser

async def walk(page, pool: asyncpg.Pool, questionnaire_id: str) -> tuple[int, list[str], list[str]]:
    token = await new_link(pool, questionnaire_id)
    found: list[str] = []
    minor: list[str] = []
    checked = 0
    await page.goto(f"/s/{token}")
    await check(page, f"{questionnaire_id} page 1", found, minor)
    checked += 1
    with_errors = False  # the first page that asks something required is checked once with its errors
    for number in range(1, 40):
        heading = await page.locator("h1").inner_text()
        if number > 1:
            await check(page, f"{questionnaire_id} page {number}: {heading}", found, minor)
            checked += 1
        if not with_errors:
            await press(page, "Næste")  # nothing answered: the page again, with its errors, or the next page
            if await page.locator(".summary").count() == 1:
                await check(page, f"{questionnaire_id} page {number} with errors", found, minor)
                checked += 1
                with_errors = True
            else:
                await press(page, "Tilbage")
        await fill_any(page)
        last = await page.get_by_role("button", name="Send svar").count() == 1
        await press(page, "Send svar" if last else "Næste")
        if last:
            break
    assert await page.locator("h1").inner_text() == "Tak for dine svar"
    await check(page, f"{questionnaire_id} thank-you page", found, minor)
    return checked + 1, found, minor


@pytest.mark.parametrize("questionnaire_id", ["borger", "medarbejder", "kvalitet_borger"])
async def test_every_page_of_the_form_has_no_serious_or_critical_axe_violation_on_a_phone(
    phone, pool, questionnaire_id
):
    checked, found, minor = await walk(phone, pool, questionnaire_id)
    print(f"\naxe: {checked} pages of {questionnaire_id} checked; {len(found)} serious/critical, {len(minor)} minor")
    for line in minor:
        print(line)
    assert checked >= 9
    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)


async def test_message_pages_have_no_serious_or_critical_axe_violation(phone):
    found: list[str] = []
    minor: list[str] = []
    await phone.goto("/s/no-such-link")
    assert await phone.locator("h1").inner_text() == "Linket findes ikke"
    await check(phone, "link not found", found, minor)
    assert not found, "\n".join(found)


async def test_forced_colours_keep_the_progress_and_the_chosen_option_visible(phone, pool):
    """Windows high contrast replaces colours with a few system ones: the progress bar
    and the chosen option must still show, by outline and system colours."""
    token = await new_link(pool, "borger")
    await phone.emulate_media(forced_colors="active")
    await phone.goto(f"/s/{token}")
    await phone.locator("#f-indflydelse_eget_liv label").nth(3).tap()
    style = await phone.evaluate("""() => {
        const css = (el) => getComputedStyle(el);
        const chosen = document.querySelector('#f-indflydelse_eget_liv input:checked').closest('label');
        const other = document.querySelector('#f-indflydelse_eget_liv input:not(:checked)').closest('label');
        return {forced: matchMedia('(forced-colors: active)').matches,
                chosen: [css(chosen).outlineStyle, parseFloat(css(chosen).outlineWidth)],
                other: css(other).outlineStyle};
    }""")
    assert style["forced"] is True
    assert style["chosen"][0] == "solid" and style["chosen"][1] >= 3 and style["other"] == "none"
    # page 1 of 11: the left end of the bar is filled, the right end is not, and they differ
    bar = Image.open(io.BytesIO(await phone.locator("progress").screenshot())).convert("RGB")
    middle = bar.height // 2
    assert bar.getpixel((2, middle)) != bar.getpixel((bar.width - 3, middle))
