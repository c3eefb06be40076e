"""An evaluator's analysis keeps to one core of the machine (service/analysis/runtime/isolation.py),
so that a summary over 10^6 responses cannot take the core citizens' submissions are
served on; benchmarks/analysis.py measures what that does to their p99."""

from __future__ import annotations

import os

import pytest

from service import analysis
from service.analysis.runtime.isolation import chosen_core, on_this_machine

CORES = sorted(os.sched_getaffinity(0))
several_cores = pytest.mark.skipif(len(CORES) < 2, reason="on one core there is nothing to keep the analysis from")


def _backend_and_thread(session) -> tuple[set[int], set[int]]:
    pid = session.run(lambda conn: conn.fetchval("select pg_backend_pid()"))
    return os.sched_getaffinity(pid), os.sched_getaffinity(session._thread.native_id)


@several_cores
def test_a_session_keeps_its_work_and_its_postgresql_backend_to_the_last_core(pg_url, monkeypatch):
    monkeypatch.delenv("SAMMEN_ANALYSIS_CORE")  # the service's default, not the tests' (tests/conftest.py)
    with analysis.connect(pg_url) as session:
        assert _backend_and_thread(session) == ({CORES[-1]}, {CORES[-1]})
    assert os.sched_getaffinity(0) == set(CORES), "the caller's own thread is left as it was"


@several_cores
def test_the_analysis_core_can_be_chosen_or_turned_off(pg_url):
    with analysis.connect(pg_url, analysis_core=str(CORES[0])) as session:
        assert _backend_and_thread(session) == ({CORES[0]}, {CORES[0]})
    with analysis.connect(pg_url, analysis_core="off") as session:
        assert _backend_and_thread(session) == (set(CORES), set(CORES))


def test_only_a_server_on_this_machine_and_more_than_one_core_count():
    assert on_this_machine("postgresql://postgres:@/postgres?host=/tmp/x/pgdata")
    assert not on_this_machine("postgresql://sammen@db.kommune.dk:5432/sammen")
    assert not on_this_machine("postgresql://sammen@localhost/sammen")  # maybe a container's port
    assert chosen_core("off") is None
    assert chosen_core("99999") is None  # not a core of this machine
    assert chosen_core("last") == (CORES[-1] if len(CORES) > 1 else None)
