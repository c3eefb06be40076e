"""A staff member answers `medarbejder`: picks their own role group, rates every other
group on one page per group, and the role is stored with the response."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import new_link, stored
from tests.browser.form import at_page, choose, fill_page, press

pytestmark = pytest.mark.browser

DK = "Ved ikke / ikke relevant"
MATRIX_HEADING = "Samarbejdet med de andre"
GROUPS = {
    "myndighed": "Myndighed",
    "udfoerer": "Udfører (botilbud, bostøtte, dagtilbud)",
    "sygepleje": "Sygepleje",
    "distriktspsykiatri": "Distriktspsykiatri",
    "jobcenter": "Jobcenter",
}
DIMENSIONS = ["hyppig", "rettidig", "praecis", "problemloesning", "faelles_maal", "faelles_viden", "respekt"]


def rating(group: str, dimension: str) -> str:
    if group == "jobcenter":
        return DK  # a group this person does not work with
    if group == "sygepleje" and dimension == "respekt":
        return "Helt enig"
    return "Enig"


async def test_staff_member_rates_every_group_but_their_own_and_the_role_is_stored(phone, pool):
    token = await new_link(pool, "medarbejder")
    page = phone
    await page.goto(f"/s/{token}")
    await at_page(page, "Din rolle")
    await choose(page, "rolle", "Myndighed")
    await press(page, "Næste")

    rated: list[str] = []
    while await page.locator("h1").inner_text() == MATRIX_HEADING:
        fields = page.locator("form fieldset[id^='f-samarbejde--']")
        await expect(fields).to_have_count(len(DIMENSIONS))
        group = (await fields.first.get_attribute("id")).split("--")[1]
        assert await page.locator("[id^='f-samarbejde--myndighed']").count() == 0
        await expect(page.locator(".group h2")).to_have_text(GROUPS[group])  # the group being rated, in words
        for dimension in DIMENSIONS:
            await choose(page, f"samarbejde.{group}.{dimension}", rating(group, dimension))
        rated.append(group)
        await press(page, "Næste")
    assert rated == ["udfoerer", "sygepleje", "distriktspsykiatri", "jobcenter"]

    await at_page(page, "Din viden")
    topics = ("rehabilitering", "recovery", "koordinering", "sundhedsfremme")
    await fill_page(page, [(f"viden_{t}", "Enig") for t in topics])
    await press(page, "Næste")
    await at_page(page, "Fælles sprog og fundament")
    await fill_page(page, [("faelles_fagligt_sprog", "Uenig"), ("faelles_tilgang", DK),
                     ("borgerens_maal_rammen", "Helt enig"), ("aftaler_bliver_gjort", "Hverken enig eller uenig")])
    await press(page, "Næste")
    await at_page(page, "Til sidst")
    await fill_page(page, [("kommentar", "Godt at blive spurgt.")])
    await press(page, "Næste")
    await at_page(page, "Tjek dine svar")
    await press(page, "Send svar")
    await expect(page.locator("h1")).to_have_text("Tak for dine svar")

    response, answers = await stored(pool, token)
    assert response is not None and response["staff_role"] == "myndighed"
    assert answers[("rolle", "")]["text_value"] == "myndighed"
    matrix = {part: a for (item, part), a in answers.items() if item == "samarbejde"}
    assert set(matrix) == {f"{g}:{d}" for g in rated for d in DIMENSIONS}
    assert not any(part.startswith("myndighed:") for part in matrix)
    assert matrix["sygepleje:respekt"]["value"] == 5
    assert matrix["udfoerer:hyppig"]["value"] == 4
    assert all(matrix[f"jobcenter:{d}"]["dont_know"] for d in DIMENSIONS)
    assert answers[("faelles_tilgang", "")]["dont_know"] is True
    assert answers[("kommentar", "")]["text_value"] == "Godt at blive spurgt."


async def test_a_collaboration_page_sent_without_ratings_names_links_and_marks_each_question(phone, pool):
    """WCAG 3.3.1: every missing rating is listed, each link goes to its question on this
    page, and each question is marked (message, red edge, aria-invalid on its radios)."""
    token = await new_link(pool, "medarbejder")
    page = phone
    await page.goto(f"/s/{token}")
    await choose(page, "rolle", "Myndighed")
    await press(page, "Næste")
    await at_page(page, MATRIX_HEADING)
    await press(page, "Næste")  # nothing rated

    links = page.locator(".summary a")
    await expect(links).to_have_count(len(DIMENSIONS))
    for n, dimension in enumerate(DIMENSIONS):
        field_id = f"f-samarbejde--udfoerer--{dimension}"
        await expect(links.nth(n)).to_have_attribute("href", f"#{field_id}")
        field = page.locator(f"#{field_id}")
        await expect(field).to_have_class("err")
        await expect(field.locator(".errmsg")).to_contain_text("Besvar venligst spørgsmålet.")
        await expect(field.locator("input[aria-invalid=true]")).to_have_count(6)  # five points and 'Ved ikke'
    await links.nth(3).tap()
    await expect(page).to_have_url(f"{page.url.split('#')[0]}#f-samarbejde--udfoerer--{DIMENSIONS[3]}")
    await expect(page.locator(f"#f-samarbejde--udfoerer--{DIMENSIONS[3]}")).to_be_in_viewport()
