"""The server's secret: the key of respondent-key pseudonyms (and anything else the
service signs). It always exists, so keys are never stored in clear: SAMMEN_SECRET_KEY
when set, otherwise a file kept apart from the database (SAMMEN_SECRET_FILE, by default
~/.config/sammen/secret), made on first use. A copy of the database alone therefore
cannot be linked back to the municipality's keys; losing the secret breaks panel
linkage across waves, so it is backed up separately (docs/privacy.md, "The server secret")."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from service.config import Settings

MIN_LENGTH = 32
_loaded: dict[tuple[str, str | None], str] = {}  # (secret_key, secret_file) -> secret


class SecretError(ValueError):
    """The secret is missing, too short or unreadable: the service must not start."""


def default_secret_file() -> str:
    return str(Path.home() / ".config" / "sammen" / "secret")


def server_secret(settings: Settings) -> str:
    """The secret for these settings, read (or made) once per process."""
    key = (settings.secret_key, settings.secret_file)
    if key not in _loaded:
        _loaded[key] = _resolve(settings)
    return _loaded[key]


def _resolve(settings: Settings) -> str:
    if settings.secret_key:
        if len(settings.secret_key) < MIN_LENGTH:
            raise SecretError(
                f"SAMMEN_SECRET_KEY: is {len(settings.secret_key)} characters, at least {MIN_LENGTH} are needed"
                " (e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return settings.secret_key
    path = Path(settings.secret_file or default_secret_file()).expanduser()
    if not path.exists():
        _create(path)
    try:
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretError(f"SAMMEN_SECRET_FILE: cannot read {path}: {exc}") from None
    if len(value) < MIN_LENGTH:
        raise SecretError(f"SAMMEN_SECRET_FILE: {path} holds {len(value)} characters, at least {MIN_LENGTH} are needed")
    return value


def _create(path: Path) -> None:
    """Only the owner may read it (0600, folder 0700). Written whole to a temporary file
    and then linked into place, so two processes starting at once agree on one secret
    and neither reads a half-written file."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process was first: use its secret
        finally:
            tmp.unlink()
    except OSError as exc:
        raise SecretError(f"SAMMEN_SECRET_FILE: cannot create {path}: {exc}") from None
