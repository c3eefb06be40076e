"""The evaluator's coding page refuses a code as a form refuses a field (issue 19's
coding, build rule 'bad input'): a short name that is not one, a short name the
evaluation has already, or a code without a meaning shows the page again with what was
typed, the field's error in Danish beside it and in the summary at the top, and stores
nothing (before, the error policy's bare page said msgspec's English message)."""

from __future__ import annotations

import re

import pytest

from service.evaluations import web
from tests.support.evaluation import HTML, evaluator_key, invite, make_wave, sign_in_on_the_page
from tests.support.respond import respond

pytestmark = pytest.mark.usefixtures("fresh_rate_limits")  # tests/integration/conftest.py


@pytest.fixture
async def page(client, conn) -> str:
    """The coding page's add-code address, signed in with a microdata key."""
    wave = await make_wave(conn, "kvalitet_borger")
    await sign_in_on_the_page(client, await evaluator_key(conn, evaluation=wave["evaluation"], microdata=True))
    return f"/evaluator/{wave['evaluation']}/kodning/koder"


async def _add(client, address: str, key: str, label: str):
    return await client.post(address, data={"noegle": key, "tekst": label}, follow_redirects=False,
                             headers={"Accept": HTML, "Sec-Fetch-Site": "same-origin"})


@pytest.mark.parametrize(("key", "label", "field", "message", "status"), [
    ("Lyttet til", "At blive lyttet til", "ny-noegle", "små bogstaver a-z, tal og _, med et bogstav først", 422),
    ("lyttet_til", "", "ny-tekst", "Skriv hvad koden betyder", 422),
], ids=["short name with capitals and a space", "no meaning"])
async def test_a_code_the_form_cannot_take_is_shown_again_with_the_fields_error(
        client, conn, page, key, label, field, message, status):
    refused = await _add(client, page, key, label)
    assert refused.status_code == status and refused.headers["content-type"].startswith("text/html")
    html = refused.text
    assert message in html and f'href="#{field}"' in html  # in the summary, linking to the field
    assert f'id="{field}-fejl"' in html and 'aria-invalid="true"' in html
    assert f'value="{key}"' in html and f'value="{label}"' in html  # what was typed is kept
    assert await conn.fetchval("select count(*) from code") == 0


async def test_a_short_name_the_evaluation_has_is_refused_beside_the_field_and_the_first_code_is_kept(
        client, conn, page):
    added = await _add(client, page, "lyttet_til", "At blive lyttet til")
    assert added.status_code == 303 and added.headers["location"].endswith("/kodning#koder")
    again = await _add(client, page, "lyttet_til", "Noget andet")
    assert again.status_code == 409 and "Der er allerede en kode med dette korte navn" in again.text
    assert 'value="Noget andet"' in again.text
    stored = [tuple(r) for r in await conn.fetch("select key, label from code")]
    assert stored == [("lyttet_til", "At blive lyttet til")]



async def test_the_answers_come_a_page_at_a_time_and_a_saved_coding_returns_to_its_page(
        client, conn, monkeypatch):
    """Three responses' free-text answers, two to a page: page 2 shows the third and
    fourth (numbered so), links to pages 1 and 3, reads two answers in the audit, and
    saving a coding there comes back to page 2; a page past the last shows the last."""
    monkeypatch.setattr(web, "PAGE", 2)
    wave = await make_wave(conn, "kvalitet_borger")
    for n in range(3):
        await respond(client, await invite(conn, wave), "kvalitet_borger", text=f"Mit svar nummer {n}.")
    shown = await conn.fetch("select response_id, item_id from answer where text_value is not null"
                             " order by response_id, item_id")
    assert len(shown) >= 5  # three pages of two
    pages = -(-len(shown) // 2)
    await sign_in_on_the_page(client, await evaluator_key(conn, evaluation=wave["evaluation"], microdata=True))
    home = f"/evaluator/{wave['evaluation']}/kodning"

    def forms(html: str) -> list[str]:
        return re.findall(r'<form method="post" action="[^"]*" class="coding" id="svar-(\d+-\w+)"', html)

    second = await client.get(f"{home}?side=2", headers={"Accept": HTML})
    assert second.status_code == 200
    html = second.text
    assert forms(html) == [f"{r['response_id']}-{r['item_id']}" for r in shown[2:4]]
    assert f"Svar 3–4 af {len(shown)}" in html and f"Side 2 af {pages}" in html and "Svar 3 på:" in html
    assert f'href="{home}#svar" rel="prev"' in html and f'href="{home}?side=3#svar" rel="next"' in html
    read = await conn.fetchval("select counts from audit_log where subject like '%free text' order by id desc limit 1")
    assert read == {"rows": 2}

    await client.post(f"{home}/koder?side=2", data={"noegle": "lyttet", "tekst": "Lyttet til"},
                      headers={"Accept": HTML, "Sec-Fetch-Site": "same-origin"})
    response_id, item = shown[3]["response_id"], shown[3]["item_id"]
    saved = await client.post(f"{home}/{response_id}/{item}?side=2", data={"kode": "lyttet"},
                              headers={"Accept": HTML, "Sec-Fetch-Site": "same-origin"}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"{home}?side=2#svar-{response_id}-{item}"

    past = await client.get(f"{home}?side=99", headers={"Accept": HTML})
    assert past.status_code == 200 and f"Side {pages} af {pages}" in past.text
    assert forms(past.text) == [f"{r['response_id']}-{r['item_id']}" for r in shown[(pages - 1) * 2:]]


@pytest.mark.parametrize("side", ["0", "to", "-1"])
async def test_a_page_number_that_is_not_one_is_refused_naming_the_parameter(client, page, side):
    """`?side=` below 1 or not a number: the error policy's Danish page, 400, naming the
    parameter; not a page of answers and not a 500."""
    refused = await client.get(f"{page.removesuffix('/koder')}?side={side}", headers={"Accept": HTML})
    assert refused.status_code == 400 and "<li>side: Værdien har ikke den rigtige form.</li>" in refused.text
    assert 'class="coding"' not in refused.text
