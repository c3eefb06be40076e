"""`sammen replica init|promote|stop`: a hot standby of the database for the analyses, and
to fail over to (service/replica.py), made, promoted and stopped from a terminal."""

from __future__ import annotations

from pathlib import Path

from service.cli.command import Command, Group, arg
from service.config import Settings


def init(url: str, settings: Settings, *, data: Path, primary: str | None, synchronous: bool) -> object:
    """The standby made and started; its address is what SAMMEN_ANALYSIS_DATABASE_URL takes."""
    from service.replica import init_standby

    return init_standby(primary or url, data, synchronous=synchronous, named="--from" if primary else "DATABASE_URL")


def promote(*, data: Path) -> None:
    from service import replica

    replica.promote(data)


def stop(*, data: Path) -> None:
    from service.replica import stop_standby

    stop_standby(data)


GROUPS = [Group(words=("replica",), help="a hot standby the analyses read from (streaming replication)")]

COMMANDS = [
    Command(words=("replica", "init"), help="copy the database with pg_basebackup into a new folder and start it "
            "there as a standby that follows it; prints the address for SAMMEN_ANALYSIS_DATABASE_URL", run=init,
            needs="url", arguments=(
                arg("--data", type=Path, required=True, help="a new (or empty) folder for the standby's data"),
                arg("--from", dest="primary", metavar="DATABASE_URL",
                    help="the primary to copy (default: the database Sammen uses, DATABASE_URL or the embedded one)"),
                arg("--synchronous", action="store_true",
                    help="the primary acknowledges a commit only once this standby has it (to fail over to it)"))),
    Command(words=("replica", "promote"), help="make the standby in a folder the primary (after the primary died)",
            run=promote, needs="nothing", prints="nothing", arguments=(
                arg("--data", type=Path, required=True, help="the standby's folder"),)),
    Command(words=("replica", "stop"), help="stop the standby in a folder made by `sammen replica init`", run=stop,
            needs="nothing", prints="nothing", arguments=(
                arg("--data", type=Path, required=True, help="the standby's folder"),)),
]
