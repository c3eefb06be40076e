"""Every file Sammen writes for its user, written one way: `sammen backup`, `report --out`,
`export … --out` (data, tidy, tables, charts) and `invite --csv/--sheet`.

A file is made under a temporary name in its target's own folder
(`.NAME.<pid>-<random>.partial`), created with O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600,
so nothing that already sits at that name, a symbolic link least of all, is ever
followed or written through; it is readable by its owner only, since most of these
files hold answers or credentials. Only when it is complete (and on disk: fsync) is it
put in place: by a hard link, which fails if the name was taken meanwhile, or, where the
user asked for it with `--force`, by a rename over the old file. A symbolic link at the
final name is refused either way, as is an existing file without `--force`, with one
line that names the option and the path.

A process killed while it writes (SIGKILL, out of memory, the machine stopped) leaves its
partial file behind, maybe with microdata in it. Each writer therefore notes its partial
file in this user's state folder (`$XDG_STATE_HOME/sammen/partial`, by default
~/.local/state/sammen/partial) under its process id, and `remove_leftovers()`, run at
the start of every `sammen` command, removes the partial files of writers whose process
no longer runs: only this user's, only names of Sammen's own pattern, never a file a
running process still writes (the idea of service/web/scratch.py's scratch folders)."""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from service.numbers import is_ascii_digits

PARTIAL = ".partial"
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class FileProblem(ValueError):
    """An output file that cannot be written; the message names the option and the path."""


