"""Files are written safely, one way (issue 17, point 8): every `sammen` command that
writes a file (backup, report, export tidy/data/tables/charts, invite --csv/--sheet)
goes through service/files.py. A symbolic link at the final or the temporary name is
refused and whatever it points to is untouched; an existing target is refused with one
line (no traceback) and replaced only with --force where the command offers it; the
files are readable by their owner only; and the partial file a killed writer left is
removed by the next command. Before the fix `report --out FILE` ended in a traceback,
`backup` replaced an existing backup, reports were 0644, and the writers opened their
temporary names without O_NOFOLLOW."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from service import files
from service.app import create_app
from tests.support.cli import environment, sammen, sammen_here
from tests.support.database import empty
from tests.support.evaluation import invite, make_wave
from tests.support.respond import respond


class Command(msgspec.Struct, frozen=True):
    """A writing command: its arguments ({out}: the path given), the final name it
    writes relative to {out} ('' for {out} itself), whether it offers --force."""

    args: tuple[str, ...]
    final: str = ""
    force: bool = True
    out: str = "out.bin"


COMMANDS = {
    "backup": Command(("backup", "{out}"), out="sammen.backup"),
    "report": Command(("report", "--evaluation", "{evaluation}", "--out", "{out}", "--format", "html"),
                      final="evalueringsrapport-{evaluation}.html", out="rapport"),
    "export tidy": Command(("export", "tidy", "--evaluation", "{evaluation}", "--out", "{out}"), out="svar.csv"),
    "export data": Command(("export", "data", "--evaluation", "{evaluation}", "--out", "{out}"), out="svar.parquet"),
    "export tables": Command(("export", "tables", "--evaluation", "{evaluation}", "--out", "{out}"), force=False,
                             out="tabeller"),
    "export charts": Command(("export", "charts", "--evaluation", "{evaluation}", "--out", "{out}", "--dpi", "30",
                              "--only", "svarprocent_borger"), final="svarprocent_borger.png", out="figurer"),
    "invite --csv": Command(("invite", "--wave", "{wave}", "--unit", "{unit}", "--count", "1", "--csv", "{out}"),
                            force=False, out="links.csv"),
    "invite --sheet": Command(("invite", "--wave", "{wave}", "--unit", "{unit}", "--count", "1", "--sheet", "{out}"),
                              force=False, out="qr.html"),
}


@pytest.fixture(scope="module")
async def ids(pool, settings) -> dict[str, str]:
    """A small evaluation with answers, for every command to write from."""
    async with pool.acquire() as conn:
        await empty(conn)
        wave = await make_wave(conn)
        tokens = [await invite(conn, wave) for _ in range(5)]
    async with AsyncTestClient(create_app(settings)) as client:
        for token in tokens:
            await respond(client, token)
    return {k: str(v) for k, v in wave.items()}


def _args(command: Command, ids: dict[str, str], out: Path, *extra: str) -> list[str]:
    return [a.format(out=out, **ids) for a in command.args] + list(extra)


def _final(command: Command, ids: dict[str, str], out: Path) -> Path:
    return out / command.final.format(**ids) if command.final else out


def _one_line(err: str) -> None:
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def _prepare(command: Command, tmp_path: Path) -> Path:
    """The --out path; for commands writing into a folder, the folder made."""
    out = tmp_path / command.out
    if command.final:
        out.mkdir()
    return out


async def _run(settings, tmp_path: Path, *args: str):
    return await sammen(settings, *args, XDG_STATE_HOME=str(tmp_path / "state"))


@pytest.mark.parametrize("name", list(COMMANDS))
async def test_a_symlink_at_the_final_name_is_refused_and_what_it_points_to_is_untouched(
        name, ids, settings, tmp_path):
    command = COMMANDS[name]
    out = _prepare(command, tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("not yours\n")
    final = _final(command, ids, out)
    final.symlink_to(victim)
    for extra in (("--force",) if command.force else ()) + ("",):
        ran = await _run(settings, tmp_path, *_args(command, ids, out, *([extra] if extra else [])))
        assert ran.code != 0, (name, extra, ran.out)
        _one_line(ran.err)
        assert "symbolic link" in ran.err or "exists" in ran.err, ran.err
        assert victim.read_text() == "not yours\n" and final.is_symlink()


@pytest.mark.parametrize("name", list(COMMANDS))
async def test_an_existing_target_is_refused_in_one_line_and_replaced_only_with_force(name, ids, settings, tmp_path):
    command = COMMANDS[name]
    out = _prepare(command, tmp_path)
    final = _final(command, ids, out)
    if name == "export tables":
        final.mkdir()
        (final / "mine.txt").write_text("earlier\n")
        earlier = final / "mine.txt"
    else:
        final.write_text("earlier\n")
        earlier = final
    ran = await _run(settings, tmp_path, *_args(command, ids, out))
    assert ran.code != 0 and "exists" in ran.err, (name, ran.err)
    _one_line(ran.err)
    assert earlier.read_text() == "earlier\n"
    if command.force:
        ran = await _run(settings, tmp_path, *_args(command, ids, out, "--force"))
        assert ran.code == 0, (name, ran.err)
        assert final.read_bytes() != b"earlier\n" and final.stat().st_size > 0
        assert stat.S_IMODE(final.stat().st_mode) == 0o600


@pytest.mark.parametrize("name", list(COMMANDS))
async def test_new_files_are_readable_by_their_owner_only_and_no_partial_is_left(name, ids, settings, tmp_path):
    command = COMMANDS[name]
    out = _prepare(command, tmp_path)
    ran = await _run(settings, tmp_path, *_args(command, ids, out))
    assert ran.code == 0, (name, ran.err)
    final = _final(command, ids, out)
    written = sorted(final.iterdir()) if final.is_dir() else [final]
    assert written and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written), name
    assert not [p for p in tmp_path.rglob("*.partial")], name


@pytest.mark.parametrize("name", list(COMMANDS))
async def test_a_symlink_at_the_temporary_name_is_refused(name, ids, settings, tmp_path, monkeypatch):
    """The temporary name is made with O_EXCL|O_NOFOLLOW (a folder with mkdir): a link
    planted there, however the name was guessed, is never written through."""
    command = COMMANDS[name]
    out = _prepare(command, tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(files, "_token", lambda: "guessed")
    final = _final(command, ids, out)
    victim = tmp_path / "victim.txt"
    victim.write_text("not yours\n")
    planted = final.with_name(f".{final.name}.{os.getpid()}-guessed{files.PARTIAL}")
    planted.symlink_to(victim)
    ran = await sammen_here(settings, *_args(command, ids, out), monkeypatch=monkeypatch)
    assert ran.code != 0, (name, ran.out)
    _one_line(ran.err)
    assert "symbolic link" in ran.err or "already exists" in ran.err, ran.err
    assert victim.read_text() == "not yours\n" and planted.is_symlink() and not final.exists()


async def test_a_killed_writers_partial_file_is_removed_by_the_next_command(settings, tmp_path):
    """A writer killed (SIGKILL) after writing microdata into its partial file: the next
    `sammen` command of this user removes it; a running writer's partial file is kept."""
    state = tmp_path / "state"
    target = tmp_path / "svar.csv"
    killed = subprocess.run(
        [sys.executable, "-c",
         "import os, signal, sys; from pathlib import Path; from service.files import NewFile; "
         "f = NewFile(Path(sys.argv[1]), '--out'); f.write(b'respondent_key,text_value\\nP-17,Jens\\n'); "
         "print(f.partial, flush=True); os.kill(os.getpid(), signal.SIGKILL)", str(target)],
        env=environment(settings, XDG_STATE_HOME=str(state)), capture_output=True, text=True, check=False)
    assert killed.returncode == -9, killed.stderr
    left = Path(killed.stdout.strip())
    assert left.exists() and left.name.endswith(".partial") and stat.S_IMODE(left.stat().st_mode) == 0o600
    os.environ["XDG_STATE_HOME"] = str(state)
    try:
        writing = files.NewFile(tmp_path / "i_gang.csv", "--out")  # this process runs: its file stays
    finally:
        del os.environ["XDG_STATE_HOME"]
    ran = await _run(settings, tmp_path, "overview")
    assert ran.code == 0, ran.err
    assert not left.exists() and not target.exists()
    assert writing.partial.exists()
    writing.discard()


async def test_report_out_naming_an_existing_file_is_one_line_not_a_traceback(ids, settings, tmp_path):
    """`sammen report --out FILE` ended in FileExistsError's traceback before."""
    taken = tmp_path / "rapport.pdf"
    taken.write_text("earlier\n")
    ran = await _run(settings, tmp_path, "report", "--evaluation", ids["evaluation"], "--out", str(taken))
    assert ran.code != 0 and "--out" in ran.err and "not a folder" in ran.err, ran.err
    _one_line(ran.err)
    assert taken.read_text() == "earlier\n"
