"""A respondent sending a complete answer through the JSON API, as a phone app would:
used where a test needs responses to exist (rates, erasure, retention, backup)."""

from __future__ import annotations

import functools
import random
import uuid
from typing import Any

import msgspec

from service.surveys import loader
from service.surveys.model import Questionnaire
from tests.support import QUESTIONNAIRE_DIR
from tests.support.answers import valid_answers, varied_answers


@functools.cache
def questionnaire(questionnaire_id: str = "borger") -> Questionnaire:
    return loader.load_file(QUESTIONNAIRE_DIR / f"{questionnaire_id}.toml")


async def respond(client: Any, token: str, questionnaire_id: str = "borger", *, text: str | None = None) -> None:
    """A whole valid response through `token`; free-text items get `text` when given."""
    answers = valid_answers(questionnaire(questionnaire_id), **({"text": text} if text is not None else {}))
    r = await client.post(f"/api/responses/{token}", json={"submission_id": str(uuid.uuid4()), "answers": answers})
    assert r.status_code == 201, r.text


async def respond_at_random(client: Any, token: str, rng: random.Random) -> None:
    """A whole response through `token` whose scale items are answered at random."""
    form = (await client.get(f"/api/forms/{token}")).json()["questionnaire"]
    answers = varied_answers(msgspec.convert(form, Questionnaire), rng)
    r = await client.post(f"/api/responses/{token}", json={"submission_id": str(uuid.uuid4()), "answers": answers})
    assert r.status_code == 201, r.text
