"""Settings are read from the environment once, at start, so a wrong value stops the
service before it serves anyone instead of failing on the first request."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import msgspec


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None = None  # None: start the embedded PostgreSQL in data_dir
    # where evaluators' analyses, charts, tables and the report read: a hot standby of the
    # primary kept by streaming replication (`sammen replica init`); None: the primary
    analysis_database_url: str | None = None
    data_dir: str = str(Path.home() / ".local" / "share" / "sammen")
    host: str = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 8000
    base_url: str | None = None  # public address used in invitation links
    secret_key: str = ""  # the pseudonyms' secret (32+ characters); empty: the secret file is used
    secret_file: str | None = None  # None: ~/.config/sammen/secret, made on first use (service/secrets_file.py)
    draft_retention_days: Annotated[int, msgspec.Meta(ge=0, le=3650)] = 30  # unfinished drafts, after the wave closes
    admin_api_key: str = ""  # empty: every admin endpoint refuses
    min_group_size: Annotated[int, msgspec.Meta(ge=3)] = 5
    pool_size: Annotated[int, msgspec.Meta(ge=1, le=200)] = 10  # per worker
    workers: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1  # web processes; one per core on a larger host
    questionnaire_dir: str = "questionnaires"
    # heavy evaluator jobs (report, charts, tables, data files; service/web/jobs.py): how many
    # at once per web process, and how long a request waits for a place before a 429
    heavy_jobs: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1
    heavy_job_wait: Annotated[int, msgspec.Meta(ge=0, le=600)] = 10
    # the core an evaluator's analysis keeps to on this machine: 'last', 'off' or a number
    # (service/analysis/runtime/isolation.py)
    analysis_core: Annotated[str, msgspec.Meta(pattern=r"^(last|off|[0-9]{1,4})$")] = "last"
    # processes drawing an evaluation's charts at once (service/exports/charts/drawing.py);
    # 0: one per core the drawing thread may run on
    chart_workers: Annotated[int, msgspec.Meta(ge=0, le=64)] = 0
    # the gateways invitations and reminders go through (service/messaging/gateways.py):
    # smtp[s]://[user:password@]host[:port] and the sender; an HTTP SMS gateway's URL and key
    smtp_url: str | None = None
    smtp_from: str = ""
    sms_url: str | None = None
    sms_key: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """`DATABASE_URL` keeps its customary name; every other setting is `SAMMEN_<FIELD>`."""
        raw: dict[str, str] = {
            f: env[k] for f in cls.__struct_fields__ if (k := f"SAMMEN_{f.upper()}") in env
        }
        if env.get("DATABASE_URL"):
            raw["database_url"] = env["DATABASE_URL"]
        try:
            return msgspec.convert(raw, cls, strict=False)
        except msgspec.ValidationError as exc:
            if "$." not in str(exc):  # raised by __post_init__, which names the variable itself
                raise ValueError(str(exc)) from None
            field = str(exc).rsplit("$.", 1)[-1].rstrip("`")  # msgspec quotes the path: `$.port`
            raise ValueError(f"SAMMEN_{field.upper()}: {exc}") from None

    def __post_init__(self) -> None:
        if self.secret_key and len(self.secret_key) < 32:
            raise ValueError(f"SAMMEN_SECRET_KEY: is {len(self.secret_key)} characters, at least 32 are needed")
        if self.admin_api_key and len(self.admin_api_key) < 32:  # empty: every admin endpoint refuses
            raise ValueError(f"SAMMEN_ADMIN_API_KEY: is {len(self.admin_api_key)} characters, at least 32 are needed"
                             " (e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')")

    @property
    def public_url(self) -> str:
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")
