"""Where messages leave Sammen: e-mail over SMTP (aiosmtplib) and SMS through an HTTP
gateway (one POST per message, JSON {to, text, reference}, the key as a bearer token).
A gateway is configured by URL (SAMMEN_SMTP_URL, SAMMEN_SMS_URL); a channel without one
is not sent on. A refusal is a GatewayError naming the gateway, never the address."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib
import msgspec

from service.admin.contacts import Channel
from service.config import Settings

TIMEOUT = 30  # seconds a gateway may take for one message


class GatewayError(RuntimeError):
    """A message the gateway did not take; the run counts it and tries it again next time."""


class Outgoing(msgspec.Struct, frozen=True, kw_only=True):
    to: str
    subject: str
    text: str
    reference: str  # the same for every attempt at one message: a gateway that deduplicates can


class Gateway(Protocol):
    channel: Channel

    async def send(self, message: Outgoing) -> None: ...


class SmtpGateway:
    channel: Channel = "email"

    def __init__(self, url: str, sender: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SAMMEN_SMTP_URL: give smtp://[user:password@]host[:port] (or smtps://)")
        if not sender or "@" not in sender:
            raise ValueError("SAMMEN_SMTP_FROM: the sender's e-mail address is needed with SAMMEN_SMTP_URL")
        self.host, self.tls = parts.hostname, parts.scheme == "smtps"
        self.port = parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender

    async def send(self, message: Outgoing) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, message.to, message.subject
        mail["Message-ID"] = f"<{message.reference}@sammen>"
        mail.set_content(message.text)
        try:
            await aiosmtplib.send(mail, hostname=self.host, port=self.port, use_tls=self.tls, username=self.user,
                                  password=self.password, timeout=TIMEOUT, start_tls=None if not self.tls else False)
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise GatewayError(f"e-mail gateway {self.host}:{self.port}: {type(exc).__name__}") from None


class HttpSmsGateway:
    channel: Channel = "sms"

    def __init__(self, url: str, key: str) -> None:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("SAMMEN_SMS_URL: give the gateway's http(s):// address")
        self.url, self.key = url, key

    async def send(self, message: Outgoing) -> None:
        await asyncio.to_thread(self._post, message)

    def _post(self, message: Outgoing) -> None:
        body = json.dumps({"to": message.to, "text": message.text, "reference": message.reference}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {self.key}"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310 (the configured gateway)
                if not 200 <= answer.status < 300:
                    raise GatewayError(f"SMS gateway: status {answer.status}")
        except urllib.error.HTTPError as exc:
            raise GatewayError(f"SMS gateway: status {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise GatewayError(f"SMS gateway: {type(exc).__name__}") from None


def configured(settings: Settings) -> Mapping[Channel, Gateway]:
    """The gateways the settings name; ValueError naming the variable when one is wrong."""
    found: dict[Channel, Gateway] = {}
    if settings.smtp_url:
        found["email"] = SmtpGateway(settings.smtp_url, settings.smtp_from)
    if settings.sms_url:
        found["sms"] = HttpSmsGateway(settings.sms_url, settings.sms_key)
    return found
