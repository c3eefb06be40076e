"""The README and the manuals in docs/ do what they say: every runnable block of each page
(tests/support/docs.py says which blocks run and how) runs in order, on a database of
the page's own, beside a service when the page calls one, and a command that fails fails
the test with the page and line."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import asyncpg
import pytest

from service import analysis
from tests.support import ADMIN_KEY, QUESTIONNAIRE_DIR, ROOT, SECRET, docs
from tests.support.database import connect, new_database, prepare, settings_for
from tests.support.service import Service

# Each page and what a reader has done before it: the README's first look and the
# evaluator's page stand on the demo evaluation (the evaluator's page loads it itself).
PAGES: dict[str, list[str]] = {
    "README.md": ["demo-data", "--seed", "1", "--responses", "2000", "--quiet"],
    "docs/administrator.md": [],
    "docs/evaluator.md": [],
    "docs/questionnaires.md": [],
    "docs/api.md": [],
    "docs/operations.md": [],
    "docs/privacy.md": [],
    "docs/development.md": [],
    "docs/scale.md": [],
}


def test_every_manual_is_run() -> None:
    """A new page in docs/ is run too, or the suite says it is not."""
    assert sorted(PAGES) == sorted(["README.md", *(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))])


def environment(url: str, data_dir: Path) -> dict[str, str]:
    """The variables a reader's shell has: the page's database, the test's admin key and
    server secret, and analyses that keep to no core (the suite's own processes share them)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMMEN_") and k != "DATABASE_URL"}
    return env | {
        "DATABASE_URL": url,
        "SAMMEN_ADMIN_API_KEY": ADMIN_KEY,
        "SAMMEN_SECRET_KEY": SECRET,
        "SAMMEN_QUESTIONNAIRE_DIR": str(QUESTIONNAIRE_DIR),
        "SAMMEN_ANALYSIS_CORE": "off",
        "SAMMEN_DATA_DIR": str(data_dir),
    }


def sql_runner(url: str):
    def run(block: docs.Block) -> None:
        async def execute() -> None:
            conn = await asyncpg.connect(url)
            try:
                await conn.execute(block.text)
            except asyncpg.PostgresError as exc:
                raise docs.Failed(f"{block.where()}: the sql block failed: {exc}") from exc
            finally:
                await conn.close()

        asyncio.run(execute())

    return run


@pytest.mark.parametrize("page", sorted(PAGES))
async def test_the_commands_of_the_page_work(page: str, pg_url: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = docs.blocks(ROOT / page, ROOT)
    if not docs.runnable(blocks):
        pytest.skip(f"{page} shows no command to run")
    admin = await connect(pg_url)
    try:
        url = await new_database(admin, pg_url, "sammen_docs_")
    finally:
        await admin.close()
    await prepare(url, settings_for(url))
    folder = tmp_path / "work"
    folder.mkdir()
    env = environment(url, tmp_path / "data")
    for key in [k for k in os.environ if k.startswith("SAMMEN_") or k == "DATABASE_URL"]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(folder)
    if PAGES[page]:
        docs.check(f"before {page}", "sammen " + " ".join(PAGES[page]),
                   *await asyncio.to_thread(docs.run_sammen, PAGES[page]))
    service = Service(url) if docs.needs_service(blocks) else None
    started = time.monotonic()
    try:
        if service:
            await asyncio.to_thread(service.start)
        ran = await asyncio.to_thread(docs.run_page, blocks, folder, env, service.url if service else None,
                                      sql_runner(url))
    finally:
        if service:
            await asyncio.to_thread(service.stop)
        for session in list(analysis._current):  # what the page's `analysis.connect()` opened
            session.close()
    print(f"\n{page}: {len(ran)} blocks and commands in {time.monotonic() - started:.1f} s", *ran, sep="\n  ")
    assert ran


def page_of(tmp_path: Path, text: str) -> list[docs.Block]:
    page = tmp_path / "docs" / "manual.md"
    page.parent.mkdir()
    page.write_text(text, encoding="utf-8")
    return docs.blocks(page, tmp_path)


def test_a_documented_command_with_a_wrong_flag_fails_naming_its_page_and_line(tmp_path: Path) -> None:
    blocks = page_of(tmp_path, "# A manual\n\n```text\nsammen serve\n```\n\n```sh\n"
                               "sammen plan power --outcome mean \\\n       --effect 0.3\n"
                               "sammen plan power --outcome mean --efect 0.3\n```\n")
    with pytest.raises(docs.Failed, match=r"docs/manual.md:10: `sammen plan power --outcome mean --efect 0.3` "
                                          r"exited with 2(.|\n)*unrecognized arguments: --efect"):
        docs.run_page(blocks, tmp_path, dict(os.environ), None, sql_runner(""))


def test_a_failing_command_in_a_pipe_fails(tmp_path: Path) -> None:
    blocks = page_of(tmp_path, "```sh\nsammen plan power --outcome means | cat\n```\n")
    with pytest.raises(docs.Failed, match=r"docs/manual.md:2: .* exited with 2"):
        docs.run_page(blocks, tmp_path, dict(os.environ), None, sql_runner(""))


def test_a_python_block_that_raises_fails_naming_its_page_and_line(tmp_path: Path) -> None:
    blocks = page_of(tmp_path, "```python\nfrom service import analysis\nanalysis.no_such_measure(1)\n```\n")
    with pytest.raises(docs.Failed, match=r"docs/manual.md:2: the python block raised AttributeError"):
        docs.run_page(blocks, tmp_path, dict(os.environ), None, sql_runner(""))


def test_which_lines_run_in_this_process() -> None:
    assert docs.in_process_argv('sammen unit --organisation 1 "Bostøtte Nord"  # a comment') == [
        "unit", "--organisation", "1", "Bostøtte Nord"]
    assert docs.in_process_argv("echo 'select 1;' | sammen sql") is None
    assert docs.in_process_argv("SAMMEN_QUESTIONNAIRE_DIR=egne sammen migrate") is None
    assert docs.in_process_argv('sammen key add --role admin "$NAME"') is None
    assert docs.in_process_argv("sammen backup x.backup > log") is None
