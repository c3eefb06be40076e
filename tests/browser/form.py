"""How a respondent works the form, in the words the page shows: pick an option by its
label, write in a text box, press a button. Fields are found by the id the server gives
each question's fieldset (`f-<item>` or `f-<matrix>--<row>--<dimension>`)."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from service.surveys.forms import field_id


def option(page: Any, field: str, label: str) -> Any:
    """The label of one option of a question, matched on its whole text."""
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    return page.locator(f"#{field_id(field)} label").filter(has_text=exact)


async def choose(page: Any, field: str, label: str, *, tap: bool = True) -> None:
    """Tap (or click) an option's label, as a thumb would, and check it took."""
    target = option(page, field, label)
    await expect(target).to_have_count(1)
    if tap:
        await target.tap()
    else:
        await target.click()
    await expect(target.locator("input")).to_be_checked()


async def write(page: Any, field: str, text: str) -> None:
    await page.locator(f"#{field_id(field)} textarea").fill(text)


async def press(page: Any, name: str, *, tap: bool = True) -> None:
    """Press a form button and wait for the page the server answers with."""
    button = page.get_by_role("button", name=name, exact=True)
    async with page.expect_navigation():
        if tap:
            await button.tap()
        else:
            await button.click()


async def at_page(page: Any, heading: str, number: int | None = None, total: int | None = None) -> None:
    """The page shown has this section heading (and 'Side n af N' when given)."""
    await expect(page.locator("h1")).to_have_text(heading)
    if number is not None:
        await expect(page.locator("#fremskridt")).to_contain_text(f"{number} af {total}")


async def fill_page(page: Any, answers: list[tuple[str, str]], *, tap: bool = True) -> None:
    """answers: (field, option label) pairs; a field of a text box gets the text."""
    for field, value in answers:
        if await page.locator(f"#{field_id(field)} textarea").count():
            await write(page, field, value)
        else:
            await choose(page, field, value, tap=tap)


async def fill_any(page: Any) -> None:
    """Answer every question on the page with its first option (a walk through every page);
    the least important of a best–worst set with its last, as one theme cannot be both."""
    for fieldset in await page.locator("form fieldset").all():
        if await fieldset.locator("textarea").count():
            await fieldset.locator("textarea").fill("Tak.")
        elif (await fieldset.get_attribute("id") or "").endswith("--worst"):
            await fieldset.locator("label").last.tap()
        else:
            await fieldset.locator("label").first.tap()
