"""Real receivers for the messages Sammen sends: an SMTP server (aiosmtpd) on a free
loopback port that keeps what it accepts, and can hold a message unanswered to let a
test kill the sender mid-send; and an HTTP SMS gateway stub that keeps each POST."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """aiosmtpd's handler: the messages accepted. With `hold_after` = k, the message
    after the first k is held (no reply) until `release`; one whose sender went away
    meanwhile is not accepted, as a server that never gave its 250 does not deliver."""

    def __init__(self) -> None:
        self.accepted: list[Message] = []
        self.hold_after: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hold_after is not None and len(self.accepted) >= self.hold_after:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
            if server.transport is None or server.transport.is_closing():
                return "421 the client went away"
        self.accepted.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self) -> list[str]:
        return [str(m["To"]) for m in self.accepted]


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.inbox.release.set()
        self._controller.stop()


class SmsGateway:
    """POST / with JSON {to, text, reference} and the bearer key; 202 when the key is right."""

    KEY = "test-sms-key"

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Authorization") != f"Bearer {SmsGateway.KEY}":
                    self.send_response(401)
                else:
                    outer.received.append(json.loads(body))
                    self.send_response(202)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/send"

    def __enter__(self) -> SmsGateway:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
