"""The command line's analyses and chart export are doors to an evaluation's figures like
the HTTP routes: each run leaves an audit entry (actor 'cli', action 'read', the
evaluation, the measure and its parameters, the rows given out), as a read through an
API key does (service/admin/access.py: record_read)."""

from __future__ import annotations

import pytest

from tests.support.cli import sammen

COMMANDS = [
    (["summary"], "summary"),
    (["coordination", "--min-share", "0.5"], "coordination (min_share=0.5)"),
    (["meetings"], "meetings"),
    (["side-by-side"], "side-by-side"),
    (["flow", "--method", "holt", "--at", "2025-12"], "flow (method=holt, at=2025-12-01)"),
    (["models", "--questionnaire", "borger", "--theme", "indflydelse"],
     "models (questionnaire=borger, theme=indflydelse"),
]


async def _newest_reads(pool, since: int) -> list[tuple[str, str, int]]:
    rows = await pool.fetch("select actor, subject, (counts->>'rows')::int as rows from audit_log"
                            " where action = 'read' and id > $1 order by id", since)
    return [(r["actor"], r["subject"], r["rows"]) for r in rows]


@pytest.mark.parametrize(("command", "subject"), COMMANDS, ids=[c[0][0] for c in COMMANDS])
async def test_each_command_line_analysis_leaves_an_audit_entry_with_its_parameters(pool, settings, demo, command,
                                                                                   subject):
    before = await pool.fetchval("select coalesce(max(id), 0) from audit_log")
    ran = await sammen(settings, "analyse", *command, "--evaluation", str(demo))
    assert ran.code == 0, ran.err
    ((actor, written, rows),) = await _newest_reads(pool, before)
    assert actor == "cli"
    assert written.startswith(f"evaluation {demo} {subject}"), written
    printed = ran.json()
    given = len(printed) if isinstance(printed, list) else sum(len(v) for v in printed.values() if isinstance(v, list))
    assert rows == given > 0


async def test_a_refused_command_line_analysis_prints_nothing_and_audits_nothing(pool, settings, demo):
    before = await pool.fetchval("select coalesce(max(id), 0) from audit_log")
    ran = await sammen(settings, "analyse", "summary", "--evaluation", "999999")
    assert ran.code != 0 and ran.out == ""
    assert await _newest_reads(pool, before) == []


async def test_exporting_charts_on_the_command_line_leaves_an_audit_entry(pool, settings, demo, tmp_path):
    before = await pool.fetchval("select coalesce(max(id), 0) from audit_log")
    ran = await sammen(settings, "export", "charts", "--evaluation", str(demo), "--out", str(tmp_path / "figurer"),
                       "--format", "svg", "png", "--dpi", "50", "--only", "temascorer_borger")
    assert ran.code == 0, ran.err
    assert await _newest_reads(pool, before) == [
        ("cli", f"evaluation {demo} charts (format=svg,png, dpi=50, lang=da, only=temascorer_borger)", 2)]
