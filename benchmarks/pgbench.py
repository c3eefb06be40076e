"""The baseline: PostgreSQL alone running the very statement the service sends to store
a response, under pgbench, at several numbers of clients.

The statement and its parameters are taken from the product's own submit function
(tests/support/product.py records what it sends), and the parameters are written into
the script as literals: the token's hash is computed in SQL from a sequence over the
invitations made for pgbench, and every transaction gets a submission id of its own."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import resource
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from benchmarks.cpu import CpuMeter, postmaster_pid
from benchmarks.setup import BenchData
from tests.support.database import pg_bin
from tests.support.product import hash_token, submit_statement

_PLACEHOLDER = re.compile(r"\$(\d+)\b")


@dataclass
class PgbenchResult:
    clients: int
    tps: float
    latency_ms: float
    transactions: int
    failed: int
    cpu_cores: dict[str, float] = field(default_factory=dict)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _array(values: list[Any]) -> str:
    def one(v: Any) -> str:
        if v is None:
            return "NULL"
        if isinstance(v, bool):
            return "t" if v else "f"
        return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

    return _quote("{" + ",".join(one(v) for v in values) + "}")


async def script(bench: BenchData) -> str:
    """One pgbench transaction: the service's submit statement with this submission's
    values as literals (the statement's own casts type them)."""
    sample = bench.token("pgbench", 0)
    submission_id = uuid.uuid4()
    today = dt.date.today()
    sent = await submit_statement(
        sample, bench.qv_id, bench.digest, bench.sub.q, bench.sub.rows, submission_id=submission_id, today=today,
        started_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5), staff_role=bench.sub.staff_role,
    )
    if len(sent) != 1:
        raise SystemExit(f"the service now sends {len(sent)} statements to store a response: update {__file__}")
    sql, args = sent[0]

    def literal(value: Any) -> str:
        match value:
            case bytes() if value == hash_token(sample):
                return "(select h from p)"  # this transaction's invitation
            case uuid.UUID() if value == submission_id:
                return "gen_random_uuid()"
            case None:
                return "null"
            case bool():
                return "true" if value else "false"
            case int() | float():
                return str(value)
            case str():
                return _quote(value)
            case dt.datetime():
                return _quote(value.isoformat()) + "::timestamptz"
            case dt.date() if value == today:
                return "current_date"
            case list() | tuple():
                return _array(list(value))
            case dict():
                return _quote(msgspec.json.encode(value).decode())
        raise SystemExit(f"the submit statement takes a {type(value).__name__} this benchmark cannot write: {__file__}")

    literals = [literal(a) for a in args]
    body = _PLACEHOLDER.sub(lambda m: literals[int(m.group(1)) - 1], sql.strip().rstrip(";"))
    prefix = bench.token_prefix("pgbench")
    p = (f"with p as (select sha256(convert_to('{prefix}' || lpad(nextval('bench_invitation')::text, 8, '0'),"
         " 'UTF8')) as h)")
    if body[:5].lower() == "with ":
        return f"{p},\n{body[5:]};\n"
    return f"{p}\n{body};\n"


async def pgbench(bench: BenchData, script_path: Path, clients: int, seconds: int,
                  expected_tps: float) -> PgbenchResult:
    # Invitations for every transaction this level can possibly make; the sequence hands out
    # their token numbers, from which the script computes each token's hash.
    need = int(max(expected_tps * 3, 10_000) * seconds) + 1000  # running out aborts pgbench
    lo = bench.issued.get("pgbench", 0)
    await bench.issue("pgbench", need)
    await bench.conn.execute("drop sequence if exists bench_invitation")
    await bench.conn.execute(f"create sequence bench_invitation minvalue {lo} maxvalue {lo + need - 1} start {lo}")
    await bench.conn.execute("checkpoint")
    cmd = [str(pg_bin() / "pgbench"), "-n", "-M", "prepared", "-c", str(clients),
           "-j", str(min(clients, os.cpu_count() or 2)), "-T", str(seconds), "-f", str(script_path), bench.url]
    meter = CpuMeter(None, postmaster_pid(bench.url))
    before, children = meter.snapshot(), resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = await asyncio.create_subprocess_exec(*cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = await proc.communicate()
    end = meter.snapshot()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    pgbench_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    # pgbench's backends end after it does: count their CPU once the postmaster has reaped them
    end["postgres"] = await meter.settled(before)
    cpu = CpuMeter.shares(before, end, pgbench_cpu)
    text = out.decode()
    if proc.returncode != 0 or "tps =" not in text:
        raise RuntimeError(f"pgbench failed ({proc.returncode}):\n{text}\n{err.decode()[-2000:]}")

    def grab(pattern: str, default: str = "0") -> str:
        m = re.search(pattern, text)
        return m.group(1) if m else default

    done = int(grab(r"number of transactions actually processed: (\d+)"))
    bench.pgbench_done += done
    return PgbenchResult(
        clients=clients,
        tps=float(grab(r"tps = ([\d.]+) \(without initial connection time\)")),
        latency_ms=float(grab(r"latency average = ([\d.]+) ms")),
        transactions=done,
        failed=int(grab(r"number of failed transactions: (\d+)")),
        cpu_cores=cpu,
    )
