"""The edge (service/web/limits.py) reads a JSON body strictly as its route's type; the
handler gets that very value, so Litestar does not parse the body a second time."""

from __future__ import annotations

import uuid
from typing import Any

import litestar.connection.request as litestar_request
import pytest
from litestar import Litestar, post
from litestar.params import JSONBody
from litestar.testing import TestClient

from service.surveys.api import Submission
from service.web import limits


def _app(received: list[Submission]) -> Litestar:
    @post("/submit")
    async def submit(data: JSONBody[Submission]) -> None:
        received.append(data)

    return Litestar([submit], before_request=limits.at_the_edge)


def test_a_submitted_body_is_decoded_once_and_still_refused_by_field(monkeypatch: pytest.MonkeyPatch) -> None:
    litestar_decodes: list[bytes] = []
    decode_json = litestar_request.decode_json

    def counted(value: Any, *args: Any, **kwargs: Any) -> Any:
        litestar_decodes.append(value)
        return decode_json(value, *args, **kwargs)

    monkeypatch.setattr(litestar_request, "decode_json", counted)
    received: list[Submission] = []
    body = {"submission_id": str(uuid.uuid4()), "answers": {"tryghed": 4}}
    with TestClient(_app(received)) as client:
        assert client.post("/submit", json=body).status_code == 201
        refused = client.post("/submit", json=body | {"assisted": 0})
    assert received == [Submission(submission_id=uuid.UUID(body["submission_id"]), answers={"tryghed": 4})]
    assert litestar_decodes == []  # the edge's decoding was the only one
    assert refused.status_code == 400
    assert refused.json()["extra"] == [{"message": "Expected `bool`, got `int`", "key": "assisted", "source": "body"}]