def _token() -> str:
    return secrets.token_hex(4)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def running(pid: int) -> bool:
    """Whether a process with this id runs (another user's counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def writer_gone(name: str) -> bool | None:
    """For a name that begins `<pid>-` (a partial file's note, a scratch folder): True
    when that process no longer runs (and is not this one), False while it does; None
    for a name without a process id."""
    pid, dash, _ = name.partition("-")
    if not (dash and is_ascii_digits(pid)):
        return None
    return int(pid) != os.getpid() and not running(int(pid))


def state_folder() -> Path:
    """Where writers note their partial files: private to this user (0700)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "sammen" / "partial"


def check_target(target: Path, option: str, *, force: bool = False, folder: bool = False,
                 hint: str = "a new file name, or --force to replace it") -> None:
    """Refuse a target the writer must not touch: a symbolic link always, an existing
    file unless `force` (`hint`: what the user can do instead), an existing folder
    always; and a missing parent folder."""
    if not target.parent.is_dir():
        raise FileProblem(f"{option}: folder {target.parent} does not exist")
    try:
        found = target.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise FileProblem(f"{option}: cannot write {target}: {_reason(exc)}") from None
    if stat.S_ISLNK(found.st_mode):
        raise FileProblem(f"{option}: {target} is a symbolic link; refused (give the real path)")
    if stat.S_ISDIR(found.st_mode) and not folder:
        raise FileProblem(f"{option}: {target} is a folder; give a file name")
    if folder or not force:
        raise FileProblem(f"{option}: {target} exists; give {hint}")
    if not stat.S_ISREG(found.st_mode):
        raise FileProblem(f"{option}: {target} is not a regular file; refused")


def output_folder(path: Path, option: str) -> Path:
    """A folder files are written into, made (0700) if missing; a file or anything else
    at its name is refused with one line."""
    folder = path.expanduser()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except FileExistsError:
        raise FileProblem(f"{option}: {folder} exists and is not a folder") from None
    except OSError as exc:
        raise FileProblem(f"{option}: cannot make the folder {folder}: {_reason(exc)}") from None
    return folder


class _Partial:
    """The temporary name beside a target, noted in the state folder while it exists."""

    def __init__(self, target: Path, option: str) -> None:
        self.target, self.option = target, option
        self.partial = target.with_name(f".{target.name}.{os.getpid()}-{_token()}{PARTIAL}")
        self._note = _note(self.partial)

    def _refused(self, exc: OSError) -> FileProblem:
        self.forget()
        if isinstance(exc, FileExistsError) or exc.errno == errno.ELOOP:
            return FileProblem(f"{self.option}: {self.partial} already exists (a symbolic link?); refused")
        return FileProblem(f"{self.option}: cannot write in {self.target.parent}: {_reason(exc)}")

    def forget(self) -> None:
        if self._note is not None:
            self._note.unlink(missing_ok=True)
            self._note = None

    def discard(self) -> None:
        raise NotImplementedError

    @contextmanager
    def writing(self) -> Iterator[None]:
        """The block that writes the content: if it fails the partial goes, and an
        OSError is a FileProblem naming the option and the target."""
        try:
            yield
        except OSError as exc:
            self.discard()
            raise FileProblem(f"{self.option}: cannot write {self.target}: {_reason(exc)}") from None
        except BaseException:
            self.discard()
            raise


class NewFile(_Partial):
    """A file written whole or not at all (see the module). Made before any work is
    done, so a taken name or a missing folder stops a command before it has stored or
    computed anything. Writers write into `stream` or, those that take a path only
    (pyarrow, pyreadstat, plotnine), into `partial`, which is this file."""

    def __init__(self, target: Path, option: str, *, force: bool = False,
                 hint: str = "a new file name, or --force to replace it") -> None:
        target = target.expanduser()
        check_target(target, option, force=force, hint=hint)
        super().__init__(target, option)
        self.force, self.hint = force, hint
        try:
            fd = os.open(self.partial, _CREATE, 0o600)
        except OSError as exc:
            raise self._refused(exc) from None
        self.stream: BinaryIO = os.fdopen(fd, "wb")
        self.published = False

    def write(self, data: bytes | str) -> None:
        """The whole content at once (small files: links, sheets, reports)."""
        try:
            self.stream.write(data.encode("utf-8") if isinstance(data, str) else data)
            self.stream.flush()
        except OSError as exc:
            raise FileProblem(f"{self.option}: cannot write {self.target}: {_reason(exc)}") from None

    def publish(self) -> None:
        """Put the complete file in place: linked (a name taken meanwhile is refused) or,
        with `force`, renamed over the old file; a symbolic link put there meanwhile is
        refused either way."""
        try:
            if not self.stream.closed:
                self.stream.flush()
                os.fsync(self.stream.fileno())
                self.stream.close()
            else:  # a writer wrote by name and closed its own handle
                fd = os.open(self.partial, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            check_target(self.target, self.option, force=self.force, hint=self.hint)
            if self.force:
                os.rename(self.partial, self.target)
            else:
                os.link(self.partial, self.target, follow_symlinks=False)
        except FileExistsError:
            raise FileProblem(f"{self.option}: {self.target} exists; give {self.hint}") from None
        except OSError as exc:
            raise FileProblem(f"{self.option}: cannot write {self.target}: {_reason(exc)}") from None
        self.published = True
        self.discard()

    def discard(self, published_too: bool = False) -> None:
        """Remove the partial file (and, `published_too`, the published one)."""
        if not self.stream.closed:
            self.stream.close()
        self.partial.unlink(missing_ok=True)
        self.forget()
        if published_too and self.published:
            self.target.unlink(missing_ok=True)
            self.published = False


class NewFolder(_Partial):
    """A new folder of files written whole or not at all: made 0700 under the partial
    name, its files made by `file()` (0600, never through a link), renamed into place
    when complete. An existing folder is never replaced."""

    def __init__(self, target: Path, option: str) -> None:
        target = target.expanduser()
        check_target(target, option, folder=True, hint="a new folder name")
        super().__init__(target, option)
        try:
            os.mkdir(self.partial, 0o700)
        except OSError as exc:
            raise self._refused(exc) from None

    def file(self, name: str) -> BinaryIO:
        """A new file in the folder, open for writing."""
        return os.fdopen(os.open(self.partial / name, _CREATE, 0o600), "wb")

    def publish(self) -> list[Path]:
        try:
            check_target(self.target, self.option, folder=True, hint="a new folder name")
            os.rename(self.partial, self.target)
        except OSError as exc:
            self.discard()
            raise FileProblem(f"{self.option}: cannot write {self.target}: {_reason(exc)}") from None
        self.forget()
        return sorted(self.target.iterdir())

    def discard(self) -> None:
        shutil.rmtree(self.partial, ignore_errors=True)
        self.forget()


@contextmanager
def all_or_none(files: list[NewFile]) -> Iterator[None]:
    """Files kept together or not at all: the body makes them (appending to `files`),
    writes and publishes them; if it fails at any point, even after publishing, every
    one of them goes, and on success only their partial copies are cleaned up."""
    try:
        yield
    except BaseException:
        for file in files:
            file.discard(published_too=True)
        raise
    for file in files:
        file.discard()


def place(source: Path, target: Path, option: str, *, force: bool = False) -> NewFile:
    """A NewFile at `target` with the bytes of `source` (a file made in a private scratch
    folder by a writer that takes a path), not yet published."""
    made = NewFile(target, option, force=force)
    with made.writing(), source.open("rb") as read:
        shutil.copyfileobj(read, made.stream)
    return made


def _note(partial: Path) -> Path | None:
    """Note `partial` for `remove_leftovers`; without a state folder, the file is still
    written (only not cleaned up after a kill)."""
    folder = state_folder()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        note = folder / f"{os.getpid()}-{_token()}"
        fd = os.open(note, _CREATE, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(os.fsencode(partial.absolute()))
    except OSError:
        return None
    return note


def remove_leftovers() -> list[str]:
    """Remove the partial files and folders noted by this user's writers that no longer
    run; the paths removed. Never follows a link, never touches a name not of Sammen's
    partial pattern for that process, nor another user's file."""
    folder = state_folder()
    removed: list[str] = []
    try:
        notes = list(os.scandir(folder))
    except OSError:
        return removed
    for note in notes:
        if not writer_gone(note.name):
            continue
        pid = note.name.partition("-")[0]
        try:
            if not note.is_file(follow_symlinks=False) or note.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
            partial = Path(os.fsdecode(Path(note.path).read_bytes()))
            if partial.name.startswith(".") and partial.name.endswith(PARTIAL) and f".{pid}-" in partial.name:
                found = partial.lstat()
                if found.st_uid == os.getuid():
                    if stat.S_ISDIR(found.st_mode):
                        shutil.rmtree(partial)
                    elif stat.S_ISREG(found.st_mode):
                        partial.unlink()
                    removed.append(str(partial))
        except FileNotFoundError:
            pass
        except OSError:
            continue
        Path(note.path).unlink(missing_ok=True)
    return removed
