"""Invitations and reminders through real gateways: an SMTP server (aiosmtpd) and an SMS
gateway stub on loopback. Each citizen gets the link, then at most the wave's limit of
reminders a week apart, and none once they have answered; a sender killed mid-send and
run again sends each message exactly once; a bad address, a CPR number or a wrong count
is refused naming the contact and stores nothing; the contacts are gone after the wave
closes and after an erasure, and never leave in an export."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys

import pytest

from service.admin import erase, retention
from service.admin import store as admin
from service.admin.model import NewInvitations
from service.config import Settings
from service.design.rates import response_rates
from service.messaging.gateways import HttpSmsGateway, SmtpGateway
from service.messaging.sending import remind
from tests.support import ADMIN_KEY, SECRET
from tests.support.cli import environment, sammen
from tests.support.evaluation import BASE_URL, make_wave
from tests.support.messaging import SmsGateway, SmtpServer
from tests.support.respond import respond

ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
TODAY = dt.datetime.now(dt.UTC)


async def _invited(conn, contacts: list[str]) -> tuple[dict[str, int], list[str]]:
    wave = await make_wave(conn)
    async with conn.transaction():
        links = await admin.issue_invitations(conn, wave["wave"], NewInvitations(
            unit_id=wave["unit"], count=len(contacts), contacts=contacts), BASE_URL, SECRET)
    return wave, [link.token for link in links]


def _gateways(smtp: SmtpServer, sms: SmsGateway) -> dict:
    return {"email": SmtpGateway(smtp.url, "sammen@kommune.test"), "sms": HttpSmsGateway(sms.url, SmsGateway.KEY)}


async def test_each_citizen_gets_the_link_then_reminders_up_to_the_limit_and_none_once_answered(conn, client):
    wave, tokens = await _invited(conn, ["anna@example.dk", "bo@example.dk", "+45 20 30 40 50"])
    with SmtpServer() as smtp, SmsGateway() as sms:
        gateways = _gateways(smtp, sms)

        async def run(days: int, **more):
            return await remind(conn, wave["wave"], secret=SECRET, base_url=BASE_URL, gateways=gateways,
                                now=TODAY + dt.timedelta(days=days), **more)

        dry = await run(0, dry_run=True)
        assert (dry.due, dry.invitations, smtp.inbox.accepted, sms.received) == (3, 0, [], [])
        first = await run(0)
        assert (first.invitations, first.reminders, first.by_channel) == (3, 0, {"email": 2, "sms": 1})
        assert sorted(smtp.inbox.to()) == ["anna@example.dk", "bo@example.dk"]
        mail = next(m for m in smtp.inbox.accepted if m["To"] == "anna@example.dk")
        assert mail["Subject"] == "Vil du svare på et kort spørgeskema?"
        assert any(f"{BASE_URL}/s/{t}" in mail.get_content() for t in tokens)
        assert sms.received[0]["to"] == "+4520304050" and f"{BASE_URL}/s/{tokens[2]}" in sms.received[0]["text"]
        assert (await run(3)).due == 0  # a week between messages
        await respond(client, tokens[1])  # Bo answers
        second = await run(8)
        assert (second.reminders, second.due) == (2, 2) and len(smtp.inbox.accepted) == 3
        assert smtp.inbox.accepted[-1]["Subject"] == "Påmindelse: et kort spørgeskema"
        third = await run(16)
        assert third.reminders == 2
        assert (await run(24)).due == 0  # the wave's limit: 2 reminders after the link
    assert [tuple(r) for r in await conn.fetch(
        "select number, count(*) from message group by number order by number")] == [(0, 3), (1, 2), (2, 2)]
    steps = (await response_rates(conn, wave["wave"]))[0].messages  # what each message brought (sammen rates)
    assert [(m.number, m.sent, m.answered_after) for m in steps] == [(0, 3, 1), (1, 2, 0), (2, 2, 0)]
    audited = await conn.fetchval("select counts from audit_log where action = 'remind' order by id desc limit 1")
    assert set(audited) == {"due", "invitations", "reminders", "failed", "no_gateway"}  # counts, no address


async def test_a_sender_killed_mid_send_and_run_again_sends_each_message_exactly_once(conn, settings):
    addresses = [f"borger{n}@example.dk" for n in range(5)]
    wave, _ = await _invited(conn, addresses)
    with SmtpServer() as smtp:
        smtp.inbox.hold_after = 2  # the third message waits for its 250
        env = environment(settings, SAMMEN_SMTP_URL=smtp.url, SAMMEN_SMTP_FROM="sammen@kommune.test")
        sender = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "service.cli", "remind", "--wave", str(wave["wave"]), "--quiet", env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        assert await asyncio.to_thread(smtp.inbox.holding.wait, 60), "the sender never reached the third message"
        sender.kill()
        await sender.wait()
        smtp.inbox.release.set()
        await asyncio.sleep(0.2)
        assert len(smtp.inbox.accepted) == 2
        assert await conn.fetchval("select count(*) from message") == 2
        smtp.inbox.hold_after = None
        again = await sammen(settings, "remind", "--wave", str(wave["wave"]), "--quiet",
                             SAMMEN_SMTP_URL=smtp.url, SAMMEN_SMTP_FROM="sammen@kommune.test")
        assert again.code == 0, again.err
        assert again.json()["invitations"] == 3
        assert sorted(smtp.inbox.to()) == addresses  # each once
        assert (await sammen(settings, "remind", "--wave", str(wave["wave"]), "--quiet",
                             SAMMEN_SMTP_URL=smtp.url, SAMMEN_SMTP_FROM="sammen@kommune.test")).json()["due"] == 0
    assert sorted(smtp.inbox.to()) == addresses


@pytest.mark.parametrize(("contacts", "named"), [
    (["anna@example", "bo@example.dk"], "contacts[0]: is not an e-mail address"),
    (["anna@example.dk", "010190-1234"], "contacts[1]: looks like a CPR number"),
    (["anna@example.dk", "0101901234@example.dk"], "contacts[1]: looks like a CPR number"),
    (["2030405", "bo@example.dk"], "contacts[0]: is neither an e-mail address nor a Danish mobile number"),
    (["anna\x07@example.dk", "bo@example.dk"], "contacts[0]: The text contains a control character"),
    (["a" * 250 + "@example.dk", "bo@example.dk"], '"field":"contacts[0]"'),
    (["anna@example.dk"], '"message_en":"1 given for 2 invitations; give one each"'),
])
async def test_a_bad_contact_is_refused_by_its_place_and_nothing_is_stored(client, conn, contacts, named):
    wave = await make_wave(conn)
    r = await client.post(f"/api/admin/waves/{wave['wave']}/invitations", headers=ADMIN,
                          json={"unit_id": wave["unit"], "count": 2, "contacts": contacts})
    assert r.status_code in (400, 422) and named in r.text, r.text
    assert "010190" not in r.text and "anna" not in r.text  # the reason, never the value
    assert await conn.fetchval("select count(*) from invitation where wave_id = $1", wave["wave"]) == 0
    assert await conn.fetchval("select count(*) from invitation_contact") == 0


async def test_the_command_names_the_line_of_a_bad_contact(conn, settings, tmp_path):
    wave = await make_wave(conn)
    listed = tmp_path / "kontakter.txt"
    listed.write_text("anna@example.dk\n\nbo(at)example.dk\n", encoding="utf-8")
    ran = await sammen(settings, "invite", "--wave", str(wave["wave"]), "--unit", str(wave["unit"]), "--count", "2",
                       "--contacts", str(listed))
    refusal = f"--contacts {listed} line 3: is neither an e-mail address nor a Danish mobile number"
    assert ran.code != 0 and refusal in ran.err, ran.err
    assert await conn.fetchval("select count(*) from invitation where wave_id = $1", wave["wave"]) == 0


async def test_contacts_are_gone_after_the_wave_closes_and_after_an_erasure(conn, settings):
    wave, tokens = await _invited(conn, ["anna@example.dk", "bo@example.dk"])
    await erase.erase_link(conn, tokens[0], "cli")
    assert await conn.fetchval("select count(*) from invitation_contact") == 1
    closes = await conn.fetchval("select closes_on from wave where id = $1", wave["wave"])
    counts = await retention.apply_retention(conn, settings, closes + dt.timedelta(days=1))
    assert counts["contacts"] == 1 and await conn.fetchval("select count(*) from invitation_contact") == 0
    with SmtpServer() as smtp:
        with pytest.raises(Exception, match="open from"):
            await remind(conn, wave["wave"], secret=SECRET, base_url=BASE_URL,
                         gateways={"email": SmtpGateway(smtp.url, "s@k.test")},
                         now=dt.datetime.combine(closes + dt.timedelta(days=1), dt.time(), dt.UTC))


async def test_a_gateway_that_refuses_leaves_the_message_due_and_names_no_address(conn):
    wave, _ = await _invited(conn, ["+4520304050"])
    with SmsGateway() as sms:
        wrong = {"sms": HttpSmsGateway(sms.url, "wrong-key")}
        failed = await remind(conn, wave["wave"], secret=SECRET, base_url=BASE_URL, gateways=wrong, now=TODAY)
        assert (failed.failed, failed.invitations) == (1, 0) and sms.received == []
        right = {"sms": HttpSmsGateway(sms.url, SmsGateway.KEY)}
        sent = await remind(conn, wave["wave"], secret=SECRET, base_url=BASE_URL, gateways=right, now=TODAY)
        assert sent.invitations == 1 and len(sms.received) == 1
    none = await remind(conn, wave["wave"], secret=SECRET, base_url=BASE_URL, gateways={}, now=TODAY)
    assert (none.due, none.no_gateway) == (0, 0)


def test_no_export_or_analysis_reads_the_contacts():
    from pathlib import Path
    readers = [p for p in Path("service").rglob("*.py") if "invitation_contact" in p.read_text(encoding="utf-8")]
    assert sorted(str(p) for p in readers) == ["service/admin/erase.py", "service/admin/retention.py",
                                               "service/admin/store.py", "service/messaging/store.py"]


def test_the_gateways_are_configured_from_the_environment_and_a_wrong_one_is_named():
    from service.messaging.gateways import configured
    assert set(configured(Settings(smtp_url="smtp://mail.kommune.dk:587", smtp_from="sammen@kommune.dk",
                                   sms_url="https://sms.example/send", sms_key="k"))) == {"email", "sms"}
    with pytest.raises(ValueError, match="SAMMEN_SMTP_FROM"):
        configured(Settings(smtp_url="smtp://mail.kommune.dk"))
    with pytest.raises(ValueError, match="SAMMEN_SMTP_URL"):
        configured(Settings(smtp_url="http://mail.kommune.dk", smtp_from="a@b.dk"))


async def test_the_report_shows_what_the_link_and_each_reminder_brought_per_unit(conn, session):
    from service import analysis
    from service.exports import report

    wave, tokens = await _invited(conn, ["anna@example.dk", "bo@example.dk"])
    with SmtpServer() as smtp:
        gateways = {"email": SmtpGateway(smtp.url, "sammen@kommune.test")}
        await remind(conn, wave["wave"], secret=SECRET, base_url=BASE_URL, gateways=gateways, now=TODAY)
        await remind(conn, wave["wave"], secret=SECRET, base_url=BASE_URL, gateways=gateways,
                     now=TODAY + dt.timedelta(days=7))
    evaluation = await conn.fetchval("select evaluation_id from wave where id = $1", wave["wave"])
    rates = next(s for s in report.view(analysis.results_bundle(evaluation, session=session)).sections
                 if s.key == "rates")
    reminders = next(t for t in rates.tables if t.key == "reminders")
    assert reminders.headers == ["Enhed", "Måling", "Linket", "1. påmindelse"]
    assert reminders.rows == [["Bostøtte", "Efter (Eftermåling)", "0 af 2", "0 af 2"]]
