"""Paper questionnaires: `sammen paper` prints one A4 form per new invitation, with the
questionnaire's every question and its tick boxes, the link (as a QR code and as text)
and a short entry code, stored only as its hash; the easy-read print has the easy words.
A file that cannot be made stops it before any invitation is stored."""

from __future__ import annotations

import re
from io import BytesIO

from pypdf import PdfReader

from service.admin.paper import ALPHABET, entry_code, normalised
from service.surveys import loader
from service.surveys.store import sync_questionnaires
from service.tokens import hash_token
from tests.support.cli import sammen
from tests.support.easy_read import LET
from tests.support.evaluation import make_wave


def _pages(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(path.read_bytes())).pages]


async def test_each_invitation_gets_a_form_with_every_question_its_link_and_its_entry_code(conn, settings, tmp_path):
    wave = await make_wave(conn)
    out = tmp_path / "skemaer.pdf"
    ran = await sammen(settings, "paper", "--wave", str(wave["wave"]), "--unit", str(wave["unit"]), "--count", "2",
                       "--out", str(out))
    assert ran.code == 0 and ran.json() == {"forms": 2, "out": str(out)}, ran.err
    pages = _pages(out)
    text = "\n".join(pages)
    codes = re.findall(r"Kode: ([A-Z2-9]{4}-[A-Z2-9]{4})", text)
    assert len(codes) == 2 and len(set(codes)) == 2
    links = re.findall(r"/s/([A-Za-z0-9_-]{20,})", text)
    assert len(set(links)) == 2
    for code, token in zip(codes, dict.fromkeys(links), strict=True):
        found = await conn.fetchval("select count(*) from invitation where entry_code_hash = $1 and token_hash = $2",
                                    hash_token(code), hash_token(token))
        assert found == 1  # the code finds its own invitation; neither is stored in clear
    words = " ".join(text.split())  # the PDF's lines broken where the page broke them
    assert "Jeg har indflydelse på mit eget liv." in words and "Helt uenig" in words and "Ved ikke" in words
    assert sum("Kode:" in p for p in pages) == 2 and len(pages) >= 2  # each form starts a page


async def test_the_easy_read_print_has_the_easy_words(conn, settings, tmp_path):
    await sync_questionnaires(conn, [loader.decode(LET, "let_borger.toml")])
    wave = await make_wave(conn, "let_borger")
    out = tmp_path / "let.pdf"
    ran = await sammen(settings, "paper", "--wave", str(wave["wave"]), "--unit", str(wave["unit"]), "--count", "1",
                       "--out", str(out), "--let")
    assert ran.code == 0, ran.err
    words = " ".join("\n".join(_pages(out)).split())
    assert "Jeg bestemmer selv i mit liv." in words and "Jeg har indflydelse på beslutninger" not in words


async def test_a_file_that_cannot_be_made_stores_no_invitation(conn, settings, tmp_path):
    wave = await make_wave(conn)
    taken = tmp_path / "findes.pdf"
    taken.write_bytes(b"old")
    ran = await sammen(settings, "paper", "--wave", str(wave["wave"]), "--unit", str(wave["unit"]), "--count", "3",
                       "--out", str(taken))
    assert ran.code != 0 and "--out" in ran.err
    assert taken.read_bytes() == b"old"
    assert await conn.fetchval("select count(*) from invitation where wave_id = $1", wave["wave"]) == 0


def test_an_entry_code_is_read_as_printed_whatever_the_case_spaces_or_dash():
    code = entry_code()
    assert re.fullmatch(rf"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}", code)
    assert normalised(code.lower().replace("-", " ")) == code and normalised(code.replace("-", "")) == code
    assert not set("01IOL") & set(ALPHABET)  # nothing that reads as another character on paper
