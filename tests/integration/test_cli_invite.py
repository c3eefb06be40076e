"""`sammen invite` never stores links it could not write, nor writes links it did not
store: output files are checked before anything is stored and put in place atomically,
and a failed write takes the invitations back."""

from __future__ import annotations

import csv
import errno
import os
import stat

import pytest

from tests.support.cli import sammen, sammen_here
from tests.support.evaluation import set_up_evaluation


async def _invitations(conn) -> int:
    return await conn.fetchval("select count(*) from invitation")


@pytest.fixture
async def wave(conn) -> tuple[str, str]:
    ev = await set_up_evaluation(conn)
    return str(ev.waves["Eftermåling"]), str(ev.units[0])


async def test_links_are_written_to_new_files_readable_by_their_owner_only(conn, settings, wave, tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text("P-1\nP-2\nP-3\n")
    ran = await sammen(settings, "invite", "--wave", wave[0], "--unit", wave[1], "--keys", str(keys),
                       "--csv", str(tmp_path / "links.csv"), "--sheet", str(tmp_path / "qr.html"))
    assert ran.code == 0, ran.err
    assert ran.json()["issued"] == 3
    rows = list(csv.DictReader((tmp_path / "links.csv").open(encoding="utf-8")))
    assert [r["respondent_key"] for r in rows] == ["P-1", "P-2", "P-3"]
    assert (tmp_path / "qr.html").read_text().count("<svg") == 3
    for name in ("links.csv", "qr.html"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert await _invitations(conn) == 3
    assert sorted(os.listdir(tmp_path)) == ["keys.txt", "links.csv", "qr.html"], "no partial files left behind"


async def test_a_folder_that_does_not_exist_stops_invite_before_anything_is_stored(conn, settings, wave, tmp_path):
    ran = await sammen(settings, "invite", "--wave", wave[0], "--unit", wave[1], "--count", "5",
                       "--csv", str(tmp_path / "links.csv"), "--sheet", str(tmp_path / "nowhere" / "qr.html"))
    assert ran.code != 0 and f"--sheet: folder {tmp_path / 'nowhere'} does not exist" in ran.err, ran.err
    assert await _invitations(conn) == 0
    assert os.listdir(tmp_path) == [], "the --csv file checked first is not left behind either"


async def test_an_existing_links_file_is_never_replaced(conn, settings, wave, tmp_path):
    earlier = tmp_path / "links.csv"
    earlier.write_text("links from last week\n")
    ran = await sammen(settings, "invite", "--wave", wave[0], "--unit", wave[1], "--count", "2", "--csv", str(earlier))
    assert ran.code != 0 and "--csv:" in ran.err and "exists" in ran.err, ran.err
    assert earlier.read_text() == "links from last week\n"
    assert await _invitations(conn) == 0


async def test_when_writing_fails_after_the_check_the_invitations_are_taken_back(
    conn, settings, wave, tmp_path, monkeypatch
):
    """A disk that fills up between the check and the write: nothing stored, no file."""
    real_link = os.link

    def full_disk(src, dst, *args, **kwargs):
        if str(dst).endswith("qr.html"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "link", full_disk)
    ran = await sammen_here(settings, "invite", "--wave", wave[0], "--unit", wave[1], "--count", "4",
                            "--csv", str(tmp_path / "links.csv"), "--sheet", str(tmp_path / "qr.html"),
                            monkeypatch=monkeypatch)
    assert ran.code != 0 and "--sheet: cannot write" in ran.err and "No space left" in ran.err, ran.err
    assert await _invitations(conn) == 0
    assert os.listdir(tmp_path) == [], "the CSV already in place is removed with the invitations"
