"""The evaluator's coding page refuses a code as a form refuses a field (issue 19's
coding, build rule 'bad input'): a short name that is not one, a short name the
evaluation has already, or a code without a meaning shows the page again with what was
typed, the field's error in Danish beside it and in the summary at the top, and stores
nothing (before, the error policy's bare page said msgspec's English message)."""

from __future__ import annotations

import pytest

from tests.support.evaluation import HTML, evaluator_key, make_wave, sign_in_on_the_page

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

